"""Quiz engine: question banks, marking, exercise state, per-student variants, widgets.

- ``question_bank``: load and validate YAML/JSON banks (``bank_schema.json``).
- ``formulas``: draw a calculation's numbers, evaluate its formulas.
- ``marking``: mark one answer (partial credit in [0, 1]) — pure functions.
- ``variants``: quiz keys and each student's variant (option order, definitions, numbers).
- ``student_identity``: who is taking the quiz, in their own kernel.
- ``answer_files``: the graded quiz's answers file, saved atomically, read loudly.
- ``exercises``: the state of a quiz, flashcard deck, matching, ordering, checkpoint.
- ``graded_marking``: what a graded quiz's hidden tests call.
- ``quiz_widgets``: ipywidgets views over that state.
- ``lesson_blocks``: what a lesson notebook calls (never fails to open).

The package holds no answer key for a graded quiz: keys live in hidden tests.
"""

from autograder.quiz_engine.answer_files import read_answers, save_answers
from autograder.quiz_engine.exercises import (
    CheckpointState,
    CollectedAnswers,
    FlashcardDeck,
    MatchingExercise,
    OrderingExercise,
    Quiz,
    QuizReport,
    answers_status,
    collected_answers,
    grade_answers,
)
from autograder.quiz_engine.graded_marking import mark_graded_quiz
from autograder.quiz_engine.marking import Mark, mark_answer
from autograder.quiz_engine.question_bank import (
    Question,
    QuestionBank,
    QuestionBankError,
    load_question_bank,
    question_bank_from_data,
)
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
    "save_answers",
]
