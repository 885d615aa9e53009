"""Matplotlib figures as ``<figure>`` HTML with words: no pyplot, no backend state.

A figure is an ``<img>`` whose ``alt`` text says what it shows, written by the view from
the same model state the figure is drawn from ("the loss fell from 0.69 to 0.012 in 100
steps"); the same words can also be shown under it as a caption for everyone (hidden
from screen readers, which have already read them as the ``alt``).
"""

from __future__ import annotations

import base64
import html
import io

import ipywidgets as widgets
from matplotlib.figure import Figure


def new_figure(width: float = 7.0, height: float = 3.2) -> Figure:
    return Figure(figsize=(width, height), dpi=90, layout="constrained")


def png_bytes(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def figure_html(figure: Figure, description: str, caption: bool = True) -> str:
    """``<figure>`` HTML: the PNG with ``description`` as its alt text and, if ``caption``,
    as a visible caption too (``caption=False`` where a text beside it says the same)."""
    data = base64.b64encode(png_bytes(figure)).decode("ascii")
    words = html.escape(description, quote=True)
    shown = (
        f"<figcaption aria-hidden='true' style='font-size:0.9em'><i>Figure:</i> {words}"
        "</figcaption>"
        if caption
        else ""
    )
    return (
        "<figure class='course-figure' style='margin:0'>"
        f"<img src='data:image/png;base64,{data}' alt='{words}' style='max-width:100%'>"
        f"{shown}</figure>"
    )


def figure_widget() -> widgets.HTML:
    """An empty figure (``figure_html`` goes in its ``value``), as wide as a notebook column."""
    return widgets.HTML(layout=widgets.Layout(max_width="760px"))
