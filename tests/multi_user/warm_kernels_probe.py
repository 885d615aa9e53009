"""Two warm (forked) grading kernels at the same time, started as ``course grade`` starts them
for a grader who is an ordinary user; prints, as JSON, what each kernel could see and do.

    python warm_kernels_probe.py FOLDER

Run as the grader account (``test_rootless_sandbox``). FOLDER/course plays the hidden
course, with each kernel's working directory (its autograded folder, holding one support
file); FOLDER/run plays ``course grade``'s run folder: the kernelspec and one IPC folder per
kernel. Both kernels are started before either runs its probe, so both are alive while
each looks for the other.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path

from jupyter_client import KernelManager

from autograder.grader_tools.batch_grading import grading_kernelspec
from autograder.grader_tools.batch_grading.fork_server_provisioner import fork_server

PROBE = r"""
import json, os
def attempt(action):
    try:
        return repr(action())
    except Exception as error:
        return type(error).__name__
def signal_other():
    os.kill(OTHER_PID, 0)
open("mine.txt", "w").write("written by the kernel")
status = dict(line.split(":", 1) for line in open("/proc/self/status").read().splitlines())
print(json.dumps({
    "pid": os.getpid(), "uid": os.getuid(), "cwd": os.getcwd(),
    "CapEff": status["CapEff"].strip(), "NoNewPrivs": status["NoNewPrivs"].strip(),
    "processes": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()),
    "support file": attempt(lambda: open("support.txt").read()),
    "scratch folders": attempt(lambda: os.listdir(SCRATCH_ROOT)),
    "other scratch": attempt(lambda: os.listdir(OTHER_SCRATCH)),
    "other's file": attempt(lambda: open(OTHER_SCRATCH + "/mine.txt").read()),
    "other's work": attempt(lambda: os.listdir(OTHER_WORK)),
    "course": attempt(lambda: os.listdir(COURSE)),
    "run folder": attempt(lambda: sorted(os.listdir(RUN))),
    "other's sockets": attempt(lambda: os.listdir(OTHER_SOCKETS)),
    "signal other": attempt(signal_other),
    "write dev": attempt(lambda: open("/dev/kernel-was-here", "w")),
    "write system": attempt(lambda: open("/usr/kernel-was-here", "w")),
    "shared memory": attempt(lambda: os.listdir("/dev/shm")),
}))
"""


def _run(client, code: str) -> dict:
    outputs: list[dict] = []
    client.execute_interactive(code, timeout=60, output_hook=outputs.append)
    text = "".join(m["content"].get("text", "") for m in outputs if m["msg_type"] == "stream")
    errors = [m["content"] for m in outputs if m["msg_type"] == "error"]
    assert text, errors
    return json.loads(text)


def _interrupted(manager, client) -> str:
    """What a cell stuck in a sleep gives when the grader interrupts the kernel (as
    nbgrader does at a cell's timeout: SIGINT to the kernel's process group)."""
    message = client.execute("import time; time.sleep(60)")
    time.sleep(1)
    manager.interrupt_kernel()
    reply = client.get_shell_msg(timeout=30)
    assert reply["parent_header"]["msg_id"] == message
    return reply["content"].get("ename", reply["content"]["status"])


def _ends_with_its_launcher(launcher: int) -> bool:
    """Kill the kernel's launcher (the fork server's child, the kernel's parent): its kernel
    (PID 1 of its own namespace) must end too."""
    children = Path(f"/proc/{launcher}/task/{launcher}/children").read_text().split()
    [kernel] = [int(pid) for pid in children]
    os.kill(launcher, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{kernel}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return True
        if state == "Z":
            return True
        time.sleep(0.1)
    return False


def main(folder: Path) -> None:
    course, run = folder / "course", folder / "run"
    name = grading_kernelspec.write_kernelspec(run, 1024, [course], warm=True)
    os.environ["JUPYTER_PATH"] = str(run)
    managers, clients, works = [], [], []
    try:
        for n in (1, 2):
            sockets = run / f"kernels-{n}"
            sockets.mkdir(mode=0o700)
            work = course / "autograded" / f"student{n}" / "a1"
            work.mkdir(parents=True)
            (work / "support.txt").write_text(f"support file {n}")
            works.append(work)
            manager = KernelManager(kernel_name=name, transport="ipc", ip=str(sockets / "kernel"))
            managers.append(manager)
            manager.start_kernel(cwd=str(work))
        server = fork_server(())
        assert server.sandbox is not None, "the kernels were not forked in a sandbox"
        scratch_root = server.scratch_root
        assert scratch_root is not None
        scratch = sorted(scratch_root.iterdir(), key=lambda path: path.stat().st_mtime_ns)
        assert len(scratch) == 2, scratch
        for manager in managers:
            client = manager.client()
            client.start_channels()
            clients.append(client)
            client.wait_for_ready(timeout=60)
        seen = []
        for n, client in enumerate(clients):
            other = 1 - n
            values = {
                "OTHER_PID": str(managers[other].provisioner.pid),
                "SCRATCH_ROOT": repr(str(scratch_root)),
                "OTHER_SCRATCH": repr(str(scratch[other])),
                "OTHER_WORK": repr(str(works[other])),
                "OTHER_SOCKETS": repr(str(run / f"kernels-{other + 1}")),
                "COURSE": repr(str(course)),
                "RUN": repr(str(run)),
            }
            code = PROBE
            for placeholder, value in values.items():
                code = code.replace(placeholder, value)
            seen.append(_run(client, code))
        seen[0]["interrupted"] = _interrupted(managers[0], clients[0])
        seen[0]["ends with its launcher"] = _ends_with_its_launcher(managers[0].provisioner.pid)
    finally:
        for client in clients:
            client.stop_channels()
        for manager in managers:
            if manager.has_kernel:
                manager.shutdown_kernel(now=True)
    for view, work in zip(seen, works, strict=True):
        written = work / "mine.txt"
        view["copied back"] = written.read_text() if written.exists() else None
    print(json.dumps(seen))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
