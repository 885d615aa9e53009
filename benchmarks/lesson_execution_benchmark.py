"""Seconds to execute every lesson notebook top to bottom in a real kernel (nbclient).

    python -m benchmarks.lesson_execution_benchmark

Each lesson runs in a fresh kernel, as in the test suite; the time includes kernel start.
"""

from __future__ import annotations

from course_simulation.course_copies import COURSE_FOLDER
from course_simulation.course_runs import execute_notebook


def main() -> None:
    total = 0.0
    for path in sorted((COURSE_FOLDER / "course_content" / "lessons").glob("*.ipynb")):
        _, seconds = execute_notebook(path)
        total += seconds
        print(f"{path.name:45} {seconds:5.1f} s")
    print(f"{'all lessons':45} {total:5.1f} s")


if __name__ == "__main__":
    main()
