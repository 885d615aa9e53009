"""`course grade` run by a grader who is an ordinary user: bubblewrap isolates the kernels.

The grader account owns the course; its kernels run unprivileged, in user namespaces: warm
ones (the default: forked by a fork server inside bubblewrap, each into nested namespaces
of its own, ``user_namespace``) and fresh ones (``--fresh-kernels``: each kernel a new
Python under bubblewrap). The same class is graded by plain sequential `nbgrader
autograde` (no sandbox) as the same account, to show what the sandbox refuses and that it
changes no correct student's grade.
"""

import json
import pwd
import shutil
import subprocess
from pathlib import Path

import pytest

from course_simulation import write_simulated_class
from course_simulation.course_copies import copy_course
from course_simulation.course_runs import nbgrader

from ..batch_grading.conftest import A1, gradebook_state, output_text, student_of_kind
from ..batch_grading.test_kernel_sandbox import PROBE, listening_port
from .accounts import COURSE_ENVIRONMENT, SHARED_ROOT, ensure_account, run_as

GRADER = "course-grader"
KINDS = ["correct", "forgot_1_over_m", "snooping", "memory_hog", "wrong_sign", "correct"]


def _course_owned_by(account: str, folder: Path) -> dict:
    course = copy_course(folder)
    nbgrader(course, "generate_assignment", A1, "--force")
    roster = write_simulated_class(course, A1, KINDS, seed=11)
    shutil.chown(folder.parent, account)
    subprocess.run(["chown", "-R", f"{account}:{account}", str(folder)], check=True)
    return roster


@pytest.fixture(scope="module")
def plain_class(course_environment):
    """The class graded by plain sequential nbgrader (no sandbox), as the grader account."""
    ensure_account(GRADER)
    top = SHARED_ROOT / "rootless-sandbox"
    shutil.rmtree(top, ignore_errors=True)
    (top / "plain").mkdir(parents=True)
    SHARED_ROOT.chmod(0o755)
    plain = top / "plain" / "course"
    roster = _course_owned_by(GRADER, plain)
    run_as(GRADER, "nbgrader", "autograde", A1, "--Execute.timeout=10", cwd=plain, check=False)
    yield {"plain": plain, "roster": roster, "top": top}
    shutil.rmtree(top, ignore_errors=True)


@pytest.fixture(scope="module", params=["warm kernels", "fresh kernels"])
def rootless_class(request, plain_class):
    """The same class graded by `course grade` as the grader account: warm kernels (the
    default) or fresh ones."""
    warm = request.param == "warm kernels"
    folder = plain_class["top"] / ("warm" if warm else "fresh")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    sandboxed = folder / "course"
    assert _course_owned_by(GRADER, sandboxed) == plain_class["roster"]
    grade = ["course", "grade", A1, "--jobs", "2", "--cell-timeout", "10"]
    left_before = set(Path("/tmp").glob("warm-kernels-*"))
    graded = run_as(GRADER, *grade, *([] if warm else ["--fresh-kernels"]), cwd=sandboxed)
    # The kernels' scratch folders live in the run's folder, removed with it.
    assert set(Path("/tmp").glob("warm-kernels-*")) == left_before
    # Where nested namespaces are refused, course grade says so once and starts fresh ones.
    assert "no warm kernels" not in graded.stderr, graded.stderr
    yield {**plain_class, "sandboxed": sandboxed, "output": graded.stdout}
    shutil.rmtree(folder, ignore_errors=True)


def test_an_ordinary_grader_grades_like_nbgrader(rootless_class):
    sandboxed, _ = gradebook_state(rootless_class["sandboxed"])
    plain, rows = gradebook_state(rootless_class["plain"])
    hog = student_of_kind(rootless_class["roster"], "memory_hog")
    # The memory limit holds for an ordinary grader too: the 4 GB allocation fails.
    assert sandboxed.pop((hog, "test_activations")) == 0.0
    assert plain.pop((hog, "test_activations")) == 3.0
    assert sandboxed == plain and len(sandboxed) > 20
    correct = student_of_kind(rootless_class["roster"], "correct")
    assert correct in rootless_class["output"]


