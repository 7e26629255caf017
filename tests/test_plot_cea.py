"""Tests for healthecon.plot.cea: the plotted data are the analysed numbers."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection
from matplotlib.patches import Ellipse

from healthecon import cea
from healthecon.errors import AnalysisError, UnknownNameError
from healthecon.outcomes import from_dataframe, make_outcomes
from healthecon.plot.cea import plot_ce_plane, plot_ceac, plot_ceaf, plot_expected_loss, plot_frontier

WTP = np.linspace(0, 50_000, 21)
NAMES = ["usual", "A", "B", "C"]


@pytest.fixture(scope="module")
def psa():
    rng = np.random.default_rng(11)
    cost = rng.normal([1000, 1600, 1900, 2600], [150, 300, 350, 400], size=(400, 4))
    qaly = rng.normal(6.0, 0.3, size=(400, 1)) + rng.normal([0, 0.04, 0.045, 0.08], [0, 0.02, 0.025, 0.04], size=(400, 4))
    return make_outcomes({"cost": cost, "qaly": qaly}, strategies=NAMES, effect="qaly", currency="$", effect_unit="QALY")


def _lines(ax):
    return {line.get_label(): line for line in ax.get_lines() if not line.get_label().startswith("_")}


def _scatters(ax):
    return {c.get_label(): c for c in ax.collections if isinstance(c, PathCollection)}


def test_ce_plane_offsets_are_the_increments(psa):
    ax = plot_ce_plane(psa, "usual", wtp=[20_000, 30_000], ellipse=0.95)
    inc = cea.incremental(psa, "usual")
    clouds = _scatters(ax)
    for name in ["A", "B", "C"]:
        offsets = clouds[name].get_offsets()
        np.testing.assert_allclose(offsets[:, 0], inc["effect"].sel(strategy=name))
        np.testing.assert_allclose(offsets[:, 1], inc["cost"].sel(strategy=name))
        np.testing.assert_allclose(clouds[f"_mean {name}"].get_offsets()[0],
                                   [inc["effect"].sel(strategy=name).mean(), inc["cost"].sel(strategy=name).mean()])
    assert "usual" not in clouds
    line = _lines(ax)["$20,000 per QALY"]
    x, y = line.get_xdata(), line.get_ydata()
    np.testing.assert_allclose(np.asarray(y), 20_000 * np.asarray(x))
    assert ax.get_xlabel() == "Incremental QALY vs usual" and ax.get_ylabel() == "Incremental cost vs usual ($)"
    assert [t.get_text() for t in ax.get_legend().get_texts()][:3] == ["A", "B", "C"]


def test_ce_plane_ellipse_is_centred_on_the_mean_and_covers_the_level(psa):
    ax = plot_ce_plane(psa, "usual", ellipse=0.9, show=["C"])
    (ellipse,) = [p for p in ax.patches if isinstance(p, Ellipse)]
    inc = cea.incremental(psa, "usual")
    x, y = inc["effect"].sel(strategy="C").values, inc["cost"].sel(strategy="C").values
    np.testing.assert_allclose(ellipse.center, [x.mean(), y.mean()])
    inside = ellipse.contains_points(ax.transData.transform(np.column_stack([x, y])))
    assert inside.mean() == pytest.approx(0.9, abs=0.04)  # the draws are bivariate normal


def test_ce_plane_bad_input(psa):
    with pytest.raises(UnknownNameError, match="'nobody'"):
        plot_ce_plane(psa, "nobody")
    with pytest.raises(AnalysisError, match="'usual'"):
        plot_ce_plane(psa, "usual", show=["usual"])
    with pytest.raises(AnalysisError, match="ellipse"):
        plot_ce_plane(psa, "usual", ellipse=95)
    deterministic = make_outcomes({"cost": [1.0, 2.0], "qaly": [1.0, 2.0]}, strategies=["a", "b"], effect="qaly")
    with pytest.raises(AnalysisError, match="3 PSA samples"):
        plot_ce_plane(deterministic, "a", ellipse=0.95)


def test_ceac_lines_are_the_ceac_and_frontier_is_the_ceaf(psa):
    fig, ax = plt.subplots()
    assert plot_ceac(psa, WTP, ax=ax) is ax
    curves, frontier = cea.ceac(psa, WTP), cea.ceaf(psa, WTP)
    lines = _lines(ax)
    for name in NAMES:
        np.testing.assert_array_equal(lines[name].get_xdata(), WTP)
        np.testing.assert_array_equal(lines[name].get_ydata(), curves.sel(strategy=name).values)
    np.testing.assert_array_equal(lines["Frontier (CEAF)"].get_ydata(), frontier["probability"].values)
    assert ax.get_xlabel() == "Willingness to pay ($ per QALY)"
    assert ax.xaxis.get_major_formatter()(20_000, None) == "$20,000"
    assert "Frontier (CEAF)" not in _lines(plot_ceac(psa, WTP, frontier=False))


def test_ceac_colours_match_across_plots(psa):
    ceac_lines = _lines(plot_ceac(psa, WTP))
    plane = _scatters(plot_ce_plane(psa, "usual"))
    for name in ["A", "B", "C"]:
        np.testing.assert_allclose(plane[name].get_facecolor()[0][:3],
                                   plt.matplotlib.colors.to_rgb(ceac_lines[name].get_color()))


def test_ceaf_segments(psa):
    ax = plot_ceaf(psa, WTP)
    frontier = cea.ceaf(psa, WTP)
    optimal = frontier["optimal"].values
    lines = _lines(ax)
    assert set(lines) == set(optimal)  # only strategies that are optimal somewhere
    for name, line in lines.items():
        expected = np.where(optimal == name, frontier["probability"].values, np.nan)
        np.testing.assert_array_equal(line.get_ydata(), expected)
    switches = [line for line in ax.get_lines() if line.get_linestyle() == ":"]
    assert len(switches) == int((optimal[1:] != optimal[:-1]).sum())


def test_expected_loss_lines(psa):
    ax = plot_expected_loss(psa, WTP)
    loss = cea.expected_loss(psa, WTP)
    lines = _lines(ax)
    for name in NAMES:
        np.testing.assert_array_equal(lines[name].get_ydata(), loss.sel(strategy=name).values)
    np.testing.assert_allclose(lines["Frontier (EVPI)"].get_ydata(), cea.ceaf(psa, WTP)["expected_loss"].values)
    assert ax.get_ylabel() == "Expected loss per person ($)"


def test_frontier_plot_from_an_imported_table():
    frame = pd.DataFrame({"strategy": ["A", "B", "C", "D", "E"], "cost": [0.0, 8.0, 18.0, 20.0, 25.0],
                          "qaly": [0.0, 1.0, 2.0, 3.0, 2.5]})
    out = from_dataframe(frame, effect="qaly")
    ax = plot_frontier(out)
    line = _lines(ax)["Efficiency frontier"]
    np.testing.assert_array_equal(line.get_xdata(), [0.0, 3.0])
    np.testing.assert_array_equal(line.get_ydata(), [0.0, 20.0])
    points = [c for c in ax.collections if len(c.get_offsets())]
    assert sorted(tuple(c.get_offsets()[0]) for c in points) == sorted(zip(frame["qaly"], frame["cost"]))
    assert {t.get_text() for t in ax.texts} == set(frame["strategy"])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Efficiency frontier", "Non-dominated",
                                                                     "Extendedly dominated", "Dominated"]


def _visible_tick_labels(axis, renderer):
    lo, hi = sorted(axis.get_view_interval())
    ticks = [t for t in axis.get_major_ticks() if lo - 1e-9 <= t.get_loc() <= hi + 1e-9 and t.label1.get_text()]
    return [t.label1.get_text() for t in ticks], [t.label1.get_window_extent(renderer) for t in ticks]


def test_expected_loss_ticks_stay_apart_and_compact_in_a_narrow_panel(psa):
    import itertools

    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(3.5, 3), layout="constrained")
    plot_expected_loss(psa, WTP, ax=ax)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    texts, boxes = _visible_tick_labels(ax.xaxis, renderer)
    assert 3 <= len(texts) <= 5 and all(t == "$0" or t.endswith("k") for t in texts), texts
    assert not any(a.overlaps(b) for a, b in itertools.combinations(boxes, 2)), texts
    y_texts, _ = _visible_tick_labels(ax.yaxis, renderer)
    assert len(y_texts) <= 6
    plt.close(fig)

    wide = plot_expected_loss(psa, WTP)  # the default size keeps full labels
    wide.figure.canvas.draw()
    texts, _ = _visible_tick_labels(wide.xaxis, wide.figure.canvas.get_renderer())
    assert "$20,000" in texts
    plt.close(wide.figure)


def test_ceac_frontier_is_rings_on_a_curve_not_a_band_and_thresholds_are_labelled(psa):
    ax = plot_ceac(psa, np.linspace(0, 50_000, 101))
    frontier = _lines(ax)["Frontier (CEAF)"]
    assert frontier.get_linestyle() == "None" and frontier.get_marker() == "o"  # rings only, no broad line
    assert frontier.get_markerfacecolor() == "none"
    assert 10 <= len(range(0, 101, frontier.get_markevery())) <= 20  # enough rings to follow it, few enough to see the curve
    verticals = [line for line in ax.get_lines() if line.get_label().startswith("_threshold")]
    assert [line.get_xdata()[0] for line in verticals] == [20_000, 30_000]  # NICE's range, by default for QALYs
    assert [t.get_text() for t in ax.texts] == ["$20,000 per QALY", "$30,000 per QALY"]
    ax = plot_ceac(psa, WTP, thresholds=[25_000, 90_000])  # a threshold beyond the grid is not drawn
    assert [t.get_text() for t in ax.texts] == ["$25,000 per QALY"]
    assert not plot_ceac(psa, WTP, thresholds=()).texts
    life_years = make_outcomes({"cost": psa["cost"].values, "ly": psa["qaly"].values}, strategies=NAMES, effect="ly",
                               effect_unit="life-year")
    assert not plot_ceac(life_years, WTP).texts  # no default threshold for an effect other than QALYs
    with pytest.raises(AnalysisError, match="thresholds"):
        plot_ceac(psa, WTP, thresholds=[np.nan])


@pytest.mark.parametrize("threshold", [5_000, 20_000, 30_000, 45_000])
def test_a_threshold_label_sits_between_the_curves_it_crosses(psa, threshold):
    """Each label is centred in the widest gap between the curves where they cross its line, so
    its box covers none of them (the old place, the top of the axes, sat on the rising curve)."""
    ax = plot_ceac(psa, WTP, thresholds=[threshold])
    fig = ax.figure
    fig.canvas.draw()
    (label,) = ax.texts
    box = label.get_window_extent(fig.canvas.get_renderer()).transformed(ax.transData.inverted())
    for line in ax.get_lines():
        if line.get_label().startswith("_threshold"):
            continue
        at = np.interp(threshold, line.get_xdata(), line.get_ydata())
        assert not box.y0 < at < box.y1, (line.get_label(), at, box)
    plt.close(fig)


def test_ce_plane_legend_shows_the_ellipse_and_each_threshold_line_is_labelled(psa):
    ax = plot_ce_plane(psa, "usual", wtp=[20_000, 30_000], ellipse=0.95)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["A", "B", "C", "Mean", "95% confidence ellipse", "$20,000 per QALY", "$30,000 per QALY"]
    on_lines = {t.get_text(): t for t in ax.texts}
    assert set(on_lines) == {"$20,000 per QALY", "$30,000 per QALY"}
    for lam, text in ((20_000, on_lines["$20,000 per QALY"]), (30_000, on_lines["$30,000 per QALY"])):
        x, y = text.get_position()
        assert y == pytest.approx(lam * x)  # the label sits on its own line
    ax = plot_ce_plane(psa, "usual")
    assert "95% confidence ellipse" not in [t.get_text() for t in ax.get_legend().get_texts()] and not ax.texts
