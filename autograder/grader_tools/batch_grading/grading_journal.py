"""Remember which submissions a run has finished, so a killed or interrupted run resumes.

One JSON file per assignment, ``<course>/.course_grade/<assignment>.json``: for each student,
the digest of the submitted files and the status the grading ended with. The grader
records a student only after nbgrader has finished with them, and writes the file
atomically (``atomic_files``: ``<assignment>.json.partial``, synced, renamed over the old
one), so a kill or a power cut at any moment leaves either the old journal or the new one.
A resubmission changes the digest: it is regraded.

A journal that cannot be read (not JSON, not a journal's shape, no read access) is never
overwritten: reading it raises ``BrokenJournal``, naming the file and the fix; only a run
that starts over (``--force``) goes on, after setting the broken file aside, kept.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from autograder.atomic_files import write_atomically
from autograder.grader_tools.batch_grading.submission_status import SubmissionStatus
from autograder.grader_tools.course_files import CourseError

JOURNAL_FOLDER = ".course_grade"


class BrokenJournal(CourseError):
    """The journal at ``path`` exists but is not one; the message says how to go on."""

    def __init__(self, path: Path, assignment: str, reason: str):
        super().__init__(
            f"{path} {reason}: it records which submissions are graded, so it was left as it "
            f"is; repair it, or run `course grade {assignment} --force` to regrade every "
            "submission (the broken file is then kept beside the new one)"
        )
        self.path = path


def journal_path(course: Path, assignment: str) -> Path:
    """Where the journal of ``assignment`` lives: ``<course>/.course_grade/<assignment>.json``."""
    return Path(course) / JOURNAL_FOLDER / f"{assignment}.json"


def _read_entries(path: Path, assignment: str) -> dict:
    """The journal's entries; {} if there is none yet; BrokenJournal if it is not one."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise BrokenJournal(path, assignment, f"cannot be read ({reason})") from None
    try:
        entries = json.loads(text)
    except json.JSONDecodeError as error:
        reason = f"is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})"
        raise BrokenJournal(path, assignment, reason) from None
    if not isinstance(entries, dict) or not all(
        isinstance(entry, dict) and isinstance(entry.get("digest"), str)
        for entry in entries.values()
    ):
        reason = "is not a grading journal (an object of {student: {digest, status}})"
        raise BrokenJournal(path, assignment, reason)
    return entries


def set_aside(path: Path) -> Path:
    """Rename a broken journal to the first free ``<name>.broken[-N]``; the new name."""
    kept = path.with_name(f"{path.name}.broken")
    number = 1
    while kept.exists():
        number += 1
        kept = path.with_name(f"{path.name}.broken-{number}")
    os.replace(path, kept)
    return kept


def submission_digest(folder: Path) -> str:
    """SHA-256 over the names and contents of every file a student submitted."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


class GradingJournal:
    """student -> {digest, status} of the submissions graded so far for one assignment.

    ``start_over`` (``--force``) forgets every entry; a broken journal is then renamed
    (``set_aside``, its new path in ``kept_broken``) instead of raising ``BrokenJournal``.
    """

    def __init__(self, course: Path, assignment: str, start_over: bool = False):
        self.path = journal_path(course, assignment)
        self.kept_broken: Path | None = None
        try:
            self.entries = _read_entries(self.path, assignment)
        except BrokenJournal:
            if not start_over:
                raise
            self.kept_broken = set_aside(self.path)
            self.entries = {}
        if start_over:
            self.entries = {}
        # A journal written before statuses were data holds prose: grade those again.
        self.entries = {s: e for s, e in self.entries.items() if isinstance(e.get("status"), list)}

    def finished_status(self, student: str, folder: Path) -> SubmissionStatus | None:
        """The status this exact submission was graded with, or None if it still needs grading."""
        entry = self.entries.get(student)
        if entry and entry["digest"] == submission_digest(folder):
            return self.status(student)
        return None

    def status(self, student: str) -> SubmissionStatus:
        return SubmissionStatus.from_json(self.entries[student]["status"])

    def record(self, student: str, folder: Path, status: SubmissionStatus) -> None:
        entry = {"digest": submission_digest(folder), "status": status.to_json()}
        self.entries[student] = entry
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(
            self.path,
            json.dumps(self.entries, indent=1, sort_keys=True),
            mode=None,
            partial=self.path.with_suffix(".json.partial"),
        )
