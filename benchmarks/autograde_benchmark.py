"""Seconds for the real `nbgrader autograde` to grade one complete, correct submission.

For each assignment: a scratch copy of the course, the instructor's solution handed in
as one student, then `nbgrader autograde ASSIGNMENT --student solution --force` timed
end to end (nbgrader's start-up, kernel start, every cell including training, the
gradebook write). Repeated; prints each run, the median and the slowest. Then the same
without the kernel guard (``--Execute.extra_arguments=[]``: nothing recorded at kernel start,
so nothing to verify), which shows what the guard costs a grading.

    python -m benchmarks.autograde_benchmark [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from autograder.grader_tools.nbgrader_course import nbgrader_environment
from course_simulation import build_submission
from course_simulation.catalogue import A1, A2, Variant
from course_simulation.course_copies import copy_course
from course_simulation.course_runs import nbgrader

NO_KERNEL_GUARD = ["--Execute.extra_arguments=[]"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        course = copy_course(Path(scratch) / "course")
        env = nbgrader_environment()
        for assignment in (A1, A2):
            nbgrader(course, "generate_assignment", assignment, "--force", env=env)
            build_submission(
                course / "release" / assignment / f"{assignment}.ipynb",
                course / "source" / assignment / f"{assignment}.ipynb",
                Variant("solution"),
                course / "submitted" / "solution" / assignment / f"{assignment}.ipynb",
            )
            command = ["autograde", assignment, "--student", "solution", "--force"]
            for label, extra in (("", []), (" without the kernel guard", NO_KERNEL_GUARD)):
                times = []
                for _ in range(args.repeats):
                    start = time.perf_counter()
                    nbgrader(course, *command, *extra, env=env)
                    times.append(time.perf_counter() - start)
                runs = ", ".join(f"{t:.1f}" for t in times)
                print(
                    f"{assignment}{label}: {runs} s  (median {statistics.median(times):.1f} s, "
                    f"slowest {max(times):.1f} s)"
                )


if __name__ == "__main__":
    main()
