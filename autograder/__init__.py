"""The course "How neural networks learn": its checks, quiz engine, lesson widgets and tools.

The package holds no solutions and no reference values: those live in the
instructor's ``source/`` hidden tests, which nbgrader removes from the release.

Two layers, and imports go one way only (``lint-imports`` checks the contracts in
``pyproject.toml``):

**The student's runtime**: everything a lesson, validating or grading kernel imports.

- ``gradient_checking``: finite-difference gradient checks that say what is wrong.
- ``course_checks``: ready-made checks in the course's gradient convention.
- ``course_data``: the handwritten digits, split train / validation / test.
- ``integrity_guard``: the in-kernel guard and the tamper scan (threat model in its
  ``__init__``).
- ``quiz_engine``: question banks, marking, exercise state and their widgets.
- ``lesson_widgets``: the lessons' interactive models, each with its view.
- ``accessible_widgets``: the controls ipywidgets cannot make accessible.
- ``student_tracebacks``: what a student sees when a check fails.
- ``notebook_metadata``: the keys and records a grading kernel leaves for the grader.

**The grader's tools** (``grader_tools``): the ``course`` command, batch grading, the
class report, exports, feedback, deadlines and the exchange. They import the runtime; the
runtime never imports them.

The third layer, simulated submissions and classes for tests, benchmarks and
demonstrations, is the top-level ``course_simulation`` package, which is not installed.
"""

__version__ = "0.1.0"
