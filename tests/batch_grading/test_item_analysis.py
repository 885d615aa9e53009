"""Item analysis checked against hand computation on a small class with known answers.

The class (five students, three items; totals are points):

    student  q1 (choice, 1 pt, key B)  t2 (test cell, 2 pts)  c3 (calculation, 1 pt)  total
    s1       B  -> 1                   1.0 -> 2               0 (w = 0.6, low)        3
    s2       B  -> 1                   1.0 -> 2               0 (w = 1.4, high)       3
    s3       A  -> 0                   0.5 -> 1               1 (w = 0.9, middle)     2
    s4       B  -> 1                   0.0 -> 0               1 (w = 1.0, middle)     2
    s5       C  -> 0                   0.0 -> 0               1 (w = 1.5, high)       1

Rest scores (total minus the item's own points) and Pearson's r, by hand:

- q1: x = 1 1 0 1 0 (mean 0.6), rest = 2 2 2 1 1 (mean 1.6); sum dx.dy = 0.2,
  sum dx^2 = 1.2, sum dy^2 = 1.2: r = 0.2 / 1.2 = 0.16667.
- t2: x = 1 1 .5 0 0 (mean 0.5), rest = 1 1 1 2 1 (mean 1.2); sum dx.dy = -0.5,
  sum dx^2 = 1, sum dy^2 = 0.8: r = -0.5 / sqrt(0.8) = -0.55902.
- c3: x = 0 0 1 1 1 (mean 0.6), rest = 3 3 1 1 0 (mean 1.6); sum dx.dy = -2.8,
  sum dx^2 = 1.2, sum dy^2 = 7.2: r = -2.8 / sqrt(8.64) = -0.95258.
"""

import csv

import nbformat
import pytest

from autograder.grader_tools.batch_grading.item_analysis import (
    Response,
    band_of,
    class_responses,
    item_markdown,
    item_statistics,
    save_item_plot,
    write_item_csv,
)
from autograder.notebook_metadata import QUIZ_ANSWERS_METADATA, QUIZ_FEEDBACK_METADATA

CHOICES = {"s1": "B", "s2": "B", "s3": "A", "s4": "B", "s5": "C"}
TEST_SCORES = {"s1": 1.0, "s2": 1.0, "s3": 0.5, "s4": 0.0, "s5": 0.0}
CALCULATION = {"s1": (0, 0.6), "s2": (0, 1.4), "s3": (1, 0.9), "s4": (1, 1.0), "s5": (1, 1.5)}


def _class() -> list[Response]:
    table = []
    for student in CHOICES:
        choice = CHOICES[student]
        table.append(
            Response(student, "q1", "single_choice", 1, float(choice == "B"), choice=choice)
        )
        table.append(Response(student, "t2", "test", 2, TEST_SCORES[student]))
        right, w = CALCULATION[student]
        band = band_of(w, 0.5, 1.5)
        table.append(Response(student, "c3", "calculation", 1, float(right), bands={"w": band}))
    return table


@pytest.fixture
def items():
    return {s.item: s for s in item_statistics(_class(), {"q1": ["A", "B", "C", "D"]})}


def test_proportion_correct_and_discrimination_match_hand_computation(items):
    assert items["q1"].proportion_correct == pytest.approx(0.6)
    assert items["t2"].proportion_correct == pytest.approx(0.5)
    assert items["c3"].proportion_correct == pytest.approx(0.6)
    assert items["q1"].discrimination == pytest.approx(0.16667, abs=1e-5)
    assert items["t2"].discrimination == pytest.approx(-0.55902, abs=1e-5)
    assert items["c3"].discrimination == pytest.approx(-0.95258, abs=1e-5)


def test_distractor_shares_in_the_banks_letters_and_the_unchosen_one_flagged(items):
    q1 = items["q1"]
    assert q1.key == "B"
    assert q1.option_shares == {"A": 0.2, "B": 0.6, "C": 0.2, "D": 0.0}
    assert q1.flags == ["distractor D chosen by nobody"]


def test_negative_and_near_zero_discrimination_are_flagged(items):
    assert any(flag.startswith("negative discrimination (-0.56)") for flag in items["t2"].flags)
    assert any(flag.startswith("negative discrimination (-0.95)") for flag in items["c3"].flags)
    stricter = {s.item: s for s in item_statistics(_class(), near_zero=0.2)}
    assert "near-zero discrimination (0.17)" in stricter["q1"].flags


def test_bands_of_a_calculation(items):
    # w in [0.5, 1.5]: thirds at 0.833 and 1.167. low: s1 (wrong); middle: s3, s4 (both
    # right); high: s2 (wrong), s5 (right).
    assert [band_of(w, 0.5, 1.5) for _, w in CALCULATION.values()] == [
        "low", "high", "middle", "middle", "high",
    ]  # fmt: skip
    assert items["c3"].bands == {
        ("w", "low"): (1, 0.0),
        ("w", "middle"): (2, 1.0),
        ("w", "high"): (2, 0.5),
    }


