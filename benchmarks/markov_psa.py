"""Benchmark: a PSA of a 4-state, 4-strategy Markov model with age-specific mortality, and of a decision tree.

The Sick-Sicker model (healthy, sick, sicker, dead; strategies standard of care, A, B, AB;
after the DARTH tutorial of Alarid-Escudero et al., *Medical Decision Making* 2023), 75
annual cycles from age 25, background mortality from a life table (time-dependent
transitions), 10,000 PSA samples, half-cycle correction, 3.5% discounting.

Prints healthecon's time and two plain-numpy baselines' times on the same draws, their ratios,
whether the results agree, and peak memory (tracemalloc, measured in a separate run because
tracing slows the code). The baselines: the einsum loop (the transition matrices built as a
(sample, strategy, state, state) array and an einsum over samples x strategies x states inside
a loop over cycles) and the best numpy loop (every strategy and sample in one vector per
state, only the non-zero flows updated, weighted occupancy accumulated once per cycle), and
the same loop with the checks healthecon makes of every cycle's probabilities (each at least
0, and so is each row's complement), which shows what validation costs a loop this lean.
healthecon runs with ``undiscounted=False``, as the baselines compute no undiscounted totals;
it still returns four rewards (two costs, QALYs, life-years) to the baselines' cost and QALYs.
The base case (one sample) is also timed against the model's own transition functions called
once per cycle and strategy (300 times), the floor of any engine that evaluates them cycle by
cycle; healthecon calls a time-dependent function for blocks of cycles at once in runs of up to
2,048 samples (``healthecon.markov.Time``), so it can be faster than that floor.

The decision tree: 4 strategies, 20 pathways (a drug, response, relapse or adverse events),
rolled back by healthecon and by hand-written numpy (the expected value of each chance node
computed from its children's, leaves first) on the same draws.

The life table is illustrative (a Gompertz curve, ``q_x = 1 - exp(-0.00005 * exp(0.09 x))``),
not a published table, and the tree's parameters are illustrative. Run:
``python benchmarks/markov_psa.py [n_samples] [--quick]``; ``--quick`` (200 samples, one
repeat) only checks that it runs and agrees with the baselines. Exits with status 1 if the
results disagree.
"""

from __future__ import annotations

import os
import time
import tracemalloc
from types import SimpleNamespace

import numpy as np

from healthecon.correction import cycle_weights
from healthecon.discount import discount_factors
from healthecon.distributions import Beta, Gamma, LogNormal
from healthecon.lifetable import LifeTable
from healthecon.markov import C, MarkovModel
from healthecon.modeldef import ParameterView
from healthecon.params import Parameters
from healthecon.tree import C as TREE_C
from healthecon.tree import Chance, Decision, DecisionTree, Terminal

from _harness import parse_args  # benchmarks/ is on sys.path when a script runs

N_CYCLES, START_AGE, RATE = 75, 25, 0.035
STATES = ["healthy", "sick", "sicker", "dead"]
STRATEGIES = ["soc", "A", "B", "AB"]
AGES = np.arange(0, 111)
LIFE_TABLE = LifeTable(AGES, 1 - np.exp(-0.00005 * np.exp(0.09 * AGES)))
# background mortality in each cycle, looked up once and read by every implementation, so that
# what is timed is the cohort engine rather than the life table's look-ups
MORTALITY = LIFE_TABLE.probability(START_AGE + np.arange(N_CYCLES))

PARAMS = Parameters(
    p_hs1=Beta.from_mean_sd(0.15, 0.02),
    p_s1h=Beta.from_mean_sd(0.5, 0.05),
    p_s1s2=Beta.from_mean_sd(0.105, 0.015),
    hr_s1=LogNormal.from_mean_sd(3.0, 0.3),
    hr_s2=LogNormal.from_mean_sd(10.0, 1.0),
    hr_b=LogNormal.from_mean_sd(0.6, 0.05),
    c_h=Gamma.from_mean_sd(2000, 200),
    c_s1=Gamma.from_mean_sd(4000, 400),
    c_s2=Gamma.from_mean_sd(15000, 1500),
    u_h=Beta.from_mean_sd(0.95, 0.02),
    u_s1=Beta.from_mean_sd(0.75, 0.04),
    u_s2=Beta.from_mean_sd(0.5, 0.05),
    u_trt_a=Beta.from_mean_sd(0.95, 0.02),
)
TREATMENT_COST = {"soc": 0.0, "A": 12000.0, "B": 13000.0, "AB": 25000.0}


