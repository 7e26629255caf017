"""Stata ``cea`` package's worked example: a simulated two-arm trial of 2,000 patients (cost, QALYs, age).

Source: R. A. Raciborski and R. Raciborski, ``cea``: trial-based cost-effectiveness analysis
commands for Stata (after Glick, Doshi, Sonnad & Polsky 2014, *Economic Evaluation in Clinical
Trials*), https://github.com/TheRaciborskis/cea, commit 4cdfa85 (2025-07-30). Its README prints
the analyses of its example file ``dta/rct2armex2.dta``, shipped here unchanged as
``data/patients/cea_rct2armex2.csv`` (provenance in the file's header). Printed figures:

- ``cea cost qaly, treat(tgroup) vce(delta)``: ICER 148417.6, delta-method std. err. 42636.23,
  95% interval 64801.49 to 232033.8 (t with N - 2 = 1,998 degrees of freedom: Stata's ``mean``
  reports df 1,999 and ``cea`` subtracts one, ``cea_mean.ado`` line 36);
- ``cea cost qaly, treat(tgroup) wtp(200000)``: net monetary benefit 541.4579;
- bootstrap (Stata's RNG, not ours): ICER std. err. 46561.05 with 50 replicates; 42953.71 with
  100 replicates (``seed(1423)``), percentile interval 62951.72 to 226323.8; NMB at 200,000 std.
  err. 464.8073 with 50 replicates.

Conventions: unadjusted arm means; the variances and covariance of the increments from each arm's
sample (co)variance over its size (Stata's ``mean ..., over()``); the delta method with t(N - 2).
The QALY column is given to :func:`read_patients` as a constant utility held for one year, whose
area under the curve is exactly that value.

Not reproduced (see docs/validation.md): the README's ``cea (glm cost age, family(gamma)
link(log)) (betareg qaly age)`` ICER of 154985.4; healthecon's gamma-GLM recycled-prediction cost
increment with statsmodels' beta regression for the QALY increment gives 154,976.9 (0.005% lower),
and the README's ``describe`` lists a variable (lncost) the published file lacks, so its file may
differ from the published one in other respects. The package prints no Fieller interval (it has
``estat fieller`` but shows no output), so none is checked here.
"""

from importlib import resources

import numpy as np
import pandas as pd
import pytest

from healthecon.ipd import bootstrap, delta_method, fieller, mean_difference_table, net_benefit_regression, read_patients

DATA = str(resources.files("healthecon.data") / "patients" / "cea_rct2armex2.csv")

N, N_CONTROL, N_TREATED = 2000, 1001, 999
PRINTED_ICER = 148417.6
PRINTED_DELTA_SE, PRINTED_DELTA_CI = 42636.23, (64801.49, 232033.8)
PRINTED_NMB_200K = 541.4579
PRINTED_BOOT_SE = {50: 46561.05, 100: 42953.71}
PRINTED_BOOT_PERCENTILE_100 = (62951.72, 226323.8)
PRINTED_BOOT_NMB_SE_50 = 464.8073
N_BOOT = 2000


@pytest.fixture(scope="module")
def data():
    frame = pd.read_csv(DATA, comment="#")
    frame = frame.assign(arm=frame["tgroup"].map({0: "Control", 1: "Treatment"}), u_start=frame["qaly"],
                         u_end=frame["qaly"]).drop(columns="qaly")
    return read_patients(frame, id="subjid", arms=["Control", "Treatment"], costs=["cost"],
                         utilities={"u_start": 0.0, "u_end": 1.0}, covariates=["age"])


@pytest.fixture(scope="module")
def replicates(data):
    return bootstrap(data, n_boot=N_BOOT, seed=20240314).increments().loc["Treatment"]


def mc_sd_of_se(se, b):
    """Monte Carlo SD of a bootstrap standard error from ``b`` replicates (normal approximation)."""
    return se / np.sqrt(2 * (b - 1))


@pytest.fixture(scope="module")
def table(data):
    return mean_difference_table(data)


def test_the_published_file_is_shipped_whole(data):
    counts = data.table["arm"].value_counts()
    assert (len(data.table), counts["Control"], counts["Treatment"]) == (N, N_CONTROL, N_TREATED)
    raw = pd.read_csv(DATA, comment="#")
    np.testing.assert_allclose(data.table["qaly"], raw["qaly"], rtol=1e-15)  # constant utility over one year


def test_the_icer_of_the_arm_means_is_the_printed_one(table):
    row = table.loc["Treatment"]
    assert row.inc_cost / row.inc_effect == pytest.approx(PRINTED_ICER, abs=0.05)


