"""Numbers for people: one formatter per kind of quantity, used by tables, charts and reports.

Every place that shows a number to a reader (a business-case table, an axis label, the
terminal table of ``healthecon reproduce``, a workbook cell's text) formats it here, so that
money, ratios, percentages, probabilities and payback periods read the same everywhere:

==============  =======================  ==================================================
kind            example                  rule
==============  =======================  ==================================================
money           ``£13,886``              currency, thousands separators, whole units
                                         unless ``decimals`` asks for pence
money compact   ``£1.25m``, ``£12.5k``   three significant figures for narrow axes
ratio           ``£1.44 per £1``         "£ of value per £1 spent" (SROI, BCR)
percent         ``43%``                  a share or a net ROI given as a fraction
probability     ``0.846``                three decimals (P(cost-effective))
payback         ``1.4 years``            "within the first year" below one year,
                                         "not within 10 years" when never reached
==============  =======================  ==================================================

A value that is not a finite number (NaN, ±inf, None) never prints as ``nan``: it prints as
``missing`` (by default :data:`NOT_APPLICABLE`), so a reader sees words, not a bug.

Examples
--------
>>> format_money(13886.0), format_money(-1250.0), format_money(2.354, decimals=2)
('£13,886', '-£1,250', '£2.35')
>>> format_ratio(1.4400), format_percent(0.4345), format_probability(0.8461)
('£1.44 per £1', '43%', '0.846')
>>> format_payback(0.0), format_payback(1.42), format_payback(float("inf"), horizon=10)
('within the first year', '1.4 years', 'not within 10 years')
>>> format_money(float("nan"))
'not applicable'
"""

from __future__ import annotations

import math

from .errors import unknown_name

__all__ = [
    "NOT_APPLICABLE",
    "UNITS",
    "format_money",
    "format_number",
    "format_payback",
    "format_percent",
    "format_probability",
    "format_quantity",
    "format_ratio",
]

#: What a table shows where a number does not apply (a dominated strategy's ICER, a ratio with
#: no cost). Reports may footnote it.
NOT_APPLICABLE = "not applicable"

#: The unit names :func:`format_quantity` understands, and the formatter each uses.
UNITS = ("money", "money_compact", "ratio", "percent", "probability", "payback", "count", "number")


