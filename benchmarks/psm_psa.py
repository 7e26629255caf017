"""Benchmark: a PSA of a three-state partitioned survival model, two arms, 40 years of monthly cycles.

Progression-free, progressed and dead; control-arm Weibull (proportional hazards) PFS and OS
whose shape and scale are PSA parameters, the new arm by hazard ratios on both curves
(:class:`~healthecon.survival.transforms.HazardRatio`), PFS capped at OS, 480 monthly cycles,
half-cycle correction, 3.5% discounting, drug, care and progression costs, utilities by state.
The parameter values are illustrative, not from a trial.

Prints healthecon's time and a plain-numpy baseline's on the same draws, in paired runs
(one of each, alternating which goes first), with the median of the paired ratios (wall and
CPU), whether the results agree, and the peak memory each allocates (tracemalloc, in a
separate run). The baseline is a best-effort numpy of the same computation: the cumulative
hazards ``scale t^shape`` once per curve for all samples, ``exp(-HR H)`` into a reused buffer
(no multiplication for the control arm), PFS capped at OS in place with ``np.minimum``, and
every weighted sum over time (corrected and discounted occupancy, discounted progressions)
as matrix-vector products, with BLAS on one thread (faster for these products on a shared
machine, as healthecon runs them). Both compute only the discounted totals (healthecon's
``undiscounted=False``). Run: ``python benchmarks/psm_psa.py [n_samples] [--quick]``;
``--quick`` (200 samples, one pair) only checks that it runs and agrees with the baseline.
Exits with status 1 if the results disagree.
"""

from __future__ import annotations

import os
import time
import tracemalloc
import warnings

import numpy as np
from threadpoolctl import threadpool_limits

from healthecon.correction import cycle_weights
from healthecon.discount import discount_factors
from healthecon.distributions import Beta, Gamma, LogNormal
from healthecon.params import Parameters
from healthecon.survival import CurveCrossingWarning, HazardRatio, ParametricCurve, PartitionedSurvivalModel

from _harness import parse_args  # benchmarks/ is on sys.path when a script runs

N_CYCLES, CYCLE, RATE = 480, 1 / 12, 0.035
STRATEGIES = ["control", "new"]

PARAMS = Parameters(
    pfs_shape=LogNormal.from_mean_sd(1.1, 0.05), pfs_scale=Gamma.from_mean_sd(0.35, 0.03),
    os_shape=LogNormal.from_mean_sd(1.2, 0.05), os_scale=Gamma.from_mean_sd(0.12, 0.01),
    hr_pfs=LogNormal.from_mean_sd(0.6, 0.06), hr_os=LogNormal.from_mean_sd(0.75, 0.07),
    c_drug=Gamma.from_mean_sd(30_000, 3_000), c_pf=Gamma.from_mean_sd(3_000, 300), c_pd=Gamma.from_mean_sd(12_000, 1_200),
    c_progression=Gamma.from_mean_sd(5_000, 500), u_pf=Beta.from_mean_sd(0.8, 0.03), u_pd=Beta.from_mean_sd(0.6, 0.04),
)

PFS = ParametricCurve("weibullPH", shape="pfs_shape", scale="pfs_scale")
OS = ParametricCurve("weibullPH", shape="os_shape", scale="os_scale")

MODEL = PartitionedSurvivalModel(
    {"control": {"PFS": PFS, "OS": OS}, "new": {"PFS": HazardRatio(PFS, "hr_pfs"), "OS": HazardRatio(OS, "hr_os")}},
    n_cycles=N_CYCLES, cycle_length=CYCLE, correction="half-cycle", discount_costs=RATE, discount_effects=RATE,
    state_rewards={
        "cost_drug": lambda p, s: {"progression-free": p["c_drug"] if s == "new" else 0.0},
        "cost_care": {"progression-free": "c_pf", "progressed": "c_pd"},
        "qaly": {"progression-free": "u_pf", "progressed": "u_pd"},
    },
    entry_rewards={"cost_progression": {"progressed": "c_progression"}},
)


def run_model(draws):
    with warnings.catch_warnings():  # crossing PFS and OS in some samples is expected and capped
        warnings.simplefilter("ignore", CurveCrossingWarning)
        return MODEL.run(draws, undiscounted=False)


