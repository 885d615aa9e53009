"""WCAG 2.1 AA in the widgets' Python state: words for every figure (from the model's own
numbers), names on every control, verdicts in live regions, no colour-only meaning, no
truncated labels, no two controls with one name. The browser suite checks the same pages
with axe-core and the keyboard (tests/browser/test_accessibility_in_lab.py)."""

import html
import re

import ipywidgets as widgets
import pytest
from matplotlib.figure import Figure

from autograder.accessible_widgets import (
    LiveRegion,
    LogSlider,
    NamedButton,
    SelectionSlider,
    ToggleGroup,
)
from autograder.lesson_widgets import backward_flow, live_network
from autograder.lesson_widgets.digit_trainer import DigitTrainerView, EpochReport, describe_history
from autograder.lesson_widgets.error_surface import EXAMPLES, ErrorSurfaceView, roll
from autograder.lesson_widgets.guessing_game import GuessingGameView
from autograder.lesson_widgets.human_backprop import HumanBackpropView
from autograder.lesson_widgets.live_network import LiveNetworkView, loss_story
from autograder.lesson_widgets.vanishing_gradients import (
    USEFUL,
    VanishingGradientsView,
    describe_bars,
    gradient_norms,
)
from autograder.quiz_engine import (
    CheckpointState,
    FlashcardDeck,
    MatchingExercise,
    OrderingExercise,
    load_question_bank,
    quiz_key,
)
from autograder.quiz_engine.quiz_widgets import (
    CheckpointView,
    FlashcardView,
    GradedQuizView,
    MatchingView,
    OrderingView,
    QuizView,
)

from ..course_helpers import REPO

BANKS = REPO / "course_content" / "question_banks"
CONCEPTS = load_question_bank(BANKS / "training_concepts.yaml")
#: A one-line ipywidgets button is 148 px wide: about this many characters fit.
FITS_IN_A_DEFAULT_BUTTON = 15


def alt_text(figure_html: str) -> str:
    match = re.search(r"<img src='data:image/png;base64,[^']+' alt='([^']*)'", figure_html)
    assert match, f"no <img> with alt text in {figure_html[:200]}"
    return html.unescape(match.group(1))


