"""Item analysis: what the class's answers say about each auto-graded item.

For every auto-graded item (each quiz question, calculation and matching exercise, and
every other test cell) over a class:

- ``proportion_correct``: the mean score as a fraction of the item's points (for a 0/1
  item, the share of students who got it right);
- ``discrimination``: the point-biserial correlation of the item's score with the *rest*
  of the score (the student's total minus this item's points), so an item is not
  correlated with itself; None when either is the same for everyone;
- for choice questions, each option's share, in the bank's own letters (A = the bank's
  first option, whatever order each student saw), the key marked;
- for calculations, the proportion correct per band of each parameter's declared range
  (its lower, middle and upper third), so a harder variant shows.

Flags: negative or near-zero discrimination, a distractor nobody chose, everyone right or
everyone wrong, and calculation bands that differ widely. ``item_statistics`` is a pure
function over a table of ``Response`` rows; ``class_responses`` reads that table from
nbgrader's gradebook and the autograded notebooks.
"""

from __future__ import annotations

import csv
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
from nbgrader.utils import is_grade

from autograder.grader_tools.nbgrader_course import NbgraderCourse
from autograder.grader_tools.notebook_records import grade_id
from autograder.notebook_metadata import (
    QUIZ_ANSWERS_METADATA,
    QUIZ_FEEDBACK_METADATA,
    QuizAnswers,
    QuizFeedbackRecord,
    QuizQuestionRecord,
    published,
)
from autograder.quiz_engine.course_secret import read_course_secret
from autograder.quiz_engine.question_bank import (
    QuestionBank,
    QuestionBankError,
    load_question_bank,
)
from autograder.quiz_engine.variants import QuizVariant, quiz_key

NEAR_ZERO_DISCRIMINATION = 0.1
BANDS = ("low", "middle", "high")
# A calculation's bands "differ widely" when two bands of at least this many students
# differ by at least this much in proportion correct.
BAND_MIN_STUDENTS = 10
BAND_GAP = 0.4


@dataclass(frozen=True)
class Response:
    """One student's result on one item.

    ``score`` is a fraction of the item's ``points`` (0..1), None when it is not known
    (a choice without its key); ``choice`` the canonical letter chosen ("-": none);
    ``bands`` parameter -> "low"/"middle"/"high" for a calculation's variant.
    """

    student: str
    item: str
    kind: str
    points: float
    score: float | None
    choice: str | None = None
    bands: Mapping[str, str] = field(default_factory=dict)


@dataclass
class ItemStatistics:
    """One item's statistics (module doc). ``option_shares``: letter -> share of students
    ("-": no answer); ``key``: the letter every right answer chose; ``bands``: (parameter,
    "low"/"middle"/"high") -> (students, proportion correct); ``flags``: why to look."""

    item: str
    kind: str
    students: int
    proportion_correct: float | None
    discrimination: float | None
    option_shares: dict[str, float] = field(default_factory=dict)
    key: str | None = None
    bands: dict[tuple[str, str], tuple[int, float]] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)


def band_of(value: float, low: float, high: float) -> str:
    """Which third of ``[low, high]`` holds ``value``: "low", "middle" or "high"."""
    if high <= low:
        return "middle"
    position = (value - low) / (high - low)
    return "low" if position < 1 / 3 else "high" if position >= 2 / 3 else "middle"


def point_biserial(item_scores: Sequence[float], rest_scores: Sequence[float]) -> float | None:
    """Pearson's r of the item's scores with the rest scores (the point-biserial
    correlation for a 0/1 item); None for fewer than 3 students or a constant column."""
    if len(item_scores) < 3 or len(set(item_scores)) < 2 or len(set(rest_scores)) < 2:
        return None
    return statistics.correlation(item_scores, rest_scores)


def _rest_scores(responses: Sequence[Response]) -> dict[tuple[str, str], float]:
    """(student, item) -> the student's points on every other item with a known score."""
    totals: dict[str, float] = defaultdict(float)
    for response in responses:
        if response.score is not None:
            totals[response.student] += response.points * response.score
    return {(r.student, r.item): totals[r.student] - r.points * (r.score or 0.0) for r in responses}


def _choice_statistics(stats: ItemStatistics, rows: list[Response], letters: Sequence[str]):
    chosen = [row.choice or "-" for row in rows]
    stats.option_shares = {letter: chosen.count(letter) / len(rows) for letter in letters}
    if "-" in chosen:
        stats.option_shares["-"] = chosen.count("-") / len(rows)
    right = {row.choice for row in rows if row.score == 1 and row.choice}
    stats.key = next(iter(right)) if len(right) == 1 else None
    for letter in letters:
        if letter != stats.key and stats.option_shares[letter] == 0:
            stats.flags.append(f"distractor {letter} chosen by nobody")


