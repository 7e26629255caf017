"""Decision trees: hand-worked and published roll-backs, invariants, and validation errors."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st

from healthecon.errors import ShapeError, TreeError, UnknownNameError
from healthecon.markov import C as MC
from healthecon.markov import MarkovModel
from healthecon.outcomes import strategies as outcome_strategies
from healthecon.tree import TOLERANCE, C, Chance, Decision, DecisionTree, MarkovLeaf, Terminal


def make_draws(n: int = 1, **values: object) -> xr.Dataset:
    return xr.Dataset(
        {name: ("sample", np.broadcast_to(np.asarray(v, dtype=float), (n,)).copy()) for name, v in values.items()},
        coords={"sample": np.arange(n)},
    )


# --------------------------------------------------------------------------- hand-worked
def three_branch_tree() -> DecisionTree:
    return DecisionTree(Decision({
        "new": Chance([
            ("mild", "p_mild", Terminal("mild", cost=100, qaly=0.9)),
            ("moderate", 0.3, Terminal("moderate", cost="c_mod", qaly=0.7)),
            ("severe", C, Terminal("severe", cost=lambda p: 4 * p.c_mod, qaly=0.4)),
        ], cost_drug="c_drug"),
        "usual": Chance([
            ("mild", 0.2, Terminal(cost=100, qaly=0.9)),
            ("moderate", 0.3, Terminal(cost="c_mod", qaly=0.7)),
            ("severe", "#", Terminal(cost=lambda p: 4 * p.c_mod, qaly=0.4)),
        ]),
    }, name="Treatment"))


def test_three_branch_tree_by_hand():
    draws = make_draws(2, p_mild=[0.5, 0.6], c_mod=[500.0, 400.0], c_drug=50.0)
    out = three_branch_tree().run(draws)
    assert outcome_strategies(out) == ["new", "usual"]
    # new, sample 0: drug 50 + 0.5*100 + 0.3*500 + 0.2*2000 = 650
    #   qaly 0.5*0.9 + 0.3*0.7 + 0.2*0.4 = 0.74
    # new, sample 1: severe has 1 - 0.6 - 0.3 = 0.1: 50 + 60 + 120 + 0.1*1600 = 390
    #   qaly 0.54 + 0.21 + 0.04 = 0.79
    # usual, sample 0: 0.2*100 + 0.3*500 + 0.5*2000 = 1170; qaly 0.18 + 0.21 + 0.2 = 0.59
    # usual, sample 1: 20 + 120 + 0.5*1600 = 940
    np.testing.assert_allclose(out["cost"].values, [[650, 1170], [390, 940]])
    np.testing.assert_allclose(out["cost_drug"].values, [[50, 0], [50, 0]])
    np.testing.assert_allclose(out["qaly"].values, [[0.74, 0.59], [0.79, 0.59]])
    assert out.attrs["effect"] == "qaly" and out["cost_drug"].attrs["kind"] == "cost"
    assert out["qaly"].attrs["kind"] == "effect"


def test_pathways_by_hand():
    draws = make_draws(2, p_mild=[0.5, 0.6], c_mod=[500.0, 400.0], c_drug=50.0)
    table = three_branch_tree().pathways(draws)
    assert list(table.columns) == ["strategy", "path", "terminal", "probability", "cost", "weighted_cost", "cost_drug",
                                   "weighted_cost_drug", "qaly", "weighted_qaly"]
    new = table[table.strategy == "new"].set_index("path")
    assert list(new.index) == ["new > mild", "new > moderate", "new > severe"]
    np.testing.assert_allclose(new["probability"], [0.55, 0.3, 0.15])
    # severe pathway: drug 50 + 4 * c_mod, mean over samples (2050 + 1650) / 2
    assert new.loc["new > severe", "cost"] == pytest.approx(1850.0)
    assert new.loc["new > severe", "terminal"] == "severe"
    assert table.groupby("strategy").probability.sum().tolist() == pytest.approx([1.0, 1.0])
    # weighted: mean over samples of P x payoff, (0.2 x 2050 + 0.1 x 1650) / 2, not 0.15 x 1850
    assert new.loc["new > severe", "weighted_cost"] == pytest.approx(287.5)
    # and the weighted columns of a strategy sum to its expected value: 650 and 390 on average
    out = three_branch_tree().run(draws).mean("sample")
    sums = table.groupby("strategy")[["weighted_cost", "weighted_qaly"]].sum()
    assert sums.loc["new", "weighted_cost"] == pytest.approx(520.0)
    for strategy in ("new", "usual"):
        assert sums.loc[strategy, "weighted_cost"] == pytest.approx(out["cost"].sel(strategy=strategy).item(), rel=1e-12)
        assert sums.loc[strategy, "weighted_qaly"] == pytest.approx(out["qaly"].sel(strategy=strategy).item(), rel=1e-12)


def test_rewards_accumulate_along_the_path_and_at_the_root():
    tree = DecisionTree(Decision({
        "a": Chance([("x", 1.0, Chance([("y", 1.0, Terminal(cost=1))], cost=10))], cost=100),
    }, cost=1000, ly=2))
    out = tree.run(make_draws())
    assert out["cost"].item() == pytest.approx(1111.0, rel=1e-12)
    assert out["ly"].item() == pytest.approx(2.0, rel=1e-12)
    assert out.attrs["effect"] == "ly"


def test_node_values_are_conditional_roll_back_values():
    tree = DecisionTree(Decision({"a": Chance([
        ("x", 0.25, Chance([("y", 0.5, Terminal(cost=100)), ("z", C, Terminal(cost=300))], cost=10)),
        ("w", C, Terminal(cost=0)),
    ])}))
    nodes = tree.node_values(make_draws()).set_index("path")
    assert nodes.loc["a > x", "cost"] == pytest.approx(210.0)  # 10 + 0.5*100 + 0.5*300
    assert nodes.loc["a > x", "reach"] == pytest.approx(0.25)
    assert nodes.loc["a", "cost"] == pytest.approx(0.25 * 210.0)
    assert nodes.loc["a > x > z", "cost"] == pytest.approx(310.0)
    assert nodes.loc["a > x > z", "probability"] == pytest.approx(0.5)
    assert list(nodes["kind"]) == ["chance", "chance", "terminal", "terminal", "terminal"]


def test_strategies_argument_selects_and_orders():
    draws = make_draws(2, p_mild=[0.5, 0.6], c_mod=[500.0, 400.0], c_drug=50.0)
    tree = three_branch_tree()
    out = tree.run(draws, strategies=["usual", "new"])
    assert outcome_strategies(out) == ["usual", "new"]
    with pytest.raises(UnknownNameError, match="unknown strategy 'old'.*'new', 'usual'"):
        tree.run(draws, strategies=["old"])


def gas_tree() -> DecisionTree:
    """Kamiński, Jakubczyk & Szufel, Central European Journal of Operations Research 2018;26:135,
    fig. 7: sell the field, dig, or test first.

    The worked example of later decisions in rdecision's tests ("rdecision replicates
    Kaminski et al, fig 7"): P(gas) 0.7, test sensitivity 0.9, specificity 0.7.
    """
    p_gas, sens, spec = 0.7, 0.9, 0.7
    p_pos = sens * p_gas + (1 - spec) * (1 - p_gas)

    def dig(p):
        return Chance([("gas", p, Terminal(benefit=2500)), ("no gas", C, Terminal(cost=0))], cost=300)

    def choice(sell_for, p):
        return Decision({"sell": Terminal(benefit=sell_for), "dig": dig(p)})

    return DecisionTree(Decision({
        "sell": Terminal(benefit=800),
        "dig": dig(p_gas),
        "test": Chance([("negative", C, choice(600, (1 - sens) * p_gas / (1 - p_pos))),
                        ("positive", p_pos, choice(1000, sens * p_gas / p_pos))], cost=50),
    }), effect="benefit")


def test_later_decisions_multiply_the_strategies():
    tree = gas_tree()
    assert tree.strategies == (
        "sell", "dig",
        "test (negative: sell, positive: sell)", "test (negative: sell, positive: dig)",
        "test (negative: dig, positive: sell)", "test (negative: dig, positive: dig)",
    )
    out = tree.run(ONE)
    net = (out["benefit"] - out["cost"]).isel(sample=0).to_series()
    # rdecision's checks: test/sell/sell costs 50 and returns 888; the best is test, sell if
    # negative, dig if positive: -50 + 0.28 * 600 + 0.72 * (-300 + 0.875 * 2500) = 1477.
    assert out["cost"].sel(strategy="test (negative: sell, positive: sell)").item() == pytest.approx(50)
    assert out["benefit"].sel(strategy="test (negative: sell, positive: sell)").item() == pytest.approx(888)
    assert net.idxmax() == "test (negative: sell, positive: dig)"
    assert net.max() == pytest.approx(1477)
    assert out["benefit"].attrs["kind"] == "benefit"
    paths = tree.pathways(ONE, strategies=["test (negative: dig, positive: sell)"])
    assert list(paths.path) == ["test > negative > dig > gas", "test > negative > dig > no gas", "test > positive > sell"]
    assert paths.probability.sum() == pytest.approx(1.0)


def test_later_decisions_named_by_their_name_or_full_path():
    later = Decision({"treat": Terminal(cost=100), "wait": Terminal(cost=0)}, name="after a positive test")
    tree = DecisionTree(Decision({"test": Chance([("positive", 0.1, later), ("negative", C, Terminal(cost=0))])}))
    assert tree.strategies == ("test (after a positive test: treat)", "test (after a positive test: wait)")
    twice = Decision({"x": Terminal(cost=0), "y": Terminal(cost=0)})
    tree = DecisionTree(Decision({"a": Chance([("b", 0.5, Chance([("c", 1.0, twice)])), ("d", C, Chance([("c", 1.0, twice)]))])}))
    assert tree.strategies[0] == "a (b > c: x, d > c: x)"


def test_callables_get_a_parameter_namespace():
    seen = {}

    def cost(p):
        seen["n"] = p.n
        return p["c"] * 2

    tree = DecisionTree(Decision({"a": Terminal(cost=cost)}))
    out = tree.run(make_draws(3, c=[1.0, 2.0, 3.0]))
    np.testing.assert_allclose(out["cost"].values[:, 0], [2, 4, 6])
    assert seen["n"] == 3


# --------------------------------------------------------------------------- published
def migraine_tree() -> DecisionTree:
    """Evans et al. (1997), as worked in Briggs, Claxton & Sculpher (2006), ch. 2.

    Sumatriptan versus caffeine/ergotamine for a migraine attack (Canadian dollars,
    utilities per attack). Inputs as in rdecision's vignette DT01 "Elementary decision
    tree (Evans 1997)", which reproduces the same published figures.
    """

    def arm(drug: str, p_relief: float, p_recur: float) -> Chance:
        relief = Chance([("no recurrence", 1 - p_recur, Terminal("A", utility=1.0)),
                         ("recurrence relieved with 2nd dose", C, Terminal("B", utility=0.9, cost=drug))])
        er = Chance([("relief", 0.998, Terminal("D", utility=0.1)),
                     ("hospitalisation", C, Terminal("E", utility=-0.3, cost="c_admission"))], cost="c_ed")
        no_relief = Chance([("endures attack", 0.920, Terminal("C", utility=-0.3)), ("emergency department", C, er)])
        return Chance([("relief", p_relief, relief), ("no relief", C, no_relief)], cost=drug)

    return DecisionTree(Decision({
        "sumatriptan": arm("c_sumatriptan", 0.558, 0.406),
        "caffeine/ergotamine": arm("c_caffeine", 0.379, 0.297),
    }, name="migraine attack"), effect="utility", currency="C$", effect_unit="QALY")


def test_reproduces_evans_1997_migraine_tree():
    draws = make_draws(c_sumatriptan=16.10, c_caffeine=1.32, c_ed=63.16, c_admission=1093.0)
    out = migraine_tree().run(draws)
    # Published: expected cost C$22.06 vs C$4.71; expected utility 0.42 vs 0.20 per attack.
    np.testing.assert_allclose(out["cost"].values[0], [22.06, 4.71], atol=0.005)
    np.testing.assert_allclose(out["utility"].values[0], [0.42, 0.20], atol=0.005)
    assert len(migraine_tree().pathways(draws)) == 10


# --------------------------------------------------------------------------- properties
# A subtree spec is ("T", cost, qaly) or ("C", cost, complement?, [(weight, spec), ...]).
payoff = st.floats(-1000, 1000, allow_nan=False).map(lambda x: round(x, 2))
terminal_spec = st.tuples(st.just("T"), payoff, st.floats(0, 1))


def _extend(children):
    return st.tuples(st.just("C"), payoff, st.booleans(),
                     st.lists(st.tuples(st.floats(0.01, 1.0), children), min_size=1, max_size=3))


subtree_spec = st.recursive(terminal_spec, _extend, max_leaves=8)
tree_spec = st.lists(subtree_spec, min_size=1, max_size=3)


def build(spec, scale: float = 1.0, path: tuple[str, ...] = ()):
    if spec[0] == "T":
        return Terminal(cost=spec[1] * scale, qaly=spec[2])
    _, cost, complement, children = spec
    total = sum(w for w, _ in children)
    branches = []
    for i, (w, child) in enumerate(children):
        p = C if complement and i == len(children) - 1 else w / total
        branches.append((f"b{i}", p, build(child, scale)))
    return Chance(branches, cost=cost * scale)


def build_tree(specs, scale: float = 1.0) -> DecisionTree:
    return DecisionTree(Decision({f"s{i}": build(s, scale) for i, s in enumerate(specs)}))


ONE = make_draws()


@given(tree_spec)
def test_expected_value_lies_between_smallest_and_largest_pathway(specs):
    tree = build_tree(specs)
    out = tree.run(ONE)
    paths = tree.pathways(ONE)
    for strategy, group in paths.groupby("strategy"):
        for var in ("cost", "qaly"):
            value = out[var].sel(strategy=strategy).item()
            assert group[var].min() - 1e-9 <= value <= group[var].max() + 1e-9


@given(tree_spec)
def test_pathway_probabilities_sum_to_one(specs):
    paths = build_tree(specs).pathways(ONE)
    for total in paths.groupby("strategy").probability.sum():
        assert total == pytest.approx(1.0, abs=1e-12)
    assert (paths.probability >= -TOLERANCE).all()


@given(tree_spec, st.floats(-10, 10, allow_nan=False))
def test_scaling_costs_scales_expected_costs(specs, k):
    base = build_tree(specs).run(ONE)
    scaled = build_tree(specs, scale=k).run(ONE)
    np.testing.assert_allclose(scaled["cost"].values, k * base["cost"].values, rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(scaled["qaly"].values, base["qaly"].values)


@given(tree_spec)
def test_complement_makes_every_chance_node_sum_to_one(specs):
    tree = build_tree([("C", 0.0, True, s[3]) if s[0] == "C" else s for s in specs])
    nodes = tree.node_values(ONE)
    nodes["parent"] = nodes.path.str.rsplit(" > ", n=1).str[0]
    children = nodes[nodes.depth > 1]
    for total in children.groupby("parent").probability.sum():
        assert total == pytest.approx(1.0, abs=1e-12)


@given(tree_spec, st.data())
def test_one_strategy_does_not_depend_on_the_others(specs, data):
    tree = build_tree(specs)
    full = tree.run(ONE)
    name = data.draw(st.sampled_from(tree.strategies))
    others = data.draw(st.lists(st.sampled_from(tree.strategies), unique=True))
    chosen = list(dict.fromkeys(others + [name]))
    alone = tree.run(ONE, strategies=[name])
    mixed = tree.run(ONE, strategies=chosen)
    for var in ("cost", "qaly"):
        assert alone[var].sel(strategy=name).item() == full[var].sel(strategy=name).item()
        assert mixed[var].sel(strategy=name).item() == full[var].sel(strategy=name).item()


@settings(max_examples=25)
@given(st.lists(st.floats(0.0, 1.0), min_size=2, max_size=6))
def test_vectorised_rollback_matches_each_sample_alone(p):
    tree = DecisionTree(Decision({"a": Chance([
        ("x", "p", Chance([("y", "p", Terminal(cost="c")), ("z", C, Terminal(cost=1.0))])),
        ("w", C, Terminal(cost=lambda q: q.c * 2)),
    ])}))
    c = np.linspace(10, 20, len(p))
    together = tree.run(make_draws(len(p), p=p, c=c))["cost"].values[:, 0]
    alone = [tree.run(make_draws(1, p=pi, c=ci))["cost"].item() for pi, ci in zip(p, c)]
    np.testing.assert_allclose(together, alone)


# --------------------------------------------------------------------------- validation
FAULTS = ("sum", "range", "nan", "two complements", "negative complement", "unknown parameter", "duplicate label")


def _inject(spec, fault: str):
    """Replace a chance node's branches so that it has ``fault``; its branches become x, y."""
    _, cost, _, children = spec
    child = build(children[0][1])
    bad = {
        "sum": [("x", 0.5, child), ("y", 0.4, Terminal(cost=0))],
        "range": [("x", 1.5, child), ("y", C, Terminal(cost=0))],
        "nan": [("x", float("nan"), child), ("y", C, Terminal(cost=0))],
        "two complements": [("x", C, child), ("y", "#", Terminal(cost=0))],
        "negative complement": [("x", 0.7, child), ("y", 0.6, Terminal(cost=0)), ("z", C, Terminal(cost=0))],
        "unknown parameter": [("x", "p_typo", child), ("y", C, Terminal(cost=0))],
        "duplicate label": [("x", 0.5, child), ("x", C, Terminal(cost=0))],
    }[fault]
    return Chance(bad, cost=cost)


