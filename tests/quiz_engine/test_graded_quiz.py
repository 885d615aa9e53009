"""The graded quiz through the real nbgrader: per-student variants, and no answer key for students.

A simulated class of 20 honest students (answering in the widget, by letter in code, or by
option text in code), 6 who copy a classmate's letters and numbers, and a few with
habits and accidents, autograded by the real ``nbgrader autograde`` (the class split between
two course copies graded side by side, one per core).
"""

import html
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import nbformat
import pytest

from autograder.grader_tools.batch_grading.class_report import quiz_answer_distribution
from autograder.grader_tools.nbgrader_course import NbgraderCourse, nbgrader_environment
from autograder.quiz_engine import load_question_bank
from autograder.quiz_engine.quiz_widgets import QuizView
from course_simulation.course_copies import copy_course
from course_simulation.course_runs import nbgrader

from ..course_helpers import REPO, student_variant
from .calculations_by_hand import answer_by_hand

QUIZ = "a3_quiz"
SOURCE_NB = REPO / "source" / QUIZ / f"{QUIZ}.ipynb"
QUESTIONS = load_question_bank(REPO / "source" / QUIZ / "quiz_questions.yaml")
CHOICES = QUESTIONS.of_type("single_choice")
CALCULATIONS = QUESTIONS.of_type("calculation")
# The source material's eight questions, options and answers (A = the bank's first option).
SEED_QUIZ = [
    ("main purpose of backpropagation", "calculate gradients and update weights", "B"),
    ("direction does information flow", "Output to input", "B"),
    ("backpropagation work efficiently", "chain rule", "B"),
    ("why do we subtract the gradient", "steepest descent", "B"),
    ("learning rate is too high", "overshoots the minimum", "B"),
    ("binary classification", "Cross-entropy", "B"),
    ("What is an epoch", "complete pass through the entire training set", "C"),
    ("vanishing gradient problem", "very small in deep networks", "B"),
]
RIGHT = {q.id: "ABCD".index(letter) for q, (_, _, letter) in zip(CHOICES, SEED_QUIZ, strict=True)}
MATCHES = {
    "Forward pass": "Computes each layer's output in turn, from the inputs up to the prediction",
    "Activation function": "A non-linear function applied to each neuron's weighted sum",
    "Weight": "A learned number that scales the signal on one connection",
    "Bias": "A learned offset added to a neuron's weighted sum before the activation",
    "Validation set": "Examples held back from training to choose settings and decide when to stop",
    "Underfitting": (
        "High error even on the training data, from a model too simple or trained too little"
    ),
    "Gradient clipping": "Caps the size of the gradient before an update to keep the steps stable",
    "Sigmoid": "Squashes any number into the range between 0 and 1",
    "Cross-entropy": "Punishes a confident wrong probability far more than an unsure one",
}
SECRET = b"a fixed course secret for this test, so the class is the same every run"


def own_answers(student: str, style: str) -> dict:
    """A student's right answers, as they would give them in their own variant."""
    variant = student_variant(SECRET, student, QUIZ)
    answers = {}
    for question in CHOICES:
        right = RIGHT[question.id]
        answers[question.id] = (
            question.options[right].text if style == "text" else variant.letter_of(question, right)
        )
    for question in CALCULATIONS:
        answers[question.id] = round(answer_by_hand(question.id, variant.parameters(question)), 3)
    answers["match-network-parts"] = dict(MATCHES)
    return answers


def _hidden_key_text():
    cells = nbformat.read(SOURCE_NB, 4).cells
    return "\n".join(c.source for c in cells if "BEGIN HIDDEN TESTS" in c.source)


def test_the_quiz_keeps_the_seed_questions_options_and_answers():
    assert len(CHOICES) == 8
    key = _hidden_key_text()
    for question, (prompt, right_text, letter) in zip(CHOICES, SEED_QUIZ, strict=True):
        assert prompt.lower() in question.prompt.lower()
        right = question.options["ABCD".index(letter)].text
        assert right_text.lower() in right.lower()
        assert f'{{"text": "{right}", "correct": True' in key, question.id


def _key_sentences():
    """Every feedback sentence, 'correct: True' option text, formula and pair of the key."""
    key = _hidden_key_text()
    sentences = set(re.findall(r'"feedback": "([^"]{20,})"', key))
    sentences |= {
        f'"{t}", "correct": True' for t in re.findall(r'"text": "([^"]+)", "correct": True', key)
    }
    sentences |= set(re.findall(r'"answer": "([^"]+)"', key))
    sentences |= {f'"{term}": "{definition}"' for term, definition in MATCHES.items()}
    sentences |= {f'{{"term": "{term}", "definition"' for term in MATCHES}
    return sentences


