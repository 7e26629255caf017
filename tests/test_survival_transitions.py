"""Time-dependent transition probabilities from survival curves, inside Markov models."""

import numpy as np
import pytest
import xarray as xr

from healthecon.errors import TransitionError
from healthecon.markov import C, MarkovModel, Time
from healthecon.survival import ParametricCurve
from healthecon.survival.psm import PartitionedSurvivalModel
from healthecon.survival.transforms import HazardRatio
from healthecon.survival.transitions import cycle_probabilities, transition_probability


def test_cycle_probabilities_are_one_minus_conditional_survival():
    curve = ParametricCurve("gompertz", shape=0.1, rate="b")
    draws = xr.Dataset({"b": ("sample", [0.05, 0.1, 0.2])})
    p = cycle_probabilities(curve, draws, 24, 0.5, start=1.0)
    s = curve.survival(1.0 + 0.5 * np.arange(25), draws)
    np.testing.assert_allclose(p, 1 - s[:, 1:] / s[:, :-1], rtol=1e-13)
    assert p.shape == (3, 24)


def test_markov_model_driven_by_curves_reproduces_the_psm_trace():
    # progression-free -> progressed -> dead driven by PFS and OS with state-independent death is a PSM
    # only when the curves are exponential; here OS hazard 0.1 and PFS hazard 0.3 (progression 0.2)
    os_curve = ParametricCurve("exponential", rate="os_rate")
    pfs_curve = HazardRatio(os_curve, 3.0)
    draws = xr.Dataset({"os_rate": ("sample", [0.1, 0.2])})
    L = 1 / 12

    def transitions(p, strategy, time):
        death = transition_probability(os_curve, p, time, L)
        leave = transition_probability(pfs_curve, p, time, L)
        return {"pf": {"pf": C, "pd": leave - death, "dead": death}, "pd": {"pd": C, "dead": death}, "dead": {"dead": 1}}

    markov = MarkovModel(["pf", "pd", "dead"], ["only"], transitions, start="pf", n_cycles=60, cycle_length=L)
    psm = PartitionedSurvivalModel({"only": [pfs_curve, os_curve]}, n_cycles=60, cycle_length=L)
    a = markov.run(draws, trace=True)["trace"].values
    b = psm.run(draws, trace=True)["trace"].values
    np.testing.assert_allclose(a, b, atol=1e-13)


def test_curve_driven_markov_model_runs_by_blocks_with_the_numbers_of_cycle_by_cycle(monkeypatch):
    """Monthly cycles from PFS and OS curves (Weibull, Gompertz, a hazard ratio): the model calls
    the transition function for blocks of cycles, and the probabilities, trace and totals are
    those of a cycle-by-cycle run, bit for bit."""
    import healthecon.markov_engine as engine

    os_curve = ParametricCurve("gompertz", shape=0.05, rate="os_rate")
    pfs_curve = HazardRatio(ParametricCurve("weibullPH", shape=1.3, scale="pfs_scale"), 1.2)
    L = 1 / 12
    shapes = []

    def transitions(p, strategy, time):
        death = transition_probability(os_curve, p, time, L)
        leave = transition_probability(pfs_curve, p, time, L)
        shapes.append(np.shape(death))
        return {"pf": {"pf": C, "pd": leave, "dead": death}, "pd": {"pd": C, "dead": death}, "dead": {"dead": 1}}

    model = MarkovModel(["pf", "pd", "dead"], ["only"], transitions, start="pf", n_cycles=36, cycle_length=L,
                        state_rewards={"qaly": {"pf": 0.8, "pd": 0.6}})
    draws = xr.Dataset({"os_rate": ("sample", [0.05, 0.1, 0.2]), "pfs_scale": ("sample", [0.2, 0.3, 0.4])})
    by_blocks = model.run(draws, trace=True)
    assert shapes == [(3,), (36, 3), (3,)]  # cycle 1; cycles 1-36 in one call; cycle 36 to test the block
    monkeypatch.setattr(engine, "_BLOCK_SAMPLES", 0)
    cycle_by_cycle = model.run(draws, trace=True)
    for name in by_blocks.data_vars:
        assert np.array_equal(by_blocks[name].values, cycle_by_cycle[name].values), name
    cycles = np.arange(1, 4)[:, None]
    block = transition_probability(os_curve, draws, Time(cycles, (cycles - 1) * L, None), L)
    assert np.array_equal(block, np.stack([transition_probability(os_curve, draws, (c - 1) * L, L) for c in (1, 2, 3)]))


def test_transition_probability_accepts_years_and_returns_one_per_sample():
    curve = ParametricCurve("weibullPH", shape=1.5, scale="m")
    values = transition_probability(curve, {"m": np.array([0.1, 0.2]), "other": np.array([1.0, 2.0])}, 2.0, 1.0)
    expected = 1 - np.exp(-np.array([0.1, 0.2]) * (3**1.5 - 2**1.5))
    np.testing.assert_allclose(values, expected, rtol=1e-13)


def test_curve_at_zero_gives_probability_one_and_rising_curve_raises():
    class Ends:
        def survival(self, t, draws=None):
            return np.clip(1 - np.asarray(t, float) / 2, 0, 1)[None, :]

    assert cycle_probabilities(Ends(), None, 4, 1.0).tolist() == [[0.5, 1.0, 1.0, 1.0]]

    class Rises:
        def survival(self, t, draws=None):
            return np.array([[1.0, 0.5, 0.6]])[:, : len(t)]

    with pytest.raises(TransitionError, match="increases over cycle 2"):
        cycle_probabilities(Rises(), None, 2, 1.0)
