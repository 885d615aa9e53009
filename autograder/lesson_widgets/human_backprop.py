"""Human backpropagation: you are the network, and your own adjustments are the update.

The source material's role play. Three sentences, one at a time: you predict formal or
casual, then hear whether you were right. When you were wrong you must name a word you
weighted too high or too low and adjust your rule for it; that adjustment, and only
that, changes your rules (one weight per word, how formal it sounds). After the three
rounds you write down one rule you adjusted.

What backpropagation would do differs in one way the model can say: for a one-layer
model, the error of a wrong prediction is passed back to *every* word of the sentence,
each nudged in the direction that makes the right answer likelier.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

import ipywidgets as widgets

from autograder.accessible_widgets import LiveRegion, ToggleGroup, wide_button

#: The source material's three sentences and their true labels.
ROUNDS: tuple[tuple[str, str], ...] = (
    ("I would be grateful for your assistance.", "formal"),
    ("Hey, wanna grab pizza?", "casual"),
    ("The committee has reviewed the proposal.", "formal"),
)
LABELS = ("formal", "casual")
#: How far one adjustment moves a word's weight (your learning rate).
ADJUSTMENT = 1.0


def words_of(sentence: str) -> list[str]:
    """The sentence's words, lower case, each once, in order."""
    return list(dict.fromkeys(re.findall(r"[a-z']+", sentence.lower())))


@dataclass(frozen=True)
class Adjustment:
    word: str
    direction: str  # "too high" or "too low": how formal you had weighted the word
    before: float
    after: float
    with_the_error: bool  # moves the way backpropagation would (towards the true label)

    def sentence(self) -> str:
        change = "lowered" if self.after < self.before else "raised"
        verdict = (
            "the way backpropagation would move it, towards the right answer."
            if self.with_the_error
            else "against the error, which makes the wrong answer likelier next time. "
            "Backpropagation always moves a weight towards the right answer."
        )
        return (
            f"You weighted “{self.word}” {self.direction} for formal, so you {change} it "
            f"from {self.before:+g} to {self.after:+g}: {verdict}"
        )


@dataclass
class HumanBackprop:
    """Your rules (word weights towards "formal") and where you are in the exercise."""

    rules: dict[str, float] = field(default_factory=dict)
    round_index: int = 0
    phase: str = "predict"  # "predict", "adjust", "write", "done"
    predictions: list[tuple[str, str]] = field(default_factory=list)  # (yours, truth)
    adjustments: list[Adjustment] = field(default_factory=list)
    written_rule: str = ""

    @property
    def sentence(self) -> str:
        return ROUNDS[self.round_index][0]

    @property
    def truth(self) -> str:
        return ROUNDS[self.round_index][1]

    @property
    def was_wrong(self) -> bool:
        yours, truth = self.predictions[-1]
        return yours != truth

    def rule_score(self, sentence: str) -> float:
        """Your rules' verdict on a sentence: above 0 formal, below 0 casual."""
        return sum(self.rules.get(word, 0.0) for word in words_of(sentence))

    def predict(self, label: str) -> bool:
        """Your prediction for this round's sentence; returns whether it was right."""
        if self.phase != "predict":
            raise ValueError(f"not time to predict now ({self.phase})")
        if label not in LABELS:
            raise ValueError("predict 'formal' or 'casual'")
        self.predictions.append((label, self.truth))
        self.phase = "adjust"
        return not self.was_wrong

    def adjust(self, word: str, direction: str) -> Adjustment:
        """You weighted ``word`` "too high" or "too low" (for formal): your rule moves."""
        if self.phase != "adjust":
            raise ValueError(f"not time to adjust now ({self.phase})")
        if word not in words_of(self.sentence):
            raise ValueError(f"“{word}” is not in this sentence")
        if direction not in ("too high", "too low"):
            raise ValueError("say 'too high' or 'too low'")
        before = self.rules.get(word, 0.0)
        after = before - ADJUSTMENT if direction == "too high" else before + ADJUSTMENT
        self.rules[word] = after
        towards_formal = after > before
        change = Adjustment(
            word,
            direction,
            before,
            after,
            with_the_error=towards_formal == (self.truth == "formal"),
        )
        self.adjustments.append(change)
        self._next_round()
        return change

    def skip_adjustment(self) -> None:
        """Only after a right prediction: no error, so nothing you must change."""
        if self.phase != "adjust" or self.was_wrong:
            raise ValueError("you were wrong: name a word you weighted too high or too low")
        self._next_round()

    def _next_round(self) -> None:
        if self.round_index + 1 < len(ROUNDS):
            self.round_index += 1
            self.phase = "predict"
        else:
            self.phase = "write"

    def write_rule(self, text: str) -> None:
        """The last step: write down one rule (a feature of a sentence) you adjusted."""
        if self.phase != "write":
            raise ValueError("write your rule after the three rounds")
        if len(text.strip()) < 3:
            raise ValueError("write your rule in a few words")
        self.written_rule = text.strip()
        self.phase = "done"

    def backprop_would_blame(self) -> list[str]:
        """For the last wrong round, what a one-layer model's backward pass nudges:
        every word of the sentence, each towards the true label."""
        towards = "raise" if self.truth == "formal" else "lower"
        return [f"{towards} “{word}”" for word in words_of(self.sentence)]


