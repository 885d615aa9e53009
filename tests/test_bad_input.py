"""Bad input to the course command ends in one line naming the problem, never a traceback."""

import sys

from .course_helpers import copy_course, run, tool_env


def course_command(cwd, *args):
    return run(
        cwd,
        sys.executable,
        "-m",
        "autograder.course_commands",
        *args,
        check=False,
        env=tool_env(),
    )


def assert_one_line_error(process, *phrases):
    assert process.returncode == 2
    lines = process.stderr.strip().splitlines()
    assert len(lines) == 1, process.stderr
    assert lines[0].startswith("course: error: ")
    assert "Traceback" not in process.stdout + process.stderr
    for phrase in phrases:
        assert phrase in lines[0], lines[0]


def test_unknown_assignment_is_named(tmp_path):
    course = copy_course(tmp_path / "course")
    process = course_command(course, "generate", "a9_missing")
    assert_one_line_error(process, "no assignment 'a9_missing'", "a1_building_blocks")


def test_empty_assignment_name(tmp_path):
    course = copy_course(tmp_path / "course")
    assert_one_line_error(course_command(course, "generate", ""), "no assignment name")


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
