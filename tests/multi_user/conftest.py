"""Shared by the tests where the roles are separate Unix accounts (needs root to create them)."""

import os

import pytest

from .accounts import install_course_environment


@pytest.fixture(scope="session")
def course_environment():
    assert os.geteuid() == 0, "these tests create Unix accounts: run them as root (as CI does)"
    return install_course_environment()
