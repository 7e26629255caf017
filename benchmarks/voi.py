"""Benchmark: value of information at 10,000 draws, timed against plain numpy, checked against references.

Issue 15 section 3. Times are printed as ratios to a baseline measured in the same run: the
cheapest regression EVPPI in plain numpy (``numpy.linalg.lstsq`` of incremental net benefit
on a cubic polynomial of the parameter, at one threshold, then
``mean(max(0, fitted)) - max(0, mean(fitted))``), without a standard error. Timed:

- ``healthecon.voi.evppi`` of one parameter with its standard error (spline, the default),
  at one threshold and over 51 thresholds; and with the standard error of the fit from 100
  posterior draws (``se_draws=100``, the earlier default) for comparison;
- the Gaussian-process EVPPI of three parameters with its standard error (three strategies).

Accuracy, each with the estimate's standard error:

- a linear-normal model, ``INB = 200 + 1000 theta + 1500 psi`` (theta, psi standard normal),
  whose EVPPI of theta has the closed form ``a Phi(a/b) + b phi(a/b) - max(a, 0)`` = 306.89:
  spline, GP and the baseline;
- the voi R package's chemotherapy example (10,000 PSA samples; see
  tests/validation/test_voi_chemo.py for the source): EVPPI of ``p_side_effects_t2`` (voi's
  GAM: 262.1109) and of it with ``logor_side_effects`` (333.4516), spline and GP;
- the GP EVPPI of all three parameters of the three-strategy model, which determine its
  outcomes, against the EVPI.

Run: ``python benchmarks/voi.py [n_samples] [--quick]``; ``--quick`` (2,000 samples, one
repeat) only checks that it runs and agrees. Exits with status 1, naming the estimate, if an
estimate is further from its reference than its tolerance (3 standard errors for the closed
form, twice the fit's standard error for the peer package on the same draws, 1% for EVPI).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr
from scipy import stats

from healthecon import voi
from healthecon.outcomes import make_outcomes

from _harness import best_of, parse_args  # benchmarks/ is on sys.path when a script runs
from voi_evppi import psa  # three strategies whose costs and QALYs are exact functions of (p, c, u)

CHEMO = Path(__file__).resolve().parents[1] / "tests" / "validation" / "data" / "voi_chemo.csv.gz"
CHEMO_REFERENCE = {("p_side_effects_t2",): 262.1109, ("p_side_effects_t2", "logor_side_effects"): 333.4516}
A, B, NOISE = 200.0, 1000.0, 1500.0


def linear_normal(n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    theta, psi = rng.normal(0, 1, n), rng.normal(0, 1, n)
    inb = A + B * theta + NOISE * psi
    out = make_outcomes({"cost": np.column_stack([np.zeros(n), -inb]), "qaly": np.zeros((n, 2))}, ["A", "B"], effect="qaly")
    return out, xr.Dataset({"theta": ("sample", theta)}), theta, inb


def closed_form() -> float:
    return A * stats.norm.cdf(A / B) + B * stats.norm.pdf(A / B) - max(A, 0.0)


def baseline_evppi(x: np.ndarray, inb: np.ndarray) -> float:
    """Plain numpy: least-squares cubic in ``x``, then the EVPPI of the fitted values (two strategies)."""
    design = np.vander((x - x.mean()) / x.std(), 4)
    coef, *_ = np.linalg.lstsq(design, inb, rcond=None)
    fitted = design @ coef
    return float(np.maximum(fitted, 0).mean() - max(fitted.mean(), 0.0))


def check(label: str, estimate: float, reference: float, tolerance: float) -> None:
    """Print one accuracy row; exit with status 1, naming the estimate, when it misses its reference."""
    if not abs(estimate - reference) <= tolerance:
        raise SystemExit(f"{label}: {estimate:.2f} against {reference:.2f}, outside the tolerance {tolerance:.2f}")
    print(f"{label:44s} {estimate:9.2f} {reference:10.2f} {estimate - reference:+11.2f} {tolerance:10.2f}")


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv, __doc__.splitlines()[0], quick_samples=2000)
    n, repeat = args.n_samples, 1 if args.quick else 7
    grid = np.linspace(0, 50_000, 51)
    out, draws, theta, inb = linear_normal(n)
    exact = closed_form()
    t_base, _, base = best_of(lambda: baseline_evppi(theta, inb), repeat)
    rows = []

    def timed(label: str, func) -> xr.Dataset:
        wall, cpu, result = best_of(func, repeat)
        rows.append((label, wall, cpu))
        return result

    spline = timed("evppi, 1 parameter, spline, se, 1 threshold", lambda: voi.evppi(out, draws, "theta", 20000))
    timed("evppi, 1 parameter, spline, se, 51 thresholds", lambda: voi.evppi(out, draws, "theta", grid))
    timed("evppi, 1 parameter, spline, se from 100 draws, 51 thr.", lambda: voi.evppi(out, draws, "theta", grid, se_draws=100))
    gp = voi.evppi(out, draws, "theta", 20000, method="gp")
    out3, draws3, *_ = psa(n)
    gp3 = timed("evppi, 3 parameters, GP, se, 51 thresholds", lambda: voi.evppi(out3, draws3, ["p", "c", "u"], grid, method="gp"))

    print(f"{n:,} samples; baseline (numpy lstsq cubic, 1 threshold, no se): {t_base * 1000:.2f} ms")
    print(f"{'':58s} {'wall ms':>9s} {'cpu ms':>9s} {'/ baseline':>10s}")
    for label, wall, cpu in rows:
        print(f"{label:58s} {wall * 1000:9.1f} {cpu * 1000:9.1f} {wall / t_base:10.1f}")
    print()
    print(f"{'accuracy':44s} {'estimate':>9s} {'reference':>10s} {'difference':>11s} {'tolerance':>10s}")
    for label, result in (("spline", spline), ("GP", gp)):
        check(f"linear-normal EVPPI, {label} (3 se)", float(result["evppi"][0]), exact, 3 * float(result["se"][0]))
    check("linear-normal EVPPI, baseline cubic (3 se)", base, exact, 3 * float(spline["se"][0]))
    if CHEMO.exists():
        frame = pd.read_csv(CHEMO)
        chemo = make_outcomes({"cost": -frame[["nb_soc", "nb_novel"]].to_numpy(), "qaly": np.zeros((len(frame), 2))},
                              ["Standard of care", "Novel"], effect="qaly")
        chemo_draws = xr.Dataset({k: ("sample", frame[k].to_numpy()) for k in ("p_side_effects_t2", "logor_side_effects")})
        for names, reference in CHEMO_REFERENCE.items():
            for method in ("spline", "gp"):
                result = voi.evppi(chemo, chemo_draws, list(names), 20000, method=method)
                check(f"voi chemo, {len(names)} parameter{'s' if len(names) > 1 else ''}, {method} (2 se_fit)",
                      float(result["evppi"][0]), reference, 2 * float(result["se_fit"][0]))
    total = voi.evpi(out3, grid).values
    worst = int(np.argmax(np.abs(gp3["evppi"].values - total)))
    check("GP EVPPI of (p, c, u) = EVPI, worst threshold", float(gp3["evppi"][worst]), float(total[worst]),
          max(0.01 * float(total[worst]), 0.5))
    print("all estimates agree with their references")


if __name__ == "__main__":
    main()