def _chance_paths(spec, path):
    if spec[0] == "C":
        yield path, spec
        for i, (_, child) in enumerate(spec[3]):
            yield from _chance_paths(child, path + (f"b{i}",))


@given(tree_spec.filter(lambda s: any(x[0] == "C" for x in s)), st.sampled_from(FAULTS), st.data())
def test_every_validation_error_names_the_node(specs, fault, data):
    candidates = [cp for i, s in enumerate(specs) for cp in _chance_paths(s, (f"s{i}",))]
    path, target = data.draw(st.sampled_from(candidates))

    def rebuild(spec, here):
        if here == path:
            return _inject(spec, fault)
        if spec[0] == "T":
            return build(spec)
        total = sum(w for w, _ in spec[3])
        return Chance([(f"b{i}", w / total, rebuild(c, here + (f"b{i}",))) for i, (w, c) in enumerate(spec[3])],
                      cost=spec[1])

    with pytest.raises((TreeError, UnknownNameError)) as info:
        DecisionTree(Decision({f"s{i}": rebuild(s, (f"s{i}",)) for i, s in enumerate(specs)})).run(ONE)
    message = str(info.value)
    assert " > ".join(path) in message


def test_sum_error_gives_tolerance_first_bad_sample_and_sum():
    tree = DecisionTree(Decision({"a": Chance([("x", "p", Terminal(cost=0)), ("y", 0.5, Terminal(cost=0))])}))
    with pytest.raises(TreeError, match=r"node 'a': branch probabilities sum to 1\.1 in sample 2, expected 1 "
                                        r"\(tolerance 1e-09\)"):
        tree.run(make_draws(4, p=[0.5, 0.5, 0.6, 0.7]))
    tree.run(make_draws(1, p=0.5 + TOLERANCE / 2))  # within tolerance


