"""Markov cohort engine: hand-worked totals, invariants, tunnels, validation messages."""

import numpy as np
import pytest
import xarray as xr
from hypothesis import given
from hypothesis import strategies as st

from healthecon.discount import GREEN_BOOK_HEALTH, discount_factors
from healthecon.errors import ModelDefinitionError, ParameterError, ShapeError, TransitionError, UnknownNameError
from healthecon.markov import C, MarkovModel, Time
from healthecon.outcomes import validate_outcomes

# --------------------------------------------------------------------------- hand-worked
# Alive/dead, P(death) 0.1 a cycle, 3 annual cycles: membership alive 1, 0.9, 0.81, 0.729.
ALIVE = np.array([1.0, 0.9, 0.81, 0.729])
D5 = 1.05 ** -np.arange(4.0)  # costs at 5%


def two_state(correction, **kw):
    options = dict(
        start={"alive": 1},
        n_cycles=3,
        correction=correction,
        discount_costs=0.05,
        discount_effects=0.0,
        state_rewards={"cost_care": {"alive": 1000.0}, "ly": {"alive": 1.0}},
    )
    options.update(kw)
    return MarkovModel(["alive", "dead"], ["only"], {"alive": {"alive": C, "dead": 0.1}, "dead": {"dead": 1}}, **options)


# (ly, discounted cost) worked by hand for each correction
HAND = {
    "end": (0.9 + 0.81 + 0.729, 1000 * (0.9 / 1.05 + 0.81 / 1.05**2 + 0.729 / 1.05**3)),
    "beginning": (1 + 0.9 + 0.81, 1000 * (1 + 0.9 / 1.05 + 0.81 / 1.05**2)),
    "half-cycle": (0.5 + 0.9 + 0.81 + 0.729 / 2, 1000 * (0.5 + 0.9 / 1.05 + 0.81 / 1.05**2 + 0.729 / 2 / 1.05**3)),
    "trapezoid": (0.5 + 0.9 + 0.81 + 0.729 / 2, 1000 * (0.5 + 0.9 / 1.05 + 0.81 / 1.05**2 + 0.729 / 2 / 1.05**3)),
    # 3 cycles: Simpson's 3/8 rule, weights 3/8, 9/8, 9/8, 3/8
    "simpson": (
        3 / 8 + 9 / 8 * 0.9 + 9 / 8 * 0.81 + 3 / 8 * 0.729,
        1000 * (3 / 8 + 9 / 8 * 0.9 / 1.05 + 9 / 8 * 0.81 / 1.05**2 + 3 / 8 * 0.729 / 1.05**3),
    ),
}


@pytest.mark.parametrize("method", list(HAND))
def test_two_state_hand_worked(method):
    out = two_state(method).run({})
    ly, cost = HAND[method]
    assert out["ly"].item() == pytest.approx(ly, rel=1e-12)
    assert out["cost_care"].item() == pytest.approx(cost, rel=1e-12)
    assert out["cost"].item() == pytest.approx(cost, rel=1e-12)
    undiscounted = ly * 1000  # the same rule without discounting
    assert out["cost_undiscounted"].item() == pytest.approx(undiscounted, rel=1e-12)
    assert out["ly_undiscounted"].item() == pytest.approx(ly, rel=1e-12)


def test_two_state_simpson_even_cycles():
    out = two_state("simpson", n_cycles=2).run({})
    assert out["ly"].item() == pytest.approx((1 + 4 * 0.9 + 0.81) / 3, rel=1e-12)


def test_time_varying_values_distinguish_half_cycle_from_trapezoid():
    # cost 100 in cycle 1, 200 in cycle 2, undiscounted, 2 cycles
    rewards = {"cost_x": lambda p, s, t: {"alive": 100.0 * t.cycle}}
    trap = two_state("trapezoid", n_cycles=2, discount_costs=0, state_rewards=rewards).run({})
    half = two_state("half-cycle", n_cycles=2, discount_costs=0, state_rewards=rewards).run({})
    assert trap["cost"].item() == pytest.approx(100 * (1 + 0.9) / 2 + 200 * (0.9 + 0.81) / 2)
    assert half["cost"].item() == pytest.approx(100 * 0.5 + 100 * 0.9 + 200 * 0.5 * 0.81)


def test_transition_and_initial_rewards_hand_worked():
    rewards = {"cost_death": {("alive", "dead"): 500.0}}
    end = two_state("end", transition_rewards=rewards, initial_rewards={"cost_surgery": {"only": 50.0}}).run({})
    deaths = np.array([0.1, 0.09, 0.081])
    assert end["cost_death"].item() == pytest.approx(500 * (deaths * D5[1:]).sum(), rel=1e-12)
    assert end["cost_death_undiscounted"].item() == pytest.approx(500 * deaths.sum(), rel=1e-12)
    assert end["cost_surgery"].item() == pytest.approx(50.0, rel=1e-12)
    assert end["cost"].item() == pytest.approx(HAND["end"][1] + 500 * (deaths * D5[1:]).sum() + 50, rel=1e-12)
    mid = two_state("trapezoid", transition_rewards={"cost_death": {("*", "dead"): 500.0}}).run({})
    assert mid["cost_death"].item() == pytest.approx(500 * (deaths * 1.05 ** -np.array([0.5, 1.5, 2.5])).sum(), rel=1e-12)


def test_monthly_cycles_scale_annual_values():
    model = MarkovModel(
        ["alive", "dead"], ["only"], {"alive": {"alive": 1.0}, "dead": {"dead": 1.0}},
        start={"alive": 1}, n_cycles=24, cycle_length=1 / 12, correction="end",
        discount_costs=0.035, discount_effects=0,
        state_rewards={"cost_care": {"alive": 1200.0}, "qaly": {"alive": 0.75}},
    )
    out = model.run({})
    assert out["qaly"].item() == pytest.approx(1.5, rel=1e-12)
    months = np.arange(1, 25) / 12
    assert out["cost"].item() == pytest.approx(100 * discount_factors(months, 0.035).sum(), rel=1e-12)
    assert out.attrs["effect"] == "qaly" and out.attrs["effect_unit"] == "QALY"


def test_discount_schedule_accepted():
    out = two_state("end", discount_effects=GREEN_BOOK_HEALTH).run({})
    expected = (ALIVE[1:] * GREEN_BOOK_HEALTH.factors(np.arange(1.0, 4.0))).sum()
    assert out["ly"].item() == pytest.approx(expected, rel=1e-12)
    assert out.attrs["discount_effects"] == GREEN_BOOK_HEALTH.name


def test_outcome_set_layout():
    out = two_state("end").run({"unused": np.zeros(5)})
    validate_outcomes(out)
    assert out.sizes == {"sample": 5, "strategy": 1}
    assert out.attrs["cost"] == "cost" and out.attrs["effect"] == "ly" and out.attrs["effect_unit"] == "life-year"
    assert out["ly"].attrs["kind"] == "effect" and out["cost_care"].attrs["kind"] == "cost"
    assert set(out.data_vars) == {"cost", "cost_care", "ly", "cost_undiscounted", "cost_care_undiscounted", "ly_undiscounted"}


# --------------------------------------------------------------------------- a PSA model
def psa_model(**kw):
    def transitions(p, strategy):
        rr = p["rr"] if strategy == "new" else 1.0
        return {
            "well": {"well": C, "sick": p["p_sick"] * rr, "dead": 0.01},
            "sick": {"well": 0.1, "sick": C, "dead": p["p_die"]},
            "dead": {"dead": 1},
        }

    options = dict(
        start={"well": 1},
        n_cycles=10,
        state_rewards={
            "cost_care": lambda p, s: {"well": 100.0, "sick": p["c_sick"]},
            "cost_drug": lambda p, s: {"well": 500.0 if s == "new" else 0.0, "sick": 500.0 if s == "new" else 0.0},
            "qaly": lambda p, s: {"well": 0.9, "sick": p["u_sick"]},
            "ly": {"well": 1, "sick": 1},
        },
    )
    options.update(kw)
    return MarkovModel(["well", "sick", "dead"], ["usual", "new", "other"], transitions, **options)


def psa_draws(n=50, seed=1):
    rng = np.random.default_rng(seed)
    return xr.Dataset(
        {
            "p_sick": ("sample", rng.uniform(0.05, 0.3, n)),
            "p_die": ("sample", rng.uniform(0.05, 0.2, n)),
            "rr": ("sample", rng.uniform(0.5, 1.0, n)),
            "c_sick": ("sample", rng.gamma(10, 300, n)),
            "u_sick": ("sample", rng.uniform(0.4, 0.7, n)),
        }
    )


