"""JupyterHub for the course: each person an account, the formgrader a service of the grader.

nbgrader's documented multi-user set-up ("Using nbgrader with JupyterHub", its demo with
several courses), for one course:

- every user's JupyterLab comes from the course environment (deploy/install_course_environment.sh),
  with nbgrader's extensions and the course's widgets;
- the course's formgrader is a hub-managed service, ``COURSE``, run by the grader account
  in the course folder; the group ``formgrade-COURSE`` (instructor, grader) may open it;
- the group ``nbgrader-COURSE`` (the students, the instructor) may see the course in the
  Assignment List; nbgrader's ``JupyterHubAuthPlugin`` reads these groups
  (deploy/global_nbgrader_config.py, installed as /etc/jupyter/nbgrader_config.py);
- the exchange is a shared folder (``EXCHANGE``) with the permissions nbgrader sets, and
  submissions readable by their student and the grader only (``PrivateExchangeSubmit``);
- each student's JupyterLab opens at an nbgitpuller link: the lessons and their question
  banks are pulled from the course's lessons repository into ``~/course_content`` (cloned
  the first time, merged with the student's own edits after) and the course index opens;
  the repository is served by ``git daemon``, a hub-managed service run by the instructor;
- each student's server gets ``COURSE_STUDENT_ID`` and ``COURSE_QUIZ_KEY`` from the course
  secret (read here, as root; the file stays the grader's alone): the graded quiz knows who
  they are.

Read from the environment (deploy/trial_hub.py sets them): COURSE_HUB_STATE (the hub's
own files), COURSE_ID, COURSE_ROOT, COURSE_ENVIRONMENT, COURSE_EXCHANGE, COURSE_HUB_PORT,
COURSE_SERVICE_PORT, COURSE_INSTRUCTORS, COURSE_GRADERS, COURSE_STUDENTS (comma-separated
account names), COURSE_TRIAL_PASSWORD, COURSE_LESSONS_REPOSITORY (the lessons' bare git
repository, owned by the instructor), COURSE_LESSONS_PORT (git daemon's), COURSE_QUIZ_SECRET
(default: COURSE_ROOT/.quiz_secret). A real deployment changes only the authenticator (see
deploy/README.md).
"""

import os
from pathlib import Path
from urllib.parse import urlencode

from autograder.quiz_engine.course_secret import spawner_environment

c = get_config()  # noqa: F821  (injected by traitlets when it loads this file)


def accounts(variable: str) -> list[str]:
    return [name for name in os.environ.get(variable, "").split(",") if name]


course = os.environ.get("COURSE_ID", "backprop101")
state = os.environ["COURSE_HUB_STATE"]
environment = os.environ.get("COURSE_ENVIRONMENT", "/opt/backprop-course/env")
exchange = os.environ.get("COURSE_EXCHANGE", "/srv/nbgrader/exchange")
instructors = accounts("COURSE_INSTRUCTORS")
graders = accounts("COURSE_GRADERS")
students = accounts("COURSE_STUDENTS")
service_owner = graders[0]
quiz_secret = os.environ.get("COURSE_QUIZ_SECRET", f"{os.environ['COURSE_ROOT']}/.quiz_secret")
lessons_repository = Path(
    os.environ.get("COURSE_LESSONS_REPOSITORY", "/srv/backprop-course/lessons.git")
)
lessons_port = os.environ.get("COURSE_LESSONS_PORT", "9418")
path = f"{environment}/bin:/usr/local/bin:/usr/bin:/bin"

c.JupyterHub.bind_url = f"http://127.0.0.1:{os.environ.get('COURSE_HUB_PORT', '8000')}"
c.JupyterHub.hub_port = int(os.environ.get("COURSE_HUB_API_PORT", "8081"))
c.JupyterHub.db_url = f"sqlite:///{state}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = f"{state}/jupyterhub_cookie_secret"
c.JupyterHub.pid_file = f"{state}/jupyterhub.pid"
c.ConfigurableHTTPProxy.pid_file = f"{state}/proxy.pid"
c.ConfigurableHTTPProxy.api_url = (
    f"http://127.0.0.1:{os.environ.get('COURSE_PROXY_API_PORT', '8001')}"
)
# Debian's proxy needs Node.js to find Debian's modules.
c.ConfigurableHTTPProxy.command = ["configurable-http-proxy"]
os.environ["NODE_PATH"] = "/usr/share/nodejs"

