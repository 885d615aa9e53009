"""nbgrader configuration for the course "How neural networks learn".

nbgrader reads this file from the directory it is run in (the course root).
Every setting can be overridden on the command line, e.g. ``--Exchange.root=/tmp/x``.
"""

import os

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.converters import Autograde, GenerateAssignment, GenerateFeedback
from nbgrader.preprocessors import (
    ClearHiddenTests,
    DeduplicateIds,
    GetGrades,
    SaveAutoGrades,
)

from autograder.grader_tools.batch_grading.late_penalty import CourseLatePenalty, LateWorkFeedback
from autograder.grader_tools.due_date_header import DueDateHeader
from autograder.grader_tools.exchange_access import CHECKED_EXCHANGE
from autograder.grader_tools.integrity_preprocessors import (
    BlockTampering,
    ForgetDuplicateCells,
    GuardGradeOutputs,
    QuizVariantForSubmission,
)
from autograder.grader_tools.notebook_hygiene import StripWidgetState
from autograder.grader_tools.notebook_records import TEMPLATE_FILTERS as FEEDBACK_TEMPLATE_FILTERS
from autograder.grader_tools.site_config import site_config
from autograder.grader_tools.student_feedback import TEMPLATE_FILE as FEEDBACK_TEMPLATE
from autograder.grader_tools.student_feedback.preprocessors import (
    DescribeHiddenChecks,
    DropInvisibleOutputs,
    QuizFeedbackForStudent,
    RedactHiddenTestText,
    ShortTracebacks,
    StaticWidgets,
)

c = get_config()  # noqa: F821  (injected by traitlets when it loads this file)
course_root = os.path.dirname(os.path.abspath(__file__))

# The course's identity: shown in the Assignment List and used to name exchange folders.
c.CourseDirectory.course_id = "backprop101"
# The course root is this folder, wherever nbgrader is started from inside it.
c.CourseDirectory.root = course_root
# What nbgrader's other configuration files set (a shared hub's /etc/jupyter or the course
# environment's etc/jupyter, the user's ~/.jupyter): this file loads last and would win, so
# it sets nothing they set (traitlets gives each file a fresh `c`; see site_config.py).
site = site_config(course_root)
# The exchange: NBGRADER_EXCHANGE, else the one a site configuration sets (the hub's shared
# exchange), else the course's own exchange/ folder (everyone on one machine).
if "NBGRADER_EXCHANGE" in os.environ:
    c.Exchange.root = os.environ["NBGRADER_EXCHANGE"]
elif "root" not in site.Exchange:
    c.Exchange.root = os.path.join(course_root, "exchange")
# Gradebook: NBGRADER_DB_URL, else a site configuration's db_url, else nbgrader's default
# (gradebook.db in the course root); a line here selects a server database for large courses.
if "NBGRADER_DB_URL" in os.environ:
    c.CourseDirectory.db_url = os.environ["NBGRADER_DB_URL"]
# nbgrader's exchange, with each refusal one line naming the folder and the account
# (autograder/grader_tools/exchange_access.py), unless a site configuration chose its own classes.
for operation, checked_class in CHECKED_EXCHANGE.items():
    if operation not in site.ExchangeFactory:
        setattr(c.ExchangeFactory, operation, checked_class)
# Which submission counts after a resubmission: each student's last one before their own
# due date, extension included; none before it: their last
# (autograder/grader_tools/own_due_date_collect.py).
# An accidental resubmission after the deadline costs nothing. False: always the last.
c.ExchangeCollect.before_duedate = True
if "collect" not in site.ExchangeFactory:
    c.ExchangeFactory.collect = (
        "autograder.grader_tools.own_due_date_collect.CheckedCollectOwnDueDate"
    )

