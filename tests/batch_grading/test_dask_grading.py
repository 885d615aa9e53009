"""`course grade --scheduler` on a Dask LocalCluster of two worker processes, the gradebook
in the suite's private PostgreSQL server (nbgrader's db_url, as for several machines)."""

import os
import signal
import subprocess
import sys

from autograder.grader_tools.batch_grading.dask_tasks import grading_lease
from autograder.grader_tools.batch_grading.grading_journal import GradingJournal
from autograder.grader_tools.batch_grading.submission_status import GRADED, ProblemKind
from autograder.grader_tools.nbgrader_course import nbgrader_environment
from course_simulation import write_simulated_class
from course_simulation.course_copies import copy_course
from course_simulation.course_runs import nbgrader, run

from ..course_helpers import wait_until
from .conftest import A1, CELL_TIMEOUT, KINDS, gradebook_state, student_of_kind, student_totals
from .held_journal import hold_journal, release_journal, remove_hold

ORDINARY = ["correct", "forgot_1_over_m", "wrong_sign", "relu_at_zero", "blank"] * 2


def _class(tmp_path, postgres_server, name, kinds, seed):
    course = copy_course(tmp_path / name)
    url = postgres_server(f"dask_{name}")
    env = nbgrader_environment(NBGRADER_DB_URL=url)
    nbgrader(course, "generate_assignment", A1, "--force", env=env)
    roster = write_simulated_class(course, A1, kinds, seed=seed)
    return course, url, env, roster


def _grade_command(cluster) -> list[str]:
    return [
        *(sys.executable, "-m", "autograder.grader_tools.course_commands", "grade", A1),
        *("--scheduler", cluster.scheduler_address, "--cell-timeout", CELL_TIMEOUT),
    ]


def _expected_scores(graded_class, roster) -> dict[str, float]:
    """Each student's total under the local `course grade` of the shared class, by kind."""
    local = {graded_class["roster"][r.student]: r.score for r in graded_class["results"]}
    return {student: local[kind] for student, kind in roster.items()}


def test_grades_on_dask_equal_sequential_nbgrader(tmp_path, postgres_server, cluster, graded_class):
    """Every fault kind of the shared simulated class, graded on the cluster."""
    course, url, env, roster = _class(tmp_path, postgres_server, "faults", KINDS, seed=4)
    graded = run(course, *_grade_command(cluster[0]), env=env)
    assert ProblemKind.NOT_GRADED.label not in graded.stdout, graded.stdout
    grades, rows = gradebook_state(course, url)
    sequential, _ = gradebook_state(graded_class["sequential"])
    # Same seed, same class: the students' ids are those of the sequential course.
    hog = student_of_kind(roster, "memory_hog")
    assert grades.pop((hog, "test_activations")) == 0.0  # the sandbox's memory limit
    assert sequential.pop((hog, "test_activations")) == 3.0
    assert grades == sequential
    assert sorted(rows) == sorted(roster) and set(rows.values()) == {1}
    assert ProblemKind.TAMPERING_BLOCKED.value in graded.stdout
    assert ProblemKind.TIMED_OUT.value in graded.stdout


def test_a_worker_killed_mid_run(tmp_path, postgres_server, cluster, graded_class):
    scheduler, client = cluster
    course, url, env, roster = _class(tmp_path, postgres_server, "killed", ORDINARY, seed=6)
    journal = course / ".course_grade" / f"{A1}.json"
    grading = subprocess.Popen(
        _grade_command(scheduler),
        cwd=course,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )

    def busy_workers() -> list[str]:
        assert grading.poll() is None, "the run ended before a worker could be killed"
        return [address for address, tasks in client.processing().items() if tasks]

    # The run is under way (one submission graded), and a worker holds a grading.
    wait_until(journal.exists, 300, "the journal records a submission")
    busy = wait_until(busy_workers, 300, "a worker holds a grading")
    victim = client.run(os.getpid, workers=busy[:1])[busy[0]]
    os.kill(victim, signal.SIGKILL)  # the nanny starts a new worker; its task goes elsewhere
    out, err = grading.communicate(timeout=600)
    assert grading.returncode == 0, out + err
    assert ProblemKind.NOT_GRADED.label not in out, out
    _, rows = gradebook_state(course, url)
    assert sorted(rows) == sorted(roster) and set(rows.values()) == {1}  # once each
    assert student_totals(course, url) == _expected_scores(graded_class, roster)