def test_probability_errors_name_branch_and_sample():
    tree = DecisionTree(Decision({"a": Chance([("x", "p", Terminal(cost=0)), ("y", C, Terminal(cost=0))])}))
    with pytest.raises(TreeError, match=r"node 'a > x', probability: expected a probability in \[0, 1\], got -0\.1 in sample 1"):
        tree.run(make_draws(2, p=[0.5, -0.1]))
    with pytest.raises(TreeError, match=r"node 'a > x', probability: expected finite numbers, got nan at index 0"):
        tree.run(make_draws(1, p=np.nan))


def test_negative_complement_is_reported_with_the_sum():
    tree = DecisionTree(Decision({"a": Chance([("x", "p", Terminal(cost=0)), ("y", 0.5, Terminal(cost=0)), ("z", C, Terminal(cost=0))])}))
    with pytest.raises(TreeError, match=r"node 'a': the complement is negative \(-0\.2 in sample 0\): the other branches sum to 1\.2 in sample 0"):
        tree.run(make_draws(1, p=0.7))


def test_unknown_parameter_names_node_and_lists_known():
    tree = DecisionTree(Decision({"a": Chance([("x", 0.5, Terminal(cost="c_tpyo")), ("y", C, Terminal(cost=0))])}))
    assert tree.parameters == ("c_tpyo",)
    with pytest.raises(UnknownNameError, match=r"node 'a > x', cost: unknown parameter 'c_tpyo'; expected one of: 'c_typo'"):
        tree.run(make_draws(c_typo=1.0))
    lazy = DecisionTree(Decision({"a": Terminal(cost=lambda p: p.c_tpyo)}))
    with pytest.raises(UnknownNameError, match=r"node 'a', cost: unknown parameter 'c_tpyo'"):
        lazy.run(make_draws(c_typo=1.0))


