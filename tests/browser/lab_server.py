"""A real JupyterLab server for browser tests: temporary dirs, a token, exactly our processes."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

from autograder.grader_tools.nbgrader_course import nbgrader_environment

from ..course_helpers import REPO, wait_until


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def prepare_course(root: Path) -> Path:
    """A temporary copy of the course, plus a student's copies of assignments 1 and 3."""
    course = root / "course"
    for folder in ("source", "release", "course_content"):
        shutil.copytree(REPO / folder, course / folder)
    shutil.copy(REPO / "nbgrader_config.py", course / "nbgrader_config.py")
    for assignment in ("a1_building_blocks", "a3_quiz"):
        shutil.copytree(REPO / "release" / assignment, course / "student" / assignment)
    return course


def write_lab_settings(settings: Path) -> None:
    """No news pop-up, no update check: nothing that waits on the network or covers the page."""
    notification = (
        settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    )
    notification.parent.mkdir(parents=True, exist_ok=True)
    notification.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    # Render every cell (no virtual scrolling), so locators find cells below the fold.
    tracker = settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True, exist_ok=True)
    tracker.write_text(json.dumps({"windowingMode": "none"}))


class LabServer:
    """``jupyter lab`` on 127.0.0.1:<free port> with a token, in its own process group."""

    def __init__(self, root: Path, disabled_extensions: tuple[str, ...] = ()):
        self.root = root
        self.disabled_extensions = disabled_extensions
        self.course = prepare_course(root)
        self.token = secrets.token_hex(16)
        self.port = free_port()
        self.log_path = root / "jupyter-server.log"
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 90) -> None:
        dirs = {
            name: self.root / "jupyter" / name
            for name in ("config", "data", "runtime", "settings", "workspaces")
        }
        for folder in dirs.values():
            folder.mkdir(parents=True, exist_ok=True)
        write_lab_settings(dirs["settings"])
        if self.disabled_extensions:  # JupyterLab reads this from the config directory
            labconfig = dirs["config"] / "labconfig"
            labconfig.mkdir(parents=True, exist_ok=True)
            disabled = dict.fromkeys(self.disabled_extensions, True)
            (labconfig / "page_config.json").write_text(
                json.dumps({"disabledExtensions": disabled})
            )
        env = nbgrader_environment(
            JUPYTER_CONFIG_DIR=str(dirs["config"]),
            JUPYTER_DATA_DIR=str(dirs["data"]),
            JUPYTER_RUNTIME_DIR=str(dirs["runtime"]),
            NBGRADER_EXCHANGE=str(self.root / "exchange"),
            # The student's one-time quiz setting: none yet (not on JupyterHub).
            COURSE_QUIZ_IDENTITY_FILE=str(self.root / "quiz_identity.json"),
        )
        for name in ("JUPYTERHUB_USER", "COURSE_STUDENT_ID", "COURSE_QUIZ_KEY"):
            env.pop(name, None)
        command = [
            sys.executable,
            "-m",
            "jupyter",
            "lab",
            "--no-browser",
            "--allow-root",
            f"--ServerApp.port={self.port}",
            "--ServerApp.ip=127.0.0.1",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.course}",
            f"--LabApp.user_settings_dir={dirs['settings']}",
            f"--LabApp.workspaces_dir={dirs['workspaces']}",
            "--ServerApp.open_browser=False",
            "--LabApp.news_url=None",
        ]
        # Release assignment 1 to the exchange so the Assignment List has something to show.
        for args in (
            ("generate_assignment", "a1_building_blocks", "--force"),
            ("release_assignment", "a1_building_blocks"),
        ):
            subprocess.run(
                [sys.executable, "-m", "nbgrader", *args],
                cwd=self.course,
                env=env,
                check=True,
                capture_output=True,
            )
        self.log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            command,
            cwd=self.course,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        process = self.process

        def answers() -> bool:
            if process.poll() is not None:
                raise RuntimeError(f"jupyter lab exited early; see {self.log_path}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/status?token={self.token}", timeout=2):
                    return True
            except OSError:
                return False

        wait_until(answers, timeout, f"jupyter lab answered (see {self.log_path})", interval=0.5)

    def shut_down_kernels(self) -> None:
        """End every kernel the server runs (a test done with its notebooks frees the cores)."""
        for kernel in self._api("GET", "/api/kernels"):
            self._api("DELETE", f"/api/kernels/{kernel['id']}")

    def _api(self, method: str, path: str):
        request = urllib.request.Request(
            f"{self.url}{path}", method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
        return json.loads(body) if body else None

    def stop(self) -> None:
        """Stop the server's process group (the server and the kernels it started), nothing else."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        if getattr(self, "log", None):
            self.log.close()
