"""nbgrader's exchange commands, with one clear line when the exchange refuses an account.

nbgrader's own exchange classes fail with a traceback when the operating system refuses a
folder deep in a transfer (``PermissionError`` from ``os.makedirs`` or ``shutil.copytree``:
the feedback folder of another grader, a read-only exchange), and their "Unwritable
directory" message does not say who was refused. These subclasses (chosen through
``ExchangeFactory`` in the course's ``nbgrader_config.py`` and the hub's
``deploy/global_nbgrader_config.py``) turn both into nbgrader's own failure, one line that
names the folder and the account::

    [ReleaseFeedbackApp | CRITICAL] the exchange refuses account 'grader': it may not write
    /srv/nbgrader/exchange/backprop101 (to make /srv/nbgrader/exchange/backprop101/feedback);
    ask whoever runs the course's exchange

Covered: every transfer of nbgrader's default exchange (release_assignment, collect,
release_feedback, fetch_assignment, submit, fetch_feedback, list), run from the command
line, the Assignment List or the formgrader: a missing or unwritable exchange, a refusal by
the operating system during the transfer, and nbgrader's own refusals (which name the
folder; the account is added). Not covered: an exchange of another kind (ngshare, a site's
own ``ExchangeFactory``), which the course leaves as the site set it; and the ``course``
command, which never touches the exchange.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any, NoReturn

from nbgrader.auth.jupyterhub import JupyterhubEnvironmentError
from nbgrader.exchange.default import (
    ExchangeCollect,
    ExchangeFetchAssignment,
    ExchangeFetchFeedback,
    ExchangeList,
    ExchangeReleaseAssignment,
    ExchangeReleaseFeedback,
    ExchangeSubmit,
)
from nbgrader.utils import find_owner, get_osusername

REFUSED = r"\[Errno (1|13|30)\]"  # EPERM, EACCES, EROFS
# Words of nbgrader's own messages when the operating system would refuse the account.
NBGRADER_REFUSALS = ("permission", "own the directory", "unwritable directory")
ACCESS = (("read", os.R_OK), ("write", os.W_OK), ("enter", os.X_OK))


def refusal(path: Path, account: str, exchange: Path) -> str:
    """One sentence: what ``account`` may not do with ``path`` (or, if it does not exist,
    with the nearest folder above it, where it would be made); who refuses is named as the
    exchange when ``path`` lies in it."""
    target = path
    while not target.exists() and target != target.parent:
        target = target.parent
    missing = [verb for verb, mode in ACCESS if not os.access(target, mode)]
    refused = " or ".join(missing) if missing else "change"
    made = f" (to make {path})" if target != path else ""
    if not missing:  # e.g. a chmod of another account's file
        made = f" (it belongs to '{find_owner(str(target))}'){made}"
    if path.is_relative_to(exchange):
        return (
            f"the exchange refuses account '{account}': it may not {refused} {target}{made}; "
            "ask whoever runs the course's exchange"
        )
    return f"account '{account}' may not {refused} {target}{made}"


def _refused_path(error: OSError | shutil.Error) -> Path | None:
    """The file or folder an operating-system refusal names; None if ``error`` is not one
    (``shutil.copytree`` gathers its failures as (source, destination, reason) triples)."""
    if isinstance(error, OSError):
        return Path(error.filename) if error.filename else None
    failures = error.args[0] if error.args and isinstance(error.args[0], list) else []
    refused = [dest for _, dest, why in failures if re.search(REFUSED, str(why))]
    return Path(refused[0]) if refused else None


class ExchangeAccessCheck:
    """Mixed into an nbgrader exchange class: refusals become one line naming folder and
    account (``self.fail``: nbgrader logs it and the command exits 1)."""

    root: str

    def fail(self, msg: str) -> NoReturn:
        """nbgrader's ``Exchange.fail`` (log the line, raise ExchangeError); nbgrader's own
        refusals ("You don't have read permissions for the directory: ...") get the account."""
        if any(words in msg.lower() for words in NBGRADER_REFUSALS) and "account '" not in msg:
            msg = f"{msg} (account '{get_osusername()}')"
        super().fail(msg)  # type: ignore[misc]
        raise AssertionError("unreachable: Exchange.fail raises")

    def ensure_root(self) -> None:
        root = Path(self.root)
        if root.is_dir() and not os.access(root, os.W_OK | os.X_OK):
            self.fail(refusal(root, get_osusername(), root))
        if not root.exists() and not isinstance(self, ExchangeReleaseAssignment):
            self.fail(
                f"the exchange {root} does not exist (account '{get_osusername()}'): "
                "release an assignment first, or ask whoever runs the course's exchange"
            )
        super().ensure_root()  # type: ignore[misc]

    def start(self) -> Any:
        """nbgrader's transfer; what it returns (``ExchangeList``: the assignments)."""
        try:
            return super().start()  # type: ignore[misc]
        except JupyterhubEnvironmentError:  # JupyterHubAuthPlugin outside a hub session
            self.fail(
                f"nbgrader asks JupyterHub which courses account '{get_osusername()}' "
                "takes, and this shell has no hub session (no JUPYTERHUB_USER, "
                "JUPYTERHUB_API_TOKEN): use the Assignment List, or a terminal in JupyterLab"
            )
        except (PermissionError, shutil.Error) as error:
            path = _refused_path(error)
            if isinstance(error, shutil.Error) and path is None:
                raise  # not a refusal: nbgrader's own report
            root = Path(self.root)
            self.fail(refusal(path or root, get_osusername(), root))


class CheckedReleaseAssignment(ExchangeAccessCheck, ExchangeReleaseAssignment):
    """``nbgrader release_assignment`` (and the formgrader's Release)."""


class CheckedCollect(ExchangeAccessCheck, ExchangeCollect):
    """``nbgrader collect`` (and the formgrader's Collect)."""


class CheckedReleaseFeedback(ExchangeAccessCheck, ExchangeReleaseFeedback):
    """``nbgrader release_feedback``."""


class CheckedFetchAssignment(ExchangeAccessCheck, ExchangeFetchAssignment):
    """``nbgrader fetch_assignment`` (and the Assignment List's Fetch)."""


class CheckedFetchFeedback(ExchangeAccessCheck, ExchangeFetchFeedback):
    """``nbgrader fetch_feedback`` (and the Assignment List's Fetch Feedback)."""


class CheckedList(ExchangeAccessCheck, ExchangeList):
    """``nbgrader list`` (and the Assignment List)."""


class CheckedSubmit(ExchangeAccessCheck, ExchangeSubmit):
    """``nbgrader submit`` as nbgrader does it (the hub uses ``PrivateExchangeSubmit``)."""


# ExchangeFactory's setting -> the checked class, as the configuration names it.
CHECKED_EXCHANGE = {
    "release_assignment": f"{__name__}.CheckedReleaseAssignment",
    "collect": f"{__name__}.CheckedCollect",
    "release_feedback": f"{__name__}.CheckedReleaseFeedback",
    "fetch_assignment": f"{__name__}.CheckedFetchAssignment",
    "fetch_feedback": f"{__name__}.CheckedFetchFeedback",
    "list": f"{__name__}.CheckedList",
    "submit": f"{__name__}.CheckedSubmit",
}
