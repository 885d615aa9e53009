"""The course's data: real handwritten digits that ship with scikit-learn (no download).

UCI's "Optical Recognition of Handwritten Digits": 1,797 images of 8x8 pixels
(values 0..16) written by 43 people, labelled 0-9. Lessons and assignments split
them the same way every time, so results are reproducible.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from autograder.gradient_checking.revealing_inputs import one_hot


@dataclass(frozen=True)
class DigitsSplit:
    """Pixels scaled to [0, 1]; X_*: (m, 64); y_*: (m,) integer labels 0-9."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray


def load_digits_split(seed: int = 0, validation: float = 0.2, test: float = 0.2) -> DigitsSplit:
    """Shuffle the 1,797 digits with ``seed`` and split them train / validation / test.

    Each class is split in the same proportions (stratified), so every part holds
    every digit. Defaults: 60% train (1,079), 20% validation (359), 20% test (359).
    """
    from sklearn.datasets import load_digits  # imported here: only this needs scikit-learn

    digits = load_digits()
    X, y = digits.data / 16.0, digits.target.astype(np.int64)
    rng = np.random.default_rng(seed)
    parts: dict[str, list[np.ndarray]] = {"train": [], "val": [], "test": []}
    for label in range(10):
        members = rng.permutation(np.flatnonzero(y == label))
        n_test = round(test * len(members))
        n_val = round(validation * len(members))
        parts["test"].append(members[:n_test])
        parts["val"].append(members[n_test : n_test + n_val])
        parts["train"].append(members[n_test + n_val :])
    index = {name: rng.permutation(np.concatenate(chunks)) for name, chunks in parts.items()}
    return DigitsSplit(
        X[index["train"]],
        y[index["train"]],
        X[index["val"]],
        y[index["val"]],
        X[index["test"]],
        y[index["test"]],
    )


def one_hot_labels(labels: np.ndarray, classes: int = 10) -> np.ndarray:
    """(m,) digit labels -> (m, classes) one-hot rows (the name the assignments import)."""
    return one_hot(labels, classes)
