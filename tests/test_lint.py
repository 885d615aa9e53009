"""The code base stays ruff-clean, type-checks and keeps its import contracts (configuration
in pyproject.toml)."""

import subprocess
import sys
from pathlib import Path

from .course_helpers import REPO


def test_ruff_reports_nothing():
    process = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "."], cwd=REPO, capture_output=True, text=True
    )
    assert process.returncode == 0, process.stdout + process.stderr


def test_ruff_format_changes_nothing():
    process = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "."],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert process.returncode == 0, process.stdout + process.stderr


def test_mypy_reports_nothing_on_the_package():
    process = subprocess.run(
        [sys.executable, "-m", "mypy"], cwd=REPO, capture_output=True, text=True
    )
    assert process.returncode == 0, process.stdout + process.stderr


def test_imports_keep_the_layers_contracts():
    """The runtime never imports the grader's tools or the simulation toolkit, no modules or
    subpackages import each other in a circle: pyproject.toml's [tool.importlinter]."""
    lint_imports = Path(sys.executable).with_name("lint-imports")
    process = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=REPO, capture_output=True, text=True
    )
    assert process.returncode == 0, process.stdout + process.stderr