def test_the_bootstrap_point_estimate_is_the_same_icer(data):
    point = bootstrap(data, n_boot=2, seed=1).point
    inc = point.diff("strategy").isel(sample=0, strategy=0)
    assert float(inc["cost"] / inc["qaly"]) == pytest.approx(PRINTED_ICER, abs=0.05)


def test_the_delta_method_standard_error_and_interval_are_the_printed_ones(table):
    row = table.loc["Treatment"]
    assert table.attrs["df"] == N - 2
    d = delta_method(row.inc_cost, row.inc_effect, row.se_cost**2, row.se_effect**2, row["cov"], df=table.attrs["df"])
    assert d.icer == pytest.approx(PRINTED_ICER, abs=0.05)
    assert d.se == pytest.approx(PRINTED_DELTA_SE, abs=0.005)
    assert d.lower == pytest.approx(PRINTED_DELTA_CI[0], abs=0.005)
    assert d.upper == pytest.approx(PRINTED_DELTA_CI[1], abs=0.05)


def test_the_normal_quantile_would_not_reproduce_the_printed_interval(table):
    """The t(1998) convention matters at the printed precision: z moves the limits by about 50."""
    row = table.loc["Treatment"]
    d = delta_method(row.inc_cost, row.inc_effect, row.se_cost**2, row.se_effect**2, row["cov"])
    assert abs(d.lower - PRINTED_DELTA_CI[0]) > 40


def test_the_net_monetary_benefit_at_200000_is_the_printed_one(data, table):
    nbr = net_benefit_regression(data, 200_000.0).loc[("Treatment", 200_000.0)]
    assert nbr.inb == pytest.approx(PRINTED_NMB_200K, abs=5e-5)
    row = table.loc["Treatment"]
    assert 200_000 * row.inc_effect - row.inc_cost == pytest.approx(PRINTED_NMB_200K, abs=5e-5)


def test_fieller_contains_the_icer_and_is_skewed_beyond_the_delta_interval(table):
    """No printed Fieller interval exists for these data; this checks only its known relation to
    the delta interval (same point, wider above than below: the ratio is right-skewed)."""
    row = table.loc["Treatment"]
    args = (row.inc_cost, row.inc_effect, row.se_cost**2, row.se_effect**2, row["cov"])
    f, d = fieller(*args, df=N - 2), delta_method(*args, df=N - 2)
    assert f.bounded and f.contains(PRINTED_ICER)
    assert f.upper - d.icer > d.icer - f.lower
    assert f.upper > d.upper


def test_the_bootstrap_agrees_with_the_printed_bootstrap_within_monte_carlo_error(replicates):
    """Stata's replicates come from its own RNG, so only the distribution can agree. The standard
    error of a bootstrap standard error from B replicates is about se / sqrt(2 (B - 1)); that of a
    2.5% or 97.5% percentile about sqrt(0.025 x 0.975 / B) / density, with the density of a normal
    of sd se at its 2.5% point, 0.0584 / se. Each comparison allows 3 combined Monte Carlo SDs."""
    icers = (replicates["inc_cost"] / replicates["inc_effect"]).to_numpy()
    assert (replicates["inc_effect"] > 0).all()
    se = icers.std(ddof=1)
    for b, printed in PRINTED_BOOT_SE.items():
        mc = np.hypot(mc_sd_of_se(printed, b), mc_sd_of_se(se, N_BOOT))
        assert abs(se - printed) < 3 * mc, (b, se, printed, mc)
    lo, hi = np.percentile(icers, [2.5, 97.5])
    q_sd = lambda b: np.sqrt(0.025 * 0.975 / b) * se / 0.0584  # noqa: E731
    mc = np.hypot(q_sd(100), q_sd(N_BOOT))
    assert abs(lo - PRINTED_BOOT_PERCENTILE_100[0]) < 3 * mc
    assert abs(hi - PRINTED_BOOT_PERCENTILE_100[1]) < 3 * mc


def test_the_bootstrap_nmb_standard_error_agrees_within_monte_carlo_error(replicates):
    nmb = 200_000 * replicates["inc_effect"] - replicates["inc_cost"]
    se = nmb.std(ddof=1)
    mc = np.hypot(mc_sd_of_se(PRINTED_BOOT_NMB_SE_50, 50), mc_sd_of_se(se, N_BOOT))
    assert abs(se - PRINTED_BOOT_NMB_SE_50) < 3 * mc
