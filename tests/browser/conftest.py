"""Fixtures for the browser suite: one JupyterLab server and one Chromium for the session.

Chromium is Debian's (/usr/bin/chromium, installed by bootstrap.sh or .ci/run), driven by
Playwright for Python; Playwright never downloads a browser of its own. Each step leaves
a screenshot in test-artifacts/browser/; a failing step also leaves the server log.
"""

from __future__ import annotations

import re
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest

from ..course_helpers import REPO
from .lab_server import LabServer

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "test-artifacts" / "browser"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 60_000  # 2 cores: JupyterLab and kernels are slow to start


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    server = LabServer(tmp_path_factory.mktemp("lab"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def lab_without_widget_manager(tmp_path_factory):
    """A second server with ipywidgets' JupyterLab manager switched off (a broken install)."""
    server = LabServer(
        tmp_path_factory.mktemp("lab-no-widgets"),
        disabled_extensions=("@jupyter-widgets/jupyterlab-manager",),
    )
    server.start()
    yield server
    server.stop()


@pytest.fixture
def page(browser, lab, request):
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    page = browser.new_page()
    page.steps = Steps(page, lab, request.node.name)
    yield page
    page.close()


class Steps:
    """``with page.steps("name"):`` screenshot after the step; on failure, name it, keep logs."""

    def __init__(self, page, lab, test_name: str):
        self.page, self.lab, self.count = page, lab, 0
        self.folder = ARTIFACTS / re.sub(r"[^\w-]+", "_", test_name)
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True, exist_ok=True)

    @contextmanager
    def __call__(self, name: str):
        self.count += 1
        label = f"{self.count:02d}-" + re.sub(r"[^\w-]+", "_", name)
        try:
            yield
        except Exception as error:
            shot = self.folder / f"{label}-FAILED.png"
            self.page.screenshot(path=str(shot), full_page=True)
            shutil.copy(self.lab.log_path, self.folder / "jupyter-server.log")
            raise AssertionError(
                f"browser step '{name}' failed: {error}\nscreenshot: {shot}\n"
                f"server log: {self.folder / 'jupyter-server.log'}"
            ) from error
        self.page.screenshot(path=str(self.folder / f"{label}.png"), full_page=True)
