"""The controls ipywidgets 8 cannot make accessible, as small custom widgets (anywidget).

ipywidgets leaves ARIA to the widget's author (jupyter-widgets/ipywidgets#2650), and two
things cannot be said from Python with its built-in controls:

- **A slider's accessible name.** Its handle is a ``<div role="slider">`` (noUiSlider) that
  its ``description`` label is not tied to, so a screen reader announces "slider" with no
  name (axe: ``aria-input-field-name``). ``LogSlider`` and ``SelectionSlider`` are a native
  ``<input type="range">`` with a ``<label for>`` (its name), ``aria-valuetext`` (the value
  as the student reads it, "0.03" rather than the exponent) and an ``<output>`` showing it.
  JupyterLab's command mode binds ArrowLeft/ArrowRight (headings) and cancels the key,
  which would stop a native slider moving, so they carry ``data-lm-suppress-shortcuts``,
  Lumino's switch that leaves the keys to the control. They keep ipywidgets' Python
  interface (``value``, ``min``/``max``/``step``/``base``, ``options``, ``description``,
  ``observe(..., names="value")``). The value is sent to
  the kernel when the handle is let go (or at each arrow key), as ipywidgets'
  ``continuous_update=False`` does. ``LogSlider`` also has a number box beside it (its
  accessible name: the description and ", exact value") to type an exact value in, as
  the readout of ipywidgets' slider allows.
- **A live region.** ``widgets.HTML`` replaces its whole content on every change, so a
  ``<p role="status">`` inside it is a new element each time, and screen readers announce
  changes only in a live region that was already on the page. ``LiveRegion`` is one
  ``<div role="status" aria-live="polite" aria-atomic="true">`` that stays, and only its
  content changes: "Too high", "diverged" or "Correct" is read out when it appears.
- **Which toggle button is chosen.** ipywidgets' ``ToggleButtons`` show the chosen one
  only by its look; ``ToggleGroup`` gives each button ``aria-pressed`` and the group its
  description as its name. It also replaces drop-downs, whose keys JupyterLab takes.
- **An accessible name beyond a button's text.** ``NamedButton`` is a ``<button>`` with
  ``aria-label``: every row of an ordering exercise has "Move up"/"Move down", each named
  after its item ("Move up: Forward pass").

They carry a stylesheet that also gives every control in a notebook output a 2 px focus
ring (ipywidgets' own is 1 px or a border colour, faint on a grey button), and lets a button with
the ``course-wrap`` class (``wrap_text``: ipywidgets' ``_dom_classes`` hook) wrap its text
instead of cutting it off with "…" (ipywidgets' buttons are one line, 148 px wide).
``wide_button`` is such a button, as wide as its text.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import anywidget
import ipywidgets as widgets
import traitlets

_CSS = """
.course-slider { display: flex; align-items: center; gap: 8px; margin: 2px 0; }
.course-slider label { white-space: nowrap; }
.course-slider input[type=range] { width: 220px; }
.jp-OutputArea-output :is(button, input, textarea, select, summary):focus-visible {
  outline: 2px solid var(--jp-brand-color1, #1976d2) !important; outline-offset: 1px;
}
.course-live-region p { margin: 0.3em 0; }
.course-toggle-group { display: flex; align-items: center; gap: 8px; flex-wrap: wrap; }
.course-toggle-group > span:last-child { display: flex; gap: 4px; flex-wrap: wrap; }
.course-toggle-group button { width: auto; }
.course-toggle-group button[aria-pressed=true] { font-weight: bold; }
.jupyter-button.course-wrap {
  white-space: normal; height: auto; min-height: var(--jp-widgets-inline-height, 28px);
  line-height: 1.3; padding-top: 4px; padding-bottom: 4px; text-align: left;
}
"""


def wrap_text(widget: widgets.DOMWidget) -> widgets.DOMWidget:
    """Let the widget's text wrap instead of being cut off (the ``course-wrap`` class; the
    rule comes with this module's widgets, which every view that uses it shows)."""
    widget.add_class("course-wrap")
    return widget


def wide_button(**kwargs: Any) -> widgets.Button:
    """An ipywidgets button as wide as its text (at most the output's width), wrapping."""
    kwargs.setdefault("layout", widgets.Layout(width="fit-content", max_width="100%"))
    button = widgets.Button(**kwargs)
    wrap_text(button)
    return button


_SLIDER_ESM = """
export default {
  render({ model, el }) {
    const id = "course-slider-" + Math.random().toString(36).slice(2);
    el.classList.add("course-slider");
    // JupyterLab's command mode binds the arrow keys (and Home, End, letters) to moving
    // between cells; inside the slider they move the handle, as a slider's keys should.

    const label = document.createElement("label");
    label.htmlFor = id;
    const input = document.createElement("input");
    input.type = "range";
    // (on the focused element itself: Lumino matches the shortcut's ":focus" there first)
    input.setAttribute("data-lm-suppress-shortcuts", "true");
    input.id = id;
    // The value beside the handle: a number box to type an exact value in, or read-only.
    const editable = model.get("editable");
    const output = document.createElement(editable ? "input" : "output");
    if (editable) {
      output.type = "number";
      output.step = "any";
      const send = () => {
        model.set("typed", output.value);
        model.save_changes();
      };
      output.addEventListener("change", send);
      output.addEventListener("keydown", (event) => { if (event.key === "Enter") send(); });
    } else {
      output.setAttribute("for", id);
    }
    const draw = () => {
      if (editable) {
        output.setAttribute("aria-label", model.get("description") + ", exact value");
        output.value = model.get("readout");
      }
      label.textContent = model.get("description");
      input.min = model.get("low");
      input.max = model.get("high");
      input.step = model.get("step_size");
      input.value = model.get("position");
      input.setAttribute("aria-valuetext", model.get("readout"));
      if (!editable) output.textContent = model.get("readout");
    };
    draw();
    model.on("change", draw);
    input.addEventListener("change", () => {
      model.set("position", Number(input.value));
      model.save_changes();
    });
    el.append(label, input, output);
  }
};
"""

_NAMED_BUTTON_ESM = """
export default {
  render({ model, el }) {
    const button = document.createElement("button");
    button.className = "jupyter-widgets jupyter-button widget-button";
    const draw = () => {
      button.textContent = model.get("description");
      button.setAttribute("aria-label", model.get("accessible_name"));
      button.title = model.get("tooltip");
      button.disabled = model.get("disabled");
    };
    draw();
    model.on("change", draw);
    button.addEventListener("click", () => model.send({ event: "click" }));
    model.on("msg:custom", (message) => { if (message.do === "focus") button.focus(); });
    el.append(button);
  }
};
"""

_TOGGLE_GROUP_ESM = """
export default {
  render({ model, el }) {
    const id = "course-choices-" + Math.random().toString(36).slice(2);
    const group = document.createElement("div");
    group.className = "course-toggle-group";
    group.setAttribute("role", "group");
    group.setAttribute("aria-labelledby", id);
    const label = document.createElement("span");
    label.id = id;
    label.className = "course-toggle-label";
    const buttons = document.createElement("span");
    group.append(label, buttons);
    const draw = () => {
      label.textContent = model.get("description");
      const labels = model.get("labels"), tips = model.get("tips");
      const chosen = model.get("index");
      while (buttons.children.length > labels.length) buttons.lastChild.remove();
      labels.forEach((text, i) => {
        let button = buttons.children[i];
        if (!button) {
          button = document.createElement("button");
          button.className = "jupyter-widgets jupyter-button widget-toggle-button";
          button.addEventListener("click", () => {
            model.set("index", i);
            model.save_changes();
          });
          buttons.append(button);
        }
        button.textContent = text;
        button.title = tips[i] || "";
        button.setAttribute("aria-pressed", String(i === chosen));
        button.classList.toggle("mod-active", i === chosen);
      });
    };
    draw();
    model.on("change", draw);
    el.append(group);
  }
};
"""

_LIVE_REGION_ESM = """
export default {
  render({ model, el }) {
    const region = document.createElement("div");
    region.className = "course-live-region";
    region.setAttribute("role", "status");
    region.setAttribute("aria-live", "polite");
    region.setAttribute("aria-atomic", "true");
    const draw = () => { region.innerHTML = model.get("value"); };
    draw();
    model.on("change:value", draw);
    el.append(region);
  }
};
"""


class LiveRegion(anywidget.AnyWidget):
    """HTML in a ``role="status"`` live region that stays on the page; set ``value`` to
    change what it says (a screen reader reads the new content)."""

    _esm = _LIVE_REGION_ESM
    _css = _CSS
    value = traitlets.Unicode("").tag(sync=True)

    def __init__(self, value: str = "", **kwargs: Any):
        super().__init__(value=value, **kwargs)


class NamedButton(anywidget.AnyWidget):
    """A button whose accessible name says more than its short visible text: "Move up"
    on screen, "Move up: Forward pass" to a screen reader (the visible words first, as
    WCAG 2.5.3 asks). ipywidgets' ``Button`` has no ``aria-label``. ``on_click`` and
    ``click`` as ``ipywidgets.Button``'s."""

    _esm = _NAMED_BUTTON_ESM
    _css = _CSS
    description = traitlets.Unicode("").tag(sync=True)
    accessible_name = traitlets.Unicode("").tag(sync=True)
    tooltip = traitlets.Unicode("").tag(sync=True)
    disabled = traitlets.Bool(False).tag(sync=True)

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self._click_handlers: list[Callable[..., object]] = []
        self.on_msg(self._message)

    def on_click(self, handler: Callable[..., object]) -> None:
        self._click_handlers.append(handler)

    def focus(self) -> None:
        """Move the keyboard focus to the button (as ``ipywidgets.DOMWidget.focus``)."""
        self.send({"do": "focus"})

    def click(self) -> None:
        """As a press of the button in the browser (ignored while disabled, as there)."""
        if not self.disabled:
            for handler in self._click_handlers:
                handler(self)

    def _message(self, _widget: object, content: dict[str, Any], _buffers: object) -> None:
        if content.get("event") == "click":
            self.click()


class ToggleGroup(anywidget.AnyWidget):
    """``ipywidgets.ToggleButtons``' interface (``options`` as values or (label, value)
    pairs, ``value``, ``description``, ``tooltips``), drawn as a labelled group of buttons
    that say which one is chosen (``aria-pressed``: ipywidgets' own only look pressed).
    Buttons, not a drop-down or radio group: JupyterLab's command-mode shortcuts take the
    arrow and letter keys from a focused ``<select>`` or radio button ("R" would turn the
    cell into a raw cell), not from a button. ``value`` None: none chosen."""

    _esm = _TOGGLE_GROUP_ESM
    _css = _CSS
    description = traitlets.Unicode("").tag(sync=True)
    labels = traitlets.List(traitlets.Unicode()).tag(sync=True)
    tips = traitlets.List(traitlets.Unicode()).tag(sync=True)
    index = traitlets.Int(-1).tag(sync=True)
    options: traitlets.List[Any] = traitlets.List()
    tooltips = traitlets.List(traitlets.Unicode())
    value = traitlets.Any(None, allow_none=True)

    def __init__(self, **kwargs: Any):
        kwargs.pop("style", None)
        super().__init__(**kwargs)
        self.observe(lambda _: self._show(), names=["options", "value", "tooltips"])
        self.observe(self._chosen, names="index")
        self._show()

    def _pairs(self) -> list[tuple[str, Any]]:
        return [
            (str(o[0]), o[1]) if isinstance(o, tuple) and len(o) == 2 else (str(o), o)
            for o in self.options
        ]

    def _show(self) -> None:
        pairs = self._pairs()
        values = [value for _, value in pairs]
        if self.value is not None and self.value not in values:
            self.value = None  # as ToggleButtons does when the options change
            return
        self.labels = [label for label, _ in pairs]
        self.tips = list(self.tooltips)
        self.index = values.index(self.value) if self.value is not None else -1

    def _chosen(self, change: dict[str, Any]) -> None:
        pairs = self._pairs()
        if 0 <= change["new"] < len(pairs):
            self.value = pairs[change["new"]][1]


class _RangeInput(anywidget.AnyWidget):
    """A labelled ``<input type="range">`` over positions ``low``..``high`` by ``step_size``;
    ``readout`` is what the student reads (beside it, and as ``aria-valuetext``)."""

    _esm = _SLIDER_ESM
    _css = _CSS
    description = traitlets.Unicode("").tag(sync=True)
    low = traitlets.Float(0.0).tag(sync=True)
    high = traitlets.Float(1.0).tag(sync=True)
    step_size = traitlets.Float(1.0).tag(sync=True)
    position = traitlets.Float(0.0).tag(sync=True)
    readout = traitlets.Unicode("").tag(sync=True)
    editable = traitlets.Bool(False).tag(sync=True)  # a number box to type a value in
    typed = traitlets.Unicode("").tag(sync=True)  # what was typed there; read, then cleared


class LogSlider(_RangeInput):
    """``ipywidgets.FloatLogSlider``'s interface: ``value`` = ``base ** exponent``, the
    exponent from ``min`` to ``max`` by ``step``."""

    value = traitlets.Float(1.0)
    min = traitlets.Float(0.0)
    max = traitlets.Float(4.0)
    step = traitlets.Float(0.1)
    base = traitlets.Float(10.0)
    readout_format = traitlets.Unicode(".3g")

    def __init__(self, **kwargs: Any):
        kwargs.pop("style", None)  # ipywidgets' description width: the label is never cut
        super().__init__(editable=True, **kwargs)
        self.observe(
            lambda _: self._show(), names=["value", "min", "max", "step", "readout_format"]
        )
        self.observe(self._moved, names="position")
        self.observe(self._typed, names="typed")
        self._show()

    def _show(self) -> None:
        low, high = self.base**self.min, self.base**self.max
        self.value = min(max(self.value, low), high)  # clamps, as FloatLogSlider does
        self.low, self.high, self.step_size = self.min, self.max, self.step
        self.position = math.log(self.value, self.base)
        self.readout = format(self.value, self.readout_format)

    def _moved(self, change: dict[str, Any]) -> None:
        if not math.isclose(change["new"], math.log(self.value, self.base), abs_tol=1e-12):
            self.value = self.base ** change["new"]

    def _typed(self, change: dict[str, Any]) -> None:
        if not change["new"]:
            return
        try:
            typed = float(change["new"])
        except ValueError:
            typed = math.nan
        if math.isfinite(typed) and typed > 0:
            self.value = typed  # exactly as typed (0.08 bounces for ever), then clamped
        else:
            self._show()  # not a rate: the box shows the value again
        self.typed = ""


class SelectionSlider(_RangeInput):
    """``ipywidgets.SelectionSlider``'s interface: ``value`` is one of ``options``."""

    options = traitlets.Tuple()
    value = traitlets.Any()

    def __init__(self, options: tuple | list, value: Any = None, **kwargs: Any):
        kwargs.pop("style", None)
        super().__init__(
            options=tuple(options), value=options[0] if value is None else value, **kwargs
        )
        self.observe(lambda _: self._show(), names=["value", "options"])
        self.observe(self._moved, names="position")
        self._show()

    def _show(self) -> None:
        if self.value not in self.options:
            raise traitlets.TraitError(f"{self.value!r} is not one of the options")
        self.low, self.high, self.step_size = 0, len(self.options) - 1, 1
        self.position = self.options.index(self.value)
        self.readout = str(self.value)

    def _moved(self, change: dict[str, Any]) -> None:
        self.value = self.options[int(round(change["new"]))]
