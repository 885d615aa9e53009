"""nbgrader settings for every account on the hub: installed as /etc/jupyter/nbgrader_config.py.

The course's own nbgrader_config.py (in the course folder) adds the course's settings for
the instructor's and grader's commands and the formgrader.
"""

import os

from nbgrader.auth import JupyterHubAuthPlugin

from autograder.exchange_access import CHECKED_EXCHANGE

c = get_config()  # noqa: F821  (injected by traitlets when it loads this file)

# The shared exchange, for every command however it is started (a login shell has no
# NBGRADER_EXCHANGE); the course's own nbgrader_config.py leaves it alone. trial_hub.py
# installs this file with its own exchange on the next line.
EXCHANGE = "/srv/nbgrader/exchange"
c.Exchange.root = os.environ.get("NBGRADER_EXCHANGE", EXCHANGE)
c.Exchange.path_includes_course = True  # the exchange can hold several courses
c.Authenticator.plugin_class = JupyterHubAuthPlugin  # courses from the hub's groups
# Every exchange command says in one line which folder refused which account.
for operation, checked_class in CHECKED_EXCHANGE.items():
    setattr(c.ExchangeFactory, operation, checked_class)
# A submission is readable by its student and the course's graders only (nbgrader's own
# submit leaves it readable by every account that learns its name).
c.ExchangeFactory.submit = "autograder.private_exchange.PrivateExchangeSubmit"
