"""Decision-tree roll-back (healthecon.tree_engine) against a hand enumeration of pathways.

Random trees (hypothesis) are described by plain nested specs; the library tree is built from
the spec, and the reference enumerates every pathway of every strategy from the same spec
with Python loops over samples: ``P(k)`` the product of branch probabilities, ``v(k)`` the
sum of the rewards on the nodes along the path, ``E[v] = sum_k P(k) v(k)`` (Briggs, Claxton &
Sculpher 2006, ch. 2). Later decisions make one strategy per combination of choices at the
decisions each strategy reaches.
"""

import itertools

import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st

from healthecon.errors import TreeError
from healthecon.markov import MarkovModel
from healthecon.tree import C, Chance, Decision, DecisionTree, MarkovLeaf, Terminal

N = 3
REWARDS = ("cost", "cost_drug", "qaly")


# --------------------------------------------------------------------------- random specs
@st.composite
def reward_specs(draw, params):
    out = {}
    for name in REWARDS:
        kind = draw(st.sampled_from([None, None, "num", "param", "call"]))
        if kind is None:
            continue
        value = draw(st.floats(-50, 1000, allow_nan=False))
        if kind == "num":
            out[name] = ("num", value)
        else:
            key = f"r{len(params)}"
            params[key] = np.linspace(value, value * 1.5 + 1, N)
            out[name] = (kind, key)
    return out


@st.composite
def node_specs(draw, params, depth, counter):
    rewards = draw(reward_specs(params))
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        return {"type": "terminal", "rewards": rewards}
    if depth < 3 and draw(st.integers(0, 4)) == 0:  # a later decision
        counter[0] += 1
        m = draw(st.integers(2, 3))
        return {"type": "decision", "name": f"d{counter[0]}", "rewards": rewards,
                "branches": [(f"c{i}", None, draw(node_specs(params, depth - 1, counter))) for i in range(m)]}
    m = draw(st.integers(1, 4))
    complement = draw(st.sampled_from([None] + list(range(m))))
    seed = draw(st.integers(0, 2**31))
    rng = np.random.default_rng(seed)
    probs = []
    if complement is None:
        shared = draw(st.booleans())  # one constant distribution, or one per sample
        matrix = rng.dirichlet(np.ones(m), size=1 if shared else N)
        for i in range(m):
            if shared:
                probs.append(("num", float(matrix[0, i])))
            else:
                key = f"p{len(params)}"
                params[key] = matrix[:, i]
                probs.append((draw(st.sampled_from(["param", "call"])), key))
    else:
        for i in range(m):
            if i == complement:
                probs.append(("C",))
                continue
            kind = draw(st.sampled_from(["num", "param", "call"]))
            if kind == "num":
                probs.append(("num", float(rng.uniform(0, 1 / m))))
            else:
                key = f"p{len(params)}"
                params[key] = rng.uniform(0, 1 / m, N)
                probs.append((kind, key))
    return {"type": "chance", "rewards": rewards,
            "branches": [(f"b{i}", probs[i], draw(node_specs(params, depth - 1, counter))) for i in range(m)]}


@st.composite
def trees(draw):
    params = {}
    counter = [0]
    m = draw(st.integers(1, 3))
    root = {"type": "decision", "name": "root", "rewards": draw(reward_specs(params)),
            "branches": [(f"s{i}", None, draw(node_specs(params, 3, counter))) for i in range(m)]}
    return root, params


# --------------------------------------------------------------------------- build and enumerate
def lib_value(spec):
    kind = spec[0]
    if kind == "num":
        return spec[1]
    if kind == "param":
        return spec[1]
    if kind == "C":
        return C
    key = spec[1]
    return lambda p: p[key] * 1.0


def build(node):
    rewards = {name: lib_value(v) for name, v in node["rewards"].items()}
    if node["type"] == "terminal":
        return Terminal(**(rewards or {"cost": 0}))  # a pathway without payoff is stated as zero
    if node["type"] == "decision":
        return Decision({label: build(child) for label, _, child in node["branches"]}, name=node["name"], **rewards)
    return Chance([(label, lib_value(p), build(child)) for label, p, child in node["branches"]], **rewards)


