"""`course grade` with the gradebook in a PostgreSQL server (nbgrader's db_url): parallel
workers record the same grades as sequential nbgrader autograde into its own database."""

import glob
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from autograder.simulation import write_simulated_class

from ..course_helpers import copy_course, nbgrader, run, tool_env
from .conftest import A1, gradebook_state

KINDS = ["correct", "forgot_1_over_m", "wrong_sign", "blank", "tampering", "correct"]


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


def test_parallel_grades_in_postgres_equal_sequential(tmp_path, postgres_server):
    courses = {}
    for name in ("parallel", "sequential"):
        course = copy_course(tmp_path / name)
        url = postgres_server(f"gradebook_{name}")
        env = tool_env(NBGRADER_DB_URL=url)
        nbgrader(course, "generate_assignment", A1, "--force", env=env)
        roster = write_simulated_class(course, A1, KINDS, seed=9)
        courses[name] = (course, url, env)
    course, url, env = courses["parallel"]
    command = [sys.executable, "-m", "autograder.course_commands", "grade", A1, "--jobs", "3"]
    graded = run(course, *command, env=env)
    assert "not graded" not in graded.stdout and "tampering blocked" in graded.stdout
    sequential_course, sequential_url, sequential_env = courses["sequential"]
    nbgrader(sequential_course, "autograde", A1, env=sequential_env)
    grades, rows = gradebook_state(course, url)
    assert (grades, rows) == gradebook_state(sequential_course, sequential_url)
    assert sorted(rows) == sorted(roster) and set(rows.values()) == {1}
    assert not (course / "gradebook.db").exists()  # nothing went to SQLite by mistake