def baseline(draws):
    """Plain numpy: the curves as formulas on (sample, time) arrays, weighted sums as matrix products."""
    with threadpool_limits(1):
        p = {name: draws[name].values[:, None] for name in draws.data_vars}
        t = np.arange(N_CYCLES + 1) * CYCLE
        a, b = cycle_weights("half-cycle", N_CYCLES)
        d = discount_factors(t, RATE)
        w = np.zeros(N_CYCLES + 1)  # corrected, discounted occupancy: S . w
        w[:-1] += a * d[:-1]
        w[1:] += b * d[1:]
        d_entry = discount_factors((np.arange(N_CYCLES) + 0.5) * CYCLE, RATE)
        e = np.append(d_entry, 0.0) - np.insert(d_entry, 0, 0.0)  # discounted events: sum_t (S(t-1) - S(t)) d_t = S . e
        h_pfs = t ** p["pfs_shape"]
        h_pfs *= p["pfs_scale"]
        h_os = t ** p["os_shape"]
        h_os *= p["os_scale"]
        pfs, os_ = np.empty_like(h_pfs), np.empty_like(h_os)
        cost, qaly = [], []
        for s in STRATEGIES:
            if s == "new":
                np.multiply(h_pfs, -p["hr_pfs"], out=pfs)
                np.multiply(h_os, -p["hr_os"], out=os_)
            else:
                np.negative(h_pfs, out=pfs)
                np.negative(h_os, out=os_)
            np.exp(pfs, out=pfs)
            np.exp(os_, out=os_)
            np.minimum(pfs, os_, out=pfs)
            pf, events = np.stack([w, e]) @ pfs.T
            pd = os_ @ w - pf
            drug = p["c_drug"][:, 0] if s == "new" else 0.0
            cost.append(CYCLE * (pf * (p["c_pf"][:, 0] + drug) + pd * p["c_pd"][:, 0]) + p["c_progression"][:, 0] * events)
            qaly.append(CYCLE * (pf * p["u_pf"][:, 0] + pd * p["u_pd"][:, 0]))
        return np.stack(cost, axis=1), np.stack(qaly, axis=1)


def timed(fn, *args):
    """Wall and CPU seconds of one call, and its result."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn(*args)
    return time.perf_counter() - wall, time.process_time() - cpu, result


def paired(draws, pairs: int):
    """``pairs`` runs of each, alternating which goes first; median times and median paired ratios."""
    ours, base = [], []
    for i in range(pairs):
        if i % 2:
            base.append(timed(baseline, draws))
            ours.append(timed(run_model, draws))
        else:
            ours.append(timed(run_model, draws))
            base.append(timed(baseline, draws))
    median = lambda values: float(np.median(values))  # noqa: E731
    times = {"ours": (median([o[0] for o in ours]), median([o[1] for o in ours])),
             "base": (median([b[0] for b in base]), median([b[1] for b in base]))}
    ratios = (median([o[0] / b[0] for o, b in zip(ours, base)]), median([o[1] / max(b[1], 1e-9) for o, b in zip(ours, base)]))
    return times, ratios, ours[-1][2], base[-1][2]


def peak_memory(fn, *args):
    tracemalloc.start()
    fn(*args)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv, __doc__.splitlines()[0], quick_samples=200)
    n, pairs = args.n_samples, 1 if args.quick else 9
    draws = PARAMS.sample(n, seed=2024)
    run_model(draws), baseline(draws)  # warm up both (imports, first allocations)
    times, ratios, out, (cost, qaly) = paired(draws, pairs)
    agree = np.allclose(out["cost"].values, cost, rtol=1e-10) and np.allclose(out["qaly"].values, qaly, rtol=1e-10)
    print(f"PSM PSA: 3 states, {len(STRATEGIES)} strategies, {N_CYCLES} monthly cycles, {n:,} samples")
    print(f"load average (1 min)        : {os.getloadavg()[0]:8.2f} on {os.cpu_count()} cores")
    print(f"healthecon PSM run          : {times['ours'][0]:8.3f} s wall, {times['ours'][1]:6.3f} s CPU (median of {pairs})")
    print(f"plain-numpy baseline        : {times['base'][0]:8.3f} s wall, {times['base'][1]:6.3f} s CPU (median of {pairs})")
    print(f"ratio (ours / baseline)     : {ratios[0]:8.2f} wall, {ratios[1]:6.2f} CPU (median of {pairs} paired ratios)")
    print(f"PSM results agree (rtol 1e-10) : {agree}")
    if not agree:
        raise SystemExit("healthecon and the plain-numpy baseline disagree on cost or QALYs")
    ours_mib, base_mib = peak_memory(run_model, draws), peak_memory(baseline, draws)
    print(f"peak memory, healthecon     : {ours_mib:8.1f} MiB")
    print(f"peak memory, baseline       : {base_mib:8.1f} MiB")
    print(f"peak memory ratio           : {ours_mib / base_mib:8.2f} (healthecon / baseline)")


if __name__ == "__main__":
    main()
