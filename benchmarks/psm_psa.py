"""Benchmark: a PSA of a three-state partitioned survival model, two arms, 40 years of monthly cycles.

Two models, each timed against a plain-numpy baseline on the same draws:

**Weibull**: progression-free, progressed and dead; control-arm Weibull (proportional hazards)
PFS and OS whose shape and scale are PSA parameters, the new arm by hazard ratios on both curves
(:class:`~healthecon.survival.transforms.HazardRatio`), PFS capped at OS, 480 monthly cycles,
half-cycle correction, 3.5% discounting, drug, care and progression costs, utilities by state.

**Fitted curves**: what a model built on a survival fit adds (as ``examples/psm_example.py``
builds from the ``bc`` data): PFS a Royston-Parmar spline on the hazard scale (two internal
knots, all four coefficients PSA parameters), OS a hazard ratio on it, the new arm's hazard
ratio waning linearly between years 5 and 10 (:class:`~healthecon.survival.transforms.Waning`),
every curve floored by general-population mortality from an illustrative Gompertz life table
from age 55 (:class:`~healthecon.survival.transforms.BackgroundMortality`, per cycle), and a
drug cost paid for the first two years only (a reward that changes with time).

The parameter values are illustrative, not from a trial.

Prints healthecon's time and a plain-numpy baseline's on the same draws, in paired runs
(one of each, alternating which goes first), with the median of the paired ratios (wall and
CPU), whether the results agree, and the peak memory each allocates (tracemalloc, in a
separate run). Each baseline is a best-effort numpy of the same computation written for that
one model: the cumulative hazards once per curve for all samples, ``exp(-H)`` into reused
buffers, PFS capped at OS in place with ``np.minimum``, and every weighted sum over time
(corrected and discounted occupancy, discounted progressions) as matrix-vector products, with
BLAS on one thread (faster for these products on a shared machine, as healthecon runs them).
The fitted-curve baseline uses what it knows of its model that healthecon does not: the
treated curves are a constant multiple of the reference, so waning integrates the reference
alone, and the spline is evaluated once. Both compute only the discounted totals
(healthecon's ``undiscounted=False``). Run: ``python benchmarks/psm_psa.py [n_samples]
[--quick]``; ``--quick`` (200 samples, one pair) only checks that it runs and agrees with the
baselines. Exits with status 1 if the results disagree.
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
from healthecon.distributions import Beta, Gamma, LogNormal, Normal
from healthecon.lifetable import LifeTable
from healthecon.params import Parameters
from healthecon.survival import (BackgroundMortality, CurveCrossingWarning, HazardRatio, ParametricCurve, PartitionedSurvivalModel,
                                 Waning, spline_basis)

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


# -- fitted curves: spline, waning, background mortality, a drug cost for two years -----------------

KNOTS = np.log([0.2, 1.5, 4.0, 12.0])  # boundary and internal knots on the log-time scale, as flexsurv stores them
START_AGE, WANE_START, WANE_END, DRUG_YEARS = 55, 5.0, 10.0, 2.0
AGES = np.arange(0, 111)
LIFE_TABLE = LifeTable(AGES, 1 - np.exp(-0.00005 * np.exp(0.09 * AGES)), extend_last=True, name="illustrative Gompertz")

FITTED_PARAMS = Parameters(
    g0=Normal(-1.6, 0.06), g1=Normal(1.05, 0.03), g2=Normal(0.012, 0.003), g3=Normal(-0.02, 0.004),
    hr_os_vs_pfs=LogNormal.from_mean_sd(0.6, 0.05), hr_new=LogNormal.from_mean_sd(0.75, 0.07),
    c_drug=Gamma.from_mean_sd(8_000, 800), c_pf=Gamma.from_mean_sd(1_500, 150), c_pd=Gamma.from_mean_sd(9_000, 900),
    c_progression=Gamma.from_mean_sd(4_000, 400), u_pf=Beta.from_mean_sd(0.80, 0.03), u_pd=Beta.from_mean_sd(0.62, 0.04),
)
SPLINE = ParametricCurve("spline", gamma0="g0", gamma1="g1", gamma2="g2", gamma3="g3", knots=KNOTS)


def _floor(curve):
    return BackgroundMortality(curve, LIFE_TABLE, start_age=START_AGE)


def _new_drug(curve):
    return Waning(HazardRatio(curve, "hr_new"), curve, start=WANE_START, end=WANE_END)


_OS = HazardRatio(SPLINE, "hr_os_vs_pfs")
FITTED_MODEL = PartitionedSurvivalModel(
    {"control": {"PFS": _floor(SPLINE), "OS": _floor(_OS)}, "new": {"PFS": _floor(_new_drug(SPLINE)), "OS": _floor(_new_drug(_OS))}},
    n_cycles=N_CYCLES, cycle_length=CYCLE, correction="half-cycle", discount_costs=RATE, discount_effects=RATE,
    state_rewards={
        "cost_drug": lambda p, s, time: {"progression-free": p["c_drug"] if s == "new" and time.years < DRUG_YEARS else 0.0},
        "cost_care": {"progression-free": "c_pf", "progressed": "c_pd"},
        "qaly": {"progression-free": "u_pf", "progressed": "u_pd"},
    },
    entry_rewards={"cost_progression": {"progressed": "c_progression"}},
)


def run_fitted(draws):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CurveCrossingWarning)
        return FITTED_MODEL.run(draws, undiscounted=False)


def _gauss_legendre_panels(lo: float, hi: float, per_year: int = 12, points: int = 8):
    """Nodes (panels, points) and weights (points,) of composite Gauss-Legendre on [lo, hi], panels of at most 1/per_year."""
    panels = int(np.ceil(round((hi - lo) * per_year, 9)))
    width = (hi - lo) / panels
    x, w = np.polynomial.legendre.leggauss(points)
    return lo + width * (np.arange(panels)[:, None] + (x + 1) / 2), w / 2 * width


def fitted_baseline(draws):
    """Plain numpy for the fitted-curve model alone; see the module docstring."""
    with threadpool_limits(1):
        p = {name: draws[name].values[:, None] for name in draws.data_vars}
        n = draws.sizes["sample"]
        t = np.arange(N_CYCLES + 1) * CYCLE
        nodes, gl = _gauss_legendre_panels(WANE_START, WANE_END)
        x = np.log(np.concatenate([t[1:], nodes.ravel()]))
        basis = np.vstack([np.ones_like(x), x, spline_basis(KNOTS, x).T])  # (4, times)
        gamma = np.hstack([p["g0"], p["g1"], p["g2"], p["g3"]])  # (n, 4)
        h_all = np.exp(gamma @ basis)
        h_ref = np.hstack([np.zeros((n, 1)), h_all[:, :N_CYCLES]])  # the spline's H on the grid, H(0) = 0
        # integral of H_ref from the start of waning to each month in the period (its panels are months)
        by_panel = (h_all[:, N_CYCLES:].reshape(n, *nodes.shape) @ gl).cumsum(axis=1)
        first = round(WANE_START / CYCLE)
        integral = np.zeros((n, N_CYCLES + 1))
        integral[:, first + 1: first + 1 + by_panel.shape[1]] = by_panel
        integral[:, first + 1 + by_panel.shape[1]:] = by_panel[:, -1:]
        w = np.clip((t - WANE_START) / (WANE_END - WANE_START), 0.0, 1.0)
        ages = START_AGE + t
        cum_rate = np.concatenate([[0.0], np.cumsum(LIFE_TABLE.rates[:-1] * np.diff(LIFE_TABLE.ages))])
        h_pop = np.interp(ages, LIFE_TABLE.ages, cum_rate) - np.interp(START_AGE, LIFE_TABLE.ages, cum_rate)
        pop_steps = np.diff(h_pop)

        def floored(h):  # S with each month's hazard at least the population's
            steps = np.maximum(np.diff(h, axis=1), pop_steps)
            s = np.empty_like(h)
            s[:, 0] = 1.0
            np.exp(-np.cumsum(steps, axis=1), out=s[:, 1:])
            return s

        def waned(h, hr, scale):  # H with hazard ratio hr waning: (1 - w) hr H + w H + (hr - 1) (integral of H) / period
            carried = (hr - 1) * scale * integral / (WANE_END - WANE_START)  # H = scale x the spline's
            return np.where(t > WANE_END, h + carried, np.where(t > WANE_START, ((1 - w) * hr + w) * h + carried, hr * h))

        a, b = cycle_weights("half-cycle", N_CYCLES)
        d = discount_factors(t, RATE)
        occupancy = np.zeros(N_CYCLES + 1)
        occupancy[:-1] += a * d[:-1]
        occupancy[1:] += b * d[1:]
        drug_cycles = round(DRUG_YEARS / CYCLE)
        on_drug = np.zeros(N_CYCLES + 1)
        on_drug[:drug_cycles] += (a * d[:-1])[:drug_cycles]
        on_drug[1:drug_cycles + 1] += (b * d[1:])[:drug_cycles]
        d_entry = discount_factors((np.arange(N_CYCLES) + 0.5) * CYCLE, RATE)
        entries = np.append(d_entry, 0.0) - np.insert(d_entry, 0, 0.0)
        cost, qaly = [], []
        for strategy in STRATEGIES:
            hr_os = p["hr_os_vs_pfs"]
            if strategy == "new":
                pfs, os_ = floored(waned(h_ref, p["hr_new"], 1.0)), floored(waned(hr_os * h_ref, p["hr_new"], hr_os))
            else:
                pfs, os_ = floored(h_ref), floored(hr_os * h_ref)
            np.minimum(pfs, os_, out=pfs)
            pf, events, pf_drug = np.stack([occupancy, entries, on_drug]) @ pfs.T
            pd = os_ @ occupancy - pf
            drug = CYCLE * pf_drug * p["c_drug"][:, 0] if strategy == "new" else 0.0
            cost.append(drug + CYCLE * (pf * p["c_pf"][:, 0] + pd * p["c_pd"][:, 0]) + p["c_progression"][:, 0] * events)
            qaly.append(CYCLE * (pf * p["u_pf"][:, 0] + pd * p["u_pd"][:, 0]))
        return np.stack(cost, axis=1), np.stack(qaly, axis=1)


def timed(fn, *args):
    """Wall and CPU seconds of one call, and its result."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn(*args)
    return time.perf_counter() - wall, time.process_time() - cpu, result


