"""Seconds to execute every lesson notebook top to bottom in a real kernel (nbclient).

    python benchmarks/lesson_execution_benchmark.py

Each lesson runs in a fresh kernel, as in the test suite; the time includes kernel start.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.course_helpers import execute_notebook  # noqa: E402


def main() -> None:
    total = 0.0
    for path in sorted((REPO / "course_content" / "lessons").glob("*.ipynb")):
        _, seconds = execute_notebook(path)
        total += seconds
        print(f"{path.name:45} {seconds:5.1f} s")
    print(f"{'all lessons':45} {total:5.1f} s")


if __name__ == "__main__":
    main()
