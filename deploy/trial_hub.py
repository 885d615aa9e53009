"""A trial JupyterHub for the course on one machine: demo accounts, the course, the exchange.

    sudo python3 deploy/trial_hub.py        # prints the address and the demo password

As root (JupyterHub starts each person's JupyterLab as their own Unix account). It makes:

- the accounts ``instructor``, ``grader``, ``student1``..``student3`` (ordinary users);
- the course environment in /opt/backprop-course/env (install_course_environment.sh) and,
  inside it, the hub's nbgrader settings (global_nbgrader_config.py): they apply to
  everyone who runs the course's tools, and to nothing else on the machine;
- the exchange /srv/nbgrader/exchange (everyone may write; nbgrader sets the rest);
- the course in the grader's home (``~grader/backprop101``: source/, release/, the course's
  nbgrader_config.py, a quiz secret), owned by the grader, with a1..a3 generated;
- the lessons' git repository /srv/backprop-course/lessons.git (course_content/, owned by
  the instructor), which the hub serves to the students' nbgitpuller links;

then runs JupyterHub with deploy/jupyterhub_config.py until it gets SIGTERM, SIGINT (Ctrl-C)
or SIGHUP, and stops everything it started (``serve``). Tests use ``TrialHub`` directly
(other ports and folders, their own password).
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

DEPLOY = Path(__file__).resolve().parent
REPO = DEPLOY.parent
COURSE_FILES = ("source", "release", "nbgrader_config.py")
# What a shell script, a service manager (systemd), Ctrl-C or a closed terminal sends.
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


@dataclass
class TrialHub:
    """Where the trial hub keeps things and who uses it; ``prepare``, ``start``, ``stop``."""

    state: Path = Path("/srv/backprop-course-hub")
    course_id: str = "backprop101"
    environment: Path = Path("/opt/backprop-course/env")
    exchange: Path = Path("/srv/nbgrader/exchange")
    instructor: str = "instructor"
    grader: str = "grader"
    students: tuple[str, ...] = ("student1", "student2", "student3")
    password: str = field(default_factory=lambda: secrets.token_urlsafe(9))
    port: int = 8000
    api_port: int = 8081
    proxy_api_port: int = 8001
    service_port: int = 9999
    lessons_repository: Path = Path("/srv/backprop-course/lessons.git")
    lessons_port: int = 9418
    process: subprocess.Popen | None = None

    @property
    def accounts(self) -> list[str]:
        return [self.instructor, self.grader, *self.students]

    @property
    def course_root(self) -> Path:
        return Path(pwd.getpwnam(self.grader).pw_dir) / self.course_id

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def prepare(self, install_environment: bool = True) -> None:
        for name in self.accounts:
            _ensure_account(name)
            _set_up_jupyterlab(name, student=name in self.students)
            _course_tools_on_login_path(name, self.environment)
        if install_environment:
            script = DEPLOY / "install_course_environment.sh"
            subprocess.run(["bash", str(script), str(self.environment)], check=True)
        settings = self.environment / "etc" / "jupyter" / "nbgrader_config.py"
        settings.parent.mkdir(parents=True, exist_ok=True)
        settings.write_text(_site_settings(self.exchange))
        settings.chmod(0o644)
        self.exchange.mkdir(parents=True, exist_ok=True)
        self.exchange.chmod(0o777)  # nbgrader's documented exchange: everyone writes
        self._prepare_course()
        self._prepare_lessons()
        self.state.mkdir(parents=True, exist_ok=True)
        self.state.chmod(0o700)

    def _prepare_course(self) -> None:
        course = self.course_root
        if not (course / "nbgrader_config.py").exists():
            course.mkdir(parents=True)
            for name in COURSE_FILES:
                source = REPO / name
                if source.is_dir():
                    shutil.copytree(source, course / name)
                else:
                    shutil.copy(source, course / name)
            subprocess.run(["chown", "-R", f"{self.grader}:{self.grader}", str(course)], check=True)
        secret = course / ".quiz_secret"
        if not secret.exists():
            self.run_as(
                self.grader,
                "python",
                "-c",
                "from autograder.quiz_engine.course_secret import create_course_secret as c;"
                "c(__import__('pathlib').Path('.quiz_secret'))",
            )
        for assignment in sorted(p.name for p in (course / "source").iterdir() if p.is_dir()):
            self.run_as(self.grader, "nbgrader", "generate_assignment", assignment, "--force")

    def _prepare_lessons(self) -> None:
        """The lessons' bare repository, from course_content/, owned by the instructor (who
        updates it with git push); kept as it is if it exists (the instructor's updates)."""
        repository = self.lessons_repository
        if repository.exists():
            return
        repository.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix="lessons-"))
        try:
            shutil.copytree(
                REPO / "course_content",
                work / "course_content",
                ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"),
            )
            git = ["git", "-C", str(work / "course_content")]
            subprocess.run([*git, "init", "--quiet", "--initial-branch=main"], check=True)
            subprocess.run([*git, "add", "."], check=True)
            author = ["-c", "user.name=Course instructor", "-c", "user.email=instructor@localhost"]
            subprocess.run([*git, *author, "commit", "--quiet", "-m", "The lessons"], check=True)
            subprocess.run(
                [
                    "git",
                    "clone",
                    "--quiet",
                    "--bare",
                    str(work / "course_content"),
                    str(repository),
                ],
                check=True,
            )
        finally:
            shutil.rmtree(work)
        subprocess.run(
            ["chown", "-R", f"{self.instructor}:{self.instructor}", str(repository)], check=True
        )

    def user_environment(self, account: str) -> dict[str, str]:
        """A login-like environment for ``account`` with the course's tools first."""
        home = pwd.getpwnam(account).pw_dir
        return {
            "HOME": home,
            "USER": account,
            "LOGNAME": account,
            "PATH": f"{self.environment / 'bin'}:/usr/local/bin:/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "TMPDIR": "/tmp",
            "NBGRADER_EXCHANGE": str(self.exchange),
        }

    def run_as(
        self, account: str, *command: str, check: bool = True, cwd: Path | None = None
    ) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [shutil.which("runuser") or "/usr/sbin/runuser", "-u", account, "--", *command],
            cwd=cwd or self.course_root,
            env=self.user_environment(account),
            capture_output=True,
            text=True,
            check=False,
        )
        if check and result.returncode != 0:
            raise RuntimeError(
                f"{account}: {' '.join(command)} exited {result.returncode}:\n"
                f"{result.stdout}\n{result.stderr}"
            )
        return result

    def hub_environment(self) -> dict[str, str]:
        return {
            "PATH": f"{self.environment / 'bin'}:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
            "LANG": "C.UTF-8",
            "COURSE_HUB_STATE": str(self.state),
            "COURSE_ID": self.course_id,
            "COURSE_ROOT": str(self.course_root),
            "COURSE_ENVIRONMENT": str(self.environment),
            "COURSE_EXCHANGE": str(self.exchange),
            "COURSE_HUB_PORT": str(self.port),
            "COURSE_HUB_API_PORT": str(self.api_port),
            "COURSE_PROXY_API_PORT": str(self.proxy_api_port),
            "COURSE_SERVICE_PORT": str(self.service_port),
            "COURSE_INSTRUCTORS": self.instructor,
            "COURSE_GRADERS": self.grader,
            "COURSE_STUDENTS": ",".join(self.students),
            "COURSE_TRIAL_PASSWORD": self.password,
            "COURSE_LESSONS_REPOSITORY": str(self.lessons_repository),
            "COURSE_LESSONS_PORT": str(self.lessons_port),
        }

    def start(self, log: Path | None = None, timeout: float = 180) -> None:
        """Start JupyterHub (and through it the proxy and the formgrader service); return
        once the hub answers."""
        log = log or self.state / "jupyterhub.log"
        command = [
            str(self.environment / "bin" / "jupyterhub"),
            "-f",
            str(DEPLOY / "jupyterhub_config.py"),
        ]
        with log.open("ab") as output:
            self.process = subprocess.Popen(
                command,
                cwd=self.state,
                env=self.hub_environment(),
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterHub exited with {self.process.returncode}: see {log}")
            try:
                with urllib.request.urlopen(f"{self.url}/hub/api", timeout=5) as answer:
                    json.load(answer)
                return
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(1)
        raise RuntimeError(f"JupyterHub did not answer within {timeout} s: see {log}")

    def processes(self) -> list[int]:
        """Every process that runs as one of the trial's accounts (not the ended ones whose
        exit status waits to be collected: zombies)."""
        uids = {pwd.getpwnam(name).pw_uid for name in self.accounts}
        found = []
        for entry in Path("/proc").glob("[0-9]*"):
            try:
                if entry.stat().st_uid in uids and _running(int(entry.name)):
                    found.append(int(entry.name))
            except OSError:
                continue
        return found

    def stop(self, timeout: float = 60) -> None:
        """Stop the hub, the proxy, the formgrader service and every user's server: each
        is asked to end (all at once: the hub alone stops them one after another), then
        whatever is left of them is killed, by process id."""
        asked = self.processes()
        if self.process is not None and self.process.poll() is None:
            asked.append(self.process.pid)
        for pid in asked:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        if self.process is not None:
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        proxy = self.state / "proxy.pid"
        leftovers = self.processes()
        with contextlib.suppress(OSError, ValueError):  # no proxy left, or no pid file
            pid = int(proxy.read_text().strip())
            if b"configurable-http-proxy" in Path(f"/proc/{pid}/cmdline").read_bytes():
                leftovers.append(pid)
        for pid in leftovers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        # SIGKILL takes effect asynchronously: return once they have ended.
        deadline = time.monotonic() + timeout
        while any(_running(pid) for pid in leftovers) and time.monotonic() < deadline:
            time.sleep(0.1)


def _running(pid: int) -> bool:
    """The process exists and has not ended (a zombie has)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"  # the state follows the command's name


# A student's JupyterLab has the Assignment List and Validate, not the instructor's tools.
INSTRUCTOR_ONLY_LAB = ("formgrader", "course-list", "create-assignment")
INSTRUCTOR_ONLY_SERVER = ("formgrader", "course_list")


def _set_up_jupyterlab(account: str, student: bool) -> None:
    """No news pop-up for anyone (nothing that waits on the network or covers the page);
    nbgrader's instructor extensions off for students."""
    user = pwd.getpwnam(account)
    jupyter = Path(user.pw_dir) / ".jupyter"
    files = {
        "lab/user-settings/@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
            "fetchNews": "false",
            "checkForUpdates": False,
        }
    }
    if student:
        files["labconfig/page_config.json"] = {
            "disabledExtensions": {
                f"@jupyter/nbgrader:{name}": True for name in INSTRUCTOR_ONLY_LAB
            }
        }
        files["jupyter_server_config.json"] = {
            "ServerApp": {
                "jpserver_extensions": {
                    f"nbgrader.server_extensions.{name}": False for name in INSTRUCTOR_ONLY_SERVER
                }
            }
        }
    for relative, content in files.items():
        path = jupyter / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(content, indent=1))
    subprocess.run(["chown", "-R", f"{user.pw_uid}:{user.pw_gid}", str(jupyter)], check=True)


