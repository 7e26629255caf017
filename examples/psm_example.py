"""A probabilistic partitioned survival model from a survival fit to public trial data, 10,000 draws
=================================================================================================

Recurrence-free survival of the German Breast Cancer Study Group's "Medium" prognostic group
(flexsurv's ``bc`` data, shipped with healthecon) is fitted with six distributions and
Royston-Parmar splines; the lowest-AIC model is the control arm's progression-free survival,
its uncertainty drawn from the fit's covariance. Everything else is illustrative, not from a
study: overall survival is the fitted curve under a hazard ratio of about 0.6 (deaths arrive
more slowly than recurrences), general-population mortality (a floor on both curves' hazards) comes from an illustrative
Gompertz life table from age 55, and a new treatment cuts both hazards (hazard ratio about 0.75) with
its effect waning linearly between years 5 and 10. 40 years of monthly cycles, half-cycle
correction, 3.5% discounting, PFS capped at OS. Prints the AIC table, the ICER table and the
probability that the new treatment is cost-effective, and saves the CEAC, the state
occupancy and a report (an HTML page, and a workbook recomputing the base case by live
formulas) to the folder given (nothing is written without one).
Run: ``python examples/psm_example.py [output_folder]``.
"""

import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from healthecon.cea import ceac, format_icer_table, icer_table
from healthecon.distributions import Beta, Gamma, LogNormal
from healthecon.lifetable import LifeTable
from healthecon.params import Parameters
from healthecon.plot import plot_ceac, plot_state_occupancy
from healthecon.report import report
from healthecon.survival import (BackgroundMortality, HazardRatio, PartitionedSurvivalModel, Waning, fit_survival,
                                 load_dataset, survival_data)

data = survival_data(load_dataset("bc"), time="recyrs", event="censrec", arm="group").subset("Medium")
fits = fit_survival(data, ["exponential", "weibull", "gompertz", "llogis", "lnorm", "gengamma", "rp1", "rp2", "rp3"])
print(fits.table()[["model", "loglik", "aic", "bic"]].round(2).to_string(index=False))
best = min(fits.values(), key=lambda fit: fit.aic)
print(f"\nProgression-free survival (control): {best.label}, lowest AIC\n")

AGES = np.arange(0, 111)
LIFE_TABLE = LifeTable(AGES, 1 - np.exp(-0.00005 * np.exp(0.09 * AGES)), extend_last=True, name="illustrative Gompertz")

params = best.parameters("pfs") | Parameters(
    hr_os_vs_pfs=LogNormal.from_mean_sd(0.60, 0.05), hr_new=LogNormal.from_mean_sd(0.75, 0.07),
    c_drug=Gamma.from_mean_sd(8_000, 800), c_pf=Gamma.from_mean_sd(1_500, 150),
    c_pd=Gamma.from_mean_sd(9_000, 900), c_progression=Gamma.from_mean_sd(4_000, 400),
    u_pf=Beta.from_mean_sd(0.80, 0.03), u_pd=Beta.from_mean_sd(0.62, 0.04),
)

pfs = best.curve("pfs")
os_ = HazardRatio(pfs, "hr_os_vs_pfs")


def with_new_drug(curve):
    return Waning(HazardRatio(curve, "hr_new"), curve, start=5, end=10)


def everyone_dies(curve):  # death ends progression-free survival too, so both curves get the floor
    return BackgroundMortality(curve, LIFE_TABLE, start_age=55)


model = PartitionedSurvivalModel(
    {"Usual care": {"PFS": everyone_dies(pfs), "OS": everyone_dies(os_)},
     "New drug": {"PFS": everyone_dies(with_new_drug(pfs)), "OS": everyone_dies(with_new_drug(os_))}},
    n_cycles=480, cycle_length=1 / 12, correction="half-cycle", discount_costs=0.035, discount_effects=0.035,
    state_rewards={
        "cost_drug": lambda p, s, time: {"progression-free": p["c_drug"] if s == "New drug" and time.years < 2 else 0},
        "cost_care": {"progression-free": "c_pf", "progressed": "c_pd"},
        "qaly": {"progression-free": "u_pf", "progressed": "u_pd"},
    },
    entry_rewards={"cost_progression": {"progressed": "c_progression"}},
)

draws = params.sample(10_000, seed=12)
outcomes = model.run(draws, trace="mean")
print(format_icer_table(icer_table(outcomes)).to_string())
print(f"\n{outcomes.attrs['crossing_summary']}")
grid = np.arange(0, 100_001, 1_000)
curve = ceac(outcomes, grid)
for wtp in (20_000, 30_000, 50_000):
    print(f"P(New drug is cost-effective at £{wtp:,} per QALY) = {float(curve.sel(strategy='New drug', wtp=wtp)):.3f}")

if len(sys.argv) > 1:
    output = Path(sys.argv[1])
    output.mkdir(parents=True, exist_ok=True)
    ax = plot_ceac(outcomes, grid)
    ax.figure.savefig(output / "psm_ceac.png", dpi=150)
    print(f"wrote {output / 'psm_ceac.png'}")
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), layout="constrained", sharey=True)
    for ax, strategy in zip(axes, model.strategies):
        plot_state_occupancy(outcomes, strategy, ax=ax)
    fig.savefig(output / "psm_occupancy.png", dpi=150)
    print(f"wrote {output / 'psm_occupancy.png'}")
    files = report(outcomes, model=model, params=params, title="New drug after a fitted PFS curve (illustrative)",
                   out=output / "report")
    print(f"wrote {files.html.name} and {files.workbook.name} (the base case by live formulas) to {output / 'report'}")
else:
    print("give a folder for the charts and the report: python examples/psm_example.py <folder>")
