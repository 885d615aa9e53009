"""Quiz engine: question banks, marking, exercise state, and their widgets.

- ``question_bank``: load and validate YAML/JSON banks (``bank_schema.json``).
- ``marking``: mark one answer (partial credit in [0, 1]) — pure functions.
- ``exercises``: the state of a quiz, flashcard deck, matching, ordering, checkpoint.
- ``quiz_widgets``: ipywidgets views over that state.
- ``lesson_blocks``: what a lesson notebook calls (never fails to open).

The package holds no answer key for a graded quiz: keys live in hidden tests.
"""

from .exercises import (
    CheckpointState,
    FlashcardDeck,
    MatchingExercise,
    OrderingExercise,
    Quiz,
    QuizReport,
    collected_answers,
    grade_answers,
    load_answers,
    save_answers,
)
from .marking import Mark, mark_answer
from .question_bank import (
    Question,
    QuestionBank,
    QuestionBankError,
    load_question_bank,
    question_bank_from_data,
)

__all__ = [
    "CheckpointState",
    "FlashcardDeck",
    "Mark",
    "MatchingExercise",
    "OrderingExercise",
    "Question",
    "QuestionBank",
    "QuestionBankError",
    "Quiz",
    "QuizReport",
    "collected_answers",
    "grade_answers",
    "load_answers",
    "load_question_bank",
    "mark_answer",
    "question_bank_from_data",
    "save_answers",
]
