"""Within-cycle correction weights: hand-worked values, tool conventions, errors."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from healthecon import correction
from healthecon.errors import ModelDefinitionError, ShapeError


def test_end_and_beginning_are_right_and_left_riemann_sums():
    assert point_list("end", 3) == [0, 1, 1, 1]
    assert point_list("none", 3) == [0, 1, 1, 1]
    assert point_list("beginning", 3) == [1, 1, 1, 0]


def point_list(method, n):
    return correction.point_weights(method, n).tolist()


def test_half_cycle_and_trapezoid_share_point_weights_but_not_cycle_weights():
    assert point_list("half-cycle", 4) == [0.5, 1, 1, 1, 0.5]
    assert point_list("trapezoid", 4) == [0.5, 1, 1, 1, 0.5]
    a, b = correction.cycle_weights("half-cycle", 3)
    assert a.tolist() == [0.5, 0, 0] and b.tolist() == [1, 1, 0.5]
    a, b = correction.cycle_weights("life-table", 3)
    assert a.tolist() == [0.5, 0.5, 0.5] and b.tolist() == [0.5, 0.5, 0.5]


def test_simpson_even_uses_one_third_rule():
    assert np.allclose(correction.point_weights("simpson", 6), np.array([1, 4, 2, 4, 2, 4, 1]) / 3)


def test_simpson_odd_ends_with_three_eighths_rule():
    w = correction.point_weights("Simpson1/3", 5)
    expected = np.array([1 / 3, 4 / 3, 1 / 3 + 3 / 8, 9 / 8, 9 / 8, 3 / 8])
    assert np.allclose(w, expected)
    assert point_list("simpson", 1) == [0.5, 0.5]


def test_simpson_is_exact_for_cubics_and_trapezoid_for_lines():
    t = np.arange(7.0)
    cubic = 2 + t - 0.3 * t**2 + 0.05 * t**3
    exact = 2 * 6 + 6**2 / 2 - 0.1 * 6**3 + 0.05 * 6**4 / 4
    assert correction.integrate(cubic, "simpson") == pytest.approx(exact, rel=1e-12)
    t5 = np.arange(6.0)  # odd number of cycles: 1/3 + 3/8 rule is still exact for cubics
    cubic5 = 2 + t5 - 0.3 * t5**2 + 0.05 * t5**3
    exact5 = 2 * 5 + 5**2 / 2 - 0.1 * 5**3 + 0.05 * 5**4 / 4
    assert correction.integrate(cubic5, "simpson") == pytest.approx(exact5, rel=1e-12)
    assert correction.integrate(3 - 0.5 * t, "trapezoid") == pytest.approx(3 * 6 - 0.25 * 36)


@given(st.integers(1, 60), st.sampled_from(["end", "beginning", "half-cycle", "trapezoid", "simpson"]))
def test_weights_integrate_a_constant_exactly(n, method):
    # every rule spends exactly n cycles in a state the cohort never leaves
    assert correction.point_weights(method, n).sum() == pytest.approx(n, rel=1e-12)


def test_custom_point_weights_reproduce_darthtools_simpson():
    # darthtools::gen_wcc(4, "Simpson1/3"): 1/3, 2/3, 4/3, 2/3, 1/3 (its parity shift)
    darth = [1 / 3, 2 / 3, 4 / 3, 2 / 3, 1 / 3]
    assert np.allclose(correction.point_weights(darth, 4), darth)


def test_transition_timing():
    assert correction.transition_timing("none") == 1.0
    assert correction.transition_timing("beginning") == 0.0
    assert correction.transition_timing("trapezoid") == 0.5
    assert correction.transition_timing([0.5, 1, 0.5]) == 0.5


def test_unknown_method_lists_known_ones():
    with pytest.raises(ModelDefinitionError, match="unknown within-cycle correction 'halfcycle'.*'half-cycle'"):
        correction.point_weights("halfcycle", 3)


def test_custom_weights_wrong_length():
    with pytest.raises(ShapeError, match="expected 4 point weights"):
        correction.point_weights([1, 1, 1], 3)


def test_bad_cycle_count():
    with pytest.raises(ModelDefinitionError, match="whole number >= 1"):
        correction.cycle_weights("end", 0)


def test_integrate_needs_two_points():
    with pytest.raises(ShapeError, match="at least 2 points"):
        correction.integrate([1.0], "end")
