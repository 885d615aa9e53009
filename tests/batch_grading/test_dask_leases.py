"""A resumed `course grade --scheduler` never grades a student while a killed client's task
still grades them (``dask_tasks.grading_lease``), and still grades every student once.

Each grading records where it starts and ends (two preprocessors added to the course's
nbgrader configuration, in the grading process on the worker) and holds its start while a
file names its student: the killed client's grading of that student runs on, held, while
the resumed run waits for its lease; the test reads the scheduler's count of tasks waiting
for that lease, so nothing depends on the machine's speed.
"""

import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from autograder.grader_tools.batch_grading.dask_tasks import grading_lease
from autograder.grader_tools.batch_grading.grading_journal import GradingJournal
from autograder.grader_tools.batch_grading.submission_status import ProblemKind
from course_simulation.course_runs import nbgrader

from ..course_helpers import wait_until
from .conftest import (
    A1,
    CELL_TIMEOUT,
    class_and_its_twin,
    gradebook_state,
    student_of_kind,
    student_totals,
)

KINDS = ["correct", "wrong_sign", "forgot_1_over_m", "correct"]

# Appended to the course's nbgrader_config.py: what each grading does, in order, in a file.
RECORDED_GRADINGS = """
import os as _os
import time as _time

from nbgrader.preprocessors import NbGraderPreprocessor as _Preprocessor


def _record(event, resources):
    student = resources["nbgrader"]["student"]
    with open({events!r}, "a", encoding="utf-8") as events:
        events.write(f"{{event}} {{student}} {{_os.getpid()}}\\n")
    return student


class GradingStarts(_Preprocessor):
    def preprocess(self, nb, resources):
        student = _record("start", resources)
        while _os.path.exists(_os.path.join({held!r}, student)):  # the test lets it go
            _time.sleep(0.05)
        return nb, resources


class GradingEnds(_Preprocessor):
    def preprocess(self, nb, resources):
        _record("end", resources)
        return nb, resources


c.Autograde.sanitize_preprocessors = [GradingStarts, *c.Autograde.sanitize_preprocessors]
c.Autograde.autograde_preprocessors = [*c.Autograde.autograde_preprocessors, GradingEnds]
"""


def _events(path: Path) -> list[tuple[str, str, int]]:
    """(start|end, student, grading process id) in the order they happened."""
    if not path.exists():
        return []
    return [
        (event, student, int(pid))
        for event, student, pid in (line.split() for line in path.read_text().splitlines())
    ]


def _overlaps(events: list[tuple[str, str, int]]) -> list[str]:
    """Students with two gradings under way at one moment."""
    running: dict[str, set[int]] = {}
    overlapping = []
    for event, student, pid in events:
        under_way = running.setdefault(student, set())
        if event == "start":
            if under_way - {pid}:
                overlapping.append(student)
            under_way.add(pid)
        else:
            under_way.discard(pid)
    return overlapping


def _waiting_for(client, lease: str) -> int:
    """How many tasks wait for ``lease`` (the scheduler's own gauge of pending acquires)."""

    def pending(dask_scheduler) -> int:
        return dask_scheduler.extensions["semaphores"].metrics["pending"].get(lease, 0)

    return client.run_on_scheduler(pending)


def test_a_resume_waits_for_a_killed_clients_grading(tmp_path, postgres_server, cluster):
    scheduler, client = cluster
    url = postgres_server("dask_leases")
    course, sequential, env, roster = class_and_its_twin(tmp_path, url, KINDS, seed=11)
    events, held = tmp_path / "gradings.txt", tmp_path / "held"
    held.mkdir()
    with (course / "nbgrader_config.py").open("a", encoding="utf-8") as config:
        config.write(RECORDED_GRADINGS.format(events=str(events), held=str(held)))
    student = student_of_kind(roster, "wrong_sign")
    (held / student).touch()
    lease = grading_lease(url, A1, student)
    command = [
        *(sys.executable, "-m", "autograder.grader_tools.course_commands", "grade", A1),
        *("--scheduler", scheduler.scheduler_address, "--cell-timeout", CELL_TIMEOUT),
    ]
    with ThreadPoolExecutor(max_workers=1) as background:  # the reference, side by side
        reference = background.submit(
            nbgrader, sequential, "autograde", A1, f"--Execute.timeout={CELL_TIMEOUT}"
        )
        first = subprocess.Popen(
            command, cwd=course, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            wait_until(
                lambda: ("start", student, _first_pid(events, student)) in _events(events),
                300,
                f"the first run grades {student}",
            )
        finally:  # the client dies; its grading of the student goes on, held, unread
            first.send_signal(signal.SIGKILL)
            first.wait()
        assert student not in GradingJournal(course, A1).entries
        second = subprocess.Popen(
            command, cwd=course, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        try:
            # The resumed run's task for the student waits for the lease, not grading.
            wait_until(lambda: _waiting_for(client, lease) > 0, 300, "a task waits for the lease")
            assert [e for e in _events(events) if e[:2] == ("start", student)] == [
                ("start", student, _first_pid(events, student))
            ]
        finally:
            (held / student).unlink()
        out, err = second.communicate(timeout=600)
        reference.result()
    assert second.returncode == 0, out + err
    assert ProblemKind.NOT_GRADED.label not in out, out
    recorded = _events(events)
    assert _overlaps(recorded) == []
    # The held grading ran to its end, then the resumed one: two, one after the other.
    gradings = [pid for event, name, pid in recorded if (event, name) == ("start", student)]
    assert len(set(gradings)) == 2, recorded
    _, rows = gradebook_state(course, url)
    assert sorted(rows) == sorted(roster) and set(rows.values()) == {1}
    assert student_totals(course, url) == student_totals(sequential)


def _first_pid(path: Path, student: str) -> int | None:
    """The grading process that first started grading ``student``."""
    return next((pid for e, s, pid in _events(path) if (e, s) == ("start", student)), None)
