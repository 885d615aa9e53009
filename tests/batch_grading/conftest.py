"""A simulated class graded three ways, shared by the batch grading tests (graded once);
a private PostgreSQL server."""

import glob
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest

from autograder.grader_tools.batch_grading.class_grader import grade_class
from autograder.grader_tools.batch_grading.grading_settings import CourseGrade
from autograder.grader_tools.nbgrader_course import NbgraderCourse, nbgrader_environment
from course_simulation import SNOOPED_OUTSIDE, write_simulated_class
from course_simulation.course_copies import copy_course
from course_simulation.course_runs import nbgrader, run

from ..course_helpers import file_digest

A1 = "a1_building_blocks"
KINDS = [
    "correct",
    "forgot_1_over_m",
    "wrong_sign",
    "relu_at_zero",
    "blank",
    "not_json",
    "infinite_loop",
    "huge_print",
    "memory_hog",
    "kernel_killer",
    "deleted_cells",
    "duplicated_cells",
    "tampering",
    "snooping",
    "correct",
]
CELL_TIMEOUT = "10"


def grade_with_gradebook(course, **options):
    """``grade_class`` on ``course`` (its gradebook: nbgrader's default, in the course)."""
    return grade_class(NbgraderCourse.load(course), A1, CourseGrade(progress=False, **options))


def submitted_digests(course):
    """Relative path -> SHA-256 of every file in submitted/."""
    return {
        p.relative_to(course): file_digest(p)
        for p in (course / "submitted").rglob("*")
        if p.is_file()
    }


def gradebook_state(course, db_url=None):
    """(student, grade cell) -> score, and the number of submission rows per student."""
    grades, rows = {}, {}
    with NbgraderCourse.load(course, db_url=db_url).gradebook() as gradebook:
        for submission in gradebook.assignment_submissions(A1):
            rows[submission.student.id] = rows.get(submission.student.id, 0) + 1
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    grades[submission.student.id, grade.name] = grade.score
    return grades, rows


def student_totals(course, db_url=None) -> dict[str, float]:
    """Each student's total score in the course's gradebook (or ``db_url``)."""
    grades, _ = gradebook_state(course, db_url)
    totals: dict[str, float] = {}
    for (student, _cell), score in grades.items():
        totals[student] = totals.get(student, 0.0) + score
    return totals


def output_text(notebook_path):
    notebook = nbformat.read(notebook_path, 4)
    return "".join(
        output.get("text", "") for cell in notebook.cells for output in cell.get("outputs", [])
    )


@pytest.fixture(scope="session")
def graded_class(tmp_path_factory):
    """One simulated class in three identical courses: graded by `course grade`, by plain
    sequential `nbgrader autograde`, and left ungraded for the kill test."""
    root = tmp_path_factory.mktemp("class")
    parallel = copy_course(root / "parallel")
    nbgrader(parallel, "generate_assignment", A1, "--force", env=nbgrader_environment())
    copies = {}
    for name in ("sequential", "interrupted"):
        copies[name] = root / name
        run(root, "cp", "-a", str(parallel), str(copies[name]))
        # The same seed writes the same class (the snooper names its own course's paths).
        assert write_simulated_class(copies[name], A1, KINDS, seed=4)
    roster = write_simulated_class(parallel, A1, KINDS, seed=4)
    before = submitted_digests(parallel)
    # Side by side: the plain sequential reference (its timeouts and dead kernels mostly
    # wait) and `course grade`; the same gradings, sooner.
    sequential = copies["sequential"]
    timeout = f"--Execute.timeout={CELL_TIMEOUT}"
    with ThreadPoolExecutor(max_workers=1) as background:
        env = nbgrader_environment()
        reference = background.submit(
            nbgrader, sequential, "autograde", A1, timeout, env=env, check=False
        )
        results = grade_with_gradebook(parallel, jobs=2, cell_timeout=int(CELL_TIMEOUT))
        reference.result()
    # Unsandboxed, the snooper wrote outside the course; the sandboxed run must not have.
    outside = Path(SNOOPED_OUTSIDE.format(student=student_of_kind(roster, "snooping")))
    snooped_outside = outside.exists()
    outside.unlink(missing_ok=True)
    return {
        "parallel": parallel,
        "sequential": sequential,
        "interrupted": copies["interrupted"],
        "roster": roster,
        "results": results,
        "before": before,
        "snooped_outside_unsandboxed": snooped_outside,
    }


DEAD_WORKER_LEASES = {
    "distributed.scheduler.locks.lease-timeout": "6s",
    "distributed.scheduler.locks.lease-validation-interval": "2s",
}


def class_and_its_twin(tmp_path, db_url, kinds, seed):
    """The same simulated a1 class twice: in a course on the gradebook ``db_url`` (graded on
    Dask) and in its twin on a SQLite gradebook of its own (graded by sequential ``nbgrader
    autograde``, to compare). Returns (course, twin, the course's environment, roster)."""
    course, twin = copy_course(tmp_path / "dask"), copy_course(tmp_path / "sequential")
    env = nbgrader_environment(NBGRADER_DB_URL=db_url)
    nbgrader(course, "generate_assignment", A1, "--force", env=env)
    nbgrader(twin, "generate_assignment", A1, "--force", env=nbgrader_environment())
    roster = write_simulated_class(course, A1, kinds, seed=seed)
    assert write_simulated_class(twin, A1, kinds, seed=seed) == roster  # the same class
    return course, twin, env, roster


@pytest.fixture(scope="module")
def cluster():
    """A Dask LocalCluster of two worker processes and a client. Two threads per worker, as
    `dask worker` runs one per core: each thread grades with a grading process of its own.
    A dead worker's student leases expire after 6 s instead of Dask's 30 (the tests kill
    workers; the workers get the setting from their nanny)."""
    import dask
    from distributed import Client, LocalCluster

    with (
        dask.config.set(DEAD_WORKER_LEASES),
        LocalCluster(
            n_workers=2, threads_per_worker=2, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        yield cluster, client


def student_of_kind(roster, kind):
    return next(student for student, k in roster.items() if k == kind)


def _as_postgres(*command: str) -> None:
    subprocess.run(["runuser", "-u", "postgres", "--", *command], check=True, capture_output=True)


@pytest.fixture(scope="module")
def postgres_server():
    """A private PostgreSQL server on a Unix socket only; yields a URL maker per database."""
    initdb = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    assert initdb, "PostgreSQL is not installed (.ci/run installs Debian's postgresql)"
    bin_dir = Path(initdb[-1]).parent
    # The server runs as the postgres user, so its folder cannot be pytest's (root only).
    folder = Path(tempfile.mkdtemp(prefix="course-pg-"))
    data, sockets = folder / "data", folder / "sockets"
    sockets.mkdir()
    shutil.chown(folder, "postgres")
    shutil.chown(sockets, "postgres")
    port = "54329"
    _as_postgres(str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres")
    options = f"-k {sockets} -c listen_addresses='' -p {port}"
    # -l: the server logs to a file (else it would hold this test's output pipe open).
    log = folder / "server.log"
    start = [str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(log)]
    _as_postgres(*start, "-w", "start")
    try:

        def database(name: str) -> str:
            _as_postgres(str(bin_dir / "createdb"), "-h", str(sockets), "-p", port, name)
            return f"postgresql+psycopg2://postgres@/{name}?host={sockets}&port={port}"

        yield database
    finally:
        _as_postgres(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(folder, ignore_errors=True)
