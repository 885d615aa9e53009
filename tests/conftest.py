"""The one Chromium of the test session, shared by the browser and multi-user tests
(Playwright's sync API runs one instance per thread: a second would refuse to start)."""

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