def ref_value(spec, params, s):
    return spec[1] if spec[0] == "num" else float(params[spec[1]][s])


def ref_policies(node, path):
    """Every assignment of a choice to each decision a strategy reaches below ``node``."""
    if node["type"] == "terminal":
        return [{}]
    if node["type"] == "decision":
        return [{path: label, **below} for label, _, child in node["branches"]
                for below in ref_policies(child, path + (label,))]
    out = [{}]
    for label, _, child in node["branches"]:
        out = [{**a, **b} for a in out for b in ref_policies(child, path + (label,))]
    return out


def ref_pathways(node, path, s, params, policy, prob, acc):
    """(path, probability, rewards) of every pathway below ``node`` for sample ``s``."""
    acc = dict(acc)
    for name, v in node["rewards"].items():
        acc[name] = acc.get(name, 0.0) + ref_value(v, params, s)
    if node["type"] == "terminal":
        return [(path, prob, acc)]
    if node["type"] == "decision":
        label = policy[path]
        child = next(c for lab, _, c in node["branches"] if lab == label)
        return ref_pathways(child, path + (label,), s, params, policy, prob, acc)
    given_ = [None if p[0] == "C" else ref_value(p, params, s) for _, p, _ in node["branches"]]
    rest = 1.0 - sum(v for v in given_ if v is not None)
    out = []
    for (label, _, child), p in zip(node["branches"], given_):
        out += ref_pathways(child, path + (label,), s, params, policy, prob * (rest if p is None else p), acc)
    return out


def reference(root, params):
    """{(root choice, frozen policy): {outcome: (N,) expected value}} and the pathways of each."""
    root_rewards = {name: v for name, v in root["rewards"].items()}
    results = {}
    for label, _, child in root["branches"]:
        for policy in ref_policies(child, (label,)):
            values = {name: np.zeros(N) for name in ("cost", "cost_drug", "qaly")}
            paths = []
            for s in range(N):
                acc = {name: ref_value(v, params, s) for name, v in root_rewards.items()}
                for path, prob, rewards in ref_pathways(child, (label,), s, params, policy, 1.0, acc):
                    values["cost"][s] += prob * (rewards.get("cost", 0.0) + rewards.get("cost_drug", 0.0))
                    values["cost_drug"][s] += prob * rewards.get("cost_drug", 0.0)
                    values["qaly"][s] += prob * rewards.get("qaly", 0.0)
                    paths.append((s, path, prob, rewards))
            results[(label, tuple(sorted(policy.items())))] = (values, paths)
    return results


@settings(max_examples=50)
@given(trees())
def test_rollback_matches_hand_enumeration(spec):
    root, params = spec
    tree = DecisionTree(build(root))
    draws = xr.Dataset({k: ("sample", v) for k, v in params.items()}, coords={"sample": np.arange(N)})
    out = tree.run(draws)
    expected = reference(root, params)
    assert len(tree.strategies) == len(expected)
    # strategies are matched by their values (naming is tested elsewhere): every library
    # strategy equals exactly one reference policy, and the counts agree
    unmatched = list(expected.values())
    for strategy in tree.strategies:
        got = {name: out[name].sel(strategy=strategy).values if name in out else np.zeros(N) for name in ("cost", "cost_drug", "qaly")}
        hit = next((i for i, (vals, _) in enumerate(unmatched)
                    if all(np.allclose(got[k], vals[k], rtol=1e-12, atol=1e-9) for k in vals)), None)
        assert hit is not None, strategy
        unmatched.pop(hit)
    # pathways: probability (mean over samples) and payoffs of each pathway, and they sum to 1
    table = tree.pathways(draws)
    for strategy, rows in table.groupby("strategy", sort=False):
        assert rows["probability"].sum() == pytest.approx(1.0, abs=1e-9)
        assert (rows["probability"] >= 0).all()
    if not any(n["type"] == "decision" for n in _nodes(root) if n is not root):
        for _, row in table.iterrows():
            label = row["path"].split(" > ")[0]
            _, paths = expected[(label, ())]
            mine = [(prob, rew) for s, path, prob, rew in paths if " > ".join(path) == row["path"]]
            assert len(mine) == N
            assert row["probability"] == pytest.approx(np.mean([p for p, _ in mine]), abs=1e-12)
            cost = np.mean([r.get("cost", 0.0) + r.get("cost_drug", 0.0) for _, r in mine])
            assert row["cost"] == pytest.approx(cost, rel=1e-12, abs=1e-9)
            if "qaly" in row:
                assert row["qaly"] == pytest.approx(np.mean([r.get("qaly", 0.0) for _, r in mine]), rel=1e-12, abs=1e-9)


