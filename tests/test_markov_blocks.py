"""Markov engine: time-dependent functions evaluated for blocks of cycles, the cycle-by-cycle
fallback, and the compiled one-sample loop; all must give the same numbers bit for bit."""

import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st

import healthecon.markov_engine as engine
from healthecon.errors import ModelDefinitionError, TransitionError
from healthecon.markov import C, MarkovModel


#: Uniform ranges of the test draws; ``c_event`` is gamma-distributed.
RANGES = {"p_sick": (0.05, 0.3), "rr": (0.5, 1.0), "u_sick": (0.4, 0.7), "age0": (40.0, 70.0)}


def draws(n: int, seed: int = 11) -> xr.Dataset:
    rng = np.random.default_rng(seed)
    data = {name: ("sample", rng.uniform(lo, hi, n)) for name, (lo, hi) in RANGES.items()}
    return xr.Dataset({**data, "c_event": ("sample", rng.gamma(10, 100, n))})


def mortality(age):
    """Background mortality rising with age (works on numbers and arrays alike)."""
    return 1 - np.exp(-0.0001 * np.exp(0.08 * (age - 20)))


def rich_model(start_age="age0", n_cycles=12) -> MarkovModel:
    """Time everywhere: age-dependent rows, a tunnel whose risk depends on time in state, a state
    reward and a transition reward that change with time, a dead state that nothing reads."""

    def transitions(p, strategy, time):
        q = mortality(time.age)
        rr = p["rr"] if strategy == "new" else 1.0
        after = 0.2 if time.in_state == 1 else 0.05
        return {
            "well": {"well": C, "sick": p["p_sick"] * rr * np.where(time.cycle <= 3, 1.0, 0.5), "dead": q},
            "sick": {"sick": C, "post": 0.1, "dead": q * 2},
            "post": {"post": C, "well": 0.3, "dead": q + after},
            "dead": {"dead": 1},
        }

    return MarkovModel(
        ["well", "sick", "post", "dead"], ["usual", "new"], transitions, start={"well": 1}, n_cycles=n_cycles,
        start_age=start_age, tunnels={"post": 2}, correction="half-cycle",
        state_rewards={
            "cost_care": lambda p, s, time: {"sick": 1000 + 10 * time.years, "post": 500.0},
            "qaly": lambda p, s, time: {"well": np.minimum(0.95, 1.2 - time.age / 100), "sick": p["u_sick"], "post": 0.6},
        },
        transition_rewards={"cost_event": lambda p, s, time: {("well", "sick"): p["c_event"] * (1 + 0.01 * time.cycle)}},
    )


def same(a: xr.Dataset, b: xr.Dataset) -> None:
    assert list(a.data_vars) == list(b.data_vars)
    for name in a.data_vars:
        assert np.array_equal(a[name].values, b[name].values), name


def cycle_by_cycle(monkeypatch) -> None:
    """No block holds 2 cycles: every function is called once per cycle, with time as numbers."""
    monkeypatch.setattr(engine, "_BLOCK_SAMPLES", 0)


def test_runs_of_up_to_2048_samples_go_by_blocks_and_agree_with_a_larger_run_bit_for_bit(monkeypatch):
    """The limit itself: 2,048 samples by blocks of 16 cycles (the compiled loop), 2,049 cycle by
    cycle; the first 2,048 samples of the larger run are the smaller run's numbers."""
    model = MarkovModel(["well", "sick", "dead"], ["usual", "new"],
                        lambda p, s, time: {"well": {"well": C, "sick": p["p_sick"], "dead": mortality(time.age)},
                                            "sick": {"sick": C, "dead": 2 * mortality(time.age)}, "dead": {"dead": 1}},
                        start={"well": 1}, n_cycles=20, start_age="age0", correction="half-cycle",
                        state_rewards={"qaly": {"well": 0.9, "sick": 0.6}, "cost_care": {"sick": 800.0}})
    sizes = []
    kernel = engine._propagate_block
    monkeypatch.setattr(engine, "_propagate_block", lambda template, j, size, *rest: (
        sizes.append(size), kernel(template, j, size, *rest))[1])
    d = draws(engine._BLOCK_SAMPLES + 1)
    small = model.run(d.isel(sample=slice(0, engine._BLOCK_SAMPLES)))
    assert sizes == [16, 4, 16, 4]  # each strategy's 20 cycles in blocks of 16 and 4
    sizes.clear()
    large = model.run(d)
    assert sizes == []  # cycle by cycle
    for name in small.data_vars:
        assert np.array_equal(small[name].values, large[name].values[: engine._BLOCK_SAMPLES]), name


