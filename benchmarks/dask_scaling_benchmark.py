"""`course grade --scheduler` on a two-worker LocalCluster for growing classes: throughput
and peak memory of each part.

For each class size (an ordinary class: three quarters correct, the rest with a typical
bug), a scratch course is graded by ``course grade ASSIGNMENT --scheduler ADDRESS`` while
the resident memory (RSS) of every part is sampled twice a second:

- the scheduler (it runs inside this benchmark's process, as LocalCluster puts it);
- each Dask worker process, and apart from it what it starts: the grading workers it keeps
  (one per thread and run) with their kernels;
- the client (``course grade``).

Prints submissions per second and each part's peak, per class size, so growth with the
class size shows. (The journal, a few hundred bytes per student, is the only state that
grows by design.)

    python -m benchmarks.dask_scaling_benchmark [--sizes 100 400]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

from autograder.grader_tools.nbgrader_course import nbgrader_environment
from benchmarks.class_grading_benchmark import ordinary_kinds
from course_simulation import write_simulated_class
from course_simulation.course_copies import copy_course
from course_simulation.course_runs import nbgrader

MB = 1024 * 1024


def rss(processes: list[psutil.Process]) -> int:
    """Resident bytes of ``processes`` (0 for those already gone)."""
    total = 0
    for process in processes:
        try:
            total += process.memory_info().rss
        except psutil.Error:
            continue
    return total


def descendants(process: psutil.Process) -> list[psutil.Process]:
    try:
        return process.children(recursive=True)
    except psutil.Error:
        return []


def sample_peaks(parts: dict[str, list[psutil.Process]], stop: threading.Event, peaks: dict):
    """Twice a second: each part's RSS; a Dask worker's alone, and its grading processes
    (the grading workers and their kernels) as a part of their own."""
    while not stop.is_set():
        now: dict[str, int] = {}
        for name, processes in parts.items():
            for index, process in enumerate(processes):
                key = f"{name} {index + 1}" if len(processes) > 1 else name
                now[key] = rss([process])
                if name == "dask worker":
                    now[f"{key}'s grading"] = rss(descendants(process))
        for key, value in now.items():
            peaks[key] = max(peaks.get(key, 0), value)
        stop.wait(0.5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 400])
    parser.add_argument("--assignment", default="a1_building_blocks")
    args = parser.parse_args()
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        for size in args.sizes:
            with tempfile.TemporaryDirectory() as scratch:
                course = copy_course(Path(scratch) / "course")
                nbgrader(course, "generate_assignment", args.assignment, "--force")
                write_simulated_class(course, args.assignment, ordinary_kinds(size), seed=size)
                workers = [psutil.Process(pid) for pid in client.run(os.getpid).values()]
                command = [
                    *(sys.executable, "-m", "autograder.grader_tools.course_commands", "grade"),
                    *(args.assignment, "--scheduler", cluster.scheduler_address),
                ]
                start = time.perf_counter()
                grading = subprocess.Popen(
                    command,
                    cwd=course,
                    env=nbgrader_environment(),
                    stdout=subprocess.PIPE,
                    text=True,
                )
                parts = {
                    "scheduler": [psutil.Process()],
                    "dask worker": workers,
                    "client": [psutil.Process(grading.pid)],
                }
                peaks: dict[str, int] = {}
                stop = threading.Event()
                sampler = threading.Thread(target=sample_peaks, args=(parts, stop, peaks))
                sampler.start()
                output, _ = grading.communicate()
                seconds = time.perf_counter() - start
                stop.set()
                sampler.join()
                graded = output.count(" graded")
                journal = course / ".course_grade" / f"{args.assignment}.json"
                print(
                    f"\n{size} submissions: {seconds:.1f} s, {size / seconds:.2f} submissions/s "
                    f"({graded} graded; exit {grading.returncode}); journal "
                    f"{journal.stat().st_size / 1024:.0f} kB"
                )
                for name, peak in sorted(peaks.items()):
                    print(f"  peak RSS {name:10} {peak / MB:7.1f} MB")


if __name__ == "__main__":
    main()