def sick_probabilities(p, strategy, q):
    """Shared by both implementations: progression and disease-specific death probabilities."""
    r_bg = -np.log1p(-q)
    p_s1s2 = p["p_s1s2"] if strategy in ("soc", "A") else 1 - (1 - p["p_s1s2"]) ** p["hr_b"]
    return p_s1s2, 1 - np.exp(-r_bg * p["hr_s1"]), 1 - np.exp(-r_bg * p["hr_s2"])


def transitions(p, strategy, time):
    q = MORTALITY[time.cycle - 1]
    p_s1s2, p_s1d, p_s2d = sick_probabilities(p, strategy, q)
    return {
        "healthy": {"healthy": C, "sick": p["p_hs1"] * (1 - q), "dead": q},
        "sick": {"healthy": p["p_s1h"] * (1 - p_s1d), "sick": C, "sicker": p_s1s2 * (1 - p_s1d), "dead": p_s1d},
        "sicker": {"sicker": C, "dead": p_s2d},
        "dead": {"dead": 1.0},
    }


def utilities(p, strategy):
    u_s1 = p["u_trt_a"] if strategy in ("A", "AB") else p["u_s1"]
    return {"healthy": p["u_h"], "sick": u_s1, "sicker": p["u_s2"]}


MODEL = MarkovModel(
    states=STATES,
    strategies=STRATEGIES,
    transitions=transitions,
    start={"healthy": 1.0},
    n_cycles=N_CYCLES,
    start_age=START_AGE,
    state_rewards={
        "cost_care": lambda p, s: {"healthy": p["c_h"], "sick": p["c_s1"], "sicker": p["c_s2"]},
        "cost_treatment": lambda p, s: {"sick": TREATMENT_COST[s], "sicker": TREATMENT_COST[s]},
        "qaly": utilities,
        "ly": {"healthy": 1, "sick": 1, "sicker": 1},
    },
    discount_costs=RATE,
    discount_effects=RATE,
    correction="half-cycle",
)


def point_weights():
    """Half-cycle weights times discount factors on each trace point (cycle 0..T)."""
    a, b = cycle_weights("half-cycle", N_CYCLES)
    d = discount_factors(np.arange(N_CYCLES + 1), RATE)
    point = np.zeros(N_CYCLES + 1)
    point[1:] += b * d[1:]
    point[:-1] += a * d[:-1]
    return point


def einsum_loop(draws):
    """Plain numpy: (sample, strategy, state, state) matrices, einsum per cycle."""
    p = {name: draws[name].values for name in draws.data_vars}
    n, S, K = draws.sizes["sample"], len(STRATEGIES), len(STATES)
    point = point_weights()
    cost_v = np.zeros((n, S, K))
    qaly_v = np.zeros((n, S, K))
    for j, s in enumerate(STRATEGIES):
        cost_v[:, j, :3] = np.stack([p["c_h"], p["c_s1"] + TREATMENT_COST[s], p["c_s2"] + TREATMENT_COST[s]], axis=1)
        u = utilities(p, s)
        qaly_v[:, j, :3] = np.stack([u["healthy"], u["sick"], u["sicker"]], axis=1)
    m = np.zeros((n, S, K))
    m[:, :, 0] = 1.0
    cost = point[0] * np.einsum("nsk,nsk->ns", m, cost_v)
    qaly = point[0] * np.einsum("nsk,nsk->ns", m, qaly_v)
    P = np.zeros((n, S, K, K))
    for t in range(1, N_CYCLES + 1):
        q = MORTALITY[t - 1]
        for j, s in enumerate(STRATEGIES):
            p_s1s2, p_s1d, p_s2d = sick_probabilities(p, s, q)
            P[:, j, 0, 1] = p["p_hs1"] * (1 - q)
            P[:, j, 0, 3] = q
            P[:, j, 0, 0] = 1 - P[:, j, 0, 1] - q
            P[:, j, 1, 0] = p["p_s1h"] * (1 - p_s1d)
            P[:, j, 1, 2] = p_s1s2 * (1 - p_s1d)
            P[:, j, 1, 3] = p_s1d
            P[:, j, 1, 1] = 1 - P[:, j, 1, 0] - P[:, j, 1, 2] - p_s1d
            P[:, j, 2, 3] = p_s2d
            P[:, j, 2, 2] = 1 - p_s2d
            P[:, j, 3, 3] = 1.0
        m = np.einsum("nsi,nsij->nsj", m, P)
        cost += point[t] * np.einsum("nsk,nsk->ns", m, cost_v)
        qaly += point[t] * np.einsum("nsk,nsk->ns", m, qaly_v)
    return cost, qaly


