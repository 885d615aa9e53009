"""nbgrader's submit, leaving the submission unreadable to other students.

nbgrader's ``ExchangeSubmit`` copies a submission into the exchange's inbound folder and
makes it readable by everyone (the folder is not listable, so a student only needs a
submission's name to read it: jupyter/nbgrader #978, #1225). The inbound folder belongs to
the course's grader and is set-group-id (nbgrader makes it so), so files made in it belong
to the grader's group. This subclass keeps it that way for every file of the submission
(``shutil.copytree`` would give the copy the mode of the student's folder, without the
set-group-id bit, before nbgrader writes its timestamp), then takes the other accounts'
permissions away: the student and the grader's group can read it, other students cannot.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from nbgrader.exchange.default.submit import ExchangeSubmit

from autograder.grader_tools.exchange_access import ExchangeAccessCheck

OTHERS = stat.S_IRWXO
STAGING = ".copying"


class PrivateExchangeSubmit(ExchangeAccessCheck, ExchangeSubmit):
    """``nbgrader submit`` (and the Assignment List's Submit) without access for others;
    a refusal is one line naming the folder and the account (``ExchangeAccessCheck``)."""

    def do_copy(self, src: str, dest: str, log=None) -> None:
        if Path(dest).parent != Path(self.inbound_path):
            super().do_copy(src, dest, log)  # the student's own cache
            return
        os.mkdir(dest)  # inherits the inbound folder's group and set-group-id bit
        staging = Path(dest) / STAGING
        super().do_copy(src, str(staging), log)
        for entry in staging.iterdir():
            entry.rename(Path(dest) / entry.name)
        staging.rmdir()

    def copy_files(self) -> None:
        super().copy_files()
        submission = Path(self.inbound_path) / self.assignment_filename
        for folder, _, files in os.walk(submission):
            for name in [*files, "."]:
                path = Path(folder) / name
                path.chmod(stat.S_IMODE(path.stat().st_mode) & ~OTHERS)