def test_no_answer_key_in_release_or_in_the_installed_package():
    secrets = _key_sentences()
    assert len(secrets) >= 60
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
    assert all(not q.formula and not q.working for q in released_bank.of_type("calculation"))


HONEST = [f"honest{n:02d}" for n in range(20)]
STYLES = ("widget", "letters", "text")
COPIERS = {f"copier{n:02d}": HONEST[n] for n in range(6)}  # copier -> whose answers


COURSE_COPIES = 2


@pytest.fixture(scope="module")
def graded_quiz(tmp_path_factory) -> dict[str, Path]:
    """Hand in the class and autograde it; return each student's course copy."""
    env = nbgrader_environment()
    courses = []
    for _ in range(COURSE_COPIES):
        course = copy_course(tmp_path_factory.mktemp("quiz") / "course")
        (course / ".quiz_secret").write_bytes(SECRET)
        nbgrader(course, "generate_assignment", QUIZ, "--force", env=env)
        courses.append(course)
    release = courses[0] / "release" / QUIZ
    course_of: dict[str, Path] = {}

    def hand_in(student, answers_in_code=None, before=""):
        course = course_of[student] = courses[len(course_of) % COURSE_COPIES]
        folder = course / "submitted" / student / QUIZ
        folder.mkdir(parents=True)
        for item in release.iterdir():
            (folder / item.name).write_bytes(item.read_bytes())
        if answers_in_code is not None:
            notebook = nbformat.read(folder / f"{QUIZ}.ipynb", 4)
            cell = next(c for c in notebook.cells if "answers_in_code = {" in c.source)
            cell.source = f"{before}answers_in_code = {json.dumps(answers_in_code)}"
            nbformat.write(notebook, folder / f"{QUIZ}.ipynb")
        return folder

    def widget_of(folder, student):
        return QuizView(
            load_question_bank(folder / "quiz_questions.yaml"),
            mode="graded",
            answers_path=folder / "quiz_answers.json",
            variant=student_variant(SECRET, student, QUIZ),
        )

    for number, student in enumerate(HONEST):
        style = STYLES[number % 3]
        answers = own_answers(student, style)
        if style == "widget":
            view = widget_of(hand_in(student), student)
            for question_id, value in answers.items():
                view.answer(question_id, value)
        else:
            hand_in(student, answers)
    for copier, source in COPIERS.items():
        hand_in(copier, own_answers(source, "letters"))

    # clearer: answers everything right in the widget, then clears two answers.
    view = widget_of(hand_in("clearer"), "clearer")
    for question_id, value in own_answers("clearer", "widget").items():
        view.answer(question_id, value)
    view.clear("purpose")
    view.clear("one-weight-loss")
    # widget_copier: copies a classmate's whole quiz_answers.json.
    folder = hand_in("widget_copier")
    (folder / "quiz_answers.json").write_bytes(
        (course_of[HONEST[0]] / "submitted" / HONEST[0] / QUIZ / "quiz_answers.json").read_bytes()
    )
    # damaged: the widget's file was cut short; two answers were also typed in code.
    typed = {"purpose": own_answers("damaged", "letters")["purpose"], "direction": "A"}
    folder = hand_in("damaged", typed)
    (folder / "quiz_answers.json").write_text('{"Backpropagation quiz": {"student_id": "da')
    # habits_student: reads the bank, plots, prints with %precision 0, which must not round a
    # partial-credit score (8 of 9 matches right).
    answers = own_answers("habits_student", "letters")
    answers["match-network-parts"]["Cross-entropy"] = (
        "Stores every training example so that the network can look answers up"
    )
    hand_in(
        "habits_student",
        answers,
        before=(
            "%matplotlib inline\n%precision 0\nimport yaml\n"
            "with open('quiz_questions.yaml') as handle:\n    bank = yaml.safe_load(handle)\n"
            "print(len(bank['questions']), 'questions')\n"
        ),
    )
    hand_in("untouched")
    for step in ("autograde", "generate_feedback"):
        running = [
            subprocess.Popen([sys.executable, "-m", "nbgrader", step, QUIZ], cwd=course, env=env)
            for course in courses
        ]
        assert [process.wait() for process in running] == [0] * COURSE_COPIES
    return course_of


def _scores(graded_quiz, student):
    with NbgraderCourse.load(graded_quiz[student]).gradebook() as gradebook:
        return {
            grade_id: gradebook.find_grade(grade_id, QUIZ, QUIZ, student).score
            for grade_id in ("test_quiz", "test_calculations", "test_matching")
        }


def _feedback(graded_quiz, student):
    page = graded_quiz[student] / "feedback" / student / QUIZ / f"{QUIZ}.html"
    return html.unescape(page.read_text())


