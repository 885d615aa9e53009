"""The code base stays ruff-clean and type-checks (configuration in pyproject.toml)."""

import subprocess
import sys

from .course_helpers import REPO


def test_ruff_reports_nothing():
    process = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "."], cwd=REPO, capture_output=True, text=True
    )
    assert process.returncode == 0, process.stdout + process.stderr


def test_mypy_reports_nothing_on_the_package():
    process = subprocess.run(
        [sys.executable, "-m", "mypy"], cwd=REPO, capture_output=True, text=True
    )
    assert process.returncode == 0, process.stdout + process.stderr