def test_results_are_bit_identical_however_the_samples_are_split(monkeypatch):
    """Same numbers bit for bit from one run, from chunks of it, from one sample at a time (run
    on Python floats) and with the engine's sample blocks made small; with time-dependent
    transitions, a transition cost, a time-dependent state reward and a dead state nothing reads."""
    import healthecon.markov_engine as engine

    def transitions(p, strategy, time):
        rr = p["rr"] if strategy == "new" else 1.0
        return {"well": {"well": C, "sick": p["p_sick"] * rr, "dead": 0.001 * time.cycle},
                "sick": {"well": 0.1, "sick": C, "dead": p["p_die"]}, "dead": {"dead": 1}}

    model = MarkovModel(["well", "sick", "dead"], ["usual", "new"], transitions, start={"well": 1}, n_cycles=10,
                        transition_rewards={"cost_event": {("well", "sick"): "c_sick"}},
                        state_rewards={"cost_care": {"sick": "c_sick"}, "qaly": lambda p, s, t: {"well": 0.9 - 0.01 * t.cycle, "sick": p["u_sick"]}})
    draws = psa_draws(23, seed=7)
    whole = model.run(draws)
    monkeypatch.setattr(engine, "_BLOCK", 4)
    blocked = model.run(draws)
    # one sample; 6 samples (one block of up to two blocks' worth); 16 samples (four blocks)
    parts = [model.run(draws.isel(sample=part)) for part in (slice(0, 1), slice(1, 7), slice(7, 23))]
    for name in whole.data_vars:
        assert np.array_equal(blocked[name].values, whole[name].values), name
        assert np.array_equal(np.concatenate([part[name].values for part in parts]), whole[name].values), name


@pytest.mark.parametrize("numpy_time", [False, True])
@pytest.mark.parametrize("late", ["row", "state reward", "transition reward"])
def test_a_state_left_out_that_a_later_cycle_reads_gives_the_same_results(late, numpy_time):
    """The engine does not follow a state nothing reads at cycle 1 (dead, here); when a later
    cycle reads it (people leave it, or it gets a reward), the results are those of a run that
    follows every state (as with a trace). Written with Python's if (cycle by cycle) or numpy
    (blocks of cycles)."""

    def after_3(value, time):
        return np.where(time.cycle >= 4, value, 0.0) if numpy_time else (value if time.cycle >= 4 else 0.0)

    def transitions(p, strategy, time):
        back = after_3(0.2, time) if late == "row" else 0.0
        return {"well": {"well": C, "dead": p["p_die"]}, "dead": {"dead": C, "well": back}}

    def qaly(p, strategy, time):
        return {"well": 0.8, "dead": after_3(0.1, time)}

    def cost_stay_dead(p, strategy, time):
        return {("dead", "dead"): 50.0} if time.cycle >= 4 else {}

    model = MarkovModel(["well", "dead"], ["usual", "new"], transitions, start={"well": 1}, n_cycles=8,
                        state_rewards={"qaly": qaly if late == "state reward" else {"well": 0.8}},
                        transition_rewards={"cost_stay": cost_stay_dead} if late == "transition reward" else None)
    draws = psa_draws(5, seed=3)
    out, followed = model.run(draws), model.run(draws, trace=True)
    for name in out.data_vars:
        assert np.array_equal(out[name].values, followed[name].values), name
    assert out["qaly"].values.max() > 0


def test_vectorised_run_equals_one_sample_at_a_time():
    model, draws = psa_model(), psa_draws(8)
    out = model.run(draws)
    for i in (0, 5):
        one = model.run(draws.isel(sample=[i]))
        for name in ("cost", "qaly", "cost_care_undiscounted"):
            assert np.allclose(one[name].values[0], out[name].values[i], rtol=1e-13)


def test_trace_sums_to_one_and_mean_trace():
    model, draws = psa_model(), psa_draws(20)
    out = model.run(draws, trace=True)
    assert out["trace"].dims == ("sample", "strategy", "cycle", "state")
    assert np.allclose(out["trace"].sum("state"), 1.0, atol=1e-12)
    mean = model.run(draws, trace="mean")["trace"]
    assert mean.dims == ("strategy", "cycle", "state")
    assert np.allclose(mean, out["trace"].mean("sample"), rtol=1e-12)
    assert out["trace"].sel(cycle=0, state="well").values.tolist() == [[1.0] * 3] * 20


def random_matrix(k, seed):
    rng = np.random.default_rng(seed)
    return rng.dirichlet(np.ones(k), size=k)


@given(st.integers(2, 5), st.integers(1, 12), st.integers(0, 10_000), st.sampled_from(["end", "half-cycle", "simpson", "beginning"]))
def test_membership_sums_to_one_every_cycle(k, n_cycles, seed, method):
    states = [f"s{i}" for i in range(k)]
    matrix = random_matrix(k, seed)
    model = MarkovModel(states, ["a"], matrix.tolist(), start=np.eye(k)[0], n_cycles=n_cycles, correction=method,
                        state_rewards={"ly": {s: 1 for s in states}})
    out = model.run({}, trace=True)
    assert np.allclose(out["trace"].sum("state"), 1.0, atol=1e-12)
    # every rule credits exactly n_cycles years when no one leaves the model
    assert out["ly_undiscounted"].item() == pytest.approx(n_cycles, rel=1e-9)


@given(st.integers(1, 15), st.integers(0, 10_000))
def test_life_years_equal_sum_of_alive_trace(n_cycles, seed):
    p_die = np.random.default_rng(seed).uniform(0, 0.5, 4)
    model = MarkovModel(["alive", "dead"], ["a"], lambda p, s: {"alive": {"alive": C, "dead": p["p"]}, "dead": {"dead": 1}},
                        start={"alive": 1}, n_cycles=n_cycles, correction="none", discount_costs=0, discount_effects=0,
                        state_rewards={"ly": {"alive": 1}})
    out = model.run({"p": p_die}, trace=True)
    alive = out["trace"].sel(state="alive", strategy="a").isel(cycle=slice(1, None)).sum("cycle")
    assert np.allclose(out["ly"].values[:, 0], alive.values, rtol=1e-12)
    assert np.allclose(alive.values, ((1 - p_die)[:, None] ** np.arange(1, n_cycles + 1)).sum(1), rtol=1e-12)


@given(st.floats(0.01, 100.0), st.sampled_from(["end", "trapezoid", "simpson"]))
def test_scaling_costs_scales_every_cost_total(k, method):
    draws = psa_draws(5)
    base = psa_model(correction=method).run(draws)
    scaled_draws = draws.assign(c_sick=draws["c_sick"] * k)
    scaled = psa_model(
        correction=method,
        state_rewards={
            "cost_care": lambda p, s: {"well": 100.0 * k, "sick": p["c_sick"]},
            "cost_drug": lambda p, s: {"well": 500.0 * k if s == "new" else 0.0, "sick": 500.0 * k if s == "new" else 0.0},
            "qaly": lambda p, s: {"well": 0.9, "sick": p["u_sick"]},
            "ly": {"well": 1, "sick": 1},
        },
    ).run(scaled_draws)
    for name in ("cost", "cost_care", "cost_drug", "cost_undiscounted"):
        assert np.allclose(scaled[name].values, k * base[name].values, rtol=1e-12)
    assert np.allclose(scaled["qaly"].values, base["qaly"].values, rtol=1e-12)


@given(st.lists(st.sampled_from(["usual", "new", "other"]), min_size=1, max_size=3, unique=True))
def test_result_for_a_strategy_does_not_depend_on_the_others(chosen):
    model, draws = psa_model(), psa_draws(6)
    everything = model.run(draws)
    subset = model.run(draws, strategies=chosen)
    assert list(subset.strategy.values) == chosen
    for name in ("cost", "qaly", "ly_undiscounted"):
        assert np.array_equal(subset[name].values, everything[name].sel(strategy=chosen).values)


