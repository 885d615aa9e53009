"""``dies_with_parent``: a process of the launch path ends with the process that started it."""

import os
import signal
import subprocess
import sys
from pathlib import Path

from ..course_helpers import running_processes, wait_until

# The child asks to die with its parent (pid in argv[1]), says so, and waits to be killed.
CHILD = """
import signal, sys
from autograder.grader_tools.batch_grading.dies_with_parent import die_with_parent
die_with_parent(int(sys.argv[1]))
print("asked", flush=True)
signal.pause()
"""
# The parent starts that child (its output goes to the test's pipe), then waits to be killed.
PARENT = """
import os, signal, subprocess, sys
subprocess.Popen([sys.executable, "-c", sys.argv[1], str(os.getpid()), sys.argv[2]])
signal.pause()
"""
# A child that waits until its parent has ended (it is adopted), and only then asks.
LATE_CHILD = """
import os, sys, time
from autograder.grader_tools.batch_grading.dies_with_parent import ParentEnded, die_with_parent
parent = int(sys.argv[1])
while os.getppid() == parent:
    time.sleep(0.01)
try:
    die_with_parent(parent)
    outcome = "asked"
except ParentEnded as error:
    outcome = str(error)
with open(sys.argv[2] + ".partial", "w") as file:
    file.write(outcome)
os.rename(sys.argv[2] + ".partial", sys.argv[2])
"""
# A parent that starts it and ends at once.
SHORT_PARENT = """
import os, subprocess, sys
subprocess.Popen([sys.executable, "-c", sys.argv[1], str(os.getpid()), sys.argv[2]])
"""


def test_a_child_ends_when_its_parent_is_killed(tmp_path):
    marker = f"marker-{tmp_path.name}"
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, CHILD, marker], stdout=subprocess.PIPE, text=True
    )

    def is_child(process: Path) -> bool:
        arguments = (process / "cmdline").read_text().split("\0")
        return arguments[2:3] == [CHILD] and marker in arguments

    try:
        assert parent.stdout is not None and parent.stdout.readline() == "asked\n"
        assert len(running_processes(is_child)) == 1  # it runs, and its parent too
        parent.kill()
        parent.wait()
        wait_until(lambda: not running_processes(is_child), 60, "the child has ended")
    finally:
        survivors = running_processes(is_child)
        for pid in survivors:
            os.kill(pid, signal.SIGKILL)
    assert survivors == {}


def test_a_child_whose_parent_already_ended_is_told(tmp_path):
    """The parent ended before the child asked: no signal will come, so the child learns it."""
    outcome = tmp_path / "outcome.txt"
    parent = [sys.executable, "-c", SHORT_PARENT, LATE_CHILD, str(outcome)]
    subprocess.run(parent, check=True)
    wait_until(outcome.exists, 60, "the child has written its outcome")
    assert outcome.read_text().startswith("the process that started this one (pid ")
    assert outcome.read_text().endswith(") has already ended")