# A trial hub: one password for the demo accounts. A real one: PAM, OAuth, LTI (README).
c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = os.environ["COURSE_TRIAL_PASSWORD"]
c.Authenticator.allowed_users = set(instructors + graders + students)
c.Authenticator.admin_users = set(instructors)
# Before anything is released the Assignment List says only "No courses found.".
c.JupyterHub.template_vars = {
    "announcement_login": (
        "Students: your lessons open when you log in (start with the course index). "
        "Assignments appear in <b>Nbgrader → Assignment List</b> once your instructor "
        "releases them; until then it says “No courses found.”"
    )
}

# Each user's JupyterLab, from the course environment, as that Unix account.
c.Spawner.cmd = [f"{environment}/bin/jupyterhub-singleuser"]
c.Spawner.default_url = "/lab"
c.Spawner.environment = {"PATH": path, "NBGRADER_EXCHANGE": exchange}
c.Spawner.http_timeout = 120  # two cores: a first JupyterLab start can be slow
c.Spawner.start_timeout = 120

# Students open at nbgitpuller's link: the lessons pulled (the student's own edits kept,
# nbgitpuller's merge) into ~/course_content, then the course index.
lessons_link = "/git-pull?" + urlencode(
    {
        "repo": f"git://127.0.0.1:{lessons_port}/{lessons_repository.name}",
        "branch": "main",
        "targetpath": "course_content",
        "urlpath": "lab/tree/course_content/lessons/00_course_index.ipynb",
    }
)


def student_server(spawner) -> None:
    """A student's server: the lessons first, and their quiz identity from the course
    secret (a hub that cannot read it logs why, and the quiz asks the student instead)."""
    name = spawner.user.name
    if name in instructors or name in graders:
        return
    spawner.default_url = lessons_link
    try:
        spawner.environment = {**spawner.environment, **spawner_environment(quiz_secret, name)}
    except ValueError as error:
        spawner.log.error("no quiz identity for %s: %s", name, error)


c.Spawner.pre_spawn_hook = student_server

c.JupyterHub.load_groups = {
    "instructors": {"users": instructors},
    f"formgrade-{course}": {"users": instructors + graders},
    f"nbgrader-{course}": {"users": instructors + students},
}
c.JupyterHub.load_roles = [
    {"name": "instructor", "groups": ["instructors"], "scopes": ["admin:users", "admin:servers"]},
    # A server's token may do what its owner may (nbgrader's extensions ask the hub API).
    {"name": "server", "scopes": ["inherit"]},
    {
        "name": f"formgrade-{course}",
        "groups": [f"formgrade-{course}"],
        "scopes": [f"access:services!service={course}", "list:services"],
    },
    {
        "name": f"nbgrader-{course}",
        "groups": [f"nbgrader-{course}"],
        "scopes": ["list:services", f"read:services!service={course}"],
    },
    # The formgrader's token: nbgrader's JupyterHubAuthPlugin reads and edits the groups.
    {
        "name": f"{course}-service",
        "services": [course],
        "scopes": ["read:users", "read:groups", "admin:groups", "list:users"],
    },
]
c.JupyterHub.services = [
    {
        "name": course,
        "url": f"http://127.0.0.1:{os.environ.get('COURSE_SERVICE_PORT', '9999')}",
        "command": [f"{environment}/bin/jupyterhub-singleuser"],
        "user": service_owner,
        "cwd": os.environ["COURSE_ROOT"],
        "environment": {
            "JUPYTERHUB_DEFAULT_URL": "/lab",
            "PATH": path,
            "NBGRADER_EXCHANGE": exchange,
            "HOME": os.path.expanduser(f"~{service_owner}"),
        },
        "oauth_no_confirm": True,
    },
    # The lessons' repository, read-only to everyone who can reach the port (git://, the
    # instructor's account runs it: git refuses a repository another account owns).
    {
        "name": "lessons",
        "command": [
            "git",
            "daemon",
            "--reuseaddr",
            "--listen=127.0.0.1",
            f"--port={lessons_port}",
            f"--base-path={lessons_repository.parent}",
            "--export-all",
            "--strict-paths",
            str(lessons_repository),
        ],
        "user": instructors[0],
        "cwd": str(lessons_repository.parent),
        "environment": {"PATH": path, "HOME": os.path.expanduser(f"~{instructors[0]}")},
    },
]
