"""The one Chromium of each test worker, shared by the browser and multi-user tests
(Playwright's sync API runs one instance per thread: a second would refuse to start); which
tests share a worker."""

from pathlib import PurePosixPath

import pytest

from .browser.conftest import CHROMIUM, CHROMIUM_FLAGS, TIMEOUT_MS


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    assert CHROMIUM.exists(), (
        "Debian's chromium is missing: `apt-get install chromium` (bootstrap.sh does it as root)"
    )
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1400, "height": 1000},
        )
        context.set_default_timeout(TIMEOUT_MS)
        yield context
        context.close()


# The suite runs on two pytest-xdist workers (pyproject.toml). The tests of one file run on
# one worker, so that a module's fixtures are made once; so do the tests of these folders,
# which share a session's fixtures or the machine's state:
SHARED_WORKER = {
    # the simulated class graded once, the PostgreSQL server, and the sandbox's uids (a test
    # looks for every process running as one)
    "batch_grading",
    "browser",  # the JupyterLab servers
    "multi_user",  # Unix accounts and the course environment they use
}


def worker_scope(nodeid: str) -> str:
    """The unit a worker runs whole: a test's file, or its folder if in SHARED_WORKER."""
    path = nodeid.split("::", 1)[0]
    folder = PurePosixPath(path).parent.name
    return folder if folder in SHARED_WORKER else path


@pytest.hookimpl(optionalhook=True)  # xdist's hook: pytest without xdist ignores it
def pytest_xdist_make_scheduler(config, log):
    # xdist's own scheduler by scope, with worker_scope as the scope. (Its --dist loadgroup
    # did not group here: with pytest 9.2 and xdist 3.8, two tests marked with one
    # xdist_group ran on both workers.)
    from xdist.scheduler import LoadScopeScheduling

    class SharedWorkerScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return worker_scope(nodeid)

    return SharedWorkerScheduling(config, log)