def _band_statistics(stats: ItemStatistics, rows: list[Response]) -> None:
    grouped: dict[tuple[str, str], list[float]] = defaultdict(list)
    for row in rows:
        for parameter, band in row.bands.items():
            grouped[parameter, band].append(row.score or 0.0)
    stats.bands = {
        key: (len(scores), statistics.fmean(scores))
        for key, scores in sorted(grouped.items(), key=lambda kv: (kv[0][0], BANDS.index(kv[0][1])))
    }
    for parameter in dict.fromkeys(parameter for parameter, _ in stats.bands):
        sizable = [
            (band, p)
            for (name, band), (n, p) in stats.bands.items()
            if name == parameter and n >= BAND_MIN_STUDENTS
        ]
        if len(sizable) >= 2:
            (low_band, low_p), (high_band, high_p) = (
                min(sizable, key=lambda x: x[1]),
                max(sizable, key=lambda x: x[1]),
            )
            if high_p - low_p >= BAND_GAP:
                stats.flags.append(
                    f"variants differ: {parameter} {low_band} {low_p:.0%} right, "
                    f"{high_band} {high_p:.0%}"
                )


def item_statistics(
    responses: Iterable[Response],
    options: Mapping[str, Sequence[str]] | None = None,
    near_zero: float = NEAR_ZERO_DISCRIMINATION,
) -> list[ItemStatistics]:
    """Every item's statistics, in the order items first appear. ``options``: a choice
    item's letters (so an option nobody chose is counted, and flagged)."""
    table = list(responses)
    options = options or {}
    rest = _rest_scores(table)
    by_item: dict[str, list[Response]] = defaultdict(list)
    for response in table:
        by_item[response.item].append(response)
    results = []
    for item, rows in by_item.items():
        known = [row for row in rows if row.score is not None]
        stats = ItemStatistics(item, rows[0].kind, len(rows), None, None)
        if known:
            scores = [row.score or 0.0 for row in known]
            stats.proportion_correct = statistics.fmean(scores)
            stats.discrimination = point_biserial(
                scores, [rest[row.student, item] for row in known]
            )
            if stats.proportion_correct == 1:
                stats.flags.append("everyone right: it separates no one")
            elif stats.proportion_correct == 0:
                stats.flags.append("nobody right")
        if stats.discrimination is not None:
            if stats.discrimination < 0:
                stats.flags.append(
                    f"negative discrimination ({stats.discrimination:.2f}): stronger "
                    "students did worse on it"
                )
            elif stats.discrimination < near_zero:
                stats.flags.append(f"near-zero discrimination ({stats.discrimination:.2f})")
        if item in options or any(row.choice is not None for row in rows):
            _choice_statistics(
                stats, rows, options.get(item, sorted({r.choice or "-" for r in rows} - {"-"}))
            )
        if any(row.bands for row in rows):
            _band_statistics(stats, rows)
        results.append(stats)
    return results


def _format(value: float | None, pattern: str = "{:.2f}") -> str:
    return "" if value is None else pattern.format(value)


def write_item_csv(items: Sequence[ItemStatistics], path: Path) -> None:
    """One row per item (and one per calculation band), for a spreadsheet."""
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(
            ["item", "kind", "students", "proportion_correct", "discrimination",
             "key", "option_shares", "band", "flags"]
        )  # fmt: skip
        for stats in items:
            shares = " ".join(f"{k}:{v:.2f}" for k, v in stats.option_shares.items())
            writer.writerow(
                [
                    stats.item,
                    stats.kind,
                    stats.students,
                    _format(stats.proportion_correct, "{:.3f}"),
                    _format(stats.discrimination, "{:.3f}"),
                    stats.key or "",
                    shares,
                    "",
                    "; ".join(stats.flags),
                ]
            )
            for (parameter, band), (n, p) in stats.bands.items():
                writer.writerow(
                    [stats.item, stats.kind, n, f"{p:.3f}", "", "", "", f"{parameter} {band}", ""]
                )


