"""Benchmark: a PSA of a three-state partitioned survival model, two arms, 40 years of monthly cycles.

Progression-free, progressed and dead; control-arm Weibull (proportional hazards) PFS and OS
whose shape and scale are PSA parameters, the new arm by hazard ratios on both curves
(:class:`~healthecon.survival.transforms.HazardRatio`), PFS capped at OS, 480 monthly cycles,
half-cycle correction, 3.5% discounting, drug, care and progression costs, utilities by state.
The parameter values are illustrative, not from a trial.

Prints healthecon's time, a plain-numpy baseline's time on the same draws (the curves written
out as ``exp(-scale t^shape)``, raised to the hazard ratio, capped with ``np.minimum``, and
the occupancy weighted by correction x discount factors with one matrix product), their
ratio, whether the results agree, and peak memory (tracemalloc, in a separate run).
Run: ``python benchmarks/psm_psa.py [n_samples] [--quick]``; ``--quick`` (200 samples, one
repeat) only checks that it runs and agrees with the baseline. Exits with status 1 if the
results disagree.
"""

from __future__ import annotations

import os
import tracemalloc
import warnings

import numpy as np

from healthecon.correction import cycle_weights
from healthecon.discount import discount_factors
from healthecon.distributions import Beta, Gamma, LogNormal
from healthecon.params import Parameters
from healthecon.survival import CurveCrossingWarning, HazardRatio, ParametricCurve, PartitionedSurvivalModel

from _harness import best_of, parse_args  # benchmarks/ is on sys.path when a script runs

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
        return MODEL.run(draws)


def baseline(draws):
    """Plain numpy: the curves as formulas, (sample, time) arrays, one weighted sum per quantity."""
    p = {name: draws[name].values[:, None] for name in draws.data_vars}
    t = np.arange(N_CYCLES + 1) * CYCLE
    a, b = cycle_weights("half-cycle", N_CYCLES)
    d = discount_factors(t, RATE)
    w = np.zeros(N_CYCLES + 1)
    w[:-1] += a * d[:-1]
    w[1:] += b * d[1:]
    d_entry = discount_factors((np.arange(N_CYCLES) + 0.5) * CYCLE, RATE)
    h_pfs = p["pfs_scale"] * t ** p["pfs_shape"]
    h_os = p["os_scale"] * t ** p["os_shape"]
    cost, qaly = [], []
    for s in STRATEGIES:
        hr_pfs, hr_os = (p["hr_pfs"], p["hr_os"]) if s == "new" else (1.0, 1.0)
        os_ = np.exp(-hr_os * h_os)
        pfs = np.minimum(np.exp(-hr_pfs * h_pfs), os_)
        area_pfs, area_os = pfs @ w, os_ @ w
        pf, pd = area_pfs, area_os - area_pfs
        drug = p["c_drug"][:, 0] if s == "new" else 0.0
        care = CYCLE * (pf * (p["c_pf"][:, 0] + drug) + pd * p["c_pd"][:, 0])
        progression = p["c_progression"][:, 0] * ((pfs[:, :-1] - pfs[:, 1:]) @ d_entry)
        cost.append(care + progression)
        qaly.append(CYCLE * (pf * p["u_pf"][:, 0] + pd * p["u_pd"][:, 0]))
    return np.stack(cost, axis=1), np.stack(qaly, axis=1)


def peak_memory(fn, *args):
    tracemalloc.start()
    fn(*args)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv, __doc__.splitlines()[0], quick_samples=200)
    n, repeat = args.n_samples, 1 if args.quick else 5
    draws = PARAMS.sample(n, seed=2024)
    ours_t, ours_cpu, out = best_of(lambda: run_model(draws), repeat)
    base_t, base_cpu, (cost, qaly) = best_of(lambda: baseline(draws), repeat)
    agree = np.allclose(out["cost"].values, cost, rtol=1e-10) and np.allclose(out["qaly"].values, qaly, rtol=1e-10)
    print(f"PSM PSA: 3 states, {len(STRATEGIES)} strategies, {N_CYCLES} monthly cycles, {n:,} samples")
    print(f"load average (1 min)        : {os.getloadavg()[0]:8.2f} on {os.cpu_count()} cores")
    print(f"healthecon PSM run          : {ours_t:8.3f} s wall, {ours_cpu:6.3f} s CPU (best of {repeat})")
    print(f"plain-numpy baseline        : {base_t:8.3f} s wall, {base_cpu:6.3f} s CPU (best of {repeat})")
    print(f"ratio (ours / baseline)     : {ours_t / base_t:8.2f} wall, {ours_cpu / base_cpu:6.2f} CPU")
    print(f"PSM results agree (rtol 1e-10) : {agree}")
    if not agree:
        raise SystemExit("healthecon and the plain-numpy baseline disagree on cost or QALYs")
    print(f"peak memory, healthecon     : {peak_memory(run_model, draws):8.1f} MiB")
    print(f"peak memory, baseline       : {peak_memory(baseline, draws):8.1f} MiB")


if __name__ == "__main__":
    main()