def test_time_homogeneous_and_time_dependent_paths_agree():
    static = psa_model()

    def dynamic_transitions(p, strategy, time):
        _ = time.cycle  # reading time makes the model re-evaluate each cycle
        return static.transitions.value(p, strategy)

    rewards = {
        "cost_care": lambda p, s, t: {"well": 100.0 + 0 * t.years, "sick": p["c_sick"]},
        "cost_drug": lambda p, s: {"well": 500.0 if s == "new" else 0.0, "sick": 500.0 if s == "new" else 0.0},
        "qaly": lambda p, s, t: {"well": 0.9 + 0 * t.cycle, "sick": p["u_sick"]},
        "ly": {"well": 1, "sick": 1},
    }
    dynamic = psa_model(state_rewards=rewards)
    dynamic.transitions.value = dynamic_transitions
    dynamic.transitions.takes_time = True
    draws = psa_draws(10)
    for method in ("half-cycle", "simpson", "beginning"):
        static.correction = dynamic.correction = method
        a, b = static.run(draws), dynamic.run(draws)
        for name in a.data_vars:
            assert np.allclose(a[name].values, b[name].values, rtol=1e-12), (method, name)


def test_how_often_functions_are_called_without_time_with_time_as_arrays_and_cycle_by_cycle():
    calls = {"static": 0, "blocks": 0, "dynamic": 0}

    def static(p, s):
        calls["static"] += 1
        return {"alive": {"alive": C, "dead": 0.1}, "dead": {"dead": 1}}

    def blocks(p, s, t):  # numpy on the time: called for blocks of cycles at once
        calls["blocks"] += 1
        return {"alive": {"alive": C, "dead": np.where(t.cycle < 3, 0.1, 0.2)}, "dead": {"dead": 1}}

    def dynamic(p, s, t):  # Python's if on the time: called cycle by cycle
        calls["dynamic"] += 1
        return {"alive": {"alive": C, "dead": 0.1 if t.cycle < 3 else 0.2}, "dead": {"dead": 1}}

    def takes_time_but_ignores_it(p, s, t):
        calls["ignores"] += 1
        return static(p, s)

    def tunnel_only(p, s, t):
        calls["tunnel"] += 1
        return {"alive": {"alive": C, "dead": 0.1 * t.in_state}, "dead": {"dead": 1}}

    calls.update(ignores=0, tunnel=0)
    out = {}
    for fn in (static, blocks, dynamic, takes_time_but_ignores_it):
        out[fn.__name__] = MarkovModel(["alive", "dead"], ["a", "b"], fn, start={"alive": 1}, n_cycles=5,
                                       state_rewards={"ly": {"alive": 1}}).run({"x": np.zeros(1000)})
    MarkovModel(["alive", "dead"], ["a", "b"], tunnel_only, start={"alive": 1}, n_cycles=5, tunnels={"alive": 3}).run({})
    # static: once per strategy (+2 from the wrapper); tunnel-only: once per strategy per tunnel
    # cycle, not per model cycle; time as arrays: cycle 1 alone, cycles 1-5 in one call, and cycle 5
    # alone (with cycle 1, the test of the block's ends); cycle by cycle: cycle 1, the block that
    # fails, cycles 2, 3, 4, 5
    assert calls == {"static": 4, "blocks": 6, "dynamic": 12, "ignores": 2, "tunnel": 6}
    assert np.array_equal(out["blocks"]["ly"].values, out["dynamic"]["ly"].values)


def test_age_and_start_override():
    seen = []

    def transitions(p, s, t):
        seen.append(t.age)
        return {"alive": {"alive": C, "dead": 0.01 * (t.age - 59)}, "dead": {"dead": 1}}

    model = MarkovModel(["alive", "dead"], ["a"], transitions, start={"alive": 1}, n_cycles=3, start_age=60,
                        correction="end", state_rewards={"ly": {"alive": 1}}, discount_effects=0)
    assert model.run({})["ly"].item() == pytest.approx(0.99 + 0.99 * 0.98 + 0.99 * 0.98 * 0.97)
    # cycle 1 alone; cycles 1-3 as a block (a column of ages); cycle 3 alone, to test the block's end
    assert [np.asarray(age).tolist() for age in seen] == [60.0, [[60.0], [61.0], [62.0]], 62.0]
    assert model.run({}, start="dead")["ly"].item() == 0.0
    half = model.run({}, start={"alive": 0.5, "dead": 0.5})
    assert half["ly"].item() == pytest.approx((0.99 + 0.99 * 0.98 + 0.99 * 0.98 * 0.97) / 2)
    per_sample = model.run({"x": np.zeros(2)}, start=np.array([[1.0, 0.0], [0.0, 1.0]]))
    assert per_sample["ly"].values[:, 0] == pytest.approx([0.99 + 0.99 * 0.98 + 0.99 * 0.98 * 0.97, 0.0])


def test_run_accepts_parameters_draws():
    from healthecon.distributions import Beta
    from healthecon.params import Parameters

    params = Parameters(p_sick=Beta(20, 80), p_die=Beta(10, 90), rr=0.7, c_sick=3000.0, u_sick=0.6)
    out = psa_model().run(params.sample(30, seed=3))
    assert out.sizes["sample"] == 30
    base = psa_model().run(params.base_case())
    assert base.sizes["sample"] == 1


# --------------------------------------------------------------------------- tunnels
def test_tunnel_matches_hand_expanded_model():
    def tunnel(p, s, t):
        die = 0.3 if t.in_state == 1 else 0.1
        return {"well": {"well": C, "post": 0.2}, "post": {"post": C, "dead": die}, "dead": {"dead": 1}}

    rewards = {"cost_care": lambda p, s, t: {"post": 1000.0 if t.in_state == 1 else 200.0}, "ly": {"well": 1, "post": 1}}
    tunnelled = MarkovModel(["well", "post", "dead"], ["a"], tunnel, start={"well": 1}, n_cycles=8, tunnels={"post": 2},
                            state_rewards=rewards, correction="half-cycle")
    expanded_matrix = {
        "well": {"well": C, "post1": 0.2},
        "post1": {"post2": C, "dead": 0.3},
        "post2": {"post2": C, "dead": 0.1},
        "dead": {"dead": 1},
    }
    expanded = MarkovModel(["well", "post1", "post2", "dead"], ["a"], expanded_matrix, start={"well": 1}, n_cycles=8,
                           state_rewards={"cost_care": {"post1": 1000.0, "post2": 200.0}, "ly": {"well": 1, "post1": 1, "post2": 1}},
                           correction="half-cycle")
    a, b = tunnelled.run({}, trace=True), expanded.run({}, trace=True)
    for name in ("cost", "ly", "cost_undiscounted"):
        assert a[name].item() == pytest.approx(b[name].item(), rel=1e-12)
    assert list(a["trace"].state.values) == ["well", "post", "dead"]
    post = b["trace"].sel(state=["post1", "post2"]).sum("state")
    assert np.allclose(a["trace"].sel(state="post").values, post.values, rtol=1e-12)


def test_tunnel_transition_error_names_time_in_state():
    def tunnel(p, s, t):
        return {"well": {"well": C, "post": 0.2}, "post": {"post": C, "dead": 1.5 if t.in_state == 2 else 0.1}, "dead": {"dead": 1}}

    model = MarkovModel(["well", "post", "dead"], ["a"], tunnel, start={"well": 1}, n_cycles=3, tunnels={"post": 3})
    with pytest.raises(TransitionError, match=r"strategy 'a', cycle 1, time in state 2, from 'post' to 'dead'"):
        model.run({})


# --------------------------------------------------------------------------- validation
def failing(entry, strategy="new", cycle=3, **kw):
    """A 3-state model whose matrix is broken by ``entry`` for ``strategy`` from ``cycle``."""

    def transitions(p, s, t):
        matrix = {"well": {"well": C, "sick": p["p"]}, "sick": {"sick": C, "dead": 0.1}, "dead": {"dead": 1}}
        if s == strategy and t.cycle >= cycle:
            matrix = entry(matrix, p)
        return matrix

    return MarkovModel(["well", "sick", "dead"], ["usual", "new"], transitions, start={"well": 1}, n_cycles=5, **kw)


DRAWS = {"p": np.array([0.1, 0.2, 0.3, 0.4])}