def save_item_plot(items: Sequence[ItemStatistics], path: Path, title: str) -> None:
    """Proportion correct (x) against discrimination (y), one labelled point per item;
    flagged items as red triangles, the others as blue circles (shape and colour both)."""
    from matplotlib.figure import Figure

    placed = [s for s in items if s.proportion_correct is not None and s.discrimination is not None]
    figure = Figure(figsize=(7, 4.5), dpi=100)
    axes = figure.subplots()
    for flagged, marker, colour, label in (
        (False, "o", "#1f5fa8", "no flag"),
        (True, "^", "#c0392b", "look at it"),
    ):
        group = [s for s in placed if bool(s.flags) == flagged]
        if group:
            axes.scatter(
                [s.proportion_correct or 0.0 for s in group],
                [s.discrimination or 0.0 for s in group],
                marker=marker,
                color=colour,
                label=label,
                s=45,
            )
    # Neighbouring points' labels at three heights, so close items stay readable.
    by_position = sorted(placed, key=lambda s: (s.proportion_correct, s.discrimination))
    for number, stats in enumerate(by_position):
        axes.annotate(
            stats.item,
            (stats.proportion_correct, stats.discrimination),
            fontsize=7,
            xytext=(4, (-9, 3, 15)[number % 3]),
            textcoords="offset points",
        )
    axes.axhline(0, color="#444444", linewidth=0.8)
    axes.axhline(NEAR_ZERO_DISCRIMINATION, color="#888888", linewidth=0.8, linestyle="--")
    axes.set_xlim(-0.05, 1.05)
    axes.set_ylim(-1.05, 1.05)
    axes.set_xlabel("proportion correct (easier to the right)")
    axes.set_ylabel("discrimination (point-biserial with the rest)")
    axes.set_title(title)
    if placed:
        axes.legend(loc="lower left", fontsize=8)
    figure.tight_layout()
    figure.savefig(path)


def item_markdown(items: Sequence[ItemStatistics], plot_name: str) -> str:
    """The report's item-analysis section: the items to look at, then every item."""
    lines = ["", "## Item analysis", ""]
    if not items:
        return "\n".join([*lines, "No auto-graded items.", ""])
    lines += [
        f"![Proportion correct against discrimination for {len(items)} items; flagged items "
        f"are red triangles]({plot_name})",
        "",
        "### Look at these items",
        "",
    ]
    flagged = [stats for stats in items if stats.flags]
    lines += [f"- **{s.item}** ({s.kind}): {'; '.join(s.flags)}" for s in flagged] or ["None."]
    lines += ["", "### Every item", ""]
    lines += ["| item | kind | students | proportion correct | discrimination | options (key *) |"]
    lines += ["|---|---|---|---|---|---|"]
    for s in items:
        options = " ".join(
            f"{letter}{'*' if letter == s.key else ''} {share:.0%}"
            for letter, share in s.option_shares.items()
        )
        lines.append(
            f"| {s.item} | {s.kind} | {s.students} | {_format(s.proportion_correct)} | "
            f"{_format(s.discrimination)} | {options} |"
        )
    banded = [s for s in items if s.bands]
    if banded:
        lines += ["", "### Calculations: proportion correct per third of each number's range", ""]
        for s in banded:
            parts = defaultdict(list)
            for (parameter, band), (n, p) in s.bands.items():
                parts[parameter].append(f"{band} {p:.0%} of {n}")
            lines.append(
                f"- {s.item}: " + "; ".join(f"{k}: {', '.join(v)}" for k, v in parts.items())
            )
    return "\n".join(lines) + "\n"


# --- reading the table from a graded class -------------------------------------------


_QuizRecords = dict[str, tuple[QuizAnswers, list[QuizQuestionRecord]]]


def _quiz_records(notebook_path: Path) -> _QuizRecords:
    """grade id -> (canonical answers, feedback questions) published by each graded cell."""
    found: _QuizRecords = {}
    for cell in nbformat.read(notebook_path, as_version=4).cells:
        name = grade_id(cell)
        if name is None or not is_grade(cell):
            continue
        answers: QuizAnswers = {}
        questions: list[QuizQuestionRecord] = []
        for output in cell.get("outputs", []):
            answers.update(published(output, QUIZ_ANSWERS_METADATA) or {})
            feedback: QuizFeedbackRecord = (
                published(output, QUIZ_FEEDBACK_METADATA) or QuizFeedbackRecord()
            )
            questions += feedback.get("questions", [])
        if answers:
            found[name] = (answers, questions)
    return found


def _question_score(answer: str, question: QuizQuestionRecord | None) -> float | None:
    if question is not None:
        if question.get("score") is not None and question.get("type") == "matching":
            return float(question["score"])
        return 1.0 if question.get("correct") else 0.0
    if answer in ("right", "wrong", "-"):
        return 1.0 if answer == "right" else 0.0
    return None  # a letter, and no record saying whether it was the key


