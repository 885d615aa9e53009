"""Grade one simulated class twice: plain sequential `nbgrader autograde`, then `course grade`.

Two identical scratch courses get the same class (``typical_kinds``: every kind of student
once, including the faults and attacks, the rest correct or with a typical bug). Each is
timed end to end from the command line, as a grader would run it:

- ``nbgrader autograde ASSIGNMENT --Execute.timeout=T`` (one process, one student after
  another, kernels unsandboxed);
- ``course grade ASSIGNMENT --jobs J --cell-timeout T`` (sandboxed kernels).

Prints seconds per submission for both, the ratio, and whether the recorded grades agree
(every grade cell of every student; the memory hog is the expected exception, since only
`course grade` limits memory).

    python -m benchmarks.class_grading_benchmark [--students 40] [--jobs 2] [--assignment A]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from autograder.nbgrader_course import NbgraderCourse
from autograder.simulation import (
    SNOOPED_OUTSIDE,
    typical_kinds,
    write_simulated_class,
)
from tests.course_helpers import copy_course, nbgrader, run, tool_env


def _grades(course: Path, assignment: str) -> dict[tuple[str, str], float]:
    with NbgraderCourse.load(course).gradebook() as gradebook:
        return {
            (submission.student.id, grade.name): grade.score
            for submission in gradebook.assignment_submissions(assignment)
            for notebook in submission.notebooks
            for grade in notebook.grades
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--jobs", type=int, default=(os.cpu_count() or 1) + 1)
    parser.add_argument("--assignment", default="a1_building_blocks")
    parser.add_argument("--cell-timeout", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    kinds = typical_kinds(args.students, seed=args.seed)
    with tempfile.TemporaryDirectory() as scratch:
        courses, times = {}, {}
        for name in ("sequential", "course_grade"):
            course = courses[name] = copy_course(Path(scratch) / name)
            env = tool_env()
            nbgrader(course, "generate_assignment", args.assignment, "--force", env=env)
            roster = write_simulated_class(course, args.assignment, kinds, seed=args.seed)
        timeout = str(args.cell_timeout)
        env = tool_env()
        start = time.perf_counter()
        nbgrader(
            courses["sequential"],
            "autograde",
            args.assignment,
            f"--Execute.timeout={timeout}",
            env=env,
            check=False,
        )
        times["sequential"] = time.perf_counter() - start
        env = tool_env()
        start = time.perf_counter()
        run(
            courses["course_grade"],
            sys.executable,
            "-m",
            "autograder.course_commands",
            "grade",
            args.assignment,
            "--jobs",
            str(args.jobs),
            "--cell-timeout",
            timeout,
            env=env,
        )
        times["course_grade"] = time.perf_counter() - start
        for student in roster:  # what the unsandboxed snooper wrote outside the course
            Path(SNOOPED_OUTSIDE.format(student=student)).unlink(missing_ok=True)
        sequential = _grades(courses["sequential"], args.assignment)
        parallel = _grades(courses["course_grade"], args.assignment)
    hog = [s for s, kind in roster.items() if kind == "memory_hog"]
    differing = sorted(
        {
            s
            for key in sequential.keys() | parallel.keys()
            for s in [key[0]]
            if sequential.get(key) != parallel.get(key)
        }
    )
    n = len(roster)
    print(f"{args.assignment}, {n} students ({', '.join(sorted(set(kinds)))})")
    print(f"cell timeout {timeout} s, course grade --jobs {args.jobs}, {os.cpu_count()} cores")
    for name, seconds in times.items():
        print(f"  {name:13} {seconds:7.1f} s total  {seconds / n:5.2f} s per submission")
    print(f"  speed-up      {times['sequential'] / times['course_grade']:.2f}x")
    unexpected = [s for s in differing if s not in hog]
    print(
        f"  grades differ for {len(differing)} students: {differing} (expected: memory hog {hog})"
    )
    if unexpected:
        sys.exit(f"unexpected grade differences: {unexpected}")


if __name__ == "__main__":
    main()