def with_sample(value, at):
    out = np.full(4, 0.1)
    out[at] = value
    return out


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (lambda m, p: {**m, "sick": {"sick": C, "dead": with_sample(1.2, 2)}},
         r"strategy 'new', cycle 3, from 'sick' to 'dead': expected a probability in \[0, 1\], got 1.2 at sample 2"),
        (lambda m, p: {**m, "sick": {"sick": C, "dead": with_sample(-0.1, 1)}},
         r"strategy 'new', cycle 3, from 'sick' to 'dead': expected a probability in \[0, 1\], got -0.1 at sample 1"),
        (lambda m, p: {**m, "sick": {"sick": C, "dead": with_sample(np.nan, 3)}},
         r"strategy 'new', cycle 3, from 'sick' to 'dead': probability is NaN at sample 3"),
        (lambda m, p: {**m, "well": {"well": C, "sick": p["p"] * 2, "dead": 0.5}},
         r"strategy 'new', cycle 3, from 'well' to 'well': the complement is negative \(-0.1 in sample 2\): the other entries of the row sum to 1.1 in sample 2, more than 1"),
        (lambda m, p: {**m, "sick": {"sick": 0.5, "dead": 0.4}},
         r"strategy 'new', cycle 3, from 'sick': row sums to 0.9, expected 1 \(absolute tolerance 1e-09\)"),
        (lambda m, p: {**m, "sick": {"sick": C, "dead": C}},
         r"strategy 'new', cycle 3, from 'sick': more than one complement \(C\) in the row \(to 'sick', 'dead'\)"),
        (lambda m, p: {"well": m["well"], "sick": m["sick"]},
         r"strategy 'new', cycle 3: no row given for from-state 'dead'"),
    ],
)
def test_transition_errors_name_strategy_cycle_from_to_and_sample(entry, message):
    with pytest.raises(TransitionError, match=message):
        failing(entry).run(DRAWS)


def test_errors_in_first_cycle_of_other_strategy():
    with pytest.raises(TransitionError, match=r"strategy 'usual', cycle 1, from 'sick' to 'dead'"):
        failing(lambda m, p: {**m, "sick": {"sick": C, "dead": 2.0}}, strategy="usual", cycle=1).run(DRAWS)


def test_row_sum_tolerance_is_absolute_1e9():
    ok = failing(lambda m, p: {**m, "sick": {"sick": 0.5, "dead": 0.5 + 5e-10}})
    ok.run(DRAWS)
    with pytest.raises(TransitionError, match="row sums to"):
        failing(lambda m, p: {**m, "sick": {"sick": 0.5, "dead": 0.5 + 5e-9}}).run(DRAWS)


def test_unknown_names():
    with pytest.raises(UnknownNameError, match=r"strategy 'new', cycle 3: unknown state 'sik'; expected one of: 'well', 'sick', 'dead'"):
        failing(lambda m, p: {**m, "sik": {"dead": 1}}).run(DRAWS)
    with pytest.raises(UnknownNameError, match=r"strategy 'new', cycle 3, from 'well': unknown state 'ded'"):
        failing(lambda m, p: {**m, "well": {"well": C, "ded": 0.1}}).run(DRAWS)
    with pytest.raises(UnknownNameError, match=r"unknown strategy 'nwe'; expected one of: 'usual', 'new'"):
        failing(lambda m, p: m).run(DRAWS, strategies=["nwe"])
    with pytest.raises(UnknownNameError, match=r"unknown parameter 'p'; expected one of: 'q'"):
        failing(lambda m, p: m).run({"q": np.zeros(2)})
    with pytest.raises(UnknownNameError, match=r"unknown state 'ill'"):
        MarkovModel(["well", "dead"], ["a"], [[C, 0.1], [0, 1]], start={"ill": 1}, n_cycles=2)
    # a function's result is checked when it is evaluated, naming strategy and cycle
    with pytest.raises(UnknownNameError, match=r"state reward 'ly', strategy 'a', cycle 1: unknown state 'sik'"):
        MarkovModel(["well", "dead"], ["a"], [[C, 0.1], [0, 1]], start={"well": 1}, n_cycles=2,
                    state_rewards={"ly": lambda p, s: {"sik": 1}}).run({})
    with pytest.raises(UnknownNameError, match=r"transition reward 'cost_x', strategy 'a', cycle 1: unknown state 'ill'; expected one of: 'well', 'dead', '\*'"):
        MarkovModel(["well", "dead"], ["a"], [[C, 0.1], [0, 1]], start={"well": 1}, n_cycles=2,
                    transition_rewards={"cost_x": lambda p, s: {("ill", "dead"): 1}}).run({})
    with pytest.raises(UnknownNameError, match=r"initial reward 'cost_x': unknown strategy 'b'; expected one of: 'a'"):
        MarkovModel(["well", "dead"], ["a"], [[C, 0.1], [0, 1]], start={"well": 1}, n_cycles=2,
                    initial_rewards={"cost_x": lambda p, s: {"b": 1}}).run({})


def test_shape_errors():
    with pytest.raises(ShapeError, match=r"strategy 'new', cycle 3, from 'sick' to 'dead': expected a number or an array of shape \(4,\)"):
        failing(lambda m, p: {**m, "sick": {"sick": C, "dead": np.full(3, 0.1)}}).run(DRAWS)
    with pytest.raises(ShapeError, match="expected a 3 x 3 matrix"):
        MarkovModel(["a", "b", "c"], ["s"], [[1, 0], [0, 1]], start={"a": 1}, n_cycles=1).run({})
    with pytest.raises(ShapeError, match="starting distribution: expected 2 proportions"):
        MarkovModel(["a", "b"], ["s"], [[1, 0], [0, 1]], start=[1, 0, 0], n_cycles=1)
    with pytest.raises(ShapeError, match="parameter draws have no 'sample' dimension"):
        failing(lambda m, p: m).run(xr.Dataset({"p": ("draw", np.zeros(3))}))


def test_definition_errors():
    matrix = [[C, 0.1], [0, 1]]
    with pytest.raises(ModelDefinitionError, match=r"^starting distribution: proportions sum to 0.9, expected 1 \(tolerance 1e-09\)$"):
        MarkovModel(["a", "b"], ["s"], matrix, start={"a": 0.5, "b": 0.4}, n_cycles=1)
    with pytest.raises(ModelDefinitionError, match="reward name 'cost' is reserved"):
        MarkovModel(["a", "b"], ["s"], matrix, start={"a": 1}, n_cycles=1, state_rewards={"cost": {"a": 1}})
    with pytest.raises(ModelDefinitionError, match="cycle_length"):
        MarkovModel(["a", "b"], ["s"], matrix, start={"a": 1}, n_cycles=1, cycle_length=0)
    with pytest.raises(ModelDefinitionError, match="a function must take"):
        MarkovModel(["a", "b"], ["s"], lambda p: matrix, start={"a": 1}, n_cycles=1)
    with pytest.raises(ModelDefinitionError, match="no start_age"):
        MarkovModel(["a", "b"], ["s"], lambda p, s, t: [[C, 0.001 * t.age], [0, 1]], start={"a": 1}, n_cycles=1).run({})
    with pytest.raises(TransitionError, match="use the object healthecon.markov.C"):
        MarkovModel(["a", "b"], ["s"], [["C", 0.1], [0, 1]], start={"a": 1}, n_cycles=1)


def test_parameters_object_instead_of_draws_is_explained():
    from healthecon.params import Parameters

    with pytest.raises(ShapeError, match=r"pass params.sample\(n, seed\) or params.base_case\(\)"):
        psa_model().run(Parameters(p_sick=0.1))


def test_markov_model_on_a_decision_tree_leaf():
    from healthecon.tree import Chance, Decision, DecisionTree, MarkovLeaf, Terminal

    model, draws = psa_model(), psa_draws(7)
    leaf = MarkovLeaf(model, "new", {"sick": 1})
    tree = DecisionTree(Decision({"treat": Chance([("ok", 1.0, Terminal(markov=leaf, cost_test=10.0))])}))
    out = tree.run(draws)
    direct = model.run(draws, strategies=["new"], start={"sick": 1})
    assert np.allclose(out["qaly"].values[:, 0], direct["qaly"].values[:, 0], rtol=1e-12)
    assert np.allclose(out["cost"].values[:, 0], direct["cost"].values[:, 0] + 10.0, rtol=1e-12)


def test_bad_discount_rate_names_which_one():
    with pytest.raises(ParameterError, match="discount_effects: discount rate"):
        MarkovModel(["a", "b"], ["s"], [[C, 0.1], [0, 1]], start={"a": 1}, n_cycles=1, discount_effects=-2)


