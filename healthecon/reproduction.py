"""Records of a worked model's reproduction of published figures.

A worked model (``models/*.py``, installed as ``healthecon.worked``) returns a
:class:`Reproduction`: each published figure beside the value the model re-derives
(:class:`Check`), the tables and charts a business case would carry, and the caveats a
reader must see. ``healthecon reproduce`` prints the checks of every model as one table and
writes the tables and charts to disk.

Examples
--------
>>> check = Check("chss", "ICER (£ per life-year)", published=13886, reproduced=13885.96, precision=1)
>>> check.status, round(check.difference, 2)
('match', -0.04)
>>> Check("chss", "P(cost-effective at £20,000)", published=0.80, reproduced=0.84,
...       comparison=">").status
'match'
>>> ratio = Check("demo", "return per £1", 1.20, 1.2004, precision=0.01, interval=(0.80, 1.60),
...               probability=0.972, probability_label="P(return > £1)")
>>> ratio.probability_text
'P(return > £1) = 0.972'
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from numbers import Real

import pandas as pd
from matplotlib.axes import Axes

from .errors import AnalysisError

__all__ = ["Check", "Reproduction", "checks_table", "CHECK_COLUMNS"]

_COMPARISONS = ("=", ">", "<")


@dataclass(frozen=True)
class Check:
    """One published figure and its reproduction.

    Parameters
    ----------
    model
        Short model name (``"chss"``).
    figure
        What the figure is, with its unit, as a reader would say it.
    published
        The figure as published.
    reproduced
        The value the model computes (for a probabilistic figure, its PSA estimate).
    precision
        The published rounding unit (1 for "£13,886", 0.01 for "£1.44"). ``"="`` matches
        when ``|reproduced - published| <= precision / 2``.
    comparison
        ``"="`` (default), or ``">"`` / ``"<"`` for figures published as bounds
        ("more than 80%").
    interval
        For probabilistic figures, the reproduced 95% interval (a PSA percentile interval, or
        the Monte Carlo interval of a PSA proportion).
    probability
        For figures a PSA stands behind, the probability a reader decides on, e.g. the
        share of draws with a return above £1, or of being cost-effective at a threshold.
    probability_label
        What ``probability`` is, shortly ("P(return > £1)", "P(cost-effective at
        £20,000)"); required with ``probability``.
    source
        Where the published figure is (seed file and line).
    note
        Anything a reader needs to interpret the comparison.

    Raises
    ------
    AnalysisError
        For a published or reproduced value that is not a number, an unknown comparison, a
        negative precision, an interval with low > high, a probability outside [0, 1], or a
        probability without its label (or a label without a probability).

    Examples
    --------
    The POPP evaluation's "approximately a £1.20 additional benefit" per £1, reproduced as
    £1.2004 from 5,000 PSA draws:

    >>> check = Check("popp", "return per £1 (bed-day savings / cost)", published=1.20, reproduced=1.2004,
    ...               precision=0.01, interval=(0.80, 1.60), probability=0.972,
    ...               probability_label="P(return > £1)", source="seeds/000_dd7df95bd4ae58ba.txt lines 278-279")
    >>> check.status, round(check.difference, 4), check.probability_text
    ('match', 0.0004, 'P(return > £1) = 0.972')
    >>> Check("popp", "return per £1", published=1.20, reproduced=1.26, precision=0.01).status
    'mismatch'
    >>> Check("chss", "P(cost-effective at £20,000)", published=0.80, reproduced=0.84, probability=0.84)
    Traceback (most recent call last):
    ...
    healthecon.errors.AnalysisError: check 'P(cost-effective at £20,000)' (model 'chss'), field 'probability_label': ...
    """

    model: str
    figure: str
    published: float
    reproduced: float
    precision: float = 0.0
    comparison: str = "="
    interval: tuple[float, float] | None = None
    source: str = ""
    note: str = ""
    probability: float | None = None
    probability_label: str = ""

    def __post_init__(self) -> None:
        where = f"check {self.figure!r} (model {self.model!r})"

        def bad(name: str, expected: str) -> AnalysisError:
            return AnalysisError(f"{where}, field {name!r}: {expected}, got {getattr(self, name)!r}")

        for name in ("published", "reproduced"):
            if isinstance(getattr(self, name), bool) or not isinstance(getattr(self, name), Real):
                raise bad(name, "expected a number")
        if self.comparison not in _COMPARISONS:
            raise bad("comparison", f"expected one of {_COMPARISONS}")
        if not isinstance(self.precision, Real) or not self.precision >= 0:
            raise bad("precision", "expected a number >= 0 (the published rounding unit)")
        if self.interval is not None and not (len(self.interval) == 2 and self.interval[0] <= self.interval[1]):
            raise bad("interval", "expected (low, high) with low <= high")
        if self.probability is not None:
            if not 0.0 <= self.probability <= 1.0:
                raise bad("probability", "expected a probability in [0, 1]")
            if not self.probability_label:
                raise bad("probability_label", f"a probability ({self.probability!r}) needs a label saying what it is, "
                          "e.g. 'P(return > £1)'")
        elif self.probability_label:
            raise bad("probability_label", "a label given without a probability")

    @property
    def probability_text(self) -> str:
        """``"<label> = <probability to 3 decimals>"``, or ``""`` when there is no probability."""
        return "" if self.probability is None else f"{self.probability_label} = {self.probability:.3f}"

    @property
    def difference(self) -> float:
        """Reproduced minus published."""
        return float(self.reproduced) - float(self.published)

    @property
    def status(self) -> str:
        """``"match"`` or ``"mismatch"``."""
        if self.comparison == ">":
            ok = self.reproduced > self.published
        elif self.comparison == "<":
            ok = self.reproduced < self.published
        else:
            ok = abs(self.difference) <= self.precision / 2 + 1e-9 * max(1.0, abs(self.published))
        return "match" if ok else "mismatch"


Chart = Callable[[Axes | None], Axes]


@dataclass
class Reproduction:
    """Everything a worked model reproduces.

    Attributes
    ----------
    model, title
        Short name and a title a commissioner would recognise.
    checks
        Published figures beside their reproductions.
    tables
        Named result tables (e.g. ``"icer"``, ``"per_agency"``) written as CSV.
    charts
        Named functions that draw a chart on an optional Axes and return it (e.g.
        ``"ceac"``), saved as PNG and SVG.
    notes
        Caveats printed with the results (what was assumed, contrary evidence).

    Examples
    --------
    What a worked model returns: its checks, a table, a chart and a caveat.

    >>> import matplotlib; matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> per_agency = pd.DataFrame({"cost": [60.0e6, 0.0], "benefit": [0.0, 72.0e6]}, index=["DH grant", "NHS"])
    >>> def draw_per_agency(ax=None):
    ...     ax = ax or plt.subplots()[1]
    ...     ax.bar(per_agency.index, per_agency["benefit"] - per_agency["cost"])
    ...     ax.set_ylabel("Net (£)")
    ...     return ax
    >>> popp = Reproduction(
    ...     "popp", "Partnerships for Older People Projects: return per £1",
    ...     checks=[Check("popp", "return per £1", 1.20, 1.2004, precision=0.01)],
    ...     tables={"per_agency": per_agency}, charts={"per_agency": draw_per_agency},
    ...     notes=["bed days are valued at an assumed £273 each"])
    >>> popp.ok
    True
    >>> ax = popp.charts["per_agency"](None)
    >>> len(ax.patches), ax.get_ylabel()
    (2, 'Net (£)')
    >>> plt.close(ax.figure)
    """

    model: str
    title: str
    checks: list[Check] = field(default_factory=list)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    charts: dict[str, Chart] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every check matches."""
        return all(c.status == "match" for c in self.checks)


