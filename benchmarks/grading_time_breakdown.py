"""Where one autograde's time goes, in a warm grading worker.

Grades ``--students`` correct a1 submissions one after another with nbgrader's own
``NbGraderAPI.autograde`` in this process (as one ``course grade`` worker does, sandboxed
kernels included), timing its parts:

- kernel start: from nbclient launching the kernel until it answers ``kernel_info``;
- student cells and test cells: executing the notebook's cells (the tests include the
  hidden ones nbgrader restores; each call into student code is checked by the guard);
- kernel shutdown;
- nbgrader's own work: everything else inside ``autograde`` (reading and writing
  notebooks, the gradebook, the preprocessors).

Then, for comparison, bare nbclient executions (no nbgrader, no sandbox) of the same
submission: as handed in (the issue's floor), and with the grading kernel's guard and the
hidden tests (what grading must run at the least).

    python -m benchmarks.grading_time_breakdown [--students 6]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path

from autograder.grader_tools.batch_grading.grading_settings import CourseGrade
from autograder.grader_tools.batch_grading.worker_settings import (
    WorkerOptions,
    slot_settings,
    worker_settings,
)
from autograder.grader_tools.nbgrader_course import NbgraderCourse, nbgrader_environment
from benchmarks.class_grading_benchmark import bare_kernel_seconds
from course_simulation import write_simulated_class
from course_simulation.course_copies import copy_course
from course_simulation.course_runs import nbgrader

ASSIGNMENT = "a1_building_blocks"


class Timings:
    """Seconds spent per part, summed over the gradings."""

    def __init__(self) -> None:
        self.seconds: dict[str, list[float]] = defaultdict(list)

    @contextmanager
    def part(self, name: str):
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name].append(time.perf_counter() - start)

    def wrap(self, owner: type, method: str, name: str) -> None:
        original = getattr(owner, method)
        timings = self

        def timed(*args, **kwargs):
            with timings.part(name):
                return original(*args, **kwargs)

        setattr(owner, method, timed)


def _cell_kind(cell) -> str:
    nbgrader = cell.get("metadata", {}).get("nbgrader", {})
    return "test cells" if nbgrader.get("grade") and not nbgrader.get("solution") else "other cells"


def instrument(timings: Timings) -> None:
    # nbconvert's ExecutePreprocessor (nbgrader's Execute) calls nbclient's sync wrappers.
    from nbclient import client

    timings.wrap(client.NotebookClient, "start_new_kernel", "kernel launch")
    timings.wrap(client.NotebookClient, "start_new_kernel_client", "kernel ready")
    timings.wrap(client.NotebookClient, "_cleanup_kernel", "kernel shutdown")
    original = client.NotebookClient.execute_cell

    def timed_cell(self, cell, cell_index, *args, **kwargs):
        with timings.part(_cell_kind(cell)):
            return original(self, cell, cell_index, *args, **kwargs)

    client.NotebookClient.execute_cell = timed_cell


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=6)
    args = parser.parse_args()
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config

    with tempfile.TemporaryDirectory() as scratch:
        root = copy_course(Path(scratch) / "course")
        nbgrader(root, "generate_assignment", ASSIGNMENT, "--force", env=nbgrader_environment())
        write_simulated_class(root, ASSIGNMENT, ["correct"] * (args.students + 1), seed=1)
        course = NbgraderCourse.load(root)
        kernels = Path(scratch) / "kernels"
        kernels.mkdir()
        options = WorkerOptions.of(CourseGrade())
        overrides, env = worker_settings(course, options, kernels)
        overrides, env = slot_settings(overrides, env, kernels, 0, True)
        os.environ.update(env)
        os.chdir(root)
        config = course.config
        config.merge(Config(overrides))
        api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
        students = sorted(p.name for p in (root / "submitted").iterdir())
        api.autograde(ASSIGNMENT, students[0], force=True, create=True)  # warm up the worker
        timings = Timings()
        instrument(timings)
        for student in students[1:]:
            with timings.part("whole autograde"):
                result = api.autograde(ASSIGNMENT, student, force=True, create=True)
            assert result["success"], result
        n = len(students) - 1
        means = {name: sum(values) / n for name, values in timings.seconds.items()}
        accounted = sum(v for k, v in means.items() if k != "whole autograde")
        means["nbgrader's own work"] = means["whole autograde"] - accounted
        print(f"one warm grading worker, {n} correct {ASSIGNMENT} submissions, sandboxed kernels")
        parts = ("kernel launch", "kernel ready", "other cells", "test cells")
        for name in (*parts, "kernel shutdown", "nbgrader's own work", "whole autograde"):
            print(f"  {name:22} {means.get(name, 0):6.3f} s")

        submitted = root / "submitted" / students[1] / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        graded = root / "autograded" / students[1] / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        guard = list(config.Execute.extra_arguments)  # the course's guard, as grading runs it
        print("bare nbclient, no nbgrader, no sandbox (median of 3):")
        for label, notebook, extra in (
            ("as handed in (the floor)", submitted, []),
            ("as handed in, with the guard", submitted, guard),
            ("as graded (hidden tests), guard", graded, guard),
        ):
            seconds = bare_kernel_seconds(notebook, extra_arguments=extra)
            print(f"  {label:34} {seconds:6.3f} s")


if __name__ == "__main__":
    main()