def test_structural_errors_name_the_node():
    with pytest.raises(TreeError, match=r"node 'a > x': chance node has no branches"):
        DecisionTree(Decision({"a": Chance([("x", 1.0, Chance([]))])}))
    with pytest.raises(TreeError, match=r"node 'a > x': choice 'b' is used by more than one branch"):
        DecisionTree(Decision({"a": Chance([("x", 1.0, Decision([("b", Terminal(cost=0)), ("b", Terminal(cost=0))]))])}))
    with pytest.raises(TreeError, match=r"node 'a': more than one complement"):
        DecisionTree(Decision({"a": Chance([("x", C, Terminal(cost=0)), ("y", C, Terminal(cost=0))])}))
    with pytest.raises(TreeError, match=r"node 'decision': strategy 'a' is used by more than one branch"):
        DecisionTree(Decision([("a", Terminal(cost=0)), ("a", Terminal(cost=0))]))
    with pytest.raises(TreeError, match=r"node 'a > x': reward 'cost_undiscounted': the suffix '_undiscounted' is reserved"):
        DecisionTree(Decision({"a": Chance([("x", 1.0, Terminal(cost_undiscounted=1))])}))
    with pytest.raises(TreeError, match=r"node 'a > x', probability: expected a number, a parameter name or a callable"):
        DecisionTree(Decision({"a": Chance([("x", [0.5], Terminal(cost=0))])}))
    with pytest.raises(TreeError, match=r"chance node 'response': branch 0 must be a tuple \(label, probability, subtree\)"):
        Chance([("x", Terminal(cost=0))], name="response")
    with pytest.raises(TreeError, match=r"node 'a': branch labels must be non-empty strings without ' > ', got 'x > y'"):
        DecisionTree(Decision({"a": Chance([("x > y", 1.0, Terminal(cost=0))])}))
    with pytest.raises(TreeError, match=r"node 'a', cost: expected a number, got the boolean True"):
        DecisionTree(Decision({"a": Terminal(cost=True)}))
    with pytest.raises(TreeError, match="root of a decision tree must be a Decision"):
        DecisionTree(Chance([("x", 1.0, Terminal(cost=0))]))


