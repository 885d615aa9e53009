"""Remember which submissions a run has finished, so a killed or interrupted run resumes.

One JSON file per assignment, ``<course>/.course_grade/<assignment>.json``: for each student,
the digest of the submitted files and the status the grading ended with. The grader
records a student only after nbgrader has finished with them, and writes the file
atomically (a temporary file renamed over the old one), so a kill at any moment leaves
either the old journal or the new one. A resubmission changes the digest: it is regraded.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from .submission_status import SubmissionStatus


def submission_digest(folder: Path) -> str:
    """SHA-256 over the names and contents of every file a student submitted."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


class GradingJournal:
    """student -> {digest, status} of the submissions graded so far for one assignment."""

    def __init__(self, course: Path, assignment: str):
        self.path = Path(course) / ".course_grade" / f"{assignment}.json"
        try:
            self.entries = json.loads(self.path.read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
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
        partial = self.path.with_suffix(".json.partial")
        partial.write_text(json.dumps(self.entries, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(partial, self.path)

    def forget(self) -> None:
        """Start over (``--force``): every submission is graded again."""
        self.entries = {}
