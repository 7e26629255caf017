"""plot_trace draws the trace's numbers."""

import numpy as np
import pytest

from healthecon.errors import OutcomesError, UnknownNameError
from healthecon.markov import C, MarkovModel
from healthecon.plot.markov import plot_trace


def model():
    return MarkovModel(
        ["well", "sick", "dead"], ["usual", "new"],
        lambda p, s: {"well": {"well": C, "sick": p["p"] * (0.5 if s == "new" else 1)}, "sick": {"sick": C, "dead": 0.2}, "dead": {"dead": 1}},
        start={"well": 1}, n_cycles=6, cycle_length=0.5, state_rewards={"ly": {"well": 1, "sick": 1}},
    )


DRAWS = {"p": np.array([0.1, 0.3, 0.2])}


def test_lines_are_the_mean_trace_by_default():
    out = model().run(DRAWS, trace=True)
    ax = plot_trace(out, "new")
    assert [line.get_label() for line in ax.lines] == ["well", "sick", "dead"]
    for line, state in zip(ax.lines, ["well", "sick", "dead"]):
        expected = out["trace"].sel(strategy="new", state=state).mean("sample").values
        assert np.allclose(line.get_ydata(), expected, rtol=1e-14)
        assert np.allclose(line.get_xdata(), np.arange(7) * 0.5)
    assert ax.get_xlabel() == "Years" and ax.get_title() == "State membership: new (mean over 3 samples)"


def test_one_sample_chosen_states_and_cycles_axis():
    out = model().run(DRAWS, trace=True)
    ax = plot_trace(out["trace"], "usual", sample=1, states=["sick"], years=False)
    assert len(ax.lines) == 1
    assert np.allclose(ax.lines[0].get_ydata(), out["trace"].sel(strategy="usual", state="sick").isel(sample=1).values)
    assert np.allclose(ax.lines[0].get_xdata(), np.arange(7))


def test_mean_trace_run_and_given_axes():
    import matplotlib.pyplot as plt

    out = model().run(DRAWS, trace="mean")
    _, ax = plt.subplots()
    assert plot_trace(out, ax=ax) is ax
    assert np.allclose(ax.lines[0].get_ydata(), out["trace"].sel(strategy="usual", state="well").values)


def test_errors():
    out = model().run(DRAWS)
    with pytest.raises(OutcomesError, match="no 'trace'"):
        plot_trace(out)
    traced = model().run(DRAWS, trace="mean")
    with pytest.raises(UnknownNameError, match="unknown strategy 'old'"):
        plot_trace(traced, "old")
    with pytest.raises(UnknownNameError, match="unknown state 'ill'"):
        plot_trace(traced, states=["ill"])
