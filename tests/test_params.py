"""Parameters: Dataset layout, reproducible per-parameter streams, copulas, joint draws, summaries."""

import math
import numpy as np
import pandas as pd
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from healthecon.distributions import PERT, Beta, Dirichlet, Empirical, Fixed, Gamma, LogNormal, Normal, Uniform
from healthecon.errors import ParameterError, ShapeError, UnknownNameError
from healthecon.params import Parameters


@pytest.fixture
def params():
    return Parameters(
        p_sick=Beta(12, 88),
        c_drug=Gamma.from_mean_sd(1000, 200),
        rr=LogNormal.from_point_ci(0.7, 0.55, 0.9),
        trans=Dirichlet.from_counts({"well": 70, "sick": 20, "dead": 10}),
        discount=0.035,
    )


# ---------------------------------------------------------------------------------------------
# layout


def test_sample_layout_matches_the_contract(params):
    draws = params.sample(50, seed=1)
    assert isinstance(draws, xr.Dataset)
    assert dict(draws.sizes) == {"sample": 50}
    np.testing.assert_array_equal(draws["sample"].values, np.arange(50))
    assert list(draws.data_vars) == ["p_sick", "c_drug", "rr", "trans_well", "trans_sick", "trans_dead", "discount"]
    for var in draws.data_vars.values():
        assert var.dims == ("sample",)
        assert var.dtype == np.float64
        assert "distribution" in var.attrs
    assert draws["p_sick"].attrs == {"distribution": "Beta(α=12, β=88)"}
    assert draws["trans_sick"].attrs["group"] == "trans"
    assert draws["discount"].attrs["distribution"] == "Fixed(0.035)"
    np.testing.assert_allclose(draws["trans_well"] + draws["trans_sick"] + draws["trans_dead"], 1.0)
    assert draws.attrs == {"kind": "psa", "seed": 1, "method": "random"}


def test_base_case_has_the_same_layout_and_the_points(params):
    base = params.base_case()
    draws = params.sample(3, seed=0)
    assert list(base.data_vars) == list(draws.data_vars)
    assert dict(base.sizes) == {"sample": 1}
    for name in draws.data_vars:
        assert base[name].dims == ("sample",)
        assert base[name].attrs == draws[name].attrs
    assert float(base["rr"][0]) == 0.7  # the stated point, not the mean
    assert float(base["c_drug"][0]) == pytest.approx(1000)
    assert float(base["p_sick"][0]) == pytest.approx(0.12)
    np.testing.assert_allclose([float(base[f"trans_{c}"][0]) for c in ("well", "sick", "dead")], [0.7, 0.2, 0.1])
    assert base.attrs == {"kind": "base_case"}


def test_numbers_become_fixed_and_mapping_and_keywords_combine():
    p = Parameters({"a": 1}, b=Beta(1, 1))
    assert p["a"] == Fixed(1.0)
    assert p.names == ("a", "b")
    with pytest.raises(ParameterError, match="'a' is given both"):
        Parameters({"a": 1}, a=2)
    with pytest.raises(ParameterError, match=r"parameter 'x': expected a distribution .* got 'high'"):
        Parameters(x="high")


@pytest.mark.parametrize("bad", ["1st", "p-sick", "class", "", "p sick"])
def test_names_must_be_identifiers(bad):
    with pytest.raises(ParameterError, match=f"parameter name {bad!r}: expected a valid Python identifier"):
        Parameters({bad: 1.0})


def test_sample_is_reserved_for_the_dimension():
    with pytest.raises(ParameterError, match="'sample' cannot be a parameter name"):
        Parameters(sample=0.5)


def test_dirichlet_expansion_clash_is_an_error():
    with pytest.raises(ParameterError, match="variable 'd_a' is defined twice"):
        Parameters(d=Dirichlet({"a": 1, "b": 1}), d_a=0.5)


# ---------------------------------------------------------------------------------------------
# reproducibility