# --------------------------------------------------------------------------- parameter names
def named_model(**kw):
    """psa_model's model, written with parameter names (strings) wherever possible."""
    options = dict(
        start={"well": 1},
        n_cycles=10,
        state_rewards={
            "cost_care": {"well": 100.0, "sick": "c_sick"},
            "cost_drug": lambda p, s: {"well": 500.0 if s == "new" else 0.0, "sick": 500.0 if s == "new" else 0.0},
            "qaly": {"well": 0.9, "sick": "u_sick"},
            "ly": {"well": 1, "sick": 1},
        },
    )
    options.update(kw)

    def transitions(p, strategy):
        return {
            "well": {"well": C, "sick": p["p_sick"] * p["rr"] if strategy == "new" else "p_sick", "dead": 0.01},
            "sick": {"well": 0.1, "sick": C, "dead": "p_die"},
            "dead": {"dead": 1},
        }

    return MarkovModel(["well", "sick", "dead"], ["usual", "new", "other"], transitions, **options)


def test_parameter_names_give_the_same_results_as_functions():
    draws = psa_draws(20)
    expected, got = psa_model().run(draws), named_model().run(draws)
    for name in ("cost", "cost_care", "qaly", "ly"):
        assert np.array_equal(got[name].values, expected[name].values), name


def test_parameter_names_in_a_constant_matrix_and_every_reward_kind():
    draws = {"p_sick": np.array([0.1, 0.3]), "u_well": np.array([0.9, 0.8]), "c_death": np.array([1000.0, 2000.0]),
             "c_drug": np.array([50.0, 70.0]), "C_total": np.array([5.0, 5.0])}
    names = MarkovModel(
        ["well", "sick", "dead"], ["usual", "new"],
        {"well": {"well": C, "sick": "p_sick"}, "sick": {"dead": 1}, "dead": {"dead": 1}},
        start={"well": 1}, n_cycles=2, correction="end", discount_costs=0, discount_effects=0,
        state_rewards={"qaly": {"well": "u_well"}},
        transition_rewards={"cost_death": {("*", "dead"): "c_death"}},
        initial_rewards={"cost_drug": {"new": "c_drug"}, "cost_admin": "C_total"})
    assert names.parameters == ("p_sick", "u_well", "c_death", "c_drug", "C_total")
    out = names.run(draws)
    p, u = draws["p_sick"], draws["u_well"]
    assert np.allclose(out["qaly"].sel(strategy="usual").values, u * ((1 - p) + (1 - p) ** 2))
    # deaths in cycle 2: those who fell sick in cycle 1
    assert np.allclose(out["cost_death"].sel(strategy="usual").values, p * draws["c_death"])
    assert np.allclose(out["cost_drug"].values, np.stack([[0, 0], draws["c_drug"]], axis=1))
    assert np.allclose(out["cost_admin"].values, 5.0)
    # nested lists take names too; so do the values functions return
    lists = MarkovModel(["well", "sick", "dead"], ["usual", "new"], [[C, "p_sick", 0], [0, 0, 1], [0, 0, 1]],
                        start={"well": 1}, n_cycles=2, correction="end", discount_effects=0,
                        state_rewards={"qaly": lambda p, s: {"well": "u_well"}})
    assert np.array_equal(lists.run(draws)["qaly"].values, out["qaly"].values)


def test_unknown_parameter_names_say_where_and_list_the_known_ones():
    known = r"expected one of: 'p_sick', 'p_die', 'rr', 'c_sick', 'u_sick'"
    draws = psa_draws(3)
    cases = [
        (dict(state_rewards={"qaly": {"well": "u_wel"}}),
         r"state reward 'qaly', strategy 'usual', cycle 1, state 'well': unknown parameter 'u_wel'; " + known),
        (dict(state_rewards={"qaly": lambda p, s: {"sick": "u_sik"}}),
         r"state reward 'qaly', strategy 'usual', cycle 1, state 'sick': unknown parameter 'u_sik'; " + known),
        (dict(transition_rewards={"cost_death": {("sick", "dead"): "c_deth"}}),
         r"transition reward 'cost_death', strategy 'usual', cycle 1, from 'sick' to 'dead': unknown parameter 'c_deth'; " + known),
        (dict(initial_rewards={"cost_drug": {"new": "c_drg"}}),
         r"initial reward 'cost_drug', strategy 'new': unknown parameter 'c_drg'; " + known),
    ]
    for options, message in cases:
        with pytest.raises(UnknownNameError, match=message):
            named_model(**options).run(draws)
    constant = MarkovModel(["well", "dead"], ["a", "b"], {"well": {"well": C, "dead": "p_dead"}, "dead": {"dead": 1}},
                           start={"well": 1}, n_cycles=1)
    with pytest.raises(UnknownNameError, match=r"strategy 'a', cycle 1, from 'well' to 'dead': unknown parameter 'p_dead'; expected one of: 'p_die'"):
        constant.run({"p_die": np.array([0.1])})


def test_parameter_values_are_checked_as_probabilities_and_finite_numbers():
    model = MarkovModel(["well", "dead"], ["a"], {"well": {"well": C, "dead": "p"}, "dead": {"dead": 1}},
                        start={"well": 1}, n_cycles=1, state_rewards={"qaly": {"well": "u"}})
    with pytest.raises(TransitionError, match=r"strategy 'a', cycle 1, from 'well' to 'dead': expected a probability in \[0, 1\], got 1.5 at sample 1"):
        model.run({"p": np.array([0.1, 1.5]), "u": np.array([1.0, 1.0])})
    with pytest.raises(ModelDefinitionError, match=r"state reward 'qaly', strategy 'a', cycle 1, state 'well': expected finite numbers, got nan at sample 0"):
        model.run({"p": np.array([0.1, 0.1]), "u": np.array([np.nan, 1.0])})


@pytest.mark.parametrize("lookalike", ["C"])
def test_complement_lookalike_strings_are_refused_even_if_a_parameter_has_that_name(lookalike):
    with pytest.raises(TransitionError, match=rf"transitions, from 'well' to 'well': got the string '{lookalike}'; use the object healthecon.markov.C \(or the string '#'\)"):
        MarkovModel(["well", "dead"], ["a"], {"well": {"well": lookalike, "dead": 0.1}, "dead": {"dead": 1}}, start={"well": 1}, n_cycles=1)
    model = MarkovModel(["well", "dead"], ["a"], lambda p, s: {"well": {"well": lookalike, "dead": 0.1}, "dead": {"dead": 1}},
                        start={"well": 1}, n_cycles=1)
    with pytest.raises(TransitionError, match=rf"strategy 'a', cycle 1, from 'well' to 'well': got the string '{lookalike}'"):
        model.run({"C": np.array([0.9])})
    # a parameter named C can still be read by a reward or by a function
    ok = MarkovModel(["well", "dead"], ["a"], lambda p, s: {"well": {"well": C, "dead": p["C"]}, "dead": {"dead": 1}},
                     start={"well": 1}, n_cycles=1, correction="end", discount_effects=0, state_rewards={"ly": {"well": "C"}})
    assert ok.run({"C": np.array([0.25])})["ly"].item() == pytest.approx(0.75 * 0.25, rel=1e-12)


# --------------------------------------------------------------------------- checks at construction
def build(transitions, **kw):
    return MarkovModel(["well", "sick", "dead"], ["usual", "new"], transitions, start={"well": 1}, n_cycles=2, **kw)


GOOD = {"well": {"well": C, "sick": 0.1}, "sick": {"sick": C, "dead": 0.2}, "dead": {"dead": 1}}


