"""`course grade` on a simulated class with every fault: statuses, grades equal to sequential
nbgrader autograde, sandboxed kernels, untouched submissions, resume after a kill."""

import json
import os
import signal
import subprocess
import sys

from autograder.grader_tools.batch_grading.class_grader import grade_class
from autograder.grader_tools.batch_grading.grading_journal import GradingJournal
from autograder.grader_tools.batch_grading.grading_settings import CourseGrade
from autograder.grader_tools.batch_grading.submission_status import GRADED, Problem, ProblemKind
from autograder.grader_tools.batch_grading.worker_settings import SANDBOX_FIRST_UID
from autograder.grader_tools.nbgrader_course import NbgraderCourse, nbgrader_environment
from course_simulation import write_simulated_class
from course_simulation.course_copies import copy_course
from course_simulation.course_runs import nbgrader, run

from ..course_helpers import running_processes, wait_until
from .conftest import (
    A1,
    CELL_TIMEOUT,
    KINDS,
    grade_with_gradebook,
    gradebook_state,
    output_text,
    student_of_kind,
    submitted_digests,
)
from .held_journal import hold_journal, remove_hold


def test_statuses_name_what_happened(graded_class):
    """Each fault's first problem (its kind, and its detail where that is fixed), the words
    the grader reads (the problem's first), and the score; a submission with nothing notable
    reads "graded"."""
    roster = graded_class["roster"]
    by_kind = {}
    for result in graded_class["results"]:
        by_kind.setdefault(roster[result.student], result)
    cell = "in cell 'activations'"
    expected = {
        "correct": (None, 14.0),
        "forgot_1_over_m": (None, 11.0),
        "blank": (None, 0.0),
        "infinite_loop": (Problem(ProblemKind.TIMED_OUT, cell), 11.0),
        "huge_print": (Problem(ProblemKind.HUGE_OUTPUT, f"5.0 MB {cell}"), 14.0),
        "memory_hog": (Problem(ProblemKind.MEMORY, cell), 11.0),
        "kernel_killer": (ProblemKind.KERNEL_DIED, 0.0),
        "deleted_cells": (
            Problem(
                ProblemKind.DELETED_CELLS, "test_activations (restored by nbgrader and graded)"
            ),
            14.0,
        ),
        "duplicated_cells": (
            Problem(ProblemKind.DUPLICATED_CELLS, "test_gradient_check (the last copy is graded)"),
            14.0,
        ),
        "tampering": (Problem(ProblemKind.TAMPERING_BLOCKED), 0.0),
        "snooping": (None, 14.0),
        "not_json": (ProblemKind.NOT_A_NOTEBOOK, None),
    }
    for kind, (first, score) in expected.items():
        result = by_kind[kind]
        if first is None:
            assert result.status == GRADED and result.describe() == str(GRADED), kind
        elif isinstance(first, ProblemKind):
            assert result.status.kinds[0] == first, (kind, result.describe())
            assert result.describe().startswith(first.value), (kind, result.describe())
        else:
            assert result.status.problems[0] == first, (kind, result.describe())
            assert result.describe().startswith(str(first)), (kind, result.describe())
        if score is not None:
            assert result.score == score, (kind, result.score)
    not_json = by_kind["not_json"].status.problems[0]
    assert not_json.detail.startswith("a1_building_blocks.ipynb is not valid JSON")


def test_grades_equal_sequential_nbgrader_autograde(graded_class):
    parallel, _ = gradebook_state(graded_class["parallel"])
    sequential, rows = gradebook_state(graded_class["sequential"])
    hog = student_of_kind(graded_class["roster"], "memory_hog")
    # The memory limit is this grader's own: without it, the 4 GB allocation succeeds at once
    # (np.empty touches no page, so no timeout can depend on how fast memory pages in).
    assert parallel.pop((hog, "test_activations")) == 0.0
    assert sequential.pop((hog, "test_activations")) == 3.0
    assert parallel == sequential
    assert sorted(rows) == sorted(graded_class["roster"]) and set(rows.values()) == {1}


