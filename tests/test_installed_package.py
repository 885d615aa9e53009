"""What is installed into the students' kernel environment: the package, built as pip builds
it from pyproject.toml, holds autograder/ and nothing of the simulation toolkit, the tests or
the course's notebooks."""

import shutil
import subprocess
import sys
import zipfile

from .course_helpers import REPO


def test_the_wheel_holds_autograder_and_no_simulation_toolkit(tmp_path):
    # A copy of what the build reads, so the build's own folders stay out of the checkout.
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    for package in ("autograder", "course_simulation"):
        shutil.copytree(
            REPO / package, source / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index"]
        + ["--wheel-dir", str(tmp_path / "wheel"), str(source)],
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = (tmp_path / "wheel").glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    top_level = {name.split("/")[0] for name in names}
    metadata = {name for name in top_level if name.endswith(".dist-info")}
    assert len(metadata) == 1 and top_level - metadata == {"autograder"}, top_level
    assert "autograder/quiz_engine/bank_schema.json" in names  # package data is there too
    assert not [name for name in names if "simulation" in name]