@pytest.mark.parametrize("trace", [False, True])
@pytest.mark.parametrize("n", [1, 7])
def test_blocks_give_the_numbers_of_a_cycle_by_cycle_run_bit_for_bit(monkeypatch, n, trace):
    model, d = rich_model(), draws(n)
    taken = []
    take = engine.CohortEngine._take
    monkeypatch.setattr(engine.CohortEngine, "_take", lambda self, values, t, size: (
        taken.append(size), take(self, values, t, size))[1])
    by_blocks = model.run(d, trace=trace)
    assert taken == [12, 12]  # each strategy's 12 cycles in one block: no function fell back
    cycle_by_cycle(monkeypatch)
    same(by_blocks, model.run(d, trace=trace))


def test_samples_split_across_the_block_size_give_the_same_numbers(monkeypatch):
    """With blocks of 96 elements up to 6 samples: 1 sample runs its 40 cycles in one block (the
    compiled loop), 6 samples in blocks of 16, 16 and 8 cycles, 16 and 23 samples cycle by cycle;
    the pieces make the whole, bit for bit."""
    monkeypatch.setattr(engine, "_BLOCK_ELEMENTS", 96)
    monkeypatch.setattr(engine, "_BLOCK_SAMPLES", 6)
    model, d = rich_model(start_age=50, n_cycles=40), draws(23)
    whole = model.run(d)
    parts = [model.run(d.isel(sample=part)) for part in (slice(0, 1), slice(1, 7), slice(7, 23))]
    for name in whole.data_vars:
        assert np.array_equal(np.concatenate([part[name].values for part in parts]), whole[name].values), name


def test_one_sample_compiled_loop_equals_the_loop_on_numbers_and_on_arrays():
    """One sample without a trace runs the compiled loop; with a trace, the cycle-by-cycle loop
    on Python floats; two copies of the sample, numpy. Same numbers, bit for bit."""

    def transitions(p, strategy, time):
        return {"a": {"a": C, "b": p["p_sick"] * (1 + 0.01 * time.cycle)}, "b": {"b": C, "c": 0.1}, "c": {"c": 1}}

    model = MarkovModel(["a", "b", "c"], ["x", "y"], transitions, start={"a": 1}, n_cycles=30, correction="half-cycle",
                        state_rewards={"qaly": {"a": 0.9, "b": 0.5}, "cost_care": {"b": 100.0}})
    one = draws(1)
    compiled, traced = model.run(one), model.run(one, trace=True)
    twice = model.run(xr.concat([one, one], dim="sample"))
    for name in compiled.data_vars:
        assert np.array_equal(compiled[name].values, traced[name].values), name
        assert np.array_equal(np.repeat(compiled[name].values, 2, axis=0), twice[name].values), name
    # no reward at all: the loop only propagates
    bare = MarkovModel(["a", "b", "c"], ["x"], transitions, start={"a": 1}, n_cycles=5).run(one, undiscounted=False)
    assert bare["cost"].values.tolist() == [[0.0]]


@pytest.mark.parametrize("style", ["python if", "int index", "first cycle only", "entry from cycle 5"])
def test_a_function_that_cannot_take_time_as_arrays_runs_cycle_by_cycle(style):
    """Python's if on the time raises with arrays; int() of an array of ages raises; a function
    that reads only the block's first cycle gives the right number at cycle 1 but not at cycle 2;
    one that adds an entry when any cycle of the block reaches 5 has at cycle 1 an entry it does
    not have alone. Each is found out on the first block and then called once per cycle, giving
    the numbers of the same model written with numpy."""
    table = np.linspace(0.01, 0.2, 40)
    calls = []

    def written(p, strategy, time):
        calls.append(np.ndim(time.cycle))
        if style == "python if":
            death = 0.05 if time.cycle <= 4 else 0.1
        elif style == "int index":
            death = table[int(time.cycle)]
        elif style == "first cycle only":
            death = 0.05 if np.min(time.cycle) <= 4 else 0.1
        else:
            row = {"alive": C, "dead": 0.05}
            if np.max(time.cycle) >= 5:
                row["sick"] = 0.05
            return {"alive": row, "sick": {"sick": 1}, "dead": {"dead": 1}}
        return {"alive": {"alive": C, "dead": death}, "sick": {"sick": 1}, "dead": {"dead": 1}}

    def numpy_version(p, strategy, time):
        if style == "entry from cycle 5":
            sick = np.where(time.cycle >= 5, 0.05, 0.0)
            return {"alive": {"alive": C, "dead": 0.05, "sick": sick}, "sick": {"sick": 1}, "dead": {"dead": 1}}
        death = table[time.cycle] if style == "int index" else np.where(time.cycle <= 4, 0.05, 0.1)
        return {"alive": {"alive": C, "dead": death}, "sick": {"sick": 1}, "dead": {"dead": 1}}

    options = dict(start={"alive": 1}, n_cycles=10, state_rewards={"ly": {"alive": 1}, "qaly": {"sick": 0.5}})
    d = draws(3)
    out = MarkovModel(["alive", "sick", "dead"], ["only"], written, **options).run(d)
    same(out, MarkovModel(["alive", "sick", "dead"], ["only"], numpy_version, **options).run(d))
    # cycle 1 with numbers, the block that fails, then cycles 2-10 with numbers
    assert calls[:2] == [0, 2] and calls[2:] == [0] * (10 if style == "first cycle only" else 9)
    if style == "entry from cycle 5":  # the entry counts from cycle 5 on, whatever the sample count
        assert out["qaly"].values[0, 0] > 0
        one = MarkovModel(["alive", "sick", "dead"], ["only"], written, **options).run(d.isel(sample=[0]))
        assert np.array_equal(one["qaly"].values[0], out["qaly"].values[0])


