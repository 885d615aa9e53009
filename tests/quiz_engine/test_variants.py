"""Per-student variants: quiz keys, the calculations' marking over many drawn students, the
student's side (identity and widget), and no graded item in anything a student can open."""

import csv
import json
import re
import shutil
import stat
import sys

import pytest

from autograder.quiz_engine import (
    QuizKeyError,
    QuizVariant,
    load_question_bank,
    mark_answer,
    quiz_key,
)
from autograder.quiz_engine.quiz_widgets import GradedQuizView
from course_simulation.course_copies import copy_course
from course_simulation.course_runs import nbgrader, run

from ..course_helpers import REPO, answer_keys, student_variant
from .calculations_by_hand import answer_by_hand

QUIZ = "a3_quiz"
SOURCE_NB = REPO / "source" / QUIZ / f"{QUIZ}.ipynb"
PUBLIC = load_question_bank(REPO / "release" / QUIZ / "quiz_questions.yaml")
SECRET = b"0123456789abcdef0123456789abcdef"


CALCULATIONS = answer_keys(SOURCE_NB)["test_calculations"]
STUDENTS = [f"s{number:03d}" for number in range(60)]


def test_the_key_and_the_released_bank_draw_the_same_numbers():
    for question in CALCULATIONS.questions:
        assert question.parameters == PUBLIC[question.id].parameters, question.id


@pytest.mark.parametrize("question_id", [q.id for q in CALCULATIONS.questions])
def test_calculations_accept_the_formula_and_name_the_usual_mistakes(question_id):
    question = CALCULATIONS[question_id]
    draws = set()
    for student in STUDENTS:
        numbers = student_variant(SECRET, student, QUIZ).parameters(question)
        draws.add(tuple(sorted(numbers.items())))
        right = answer_by_hand(question_id, numbers)
        assert mark_answer(question, round(right, 3), numbers).correct, (student, numbers)
        slip, named = sign_slip(question_id, numbers, right)
        sign = mark_answer(question, round(slip, 3), numbers)
        assert sign.score == 0 and named in sign.feedback, (student, sign.feedback)
        if question_id == "mini-batch-gradient":
            summed = mark_answer(question, round(3 * right, 3), numbers)
            assert summed.score == 0 and "batch size" in summed.feedback, summed.feedback
            assert "divide by m = 3" in summed.feedback
        # The feedback works through the student's own numbers.
        assert f"{numbers['w']:g}" in sign.feedback
    assert len(draws) >= 40  # students really get different numbers


def sign_slip(question_id: str, p: dict, right: float) -> tuple[float, str]:
    """The answer with the sign slip this question invites, and what its feedback says."""
    if question_id == "one-weight-update":  # stepping up the gradient instead of down
        return 2 * p["w"] - right, "You added the gradient"
    return -right, "sign"


def test_quiz_keys_catch_typos_and_belong_to_one_student():
    key = quiz_key(SECRET, "alice")
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{5}", key)
    assert quiz_key(SECRET, "bob") != key and quiz_key(b"another secret!!", "alice") != key
    spaced = key.lower().replace("-", " ")
    assert QuizVariant.for_student("alice", spaced, QUIZ) == QuizVariant.for_student(
        "alice", key, QUIZ
    )
    typo = key[:-1] + ("A" if key[-1] != "A" else "B")
    with pytest.raises(QuizKeyError, match="does not belong to student id 'alice'"):
        QuizVariant.for_student("alice", typo, QUIZ)
    with pytest.raises(QuizKeyError, match="does not belong"):
        QuizVariant.for_student("bob", key, QUIZ)
    with pytest.raises(QuizKeyError, match="nine letters and digits"):
        QuizVariant.for_student("alice", "ABC", QUIZ)
    # Another assignment, another variant for the same student.
    chain = PUBLIC["chain-rule"]
    orders = {
        tuple(QuizVariant.for_student("alice", key, f"quiz{n}").option_order(chain))
        for n in range(12)
    }
    assert len(orders) > 1