def test_same_seed_same_draws_bit_for_bit(params):
    a, b = params.sample(200, seed=2024), params.sample(200, seed=2024)
    xr.testing.assert_identical(a, b)
    c = params.sample(200, seed=np.random.default_rng(5))
    d = params.sample(200, seed=np.random.default_rng(5))
    xr.testing.assert_identical(c, d)
    assert not np.array_equal(a["p_sick"], params.sample(200, seed=2025)["p_sick"])


def test_parameters_have_different_streams():
    p = Parameters(a=Normal(0, 1), b=Normal(0, 1))
    d = p.sample(100, seed=3)
    assert not np.array_equal(d["a"], d["b"])
    assert abs(np.corrcoef(d["a"], d["b"])[0, 1]) < 0.3


def test_seed_none_is_recorded_so_the_run_can_be_repeated(params):
    draws = params.sample(10, seed=None)
    again = params.sample(10, seed=draws.attrs["seed"])
    xr.testing.assert_identical(draws, again)


@settings(max_examples=30)
@given(extra=st.lists(st.sampled_from(["x", "y", "zz", "alpha", "q_9"]), unique=True, max_size=4), seed=st.integers(0, 2**32))
def test_adding_parameters_leaves_others_draws_unchanged(extra, seed):
    base = Parameters(p=Beta(2, 8), c=Gamma(3, 10))
    more = Parameters({name: Normal(0, 1) for name in extra}) | base
    a, b = base.sample(20, seed), more.sample(20, seed)
    np.testing.assert_array_equal(a["p"], b["p"])
    np.testing.assert_array_equal(a["c"], b["c"])


def test_draws_are_a_known_function_of_seed_and_name():
    # Known answer: the stream comes from SeedSequence([seed, *sha256(name)]) and PCG64, both
    # stable across sessions and machines; Python's salted hash() would change this per process.
    draws = Parameters(p_sick=Uniform(0, 1)).sample(3, seed=9)["p_sick"].values
    np.testing.assert_array_equal(draws, [0.1707881936588721, 0.04578045599803193, 0.94362551436551])


@pytest.mark.parametrize("bad", [-1, 1.5, "7", True])
def test_bad_seed_raises(params, bad):
    with pytest.raises(ParameterError, match="seed: expected a non-negative int"):
        params.sample(5, seed=bad)


@pytest.mark.parametrize("bad", [0, -3, 2.0])
def test_bad_n_raises(params, bad):
    with pytest.raises(ParameterError, match="n must be a positive int"):
        params.sample(bad, seed=1)


# ---------------------------------------------------------------------------------------------
# copula


def test_copula_recovers_rank_correlation_and_keeps_marginals():
    p = Parameters(c_a=Gamma(4, 250), c_b=Beta(20, 80), u=Uniform(0, 1))
    corr = p.correlate(["c_a", "c_b"], [[1, 0.5], [0.5, 1]])
    d = corr.sample(5000, seed=17)
    rho_s = stats.spearmanr(d["c_a"], d["c_b"]).statistic
    assert rho_s == pytest.approx(6 / math.pi * math.asin(0.25), abs=0.03)
    # marginals are unchanged: means and a KS test against the target distribution
    assert float(d["c_a"].mean()) == pytest.approx(1000, rel=0.03)
    assert stats.kstest(d["c_b"].values, stats.beta(20, 80).cdf).pvalue > 0.001
    # the uncorrelated parameter keeps its own stream
    np.testing.assert_array_equal(d["u"], p.sample(5000, seed=17)["u"])
    assert d["c_a"].attrs["correlated_with"] == "c_b"
    assert corr.summary().set_index("name")["correlation"].to_dict() == {"c_a": "copula: c_b", "c_b": "copula: c_a", "u": ""}
    # the original is unchanged
    assert p.correlations == {}
    assert set(corr.correlations) == {("c_a", "c_b")}