def _finite(value: object) -> float | None:
    """``float(value)`` when it is a finite number, else ``None``."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def format_money(value: object, currency: str = "£", *, decimals: int = 0, compact: bool = False,
                 missing: str = NOT_APPLICABLE) -> str:
    """Format an amount of money: ``£13,886``, ``-£1,250``, ``£2.35``, or ``£1.25m`` compact.

    Parameters
    ----------
    value : float
        The amount, in units of ``currency``.
    currency : str
        Symbol placed before the amount (``"£"``, ``"$"``, ``"€"``; ``""`` for none).
    decimals : int
        Decimal places when not compact (0 for whole pounds, 2 for pence).
    compact : bool
        Three significant figures with ``k``, ``m`` or ``bn`` (thousand, million, billion), for
        axis ticks and chart labels where width is short.
    missing : str
        Text for a value that is not a finite number.

    Returns
    -------
    str

    Examples
    --------
    >>> format_money(13886.0)
    '£13,886'
    >>> format_money(-0.2)
    '£0'
    >>> [format_money(v, compact=True) for v in (0, 950, 10_000, 12_500, -30_000, 1_250_000, 2.1e9)]
    ['£0', '£950', '£10k', '£12.5k', '-£30k', '£1.25m', '£2.1bn']
    >>> format_money(None, missing="—")
    '—'
    """
    number = _finite(value)
    if number is None:
        return missing
    if compact:
        size = abs(number)
        sign = "-" if number < 0 else ""
        for step, suffix in ((1e9, "bn"), (1e6, "m"), (1e3, "k")):
            if size >= step:
                return f"{sign}{currency}{size / step:.3g}{suffix}"
        return f"{sign}{currency}{size:,.0f}" if round(size) else f"{currency}0"
    rounded = round(number, decimals)
    sign = "-" if rounded < 0 else ""
    return f"{sign}{currency}{abs(rounded):,.{decimals}f}"


def format_ratio(value: object, currency: str = "£", *, decimals: int = 2, missing: str = NOT_APPLICABLE) -> str:
    """Format a return per unit of spend: ``£1.44 per £1`` (SROI ratio, benefit-cost ratio).

    Examples
    --------
    >>> format_ratio(2.674)
    '£2.67 per £1'
    >>> format_ratio(4, currency="$")
    '$4.00 per $1'
    """
    number = _finite(value)
    if number is None:
        return missing
    return f"{format_money(number, currency, decimals=decimals)} per {currency}1"


def format_percent(value: object, *, decimals: int = 0, missing: str = NOT_APPLICABLE) -> str:
    """Format a fraction as a percentage: 0.4345 → ``43%`` (a net ROI, a share, a deadweight).

    Examples
    --------
    >>> format_percent(0.4345), format_percent(0.4345, decimals=1), format_percent(-0.05)
    ('43%', '43.5%', '-5%')
    """
    number = _finite(value)
    if number is None:
        return missing
    text = f"{100 * number:,.{decimals}f}%"
    return text[1:] if text.startswith("-") and not text.strip("-0.,%") else text  # no "-0%"


def format_probability(value: object, *, decimals: int = 3, missing: str = NOT_APPLICABLE) -> str:
    """Format a probability to ``decimals`` places: ``0.846``.

    Examples
    --------
    >>> format_probability(0.84612), format_probability(1.0, decimals=2)
    ('0.846', '1.00')
    """
    number = _finite(value)
    if number is None:
        return missing
    return f"{number:.{decimals}f}"


def format_payback(years: object, *, horizon: float | None = None, decimals: int = 1) -> str:
    """Format a payback period in years, in words where a number would mislead.

    A payback below one year reads "within the first year" (not ``0.000``); a payback that is
    never reached (``inf`` or NaN) reads "not within <horizon> years" (or "not reached").

    Examples
    --------
    >>> format_payback(0.3), format_payback(2.0), format_payback(1.0)
    ('within the first year', '2.0 years', '1.0 year')
    >>> format_payback(float("nan"))
    'not reached'
    """
    number = _finite(years)
    if number is None:
        return f"not within {horizon:g} years" if horizon is not None else "not reached"
    if number < 1:
        return "within the first year"
    text = f"{number:,.{decimals}f}"
    return f"{text} year" if float(text) == 1 else f"{text} years"


def format_number(value: object, *, significant: int = 4, decimals: int | None = None,
                  missing: str = NOT_APPLICABLE) -> str:
    """Format a plain number: ``decimals`` places, else ``significant`` figures with commas.

    Examples
    --------
    >>> format_number(0.04140861299150223), format_number(1196000.0), format_number(7.991, decimals=3)
    ('0.04141', '1,196,000', '7.991')
    >>> format_number(-1e-12, decimals=2)
    '0.00'
    """
    number = _finite(value)
    if number is None:
        return missing
    if decimals is None:
        magnitude = math.floor(math.log10(abs(number))) if number else 0
        decimals = max(0, significant - 1 - magnitude)
    text = f"{number:,.{decimals}f}"
    return text[1:] if text.startswith("-") and not text.strip("-0.,") else text  # no "-0.00"


def format_quantity(value: object, unit: str, *, currency: str = "£", missing: str = NOT_APPLICABLE) -> str:
    """Format ``value`` by its unit, one of :data:`UNITS` (used where the unit is data).

    Examples
    --------
    >>> format_quantity(0.4345, "percent"), format_quantity(1.2, "ratio"), format_quantity(1234.5, "count")
    ('43%', '£1.20 per £1', '1,234')
    >>> format_quantity(3.5, "furlongs")
    Traceback (most recent call last):
    ...
    healthecon.errors.UnknownNameError: ...
    """
    if unit == "money":
        return format_money(value, currency, missing=missing)
    if unit == "money_compact":
        return format_money(value, currency, compact=True, missing=missing)
    if unit == "ratio":
        return format_ratio(value, currency, missing=missing)
    if unit == "percent":
        return format_percent(value, missing=missing)
    if unit == "probability":
        return format_probability(value, missing=missing)
    if unit == "payback":
        return format_payback(value)
    if unit == "count":
        return format_number(value, decimals=0, missing=missing)
    if unit == "number":
        return format_number(value, missing=missing)
    raise unknown_name("unit", unit, UNITS)
