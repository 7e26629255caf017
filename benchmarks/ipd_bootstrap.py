"""Benchmark: 5,000 bootstrap replicates of a 2,000-person, two-arm dataset (cost and QALYs).

Compares, in the same run and on the same random draws:

- *numpy baseline*: the plain bootstrap, one index matrix per arm
  (``rng.integers(0, n_arm, size=(B, n_arm))``) and ``values[idx].mean(axis=1)`` for cost
  and QALYs;
- *healthecon replicates (by index)*: what ``healthecon.ipd.bootstrap`` does for means: per
  resampled unit, its values gathered by index (constant columns, such as the arm sizes of an
  unweighted within-arm bootstrap, are not gathered at all);
- *healthecon replicates (count matrix)*: the general path that regression estimators use,
  bootstrap counts by one ``np.bincount`` then one matrix product for all variables;
- *healthecon.ipd.bootstrap*: the full call, which also builds the outcome sets and the
  leave-one-out jackknife that BCa intervals need.

The baseline uses each arm's child stream of ``SeedSequence(seed)``, as healthecon does, so the
replicate means must agree to a relative 1e-10. Prints best-of-5 wall and CPU times and their
ratio to the baseline (target: ratio <= 1 for the replicates by index). Run:
``python benchmarks/ipd_bootstrap.py [n_replicates] [--quick]``; ``--quick`` (200 replicates,
one repeat) only checks that it runs and agrees. Exits with status 1 if the results disagree.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from healthecon.ipd import bootstrap, read_patients
from healthecon.ipd.bootstrap import evaluate, evaluate_bootstrap, resampling_plan
from healthecon.ipd.estimators import ArmMeans

from _harness import best_of, parse_args  # benchmarks/ is on sys.path when a script runs

N_PER_ARM = 1000
SEED = 20261205


def dataset() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n = 2 * N_PER_ARM
    arm = np.repeat(["usual care", "new"], N_PER_ARM)
    u0 = rng.uniform(0.3, 0.9, n)
    return pd.DataFrame({"arm": arm, "cost": rng.gamma(2.0, np.where(arm == "new", 900.0, 600.0)),
                         "u0": u0, "u1": np.clip(u0 + rng.normal(0.03 * (arm == "new"), 0.1), -0.5, 1.0)})


def baseline(cost: np.ndarray, qaly: np.ndarray, arm: np.ndarray, n_boot: int, seed: int) -> np.ndarray:
    """Plain numpy: per arm, an index matrix and the means of the gathered values; (B, 2 variables, 2 arms)."""
    out = np.empty((n_boot, 2, 2))
    generators = [np.random.default_rng(child) for child in np.random.SeedSequence(seed).spawn(2)]
    for a, gen in enumerate(generators):
        c, q = cost[arm == a], qaly[arm == a]
        idx = gen.integers(0, c.size, size=(n_boot, c.size))
        out[:, 0, a] = c[idx].mean(axis=1)
        out[:, 1, a] = q[idx].mean(axis=1)
    return out


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv, __doc__.splitlines()[0], quick_samples=200)
    n_boot = 5000 if args.n_samples == 10_000 and not args.quick else args.n_samples
    repeat = 1 if args.quick else 5
    data = read_patients(dataset(), id=None, arms=["usual care", "new"], costs=["cost"], utilities={"u0": 0, "u1": 1})
    cost, qaly, arm = data.table["cost"].to_numpy(), data.table["qaly"].to_numpy(), data.arm_index
    plan = resampling_plan(data)
    estimator = ArmMeans(data, ["cost", "qaly"])

    def replicates() -> dict[str, np.ndarray]:
        return evaluate_bootstrap(estimator, plan, n_boot, SEED)

    def counts() -> dict[str, np.ndarray]:
        return evaluate(estimator, plan.iter_bootstrap_counts(n_boot, SEED))

    ours = replicates()
    by_counts = counts()
    base = baseline(cost, qaly, arm, n_boot, SEED)
    full = bootstrap(data, n_boot, SEED).replicates
    for j, name in enumerate(("cost", "qaly")):
        if not all(np.allclose(values, base[:, j, :], rtol=1e-10, atol=0)
                   for values in (ours[name], by_counts[name], full[name].values)):
            raise SystemExit(f"healthecon's bootstrap means of {name} disagree with the numpy baseline")
    print(f"{n_boot:,} replicates x {2 * N_PER_ARM:,} people; bootstrap means agree with the numpy baseline (rtol 1e-10)")

    t_base, c_base, _ = best_of(lambda: baseline(cost, qaly, arm, n_boot, SEED), repeat)
    rows = [("numpy baseline (index matrices)", t_base, c_base)]
    rows.append(("healthecon replicates (by index)", *best_of(replicates, repeat)[:2]))
    rows.append(("healthecon replicates (count matrix)", *best_of(counts, repeat)[:2]))
    rows.append(("healthecon.ipd.bootstrap (+ jackknife)", *best_of(lambda: bootstrap(data, n_boot, SEED), repeat)[:2]))
    print(f"{'':40s}{'wall ms':>9s}{'cpu ms':>9s}{'wall ratio':>12s}{'cpu ratio':>11s}")
    for name, wall, cpu in rows:
        print(f"{name:40s}{wall * 1000:9.1f}{cpu * 1000:9.1f}{wall / t_base:12.2f}{cpu / c_base:11.2f}")


if __name__ == "__main__":
    main()