def test_student_code_cannot_reach_the_course(graded_class):
    snooper = student_of_kind(graded_class["roster"], "snooping")
    notebook = f"autograded/{snooper}/{A1}/{A1}.ipynb"
    sandboxed = output_text(graded_class["parallel"] / notebook)
    attempts = [
        line
        for line in sandboxed.splitlines()
        if line.split(" ")[0] in {"READ", "WROTE", "BLOCKED"}
    ]
    assert len(attempts) == 9 and all(line.startswith("BLOCKED") for line in attempts), attempts
    assert not (graded_class["parallel"] / "snooped.txt").exists()
    # The same code under plain nbgrader autograde (no sandbox) reaches all of it.
    plain = output_text(graded_class["sequential"] / notebook)
    for target in ["../../../source/", "../../../gradebook.db", "nbgrader_config.py", "correct"]:
        assert any(line.startswith("READ") and target in line for line in plain.splitlines()), (
            target
        )
    assert (graded_class["sequential"] / "snooped.txt").exists()
    assert graded_class["snooped_outside_unsandboxed"]


def test_submissions_are_never_modified(graded_class):
    assert submitted_digests(graded_class["parallel"]) == graded_class["before"]


def test_a_second_run_resumes_and_changes_nothing(graded_class):
    parallel = graded_class["parallel"]
    grades = gradebook_state(parallel)
    again = grade_with_gradebook(parallel, jobs=2, cell_timeout=int(CELL_TIMEOUT))
    first = {r.student: r.describe() for r in graded_class["results"]}
    assert {r.student: r.describe() for r in again} == {
        s: f"graded earlier: {first[s]}" for s in first
    }
    assert gradebook_state(parallel) == grades