def test_callable_with_wrong_shape_names_the_node():
    tree = DecisionTree(Decision({"a": Terminal(cost=lambda p: np.ones(5))}))
    with pytest.raises(ShapeError, match=r"node 'a', cost: expected a number or an array of shape \(3,\), got shape \(5,\)"):
        tree.run(make_draws(3, c=1.0))


def test_shared_subtrees_are_evaluated_per_position():
    common = Chance([("ok", 0.9, Terminal(cost=0)), ("bad", C, Terminal(cost=1000))])
    tree = DecisionTree(Decision({"a": common, "b": Chance([("x", 0.5, common), ("y", C, Terminal(cost=10))])}))
    out = tree.run(ONE)
    assert out["cost"].values[0].tolist() == pytest.approx([100.0, 55.0])
    assert math.isclose(tree.pathways(ONE).probability.sum(), 2.0)


# --------------------------------------------------------------------------- hybrid


def progression_model(discount_costs=0.035, discount_effects=0.035, **options) -> MarkovModel:
    """Two states, well -> sick (absorbing), two annual cycles, rewards at cycle ends, 3.5%."""
    return MarkovModel(
        ["well", "sick"], ["standard", "enhanced"],
        transitions=lambda p, s: {"well": {"well": MC, "sick": p["p_prog"] * (0.5 if s == "enhanced" else 1)},
                                  "sick": {"sick": 1}},
        start={"well": 1}, n_cycles=2, correction="end", discount_costs=discount_costs,
        discount_effects=discount_effects, state_rewards={"cost_care": {"sick": 1000}, "qaly": {"well": 0.9, "sick": 0.5}},
        **options,
    )


