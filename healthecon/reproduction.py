"""Records of a model's reproduction of published figures, and what each match proves.

A model that rebuilds published results (the worked models in ``models/*.py``, installed as
``healthecon.worked``, or a user's own) returns a :class:`Reproduction`: each published figure
beside the value the model computes (:class:`Check`), the tables and charts a business case
would carry, and the caveats a reader must see. ``healthecon reproduce`` prints the checks of
every model as one table and writes the tables and charts to disk.

A match proves more or less depending on how the figure was reached, so every check states
its **basis** (:data:`BASES`):

``re-derived``
    computed from published inputs that do not contain the figure: the match could have failed
    and is evidence that model and source agree;
``consistency``
    follows from other published figures (e.g. a rounded effect implied by a cost and an ICER)
    and could fail: evidence that the published figures agree with each other;
``calibrated``
    an unpublished input (a breakdown, a standard error) was solved so that this figure holds:
    a match by construction, which shows only that the model carries the figure;
``input``
    a published input shown back.

A probability or interval that rests on assumed inputs (standard errors, spreads) says so in
``assumptions``. :func:`ledger_summary` counts the checks by basis for the one-line summary.

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
>>> Check("chss", "incremental cost", 575, 575.0, precision=1, basis="input").basis
'input'
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from numbers import Real
from typing import TYPE_CHECKING

import pandas as pd

from .errors import AnalysisError

if TYPE_CHECKING:  # matplotlib is imported only when a chart is drawn
    from matplotlib.axes import Axes

__all__ = ["Check", "Reproduction", "Tables", "checks_table", "ledger_summary", "ledger_verdict", "BASES", "CHECK_COLUMNS"]

_COMPARISONS = ("=", ">", "<")

#: What a match proves, from most to least (see the module docstring).
BASES = ("re-derived", "consistency", "calibrated", "input")


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
    basis
        What the match proves, one of :data:`BASES`: ``"re-derived"`` (default: computed from
        published inputs that do not contain the figure), ``"consistency"`` (follows from other
        published figures and could fail), ``"calibrated"`` (an unpublished input was solved so
        that this figure holds: a match by construction) or ``"input"`` (a published input
        shown back).
    assumptions
        For an interval or probability that rests on assumed inputs (standard errors, spreads
        that were not published), what they are, e.g. "assumed standard errors £150 and 0.010
        life-years". Empty when the interval and probability rest on published figures only
        (or there are none).

    Raises
    ------
    AnalysisError
        For a published or reproduced value that is not a number, an unknown comparison, a
        negative precision, an interval with low > high, a probability outside [0, 1], a
        probability without its label (or a label without a probability), or an unknown basis.

    Examples
    --------
    The POPP evaluation's "approximately a £1.20 additional benefit" per £1, reproduced as
    £1.2004 from 5,000 PSA draws:

    >>> check = Check("popp", "return per £1 (bed-day savings / cost)", published=1.20, reproduced=1.2004,
    ...               precision=0.01, interval=(0.80, 1.60), probability=0.972,
    ...               probability_label="P(return > £1)", source="seeds/000_dd7df95bd4ae58ba.txt lines 278-279",
    ...               basis="calibrated", assumptions="the range read as a 95% normal interval")
    >>> check.status, round(check.difference, 4), check.probability_text
    ('match', 0.0004, 'P(return > £1) = 0.972')
    >>> check.basis, check.by_construction
    ('calibrated', True)
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
    basis: str = "re-derived"
    assumptions: str = ""

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
        if self.basis not in BASES:
            raise bad("basis", f"expected one of {BASES} (what the match proves)")
        if not isinstance(self.assumptions, str):
            raise bad("assumptions", "expected text saying which assumed inputs the interval or probability rests on")

    @property
    def by_construction(self) -> bool:
        """True when the match cannot fail: the figure was calibrated to or is a published input."""
        return self.basis in ("calibrated", "input")

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


Chart = Callable[["Axes | None"], "Axes"]


class Tables(Mapping[str, pd.DataFrame]):
    """A reproduction's named tables, some of them computed only when first read.

    Each value is a DataFrame, or a function of no arguments that returns one: it is called
    the first time the table is read and its result kept. ``healthecon reproduce`` prints only
    the checks, so a table that only the written report shows (a PSA summary, a per-agency
    breakdown) costs nothing unless ``--out`` asks for the report. An error in such a function
    is raised where the table is read.

    Examples
    --------
    >>> calls = []
    >>> tables = Tables({"icer": pd.DataFrame({"icer": [13886.0]}),
    ...                  "summary": lambda: calls.append(1) or pd.DataFrame({"npv": [1500.0]})})
    >>> list(tables), calls
    (['icer', 'summary'], [])
    >>> float(tables["summary"]["npv"].iloc[0]), float(tables["summary"]["npv"].iloc[0]), calls
    (1500.0, 1500.0, [1])
    """

    def __init__(self, tables: Mapping[str, pd.DataFrame | Callable[[], pd.DataFrame]] | None = None) -> None:
        self._tables = dict(tables or {})

    def __getitem__(self, name: str) -> pd.DataFrame:
        value = self._tables[name]
        if not isinstance(value, pd.DataFrame) and callable(value):
            value = self._tables[name] = value()
        return value

    def __iter__(self):
        return iter(self._tables)

    def __len__(self) -> int:
        return len(self._tables)

    def __repr__(self) -> str:
        return f"Tables({list(self._tables)})"


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
        Named result tables (e.g. ``"icer"``, ``"per_agency"``) written as CSV: a dict, or
        :class:`Tables` when some are computed only if read (for the report).
    charts
        Named functions that draw a chart on an optional Axes and return it (e.g.
        ``"ceac"``), saved as PNG and SVG.
    notes
        Caveats printed with the results (what was assumed, contrary evidence).
    inputs
        The inputs the figures were computed from, if kept: a
        :class:`healthecon.provenance.Inputs` also says which of them the model read
        (:meth:`~healthecon.provenance.Inputs.unread`).

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
    tables: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    charts: dict[str, Chart] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    inputs: Mapping[str, float] | None = None

    @property
    def ok(self) -> bool:
        """True when every check matches."""
        return all(c.status == "match" for c in self.checks)


CHECK_COLUMNS = ("model", "figure", "published", "reproduced", "difference", "status", "interval_low", "interval_high",
                 "probability", "probability_label", "source", "basis", "assumptions")


def checks_table(reproductions: Sequence[Reproduction]) -> pd.DataFrame:
    """One row per published figure across models (columns :data:`CHECK_COLUMNS`).

    ``published`` is text (a bound keeps its side, ">0.8"); the interval ends and the
    probability are numbers, NaN when the figure has none, so the CSV can be reused.
    ``basis`` says what each match proves (:data:`BASES`) and ``assumptions`` what the
    interval and probability rest on, when assumed.

    Examples
    --------
    >>> rep = Reproduction("demo", "Demo", checks=[Check("demo", "ratio", 1.2, 1.2004, 0.01, interval=(0.8, 1.6),
    ...                                              probability=0.97, probability_label="P(ratio > 1)",
    ...                                              basis="calibrated", assumptions="assumed 20% spreads")])
    >>> row = checks_table([rep]).iloc[0]
    >>> row["status"], float(row["interval_low"]), float(row["probability"]), row["probability_label"]
    ('match', 0.8, 0.97, 'P(ratio > 1)')
    >>> row["basis"], row["assumptions"]
    ('calibrated', 'assumed 20% spreads')
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
                    "basis": c.basis,
                    "assumptions": c.assumptions,
                }
            )
    return pd.DataFrame(rows, columns=list(CHECK_COLUMNS))


