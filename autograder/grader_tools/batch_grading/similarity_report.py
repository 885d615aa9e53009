"""``course similarity ASSIGNMENT``: pairs of submissions whose own code is alike.

Fingerprinting is copydetect's (PyPI ``copydetect``, MIT): the winnowing algorithm of
Schleimer, Wilkerson and Aiken (SIGMOD 2003) that MOSS uses, over Pygments tokens in which
every variable, attribute and function name becomes one letter and comments and
whitespace are dropped. So renamed variables, reformatting and new comments change
nothing. Before fingerprinting, each submission is cut down to the student's own code:

- only answer cells (nbgrader ``solution`` cells) and cells the student added; no test
  cell, no read-only cell of the release; no IPython magic or shell line;
- no fingerprint of the instructor's notebooks counts (copydetect's "boilerplate"): the
  release's code (stubs, signatures, docstrings), and the instructor's solutions in
  ``source/``: code the instructor's own solution holds is what honest students converge
  on, so it cannot tell copying from working alone.

Every pair is compared; a pair is reported when both students share at least
``threshold`` of their remaining code and at least ``min_shared`` characters of it (after
filtering), so two tiny answers that happen to match are not accused. ``similarity.html``
lists every reported pair, ranked, with the shared code marked side by side.
"""

from __future__ import annotations

import html
import io
import re
from dataclasses import dataclass, replace
from itertools import combinations
from pathlib import Path

import nbformat
from nbgrader.utils import is_solution

from autograder.grader_tools.course_files import CourseError

THRESHOLD = 0.5
MIN_SHARED = 100
NOISE = 25  # copydetect's k: characters of filtered code per fingerprinted k-gram
GUARANTEE = 30  # copydetect: any match at least this long is found (window = 6)
_MARKERS = re.compile(r"^\s*### (BEGIN|END) (SOLUTION|HIDDEN TESTS)\s*$", re.M)


@dataclass(frozen=True)
class Pair:
    """Two students; the share of each one's own code found in the other's, the
    characters of filtered code they share, and each one's code with the shared parts
    marked (HTML)."""

    first: str
    second: str
    share_first: float
    share_second: float
    shared: int
    marked_first: str = ""
    marked_second: str = ""

    @property
    def similarity(self) -> float:
        return min(self.share_first, self.share_second)


def _is_magic(line: str) -> bool:
    return line.lstrip().startswith(("%", "!"))


def own_code(notebook: nbformat.NotebookNode) -> str:
    """The student's own code in a submitted notebook (module doc)."""
    parts = []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        if cell.metadata.get("nbgrader") and not is_solution(cell):
            continue  # a test cell or a read-only cell of the release
        lines = [line for line in cell.source.splitlines() if not _is_magic(line)]
        if "".join(lines).strip():
            parts.append("\n".join(lines))
    return "\n\n".join(parts)


