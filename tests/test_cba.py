"""Cost-benefit / ROI: a five-year hand-worked case, invariants, optimism bias, PSA, errors."""

import numpy as np
import pytest
import xarray as xr
from hypothesis import given
from hypothesis import strategies as st

from healthecon import optimism
from healthecon.appraisal import (
    acceptability,
    cashflows,
    category_table,
    format_headlines,
    headline_table,
    party_table,
    payback_period,
    switching_values,
    waterfall_steps,
)
from healthecon.cba import CBAModel, Flow, benefit_flow, cost_flow
from healthecon.flows import present_value
from healthecon.discount import GREEN_BOOK_HEALTH, GREEN_BOOK_STANDARD
from healthecon.errors import AnalysisError, ModelDefinitionError, ParameterError, ShapeError, UnknownNameError
from money_models import draws_of, five_years


def test_five_year_cba_by_hand():
    d = [1.035**-t for t in range(5)]
    costs = [50_000, 20_000, 20_000, 20_000, 20_000]
    benefits = [0, 30_000 + 10_000, 40_000 + 5_000, 45_000, 45_000]
    pv_c = sum(c * f for c, f in zip(costs, d))
    pv_b = sum(b * f for b, f in zip(benefits, d))
    out = five_years(discount=0.035).run()
    assert out["cost"].item() == pytest.approx(pv_c, rel=1e-12)
    assert out["benefit"].item() == pytest.approx(pv_b, rel=1e-12)
    assert out["npv"].item() == pytest.approx(pv_b - pv_c, rel=1e-12)
    assert out["bcr"].item() == pytest.approx(pv_b / pv_c, rel=1e-12)
    assert out["net_roi"].item() == pytest.approx((pv_b - pv_c) / pv_c, rel=1e-12)
    assert out["cost_undiscounted"].item() == 130_000 and out["benefit_undiscounted"].item() == 175_000
    # payback: cumulative discounted net by year
    net = [(b - c) * f for b, c, f in zip(benefits, costs, d)]
    cum = np.cumsum(net)
    t = int(np.argmax(cum >= 0))
    assert payback_period(out).item() == pytest.approx((t - 1) + -cum[t - 1] / net[t], rel=1e-12)
    # who pays, who gains
    agencies = party_table(out)
    assert agencies.loc["NHS", "benefit"] == pytest.approx(30_000 * sum(d[1:]))
    assert agencies.loc["police", "benefit"] == pytest.approx(5_000 * sum(d[2:]))
    assert agencies.loc["council", "net"] == pytest.approx(10_000 * sum(d[1:]) - pv_c)
    kinds = category_table(out, discounted=False)
    assert kinds.loc["fiscal_cashable", "benefit"] == 40_000
    assert kinds.loc["fiscal_non_cashable", "benefit"] == 120_000
    flows = cashflows(out)
    assert flows.loc[0, ("cost", "council")] == -50_000 and flows.loc[2, ("benefit", "police")] == 5_000


def test_green_book_schedule_equals_3_5_percent_within_30_years():
    a = five_years(discount=GREEN_BOOK_STANDARD).run()
    b = five_years(discount=0.035).run()
    assert a["npv"].item() == pytest.approx(b["npv"].item(), rel=1e-12)


def test_flow_specific_schedule():
    flows = [cost_flow("c", "NHS", [100.0]), benefit_flow("qalys valued", "individuals", [0.0, 0.0, 60_000.0], quantity=0.01,
                                                 discount=GREEN_BOOK_HEALTH, category="social")]
    out = CBAModel(flows, discount=0.035).run()
    assert out["benefit"].item() == pytest.approx(600 * 1.015**-2)


def test_optimism_bias_uplift_and_haircut():
    uplift = optimism.uplift("outsourcing")
    base = five_years(discount=0.035).run()
    ob = five_years(discount=0.035, cost_uplift=uplift, benefit_haircut=0.1).run()
    assert ob["cost"].item() == pytest.approx(base["cost"].item() * 1.41)
    assert ob["benefit"].item() == pytest.approx(base["benefit"].item() * 0.9)
    steps = waterfall_steps(ob)
    assert steps["optimism bias (costs)"] == pytest.approx(-0.41 * base["cost"].item())
    assert steps["optimism bias (benefits)"] == pytest.approx(-0.1 * 175_000)
    assert steps["gross benefits"] == 175_000
    assert steps.sum() == pytest.approx(ob["npv"].item())
    exempt = CBAModel([cost_flow("c", "NHS", [100.0], optimism=False), cost_flow("d", "NHS", [100.0])], cost_uplift=0.5).run()
    assert exempt["cost"].item() == pytest.approx(250.0)


