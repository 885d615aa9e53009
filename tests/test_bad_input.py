"""Bad input to the course command ends in one line naming the problem: never a traceback,
never a hang, never any work.

The table covers every subcommand with bad, edge and absurd option values (0, negative,
huge, the wrong type, empty) and with each broken course file. Every case runs under a
subprocess timeout, so a command that waits forever fails its case instead of the suite,
and compares the whole course folder before and after: nothing graded, written or removed.
"""

from __future__ import annotations

import ctypes
import hashlib
import multiprocessing
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from autograder.grader_tools.batch_grading.grading_journal import BrokenJournal, GradingJournal
from autograder.grader_tools.batch_grading.grading_settings import CourseGrade
from autograder.grader_tools.batch_grading.grading_worker import receive_within
from autograder.grader_tools.nbgrader_course import nbgrader_environment
from course_simulation.course_copies import copy_course
from course_simulation.course_runs import nbgrader

A1, A3 = "a1_building_blocks", "a3_quiz"
PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 24, 1, 2  # <linux/prctl.h>, capability.h
# Seconds one command may take. Each case stops at its first check, in a few seconds even
# on a busy machine; one still running after this long is waiting for something that never
# comes (`course grade --jobs 0` waited for a worker that was never started).
TIMEOUT = 120


def _obey_file_permissions() -> None:
    """In the child before it runs the command: drop root's power to read and search any
    folder (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH), so permissions apply as to a grader who
    is an ordinary user (root's own tools, such as the interpreter under /root, still work)."""
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    for capability in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def course_command(
    cwd: Path, *args: str, obey_permissions: bool = False
) -> subprocess.CompletedProcess:
    """Run ``course ARGS`` in ``cwd``; fail the test if it hangs. ``obey_permissions``:
    even as root, a folder without read permission cannot be read."""
    command = [sys.executable, "-m", "autograder.grader_tools.course_commands", *args]
    dropping = obey_permissions and os.geteuid() == 0
    try:
        return subprocess.run(
            command,
            cwd=cwd,
            capture_output=True,
            text=True,
            env=nbgrader_environment(),
            timeout=TIMEOUT,
            check=False,
            preexec_fn=_obey_file_permissions if dropping else None,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"`course {' '.join(args)}` still ran after {TIMEOUT} s: it hangs")


def assert_one_line_error(process, *phrases):
    assert process.returncode == 2, (process.returncode, process.stderr)
    lines = process.stderr.strip().splitlines()
    assert len(lines) == 1, process.stderr
    assert lines[0].startswith("course: error: ")
    assert "Traceback" not in process.stdout + process.stderr
    for phrase in phrases:
        assert phrase in lines[0], (phrase, lines[0])


def tree_state(folder: Path) -> dict[str, str]:
    """Every file and folder under ``folder``: its relative path -> a digest of its bytes
    ("folder" for a folder), so any file made, changed or removed shows."""
    state = {}
    for path in sorted(folder.rglob("*")):
        relative = str(path.relative_to(folder))
        state[relative] = (
            "folder" if path.is_dir() else hashlib.sha256(path.read_bytes()).hexdigest()
        )
    return state


