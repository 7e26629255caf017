"""Care & Repair (Wales): £7.50 saved to the taxpayer for every £1 invested.

What was published (seed 000, line 239; Edwards RT, Spencer LH, Bryning L et al., *Living
Well for Longer*, CHEME Bangor for Public Health Wales, 2018): "For every £1 invested in Care
& Repair there is £7.50 savings to the taxpayer". Nothing else: no budget, breakdown, period
or discount rate.

What is derived: the savings, 7.50 times the investment.

What is assumed (``data/care_repair.csv``, kind ``assumed``; replace with local figures):
an illustrative £100,000 investment (the ratio does not depend on it); savings in the year
of the investment (no period is published: a one-period return, no discounting); how the
savings split between falls avoided (NHS), quicker discharge (NHS), delayed moves into
residential care (council) and cold-related illness avoided (NHS); and, for the PSA only, a
30% coefficient of variation on each savings line. The split and the PSA are *assumptions*: only the £7.50 is
published. Two unit costs (PSSRU *Unit Costs of Health and Social Care 2024*, tables 6.1.1
and 1.2.1) translate the assumed savings into the activity they imply, as a plausibility
check a commissioner can compare with local data.

Method: cost-benefit analysis with savings as benefits (HM Treasury Green Book 2022, ch. 5;
:mod:`healthecon.cba`): gross return per £1 = savings / investment.

Examples
--------
>>> rep = reproduce(draws=200, seed=1)
>>> rep.checks[0].figure, round(rep.checks[0].reproduced, 2), rep.checks[0].status
('savings to the taxpayer per £1 invested', 7.5, 'match')
"""

from __future__ import annotations

from collections.abc import Mapping

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

from healthecon import cba
from healthecon.distributions import Gamma
from healthecon.params import Parameters
from healthecon.provenance import Inputs
from healthecon.reproduction import Reproduction

__all__ = ["LINES", "inputs", "parameters", "model", "reproduce"]

NAME = "care_repair"
SOURCE = "seeds/000_dd7df95bd4ae58ba.txt line 239"

#: Savings lines: input suffix -> (label, agency).
LINES: dict[str, tuple[str, str]] = {
    "falls": ("falls and injuries avoided", "NHS"),
    "discharge": ("quicker hospital discharge", "NHS"),
    "care_home": ("delayed moves into residential care", "council"),
    "warmth": ("cold-related illness avoided", "NHS"),
}


def inputs(overrides: Mapping[str, float] | None = None) -> Inputs:
    """The inputs of ``data/care_repair.csv``, with ``overrides`` replacing any of them."""
    values = read_inputs(NAME, overrides)
    require_shares(values, [f"share_{k}" for k in LINES], "savings shares")
    return values


def parameters(values: Mapping[str, float]) -> Parameters:
    """PSA parameters: each savings line Gamma around its assumed value; the investment fixed."""
    total = values["savings_per_pound"] * values["investment"]
    params = {"investment": values["investment"]}
    labels = {"investment": "Investment"}
    for key, (line, agency) in LINES.items():
        mean = values[f"share_{key}"] * total
        params[f"saving_{key}"] = uncertain(Gamma, mean, values["cv_savings"] * mean, f"share_{key}") if mean > 0 else 0.0
        labels[f"saving_{key}"] = f"Savings to the {agency}: {line}"
    return Parameters(params, labels=labels, units=dict.fromkeys(params, "£"))


def model() -> cba.CBAModel:
    """The one-period cost-benefit model: the investment against four savings lines."""
    flows = [cba.cost_flow("Care & Repair services", "Care & Repair", ["investment"])]
    flows += [cba.benefit_flow(label, agency, [f"saving_{key}"], category="fiscal_non_cashable")
              for key, (label, agency) in LINES.items()]
    return cba.CBAModel(flows, name="Care & Repair", discount=0.0)


def _activity(values: Mapping[str, float], savings: Mapping[str, float]) -> pd.DataFrame:
    per = 100_000 / values["investment"]
    rows = [
        ("non-elective long-stay admissions avoided (falls)", savings["falls"] * per / values["unit_cost_nel_long_stay"],
         "PSSRU Unit Costs 2024, table 6.1.1: £5,134 per stay"),
        ("resident-weeks of residential care avoided", savings["care_home"] * per / values["unit_cost_residential_week"],
         "PSSRU Unit Costs 2024, table 1.2.1: £1,200 per week"),
    ]
    return pd.DataFrame(rows, columns=["implied activity per £100,000 invested", "quantity", "unit cost used"])


def reproduce(draws: int = 5000, seed: int = 2018, overrides: Mapping[str, float] | None = None) -> Reproduction:
    """Re-derive £7.50 per £1 and run a PSA over the assumed breakdown.

    ``overrides`` (local figures, by input name in ``data/care_repair.csv``) replace the
    assumed split or investment; the PSA takes ``draws`` draws from ``seed``.
    """
    values = inputs(overrides)
    params = parameters(values)
    cbam = model()
    base, psa = run_psa(cbam, params, draws, seed)
    ratio = float(base["bcr"].squeeze())
    check = ratio_check(NAME, "savings to the taxpayer per £1 invested", values["savings_per_pound"], 0.01, ratio,
                        psa["bcr"].values.ravel(), SOURCE, label="P(savings > £1 per £1)", basis="calibrated",
                        assumptions=f"assumed savings split and a {values['cv_savings']:.0%} coefficient of variation on "
                                    "each savings line (no uncertainty published)")
    savings = {key: float(base["flows"].sel(line=label).sum()) for key, (label, _) in LINES.items()}
    breakdown = pd.DataFrame(
        {
            "savings line": [LINES[k][0] for k in LINES],
            "agency": [LINES[k][1] for k in LINES],
            "share (assumed)": [values[f"share_{k}"] for k in LINES],
            "savings (£)": [savings[k] for k in LINES],
            "per £1 invested": [savings[k] / values["investment"] for k in LINES],
        }
    )
    activity = _activity(values, savings)
    one_way = tornado_table(cbam, params, "bcr")
    notes = [
        "Only the £7.50 per £1 is published (Edwards et al. 2018, via seed 000 line 239); the split of savings "
        "between falls, discharge, residential care and warmth, the £100,000 investment and the PSA spread are "
        "assumptions (data/care_repair.csv) that leave the headline unchanged.",
        "The Welsh Government's ~£50 million a year on home adaptations (seed 000 line 237) is not stated to be "
        "Care & Repair's budget and is not used.",
        f"At the assumed split, each £100,000 invested must avoid about {activity['quantity'][0]:.0f} "
        "long-stay falls admissions and "
        f"{activity['quantity'][1]:.0f} resident-weeks of residential care to reach £7.50 "
        "per £1 (2023/24 unit costs): compare with local activity before relying on the ratio.",
    ]
    rep = money_reproduction(NAME, "Care & Repair (Wales): savings per £1", [check],
                              {"breakdown": breakdown, "implied_activity": activity}, notes, base, psa, one_way)
    rep.inputs = values  # what the figures were computed from, and which inputs were read
    return rep
