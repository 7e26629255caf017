"""Incremental analysis against brute force: ICER frontiers in exact rational arithmetic, and CEAC,
CEAF, expected loss and net benefit against plain loops (Drummond et al. 2015, ch. 4;
Fenwick et al. 2001). (Moved from the former test_stats_audit.py, assertions unchanged.)
"""

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from healthecon import cea
from healthecon.outcomes import make_outcomes


# --- incremental analysis against brute force ------------------------------------------------

def _brute_force_icers(cost, effect):
    """Statuses and ICERs by definition: exact rational arithmetic, all pairs."""
    n = len(cost)
    c = [Fraction(x) for x in cost]
    e = [Fraction(x) for x in effect]
    status = ["ND"] * n
    for j in range(n):
        for i in range(n):
            if i != j and c[i] <= c[j] and e[i] >= e[j] and (c[i] < c[j] or e[i] > e[j] or i < j):
                status[j] = "D"
    free = [j for j in range(n) if status[j] == "ND"]
    for j in free:
        for a in free:
            for b in free:
                if e[a] < e[j] < e[b]:
                    chord = c[a] + (c[b] - c[a]) * (e[j] - e[a]) / (e[b] - e[a])
                    if chord < c[j]:
                        status[j] = "ED"
    frontier = sorted((j for j in range(n) if status[j] == "ND"), key=lambda j: e[j])
    icer, comparator = [None] * n, [None] * n
    for prev, j in zip(frontier, frontier[1:]):
        icer[j] = float((c[j] - c[prev]) / (e[j] - e[prev]))
        comparator[j] = f"s{prev}"
    for j in range(n):
        if status[j] == "D":  # the least costly dominator, then the most effective, then the first
            who = [i for i in range(n) if i != j and c[i] <= c[j] and e[i] >= e[j] and (c[i] < c[j] or e[i] > e[j] or i < j)]
            comparator[j] = f"s{min(who, key=lambda i: (c[i], -e[i], i))}"
        elif status[j] == "ED":  # the frontier strategies either side
            below = max((i for i in frontier if e[i] < e[j]), key=lambda i: e[i])
            above = min((i for i in frontier if e[i] > e[j]), key=lambda i: e[i])
            comparator[j] = f"s{below} and s{above}"
    return status, icer, comparator


values = st.integers(0, 6).map(float)


@settings(max_examples=150)
@given(points=st.lists(st.tuples(values, values), min_size=1, max_size=8))
def test_icer_table_matches_brute_force_frontier(points):
    # small integer grids make ties, duplicates and collinear points frequent
    cost, effect = [p[0] * 1000 for p in points], [p[1] for p in points]
    names = [f"s{i}" for i in range(len(points))]
    table = cea.icer_table(make_outcomes({"cost": cost, "effect": effect}, names)).set_index("strategy")
    status, icer, comparator = _brute_force_icers(cost, effect)
    for i, name in enumerate(names):
        assert table.loc[name, "status"] == status[i], (name, points)
        got = table.loc[name, "comparator"]
        assert (got if isinstance(got, str) else None) == comparator[i], (name, points)
        if icer[i] is None:
            assert np.isnan(table.loc[name, "icer"])
        else:
            assert table.loc[name, "icer"] == pytest.approx(icer[i], rel=1e-12)


@given(points=st.lists(st.tuples(st.floats(0, 1e5), st.floats(0, 20)), min_size=1, max_size=8))
def test_icer_table_frontier_has_increasing_icers(points):
    cost, effect = [p[0] for p in points], [p[1] for p in points]
    table = cea.icer_table(make_outcomes({"cost": cost, "effect": effect}, [f"s{i}" for i in range(len(points))]))
    nd = table[table["status"] == "ND"]
    assert np.all(np.diff(nd["effect"]) > 0) and np.all(np.diff(nd["cost"]) > 0)
    icers = nd["icer"].to_numpy()[1:]
    assert np.all(np.diff(icers) >= -1e-9 * np.abs(icers[1:]))
    assert (table["status"] == "ND").sum() >= 1


def _outcome_samples(seed, n, k, ties=False):
    rng = np.random.default_rng(seed)
    cost = rng.normal(1000, 300, size=(n, k))
    effect = rng.normal(1, 0.2, size=(n, k))
    if ties:
        cost, effect = np.round(cost, -2), np.round(effect, 1)
        cost[:, -1], effect[:, -1] = cost[:, 0], effect[:, 0]  # an identical strategy
    return make_outcomes({"cost": cost, "effect": effect}, [f"s{i}" for i in range(k)]), cost, effect


@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("k", [1, 2, 5])
def test_ceac_ceaf_expected_loss_and_net_benefit_match_loops(k, ties):
    out, cost, effect = _outcome_samples(k, 60, k, ties)
    grid = np.array([0.0, 500.0, 1000.0, 1500.0, 3000.0])
    curve, loss, front = cea.ceac(out, grid), cea.expected_loss(out, grid), cea.ceaf(out, grid)
    nmb = cea.net_benefit(out, grid)
    nhb = cea.net_benefit(out, grid[1:], kind="health")
    for w, lam in enumerate(grid):
        wins = np.zeros(k)
        forgone = np.zeros(k)
        for s in range(60):
            row = [lam * effect[s, j] - cost[s, j] for j in range(k)]
            best = max(range(k), key=lambda j: (row[j], -j))  # first strategy on ties
            wins[best] += 1
            forgone += [max(row) - row[j] for j in range(k)]
            for j in range(k):
                assert nmb.values[s, j, w] == pytest.approx(row[j], rel=1e-12, abs=1e-9)
                if lam > 0:
                    assert nhb.values[s, j, w - 1] == pytest.approx(effect[s, j] - cost[s, j] / lam, rel=1e-12, abs=1e-12)
        np.testing.assert_allclose(curve.values[w], wins / 60, rtol=0, atol=1e-15)
        np.testing.assert_allclose(loss.values[w], forgone / 60, rtol=1e-9, atol=1e-9)
        expected_nmb = [np.mean(lam * effect[:, j] - cost[:, j]) for j in range(k)]
        j_best = int(np.argmax(expected_nmb))
        assert front["optimal"].values[w] == f"s{j_best}"
        assert front["probability"].values[w] == pytest.approx(wins[j_best] / 60)
        assert front["expected_loss"].values[w] == pytest.approx(forgone[j_best] / 60, rel=1e-9, abs=1e-9)
        assert front["expected_nmb"].values[w] == pytest.approx(expected_nmb[j_best], rel=1e-9)


def test_incremental_and_pairwise_match_hand_calculation():
    out, cost, effect = _outcome_samples(3, 200, 3)
    inc = cea.incremental(out, "s1")
    np.testing.assert_allclose(inc["cost"].sel(strategy="s2").values, cost[:, 2] - cost[:, 1], rtol=1e-14)
    table = cea.pairwise(out, "s0", wtp=2000, level=0.9)
    d_c, d_e = cost[:, 1] - cost[:, 0], effect[:, 1] - effect[:, 0]
    row = table.loc["s1"]
    assert row["icer"] == pytest.approx(d_c.mean() / d_e.mean(), rel=1e-12)
    assert row["inc_nmb_lower"] == pytest.approx(np.percentile(2000 * d_e - d_c, 5), rel=1e-12)
    assert row["p_cost_effective"] == pytest.approx(np.mean(2000 * d_e - d_c > 0))
