"""POPP worked model: the published ratio and range, P(return > £1), invariants and input checks."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from worked_helpers import assert_probability, find_check, rep_fixture

from healthecon.errors import ParameterError
from healthecon.worked import popp

rep = rep_fixture(popp)


def test_return_120_per_pound(rep):
    check = find_check(rep, "savings on emergency bed days")
    assert check.reproduced == pytest.approx(1.20, abs=0.005)
    low, high = check.interval
    assert low == pytest.approx(0.80, abs=0.03) and high == pytest.approx(1.60, abs=0.03)


def test_return_120_per_month_wording(rep):
    assert find_check(rep, "same ratio, 'per month'").reproduced == pytest.approx(1.20, abs=0.005)


def test_range_low_080(rep):
    assert find_check(rep, "range, low").reproduced == pytest.approx(0.80, abs=0.005)


def test_range_high_160(rep):
    assert find_check(rep, "range, high").reproduced == pytest.approx(1.60, abs=0.005)


def test_probability_of_return_above_one_under_both_readings(rep):
    table = rep.tables["range_readings"]
    assert table.loc["95% normal interval", "p_return_above_1"] == pytest.approx(0.836, abs=1e-3)
    assert table.loc["90% normal interval", "p_return_above_1"] == pytest.approx(0.795, abs=1e-3)
    assert table.loc["95% normal interval", "p_return_above_1_psa"] == pytest.approx(0.836, abs=0.02)
    assert rep.tables["summary"].loc["POPP", "p_ratio_above_target"] == table.loc["95% normal interval", "p_return_above_1_psa"]


def test_notes_state_the_steventon_counter_evidence(rep):
    text = " ".join(rep.notes)
    assert "Steventon" in text and "no evidence of a reduction in emergency hospital admissions" in text
    assert "95% normal interval" in text


def test_savings_fall_to_the_nhs_and_spend_to_the_partnership(rep):
    table = rep.tables["per_agency"]
    assert table.loc["NHS", "benefit"] == pytest.approx(1200.0)
    assert table.loc[popp.PAYER, "cost"] == pytest.approx(1000.0)


@settings(max_examples=25)  # each example builds and runs a model; keep the test under a second or two
@given(k=st.floats(1e-3, 1e3), c=st.floats(50, 2000), days=st.floats(0.1, 100), spend=st.floats(10, 1e6))
def test_ratio_unchanged_when_every_pound_input_is_scaled(k, c, days, spend):
    base = float(popp.return_model(spend, c, days).run()["bcr"].squeeze())
    scaled = float(popp.return_model(spend * k, c * k, days).run()["bcr"].squeeze())
    assert scaled == pytest.approx(base, rel=1e-12)
    assert popp.bed_day_return(days, c * k, spend * k) == pytest.approx(popp.bed_day_return(days, c, spend), rel=1e-12)


@settings(max_examples=25)  # each example builds and runs a model; keep the test under a second or two
@given(c=st.floats(20, 3000))
def test_any_cost_per_bed_day_with_the_same_total_gives_the_headline(c):
    draws = popp.parameters(1.2, 0.8, 1.6, 0.95, c).base_case()
    out = popp.return_model(popp.SPEND, "cost_per_bed_day", "bed_days_averted").run(draws)
    assert float(out["bcr"].squeeze()) == pytest.approx(1.2, rel=1e-12)


def test_zero_variance_psa_reproduces_the_deterministic_figure_exactly():
    params = popp.parameters(1.2, 1.2, 1.2, 0.95, 273)
    model = popp.return_model(popp.SPEND, "cost_per_bed_day", "bed_days_averted")
    base = model.run(params.base_case())
    psa = model.run(params.sample(300, seed=4))
    assert (psa["bcr"].values == base["bcr"].values[0, 0]).all()
    assert base["bcr"].values[0, 0] == pytest.approx(1.2, rel=1e-15)


def test_psa_is_reproducible():
    a, b = popp.reproduce(draws=300, seed=8), popp.reproduce(draws=300, seed=8)
    assert a.checks[0].interval == b.checks[0].interval


def test_se_from_range_and_its_errors():
    assert popp.se_from_range(0.8, 1.6, 0.95) == pytest.approx(0.4 / 1.959964, rel=1e-6)
    with pytest.raises(ParameterError, match="high .* must exceed low"):
        popp.se_from_range(1.6, 0.8, 0.95)
    with pytest.raises(ParameterError, match="interval level"):
        popp.se_from_range(0.8, 1.6, 1.0)
    with pytest.raises(ParameterError, match="extra spend"):
        popp.bed_day_return(1.0, 273.0, 0.0)
    assert np.isfinite(popp.bed_day_return(np.array([1.0, 2.0]), 273.0, 1000.0)).all()


def test_charts_plot_the_model_numbers(rep):
    ax = rep.charts["acceptability"]()
    x, y = ax.get_lines()[0].get_data()
    assert y[np.searchsorted(x, 1.0)] == pytest.approx(rep.tables["summary"].loc["POPP", "p_ratio_above_target"], abs=0.02)
    ax = rep.charts["waterfall"]()
    assert ax.patches[0].get_height() == pytest.approx(1200.0)


def test_ratio_carries_p_return_above_one_under_the_stated_reading(rep):
    check = find_check(rep, "savings on emergency bed days")
    assert_probability(check, "P(return > £1 per £1)")
    assert check.probability == rep.tables["range_readings"].loc["95% normal interval", "p_return_above_1_psa"]
    assert "95% normal interval (assumed)" in check.note
    assert all(c.probability is None for c in rep.checks[1:])  # deterministic figures
