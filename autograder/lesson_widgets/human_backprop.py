"""Human backpropagation: you label sentences formal or casual; a one-layer model learns.

Each sentence is a set of word features. The model's score is sigmoid(sum of the
weights of the words present + bias). After your answer, the model's error
(prediction - truth) is passed back to each word present: a word whose weight pushed
the wrong way was "weighted too high" (or too low), and its weight moves by
-learning_rate * error.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass, field

import ipywidgets as widgets

SENTENCES: list[tuple[str, str]] = [
    ("Dear Ms Patel, please find the report attached.", "formal"),
    ("hey, gonna grab food, you coming?", "casual"),
    ("Kindly confirm receipt of this letter.", "formal"),
    ("lol that was awesome, see ya", "casual"),
    ("We regret to inform you that the meeting is postponed.", "formal"),
    ("yo, thanks a ton for the pizza!", "casual"),
    ("Please accept my sincere apologies for the delay.", "formal"),
    ("cheers mate, catch you later", "casual"),
    ("I would be grateful if you could reply at your earliest convenience.", "formal"),
    ("omg gonna be late, sorry!!", "casual"),
]
FEATURES = [
    "dear",
    "please",
    "kindly",
    "regret",
    "sincere",
    "grateful",
    "convenience",
    "hey",
    "gonna",
    "lol",
    "yo",
    "cheers",
    "omg",
    "!",
]


def features_of(sentence: str) -> list[str]:
    words = set(re.findall(r"[a-z']+", sentence.lower()))
    found = [f for f in FEATURES if f in words]
    return found + (["!"] if "!" in sentence else [])


@dataclass
class WeightChange:
    feature: str
    before: float
    after: float

    @property
    def verdict(self) -> str:
        if self.after < self.before:
            return "weighted too high for 'formal': lowered"
        if self.after > self.before:
            return "weighted too low for 'formal': raised"
        return "unchanged"


@dataclass
class HumanBackprop:
    learning_rate: float = 1.0
    weights: dict[str, float] = field(default_factory=lambda: dict.fromkeys(FEATURES, 0.0))
    bias: float = 0.0
    index: int = 0
    answered: int = 0
    agreed: int = 0
    last_changes: list[WeightChange] = field(default_factory=list)

    @property
    def sentence(self) -> str:
        return SENTENCES[self.index % len(SENTENCES)][0]

    @property
    def truth(self) -> str:
        return SENTENCES[self.index % len(SENTENCES)][1]

    def probability_formal(self, sentence: str | None = None) -> float:
        score = self.bias + sum(self.weights[f] for f in features_of(sentence or self.sentence))
        return 1.0 / (1.0 + math.exp(-score))

    def answer(self, label: str) -> bool:
        """Your label for the current sentence; the model learns from the true label.

        Returns whether your label was right. Then moves to the next sentence.
        """
        if label not in ("formal", "casual"):
            raise ValueError("label must be 'formal' or 'casual'")
        target = 1.0 if self.truth == "formal" else 0.0
        error = self.probability_formal() - target  # dLoss/dscore for cross-entropy
        self.last_changes = []
        for feature in features_of(self.sentence):
            before = self.weights[feature]
            self.weights[feature] = before - self.learning_rate * error
            self.last_changes.append(WeightChange(feature, before, self.weights[feature]))
        self.bias -= self.learning_rate * error
        right = label == self.truth
        self.answered += 1
        self.agreed += right
        self.index += 1
        return right

    def accuracy(self) -> float:
        """How many of the sentences the model now labels correctly."""
        right = sum((self.probability_formal(s) > 0.5) == (t == "formal") for s, t in SENTENCES)
        return right / len(SENTENCES)


class HumanBackpropView(widgets.VBox):
    """Label each sentence; see which word weights were blamed and how they moved."""

    def __init__(self, model: HumanBackprop | None = None):
        super().__init__()
        self.model = model or HumanBackprop()
        self.sentence = widgets.HTML()
        self.formal = widgets.Button(description="Formal", tooltip="This sentence is formal")
        self.casual = widgets.Button(description="Casual", tooltip="This sentence is casual")
        self.feedback = widgets.HTML()
        self.formal.on_click(lambda _: self.answer("formal"))
        self.casual.on_click(lambda _: self.answer("casual"))
        self.children = [self.sentence, widgets.HBox([self.formal, self.casual]), self.feedback]
        self.render_sentence()

    def render_sentence(self) -> None:
        model = self.model
        self.sentence.value = (
            f"<p><b>Sentence {model.answered + 1}:</b> “{html.escape(model.sentence)}”"
            f"<br>The model says: {model.probability_formal():.0%} formal. "
            "What do you say?</p>"
        )

    def answer(self, label: str) -> None:
        before = self.model.probability_formal()
        truth = self.model.truth
        right = self.model.answer(label)
        rows = "".join(
            f"<tr><td>{html.escape(c.feature)}</td><td>{c.before:+.2f} → {c.after:+.2f}</td>"
            f"<td>{c.verdict}</td></tr>"
            for c in self.model.last_changes
        )
        verdict = "✓ Right" if right else "✗ Not this time"
        self.feedback.value = (
            f"<p role='status'>{verdict}: it was {truth}. The model had said {before:.0%} formal, "
            f"so its error was {before - (truth == 'formal'):+.2f}. "
            "Backpropagated to each word:</p>"
            f"<table><tr><th>word</th><th>weight</th><th>why</th></tr>{rows}</table>"
            f"<p>The model now labels {self.model.accuracy():.0%} of the sentences correctly.</p>"
        )
        self.render_sentence()
