"""The feedback preprocessors one by one, on small notebooks (no kernel, no gradebook)."""

from __future__ import annotations

import datetime

import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from autograder.grader_tools.notebook_records import hidden_checks_of
from autograder.grader_tools.student_feedback.answer_policy import answers_may_be_shown
from autograder.grader_tools.student_feedback.hidden_checks import (
    FAILED,
    NOT_RUN,
    PASSED,
    judged_checks,
    listed_checks,
)
from autograder.grader_tools.student_feedback.preprocessors import (
    REDACTED,
    DescribeHiddenChecks,
    DropInvisibleOutputs,
    RedactHiddenTestText,
    ShortTracebacks,
)
from autograder.notebook_metadata import QUIZ_ANSWERS_METADATA, QUIZ_FEEDBACK_METADATA

TEST_SOURCE = """\
\"\"\"Checks: relu.\"\"\"
check_values("relu(Z)", call_student_code(relu, Z), [[0.0, 1.0]]).assert_passed()
### BEGIN HIDDEN TESTS
def _reference_relu(Z):
    return np.maximum(Z, 0.0)
_Z = np.random.default_rng(3).standard_normal((4, 5))
check_values("relu(Z)", call_student_code(relu, _Z), _reference_relu(_Z)).assert_passed()
for _seed in (1, 2):
    check_activation_backward(relu, relu_backward, seed=_seed).assert_passed()
assert relu(np.zeros(1))[0] == 0.0, "relu(0) should be 0, known mistake text for students"
### END HIDDEN TESTS"""


def _test_cell(outputs=(), score=1.0, points=3.0):
    metadata = {
        "nbgrader": {
            "grade": True,
            "solution": False,
            "locked": True,
            "grade_id": "test_relu",
            "points": points,
            "score": score,
        }
    }
    return new_code_cell(TEST_SOURCE, metadata=metadata, outputs=list(outputs))


def _error(line: int, message: str):
    frame = (
        f"\x1b[36mCell\x1b[39m \x1b[32mIn[4]\x1b[39m\x1b[32m, line {line}\x1b[39m\n---> {line} ..."
    )
    return new_output("error", ename="CheckFailed", evalue=message, traceback=["---", frame])


def test_hidden_checks_are_listed_in_words():
    checked = [check.checked for check in listed_checks(TEST_SOURCE)]
    assert checked == [
        "the values of relu(Z)",
        "relu_backward against finite differences, on several inputs",
        "the requirement: relu(0) should be 0, known mistake text for students",
    ]


def test_the_failing_line_decides_each_hidden_checks_outcome():
    failed = judged_checks(TEST_SOURCE, [_error(9, "relu_backward: dZ has the wrong sign")], 0, 3)
    assert [(c.outcome, c.result) for c in failed] == [
        (PASSED, ""),
        (FAILED, "relu_backward: dZ has the wrong sign"),
        (NOT_RUN, "An earlier check failed."),
    ]
    visible = judged_checks(TEST_SOURCE, [_error(2, "relu(Z): wrong values")], 0, 3)
    assert {c.result for c in visible} == {"A visible check above failed first."}
    assert {c.outcome for c in judged_checks(TEST_SOURCE, [], 3, 3)} == {PASSED}


def test_the_hidden_tests_leave_outputs_and_tracebacks_keep_only_the_message():
    leaking = new_code_cell(
        "print(In)",
        outputs=[
            new_output(
                "stream",
                name="stdout",
                text="['', '_Z = np.random.default_rng(3).standard_normal((4, 5))', "
                "'<function _reference_relu at 0x1>']\nmy own line\n"
                "relu(0) should be 0, known mistake text for students\n",
            )
        ],
    )
    test = _test_cell([_error(7, "relu(Z): relu(0) should be 0, known mistake text for students")])
    notebook = new_notebook(cells=[test, leaking])
    resources = {"nbgrader": {}}
    for preprocessor in (RedactHiddenTestText(), DescribeHiddenChecks(), ShortTracebacks()):
        notebook, resources = preprocessor.preprocess(notebook, resources)
    lines = notebook.cells[1].outputs[0].text.split("\n")
    assert lines[:3] == [REDACTED, "my own line", REDACTED]
    error = notebook.cells[0].outputs[0]
    assert error.traceback == [
        "CheckFailed: relu(Z): relu(0) should be 0, known mistake text for students"
    ]  # a test cell's own diagnosis stays
    described = hidden_checks_of(notebook.cells[0])
    assert described[0] == {
        "checked": "the values of relu(Z)",
        "outcome": FAILED,
        "result": "relu(Z): relu(0) should be 0, known mistake text for students",
    }


