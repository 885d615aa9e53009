"""nbgrader settings for every account on the hub: installed as /etc/jupyter/nbgrader_config.py.

The course's own nbgrader_config.py (in the course folder) adds the course's settings for
the instructor's and grader's commands and the formgrader.
"""

import os

from nbgrader.auth import JupyterHubAuthPlugin

c = get_config()  # noqa: F821  (injected by traitlets when it loads this file)

c.Exchange.root = os.environ.get("NBGRADER_EXCHANGE", "/srv/nbgrader/exchange")
c.Exchange.path_includes_course = True  # the exchange can hold several courses
c.Authenticator.plugin_class = JupyterHubAuthPlugin  # courses from the hub's groups
# A submission is readable by its student and the course's graders only (nbgrader's own
# submit leaves it readable by every account that learns its name).
c.ExchangeFactory.submit = "autograder.private_exchange.PrivateExchangeSubmit"
