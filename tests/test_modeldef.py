"""The definition layer Markov models and decision trees share (healthecon.modeldef), and its
rules for definitions: booleans, utilities, terminal payoffs, cycles, the parameter view."""

import re
import warnings

import numpy as np
import pytest
import xarray as xr

from healthecon import markov, tree
from healthecon.errors import ModelDefinitionError, TreeError, UnknownNameError
from healthecon.markov import MarkovModel
from healthecon.modeldef import C, ParameterView, complement, is_complement
from healthecon.tree import Chance, Decision, DecisionTree, Terminal


def two_state(qaly=None, transitions=None, **kwargs):
    return MarkovModel(
        ["alive", "dead"], ["usual"],
        transitions or {"alive": {"alive": C, "dead": 0.1}, "dead": {"dead": 1}},
        start="alive", n_cycles=3, state_rewards={"qaly": qaly or {"alive": 0.8}}, **kwargs)


def test_one_complement_marker_for_both_model_kinds():
    assert markov.C is tree.C is C
    assert is_complement(C) and is_complement("#") and not is_complement("C")


def test_complement_error_has_one_wording_in_markov_and_trees():
    with pytest.raises(ModelDefinitionError) as in_markov:
        MarkovModel(["well", "sick", "dead"], ["usual"],
                    {"well": {"well": C, "sick": "p", "dead": 0.6}, "sick": {"sick": 1}, "dead": {"dead": 1}},
                    start="well", n_cycles=2).run({"p": np.array([0.1, 0.5])})
    with pytest.raises(TreeError) as in_tree:
        DecisionTree(Decision({"a": Chance([("x", "p", Terminal(cost=1)), ("y", 0.6, Terminal(cost=0)), ("z", C, Terminal(cost=0))])})).run(
            xr.Dataset({"p": ("sample", [0.1, 0.5])}))
    pattern = r": the complement is negative \(-0\.1 in sample 1\): the other .* sum to 1\.1 in sample 1, more than 1 \(tolerance 1e-09\)$"
    for err in (in_markov.value, in_tree.value):
        assert re.search(pattern, str(err)), str(err)


def test_complement_within_tolerance_is_zero_and_scalars_stay_scalars():
    assert complement(np.array([1.0 + 1e-12]), "x", "branches")[0] == 0.0
    assert isinstance(complement(0.25, "x", "states"), float)


def test_parameter_view_reads_by_key_and_attribute():
    p = ParameterView(xr.Dataset({"p_sick": ("sample", [0.1, 0.2])}))
    assert p["p_sick"] is p.p_sick
    assert p.n == 2 and "p_sick" in p and p.get("nope", 3) == 3
    with pytest.raises(UnknownNameError, match="unknown parameter 'p_sik'; expected one of: 'p_sick'"):
        _ = p.p_sik


def test_markov_functions_may_read_parameters_as_attributes():
    by_key = two_state(transitions=lambda p, s: {"alive": {"alive": C, "dead": p["p_die"]}, "dead": {"dead": 1}})
    by_attribute = two_state(transitions=lambda p, s: {"alive": {"alive": C, "dead": p.p_die}, "dead": {"dead": 1}})
    draws = {"p_die": np.array([0.1, 0.3])}
    np.testing.assert_array_equal(by_key.run(draws)["qaly"].values, by_attribute.run(draws)["qaly"].values)
    with pytest.raises(UnknownNameError, match=r"transitions, strategy 'usual', cycle 1: the function reads p\['p_dead'\]"):
        two_state(transitions=lambda p, s: {"alive": {"alive": C, "dead": p.p_dead}, "dead": {"dead": 1}}).run(draws)


def test_tree_callables_may_read_parameters_by_key():
    draws = xr.Dataset({"c": ("sample", [10.0, 20.0])})
    by_key = DecisionTree(Decision({"a": Terminal(cost=lambda p: p["c"] * 2)})).run(draws)
    np.testing.assert_allclose(by_key["cost"].values[:, 0], [20.0, 40.0])
    with pytest.raises(UnknownNameError, match=r"node 'a', cost: unknown parameter 'cc'"):
        DecisionTree(Decision({"a": Terminal(cost=lambda p: p["cc"])})).run(draws)