class HumanBackpropView(widgets.VBox):
    """Predict, hear the truth, adjust your own rule, and finally write it down."""

    def __init__(self, model: HumanBackprop | None = None):
        super().__init__()
        self.model = model or HumanBackprop()
        self.sentence = widgets.HTML()
        self.formal = widgets.Button(description="Formal", tooltip="I predict formal")
        self.casual = widgets.Button(description="Casual", tooltip="I predict casual")
        self.word_buttons = ToggleGroup(options=[], description="Word")
        self.too_high = wide_button(
            description="I weighted it too high", tooltip="It sounds less formal than I thought"
        )
        self.too_low = wide_button(
            description="I weighted it too low", tooltip="It sounds more formal than I thought"
        )
        self.next_button = wide_button(description="Next sentence", tooltip="Nothing to adjust")
        # Sent to the kernel when the box loses focus, so Save never sees half the text.
        self.rule_text = widgets.Textarea(
            placeholder="For example: “grateful” sounds formal; I weighted it too low.",
            description="My rule",
            continuous_update=False,
        )
        self.rule_preview = widgets.HTML()
        self.rule_text.observe(lambda _: self.preview_rule(), names="value")
        self.save_rule = wide_button(description="Save my rule")
        self.feedback = LiveRegion()
        self.rules = widgets.HTML()
        self.formal.on_click(lambda _: self.predict("formal"))
        self.casual.on_click(lambda _: self.predict("casual"))
        self.too_high.on_click(lambda _: self.adjust("too high"))
        self.too_low.on_click(lambda _: self.adjust("too low"))
        self.next_button.on_click(lambda _: self.skip())
        self.save_rule.on_click(lambda _: self.write())
        # The buttons name the word the kernel has, so what you see is what is adjusted.
        self.word_buttons.observe(lambda _: self.name_direction_buttons(), names="value")
        self.predict_row = widgets.HBox([self.formal, self.casual])
        self.adjust_box = widgets.VBox(
            [self.word_buttons, widgets.HBox([self.too_high, self.too_low, self.next_button])]
        )
        self.write_box = widgets.VBox([self.rule_text, self.rule_preview, self.save_rule])
        self.children = [
            self.sentence,
            self.predict_row,
            self.adjust_box,
            self.write_box,
            self.feedback,
            self.rules,
        ]
        self.render()

    def name_direction_buttons(self) -> None:
        word = self.word_buttons.value
        it = f"“{word}”" if word else "it"
        self.too_high.description = f"I weighted {it} too high"
        self.too_low.description = f"I weighted {it} too low"

    def predict(self, label: str) -> None:
        right = self.model.predict(label)
        truth = self.model.truth
        if right:
            self.feedback.value = (
                f"<p>✓ Right: it is {truth}. No error, so no rule has to change "
                "(you may still adjust one).</p>"
            )
        else:
            self.feedback.value = (
                f"<p>✗ Wrong: it is {truth}. Which word did you weight too high "
                "or too low for formal? Pick it, then adjust your rule.</p>"
            )
        self.render()

    def adjust(self, direction: str) -> None:
        if self.word_buttons.value is None:
            self.feedback.value = "<p>Pick a word of the sentence first.</p>"
            return
        blamed = ", ".join(self.model.backprop_would_blame())
        change = self.model.adjust(self.word_buttons.value, direction)
        self.feedback.value = (
            f"<p>{html.escape(change.sentence())}</p>"
            f"<p>Backpropagation would nudge every word of that sentence at once: "
            f"{html.escape(blamed)}.</p>"
        )
        self.render()

    def skip(self) -> None:
        self.model.skip_adjustment()
        self.feedback.value = "<p>Nothing adjusted: on to the next sentence.</p>"
        self.render()

    def preview_rule(self) -> None:
        text = self.rule_text.value.strip()
        self.rule_preview.value = f"<p>To save: “{html.escape(text)}”</p>" if text else ""

    def write(self) -> None:
        try:
            self.model.write_rule(self.rule_text.value)
        except ValueError as problem:
            self.feedback.value = f"<p>{html.escape(str(problem))}.</p>"
            return
        self.feedback.value = (
            f"<p>Your rule: “{html.escape(self.model.written_rule)}”. That is what "
            "backpropagation does: measure the error, trace it back to the features that "
            "caused it, and change their weights for next time.</p>"
        )
        self.render()

    def render(self) -> None:
        model = self.model
        phase = model.phase
        number = model.round_index + 1
        if phase in ("predict", "adjust"):
            score = model.rule_score(model.sentence)
            self.sentence.value = (
                f"<p><b>Round {number} of {len(ROUNDS)}:</b> “{html.escape(model.sentence)}”"
                f"<br>Your rules so far score it {score:+g}. What do you predict?</p>"
            )
        elif phase == "write":
            self.sentence.value = (
                "<p><b>All three rounds done.</b> Write down one rule (a feature of a sentence) "
                "you adjusted, then save it.</p>"
            )
        else:
            self.sentence.value = "<p><b>Done.</b></p>"
        self.predict_row.layout.display = "" if phase == "predict" else "none"
        self.adjust_box.layout.display = "" if phase == "adjust" else "none"
        self.write_box.layout.display = "" if phase == "write" else "none"
        if phase == "adjust":
            self.word_buttons.options = words_of(model.sentence)
            self.word_buttons.value = None
            self.next_button.disabled = model.was_wrong
        rows = "".join(
            f"<tr><td>{html.escape(word)}</td><td>{weight:+g}</td></tr>"
            for word, weight in model.rules.items()
        )
        self.rules.value = (
            "<p>Your rules (how formal each word sounds):</p>"
            f"<table><tr><th>word</th><th>weight</th></tr>{rows}</table>"
            if rows
            else "<p>Your rules: none adjusted yet (every word weighs 0).</p>"
        )