def test_outputs_that_show_nothing_are_dropped():
    data_only = new_output("display_data", data={"text/plain": ""}, metadata={"x": [1]})
    shown = new_output("display_data", data={"text/plain": "a plot"})
    notebook = new_notebook(cells=[new_code_cell("x", outputs=[data_only, shown])])
    notebook, _ = DropInvisibleOutputs().preprocess(notebook, {})
    assert notebook.cells[0].outputs == [shown]


def test_the_answer_policy():
    now = datetime.datetime(2026, 12, 3, 12, 0)
    day = datetime.timedelta(days=1)
    assert not answers_may_be_shown("never", now - day, now)
    assert answers_may_be_shown("always", None, now)
    assert answers_may_be_shown("after_due", now - day, now)
    assert not answers_may_be_shown("after_due", now + day, now)  # an extension still running
    assert not answers_may_be_shown("after_due", None, now)  # no due date: not shown
    with pytest.raises(ValueError, match="answer policy 'sometimes'"):
        answers_may_be_shown("sometimes", None, now)


RECORD = {
    "notes": [],
    "score_line": "Score: 0 of 1 right, 0 points.",
    "questions": [
        {
            "number": 2,
            "id": "direction",
            "type": "single_choice",
            "answered": True,
            "correct": False,
            "score": 0.0,
            "given": "A, 'Input to output'",
            "detail": "Input to output is the forward pass.",
            "answer": "C, 'Output to input'",
        },
        {
            "number": 13,
            "id": "match",
            "type": "matching",
            "answered": True,
            "correct": False,
            "score": 0.5,
            "detail": "Check again: Bias.",
            "pairs": [
                {
                    "term": "Weight",
                    "given": "scales a signal",
                    "right": True,
                    "answer": "scales a signal",
                },
                {"term": "Bias", "given": "scales a signal", "right": False, "answer": "an offset"},
            ],
        },
    ],
}


def _quiz_notebook(*outputs):
    return new_notebook(cells=[_test_cell(outputs)])


def _quiz_text(notebook, policy):
    from autograder.grader_tools.student_feedback.preprocessors import QuizFeedbackForStudent

    resources = {"nbgrader": {"student": "ada", "assignment": "a3_quiz"}}
    notebook, _ = QuizFeedbackForStudent(show_answers=policy).preprocess(notebook, resources)
    return "".join(o.get("text", "") for o in notebook.cells[0].outputs)


def test_the_quiz_feedback_shows_right_answers_only_when_the_policy_allows():

    def notebook():
        shown = new_output(
            "display_data",
            data={"text/plain": "(graders' view)"},
            metadata={QUIZ_FEEDBACK_METADATA: RECORD},
        )
        return _quiz_notebook(shown)

    never = _quiz_text(notebook(), "never")
    assert "Question 2: you chose A, 'Input to output'. Not quite: Input to output is" in never
    assert "  Weight: right" in never and "  Bias: not 'scales a signal'" in never
    assert "Output to input" not in never and "an offset" not in never
    always = _quiz_text(notebook(), "always")
    assert "The answer: C, 'Output to input'" in always and "should be 'an offset'" in always


def test_a_quiz_marked_by_an_older_version_shows_none_of_its_printed_answers():

    printed = new_output("stream", name="stdout", text="Question 2: ... The answer: Output\n")
    published = new_output(
        "display_data",
        data={"text/plain": ""},
        metadata={QUIZ_ANSWERS_METADATA: {"direction": "A"}},
    )
    score = new_output("execute_result", data={"text/plain": "0.0"}, execution_count=1)
    text = _quiz_text(_quiz_notebook(printed, published, score), "never")
    assert "The answer" not in text and "grade them again" in text


FUNCTION_SCOPE = """\
check_values("relu(Z)", call_student_code(relu, Z), [[0.0, 1.0]]).assert_passed()
### BEGIN HIDDEN TESTS
def _hidden(relu, relu_backward):
    check_values("relu(Z)", call_student_code(relu, Z), [[0.0]]).assert_passed()
    check_activation_backward(relu, relu_backward, seed=5).assert_passed()
_hidden(relu, relu_backward)
### END HIDDEN TESTS"""


def test_checks_inside_a_hidden_function_are_judged_by_the_deepest_line_of_the_cell():
    frames = [
        "\x1b[36mCell\x1b[39m In[7], line 6\n----> 6 _hidden(relu, relu_backward)",
        "\x1b[36mCell\x1b[39m In[7], line 5, in _hidden\n----> 5 check_activation_backward(",
        "Cell In[3], line 2, in relu_backward\n----> 2 return dA * (Z >= 0)",
    ]
    error = new_output(
        "error", ename="CheckFailed", evalue="relu_backward: slope", traceback=frames
    )
    judged = judged_checks(FUNCTION_SCOPE, [error], 0, 3)
    assert [(c.checked, c.outcome) for c in judged] == [
        ("the values of relu(Z)", PASSED),
        ("relu_backward against finite differences", FAILED),
    ]
