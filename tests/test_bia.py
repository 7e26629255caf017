"""Budget impact analysis (healthecon.bia): a hand-worked case, invariants, PSA, errors, table, chart."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from hypothesis import example, given, settings, strategies as st

from healthecon.bia import (
    BudgetImpactModel, C, Population, business_case_table, costs_from_trace, impact_by_year, offset, patient_cost, summary,
)
from healthecon.distributions import Beta, Gamma
from healthecon.errors import ModelDefinitionError, OutcomesError, ShapeError, UnknownNameError
from healthecon.markov import MarkovModel
from healthecon.outcomes import summarise
from healthecon.params import Parameters
from healthecon.plot.bia import plot_budget_impact


def three_year_model(**options) -> BudgetImpactModel:
    return BudgetImpactModel(
        population=Population(new_patients=[100, 50, 50]),
        scenarios={"current": {"A": 1.0}, "new": {"A": C, "B": [0.2, 0.4, 0.6]}},
        costs=[patient_cost("drug", "NHS", {"A": [1000, 800, 600], "B": [3000, 1000, 1000]}),
               offset("social care", "council", {"B": [0, 200, 200]})],
        years=3, **options)


def test_three_year_case_worked_by_hand():
    """Entrants 100, 50, 50; B's share 20%, 40%, 60%, so B starts 20, 20, 30 and A 80, 30, 20.

    Current mix (all A; A costs 1,000, 800, 600 in years 1-3 since start):
      year 1: 100 x 1000 = 100,000; year 2: 100 x 800 + 50 x 1000 = 130,000;
      year 3: 100 x 600 + 50 x 800 + 50 x 1000 = 150,000.
    New mix, NHS (drug):
      A: 80 x 1000 = 80,000; 80 x 800 + 30 x 1000 = 94,000; 80 x 600 + 30 x 800 + 20 x 1000 = 92,000
      B (3,000, 1,000, 1,000): 20 x 3000 = 60,000; 20 x 1000 + 20 x 3000 = 80,000;
         20 x 1000 + 20 x 1000 + 30 x 3000 = 130,000
      total 140,000, 174,000, 222,000: NHS impact 40,000, 44,000, 72,000 (156,000).
    Council saves 0, 200, 200 per B patient by year since start:
      0; 20 x 200 = 4,000; 20 x 200 + 20 x 200 = 8,000: impact 0, -4,000, -8,000 (-12,000).
    Net impact 40,000, 40,000, 64,000; total 144,000.
    """
    out = three_year_model().run()
    table = impact_by_year(out, by="payer")
    assert table.loc["NHS"].tolist() == pytest.approx([40_000, 44_000, 72_000, 156_000], abs=1e-6)
    assert table.loc["council"].tolist() == pytest.approx([0, -4_000, -8_000, -12_000], abs=1e-6)
    assert table.loc["Total"].tolist() == pytest.approx([40_000, 40_000, 64_000, 144_000], abs=1e-6)
    budget = out["budget"].sum(["payer", "category"]).sel(strategy="current").squeeze().values
    assert budget.tolist() == pytest.approx([100_000, 130_000, 150_000], abs=1e-6)
    assert float(out["budget_impact"].sel(strategy="new").squeeze()) == pytest.approx(144_000, abs=1e-6)
    assert float(out["budget_impact"].sel(strategy="current").squeeze()) == 0.0
    starts = out["starts"].sel(strategy="new").squeeze()
    assert starts.sel(treatment="B").values.tolist() == pytest.approx([20, 20, 30])
    assert out.sizes["sample"] == 1 and set(out["impact"].dims) == {"sample", "strategy", "year", "payer", "category"}


def test_discounting_is_an_option_with_year_one_undiscounted():
    """3.5%: 40,000; 40,000 / 1.035 = 38,647.34; 64,000 / 1.035^2 = 59,744.68. Undiscounted totals stay."""
    out = three_year_model(discount=0.035).run()
    assert impact_by_year(out, by=None).loc["Total"].tolist()[:3] == pytest.approx([40_000, 38_647.34, 59_744.68], abs=0.01)
    assert float(out["budget_impact_undiscounted"].sel(strategy="new").squeeze()) == pytest.approx(144_000, abs=1e-6)
    assert "Discounting" in business_case_table(out).index


def test_population_from_prevalence_incidence_and_growth():
    """N = 10,000 growing 10%: prevalent 2% x 10,000 = 200 in year 1; incident 1% of 10,000, 11,000, 12,100;
    half eligible: (200 + 100) / 2 = 150, 55, 60.5."""
    entrants = Population(population=10_000, prevalent=0.02, incident=0.01, growth=0.1, eligible=0.5).entrants(3)
    assert entrants[0].tolist() == pytest.approx([150, 55, 60.5])


shares = st.lists(st.floats(0, 1), min_size=3, max_size=3)
costs = st.lists(st.floats(0, 1e5), min_size=3, max_size=3)


@settings(max_examples=40, deadline=None)
@given(share=shares, cost_a=costs, cost_b=costs, size=st.floats(1, 1e7), prevalence=st.floats(0, 0.1),
       incidence=st.floats(0, 0.1), growth=st.floats(-0.5, 0.5))
def test_zero_uptake_gives_zero_impact(share, cost_a, cost_b, size, prevalence, incidence, growth):
    """When the 'new' scenario's mix is the current mix, every year's impact is exactly zero."""
    pop = Population(population=size, prevalent=prevalence, incident=incidence, growth=growth)
    lines = [patient_cost("drug", "NHS", {"A": cost_a, "B": cost_b}), offset("care", "council", {"B": cost_a})]
    mix = {"A": C, "B": share}
    out = BudgetImpactModel(pop, {"current": mix, "new": dict(mix)}, lines, years=3).run()
    assert not out["impact"].values.any()
    no_uptake = BudgetImpactModel(pop, {"current": {"A": 1.0}, "new": {"A": C, "B": 0.0}}, lines, years=3).run()
    assert not no_uptake["impact"].values.any()


@settings(max_examples=40, deadline=None)
@given(share=shares, cost_a=costs, cost_b=costs, size=st.floats(1, 1e6), k=st.floats(0.01, 100),
       prevalence=st.floats(0, 0.1), incidence=st.floats(0, 0.1))
@example(share=[0.0, 0.0, 7.629452966284589e-06], cost_a=[1.0, 0.0, 11811.0], cost_b=[0.0, 0.0, 0.0], size=4137.0,
         k=0.9993285705061234, prevalence=0.0, incidence=0.08584171878933962)  # an impact of -0.0027 from £1m budgets
def test_impact_is_linear_in_the_population(share, cost_a, cost_b, size, k, prevalence, incidence):
    def run(n):
        model = BudgetImpactModel(Population(population=n, prevalent=prevalence, incident=incidence),
                                  {"current": {"A": 1.0}, "new": {"A": C, "B": share}},
                                  [patient_cost("drug", "NHS", {"A": cost_a, "B": cost_b})], years=3)
        return model.run()["impact"].values
    # the impact is a difference of two budgets, so rounding is relative to the budgets' size (at most
    # everyone eligible at the dearest cost), not to the impact, which cancellation can make tiny
    budget = k * size * max(1.0, *cost_a, *cost_b)
    np.testing.assert_allclose(run(k * size), k * run(size), rtol=1e-9, atol=1e-12 * budget)


def test_psa_is_vectorised_over_samples_and_matches_each_sample_run_alone():
    params = Parameters(uptake=Beta(2, 8), c_new=Gamma.from_mean_sd(3000, 300), prevalence=Beta(4, 996))
    model = BudgetImpactModel(
        Population(population=50_000, prevalent="prevalence", incident=0.001),
        {"current": {"old": 1.0}, "new": {"old": C, "new": [0.1, "uptake"]}},
        [patient_cost("drug", "NHS", {"old": 500, "new": ["c_new", 1000]})], years=2)
    draws = params.sample(50, seed=3)
    out = model.run(draws)
    assert out.sizes["sample"] == 50
    for i in (0, 17, 49):
        alone = model.run(draws.isel(sample=[i]))
        np.testing.assert_allclose(out["impact"].isel(sample=[i]).values, alone["impact"].values, rtol=1e-12)
    assert out["impact"].std("sample").sum() > 0
    frame = summarise(out)  # the house summaries read it
    assert set(frame.index.get_level_values("variable")) >= {"cost", "budget_impact"}
    interval = summary(out).loc[("new", "Total")]
    assert interval["impact_lower"] < interval["impact"] < interval["impact_upper"]


def test_costs_from_a_markov_trace_with_half_year_cycles():
    """Alive -> dead 0.5 per half-year cycle; trace 1, .5, .25, .125, .0625; £100 a year alive.
    Cycle costs 0.5 x 100 x (m_{t-1} + m_t) / 2: 37.5, 18.75, 9.375, 4.6875; years: 56.25, 14.0625."""
    model = MarkovModel(states=["alive", "dead"], strategies=["only"],
                        transitions={"alive": {"alive": C, "dead": 0.5}, "dead": {"dead": 1}},
                        start={"alive": 1}, n_cycles=5, cycle_length=0.5, state_rewards={"ly": {"alive": 1}})
    costs = costs_from_trace(model.run({"x": [0.0, 0.0]}, trace=True), {"alive": 100.0})
    assert costs.dims == ("sample", "strategy", "year")
    np.testing.assert_allclose(costs.sel(strategy="only").values, [[56.25, 14.0625]] * 2, rtol=1e-12)
    mean = costs_from_trace(model.run({"x": [0.0]}, trace="mean"), {"alive": 100.0})
    assert mean.dims == ("strategy", "year")
    with pytest.raises(OutcomesError, match="trace=True"):
        costs_from_trace(model.run({"x": [0.0]}), {"alive": 100.0})
    with pytest.raises(UnknownNameError, match="alive"):
        costs_from_trace(model.run({"x": [0.0]}, trace=True), {"alve": 100.0})


def test_a_cost_table_with_one_column_per_treatment():
    import pandas as pd
    table = pd.DataFrame({"A": [1000, 800, 600, 400], "B": [3000, 1000, 1000, 1000]})  # a 4th year is not used
    lines = [patient_cost("drug", "NHS", table), offset("social care", "council", {"B": [0, 200, 200]})]
    out = BudgetImpactModel(Population(new_patients=[100, 50, 50]),
                            {"current": {"A": 1.0}, "new": {"A": C, "B": [0.2, 0.4, 0.6]}}, lines, years=3).run()
    assert float(out["budget_impact"].sel(strategy="new").squeeze()) == pytest.approx(144_000, abs=1e-6)


@pytest.mark.parametrize(("change", "error", "match"), [
    (dict(scenarios={"current": {"A": 1.0}, "new": {"A": 0.5, "B": [0.2, 0.4, 0.6]}}), ModelDefinitionError,
     r"scenario 'new': shares add up to 0.7 in year 1"),
    (dict(scenarios={"current": {"A": 1.0}, "new": {"A": C, "B": [0.2, 1.4, 0.6]}}), ModelDefinitionError,
     r"share of 'B': 1.4 in year 2"),
    (dict(scenarios={"current": {"A": 1.0}, "new": {"A": C, "B": [0.2, 0.4]}}), ShapeError, r"has 2 years of values, expected 3"),
    (dict(costs=[patient_cost("drug", "NHS", {"A": [1, 2], "B": 1})]), ShapeError, r"'A'.*has 2 years.*or more"),
    (dict(costs=[patient_cost("drug", "NHS", {"A": -5.0, "B": 1})]), ModelDefinitionError, r"drug.*'A'.*offset\(\)"),
    (dict(costs=[patient_cost("drug", "NHS", {"A": 1.0, "b": 1})]), ModelDefinitionError, r"treatment 'B' has a share.*no cost line"),
    (dict(costs=[patient_cost("drug", "NHS", {"A": "c_a", "B": 1})]), UnknownNameError, r"'drug' \(NHS\), treatment 'A'.*'c_a'"),
    (dict(reference="nope"), UnknownNameError, "nope"),
])
def test_bad_input_is_named(change, error, match):
    spec = dict(population=Population(new_patients=[100, 50, 50]),
                scenarios={"current": {"A": 1.0}, "new": {"A": C, "B": [0.2, 0.4, 0.6]}},
                costs=[patient_cost("drug", "NHS", {"A": 1000, "B": 3000})], years=3)
    spec.update(change)
    with pytest.raises(error, match=match):
        BudgetImpactModel(**spec).run()


def test_population_errors():
    with pytest.raises(ModelDefinitionError, match="prevalent is a proportion"):
        Population(population=1000, prevalent=2.0).entrants(2)
    with pytest.raises(ModelDefinitionError, match="new_patients or"):
        Population(new_patients=[1, 2], incident=0.1).entrants(2)


def test_business_case_table_reads_as_money_with_human_labels():
    table = business_case_table(three_year_model().run())
    assert list(table.columns) == ["Year 1", "Year 2", "Year 3", "Total"]
    assert table.loc["Budget impact: council"].tolist() == ["£0", "-£4,000", "-£8,000", "-£12,000"]
    assert table.loc["Budget impact, total", "Total"] == "£144,000"
    assert table.loc["Patients starting B (new)"].tolist() == ["20", "20", "30", "70"]


def test_plot_budget_impact_stacks_payers_and_marks_the_net(tmp_path):
    out = three_year_model(first_year=2026).run()
    ax = plot_budget_impact(out)
    assert len(ax.containers) == 2
    nhs, council = ax.containers
    assert [bar.get_height() for bar in nhs] == pytest.approx([40_000, 44_000, 72_000])
    assert [bar.get_height() for bar in council] == pytest.approx([0, -4_000, -8_000])
    assert ax.get_lines()[0].get_ydata().tolist() == pytest.approx([40_000, 40_000, 64_000])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2026", "2027", "2028"]
    assert "undiscounted" in ax.get_ylabel()
    ax.figure.savefig(tmp_path / "bia.png")
    plt.close(ax.figure)


def test_population_growth_typed_as_a_percentage_raises():
    with pytest.raises(ModelDefinitionError, match=r"growth of 5 a year is 500%; give a fraction \(0.05 for 5%\)"):
        Population(population=1000, incident=0.01, growth=5).entrants(3)