def hybrid_tree(model) -> DecisionTree:
    return DecisionTree(Decision({
        "drug": Chance([
            ("responds", "p_resp", Terminal("responder", markov=MarkovLeaf(model, start="well"))),
            ("adverse event", 0.1, Terminal("adverse event", cost=200, qaly=0.1)),
            ("no response", C, Terminal("non-responder", markov=MarkovLeaf(model, start="sick"))),
        ], cost_drug=500),
        "no drug": Chance([
            ("responds", 0.3, Terminal(markov=MarkovLeaf(model, start="well"))),
            ("no response", C, Terminal(markov=MarkovLeaf(model, start="sick"))),
        ]),
    }))


def test_hybrid_tree_by_hand():
    out = hybrid_tree(progression_model()).run(make_draws(p_resp=0.6, p_prog=0.2))
    d = 1 / 1.035
    # From "well" (p_prog 0.2): end of cycle 1 well 0.8, sick 0.2; cycle 2 well 0.64, sick 0.36.
    well_qaly = (0.8 * 0.9 + 0.2 * 0.5) * d + (0.64 * 0.9 + 0.36 * 0.5) * d**2  # 0.82, 0.756
    well_cost = 200 * d + 360 * d**2
    # From "sick": 0.5 QALY and £1,000 a year.
    sick_qaly, sick_cost = 0.5 * (d + d**2), 1000 * (d + d**2)
    drug_cost = 500 + 0.6 * well_cost + 0.1 * 200 + 0.3 * sick_cost
    drug_qaly = 0.6 * well_qaly + 0.1 * 0.1 + 0.3 * sick_qaly
    no_cost = 0.3 * well_cost + 0.7 * sick_cost
    no_qaly = 0.3 * well_qaly + 0.7 * sick_qaly
    np.testing.assert_allclose(out["cost"].values[0], [drug_cost, no_cost], rtol=1e-12)
    np.testing.assert_allclose(out["qaly"].values[0], [drug_qaly, no_qaly], rtol=1e-12)
    np.testing.assert_allclose(out["cost_drug"].values[0], [500, 0])
    np.testing.assert_allclose(out["cost_care"].values[0], [0.6 * well_cost + 0.3 * sick_cost, no_cost], rtol=1e-12)
    # Undiscounted: tree payoffs (time 0) plus the Markov phase's undiscounted totals.
    np.testing.assert_allclose(out["qaly_undiscounted"].values[0],
                               [0.6 * 1.576 + 0.1 * 0.1 + 0.3 * 1.0, 0.3 * 1.576 + 0.7 * 1.0], rtol=1e-12)
    np.testing.assert_allclose(out["cost_undiscounted"].values[0],
                               [500 + 0.6 * 560 + 0.1 * 200 + 0.3 * 2000, 0.3 * 560 + 0.7 * 2000], rtol=1e-12)
    assert out["cost_care"].attrs["kind"] == "cost" and out["qaly_undiscounted"].attrs["kind"] == "effect"
    paths = hybrid_tree(progression_model()).pathways(make_draws(p_resp=0.6, p_prog=0.2)).set_index("path")
    assert paths.loc["drug > responds", "qaly"] == pytest.approx(well_qaly)
    assert paths.loc["drug > adverse event", "qaly_undiscounted"] == pytest.approx(0.1)


