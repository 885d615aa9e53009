"""Matplotlib figures as PNG bytes for ``ipywidgets.Image``: no pyplot, no backend state."""

from __future__ import annotations

import io

import ipywidgets as widgets
from matplotlib.figure import Figure


def new_figure(width: float = 7.0, height: float = 3.2) -> Figure:
    return Figure(figsize=(width, height), dpi=90, layout="constrained")


def png_bytes(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def image_widget() -> widgets.Image:
    """An empty PNG image widget, as wide as a notebook column."""
    return widgets.Image(format="png", layout=widgets.Layout(max_width="760px"))
