"""One nbgrader course: its folder, its configuration and how to run nbgrader on it.

Everything that talks to nbgrader (release sync, batch grading and its workers, the
``course`` command, the tests and the benchmarks) takes an ``NbgraderCourse`` instead of
reading ``nbgrader_config.py`` or building a gradebook URL itself. Settings the course
leaves unset resolve to nbgrader's own defaults, through nbgrader's own classes, so the
same code serves this course and any other nbgrader course.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from nbgrader.api import Gradebook
from nbgrader.coursedir import CourseDirectory
from nbgrader.exchange.default.exchange import Exchange
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DatabaseError
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from autograder.grader_tools.course_files import (
    CONFIG_NAME,
    CourseError,
    config_problem,
    find_course_root,
)
from autograder.grader_tools.nbgrader_log import read_nbgrader_log
from autograder.grader_tools.site_config import site_config


def sqlite_path(db_url: str) -> Path | None:
    """The file behind an SQLite gradebook URL; None for a server database."""
    return Path(db_url.removeprefix("sqlite:///")) if db_url.startswith("sqlite:///") else None


def nbgrader_environment(**extra: str) -> dict[str, str]:
    """This environment with the interpreter's own ``bin`` first on PATH (nbgrader runs
    ``alembic`` from there), plus ``extra``."""
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    return {**os.environ, "PATH": path, **extra}


@dataclass(frozen=True)
class NbgraderCourse:
    """A course folder (the one holding ``nbgrader_config.py``) and its loaded configuration.

    ``overrides`` are settings given on top of the course's file (e.g. another gradebook);
    they reach nbgrader subprocesses as command-line options, so they work on any course.
    """

    root: Path
    config: Config
    overrides: Config

    @classmethod
    def load(cls, root: Path | None = None, *, db_url: str | None = None) -> NbgraderCourse:
        """The course at ``root`` (default: the nearest folder above the working directory
        with a ``nbgrader_config.py``), configured as nbgrader run in it is: the site's and
        the user's nbgrader configuration, then the course's file; ``db_url`` replaces the
        gradebook they configure."""
        root = Path(root).resolve() if root is not None else find_course_root()
        if not (root / CONFIG_NAME).is_file():
            raise CourseError(f"no {CONFIG_NAME} in {root}.")
        config = site_config(root)
        try:
            config.merge(PyFileConfigLoader(CONFIG_NAME, path=str(root)).load_config())
        except (Exception, SystemExit) as error:  # noqa: BLE001 - the instructor's file ran
            raise CourseError(config_problem(root / CONFIG_NAME, error)) from None
        overrides = Config()
        if db_url is not None:
            overrides.CourseDirectory.db_url = db_url
        config.merge(overrides)
        return cls(root, config, overrides)

    def _course_directory(self) -> CourseDirectory:
        coursedir = CourseDirectory(config=self.config)
        if "root" not in self.config.CourseDirectory:
            coursedir.root = str(self.root)  # nbgrader's default is the working directory
        return coursedir

    @property
    def course_id(self) -> str:
        return self._course_directory().course_id

    @property
    def db_url(self) -> str:
        """The gradebook's URL: the configured ``db_url``, else nbgrader's default
        (``gradebook.db`` in the course root)."""
        return self._course_directory().db_url

    @property
    def exchange_root(self) -> Path:
        """The exchange folder: the configured ``Exchange.root``, else nbgrader's default."""
        return Path(Exchange(config=self.config).root)

    @property
    def quiz_secret_file(self) -> Path:
        """The course secret behind the quiz keys (``QuizVariantForSubmission.secret_file``;
        ``.quiz_secret`` in the course root if the course does not set it)."""
        configured = self.config.get("QuizVariantForSubmission", {}).get("secret_file")
        return Path(configured) if configured else self.root / ".quiz_secret"

    def gradebook(self) -> Gradebook:
        """nbgrader's gradebook of this course (use it in a ``with`` block); CourseError
        naming the database if nbgrader cannot open it (not a database, no access)."""
        try:
            return Gradebook(self.db_url, self.course_id)
        except DatabaseError as error:
            raise CourseError(gradebook_problem(self.db_url, error)) from None

    def override_arguments(self) -> list[str]:
        """``overrides`` as nbgrader command-line options (``--Section.name=value``)."""
        return [
            f"--{section}.{name}={value}"
            for section, values in self.overrides.items()
            for name, value in values.items()
        ]

    def environment(self, **extra: str) -> dict[str, str]:
        return nbgrader_environment(**extra)

    def run_nbgrader(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """Run ``nbgrader ARGS`` in the course root with the overrides; with ``check``, a
        failure raises CourseError naming nbgrader's own reason."""
        process = subprocess.run(
            [sys.executable, "-m", "nbgrader", *args, *self.override_arguments()],
            cwd=self.root,
            capture_output=True,
            text=True,
            env=self.environment(),
            check=False,
        )
        if check and process.returncode != 0:
            log = process.stdout + process.stderr
            raise CourseError(f"nbgrader {args[0]} failed: {_reason(log, process.returncode)}")
        return process


def gradebook_problem(db_url: str, error: DatabaseError) -> str:
    """One sentence for a gradebook nbgrader cannot open: which one, why, what to do
    (a server database's password is not shown)."""
    path = sqlite_path(db_url)
    where = str(path) if path is not None else make_url(db_url).render_as_string()
    reason = str(error.orig or error).strip().splitlines()[0]
    if "locked" in reason:
        fix = "another program is writing it (a running `course grade`, the formgrader): "
        fix += "run the same command again when it is done"
    else:
        fix = "restore it from a backup, or move it aside and nbgrader starts an empty one; "
        fix += "the grader needs read and write access to it and its folder"
    return f"the gradebook {where} cannot be opened ({reason}): {fix}"


def _reason(log: str, returncode: int) -> str:
    """The most telling line of a failed nbgrader run: the exception, else its first error."""
    said = read_nbgrader_log(log)
    if said.exceptions:
        return said.exceptions[-1]
    return said.errors[0] if said.errors else f"exit status {returncode}"