def all_widgets(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from all_widgets(child)


def lesson_views():
    return {
        "live network": LiveNetworkView(),
        "error surface": ErrorSurfaceView(),
        "guessing game": GuessingGameView(seed=1),
        "human backprop": HumanBackpropView(),
        "vanishing gradients": VanishingGradientsView(),
        "digit trainer": DigitTrainerView(),
        "quiz": QuizView(load_question_bank(BANKS / "practice_quiz.yaml")),
        "flashcards": FlashcardView(FlashcardDeck.from_bank(CONCEPTS)),
        "matching": MatchingView(MatchingExercise(CONCEPTS["match-training-terms"])),
        "ordering": OrderingView(OrderingExercise(CONCEPTS["order-training-loop"])),
        "checkpoint": CheckpointView(
            CheckpointState(load_question_bank(BANKS / "checkpoints.yaml").questions[0])
        ),
    }


# --- figures: an <img> with alt text computed from the model state it draws -------------


def test_the_live_networks_figure_says_how_the_loss_moved():
    view = LiveNetworkView()
    assert "no steps yet: the loss is" in alt_text(view.picture.value)
    view.hundred_steps.click()
    losses = view.network.losses
    words = alt_text(view.picture.value)
    assert f"the loss fell from {losses[0]:.2g} to {losses[-1]:.2g} in 100 steps" in words
    hidden, prediction = view.network.forward(live_network.INPUTS[:1])
    assert f"output {float(prediction[0]):.3g}" in words  # the value the diagram prints
    assert f"{hidden[0][0]:.3g}" in words
    assert "Figure:" in view.picture.value  # and visible, for everyone


def test_loss_story_says_fell_rose_or_blew_up():
    assert loss_story([0.69]) == "no steps yet: the loss is 0.69"
    assert loss_story([0.69, 0.3, 0.01]) == "the loss fell from 0.69 to 0.01 in 2 steps"
    assert loss_story([0.5, 0.7]) == "the loss rose from 0.5 to 0.7 in 1 step"
    assert "blew up" in loss_story([0.5, float("inf")])


def test_a_diverging_live_network_is_described_as_such():
    view = LiveNetworkView()
    view.rate.value = view.rate.base**view.rate.max  # the largest rate the slider offers
    view.hundred_steps.click()
    words = alt_text(view.picture.value)
    assert "rose" in words or "blew up" in words
    assert "diverging" in view.status.value


def test_the_error_surfaces_figure_and_list_say_each_runs_outcome():
    view = ErrorSurfaceView()
    view.rate.value = 0.08
    words = alt_text(view.picture.value)
    runs = {**EXAMPLES, "yours (0.08)": 0.08}
    for title, rate in runs.items():
        assert f"{title}: {roll(rate).describe()}" in words
        assert f"{html.escape(title)}: <b>{html.escape(roll(rate).describe())}</b>" in (
            view.summary.value
        )
    # axe's listitem: the <li> items sit in a plain <ul>, the live region around it
    assert view.summary.value.startswith("<ul><li>") and "role=" not in view.summary.value


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_the_bar_charts_words_come_from_the_norms_it_draws(activation):
    view = VanishingGradientsView()
    view.activation.value = activation
    norms = gradient_norms(activation, view.scale.value, view.depth.value)
    words = alt_text(view.picture.value)
    assert words == describe_bars(norms)
    inside = sum(USEFUL[0] <= n <= USEFUL[1] for n in norms)
    assert f"{inside} of {len(norms)} layers are inside it" in words
    assert f"from {norms[0]:.2g} at layer 1" in words


def test_the_digit_trainers_figure_says_how_both_errors_moved():
    history = [EpochReport(1, 0.40, 0.58), EpochReport(2, 0.10, 0.86)]
    words = describe_history(history)
    assert "the training error fell from 40.0% to 10.0%" in words
    assert "the validation error fell from 42.0% to 14.0%" in words
    assert "circles" in words and "squares" in words  # the markers, not only colours


def test_the_backward_flow_figure_has_its_labels_as_words():
    output = backward_flow.show_backward_flow()
    words = alt_text(output.data)
    for label in (*backward_flow.STAGES, *backward_flow.FORWARD_LABELS, "∂L/∂ŷ"):
        assert label in words


# --- colour is never the only signal -----------------------------------------------------


def test_live_network_edges_differ_in_line_style_not_only_colour():
    axes = Figure().subplots()
    live_network._draw_edge(axes, (0, 0), (1, 1), 0.5, 1.0)
    live_network._draw_edge(axes, (0, 0), (1, 1), -0.5, 1.0)
    positive, negative = axes.get_lines()
    assert positive.get_linestyle() != negative.get_linestyle()
    intro = LiveNetworkView().children[0].value
    assert "solid blue = positive" in intro and "dashed red = negative" in intro
    assert "Each node shows its value" in intro


# --- every control named; sliders a labelled <input type=range> -------------------------


@pytest.mark.parametrize("name", list(lesson_views()))
def test_every_control_has_a_name_and_no_ipywidgets_slider_is_left(name):
    for control in all_widgets(lesson_views()[name]):
        assert not isinstance(
            control, widgets.FloatSlider | widgets.IntSlider | widgets.SelectionSlider
        ) and not isinstance(control, widgets.FloatLogSlider), (
            f"{name}: an ipywidgets slider has no accessible name (use accessible_widgets)"
        )
        if isinstance(
            control,
            widgets.Button
            | NamedButton
            | ToggleGroup
            | widgets.Text
            | widgets.Textarea
            | widgets.Dropdown
            | widgets.ToggleButtons
            | LogSlider
            | SelectionSlider
            | widgets.IntText
            | widgets.BoundedIntText,
        ):
            assert control.description.strip(), f"{name}: {control!r} has no name"


def test_the_sliders_are_native_range_inputs_with_a_label_and_value_text():
    from autograder import accessible_widgets

    esm = accessible_widgets._SLIDER_ESM
    assert 'input.type = "range"' in esm and "label.htmlFor = id" in esm
    assert 'setAttribute("aria-valuetext"' in esm
    slider = LogSlider(
        value=0.03, min=-4, max=0, step=0.1, readout_format=".4g", description="Rate"
    )
    assert slider.readout == "0.03" and slider.position == pytest.approx(-1.5228787)
    slider.position = -2  # the student moves the handle
    assert slider.value == pytest.approx(0.01) and slider.readout == "0.01"
    slider.value = 50  # beyond the range: clamped, as FloatLogSlider does
    assert slider.value == 1
    slider.typed = "0.08"  # typed in the number box beside it: exactly that value
    assert slider.value == 0.08 and slider.typed == "" and slider.readout == "0.08"
    slider.typed = "fast"  # not a number: nothing changes
    assert slider.value == 0.08
    layers = SelectionSlider(options=(4, 8, 12), value=8, description="Layers")
    assert (layers.low, layers.high, layers.position, layers.readout) == (0, 2, 1, "8")
    layers.position = 2
    assert layers.value == 12


LESSON_WIDGETS = [
    "live network",
    "error surface",
    "guessing game",
    "human backprop",
    "vanishing gradients",
    "digit trainer",
]


@pytest.mark.parametrize("name", LESSON_WIDGETS)
def test_lesson_widgets_choose_with_buttons_that_say_which_is_chosen(name):
    """No drop-down or radio group (JupyterLab's shortcuts take their keys) and no
    ipywidgets ToggleButtons (which show the chosen one only by its look)."""
    for control in all_widgets(lesson_views()[name]):
        assert not isinstance(
            control, widgets.Dropdown | widgets.RadioButtons | widgets.ToggleButtons
        ), f"{name}: {control!r}"


def test_a_toggle_group_says_which_button_is_pressed():
    esm = ToggleGroup._esm
    assert 'setAttribute("aria-pressed", String(i === chosen))' in esm
    assert 'setAttribute("role", "group")' in esm and '"aria-labelledby"' in esm
    group = ToggleGroup(options=[("step 2", 2), ("shrinking", "s")], value=2, description="Step")
    assert (group.labels, group.index) == (["step 2", "shrinking"], 0)
    group.index = 1  # the student presses "shrinking"
    assert group.value == "s"
    group.options = ["a", "b"]  # new options without the value: none chosen
    assert group.value is None and group.index == -1 and group.labels == ["a", "b"]


# --- verdicts in live regions that stay on the page --------------------------------------


def test_every_verdict_is_in_a_live_region():
    assert 'setAttribute("role", "status")' in LiveRegion._esm
    assert 'setAttribute("aria-live", "polite")' in LiveRegion._esm
    views = lesson_views()
    regions = {
        "live network": views["live network"].status,
        "error surface": views["error surface"].summary,
        "guessing game": views["guessing game"].status,
        "human backprop": views["human backprop"].feedback,
        "vanishing gradients": views["vanishing gradients"].summary,
        "digit trainer": views["digit trainer"].status,
        "matching": views["matching"].feedback,
        "ordering": views["ordering"].feedback,
        "checkpoint": views["checkpoint"].sketch,
        "flashcards": views["flashcards"].card,
        "quiz result": views["quiz"].result,
    }
    regions.update({f"quiz {q}": box for q, box in views["quiz"].feedback.items()})
    for name, region in regions.items():
        assert isinstance(region, LiveRegion), name
        assert "role=" not in region.value, f"{name}: a live region inside the live region"
    game = views["guessing game"]
    game.guess_button.click()
    assert re.search(r"Too high|Too low|found", game.status.value)
    views["ordering"].check_button.click()
    assert re.search(r"Correct|Partly right|Not quite", views["ordering"].feedback.value)


def test_the_identity_form_announces_its_key_check(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_QUIZ_IDENTITY_FILE", str(tmp_path / "identity.json"))
    for name in ("COURSE_STUDENT_ID", "COURSE_QUIZ_KEY", "JUPYTERHUB_USER"):
        monkeypatch.delenv(name, raising=False)
    bank = load_question_bank(REPO / "release" / "a3_quiz" / "quiz_questions.yaml")
    view = GradedQuizView(bank, tmp_path / "quiz_answers.json", "a3_quiz")
    form = view.form
    assert isinstance(form.key_check, LiveRegion) and isinstance(form.message, LiveRegion)
    form.student_id.value = "jsmith"
    form.quiz_key.value = "ABCD-EFGHJ"
    assert "✗" in form.key_check.value
    form.save_button.click()
    assert "Not saved" in form.message.value
    form.quiz_key.value = quiz_key(b"a course secret", "jsmith")
    assert "✓" in form.key_check.value
    form.save_button.click()
    # The form folds into its button, which stays first: its focus is kept, Tab goes on.
    assert view.children[0] is form and view.quiz_view in view.children
    assert form.folded and form.save_button.description == "Not you? Change"
    assert all(field.layout.display == "none" for field in form.fields)
    assert "press Tab" in form.message.value and isinstance(view.children[1], LiveRegion)
    assert "for student <b>jsmith</b>" in view.children[1].value
    form.save_button.click()  # "Not you? Change": the form again, the quiz gone
    assert view.children == (form,) and not form.folded and view.quiz_view is None
    assert form.save_button.description == "Save and show my quiz"


# --- no truncated labels; no two buttons with one name -----------------------------------


@pytest.mark.parametrize("name", list(lesson_views()))
def test_no_button_text_is_cut_off(name):
    """A button keeps ipywidgets' one-line 148 px only if its text is short; others are
    as wide as their text and wrap (``wide_button``)."""
    view = lesson_views()[name]
    if name == "human backprop":  # its longest labels appear after a wrong prediction
        view.casual.click()
        view.word_buttons.value = "grateful"
    for control in all_widgets(view):
        if isinstance(control, widgets.Button) and len(control.description) > (
            FITS_IN_A_DEFAULT_BUTTON
        ):
            assert control.layout.width in ("auto", "fit-content"), (
                f"{name}: {control.description!r}"
            )
            assert "course-wrap" in control._dom_classes, f"{name}: {control.description!r}"


def test_checkpoint_reveal_and_matching_definitions_are_whole():
    views = lesson_views()
    assert views["checkpoint"].reveal_button.description == "Reveal answer sketch"
    matching = views["matching"]
    for definition, button in matching.definition_buttons.items():
        assert button.description == definition  # never cut at 70 characters


def test_a_moved_item_keeps_the_focus_and_is_announced(monkeypatch):
    view = lesson_views()["ordering"]
    focused = []
    monkeypatch.setattr(NamedButton, "focus", lambda self: focused.append(self))
    item = view.exercise.order[2]
    view.down_buttons[2].click()
    count = len(view.exercise.order)
    assert view.exercise.order[3] == item and focused == [view.down_buttons[3]]
    assert f"“{item}” moved down: now 4 of {count}." in view.moved.value
    view.up_buttons[1].click()  # to the top, where "Move up" is disabled: focus its "Move down"
    assert focused[-1] is view.down_buttons[0]


def test_ordering_buttons_name_their_item():
    view = lesson_views()["ordering"]
    names = [
        button.accessible_name
        for row in view.rows.children
        for button in row.children
        if isinstance(button, NamedButton)
    ]
    assert len(names) == len(set(names)) == 2 * len(view.exercise.order)
    for row, item in zip(view.rows.children, view.exercise.order, strict=True):
        up, down = row.children[1:]
        # the visible words first in the name (WCAG 2.5.3), then the item
        assert (up.description, up.accessible_name) == ("Move up", f"Move up: {item}")
        assert (down.description, down.accessible_name) == ("Move down", f"Move down: {item}")
    assert 'setAttribute("aria-label", model.get("accessible_name"))' in NamedButton._esm
    first = view.exercise.order[0]
    view.rows.children[1].children[1].click()  # the second row's "Move up"
    assert view.exercise.order[0] != first
    view.rows.children[0].children[1].click()  # disabled on the first row: nothing moves
    assert view.exercise.order[1] == first