@pytest.mark.parametrize(
    ("transitions", "error", "message"),
    [
        ({**GOOD, "sik": {"dead": 1}}, UnknownNameError, r"^transitions: unknown state 'sik'; expected one of: 'well', 'sick', 'dead'$"),
        ({**GOOD, "well": {"well": C, "ded": 0.1}}, UnknownNameError, r"^transitions, from 'well': unknown state 'ded'"),
        ({"well": GOOD["well"], "sick": GOOD["sick"]}, TransitionError, r"transitions: no row given for from-state 'dead'"),
        ({**GOOD, "sick": {"sick": 0.5, "dead": 0.4}}, TransitionError, r"transitions, from 'sick': row sums to 0.9, expected 1"),
        ({**GOOD, "sick": {"sick": C, "dead": 1.2}}, TransitionError, r"transitions, from 'sick' to 'dead': expected a probability in \[0, 1\], got 1.2"),
        ({**GOOD, "sick": {"sick": C, "dead": float("nan")}}, TransitionError, r"transitions, from 'sick' to 'dead': probability is NaN"),
        ({**GOOD, "sick": {"sick": C, "dead": C}}, TransitionError, r"transitions, from 'sick': more than one complement \(C\)"),
        ({**GOOD, "well": {"well": C, "sick": 0.75, "dead": 0.5}}, TransitionError, r"transitions, from 'well' to 'well': the complement is negative \(-0.25\): the other entries of the row sum to 1.25"),
        # rows with parameter names: numbers, arrays and C are still checked
        ({**GOOD, "well": {"well": C, "sick": "p", "dead": -0.1}}, TransitionError, r"transitions, from 'well' to 'dead': expected a probability in \[0, 1\], got -0.1"),
        ({**GOOD, "well": {"well": C, "sick": "p", "dead": np.array([0.1, 1.1])}}, TransitionError, r"transitions, from 'well' to 'dead': expected a probability in \[0, 1\], got 1.1 at sample 1"),
        ({**GOOD, "well": {"well": C, "sick": "p", "dead": C}}, TransitionError, r"transitions, from 'well': more than one complement"),
        ({**GOOD, "well": {"well": 0.5, "sick": "p", "dead": 0.75}}, TransitionError, r"transitions, from 'well': the numbers in the row already sum to 1.25, more than 1"),
        ([[C, 0.1, 0], [0, 1], [0, 0, 1]], ShapeError, r"transitions, from 'sick': expected a row of 3 entries"),
    ],
)
def test_a_constant_matrix_is_checked_when_the_model_is_built(transitions, error, message):
    with pytest.raises(error, match=message):
        build(transitions)


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        (dict(state_rewards={"ly": {"sik": 1}}), UnknownNameError, r"^state reward 'ly': unknown state 'sik'; expected one of: 'well', 'sick', 'dead'$"),
        (dict(state_rewards={"ly": 1}), ModelDefinitionError, r"state reward 'ly': expected a mapping \{state: value per year\}, got int"),
        (dict(state_rewards={"qaly": {"well": float("inf")}}), ModelDefinitionError, r"state reward 'qaly', state 'well': expected finite numbers, got inf"),
        (dict(state_rewards={"qaly": {"well": C}}), ModelDefinitionError, r"state reward 'qaly', state 'well': the complement \(C\) is only for transition probabilities"),
        (dict(state_rewards={"qaly": {"well": "#"}}), ModelDefinitionError, r"state reward 'qaly', state 'well': the complement \('#'\) is only for transition probabilities"),
        (dict(transition_rewards={"cost_x": {("ill", "dead"): 1}}), UnknownNameError, r"^transition reward 'cost_x': unknown state 'ill'; expected one of: 'well', 'sick', 'dead', '\*'$"),
        (dict(transition_rewards={"cost_x": {("well", "ded"): 1}}), UnknownNameError, r"^transition reward 'cost_x': unknown state 'ded'"),
        (dict(transition_rewards={"cost_x": {"dead": 1}}), ModelDefinitionError, r"transition reward 'cost_x': keys must be \(from_state, to_state\) pairs, got 'dead'"),
        (dict(transition_rewards={"cost_x": {("*", "dead"): np.nan}}), ModelDefinitionError, r"transition reward 'cost_x', from '\*' to 'dead': expected finite numbers, got nan"),
        (dict(initial_rewards={"cost_x": {"nwe": 1}}), UnknownNameError, r"^initial reward 'cost_x': unknown strategy 'nwe'; expected one of: 'usual', 'new'$"),
        (dict(initial_rewards={"cost_x": {"new": "ten"}}, state_rewards={"ly": {"well": [[1]]}}), ShapeError, r"state reward 'ly', state 'well': expected a number, a parameter name or an array"),
        (dict(transition_rewards={"cost_x": {("*", "dead"): []}}), ShapeError, r"transition reward 'cost_x', from '\*' to 'dead': expected a number, a parameter name or an array of shape \(n_samples,\), got shape \(0,\)"),
        (dict(initial_rewards={"cost_x": {"new": "ten"}, "cost_y": {"new": [1, "x"]}}), ParameterError, r"initial reward 'cost_y', strategy 'new': expected a number, a parameter name or an array of numbers \(one per sample\), got \[1, 'x'\]"),
    ],
)
def test_constant_reward_mappings_are_checked_when_the_model_is_built(options, error, message):
    with pytest.raises(error, match=message):
        build(GOOD, **options)


def test_a_function_returning_something_else_is_told_what_is_accepted():
    model = build(GOOD, state_rewards={"qaly": lambda p, s: {"well": None}})
    with pytest.raises(ParameterError, match=r"state reward 'qaly', strategy 'usual', cycle 1, state 'well': expected a number, a parameter name or an array of numbers \(one per sample\), got None"):
        model.run({})
    with pytest.raises(ParameterError, match=r"state reward 'qaly', state 'well': expected a number, a parameter name .*, got None"):
        build(GOOD, state_rewards={"qaly": {"well": None}})


def test_functions_are_still_checked_only_when_run():
    model = build(lambda p, s: {**GOOD, "sick": {"sick": 0.5, "dead": 0.4}}, state_rewards={"ly": lambda p, s: {"sik": 1}})
    with pytest.raises(TransitionError, match=r"strategy 'usual', cycle 1, from 'sick': row sums to 0.9"):
        model.run({})


# --------------------------------------------------------------------------- starting distribution with names
def cured_model(start, **kw):
    """Well/sick/dead; the cohort's ly over 1 cycle ('end' correction) is the share not dead."""
    return MarkovModel(["well", "sick", "dead"], ["a"], {"well": {"well": 1}, "sick": {"sick": C, "dead": 0.5}, "dead": {"dead": 1}},
                       start=start, n_cycles=1, correction="end", discount_effects=0,
                       state_rewards={"ly": {"well": 1, "sick": 1}}, **kw)


def test_start_accepts_parameter_names_and_the_complement_like_a_tree_leaf():
    model = cured_model({"well": "p_cured", "sick": C})
    assert model.parameters == ("p_cured",)
    draws = {"p_cured": np.array([0.2, 0.6])}
    # ly = p_cured + (1 - p_cured) * 0.5
    assert model.run(draws)["ly"].values[:, 0].tolist() == pytest.approx([0.6, 0.8])
    # the same start given to run(), and with an array or a number
    fixed = cured_model("well")
    assert fixed.run(draws, start={"well": "p_cured", "sick": C})["ly"].values[:, 0].tolist() == pytest.approx([0.6, 0.8])
    assert fixed.run(draws, start={"well": np.array([0.2, 0.6]), "sick": C})["ly"].values[:, 0].tolist() == pytest.approx([0.6, 0.8])
    assert fixed.run(draws, start={"well": 0.25, "sick": C})["ly"].values[:, 0].tolist() == pytest.approx([0.625, 0.625])
    # a per-sample mapping without names is resolved when the model is built
    arrays = cured_model({"well": np.array([0.2, 0.6]), "sick": np.array([0.8, 0.4])})
    assert arrays.start.shape == (2, 3)
    assert arrays.run(draws)["ly"].values[:, 0].tolist() == pytest.approx([0.6, 0.8])
    # names and numbers together, no complement: checked per sample when run
    mixed = cured_model({"well": "p_cured", "sick": 0.4})
    assert mixed.run({"p_cured": np.array([0.6])})["ly"].item() == pytest.approx(0.8)


@pytest.mark.parametrize(
    ("start", "draws", "error", "message"),
    [
        ({"well": "p_cured", "sick": C}, {"p_cured": np.array([0.2, 1.2])}, ModelDefinitionError,
         r"^starting distribution, state 'well': expected a proportion in \[0, 1\], got 1.2 in sample 1$"),
        ({"well": "p_cured", "sick": C}, {"p_cured": np.array([np.nan, 0.2])}, ModelDefinitionError,
         r"^starting distribution, state 'well': expected a proportion in \[0, 1\], got nan in sample 0$"),
        ({"well": "p_cured", "sick": "p_sick", "dead": C}, {"p_cured": np.array([0.5, 0.7]), "p_sick": np.array([0.5, 0.4])},
         ModelDefinitionError,
         r"^starting distribution, state 'dead': the complement is negative \(-0.1 in sample 1\): the other states sum to 1.1 in sample 1, more than 1 \(tolerance 1e-09\)$"),
        ({"well": "p_cured", "sick": 0.4}, {"p_cured": np.array([0.6, 0.5])}, ModelDefinitionError,
         r"^starting distribution: proportions sum to 0.9 in sample 1, expected 1 \(tolerance 1e-09\)$"),
        ({"well": "p_cure", "sick": C}, {"p_cured": np.array([0.5])}, UnknownNameError,
         r"^starting distribution, state 'well': unknown parameter 'p_cure'; expected one of: 'p_cured'$"),
        ({"well": "p_cured", "sick": C}, {"p_cured": np.array([[0.5, 0.5]])}, ShapeError, r"parameter 'p_cured': expected shape"),
    ],
)
def test_a_start_naming_parameters_is_checked_per_sample_when_run(start, draws, error, message):
    model = cured_model(start)
    with pytest.raises(error, match=message):
        model.run(draws)
    with pytest.raises(error, match=message):
        cured_model("well").run(draws, start=start)