# ---- the table --------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One bad input: the command line, what is broken in the course first, the phrases the
    one error line must hold ({course} stands for the course folder); ``unprivileged``:
    file permissions apply even to root."""

    args: tuple[str, ...]
    phrases: tuple[str, ...]
    breakage: Callable[[Path], object] | None = None
    unprivileged: bool = False
    label: str = field(default="")

    def __str__(self) -> str:
        shown = " ".join(repr(a) if not a or " " in a else a for a in self.args)
        return f"{self.label}: course {shown}" if self.label else f"course {shown}"


# option -> (what the help and the error state as allowed, values outside it)
LIMITS = {
    "--jobs": (
        "a whole number of submissions, from 1 to 1000",
        ["0", "-1", "1001", "9" * 40, "2.5", "many", ""],
    ),
    "--cell-timeout": (
        "a whole number of seconds, from 1 to 86400",
        ["0", "-5", "86401", "1e9", "1.5", "ten", ""],
    ),
    "--submission-timeout": (
        "a number of seconds, more than 0, at most 86400",
        ["0", "-1", "86401", "1e400", "inf", "nan", "soon", ""],
    ),
    "--memory-limit": (
        "a whole number of MB, from 256 to 1048576",
        ["-5", "0", "255", "1048577", "3e3", "lots", ""],
    ),
}
OPTION_CASES = [
    Case(("grade", A1, option, value), (f"argument {option}:", repr(value), allowed))
    for option, (allowed, values) in LIMITS.items()
    for value in values
]
ADDRESS = "is not a scheduler address"
NAME_CASES = [
    Case(("grade", A1, "--scheduler", value), ("argument --scheduler", repr(value), ADDRESS))
    for value in ["", "nowhere", "tcp://127.0.0.1:0", "tcp://127.0.0.1:99999", "a b:1"]
] + [
    Case(("grade", ""), ("argument assignment", "no assignment name given")),
    Case(("grade", "../x"), ("'../x' is not allowed as an assignment name",)),
    Case(("grade", "*"), ("'*' is not allowed as an assignment name",)),
    Case(("report", ""), ("no assignment name given",)),
    Case(("report", "a1/../x"), ("'a1/../x' is not allowed as an assignment name",)),
    Case(("generate", ""), ("no assignment name given",)),
    Case(("generate", A1, ".hidden"), ("'.hidden' is not allowed as an assignment name",)),
    Case(("quiz-keys", ""), ("argument students", "no student id given")),
    Case(("quiz-keys", " bob"), ("' bob' is not allowed as a student id",)),
    Case(("grade", A1, "--no-sandbox", "--memory-limit", "512"), ("--no-sandbox has none",)),
    Case(("grade",), ("the following arguments are required: assignment",)),
    Case((), ("the following arguments are required: command",)),
    Case(("regrade", A1), ("invalid choice: 'regrade'",)),
    Case(("grade", A1, "--jobs"), ("argument --jobs: expected one argument",)),
    Case(("check-release", "extra"), ("unrecognized arguments: extra",)),
    Case(("due-date", "", "2026-12-10 17:00"), ("no assignment name given",)),
    Case(("due-date", A1, ""), ("argument when: '' is not a date and time",)),
    Case(("due-date", A1, "next friday"), ("'next friday' is not a date and time",)),
    Case(("due-date", A1, "2026-12-10 17:00 Mars/Olympus"), ("unknown time zone 'Mars/Olympus'",)),
    Case(("due-date", A1, "9999-12-31 23:59 Etc/GMT+12"), ("out of the calendar's range",)),
    Case(("extend", A1, "", "--days", "1"), ("argument student", "no student id given")),
    Case(("extend", "*", "student1"), ("'*' is not allowed as an assignment name",)),
    Case(("deadlines", "../a1"), ("'../a1' is not allowed as an assignment name",)),
    *(
        Case(
            ("extend", A1, "student1", option, value), (f"argument {option}:", repr(value), allowed)
        )
        for option, allowed, values in (
            (
                "--days",
                "a number of days, from 0 to 365",
                ["-1", "366", "1e20", "inf", "nan", "two", ""],
            ),
            ("--hours", "a number of hours, from 0 to 8760", ["-3", "8761", "nan", ""]),
        )
        for value in values
    ),
    Case(("similarity", ""), ("no assignment name given",)),
    *(
        Case(("similarity", A1, option, value), (f"argument {option}:", repr(value), allowed))
        for option, allowed, values in (
            ("--threshold", "a number, from 0 to 1", ["-0.1", "1.5", "50%", "nan", ""]),
            (
                "--min-shared",
                "a whole number of characters, from 0 to 1000000",
                ["-1", "1e9", "x", ""],
            ),
        )
        for value in values
    ),
]


def _write(relative: str, content: str, mode: int | None = None) -> Callable[[Path], None]:
    def breakage(course: Path) -> None:
        path = course / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
        if mode is not None:
            path.chmod(mode)

    breakage.__name__ = f"write {relative}"
    return breakage


def _appended_to_config(line: str) -> Callable[[Path], None]:
    def breakage(course: Path) -> None:
        with open(course / "nbgrader_config.py", "a", encoding="utf-8") as config:
            config.write(f"\n{line}\n")

    return breakage


def _autograded_and(then: Callable[[Path], None]) -> Callable[[Path], None]:
    """An autograded folder (so `course report` goes on to read the rest), then ``then``."""

    def breakage(course: Path) -> None:
        (course / "autograded" / "student1" / A1).mkdir(parents=True)
        then(course)

    return breakage


def _mode(relative: str, mode: int) -> Callable[[Path], None]:
    def breakage(course: Path) -> None:
        (course / relative).chmod(mode)

    return breakage


LOCK_HOLDER = (
    "import sqlite3, sys, time; connection = sqlite3.connect(sys.argv[1], isolation_level=None);"
    " connection.execute('BEGIN EXCLUSIVE'); print('locked', flush=True); time.sleep(600)"
)


def _locked_gradebook(course: Path) -> subprocess.Popen:
    """Another program writing the gradebook: a process holding SQLite's exclusive lock until
    the case ends (in another process: reading the file here would drop a lock of this one)."""
    holder = subprocess.Popen(
        [sys.executable, "-c", LOCK_HOLDER, str(course / "gradebook.db")],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
    return holder


NOT_A_DATABASE = _write("gradebook.db", "grades: alice 14, bob 11\n" * 100)
GRADEBOOK_PHRASES = ("gradebook.db cannot be opened", "not a database", "restore it from a backup")
RAISING_CONFIG = _appended_to_config("raise RuntimeError('a typo on purpose')")
CONFIG_PHRASES = ("{course}/nbgrader_config.py raised RuntimeError: a typo on purpose at line",)
EXITING_CONFIG = _appended_to_config("import sys; sys.exit(3)")
NOT_JSON = _write(f".course_grade/{A1}.json", '{"student1": {"digest": "ab')
JOURNAL_PHRASES = (f"{A1}.json is not valid JSON (line 1", "left as it is", "--force")
NOT_A_JOURNAL = _write(f".course_grade/{A1}.json", "[1, 2, 3]")
OPEN_SECRET = _mode(".quiz_secret", 0o644)
SECRET_PHRASES = (".quiz_secret: the course secret is open to every account", "chmod o-rwx")
SETTING_NOT_ALLOWED = "a CourseGrade setting in the course's nbgrader_config.py is not allowed"
BROKEN_FILE_CASES = [
    Case(("grade", A1), GRADEBOOK_PHRASES, NOT_A_DATABASE, label="not a database"),
    Case(("report", A1), GRADEBOOK_PHRASES, _autograded_and(NOT_A_DATABASE), label="not a db"),
    Case(("quiz-keys",), GRADEBOOK_PHRASES, NOT_A_DATABASE, label="not a database"),
    Case(
        ("quiz-keys",),
        ("gradebook.db cannot be opened (database is locked)", "run the same command again"),
        _locked_gradebook,
        label="gradebook locked",
    ),
    *(
        Case(args, CONFIG_PHRASES, RAISING_CONFIG, label="raising config")
        for args in [("generate", A1), ("check-release",), ("grade", A1), ("quiz-keys",)]
    ),
    Case(("report", A1), CONFIG_PHRASES, _autograded_and(RAISING_CONFIG), label="raising config"),
    Case(("grade", A1), ("raised SystemExit: 3 at line",), EXITING_CONFIG, label="exiting config"),
    Case(
        ("grade", A1),
        ("submitted cannot be read (Permission denied)", "give the grader read access"),
        _mode("submitted", 0o000),
        unprivileged=True,
        label="unreadable submitted/",
    ),
    Case(("quiz-keys", "alice"), SECRET_PHRASES, OPEN_SECRET, label="secret open to all"),
    Case(("grade", A3), SECRET_PHRASES, OPEN_SECRET, label="secret open to all"),
    Case(("grade", A1), JOURNAL_PHRASES, NOT_JSON, label="journal not JSON"),
    Case(("report", A1), JOURNAL_PHRASES, _autograded_and(NOT_JSON), label="journal not JSON"),
    Case(("grade", A1), ("is not a grading journal",), NOT_A_JOURNAL, label="not a journal"),
    Case(
        ("grade", A1),
        (SETTING_NOT_ALLOWED, "jobs: 0 is out of range"),
        _appended_to_config("c.CourseGrade.jobs = 0"),
        label="no jobs in the course's settings",
    ),
    Case(
        ("grade", A1, "--memory-limit", "512"),
        (SETTING_NOT_ALLOWED, "'memory_limit' trait"),
        _appended_to_config("c.CourseGrade.memory_limit = 'lots'"),
        label="a word for a number in the course's settings",
    ),
    Case(
        ("grade", A1),
        ("CourseGrade setting", "scheduler: 'nowhere' is not a scheduler address"),
        _appended_to_config("c.CourseGrade.scheduler = 'nowhere'"),
        label="no address in the course's settings",
    ),
    Case(
        ("grade", A1, "--scheduler", "tcp://127.0.0.1:1"),
        ("cannot reach the Dask scheduler at tcp://127.0.0.1:1", "leave out --scheduler"),
        label="no scheduler there",
    ),
]
CASES = OPTION_CASES + NAME_CASES + BROKEN_FILE_CASES


@pytest.fixture(scope="module")
def prepared_course(tmp_path_factory):
    """A course with a1 and a3 in its gradebook and two submissions of each, as after
    `nbgrader collect`: a case copies it, breaks it and runs one command in the copy."""
    course = copy_course(tmp_path_factory.mktemp("bad-input") / "prepared")
    for assignment in (A1, A3):
        nbgrader(course, "generate_assignment", assignment, "--force")
        for student in ("student1", "student2"):
            shutil.copytree(
                course / "release" / assignment, course / "submitted" / student / assignment
            )
    return course


@pytest.mark.parametrize("case", CASES, ids=str)
def test_bad_input_is_one_line_and_starts_no_work(case: Case, prepared_course: Path, tmp_path):
    course = tmp_path / "course"
    shutil.copytree(prepared_course, course, symlinks=True)
    held = None
    try:
        if case.breakage is not None:
            held = case.breakage(course)
        before = tree_state(course)
        process = course_command(course, *case.args, obey_permissions=case.unprivileged)
        assert_one_line_error(process, *(phrase.format(course=course) for phrase in case.phrases))
        assert tree_state(course) == before  # nothing graded, recorded, written or removed
        assert not (course / "autograded" / "student2").exists()
    finally:
        if isinstance(held, subprocess.Popen):
            held.kill()
            held.wait()
        _make_removable(course)


def _make_removable(folder: Path) -> None:
    for path in [folder, *folder.rglob("*")]:
        if path.is_dir() and not path.is_symlink():
            path.chmod(0o755)


def test_every_subcommand_and_option_has_a_case(tmp_path):
    """The table grows with the command: a new subcommand, or a new option that takes a
    value, needs its rows (read from the help, as a user finds them)."""
    usage = course_command(tmp_path, "--help").stdout
    subcommands = set(re.search(r"\{([\w,-]+)\}", usage).group(1).split(","))
    covered = {case.args[0] for case in CASES if case.args}
    assert subcommands <= covered, subcommands - covered
    options = set()
    for subcommand in subcommands:
        text = course_command(tmp_path, subcommand, "--help").stdout
        options |= set(re.findall(r"\[(--[\w-]+) [A-Z_]+\]", text))
    covered_options = {a for case in CASES for a in case.args if a.startswith("--")}
    assert options and options <= covered_options, options - covered_options


@pytest.mark.parametrize(
    "option, value",
    [
        ("--jobs", "1"),
        ("--jobs", "1000"),
        ("--cell-timeout", "1"),
        ("--cell-timeout", "86400"),
        ("--submission-timeout", "0.001"),
        ("--submission-timeout", "86400"),
        ("--memory-limit", "256"),
        ("--memory-limit", "1048576"),
        ("--scheduler", "tcp://127.0.0.1:8786"),
    ],
)
def test_edge_values_are_accepted(option, value, tmp_path):
    """The ends of each range pass the options; the command goes on to its next check (a
    course without submitted/, so nothing is graded)."""
    course = copy_course(tmp_path / "course")
    process = course_command(course, "grade", A1, option, value)
    assert_one_line_error(process, "no submitted/ folder")


def test_help_states_each_options_unit_range_and_default(tmp_path):
    process = course_command(tmp_path, "grade", "--help")
    text = " ".join(process.stdout.split())
    assert process.returncode == 0
    for allowed, _values in LIMITS.values():
        assert allowed in text
    for default in ("(default: 600)", "(default: 3072)", "Execute.timeout", "cores + 1"):
        assert default in text


def test_grading_settings_refuse_what_would_hang():
    """The Python API takes the same ranges: zero jobs would wait for a worker for ever."""
    with pytest.raises(ValueError, match="jobs: 0 is out of range"):
        CourseGrade(jobs=0)
    with pytest.raises(ValueError, match="submission_timeout: 1e\\+300 is out of range"):
        CourseGrade(submission_timeout=1e300)


# A grading process that sends the start of an answer (multiprocessing's length header,
# then a few of the bytes it announces) and then nothing.
HALF_AN_ANSWER = (
    "import os, struct, sys, time; descriptor = int(sys.argv[1]);"
    " os.write(descriptor, struct.pack('!i', 1000) + b'half'); time.sleep(60)"
)


def test_a_worker_that_stops_mid_answer_cannot_hold_the_grader():
    """A grading process that writes half an answer and then nothing: waiting for its
    answer ends when the submission's time is up, and the process is stopped, instead of
    waiting for the rest."""
    ours, theirs = multiprocessing.Pipe()
    process = subprocess.Popen(
        [sys.executable, "-c", HALF_AN_ANSWER, str(theirs.fileno())], pass_fds=[theirs.fileno()]
    )
    theirs.close()
    try:
        assert ours.poll(60)  # the half answer came
        answer, overran = receive_within(ours, 2.0, process.kill)
        assert process.wait(timeout=60) == -signal.SIGKILL  # stopped by the wait's end
    finally:
        process.kill()
        process.wait()
    assert (answer, overran) == (None, True)


def test_a_broken_journal_is_kept(tmp_path):
    journal = tmp_path / ".course_grade" / f"{A1}.json"
    journal.parent.mkdir()
    journal.write_text("{not json")
    with pytest.raises(BrokenJournal, match="is not valid JSON"):
        GradingJournal(tmp_path, A1)
    assert journal.read_text() == "{not json"
    fresh = GradingJournal(tmp_path, A1, start_over=True)  # --force
    assert fresh.entries == {} and fresh.kept_broken == journal.with_name(f"{A1}.json.broken")
    assert fresh.kept_broken.read_text() == "{not json"


def test_force_regrades_and_keeps_a_broken_journal(prepared_course: Path, tmp_path):
    """`--force` is the way on after a broken journal: it says so, keeps the broken file
    beside the new journal and grades every submission."""
    course = tmp_path / "course"
    shutil.copytree(prepared_course, course, symlinks=True)
    NOT_JSON(course)
    journal = course / ".course_grade" / f"{A1}.json"
    broken = journal.read_bytes()
    process = course_command(course, "grade", A1, "--force", "--jobs", "2", "--cell-timeout", "10")
    assert process.returncode == 0, process.stderr
    assert f"{journal} was not a grading journal; it is kept as {journal}.broken" in process.stderr
    assert (course / ".course_grade" / f"{A1}.json.broken").read_bytes() == broken
    assert set(GradingJournal(course, A1).entries) == {"student1", "student2"}


# ---- single cases kept from before the table ----------------------------------------------


def test_unknown_assignment_is_named(tmp_path):
    course = copy_course(tmp_path / "course")
    process = course_command(course, "generate", "a9_missing")
    assert_one_line_error(process, "no assignment 'a9_missing'", "a1_building_blocks")


def test_notebook_that_is_not_json_is_named_with_its_line(tmp_path):
    course = copy_course(tmp_path / "course")
    broken = course / "source" / "a1_building_blocks" / "a1_building_blocks.ipynb"
    broken.write_text('{"cells": [\n  {"cell_type": "code",, }\n]}')
    process = course_command(course, "generate", "a1_building_blocks")
    assert_one_line_error(process, str(broken), "not a notebook", "line 2")


def test_json_that_is_not_a_notebook(tmp_path):
    course = copy_course(tmp_path / "course")
    broken = course / "source" / "a1_building_blocks" / "a1_building_blocks.ipynb"
    broken.write_text('{"cells": "nope"}')
    assert_one_line_error(course_command(course, "generate"), str(broken), "not a valid notebook")


def test_missing_nbgrader_config(tmp_path):
    process = course_command(tmp_path, "check-release")
    assert_one_line_error(process, "no nbgrader_config.py", str(tmp_path))


def test_generate_rebuilds_release_in_a_copy(tmp_path):
    course = copy_course(tmp_path / "course")
    released = course / "release" / "a1_building_blocks" / "a1_building_blocks.ipynb"
    released.unlink()
    assert course_command(course, "check-release").returncode == 1
    assert course_command(course, "generate").returncode == 0
    assert released.is_file()
    assert course_command(course, "check-release").returncode == 0
