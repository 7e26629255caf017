"""Parameters: plain numbers, same seed same draws (bit for bit, in another process), independent
streams by name, copulas, Latin hypercube strata and joint draws.

References: Briggs, Claxton & Sculpher (2006) ch. 4; Iman & Conover (1982) for rank correlation.
(Moved from the former test_stats_audit.py, assertions unchanged.)
"""

import subprocess
import sys

import numpy as np
import pytest
from scipy import stats

from healthecon.distributions import (
    Beta,
    Dirichlet,
    Fixed,
    Gamma,
    LogNormal,
    Normal,
)
from healthecon.errors import ParameterError
from healthecon.params import Parameters


# --- plain numbers become fixed parameters ---------------------------------------------------

@pytest.mark.parametrize("value", [0.035, 1, np.int64(1), np.float32(0.5), np.array(0.035), np.array(2)])
def test_plain_numbers_of_any_numeric_type_become_fixed_parameters(value):
    # a 0-d array (np.array(0.035), or a value computed with numpy) used to be rejected
    params = Parameters(k=value)
    assert params["k"] == Fixed(float(value))
    assert params.sample(3, seed=0)["k"].values.tolist() == [float(value)] * 3
    with pytest.raises(ParameterError, match="expected a distribution"):
        Parameters(k=np.array([0.035]))
    with pytest.raises(ParameterError, match="expected a distribution"):
        Parameters(k=np.array(True))


# --- parameters: reproducibility, streams, copula, LHS, joint draws -------------------------

def _params():
    return Parameters(p=Beta(12, 88), c=Gamma.from_mean_sd(1000, 300), rr=LogNormal.from_point_ci(0.7, 0.55, 0.9),
                      d=Dirichlet({"well": 70, "sick": 20, "dead": 10}), k=0.035)


def test_same_seed_gives_bit_identical_draws_in_another_process():
    code = (
        "import sys; sys.path.insert(0, %r)\n"
        "from test_params_reproducibility import _params\n"
        "d = _params().sample(50, seed=123)\n"
        "print(b''.join(d[v].values.tobytes() for v in d.data_vars).hex())\n"
    ) % str(__import__("pathlib").Path(__file__).parent)
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60).stdout.strip()
    here = _params().sample(50, seed=123)
    assert other == b"".join(here[v].values.tobytes() for v in here.data_vars).hex()
    assert _params().sample(50, seed=124)["p"].values.tolist() != here["p"].values.tolist()


def test_streams_are_independent_by_name():
    d = Parameters(a=Beta(2, 2), b=Beta(2, 2), c=Beta(2, 2)).sample(20000, seed=5)
    assert not np.array_equal(d["a"].values, d["b"].values)
    corr = np.corrcoef([d["a"].values, d["b"].values, d["c"].values])
    assert np.abs(corr[np.triu_indices(3, 1)]).max() < 0.03
    alone = Parameters(b=Beta(2, 2)).sample(20000, seed=5)["b"].values
    assert np.array_equal(alone, d["b"].values)


def test_base_case_has_the_sample_layout():
    params = _params()
    base, draws = params.base_case(), params.sample(3, seed=1)
    assert list(base.data_vars) == list(draws.data_vars)
    assert all(base[v].dims == ("sample",) for v in base.data_vars) and base.sizes["sample"] == 1
    assert {v: base[v].attrs for v in base.data_vars} == {v: draws[v].attrs for v in draws.data_vars}
    assert base["rr"].item() == 0.7 and base["d_sick"].item() == pytest.approx(0.2)


@pytest.mark.parametrize("kind", ["normal", "spearman"])
@pytest.mark.parametrize("method", ["random", "lhs"])
def test_copula_recovers_target_correlation_and_keeps_marginals(kind, method):
    marginals = {"a": Gamma(4, 250), "b": Beta(2, 8), "c": LogNormal(0, 0.5)}
    target = np.array([[1.0, 0.6, -0.3], [0.6, 1.0, 0.2], [-0.3, 0.2, 1.0]])
    n = 20000
    d = Parameters(marginals).correlate(["a", "b", "c"], target, kind=kind).sample(n, seed=11, method=method)
    x = np.column_stack([d[v].values for v in "abc"])
    if kind == "spearman":
        got = stats.spearmanr(x).statistic
    else:  # Pearson correlation of the normal scores
        got = np.corrcoef(stats.norm.ppf([marginals[v].cdf(d[v].values) for v in "abc"]))
    np.testing.assert_allclose(got, target, atol=0.02)
    for j, v in enumerate("abc"):
        assert stats.kstest(x[:, j], marginals[v].cdf).pvalue > 1e-3
        if method == "lhs":  # one draw in each of the n equal-probability strata
            strata = np.floor(np.asarray(marginals[v].cdf(x[:, j])) * n)
            assert np.unique(np.clip(strata, 0, n - 1)).size >= n - 2


@pytest.mark.parametrize("matrix, message", [
    ([[1, 0.9, 0.9], [0.9, 1, -0.9], [0.9, -0.9, 1]], "not positive semi-definite"),
    ([[1, 0.5, 0], [0.4, 1, 0], [0, 0, 1]], "not symmetric"),
    ([[1, 0.5, 0], [0.5, 0.9, 0], [0, 0, 1]], "diagonal entry for 'b'"),
    ([[1, 1.5, 0], [1.5, 1, 0], [0, 0, 1]], r"is 1.5; expected a value in \[-1, 1\]|not positive"),
    ([[1, 0.5], [0.5, 1]], "expected a 3 x 3"),
])
def test_correlation_matrix_validation(matrix, message):
    params = Parameters(a=Beta(1, 1), b=Beta(1, 1), c=Beta(1, 1))
    with pytest.raises(Exception, match=message):
        params.correlate(["a", "b", "c"], matrix)


def test_spearman_conversion_keeps_a_unit_diagonal():
    # 2 sin(pi * 1 / 6) = 0.9999999999999999 used to end up on the diagonal
    params = Parameters(a=Beta(2, 2), b=Gamma(2, 2), c=Normal(0, 1))
    matrix = params.correlate(["a", "b", "c"], [[1, 0.5, -1], [0.5, 1, -0.5], [-1, -0.5, 1]], kind="spearman").correlations[("a", "b", "c")]
    assert np.diag(matrix).tolist() == [1.0, 1.0, 1.0] and matrix[0, 2] == -1.0
    assert matrix[0, 1] == pytest.approx(2 * np.sin(np.pi * 0.5 / 6), rel=1e-15)


def test_lhs_marginals_are_stratified():
    n = 1000
    d = _params().sample(n, seed=9, method="lhs")
    for name in ("p", "c", "rr"):
        u = np.asarray(_params()[name].cdf(d[name].values))
        assert np.array_equal(np.sort(np.floor(u * n)), np.arange(n))


def test_from_draws_keeps_rows_together():
    rng = np.random.default_rng(0)
    table = {"x": rng.normal(size=50), "y": rng.normal(size=50), "z": rng.normal(size=50)}
    rows = {tuple(r) for r in np.column_stack(list(table.values()))}
    params = Parameters.from_draws(table)
    for n in (50, 333):
        d = params.sample(n, seed=4)
        got = np.column_stack([d[v].values for v in "xyz"])
        assert all(tuple(r) in rows for r in got)
    assert np.array_equal(params.sample(50, seed=4)["x"].values, table["x"])


