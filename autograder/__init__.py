"""The course "How neural networks learn": checking machinery, quiz engine, lesson widgets.

The package holds no solutions and no reference values: those live in the
instructor's ``source/`` hidden tests, which nbgrader removes from the release.

One module or package, one job:

- ``gradient_checking``: finite-difference gradient checks that say what is wrong.
- ``course_checks``: ready-made checks in the course's gradient convention.
- ``course_data``: the handwritten digits, split train / validation / test.
- ``grading``: tamper scan and nbgrader preprocessors that guard the gradebook.
- ``quiz_engine``: question banks, marking, exercise state and their widgets.
- ``lesson_widgets``: the lessons' interactive models and views.
- ``notebook_hygiene``: clean notebooks (no outputs, no widget state, kernelspec, ids).
- ``course_files``, ``release_sync``, ``course_commands``: the instructor's ``course`` command.
"""

__version__ = "0.1.0"
