"""Checking machinery for the course "How neural networks learn".

The package holds no solutions and no reference values: those live in the
instructor's ``source/`` hidden tests, which nbgrader removes from the release.

Parts, one job each:

- ``autograder.gradient_checking``: finite-difference gradient checks with diagnoses.
- ``autograder.notebook_hygiene``: clean notebooks (no outputs, no widget state).
- ``autograder.course_commands``: the instructor's ``course`` command (thin CLI).
"""

__version__ = "0.1.0"
