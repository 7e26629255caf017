"""Human labels and units: declared once, where a thing is defined, and read everywhere.

A report, a workbook or a chart shows a reader "PV benefits, lower 95%" and "£1.44 per £1",
never ``pv_benefit_lower`` and ``1.4400000000000002``. The words and units come from three
places, in this order:

1. what the user declared: :func:`describe_outcomes` for an outcome set (its variables and
   strategies; kept in the dataset's ``attrs["labels"]``, so it survives
   :func:`healthecon.outcomes.save_outcomes` to CSV or NetCDF), ``Parameters(..., labels=, units=)``
   for parameters;
2. the names healthecon's own tables use (:func:`healthecon.cea.icer_table`,
   :func:`healthecon.appraisal.headline_table`, :func:`healthecon.dsa.one_way` ...), spelt out in
   :data:`COLUMN_LABELS`;
3. a plain reading of any other ``snake_case`` name ("bed_days" reads "Bed days"); a name that
   already has spaces or capitals is the author's wording and is kept.

A *unit kind* (one of :data:`KINDS`) says how a number is shown: by
:func:`format_cell` on a page (through :mod:`healthecon.formatting`) and as an Excel number
format in a workbook.

Examples
--------
>>> column_label("pv_benefit_lower"), column_label("gross_return_per_1"), column_label("savings (£)")
('PV benefits, lower 95%', 'Return per £1', 'savings (£)')
>>> column_kind("net_roi"), column_kind("p_npv_positive"), column_kind("icer"), column_kind("deadweight (assumed)")
('percent', 'probability', 'money', 'percent')
>>> format_cell(0.4345, "percent"), format_cell(1.44, "ratio"), format_cell(float("nan"), "money")
('43%', '£1.44 per £1', '')
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd
import xarray as xr

from .errors import OutcomesError, unknown_name
from .formatting import format_money, format_number, format_payback, format_percent, format_probability, format_ratio

__all__ = [
    "KINDS",
    "COLUMN_LABELS",
    "OutcomeLabels",
    "describe_outcomes",
    "outcome_labels",
    "column_label",
    "column_kind",
    "unit_kind",
    "format_cell",
]

#: How a number is shown: money (``£13,886``), a return per unit spent (``£1.44 per £1``), a
#: percentage (``43%``), a probability (``0.846``), a health effect (``0.041``), a payback
#: period in years, a whole count, any other number (four significant figures), or text.
KINDS = ("money", "ratio", "percent", "probability", "effect", "payback", "count", "number", "text")

#: Words for the columns of healthecon's own tables; ``{c}`` is the currency, ``{e}`` the effect unit.
COLUMN_LABELS: dict[str, str] = {
    "strategy": "Strategy", "cost": "Cost", "effect": "Effect ({e}s)", "benefit": "Benefit", "net": "Net",
    "inc_cost": "Incremental cost", "inc_effect": "Incremental effect ({e}s)", "icer": "ICER ({c} per {e})",
    "status": "Status", "comparator": "Compared with", "quadrant": "Quadrant", "inc_nmb": "Incremental net monetary benefit",
    "nmb": "Net monetary benefit", "p_cost_effective": "P(cost-effective)", "wtp": "Threshold ({c} per {e})",
    "pv_benefit": "PV benefits", "pv_cost": "PV costs", "npv": "NPV", "gross_return_per_1": "Return per {c}1",
    "return_per_1": "Return per {c}1", "bcr": "Benefit per {c}1", "sroi_ratio": "SROI ratio ({c} per {c}1)",
    "net_roi": "Net ROI", "net_sroi": "Net SROI", "p_npv_positive": "P(NPV > 0)",
    "p_ratio_above_target": "P(return above target)", "target": "Target return per {c}1", "payback_years": "Payback",
    "parameter": "Parameter", "base": "Base value", "low": "Low value", "high": "High value",
    "outcome_base": "Result at base case", "outcome_low": "Result at low value", "outcome_high": "Result at high value",
    "swing": "Swing", "optimal_low": "Best at low value", "optimal_high": "Best at high value", "party": "Party",
    "category": "Category", "year": "Year", "line": "Line", "evpi": "EVPI", "evppi": "EVPPI", "se": "Standard error",
    "ly": "Life-years", "qaly": "QALYs", "distribution": "Distribution", "point": "Value", "mean": "Mean", "sd": "SD",
    "lower": "Lower 95%", "upper": "Upper 95%", "unit": "Unit", "kind": "Kind", "source": "Source", "label": "Label",
    "name": "Name", "value": "Value", "location": "Where", "quote": "Quote", "note": "Note", "figure": "Figure",
    "published": "Published", "reproduced": "Reproduced", "difference": "Difference", "basis": "Basis",
    "interval_low": "Interval, low", "interval_high": "Interval, high", "probability": "Probability",
    "probability_label": "Probability of", "model": "Model",
}
_SUFFIXES = {"_lower": "lower 95%", "_upper": "upper 95%", "_low": "low", "_high": "high",
             "_undiscounted": "undiscounted", "_discounted": "discounted", "_mean": "mean", "_median": "median"}
_ACRONYMS = {"pv": "PV", "npv": "NPV", "roi": "ROI", "bcr": "BCR", "icer": "ICER", "sroi": "SROI", "nhs": "NHS",
             "qaly": "QALY", "qalys": "QALYs", "ly": "life-years", "nmb": "net monetary benefit", "se": "SE",
             "evpi": "EVPI", "evppi": "EVPPI", "evsi": "EVSI", "wtp": "threshold", "gp": "GP", "ae": "A&E", "psa": "PSA"}

_KIND_OF_NAME = {
    "net_roi": "percent", "net_sroi": "percent", "payback_years": "payback", "target": "ratio",
    "gross_return_per_1": "ratio", "return_per_1": "ratio", "bcr": "ratio", "sroi_ratio": "ratio",
    "effect": "effect", "inc_effect": "effect", "ly": "effect", "qaly": "effect", "status": "text",
    "year": "count", "quadrant": "text", "comparator": "text", "strategy": "text", "parameter": "text",
}
_MONEY_WORDS = {"cost", "costs", "benefit", "benefits", "npv", "nmb", "inb", "saving", "savings", "price", "wtp",
                "icer", "evpi", "evppi", "evsi", "pv"}
_PERCENT_WORDS = {"deadweight", "attribution", "drop-off", "dropoff", "drop_off", "displacement", "share"}
_RATIO_WORDS = {"ratio", "bcr", "roi", "return"}
_EFFECT_WORDS = {"qaly", "qalys", "ly", "lys", "life-years", "life_years", "effect"}
_CURVE_TABLES = re.compile(r"ceac|ceaf|acceptab")


def _plain(name: str) -> str:
    """``name`` without the suffixes that do not change its unit (``npv_lower`` → ``npv``)."""
    base = str(name).strip().lower()
    while True:
        for suffix in _SUFFIXES:
            if base.endswith(suffix) and len(base) > len(suffix):
                base = base[: -len(suffix)]
                break
        else:
            return base


def column_label(name: object, *, currency: str = "£", effect_unit: str = "QALY",
                 labels: Mapping[str, str] | None = None) -> str:
    """The words a reader sees for a table column (or an outcome variable) called ``name``.

    A name in ``labels`` takes that label; a name of healthecon's own tables reads as in
    :data:`COLUMN_LABELS`, with ``_lower``/``_upper`` and similar suffixes spelt out; any other
    ``snake_case`` name is read plainly; a name with spaces or capitals is kept.

    Examples
    --------
    >>> column_label("npv_upper"), column_label("icer", currency="€", effect_unit="life-year")
    ('NPV, upper 95%', 'ICER (€ per life-year)')
    >>> column_label("bed_days"), column_label("c_drug", labels={"c_drug": "Drug cost (£ a year)"})
    ('Bed days', 'Drug cost (£ a year)')
    >>> column_label("qaly_undiscounted"), column_label("reduction_admissions_control")
    ('QALYs, undiscounted', 'Reduction admissions control')
    """
    text = str(name)
    if labels and text in labels:
        return str(labels[text])
    if text != text.lower() or " " in text or not text:
        return text
    if text in COLUMN_LABELS:
        return COLUMN_LABELS[text].format(c=currency, e=effect_unit)
    suffixes = []
    base = text
    while True:
        for suffix, words in _SUFFIXES.items():
            if base.endswith(suffix) and len(base) > len(suffix):
                base, suffixes = base[: -len(suffix)], [words, *suffixes]
                break
        else:
            break
    if labels and base in labels:
        head = str(labels[base])
    elif base in COLUMN_LABELS:
        head = COLUMN_LABELS[base].format(c=currency, e=effect_unit)
    else:
        words = [_ACRONYMS.get(w, w) for w in base.split("_") if w]
        if words and words[0] == "p" and len(words) > 1:
            head = f"P({' '.join(words[1:])})"
        elif words and words[0] == "inc" and len(words) > 1:
            head = "Incremental " + " ".join(words[1:])
        else:
            head = " ".join(words)
        head = head[:1].upper() + head[1:]
    return ", ".join([head, *suffixes])


def column_kind(name: object, table: str = "", values: pd.Series | None = None,
                attrs: Mapping[str, object] | None = None, currency: str = "£",
                units: Mapping[str, str] | None = None) -> str:
    """How the numbers of a column are shown: one of :data:`KINDS`, from what its name says.

    ``units`` (``{column: kind}``) overrides. Probabilities: ``p_*``, "probability", every
    column but the threshold of a CEAC or acceptability table (``table``). Percentages: a net
    ROI, deadweight, attribution, drop-off, displacement, a share. Returns per unit spent: a
    ratio, BCR, "return", "per £1". Money: a name with cost, benefit, NPV, saving, price, ICER
    or the currency in it. A one-way table's results follow its ``attrs["units"]``. Effects:
    QALYs, life-years. Then whole numbers are counts, other numbers plain numbers, and a
    column that is not numeric is text.

    Examples
    --------
    >>> column_kind("npv_lower"), column_kind("share (assumed)"), column_kind("benefit per £1, undiscounted")
    ('money', 'percent', 'ratio')
    >>> column_kind("outcome_low", "one_way", attrs={"units": "per £1"}), column_kind("usual care", "ceac")
    ('ratio', 'probability')
    >>> column_kind("bed days", values=pd.Series([3, 4])), column_kind("name", values=pd.Series(["a"]))
    ('count', 'text')
    """
    attrs = attrs or {}
    currency = str(attrs.get("currency") or currency)
    text = str(name).strip()
    if units and text in units:
        return unit_kind(units[text])
    lower = text.lower()
    base = _plain(lower)
    if base in _KIND_OF_NAME:
        return _KIND_OF_NAME[base]
    if values is not None and not (pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)):
        return "text"
    words = set(re.split(r"[^a-z0-9£$€&-]+", lower)) - {""}
    first = re.split(r"[\s(:,]", lower, maxsplit=1)[0]
    if (re.match(r"p(_|\(|$)", lower) or "probability" in words
            or (_CURVE_TABLES.search(table.lower()) and base not in ("wtp", "threshold", "lambda"))):
        return "probability"
    if first in _PERCENT_WORDS or first.split("_")[0] in _PERCENT_WORDS:
        return "percent"
    if (base.startswith("outcome") or base == "swing") and attrs.get("units") is not None:
        unit = str(attrs.get("units", ""))
        if unit.startswith("per"):
            return "ratio"
        if unit in (currency, "£"):
            return "money"
        return "number"
    if words & _RATIO_WORDS or any(w.endswith("ratio") for w in base.split("_")) or "per £1" in lower \
            or f"per {currency.lower()}1" in lower or base.endswith("per_1"):
        return "ratio"
    base_words = set(base.removeprefix("inc_").split("_")) | words
    if base_words & _MONEY_WORDS or base in ("net", "net_benefit") or "£" in lower or (currency and currency.lower() in lower):
        return "money"
    if base_words & _EFFECT_WORDS or base.startswith("qaly"):
        return "effect"
    if values is not None and pd.api.types.is_integer_dtype(values):
        return "count"
    return "number"


def unit_kind(unit: str) -> str:
    """A declared unit read as a kind (:data:`KINDS`): a kind's own name, a currency symbol or
    code (money), ``"%"`` (percent), QALYs or life-years (effect); any other unit is a number.

    Examples
    --------
    >>> unit_kind("£"), unit_kind("%"), unit_kind("probability"), unit_kind("bed days")
    ('money', 'percent', 'probability', 'number')
    """
    if unit in KINDS:
        return unit
    if unit in ("£", "$", "€") or unit.upper() in ("GBP", "USD", "EUR"):
        return "money"
    if unit == "%":
        return "percent"
    if unit.lower() in ("qaly", "qalys", "life-year", "life-years", "ly"):
        return "effect"
    return "number"


def format_cell(value: object, kind: str, currency: str = "£") -> str:
    """``value`` as text for a table cell of unit kind ``kind``; not a number → ``""``.

    A blank cell is never "nan": tables that show one say why in a footnote.

    Examples
    --------
    >>> format_cell(13885.96, "money"), format_cell(2.35, "money"), format_cell(0.04140861299150223, "effect")
    ('£13,886', '£2.35', '0.0414')
    >>> format_cell(0.0, "payback"), format_cell(3, "count"), format_cell("CHSS", "text")
    ('within the first year', '3', 'CHSS')
    """
    if kind == "text" or isinstance(value, str):
        return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)
    if value is None or isinstance(value, bool):
        return "" if value is None else str(value)
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(number):
        return ""
    if kind == "money":
        return format_money(number, currency, decimals=2 if 0 < abs(number) < 10 else 0)
    if kind == "ratio":
        return format_ratio(number, currency)
    if kind == "percent":
        return format_percent(number, decimals=1 if 0 < abs(number) < 0.1 else 0)
    if kind == "probability":
        return format_probability(number)
    if kind == "payback":
        return format_payback(number)
    if kind == "count":
        return format_number(number, decimals=0) if number == round(number) else format_number(number)
    if kind == "effect":
        return format_number(number, significant=3) if abs(number) < 1 else format_number(number, decimals=3)
    if kind not in KINDS:
        raise unknown_name("unit kind", kind, KINDS)
    return format_number(number)


@dataclass(frozen=True)
class OutcomeLabels:
    """What an outcome set's variables and strategies are called, and the variables' units."""

    variables: dict[str, str] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    strategies: dict[str, str] = field(default_factory=dict)

    def variable(self, name: str, currency: str = "£", effect_unit: str = "QALY") -> str:
        """The label of outcome variable ``name``."""
        return column_label(name, currency=currency, effect_unit=effect_unit, labels=self.variables)

    def strategy(self, name: str) -> str:
        """The label of strategy ``name`` (the name itself when none was declared)."""
        return self.strategies.get(str(name), str(name))


def describe_outcomes(ds: xr.Dataset, *, labels: Mapping[str, str] | None = None,
                      units: Mapping[str, str] | None = None,
                      strategies: Mapping[str, str] | None = None) -> xr.Dataset:
    """A copy of outcome set ``ds`` that carries human labels and units for reports and charts.

    Parameters
    ----------
    ds
        An outcome set.
    labels
        ``{variable: label}``, e.g. ``{"cost_drug": "Drug cost"}``.
    units
        ``{variable: unit}``: a kind of :data:`KINDS` or a symbol (``"£"``, ``"%"``, ``"QALY"``).
    strategies
        ``{strategy: label}``, e.g. ``{"vw": "Virtual ward"}``.

    Returns
    -------
    xarray.Dataset
        ``ds`` with ``attrs["labels"]`` (JSON text, so that it is saved with the outcomes),
        merged over any labels it already had.

    Raises
    ------
    UnknownNameError
        For a variable or strategy that ``ds`` does not have (a typo never passes silently).

    Examples
    --------
    >>> from healthecon.outcomes import make_outcomes
    >>> out = make_outcomes({"cost": [[100.0, 250.0]], "qaly": [[1.0, 1.5]]}, strategies=["uc", "vw"], effect="qaly")
    >>> out = describe_outcomes(out, labels={"cost": "Cost per patient"}, strategies={"vw": "Virtual ward"})
    >>> found = outcome_labels(out)
    >>> found.variable("cost"), found.variable("qaly"), found.strategy("vw"), found.strategy("uc")
    ('Cost per patient', 'QALYs', 'Virtual ward', 'uc')
    """
    known = outcome_labels(ds)
    names = [str(s) for s in ds["strategy"].values]
    for name in [*(labels or {}), *(units or {})]:
        if name not in ds.data_vars:
            raise unknown_name("outcome variable", name, list(ds.data_vars))
    for name in strategies or {}:
        if name not in names:
            raise unknown_name("strategy", name, names)
    merged = {"variables": {**known.variables, **{k: str(v) for k, v in (labels or {}).items()}},
              "units": {**known.units, **{k: str(v) for k, v in (units or {}).items()}},
              "strategies": {**known.strategies, **{k: str(v) for k, v in (strategies or {}).items()}}}
    out = ds.copy()
    out.attrs["labels"] = json.dumps(merged, ensure_ascii=False, sort_keys=True)
    return out


def outcome_labels(ds: xr.Dataset) -> OutcomeLabels:
    """The labels and units :func:`describe_outcomes` attached to ``ds`` (and any variable's
    own ``attrs["label"]`` / ``attrs["unit"]``).

    Raises
    ------
    OutcomesError
        If ``attrs["labels"]`` is not what :func:`describe_outcomes` writes.
    """
    variables = {str(n): str(v.attrs["label"]) for n, v in ds.data_vars.items() if "label" in v.attrs}
    units = {str(n): str(v.attrs["unit"]) for n, v in ds.data_vars.items() if "unit" in v.attrs}
    strategies: dict[str, str] = {}
    text = ds.attrs.get("labels")
    if text:
        try:
            stored = json.loads(str(text))
            variables.update(stored.get("variables", {}))
            units.update(stored.get("units", {}))
            strategies.update(stored.get("strategies", {}))
        except (ValueError, AttributeError, TypeError) as err:
            raise OutcomesError(f"outcome set attrs['labels']: expected the JSON written by describe_outcomes ({err})") from err
    return OutcomeLabels(variables, units, strategies)