def _nodes(node):
    yield node
    for _, _, child in node.get("branches", []):
        yield from _nodes(child)


def test_nested_decisions_are_every_combination_by_hand():
    tree = DecisionTree(Decision({
        "test": Chance([
            ("pos", 0.3, Decision({"treat": Terminal(cost=100, qaly=0.9), "wait": Terminal(qaly=0.6)}, name="if positive")),
            ("neg", C, Decision({"treat": Terminal(cost=100, qaly=0.8), "wait": Terminal(qaly=0.85)}, name="if negative")),
        ], cost=20),
        "none": Terminal(qaly=0.7),
    }))
    out = tree.run(xr.Dataset(coords={"sample": [0]}))
    by_hand = {}
    for a, b in itertools.product(["treat", "wait"], repeat=2):
        cost = 20 + 0.3 * (100 if a == "treat" else 0) + 0.7 * (100 if b == "treat" else 0)
        qaly = 0.3 * (0.9 if a == "treat" else 0.6) + 0.7 * (0.8 if b == "treat" else 0.85)
        by_hand[f"test (if positive: {a}, if negative: {b})"] = (cost, qaly)
    by_hand["none"] = (0.0, 0.7)
    assert set(tree.strategies) == set(by_hand)
    for name, (cost, qaly) in by_hand.items():
        assert out["cost"].sel(strategy=name).item() == pytest.approx(cost)
        assert out["qaly"].sel(strategy=name).item() == pytest.approx(qaly)


# --------------------------------------------------------------------------- complement
def test_complement_within_tolerance_is_zero_and_beyond_is_an_error():
    # 0.33 + 0.56 + 0.11 sums to 1 + 2.2e-16 in floating point: the complement is 0, not negative
    tree = DecisionTree(Decision({"x": Chance([("a", 0.33, Terminal(q=1)), ("b", 0.56, Terminal(q=2)),
                                               ("c", 0.11, Terminal(q=3)), ("d", C, Terminal(q=4))])}))
    paths = tree.pathways(xr.Dataset(coords={"sample": [0]}))
    assert paths["probability"].tolist() == [0.33, 0.56, 0.11, 0.0]
    over = DecisionTree(Decision({"x": Chance([("a", 0.6, Terminal(q=1)), ("b", 0.4 + 1e-6, Terminal(q=2)),
                                               ("c", C, Terminal(q=4))])}))
    with pytest.raises(TreeError, match=r"node 'x': the complement is negative \(-\S+ in sample 0\): the other (branches|states) sum to 1\.000001"):
        over.run(xr.Dataset(coords={"sample": [0]}))


def absorbing(states):
    return MarkovModel(states, ["only"], {s: {s: 1} for s in states}, start=states[0], n_cycles=2,
                       state_rewards={"ly": {s: 1 for s in states}})