# --------------------------------------------------------------------------- booleans


def test_markov_refuses_a_boolean_probability_naming_where():
    with pytest.raises(ModelDefinitionError, match=r"transitions, from 'alive' to 'dead': expected a number, got the boolean True"):
        two_state(transitions={"alive": {"alive": C, "dead": True}, "dead": {"dead": 1}})
    model = two_state(transitions=lambda p, s: {"alive": {"alive": C, "dead": p["age"] > 60}, "dead": {"dead": 1}})
    with pytest.raises(ModelDefinitionError, match=r"strategy 'usual', cycle 1, from 'alive' to 'dead': expected a number, got the boolean array"):
        model.run({"age": np.array([50.0, 70.0])})


def test_trees_refuse_a_boolean_probability_from_a_callable():
    root = Decision({"a": Chance([("x", lambda p: p["age"] > 60, Terminal(cost=1)), ("y", C, Terminal(cost=0))])})
    with pytest.raises(TreeError, match=r"node 'a > x', probability: expected a number, got the boolean array"):
        DecisionTree(root).run(xr.Dataset({"age": ("sample", [50.0, 70.0])}))


# --------------------------------------------------------------------------- utilities


def test_a_utility_above_one_is_an_error():
    with pytest.raises(ModelDefinitionError, match=r"state reward 'qaly', strategy 'usual', cycle 1, state 'alive': a utility above 1 \(full health\), got 1\.5"):
        two_state(qaly={"alive": 1.5}).run({})
    with pytest.raises(ModelDefinitionError, match=r"a utility above 1 .*got 1\.2 in sample 1"):
        two_state(qaly={"alive": "u"}).run({"u": np.array([0.9, 1.2])})


def test_a_utility_below_zero_runs_with_a_warning():
    with pytest.warns(UserWarning, match=r"state 'alive': a utility below 0 \(worse than death\), -0\.2"):
        out = two_state(qaly={"alive": -0.2}).run({})
    assert float(out["qaly"].values[0, 0]) < 0


def test_utilities_in_range_give_no_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        two_state(qaly={"alive": 1.0, "dead": 0.0}).run({})


# --------------------------------------------------------------------------- tree structure


def test_a_terminal_without_payoff_is_an_error_unless_stated_zero():
    with pytest.raises(TreeError, match=r"node 'a > y': terminal node has no payoff"):
        DecisionTree(Decision({"a": Chance([("x", 0.5, Terminal(cost=100)), ("y", C, Terminal())])}))
    stated = DecisionTree(Decision({"a": Chance([("x", 0.5, Terminal(cost=100)), ("y", C, Terminal(cost=0, qaly=0))])}))
    assert stated.run(xr.Dataset(coords={"sample": [0]}))["cost"].values.tolist() == [[50.0]]


def test_a_chance_node_inside_its_own_subtree_is_a_tree_error():
    loop = Chance([("again", 0.5, Terminal(cost=1)), ("stop", C, Terminal(cost=0))], name="loop")
    loop.branches = loop.branches + (tree.Branch("back", 0.0, loop),)
    with pytest.raises(TreeError, match=r"node 'a > back': this chance node is placed inside its own subtree \(a cycle\)"):
        DecisionTree(Decision({"a": loop}))


def test_a_shared_subtree_is_not_a_cycle():
    shared = Terminal("admitted", cost=2500)
    root = Decision({"a": Chance([("x", 0.1, shared), ("y", C, Terminal(cost=0))]),
                     "b": Chance([("x", 0.2, shared), ("y", C, Terminal(cost=0))])})
    out = DecisionTree(root).run(xr.Dataset(coords={"sample": [0]}))
    np.testing.assert_allclose(out["cost"].values, [[250.0, 500.0]])
