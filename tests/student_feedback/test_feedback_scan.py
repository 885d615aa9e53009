"""Everything a student can fetch as feedback holds no hidden test, reference function or key.

A simulated class (correct, buggy, blank and faulty students; course_simulation) hands
in a1, a2 and a3 through the exchange (``nbgrader submit``), the instructor collects,
autogrades, runs ``nbgrader generate_feedback`` and ``nbgrader release_feedback`` with the
course's configuration (default answer policy: never), and each student runs ``nbgrader
fetch_feedback``. Every file a student fetched, and every file in the exchange's feedback
folder, is scanned for each line of a hidden test, each function the hidden tests define,
and the quiz's key: what makes an option right, the feedback of options the student did not
choose, the calculations' formulas and the right result for a student who got it wrong,
and the matching pairs the student did not match. The scores each feedback states are
compared with the gradebook. The counts are printed (``-s``) for the issue's note.
"""

from __future__ import annotations

import datetime
import html
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook
from nbgrader.apps import NbGraderAPI
from nbgrader.coursedir import CourseDirectory

from autograder.grader_tools.nbgrader_course import NbgraderCourse, nbgrader_environment
from autograder.grader_tools.student_feedback.hidden_checks import hidden_regions
from autograder.quiz_engine import load_question_bank
from autograder.quiz_engine.answer_files import read_answers, save_answers
from autograder.quiz_engine.course_secret import read_course_secret
from autograder.quiz_engine.formulas import fill_in, format_number, worked_values
from autograder.quiz_engine.marking import mark_answer
from autograder.quiz_engine.variants import LETTERS
from course_simulation import write_simulated_class
from course_simulation.course_copies import copy_course
from course_simulation.course_runs import nbgrader

from ..course_helpers import COURSE_ID, answer_keys, student_variant

A1, A2, A3 = "a1_building_blocks", "a2_training_a_network", "a3_quiz"
CLASSES = {
    A1: ["correct", "forgot_1_over_m", "blank", "tampering", "not_json"],
    A2: ["correct", "wrong_sign", "blank", "tampering"],
    A3: ["correct", "correct", "blank", "tampering"],
}
KEY_PHRASES = ("BEGIN HIDDEN TESTS", "END HIDDEN TESTS", '"correct": True', "correct=True")
KEY_PHRASES += ("'correct': True", "The answer:", "should be '", "Also right:")


def _text(path: Path) -> str:
    """A fetched file as the text a student reads (HTML: tags dropped, entities decoded),
    plus its raw bytes as text (scripts and attributes are scanned too)."""
    raw = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix != ".html":
        return raw
    body = re.sub(r"<style.*?</style>", " ", raw, flags=re.S)
    lines = re.sub(r"<br\s*/?>|</(?:div|p|li|pre|tr|h\d)>", "\n", body)
    return html.unescape(re.sub(r"<[^>]+>", "", lines)) + "\n" + html.unescape(raw)


def _public_text(course: Path, assignment: str) -> str:
    """What every student already has: the released files."""
    texts = []
    for path in sorted((course / "release" / assignment).iterdir()):
        if path.suffix == ".ipynb":  # the cells' text, not their JSON (quotes escaped)
            texts += [cell.source for cell in nbformat.read(path, 4).cells]
        else:
            texts.append(path.read_text(encoding="utf-8"))
    return "\n".join(texts)


def _hidden_code(course: Path, assignment: str) -> list[str]:
    notebook = nbformat.read(course / "source" / assignment / f"{assignment}.ipynb", 4)
    code = []
    for cell in notebook.cells:
        lines = cell.source.split("\n")
        for first, last in hidden_regions(cell.source):
            code.append("\n".join(lines[first - 1 : last]))
    return code


