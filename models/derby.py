"""Derby Local Area Coordination: £4.00 of social value for every £1.00 invested (forecast SROI).

What was published (seed 000, lines 325-327; Marsh H, *Social Value of Local Area Coordination
in Derby*, Kingfishers for Think Local Act Personal, 2016): "for a three year forecast period
with 10 Local Area Coordinators, £4.00 of social value would be earned for every £1.00
invested" (analysis of November 2015). Nothing else: no investment, outcomes, financial
proxies, deductions or discount rate.

What is derived: the value each outcome must have, before deductions, for the impact map to
return the published £4.00 at the assumed deductions (below).

What is assumed (``data/derby.csv``, kind ``assumed``; replace with local figures): £45,000 a
year per coordinator; the Green Book 3.5% discount rate the SROI guide recommends; five
outcomes (people's wellbeing, NHS use, adult social care, housing, community) and the share
of social value each carries; each outcome's deadweight, attribution and drop-off; and, for
the PSA only, a 10% spread on the cost and a 0.05 standard deviation on every deduction. The
PSA therefore asks: had the unpublished deductions and costs been different, how far would
the ratio move?

Method: a forecast SROI impact map (Cabinet Office, *A guide to Social Return on Investment*,
2012, stages 4-5; :mod:`healthecon.sroi`): investment in years 0-2, outcomes in years 1-3,
each outcome's value after deadweight, displacement and attribution falling by its drop-off
each year; SROI ratio = present value of outcomes / present value of investment.

Examples
--------
>>> rep = reproduce(draws=200, seed=1)
>>> rep.checks[0].figure, round(rep.checks[0].reproduced, 2), rep.checks[0].status
('social value per £1.00 invested (3-year forecast)', 4.0, 'match')
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from healthecon.worked import (
    money_reproduction,
    ratio_check,
    read_inputs,
    require_shares,
    run_psa,
    tornado_table,
    uncertain,
)

from healthecon import appraisal, sroi
from healthecon.discount import discount_factors
from healthecon.distributions import Beta, Gamma
from healthecon.params import Parameters
from healthecon.provenance import Inputs
from healthecon.reproduction import Reproduction

__all__ = ["OUTCOMES", "ADJUSTMENTS", "inputs", "gross_values", "parameters", "impact_map", "reproduce"]

NAME = "derby"
SOURCE = "seeds/000_dd7df95bd4ae58ba.txt line 325"

#: Outcomes: input suffix -> (outcome, stakeholder, category).
OUTCOMES: dict[str, tuple[str, str, str]] = {
    "wellbeing": ("improved wellbeing and connections", "people supported", "social"),
    "nhs": ("fewer GP appointments and A&E attendances", "NHS", "fiscal_non_cashable"),
    "social_care": ("avoided or delayed social care packages", "council adult social care", "fiscal_cashable"),
    "housing": ("tenancies sustained", "housing", "fiscal_non_cashable"),
    "community": ("volunteering and community contributions", "community", "social"),
}

#: Deductions carried per outcome in data/derby.csv (displacement is taken as 0).
ADJUSTMENTS = ("deadweight", "attribution", "drop_off")


def inputs(overrides: Mapping[str, float] | None = None) -> Inputs:
    """The inputs of ``data/derby.csv``, with ``overrides`` replacing any of them."""
    values = read_inputs(NAME, overrides)
    require_shares(values, [f"share_{k}" for k in OUTCOMES], "social value shares")
    return values


def _years(values: Mapping[str, float]) -> int:
    years = values["forecast_years"]
    if years != int(years) or years < 1:
        from healthecon.errors import ModelDefinitionError

        raise ModelDefinitionError(f"input 'forecast_years': expected a whole number of years >= 1, got {years!r}")
    return int(years)


def gross_values(values: Mapping[str, float]) -> dict[str, float]:
    """Annual value of each outcome before deductions that makes the ratio the published one.

    PV(investment) = coordinators x cost x sum_{t=0}^{T-1} D(t); each outcome's share of
    ``ratio x PV(investment)`` divided by its value per £1 of gross annual value,
    ``(1 - deadweight)(1 - attribution) sum_{t=1}^{T} (1 - drop_off)^(t-1) D(t)``
    (Cabinet Office SROI guide 2012, sections 4.2-5.3).
    """
    years = _years(values)
    factors = discount_factors(np.arange(years + 1), values["discount_rate"])
    invest_pv = values["coordinators"] * values["cost_per_coordinator_year"] * factors[:years].sum()
    target = values["sroi_ratio"] * invest_pv
    out = {}
    for key in OUTCOMES:
        kept = (1 - values[f"deadweight_{key}"]) * (1 - values[f"attribution_{key}"])
        profile = (1 - values[f"drop_off_{key}"]) ** np.arange(years) @ factors[1:]
        out[key] = values[f"share_{key}"] * target / (kept * profile) if values[f"share_{key}"] > 0 else 0.0
    return out


def parameters(values: Mapping[str, float]) -> Parameters:
    """PSA parameters: annual investment (Gamma) and every deduction (Beta); outcome values fixed."""
    n = values["coordinators"]
    params: dict[str, object] = {
        "investment_per_year": uncertain(Gamma, n * values["cost_per_coordinator_year"], n * values["sd_cost_per_coordinator_year"],
                                         "cost_per_coordinator_year"),
    }
    for key, value in gross_values(values).items():
        params[f"value_{key}"] = value
        for adjustment in ADJUSTMENTS:
            name = f"{adjustment}_{key}"
            params[name] = uncertain(Beta, values[name], values["sd_adjustment"], name) if 0 < values[name] < 1 else values[name]
    units = {name: "%" if name.startswith(ADJUSTMENTS) else "£" for name in params}  # deductions are shares
    return Parameters(params, units=units)


def impact_map(values: Mapping[str, float]) -> sroi.ImpactMap:
    """The impact map, its numeric fields named after the parameters of :func:`parameters`."""
    years = _years(values)
    outcomes = [
        sroi.Outcome(label, stakeholder, quantity=1.0, proxy=f"value_{key}", duration=years, start_year=1,
                     deadweight=f"deadweight_{key}", attribution=f"attribution_{key}", drop_off=f"drop_off_{key}",
                     indicator="annual value before deductions (calibrated to the published ratio)",
                     proxy_source="derived: share of the published £4.00 per £1 (data/derby.csv)", category=category)
        for key, (label, stakeholder, category) in OUTCOMES.items()
    ]
    investment = [sroi.Investment("Derby City Council", "investment_per_year", year=t) for t in range(years)]
    return sroi.ImpactMap(outcomes, investment, name="Local Area Coordination")


def reproduce(draws: int = 5000, seed: int = 2015, overrides: Mapping[str, float] | None = None) -> Reproduction:
    """Re-derive £4.00 per £1.00 from the impact map and run a PSA over the assumed inputs.

    A PSA of ``draws`` draws from ``seed``. ``overrides`` replace inputs of ``data/derby.csv``
    by name, e.g. a local cost per coordinator or discount rate.
    """
    values = inputs(overrides)
    params = parameters(values)
    model = sroi.SROIModel(impact_map(values), discount=values["discount_rate"])
    base, psa = run_psa(model, params, draws, seed)
    check = ratio_check(NAME, f"social value per £1.00 invested ({_years(values)}-year forecast)", values["sroi_ratio"],
                        0.01, float(base["sroi_ratio"].squeeze()), psa["sroi_ratio"].values.ravel(), SOURCE,
                        what="SROI ratio", basis="calibrated",
                        assumptions=f"assumed deductions with SD {values['sd_adjustment']:g} each and an SD of "
                                    f"£{values['sd_cost_per_coordinator_year']:,.0f} on the assumed £"
                                    f"{values['cost_per_coordinator_year']:,.0f} a coordinator-year (no uncertainty published)")
    gross = gross_values(values)
    table = pd.DataFrame(
        {
            "outcome": [OUTCOMES[k][0] for k in OUTCOMES],
            "stakeholder": [OUTCOMES[k][1] for k in OUTCOMES],
            "share of value (assumed)": [values[f"share_{k}"] for k in OUTCOMES],
            "annual value before deductions (£, derived)": [gross[k] for k in OUTCOMES],
            **{f"{a.replace('_', '-')} (assumed)": [values[f"{a}_{k}"] for k in OUTCOMES] for a in ADJUSTMENTS},
        }
    )
    one_way = tornado_table(model, params, "sroi_ratio")
    notes = [
        f"Only the ratio, the {_years(values)}-year forecast and the {values['coordinators']:.0f} coordinators are "
        "published (seed 000 lines 325-327); the investment, the outcomes, their shares and deductions, the "
        "discount rate and the PSA spreads are assumptions (data/derby.csv). The outcome values are derived so "
        "that the map returns the published ratio: the reproduction shows the arithmetic, not independent evidence.",
        "A forecast SROI values outcomes expected, not observed; the Cabinet Office guide (2012, section 5.4) asks "
        "for sensitivity analysis of exactly these deductions, which the PSA interval provides.",
    ]
    rep = money_reproduction(NAME, "Derby Local Area Coordination: forecast SROI", [check],
                              {"impact_map": table, "per_stakeholder": lambda: appraisal.party_table(base)}, notes, base, psa, one_way,
                              cashflows=True)
    rep.inputs = values  # what the figures were computed from, and which inputs were read
    return rep
