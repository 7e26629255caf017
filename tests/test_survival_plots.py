"""The survival diagnostic plots draw the numbers they claim to (healthecon.plot.survival)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from healthecon.errors import ParameterError
from healthecon.plot.survival import plot_extrapolation, plot_hazards, plot_log_cumulative_hazard, plot_survival_fits
from healthecon.survival import fit_model, fit_survival, kaplan_meier, load_dataset, restricted_mean, survival_data


@pytest.fixture(scope="module")
def bc():
    return survival_data(load_dataset("bc"), time="recyrs", event="censrec", arm="group")


@pytest.fixture(scope="module")
def fits(bc):
    return fit_survival(bc, ["weibull", "lnorm", "rp1"])


def test_km_and_fits_are_drawn_for_the_arm(bc, fits):
    _, ax = plt.subplots()
    assert plot_survival_fits(bc, fits, arm="Poor", ax=ax) is ax
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["Kaplan-Meier", "Weibull (AFT)", "Log-normal", "RP spline, 1 knot (hazard)"]
    km = kaplan_meier(bc.subset("Poor").time, bc.subset("Poor").event)
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), km["survival"])
    x, y = ax.get_lines()[1].get_data()
    np.testing.assert_allclose(y, fits["Poor", "weibull"].curve().survival(x)[0])
    assert ax.get_xlabel() == "Time (years)" and ax.get_legend() is not None
    plt.close("all")


def test_joint_fits_are_drawn_at_the_arm(bc):
    joint = fit_model(bc, "weibullPH", joint=True)
    ax = plot_survival_fits(bc, [joint], arm="Medium")
    x, y = ax.get_lines()[1].get_data()
    np.testing.assert_allclose(y, joint.curve(arm="Medium").survival(x)[0])
    assert ax.get_lines()[1].get_label() == "Weibull (PH) (joint)"
    with pytest.raises(ParameterError, match="say which to plot"):
        plot_survival_fits(bc, [joint])
    plt.close("all")


def test_log_cumulative_hazard_is_log_minus_log_km(bc):
    ax = plot_log_cumulative_hazard(bc)
    assert [line.get_label() for line in ax.get_lines()] == ["Good", "Medium", "Poor"]
    km = kaplan_meier(bc.subset("Good").time, bc.subset("Good").event)
    keep = (km["events"] > 0) & (km["survival"] < 1) & (km["survival"] > 0)
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), np.log(-np.log(km["survival"][keep])))
    plt.close("all")


def test_hazards_and_extrapolation(bc, fits):
    ax = plot_hazards(bc, fits, arm="Good", bandwidth=1.0)
    x, y = ax.get_lines()[2].get_data()
    np.testing.assert_allclose(y, fits["Good", "lnorm"].curve().hazard(x)[0])
    ax = plot_extrapolation(fits, 40, arm="Good", data=bc)
    rmst = restricted_mean(fits["Good", "rp1"].curve(), 40)[0]
    assert ax.get_lines()[3].get_label() == f"RP spline, 1 knot (hazard): RMST {rmst:.2f} years"
    assert ax.get_xlim() == (0.0, 40.0)
    plt.close("all")


def test_months_data_are_drawn_in_months():
    frame = load_dataset("bc").assign(months=lambda f: f["recyrs"] * 12)
    data = survival_data(frame, time="months", event="censrec", time_unit="months")
    fit = fit_model(data, "weibull")
    ax = plot_survival_fits(data, [fit])
    x, y = ax.get_lines()[1].get_data()
    # the axis is in months; the curve (fitted in months) agrees with the fit in years
    years = fit_model(survival_data(load_dataset("bc"), time="recyrs", event="censrec"), "weibull").curve()
    np.testing.assert_allclose(y, years.survival(x / 12)[0], rtol=1e-4)
    assert ax.get_xlabel() == "Time (months)"
    plt.close("all")