@pytest.mark.parametrize(
    ("start", "error", "message"),
    [
        ({"well": "p", "sick": C, "dead": C}, ModelDefinitionError,
         r"^starting distribution: more than one state takes the complement C \('sick', 'dead'\); at most one may$"),
        ({"well": "p", "sick": 0.75, "dead": 0.5}, ModelDefinitionError,
         r"^starting distribution: the numbers already sum to 1.25, more than 1 \(tolerance 1e-09\)$"),
        ({"well": "p", "sick": -0.1}, ModelDefinitionError, r"^starting distribution, state 'sick': expected a proportion in \[0, 1\], got -0.1$"),
        ({"well": 0.75, "sick": 0.5, "dead": C}, ModelDefinitionError,
         r"^starting distribution, state 'dead': the complement is negative \(-0.25\): the other states sum to 1.25, more than 1"),
        ({"well": np.array([0.2, 1.5]), "sick": C}, ModelDefinitionError,
         r"^starting distribution, state 'well': expected a proportion in \[0, 1\], got 1.5 in sample 1$"),
        ({"well": np.array([0.2, 0.5]), "sick": np.array([0.8, 0.4])}, ModelDefinitionError,
         r"^starting distribution: proportions sum to 0.9 in sample 1, expected 1"),
        ({"well": np.array([0.2, 0.5]), "sick": np.array([0.8, 0.4, 0.0])}, ShapeError,
         r"^starting distribution: arrays have different lengths \[2, 3\]"),
        ({"well": "p", "sick": [[0.5]]}, ShapeError, r"^starting distribution, state 'sick': expected a number, a parameter name or an array of shape \(n_samples,\)"),
        ({"wel": "p", "sick": C}, UnknownNameError, r"^starting distribution: unknown state 'wel'; expected one of: 'well', 'sick', 'dead'$"),
        ({"well": "C"}, ModelDefinitionError, r"^starting distribution, state 'well': got the string 'C'; use the object healthecon.markov.C"),
        (np.array([[1.0, 0, 0], [0.5, 0.6, 0]]), ModelDefinitionError,
         r"^starting distribution: proportions sum to 1.1 in sample 1, expected 1 \(tolerance 1e-09\)$"),
    ],
)
def test_a_start_is_checked_as_far_as_it_can_be_when_the_model_is_built(start, error, message):
    with pytest.raises(error, match=message):
        cured_model(start)


def test_a_per_sample_start_must_match_the_draws():
    model = cured_model({"well": np.array([0.2, 0.6]), "sick": C})
    with pytest.raises(ShapeError, match=r"starting distribution: has 2 rows but the draws have 3 samples"):
        model.run({"x": np.zeros(3)})
    with pytest.raises(ShapeError, match=r"starting distribution, state 'well': expected a number, a parameter name or an array of shape \(3,\)"):
        cured_model("well").run({"x": np.zeros(3)}, start={"well": np.array([0.2, 0.6]), "sick": C})


# --------------------------------------------------------------------------- "#" for the complement (TreeAge)
def test_the_string_hash_is_the_complement_as_in_trees():
    def ly(transitions, **kw):
        model = MarkovModel(["well", "sick", "dead"], ["a"], transitions, start={"well": 1}, n_cycles=3, correction="end",
                            discount_effects=0, state_rewards={"ly": {"well": 1, "sick": 1}}, **kw)
        return model.run({"p": np.array([0.1, 0.3])})["ly"].values[:, 0]

    with_c = ly({"well": {"well": C, "sick": "p"}, "sick": {"sick": C, "dead": 0.2}, "dead": {"dead": 1}})
    constant = ly({"well": {"well": "#", "sick": "p"}, "sick": {"sick": "#", "dead": 0.2}, "dead": {"dead": 1}})
    nested = ly([["#", "p", 0], [0, "#", 0.2], [0, 0, 1]])
    function = ly(lambda p, s: {"well": {"well": "#", "sick": p["p"]}, "sick": {"sick": "#", "dead": 0.2}, "dead": {"dead": 1}})
    np.testing.assert_array_equal(constant, with_c)
    np.testing.assert_array_equal(nested, with_c)
    np.testing.assert_array_equal(function, with_c)
    # "#" is not a parameter name; a start may take it too
    model = MarkovModel(["well", "dead"], ["a"], {"well": {"well": "#", "dead": "p"}, "dead": {"dead": "#"}},
                        start={"well": "q", "dead": "#"}, n_cycles=1, correction="end", discount_effects=0, state_rewards={"ly": {"well": 1}})
    assert model.parameters == ("p", "q")
    assert model.run({"p": np.array([0.5]), "q": np.array([0.5])})["ly"].item() == pytest.approx(0.25)


@pytest.mark.parametrize(
    ("transitions", "message"),
    [
        ({**GOOD, "sick": {"sick": "#", "dead": C}}, r"^transitions, from 'sick': more than one complement \(C\) in the row \(to 'sick', 'dead'\)"),
        ({**GOOD, "sick": {"sick": "#", "dead": "#"}}, r"^transitions, from 'sick': more than one complement \(C\)"),
        ({**GOOD, "well": {"well": "#", "sick": 0.75, "dead": 0.5}}, r"^transitions, from 'well' to 'well': the complement is negative \(-0.25\): the other entries of the row sum to 1.25"),
    ],
)
def test_hash_complements_are_checked_like_c(transitions, message):
    with pytest.raises(TransitionError, match=message):
        build(transitions)
    with pytest.raises(TransitionError, match=message.replace("^transitions", "^strategy 'usual', cycle 1")):
        build(lambda p, s: transitions).run({})


# --------------------------------------------------------------------------- a parameter read by a function, missing
READ_KNOWN = r"; expected one of: 'p_sick', 'p_die'$"


def reads(**kw):
    return MarkovModel(["well", "sick", "dead"], ["usual", "new"], kw.pop("transitions", lambda p, s: GOOD), start={"well": 1},
                       n_cycles=4, **kw)


def sick_probability(p, strategy):
    return {**GOOD, "well": {"well": C, "sick": p["p_sik"]}}


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (dict(transitions=lambda p, s: {**GOOD, "sick": {"sick": C, "dead": p["p_ded"]}}),
         r"^transitions, strategy 'usual', cycle 1: the function reads p\['p_ded'\]: unknown parameter 'p_ded'"),
        (dict(transitions=sick_probability),
         r"^transitions, strategy 'usual', cycle 1: the function sick_probability\(\) reads p\['p_sik'\]: unknown parameter 'p_sik'"),
        # only the new strategy reads it, from cycle 3
        (dict(transitions=lambda p, s, t: {**GOOD, "sick": {"sick": C, "dead": p["p_late"] if s == "new" and t.cycle >= 3 else 0.1}}),
         r"^transitions, strategy 'new', cycle 3: the function reads p\['p_late'\]: unknown parameter 'p_late'"),
        (dict(transitions=lambda p, s, t: {**GOOD, "sick": {"sick": C, "dead": p["p_post"] if t.in_state == 2 else 0.1}}, tunnels={"sick": 2}),
         r"^transitions, strategy 'usual', cycle 1, time in state 2: the function reads p\['p_post'\]: unknown parameter 'p_post'"),
        (dict(state_rewards={"qaly": lambda p, s: {"well": 1, "sick": p["u_sick"]}}),
         r"^state reward 'qaly', strategy 'usual', cycle 1: the function reads p\['u_sick'\]: unknown parameter 'u_sick'"),
        (dict(state_rewards={"cost_care": lambda p, s, t: {"sick": p["c_sick"] * t.cycle}}),
         r"^state reward 'cost_care', strategy 'usual', cycle 1: the function reads p\['c_sick'\]: unknown parameter 'c_sick'"),
        (dict(transition_rewards={"cost_death": lambda p, s: {("*", "dead"): p["c_death"]}}),
         r"^transition reward 'cost_death', strategy 'usual', cycle 1: the function reads p\['c_death'\]: unknown parameter 'c_death'"),
        (dict(initial_rewards={"cost_drug": lambda p, s: {"new": p["c_drug"]}}),
         r"^initial reward 'cost_drug', strategy 'usual': the function reads p\['c_drug'\]: unknown parameter 'c_drug'"),
    ],
)
def test_a_parameter_a_function_reads_but_the_draws_lack_is_reported_where_it_was_read(options, message):
    with pytest.raises(UnknownNameError, match=message + READ_KNOWN) as caught:
        reads(**options).run({"p_sick": np.array([0.1, 0.2]), "p_die": np.array([0.2, 0.3])})
    assert isinstance(caught.value.__cause__, UnknownNameError)  # the original lookup failure, chained
    assert "unknown parameter" in str(caught.value.__cause__)


