"""Time of ``course similarity`` for a class of N submissions of a1 (printed, never asserted).

The class is the similarity test's simulated class (every honest style of the catalogue,
an original author and a copier), its honest students repeated until there are N
submissions (a repeated style is a second student writing exactly the same code, so such
pairs are reported: this measures time, not accuracy).

    python -m benchmarks.similarity_benchmark            # N = 200
    python -m benchmarks.similarity_benchmark --students 400
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from autograder.grader_tools.batch_grading.similarity_report import write_similarity_report
from course_simulation.catalogue import A1
from course_simulation.course_copies import COURSE_FOLDER
from course_simulation.similarity_class import write_similarity_class


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=200)
    students = parser.parse_args().students
    with tempfile.TemporaryDirectory(prefix="similarity-") as scratch:
        course = Path(scratch)
        for folder in ("source", "release"):
            shutil.copytree(COURSE_FOLDER / folder / A1, course / folder / A1)
        honest = write_similarity_class(course)
        submitted = course / "submitted"
        existing = len(list(submitted.iterdir()))
        for number in range(students - existing):
            name = honest[number % len(honest)]
            shutil.copytree(submitted / name, submitted / f"{name}_again_{number}")
        count = len(list(submitted.iterdir()))
        started = time.perf_counter()
        _, ranked, reported = write_similarity_report(course, A1)
        elapsed = time.perf_counter() - started
    print(
        f"{count} submissions, {len(ranked)} pairs compared in {elapsed:.1f} s "
        f"({len(reported)} reported)"
    )


if __name__ == "__main__":
    main()