def test_widely_differing_bands_are_flagged_once_each_band_has_ten_students():
    def band(name: str, right: int, students: range) -> list[Response]:
        return [
            Response(
                f"s{i}", "c", "calculation", 1, float(i - students.start < right), bands={"x": name}
            )
            for i in students
        ]

    (stats,) = item_statistics(band("low", 2, range(10)) + band("high", 8, range(10, 20)))
    assert "variants differ: x low 20% right, high 80%" in stats.flags
    (few,) = item_statistics(band("low", 1, range(5)) + band("high", 4, range(5, 10)))
    assert not any(flag.startswith("variants differ") for flag in few.flags)


def test_everyone_right_has_no_discrimination_and_is_flagged():
    table = [Response(f"s{i}", "easy", "test", 1, 1.0) for i in range(4)]
    table += [Response(f"s{i}", "other", "test", 1, i / 3) for i in range(4)]
    easy = item_statistics(table)[0]
    assert easy.discrimination is None
    assert easy.flags == ["everyone right: it separates no one"]


def _autograded(path, points_cell, answers, questions=None):
    """An autograded notebook with one graded quiz cell publishing ``answers``."""
    cell = nbformat.v4.new_code_cell("mark_graded_quiz(...)")
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": points_cell, "points": 4}
    metadata = {QUIZ_ANSWERS_METADATA: answers}
    if questions is not None:
        metadata[QUIZ_FEEDBACK_METADATA] = {"questions": questions}
    cell.outputs = [nbformat.v4.new_output("display_data", {"text/plain": ""}, metadata=metadata)]
    notebook = nbformat.v4.new_notebook(cells=[cell])
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    return path


def test_the_table_is_read_from_autograded_notebooks(tmp_path):
    answers = {"q1": "B", "q2": "-", "calc": "wrong", "match": "wrong"}
    questions = [
        {"id": "q1", "type": "single_choice", "correct": True},
        {"id": "q2", "type": "single_choice", "correct": False},
        {"id": "calc", "type": "calculation", "correct": False},
        {"id": "match", "type": "matching", "correct": False, "score": 0.5},
    ]
    recorded = _autograded(tmp_path / "ada" / "q" / "q.ipynb", "test_quiz", answers, questions)
    bare = _autograded(tmp_path / "bob" / "q" / "q.ipynb", "test_quiz", answers)
    tests = {
        "ada": {"test_quiz": (2.5, 4.0), "test_other": (1.0, 2.0)},
        "bob": {"test_quiz": (2.5, 4.0), "test_other": (2.0, 2.0)},
    }
    table = class_responses(tests, {"ada": [recorded], "bob": [bare]})
    by_key = {(r.student, r.item): r for r in table}
    # the quiz cell is replaced by its four questions, each a quarter of its 4 points
    assert {item for _, item in by_key} == {"q1", "q2", "calc", "match", "test_other"}
    assert by_key["ada", "q1"] == Response("ada", "q1", "single_choice", 1.0, 1.0, "B")
    assert by_key["ada", "q2"].choice == "-" and by_key["ada", "q2"].score == 0.0
    assert by_key["ada", "match"].score == 0.5  # partial credit from the record
    assert by_key["ada", "test_other"] == Response("ada", "test_other", "test", 2.0, 0.5)
    # without the feedback record a letter's correctness is unknown; right/wrong still count
    assert by_key["bob", "q1"].score is None
    assert by_key["bob", "calc"].score == 0.0


def test_csv_plot_and_report_section(tmp_path, items):
    ordered = list(items.values())
    write_item_csv(ordered, tmp_path / "items.csv")
    save_item_plot(ordered, tmp_path / "items.png", "class")
    rows = list(csv.DictReader((tmp_path / "items.csv").open()))
    q1 = next(row for row in rows if row["item"] == "q1")
    assert (q1["proportion_correct"], q1["discrimination"], q1["key"]) == ("0.600", "0.167", "B")
    assert q1["option_shares"] == "A:0.20 B:0.60 C:0.20 D:0.00"
    assert [row["band"] for row in rows if row["band"]] == ["w low", "w middle", "w high"]
    assert (tmp_path / "items.png").read_bytes().startswith(b"\x89PNG")
    text = item_markdown(ordered, "items.png")
    look = text.split("### Look at these items")[1].split("### Every item")[0]
    assert "**q1** (single_choice): distractor D chosen by nobody" in look
    assert "**t2** (test): negative discrimination (-0.56)" in look
    assert "![Proportion correct against discrimination for 3 items" in text
    assert "| q1 | single_choice | 5 | 0.60 | 0.17 | A 20% B* 60% C 20% D 0% |" in text