def test_the_widget_asks_once_then_shows_the_students_own_variant(tmp_path, monkeypatch):
    identity_file = tmp_path / "identity.json"
    monkeypatch.setenv("COURSE_QUIZ_IDENTITY_FILE", str(identity_file))
    for name in ("COURSE_STUDENT_ID", "COURSE_QUIZ_KEY", "JUPYTERHUB_USER"):
        monkeypatch.delenv(name, raising=False)
    answers = tmp_path / "quiz_answers.json"
    view = GradedQuizView(PUBLIC, answers, QUIZ)
    assert view.children == (view.form,) and "Who is taking this quiz?" in str(
        view.form.children[0].value
    )
    key = quiz_key(SECRET, "alice")
    view.form.student_id.value, view.form.quiz_key.value = "alice", key[:-1] + "Z"
    assert (
        "✗ this quiz key does not belong to student id &#x27;alice&#x27;"
        in view.form.key_check.value
    )
    view.form.save_button.click()
    assert "does not belong to student id" in view.form.message.value
    assert view.quiz_view is None and not identity_file.exists()
    view.form.quiz_key.value = key
    assert f"✓ {key} is the key of student id alice" in view.form.key_check.value
    view.form.save_button.click()
    assert stat.S_IMODE(identity_file.stat().st_mode) == 0o600
    mine = QuizVariant.for_student("alice", key, QUIZ)
    quiz = view.quiz_view
    chain = PUBLIC["chain-rule"]
    shown = [b.description for b in quiz.inputs["chain-rule"].buttons]
    expected = [chain.options[i].text for i in mine.option_order(chain)]
    assert [d.split(". ", 1)[1] for d in shown] == expected
    numbers = mine.parameters(PUBLIC["one-weight-loss"])
    assert f"w = {numbers['w']:g}, input x = {numbers['x']:g}" in quiz.prompt(
        PUBLIC["one-weight-loss"]
    )
    quiz.answer("chain-rule", "A")
    saved = json.loads(answers.read_text())[PUBLIC.title]
    assert saved == {"student_id": "alice", "answers": {"chain-rule": "A"}}
    # Next time (any quiz), no question asked.
    again = GradedQuizView(PUBLIC, answers, QUIZ)
    assert again.quiz_view is not None and again.quiz_view.quiz.answers == {
        "chain-rule": mine.option_order(chain)[0]
    }


def test_on_jupyterhub_the_student_is_known(tmp_path, monkeypatch):
    from autograder.quiz_engine.course_secret import spawner_environment

    secret_file = tmp_path / ".quiz_secret"
    secret_file.write_bytes(SECRET)
    monkeypatch.setenv("COURSE_QUIZ_IDENTITY_FILE", str(tmp_path / "none.json"))
    monkeypatch.setenv("JUPYTERHUB_USER", "bob")
    for name, value in spawner_environment(secret_file, "bob").items():
        monkeypatch.setenv(name, value)
    view = GradedQuizView(PUBLIC, tmp_path / "quiz_answers.json", QUIZ)
    assert view.quiz_view is not None and view.quiz_view.variant.student_id == "bob"
    assert view.quiz_view.variant == QuizVariant.for_student("bob", quiz_key(SECRET, "bob"), QUIZ)
    assert "from JupyterHub" in view.children[0].value
    # A hub with a wrong key, or without the course's keys: the form asks for the key.
    monkeypatch.setenv("COURSE_QUIZ_KEY", quiz_key(SECRET, "carol"))
    assert GradedQuizView(PUBLIC, tmp_path / "quiz_answers.json", QUIZ).quiz_view is None
    monkeypatch.delenv("COURSE_QUIZ_KEY")
    asking = GradedQuizView(PUBLIC, tmp_path / "quiz_answers.json", QUIZ)
    assert asking.quiz_view is None and asking.form.student_id.value == "bob"


