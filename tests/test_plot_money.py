"""Money plots (waterfall, cash flows, acceptability): the plotted data checked against the analysed numbers."""

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from healthecon.appraisal import acceptability, cashflows, waterfall_steps
from healthecon.cba import CBAModel, benefit_flow, cost_flow
from healthecon.errors import AnalysisError, UnknownNameError
from healthecon.examples import falls_service, reablement
from healthecon.plot.money import plot_acceptability, plot_cashflows, plot_waterfall
from healthecon.sroi import SROIModel
from money_models import draws_of, five_years

matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_plot_waterfall_draws_the_steps():
    out = five_years(discount=0.035, cost_uplift=0.2, benefit_haircut=0.1).run()
    steps = waterfall_steps(out)
    ax = plot_waterfall(out)
    bars = ax.patches
    assert len(bars) == len(steps) + 1
    ends = np.cumsum(steps.to_numpy())
    starts = np.concatenate([[0.0], ends[:-1]])
    for i, bar in enumerate(bars[1:-1], start=1):
        assert bar.get_height() == pytest.approx(abs(steps.iloc[i]))
        assert bar.get_y() == pytest.approx(min(starts[i], ends[i]))
    assert bars[0].get_height() == pytest.approx(steps.iloc[0])
    npv = out["npv"].item()  # negative here: the total bar hangs below zero
    assert npv < 0
    assert (bars[-1].get_y(), bars[-1].get_height()) == (pytest.approx(npv), pytest.approx(-npv))
    assert [t.get_text() for t in ax.get_xticklabels()][-1] == "net present value"


def test_waterfall_labels_are_the_steps_and_the_npv():
    out = five_years(discount=0.035, cost_uplift=0.2, benefit_haircut=0.1).run()
    labels = [t.get_text() for t in plot_waterfall(out).get_xticklabels()]
    assert labels == [*waterfall_steps(out).index, "net present value"]


def test_waterfall_value_labels_are_the_money_of_each_bar():
    out = SROIModel(falls_service(), discount=0.0).run()
    steps = waterfall_steps(out)
    ax = plot_waterfall(out)
    shown = [t.get_text() for t in ax.texts]
    # gross value £80,000; deadweight removes £20,000; nothing else; investment £30,000; NPV £30,000
    assert shown[0] == "£80,000" and shown[1] == "-£20,000"
    assert shown[-1] == f"£{steps.sum():,.0f}" == "£30,000"
    assert ax.get_ylabel() == "Value (£, mean)"


def test_waterfall_leaves_room_for_the_label_of_the_tallest_bar():
    # a zero step ending at the top (no benefit haircut) used to pin the y-axis to the tallest bar,
    # so its value label sat outside the axes, on the title
    ax = plot_waterfall(pd.Series({"gross benefits": 3_900_000.0, "optimism bias (benefits)": 0.0,
                                   "costs": -1_800_000.0}))
    low, high = ax.get_ylim()
    assert low == 0.0
    assert high >= 3_900_000.0 * 1.05


def test_plot_waterfall_refuses_an_empty_series():
    with pytest.raises(AnalysisError, match="no steps"):
        plot_waterfall(pd.Series(dtype=float))


def test_plot_cashflows_bars_sum_to_the_net_flow_each_year():
    out = five_years(discount=0.035).run()
    ax = plot_cashflows(out)
    heights = np.array([[bar.get_height() for bar in container] for container in ax.containers])
    expected = cashflows(out)
    np.testing.assert_allclose(heights.sum(axis=0), expected.sum(axis=1).to_numpy())
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), np.cumsum(expected.sum(axis=1).to_numpy()))
    labels = {t.get_text() for t in ax.get_legend().get_texts()}
    assert {"council pays", "NHS gains", "police gains"} <= labels


def test_plot_cashflows_each_bar_is_its_table_cell_and_the_title_names_the_strategy():
    out = reablement().run()
    table = cashflows(out, by="category", discounted=True)
    ax = plot_cashflows(out, by="category", discounted=True, cumulative=False)
    assert len(ax.containers) == table.shape[1]
    assert [list(line.get_ydata()) for line in ax.get_lines()] == [[0, 0]]  # the zero line only, no cumulative
    for container, column in zip(ax.containers, table.columns):
        np.testing.assert_allclose([bar.get_height() for bar in container], table[column].to_numpy())
    assert ax.get_title().splitlines() == ["Discounted cash flows in years 0-2 (the first 3 years)", "reablement"]
    assert ax.get_ylabel() == "Present value (£, mean)"
    assert ax.yaxis.get_major_formatter()(-120_000.0, None) == "-£120,000"