def paired(ours_fn, base_fn, draws, pairs: int):
    """``pairs`` runs of each, alternating which goes first; median times and median paired ratios."""
    ours, base = [], []
    for i in range(pairs):
        if i % 2:
            base.append(timed(base_fn, draws))
            ours.append(timed(ours_fn, draws))
        else:
            ours.append(timed(ours_fn, draws))
            base.append(timed(base_fn, draws))
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


SCENARIOS = {  # title: (parameters, healthecon, baseline)
    "Weibull curves and hazard ratios": (PARAMS, run_model, baseline),
    "fitted curves: spline, waning hazard ratio, background mortality, drug cost for two years": (FITTED_PARAMS, run_fitted, fitted_baseline),
}


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv, __doc__.splitlines()[0], quick_samples=200)
    n, pairs = args.n_samples, 1 if args.quick else 9
    print(f"PSM PSA: 3 states, {len(STRATEGIES)} strategies, {N_CYCLES} monthly cycles, {n:,} samples")
    print(f"load average (1 min)        : {os.getloadavg()[0]:8.2f} on {os.cpu_count()} cores")
    disagree = []
    for title, (params, ours_fn, base_fn) in SCENARIOS.items():
        draws = params.sample(n, seed=2024)
        ours_fn(draws), base_fn(draws)  # warm up both (imports, first allocations)
        times, ratios, out, (cost, qaly) = paired(ours_fn, base_fn, draws, pairs)
        agree = np.allclose(out["cost"].values, cost, rtol=1e-10) and np.allclose(out["qaly"].values, qaly, rtol=1e-10)
        print(f"\n{title}")
        print(f"healthecon PSM run          : {times['ours'][0]:8.3f} s wall, {times['ours'][1]:6.3f} s CPU (median of {pairs})")
        print(f"plain-numpy baseline        : {times['base'][0]:8.3f} s wall, {times['base'][1]:6.3f} s CPU (median of {pairs})")
        print(f"ratio (ours / baseline)     : {ratios[0]:8.2f} wall, {ratios[1]:6.2f} CPU (median of {pairs} paired ratios)")
        print(f"PSM results agree (rtol 1e-10) : {agree}")
        if not agree:
            disagree.append(title)
            continue
        ours_mib, base_mib = peak_memory(ours_fn, draws), peak_memory(base_fn, draws)
        print(f"peak memory, healthecon     : {ours_mib:8.1f} MiB")
        print(f"peak memory, baseline       : {base_mib:8.1f} MiB")
        print(f"peak memory ratio           : {ours_mib / base_mib:8.2f} (healthecon / baseline)")
    if disagree:
        raise SystemExit(f"healthecon and the plain-numpy baseline disagree on cost or QALYs: {'; '.join(disagree)}")


if __name__ == "__main__":
    main()