class CountingModel:
    """Wraps a real Markov model and counts its runs."""

    def __init__(self, model):
        self.model, self.calls = model, []
        self.strategies, self.states = model.strategies, model.states

    def run(self, draws, *, strategies=None, start=None):
        self.calls.append((tuple(strategies), None if start is None else str(start)))
        return self.model.run(draws, strategies=strategies, start=start)


def test_markov_runs_shared_by_leaves_are_run_once():
    counting = CountingModel(progression_model())
    draws = make_draws(3, p_resp=[0.5, 0.6, 0.7], p_prog=[0.1, 0.2, 0.3])
    shared = hybrid_tree(counting).run(draws)
    assert len(counting.calls) == 2  # one per starting state, for four leaves
    separate = DecisionTree(Decision({
        "drug": Chance([
            ("responds", "p_resp", Terminal(markov=MarkovLeaf(progression_model(), start="well"))),
            ("adverse event", 0.1, Terminal(cost=200, qaly=0.1)),
            ("no response", C, Terminal(markov=MarkovLeaf(progression_model(), start="sick"))),
        ], cost_drug=500),
        "no drug": Chance([
            ("responds", 0.3, Terminal(markov=MarkovLeaf(progression_model(), start="well"))),
            ("no response", C, Terminal(markov=MarkovLeaf(progression_model(), start="sick"))),
        ]),
    })).run(draws)
    for var in separate.data_vars:
        np.testing.assert_allclose(shared[var].values, separate[var].values, rtol=1e-12)


def test_markov_leaf_strategy_and_parameterised_start():
    model = progression_model()
    draws = make_draws(4, p_cured=[0.0, 0.25, 0.5, 1.0], p_prog=[0.1, 0.2, 0.3, 0.4])
    mixed = DecisionTree(Decision({"a": Terminal(markov=MarkovLeaf(model, "enhanced", {"well": "p_cured", "sick": C}))}))
    out = mixed.run(draws)
    well = model.run(draws, strategies=["enhanced"], start={"well": 1}).sel(strategy="enhanced")
    sick = model.run(draws, strategies=["enhanced"], start={"sick": 1}).sel(strategy="enhanced")
    p = draws["p_cured"].values
    for var in ("cost", "qaly", "qaly_undiscounted"):  # a cohort is linear in its start
        np.testing.assert_allclose(out[var].values[:, 0], p * well[var].values + (1 - p) * sick[var].values, rtol=1e-12)


def test_hybrid_vectorised_over_samples_matches_each_sample():
    tree = hybrid_tree(progression_model())
    p_resp, p_prog = [0.5, 0.6, 0.7], [0.1, 0.2, 0.3]
    together = tree.run(make_draws(3, p_resp=p_resp, p_prog=p_prog))
    for i in range(3):
        alone = tree.run(make_draws(1, p_resp=p_resp[i], p_prog=p_prog[i]))
        np.testing.assert_allclose(together["cost"].values[i], alone["cost"].values[0], rtol=1e-12)