_BASIS_WORDS = {
    "re-derived": ("re-derived", "re-derived"),
    "consistency": ("consistency check", "consistency checks"),
    "calibrated": ("calibrated", "calibrated"),
    "input": ("input shown", "inputs shown"),
}


def ledger_summary(reproductions: Sequence[Reproduction], failed: int | None = None) -> str:
    """The one-line summary of a reproduction ledger: figures counted by basis, and mismatches.

    Bases with no figure are left out; ``failed`` (models that raised instead of returning a
    reproduction), when given, is added at the end.

    Parameters
    ----------
    reproductions
        The reproductions whose checks are counted.
    failed
        The number of models that failed to run, or None to leave it out.

    Returns
    -------
    str
        E.g. "21 figures: 1 consistency check, 13 calibrated, 7 inputs shown; 0 mismatched".

    Examples
    --------
    >>> checks = [Check("a", "ICER", 13886, 13886.0, 1, basis="calibrated"),
    ...           Check("a", "cost", 575, 575.0, 1, basis="input"),
    ...           Check("a", "life-years", 0.04, 0.0414, 0.01, basis="consistency"),
    ...           Check("b", "ratio", 1.2, 1.3, 0.01, basis="re-derived")]
    >>> ledger_summary([Reproduction("a", "A", checks=checks[:3]), Reproduction("b", "B", checks=checks[3:])])
    '4 figures: 1 re-derived, 1 consistency check, 1 calibrated, 1 input shown; 1 mismatched'
    >>> ledger_summary([], failed=1)
    '0 figures; 0 mismatched; 1 model(s) failed'
    """
    checks = [c for rep in reproductions for c in rep.checks]
    counts = {basis: sum(c.basis == basis for c in checks) for basis in BASES}
    parts = [f"{n} {_BASIS_WORDS[basis][n != 1]}" for basis, n in counts.items() if n]
    mismatched = sum(c.status != "match" for c in checks)
    line = f"{len(checks)} figure{'s' if len(checks) != 1 else ''}" + (": " + ", ".join(parts) if parts else "")
    line += f"; {mismatched} mismatched"
    if failed is not None:
        line += f"; {failed} model(s) failed"
    return line


