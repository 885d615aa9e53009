"""``course similarity``: a copied pair with renamed variables ranks first; no honest pair of
a simulated class (every style of the catalogue, ``similarity_class``) passes the
threshold. No kernel runs: the report reads the submitted notebooks."""

import shutil

import nbformat
import pytest

from autograder.grader_tools.batch_grading.similarity_report import (
    MIN_SHARED,
    THRESHOLD,
    compare_submissions,
    own_code,
)
from autograder.grader_tools.course_commands import main
from course_simulation.catalogue import A1
from course_simulation.similarity_class import (
    COPIER,
    ORIGINAL,
    renamed_copy,
    write_similarity_class,
)

from ..course_helpers import REPO, exit_status


@pytest.fixture(scope="module")
def similarity_course(tmp_path_factory):
    course = tmp_path_factory.mktemp("similarity") / "course"
    for folder in ("source", "release"):
        shutil.copytree(REPO / folder / A1, course / folder / A1)
    (course / "nbgrader_config.py").write_text("c = get_config()\n")
    honest = write_similarity_class(course)
    return course, honest


def test_the_copied_pair_ranks_first_and_no_honest_pair_is_reported(
    similarity_course, monkeypatch, capsys
):
    course, honest = similarity_course
    monkeypatch.chdir(course)
    assert main(["similarity", A1]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"1. {COPIER} and {ORIGINAL}: 100% and 100% of their code shared")
    assert f"1 of {(len(honest) + 2) * (len(honest) + 1) // 2} pairs above the threshold" in out
    page = (course / "reports" / A1 / "similarity.html").read_text()
    assert '<html lang="en">' in page and "<mark>" in page
    assert "my_dz_value" in page  # the copier's renamed code, shown beside the original's


def test_figures_of_the_simulated_class(similarity_course):
    """The margins the threshold has on this class (printed for the note)."""
    from autograder.grader_tools.batch_grading.similarity_report import (
        instructor_code,
        submitted_codes,
    )

    course, honest = similarity_course
    ranked, reported = compare_submissions(submitted_codes(course, A1), instructor_code(course, A1))
    pair = ranked[0]
    assert {pair.first, pair.second} == {COPIER, ORIGINAL}
    honest_pairs = [p for p in ranked if not {p.first, p.second} & {COPIER, ORIGINAL}]
    assert len(honest_pairs) == len(honest) * (len(honest) - 1) // 2
    closest = honest_pairs[0]
    most_shared = max(honest_pairs, key=lambda p: p.shared)
    print(
        f"\ncopied pair: {pair.share_first:.0%}/{pair.share_second:.0%}, {pair.shared} chars; "
        f"closest honest pair {closest.first}/{closest.second}: {closest.similarity:.0%}, "
        f"{closest.shared} chars; most shared by an honest pair: {most_shared.shared} chars"
    )
    assert not [p for p in honest_pairs if p.similarity >= THRESHOLD and p.shared >= MIN_SHARED]
    assert pair.similarity >= THRESHOLD and pair.shared >= 5 * MIN_SHARED


def test_renaming_reformatting_and_comments_change_nothing():
    original = (
        "def mean_square(values, target):\n"
        "    differences = values - target\n"
        "    total = (differences ** 2).sum()\n"
        "    count = differences.shape[0]\n"
        "    print('checking', count)\n"
        "    return total / count if count else 0.0\n"
    )
    copy = renamed_copy(original).replace("    ", "  ")
    assert "my_differences_value" in copy and "# my version" in copy
    ranked, reported = compare_submissions({"a": original, "b": copy}, "", min_shared=10)
    assert (ranked[0].share_first, ranked[0].share_second) == (1.0, 1.0)
    # the same code in the instructor's solution: nothing of it is the students' own
    ranked, _ = compare_submissions({"a": original, "b": copy}, original, min_shared=10)
    assert ranked[0].shared == 0


def test_own_code_is_answer_and_added_cells_without_tests_or_magics():
    answer = nbformat.v4.new_code_cell("%matplotlib inline\nx = 1")
    answer.metadata["nbgrader"] = {"solution": True, "grade": False, "grade_id": "a"}
    test = nbformat.v4.new_code_cell("assert x == 1")
    test.metadata["nbgrader"] = {"solution": False, "grade": True, "grade_id": "t"}
    added = nbformat.v4.new_code_cell("!ls\ny = x + 1")
    notebook = nbformat.v4.new_notebook(cells=[answer, test, added])
    assert own_code(notebook) == "x = 1\n\ny = x + 1"


def test_a_class_of_one_is_a_clear_error(tmp_path, monkeypatch, capsys):
    for folder in ("source", "release"):
        shutil.copytree(REPO / folder / A1, tmp_path / folder / A1)
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\n")
    (tmp_path / "submitted" / "alone" / A1).mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    assert exit_status(main, ["similarity", A1]) == 2
    assert "1 submission(s) of 'a1_building_blocks'" in capsys.readouterr().err
    assert exit_status(main, ["similarity", A1, "--threshold", "2"]) == 2