def test_copula_spearman_kind_hits_the_rank_target():
    p = Parameters(a=Gamma(2, 1), b=LogNormal(0, 1), c=Normal(0, 1))
    target = np.array([[1, -0.6, 0.3], [-0.6, 1, 0.2], [0.3, 0.2, 1]])
    d = p.correlate(["a", "b", "c"], target, kind="spearman").sample(8000, seed=4)
    rho = stats.spearmanr(np.column_stack([d["a"], d["b"], d["c"]])).statistic
    np.testing.assert_allclose(rho, target, atol=0.03)


@settings(max_examples=25)
@given(r=st.floats(-0.95, 0.95))
def test_copula_rank_correlation_property(r):
    p = Parameters(x=Beta(2, 5), y=Gamma(3, 2)).correlate(["x", "y"], [[1, r], [r, 1]])
    d = p.sample(2000, seed=1)
    rho_s = stats.spearmanr(d["x"], d["y"]).statistic
    assert rho_s == pytest.approx(6 / math.pi * math.asin(r / 2), abs=0.06)


def test_copula_accepts_labelled_dataframe_and_semi_definite_matrix():
    names = ["a", "b"]
    p = Parameters(a=Normal(0, 1), b=Normal(0, 1))
    d = p.correlate(names, pd.DataFrame([[1, 1], [1, 1]], index=names, columns=names)).sample(50, seed=2)
    np.testing.assert_allclose(d["a"], d["b"])  # perfect correlation is PSD, not PD


@pytest.mark.parametrize(
    "names, matrix, error, message",
    [
        (["a", "b"], [[1, 0.5, 0], [0.5, 1, 0]], ShapeError, r"expected a 2 x 2 correlation matrix, got shape \(2, 3\)"),
        (["a", "b", "c"], [[1, 0.5], [0.5, 1]], ShapeError, r"expected a 3 x 3"),
        (["a", "b"], [[1, 0.5], [0.4, 1]], ParameterError, r"not symmetric: entry \[a, b\] = 0\.5 but \[b, a\] = 0\.4"),
        (["a", "b"], [[2, 0.5], [0.5, 1]], ParameterError, r"diagonal entry for 'a' is 2"),
        (["a", "b"], [[1, 1.5], [1.5, 1]], ParameterError, r"correlation between 'a' and 'b' is 1\.5; expected a value in \[-1, 1\]"),
        (["a", "b"], [[1, float("nan")], [float("nan"), 1]], ParameterError, r"NaN"),
        (
            ["a", "b", "c"],
            [[1, 0.9, -0.9], [0.9, 1, 0.9], [-0.9, 0.9, 1]],
            ParameterError,
            r"not positive semi-definite \(smallest eigenvalue -0\.8",
        ),
        (["a", "zz"], [[1, 0.5], [0.5, 1]], UnknownNameError, r"unknown parameter 'zz'; expected one of: 'a', 'b', 'c', 'd', 'e'"),
        (["a", "a"], [[1, 0.5], [0.5, 1]], ParameterError, r"name 'a' is given more than once"),
        (["a"], [[1]], ParameterError, r"at least two parameter names"),
        (["a", "d"], [[1, 0.5], [0.5, 1]], ParameterError, r"parameter 'd' is a Dirichlet"),
    ],
)
def test_bad_correlations_raise(names, matrix, error, message):
    p = Parameters(a=Normal(0, 1), b=Normal(0, 1), c=Normal(0, 1), d=Dirichlet({"x": 1, "y": 1}), e=1)
    with pytest.raises(error, match=message):
        p.correlate(names, matrix)


def test_name_in_two_groups_and_labelled_frame_mismatch():
    p = Parameters(a=Normal(0, 1), b=Normal(0, 1), c=Normal(0, 1))
    once = p.correlate(["a", "b"], [[1, 0.2], [0.2, 1]])
    with pytest.raises(ParameterError, match=r"parameter 'b' is already in a correlated group with a$"):
        once.correlate(["b", "c"], [[1, 0.2], [0.2, 1]])
    frame = pd.DataFrame(np.eye(2), index=["b", "a"], columns=["b", "a"])
    with pytest.raises(ShapeError, match=r"labelled \['b', 'a'\].*expected \['a', 'b'\]"):
        p.correlate(["a", "b"], frame)
    with pytest.raises(ParameterError, match="kind must be 'normal' or 'spearman'"):
        p.correlate(["a", "b"], np.eye(2), kind="pearson")


