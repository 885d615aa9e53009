"""deploy/README.md's trial, its commands run exactly as written, by the accounts it names.

The commands are read from deploy/README.md itself (each ```bash block that starts with
``# as ACCOUNT``, in its numbered step), so the document and this test cannot drift. Each
runs in a login shell of its account (``runuser -l ACCOUNT -c ...``) with no environment
from the test: only what the account's login gives (no NBGRADER_EXCHANGE). The students'
steps are the JupyterLab Assignment List's own requests (list, Fetch, Submit, Fetch
Feedback) on each student's server, through the hub, as the student logged in.

What must follow: the grader's release appears in the students' Assignment List, the
collected submissions in the course's submitted/, and each student's own feedback, with
their score, in their home. (On main e6c87b5 the grader's commands used the course's
private exchange/ folder: the Assignment List stayed empty.)
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from deploy.trial_hub import TrialHub

from ..browser.lab_server import free_port
from ..course_helpers import REPO, wait_until
from .accounts import RUNUSER, SHARED_ROOT
from .trial_hubs import answer_a1

A1 = "a1_building_blocks"
README = REPO / "deploy" / "README.md"
# The README's demo accounts, and who plays them here (fresh accounts of this test's own).
PLAYED_BY = {"instructor": "doc-instructor", "grader": "doc-grader"}
# Each student: the catalogued bug in their answers (None: correct) and their score.
STUDENTS = {
    "doc-student-a": (None, "14.0 / 14.0"),
    "doc-student-b": ("forgot_1_over_m", "11.0 / 14.0"),
}
ACCOUNTS = (*PLAYED_BY.values(), *STUDENTS)
SPAWN_TIMEOUT = 300
ARTIFACTS = REPO / "test-artifacts" / "multi_user" / "documented"


@dataclass(frozen=True)
class DocumentedCommands:
    """One ```bash block of deploy/README.md: its step, the account, its command lines."""

    step: int
    account: str
    lines: tuple[str, ...]


def documented_commands(readme: Path = README) -> list[DocumentedCommands]:
    """Every ```bash block of ``readme`` that starts with ``# as ACCOUNT``, with the number
    of the list item it belongs to."""
    found, step = [], 0
    lines = readme.read_text().splitlines()
    for number, line in enumerate(lines):
        item = re.match(r"^(\d+)\. ", line)
        if item:
            step = int(item.group(1))
        if line.strip() != "```bash":
            continue
        body = []
        for following in lines[number + 1 :]:
            if following.strip() == "```":
                break
            body.append(following.strip())
        owner = re.fullmatch(r"# as (\S+)", body[0]) if body else None
        if owner:
            found.append(DocumentedCommands(step, owner.group(1), tuple(body[1:])))
    return found


def run_in_login_shell(account: str, folder: str, command: str) -> subprocess.CompletedProcess:
    """``command`` in ``folder`` in a login shell of ``account``; the test gives it no
    environment (runuser -l starts from the account's login alone)."""
    script = f"cd {folder} && {command}" if folder else command
    return subprocess.run(
        [RUNUSER, "-l", account, "-c", script],
        env={},
        cwd="/",
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )


def run_documented(block: DocumentedCommands) -> list[str]:
    """Run each command line of ``block`` as its account (``cd`` sets the folder of the
    lines after it); return what ran, for the failure messages."""
    account = PLAYED_BY[block.account]
    folder, ran = "", []
    for line in block.lines:
        if line.startswith("cd "):
            folder = line.removeprefix("cd ").strip()
            continue
        result = run_in_login_shell(account, folder, line)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        with (ARTIFACTS / "commands.log").open("a") as log:
            log.write(f"$ {line}  # {account}, exit {result.returncode}\n")
            log.write(result.stdout + result.stderr + "\n")
        assert result.returncode == 0, (
            f"{account} (README's {block.account}): {line} exited {result.returncode}:\n"
            f"{result.stdout}\n{result.stderr}"
        )
        ran.append(line)
    return ran


class AssignmentList:
    """A student logged in to the hub, using their JupyterLab's Assignment List requests."""

    def __init__(self, hub: TrialHub, account: str) -> None:
        self.hub, self.account = hub, account
        self.base = f"{hub.url}/user/{account}"
        self.session = requests.Session()
        self.session.get(f"{hub.url}/hub/login", timeout=60)
        answer = self.session.post(
            f"{hub.url}/hub/login",
            data={
                "username": account,
                "password": hub.password,
                "_xsrf": self.session.cookies.get("_xsrf", path="/hub/"),
            },
            timeout=SPAWN_TIMEOUT,
        )
        assert answer.ok, f"{account} could not log in: {answer.status_code}"

        # Until the server runs, its pages lead to the hub's spawn-pending page; then the
        # hub's OAuth sets the server's cookie and the lab page its _xsrf cookie.
        def lab_opens() -> bool:
            lab = self.session.get(f"{self.base}/lab", timeout=120)
            return lab.ok and lab.url.startswith(f"{self.base}/lab")

        wait_until(lab_opens, SPAWN_TIMEOUT, f"{account}'s JupyterLab started", interval=2)
        self.xsrf = self.session.cookies.get("_xsrf", path=f"/user/{account}/")

    def assignments(self) -> dict[str, str]:
        """The Assignment List of the course: assignment -> status."""
        answer = self.session.get(
            f"{self.base}/assignments", params={"course_id": self.hub.course_id}, timeout=300
        )
        return self._statuses(answer)

    def press(self, action: str, assignment: str) -> dict[str, str]:
        """The Assignment List's button ``action`` (fetch, submit, fetch_feedback)."""
        answer = self.session.post(
            f"{self.base}/assignments/{action}",
            data={"course_id": self.hub.course_id, "assignment_id": assignment},
            headers={"X-XSRFToken": self.xsrf or ""},
            timeout=300,
        )
        return self._statuses(answer)

    def _statuses(self, answer: requests.Response) -> dict[str, str]:
        assert answer.ok, f"{self.account}: {answer.request.url} -> {answer.status_code}"
        listing = answer.json()
        assert listing.get("success"), f"{self.account}: {listing.get('value')}"
        return {entry["assignment_id"]: entry["status"] for entry in listing["value"]}


def _remove_accounts() -> None:
    for name in ACCOUNTS:
        subprocess.run(["userdel", "--remove", name], capture_output=True, check=False)


@pytest.fixture(scope="module")
def hub(course_environment):
    _remove_accounts()  # fresh homes: nothing fetched or cached by an earlier run
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    top = SHARED_ROOT / "documented"
    shutil.rmtree(top, ignore_errors=True)
    hub = TrialHub(
        state=top / "state",
        environment=course_environment,
        exchange=top / "exchange",
        instructor=PLAYED_BY["instructor"],
        grader=PLAYED_BY["grader"],
        students=tuple(STUDENTS),
        port=free_port(),
        api_port=free_port(),
        proxy_api_port=free_port(),
        service_port=free_port(),
        lessons_repository=top / "lessons" / "lessons.git",  # not the real trial's
        lessons_port=free_port(),
    )
    top.mkdir(parents=True)
    SHARED_ROOT.chmod(0o755)
    top.chmod(0o755)
    hub.prepare(install_environment=False)  # course_environment installed it
    try:
        hub.start()
        yield hub
    finally:
        hub.stop()
        log = hub.state / "jupyterhub.log"  # the hub's and the users' servers' log
        if log.exists():
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            shutil.copy(log, ARTIFACTS / "jupyterhub.log")
        left = hub.processes()
        _remove_accounts()
        shutil.rmtree(top, ignore_errors=True)
        assert left == [], f"processes of the trial's accounts still running: {left}"


def test_the_readme_names_the_commands_of_the_trial():
    """The parse finds the grader's release (step 1) and grading (step 3) blocks."""
    blocks = {block.step: block for block in documented_commands()}
    assert sorted(blocks) == [1, 3]
    assert {block.account for block in blocks.values()} <= set(PLAYED_BY)
    assert f"nbgrader release_assignment {A1}" in blocks[1].lines
    for command in ("nbgrader collect", "course grade", "nbgrader release_feedback"):
        assert f"{command} {A1}" in blocks[3].lines


def test_the_documented_commands_reach_the_students(hub):
    blocks = {block.step: block for block in documented_commands()}
    course = hub.course_root

    # 1. The grader releases a1 as deploy/README.md says: it is in each Assignment List.
    run_documented(blocks[1])
    students = {name: AssignmentList(hub, name) for name in STUDENTS}
    for name, assignment_list in students.items():
        assert assignment_list.assignments().get(A1) == "released", (
            f"{name}'s Assignment List does not show {A1} after the grader's release "
            f"(the exchange {hub.exchange} holds {sorted(p.name for p in hub.exchange.rglob('*'))})"
        )

    # 2. Each student: Fetch, answer, Submit.
    for name, assignment_list in students.items():
        assert assignment_list.press("fetch", A1)[A1] == "fetched"
        home = Path(f"~{name}").expanduser()
        answer_a1(home / hub.course_id / A1 / f"{A1}.ipynb", name, STUDENTS[name][0])
        assert assignment_list.press("submit", A1)[A1] == "submitted"

    # 3. The grader collects, grades, reports and releases feedback, as written.
    try:
        run_documented(blocks[3])
    finally:  # the grading workers' logs, for a person to read
        for log in (course / ".course_grade").glob("*.log"):
            shutil.copy(log, ARTIFACTS / log.name)
    for name in STUDENTS:
        assert (course / "submitted" / name / A1 / f"{A1}.ipynb").is_file(), (
            f"nbgrader collect did not bring {name}'s submission to {course / 'submitted'}"
        )

    # 4. Each student: Fetch Feedback; their own score is in the feedback in their home.
    for name, assignment_list in students.items():
        assignment_list.press("fetch_feedback", A1)
        home = Path(f"~{name}").expanduser()
        feedback = sorted((home / hub.course_id / A1 / "feedback").glob(f"*/{A1}.html"))
        assert feedback, f"no feedback reached {name}"
        text = " ".join(re.sub(r"<[^>]+>", " ", feedback[-1].read_text()).split())
        assert f"Score: {STUDENTS[name][1]}" in text, f"{name}'s feedback: {feedback[-1]}"


def test_a_login_shell_without_a_hub_session_says_so(hub):
    """A student's commands ask the hub for the account's courses (JupyterHubAuthPlugin):
    in a plain login shell `nbgrader list` says so in one line (deploy/README.md)."""
    grader = PLAYED_BY["grader"]
    result = run_in_login_shell(grader, "~/backprop101", "nbgrader list")
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "Traceback" not in output, output
    assert f"account '{grader}' takes, and this shell has no hub session" in output, output
