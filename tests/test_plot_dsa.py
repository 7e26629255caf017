"""Tornado and two-way plots draw exactly the analysed numbers."""

import numpy as np
import pytest
import xarray as xr

from healthecon.dsa import one_way, two_way
from healthecon.errors import AnalysisError
from healthecon.outcomes import make_outcomes
from healthecon.plot.dsa import plot_tornado, plot_twoway


class Toy:
    strategies = ("usual", "new", "other")

    def run(self, draws, *, strategies=None):
        c, g = draws["c_new"].values, draws["gain"].values
        cost = np.column_stack([np.full_like(c, 1000.0), c, np.full_like(c, 2400.0)])
        qaly = np.column_stack([np.ones_like(c), 1.0 + g, np.full_like(c, 1.06)])
        return make_outcomes({"cost": cost, "qaly": qaly}, self.strategies, effect="qaly")


BASE = xr.Dataset({"c_new": ("sample", [2500.0]), "gain": ("sample", [0.1])})
RANGES = {"c_new": (2000.0, 4000.0), "gain": (0.05, 0.2)}


def test_tornado_bars_are_the_table():
    table = one_way(Toy(), BASE, ranges=RANGES, wtp=20000, strategy="new")
    ax = plot_tornado(table)
    low, high = ax.containers[0], ax.containers[1]
    base = table["outcome_base"].iloc[0]
    np.testing.assert_allclose([b.get_x() for b in low], base)
    np.testing.assert_allclose([b.get_width() for b in low], table["outcome_low"] - base)
    np.testing.assert_allclose([b.get_width() for b in high], table["outcome_high"] - base)
    centres = [b.get_y() + b.get_height() / 2 for b in low]
    assert centres == sorted(centres, reverse=True)  # largest swing (first row) at the top
    ticks = sorted(zip(ax.get_yticks(), ax.get_yticklabels()), key=lambda t: -t[0])  # top to bottom
    labels = [label.get_text().split("\n")[0] for _, label in ticks]
    assert list(table.index) == ["gain", "c_new"]
    assert labels == ["Gain", "C new"]  # with no declared labels, the names read plainly, as in the report's table
    texts = {t.get_text() for t in ax.texts}
    assert {"0.05", "0.2", "2,000", "4,000"} <= texts
    assert ax.get_xlabel().startswith("Incremental net monetary benefit (£)\nnew vs usual, £20,000 per QALY")
    zero = [line for line in ax.get_lines() if line.get_label().startswith("no difference")]
    assert zero and zero[0].get_xdata()[0] == 0


def test_tornado_top_and_icer_label():
    table = one_way(Toy(), BASE, ranges=RANGES, outcome="icer", strategy="new")
    ax = plot_tornado(table, top=1, show_values=False)
    assert len(ax.containers[0]) == 1 and not ax.texts
    assert ax.get_xlabel().startswith("ICER (£ per QALY)")
    with pytest.raises(AnalysisError, match="missing columns"):
        plot_tornado(table.drop(columns="swing"))


def test_twoway_map_is_the_optimal_grid():
    result = two_way(Toy(), BASE, "c_new", "gain", wtp=20000, ranges=RANGES, size=(5, 4))
    ax = plot_twoway(result)
    codes = np.asarray(ax.collections[0].get_array()).reshape(4, 5)
    labels = result.attrs["strategies"]
    expected = np.vectorize(labels.index)(result["optimal"].values).T
    np.testing.assert_array_equal(codes, expected)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    present = [s for s in labels if (result["optimal"].values == s).any()]
    assert legend == present + ["base case"]
    assert ax.get_xlabel() == "c_new" and ax.get_ylabel() == "gain"
    from healthecon.params import Parameters

    named = plot_twoway(result, params=Parameters(c_new=2500.0, gain=0.1, labels={"c_new": "Cost of the new treatment"}))
    assert named.get_xlabel() == "Cost of the new treatment" and named.get_ylabel() == "gain"
    assert ax.get_title() == "Optimal strategy at £20,000 per QALY"
    with pytest.raises(AnalysisError, match="dsa.two_way"):
        plot_twoway(xr.Dataset())


@pytest.mark.parametrize("outcome", ["nmb", "icer"])
def test_tornado_legend_covers_no_bar_and_no_value_label(outcome):
    table = one_way(Toy(), BASE, ranges={"c_new": (2000.0, 4000.0), "gain": (0.02, 0.2)}, outcome=outcome,
                    wtp=20000, strategy="new")
    ax = plot_tornado(table)
    ax.figure.canvas.draw()
    renderer = ax.figure.canvas.get_renderer()
    legend = ax.get_legend().get_window_extent(renderer)
    drawn = [bar.get_window_extent(renderer) for container in ax.containers for bar in container]
    drawn += [text.get_window_extent(renderer) for text in ax.texts]
    assert len(drawn) == 8
    assert not any(legend.overlaps(box) for box in drawn)
    figure = ax.figure.bbox
    assert figure.x0 <= legend.x0 and legend.x1 <= figure.x1 and figure.y0 <= legend.y0 and legend.y1 <= figure.y1


