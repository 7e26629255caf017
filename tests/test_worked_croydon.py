"""One Croydon worked model: both published ratios, the business case, per-agency results, invariants."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from worked_helpers import assert_probability, find_check, rep_fixture

from healthecon.errors import ModelDefinitionError, UnknownNameError
from healthecon.worked import croydon

UNITS = {"admissions": 792.0, "bed_days": 345.0, "care_home_weeks": 1200.0}
SHARES = {"admissions": 0.6, "bed_days": 0.2, "care_home_weeks": 0.2}

rep = rep_fixture(croydon)


def test_icn_144_per_pound(rep):
    assert find_check(rep, "ICN benefit").reproduced == pytest.approx(1.44, abs=0.005)


def test_life_267_per_pound(rep):
    assert find_check(rep, "LIFE benefit").reproduced == pytest.approx(2.67, abs=0.005)


def test_business_case_investment_8m(rep):
    assert find_check(rep, "business case investment").reproduced / 1e6 == pytest.approx(8, abs=0.5)


def test_business_case_saving_12m(rep):
    assert find_check(rep, "business case saving").reproduced / 1e6 == pytest.approx(12, abs=0.5)


def test_both_roi_conventions_are_printed(rep):
    table = rep.tables["conventions"]
    assert table.loc["ICN", "net_roi"] == pytest.approx(0.44) and table.loc["LIFE", "net_roi"] == pytest.approx(1.67)
    assert table.loc["business case", "gross_return_per_1"] == pytest.approx(1.5)
    assert "ICN: £1.44 per £1 gross, net ROI 44%" in rep.notes[0]
    assert "LIFE: £2.67 per £1 gross, net ROI 167%" in rep.notes[0]


def test_per_agency_results_add_up_to_each_scheme(rep):
    agency = rep.tables["per_agency"]
    conventions = rep.tables["conventions"]
    for scheme in ("ICN", "LIFE", "business case"):
        assert agency.loc[scheme, "cost"].sum() == pytest.approx(conventions.loc[scheme, "cost"])
        assert agency.loc[scheme, "benefit"].sum() == pytest.approx(conventions.loc[scheme, "benefit"])
    assert agency.loc[("LIFE", "council"), "return_per_1"] == pytest.approx(3738000 / 2000000)


def test_benefit_lines_are_activity_times_unit_cost(rep):
    lines = rep.tables["benefit_lines"]
    np.testing.assert_allclose(lines["value"], lines["activity"] * lines["unit_cost"])
    assert lines.loc["business case", "value"].sum() == pytest.approx(12e6)


def test_psa_gives_probability_of_return_above_one(rep):
    p = rep.tables["conventions"]["p_return_above_1"]
    assert ((p > 0.5) & (p <= 1)).all()
    assert rep.tables["summary"].loc["ICN", "gross_return_per_1"] == pytest.approx(1.44, abs=0.03)


@settings(max_examples=25)  # each example builds and runs a model; keep the test under a second or two
@given(k=st.floats(1e-3, 1e3), spend=st.floats(1e4, 1e8), share=st.floats(0, 1))
def test_ratio_unchanged_when_every_pound_input_is_scaled(k, spend, share):
    activity = croydon.activity_for_ratio(1.44, 4e6, SHARES, UNITS)
    base = croydon.croydon_model({"ICN": croydon.scheme_flows(spend, share, activity, UNITS)}).run()
    scaled_units = {key: value * k for key, value in UNITS.items()}
    scaled = croydon.croydon_model({"ICN": croydon.scheme_flows(spend * k, share, activity, scaled_units)}).run()
    assert float(scaled["bcr"].squeeze()) == pytest.approx(float(base["bcr"].squeeze()), rel=1e-12)


@settings(max_examples=25)  # each example builds and runs a model; keep the test under a second or two
@given(weights=st.lists(st.floats(0, 1), min_size=3, max_size=3).filter(lambda w: sum(w) > 1e-3),
       ratio=st.sampled_from([1.44, 2.67, 1.5]))
def test_any_breakdown_with_the_same_total_reproduces_the_headline(weights, ratio):
    shares = dict(zip(croydon.LINES, np.asarray(weights) / sum(weights)))
    activity = croydon.activity_for_ratio(ratio, 4e6, shares, UNITS)
    out = croydon.croydon_model({"s": croydon.scheme_flows(4e6, 0.5, activity, UNITS)}).run()
    assert float(out["bcr"].squeeze()) == pytest.approx(ratio, rel=1e-12)


def test_zero_variance_psa_reproduces_the_deterministic_figure_exactly():
    activity = {"icn": croydon.activity_for_ratio(1.44, 4e6, SHARES, UNITS)}
    params = croydon.parameters(activity, UNITS, 0.0, 0.0)
    names = {k: f"icn_{k}" for k in croydon.LINES}
    units = {k: line.unit_cost for k, line in croydon.LINES.items()}
    model = croydon.croydon_model({"ICN": croydon.scheme_flows(4e6, 0.8, names, units)})
    base = model.run(params.base_case())
    psa = model.run(params.sample(100, seed=6))
    assert (psa["bcr"].values == base["bcr"].values[0, 0]).all()
    assert base["bcr"].values[0, 0] == pytest.approx(1.44, rel=1e-14)


def test_breakdown_errors_name_the_problem():
    with pytest.raises(ModelDefinitionError, match="must sum to 1"):
        croydon.activity_for_ratio(1.44, 4e6, {"admissions": 0.6, "bed_days": 0.6, "care_home_weeks": 0.2}, UNITS)
    with pytest.raises(UnknownNameError, match="'beddays'"):
        croydon.activity_for_ratio(1.44, 4e6, {"admissions": 0.6, "beddays": 0.2, "care_home_weeks": 0.2}, UNITS)
    with pytest.raises(ModelDefinitionError, match=r"missing benefit line\(s\) \['care_home_weeks'\]"):
        croydon.scheme_flows(4e6, 0.5, {"admissions": 1, "bed_days": 1}, UNITS)


def test_same_seed_same_numbers():
    a, b = croydon.reproduce(draws=200, seed=1), croydon.reproduce(draws=200, seed=1)
    assert [c.interval for c in a.checks] == [c.interval for c in b.checks]


def test_one_way_tables_vary_each_schemes_own_lines_and_the_unit_costs(rep):
    table = rep.tables["one_way_icn"]
    assert set(table.index) == {"icn_admissions", "icn_bed_days", "icn_care_home_weeks", "unit_cost_admission",
                                "unit_cost_bed_day", "unit_cost_care_home_week"}
    np.testing.assert_allclose(table["outcome_base"], 1.44)
    row = table.loc["icn_admissions"]
    # the admissions line is 60% of the ICN benefit, so the ratio moves by 0.6 x 1.44 x relative change
    assert row["outcome_high"] - 1.44 == pytest.approx(0.6 * 1.44 * (row["high"] / row["base"] - 1))


def test_tornado_draws_the_life_one_way_table(rep):
    ax = rep.charts["tornado_life"]()
    assert len(ax.containers[0]) == len(rep.tables["one_way_life"]) == 6


def test_acceptability_and_per_agency_charts(rep):
    ax = rep.charts["acceptability"]()
    assert [ln.get_label() for ln in ax.get_lines()][:3] == ["ICN", "LIFE", "business case"]
    ax = rep.charts["per_agency_life"]()
    heights = sorted(round(bar.get_height()) for container in ax.containers for bar in container)
    assert heights == [-2000000, -2000000, 3738000, 6942000]


def test_each_ratio_carries_its_probability_of_returning_more_than_it_costs(rep):
    p = rep.tables["conventions"]["p_return_above_1"]
    for start, scheme in (("ICN", "ICN"), ("LIFE", "LIFE"), ("business case saving", "business case")):
        check = find_check(rep, start)
        assert_probability(check, "P(return > £1 per £1)")
        assert check.probability == p[scheme]
    assert find_check(rep, "business case investment").probability is None


def test_tornado_axis_reads_benefit_per_pound(rep):
    ax = rep.charts["tornado_life"]()
    assert ax.get_xlabel().startswith("Benefit-cost ratio (£ of benefit per £1)\n")
