"""The a3 quiz's calculations worked out by hand, independently of the key's formulas: the
tests' oracle for what a student's own numbers make the right answer."""


def answer_by_hand(question_id: str, p: dict[str, float]) -> float:
    """The right answer to calculation ``question_id`` with the parameters ``p`` a student's
    variant draws (w, x, y, lr; x1..x3 and y1..y3 for the mini-batch)."""
    if question_id == "mini-batch-gradient":
        return 2 / 3 * sum((p["w"] * p[f"x{i}"] - p[f"y{i}"]) * p[f"x{i}"] for i in (1, 2, 3))
    error = p["w"] * p["x"] - p["y"]
    if question_id == "one-weight-loss":
        return error**2
    if question_id == "one-weight-gradient":
        return 2 * error * p["x"]
    if question_id == "one-weight-update":
        return p["w"] - p["lr"] * 2 * error * p["x"]
    raise KeyError(question_id)
