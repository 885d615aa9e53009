"""release/ is what nbgrader generates from source/, and it reveals no answer."""

from autograder.grader_tools.release_sync import release_differences

from .course_helpers import REPO, hidden_lines


def test_committed_release_matches_what_source_generates():
    assert release_differences(REPO) == []


def test_release_contains_no_solution_and_no_hidden_test():
    secret = set()
    for notebook in (REPO / "source").rglob("*.ipynb"):
        secret |= hidden_lines(notebook)
    assert len(secret) > 20  # the scan has something to look for
    released = [p for p in (REPO / "release").rglob("*") if p.is_file()]
    assert released
    for path in released:
        text = path.read_text(encoding="utf-8")
        for marker in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS", "_reference"):
            assert marker not in text, f"{path} contains {marker!r}"
        leaked = [line for line in secret if line in text]
        assert not leaked, f"{path} reveals hidden lines: {leaked[:3]}"


def test_the_simulation_catalogue_reveals_no_answer():
    """The catalogue of simulated submissions (course_simulation/, not installed into kernels
    but in the course's repository, which students may see) describes bugs as patterns and
    builds from source/ at run time: no
    solution or hidden-test line may appear in it. (The checking modules share generic
    lines such as ``m = Z.shape[0]`` with the solutions, which reveal nothing.)"""
    secret = set()
    for notebook in (REPO / "source").rglob("*.ipynb"):
        secret |= hidden_lines(notebook)
    modules = list((REPO / "course_simulation").rglob("*.py"))
    assert len(modules) >= 3
    for path in modules:
        text = path.read_text(encoding="utf-8")
        leaked = [line for line in secret if line in text]
        assert not leaked, f"{path} reveals hidden lines: {leaked[:3]}"
