"""`course grade` with the gradebook in a PostgreSQL server (nbgrader's db_url): parallel
workers record the same grades as sequential nbgrader autograde into its own database."""

import sys
from concurrent.futures import ThreadPoolExecutor

from autograder.grader_tools.batch_grading.submission_status import ProblemKind
from autograder.grader_tools.nbgrader_course import nbgrader_environment
from course_simulation import write_simulated_class
from course_simulation.course_copies import copy_course
from course_simulation.course_runs import nbgrader, run

from .conftest import A1, gradebook_state

KINDS = ["correct", "forgot_1_over_m", "wrong_sign", "blank", "tampering", "correct"]


def test_parallel_grades_in_postgres_equal_sequential(tmp_path, postgres_server):
    courses = {}
    for name in ("parallel", "sequential"):
        course = copy_course(tmp_path / name)
        url = postgres_server(f"gradebook_{name}")
        env = nbgrader_environment(NBGRADER_DB_URL=url)
        nbgrader(course, "generate_assignment", A1, "--force", env=env)
        roster = write_simulated_class(course, A1, KINDS, seed=9)
        courses[name] = (course, url, env)
    course, url, env = courses["parallel"]
    sequential_course, sequential_url, sequential_env = courses["sequential"]
    command = [
        sys.executable,
        "-m",
        "autograder.grader_tools.course_commands",
        "grade",
        A1,
        "--jobs",
        "3",
    ]
    with ThreadPoolExecutor(max_workers=1) as background:  # side by side
        reference = background.submit(
            nbgrader, sequential_course, "autograde", A1, env=sequential_env
        )
        graded = run(course, *command, env=env)
        reference.result()
    assert ProblemKind.NOT_GRADED.label not in graded.stdout
    assert ProblemKind.TAMPERING_BLOCKED.value in graded.stdout
    grades, rows = gradebook_state(course, url)
    assert (grades, rows) == gradebook_state(sequential_course, sequential_url)
    assert sorted(rows) == sorted(roster) and set(rows.values()) == {1}
    assert not (course / "gradebook.db").exists()  # nothing went to SQLite by mistake