@given(k=st.floats(0, 10), rate=st.floats(0, 0.1))
def test_npv_is_linear_in_benefits(k, rate):
    # one vectorised run: the benefit scaled by 0, 1 and k in three samples
    model = CBAModel([cost_flow("c", "NHS", [100.0, 50.0]), benefit_flow("b", "NHS", [0.0, 80.0, 90.0], quantity="scale")],
                     discount=rate)
    zero, one, kk = model.run(draws_of(3, scale=[0.0, 1.0, k]))["npv"].values[:, 0]
    assert kk - zero == pytest.approx(k * (one - zero), rel=1e-9, abs=1e-9)


@given(pairs=st.lists(st.tuples(st.floats(1, 1e6), st.floats(0, 1e7)), min_size=1, max_size=20),
       rate=st.floats(0, 0.1))
def test_gross_return_is_net_roi_plus_one(pairs, rate):
    c, b = (np.array(v) for v in zip(*pairs))
    out = CBAModel([cost_flow("c", "NHS", ["c"]), benefit_flow("b", "NHS", [0.0, "b"])], discount=rate).run(
        draws_of(len(pairs), c=c, b=b))
    np.testing.assert_allclose(out["bcr"].values, out["net_roi"].values + 1, rtol=1e-12, atol=1e-12)
    table = headline_table(out)
    assert table["gross_return_per_1"].iloc[0] == pytest.approx(table["net_roi"].iloc[0] + 1)


def test_psa_with_zero_variance_reproduces_the_deterministic_result_exactly():
    n = 5
    named = CBAModel([cost_flow("set-up", "council", ["setup"]),
                      benefit_flow("bed days avoided", "NHS", [0.0, "bed_cost", 300.0], quantity="bed_days")],
                     discount=0.035, cost_uplift="ob")
    plain = CBAModel([cost_flow("set-up", "council", [1000.0]),
                      benefit_flow("bed days avoided", "NHS", [0.0, 300.0, 300.0], quantity=3)],
                     discount=0.035, cost_uplift=0.24)
    psa = named.run(draws_of(n, setup=[1000.0] * n, bed_cost=[300.0] * n, bed_days=[3.0] * n, ob=[0.24] * n))
    det = plain.run()
    for var in ("cost", "benefit", "npv", "bcr", "flows", "flows_pv", "steps"):
        np.testing.assert_array_equal(psa[var].values, np.repeat(det[var].values, n, axis=0))


def long_scheme(named: bool, discount) -> CBAModel:
    """Twelve flows over 45 years (past the Green Book's year-30 band), with optimism bias."""
    def v(name, value):
        return name if named else value

    flows = [cost_flow(f"cost {k}", "council", [v(f"c{k}", 1000.0 + 37.3 * k)] * (45 - 2 * k), years=range(2 * k, 45),
                  quantity=v(f"qc{k}", 1.5 + k)) for k in range(6)]
    flows += [benefit_flow(f"benefit {k}", ("NHS", "police")[k % 2], [v(f"b{k}", 2345.678 / (k + 1))] * (44 - k),
                      years=range(1 + k, 45), category="fiscal_cashable") for k in range(6)]
    return CBAModel(flows, discount=discount, cost_uplift=v("ob", 0.24), benefit_haircut=v("hc", 0.1))


def long_draws(n):
    columns = {"ob": [0.24] * n, "hc": [0.1] * n}
    for k in range(6):
        columns.update({f"c{k}": [1000.0 + 37.3 * k] * n, f"qc{k}": [1.5 + k] * n, f"b{k}": [2345.678 / (k + 1)] * n})
    return draws_of(n, **columns)


@pytest.mark.parametrize("discount", [0.035, GREEN_BOOK_STANDARD, GREEN_BOOK_HEALTH], ids=["constant 3.5%", "Green Book standard", "Green Book health"])
@pytest.mark.parametrize("n", [2, 13, 64])
def test_zero_variance_psa_with_discounting_equals_the_base_case_bit_for_bit(discount, n):
    # Present values are elementwise products summed in a fixed order, so a row's value does
    # not depend on how many rows there are (a matrix product or a multi-axis numpy sum can).
    base = long_scheme(False, discount).run()
    psa = long_scheme(True, discount).run(long_draws(n))
    assert psa.sizes["sample"] == n
    for var in ("cost", "benefit", "npv", "bcr", "net_roi", "cost_undiscounted", "benefit_undiscounted",
                "flows", "flows_pv", "steps", "cost_by_stakeholder", "benefit_by_stakeholder"):
        assert (psa[var].values == np.repeat(base[var].values, n, axis=0)).all(), var
    assert (payback_period(psa).values == payback_period(base).values).all()


