"""One Croydon Alliance: return on investment of Integrated Community Networks and LIFE.

**Published** (seed 002 lines 1336-1682, the Croydon case study of the "Integrating Better"
guide): six months after roll-out a return-on-investment study found a calculated benefit of
£1.44 per £1 spent on Integrated Community Networks (ICNs) and £2.67 per £1 on Living
Independently for Everyone (LIFE); avoidable admissions fell 7%, and 15% by January 2019; the
out-of-hospital business case was an £8m investment to achieve a £12m saving.

**Derived**: the activity each benefit line needs for the published ratios
(ratio x spend x share / unit cost), e.g. admissions avoided.

**Assumed** (``data/croydon.csv``; the ROI workbook is not public): the split of the £8m
between the schemes and between NHS and council; each scheme's benefit shares across
admissions avoided, bed days saved and care-home weeks avoided; the PSA spreads. Published
unit costs (PSSRU Unit Costs 2024; NHS National Cost Collection) value the activity.

Benefit = sum over lines of activity x unit cost, by payer; "£ per £1" is the gross
benefit-cost ratio and net ROI = ratio - 1 (HM Treasury Green Book 2022, ch. 5; HM Treasury
/ New Economy CBA guidance for local partnerships, 2014), via :class:`healthecon.cba.CBAModel`.

Examples
--------
>>> units = {"admissions": 792.0, "bed_days": 345.0, "care_home_weeks": 1200.0}
>>> activity = activity_for_ratio(1.44, 4e6, {"admissions": 0.6, "bed_days": 0.2, "care_home_weeks": 0.2}, units)
>>> round(activity["admissions"], 1)
4363.6
>>> out = croydon_model({"ICN": scheme_flows(4e6, 0.8, activity, units)}).run()
>>> round(float(out["bcr"].squeeze()), 2)
1.44
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr
from healthecon.worked import chart, psa_interval, run_psa
from healthecon.worked.seeds import worked_inputs

from healthecon import appraisal, cba, dsa
from healthecon._validate import require_nonnegative, require_positive, require_probability
from healthecon.distributions import Gamma
from healthecon.errors import ModelDefinitionError, ProvenanceError, unknown_name
from healthecon.flows import Value
from healthecon.outcomes import SAMPLE, STRATEGY
from healthecon.params import Parameters
from healthecon.reproduction import Check, Reproduction, Tables

__all__ = [
    "MODEL",
    "TITLE",
    "BenefitLine",
    "LINES",
    "activity_for_ratio",
    "scheme_flows",
    "croydon_model",
    "per_agency",
    "parameters",
    "reproduce",
]

MODEL = "croydon"
TITLE = "One Croydon Alliance: return on investment of ICNs and LIFE"
SOURCE = "seeds/002_887e750fede6152a.txt"
RETURN_ABOVE_1 = "P(return > £1 per £1)"


@dataclass(frozen=True)
class BenefitLine:
    """One kind of avoided activity: its label, who gains, its Green Book category and unit-cost input."""

    label: str
    party: str
    category: str
    unit_cost: str


LINES: dict[str, BenefitLine] = {
    "admissions": BenefitLine("non-elective admissions avoided", "NHS", "fiscal_non_cashable", "unit_cost_admission"),
    "bed_days": BenefitLine("hospital bed days saved", "NHS", "fiscal_non_cashable", "unit_cost_bed_day"),
    "care_home_weeks": BenefitLine("care-home weeks avoided", "council", "fiscal_cashable", "unit_cost_care_home_week"),
}
#: Scheme label -> prefix of its rows in data/croydon.csv.
SCHEMES = {"ICN": "icn", "LIFE": "life", "business case": "bc"}


def _require_lines(mapping: Mapping[str, object], what: str) -> None:
    unknown = [k for k in mapping if k not in LINES]
    if unknown:
        raise unknown_name(f"benefit line in {what}", unknown[0], LINES)
    missing = [k for k in LINES if k not in mapping]
    if missing:
        raise ModelDefinitionError(f"{what}: missing benefit line(s) {missing}; expected {list(LINES)}")


def activity_for_ratio(ratio: float, spend: float, shares: Mapping[str, float], unit_costs: Mapping[str, float]) -> dict[str, float]:
    """The activity per benefit line that gives ``ratio`` per £1 of ``spend``.

    ``activity_k = ratio x spend x share_k / unit_cost_k``: the published headline spread
    over the lines by ``shares`` (which must sum to 1) and converted to activity at the unit
    costs. Any shares summing to 1 reproduce the headline exactly.
    """
    _require_lines(shares, "shares")
    _require_lines(unit_costs, "unit costs")
    values = require_nonnegative([shares[k] for k in LINES], "benefit shares")
    if not np.isclose(values.sum(), 1.0, rtol=0, atol=1e-9):
        raise ModelDefinitionError(f"benefit shares: must sum to 1 to reproduce the ratio, got {values.sum():.6g} ({dict(shares)})")
    total = float(require_nonnegative(ratio, "ratio")) * float(require_positive(spend, "spend"))
    return {k: total * float(shares[k]) / float(require_positive(unit_costs[k], f"unit cost of {k!r}")) for k in LINES}


def scheme_flows(spend: Value, nhs_share: float, activity: Mapping[str, Value], unit_costs: Mapping[str, Value]) -> list[cba.Flow]:
    """Flows of one scheme: its spend split between NHS and council, and one benefit per line.

    ``activity`` and ``unit_costs`` map each line of :data:`LINES` to a number or the name of
    a parameter in the draws; a benefit is activity x unit cost, gained by the line's party.
    """
    _require_lines(activity, "activity")
    _require_lines(unit_costs, "unit costs")
    share = float(require_probability(nhs_share, "NHS share of spend"))
    if isinstance(spend, str):
        raise ModelDefinitionError("spend: expected a number (the budget), got a parameter name")
    flows = [
        cba.cost_flow("spend (NHS)", "NHS", [float(spend) * share], category="fiscal_cashable"),
        cba.cost_flow("spend (council)", "council", [float(spend) * (1 - share)], category="fiscal_cashable"),
    ]
    for key, line in LINES.items():
        flows.append(cba.benefit_flow(line.label, line.party, [unit_costs[key]], quantity=activity[key], category=line.category))
    return flows


def croydon_model(schemes: Mapping[str, Sequence[cba.Flow]]) -> cba.CBAModel:
    """A one-period CBA model of several schemes (no discounting within the period)."""
    return cba.CBAModel(dict(schemes), discount=0.0, agencies=("NHS", "council"))


def per_agency(outcomes: xr.Dataset) -> pd.DataFrame:
    """Mean cost, benefit, net, gross return per £1 and net ROI for each scheme and agency."""
    frames = []
    for scheme in outcomes[STRATEGY].values:
        table = appraisal.party_table(outcomes, str(scheme))
        table.insert(0, "scheme", str(scheme))
        frames.append(table)
    out = pd.concat(frames).reset_index().set_index(["scheme", "party"])
    with np.errstate(divide="ignore", invalid="ignore"):
        out["return_per_1"] = np.where(out["cost"] > 0, out["benefit"] / out["cost"], np.nan)
    out["net_roi"] = out["return_per_1"] - 1
    return out


def parameters(activity: Mapping[str, Mapping[str, float]], unit_costs: Mapping[str, float], activity_cv: float,
               unit_cost_cv: float) -> Parameters:
    """PSA parameters: gamma activity per scheme and line, gamma unit costs (shared by schemes).

    Names are ``<scheme prefix>_<line>`` (e.g. ``icn_admissions``) and ``unit_cost_<line>``;
    a coefficient of variation of 0 fixes the value (a zero-variance PSA). Gamma keeps
    activity and costs non-negative (Briggs et al. 2006, section 4.3).
    """
    a_cv = float(require_nonnegative(activity_cv, "activity_cv"))
    u_cv = float(require_nonnegative(unit_cost_cv, "unit_cost_cv"))

    def dist(mean: float, cv: float) -> float | Gamma:
        return Gamma.from_mean_sd(mean, cv * mean) if cv > 0 and mean > 0 else float(mean)

    named: dict[str, object] = {}
    labels: dict[str, str] = {}
    scheme = {prefix: label for label, prefix in SCHEMES.items()}
    for prefix, lines in activity.items():
        _require_lines(lines, f"activity of {prefix!r}")
        for key, value in lines.items():
            named[f"{prefix}_{key}"] = dist(float(value), a_cv)
            labels[f"{prefix}_{key}"] = f"{LINES[key].label.capitalize()} ({scheme.get(prefix, prefix)})"
    _require_lines(unit_costs, "unit costs")
    for key, value in unit_costs.items():
        named[LINES[key].unit_cost] = dist(float(value), u_cv)
        activity_name = LINES[key].label.removesuffix(" avoided").removesuffix(" saved").removesuffix("s")
        labels[LINES[key].unit_cost] = f"Unit cost per {activity_name}"
    return Parameters(named, labels=labels, units={LINES[key].unit_cost: "£" for key in unit_costs})


def reproduce(draws: int = 5000, seed: int = 2018) -> Reproduction:
    """Re-derive both published ratios and the business case from ``data/croydon.csv``."""
    inputs = worked_inputs(MODEL)
    units = {k: inputs[line.unit_cost] for k, line in LINES.items()}
    spend = {"ICN": inputs["cost_icn"], "LIFE": inputs["cost_life"], "business case": inputs["bc_investment"]}
    if not np.isclose(spend["ICN"] + spend["LIFE"], inputs["bc_investment"]):
        raise ProvenanceError(f"{inputs.file}: cost_icn + cost_life must equal the published £8m investment")
    ratios = {"ICN": inputs["bcr_icn"], "LIFE": inputs["bcr_life"], "business case": inputs["bc_saving"] / inputs["bc_investment"]}
    activity: dict[str, dict[str, float]] = {}
    for scheme, prefix in SCHEMES.items():
        shares = {k: inputs[f"{prefix}_share_{k}"] for k in LINES}
        derived = activity_for_ratio(ratios[scheme], spend[scheme], shares, units)
        activity[prefix] = {k: inputs.check_derived(f"{prefix}_{k}", v) for k, v in derived.items()}
    nhs_share = {"ICN": inputs["icn_cost_share_nhs"], "LIFE": inputs["life_cost_share_nhs"], "business case": inputs["bc_cost_share_nhs"]}
    unit_names = {k: line.unit_cost for k, line in LINES.items()}
    model = croydon_model({
        scheme: scheme_flows(spend[scheme], nhs_share[scheme], {k: f"{prefix}_{k}" for k in LINES}, unit_names)
        for scheme, prefix in SCHEMES.items()
    })
    params = parameters(activity, units, inputs["activity_cv"], inputs["unit_cost_cv"])
    base, psa = run_psa(model, params, draws, seed)
    bcr = base["bcr"].isel({SAMPLE: 0}).to_pandas()
    one_way = {
        s: dsa.one_way(model, params, [f"{SCHEMES[s]}_{k}" for k in LINES] + list(unit_names.values()),
                       outcome="bcr", strategy=s, comparator=None)
        for s in ("ICN", "LIFE")
    }
    intervals = {s: psa_interval(psa["bcr"].sel({STRATEGY: s}).values) for s in SCHEMES}
    p_above = appraisal.acceptability(psa, [1.0]).isel(target=0).to_pandas()

    lines = pd.DataFrame(
        [
            {"scheme": scheme, "line": line.label, "party": line.party, "category": line.category,
             "activity": activity[prefix][key], "unit_cost": units[key], "value": activity[prefix][key] * units[key]}
            for scheme, prefix in SCHEMES.items()
            for key, line in LINES.items()
        ]
    ).set_index(["scheme", "line"])
    conventions = pd.DataFrame(
        {"cost": base["cost"].isel({SAMPLE: 0}).to_pandas(), "benefit": base["benefit"].isel({SAMPLE: 0}).to_pandas(),
         "gross_return_per_1": bcr, "net_roi": base["net_roi"].isel({SAMPLE: 0}).to_pandas(), "p_return_above_1": p_above}
    )
    scale = inputs["admissions_reduction_jan2019"] / inputs["admissions_reduction_6m"]
    scenario = {}
    for scheme, prefix in (("ICN", "icn"), ("LIFE", "life")):
        extra = activity[prefix]["admissions"] * units["admissions"] * (scale - 1)
        scenario[scheme] = {"admissions_scale": scale, "gross_return_per_1": (ratios[scheme] * spend[scheme] + extra) / spend[scheme]}
    scenario_table = pd.DataFrame(scenario).T
    blend = (ratios["business case"] - ratios["ICN"]) / (ratios["LIFE"] - ratios["ICN"])

    seed_lines = {"ICN": "line 1351", "LIFE": "line 1352"}
    psa_assumptions = (f"assumed spreads: a {inputs['activity_cv']:.0%} coefficient of variation on each activity line and "
                       f"{inputs['unit_cost_cv']:.0%} on each unit cost (no intervals published)")
    checks = [
        Check(MODEL, f"{scheme} benefit per £1 spent", inputs[f"bcr_{SCHEMES[scheme]}"], float(bcr[scheme]), precision=0.01,
              interval=intervals[scheme], source=f"{SOURCE}, {seed_lines[scheme]}", note=f"net ROI {float(bcr[scheme]) - 1:.0%}",
              probability=float(p_above[scheme]), probability_label=RETURN_ABOVE_1, basis="calibrated",
              assumptions=psa_assumptions)
        for scheme in ("ICN", "LIFE")
    ] + [
        Check(MODEL, "business case investment (£)", inputs["bc_investment"], float(base["cost"].sel({STRATEGY: "business case"})[0]),
              precision=1e6, source=f"{SOURCE}, line 1654", basis="input"),
        Check(MODEL, "business case saving (£)", inputs["bc_saving"], float(base["benefit"].sel({STRATEGY: "business case"})[0]),
              precision=1e6, interval=psa_interval(psa["benefit"].sel({STRATEGY: "business case"}).values),
              source=f"{SOURCE}, line 1654", note="gross return £1.50 per £1, net ROI 50%, net saving £4m",
              probability=float(p_above["business case"]), probability_label=RETURN_ABOVE_1, basis="input",
              assumptions=psa_assumptions),
    ]
    notes = [
        "Two conventions: 'gross return per £1' is benefit / cost (the published £1.44 and £2.67); 'net ROI' is (benefit - cost) / cost. "
        + "; ".join(f"{s}: £{float(bcr[s]):.2f} per £1 gross, net ROI {float(conventions.at[s, 'net_roi']):.0%}" for s in SCHEMES) + ".",
        "Only the ratios, the £8m and the £12m are published. The split of spend between schemes and payers, and of benefit across "
        "admissions, bed days and care-home weeks, are assumptions in data/croydon.csv; any split reproduces the ratios exactly.",
        f"Implied activity is large next to the context Croydon Health Services published ('more than 100 hospital admissions avoided' by "
        f"huddles in winter 2017/18, croydonhealthservices.nhs.uk/one-croydon; not in the seeds): "
        f"{activity['icn']['admissions']:,.0f} ICN admissions avoided at the assumed split. The £12m must also count length of stay and "
        "social-care savings, so the model has several benefit lines, not admissions x tariff alone.",
        f"The business case (£1.50 per £1) and the six-month ROI study cover different periods; a spend-weighted blend of 1.44 and 2.67 "
        f"equals 1.50 only if LIFE took {blend:.1%} of the spend: a curiosity, not an estimate.",
        "The 7% and 15% reductions are before/after figures with no stated comparator; regression to the mean is possible. "
        f"If the admissions line grew with them (x{scale:.2f}), ICN would return £{scenario_table.at['ICN', 'gross_return_per_1']:.2f} per £1 (illustration).",
        f"PSA over the assumed spreads only (activity CV {inputs['activity_cv']:.0%}, unit costs CV {inputs['unit_cost_cv']:.0%}; "
        f"{draws:,} draws, seed {seed}); the chance of a return above £1 per £1 is shown beside each figure.",
        "Unit costs are at 2023/24 prices (PSSRU Unit Costs 2024; NCC 2020/21 for the bed day), while the study is from 2018: the ratios "
        "are reproduced, but the implied activity should be read at today's prices.",
        inputs.quote_check,
    ]

    return Reproduction(
        model=MODEL,
        title=TITLE,
        checks=checks,
        inputs=inputs,
        # the summary and per-agency tables are computed only if read (the report shows them; the checks do not need them)
        tables=Tables({"summary": lambda: appraisal.headline_table(psa), "conventions": conventions,
                       "per_agency": lambda: per_agency(base), "benefit_lines": lines, "admissions_scenario": scenario_table,
                       "one_way_icn": one_way["ICN"], "one_way_life": one_way["LIFE"]}),
        charts={"tornado_life": chart("plot_tornado", one_way["LIFE"]),
                "per_agency_life": chart("plot_cashflows", base, "LIFE", by="party", cumulative=False),
                "acceptability": chart("plot_acceptability", psa)},
        notes=notes,
    )
