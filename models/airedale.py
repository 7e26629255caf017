"""Airedale telemedicine in care homes: £6.74 per £1 spent by the clinical commissioning group.

What was published (seed 004, lines 219-223; Hex N, Tuggey J, Wright D, Malin R, *Telemedicine
in care homes in Airedale, Wharfedale and Craven*, Clin Gov Int J 2015; 20:146-154): 27 care
homes with telemedicine against 21 without, before and after, 2012 to 2014; non-elective
admissions fell 37% and A&E visits 45% in the telemedicine homes, both 31% in the others; "the
incremental difference in costs ... was almost £1.2 million"; "a return on investment of £6.74
per £1 spent by the clinical commissioning group".

What is derived: the net (difference-in-differences) reductions, 6 points for admissions and 14
for A&E visits; the CCG's spend, £1.2m / 6.74 = £178,042, reading the £1.2m as the gross
saving; the baseline activity that the £1.2m implies.

What is assumed (``data/airedale.csv``, kind ``assumed``; replace with local figures): 1.5 A&E
visits per admission at baseline (sets how the saving splits between admissions and A&E);
one year after the service started; unit costs at 2023/24 prices, not the study's (A&E £273,
PSSRU *Unit Costs 2024* table 6.1.1; admission £2,595, the activity-weighted average of all
non-elective stays in the NHS National Cost Collection 2023/24, derived); and, for the PSA only,
a 4-point standard error on each published reduction and a 20% coefficient of variation on
each unit cost. The reproduction shows what the £1.2m implies: at today's unit costs a 6-point
net fall in admissions needs far more baseline admissions per home than a care home of typical size is likely to have, so
the £1.2m probably counts more than the net fall in admissions and A&E visits.

Method: controlled before-and-after (difference in differences) feeding a cost-benefit
analysis (HM Treasury Green Book 2022; :mod:`healthecon.cba`): avoided events = baseline
events x (reduction with telemedicine - reduction without); saving = avoided events x unit
cost; return per £1 = saving / CCG spend. A PSA draw in which the telemedicine homes improve
*less* than the comparison homes counts the extra events as a cost.

Examples
--------
>>> rep = reproduce(draws=200, seed=1)
>>> [(c.figure, c.status) for c in rep.checks][:2]
[('return per £1 spent by the CCG', 'match'), ('incremental difference in costs (£)', 'match')]
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import xarray as xr
from healthecon.worked import (
    money_reproduction,
    psa_interval,
    ratio_check,
    read_inputs,
    run_psa,
    tornado_table,
    uncertain,
)

from healthecon import cba
from healthecon.distributions import Beta, Gamma
from healthecon.params import Parameters
from healthecon.provenance import Inputs
from healthecon.reproduction import Check, Reproduction

__all__ = ["EVENTS", "inputs", "baseline_events", "parameters", "with_avoided", "TelemedicineModel", "model", "reproduce"]

NAME = "airedale"
SOURCE = "seeds/004_7c8f32ba8d936e0e.txt line 223"

#: Event types: input suffix -> (label, unit-cost input).
EVENTS: dict[str, tuple[str, str]] = {
    "admissions": ("non-elective admissions", "unit_cost_admission"),
    "ae": ("A&E visits", "unit_cost_ae"),
}


def inputs(overrides: Mapping[str, float] | None = None) -> Inputs:
    """The inputs of ``data/airedale.csv``, with ``overrides`` replacing any of them."""
    return read_inputs(NAME, overrides)


def _per_admission(values: Mapping[str, float], net: bool) -> float:
    """Saving per baseline admission: each event's (net) reduction x unit cost x events per admission."""
    per = {"admissions": 1.0, "ae": values["ae_per_admission"]}
    total = 0.0
    for key, (_, unit_cost) in EVENTS.items():
        reduction = values[f"reduction_{key}_intervention"] - (values[f"reduction_{key}_control"] if net else 0.0)
        total += per[key] * reduction * values[unit_cost]
    return total


def baseline_events(values: Mapping[str, float], net: bool = True) -> dict[str, float]:
    """Baseline admissions and A&E visits in the telemedicine homes that make the saving £1.2m.

    ``net=True`` credits telemedicine only with the fall beyond the comparison homes'
    (difference in differences, the published framing); ``net=False`` with the whole fall (an
    uncontrolled before-and-after reading), for comparison.
    """
    per_admission = _per_admission(values, net)
    if per_admission <= 0:
        from healthecon.errors import ModelDefinitionError

        raise ModelDefinitionError(
            f"inputs reduction_*: the {'net ' if net else ''}reductions save £{per_admission:,.2f} per baseline admission, "
            f"so no baseline activity gives the saving of £{values['incremental_saving']:,.0f}; the baseline is calibrated "
            "at the published reductions (use the 'scenarios' table for a null or adverse effect)"
        )
    admissions = values["incremental_saving"] / per_admission
    return {"admissions": admissions, "ae": admissions * values["ae_per_admission"]}