def _notebooks(folder: Path) -> list[nbformat.NotebookNode]:
    notebooks = []
    for path in sorted(folder.glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        for cell in notebook.cells:
            cell.source = _MARKERS.sub("", cell.source)
        notebooks.append(notebook)
    return notebooks


def instructor_code(course_root: Path, assignment: str) -> str:
    """The instructor's code: every code cell of release/ and source/, and the solutions
    put together as a student's own code is (``own_code``)."""
    release = _notebooks(course_root / "release" / assignment)
    source = _notebooks(course_root / "source" / assignment)
    cells = [c.source for nb in release + source for c in nb.cells if c.cell_type == "code"]
    return "\n\n".join(cells + [own_code(notebook) for notebook in source])


def _fingerprint(name: str, code: str, boilerplate=None, window: int = GUARANTEE - NOISE + 1):
    from copydetect import CodeFingerprint

    return CodeFingerprint(
        name, NOISE, window, boilerplate, filter=True, language="python", fp=io.StringIO(code)
    )


def _marked(code: str, slices) -> str:
    from copydetect.utils import highlight_overlap

    if slices.shape[-1] == 0:
        return html.escape(code)
    text, _ = highlight_overlap(code, slices, "<mark>", "</mark>", escape_html=True)
    return text


def compare_submissions(
    codes: dict[str, str],
    boilerplate_code: str,
    threshold: float = THRESHOLD,
    min_shared: int = MIN_SHARED,
) -> tuple[list[Pair], list[Pair]]:
    """(every pair ranked by similarity, the reported ones with their code marked).
    ``codes``: student -> their own code; ``boilerplate_code``: the instructor's."""
    from copydetect import compare_files

    boilerplate = _fingerprint("instructor", boilerplate_code, window=1).hashes
    prints = {
        student: _fingerprint(student, code, list(boilerplate))
        for student, code in codes.items()
        if code.strip()
    }
    ranked, reported = [], []
    for first, second in combinations(sorted(prints), 2):
        shared, (share_first, share_second), slices = compare_files(prints[first], prints[second])
        pair = Pair(first, second, float(share_first), float(share_second), int(shared))
        ranked.append(pair)
        if pair.similarity >= threshold and pair.shared >= min_shared:
            marked_first = _marked(prints[first].raw_code, slices[0])
            marked_second = _marked(prints[second].raw_code, slices[1])
            reported.append(replace(pair, marked_first=marked_first, marked_second=marked_second))
    ranked.sort(key=lambda p: (-p.similarity, -p.shared, p.first, p.second))
    reported.sort(key=lambda p: (-p.similarity, -p.shared, p.first, p.second))
    return ranked, reported


def submitted_codes(course_root: Path, assignment: str) -> dict[str, str]:
    """student -> their own code, over their submitted notebooks (unreadable ones skipped)."""
    codes = {}
    for folder in sorted((course_root / "submitted").glob(f"*/{assignment}")):
        parts = []
        for path in sorted(folder.glob("*.ipynb")):
            try:
                notebook = nbformat.read(path, as_version=4)
            except Exception:  # noqa: BLE001 - a broken file has no code to compare
                continue
            parts.append(own_code(notebook))
        codes[folder.parent.name] = "\n\n".join(part for part in parts if part)
    return codes


_STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #1a1a1a; }
table { border-collapse: collapse; margin-bottom: 1.5rem; }
th, td { border: 1px solid #8a8a8a; padding: 0.3rem 0.6rem; text-align: left; vertical-align: top; }
pre { white-space: pre-wrap; font-size: 0.85rem; margin: 0; }
mark { background: #ffe066; color: #1a1a1a; outline: 1px solid #7a5c00; }
"""


def similarity_html(
    assignment: str, ranked: list[Pair], reported: list[Pair], threshold: float, min_shared: int
) -> str:
    """The report: settings, the reported pairs ranked, each pair's code side by side."""
    title = f"Similarity report: {html.escape(assignment)}"
    rows = "".join(
        f"<tr><td>{n}</td><td>{html.escape(p.first)}</td><td>{html.escape(p.second)}</td>"
        f"<td>{p.share_first:.0%}</td><td>{p.share_second:.0%}</td><td>{p.shared}</td></tr>"
        for n, p in enumerate(reported, 1)
    )
    top = ranked[0] if ranked else None
    parts = [
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f"<style>{_STYLE}</style></head><body><main><h1>{title}</h1>",
        f"<p>{len(ranked)} pairs compared. Reported: both students share at least "
        f"{threshold:.0%} of their own code (after removing the release's and the "
        "instructor's code, comments, names and whitespace) and at least "
        f"{min_shared} characters of it. Similar code is a reason to look, not proof.</p>",
    ]
    if not reported:
        best = (
            f" The most similar pair: {html.escape(top.first)} and {html.escape(top.second)}, "
            f"{top.similarity:.0%}."
            if top
            else ""
        )
        parts.append(f"<p><strong>No pair reaches the threshold.</strong>{best}</p>")
    else:
        parts.append(
            "<table><caption>Pairs above the threshold, most similar first</caption><thead>"
            "<tr><th scope='col'>rank</th><th scope='col'>student</th><th scope='col'>student"
            "</th><th scope='col'>share of the first's code</th><th scope='col'>share of the "
            "second's code</th><th scope='col'>shared characters (filtered)</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>"
        )
        for n, p in enumerate(reported, 1):
            parts.append(
                f"<section><h2>{n}. {html.escape(p.first)} and {html.escape(p.second)} "
                f"({p.similarity:.0%})</h2><p>Shared code is marked.</p><table><thead><tr>"
                f"<th scope='col'>{html.escape(p.first)}</th><th scope='col'>"
                f"{html.escape(p.second)}</th></tr></thead><tbody><tr>"
                f"<td><pre>{p.marked_first}</pre></td><td><pre>{p.marked_second}</pre></td>"
                "</tr></tbody></table></section>"
            )
    parts.append("</main></body></html>\n")
    return "\n".join(parts)


def write_similarity_report(
    course_root: Path,
    assignment: str,
    threshold: float = THRESHOLD,
    min_shared: int = MIN_SHARED,
) -> tuple[Path, list[Pair], list[Pair]]:
    """Compare every pair of ``submitted/*/ASSIGNMENT``; write
    ``reports/ASSIGNMENT/similarity.html``; return (its path, ranked pairs, reported)."""
    if not (course_root / "release" / assignment).is_dir():
        raise CourseError(f"no release/{assignment}: the release's code is needed to compare.")
    boilerplate = instructor_code(course_root, assignment)
    codes = submitted_codes(course_root, assignment)
    if len(codes) < 2:
        raise CourseError(
            f"{len(codes)} submission(s) of '{assignment}' in {course_root / 'submitted'}: "
            "nothing to compare."
        )
    ranked, reported = compare_submissions(codes, boilerplate, threshold, min_shared)
    folder = course_root / "reports" / assignment
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "similarity.html"
    path.write_text(
        similarity_html(assignment, ranked, reported, threshold, min_shared), encoding="utf-8"
    )
    return path, ranked, reported
