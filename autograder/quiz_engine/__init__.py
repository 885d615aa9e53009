"""Quiz engine: question banks, marking, exercise state, per-student variants, widgets.

- ``questions``: the data: a bank, its questions, the mark of an answer.
- ``formulas``: draw a calculation's numbers, evaluate its formulas.
- ``variants``: quiz keys and each student's variant (option order, definitions, numbers).
- ``question_types``: one module per type of question (its fields in the bank, its
  marking, its answers and state, its widget) and the registry of types by name.
- ``question_bank``: load and validate YAML/JSON banks (``bank_schema.json`` with each
  type's fragment).
- ``marking``: mark one answer (partial credit in [0, 1]), by the question's type.
- ``student_identity``: who is taking the quiz, in their own kernel.
- ``answer_files``: the graded quiz's answers file, saved atomically, read loudly.
- ``exercises``: the state of a quiz and its answers.
- ``quiz_feedback``: the graded quiz's feedback as data, and its sentences.
- ``graded_marking``: what a graded quiz's hidden tests call.
- ``quiz_widgets``: the quiz's ipywidgets views over that state.
- ``lesson_blocks``: what a lesson notebook calls (never fails to open).

Each module imports only those above it in this list. Importing this package imports
every one of them but the last two (a notebook imports those) and ``course_secret`` (the
instructor's), so a grading kernel that preloads it (``kernel_guard.PRELOADED_MODULES``)
has recorded all the marking relies on, every question type included, before any cell
runs.

The package holds no answer key for a graded quiz: keys live in hidden tests.
"""

from autograder.quiz_engine.answer_files import read_answers, save_answers
from autograder.quiz_engine.exercises import (
    CollectedAnswers,
    Quiz,
    QuizReport,
    answers_status,
    collected_answers,
    grade_answers,
)
from autograder.quiz_engine.graded_marking import mark_graded_quiz
from autograder.quiz_engine.marking import mark_answer
from autograder.quiz_engine.question_bank import (
    QuestionBankError,
    load_question_bank,
    question_bank_from_data,
)
from autograder.quiz_engine.question_types import QuestionType, register
from autograder.quiz_engine.question_types.checkpoint import CheckpointState
from autograder.quiz_engine.question_types.flashcard import FlashcardDeck
from autograder.quiz_engine.question_types.matching import MatchingExercise
from autograder.quiz_engine.question_types.ordering import OrderingExercise
from autograder.quiz_engine.questions import Mark, Question, QuestionBank
from autograder.quiz_engine.variants import QuizKeyError, QuizVariant, quiz_key

__all__ = [
    "CheckpointState",
    "CollectedAnswers",
    "FlashcardDeck",
    "Mark",
    "MatchingExercise",
    "OrderingExercise",
    "Question",
    "QuestionBank",
    "QuestionBankError",
    "QuestionType",
    "Quiz",
    "QuizKeyError",
    "QuizReport",
    "QuizVariant",
    "answers_status",
    "collected_answers",
    "grade_answers",
    "load_question_bank",
    "mark_answer",
    "mark_graded_quiz",
    "question_bank_from_data",
    "quiz_key",
    "read_answers",
    "register",
    "save_answers",
]