def test_only_the_draws_lookup_failure_is_reworded():
    draws = {"p_sick": np.array([0.1])}
    own = {"a": 1}

    def users_own_key_error(p, s):
        return {**GOOD, "well": {"well": C, "sick": own["b"]}}

    with pytest.raises(KeyError) as caught:
        reads(transitions=users_own_key_error).run(draws)
    assert type(caught.value) is KeyError and caught.value.args == ("b",)

    def users_own_error(p, s):
        raise ValueError("bad input table")

    with pytest.raises(ValueError, match=r"^bad input table$"):
        reads(state_rewards={"qaly": users_own_error}).run(draws)
    # another model's unknown name, raised inside a function, is that model's error, not this one's
    inner = reads(state_rewards={"qaly": lambda p, s: {"well": p["u_well"]}})

    def runs_another_model(p, s):
        inner.run({"p_sick": p["p_sick"]})
        return {"well": 1}

    with pytest.raises(UnknownNameError, match=r"^state reward 'qaly', strategy 'usual', cycle 1: the function reads p\['u_well'\]: unknown parameter 'u_well'; expected one of: 'p_sick'$") as caught:
        reads(state_rewards={"ly": runs_another_model}).run(draws)
    assert "'ly'" not in str(caught.value)


def test_functions_may_ask_whether_a_parameter_is_given():
    def transitions(p, s):
        die = p.get("p_die", 0.2)
        return {**GOOD, "sick": {"sick": C, "dead": p["p_die"] if "p_die" in p else die}}

    model = reads(transitions=transitions, correction="end", discount_effects=0, state_rewards={"ly": {"well": 1, "sick": 1}})
    default = model.run({"p_sick": np.array([0.1])})["ly"].values
    given_ = model.run({"p_die": np.array([0.2])})["ly"].values
    np.testing.assert_allclose(default, given_)


def test_time_seen_by_a_function_monthly_cycles_with_a_tunnel():
    seen = set()

    def transitions(p, s, t):
        seen.add((t.cycle, t.years, t.age, t.in_state))
        return {"well": {"well": C, "post": 0.1}, "post": {"post": C, "well": 0.5 if t.in_state < 3 else 0.2}}

    MarkovModel(["well", "post"], ["a"], transitions, start="well", n_cycles=24, cycle_length=1 / 12, start_age=45.5,
                tunnels={"post": 3}).run({})
    expected = {(c, (c - 1) * (1 / 12), 45.5 + (c - 1) * (1 / 12), k) for c in range(1, 25) for k in (1, 2, 3)}
    assert seen == expected
    assert repr(Time(2, 0.5, None, 3)) == "Time(cycle=2, years=0.5, age=None, in_state=3)"


def test_start_age_can_be_a_parameter_name_read_per_sample():
    # background mortality 0.01 per year of age above 50 a cycle: a cohort starting at 60 dies faster
    seen = []

    def transitions(p, s, time):
        seen.append(np.asarray(time.age).copy())
        return {"alive": {"alive": C, "dead": 0.01 * (time.age - 50)}, "dead": {"dead": 1}}

    model = MarkovModel(["alive", "dead"], ["only"], transitions, start="alive", n_cycles=2, correction="end",
                        start_age="age_start", discount_costs=0, discount_effects=0, state_rewards={"ly": {"alive": 1}})
    assert model.parameters == ("age_start",)
    out = model.run({"age_start": np.array([55.0, 60.0])})
    np.testing.assert_allclose(seen[0], [55.0, 60.0])  # cycle 1: one age per sample
    np.testing.assert_allclose(seen[1], [[55.0, 60.0], [56.0, 61.0]])  # cycles 1-2 in one call: a row per cycle
    np.testing.assert_allclose(out["ly"].values[:, 0], [0.95 + 0.95 * 0.94, 0.9 + 0.9 * 0.89])


def test_start_age_that_is_neither_a_number_nor_a_name_is_refused():
    with pytest.raises(ModelDefinitionError, match="start_age: expected an age in years"):
        MarkovModel(["alive"], ["only"], {"alive": {"alive": 1}}, start="alive", n_cycles=1, start_age=[60])
    model = MarkovModel(["alive"], ["only"], lambda p, s, time: {"alive": {"alive": 1.0 + 0 * time.age}}, start="alive",
                        n_cycles=1, start_age="age_start")
    with pytest.raises(UnknownNameError, match="start_age: unknown parameter 'age_start'"):
        model.run({"age": 60.0})


def test_values_by_cycle_by_hand_and_summing_to_the_totals():
    # alive -> dead 0.2 a cycle; heemod's life-table counting, costs discounted 6% at the start
    # of each cycle; a transition cost of 1,000 on dying (half in its cycle, half in the next);
    # a one-off cost of 50 at time 0 for "new"
    model = MarkovModel(["alive", "dead"], ["usual", "new"], {"alive": {"alive": C, "dead": 0.2}, "dead": {"dead": 1}},
                        start="alive", n_cycles=2, convention="heemod", discount_costs=0.06, discount_effects=0.0,
                        state_rewards={"cost_care": {"alive": 100}, "ly": {"alive": 1}},
                        transition_rewards={"cost_death": {("alive", "dead"): 1_000}},
                        initial_rewards={"cost_drug": {"new": 50}})
    table = model.values_by_cycle({}, cohort_size=10).set_index(["strategy", "cycle"])
    assert list(table.index.get_level_values("strategy").unique()) == ["usual", "new"]
    usual = table.loc["usual"]
    np.testing.assert_allclose(usual["cost_care"], [0.0, 10 * 100 * 0.9, 10 * 100 * 0.72 / 1.06], rtol=1e-12, atol=1e-9)
    # transitions in the row of the cycle they happen in, with all their weight: cycle 1's
    # deaths (0.2) half at 1 and half at 1/1.06, cycle 2's (0.16) half at 1/1.06
    np.testing.assert_allclose(usual["cost_death"], [0.0, 10 * (100 + 100 / 1.06), 10 * 80 / 1.06], rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(usual["ly"], [0.0, 9.0, 7.2], rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(usual["cost_care_undiscounted"], [0.0, 900.0, 720.0], rtol=1e-12, atol=1e-9)
    assert table.loc[("new", 0), "cost_drug"] == pytest.approx(500.0)
    totals = model.run({}, cohort_size=10)
    for column in table.columns:
        sums = table[column].groupby(level="strategy", sort=False).sum()
        np.testing.assert_allclose(sums.values, totals[column].values[0], rtol=1e-12, atol=1e-9)


def test_values_by_cycle_with_time_dependent_rewards_and_samples():
    model = MarkovModel(["alive", "dead"], ["only"],
                        lambda p, s, time: {"alive": {"alive": C, "dead": p["p_die"] * time.cycle}, "dead": {"dead": 1}},
                        start="alive", n_cycles=4, discount_costs=0.035, correction="simpson",
                        state_rewards={"cost_care": lambda p, s, time: {"alive": 100 + 10 * time.cycle}})
    draws = {"p_die": np.array([0.05, 0.1, 0.2])}
    table = model.values_by_cycle(draws)
    np.testing.assert_allclose(table["cost"].sum(), model.run(draws)["cost"].mean().item(), rtol=1e-12)
    assert (table.loc[table.cycle > 0, "cost_care"] > 0).all()