# ---------------------------------------------------------------------------------------------
# joint draws from one table


def test_from_draws_keeps_rows_together():
    rng = np.random.default_rng(0)
    table = pd.DataFrame({"c_a": rng.gamma(2, 100, 300), "q_a": rng.beta(8, 2, 300)})
    table["c_b"] = table["c_a"] * 2 + 1
    p = Parameters.from_draws(table)
    in_order = p.sample(300, seed=1)
    np.testing.assert_array_equal(in_order["c_a"], table["c_a"])
    np.testing.assert_array_equal(in_order["q_a"], table["q_a"])
    resampled = p.sample(1000, seed=1)
    np.testing.assert_allclose(resampled["c_b"], resampled["c_a"] * 2 + 1)
    rows = table.set_index("c_a")["q_a"]
    np.testing.assert_array_equal(rows.loc[resampled["c_a"].values].values, resampled["q_a"].values)
    assert resampled["c_a"].attrs["joint_draws_with"] == "q_a, c_b"
    base = p.base_case()
    assert float(base["c_a"][0]) == pytest.approx(table["c_a"].mean())
    assert isinstance(p["q_a"], Empirical)


def test_from_draws_merges_with_other_parameters_and_bad_tables_raise():
    table = pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [3.0, 2.0, 1.0]})
    p = Parameters.from_draws(table) | Parameters(z=Beta(1, 1))
    d = p.sample(7, seed=3)
    np.testing.assert_array_equal(d["x"] + d["y"], 4.0)
    with pytest.raises(ParameterError, match=r"parameter 'x' is drawn jointly with y from one table"):
        p.correlate(["x", "z"], np.eye(2))
    with pytest.raises(ParameterError, match=r"column 'y', data row 2: expected a finite number, got 'n/a'"):
        Parameters.from_draws({"x": [1, 2], "y": [1, "n/a"]})
    with pytest.raises(ParameterError, match="parameter name '2y'"):
        Parameters.from_draws({"2y": [1.0]})
    with pytest.raises(ParameterError, match=r"column 'x', data row 3: expected a finite number, got inf"):
        Parameters.from_draws({"x": [1.0, 2.0, np.inf]})


def test_from_draws_reuses_saved_draws():
    saved = Parameters(a=Beta(2, 3), b=Gamma(2, 1)).correlate(["a", "b"], [[1, 0.7], [0.7, 1]]).sample(400, seed=8)
    again = Parameters.from_draws(saved).sample(400, seed=99)
    xr.testing.assert_equal(again[["a", "b"]].reset_coords(drop=True), saved[["a", "b"]].reset_coords(drop=True))
    with pytest.raises(ShapeError, match=r"variables \['m'\] do not have the single dimension 'sample'"):
        Parameters.from_draws(xr.Dataset({"m": (("sample", "k"), np.zeros((2, 2)))}))


# ---------------------------------------------------------------------------------------------
# collection behaviour and summaries


def test_mapping_behaviour(params):
    assert len(params) == 5
    assert list(params) == ["p_sick", "c_drug", "rr", "trans", "discount"]
    assert "rr" in params and "nope" not in params
    assert params["p_sick"] == Beta(12, 88)
    assert params.variables[3:6] == ("trans_well", "trans_sick", "trans_dead")
    with pytest.raises(UnknownNameError, match="unknown parameter 'p_sik'; expected one of: 'p_sick'"):
        params["p_sik"]
    with pytest.raises(AttributeError, match="immutable"):
        params.extra = 1