def test_student_code_cannot_reach_the_course_under_bubblewrap(rootless_class):
    snooper = student_of_kind(rootless_class["roster"], "snooping")
    notebook = f"autograded/{snooper}/{A1}/{A1}.ipynb"
    attempts = [
        line
        for line in output_text(rootless_class["sandboxed"] / notebook).splitlines()
        if line.split(" ")[0] in {"READ", "WROTE", "BLOCKED"}
    ]
    # source/ (two ways), the gradebook (two ways), nbgrader_config.py, another student's
    # notebook; writes into the course, into the snooper's own submission, and /var/tmp.
    assert len(attempts) == 9 and all(line.startswith("BLOCKED") for line in attempts), attempts
    assert not (rootless_class["sandboxed"] / "snooped.txt").exists()
    plain = output_text(rootless_class["plain"] / notebook)
    for target in ["../../../source/", "../../../gradebook.db", "nbgrader_config.py", "correct"]:
        assert any(line.startswith("READ") and target in line for line in plain.splitlines()), (
            target
        )


def test_no_user_namespaces_means_no_grading(rootless_class):
    """Where the system refuses user namespaces, `course grade` runs no student code and
    names --no-sandbox (``without_user_namespaces`` plays such a machine)."""
    course = rootless_class["sandboxed"]
    graded = sorted((course / "autograded").rglob("*.ipynb"))
    stamps = {path: path.stat().st_mtime_ns for path in graded}
    refused = run_as(
        GRADER, "course", "grade", A1, "--force", cwd=course, check=False, user_namespaces=False
    )
    assert refused.returncode != 0
    message = refused.stdout + refused.stderr
    assert "--no-sandbox" in message and "cannot isolate student kernels" in message, message
    assert "namespace" in message, message  # bubblewrap's own reason is passed on
    assert {path: path.stat().st_mtime_ns for path in graded} == stamps


def test_where_nested_namespaces_are_refused_kernels_start_fresh(plain_class):
    """A bubblewrap that forbids user namespaces inside its sandbox (``--disable-userns``,
    a wrapper first on PATH) plays a machine that refuses nested ones: `course grade` says
    so once, grades with fresh kernels under bubblewrap, and the grades are nbgrader's."""
    folder = plain_class["top"] / "no-nested-namespaces"
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "bin").mkdir(parents=True)
    wrapper = folder / "bin" / "bwrap"
    bwrap = shutil.which("bwrap")
    wrapper.write_text(f'#!/bin/sh\nexec {bwrap} --unshare-user --disable-userns "$@"\n')
    wrapper.chmod(0o755)
    course = folder / "course"
    assert _course_owned_by(GRADER, course) == plain_class["roster"]
    path = f"{folder / 'bin'}:{COURSE_ENVIRONMENT / 'bin'}:/usr/local/bin:/usr/bin:/bin"
    grade = ["course", "grade", A1, "--jobs", "2", "--cell-timeout", "10"]
    graded = run_as(GRADER, *grade, cwd=course, extra_env={"PATH": path})
    said = [line for line in graded.stderr.splitlines() if "no warm kernels" in line]
    assert len(said) == 1 and "fresh kernels under bubblewrap" in said[0], graded.stderr
    sandboxed, _ = gradebook_state(course)
    plain, _ = gradebook_state(plain_class["plain"])
    hog = student_of_kind(plain_class["roster"], "memory_hog")
    assert sandboxed.pop((hog, "test_activations")) == 0.0
    plain.pop((hog, "test_activations"))
    assert sandboxed == plain and len(sandboxed) > 20
    shutil.rmtree(folder, ignore_errors=True)


