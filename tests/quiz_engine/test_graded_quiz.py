"""The graded quiz through the real nbgrader, and proof that no answer key reaches students."""

import csv
import json
import re

import nbformat
import pytest

from autograder.nbgrader_course import NbgraderCourse
from autograder.quiz_engine import load_question_bank
from autograder.quiz_engine.quiz_widgets import QuizView

from ..course_helpers import REPO, copy_course, nbgrader, tool_env

QUIZ = "a3_quiz"
# The source material's eight questions, options and answers (A = first option).
SEED_QUIZ = [
    (
        "main purpose of backpropagation",
        [
            "make predictions",
            "calculate gradients and update weights",
            "preprocess input data",
            "evaluate model performance",
        ],
        "B",
    ),
    (
        "direction does information flow",
        ["Input to output", "Output to input", "oth", "andom"],
        "B",
    ),
    (
        "backpropagation work efficiently",
        ["Integration", "chain rule", "Matrix addition", "Linear regression"],
        "B",
    ),
    (
        "why do we subtract the gradient",
        ["increase the error", "steepest descent", "normalise the weights", "convention"],
        "B",
    ),
    (
        "learning rate is too high",
        ["very slow", "overshoots the minimum", "gradients become zero", "perfect accuracy"],
        "B",
    ),
    (
        "binary classification",
        ["Mean squared error", "Cross-entropy", "Hinge", "Absolute error"],
        "B",
    ),
    (
        "What is an epoch",
        [
            "One forward pass",
            "One backward pass",
            "complete pass through the entire training set",
            "One weight update",
        ],
        "C",
    ),
    (
        "vanishing gradient problem",
        [
            "too large",
            "very small in deep networks",
            "disappear completely",
            "learning rate becomes zero",
        ],
        "B",
    ),
]
SOURCE_NB = REPO / "source" / QUIZ / f"{QUIZ}.ipynb"
QUESTIONS = load_question_bank(REPO / "source" / QUIZ / "quiz_questions.yaml")


def _hidden_key_text():
    cells = nbformat.read(SOURCE_NB, 4).cells
    return "\n".join(c.source for c in cells if "BEGIN HIDDEN TESTS" in c.source)


def test_the_quiz_keeps_the_seed_questions_options_and_answers():
    quiz = QUESTIONS.of_type("single_choice")
    assert len(quiz) == 8
    key = _hidden_key_text()
    for question, (prompt, options, letter) in zip(quiz, SEED_QUIZ, strict=True):
        assert prompt.lower() in question.prompt.lower()
        for option, expected in zip(question.options, options, strict=True):
            assert expected.lower() in option.text.lower()
        right = question.options["ABCD".index(letter)].text
        assert f'{{"text": "{right}", "correct": True' in key, question.id


def _key_sentences():
    """Every feedback sentence and every 'correct: True' option text of the hidden key."""
    key = _hidden_key_text()
    sentences = set(re.findall(r'"feedback": "([^"]{20,})"', key))
    sentences |= {
        f'"{t}", "correct": True' for t in re.findall(r'"text": "([^"]+)", "correct": True', key)
    }
    return sentences


def test_no_answer_key_in_release_or_in_the_installed_package():
    secrets = _key_sentences()
    assert len(secrets) >= 40
    scanned = [p for p in (REPO / "release").rglob("*") if p.is_file()]
    scanned += [
        p for p in (REPO / "autograder").rglob("*") if p.suffix in {".py", ".json", ".yaml"}
    ]
    for path in scanned:
        text = path.read_text(encoding="utf-8")
        assert "correct: true" not in text.lower().replace('"', "") or path.suffix == ".py", path
        leaked = [s for s in secrets if s in text]
        assert not leaked, f"{path} reveals {leaked[:2]}"
    released_bank = load_question_bank(REPO / "release" / QUIZ / "quiz_questions.yaml")
    assert not released_bank.answers_included
    assert all(
        o.correct is None and o.feedback is None for q in released_bank.questions for o in q.options
    )


RIGHT = {
    "purpose": 1,
    "direction": 1,
    "chain-rule": 1,
    "subtract-gradient": 1,
    "learning-rate-too-high": 1,
    "binary-loss": 1,
    "epoch": 2,
    "vanishing-gradient": 1,
}
MATCHES = {
    "Loss function": "Measures how wrong the predictions are",
    "Gradient": "How the loss changes when a parameter changes slightly",
    "Learning rate": "Sets the size of each update step",
    "Backpropagation": "Passes the error backwards with the chain rule to every weight",
    "Epoch": "One complete pass through the training set",
    "Iteration": "One forward and backward pass on one mini-batch",
    "Mini-batch": "A small group of examples used for one update",
    "Overfitting": "Doing well on training data but badly on new data",
    "Test set": "Held-out data used once to measure generalisation",
}