def test_replace_for_scenarios():
    p = Parameters(a=Normal(0, 1), b=Normal(0, 1), c=1).correlate(["a", "b"], [[1, 0.9], [0.9, 1]])
    q = p.replace(b=Normal(5, 1), c=2)
    assert q["c"] == Fixed(2) and p["c"] == Fixed(1)
    d = q.sample(2000, seed=1)
    assert np.corrcoef(d["a"], d["b"])[0, 1] > 0.85  # b stays in the copula
    with pytest.raises(UnknownNameError, match="unknown parameter 'zz'"):
        p.replace(zz=1)
    with pytest.raises(ParameterError, match="cannot become a Dirichlet"):
        p.replace(a=Dirichlet({"x": 1, "y": 1}))
    joint = Parameters.from_draws({"x": [1.0, 2.0], "y": [3.0, 4.0], "w": [5.0, 6.0]})
    assert joint.replace(y=0).sample(2, seed=0)["x"].values.tolist() == [1.0, 2.0]
    assert "joint draws: x, w" in repr(joint.replace(y=0))


def test_merge_rejects_clashing_names():
    with pytest.raises(ParameterError, match="parameter 'a' is defined in both collections"):
        Parameters(a=1).merge(Parameters(a=2))


def test_summary_and_ranges(params):
    table = params.summary()
    assert list(table.columns) == ["name", "distribution", "point", "mean", "sd", "lower", "upper", "correlation"]
    assert (table["correlation"][~table["name"].str.startswith("trans_")] == "").all()
    assert list(table["name"]) == list(params.variables)
    row = table.set_index("name").loc["rr"]
    assert (row["point"], row["lower"], row["upper"]) == (0.7, pytest.approx(0.7 / math.exp(1.96 * 0.1256), abs=1e-3), pytest.approx(0.7 * math.exp(1.96 * 0.1256), abs=1e-3))
    sick = table.set_index("name").loc["trans_sick"]
    assert (sick["mean"], sick["distribution"]) == (pytest.approx(0.2), "Beta(α=20, β=80)")  # its marginal
    assert sick["correlation"] == "joint Dirichlet: trans_well, trans_dead"
    assert sick["lower"] == pytest.approx(stats.beta(20, 80).ppf(0.025))
    ranges = params.ranges(level=0.9)
    assert set(ranges) == {"p_sick", "c_drug", "rr", "discount"}
    assert ranges["p_sick"] == (pytest.approx(stats.beta(12, 88).ppf(0.05)), pytest.approx(stats.beta(12, 88).ppf(0.95)))
    assert ranges["discount"] == (0.035, 0.035)


def test_sampling_is_vectorised_over_samples():
    # a million draws of a few parameters come back in one call (no per-sample Python loop)
    p = Parameters(a=Beta(2, 3), b=Gamma(2, 2), c=Normal(0, 1)).correlate(["b", "c"], [[1, 0.3], [0.3, 1]])
    d = p.sample(200_000, seed=0)
    assert d.sizes["sample"] == 200_000


# ---------------------------------------------------------------------------------------------
# parameters from a table


TABLE = """name,distribution,mean,sd,se,lower,upper,point,events,total,category,alpha,value,source
p_sick,beta,0.3,0.1,,,,,,,,,,trial
p_resp,Beta,,,,,,,12,100,,,,registry
rr,lognormal,,,,0.55,0.9,0.7,,,,,,meta-analysis
c_drug,gamma,1000,,200,,,,,,,,,BNF
next,dirichlet,,,,,,,,,well,90,,cohort
next,dirichlet,,,,,,,,,dead,10,,cohort
discount,fixed,,,,,,,,,,,0.035,Green Book
"""


