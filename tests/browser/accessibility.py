"""axe-core (through axe-playwright-python, which bundles it) over what the course authors
on a JupyterLab page: cell outputs and rendered Markdown, not JupyterLab's own interface."""

from __future__ import annotations

from dataclasses import dataclass

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

#: WCAG 2.1 levels A and AA, as axe-core tags its rules.
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
#: What the course authors on the notebook on screen: outputs and rendered Markdown.
COURSE_CONTENT = [
    [".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output"],
    [".jp-NotebookPanel:not(.lm-mod-hidden) .jp-RenderedMarkdown"],
]


#: JupyterLab's MathJax puts a hidden copy of each formula beside it for screen readers
#: (``mjx-assistive-mml``); where a formula ends a line, that copy reaches a pixel or two past
#: the Markdown cell, which makes the cell "scrollable" with nothing to scroll to. Such a
#: cell is JupyterLab's case, not the course's: any visible part of it overflowing is counted.
_OVERFLOW_ONLY_FROM_MATHJAX = """s => {
  const box = document.querySelector(s);
  if (!box) return false;
  const edge = box.getBoundingClientRect();
  const sticksOut = [...box.querySelectorAll('*')]
    .filter(e => !e.closest('mjx-assistive-mml'))
    .filter(e => { const r = e.getBoundingClientRect();
                   return r.right > edge.right + 1 || r.bottom > edge.bottom + 1; });
  return sticksOut.length === 0;
}"""


@dataclass(frozen=True)
class Violation:
    rule: str
    impact: str
    nodes: tuple[str, ...]  # each offending element: its HTML and its text, cut short

    def __str__(self) -> str:
        shown = "\n    ".join(self.nodes[:5])
        return f"{self.rule} ({self.impact}, {len(self.nodes)} nodes):\n    {shown}"


def axe_violations(
    page: Page, course_content_only: bool = True, tags: tuple[str, ...] = ()
) -> list[Violation]:
    """WCAG 2.1 A/AA violations axe finds on the page (only in course content, by default),
    and those of the rules with one of ``tags`` (e.g. axe's ``best-practice``)."""
    options = {
        "runOnly": {"type": "tag", "values": [*WCAG_21_AA, *tags]},
        "resultTypes": ["violations"],
    }
    context = {"include": COURSE_CONTENT} if course_content_only else None
    results = Axe().run(page, context=context, options=options)
    found = []
    for violation in results.response["violations"]:
        nodes = [
            node
            for node in violation["nodes"]
            if not (
                course_content_only
                and violation["id"] == "scrollable-region-focusable"
                and page.evaluate(_OVERFLOW_ONLY_FROM_MATHJAX, node["target"][0])
            )
        ]
        if nodes:
            described = tuple(_describe(page, node) for node in nodes)
            found.append(Violation(violation["id"], violation["impact"] or "", described))
    return found


def _describe(page: Page, node: dict) -> str:
    """An offending element as its HTML and the start of its text (which says which cell)."""
    selector = node["target"][0] if isinstance(node["target"][0], str) else None
    text = (
        page.evaluate("s => (document.querySelector(s) || {}).innerText || ''", selector)
        if selector
        else ""
    )
    return f"{node['html'][:160]} — text: {' '.join(text.split())[:100]!r}"


def truncated_texts(page: Page) -> list[str]:
    """Buttons and labels in outputs whose text is cut off (wider than the box showing it)."""
    return page.evaluate(
        """() => [...document.querySelectorAll(
              '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output '
              + ':is(button, .widget-label, label)')]
            .filter(e => e.offsetParent !== null && e.scrollWidth > e.clientWidth + 1)
            .map(e => e.textContent.trim())"""
    )
