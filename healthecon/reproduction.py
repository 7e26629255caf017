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
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pandas as pd
from matplotlib.axes import Axes

__all__ = ["Check", "Reproduction", "checks_table"]

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
        For probabilistic figures, the reproduced percentile interval.
    source
        Where the published figure is (seed file and line).
    note
        Anything a reader needs to interpret the comparison.
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

    def __post_init__(self) -> None:
        if self.comparison not in _COMPARISONS:
            raise ValueError(f"check {self.figure!r}: comparison must be one of {_COMPARISONS}, got {self.comparison!r}")
        if self.precision < 0:
            raise ValueError(f"check {self.figure!r}: precision must be >= 0, got {self.precision}")

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


def checks_table(reproductions: Sequence[Reproduction]) -> pd.DataFrame:
    """One row per published figure across models: published, reproduced, difference, status."""
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
                    "interval": "" if c.interval is None else f"{c.interval[0]:.4g} to {c.interval[1]:.4g}",
                    "status": c.status,
                    "source": c.source,
                }
            )
    return pd.DataFrame(rows, columns=["model", "figure", "published", "reproduced", "difference", "interval", "status", "source"])