_BASIS_MEANING = {
    "re-derived": ("{n} re-derived from published inputs that do not contain {them} (evidence that model and source "
                   "agree)"),
    "consistency": "{n} {checks} against other published figures (could have failed)",
    "calibrated": ("{n} calibrated (an unpublished input solved so that the figure holds: a match by construction, "
                   "showing that the model carries it)"),
    "input": "{n} published {inputs} shown back",
}


def ledger_verdict(reproductions: Sequence[Reproduction]) -> str:
    """The headline of a reproduction report: whether every figure matches, and what the matches prove.

    A ledger with no re-derived figure says that none of its matches is an independent
    reproduction, so a reader does not take a match by construction for evidence.

    Parameters
    ----------
    reproductions
        The reproductions whose checks are judged.

    Returns
    -------
    str
        One or two sentences.

    Examples
    --------
    >>> checks = [Check("a", "ICER", 13886, 13886.0, 1, basis="calibrated"),
    ...           Check("a", "cost", 575, 575.0, 1, basis="input")]
    >>> print(ledger_verdict([Reproduction("a", "A", checks=checks)]))
    All 2 published figures match within their published rounding. What the matches prove: 1 calibrated (an unpublished input solved so that the figure holds: a match by construction, showing that the model carries it); 1 published input shown back. None is an independent reproduction.
    >>> ledger_verdict([Reproduction("b", "B", checks=[Check("b", "ratio", 1.2, 1.3, 0.01)])])
    '1 of 1 published figures NOT reproduced (outside their published rounding).'
    """
    checks = [c for rep in reproductions for c in rep.checks]
    bad = sum(c.status != "match" for c in checks)
    if bad:
        return f"{bad} of {len(checks)} published figures NOT reproduced (outside their published rounding)."
    if not checks:
        return "No published figures to compare."
    counts = {basis: sum(c.basis == basis for c in checks) for basis in BASES}
    parts = [_BASIS_MEANING[basis].format(n=k, them="it" if k == 1 else "them", inputs="input" if k == 1 else "inputs",
                                          checks="consistency check" if k == 1 else "consistency checks")
             for basis, k in counts.items() if k]
    n = len(checks)
    verdict = (f"All {n} published figures match within their published rounding." if n > 1
               else "The 1 published figure matches within its published rounding.")
    verdict += f" What the {'matches prove' if n > 1 else 'match proves'}: {'; '.join(parts)}."
    if not counts["re-derived"]:
        verdict += " None is an independent reproduction."
    return verdict