def _site_settings(exchange: Path) -> str:
    """global_nbgrader_config.py with this trial's exchange: every nbgrader command of the
    course's environment finds it, however it is started (no NBGRADER_EXCHANGE needed)."""
    text = (DEPLOY / "global_nbgrader_config.py").read_text()
    default = 'EXCHANGE = "/srv/nbgrader/exchange"\n'
    if text.count(default) != 1:
        raise RuntimeError(f"global_nbgrader_config.py has no line {default.strip()!r}")
    return text.replace(default, f"EXCHANGE = {str(exchange)!r}\n")


def _course_tools_on_login_path(account: str, environment: Path) -> None:
    """The course's tools first on PATH in the account's login shells (``sudo -u grader
    -i``; a terminal in JupyterLab, where /etc/profile resets the spawner's PATH): a line in
    its ~/.profile, written as the account."""
    line = f'PATH="{environment / "bin"}:$PATH"  # the course\'s tools (trial_hub.py)'
    script = 'grep -qxF "$1" "$2" 2>/dev/null || printf "%s\\n" "$1" >> "$2"'
    runuser = shutil.which("runuser") or "/usr/sbin/runuser"
    home = pwd.getpwnam(account).pw_dir
    command = [runuser, "-u", account, "--", "sh", "-c", script, "sh", line, f"{home}/.profile"]
    subprocess.run(command, cwd=home, check=True)


