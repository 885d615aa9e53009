"""Kernels forked from the warm fork server (root graders) against kernels started afresh by
the same sandbox: the same view, environment and limits, fresh randomness, and no way back
to the server."""

import json
import os
import signal

import psutil
import pytest
from jupyter_client import KernelManager
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook

from autograder.grader_tools.batch_grading import grading_kernelspec, kernel_launcher
from autograder.grader_tools.batch_grading.fork_server_provisioner import (
    GUARDED_KERNEL_PRELOAD,
    fork_server,
)
from autograder.grader_tools.nbgrader_course import NbgraderCourse

from ..course_helpers import REPO, wait_until
from .test_kernel_sandbox import PROBE_HELPERS

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the fork server is for root graders")

UID = 3000031
PROBE = (
    """
import json, os, random, sys
def kind(fd):
    try:
        return os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return "?"
descriptors = [kind(fd) for fd in sorted(map(int, os.listdir("/proc/self/fd")))]
"""
    + PROBE_HELPERS
    + """
print(json.dumps({
    "uid": os.getuid(), "cwd": os.getcwd(), "environment": dict(os.environ),
    "path": sys.path, "descriptors": descriptors,
    "read secret": attempt(lambda: open(SECRET).read()),
    "memory": memory,
    "random": [random.random(), float(np.random.rand())],
    "modules": sorted(m for m in ("numpy", "autograder.course_checks") if m in sys.modules),
    "parent": __import__("ipykernel.kernelapp").kernelapp.IPKernelApp.instance().parent_handle,
}))
"""
)


def _run_probe(tmp_path, monkeypatch, warm: bool, secret) -> dict:
    name = grading_kernelspec.write_kernelspec(tmp_path / "data", 1024, [secret.parent], warm=warm)
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "data"))
    monkeypatch.setenv(kernel_launcher.UID_VARIABLE, str(UID))
    sockets = tmp_path / "sockets"
    sockets.mkdir(mode=0o700, exist_ok=True)
    os.chown(sockets, UID, UID)
    guard = list(NbgraderCourse.load(REPO).config.Execute.extra_arguments)
    notebook = new_notebook(cells=[new_code_cell(PROBE.replace("SECRET", repr(str(secret))))])
    manager = KernelManager(kernel_name=name, transport="ipc", ip=str(sockets / "kernel"))
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    try:
        NotebookClient(
            notebook,
            km=manager,
            extra_arguments=guard,
            timeout=60,
            resources={"metadata": {"path": str(work)}},
        ).execute()
    finally:
        manager.shutdown_kernel()  # as nbgrader's Execute does with the kernels it starts
    [output] = notebook.cells[0].outputs
    assert output.output_type == "stream", output
    return json.loads(output.text)


@pytest.fixture
def secret(tmp_path):
    folder = tmp_path / "course"
    folder.mkdir()
    (folder / "key.txt").write_text("the answers")
    return folder / "key.txt"


def test_a_forked_kernel_is_sandboxed_like_a_fresh_one(tmp_path, monkeypatch, secret):
    fresh = _run_probe(tmp_path, monkeypatch, warm=False, secret=secret)
    warm = _run_probe(tmp_path, monkeypatch, warm=True, secret=secret)
    for seen in (fresh, warm):
        assert (seen["uid"], seen["cwd"]) == (UID, "/tmp")
        assert seen["read secret"] == "FileNotFoundError"
        assert seen["memory"] == "MemoryError"
        assert seen["modules"] == ["autograder.course_checks", "numpy"]
    assert warm["environment"] == fresh["environment"]
    # No JPY_PARENT_PID, so no ipykernel watch of its parent: each ends with its launcher
    # (dies_with_parent), and the forked one is not told about a parent of the server's.
    assert warm["parent"] == fresh["parent"] == 0
    assert warm["path"] == fresh["path"]
    # No descriptor of a file or folder survives into either (exec closes the launcher's;
    # a fork must close them itself): an open folder would lead out of the sandbox.
    for seen in (fresh, warm):
        files = [d for d in seen["descriptors"] if d.startswith("/")]
        allowed = ("/dev/null", "/tmp/.sandbox-home/")  # IPython's history, in the scratch
        assert all(d.startswith(allowed) or d.endswith("(deleted)") for d in files), files


def test_forked_kernels_hold_nothing_of_the_server_and_draw_fresh_random_numbers(
    tmp_path, monkeypatch, secret
):
    first = _run_probe(tmp_path, monkeypatch, warm=True, secret=secret)
    second = _run_probe(tmp_path, monkeypatch, warm=True, secret=secret)
    assert first["random"][0] != second["random"][0]  # Python's random
    assert first["random"][1] != second["random"][1]  # NumPy's global generator
    server = fork_server(GUARDED_KERNEL_PRELOAD)
    assert server.process is not None and server.process.poll() is None  # the one used
    # Every socket and pipe the server holds (its connection to us among them), and our end.
    folder = f"/proc/{server.process.pid}/fd"
    held = [os.readlink(f"{folder}/{fd}") for fd in os.listdir(folder)]
    channels = {link for link in held if link.startswith(("socket:", "pipe:"))}
    assert server.connection is not None
    channels.add(os.readlink(f"/proc/self/fd/{server.connection.fileno()}"))
    assert len(channels) >= 2
    for seen in (first, second):
        assert not channels & set(seen["descriptors"])
    # Every ended kernel's launcher was released and reaped: no zombies pile up.
    wait_until(lambda: not psutil.Process(server.process.pid).children(), 30, "no launcher is left")


@pytest.mark.parametrize("warm", [True, False], ids=["forked", "fresh"])
def test_what_the_notebook_wrote_survives_a_terminated_kernel(tmp_path, monkeypatch, warm):
    # jupyter_client sends SIGTERM to the kernel's process group when it is slow to shut
    # down (a loaded grading machine): the kernel ends, its written files still land.
    name = grading_kernelspec.write_kernelspec(tmp_path / "data", 1024, [], warm=warm)
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "data"))
    monkeypatch.setenv(kernel_launcher.UID_VARIABLE, str(UID))
    sockets = tmp_path / "sockets"
    sockets.mkdir(mode=0o700)
    os.chown(sockets, UID, UID)
    work = tmp_path / "work"
    work.mkdir()
    manager = KernelManager(kernel_name=name, transport="ipc", ip=str(sockets / "kernel"))
    manager.start_kernel(cwd=str(work))
    client = manager.client()
    try:
        client.start_channels()
        client.wait_for_ready(timeout=60)
        reply = client.execute_interactive("open('written.txt', 'w').write('kept')", timeout=60)
        assert reply["content"]["status"] == "ok"
        manager.signal_kernel(signal.SIGTERM)
        wait_until(lambda: not manager.is_alive(), 60, "the kernel ends")
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    assert (work / "written.txt").read_text() == "kept"