def test_markov_phase_after_a_delay_is_discounted_from_the_start():
    from healthecon.discount import GREEN_BOOK_HEALTH

    model = progression_model(discount_costs=0.035, discount_effects=0.015)
    draws = make_draws(2, p_prog=[0.2, 0.3])

    def run(delay):
        return DecisionTree(Decision({"a": Terminal(markov=MarkovLeaf(model, start="well", delay=delay))})).run(draws)

    now, later = run(0), run(1.5)
    np.testing.assert_allclose(later["cost"].values, now["cost"].values * 1.035**-1.5, rtol=1e-12)
    np.testing.assert_allclose(later["cost_care"].values, now["cost_care"].values * 1.035**-1.5, rtol=1e-12)
    np.testing.assert_allclose(later["qaly"].values, now["qaly"].values * 1.015**-1.5, rtol=1e-12)
    np.testing.assert_allclose(later["qaly_undiscounted"].values, now["qaly_undiscounted"].values)
    with pytest.raises(TreeError, match=r"node 'a': Markov delay: expected a number of years >= 0, got -1"):
        DecisionTree(Decision({"a": Terminal(markov=MarkovLeaf(model, delay=-1))}))
    schedule = progression_model(discount_effects=GREEN_BOOK_HEALTH)
    with pytest.raises(TreeError, match=r"node 'a': Markov delay needs the model's discount_effects to be a constant"):
        DecisionTree(Decision({"a": Terminal(markov=MarkovLeaf(schedule, delay=1))}))


def test_markov_leaf_errors_name_the_node():
    model = progression_model()
    with pytest.raises(UnknownNameError, match=r"node 'a': unknown Markov strategy 'nwe'; expected one of: 'standard'"):
        DecisionTree(Decision({"a": Terminal(markov=MarkovLeaf(model, "nwe"))}))
    with pytest.raises(UnknownNameError, match=r"node 'a > x', Markov start: unknown state 'wel'; expected one of: 'well', 'sick'"):
        DecisionTree(Decision({"a": Chance([("x", 1.0, Terminal(markov=MarkovLeaf(model, start="wel")))])}))
    tree = DecisionTree(Decision({"a": Terminal(markov=MarkovLeaf(model, start={"well": "p", "sick": 0.5}))}))
    with pytest.raises(TreeError, match=r"node 'a', Markov start: proportions sum to 1\.2 in sample 0, expected 1"):
        tree.run(make_draws(p=0.7, p_prog=0.1))
    with pytest.raises(UnknownNameError, match=r"node 'a', Markov start 'well': unknown parameter 'p'"):
        tree.run(make_draws(p_prog=0.1))



def test_markov_phase_delay_discounted_by_the_models_discount_formula():
    # hesim's continuous discounting: a phase starting after 1.5 years is worth exp(-0.035 x 1.5)
    model = progression_model(discount_costs=0.035, discount_effects=0.035, convention="hesim")
    draws = make_draws(2, p_prog=[0.2, 0.3])

    def run(delay):
        return DecisionTree(Decision({"a": Terminal(markov=MarkovLeaf(model, start="well", delay=delay))})).run(draws)

    np.testing.assert_allclose(run(1.5)["cost"].values, run(0)["cost"].values * np.exp(-0.035 * 1.5), rtol=1e-12)


def test_a_pathway_without_an_effect_others_give_is_pointed_out():
    # a forgotten qaly counts 0 QALYs and a misspelt one makes an outcome of its own: both are named;
    # a stated 0 is taken as meant
    from healthecon.tree import MissingEffectWarning

    forgot = Decision({"new": Chance([("cured", 0.7, Terminal(qaly=0.95)), ("not cured", C, Terminal(cost_rescue=2000))], cost_drug=900)})
    with pytest.warns(MissingEffectWarning, match=r"1 pathway\(s\) give no 'qaly' and count 0 of it \(node 'decision > new > not cured'\)"):
        DecisionTree(forgot)
    with pytest.warns(MissingEffectWarning, match=r"give no 'qualy'"):
        DecisionTree(Decision({"a": Chance([("x", 0.5, Terminal(cost=3, qualy=1.5)), ("y", C, Terminal(cost=1, qaly=1.0))])}))
    with warnings.catch_warnings():
        warnings.simplefilter("error", MissingEffectWarning)
        DecisionTree(Decision({"new": Chance([("cured", 0.7, Terminal(qaly=0.95)), ("dead", C, Terminal(cost_rescue=2000, qaly=0))])}))