CHECK_COLUMNS = ("model", "figure", "published", "reproduced", "difference", "status", "interval_low", "interval_high",
                 "probability", "probability_label", "source")


def checks_table(reproductions: Sequence[Reproduction]) -> pd.DataFrame:
    """One row per published figure across models (columns :data:`CHECK_COLUMNS`).

    ``published`` is text (a bound keeps its side, ">0.8"); the interval ends and the
    probability are numbers, NaN when the figure has none, so the CSV can be reused.

    Examples
    --------
    >>> rep = Reproduction("demo", "Demo", checks=[Check("demo", "ratio", 1.2, 1.2004, 0.01, interval=(0.8, 1.6),
    ...                                              probability=0.97, probability_label="P(ratio > 1)")])
    >>> row = checks_table([rep]).iloc[0]
    >>> row["status"], float(row["interval_low"]), float(row["probability"]), row["probability_label"]
    ('match', 0.8, 0.97, 'P(ratio > 1)')
    """
    rows = []
    for rep in reproductions:
        for c in rep.checks:
            rows.append(
                {
                    "model": c.model,
                    "figure": c.figure,
                    "published": (c.comparison if c.comparison != "=" else "") + f"{c.published:g}",
                    "reproduced": c.reproduced,
                    "difference": c.difference,
                    "status": c.status,
                    "interval_low": math.nan if c.interval is None else float(c.interval[0]),
                    "interval_high": math.nan if c.interval is None else float(c.interval[1]),
                    "probability": math.nan if c.probability is None else float(c.probability),
                    "probability_label": c.probability_label,
                    "source": c.source,
                }
            )
    return pd.DataFrame(rows, columns=list(CHECK_COLUMNS))
