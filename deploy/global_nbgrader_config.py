"""nbgrader settings for every account on the hub: installed as /etc/jupyter/nbgrader_config.py.

The course's own nbgrader_config.py (in the course folder) adds the course's settings for
the instructor's and grader's commands and the formgrader.
"""

import os

from nbgrader.auth import JupyterHubAuthPlugin

from autograder.grader_tools.exchange_access import CHECKED_EXCHANGE

c = get_config()  # noqa: F821  (injected by traitlets when it loads this file)

# The shared exchange, for every command however it is started (a login shell has no
# NBGRADER_EXCHANGE); the course's own nbgrader_config.py leaves it alone. trial_hub.py
# installs this file with its own exchange on the next line.
EXCHANGE = "/srv/nbgrader/exchange"
c.Exchange.root = os.environ.get("NBGRADER_EXCHANGE", EXCHANGE)
c.Exchange.path_includes_course = True  # the exchange can hold several courses
c.Authenticator.plugin_class = JupyterHubAuthPlugin  # courses from the hub's groups
# The students' exchange commands say in one line which folder refused which account. The
# instructor's and grader's (release, collect, release_feedback) run in the course folder:
# its nbgrader_config.py chooses them (checked too; its collect honours extensions).
for operation in ("fetch_assignment", "fetch_feedback", "list"):
    setattr(c.ExchangeFactory, operation, CHECKED_EXCHANGE[operation])
# A submission is readable by its student and the course's graders only (nbgrader's own
# submit leaves it readable by every account that learns its name).
c.ExchangeFactory.submit = "autograder.grader_tools.private_exchange.PrivateExchangeSubmit"
