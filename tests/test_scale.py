"""Chunked PSA (healthecon.params.Sampler, healthecon.scale): bit-identical to one run whatever
the chunk size, for the draws and for every kind of model; reducers against the in-memory analyses."""

from __future__ import annotations

import hashlib
import runpy
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from healthecon import cea, voi
from healthecon.bia import BudgetImpactModel, Population, patient_cost
from healthecon.distributions import Beta, Dirichlet, Gamma, LogNormal, Normal, Uniform
from healthecon.errors import AnalysisError, OutcomesError, ParameterError
from healthecon.markov import C, MarkovModel
from healthecon.outcomes import summarise
from healthecon.params import BLOCK, Parameters
from healthecon.scale import CEAC, EVPI, ICERTable, Means, Summary, reduce, run_psa
from healthecon.survival import HazardRatio, ParametricCurve, PartitionedSurvivalModel
from healthecon.tree import Chance, Decision, DecisionTree, Terminal

ROOT = Path(__file__).resolve().parents[1]
N = 2 * BLOCK + 4321  # three blocks, the last one partial
SIZES = [N, 1_000, BLOCK, 50_000, 3 * BLOCK // 2, 100_003]


def mixed_params() -> Parameters:
    table = pd.DataFrame({"boot_c": np.linspace(0, 1, N), "boot_e": np.linspace(5, 6, N)})  # n == rows: in order
    resample = pd.DataFrame({"r_a": np.arange(10.0), "r_b": -np.arange(10.0)})  # n != rows: with replacement
    return (Parameters(p=Beta(2, 8), c=Gamma(4, 25), d=Dirichlet({"a": 3, "b": 4, "c": 1}), x=Normal(0, 1), y=Uniform(0, 1))
            .correlate(["x", "y"], [[1, 0.6], [0.6, 1]])
            | Parameters.from_draws(table) | Parameters.from_draws(resample))


@pytest.mark.parametrize("method", ["random", "lhs"])
def test_any_chunking_of_the_draws_is_bit_identical_to_one_draw(method):
    params = mixed_params()
    whole = params.sample(N, seed=9, method=method)
    sampler = params.sampler(N, seed=9, method=method)
    for size in SIZES:
        parts = [sampler.draws(i, min(i + size, N)) for i in range(0, N, size)]
        for name in whole.data_vars:
            assert np.array_equal(np.concatenate([part[name].values for part in parts]), whole[name].values), (name, size)
        assert np.array_equal(np.concatenate([part["sample"].values for part in parts]), np.arange(N))
    fresh = params.sampler(N, seed=9, method=method)  # no cached block: a chunk drawn alone
    assert np.array_equal(fresh.draws(BLOCK + 7, BLOCK + 9)["c"].values, whole["c"].values[BLOCK + 7:BLOCK + 9])
    assert np.array_equal(whole["boot_c"].values, np.linspace(0, 1, N))


def test_block_zero_is_seeded_as_before_so_existing_results_do_not_change():
    """Up to BLOCK samples, a parameter's draws come from SeedSequence([seed, *sha256(name)]) as always."""
    digest = hashlib.sha256(b"p").digest()
    words = [int.from_bytes(digest[i:i + 4], "little") for i in range(0, 16, 4)]
    expected = Beta(2, 8).sample(500, np.random.default_rng(np.random.SeedSequence([9, *words])))
    assert np.array_equal(Parameters(p=Beta(2, 8)).sample(500, seed=9)["p"].values, expected)
    later = Parameters(p=Beta(2, 8)).sample(BLOCK + 10, seed=9)["p"].values
    assert np.array_equal(later[:BLOCK], Beta(2, 8).sample(BLOCK, np.random.default_rng(np.random.SeedSequence([9, *words]))))
    assert np.array_equal(later[BLOCK:], Beta(2, 8).sample(10, np.random.default_rng(np.random.SeedSequence([9, *words, 1]))))


def test_latin_hypercube_strata_are_per_block():
    u = Parameters(u=Uniform(0, 1)).sample(BLOCK + 100, seed=4, method="lhs")["u"].values
    assert np.array_equal(np.sort(np.floor(u[:BLOCK] * BLOCK)), np.arange(BLOCK))  # one draw per stratum of block 0
    assert np.array_equal(np.sort(np.floor(u[BLOCK:] * 100)), np.arange(100))  # the last block: 100 strata


def test_sampler_rejects_bad_bounds():
    sampler = Parameters(p=Beta(1, 1)).sampler(10, seed=1)
    for start, stop in ((5, 5), (-1, 3), (0, 11)):
        with pytest.raises(ParameterError, match="start < stop <= 10"):
            sampler.draws(start, stop)
    with pytest.raises(ParameterError, match="chunk_size"):
        run_psa(markov_model(), Parameters(p_die=Beta(1, 9), c_new=1.0), 10, seed=1, chunk_size=0)


def markov_model() -> MarkovModel:
    return MarkovModel(
        states=["well", "sick", "dead"], strategies=["usual", "new"],
        transitions=lambda p, s, time: {
            "well": {"well": C, "sick": p["p_sick"] * (0.7 if s == "new" else 1), "dead": 0.001 * time.cycle},
            "sick": {"sick": C, "dead": p["p_die"]}, "dead": {"dead": 1}},
        start={"well": 1}, n_cycles=20, correction="half-cycle", discount_costs=0.035, discount_effects=0.035,
        state_rewards={"cost_care": {"well": 100, "sick": "c_sick"}, "qaly": {"well": 0.9, "sick": "u_sick"}},
        initial_rewards={"cost_drug": {"new": "c_new"}})


MARKOV_PARAMS = Parameters(p_sick=Beta(10, 90), p_die=Beta(20, 80), c_sick=Gamma(25, 80), u_sick=Beta(60, 40),
                           c_new=Gamma(100, 20))


def tree_model() -> DecisionTree:
    def arm(p):
        return Chance([("cured", p, Terminal("cured", utility=1.0, cost=100)),
                       ("not cured", C, Terminal("not", utility=0.5, cost="c_fail"))], cost="c_drug")
    return DecisionTree(Decision({"old": arm("p_old"), "new": arm("p_new")}), effect="utility")


def examples(name: str) -> dict:
    return runpy.run_path(str(ROOT / "examples" / name), run_name="imported_by_tests")


def cases():
    sroi, cba = examples("sroi_example.py"), examples("cba_example.py")
    from healthecon.sroi import SROIModel
    bia = BudgetImpactModel(Population(population=10_000, prevalent="p_old", incident=0.01),
                            {"now": {"old": 1.0}, "new": {"old": C, "new": [0.2, "p_new"]}},
                            [patient_cost("drug", "NHS", {"old": "c_drug", "new": ["c_fail", 100.0]})], years=2)
    tree_params = Parameters(p_old=Beta(30, 70), p_new=Beta(45, 55), c_fail=Gamma(10, 30), c_drug=Gamma(20, 10))
    return {
        "markov": (markov_model(), MARKOV_PARAMS),
        "tree": (tree_model(), tree_params),
        "sroi": (SROIModel(sroi["IMPACT_MAP"]), sroi["PARAMS"]),
        "cba": (cba["MODEL"], cba["PARAMS"]),
        "bia": (bia, tree_params),
        "psm": psm_case(),
    }


def psm_case():
    """A partitioned survival model whose PFS crosses OS in some samples (capped): its attributes count them."""
    pfs, os_ = ParametricCurve("weibullPH", shape=1.3, scale="scale"), ParametricCurve("weibullPH", shape="shape", scale=0.2)
    model = PartitionedSurvivalModel({"control": [pfs, os_], "new": [HazardRatio(pfs, "hr"), HazardRatio(os_, 0.8)]},
                                     n_cycles=36, cycle_length=1 / 12, state_rewards={"qaly": {"progression-free": "u", "progressed": 0.5}})
    params = Parameters(shape=LogNormal.from_mean_sd(1.2, 0.1), scale=Gamma.from_mean_sd(0.3, 0.05),
                        hr=LogNormal.from_mean_sd(0.7, 0.1), u=Gamma.from_mean_sd(0.7, 0.05))
    return model, params


@pytest.mark.filterwarnings("ignore::healthecon.survival.psm.CurveCrossingWarning")
@pytest.mark.parametrize("kind", ["markov", "tree", "sroi", "cba", "bia", "psm"])
def test_a_chunked_run_of_any_model_is_bit_identical_to_one_run(kind):
    model, params = cases()[kind]
    n = BLOCK + 2_345 if kind == "markov" else 7_001
    whole = model.run(params.sample(n, seed=5))
    for size in (n, 999, 2_500, BLOCK):
        chunked = run_psa(model, params, n, seed=5, chunk_size=size)
        assert list(chunked.data_vars) == list(whole.data_vars)
        for name in whole.data_vars:
            assert np.array_equal(chunked[name].transpose(*whole[name].dims).values, whole[name].values), (name, size)
        # attributes too, including those counting over samples (the crossing curves a PSM capped)
        assert chunked.attrs.keys() == whole.attrs.keys()
        for key, value in whole.attrs.items():
            assert np.array_equal(np.asarray(chunked.attrs[key]), np.asarray(value)), (key, size)
    if kind == "psm":
        assert whole.attrs["crossing_samples"].sum() > 0
        means = run_psa(model, params, n, seed=5, chunk_size=999, reduce=Means())
        assert "crossing_summary" not in means.attrs  # a reducer would only see the first chunk's
        xr.testing.assert_identical(chunked.drop_vars(list(chunked.data_vars)), whole.drop_vars(list(whole.data_vars)))


@pytest.fixture(scope="module")
def psa():
    n = 20_000
    return n, markov_model().run(MARKOV_PARAMS.sample(n, seed=3))


GRID = np.linspace(0, 50_000, 26)


def test_reducers_agree_with_the_in_memory_analyses(psa):
    n, whole = psa
    results = run_psa(markov_model(), MARKOV_PARAMS, n, seed=3, chunk_size=3_001,
                      reduce={"ceac": CEAC(GRID), "evpi": EVPI(GRID), "icer": ICERTable(), "summary": Summary(),
                              "means": Means()})
    xr.testing.assert_equal(results["ceac"], cea.ceac(whole, GRID).rename("ceac"))  # counts: exact
    np.testing.assert_allclose(results["evpi"].values, voi.evpi(whole, GRID).values, rtol=1e-9, atol=1e-9)
    expected = cea.icer_table(whole)
    pd.testing.assert_frame_equal(results["icer"], expected, rtol=1e-12)
    pd.testing.assert_frame_equal(results["summary"], summarise(whole, variables=["cost", "qaly"]), rtol=1e-12)
    for name in whole.data_vars:
        np.testing.assert_allclose(results["means"][name].values, whole[name].mean("sample").values, rtol=1e-12)


def test_summary_interval_is_exact_at_every_chunking():
    values = np.random.default_rng(1).gamma(2, 100, size=(1_001, 3))
    from healthecon.outcomes import make_outcomes
    out = make_outcomes({"cost": values, "qaly": values / 1000}, ["a", "b", "c"], effect="qaly")
    expected = summarise(out, level=0.9, variables=["cost", "qaly"])
    for size in (1, 7, 100, 1_001):
        got = reduce(out, Summary(level=0.9), chunk_size=size)
        pd.testing.assert_frame_equal(got[["lower", "upper"]], expected[["lower", "upper"]], rtol=1e-14)


def test_reducer_shapes_and_errors(psa):
    n, whole = psa
    listed = reduce(whole, [Means(["cost"]), CEAC(1000)], chunk_size=5_000)
    assert isinstance(listed, list) and list(listed[0].data_vars) == ["cost"]
    assert reduce(whole, CEAC(1000)).dims == ("wtp", "strategy")
    with pytest.raises(AnalysisError, match="expected a reducer"):
        reduce(whole, object())
    with pytest.raises(AnalysisError, match="wtp"):
        CEAC([-1])
    with pytest.raises(OutcomesError, match="no 'sample' dimension"):
        run_psa(markov_model(), MARKOV_PARAMS, 100, seed=1, chunk_size=30, trace="mean")


def test_an_error_in_a_later_chunk_names_the_sample_in_the_whole_run():
    # the bad probability is in sample 1555, in the second chunk of 1,000: every model's message
    # numbers it in the whole PSA, not from the chunk's first sample
    x = np.full(3000, 0.1)
    x[1555] = 1.5
    params = Parameters.from_draws(pd.DataFrame({"x": x}))
    markov = MarkovModel(["well", "sick"], ["usual"], lambda p, s: {"well": {"well": C, "sick": p["x"]}, "sick": {"sick": 1}},
                         start={"well": 1}, n_cycles=3, state_rewards={"qaly": {"well": 1}})
    tree = DecisionTree(Decision({"usual": Chance([("sick", "x", Terminal(qaly=0.5)), ("well", C, Terminal(qaly=1.0))])}))
    for model in (markov, tree):
        for run in (lambda: model.run(params.sample(3000, seed=1)), lambda: run_psa(model, params, 3000, seed=1, chunk_size=1000)):
            with pytest.raises(Exception, match=r"1\.5 (at|in) sample 1555\b"):
                run()