def best_loop(draws, checked=False):
    """The best hand-written numpy loop: every strategy and sample in one contiguous vector per
    state, only the non-zero flows updated, weighted occupancy accumulated once per cycle.

    ``checked=True`` adds the checks healthecon makes of every cycle's probabilities (each is
    at least 0, and so is the remainder of each row, its complement; NaN fails), on the
    vectors of all strategies at once: what validation costs a loop this lean."""
    p = {name: draws[name].values for name in draws.data_vars}
    n, S = draws.sizes["sample"], len(STRATEGIES)
    point = point_weights()
    m = np.zeros((3, S, n))  # healthy, sick, sicker: the dead state carries no reward
    m[0] = 1.0
    occupancy = point[0] * m
    hs1, s1h, s1s2, s1d, s2d = (np.empty((S, n)) for _ in range(5))
    for t in range(1, N_CYCLES + 1):
        q = MORTALITY[t - 1]
        for j, s in enumerate(STRATEGIES):
            p_s1s2, s1d[j], s2d[j] = sick_probabilities(p, s, q)
            hs1[j], s1h[j], s1s2[j] = p["p_hs1"] * (1 - q), p["p_s1h"] * (1 - s1d[j]), p_s1s2 * (1 - s1d[j])
        if checked:
            rests = ((1 - q) - hs1, 1 - (s1h + s1s2 + s1d), 1 - s2d)
            if not all(np.minimum.reduce(v, axis=None) >= 0 for v in (hs1, s1h, s1s2, s1d, s2d, *rests)) or not 0 <= q <= 1:
                raise ValueError(f"cycle {t}: a probability or a row's complement is below 0 or NaN")
        to_sick, to_healthy, to_sicker = m[0] * hs1, m[1] * s1h, m[1] * s1s2
        m[0] += to_healthy - to_sick - m[0] * q
        m[1] += to_sick - to_healthy - to_sicker - m[1] * s1d
        m[2] += to_sicker - m[2] * s2d
        occupancy += point[t] * m
    cost_v = [p["c_h"] + 0 * TREATMENT_COST["soc"]] + [np.stack([p[c] + TREATMENT_COST[s] for s in STRATEGIES]) for c in ("c_s1", "c_s2")]
    qaly_v = [p["u_h"], np.stack([utilities(p, s)["sick"] for s in STRATEGIES]), p["u_s2"]]
    cost = sum(occupancy[k] * cost_v[k] for k in range(3))
    qaly = sum(occupancy[k] * qaly_v[k] for k in range(3))
    return cost.T, qaly.T


