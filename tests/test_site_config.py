"""The course's nbgrader_config.py leaves alone what nbgrader's settings outside the course set.

nbgrader reads the machine's, the environment's and the user's ``nbgrader_config.py``
first and the course's last, which wins. A hub names its shared exchange in the first
kind; the course's file must not replace it with its own ``exchange/`` folder (issue 34).
Real nbgrader releases a1 with a site configuration in ``JUPYTER_CONFIG_DIR`` (the user's
folder), with ``NBGRADER_EXCHANGE`` as well, and with neither; ``NbgraderCourse`` (what the
``course`` command uses) must agree with nbgrader each time.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from nbgrader.api import Gradebook, MissingEntry

from autograder.grader_tools.nbgrader_course import NbgraderCourse, nbgrader_environment
from course_simulation.course_copies import copy_course
from course_simulation.course_runs import nbgrader

A1 = "a1_building_blocks"


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    root = copy_course(tmp_path_factory.mktemp("site") / "course")
    nbgrader(root, "generate_assignment", A1, "--force")
    return root


def _site(folder: Path, **settings: str) -> Path:
    """A folder holding an nbgrader_config.py with ``settings`` (``Section__name=value``)."""
    folder.mkdir(parents=True)
    lines = ["c = get_config()  # noqa: F821"]
    for key, value in settings.items():
        section, name = key.split("__")
        lines.append(f"c.{section}.{name} = {value!r}")
    (folder / "nbgrader_config.py").write_text("\n".join(lines) + "\n")
    return folder


def _released_to(course: Path, env: dict[str, str], monkeypatch, candidates: list[Path]) -> Path:
    """Release a1 with nbgrader under ``env``; the one exchange of ``candidates`` it went
    to, after checking that NbgraderCourse names the same."""
    shutil.rmtree(course / "exchange", ignore_errors=True)  # an earlier test's release
    result = nbgrader(course, "release_assignment", A1, "--force", env=env, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    reached = [root for root in candidates if (root / "backprop101" / "outbound" / A1).is_dir()]
    assert len(reached) == 1, reached
    for name in ("JUPYTER_CONFIG_DIR", "NBGRADER_EXCHANGE"):
        if name in env:
            monkeypatch.setenv(name, env[name])
        else:
            monkeypatch.delenv(name, raising=False)
    assert NbgraderCourse.load(course).exchange_root == reached[0]
    return reached[0]


def test_a_site_exchange_wins_over_the_courses_own(course, tmp_path, monkeypatch):
    site_exchange = tmp_path / "site-exchange"
    site = _site(tmp_path / "site", Exchange__root=str(site_exchange))
    env = nbgrader_environment(JUPYTER_CONFIG_DIR=str(site))
    env.pop("NBGRADER_EXCHANGE", None)
    candidates = [site_exchange, course / "exchange"]
    assert _released_to(course, env, monkeypatch, candidates) == site_exchange


def test_nbgrader_exchange_wins_over_a_site(course, tmp_path, monkeypatch):
    site_exchange, named = tmp_path / "site-exchange", tmp_path / "named-exchange"
    site = _site(tmp_path / "site", Exchange__root=str(site_exchange))
    env = nbgrader_environment(JUPYTER_CONFIG_DIR=str(site), NBGRADER_EXCHANGE=str(named))
    candidates = [site_exchange, named, course / "exchange"]
    assert _released_to(course, env, monkeypatch, candidates) == named


def test_without_a_site_exchange_the_courses_own_folder(course, tmp_path, monkeypatch):
    site = _site(tmp_path / "site")  # a user's nbgrader settings without an exchange
    env = nbgrader_environment(JUPYTER_CONFIG_DIR=str(site))
    env.pop("NBGRADER_EXCHANGE", None)
    candidates = [course / "exchange", Path("/usr/local/share/nbgrader/exchange")]
    assert _released_to(course, env, monkeypatch, candidates) == course / "exchange"


def test_a_site_gradebook_and_quiz_secret_win_over_the_courses_defaults(
    course, tmp_path, monkeypatch
):
    site = _site(
        tmp_path / "site",
        CourseDirectory__db_url=f"sqlite:///{tmp_path / 'site.db'}",
        QuizVariantForSubmission__secret_file=str(tmp_path / "secret"),
    )
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(site))
    monkeypatch.delenv("NBGRADER_DB_URL", raising=False)
    loaded = NbgraderCourse.load(course)
    assert loaded.db_url == f"sqlite:///{tmp_path / 'site.db'}"
    assert loaded.quiz_secret_file == tmp_path / "secret"
    # NBGRADER_DB_URL still wins over the site's gradebook.
    monkeypatch.setenv("NBGRADER_DB_URL", f"sqlite:///{tmp_path / 'env.db'}")
    assert NbgraderCourse.load(course).db_url == f"sqlite:///{tmp_path / 'env.db'}"
    # nbgrader itself opens the site's gradebook: `nbgrader db student add` writes there.
    monkeypatch.delenv("NBGRADER_DB_URL")
    env = nbgrader_environment(JUPYTER_CONFIG_DIR=str(site))
    env.pop("NBGRADER_DB_URL", None)
    nbgrader(course, "db", "student", "add", "someone", env=env)
    with Gradebook(f"sqlite:///{tmp_path / 'site.db'}") as site_gradebook:
        assert site_gradebook.find_student("someone").id == "someone"
    course_gradebook = Gradebook(f"sqlite:///{course / 'gradebook.db'}")
    with course_gradebook, pytest.raises(MissingEntry):
        course_gradebook.find_student("someone")