def _start_and_stop(course, command, recorded, stop_signal):
    """Start `course grade`, hold it once ``recorded`` submissions are in its journal
    (``hold_journal``), then signal it; its exit status, its stderr, and how many the journal
    recorded (fewer than the class)."""
    process = subprocess.Popen(
        command,
        cwd=course,
        env=nbgrader_environment(),
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        # As from a terminal: a suite started in the background by a non-interactive shell
        # inherits an ignored SIGINT, which Python would keep ignoring.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        held = hold_journal(course, A1, process, recorded)
        if stop_signal == signal.SIGKILL:
            os.killpg(process.pid, signal.SIGKILL)  # the whole process group, as `kill -9` would
        else:
            process.send_signal(stop_signal)  # Ctrl-C reaches the grader
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        remove_hold(course, A1)
    return process.returncode, stderr, held


def _sandboxed_processes():
    """Command lines of the processes running as a sandbox uid (student kernels)."""
    # /proc/PID belongs to the process's uid
    return list(running_processes(lambda p: p.stat().st_uid >= SANDBOX_FIRST_UID).values())


def test_interrupted_and_killed_runs_resume_to_the_same_gradebook(graded_class):
    course = graded_class["interrupted"]
    before = submitted_digests(course)
    command = [
        sys.executable,
        "-m",
        "autograder.grader_tools.course_commands",
        "grade",
        A1,
        "--jobs",
        "2",
    ]
    command += ["--cell-timeout", CELL_TIMEOUT]
    # Each stop comes while the grader waits to record a finished submission: some are in
    # the journal, some are not, whatever the machine's speed.
    status, stderr, held = _start_and_stop(course, command, 2, signal.SIGINT)
    assert status == 130 and "interrupted (run the same command again to resume)" in stderr
    interrupted = len(GradingJournal(course, A1).entries)
    assert 2 <= interrupted == held < len(KINDS)
    status, _, held = _start_and_stop(course, command, interrupted + 3, signal.SIGKILL)
    assert status == -signal.SIGKILL
    # Workers die with the grader and kernels with their worker: nothing keeps grading.
    wait_until(lambda: not _sandboxed_processes(), 60, "no student kernel runs")
    finished = len(GradingJournal(course, A1).entries)
    assert interrupted + 3 <= finished == held < len(KINDS)
    resumed = run(course, *command, env=nbgrader_environment())
    assert resumed.stdout.count("graded earlier") == finished
    assert gradebook_state(course) == gradebook_state(graded_class["parallel"])
    assert submitted_digests(course) == before


def test_grade_command_errors_are_one_line(tmp_path):
    course = copy_course(tmp_path / "course")
    process = run(
        course,
        sys.executable,
        "-m",
        "autograder.grader_tools.course_commands",
        "grade",
        A1,
        check=False,
    )
    assert process.returncode == 2 and process.stderr.count("\n") == 1
    assert "no submitted/ folder" in process.stderr
    process = run(
        course,
        sys.executable,
        "-m",
        "autograder.grader_tools.course_commands",
        "report",
        A1,
        check=False,
    )
    assert process.returncode == 2 and process.stderr.count("\n") == 1
    assert "nothing autograded for 'a1_building_blocks'" in process.stderr


def test_an_overrunning_grading_is_stopped_and_the_next_run_recovers(tmp_path):
    course = copy_course(tmp_path / "course")
    nbgrader(course, "generate_assignment", A1, "--force", env=nbgrader_environment())
    roster = write_simulated_class(course, A1, ["correct"], seed=1)
    [stopped] = grade_with_gradebook(course, jobs=1, submission_timeout=0.5)
    assert stopped.describe() == f"{ProblemKind.TIMED_OUT.value} after 0.5 s in total"
    assert GradingJournal(course, A1).entries == {}  # not finished: the next run grades it
    [graded] = grade_with_gradebook(course, jobs=1)
    assert (graded.student, graded.describe(), graded.score) == (*roster, str(GRADED), 14.0)


STARTS_ON_SECOND_TRY = (
    'flag=$1; python=$2; shift 2; if [ -e "$flag" ]; then exec "$python" -m ipykernel_launcher'
    ' "$@"; fi; touch "$flag"; exit 1'
)


def test_a_kernel_that_dies_before_any_cell_runs_is_started_again(tmp_path, monkeypatch):
    """As a kernel that loses the race for its port does: no student code ran, so it is the
    grader's failure, never a zero for the student."""
    course = copy_course(tmp_path / "course")
    nbgrader(course, "generate_assignment", A1, "--force", env=nbgrader_environment())
    roster = write_simulated_class(course, A1, ["correct"], seed=1)
    flag = tmp_path / "first-start-failed"
    spec = tmp_path / "kernels" / "kernels" / "starts-on-second-try"
    spec.mkdir(parents=True)
    argv = ["sh", "-c", STARTS_ON_SECOND_TRY, "sh", str(flag), sys.executable]
    spec.joinpath("kernel.json").write_text(
        json.dumps({"argv": [*argv, "-f", "{connection_file}"], "language": "python"})
    )
    with (course / "nbgrader_config.py").open("a") as config:
        config.write('\nc.Execute.kernel_name = "starts-on-second-try"\n')
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "kernels"))
    options = CourseGrade(sandbox=False, jobs=1, progress=False)
    [result] = grade_class(NbgraderCourse.load(course), A1, options)
    assert flag.exists()  # the first start did fail
    assert (result.student, result.describe(), result.score) == (*roster, str(GRADED), 14.0)


def test_the_course_settings_apply_and_the_command_line_wins(tmp_path):
    """`c.CourseGrade.*` in the course's nbgrader_config.py sets what `course grade` does
    (here a submission timeout no grading can meet), and the command line overrides it."""
    course = copy_course(tmp_path / "course")
    nbgrader(course, "generate_assignment", A1, "--force", env=nbgrader_environment())
    [student] = write_simulated_class(course, A1, ["correct"], seed=1)
    with (course / "nbgrader_config.py").open("a") as config:
        config.write("\nc.CourseGrade.submission_timeout = 0.5\nc.CourseGrade.jobs = 1\n")
    command = [sys.executable, "-m", "autograder.grader_tools.course_commands", "grade", A1]
    stopped = run(course, *command, env=nbgrader_environment())
    timed_out = f"{ProblemKind.TIMED_OUT.value} after 0.5 s in total"
    assert _summary_row(stopped.stdout, student) == ["-", timed_out]
    graded = run(course, *command, "--submission-timeout", "600", env=nbgrader_environment())
    assert _summary_row(graded.stdout, student) == ["14/14", str(GRADED)]


def _summary_row(printed: str, student: str) -> list[str]:
    """The score and status `course grade`'s summary gives ``student``."""
    row = next(line for line in printed.splitlines() if line.startswith(f"{student} "))
    return row.split(None, 2)[1:]