def test_every_honest_student_earns_full_marks_in_their_own_variant(graded_quiz):
    for student in HONEST:
        assert _scores(graded_quiz, student) == {
            "test_quiz": 8.0,
            "test_calculations": 4.0,
            "test_matching": 4.0,
        }, student
    # The variants really differ: the honest students' letter sheets are not all one sheet.
    sheets = {tuple(own_answers(s, "letters")[q.id] for q in CHOICES) for s in HONEST}
    assert len(sheets) >= 18


def test_copied_letters_and_numbers_earn_what_chance_gives(graded_quiz):
    total = 0.0
    for copier, source in COPIERS.items():
        copied, mine = own_answers(source, "letters"), student_variant(SECRET, copier, QUIZ)
        expected = sum(mine.canonical_of(q, copied[q.id]) == RIGHT[q.id] for q in CHOICES)
        scores = _scores(graded_quiz, copier)
        assert scores["test_quiz"] == expected, copier
        assert scores["test_calculations"] == 0.0, copier
        assert scores["test_matching"] == 4.0  # same definitions for everyone, by text
        total += scores["test_quiz"]
    # 48 copied choices, each right by chance with probability 1/4: about 12, never 48.
    assert 3 <= total <= 24
    whole_file = _scores(graded_quiz, "widget_copier")
    assert whole_file["test_quiz"] <= 5 and whole_file["test_calculations"] == 0.0
    page = _feedback(graded_quiz, "widget_copier")
    assert "saved these answers for student 'honest00', but you submitted as" in page


def test_a_cleared_answer_is_graded_as_cleared(graded_quiz):
    assert _scores(graded_quiz, "clearer") == {
        "test_quiz": 7.0,
        "test_calculations": 3.0,
        "test_matching": 4.0,
    }
    page = _feedback(graded_quiz, "clearer")
    assert "Question 1: no answer" in page and "Question 9: no answer" in page


def test_a_damaged_answers_file_is_reported_not_graded_as_blank(graded_quiz):
    assert _scores(graded_quiz, "damaged")["test_quiz"] == 1.0  # the one right typed answer
    page = _feedback(graded_quiz, "damaged")
    assert "quiz_answers.json is damaged and could not be read" in page
    assert "only answers typed in code could be marked" in page


def test_habits_do_not_change_the_grade(graded_quiz):
    # Exactly 4 * 8/9 (rounded to 6 places by the test), not "4" as %precision 0 prints.
    assert _scores(graded_quiz, "habits_student") == {
        "test_quiz": 8.0,
        "test_calculations": 4.0,
        "test_matching": round(4 * 8 / 9, 6),
    }
    assert _scores(graded_quiz, "untouched") == {
        "test_quiz": 0.0,
        "test_calculations": 0.0,
        "test_matching": 0.0,
    }


def test_feedback_uses_the_students_own_letters_and_numbers(graded_quiz):
    student = HONEST[1]  # answered by letter in code
    variant, page = student_variant(SECRET, student, QUIZ), _feedback(graded_quiz, student)
    chain_rule = QUESTIONS["chain-rule"]
    letter = variant.letter_of(chain_rule, RIGHT["chain-rule"])
    assert f"Question 3: you chose {letter}, 'The chain rule'. Correct" in page
    numbers = variant.parameters(QUESTIONS["one-weight-gradient"])
    assert f"w = {numbers['w']:g}, x = {numbers['x']:g}, y = {numbers['y']:g}" in page
    assert "dL/dw = dL/dŷ · dŷ/dw = 2(ŷ − y) · x = 2 × (" in page
    copier = _feedback(graded_quiz, "copier00")
    assert "Question 9: you answered" in copier and "Not quite" in copier


def test_the_class_report_counts_canonical_answers(graded_quiz):
    courses = set(graded_quiz.values())
    autograded = sorted(
        p for c in courses for p in (c / "autograded").glob(f"*/{QUIZ}/{QUIZ}.ipynb")
    )
    assert len(autograded) == len(graded_quiz)
    distribution = quiz_answer_distribution(autograded)
    right_letter = {q.id: "ABCD"[RIGHT[q.id]] for q in CHOICES}
    expected_purpose = Counter()
    for path in autograded:
        student = path.parts[-3]
        if student in HONEST or student == "habits_student":
            expected_purpose[right_letter["purpose"]] += 1
    # 21 right in every variant, counted under the bank's letter B, whatever they saw.
    assert distribution["purpose"][right_letter["purpose"]] >= expected_purpose["B"]
    assert distribution["purpose"]["-"] == 2  # clearer and untouched
    assert distribution["one-weight-loss"]["right"] >= 21