def parameters(values: Mapping[str, float]) -> Parameters:
    """PSA parameters: the four reductions (Beta) and two unit costs (Gamma); spend fixed."""
    params: dict[str, object] = {"ccg_spend": values["ccg_spend"]}
    labels, units = {"ccg_spend": "CCG spend"}, {"ccg_spend": "£"}
    for key, (event, unit_cost) in EVENTS.items():
        for arm in ("intervention", "control"):
            name = f"reduction_{key}_{arm}"
            params[name] = uncertain(Beta, values[name], values["sd_reduction"], name)
            labels[name], units[name] = f"Reduction in {event}, {arm} care homes", "%"
        params[unit_cost] = uncertain(Gamma, values[unit_cost], values["cv_unit_cost"] * values[unit_cost], unit_cost)
        labels[unit_cost], units[unit_cost] = f"Unit cost of {event.removesuffix('s')}", "£"
    return Parameters(params, labels=labels, units=units)


def with_avoided(draws: xr.Dataset, baseline: Mapping[str, float]) -> xr.Dataset:
    """Add ``avoided_<event>`` and ``added_<event>`` (events, >= 0) to the draws.

    avoided = baseline x max(net reduction, 0); added = baseline x max(-net reduction, 0).
    """
    extra = {}
    for key in EVENTS:  # on the arrays: the model runs once per PSA and per one-way table, and DataArray sums cost more
        intervention, control = draws.variables[f"reduction_{key}_intervention"], draws.variables[f"reduction_{key}_control"]
        net = intervention.values - control.values
        extra[f"avoided_{key}"] = (intervention.dims, baseline[key] * np.maximum(net, 0.0))
        extra[f"added_{key}"] = (intervention.dims, baseline[key] * np.maximum(-net, 0.0))
    return draws.assign(extra)


class TelemedicineModel:
    """CCG spend against the cost of events avoided (or added) in the telemedicine homes.

    ``run(draws)`` adds the avoided and added events (:func:`with_avoided`, at the fixed
    ``baseline``) to the draws and evaluates the cost-benefit model, so it works wherever a
    model is expected (PSA, :func:`healthecon.dsa.one_way`).
    """

    def __init__(self, baseline: Mapping[str, float]) -> None:
        self.baseline = dict(baseline)
        flows = [cba.cost_flow("telemedicine service (CCG spend)", "CCG", ["ccg_spend"])]
        for key, (label, unit_cost) in EVENTS.items():
            flows.append(cba.benefit_flow(f"{label} avoided", "CCG", [unit_cost], quantity=f"avoided_{key}",
                                     category="fiscal_non_cashable"))
            flows.append(cba.cost_flow(f"{label} added", "CCG", [unit_cost], quantity=f"added_{key}"))
        self.cba = cba.CBAModel(flows, name="telemedicine vs none", discount=0.0)

    @property
    def strategies(self) -> tuple[str, ...]:
        """The one strategy, telemedicine against none."""
        return self.cba.strategies

    def run(self, draws: xr.Dataset, *, strategies=None) -> xr.Dataset:
        """Evaluate the draws (a CBA outcome set, see :mod:`healthecon.cba`)."""
        return self.cba.run(with_avoided(draws, self.baseline), strategies=strategies)


def model(baseline: Mapping[str, float]) -> TelemedicineModel:
    """The telemedicine model at the given baseline events (:func:`baseline_events`)."""
    return TelemedicineModel(baseline)


