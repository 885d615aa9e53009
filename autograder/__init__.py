"""The course "How neural networks learn": checking machinery, quiz engine, lesson widgets.

The package holds no solutions and no reference values: those live in the
instructor's ``source/`` hidden tests, which nbgrader removes from the release.

One module or package, one job:

- ``gradient_checking``: finite-difference gradient checks that say what is wrong.
- ``course_checks``: ready-made checks in the course's gradient convention.
- ``course_data``: the handwritten digits, split train / validation / test.
- ``grading``: the in-kernel integrity guard, the tamper scan and nbgrader preprocessors.
- ``batch_grading``: ``course grade`` and ``course report`` for a whole class.
- ``simulation``: simulated submissions and classes (bugs, habits, faults, attacks).
- ``nbgrader_course``: one nbgrader course: config, gradebook, exchange, running nbgrader.
- ``site_config``: what nbgrader's configuration outside a course folder sets.
- ``exchange_access``, ``private_exchange``: nbgrader's exchange with one-line refusals;
  submissions readable by their student and the graders only.
- ``quiz_engine``: question banks, marking, exercise state and their widgets.
- ``lesson_widgets``: the lessons' interactive models, each with its view.
- ``notebook_hygiene``: clean notebooks (no outputs, no widget state, kernelspec, ids).
- ``course_files``, ``release_sync``, ``course_commands``: the instructor's ``course`` command.
"""

__version__ = "0.1.0"
