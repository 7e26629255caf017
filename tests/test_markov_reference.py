"""The Markov cohort engine (healthecon.markov_engine) against a slow, textbook reference.

Everything here is recomputed with plain Python loops over cycles, samples and states,
written from the formulas (Briggs, Claxton & Sculpher 2006, ch. 2-3: ``m_t = m_{t-1} P_t``;
the within-cycle corrections as documented in :mod:`healthecon.correction`; discount factors
``(1 + r) ** -years``), never by calling the library's helpers, and compared with
``MarkovModel.run`` on hypothesis-generated models: 2-5 states, random valid transition
matrices (some entries the complement ``C``), time-dependent matrices and rewards through
``time.cycle`` / ``time.years`` / ``time.age``, transition and initial rewards, annual,
6-monthly, monthly and weekly cycles, constant rates and declining schedules.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from healthecon.discount import DiscountSchedule
from healthecon.errors import TransitionError
from healthecon.markov import C, MarkovModel

METHODS = ["end", "beginning", "half-cycle", "trapezoid", "simpson"]
N = 2  # samples: enough to catch mixing samples up, few enough for pure-Python loops


# --------------------------------------------------------------------------- reference
def ref_discount(years, rate):
    """Discount factor at ``years``: ``(1 + r) ** -years``, or a band-by-band product for a schedule."""
    if isinstance(rate, tuple):  # ((start, rate), ...) bands, written out year fraction by band
        factor, bands = 1.0, list(rate) + [(math.inf, None)]
        for (start, r), (end, _) in zip(bands, bands[1:]):
            span = min(years, end) - start
            if span <= 0:
                break
            factor /= (1 + r) ** span
        return factor
    return (1 + rate) ** -years


def ref_trace(m0, matrices):
    """``m_t[j] = sum_i m_{t-1}[i] P_t[i, j]`` for one sample, with explicit loops."""
    trace = [list(m0)]
    for P in matrices:
        prev = trace[-1]
        k = len(prev)
        trace.append([sum(prev[i] * P[i][j] for i in range(k)) for j in range(k)])
    return trace


def ref_simpson_points(T):
    """Composite Simpson point weights: 1/3 rule pairs, a 3/8 rule on the last 3 cycles if T is odd."""
    if T == 1:
        return [0.5, 0.5]
    w = [0.0] * (T + 1)
    even = T if T % 2 == 0 else T - 3
    for i in range(0, even, 2):
        w[i] += 1 / 3
        w[i + 1] += 4 / 3
        w[i + 2] += 1 / 3
    if even != T:
        for offset, weight in zip(range(4), (3 / 8, 9 / 8, 9 / 8, 3 / 8)):
            w[T - 3 + offset] += weight
    return w


def ref_state_total(trace, values, method, D):
    """Corrected total of a state reward for one sample.

    ``values[t - 1][k]`` is cycle ``t``'s value (already times the cycle length), ``D[t]``
    the discount factor at trace point ``t``; the formulas are the documented ones.
    """
    T = len(trace) - 1
    dot = lambda v, m: sum(a * b for a, b in zip(v, m))  # noqa: E731
    if method == "end":
        return sum(dot(values[t - 1], trace[t]) * D[t] for t in range(1, T + 1))
    if method == "beginning":
        return sum(dot(values[t - 1], trace[t - 1]) * D[t - 1] for t in range(1, T + 1))
    if method == "trapezoid":
        return sum((dot(values[t - 1], trace[t - 1]) * D[t - 1] + dot(values[t - 1], trace[t]) * D[t]) / 2 for t in range(1, T + 1))
    # point rules: point t valued at cycle t's value, point 0 at cycle 1's
    points = ref_simpson_points(T) if method == "simpson" else [0.5] + [1.0] * (T - 1) + [0.5]
    if method not in ("simpson", "half-cycle"):
        points = list(method)  # custom point weights
    return sum(points[t] * dot(values[max(t, 1) - 1], trace[t]) * D[t] for t in range(T + 1))


def ref_transition_total(trace, matrices, costs, method, L, rate):
    """One-off costs ``costs[t - 1][i][j]`` on each transition i -> j in cycle t, discounted mid-cycle etc."""
    offset = {"end": 1.0, "beginning": 0.0}.get(method, 0.5) if isinstance(method, str) else 0.5
    total = undiscounted = 0.0
    for t, P in enumerate(matrices, start=1):
        d = ref_discount((t - 1 + offset) * L, rate)
        for i, row in enumerate(P):
            for j, p in enumerate(row):
                amount = trace[t - 1][i] * p * costs[t - 1][i][j]
                total += d * amount
                undiscounted += amount
    return total, undiscounted


# --------------------------------------------------------------------------- random models
def stochastic(rng, k):
    """A k x k transition matrix with some zeros, rows summing to 1."""
    m = rng.dirichlet(np.ones(k) * 0.7, size=k)
    m[rng.uniform(size=(k, k)) < 0.25] = 0.0
    m[np.arange(k), rng.integers(0, k, k)] += 1e-3  # no all-zero row
    return m / m.sum(1, keepdims=True)


def clock(kind, t, L, start_age):
    """The time quantity a function reads for cycle t, computed from the documented meaning."""
    years = (t - 1) * L  # start of cycle t, which covers ((t-1)L, tL]
    return {"cycle": t, "years": years, "age": start_age + years}[kind]


def mix_weight(kind, t, L, start_age):
    x = clock(kind, t, L, start_age)
    return 0.5 + 0.5 * math.sin(1.7 * x + 0.3)  # any bounded function of the clock


@st.composite
def models(draw, method):
    k = draw(st.integers(2, 5))
    T = draw(st.integers(1, 14))
    L = draw(st.sampled_from([1.0, 0.5, 1 / 12, 1 / 52, 2.0]))
    seed = draw(st.integers(0, 2**32 - 1))
    rates = st.sampled_from([0.0, 0.035, 0.06, "schedule"])
    return dict(
        k=k, T=T, L=L, seed=seed, method=method,
        rate_c=draw(rates), rate_e=draw(rates),
        # per strategy: which clock it reads (None = time-homogeneous)
        clocks=[draw(st.sampled_from([None, "cycle", "years", "age"])) for _ in range(2)],
        reward_clock=draw(st.sampled_from([None, "cycle", "years", "age"])),
        complement=draw(st.booleans()),
        start_age=draw(st.sampled_from([0.0, 40.0, 63.5])),
    )


SCHEDULE = ((0, 0.05), (1.5, 0.03), (4, 0.01))  # bands crossed within short horizons


def as_rate(rate):
    return DiscountSchedule(SCHEDULE, name="test") if rate == "schedule" else rate


def ref_rate(rate):
    return SCHEDULE if rate == "schedule" else rate


def build(spec):
    """The random model, its per-cycle matrices and values, and the MarkovModel for it."""
    k, T, L, rng = spec["k"], spec["T"], spec["L"], np.random.default_rng(spec["seed"])
    states = [f"s{i}" for i in range(k)]
    strategies = ["a", "b"]
    A = np.stack([np.stack([stochastic(rng, k) for _ in range(N)]) for _ in strategies])  # (S, N, k, k)
    B = np.stack([np.stack([stochastic(rng, k) for _ in range(N)]) for _ in strategies])
    u0, u1 = rng.uniform(0, 1, (2, N, k))
    c0, c1 = rng.uniform(0, 5000, (2, N, k))
    tc = rng.uniform(0, 800, (len(strategies), N, k, k))  # one-off transition costs
    start = rng.dirichlet(np.ones(k))
    initial = {"a": 0.0, "b": float(rng.uniform(0, 1e4))}
    complement_col = rng.integers(0, k, k)  # which entry of each row is given as C

    def P(si, t):  # (N, k, k) for strategy si, cycle t
        kind = spec["clocks"][si]
        w = 0.0 if kind is None else mix_weight(kind, t, L, spec["start_age"])
        return (1 - w) * A[si] + w * B[si]

    def values(t):  # per-year utility and cost values for cycle t, (N, k)
        kind = spec["reward_clock"]
        w = 0.0 if kind is None else mix_weight(kind, t, L, spec["start_age"])
        return (1 - w) * u0 + w * u1, (1 - w) * c0 + w * c1

    def transitions(p, s, time):
        si = strategies.index(s)
        kind = spec["clocks"][si]
        t = time.cycle if kind == "cycle" else None
        if kind == "years":
            t = round(time.years / L) + 1
            assert time.years == pytest.approx((t - 1) * L)
        elif kind == "age":
            t = round((time.age - spec["start_age"]) / L) + 1
        M = P(si, t if t is not None else 1)
        rows = [[M[:, i, j] for j in range(k)] for i in range(k)]
        if spec["complement"]:
            for i in range(k):
                rows[i][complement_col[i]] = C
        return rows

    def time_of(time):
        kind = spec["reward_clock"]
        if kind == "cycle":
            return time.cycle
        if kind == "years":
            return round(time.years / L) + 1
        return round((time.age - spec["start_age"]) / L) + 1

    if spec["reward_clock"] is None:
        qaly = lambda p, s: {st_: u0[:, i] for i, st_ in enumerate(states)}  # noqa: E731
        care = lambda p, s: {st_: c0[:, i] for i, st_ in enumerate(states)}  # noqa: E731
    else:
        qaly = lambda p, s, time: {st_: values(time_of(time))[0][:, i] for i, st_ in enumerate(states)}  # noqa: E731
        care = lambda p, s, time: {st_: values(time_of(time))[1][:, i] for i, st_ in enumerate(states)}  # noqa: E731

    def move(p, s, time):  # one-off costs growing with the clock the rewards read
        si = strategies.index(s)
        grow = 1.0 if spec["reward_clock"] is None else 1 + 0.1 * time_of(time)
        return {(a, b): tc[si, :, i, j] * grow for i, a in enumerate(states) for j, b in enumerate(states) if i != j}

    method = spec["method"]
    if method == "custom":
        method = list(rng.uniform(0, 1.5, T + 1))
    model = MarkovModel(
        states, strategies, transitions, start=start, n_cycles=T, cycle_length=L, correction=method,
        discount_costs=as_rate(spec["rate_c"]), discount_effects=as_rate(spec["rate_e"]),
        start_age=spec["start_age"],
        state_rewards={"qaly": qaly, "cost_care": care, "ly": {s: 1.0 for s in states[:-1]}},
        transition_rewards={"cost_move": move}, initial_rewards={"cost_start": initial},
    )
    return model, dict(P=P, values=values, tc=tc, start=start, initial=initial, method=method, states=states)


def reference(spec, ref):
    """Every outcome of the random model, by the slow route: dict name -> (N, S) array."""
    T, L, k = spec["T"], spec["L"], spec["k"]
    out = {name: np.zeros((N, 2)) for name in ("qaly", "cost_care", "ly", "cost_move", "cost_start",
                                               "qaly_undiscounted", "cost_care_undiscounted", "ly_undiscounted",
                                               "cost_move_undiscounted")}
    Dc = [ref_discount(t * L, ref_rate(spec["rate_c"])) for t in range(T + 1)]
    De = [ref_discount(t * L, ref_rate(spec["rate_e"])) for t in range(T + 1)]
    ones = [1.0] * (T + 1)
    traces = np.zeros((N, 2, T + 1, k))
    for si in range(2):
        for n in range(N):
            matrices = [ref["P"](si, t)[n].tolist() for t in range(1, T + 1)]
            trace = ref_trace(ref["start"], matrices)
            traces[n, si] = trace
            util = [list(ref["values"](t)[0][n] * L) for t in range(1, T + 1)]
            cost = [list(ref["values"](t)[1][n] * L) for t in range(1, T + 1)]
            alive = [[L] * (k - 1) + [0.0] for _ in range(T)]
            for name, vals, D in (("qaly", util, De), ("cost_care", cost, Dc), ("ly", alive, De)):
                out[name][n, si] = ref_state_total(trace, vals, ref["method"], D)
                out[name + "_undiscounted"][n, si] = ref_state_total(trace, vals, ref["method"], ones)
            grow = [1.0 if spec["reward_clock"] is None else 1 + 0.1 * t for t in range(1, T + 1)]
            costs = [[[0.0 if i == j else ref["tc"][si, n, i, j] * g for j in range(k)] for i in range(k)] for g in grow]
            out["cost_move"][n, si], out["cost_move_undiscounted"][n, si] = ref_transition_total(
                trace, matrices, costs, ref["method"], L, ref_rate(spec["rate_c"]))
            out["cost_start"][n, si] = ref["initial"]["ab"[si]]
    out["cost"] = out["cost_care"] + out["cost_move"] + out["cost_start"]
    out["cost_undiscounted"] = out["cost_care_undiscounted"] + out["cost_move_undiscounted"] + out["cost_start"]
    return out, traces


@pytest.mark.parametrize("method", METHODS + ["custom"])
@settings(max_examples=15)
@given(data=st.data())
def test_engine_matches_slow_reference(method, data):
    spec = data.draw(models(method))
    model, ref = build(spec)
    got = model.run({"x": np.zeros(N)}, trace=True)
    expected, traces = reference(spec, ref)
    assert np.allclose(got["trace"].values, traces, rtol=1e-10, atol=1e-13)
    for name, value in expected.items():
        assert np.allclose(got[name].values, value, rtol=1e-10, atol=1e-9), name


@pytest.mark.parametrize("T", range(1, 13))
def test_simpson_for_every_horizon(T):
    spec = dict(k=3, T=T, L=1.0, seed=T, method="simpson", rate_c=0.035, rate_e="schedule", clocks=["age", None],
                reward_clock="cycle", complement=True, start_age=50.0)
    model, ref = build(spec)
    expected, _ = reference(spec, ref)
    got = model.run({"x": np.zeros(N)})
    for name, value in expected.items():
        assert np.allclose(got[name].values, value, rtol=1e-10, atol=1e-9), name


# --------------------------------------------------------------------------- time semantics
def test_time_is_start_of_cycle_and_age_is_start_age_plus_years():
    seen = []

    def transitions(p, s, t):
        # a block of cycles gives the times as columns: one (cycle, years, age) per row
        seen.extend(zip(*(np.ravel(x).tolist() for x in np.broadcast_arrays(t.cycle, t.years, t.age))))
        return {"a": {"a": 1}}

    MarkovModel(["a"], ["x"], transitions, start="a", n_cycles=4, cycle_length=0.25, start_age=50).run({})
    assert sorted(set(seen)) == [(1, 0.0, 50.0), (2, 0.25, 50.25), (3, 0.5, 50.5), (4, 0.75, 50.75)]


def test_function_reading_time_in_one_strategy_only_is_re_evaluated_for_that_strategy():
    # strategy "late" reads the clock only in its own branch
    def transitions(p, s, t):
        die = 0.1 if s == "flat" else (0.1 if t.cycle < 3 else 0.5)
        return {"alive": {"alive": C, "dead": die}, "dead": {"dead": 1}}

    model = MarkovModel(["alive", "dead"], ["flat", "late"], transitions, start="alive", n_cycles=4, correction="end",
                        discount_effects=0, state_rewards={"ly": {"alive": 1}})
    ly = model.run({})["ly"].values[0]
    assert ly[0] == pytest.approx(0.9 + 0.81 + 0.729 + 0.6561)
    assert ly[1] == pytest.approx(0.9 + 0.81 + 0.81 * 0.5 + 0.81 * 0.25)


def test_function_that_reads_time_only_through_repr_or_private_slots_is_still_time_dependent():
    # a function that formats the time object (e.g. for a log or a lookup key) depends on it
    def transitions(p, s, t):
        cycle = int(repr(t).split("cycle=")[1].split(",")[0])
        return {"alive": {"alive": C, "dead": 0.1 * cycle}, "dead": {"dead": 1}}

    def private(p, s, t):
        return {"alive": {"alive": C, "dead": 0.1 * (t._years + 1)}, "dead": {"dead": 1}}

    for fn in (transitions, private):
        model = MarkovModel(["alive", "dead"], ["x"], fn, start="alive", n_cycles=3, correction="end",
                            discount_effects=0, state_rewards={"ly": {"alive": 1}})
        assert model.run({})["ly"].item() == pytest.approx(0.9 + 0.9 * 0.8 + 0.9 * 0.8 * 0.7)


# --------------------------------------------------------------------------- tunnels
def expanded(length, die, back, enter):
    """The tunnel model written out by hand: well, post[1..length], dead (rows are functions of in_state)."""
    k = length + 2
    P = np.zeros((k, k))
    P[0, 1], P[0, k - 1] = enter, 0.02
    P[0, 0] = 1 - enter - 0.02
    for j in range(1, length + 1):
        nxt = min(j + 1, length)
        P[j, k - 1] = die(j)
        P[j, 0] = back(j)
        P[j, nxt] += 1 - die(j) - back(j)
    P[k - 1, k - 1] = 1
    return P


@settings(max_examples=80)
@given(st.integers(1, 5), st.integers(1, 12), st.sampled_from(METHODS), st.floats(0.0, 0.3), st.floats(0.0, 0.4),
       st.sampled_from([1.0, 1 / 12]))
def test_tunnel_matches_hand_expanded_model(length, T, method, d0, b0, L):
    die = lambda j, cycle: min(0.55, d0 + 0.05 * j + 0.01 * (cycle - 1))  # noqa: E731
    back = lambda j: b0 / j  # noqa: E731
    enter, rate = 0.3, 0.04

    def transitions(p, s, t):
        j = t.in_state  # and the clock, for post only
        return {"well": {"well": C, "post": enter, "dead": 0.02},
                "post": {"post": C, "dead": die(j, t.cycle), "well": back(j)}, "dead": {"dead": 1}}

    cost_post = lambda j: 1000.0 / j + 50  # noqa: E731
    leave_cost = lambda j: 300.0 * j  # noqa: E731
    model = MarkovModel(
        ["well", "post", "dead"], ["x"], transitions, start={"well": 0.7, "post": 0.3}, n_cycles=T, cycle_length=L,
        tunnels={"post": length}, correction=method, discount_costs=rate, discount_effects=rate,
        state_rewards={"cost_post": lambda p, s, t: {"post": cost_post(t.in_state), "well": 10.0},
                       "ly": {"well": 1, "post": 1}},
        transition_rewards={"cost_leave": lambda p, s, t: {("post", "dead"): leave_cost(t.in_state)},
                            "cost_enter": {("*", "post"): 70.0}})
    out = model.run({}, trace=True)
    matrices = [expanded(length, lambda j: die(j, t), back, enter).tolist() for t in range(1, T + 1)]
    m0 = [0.7, 0.3] + [0.0] * (length - 1) + [0.0]
    trace = ref_trace(m0, matrices)
    D = [ref_discount(t * L, rate) for t in range(T + 1)]
    values = [[10.0 * L] + [cost_post(j) * L for j in range(1, length + 1)] + [0.0]] * T
    alive = [[L] * (length + 1) + [0.0]] * T
    assert out["cost_post"].item() == pytest.approx(ref_state_total(trace, values, method, D), rel=1e-10)
    assert out["ly"].item() == pytest.approx(ref_state_total(trace, alive, method, D), rel=1e-10)
    k = length + 2
    leave = [[[leave_cost(i) if 1 <= i <= length and j == k - 1 else 0.0 for j in range(k)] for i in range(k)]] * T
    enter_costs = [[[70.0 if j == 1 and not 1 <= i <= length else 0.0 for j in range(k)] for i in range(k)]] * T
    assert out["cost_leave"].item() == pytest.approx(ref_transition_total(trace, matrices, leave, method, L, rate)[0], rel=1e-10, abs=1e-10)
    assert out["cost_enter"].item() == pytest.approx(ref_transition_total(trace, matrices, enter_costs, method, L, rate)[0], rel=1e-10)
    post = np.array(trace)[:, 1:length + 1].sum(1)
    assert np.allclose(out["trace"].sel(state="post").values.ravel(), post, atol=1e-13)


# --------------------------------------------------------------------------- complement and tolerance
def two_state(entry, tolerance=1e-9):
    return MarkovModel(["a", "b"], ["x"], lambda p, s: {"a": {"a": C, "b": p["q"]}, "b": {"b": 1}}, start="a",
                       n_cycles=1, correction="end", tolerance=tolerance, state_rewards={"ly": {"a": 1}},
                       discount_effects=0).run({"q": np.array(entry)}, trace=True)


def test_complement_within_tolerance_is_zero_and_beyond_it_is_an_error():
    out = two_state([1.0, 1.0])
    assert out["ly"].values.ravel().tolist() == [0.0, 0.0]
    # the complement of entries summing to just over 1 (within tolerance) is 0, not negative
    over = MarkovModel(["a", "b", "c"], ["x"], {"a": {"a": C, "b": 0.33 + 0.56, "c": 0.11}, "b": {"b": 1}, "c": {"c": 1}},
                       start="a", n_cycles=1, correction="end").run({}, trace=True)
    assert over["trace"].sel(state="a", cycle=1).item() == 0.0
    with pytest.raises(TransitionError, match=r"strategy 'x', cycle 1, from 'a' to 'a'.*complement.*1\.000001\d* in sample 1"):
        MarkovModel(["a", "b", "c"], ["x"], lambda p, s: {"a": {"a": C, "b": p["q"], "c": 0.5}, "b": {"b": 1}, "c": {"c": 1}},
                    start="a", n_cycles=1).run({"q": np.array([0.5, 0.500001])})


def test_rows_without_complement_are_not_renormalised():
    # a row summing to 1 - 5e-10 is accepted as given (within tolerance), not rescaled
    model = MarkovModel(["a", "b"], ["x"], {"a": {"a": 0.5, "b": 0.5 - 5e-10}, "b": {"b": 1}}, start="a", n_cycles=1,
                        correction="end")
    trace = model.run({}, trace=True)["trace"].sel(cycle=1).values.ravel()
    assert trace.tolist() == [0.5, 0.5 - 5e-10]
    with pytest.raises(TransitionError, match=r"from 'a': row sums to 0\.999999998"):
        MarkovModel(["a", "b"], ["x"], {"a": {"a": 0.5, "b": 0.5 - 2e-9}, "b": {"b": 1}}, start="a", n_cycles=1).run({})


@pytest.mark.parametrize("cycle", [1, 3])
def test_validation_names_strategy_cycle_from_to_and_sample(cycle):
    def transitions(p, s, t):
        bad = s == "b" and t.cycle == cycle
        q = np.where([False, False, bad], 1.2, 0.1)
        return {"a": {"a": C, "b": q}, "b": {"b": 1}}

    model = MarkovModel(["a", "b"], ["a", "b"], transitions, start="a", n_cycles=4)
    with pytest.raises(TransitionError, match=rf"strategy 'b', cycle {cycle}, from 'a' to 'b'.*1\.2 at sample 2"):
        model.run({"x": np.zeros(3)})


# --------------------------------------------------------------------------- Green Book schedules
@pytest.mark.parametrize("method", ["end", "half-cycle"])
def test_green_book_schedules_discount_by_model_years_across_bands(method):
    from healthecon.discount import GREEN_BOOK_HEALTH, GREEN_BOOK_STANDARD

    T, L = 45, 2.0  # 90 years: crosses the 30- and 75-year band boundaries, between trace points
    model = MarkovModel(["alive", "dead"], ["x"], {"alive": {"alive": C, "dead": 0.02}, "dead": {"dead": 1}}, start="alive",
                        n_cycles=T, cycle_length=L, correction=method, discount_costs=GREEN_BOOK_STANDARD,
                        discount_effects=GREEN_BOOK_HEALTH, state_rewards={"cost_care": {"alive": 1000.0}, "ly": {"alive": 1}},
                        transition_rewards={"cost_death": {("alive", "dead"): 10_000.0}})
    out = model.run({})
    trace = ref_trace([1.0, 0.0], [[[0.98, 0.02], [0.0, 1.0]]] * T)
    standard = ((0, 0.035), (30, 0.03), (75, 0.025), (125, 0.02), (200, 0.015), (300, 0.01))
    health = ((0, 0.015), (30, 0.0129), (75, 0.0107), (125, 0.0086), (200, 0.0064), (300, 0.0043))
    Dc = [ref_discount(t * L, standard) for t in range(T + 1)]
    De = [ref_discount(t * L, health) for t in range(T + 1)]
    care = [[1000.0 * L, 0.0]] * T
    alive = [[L, 0.0]] * T
    assert out["cost_care"].item() == pytest.approx(ref_state_total(trace, care, method, Dc), rel=1e-12)
    assert out["ly"].item() == pytest.approx(ref_state_total(trace, alive, method, De), rel=1e-12)
    deaths = [[[0.0, 10_000.0], [0.0, 0.0]]] * T
    matrices = [[[0.98, 0.02], [0.0, 1.0]]] * T
    assert out["cost_death"].item() == pytest.approx(ref_transition_total(trace, matrices, deaths, method, L, standard)[0], rel=1e-12)


def test_two_tunnels_of_different_lengths_match_hand_expanded_model():
    pa, pb = [0.1, 0.2], [0.05, 0.1, 0.15, 0.2]

    def transitions(p, s, t):  # the shorter tunnel clamps its index (in_state runs to 4)
        return {"w": {"w": C, "a": 0.1, "b": 0.15}, "a": {"a": C, "d": pa[min(t.in_state, 2) - 1], "b": 0.05},
                "b": {"b": C, "d": pb[t.in_state - 1]}, "d": {"d": 1}}

    model = MarkovModel(["w", "a", "b", "d"], ["x"], transitions, start="w", n_cycles=9, tunnels={"a": 2, "b": 4},
                        correction="trapezoid", discount_effects=0.03,
                        state_rewards={"qaly": lambda p, s, t: {"w": 1.0, "a": 0.5 + 0.1 * min(t.in_state, 2), "b": 0.4 + 0.1 * t.in_state}},
                        transition_rewards={"cost_b": {("*", "b"): 100.0}})
    # hand-expanded: w, a1, a2, b1, b2, b3, b4, d
    idx = {"w": 0, "a1": 1, "a2": 2, "b1": 3, "b2": 4, "b3": 5, "b4": 6, "d": 7}
    P = np.zeros((8, 8))
    P[0, [0, 1, 3]] = [0.75, 0.1, 0.15]
    for j in (1, 2):
        P[idx[f"a{j}"], [idx["a2"], idx["d"], idx["b1"]]] = [0.95 - pa[j - 1], pa[j - 1], 0.05]
    for j in (1, 2, 3, 4):
        P[idx[f"b{j}"], [idx[f"b{min(j + 1, 4)}"], idx["d"]]] = [1 - pb[j - 1], pb[j - 1]]
    P[7, 7] = 1
    trace = ref_trace([1.0] + [0.0] * 7, [P.tolist()] * 9)
    u = [1.0, 0.6, 0.7, 0.5, 0.6, 0.7, 0.8, 0.0]
    D = [ref_discount(t, 0.03) for t in range(10)]
    out = model.run({})
    assert out["qaly"].item() == pytest.approx(ref_state_total(trace, [u] * 9, "trapezoid", D), rel=1e-12)
    enter_b = [[[100.0 if j == 3 and i not in (3, 4, 5, 6) else 0.0 for j in range(8)] for i in range(8)]] * 9
    assert out["cost_b"].item() == pytest.approx(ref_transition_total(trace, [P.tolist()] * 9, enter_b, "trapezoid", 1.0, 0.035)[0], rel=1e-12)


def test_a_single_strategy_name_is_one_strategy_not_its_letters():
    model = MarkovModel(["a", "b"], ["usual", "new"], {"a": {"a": C, "b": 0.1}, "b": {"b": 1}}, start="a", n_cycles=2,
                        state_rewards={"ly": {"a": 1}})
    out = model.run({}, strategies="new")
    assert out.strategy.values.tolist() == ["new"]
    assert out["ly"].item() == model.run({})["ly"].sel(strategy="new").item()


def test_parameters_with_defaults_keep_their_value_and_are_not_given_the_time():
    rewards = {}
    for k in (1.0, 2.0):  # the loop-variable idiom
        rewards[f"cost_{int(k)}"] = lambda p, s, k=k: {"a": 100.0 * k}
    model = MarkovModel(["a", "b"], ["x"], {"a": {"a": C, "b": 0.1}, "b": {"b": 1}}, start="a", n_cycles=3,
                        correction="end", discount_costs=0, state_rewards=rewards)
    out = model.run({})
    assert out["cost_2"].item() == pytest.approx(2 * out["cost_1"].item())
    assert out["cost_1"].item() == pytest.approx(100 * (0.9 + 0.81 + 0.729))