def reproduce(draws: int = 5000, seed: int = 2015, overrides: Mapping[str, float] | None = None) -> Reproduction:
    """Re-derive £6.74 per £1 and the ~£1.2m saving, and run a PSA over the assumed inputs.

    ``draws`` PSA draws from ``seed``; ``overrides`` are local figures that replace inputs of
    ``data/airedale.csv`` by name (e.g. ``{"unit_cost_admission": 3100}``).
    """
    values = inputs(overrides)
    baseline = baseline_events(values)
    params = parameters(values)
    cbam = model(baseline)
    base, psa = run_psa(cbam, params, draws, seed)
    saving = float(base["benefit"].squeeze()) - float(base["cost"].squeeze()) + values["ccg_spend"]
    psa_saving = psa["benefit"].values.ravel() - psa["cost"].values.ravel() + values["ccg_spend"]
    psa_assumptions = (f"an assumed standard error of {values['sd_reduction']:g} on each published reduction and a "
                       f"{values['cv_unit_cost']:.0%} coefficient of variation on each unit cost (no intervals published)")
    checks = [
        ratio_check(NAME, "return per £1 spent by the CCG", values["roi"], 0.01, float(base["bcr"].squeeze()),
                    psa["bcr"].values.ravel(), SOURCE, label="P(return > £1 per £1)", basis="calibrated",
                    assumptions=psa_assumptions),
        Check(NAME, "incremental difference in costs (£)", values["incremental_saving"], saving, precision=100_000,
              interval=psa_interval(psa_saving), source=SOURCE,
              note="Published as 'almost £1.2 million' (rounded to £0.1m); read as the gross saving to the CCG.",
              probability=float((psa_saving > 0).mean()), probability_label="P(saving > £0)",
              basis="input", assumptions=psa_assumptions),
    ]
    years, homes = values["evaluation_years"], values["homes_intervention"]
    did, uncontrolled = baseline, baseline_events(values, net=False)
    implied = pd.DataFrame(
        {
            "reading of the saving": ["net of comparison homes (published framing)", "whole fall in telemedicine homes"],
            "baseline admissions": [did["admissions"], uncontrolled["admissions"]],
            "baseline A&E visits": [did["ae"], uncontrolled["ae"]],
            "admissions per home per year": [did["admissions"] / homes / years, uncontrolled["admissions"] / homes / years],
            "A&E visits per home per year": [did["ae"] / homes / years, uncontrolled["ae"] / homes / years],
        }
    )
    effects = pd.DataFrame(
        {
            "telemedicine homes": [values["reduction_admissions_intervention"], values["reduction_ae_intervention"]],
            "comparison homes": [values["reduction_admissions_control"], values["reduction_ae_control"]],
        },
        index=pd.Index([EVENTS[k][0] for k in EVENTS], name="relative reduction"),
    )
    effects["net (difference in differences)"] = effects["telemedicine homes"] - effects["comparison homes"]
    null = values.updated({"reduction_admissions_intervention": values["reduction_admissions_control"],
                           "reduction_ae_intervention": values["reduction_ae_control"]})
    scenario_runs = {
        "as published": base,
        "no effect beyond the comparison homes (as in the Whole Systems Demonstrator)":
            cbam.run(parameters(null).base_case()),
    }
    scenarios = pd.DataFrame(
        {name: {"saving (£)": float(run["benefit"].squeeze()), "cost incl. any extra events (£)": float(run["cost"].squeeze()),
                "return per £1": float(run["bcr"].squeeze())} for name, run in scenario_runs.items()}
    ).T.rename_axis("scenario (baseline activity held at the calibrated value)")
    one_way = tornado_table(cbam, params, "bcr")
    million = f"£{values['incremental_saving'] / 1e6:.1f}m"
    notes = [
        "The seeds publish no baseline activity, unit cost or CCG spend (seed 004 lines 209-235, re-read for issue 10), so the "
        "£6.74 is calibrated (the CCG spend is solved from it) and the £1.2m is an input shown back.",
        f"Published: the ratio, the ~{million}, {homes:.0f} vs {values['homes_control']:.0f} homes and the four "
        f"reductions (table 'effects'). Derived: CCG spend £{values['ccg_spend']:,.0f} = {million} / {values['roi']:.2f}, "
        f"valid only if {million} is the gross saving (net of spend it would be "
        f"£{values['incremental_saving'] / (values['roi'] - 1):,.0f}). Assumed: A&E visits per admission, unit costs "
        "(2023/24 prices), the evaluation year and the PSA spreads (data/airedale.csv).",
        f"Plausibility: to save {million} from a {effects.iloc[0, 2]:.0%} net fall in admissions and {effects.iloc[1, 2]:.0%} "
        f"in A&E visits, the {homes:.0f} homes would need about {implied.iloc[0, 3]:.0f} admissions per home per year "
        f"at baseline; crediting the whole fall in those homes instead needs about {implied.iloc[1, 3]:.0f}. "
        "Compare both with the homes' actual admission rates: if the first is far above them, the saving must count "
        "more than the net fall in admissions and A&E visits (e.g. bed days, or the whole before-after fall): "
        "check the paper before reuse.",
        "P(saving > £0), beside the saving, is the PSA's chance (over the assumed spreads) that the telemedicine homes "
        "improved more than the comparison homes. "
        "The Whole Systems Demonstrator trial (>6,000 patients, seed 004 line 168) found telehealth and telecare did "
        "not significantly reduce service use: see the 'scenarios' table.",
    ]
    rep = money_reproduction(NAME, "Airedale telemedicine in care homes: return per £1 to the CCG", checks,
                              {"effects": effects, "implied_baseline_activity": implied, "scenarios": scenarios},
                              notes, base, psa, one_way)
    rep.inputs = values  # what the figures were computed from, and which inputs were read
    return rep