def test_an_interrupted_client_resumes(tmp_path, postgres_server, cluster, graded_class):
    scheduler, client = cluster
    course, url, env, roster = _class(tmp_path, postgres_server, "resumed", ORDINARY, seed=7)
    first = subprocess.Popen(
        _grade_command(scheduler),
        cwd=course,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:  # killed while it waits to record its second submission, whatever the machine
        held = hold_journal(course, A1, first, recorded=1)
    finally:
        first.kill()  # the client dies; its running tasks finish on the workers, unread
        first.wait()
        remove_hold(course, A1)
    wait_until(lambda: not any(client.processing().values()), 300, "the workers are idle")
    done = set(GradingJournal(course, A1).entries)
    assert 0 < len(done) == held < len(roster)
    second = run(course, *_grade_command(scheduler), env=env)
    for student in done:
        assert f"{student}" in second.stdout
    assert second.stdout.count("graded earlier") == len(done)
    _, rows = gradebook_state(course, url)
    assert sorted(rows) == sorted(roster) and set(rows.values()) == {1}
    assert student_totals(course, url) == _expected_scores(graded_class, roster)


def _grading_processes(client) -> dict[str, int]:
    """Grading processes each Dask worker keeps (children running grading_worker)."""
    import psutil

    counts = {}
    for address, pid in client.run(os.getpid).items():
        children = psutil.Process(pid).children(recursive=True)
        counts[address] = sum("grading_worker" in " ".join(_command_line(c)) for c in children)
    return counts


def _command_line(process) -> list[str]:
    """A process's command line; none for one that has ended (a zombie not yet reaped)."""
    import psutil

    try:
        return process.cmdline()
    except (psutil.ZombieProcess, psutil.NoSuchProcess):
        return []


def test_a_finished_run_leaves_no_grading_process_on_the_workers(
    tmp_path, postgres_server, cluster
):
    """Run after run (each course a package of its own), the workers let the run's grading
    processes, scratch courses and students' leases go when it ends: a long-lived cluster
    does not fill up."""
    scheduler, client = cluster
    for number in range(2):
        course, url, env, roster = _class(
            tmp_path, postgres_server, f"run{number}", ["correct"] * 3, seed=number
        )
        grading = subprocess.Popen(
            _grade_command(scheduler), cwd=course, env=env, text=True, stdout=subprocess.PIPE
        )
        # While it runs (held as it records its first grade), there they are.
        try:
            hold_journal(course, A1, grading)
            try:
                assert sum(_grading_processes(client).values()) > 0
            finally:
                release_journal(course, A1)
        except BaseException:
            grading.kill()
            raise
        out, _ = grading.communicate(timeout=600)
        assert grading.returncode == 0 and out.count(f" {GRADED}") >= len(roster), out
        assert set(_grading_processes(client).values()) == {0}
        # Each task's lease stopped renewing when released (Dask keeps a renewing one), and
        # the scheduler forgot the students' leases when the run ended.
        assert set(client.run(_renewing_leases).values()) == {0}
        this_run = grading_lease(url, A1, "")
        assert [name for name in client.run_on_scheduler(_lease_names) if this_run in name] == []


def _lease_names(dask_scheduler) -> list[str]:
    return list(dask_scheduler.extensions["semaphores"].max_leases)


def _renewing_leases() -> int:
    """On a worker: leases whose renewals still run, so that its event loop keeps them."""
    import gc

    from distributed import Semaphore

    return sum(
        1
        for thing in gc.get_objects()
        if isinstance(thing, Semaphore) and thing.refresh_callback.is_running()
    )
