"""Benchmark: EVPI, single-parameter EVPPI and GP EVPPI of a group over a willingness-to-pay grid.

``n`` PSA samples (default 10,000) x 3 strategies x 51 thresholds (£0 to £50,000 per QALY).
Prints the best-of-3 wall time of

- ``healthecon.voi.evpi`` against plain numpy (``mean(max) - max(mean)`` on a broadcast array);
- ``healthecon.voi.evppi`` with the spline metamodel (GCV-chosen smoothness), without and with
  the standard error, against a plain-numpy baseline that regresses the incremental net
  benefit on a cubic polynomial of the parameter separately at every threshold (the
  per-threshold refit of BCEA-style implementations, with the cheapest possible regression);
- ``healthecon.voi.evppi`` with the Gaussian process for all three parameters (hyperparameters
  from a 100-sample subset by default, used as inducing points for the posterior mean at every sample),
  without and with the standard error;

and checks that the EVPI agrees exactly, that the two single-parameter EVPPI estimates agree
closely (the model is polynomial in the parameter, so both regressions are unbiased), and that
the GP EVPPI of all three parameters, which determine the outcomes, equals the EVPI.
Run: ``python benchmarks/voi_evppi.py [n_samples] [--quick]``; ``--quick`` (500 samples, one
repeat) only checks that it runs and agrees with the baselines. Exits with status 1 if they
disagree.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from healthecon import voi
from healthecon.outcomes import make_outcomes

from _harness import best_ms, best_of, parse_args  # benchmarks/ is on sys.path when a script runs


def psa(n: int):
    rng = np.random.default_rng(0)
    p, c, u = rng.beta(20, 80, n), rng.gamma(100, 5, n), rng.normal(0.7, 0.05, n)
    cost = np.column_stack([np.full(n, 1000.0), 1000 + c, 1300 + 1.2 * c])
    effect = np.column_stack([u, u + 0.15 * p + 0.2 * p**2, u + 0.3 * p - 0.1 * p**2])
    out = make_outcomes({"cost": cost, "qaly": effect}, ["A", "B", "C"], effect="qaly")
    return out, xr.Dataset({"p": ("sample", p), "c": ("sample", c), "u": ("sample", u)}), cost, effect, p


def baseline_evpi(cost, effect, grid):
    nb = grid[:, None, None] * effect - cost
    return nb.max(axis=2).mean(axis=1) - nb.mean(axis=1).max(axis=1)


def baseline_evppi(cost, effect, x, grid):
    design = np.vander((x - x.mean()) / x.std(), 4)
    values = []
    for lam in grid:  # refit at every threshold
        inb = lam * (effect[:, 1:] - effect[:, :1]) - (cost[:, 1:] - cost[:, :1])
        coef, *_ = np.linalg.lstsq(design, inb, rcond=None)
        fitted = np.column_stack([np.zeros(len(x)), design @ coef])
        values.append(fitted.max(axis=1).mean() - fitted.mean(axis=0).max())
    return np.array(values)


def check(ours: np.ndarray, theirs: np.ndarray, what: str, rtol: float, atol: float) -> None:
    """Exit with status 1, naming the estimate, if healthecon and the baseline disagree."""
    if not np.allclose(ours, theirs, rtol=rtol, atol=atol):
        worst = np.abs(ours - theirs).max()
        raise SystemExit(f"{what}: healthecon and the plain-numpy baseline disagree (largest difference {worst:.3g})")


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv, __doc__.splitlines()[0], quick_samples=500)
    n, repeat = args.n_samples, 1 if args.quick else 3
    out, draws, cost, effect, p = psa(n)
    grid = np.linspace(0, 50_000, 51)
    check(voi.evpi(out, grid).values, baseline_evpi(cost, effect, grid), "EVPI", rtol=1e-10, atol=1e-8)
    t_evpi = best_ms(lambda: voi.evpi(out, grid), repeat)
    t_base = best_ms(lambda: baseline_evpi(cost, effect, grid), repeat)
    print(f"{n:,} samples x 3 strategies x {grid.size} thresholds")
    print(f"evpi:                      {t_evpi:8.1f} ms   plain numpy {t_base:8.1f} ms   ratio {t_evpi / t_base:5.2f}")
    fitted = voi.evppi(out, draws, "p", grid, se_draws=0)["evppi"].values
    check(fitted, baseline_evppi(cost, effect, p, grid), "EVPPI of p", rtol=0.02, atol=0.5)
    t_fit = best_ms(lambda: voi.evppi(out, draws, "p", grid, se_draws=0), repeat)
    t_se = best_ms(lambda: voi.evppi(out, draws, "p", grid, se_draws=100), repeat)
    t_loop = best_ms(lambda: baseline_evppi(cost, effect, p, grid), repeat)
    print(f"evppi (spline, no SE):     {t_fit:8.1f} ms   per-threshold cubic {t_loop:8.1f} ms   ratio {t_fit / t_loop:5.2f}")
    print(f"evppi (spline, 100 SE draws): {t_se:5.1f} ms")
    # The outcomes are an exact function of (p, c, u): the GP EVPPI of all three is the EVPI.
    gp = lambda se: voi.evppi(out, draws, ["p", "c", "u"], grid, method="gp", se_draws=se)  # noqa: E731
    t_gp, _, first = best_of(lambda: gp(0), 1)
    t_gp, fitted = t_gp * 1000, first["evppi"].values
    check(fitted, baseline_evpi(cost, effect, grid), "GP EVPPI of (p, c, u) against EVPI", rtol=0.01, atol=0.5)
    if args.quick:
        print(f"evppi (GP, 3 parameters, 100-sample subset, no SE): {t_gp:8.1f} ms")
    else:
        t_gp, t_gp_se = min(t_gp, best_ms(lambda: gp(0), repeat - 1)), best_ms(lambda: gp(100), repeat)
        print(f"evppi (GP, 3 parameters, 100-sample subset, no SE): {t_gp:8.1f} ms   with 100 SE draws {t_gp_se:8.1f} ms")
    print("EVPI equals plain numpy; spline EVPPI agrees with the per-threshold cubic (2% or £0.50)")
    print("GP EVPPI of all parameters equals the plain-numpy EVPI (1% or £0.50)")


if __name__ == "__main__":
    main()
