"""Build simulated submissions from the instructor's solutions, read at run time.

- ``build_submission``: one notebook from a catalogue ``Variant`` (rewritten solutions,
  cells a student added, or an attack on the unanswered notebook);
- ``write_simulated_class``: a whole class in ``submitted/``, deterministic for a seed, of
  the kinds in ``KINDS``: ``correct``; the ``BUGS``; ``blank`` (the release copy untouched)
  and ``not_json`` (a corrupted file); the ``FAULTS`` (``tampering`` among them);
  ``snooping`` (tries to read the instructor's ``source/``, the gradebook and another
  student's work, and to write into the course, with NumPy file functions the tamper scan
  lets through; it prints ``BLOCKED`` or ``READ``/``WROTE`` for each attempt);
  ``deleted_cells`` and ``duplicated_cells``. Faults and attacks keep the correct
  solutions, so the grade shows what the fault cost. For a quiz (a release with
  ``quiz_questions.yaml``) every student who is not ``blank`` or ``not_json`` also saves
  random answers (from the seed), as the quiz widget does: the key is not in the package.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import nbformat
from nbgrader.utils import is_grade, is_solution

from autograder import quiz_engine
from autograder.grader_tools.notebook_records import grade_id
from autograder.quiz_engine import QuestionBank, load_question_bank, save_answers
from autograder.quiz_engine.course_secret import read_course_secret
from autograder.quiz_engine.formulas import worked_values
from autograder.quiz_engine.variants import QuizVariant, quiz_key
from course_simulation.catalogue import BUGS, EVERY_CELL, FAULTS, QUIZ_CELL, Variant
from course_simulation.rewrites import Rewrite

# Where the snooper writes outside the course (unsandboxed, it succeeds: tests remove it).
SNOOPED_OUTSIDE = "/var/tmp/snooped-by-{student}.txt"
_MARKERS = re.compile(r"^\s*### (BEGIN|END) SOLUTION\n", re.M)
_HIDDEN_TESTS = re.compile(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", re.S)


def solution_sources(source_notebook: Path, keep_markers: bool = False) -> dict[str, str]:
    """grade_id -> the instructor's solution cell, as a student would type it.

    Reads the instructor's notebook at run time (so this module holds no answer). The
    ``### BEGIN/END SOLUTION`` lines are dropped unless ``keep_markers``.
    """
    return {
        cell_id: cell.source if keep_markers else _MARKERS.sub("", cell.source)
        for cell in nbformat.read(source_notebook, 4).cells
        if is_solution(cell) and (cell_id := grade_id(cell)) is not None
    }


KINDS = (
    "correct",
    *BUGS,
    "blank",
    "not_json",
    *FAULTS,
    "snooping",
    "deleted_cells",
    "duplicated_cells",
)


def snooping_code(course: Path, student: str, assignment: str) -> str:
    """Code that tries to read and write what a student must never reach, and reports."""
    notebook = sorted((course / "source" / assignment).glob("*.ipynb"))[0].name
    others = [
        folder / notebook
        for folder in sorted((course / "submitted").glob(f"*/{assignment}"))
        if folder.parent.name != student
    ]
    reads = [
        f"../../../source/{assignment}/{notebook}",  # relative to nbgrader's working folder
        "../../../gradebook.db",
        course / "source" / assignment / notebook,
        course / "gradebook.db",
        course / "nbgrader_config.py",
        *others[:1],
    ]
    writes = [
        course / "snooped.txt",
        course / "submitted" / student / "snooped.txt",
        SNOOPED_OUTSIDE.format(student=student),
    ]
    lines = ["for target in " + repr([str(p) for p in reads]) + ":"]
    lines += [
        "    try:",
        "        found = np.fromfile(target, dtype=np.uint8)",
        "        print('READ', target, found.size)",
        "    except Exception as error:",
        "        print('BLOCKED', target, type(error).__name__)",
        "for target in " + repr([str(p) for p in writes]) + ":",
        "    try:",
        "        np.savetxt(target, np.zeros(1))",
        "        print('WROTE', target)",
        "    except Exception as error:",
        "        print('BLOCKED', target, type(error).__name__)",
    ]
    return "\n".join(lines) + "\n"


def rewritten(
    solutions: dict[str, str], rewrites: dict[str, tuple[Rewrite, ...]], what: str
) -> dict[str, str]:
    """The solutions after ``rewrites`` (grade_id or ``EVERY_CELL`` -> changes). Raises
    ValueError when a rewrite names no solution cell or changes nothing: the catalogue
    cannot drift silently from ``source/``."""
    changed = dict(solutions)
    for target, changes in rewrites.items():
        cells = list(solutions) if target == EVERY_CELL else [target]
        if any(cell not in solutions for cell in cells):
            raise ValueError(f"{what}: no solution cell {target!r}")
        before = {cell: changed[cell] for cell in cells}
        for cell in cells:
            for change in changes:
                changed[cell] = change(changed[cell])
        if all(changed[cell] == before[cell] for cell in cells):
            raise ValueError(f"{what}: the rewrite of {target!r} changes nothing")
    return changed


def _student_notebook(course: Path, assignment: str, name: str, kind: str, student: str) -> str:
    notebook = nbformat.read(course / "release" / assignment / name, 4)
    if kind == "blank":
        return nbformat.writes(notebook)
    if kind == "not_json":
        return nbformat.writes(notebook)[:200] + "\n<<< the file ends here >>>"
    solutions = solution_sources(course / "source" / assignment / name)
    if kind in BUGS:
        solutions = rewritten(solutions, {EVERY_CELL: BUGS[kind]}, f"{kind} on {assignment}")
    prefix = FAULTS.get(kind, "")
    if kind == "snooping":
        prefix = snooping_code(course, student, assignment)
    code_cells = [c for c in notebook.cells if c.cell_type == "code"]
    answered = [
        (cell, solutions[cell_id])
        for cell in code_cells
        if (cell_id := grade_id(cell)) is not None and cell_id in solutions
    ]
    for number, (cell, text) in enumerate(answered):
        cell.source = (prefix + "\n" + text) if number == 0 and prefix else text
    tests = [c for c in code_cells if is_grade(c)]
    if kind == "deleted_cells":
        notebook.cells.remove(tests[0])
    if kind == "duplicated_cells":
        copy = nbformat.from_dict({**tests[-1], "id": tests[-1].id + "-copy"})
        notebook.cells.insert(notebook.cells.index(tests[-1]) + 1, copy)
    return nbformat.writes(notebook)


def write_simulated_class(
    course: Path, assignment: str, kinds: list[str], seed: int = 0
) -> dict[str, str]:
    """One student per entry of ``kinds``; returns student id -> kind. Same seed, same class."""
    course = Path(course)
    rng = random.Random(seed)
    roster = {}
    for number, kind in enumerate(kinds, 1):
        if kind not in KINDS:
            raise ValueError(f"unknown kind of student {kind!r}; choose from {', '.join(KINDS)}")
        roster[f"student{number:03d}_{kind}_{rng.randrange(1000):03d}"] = kind
    for student in roster:  # every folder first: a snooper names another student's work
        (course / "submitted" / student / assignment).mkdir(parents=True, exist_ok=True)
    for student, kind in roster.items():
        folder = course / "submitted" / student / assignment
        for notebook in sorted((course / "release" / assignment).glob("*.ipynb")):
            text = _student_notebook(course, assignment, notebook.name, kind, student)
            (folder / notebook.name).write_text(text, encoding="utf-8")
        bank = course / "release" / assignment / "quiz_questions.yaml"
        if bank.exists() and kind not in ("blank", "not_json"):
            questions = load_question_bank(bank)
            letters = {  # as the widget saves them: the letters this student saw
                q.id: "ABCDEFGH"[rng.randrange(len(q.options))]
                for q in questions.of_type("single_choice")
            }
            save_answers(folder / "quiz_answers.json", questions.title, student, letters)
    return roster


def typical_kinds(size: int, seed: int = 0) -> list[str]:
    """A class of ``size``: every kind once (when it fits), the rest mostly correct or buggy."""
    rng = random.Random(seed)
    kinds = list(KINDS[:size])
    common = ["correct"] * 6 + list(BUGS) * 2 + ["blank"]
    kinds += [rng.choice(common) for _ in range(size - len(kinds))]
    rng.shuffle(kinds)
    return kinds


def build_submission(release_nb: Path, source_nb: Path, variant: Variant, out: Path) -> None:
    """Write the release notebook with every solution cell filled in and rewritten; an
    ``attack`` keeps the released stubs and puts the attack in the first answer cell. A
    ``quiz`` variant is answered as ``build_quiz_submission`` says, in the variant of the
    student named like the variant, drawn from the course secret ``.quiz_secret`` of the
    course that holds ``release_nb`` (``course/release/ASSIGNMENT/NOTEBOOK``)."""
    if variant.quiz is not None:
        secret = read_course_secret(Path(release_nb).parents[2] / ".quiz_secret")
        build_quiz_submission(Path(release_nb), Path(source_nb), variant, Path(out), secret)
        return
    solutions = solution_sources(source_nb)
    if variant.attack is None:
        solutions = rewritten(solutions, variant.rewrites, variant.name)
    notebook = nbformat.read(release_nb, 4)
    cells = []
    for cell in notebook.cells:
        cells.append(cell)
        name = grade_id(cell)
        if variant.attack is not None:
            if name == next(iter(solutions)):
                cell.source = variant.attack
            continue
        if name in solutions:
            cell.source = solutions[name]
        cells += [
            nbformat.v4.new_code_cell(code) for after, code in variant.new_cells if after == name
        ]
    placed = {grade_id(c) for c in cells}
    if any(after not in placed for after, _ in variant.new_cells):
        raise ValueError(f"{variant.name}: a new cell follows a cell the notebook does not have")
    notebook.cells = cells
    out.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, out)


def quiz_key_banks(source_notebook: Path) -> list[QuestionBank]:
    """The answer keys the hidden tests of a graded quiz hold, read from ``source/`` at run
    time: each hidden test is run with the quiz engine's ``mark_graded_quiz`` standing in
    for a function that only keeps the key. Instructor-side only: the package holds no key."""
    keys: list[QuestionBank] = []

    def keep_key(key: QuestionBank, *args: object, **kwargs: object) -> float:
        keys.append(key)
        return 0.0

    marking = quiz_engine.mark_graded_quiz
    quiz_engine.mark_graded_quiz = keep_key  # type: ignore[assignment]
    try:
        for cell in nbformat.read(source_notebook, 4).cells:
            hidden = _HIDDEN_TESTS.search(cell.source)
            if cell.cell_type == "code" and hidden:
                code = compile(hidden.group(1), str(source_notebook), "exec")
                exec(code, {"__name__": "answer_key"})  # the instructor's own source
    finally:
        quiz_engine.mark_graded_quiz = marking
    return keys


def quiz_answers(keys: list[QuestionBank], variant: QuizVariant, style: str) -> dict[str, object]:
    """Answers to every question of ``keys`` in ``variant``: right (``letters``, ``text``,
    ``lowercase``, ``widget``), every choice wrong (``wrong_letters``), or none (``blank``).
    Choices are given as the letters this student sees or as option texts; calculations
    as numbers; matching as each term's definition."""
    answers: dict[str, object] = {}
    if style == "blank":
        return answers
    for key in keys:
        for question in key.questions:
            if question.type == "single_choice":
                right = next(i for i, option in enumerate(question.options) if option.correct)
                chosen = (right + 1) % len(question.options) if style == "wrong_letters" else right
                letter = variant.letter_of(question, chosen)
                answers[question.id] = {
                    "text": question.options[chosen].text,
                    "lowercase": letter.lower(),
                }.get(style, letter)
            elif question.type == "calculation":
                value = worked_values(question, variant.parameters(question))["answer"]
                answers[question.id] = round(value, 4)
            elif question.type == "matching":
                answers[question.id] = dict(question.pairs)
    return answers