@pytest.fixture(scope="module")
def graded_quiz(tmp_path_factory):
    course = copy_course(tmp_path_factory.mktemp("quiz") / "course")
    env = tool_env()
    nbgrader(course, "generate_assignment", QUIZ, "--force", env=env)
    release = course / "release" / QUIZ

    def hand_in(student):
        folder = course / "submitted" / student / QUIZ
        folder.mkdir(parents=True)
        for item in release.iterdir():
            (folder / item.name).write_bytes(item.read_bytes())
        return folder

    # widget_student: five right, three wrong, six of nine matches, answered in the widget.
    folder = hand_in("widget_student")
    view = QuizView(
        load_question_bank(folder / "quiz_questions.yaml"),
        mode="graded",
        answers_path=folder / "quiz_answers.json",
    )
    for question_id, right in RIGHT.items():
        wrong = question_id in ("direction", "epoch", "vanishing-gradient")
        view.answer(question_id, 0 if wrong else right)
    partial = dict(MATCHES)
    partial["Epoch"], partial["Iteration"] = MATCHES["Iteration"], MATCHES["Epoch"]
    partial["Test set"] = "Chooses which examples are labelled by hand"
    view.answer("match-training-terms", partial)

    # code_student: all right, typed as letters in the notebook's answers_in_code cell.
    folder = hand_in("code_student")
    notebook = nbformat.read(folder / f"{QUIZ}.ipynb", 4)
    cell = next(c for c in notebook.cells if "answers_in_code = {" in c.source)
    answers = {q: "ABCD"[i] for q, i in RIGHT.items()} | {"match-training-terms": MATCHES}
    cell.source = f"answers_in_code = {json.dumps(answers)}"
    nbformat.write(notebook, folder / f"{QUIZ}.ipynb")

    # habits_student: reads the assignment's own data file, plots, and prints with
    # %precision 0, which must not round a partial-credit score (8 of 9 matches right).
    folder = hand_in("habits_student")
    notebook = nbformat.read(folder / f"{QUIZ}.ipynb", 4)
    cell = next(c for c in notebook.cells if "answers_in_code = {" in c.source)
    eight_of_nine = dict(MATCHES)
    eight_of_nine["Test set"] = "Chooses which examples are labelled by hand"
    answers = {q: "ABCD"[i] for q, i in RIGHT.items()} | {"match-training-terms": eight_of_nine}
    cell.source = (
        "%matplotlib inline\n%precision 0\nimport yaml\n"
        "with open('quiz_questions.yaml') as handle:\n    bank = yaml.safe_load(handle)\n"
        "print(len(bank['questions']), 'questions')\n"
        f"answers_in_code = {json.dumps(answers)}"
    )
    nbformat.write(notebook, folder / f"{QUIZ}.ipynb")

    hand_in("untouched")
    nbgrader(course, "autograde", QUIZ, env=env)
    nbgrader(course, "generate_feedback", QUIZ, env=env)
    nbgrader(course, "export", "--to", str(course / "grades.csv"), env=env)
    return course


def _cell_score(course, student, grade_id):
    with NbgraderCourse.load(course).gradebook() as gradebook:
        return gradebook.find_grade(grade_id, QUIZ, QUIZ, student).score


def test_quiz_score_equals_the_number_right(graded_quiz):
    assert _cell_score(graded_quiz, "widget_student", "test_quiz") == 5.0
    assert _cell_score(graded_quiz, "code_student", "test_quiz") == 8.0
    assert _cell_score(graded_quiz, "untouched", "test_quiz") == 0.0


def test_matching_gets_partial_credit(graded_quiz):
    assert _cell_score(graded_quiz, "widget_student", "test_matching") == pytest.approx(
        4 * 6 / 9, abs=1e-5
    )
    assert _cell_score(graded_quiz, "code_student", "test_matching") == 4.0
    # Exactly 4 * 8/9 (rounded to 6 places by the test), not "4" as %precision 0 prints floats.
    assert _cell_score(graded_quiz, "habits_student", "test_matching") == round(4 * 8 / 9, 6)
    assert _cell_score(graded_quiz, "habits_student", "test_quiz") == 8.0
    assert _cell_score(graded_quiz, "untouched", "test_matching") == 0.0


def test_exported_totals(graded_quiz):
    with open(graded_quiz / "grades.csv", newline="") as handle:
        rows = {
            r["student_id"]: float(r["score"])
            for r in csv.DictReader(handle)
            if r["assignment"] == QUIZ
        }
    assert rows["code_student"] == 12.0
    assert rows["untouched"] == 0.0
    assert rows["widget_student"] == pytest.approx(5 + 4 * 6 / 9, abs=1e-4)


def test_feedback_explains_each_wrong_answer(graded_quiz):
    page = (graded_quiz / "feedback" / "widget_student" / QUIZ / f"{QUIZ}.html").read_text()
    assert "Question 2: you chose &#x27;Input to output&#x27;. Not quite" in page or (
        "Question 2: you chose" in page and "Input to output is the forward pass" in page
    )
    assert "Quiz score: 5/8" in page
    assert "Epoch: should be" in page and "Loss function: right" in page