def class_responses(
    tests: Mapping[str, Mapping[str, tuple[float, float]]],
    autograded: Mapping[str, Sequence[Path]],
    question_kinds: Mapping[str, str] | None = None,
    calculation_bands: Any = None,
) -> list[Response]:
    """The response table of a graded class.

    ``tests``: student -> {grade id: (score, max score)} (nbgrader's gradebook);
    ``autograded``: student -> their autograded notebooks. A test cell that published quiz
    answers is replaced by its questions, each worth an equal share of the cell's points.
    ``question_kinds``: question id -> type from the bank; ``calculation_bands(student,
    question id)`` -> {parameter: band} or None.
    """
    kinds = question_kinds or {}
    table = []
    for student, cells in sorted(tests.items()):
        records: _QuizRecords = {}
        for path in autograded.get(student, []):
            records.update(_quiz_records(path))
        for item, (score, maximum) in cells.items():
            if item not in records:
                fraction = score / maximum if maximum else 0.0
                table.append(Response(student, item, "test", maximum, fraction))
                continue
            answers, questions = records[item]
            by_id: dict[str, QuizQuestionRecord] = {str(q.get("id")): q for q in questions}
            for question_id, answer in answers.items():
                record = by_id.get(question_id)
                kind = kinds.get(question_id) or (record or {}).get("type") or "question"
                choice = str(answer) if kind == "single_choice" else None
                bands = (
                    calculation_bands(student, question_id) if calculation_bands else None
                ) or {}
                table.append(
                    Response(
                        student, question_id, kind, maximum / len(answers),
                        _question_score(str(answer), record), choice, bands,
                    )
                )  # fmt: skip
    return table


def calculation_band_reader(bank: Any, secret: bytes, assignment: str):
    """``(student, question id) -> {parameter: band}`` for the bank's calculations, from
    each student's own numbers (their variant, drawn from the course secret as at grading)."""

    def bands(student: str, question_id: str) -> dict[str, str] | None:
        question = bank.by_id.get(question_id)
        if question is None or question.type != "calculation":
            return None
        variant = QuizVariant.for_student(student, quiz_key(secret, student), assignment)
        values = variant.parameters(question)
        return {
            name: band_of(values[name], low, high) for name, (low, high, _) in question.parameters
        }

    return bands


def choice_letters(bank: Any) -> dict[str, list[str]]:
    """question id -> its letters (A, B, ...) for the bank's single-choice questions."""
    return {
        q.id: [chr(ord("A") + i) for i in range(len(q.options))]
        for q in bank.questions
        if q.type == "single_choice"
    }


def _question_bank(course_root: Path, assignment: str) -> Any:
    """The assignment's question bank in ``source/`` (all its YAML banks), or None."""
    questions: list = []
    for path in sorted((course_root / "source" / assignment).glob("*.yaml")):
        try:
            questions += load_question_bank(path).questions
        except QuestionBankError:
            continue
    if not questions:
        return None
    return QuestionBank(assignment, tuple(questions), by_id={q.id: q for q in questions})


def write_item_analysis(
    course: NbgraderCourse,
    assignment: str,
    tests: Mapping[str, Mapping[str, tuple[float, float]]],
    autograded: Sequence[Path],
    folder: Path,
) -> str:
    """Write ``item_analysis.csv`` and ``item_analysis.png`` into ``folder``; return the
    report's section. ``tests``: student -> {grade id: (score, max)} from the gradebook;
    ``autograded``: the notebooks ``autograded/<student>/<assignment>/*.ipynb``."""
    bank = _question_bank(course.root, assignment)
    bands = None
    if bank is not None:
        try:
            secret = read_course_secret(course.quiz_secret_file)
            bands = calculation_band_reader(bank, secret, assignment)
        except ValueError:
            bands = None  # no course secret here: no bands, the rest still holds
    notebooks: dict[str, list[Path]] = defaultdict(list)
    for path in autograded:
        notebooks[path.parent.parent.name].append(path)
    kinds = {q.id: q.type for q in bank.questions} if bank is not None else {}
    items = item_statistics(
        class_responses(tests, notebooks, kinds, bands),
        choice_letters(bank) if bank is not None else {},
    )
    write_item_csv(items, folder / "item_analysis.csv")
    save_item_plot(items, folder / "item_analysis.png", f"{assignment}: items")
    return item_markdown(items, "item_analysis.png")
