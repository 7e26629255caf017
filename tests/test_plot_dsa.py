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
    assert labels == list(table.index) == ["gain", "c_new"]
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