def _many_bar_table(n=14, seed=3):
    """A one-way table of ``n`` parameters with wide value ranges, four of whose bars fall on one side of the base case."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    base = 12_000.0
    low, high = base + rng.normal(0, 40_000, n), base + rng.normal(0, 40_000, n)
    high[:4] = low[:4] + rng.normal(0, 800, 4)  # low and high results close together, on one side
    names = [f"p_{i}_code" for i in range(n)]
    table = pd.DataFrame({"base": rng.uniform(0, 5e5, n), "low": rng.uniform(0, 1e6, n) * 1.234567,
                          "high": rng.uniform(1e5, 9e6, n) * 1.7654, "outcome_base": base, "outcome_low": low,
                          "outcome_high": high}, index=names)
    table["swing"] = (table["outcome_high"] - table["outcome_low"]).abs()
    table.attrs = {"outcome": "nmb", "units": "£", "currency": "£", "strategy": "new", "comparator": "usual",
                   "wtp": 20000, "effect_unit": "QALY"}
    return table


def test_tornado_value_labels_never_overlap_each_other_the_names_or_the_legend():
    import itertools

    table = _many_bar_table()
    ax = plot_tornado(table, units={name: "£" for name in table.index[::2]})
    ax.figure.canvas.draw()
    renderer = ax.figure.canvas.get_renderer()
    values = [t.get_window_extent(renderer) for t in ax.texts]
    assert len(values) == 2 * len(table)
    clashes = [(a.get_text(), b.get_text()) for (a, ea), (b, eb) in itertools.combinations(zip(ax.texts, values), 2)
               if ea.overlaps(eb)]
    assert not clashes
    inside = ax.get_window_extent(renderer)
    assert all(inside.x0 <= e.x0 and e.x1 <= inside.x1 for e in values)  # so clear of the names and the legend
    names = [t.get_window_extent(renderer) for t in ax.get_yticklabels()]
    legend = ax.get_legend().get_window_extent(renderer)
    assert not any(e.overlaps(other) for e in values for other in [*names, legend])
    # where both results fall on one side of the base case, both bars stay visible (half height, one above the other)
    low, high = ax.containers
    same = [(a, b) for a, b in zip(low, high) if a.get_width() * b.get_width() > 0]
    assert len(same) >= 4 and all(a.get_y() >= b.get_y() + b.get_height() - 1e-9 for a, b in same)


def test_tornado_names_and_values_come_from_the_declared_labels_and_units():
    from healthecon.params import Parameters

    params = Parameters(c_new=2500.0, gain=0.1, labels={"c_new": "Cost of the new treatment", "gain": "QALY gain"},
                        units={"c_new": "£"})
    table = one_way(Toy(), BASE, ranges=RANGES, wtp=20000, strategy="new")
    ax = plot_tornado(table, params=params)
    ticks = [label.get_text() for label in ax.get_yticklabels()]
    assert sorted(ticks) == ["Cost of the new treatment\n(base £2,500)", "QALY gain\n(base 0.1)"]
    assert {"£2,000", "£4,000", "0.05", "0.2"} == {t.get_text() for t in ax.texts}
    ax = plot_tornado(table, params=params, labels={"gain": "Gain in QALYs"})  # an explicit label wins
    assert any(label.get_text().startswith("Gain in QALYs") for label in ax.get_yticklabels())
    # one_way given the Parameters keeps what they declare, so the table alone draws the same names
    declared = one_way(Toy(), params, ranges=RANGES, wtp=20000, strategy="new")
    assert declared.attrs["parameter_labels"] == {"c_new": "Cost of the new treatment", "gain": "QALY gain"}
    assert declared.attrs["parameter_units"] == {"c_new": "£"}
    alone = plot_tornado(declared)
    assert sorted(label.get_text() for label in alone.get_yticklabels()) == sorted(ticks)
    assert table.attrs["parameter_labels"] == {}  # a base-case Dataset declares nothing
    # a parameter without a declared label reads as its name made readable, not as its code name
    partial = Parameters(c_new=2500.0, gain=0.1, units={"c_new": "£"})
    for drawn in (plot_tornado(one_way(Toy(), partial, ranges=RANGES, wtp=20000, strategy="new")),
                  plot_tornado(table, params=partial)):
        assert sorted(label.get_text() for label in drawn.get_yticklabels()) == ["C new\n(base £2,500)", "Gain\n(base 0.1)"]


def test_tornado_axis_of_a_return_per_pound_reads_as_money_per_pound():
    import pandas as pd

    table = pd.DataFrame({"base": [0.25], "low": [0.1], "high": [0.4], "outcome_base": [2.0], "outcome_low": [2.4],
                          "outcome_high": [1.6], "swing": [0.8]}, index=["deadweight"])
    table.attrs = {"outcome": "sroi_ratio", "units": "per £1", "currency": "£", "strategy": "falls service"}
    ax = plot_tornado(table, units={"deadweight": "%"})
    assert ax.get_xlabel().splitlines()[0] == "SROI ratio (£ of social value per £1)"
    assert ax.xaxis.get_major_formatter()(1.5, None) == "£1.50"
    assert {t.get_text() for t in ax.texts} == {"10%", "40%"}
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "base case (£2.00 per £1)" in legend
    table.attrs = {"outcome": "net_roi", "units": "", "currency": "£", "strategy": "falls service"}
    ax = plot_tornado(table)
    assert ax.get_xlabel().splitlines()[0] == "Net return on investment (%)"
    assert ax.xaxis.get_major_formatter()(0.5, None) == "50%"