def test_from_csv_reads_a_parameter_sheet(tmp_path):
    path = tmp_path / "params.csv"
    path.write_text(TABLE)
    p = Parameters.from_csv(path)
    assert p.names == ("p_sick", "p_resp", "rr", "c_drug", "next", "discount")
    assert p["p_sick"] == Beta.from_mean_sd(0.3, 0.1)
    assert p["p_resp"] == Beta(12, 88)
    assert p["rr"].point == 0.7
    assert p["c_drug"] == Gamma.from_mean_se(1000, 200)
    assert p["next"] == Dirichlet({"well": 90, "dead": 10})
    assert p["discount"] == Fixed(0.035)


@pytest.mark.parametrize(
    "edit, error, message",
    [
        (("0.3,0.1,", "0.3,0.9,"), "DistributionFitError", r"parameter 'p_sick' \(data row 1\): Beta.from_mean_sd: sd=0.9 is too large"),
        (("0.3,0.1,", "0.3,high,"), "ParameterError", r"parameter 'p_sick' \(data row 1\): column 'sd': expected a number, got 'high'"),
        (("c_drug,gamma,1000,,200", "c_drug,gamma,1000,,"), "DistributionFitError", r"parameter 'c_drug' \(data row 4\): gamma cannot be built from mean"),
        (("c_drug,", "rr,"), "ParameterError", r"parameter 'rr' \(data row 4\): parameter 'rr' is defined more than once"),
        (("dead,10", "well,10"), "ParameterError", r"category 'well' is given more than once"),
        (("dead,10", "dead,0"), "DistributionFitError", r"parameter 'next': Dirichlet: alpha for category 'dead'"),
        (("c_drug,", "c drug,"), "ParameterError", r"parameter name 'c drug'"),
        (("p_sick,beta", "p_sick,weibull"), "DistributionFitError", r"data row 1\): unknown distribution 'weibull'"),
        (("p_sick,beta", ",beta"), "ParameterError", r"from_table: data row 1: expected a name, got ''"),
        (("p_resp,Beta", "p_resp,"), "ParameterError", r"from_table: data row 2: expected a distribution, got ''"),
    ],
)
def test_from_csv_errors_name_parameter_and_row(tmp_path, edit, error, message):
    import healthecon.errors as errors

    path = tmp_path / "params.csv"
    path.write_text(TABLE.replace(*edit, 1))
    with pytest.raises(getattr(errors, error), match=message):
        Parameters.from_csv(path)


def test_from_table_needs_name_and_distribution():
    with pytest.raises(ParameterError, match=r"missing column\(s\) \['distribution'\]"):
        Parameters.from_table(pd.DataFrame({"name": ["a"], "mean": [1.0]}))


def test_to_table_round_trips_through_from_table_and_csv(params, tmp_path):
    p = params.replace(c_drug=Gamma.from_mean_sd(1000, 200, point=950)) | Parameters(t=PERT(0, 1, 4, lam=3))
    again = Parameters.from_table(p.to_table())
    assert again.names == p.names
    assert all(again[name] == p[name] for name in p)
    path = tmp_path / "sheet.csv"
    p.to_csv(path)
    from_file = Parameters.from_csv(path)
    xr.testing.assert_identical(from_file.sample(100, seed=5), p.sample(100, seed=5))


def test_to_table_refuses_what_it_cannot_write():
    p = Parameters(a=Normal(0, 1), b=Normal(0, 1)).correlate(["a", "b"], [[1, 0.3], [0.3, 1]])
    with pytest.raises(ParameterError, match="correlations between a, b cannot be written"):
        p.to_table()
    with pytest.raises(ParameterError, match=r"to_table: parameter 'x': Empirical\(2 draws"):
        Parameters(x=Empirical([1.0, 2.0])).to_table()


def test_notebook_display_is_the_summary(params):
    html = params._repr_html_()
    assert "<table" in html and "Beta(α=12, β=88)" in html and "trans_dead" in html


def test_generator_seed_advances_and_fixed_values_can_sit_in_a_copula():
    gen = np.random.default_rng(1)
    p = Parameters(a=Normal(0, 1), k=5.0).correlate(["a", "k"], np.eye(2))
    first, second = p.sample(10, seed=gen), p.sample(10, seed=gen)
    assert not np.array_equal(first["a"], second["a"])
    np.testing.assert_array_equal(first["k"], np.full(10, 5.0))