TREE_PARAMS = Parameters(
    p_resp_soc=Beta.from_mean_sd(0.4, 0.05),
    p_resp_a=Beta.from_mean_sd(0.5, 0.05),
    p_resp_b=Beta.from_mean_sd(0.55, 0.05),
    p_resp_ab=Beta.from_mean_sd(0.65, 0.05),
    p_relapse=Beta.from_mean_sd(0.2, 0.03),
    p_ae=Beta.from_mean_sd(0.1, 0.02),
    p_hosp=Beta.from_mean_sd(0.15, 0.02),
    c_relapse=Gamma.from_mean_sd(3000, 300),
    c_ae=Gamma.from_mean_sd(800, 100),
    c_hosp=Gamma.from_mean_sd(5000, 500),
    u_well=Beta.from_mean_sd(0.9, 0.02),
    u_relapse=Beta.from_mean_sd(0.7, 0.04),
    u_ae=Beta.from_mean_sd(0.6, 0.05),
    u_hosp=Beta.from_mean_sd(0.5, 0.05),
    u_sick=Beta.from_mean_sd(0.65, 0.04),
)
TREE_RESPONSE = {"soc": "p_resp_soc", "A": "p_resp_a", "B": "p_resp_b", "AB": "p_resp_ab"}
DRUG_COST = {"soc": 0.0, "A": 1200.0, "B": 1300.0, "AB": 2500.0}


def treatment_subtree(strategy):
    """Five pathways: response (relapse or not), no response (adverse event, hospital, neither)."""
    return Chance([
        ("respond", TREE_RESPONSE[strategy], Chance([
            ("relapse", "p_relapse", Terminal(cost="c_relapse", qaly="u_relapse")),
            ("no relapse", TREE_C, Terminal(qaly="u_well"))])),
        ("no response", TREE_C, Chance([
            ("adverse event", "p_ae", Terminal(cost="c_ae", qaly="u_ae")),
            ("hospital", "p_hosp", Terminal(cost="c_hosp", qaly="u_hosp")),
            ("neither", TREE_C, Terminal(qaly="u_sick"))])),
    ], cost=DRUG_COST[strategy])


TREE = DecisionTree(Decision({s: treatment_subtree(s) for s in STRATEGIES}, name="treatment"))


def tree_numpy(draws):
    """Hand-written numpy roll-back: each chance node's expected value from its children's."""
    p = {name: draws[name].values for name in draws.data_vars}
    cost, qaly = [], []
    for s in STRATEGIES:
        resp = p[TREE_RESPONSE[s]]
        well = 1 - p["p_relapse"]
        neither = 1 - p["p_ae"] - p["p_hosp"]
        respond_cost, respond_qaly = p["p_relapse"] * p["c_relapse"], p["p_relapse"] * p["u_relapse"] + well * p["u_well"]
        other_cost = p["p_ae"] * p["c_ae"] + p["p_hosp"] * p["c_hosp"]
        other_qaly = p["p_ae"] * p["u_ae"] + p["p_hosp"] * p["u_hosp"] + neither * p["u_sick"]
        cost.append(DRUG_COST[s] + resp * respond_cost + (1 - resp) * other_cost)
        qaly.append(resp * respond_qaly + (1 - resp) * other_qaly)
    return np.stack(cost, axis=1), np.stack(qaly, axis=1)


def model_functions(draws):
    """Only the model's own functions, called as often as a cycle-by-cycle engine calls them
    (transitions every cycle for every strategy, the rewards once per strategy)."""
    p = ParameterView(draws)
    for s in STRATEGIES:
        for reward in MODEL.rewards.values():
            reward.state.value(p, s) if callable(reward.state.value) else None
        for t in range(1, N_CYCLES + 1):
            transitions(p, s, SimpleNamespace(cycle=t, years=t - 1.0, age=START_AGE + t - 1.0, in_state=1))