def _ensure_account(name: str) -> None:
    """An ordinary account whose home only its owner can read (Debian's default lets every
    account read every home: a student's work, the grader's course and its answers)."""
    try:
        account = pwd.getpwnam(name)
    except KeyError:
        subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", name], check=True)
        account = pwd.getpwnam(name)
    Path(account.pw_dir).chmod(0o700)


class StopSignal(Exception):
    """One of STOP_SIGNALS arrived."""


def _raise_stop_signal(signum: int, frame: object) -> None:
    raise StopSignal(signal.Signals(signum).name)


def serve(hub: TrialHub, install_environment: bool = True) -> None:
    """Prepare and run the trial until one of STOP_SIGNALS arrives (or the hub exits), then
    stop everything it started: the hub, the proxy, the services, every user's server."""
    for signum in STOP_SIGNALS:
        signal.signal(signum, _raise_stop_signal)
    try:
        hub.prepare(install_environment)
        hub.start()
        print(f"The course's trial hub: {hub.url}", flush=True)
        print(f"Log in as {', '.join(hub.accounts)} with the password {hub.password}")
        print(f"The formgrader: {hub.url}/services/{hub.course_id}/formgrader")
        print(f"Stop it with Ctrl-C, or kill -TERM {os.getpid()}", flush=True)
        assert hub.process is not None
        hub.process.wait()
    except StopSignal as stop:
        print(f"{stop}: stopping the trial hub", flush=True)
    finally:
        for signum in STOP_SIGNALS:  # a second signal must not cut the stopping short
            signal.signal(signum, signal.SIG_IGN)
        hub.stop()


def main() -> None:
    if os.geteuid() != 0:
        sys.exit("trial_hub: run as root (the hub starts each person's server as them)")
    serve(TrialHub())


if __name__ == "__main__":
    main()
