"""Optimism bias: the Green Book's recommended uplifts for project costs and durations.

HM Treasury's *Supplementary Green Book Guidance: Optimism Bias* (2003, still current under
the Green Book 2022, para. 5.43-5.46 and Annex A5) tells appraisers to raise cost estimates
(and works durations) by a percentage for the project type, starting at the **upper bound**
at an early stage and moving towards the **lower bound** only as specific risks are
identified and managed. The percentages come from Mott MacDonald (2002), *Review of Large
Public Procurement in the UK*, Table 2 "Optimism Bias Guidelines" (reproduced as Table 1 of
the supplementary guidance). The Green Book gives no generic figure for benefits; a benefit
haircut must come from the organisation's own evidence (Green Book 2022, para. 5.45).

Every figure below is **published**: it is quoted from Mott MacDonald (2002), Table 2, whose
columns are works duration (upper, lower) and capital expenditure (upper, lower), in percent.
For outsourcing the cost figures apply to operating expenditure and no duration figures are
given (the table prints "N/A").

Examples
--------
>>> uplift("standard_buildings")
0.24
>>> uplift("equipment_development", bound="lower")
0.1
>>> round(apply_uplift(1000.0, "non_standard_buildings"), 2)
1510.0
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._validate import require_finite, require_nonnegative
from .errors import ParameterError, unknown_name

__all__ = ["OptimismBias", "OPTIMISM_BIAS", "SOURCE", "MAX_UPLIFT", "uplift", "apply_uplift", "require_uplift", "table"]

SOURCE = (
    "Mott MacDonald (2002), Review of Large Public Procurement in the UK, for HM Treasury, "
    "Table 2 'Optimism Bias Guidelines'; reproduced in HM Treasury, Supplementary Green Book "
    "Guidance: Optimism Bias (2003), Table 1 'Recommended adjustment ranges'"
)


@dataclass(frozen=True)
class OptimismBias:
    """Upper and lower optimism-bias bounds for one project type (fractions, 0.24 = 24%).

    ``duration_upper``/``duration_lower`` are ``None`` where the source prints "N/A".

    Parameters
    ----------
    project_type
        Key in :data:`OPTIMISM_BIAS` (``"standard_buildings"``, ``"outsourcing"``, ...).
    description
        What the project type covers, in words.
    capex_upper, capex_lower
        Cost uplifts at the upper bound (early appraisal) and the lower bound (risks
        identified and managed).
    duration_upper, duration_lower
        Works-duration uplifts, or ``None``.
    measure
        What the cost uplifts apply to: ``"capital expenditure"`` or, for outsourcing,
        ``"operating expenditure"``.
    source, quote
        The publication and the row of its table, as printed.

    Examples
    --------
    >>> row = OPTIMISM_BIAS["standard_buildings"]  # e.g. a new community diagnostic centre
    >>> row.capex_upper, row.capex_lower, row.duration_upper
    (0.24, 0.02, 0.04)
    >>> row.quote
    'Standard Buildings | 4 | 1 | 24 | 2'
    >>> OPTIMISM_BIAS["outsourcing"].measure, OPTIMISM_BIAS["outsourcing"].duration_upper is None
    ('operating expenditure', True)
    """

    project_type: str
    description: str
    capex_upper: float
    capex_lower: float
    duration_upper: float | None
    duration_lower: float | None
    measure: str = "capital expenditure"
    source: str = SOURCE
    quote: str = ""


def _row(key, description, dur_u, dur_l, cap_u, cap_l, quote, measure="capital expenditure"):
    return key, OptimismBias(key, description, cap_u, cap_l, dur_u, dur_l, measure, SOURCE, quote)


OPTIMISM_BIAS: dict[str, OptimismBias] = dict(
    [
        _row("standard_buildings", "Standard buildings (e.g. offices, schools, hospitals of standard design)",
             0.04, 0.01, 0.24, 0.02, "Standard Buildings | 4 | 1 | 24 | 2"),
        _row("non_standard_buildings", "Non-standard buildings (innovative, complex or prestige buildings)",
             0.39, 0.02, 0.51, 0.04, "Non-standard Buildings | 39 | 2 | 51 | 4"),
        _row("standard_civil_engineering", "Standard civil engineering (roads, utilities, standard works)",
             0.20, 0.01, 0.44, 0.03, "Standard Civil Engineering | 20 | 1 | 44 | 3"),
        _row("non_standard_civil_engineering", "Non-standard civil engineering (innovative or complex works)",
             0.25, 0.03, 0.66, 0.06, "Non-standard Civil Engineering | 25 | 3 | 66 | 6"),
        _row("equipment_development", "Equipment / development (e.g. IT and bespoke equipment)",
             0.54, 0.10, 2.00, 0.10, "Equipment/Development | 54 | 10 | 200 | 10"),
        _row("outsourcing", "Outsourcing (service contracts; figures apply to operating expenditure)",
             None, None, 0.41, 0.0, "Outsourcing | N/A | N/A | 41* | 0*", measure="operating expenditure"),
    ]
)


def _lookup(project_type: str) -> OptimismBias:
    try:
        return OPTIMISM_BIAS[project_type]
    except KeyError:
        raise unknown_name("optimism-bias project type", project_type, OPTIMISM_BIAS) from None


def uplift(project_type: str, bound: str = "upper", measure: str = "cost") -> float:
    """The recommended optimism-bias uplift for a project type, as a fraction.

    Parameters
    ----------
    project_type
        A key of :data:`OPTIMISM_BIAS` (e.g. ``"standard_buildings"``, ``"outsourcing"``).
    bound
        ``"upper"`` (the starting value at an early appraisal stage) or ``"lower"`` (the
        value once project-specific risks are fully identified and managed).
    measure
        ``"cost"`` (capital expenditure; operating expenditure for outsourcing) or
        ``"duration"`` (works duration).

    Returns
    -------
    float
        The uplift as a fraction (0.24 = 24%).

    Raises
    ------
    UnknownNameError
        For an unknown project type.
    ParameterError
        For an unknown bound or measure, or a duration uplift the source does not give.

    Examples
    --------
    A council outsourcing its home-care contract at the outline business case stage, and a
    hospital extension of standard design:

    >>> uplift("outsourcing")
    0.41
    >>> uplift("standard_buildings", bound="lower"), uplift("standard_buildings", measure="duration")
    (0.02, 0.04)
    >>> uplift("outsourcing", measure="duration")
    Traceback (most recent call last):
    ...
    healthecon.errors.ParameterError: optimism bias for 'outsourcing': the source gives no works-duration figure (N/A)
    """
    row = _lookup(project_type)
    if bound not in ("upper", "lower"):
        raise ParameterError(f"optimism bias bound: expected 'upper' or 'lower', got {bound!r}")
    if measure == "cost":
        return row.capex_upper if bound == "upper" else row.capex_lower
    if measure == "duration":
        value = row.duration_upper if bound == "upper" else row.duration_lower
        if value is None:
            raise ParameterError(
                f"optimism bias for {project_type!r}: the source gives no works-duration figure (N/A)"
            )
        return value
    raise ParameterError(f"optimism bias measure: expected 'cost' or 'duration', got {measure!r}")


def apply_uplift(cost: object, project_type_or_rate: str | float, bound: str = "upper") -> np.ndarray | float:
    """Cost after optimism bias: ``cost * (1 + uplift)``.

    ``project_type_or_rate`` is a project type (looked up with :func:`uplift`) or a
    user-set uplift fraction (>= 0).

    Parameters
    ----------
    cost
        A cost or an array of costs (e.g. one per year or per PSA draw), finite.
    project_type_or_rate
        A key of :data:`OPTIMISM_BIAS`, or an uplift fraction >= 0 from local evidence.
    bound
        ``"upper"`` or ``"lower"``, for a project type (see :func:`uplift`).

    Returns
    -------
    float or numpy.ndarray
        The uplifted cost(s): a float for a single cost, else an array of the same shape.

    Raises
    ------
    UnknownNameError
        For an unknown project type.
    ParameterError
        For a negative rate, an unknown bound or a cost that is not finite.

    Examples
    --------
    A £2.5m standard-design health centre at an early stage (24% uplift), a home-care
    contract costing £120,000 and £80,000 in its two years (41%), and a locally
    evidenced 10% uplift on £50,000:

    >>> apply_uplift(2_500_000.0, "standard_buildings")
    3100000.0
    >>> apply_uplift(np.array([120_000.0, 80_000.0]), "outsourcing")
    array([169200., 112800.])
    >>> round(apply_uplift(50_000.0, 0.10), 2)
    55000.0
    """
    if isinstance(project_type_or_rate, str):
        rate = uplift(project_type_or_rate, bound)
    else:
        rate = float(require_uplift(project_type_or_rate, "optimism bias uplift"))
    values = require_finite(cost, "cost to uplift")
    out = values * (1.0 + rate)
    return float(out) if out.ndim == 0 else out


#: An uplift above this (500%) is taken for a percentage typed as a number: the Green Book's
#: largest recommended cost uplift is 200% (equipment and development, upper bound).
MAX_UPLIFT = 5.0


def require_uplift(values: object, what: str) -> np.ndarray:
    """Uplift fractions checked: finite, >= 0 and at most :data:`MAX_UPLIFT` (41 meaning 41% raises).

    Examples
    --------
    >>> require_uplift(41, "cost_uplift")
    Traceback (most recent call last):
    ...
    healthecon.errors.ParameterError: cost_uplift: an uplift of 41 is 4,100%; give a fraction (0.41 for 41%); the Green Book's largest is 200%
    """
    arr = require_nonnegative(values, what)
    if (arr > MAX_UPLIFT).any():
        top = float(arr.max())
        raise ParameterError(f"{what}: an uplift of {top:g} is {top:,.0%}; give a fraction ({top / 100:g} for {top:g}%); "
                             "the Green Book's largest is 200%")
    return arr


def table() -> pd.DataFrame:
    """The optimism-bias table with its provenance, one row per project type.

    Returns
    -------
    pandas.DataFrame
        Index ``project_type``; columns ``description``, ``cost_measure``, ``cost_upper``,
        ``cost_lower``, ``duration_upper``, ``duration_lower`` (NaN where the source prints
        "N/A"), ``kind`` (always ``"published"``), ``source`` and ``quote``.

    Examples
    --------
    >>> table()[["cost_upper", "cost_lower", "duration_upper"]]
                                    cost_upper  cost_lower  duration_upper
    project_type
    standard_buildings                    0.24        0.02            0.04
    non_standard_buildings                0.51        0.04            0.39
    standard_civil_engineering            0.44        0.03            0.20
    non_standard_civil_engineering        0.66        0.06            0.25
    equipment_development                 2.00        0.10            0.54
    outsourcing                           0.41        0.00             NaN
    >>> table()["kind"].unique().tolist()
    ['published']
    """
    rows = [
        {
            "project_type": r.project_type,
            "description": r.description,
            "cost_measure": r.measure,
            "cost_upper": r.capex_upper,
            "cost_lower": r.capex_lower,
            "duration_upper": r.duration_upper,
            "duration_lower": r.duration_lower,
            "kind": "published",
            "source": r.source,
            "quote": r.quote,
        }
        for r in OPTIMISM_BIAS.values()
    ]
    return pd.DataFrame(rows).set_index("project_type")
