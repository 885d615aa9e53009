"""The student's feedback, built on nbgrader's own ``GenerateFeedback``.

``nbgrader_config.py`` sets ``GenerateFeedback.preprocessors`` to nbgrader's ``GetGrades``,
the preprocessors of ``preprocessors`` (each one change), nbgrader's ``ClearHiddenTests``
and nbconvert's CSS preprocessor, and the exporter's ``template_file`` to
``TEMPLATE_FILE`` (nbgrader's feedback template, plus each test cell's hidden checks in
words). So ``nbgrader generate_feedback``, the formgrader's feedback buttons and ``course
report`` write the same files. What a student receives shows the points, the visible
checks' code and their output, what each hidden check checked with one sentence each, and
the quiz in their own variant; never a hidden test's code, a reference implementation or
the quiz's key (unless the answer policy, ``answer_policy``, says the right answers may be
shown). The autograded notebooks keep everything for the instructor and graders.
"""

from pathlib import Path

TEMPLATE_FILE = str(Path(__file__).with_name("templates") / "student_feedback.html.j2")
