"""Plots of partitioned survival models: the data drawn, axes, labels and errors."""

import matplotlib
import numpy as np
import pytest
import xarray as xr

from healthecon.errors import OutcomesError, UnknownNameError
from healthecon.plot import plot_psm_curves, plot_state_occupancy
from healthecon.survival import ParametricCurve
from healthecon.survival.psm import PartitionedSurvivalModel
from healthecon.survival.transforms import HazardRatio, StepSurvival

matplotlib.use("Agg")

OS = ParametricCurve("exponential", rate="os_rate")
PFS = ParametricCurve("exponential", rate=0.5)
MODEL = PartitionedSurvivalModel({"control": [PFS, OS], "new": [HazardRatio(PFS, 0.5), HazardRatio(OS, 0.5)]},
                                 n_cycles=24, cycle_length=0.5)
DRAWS = xr.Dataset({"os_rate": ("sample", [0.1, 0.2, 0.3])})


def test_state_occupancy_stacks_the_mean_trace():
    out = MODEL.run(DRAWS, trace=True)
    ax = plot_state_occupancy(out, "new")
    layers = [c.get_paths()[0].vertices for c in ax.collections]
    assert len(layers) == 3
    mean = out["trace"].sel(strategy="new").mean("sample")
    top_of_first = layers[0][:, 1].max()
    assert top_of_first == pytest.approx(float(mean.sel(state="progression-free").max()))
    assert ax.get_xlim() == (0.0, 12.0) and ax.get_ylabel() == "Share of the cohort"
    assert "mean over 3 samples" in ax.get_title()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["dead", "progressed", "progression-free"]


def test_state_occupancy_needs_a_trace_and_a_known_strategy():
    with pytest.raises(OutcomesError, match="trace=True"):
        plot_state_occupancy(MODEL.run(DRAWS))
    with pytest.raises(UnknownNameError, match="unknown strategy 'old'"):
        plot_state_occupancy(MODEL.run(DRAWS, trace="mean"), "old")


def test_psm_curves_draw_mean_band_and_km_steps():
    km = {"OS, trial": ([0.5, 1.0, 2.0], [0.9, 0.8, 0.7])}
    ax = plot_psm_curves(MODEL, DRAWS, strategies=["control"], km=km, horizon=10)
    labels = [line.get_label() for line in ax.lines]
    assert labels == ["control: PFS", "control: OS", "OS, trial"]
    os_line = ax.lines[1]
    t = os_line.get_xdata()
    np.testing.assert_allclose(os_line.get_ydata(), np.exp(-np.outer([0.1, 0.2, 0.3], t)).mean(0), rtol=1e-12)
    assert os_line.get_linestyle() == "-" and ax.lines[0].get_linestyle() == "--"
    assert ax.lines[2].get_ydata()[-1] == pytest.approx(0.7)
    assert len(ax.collections) == 1  # the band of the OS curve; PFS does not vary
    assert ax.get_xlim() == (0.0, 10.0)
    assert ax.get_title() == "Survival curves (mean and 95% interval over 3 samples)"


def test_one_run_is_not_called_a_mean_over_samples():
    # a base case (one sample) has no band and no mean: the titles say so by saying nothing
    one = DRAWS.isel(sample=[1])
    assert plot_psm_curves(MODEL, one).get_title() == "Survival curves"
    assert plot_state_occupancy(MODEL.run(one, trace=True), "new").get_title() == "State occupancy: new"
    assert plot_state_occupancy(MODEL.run(DRAWS, trace=True), "new", sample=2).get_title() == "State occupancy: new (sample 2)"


def test_psm_curves_accept_a_step_curve_and_refuse_unknown_strategies():
    ax = plot_psm_curves(MODEL, DRAWS, km={"KM": StepSurvival([1.0, 2.0], [0.8, 0.6])})
    assert len(ax.lines) == 5
    with pytest.raises(UnknownNameError):
        plot_psm_curves(MODEL, DRAWS, strategies=["other"])


def test_psm_curves_take_a_kaplan_meier_table():
    from healthecon.survival import kaplan_meier

    table = kaplan_meier([0.5, 1.0, 1.5, 3.0, 4.0], [1, 1, 0, 1, 0])
    ax = plot_psm_curves(MODEL, strategies=["control"], km={"KM": table}, draws=DRAWS)
    np.testing.assert_allclose(ax.lines[-1].get_ydata(), table["survival"].to_numpy())
