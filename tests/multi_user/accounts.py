"""Real Unix accounts for the tests where instructors, graders and students are separate people."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
from pathlib import Path

from ..course_helpers import REPO

COURSE_ENVIRONMENT = Path("/opt/backprop-course/env")
# Folders other accounts can reach (a pytest tmp_path lies under root's private /tmp folder).
SHARED_ROOT = Path("/srv/backprop-course-tests")
RUNUSER = shutil.which("runuser") or "/usr/sbin/runuser"


def install_course_environment() -> Path:
    """The course's environment, built from Debian's Python so every account can run it."""
    subprocess.run(
        ["bash", str(REPO / "deploy" / "install_course_environment.sh"), str(COURSE_ENVIRONMENT)],
        check=True,
        capture_output=True,
    )
    return COURSE_ENVIRONMENT


def ensure_account(name: str) -> pwd.struct_passwd:
    """An ordinary account with a home folder (created once; never root)."""
    try:
        return pwd.getpwnam(name)
    except KeyError:
        subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", name], check=True)
        return pwd.getpwnam(name)


def run_as(
    account: str,
    *command: str,
    cwd: Path,
    check: bool = True,
    timeout: float = 900,
    extra_env: dict[str, str] | None = None,
    user_namespaces: bool = True,
) -> subprocess.CompletedProcess:
    """``command`` as ``account`` (runuser), with a login-like environment and the course's
    tools first on PATH; on failure the assertion shows what it printed. Without
    ``user_namespaces``, as on a machine that refuses them (``without_user_namespaces``)."""
    user = pwd.getpwnam(account)
    env = {
        "HOME": user.pw_dir,
        "USER": account,
        "LOGNAME": account,
        "PATH": f"{COURSE_ENVIRONMENT / 'bin'}:/usr/local/bin:/usr/bin:/bin",
        "LANG": os.environ.get("LANG", "C.UTF-8"),
        "TMPDIR": "/tmp",
        **(extra_env or {}),
    }
    switch = [RUNUSER, "-u", account, "--"]
    if not user_namespaces:
        helper = Path(__file__).with_name("without_user_namespaces.py")
        switch = [sys.executable, str(helper), str(user.pw_uid), str(user.pw_gid)]
    result = subprocess.run(
        [*switch, *command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if check:
        assert result.returncode == 0, (
            f"{account}: {' '.join(command)} exited {result.returncode}:\n"
            f"{result.stdout}\n{result.stderr}"
        )
    return result