def test_a_bad_value_in_a_later_cycle_of_a_block_is_reported_with_its_cycle_and_sample():
    def transitions(p, strategy, time):
        bad = np.where(time.cycle == 5, p["p_sick"] * 10, p["p_sick"])  # above 1 at cycle 5 for some samples
        return {"alive": {"alive": C, "dead": bad}, "dead": {"dead": 1}}

    d = draws(4).assign(p_sick=("sample", [0.05, 0.2, 0.05, 0.3]))
    model = MarkovModel(["alive", "dead"], ["only"], transitions, start={"alive": 1}, n_cycles=8)
    with pytest.raises(TransitionError, match=r"strategy 'only', cycle 5, from 'alive'.* sample 1"):
        model.run(d)

    def qaly(p, strategy, time):
        return {"alive": np.where(time.cycle == 6, np.nan, 0.8)}

    model = MarkovModel(["alive", "dead"], ["only"], {"alive": {"alive": C, "dead": 0.1}, "dead": {"dead": 1}},
                        start={"alive": 1}, n_cycles=8, state_rewards={"qaly": qaly})
    with pytest.raises(ModelDefinitionError, match=r"state reward 'qaly', strategy 'only', cycle 6, state 'alive'.*nan"):
        model.run(d)


def test_each_cycle_of_a_block_sees_its_own_time():
    seen = {}

    def transitions(p, strategy, time):
        for cycle, years, age in zip(*(np.ravel(x).tolist() for x in np.broadcast_arrays(time.cycle, time.years, time.age))):
            seen.setdefault(cycle, set()).add((years, age))
        return {"alive": {"alive": C, "dead": 0.01 * time.cycle}, "dead": {"dead": 1}}

    MarkovModel(["alive", "dead"], ["only"], transitions, start={"alive": 1}, n_cycles=6, cycle_length=0.5,
                start_age=30).run({})
    assert seen == {c: {((c - 1) * 0.5, 30 + (c - 1) * 0.5)} for c in range(1, 7)}


@settings(max_examples=25, deadline=None)
@given(k=st.integers(2, 4), n=st.integers(1, 9), n_cycles=st.integers(1, 20), seed=st.integers(0, 2**16),
       change=st.integers(1, 20))
def test_blocks_equal_cycle_by_cycle_for_random_time_dependent_models(k, n, n_cycles, seed, change):
    """Random chains whose exits rise with age, jump at a random cycle and differ by sample:
    by blocks and cycle by cycle, the same numbers bit for bit."""
    rng = np.random.default_rng(seed)
    states = [f"s{j}" for j in range(k)]
    base = rng.uniform(0.01, 0.3 / k, (k, k))

    shapes = []

    def transitions(p, strategy, time):
        shapes.append(np.ndim(time.cycle))
        jump = np.where(time.cycle >= change, 1.5, 1.0)
        rows = {}
        for a in range(k - 1):
            rows[states[a]] = {states[a]: C}
            for b in range(a + 1, k):
                rows[states[a]][states[b]] = base[a, b] * p["rr"] * jump * np.exp(0.01 * (time.age - 50))
        rows[states[-1]] = {states[-1]: 1.0}
        return rows

    model = MarkovModel(states, ["only"], transitions, start={states[0]: 1}, n_cycles=n_cycles, start_age=50,
                        state_rewards={"qaly": lambda p, s, time: {x: 0.9 - 0.1 * j + 0.001 * np.minimum(time.cycle, 5) for j, x in enumerate(states[:-1])},
                                       "cost_care": {x: 100.0 * (j + 1) for j, x in enumerate(states[:-1])}})
    d = draws(n, seed)
    by_blocks = model.run(d)
    assert shapes == [0, 2] + [0] * (n_cycles > 1)  # cycle 1 alone, all cycles in a block, the last alone
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(engine, "_BLOCK_SAMPLES", 0)
        same(by_blocks, model.run(d))