def test_markov_start_complement_within_tolerance_is_zero_and_beyond_is_an_error():
    model = absorbing(["a", "b", "c", "d"])
    draws = xr.Dataset(coords={"sample": [0]})
    tree = DecisionTree(Decision({"x": Terminal(markov=MarkovLeaf(model, start={"a": 0.33, "b": 0.56, "c": 0.11, "d": C}))}))
    expected = model.run(draws)["ly"].item()  # every state is alive and absorbing
    assert tree.run(draws)["ly"].item() == pytest.approx(expected, rel=1e-12)
    bad = DecisionTree(Decision({"x": Terminal(markov=MarkovLeaf(model, start={"a": 0.6, "b": 0.4 + 1e-6, "d": C}))}))
    with pytest.raises(TreeError, match=r"node 'x', Markov start 'd': the complement is negative \(-\S+ in sample 0\): the other (branches|states) sum to 1\.000001"):
        bad.run(draws)


# --------------------------------------------------------------------------- hybrid leaves
@settings(max_examples=30)
@given(st.lists(st.floats(0.0, 1.0), min_size=N, max_size=N), st.floats(0, 5), st.sampled_from([0.0, 0.035, 0.05]),
       st.sampled_from([0.0, 0.015]), st.sampled_from(["end", "half-cycle", "trapezoid"]))
def test_hybrid_leaves_add_markov_totals_discounted_from_the_delay(p_resp, delay, rate_c, rate_e, method):
    model = MarkovModel(["well", "sick", "dead"], ["std", "new"],
                        lambda p, s: {"well": {"well": C, "sick": p["p_prog"] * (0.5 if s == "new" else 1), "dead": 0.05},
                                      "sick": {"sick": C, "dead": 0.2}, "dead": {"dead": 1}},
                        start="well", n_cycles=6, correction=method, discount_costs=rate_c, discount_effects=rate_e,
                        state_rewards={"cost_care": {"well": 100, "sick": 2000}, "qaly": {"well": 0.9, "sick": 0.5}},
                        transition_rewards={"cost_death": {("*", "dead"): 5000}})
    draws = xr.Dataset({"p_resp": ("sample", p_resp), "p_prog": ("sample", np.linspace(0.1, 0.3, N))})
    tree = DecisionTree(Decision({
        "drug": Chance([
            ("responds", "p_resp", Terminal(cost_drug=50, qaly=0.01, markov=MarkovLeaf(model, "new", "well", delay=delay))),
            ("fails", C, Terminal(cost=300, markov=MarkovLeaf(model, "std", {"well": 0.2, "sick": C}, delay=delay))),
        ], cost_drug=1000),
        "usual": Terminal(markov=MarkovLeaf(model, "std", "well")),
    }))
    out = tree.run(draws)
    well_new = model.run(draws, strategies=["new"], start="well").sel(strategy="new")
    mixed_std = model.run(draws, strategies=["std"], start={"well": 0.2, "sick": 0.8}).sel(strategy="std")
    well_std = model.run(draws, strategies=["std"], start="well").sel(strategy="std")
    dc, de = (1 + rate_c) ** -delay, (1 + rate_e) ** -delay
    p = np.asarray(p_resp)
    for var, d in (("cost", dc), ("cost_care", dc), ("cost_death", dc), ("qaly", de), ("cost_undiscounted", 1.0),
                   ("qaly_undiscounted", 1.0), ("cost_care_undiscounted", 1.0)):
        markov_part = p * well_new[var].values * d + (1 - p) * mixed_std[var].values * d
        tree_part = {"cost": 1000 + p * 50 + (1 - p) * 300, "cost_undiscounted": 1000 + p * 50 + (1 - p) * 300,
                     "qaly": p * 0.01, "qaly_undiscounted": p * 0.01}.get(var, 0.0)
        np.testing.assert_allclose(out[var].sel(strategy="drug").values, tree_part + markov_part, rtol=1e-12, atol=1e-9, err_msg=var)
        np.testing.assert_allclose(out[var].sel(strategy="usual").values, well_std[var].values, rtol=1e-12, err_msg=var)
    np.testing.assert_allclose(out["cost_drug"].sel(strategy="drug").values, 1000 + p * 50, rtol=1e-12)
    assert list(out.data_vars).count("cost_undiscounted") == 1