# --- No graded item in anything a student can open ------------------------------------------


def normalised(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def student_visible_texts() -> dict[str, str]:
    """Every lesson, bank, concept map, other released assignment and package file."""
    paths = [p for p in (REPO / "course_content").rglob("*") if p.is_file()]
    paths += [p for p in (REPO / "release").rglob("*") if p.is_file() and QUIZ not in p.parts]
    paths += [p for p in (REPO / "autograder").rglob("*") if p.suffix in {".py", ".yaml", ".json"}]
    return {str(p.relative_to(REPO)): normalised(p.read_text(encoding="utf-8")) for p in paths}


def practice_option_sets() -> list[set[str]]:
    sets = []
    for path in (REPO / "course_content" / "question_banks").glob("*.yaml"):
        for question in load_question_bank(path).questions:
            if question.options:
                sets.append({normalised(o.text) for o in question.options})
    return sets


def test_no_graded_item_appears_in_student_visible_material():
    texts = student_visible_texts()
    assert len(texts) > 40
    option_sets = practice_option_sets()
    graded = load_question_bank(REPO / "source" / QUIZ / "quiz_questions.yaml")
    matching = answer_keys(SOURCE_NB)["test_matching"]["match-network-parts"]
    items = [normalised(q.prompt) for q in graded.questions if q.type != "matching"]
    items += [normalised(definition) for _, definition in matching.pairs]
    for item in items:
        found = [path for path, text in texts.items() if item in text]
        assert not found, f"graded item {item!r} appears in {found}"
    for question in graded.of_type("single_choice"):
        options = {normalised(o.text) for o in question.options}
        assert not any(options <= practice for practice in option_sets), question.id


# --- The instructor's and the grader's side ----------------------------------------------


@pytest.mark.nbgrader
def test_course_quiz_keys_makes_the_secret_once_and_lists_valid_keys(tmp_path):
    course = copy_course(tmp_path / "course")
    (course / ".quiz_secret").unlink()
    course_command = [sys.executable, "-m", "autograder.grader_tools.course_commands"]
    first = run(course, *course_command, "quiz-keys", "alice", "bob")
    assert "made the course secret" in first.stderr
    assert stat.S_IMODE((course / ".quiz_secret").stat().st_mode) == 0o600
    rows = list(csv.DictReader(first.stdout.splitlines()))
    assert [row["student_id"] for row in rows] == ["alice", "bob"]
    for row in rows:  # each key is accepted for its own student only
        QuizVariant.for_student(row["student_id"], row["quiz_key"], QUIZ)
    # Alice's key is refused for other students by its check character, which one id in 31
    # shares by chance (the secret is new each run): of five others, some must refuse it.
    refused = 0
    for other in ("bob", "carol", "dave", "erin", "frank"):
        try:
            QuizVariant.for_student(other, rows[0]["quiz_key"], QUIZ)
        except QuizKeyError:
            refused += 1
    assert refused > 0
    again = run(course, *course_command, "quiz-keys", "alice", "bob")
    assert again.stdout == first.stdout and "made" not in again.stderr
    empty_roster = run(course, *course_command, "quiz-keys", check=False)
    assert empty_roster.returncode == 2
    assert "no students in the gradebook" in empty_roster.stderr


@pytest.mark.nbgrader
def test_grading_without_the_course_secret_names_the_file(tmp_path):
    course = copy_course(tmp_path / "course")
    (course / ".quiz_secret").unlink()
    nbgrader(course, "generate_assignment", QUIZ, "--force")
    folder = course / "submitted" / "alice" / QUIZ
    shutil.copytree(course / "release" / QUIZ, folder)
    result = nbgrader(course, "autograde", QUIZ, check=False)
    output = result.stdout + result.stderr
    assert f"{course / '.quiz_secret'}: the course secret cannot be read" in output
    assert not (course / "autograded" / "alice" / QUIZ / f"{QUIZ}.ipynb").exists()