@given(rows=st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=50), n=st.integers(1, 40))
def test_present_value_of_a_row_does_not_depend_on_the_number_of_rows(rows, n):
    factors = GREEN_BOOK_STANDARD.factors(np.arange(len(rows)))
    one = present_value(np.array([rows]), factors)
    many = present_value(np.repeat([rows], n, axis=0), factors)
    assert (many == one[0]).all()
    assert one[0] == pytest.approx(float(np.dot(rows, factors)), rel=1e-9, abs=1e-6)


def test_psa_probabilities_and_intervals():
    rng = np.random.default_rng(11)
    n = 4000
    bcr = rng.normal(1.20, 0.204, n)  # POPP: £1.20 per £1, range 0.80-1.60 read as a 95% interval
    out = CBAModel([cost_flow("POPP services", "council", [1.0]),
                    benefit_flow("emergency bed days", "NHS", ["bcr"], category="fiscal_non_cashable")]).run(
        draws_of(n, bcr=np.clip(bcr, 0, None)))
    table = headline_table(out)
    assert table["p_npv_positive"].iloc[0] == pytest.approx((bcr > 1).mean())
    assert table["p_npv_positive"].iloc[0] == pytest.approx(0.836, abs=0.02)
    lo, hi = np.percentile(out["bcr"].values, [2.5, 97.5])
    assert table["gross_return_per_1_lower"].iloc[0] == pytest.approx(lo)
    assert table["gross_return_per_1_upper"].iloc[0] == pytest.approx(hi)
    curve = acceptability(out, np.linspace(0.5, 2, 16))
    assert (np.diff(curve.values[:, 0]) <= 0).all()
    text = format_headlines(out)
    assert "gross return per £1 (benefit / cost): £1.20" in text
    assert "net ROI ((benefit - cost) / cost): 20." in text and "P(NPV > 0) = 0.8" in text


def test_switching_values():
    out = CBAModel([cost_flow("c", "NHS", [100.0]), benefit_flow("b", "NHS", [150.0])]).run()
    sv = switching_values(out)
    assert sv.loc["scheme", "benefit_fall"] == pytest.approx(1 / 3)
    assert sv.loc["scheme", "cost_rise"] == pytest.approx(0.5)


def test_several_schemes():
    flows = {"ICN": [cost_flow("ICN team", "NHS", [100.0]), benefit_flow("admissions avoided", "NHS", [144.0])],
             "LIFE": [cost_flow("LIFE team", "council", [100.0]), benefit_flow("packages avoided", "council", [267.0])]}
    out = CBAModel(flows, discount=0.0).run()
    np.testing.assert_allclose(out["bcr"].values[0], [1.44, 2.67])
    assert "ICN: " in format_headlines(out) and "LIFE: " in format_headlines(out)
    with pytest.raises(AnalysisError, match="name one"):
        party_table(out)
    assert CBAModel(flows).run(strategies=["LIFE"])["strategy"].values.tolist() == ["LIFE"]
    with pytest.raises(UnknownNameError, match="'LIVE'"):
        CBAModel(flows).run(strategies=["LIVE"])


def test_validation_names_the_flow_and_field():
    with pytest.raises(ShapeError, match="flow 'b': mismatched lengths: values has 2, years has 3"):
        benefit_flow("b", "NHS", [1.0, 2.0], years=[0, 1, 2])
    with pytest.raises(ModelDefinitionError, match="flow 'b', field 'category'"):
        benefit_flow("b", "NHS", [1.0], category="cashable")
    with pytest.raises(ModelDefinitionError, match="flow 'b', field 'years'"):
        benefit_flow("b", "NHS", [1.0], years=[-1])
    with pytest.raises(ModelDefinitionError, match="flow 'b', field 'direction'"):
        Flow("b", "saving", "NHS", [1.0])
    with pytest.raises(ModelDefinitionError, match="flow 'b', field 'years': year 5 is beyond the horizon"):
        CBAModel([cost_flow("c", "NHS", [1.0]), benefit_flow("b", "NHS", [1.0], years=[5])], horizon=3)
    with pytest.raises(UnknownNameError, match="flow 'b', field 'agency'.*'NSH'"):
        CBAModel([cost_flow("c", "NHS", [1.0]), benefit_flow("b", "NSH", [1.0])], agencies=["NHS", "council"])
    with pytest.raises(ParameterError, match="flow 'b', year 0"):
        CBAModel([cost_flow("c", "NHS", [1.0]), benefit_flow("b", "NHS", [-1.0])]).run()
    with pytest.raises(ParameterError, match="benefit_haircut"):
        CBAModel([cost_flow("c", "NHS", [1.0])], benefit_haircut=1.5).run()
    with pytest.raises(ParameterError, match="cost_uplift"):
        CBAModel([cost_flow("c", "NHS", [1.0])], cost_uplift=-0.1).run()
    with pytest.raises(ModelDefinitionError, match="no cost flow"):
        CBAModel([benefit_flow("b", "NHS", [1.0])])
    with pytest.raises(UnknownNameError, match="flow 'b', year 1.*'unit_cost'"):
        CBAModel([cost_flow("c", "NHS", [1.0]), benefit_flow("b", "NHS", [0.0, "unit_cost"])]).run(draws_of(2, other=[1, 2]))


