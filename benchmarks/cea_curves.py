"""Benchmark: CEAC, CEAF and expected-loss curves over a willingness-to-pay grid.

10,000 PSA samples x 4 strategies x 101 thresholds (£0 to £100,000 per QALY). Prints the
best-of-7 wall time of ``healthecon.cea.ceac``, ``expected_loss`` and ``ceaf`` (each a full
call from an outcome set, validation included) against two plain-numpy baselines on the
same arrays:

- *broadcast*: one (threshold, sample, strategy) NMB array, ``argmax`` and a ``bincount``,
  the fastest straightforward numpy;
- *loop*: a Python loop over thresholds with numpy inside (how dampack and BCEA compute
  CEACs).

and checks that healthecon's CEAC and CEAF equal the baselines' exactly and its expected loss
to a relative 1e-12. Run: ``python benchmarks/cea_curves.py [n_samples] [--quick]``;
``--quick`` (500 samples, one repeat) only checks that it runs and agrees with the baselines.
Exits with status 1 if the results disagree.
"""

from __future__ import annotations

import numpy as np

from healthecon import cea
from healthecon.outcomes import make_outcomes

from _harness import best_ms, parse_args  # benchmarks/ is on sys.path when a script runs


def baseline_broadcast(cost: np.ndarray, effect: np.ndarray, grid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    nmb = grid[:, None, None] * effect - cost
    best = nmb.argmax(axis=2)
    k = cost.shape[1]
    share = np.bincount((np.arange(grid.size)[:, None] * k + best).ravel(), minlength=grid.size * k)
    loss = (nmb.max(axis=2, keepdims=True) - nmb).mean(axis=1)
    return share.reshape(grid.size, k) / cost.shape[0], loss


def baseline_loop(cost: np.ndarray, effect: np.ndarray, grid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    k = cost.shape[1]
    share, loss = np.empty((grid.size, k)), np.empty((grid.size, k))
    for i, lam in enumerate(grid):
        nmb = lam * effect - cost
        share[i] = np.bincount(nmb.argmax(axis=1), minlength=k) / cost.shape[0]
        loss[i] = (nmb.max(axis=1, keepdims=True) - nmb).mean(axis=0)
    return share, loss


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv, __doc__.splitlines()[0], quick_samples=500)
    n, repeat = args.n_samples, 1 if args.quick else 7
    rng = np.random.default_rng(20261123)
    cost = rng.gamma(100.0, [10.0, 40.0, 60.0, 90.0], size=(n, 4))
    effect = rng.normal([5.0, 5.2, 5.25, 5.4], [0.1, 0.12, 0.15, 0.2], size=(n, 4))
    out = make_outcomes({"cost": cost, "qaly": effect}, strategies=["usual", "A", "B", "C"], effect="qaly")
    grid = np.linspace(0, 100_000, 101)

    share, loss = cea.ceac(out, grid).values, cea.expected_loss(out, grid).values
    frontier = cea.ceaf(out, grid)
    optimal = (grid[:, None] * effect.mean(axis=0) - cost.mean(axis=0)).argmax(axis=1)  # highest expected NMB
    for name, baseline in (("broadcast", baseline_broadcast), ("loop", baseline_loop)):
        b_share, b_loss = baseline(cost, effect, grid)
        same_frontier = (np.array_equal(frontier["optimal"].values, np.array(["usual", "A", "B", "C"])[optimal])
                         and np.array_equal(frontier["probability"].values, b_share[np.arange(grid.size), optimal]))
        if not (np.array_equal(share, b_share) and np.allclose(loss, b_loss, rtol=1e-12, atol=1e-9) and same_frontier):
            raise SystemExit(f"healthecon's CEAC, expected loss or CEAF differ from the {name} baseline")
    print(f"{n:,} samples x 4 strategies x {grid.size} thresholds; results agree with both baselines")
    t_broadcast = best_ms(lambda: baseline_broadcast(cost, effect, grid), repeat)
    t_loop = best_ms(lambda: baseline_loop(cost, effect, grid), repeat)
    print(f"{'':28s}{'ms':>8s}{'vs broadcast':>14s}{'vs loop':>10s}")
    print(f"{'numpy broadcast baseline':28s}{t_broadcast:8.1f}{1:14.2f}{t_broadcast / t_loop:10.2f}")
    print(f"{'numpy loop baseline':28s}{t_loop:8.1f}{t_loop / t_broadcast:14.2f}{1:10.2f}")
    for name, func in (("cea.ceac", cea.ceac), ("cea.expected_loss", cea.expected_loss), ("cea.ceaf", cea.ceaf)):
        t = best_ms(lambda func=func: func(out, grid), repeat)
        print(f"{name:28s}{t:8.1f}{t / t_broadcast:14.2f}{t / t_loop:10.2f}")


if __name__ == "__main__":
    main()