# Seconds one cell may run while autograding before it is interrupted (training included).
c.Execute.timeout = 120
# Every grading and validating kernel records, before any notebook cell runs, what the
# checks rely on; the checks then verify it (autograder/integrity_guard/kernel_guard.py).
c.Execute.extra_arguments = [
    "--IPKernelApp.exec_lines=__import__('autograder.integrity_guard.kernel_guard', "
    "fromlist=['install']).install()"
]
# Test cells are graded by the errors they raise: stderr (warnings, prints) never costs points.
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = r"[\s\S]"
# Keep a student's megabytes of printing out of the autograded notebook and the feedback.
c.LimitOutput.max_lines = 200
# Released notebooks carry no widget state (in addition to nbgrader's cleared outputs),
# and open with the due date the gradebook holds (`course due-date`), if it holds one.
c.GenerateAssignment.preprocessors = [
    DueDateHeader,
    StripWidgetState,
    *GenerateAssignment.class_traits()["preprocessors"].default(),
]
# What a student sees in place of a solution region.
c.ClearSolutions.code_stub = {
    "python": "# YOUR CODE HERE\nraise NotImplementedError('Write your solution here.')"
}
# Autograding: block tampering before execution, vet scores before they are saved
# (see autograder/integrity_guard/__init__.py for the threat model); the extra copies of a
# duplicated cell become ordinary cells before nbgrader restores deleted ones.
_sanitize = Autograde.class_traits()["sanitize_preprocessors"].default()
_deduplicate = _sanitize.index(DeduplicateIds) + 1
c.Autograde.sanitize_preprocessors = [
    *_sanitize[:_deduplicate],
    ForgetDuplicateCells,
    *_sanitize[_deduplicate:],
]
_autograde = Autograde.class_traits()["autograde_preprocessors"].default()
_save = _autograde.index(SaveAutoGrades)
c.Autograde.autograde_preprocessors = [
    BlockTampering,
    QuizVariantForSubmission,
    *_autograde[:_save],
    GuardGradeOutputs,
    *_autograde[_save:],
]
# Each student's quiz variant is drawn from this secret and their id (see
# autograder/quiz_engine/variants.py). It stays with the instructor and the graders:
# never in release/, never committed. `course quiz-keys` makes it and lists the keys.
# A site configuration may keep it elsewhere.
if "secret_file" not in site.QuizVariantForSubmission:
    c.QuizVariantForSubmission.secret_file = os.path.join(course_root, ".quiz_secret")
# A test cell a student deleted is put back and graded (nbgrader's default scores it 0).
c.OverwriteCells.add_missing_cells = True
# Late work: nbgrader measures how late (timestamp.txt against the due date plus the
# student's extension, `course due-date` / `course extend`); this policy says what it costs
# (autograder/grader_tools/batch_grading/late_penalty.py): nothing within 15 minutes,
# then 10% of the score per started day, at most 50%; a week after the due date work is
# no longer accepted.
c.AssignLatePenalties.plugin_class = CourseLatePenalty
c.CourseLatePenalty.grace_minutes = 15
c.CourseLatePenalty.unit = "day"
c.CourseLatePenalty.percent_per_unit = 10
c.CourseLatePenalty.cap_percent = 50
c.CourseLatePenalty.hard_deadline_hours = 7 * 24
# Students' feedback (`nbgrader generate_feedback`, the formgrader's feedback buttons and
# `course report` alike): the points, the visible checks, what each hidden check checked
# in one sentence, the quiz in the student's own variant; never a hidden test, a reference
# implementation or the quiz's key (autograder/grader_tools/student_feedback/); autograded notebooks
# keep everything.
c.GenerateFeedback.preprocessors = [
    GetGrades,
    RedactHiddenTestText,
    DescribeHiddenChecks,
    ClearHiddenTests,
    QuizFeedbackForStudent,
    ShortTracebacks,
    StaticWidgets,
    DropInvisibleOutputs,
    CSSHTMLHeaderPreprocessor,
]
c.GenerateFeedback.HTMLExporter.template_file = FEEDBACK_TEMPLATE
# The template reads what the preprocessors above wrote through these filters.
c.GenerateFeedback.HTMLExporter.filters = FEEDBACK_TEMPLATE_FILTERS
# Code in feedback is coloured by Pygments' xcode style: every colour at least 4.6:1 on
# the code's grey (WCAG 2.1 AA); the default style's comments reach 4.46:1.
c.CSSHTMLHeaderPreprocessor.style = "xcode"
# When feedback shows the quiz's right answers: "never" (default), "after_due" (once the
# due date, with every extension in the gradebook, has passed) or "always".
c.QuizFeedbackForStudent.show_answers = "never"
# Feedback opens with whether the submission was late, by how much, what that cost and
# why (autograder/grader_tools/batch_grading/late_penalty.py; an assignment without a due
# date: no cell).
c.GenerateFeedback.preprocessors = [
    LateWorkFeedback,
    *c.GenerateFeedback.get(
        "preprocessors", GenerateFeedback.class_traits()["preprocessors"].default()
    ),
]
