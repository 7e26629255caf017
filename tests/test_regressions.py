"""Regressions found by the first-user walk-through (fresh clone, README, own models), through the top-level API."""

import numpy as np
import pytest

import healthecon as he


def _hybrid_tree():
    disease = he.MarkovModel(
        states=["well", "dead"], strategies=["usual"],
        transitions=lambda p, s: {"well": {"well": he.C, "dead": 0.1}, "dead": {"dead": 1}},
        start="well", n_cycles=5,
        state_rewards={"qaly": {"well": 1}, "cost_care": {"well": 100}},
    )
    leaf = he.Terminal(markov=he.MarkovLeaf(disease))
    return he.DecisionTree(he.Decision({
        "test": he.Chance([("positive", 0.3, he.Terminal(cost_treat=50, markov=leaf.markov)),
                           ("negative", he.C, leaf)], cost_test=10)}))


def test_pathways_of_a_hybrid_tree_have_each_column_once():
    table = _hybrid_tree().pathways(he.Parameters(x=1.0).base_case())
    assert table.columns.is_unique, list(table.columns)
    assert "cost_undiscounted" in table.columns


def test_plot_tree_draws_a_tree_with_markov_leaves():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    ax = he.plot_tree(_hybrid_tree(), he.Parameters(x=1.0).base_case())
    assert ax.texts
    matplotlib.pyplot.close(ax.figure)