def build_quiz_submission(
    release_nb: Path, source_nb: Path, variant: Variant, out: Path, secret: bytes
) -> None:
    """A graded quiz handed in by the student named ``variant.name``: the released folder,
    answered in the style ``variant.quiz`` (``catalogue.QUIZ_STYLES``): typed in the
    ``answers_in_code`` cell, saved by the widget to ``quiz_answers.json`` (``widget``), or
    half typed (letters, then texts) and the rest in the widget (``mixed``); with
    ``variant.rewrites[QUIZ_CELL]`` applied to the typed cell."""
    student = variant.name
    quiz = QuizVariant.for_student(student, quiz_key(secret, student), release_nb.parent.name)
    style = variant.quiz or "letters"
    typed_style = {"widget": "blank", "mixed": "letters"}.get(style, style)
    answers = quiz_answers(quiz_key_banks(source_nb), quiz, typed_style)
    saved: dict[str, object] = {}
    if style in ("widget", "mixed"):
        widget = quiz_answers(quiz_key_banks(source_nb), quiz, "letters")
        names = list(widget)
        keep = names if style == "widget" else names[len(names) // 2 :]
        saved = {name: widget[name] for name in keep}
        typed = {name: answers[name] for name in names if name not in keep}
        texts = quiz_answers(quiz_key_banks(source_nb), quiz, "text")
        answers = {
            name: texts[name] if i % 2 else value for i, (name, value) in enumerate(typed.items())
        }
    out.parent.mkdir(parents=True, exist_ok=True)
    for item in release_nb.parent.iterdir():
        if item.is_file() and item.name != release_nb.name:
            (out.parent / item.name).write_bytes(item.read_bytes())
    notebook = nbformat.read(release_nb, 4)
    cell = next(
        c for c in notebook.cells if c.cell_type == "code" and "answers_in_code = {" in c.source
    )
    text = f"answers_in_code = {json.dumps(answers, indent=1, ensure_ascii=False)}"
    for change in variant.rewrites.get(QUIZ_CELL, ()):
        text = change(text)
    cell.source = text
    nbformat.write(notebook, out)
    if saved:  # as the widget saves them: letters, numbers and matches
        bank = load_question_bank(release_nb.parent / "quiz_questions.yaml")
        save_answers(out.parent / "quiz_answers.json", bank.title, student, saved)