def test_by_stakeholder_breakdowns_add_up():
    out = five_years(discount=0.035).run()
    by = out["benefit_by_stakeholder"]
    assert by.dims == ("sample", "strategy", "stakeholder", "year")
    np.testing.assert_allclose(by.sum(["stakeholder", "year"]).values, out["benefit"].values)
    np.testing.assert_allclose(out["cost_by_stakeholder"].sum(["stakeholder", "year"]).values, out["cost"].values)
    nhs = by.sel(stakeholder="NHS", strategy="scheme").values[0]
    np.testing.assert_allclose(nhs, [0.0] + [30_000 * 1.035**-t for t in range(1, 5)])
    assert list(out["flows"]["party"].values) == ["council", "council", "NHS", "council", "police"]


def test_outcome_set_saves_and_loads_losslessly(tmp_path):
    from healthecon.outcomes import load_outcomes, save_outcomes

    out = five_years(discount=GREEN_BOOK_STANDARD, cost_uplift=0.1).run()
    back = load_outcomes(save_outcomes(out, tmp_path / "cba.nc"))
    xr.testing.assert_identical(back, out)
    assert payback_period(back).item() == payback_period(out).item()


@pytest.mark.parametrize("helper, direction", [(cost_flow, "cost"), (benefit_flow, "benefit")])
def test_cost_and_benefit_document_every_argument_with_an_example(helper, direction):
    import inspect

    doc = inspect.getdoc(helper)
    params = doc.split("Parameters\n----------\n")[1].split("\n\nReturns")[0]
    documented = [line for line in params.splitlines() if line and not line.startswith(" ")]
    signature = list(inspect.signature(helper).parameters)
    assert documented == signature == ["name", "agency", "values", "years", "category", "quantity", "discount", "optimism"]
    assert "Flow" in doc and "Examples\n--------\n>>> " in doc
    made = helper("x", "NHS", [1.0, 2.0], years=[2, 3], category="social", quantity=2, discount=0.015, optimism=False)
    assert made == Flow("x", direction, "NHS", [1.0, 2.0], [2, 3], "social", 2, 0.015, False)


def test_the_outcome_set_is_in_money_not_qalys():
    out = five_years(discount=0.035).run()
    assert out.attrs["currency"] == "£" and out.attrs["effect_unit"] == "£" and out.attrs["effect"] == ""


def test_waterfall_labels_say_discounting_is_of_benefits_and_costs_are_present_values():
    out = five_years(discount=0.035, cost_uplift=0.2, benefit_haircut=0.1).run()
    steps = waterfall_steps(out)
    assert list(steps.index) == ["gross benefits", "optimism bias (benefits)", "discounting (benefits)",
                                 "costs (present value)", "optimism bias (costs)"]
    base = five_years(discount=0.035).run()
    assert steps["discounting (benefits)"] == pytest.approx(0.9 * (base["benefit"] - base["benefit_undiscounted"]).item())
    assert steps["costs (present value)"] == pytest.approx(-base["cost"].item())  # discounted, before the uplift


# ---- issue 11: calendar years, empty input ----------------------------------------------------
def test_a_calendar_year_is_refused_with_the_reason():
    # was: PV costs £0.00 ... payback 0.0 years (2024 read as 2,024 years from now)
    with pytest.raises(ModelDefinitionError, match=r"flow 'team', field 'years': 2024 looks like a calendar year.*year 0 = now"):
        cost_flow("team", "council", [100.0], years=[2024])
    with pytest.raises(ModelDefinitionError, match="calendar year"):
        CBAModel([cost_flow("c", "NHS", [1.0])], horizon=2030)


def test_empty_models_and_flows_get_healthecon_errors():
    with pytest.raises(ModelDefinitionError, match="no schemes given"):
        CBAModel({})
    with pytest.raises(ModelDefinitionError, match="flow 'beds', field 'values': no amounts given"):
        benefit_flow("beds", "NHS", [])
