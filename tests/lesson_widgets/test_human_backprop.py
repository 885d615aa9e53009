"""Human backpropagation: the student's own choices drive the update, and the exercise
ends with writing down one rule."""

import pytest

from autograder.lesson_widgets.human_backprop import (
    ROUNDS,
    HumanBackprop,
    HumanBackpropView,
    words_of,
)


def test_the_rounds_are_the_source_materials():
    assert [truth for _, truth in ROUNDS] == ["formal", "casual", "formal"]
    assert words_of(ROUNDS[1][0]) == ["hey", "wanna", "grab", "pizza"]


def test_only_the_students_adjustment_changes_the_rules():
    model = HumanBackprop()
    assert model.predict("casual") is False  # sentence 1 is formal
    assert model.rules == {}  # hearing the truth changes nothing by itself
    with pytest.raises(ValueError, match="you were wrong"):
        model.skip_adjustment()
    with pytest.raises(ValueError, match="not in this sentence"):
        model.adjust("pizza", "too low")
    change = model.adjust("grateful", "too low")
    assert model.rules == {"grateful": 1.0} and change.with_the_error
    assert model.rule_score("Grateful thanks") == 1.0

    assert model.predict("casual") is True  # sentence 2 is casual
    change = model.adjust("pizza", "too low")  # the student may choose badly
    assert model.rules["pizza"] == 1.0 and not change.with_the_error
    assert "against the error" in change.sentence()

    assert model.predict("formal") is True
    model.skip_adjustment()  # right: nothing has to change
    assert model.phase == "write" and model.rules == {"grateful": 1.0, "pizza": 1.0}
    with pytest.raises(ValueError, match="a few words"):
        model.write_rule("  ")
    model.write_rule("“grateful” sounds formal: I weighted it too low")
    assert model.phase == "done"


def test_the_view_by_its_buttons():
    view = HumanBackpropView()
    assert "Round 1 of 3" in view.sentence.value
    assert view.adjust_box.layout.display == "none"
    view.casual.click()
    assert "✗ Wrong: it is formal" in view.feedback.value
    assert view.predict_row.layout.display == "none" and view.next_button.disabled
    view.too_low.click()  # no word picked yet: nothing happens
    assert view.model.rules == {} and "Pick a word" in view.feedback.value
    view.word_buttons.value = "grateful"
    assert view.too_low.description == "I weighted “grateful” too low"
    view.too_low.click()
    assert view.model.rules == {"grateful": 1.0}
    assert "raised it from +0 to +1" in view.feedback.value
    assert "raise “assistance”" in view.feedback.value  # backprop blames every word
    assert "Round 2 of 3" in view.sentence.value and "grateful" in view.rules.value
    view.casual.click()
    assert "✓ Right" in view.feedback.value and not view.next_button.disabled
    view.next_button.click()
    view.formal.click()
    view.next_button.click()
    assert view.write_box.layout.display == ""
    view.rule_text.value = "grateful sounds formal"
    view.save_rule.click()
    assert view.model.written_rule == "grateful sounds formal"
    assert "Your rule: “grateful sounds formal”" in view.feedback.value