def test_plot_cashflows_needs_a_strategy_when_there_are_several():
    two = CBAModel({"a": [cost_flow("c", "NHS", [1.0]), benefit_flow("b", "NHS", [2.0])],
                    "b": [cost_flow("c", "NHS", [1.0]), benefit_flow("b", "NHS", [3.0])]}).run()
    with pytest.raises(AnalysisError, match="name one with strategy="):
        plot_cashflows(two)
    with pytest.raises(UnknownNameError):
        plot_cashflows(two, "c")
    assert plot_cashflows(two, "b").get_title().endswith("b")


def test_plot_acceptability_draws_the_probabilities():
    rng = np.random.default_rng(5)
    out = CBAModel([cost_flow("c", "NHS", [1.0]), benefit_flow("b", "NHS", ["r"])], name="s").run(
        draws_of(500, r=rng.gamma(20, 0.06, 500)))
    targets = np.linspace(0.5, 2.0, 7)
    ax = plot_acceptability(out, targets)
    line = ax.get_lines()[0]
    np.testing.assert_allclose(line.get_xdata(), targets)
    np.testing.assert_allclose(line.get_ydata(), acceptability(out, targets).values[:, 0])


def test_plot_acceptability_default_grid_and_labels():
    rng = np.random.default_rng(6)
    out = CBAModel([cost_flow("c", "NHS", [1.0]), benefit_flow("b", "NHS", ["r"])], name="s").run(
        draws_of(200, r=rng.gamma(20, 0.06, 200)))
    ax = plot_acceptability(out)
    curve, breakeven = ax.get_lines()
    grid = curve.get_xdata()
    assert len(grid) == 101 and grid[0] == 0.0
    assert grid[-1] == pytest.approx(1.5 * max(np.percentile(out["bcr"].values, 97.5), 1.0))
    np.testing.assert_allclose(curve.get_ydata(), acceptability(out, grid).values[:, 0])
    assert list(breakeven.get_xdata()) == [1.0, 1.0]
    assert ax.xaxis.get_major_formatter()(1.5, None) == "£1.50"


def test_cash_flow_title_states_the_years_on_the_axis_and_pays_differ_from_gains_in_colour():
    from matplotlib.colors import to_rgb

    one_year = CBAModel([cost_flow("team", "council", [100.0]), benefit_flow("saving", "council", [150.0])],
                        name="pilot").run()
    ax = plot_cashflows(one_year)
    assert ax.get_title().splitlines()[0] == "Cash flows in year 0 (the 1st year)"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0\n1st year"]
    two = CBAModel([cost_flow("investment", "NHS", [1000.0]), benefit_flow("saving", "NHS", [700.0, 500.0])],
                   name="updated, years 1-2").run()
    ax = plot_cashflows(two)
    title = ax.get_title().splitlines()
    assert title[0] == "Cash flows in years 0-1 (the first 2 years)"  # the years on the axis, and which of the scheme's
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0\n1st year", "1\n2nd year"]
    pays, gains = ax.containers  # one party: the same hue, but a lighter shade where it pays, and named in the legend
    assert to_rgb(pays[0].get_facecolor()) != to_rgb(gains[0].get_facecolor())
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["NHS gains", "NHS pays", "cumulative net"]


def test_money_charts_state_the_scale_of_a_model_run_per_1000_spent():
    per_1000 = CBAModel([cost_flow("extra spend", "council", [1000.0]), benefit_flow("bed days", "NHS", [1200.0])],
                        name="POPP").run()
    ax = plot_waterfall(per_1000)
    assert ax.get_ylabel() == "Value (£ per £1,000 of spend, mean)"
    assert ax.get_title().splitlines()[1] == "POPP, per £1,000 of spend"
    ax = plot_cashflows(per_1000, per="per £1,000 of extra monthly spend")
    assert ax.get_ylabel() == "Cash flow (£ per £1,000 of extra monthly spend, mean)"
    million = CBAModel([cost_flow("investment", "NHS", [1e6]), benefit_flow("saving", "NHS", [1.1e6])], name="m").run()
    assert plot_waterfall(million).get_title().splitlines()[1] == "m, per £1m of spend"
    real = CBAModel([cost_flow("team", "council", [120_000.0]), benefit_flow("saving", "NHS", [150_000.0])], name="x").run()
    assert plot_waterfall(real).get_ylabel() == "Value (£, mean)"  # a budget that is not a round scale says nothing


@pytest.mark.parametrize("n_years", [3, 8, 12, 20])
def test_cash_flow_year_labels_never_overlap(n_years):
    import itertools

    model = CBAModel([cost_flow("team", "council", [120_000.0]), benefit_flow("saving", "NHS", [0.0] + [30_000.0] * (n_years - 1))],
                     name="scheme", discount=0.035)
    ax = plot_cashflows(model.run())
    ax.figure.canvas.draw()
    renderer = ax.figure.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in ax.get_xticklabels() if t.get_text()]
    assert len(boxes) == n_years
    assert not any(a.overlaps(b) for a, b in itertools.combinations(boxes, 2))