def _solution_code(course: Path, assignment: str) -> str:
    """The reference solutions: a line they share with a hidden test (``for _ in
    range(epochs):``) is the simulated student's own code when it shows."""
    notebook = nbformat.read(course / "source" / assignment / f"{assignment}.ipynb", 4)
    return "\n".join(
        body
        for cell in notebook.cells
        for body in re.findall(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", cell.source, re.S)
    )


def hidden_items(course: Path, assignment: str) -> tuple[set[str], set[str]]:
    """(each hidden-test line of 12+ characters that is not also public, each function the
    hidden tests define)."""
    public = _public_text(course, assignment) + _solution_code(course, assignment)
    code = "\n".join(_hidden_code(course, assignment))
    lines = {line.strip() for line in code.split("\n") if len(line.strip()) >= 12}
    functions = set(re.findall(r"^\s*def\s+(\w+)", code, flags=re.M))
    public_functions = {name for name in functions if re.search(rf"\b{name}\b", public)}
    return {line for line in lines if line not in public}, functions - public_functions


def quiz_key_banks(course: Path):
    """The key each graded quiz cell defines (its hidden part, without the marking call)."""
    return list(answer_keys(course / "source" / A3 / f"{A3}.ipynb").values())


def _formulas(question) -> set[str]:
    found = {question.formula, *(f for _, f in question.derived)}
    found |= {formula for formula, _ in question.wrong_formulas}
    return {f for f in found if len(f) >= 5 and not f.isidentifier() and f != "-answer"}


def quiz_items_for(course: Path, student: str, answers: dict) -> list[str]:
    """What of the key this student's feedback must not say (their own right answers are
    theirs to see)."""
    secret, public = read_course_secret(course / ".quiz_secret"), _public_text(course, A3)
    variant = student_variant(secret, student, A3)
    items = []
    for bank in quiz_key_banks(course):
        for question in bank.questions:
            given = answers.get(question.id)
            if question.type == "single_choice":
                chosen = variant.canonical_of(question, given) if isinstance(given, str) else None
                for index, option in enumerate(question.options):
                    if index != chosen and option.feedback:
                        items.append(option.feedback)
            elif question.type == "calculation":
                items += sorted(_formulas(question))
                items += [f for _, f in question.wrong_formulas if f not in public]
                numbers = variant.parameters(question)
                mark = mark_answer(question, given, numbers)
                if not mark.correct:
                    values = worked_values(question, numbers)
                    items.append(fill_in(question.working, values))
                    items.append(f"= {format_number(values['answer'])}.")
                    items += [feedback for _, feedback in question.wrong_formulas]
            elif question.type == "matching":
                matched = given if isinstance(given, dict) else {}
                items += [
                    f"{term}\t{definition}"
                    for term, definition in question.pairs
                    if matched.get(term) != definition
                ]
    return [item for item in items if item and item not in public or "\t" in item]


def _found(item: str, text: str, lines: list[str]) -> bool:
    if "\t" in item:  # a matching pair: the term and its definition on one line
        term, definition = item.split("\t")
        return any(term in line and definition in line for line in lines)
    return item in text


def _student_options(home: Path, exchange: Path) -> list[str]:
    """A student's command-line view of the course: their id, the exchange, their cache."""
    student = home.name
    return [
        f"--student={student}",
        f"--course={COURSE_ID}",
        f"--Exchange.root={exchange}",
        f"--Exchange.cache={home / 'cache'}",
    ]


def _hand_in(course: Path, homes: Path, assignment: str, env: dict) -> dict[str, str]:
    """The simulated class submits through the exchange; returns student id -> kind."""
    roster = write_simulated_class(course, assignment, CLASSES[assignment])
    if assignment == A3:
        _quiz_answers_with_calculations(course, roster)
    for student in roster:
        home = homes / student
        work = home / assignment
        shutil.copytree(course / "submitted" / student / assignment, work, dirs_exist_ok=True)
        shutil.rmtree(course / "submitted" / student)
        options = _student_options(home, Path(env["NBGRADER_EXCHANGE"]))
        nbgrader(home, "submit", assignment, *options, env=env)
    nbgrader(course, "collect", assignment, env=env)
    return roster


def _quiz_answers_with_calculations(course: Path, roster: dict[str, str]) -> None:
    """Give the a3 students who answered calculations and matchings too, right and wrong."""
    secret = read_course_secret(course / ".quiz_secret")
    calculations = [q for bank in quiz_key_banks(course) for q in bank.of_type("calculation")]
    matching = next(q for bank in quiz_key_banks(course) for q in bank.of_type("matching"))
    bank = load_question_bank(course / "release" / A3 / "quiz_questions.yaml")
    for number, (student, kind) in enumerate(roster.items()):
        path = course / "submitted" / student / A3 / "quiz_answers.json"
        if kind != "correct":
            continue
        variant = student_variant(secret, student, A3)
        answers = read_answers(path, bank.title).answers
        for index, question in enumerate(calculations[: 3 - number % 2]):
            values = worked_values(question, variant.parameters(question))
            right = values["answer"]
            answers[question.id] = round(right if index == 0 else right / 2 + 0.77, 3)
        pairs = list(matching.pairs)
        chosen = {term: definition for term, definition in pairs[:4]}
        chosen.update({pairs[4][0]: pairs[5][1], pairs[5][0]: pairs[4][1]})
        answers[matching.id] = chosen
        answers[bank.questions[0].id] = LETTERS[number % 4]
        save_answers(path, bank.title, student, answers)


@pytest.fixture(scope="module")
def released_feedback(tmp_path_factory):
    root = tmp_path_factory.mktemp("feedback_scan")
    course = copy_course(root / "course")
    exchange, homes = root / "exchange", root / "homes"
    env = nbgrader_environment(NBGRADER_EXCHANGE=str(exchange))
    rosters = {}
    for assignment in CLASSES:
        nbgrader(course, "generate_assignment", assignment, "--force", env=env)
        nbgrader(course, "release_assignment", assignment, env=env)
        rosters[assignment] = _hand_in(course, homes, assignment, env)
        nbgrader(course, "autograde", assignment, env=env, check=False)
        nbgrader(course, "generate_feedback", assignment, env=env)
        nbgrader(course, "release_feedback", assignment, env=env)
        for student in rosters[assignment]:
            options = _student_options(homes / student, exchange)
            nbgrader(homes / student, "fetch_feedback", assignment, *options, env=env)
    return course, exchange, homes, rosters


def _fetched(homes: Path, student: str, assignment: str) -> list[Path]:
    return sorted(p for p in (homes / student / assignment / "feedback").rglob("*") if p.is_file())


def test_no_student_can_fetch_a_hidden_test_or_the_key(released_feedback):
    course, exchange, homes, rosters = released_feedback
    leaks, files, searched, students = [], 0, 0, set()
    distinct: dict[str, set[str]] = {"hidden-test lines": set(), "hidden functions": set()}
    distinct["quiz key items"] = set()
    quiz_title = load_question_bank(course / "release" / A3 / "quiz_questions.yaml").title
    exchange_files = sorted(
        p for p in (exchange / COURSE_ID / "feedback").rglob("*") if p.is_file()
    )
    for assignment, roster in rosters.items():
        lines, functions = hidden_items(course, assignment)
        for student in roster:
            fetched = _fetched(homes, student, assignment)
            items = [*lines, *KEY_PHRASES]
            if assignment == A3:
                saved = course / "submitted" / student / A3 / "quiz_answers.json"
                answers = read_answers(saved, quiz_title).answers
                items += quiz_items_for(course, student, answers)
            students.add(student)
            distinct["hidden-test lines"] |= lines
            distinct["hidden functions"] |= functions
            distinct["quiz key items"] |= set(items) - lines - set(KEY_PHRASES)
            for path in fetched:
                text = _text(path)
                text_lines = text.split("\n")
                files += 1
                searched += len(items) + len(functions)
                leaks += [f"{path}: {item!r}" for item in items if _found(item, text, text_lines)]
                leaks += [
                    f"{path}: function {name}"
                    for name in functions
                    if re.search(rf"\b{re.escape(name)}\b", text)
                ]
    all_lines = set().union(*(hidden_items(course, a)[0] for a in rosters))
    all_functions = set().union(*(hidden_items(course, a)[1] for a in rosters))
    for path in exchange_files:
        text = _text(path)
        files += 1
        searched += len(all_lines) + len(all_functions) + len(KEY_PHRASES)
        leaks += [f"{path}: {item!r}" for item in [*all_lines, *KEY_PHRASES] if item in text]
        leaks += [f"{path}: {name}" for name in all_functions if re.search(rf"\b{name}\b", text)]
    submissions = sum(len(roster) for roster in rosters.values())
    kinds = ", ".join(f"{len(v)} {k}" for k, v in distinct.items())
    print(
        f"\nfeedback scan: {len(students)} students, {submissions} submissions, {files} files "
        f"({files - len(exchange_files)} fetched by students, {len(exchange_files)} in the "
        f"exchange's feedback folder); searched for {kinds}, {len(KEY_PHRASES)} key "
        f"phrases ({searched} searches): {len(leaks)} found"
    )
    assert files > 2 * len(students), "every submission's feedback should have been fetched"
    assert not leaks, "\n".join(leaks[:20])


def _stated_scores(page: str) -> tuple[float, float, dict[str, tuple[float, float]]]:
    total = re.search(r"\(Score: ([\d.]+) / ([\d.]+)\)</h4>", page)
    assert total, "the feedback states no total score"
    cells = re.findall(
        r'<a name="(\w+)"></a>\s*<div class="panel-heading">.*?Score: ([\d.]+) / ([\d.]+)',
        page,
        flags=re.S,
    )
    return float(total[1]), float(total[2]), {g: (float(s), float(p)) for g, s, p in cells}


def test_each_feedback_states_the_gradebook_scores(released_feedback):
    course, _, homes, rosters = released_feedback
    compared = 0
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for assignment, roster in rosters.items():
            for student in roster:
                pages = [p for p in _fetched(homes, student, assignment) if p.suffix == ".html"]
                if not pages:
                    continue
                score, max_score, cells = _stated_scores(pages[0].read_text())
                notebook = gradebook.find_submission_notebook(assignment, assignment, student)
                # The page rounds to two decimals, as nbgrader's feedback template does.
                stated = (round(notebook.score, 2), round(notebook.max_score, 2))
                assert (score, max_score) == stated, student
                for grade in notebook.grades:
                    if grade.name in cells:
                        expected = (round(grade.score, 2), round(grade.max_score, 2))
                        assert cells[grade.name] == expected, (student, grade.name)
                        compared += 1
    assert compared >= 20


def test_a_bug_reads_as_a_sentence_and_hidden_checks_are_described(released_feedback):
    _, _, homes, rosters = released_feedback
    buggy = next(s for s, kind in rosters[A1].items() if kind == "forgot_1_over_m")
    page = _text(next(p for p in _fetched(homes, buggy, A1) if p.suffix == ".html"))
    assert "did you forget to divide by m?" in page
    assert "Hidden checks of test_activations" in page
    assert "sigmoid_backward against finite differences" in page
    assert "var element" not in page and "widget-state+json" not in page


def test_the_quiz_reads_in_the_students_own_variant_without_the_key(released_feedback):
    course, _, homes, rosters = released_feedback
    student = next(s for s, kind in rosters[A3].items() if kind == "correct")
    page = _text(next(p for p in _fetched(homes, student, A3) if p.suffix == ".html"))
    assert "Question 1: you chose" in page
    assert "Question 9: you answered" in page and "Correct." in page
    assert "Question 13 (matching): 44% right." in page
    assert ": right" in page and ": not '" in page
    assert "Your saved answer:" in page  # the widget, as static text
    assert "var element" not in page and "widget-view+json" not in page


def test_the_formgraders_feedback_button_writes_the_same_page(released_feedback):
    """The formgrader's button calls ``NbGraderAPI.generate_feedback`` (which sets the
    template name 'feedback' itself): the page is the one `nbgrader generate_feedback` wrote."""
    course, *_, rosters = released_feedback
    buggy = next(s for s, kind in rosters[A1].items() if kind == "forgot_1_over_m")
    page = course / "feedback" / buggy / A1 / f"{A1}.html"
    by_command = page.read_bytes()
    page.unlink()
    loaded = NbgraderCourse.load(course)
    coursedir = CourseDirectory(config=loaded.config)
    coursedir.root = str(course)
    result = NbGraderAPI(coursedir=coursedir, config=loaded.config).generate_feedback(A1, buggy)
    assert result["success"], result.get("error") or result.get("log")
    assert page.read_bytes() == by_command


def _regenerated_quiz_page(course: Path, exchange: Path, student: str, policy: str) -> str:
    env = nbgrader_environment(NBGRADER_EXCHANGE=str(exchange))
    option = f"--QuizFeedbackForStudent.show_answers={policy}"
    nbgrader(course, "generate_feedback", A3, f"--student={student}", "--force", option, env=env)
    return _text(course / "feedback" / student / A3 / f"{A3}.html")


def test_the_answer_policy_decides_when_the_right_answers_show(released_feedback):
    """Run last: it regenerates one student's a3 feedback in the course (not what was
    fetched) under each policy, with due dates and extensions in the gradebook."""
    course, exchange, _, rosters = released_feedback
    student, *others = [s for s, kind in rosters[A3].items() if kind == "correct"]
    classmate = next(s for s in rosters[A3] if s != student)
    revealing = ("The answer:", "should be '")
    page = _regenerated_quiz_page(course, exchange, student, "always")
    assert all(phrase in page for phrase in revealing)
    assert "BEGIN HIDDEN" not in page  # the right answers, never the hidden tests' code

    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        gradebook.update_or_create_assignment(A3, duedate=now - datetime.timedelta(days=2))
        gradebook.grant_extension(A3, classmate, days=5)  # a classmate still working
    page = _regenerated_quiz_page(course, exchange, student, "after_due")
    assert not any(phrase in page for phrase in revealing)

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        gradebook.grant_extension(A3, classmate, days=1)  # that extension is over too
    page = _regenerated_quiz_page(course, exchange, student, "after_due")
    assert all(phrase in page for phrase in revealing)
    assert not any(
        p in _regenerated_quiz_page(course, exchange, student, "never") for p in revealing
    )
