"""The backward-flow figure of lesson 3: values go forward, gradients come back.

A static picture (no controls), drawn with Matplotlib and shown as a PNG, so it needs
no widget manager and reads the same in any notebook viewer.
"""

from __future__ import annotations

from IPython.display import HTML
from matplotlib.figure import Figure

from autograder.lesson_widgets.figures import figure_html, new_figure

#: The boxes, left to right, and what each forward arrow carries.
STAGES = ("input x", "hidden layer", "output ŷ", "loss L")
FORWARD_LABELS = ("W¹, b¹", "W², b²", "compare with y")
#: What each backward arrow carries, from the loss back to the input side.
BACKWARD_LABELS = ("∂L/∂ŷ", "∂L/∂a¹ (through W²)", "")
#: The gradients each layer receives for its own update.
PARAMETER_GRADIENTS = ("∂L/∂W¹, ∂L/∂b¹", "∂L/∂W², ∂L/∂b²")


def backward_flow_figure() -> Figure:
    """Four boxes; forward arrows above (values), backward arrows below (gradients)."""
    figure = new_figure(9, 2.9)
    ax = figure.subplots()
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 4)
    ax.axis("off")
    centres = [1.0 + 2.7 * i for i in range(len(STAGES))]
    for x, name in zip(centres, STAGES, strict=True):
        ax.text(
            x,
            2,
            name,
            ha="center",
            va="center",
            fontsize=10,
            bbox={"boxstyle": "round", "facecolor": "#eef3fb", "edgecolor": "tab:blue"},
        )
    for i, label in enumerate(FORWARD_LABELS):
        start, end = centres[i] + 0.75, centres[i + 1] - 0.75
        ax.annotate(
            "",
            xy=(end, 2.7),
            xytext=(start, 2.7),
            arrowprops={"arrowstyle": "->", "color": "tab:blue"},
        )
        ax.text((start + end) / 2, 3.0, label, ha="center", fontsize=8, color="tab:blue")
    for i, label in enumerate(BACKWARD_LABELS):
        start, end = centres[-1 - i] - 0.75, centres[-2 - i] + 0.75
        if not label:
            continue
        ax.annotate(
            "",
            xy=(end, 1.3),
            xytext=(start, 1.3),
            arrowprops={"arrowstyle": "->", "color": "tab:red"},
        )
        ax.text((start + end) / 2, 0.95, label, ha="center", fontsize=8, color="tab:red")
    for x, label in zip(centres[1:3], PARAMETER_GRADIENTS, strict=True):
        ax.text(x, 0.3, label, ha="center", fontsize=8, color="tab:red")
    ax.text(5, 3.7, "forward pass: values →", ha="center", fontsize=9, color="tab:blue")
    ax.text(0.2, 0.3, "← backward pass: gradients", ha="left", fontsize=9, color="tab:red")
    return figure


def describe_backward_flow() -> str:
    """The figure in words, from the same labels it is drawn with."""
    forward = "; ".join(
        f"{a} to {b} carrying {label}"
        for a, b, label in zip(STAGES[:-1], STAGES[1:], FORWARD_LABELS, strict=True)
    )
    backward = "; ".join(
        f"{a} back to {b} carrying {label}"
        for a, b, label in zip(STAGES[:0:-1], STAGES[-2::-1], BACKWARD_LABELS, strict=True)
        if label
    )
    receives = "; ".join(
        f"the {name} receives {label}"
        for name, label in zip(STAGES[1:3], PARAMETER_GRADIENTS, strict=True)
    )
    return (
        f"Four boxes left to right: {', '.join(STAGES)}. Forward pass, arrows above "
        f"(values): {forward}. Backward pass, arrows below (gradients): {backward}. "
        f"For its own update, {receives}."
    )


def show_backward_flow() -> HTML:
    """The figure as HTML: an image with its description as alt text and caption."""
    return HTML(figure_html(backward_flow_figure(), describe_backward_flow()))
