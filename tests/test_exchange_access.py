"""The course's exchange classes (autograder/grader_tools/exchange_access.py) do what nbgrader's do.

The refusals themselves need an account the exchange refuses (root never is): see
tests/multi_user/test_exchange_refusals.py. Here, as the machine's user: the course's
configuration selects the checked classes, and the Assignment List's listing (what the
JupyterLab extension calls: ``ExchangeFactory(...).List(...).start()``) still returns the
released assignment.
"""

from __future__ import annotations

from nbgrader.auth import Authenticator
from nbgrader.coursedir import CourseDirectory
from nbgrader.exchange import ExchangeFactory
from traitlets.utils.importstring import import_item

from autograder.grader_tools.exchange_access import (
    CHECKED_EXCHANGE,
    CheckedList,
    ExchangeAccessCheck,
)
from autograder.grader_tools.nbgrader_course import NbgraderCourse, nbgrader_environment
from course_simulation.course_copies import copy_course
from course_simulation.course_runs import nbgrader

A1 = "a1_building_blocks"


def test_the_assignment_list_lists_through_the_checked_exchange(tmp_path, monkeypatch):
    course = copy_course(tmp_path / "course")
    exchange = tmp_path / "exchange"
    env = nbgrader_environment(NBGRADER_EXCHANGE=str(exchange))
    nbgrader(course, "generate_assignment", A1, "--force", env=env)
    nbgrader(course, "release_assignment", A1, env=env)

    monkeypatch.setenv("NBGRADER_EXCHANGE", str(exchange))
    config = NbgraderCourse.load(course).config
    for operation in CHECKED_EXCHANGE:  # the checked class, or one built on it
        selected = import_item(config.ExchangeFactory[operation])
        assert issubclass(selected, ExchangeAccessCheck), (operation, selected)
    config.CourseDirectory.course_id = "backprop101"
    lister = ExchangeFactory(config=config).List(
        coursedir=CourseDirectory(config=config),
        authenticator=Authenticator(config=config),
        config=config,
    )
    assert isinstance(lister, CheckedList)
    listed = lister.start()
    assert [(entry["assignment_id"], entry["status"]) for entry in listed] == [(A1, "released")]
