"""Grade the same class four ways and compare with the bare-kernel floor.

For two classes of the same size (``ordinary``: three quarters correct, the rest with a
typical bug; ``faulty``: every kind of student once, including faults and attacks, the
rest correct or buggy), four identical scratch courses are graded end to end from the
command line, as a grader would:

- ``nbgrader autograde ASSIGNMENT --Execute.timeout=T`` (one process, one student after
  another, kernels unsandboxed);
- ``course grade ASSIGNMENT --cell-timeout T`` (its default jobs, sandboxed kernels; as
  root, forked from a warm process);
- the same with ``--fresh-kernels`` (every kernel a new Python process, as nbgrader's);
- ``course grade ASSIGNMENT --scheduler ADDRESS`` on a Dask ``LocalCluster`` of two worker
  processes of one thread each (sandboxed kernels).

The floor: one bare ``nbclient`` execution of one correct submission (kernel start
included, no nbgrader, no sandbox), median of three, times the class size, divided by
the cores. The graded floor: the same for that student's autograded notebook (with the
hidden tests nbgrader restores) in a kernel with the course's guard, which grading runs at
the least. Prints seconds per submission, the ratio to sequential nbgrader and to the
floor, and whether the recorded grades agree with sequential nbgrader's (every grade cell
of every student; the memory hog is the expected exception: only `course grade` limits
memory).

    python -m benchmarks.class_grading_benchmark [--students 40] [--classes ordinary faulty]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from autograder.grader_tools.nbgrader_course import NbgraderCourse, nbgrader_environment
from course_simulation import SNOOPED_OUTSIDE, typical_kinds, write_simulated_class
from course_simulation.catalogue import BUGS
from course_simulation.course_copies import copy_course
from course_simulation.course_runs import nbgrader, run

GRADERS = (
    "sequential nbgrader",
    "course grade",
    "course grade, fresh kernels",
    "course grade on Dask",
)


def ordinary_kinds(size: int) -> list[str]:
    correct = size * 3 // 4
    bugs = list(BUGS)
    return ["correct"] * correct + [bugs[i % len(bugs)] for i in range(size - correct)]


def _grades(course: Path, assignment: str) -> dict[tuple[str, str], float]:
    with NbgraderCourse.load(course).gradebook() as gradebook:
        return {
            (submission.student.id, grade.name): grade.score
            for submission in gradebook.assignment_submissions(assignment)
            for notebook in submission.notebooks
            for grade in notebook.grades
        }


def bare_kernel_seconds(
    notebook: Path, repeats: int = 3, extra_arguments: list[str] | None = None
) -> float:
    """Median seconds of one plain nbclient execution of ``notebook`` (kernel start included)."""
    times = []
    for _ in range(repeats):
        copy = nbformat.read(notebook, 4)
        start = time.perf_counter()
        NotebookClient(
            copy,
            timeout=60,
            kernel_name="python3",
            extra_arguments=extra_arguments or [],
            resources={"metadata": {"path": str(notebook.parent)}},
        ).execute()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def grade_four_ways(
    kinds: list[str], assignment: str, timeout: str, scheduler: str, seed: int
) -> tuple[dict[str, float], dict[str, dict], dict[str, str], Path | None]:
    times, grades = {}, {}
    with tempfile.TemporaryDirectory() as scratch:
        courses = {}
        for name in GRADERS:
            course = courses[name] = copy_course(Path(scratch) / name.replace(" ", "_"))
            nbgrader(
                course, "generate_assignment", assignment, "--force", env=nbgrader_environment()
            )
            roster = write_simulated_class(course, assignment, kinds, seed=seed)
        commands = {
            "sequential nbgrader": [
                *(sys.executable, "-m", "nbgrader", "autograde", assignment),
                f"--Execute.timeout={timeout}",
            ],
            "course grade": [
                *(
                    sys.executable,
                    "-m",
                    "autograder.grader_tools.course_commands",
                    "grade",
                    assignment,
                ),
                *("--cell-timeout", timeout),
            ],
        }
        commands["course grade, fresh kernels"] = [*commands["course grade"], "--fresh-kernels"]
        commands["course grade on Dask"] = [*commands["course grade"], "--scheduler", scheduler]
        for name in GRADERS:
            start = time.perf_counter()
            run(
                courses[name], *commands[name], env=nbgrader_environment(), check=name != GRADERS[0]
            )
            times[name] = time.perf_counter() - start
            grades[name] = _grades(courses[name], assignment)
        for student in roster:  # what the unsandboxed snooper wrote outside the course
            Path(SNOOPED_OUTSIDE.format(student=student)).unlink(missing_ok=True)
        correct = next(s for s, kind in roster.items() if kind == "correct")
        folder = courses[GRADERS[0]] / "submitted" / correct / assignment
        floor = bare_kernel_seconds(folder / f"{assignment}.ipynb")
        # What grading must run at the least: the notebook with the hidden tests nbgrader
        # restored, in a kernel with the course's guard (still no nbgrader, no sandbox).
        graded = courses[GRADERS[0]] / "autograded" / correct / assignment / f"{assignment}.ipynb"
        guard = list(NbgraderCourse.load(courses[GRADERS[0]]).config.Execute.extra_arguments)
        graded_floor = bare_kernel_seconds(graded, extra_arguments=guard)
    return times, grades, roster, (floor, graded_floor)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--classes", nargs="+", default=["ordinary", "faulty"])
    parser.add_argument("--assignment", default="a1_building_blocks")
    parser.add_argument("--cell-timeout", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    from distributed import LocalCluster

    cores = os.cpu_count() or 1
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        for name in args.classes:
            kinds = (
                ordinary_kinds(args.students)
                if name == "ordinary"
                else typical_kinds(args.students, seed=args.seed)
            )
            times, grades, roster, (floor, graded_floor) = grade_four_ways(
                kinds, args.assignment, str(args.cell_timeout), cluster.scheduler_address, args.seed
            )
            n = len(roster)
            floor_per_submission = floor / cores
            print(
                f"\n{name} class: {args.assignment}, {n} students, {cores} cores, "
                f"cell timeout {args.cell_timeout} s"
            )
            print(
                f"  bare-kernel floor: {floor:.2f} s per kernel run, "
                f"{floor_per_submission:.2f} s per submission on {cores} cores"
            )
            graded_per_submission = graded_floor / cores
            print(
                f"  graded-notebook floor (hidden tests, guard): {graded_floor:.2f} s per "
                f"kernel run, {graded_per_submission:.2f} s per submission on {cores} cores"
            )
            sequential = times[GRADERS[0]]
            for grader, seconds in times.items():
                print(
                    f"  {grader:27} {seconds:7.1f} s  {seconds / n:5.2f} s/submission  "
                    f"{sequential / seconds:4.2f}x sequential  "
                    f"{seconds / n / floor_per_submission:4.2f}x the floor  "
                    f"{seconds / n / graded_per_submission:4.2f}x the graded floor"
                )
            hog = {s for s, kind in roster.items() if kind == "memory_hog"}
            for grader in GRADERS[1:]:
                differing = sorted(
                    {
                        key[0]
                        for key in grades[grader].keys() | grades[GRADERS[0]].keys()
                        if grades[grader].get(key) != grades[GRADERS[0]].get(key)
                    }
                )
                unexpected = [s for s in differing if s not in hog]
                print(
                    f"  {grader}: grades differ from sequential for {len(differing)} "
                    f"students (expected: the memory hog {sorted(hog)}); unexpected: {unexpected}"
                )


if __name__ == "__main__":
    main()