def peak_memory(fn, *args):
    """Peak memory (MiB) that ``fn(*args)`` allocates beyond what exists before the call."""
    tracemalloc.start()
    fn(*args)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def median_of(func, repeat):
    """Median wall time (s) of ``repeat`` calls, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return float(np.median(times)), result


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv, __doc__.splitlines()[0], quick_samples=200)
    n, repeat = args.n_samples, 1 if args.quick else (5 if args.n_samples <= 100_000 else 3)
    draws = PARAMS.sample(n, seed=2024)
    base = PARAMS.base_case()
    runs = {"healthecon": lambda d: MODEL.run(d, undiscounted=False), "einsum loop": einsum_loop, "best numpy loop": best_loop,
            "best loop, checked": lambda d: best_loop(d, checked=True)}
    times, results, single = {}, {}, {}
    for _ in range(repeat):  # interleaved, so that a change in the machine's load hits them all
        for name, fn in runs.items():
            t, results[name] = median_of(lambda: fn(draws), 1)
            times.setdefault(name, []).append(t)
    for name, fn in runs.items():
        single[name] = median_of(lambda: fn(base), 1 if args.quick else 21)[0]
    floor = median_of(lambda: model_functions(base), 1 if args.quick else 21)[0]
    ours = results["healthecon"]
    agree = all(
        np.allclose(ours["cost"].values, cost, rtol=1e-12, atol=0) and np.allclose(ours["qaly"].values, qaly, rtol=1e-12, atol=0)
        for name, (cost, qaly) in ((k, v) for k, v in results.items() if k != "healthecon")
    )
    median = {name: float(np.median(t)) for name, t in times.items()}
    print(f"Markov PSA: {len(STATES)} states, {len(STRATEGIES)} strategies, {N_CYCLES} cycles, {n:,} samples")
    print(f"load average (1 min)       : {os.getloadavg()[0]:8.2f} on {os.cpu_count()} cores; medians of {repeat} interleaved runs")
    for name in runs:
        print(f"{name:<27}: {median[name] * 1000:9.1f} ms   base case {single[name] * 1000:7.2f} ms")
    print(f"base case, the model's own functions called cycle by cycle: {floor * 1000:7.2f} ms "
          f"(healthecon / that: {single['healthecon'] / floor:5.2f})")
    for name in ("einsum loop", "best numpy loop", "best loop, checked"):
        print(f"ratio healthecon / {name:<18}: {median['healthecon'] / median[name]:6.2f} PSA, "
              f"{single['healthecon'] / single[name]:6.2f} base case")
    print(f"results agree (rtol 1e-12) : {agree}")
    if not agree:
        raise SystemExit("healthecon and the plain-numpy baselines disagree on cost or QALYs")
    memory = {name: peak_memory(fn, draws) for name, fn in runs.items()}
    for name in runs:
        print(f"peak memory, {name:<18}: {memory[name]:8.1f} MiB")
    print(f"memory ratio healthecon / best numpy loop: {memory['healthecon'] / memory['best numpy loop']:6.2f}")
    compare_tree(n, repeat)


def compare_tree(n: int, repeat: int) -> None:
    """Time the decision tree's roll-back against hand-written numpy; exit 1 if they disagree."""
    draws = TREE_PARAMS.sample(n, seed=2025)
    runs = {"healthecon": TREE.run, "numpy roll-back": tree_numpy}
    times, results = {}, {}
    for _ in range(max(repeat, 5) if repeat > 1 else 1):
        for name, fn in runs.items():
            t, results[name] = median_of(lambda: fn(draws), 1)
            times.setdefault(name, []).append(t)
    median = {name: float(np.median(t)) for name, t in times.items()}
    ours, (cost, qaly) = results["healthecon"], results["numpy roll-back"]
    agree = np.allclose(ours["cost"].values, cost, rtol=1e-12, atol=0) and np.allclose(ours["qaly"].values, qaly, rtol=1e-12, atol=0)
    print(f"Decision tree: {len(STRATEGIES)} strategies, {sum(1 for _ in TREE.pathways(draws.isel(sample=[0])).itertuples())} pathways, {n:,} samples")
    for name in runs:
        print(f"{name:<27}: {median[name] * 1000:9.2f} ms")
    print(f"ratio healthecon / numpy roll-back: {median['healthecon'] / median['numpy roll-back']:6.2f}")
    print(f"tree results agree (rtol 1e-12): {agree}")
    if not agree:
        raise SystemExit("healthecon's decision tree and the numpy roll-back disagree on cost or QALYs")


if __name__ == "__main__":
    main()
