"""`course grade --scheduler` on a two-worker LocalCluster for growing classes: throughput
and peak memory of each part.

For each class size (an ordinary class: three quarters correct, the rest with a typical
bug; the scheduler and workers set up as ``deploy/grading_clusters.py`` sets them up), a
scratch course is graded by ``course grade ASSIGNMENT --scheduler ADDRESS`` while the
resident memory (RSS) of every part is sampled twice a second:

- the scheduler (it runs inside this benchmark's process, as LocalCluster puts it);
- each Dask worker process, and apart from it what it starts: the grading workers it keeps
  (one per thread and run) with their kernels;
- the client (``course grade``).

Prints submissions per second and each part's peak, per class size, so growth with the
class size shows. (The journal, a few hundred bytes per student, is the only state that
grows by design.) After each class, a census of what the scheduler and each Dask worker
hold (their task records and logs, the student leases' records, the Python objects by type)
shows where any growth comes from: the types that grew most since the first class.

    python -m benchmarks.dask_scaling_benchmark [--sizes 250 500 1000]
"""

from __future__ import annotations

import argparse
import collections
import gc
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
from deploy.grading_clusters import DASK_SETTINGS

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


def objects_by_type() -> collections.Counter:
    return collections.Counter(type(thing).__qualname__ for thing in gc.get_objects())


def worker_census(dask_worker) -> dict:
    """Run on each Dask worker (``client.run`` passes it in): what it holds."""
    import pickle

    return {
        "tasks": len(dask_worker.state.tasks),
        "log": len(dask_worker.state.log),
        "profile cycles": len(dask_worker.profile_history),
        "profiles kB": len(pickle.dumps(list(dask_worker.profile_history))) // 1024,
        "objects": objects_by_type(),
    }


def scheduler_census(dask_scheduler) -> dict:
    """Run on the scheduler: its task records, transition log and leases' records."""
    leases = dask_scheduler.extensions["semaphores"]
    return {
        "tasks": len(dask_scheduler.tasks),
        "log": len(dask_scheduler.transition_log),
        "lease names": len(leases.max_leases),
        "objects": objects_by_type(),
    }


def print_census(name: str, census: dict, first: dict) -> None:
    counts = ", ".join(f"{key} {value}" for key, value in census.items() if key != "objects")
    grown = census["objects"] - first["objects"]
    top = ", ".join(f"{kind} +{count}" for kind, count in grown.most_common(6))
    print(f"  {name:14} holds {counts}; objects grown since the first class: {top or 'none'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[250, 500, 1000])
    parser.add_argument("--assignment", default="a1_building_blocks")
    args = parser.parse_args()
    import dask
    from distributed import Client, LocalCluster

    # The scheduler and workers as the course's recipes start them.
    with (
        dask.config.set(DASK_SETTINGS),
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        first_censuses: dict[str, dict] = {}
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
                censuses = {"scheduler": client.run_on_scheduler(scheduler_census)}
                for index, census in enumerate(client.run(worker_census).values(), 1):
                    censuses[f"dask worker {index}"] = census
                for name, census in censuses.items():
                    print_census(name, census, first_censuses.setdefault(name, census))


if __name__ == "__main__":
    main()
