"""Finite-difference gradient checking that is fast, strict and says what is wrong.

Public API::

    from autograder.gradient_checking import check_gradient, check_layer_gradient, check_values

    result = check_gradient(lambda W, b: loss(X, W, b), {"W": W, "b": b}, {"W": dW, "b": db})
    result.passed, result.diagnosis, result.message, result.score(points=2)
    result.assert_passed()   # AssertionError with a short, kind message

See ``checks.py`` for the method and its error bound, ``diagnosis.py`` for the bugs it
names, and ``revealing_inputs.py`` for inputs that keep bugs from hiding.
"""

from autograder.gradient_checking.checks import (
    DEFAULT_DIRECTIONS,
    DEFAULT_TOLERANCE,
    FULL_CHECK_MAX_SIZE,
    check_gradient,
    check_layer_gradient,
    check_values,
)
from autograder.gradient_checking.diagnosis import Diagnosis, diagnose, relative_difference
from autograder.gradient_checking.finite_differences import (
    DEFAULT_STEP,
    directional_derivative,
    finite_difference_gradient,
)
from autograder.gradient_checking.numpy_settings import (
    course_numpy_settings,
    student_numpy_settings,
)
from autograder.gradient_checking.results import CheckResult, Score, TensorCheck
from autograder.gradient_checking.revealing_inputs import (
    away_from_kink,
    distinct_dimensions,
    inputs_off_relu_kink,
    min_distance_to_kink,
    one_hot,
    random_labels,
    random_matrix,
    random_upstream_gradient,
)
from autograder.gradient_checking.safe_calls import StudentCodeError, call_student_code

__all__ = [
    "DEFAULT_DIRECTIONS",
    "DEFAULT_STEP",
    "DEFAULT_TOLERANCE",
    "FULL_CHECK_MAX_SIZE",
    "CheckResult",
    "Diagnosis",
    "Score",
    "StudentCodeError",
    "TensorCheck",
    "away_from_kink",
    "call_student_code",
    "check_gradient",
    "check_layer_gradient",
    "check_values",
    "course_numpy_settings",
    "diagnose",
    "directional_derivative",
    "distinct_dimensions",
    "finite_difference_gradient",
    "inputs_off_relu_kink",
    "min_distance_to_kink",
    "one_hot",
    "random_labels",
    "random_matrix",
    "random_upstream_gradient",
    "relative_difference",
    "student_numpy_settings",
]