def test_parameters_pickle_and_copy_for_parallel_workers(params):
    import copy
    import pickle

    p = params.correlate(["c_drug", "rr"], [[1, 0.4], [0.4, 1]])
    for clone in (pickle.loads(pickle.dumps(p)), copy.deepcopy(p)):
        xr.testing.assert_identical(clone.sample(50, seed=3), p.sample(50, seed=3))
        assert clone["p_sick"] == p["p_sick"]



def test_latin_hypercube_puts_one_draw_in_each_stratum(params):
    n = 200
    p = params | Parameters(a=Normal(0, 1), b=Gamma(2, 3)).correlate(["a", "b"], [[1, 0.6], [0.6, 1]])
    d = p.sample(n, seed=6, method="lhs")
    assert d.attrs["method"] == "lhs"
    for name in ("p_sick", "c_drug", "rr", "a", "b"):
        strata = np.floor(p[name].cdf(d[name].values) * n).astype(int)
        np.testing.assert_array_equal(np.sort(strata), np.arange(n))
    np.testing.assert_allclose(d["trans_well"] + d["trans_sick"] + d["trans_dead"], 1.0)
    # the Dirichlet, stratified through its Gamma components, keeps its mean
    assert float(d["trans_sick"].mean()) == pytest.approx(0.2, abs=0.01)
    xr.testing.assert_identical(d, p.sample(n, seed=6, method="lhs"))
    assert stats.spearmanr(d["a"], d["b"]).statistic == pytest.approx(6 / math.pi * math.asin(0.3), abs=0.1)
    with pytest.raises(ParameterError, match="method must be 'random' or 'lhs', got 'sobol'"):
        p.sample(10, seed=1, method="sobol")


def test_parameter_files_are_read_as_written_and_only_from_this_machine(tmp_path):
    # a URL is not fetched; a row longer than the header (an unquoted comma in a source) raises,
    # naming its line; headers are read without case; a near-miss column raises rather than being
    # skipped; a round trip keeps labels, units and sources, and text that looks like a formula
    with pytest.raises(ParameterError, match="is a URL"):
        Parameters.from_csv("http://127.0.0.1:9/params.csv")
    path = tmp_path / "p.csv"
    path.write_text("name,distribution,mean,sd,source\np,beta,0.3,0.1,NICE, 2019\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="line 2 has 6 cells but the header has 5"):
        Parameters.from_csv(path)
    path.write_text("Name,Distribution,Point,Lower,Upper,Level,Source\nrr,lognormal,0.7,0.5,0.9,0.9,trial\n", encoding="utf-8")
    read = Parameters.from_csv(path)
    assert read.sources == {"rr": "trial"}
    from healthecon.distributions import fit

    assert read["rr"] == fit("lognormal", point=0.7, lower=0.5, upper=0.9, level=0.9)  # the 90% interval given, not read as 95%
    assert read["rr"] != fit("lognormal", point=0.7, lower=0.5, upper=0.9)
    path.write_text("name,distribution,mean,sd,lvl\np,beta,0.3,0.1,0.9\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="column 'lvl' is not read; did you mean 'level'"):
        Parameters.from_csv(path)
    params = Parameters(c=Gamma.from_mean_sd(100, 10), p=Beta(2, 8), labels={"c": "=cost of care"}, units={"c": "£"},
                        sources={"c": "+PSSRU 2024"})
    params.to_csv(tmp_path / "out.csv")
    assert "'=cost of care" in (tmp_path / "out.csv").read_text(encoding="utf-8")
    again = Parameters.from_csv(tmp_path / "out.csv")
    assert (again.labels["c"], again.units, again.sources) == ("=cost of care", {"c": "£"}, {"c": "+PSSRU 2024"})
    assert again["c"] == params["c"] and again["p"] == params["p"]
