"""When the exchange refuses an account, nbgrader's commands say so in one line.

A grader account (an ordinary user: root is never refused) runs nbgrader's exchange
commands in its own copy of the course against an exchange it may not use: the line names
the folder and the account, and no traceback is printed
(autograder/grader_tools/exchange_access.py).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from course_simulation.course_copies import copy_course
from course_simulation.course_runs import nbgrader

from .accounts import SHARED_ROOT, ensure_account, run_as

A1 = "a1_building_blocks"
GRADER, OTHER = "refused-grader", "refused-other"


@pytest.fixture(scope="module")
def course(course_environment):
    """The grader's course (a1 generated) in a folder other accounts can reach."""
    ensure_account(GRADER)
    ensure_account(OTHER)
    top = SHARED_ROOT / "refusals"
    shutil.rmtree(top, ignore_errors=True)
    top.mkdir(parents=True)
    SHARED_ROOT.chmod(0o755)
    top.chmod(0o755)
    root = copy_course(top / "course")
    nbgrader(root, "generate_assignment", A1, "--force")
    subprocess.run(["chown", "-R", f"{GRADER}:{GRADER}", str(root)], check=True)
    yield root
    shutil.rmtree(top, ignore_errors=True)


def _refused(course: Path, exchange: Path, *command: str) -> str:
    """What ``nbgrader COMMAND`` printed as the grader, which must have failed."""
    result = run_as(
        GRADER,
        "nbgrader",
        *command,
        cwd=course,
        check=False,
        extra_env={"NBGRADER_EXCHANGE": str(exchange)},
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "Traceback" not in output, output
    return output


def test_an_exchange_the_grader_may_not_write(course):
    exchange = course.parent / "read-only-exchange"
    exchange.mkdir(mode=0o755)  # root's, as a hub's exchange made without o+w
    output = _refused(course, exchange, "release_assignment", A1)
    assert f"the exchange refuses account '{GRADER}': it may not write {exchange}" in output


def test_a_course_folder_of_another_account_in_the_exchange(course):
    """The exchange is everyone's, but the course's folder in it belongs to another
    account: releasing feedback cannot make its feedback/ folder (nbgrader itself stops
    with a PermissionError traceback here)."""
    exchange = course.parent / "exchange"
    exchange.mkdir(mode=0o777)
    exchange.chmod(0o777)
    course_folder = exchange / "backprop101"
    course_folder.mkdir(mode=0o755)
    shutil.chown(course_folder, OTHER, OTHER)
    output = _refused(course, exchange, "release_feedback", A1)
    assert (
        f"the exchange refuses account '{GRADER}': it may not write {course_folder} "
        f"(to make {course_folder / 'feedback'})"
    ) in output


def test_an_exchange_that_does_not_exist(course):
    missing = course.parent / "no-exchange"
    output = _refused(course, missing, "collect", A1)
    assert f"the exchange {missing} does not exist (account '{GRADER}')" in output


def test_nbgrader_s_own_refusal_names_the_account(course):
    """nbgrader checks the inbound folder itself and names it; the account is added."""
    exchange = course.parent / "exchange-of-another"
    inbound = exchange / "backprop101" / "inbound"
    inbound.mkdir(parents=True)
    exchange.chmod(0o777)
    inbound.chmod(0o733)  # nbgrader's inbound: others may write, not list
    subprocess.run(["chown", "-R", f"{OTHER}:{OTHER}", str(exchange / "backprop101")], check=True)
    output = _refused(course, exchange, "collect", A1)
    assert (
        f"You don't have read permissions for the directory: {inbound} (account '{GRADER}')"
    ) in output
