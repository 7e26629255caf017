"""The waterfall chart of money models (regression found by the first-user walk-through, moved from
test_regressions.py)."""

import pytest

import healthecon as he


def test_waterfall_leaves_room_for_the_label_of_the_tallest_bar():
    # a zero step ending at the top (no benefit haircut) used to pin the y-axis to the tallest bar,
    # so its value label sat outside the axes, on the title
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import pandas as pd

    ax = he.plot_waterfall(pd.Series({"gross benefits": 3_900_000.0, "optimism bias (benefits)": 0.0,
                                      "costs": -1_800_000.0}))
    low, high = ax.get_ylim()
    assert low == 0.0
    assert high >= 3_900_000.0 * 1.05
    matplotlib.pyplot.close(ax.figure)
