"""Simulated submissions and classes, for the tests, the benchmarks and demonstrations.

- ``catalogue``: one catalogue of what students hand in (bugs, everyday habits, faults,
  attacks) and what grading must make of each;
- ``rewrites``: the answer-free changes it is built from (regexes, AST transformations);
- ``builders``: notebooks and whole classes built from the instructor's ``source/`` at run
  time, so the package itself holds no answer;
- ``similarity_class``: a class with one copied pair, for the similarity report;
- ``course_copies``: scratch copies of the course (source/, release/, its configuration);
- ``course_runs``: a command, nbgrader or a notebook run as a person at a terminal would.
"""

from course_simulation.builders import (
    KINDS,
    SNOOPED_OUTSIDE,
    build_submission,
    solution_sources,
    typical_kinds,
    write_simulated_class,
)
from course_simulation.catalogue import BUGS, FAULTS, Variant

__all__ = [
    "BUGS",
    "FAULTS",
    "KINDS",
    "SNOOPED_OUTSIDE",
    "Variant",
    "build_submission",
    "solution_sources",
    "typical_kinds",
    "write_simulated_class",
]