def test_the_launcher_as_an_ordinary_user(course_environment):
    """The bubblewrap engine on its own: the grader's uid, no home, no course, no network."""
    ensure_account(GRADER)
    home = Path(pwd.getpwnam(GRADER).pw_dir)
    course_file = home / "course-notes.txt"
    course_file.write_text("the instructor's secret")
    shutil.chown(course_file, GRADER)
    listener, port = listening_port()
    probe = PROBE.replace('os.environ["COURSE_FILE"]', repr(str(course_file)))
    probe = probe.replace("PORT", str(port)).replace(
        'os.listdir(os.path.expanduser("~root"))', f"attempt(lambda: os.listdir({str(home)!r}))"
    )
    python = str(course_environment / "bin" / "python")
    launcher = [
        python,
        "-m",
        "autograder.grader_tools.batch_grading.kernel_launcher",
        "--memory-mb",
        "1024",
    ]
    result = run_as(
        GRADER,
        *launcher,
        "--check",
        "--",
        python,
        "-c",
        probe,
        cwd=home,
        extra_env={"GRADER_SECRET_TOKEN": "do-not-leak"},
    )
    listener.close()
    seen = json.loads(result.stdout)
    assert seen["uid"] == pwd.getpwnam(GRADER).pw_uid and seen["cwd"] == "/tmp"
    assert "GRADER_SECRET_TOKEN" not in seen["environment"]
    assert seen["read course"] == "FileNotFoundError"
    assert seen["grader home"] == "FileNotFoundError"  # bubblewrap's view has no /home
    assert seen["write scratch"] == "allowed"
    assert seen["write var tmp"] in ("FileNotFoundError", "OSError", "PermissionError")
    assert seen["write package"] in ("OSError", "PermissionError")
    assert seen["memory"] == "MemoryError"
    assert seen["grader's loopback"] in ("OSError", "ConnectionRefusedError")


def test_two_warm_kernels_at_once_see_nothing_of_each_other(course_environment):
    """Two kernels forked by an ordinary grader's fork server, both alive: each is alone
    in its PID namespace with no capability, sees its own scratch folder as /tmp and its own
    IPC folder, and nothing of the other (scratch, files, sockets, process) or the course.
    An interrupt reaches the kernel, and killing its launcher ends it."""
    ensure_account(GRADER)
    folder = SHARED_ROOT / "warm-kernels"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    shutil.chown(folder, GRADER, GRADER)
    probe = Path(__file__).with_name("warm_kernels_probe.py")
    try:
        result = run_as(GRADER, "python", str(probe), str(folder), cwd=folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    first, second = json.loads(result.stdout.strip().splitlines()[-1])
    for n, seen in enumerate([first, second], 1):
        assert seen["uid"] == pwd.getpwnam(GRADER).pw_uid and seen["cwd"] == "/tmp", seen
        assert seen["pid"] == 1 and seen["processes"] == [1], seen
        assert seen["CapEff"] == "0000000000000000" and seen["NoNewPrivs"] == "1", seen
        assert seen["support file"] == repr(f"support file {n}")
        assert seen["copied back"] == "written by the kernel"
        for hidden in ("scratch folders", "other scratch", "other's file", "other's work"):
            assert seen[hidden] == "FileNotFoundError", (hidden, seen)
        assert seen["course"] == "FileNotFoundError", seen
        assert seen["other's sockets"] == "FileNotFoundError", seen
        assert seen["run folder"] == repr([f"kernels-{n}"]), seen
        assert seen["signal other"] == "ProcessLookupError", seen
        assert seen["write dev"] in ("OSError", "PermissionError"), seen
        assert seen["write system"] in ("OSError", "PermissionError"), seen
        assert seen["shared memory"] == "[]", seen
    # An interrupt (a cell's timeout) reaches the kernel; it ends with its launcher.
    assert first["interrupted"] == "KeyboardInterrupt"
    assert first["ends with its launcher"] is True
