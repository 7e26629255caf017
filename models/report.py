"""The reproduction report: the worked models' published figures beside their reproductions.

One use of :mod:`healthecon.report`: the ledger of published figures (every column of
:func:`healthecon.reproduction.checks_table`) comes first, then one part per model with its
charts, tables, notes and the provenance of every input (``data/<model>.csv``: published,
derived or assumed, with source and quote). :func:`write_outputs` writes it with
:func:`healthecon.report.write_document` (CSV tables, PNG and SVG charts, ``report.xlsx``,
``report.html``) and adds ``checks.csv``.

Examples
--------
>>> from healthecon.reproduction import Check, Reproduction
>>> rep = Reproduction("demo", "Demonstration", checks=[Check("demo", "ratio (£ per £1)", 2.0, 2.001, 0.01)],
...                    notes=["An illustration."])
>>> page = render_html([rep], title="Demo report")
>>> page.startswith("<!DOCTYPE html>") and "ratio (£ per £1)" in page and "match" in page
True
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from importlib import resources
from os import PathLike
from pathlib import Path

import pandas as pd

from healthecon import report as pages
from healthecon.formatting import format_number
from healthecon.reproduction import Check, Reproduction, checks_table, ledger_verdict
from healthecon.worked.seeds import source_label

# healthecon.report loads each of its pieces (Document, Table, ...) on first use, so importing it
# here costs nothing: `healthecon reproduce` without --out prints render_checks' table and loads none of them.

__all__ = ["format_value", "render_checks", "provenance_table", "reproduction_document", "render_html",
           "write_outputs"]

TITLE = "healthecon: published figures rebuilt, and what each match proves"


def format_value(value: float, precision: float = 0.0) -> str:
    """A figure to two digits beyond its published rounding unit (four significant figures when
    none is given), with thousands commas.

    Examples
    --------
    >>> format_value(6.74, 0.01), format_value(1196000.0, 100000), format_value(0.8421), format_value(-1e-12, 0.01)
    ('6.7400', '1,196,000', '0.8421', '0.0000')
    """
    decimals = max(0, math.ceil(-math.log10(precision)) + 2) if precision > 0 else None
    return format_number(value, decimals=decimals)


def _published(check: Check) -> str:
    """The published figure at its published precision ("4.00", ">0.80", "1,200,000")."""
    if check.precision > 0:
        decimals = max(0, math.ceil(-math.log10(check.precision) - 1e-9))
        text = f"{check.published:,.{decimals}f}"
    else:
        text = f"{check.published:,g}"
    return ("" if check.comparison == "=" else check.comparison) + text


def render_checks(reproductions: Sequence[Reproduction]) -> pd.DataFrame:
    """The published-vs-reproduced table as display text, one row per figure.

    Every column of :func:`healthecon.reproduction.checks_table` is shown: the numbers to two
    digits beyond the published rounding, the interval ends as "low to high", the probability
    as "<label> = <value>" (e.g. "P(return > £1) = 0.962"), a seed document's file name as
    its title (:func:`~healthecon.worked.seeds.source_label`), any other column (a basis) as
    its text; then each figure's note.

    Examples
    --------
    >>> rep = Reproduction("demo", "Demo", checks=[
    ...     Check("demo", "ratio", 4.0, 4.0000001, 0.01, interval=(3.1, 4.9), probability=0.99,
    ...           probability_label="P(ratio > 1)"),
    ...     Check("demo", "P(cost-effective)", 0.8, 0.84, comparison=">")])
    >>> render_checks([rep])[["published", "reproduced", "difference", "status", "probability"]]
      published reproduced difference status          probability
    0      4.00     4.0000     0.0000  match  P(ratio > 1) = 0.990
    1      >0.8     0.8400              match
    """
    numbers = checks_table(reproductions)
    checks = [c for rep in reproductions for c in rep.checks]
    columns = []
    for column in numbers.columns:
        if column == "interval_low":
            columns.append("interval")
        elif column not in ("interval_high", "probability_label"):
            columns.append(column)
    rows = []
    for check, (_, row) in zip(checks, numbers.iterrows(), strict=True):
        shown = {}
        for column in columns:
            if column == "published":
                shown[column] = _published(check)
            elif column == "reproduced":
                shown[column] = format_value(row["reproduced"], check.precision)
            elif column == "difference":
                shown[column] = format_value(row["difference"], check.precision) if check.comparison == "=" else ""
            elif column == "interval":
                shown[column] = "" if check.interval is None else (
                    f"{format_value(check.interval[0], check.precision)} to {format_value(check.interval[1], check.precision)}")
            elif column == "probability":
                shown[column] = check.probability_text
            else:
                value = row[column]
                shown[column] = "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)
                if column == "source":
                    shown[column] = source_label(shown[column])
        shown["note"] = check.note
        rows.append(shown)
    return pd.DataFrame(rows, columns=[*columns, "note"])


def provenance_table(model: str) -> pd.DataFrame | None:
    """The rows of ``data/<model>.csv`` (installed as ``healthecon.data``), or None if absent.

    Read as plain CSV text for display; validation is :mod:`healthecon.provenance`'s job.

    Examples
    --------
    >>> inputs = provenance_table("derby")
    >>> {"name", "kind"} <= set(inputs.columns), sorted(set(inputs["kind"]))
    (True, ['assumed', 'derived', 'published'])
    >>> provenance_table("no_such_model") is None
    True
    """
    source = resources.files("healthecon.data").joinpath(f"{model}.csv")
    if not source.is_file():
        return None
    with source.open("r", encoding="utf-8") as handle:
        return pd.read_csv(handle, dtype=str, keep_default_na=False)


def _short_number(text: str) -> str:
    """A provenance value as a reader wants it: 0.04140861299150223 → 0.04141, 1196000 → 1,196,000."""
    try:
        value = float(text)
    except ValueError:
        return text
    shown = format_number(value)
    return shown.rstrip("0").rstrip(".") if "." in shown else shown


def _inputs(model: str) -> pages.Table | None:
    frame = provenance_table(model)
    if frame is None:
        return None
    numbers = frame.copy()
    if "value" in numbers.columns:
        numbers["value"] = pd.to_numeric(numbers["value"], errors="coerce").where(lambda v: v.notna(), numbers["value"])
    display = frame.copy()
    if "value" in display.columns:
        display["value"] = [_short_number(v) for v in frame["value"]]
    if "source" in display.columns:
        display["source"] = [source_label(v) for v in frame["source"]]
    kinds = {c: "text" for c in frame.columns}
    kinds["value"] = "number"
    return pages.Table("inputs", numbers, f"Inputs of {model} and their provenance", kinds=kinds, display=display,
                 row_css=list(frame["kind"]) if "kind" in frame.columns else None, css="inputs provenance")


def _checks(reproductions: Sequence[Reproduction]) -> pages.Table:
    """The ledger: numbers as numbers for the workbook (a bound such as ">0.8" stays text), text as shown."""
    frame = checks_table(reproductions)
    checks = [c for rep in reproductions for c in rep.checks]
    frame["published"] = [c.published if c.comparison == "=" else text for c, text in zip(checks, frame["published"])]
    frame["note"] = [c.note for c in checks]
    formats = []
    numeric = ("published", "reproduced", "difference", "interval_low", "interval_high", "probability")
    for check in checks:
        decimals = max(0, math.ceil(-math.log10(check.precision)) + 2) if check.precision > 0 else 4
        published = "#,##0" + ("." + "0" * (decimals - 2) if decimals > 2 else "")
        figure = "#,##0" + ("." + "0" * decimals if decimals else "")
        formats.append([{"published": published, "probability": "0.000"}.get(c, figure) if c in numeric else None
                        for c in frame.columns])
    display = render_checks(reproductions).drop(columns="note")  # each note is listed under its model
    kinds = {c: "text" for c in [*frame.columns, *display.columns]}
    kinds.update({c: "number" for c in (*numeric, "interval") if c != "probability"})  # "P(x > 1) = 0.9" reads as text
    # the HTML shows the display columns (interval and probability merged); the workbook every column
    table = pages.Table("checks", frame, "Published figures and their reproduction", kinds=kinds, status_column="status",
                  excel_formats=formats, sheet="Published vs reproduced", css="ledger",
                  footnotes=["A figure matches when the reproduced value is within half the published rounding unit "
                             "(for example ±0.005 for “£6.74”), or on the stated side of a bound (“more than 80%”). "
                             "Intervals are 95% PSA intervals over the inputs the model treats as uncertain."])
    table.display = display
    return table


def _native_chart(table: str) -> str | None:
    """Curves (CEAC, acceptability) as native Excel line charts, cash flows as bar charts."""
    if "ceac" in table or "acceptab" in table:
        return "line"
    return "bar" if table.startswith("cash_flows") else None


def _figures(rep: Reproduction) -> list[pages.Figure]:
    figures = []
    for name, draw in rep.charts.items():
        caption = getattr(draw, "caption", "") or name.replace("_", " ").capitalize()
        alt = getattr(draw, "alt", "") or f"Chart of {rep.title}: {caption.lower()}."
        figures.append(pages.Figure(name, draw, caption, alt, wide=name.startswith("tornado")))
    return figures


def reproduction_document(reproductions: Sequence[Reproduction], *, title: str = TITLE,
                          run_info: Mapping[str, object] | None = None) -> pages.Document:
    """The :class:`~healthecon.report.Document` of the worked models' reproductions."""
    n_bad = sum(c.status != "match" for rep in reproductions for c in rep.checks)
    verdict = ledger_verdict(reproductions)
    sections = []
    for rep in reproductions:
        notes = [f"{c.figure}: {c.note}" for c in rep.checks if c.note] + list(rep.notes)
        tables = [pages.Table(name, frame, name.replace("_", " ").capitalize(), chart=_native_chart(name))
                  for name, frame in rep.tables.items()]
        sections.append(pages.Section(rep.model, f"{rep.title} ({rep.model})", figures=_figures(rep), tables=tables, notes=notes,
                                inputs=_inputs(rep.model), inputs_title="Inputs and their provenance",
                                inputs_intro="Green rows are published, blue rows derived by the arithmetic shown, amber "
                                             "rows assumed (replace them with local figures)."))
    return pages.Document(title, meta=dict(run_info or {}), verdict=verdict, verdict_css="ok" if n_bad == 0 else "bad",
                    summary_tables=[_checks(reproductions)], sections=sections)


def render_html(reproductions: Sequence[Reproduction], *, title: str = TITLE,
                run_info: Mapping[str, object] | None = None, template: object = None) -> str:
    """The reproduction report as one self-contained HTML page (charts drawn here).

    Examples
    --------
    >>> rep = Reproduction("demo", "Demo <scheme>", checks=[Check("demo", "ratio", 2.0, 2.3, 0.01)],
    ...                    tables={"summary": pd.DataFrame({"npv": [1500.0]})})
    >>> page = render_html([rep], run_info={"draws": 100})
    >>> "1 of 1 published figures NOT reproduced" in page, "Demo &lt;scheme&gt;" in page, "draws: 100" in page
    (True, True, True)
    """
    return pages.render_html(reproduction_document(reproductions, title=title, run_info=run_info), template=template)


def write_outputs(
    reproductions: Sequence[Reproduction],
    directory: str | PathLike[str],
    *,
    run_info: Mapping[str, object] | None = None,
    report_name: str = "report.html",
    workbook_name: str | None = "report.xlsx",
    progress: bool | None = False,
    timings: Mapping[str, float] | None = None,
    started: float | None = None,
) -> list[Path]:
    """Write the reproduction report and its files; return every path, the HTML page last.

    Layout: ``checks.csv`` (every column of :func:`~healthecon.reproduction.checks_table`),
    ``<model>/<table>.csv``, ``<model>/<chart>.png`` and ``.svg``, the workbook and the page.
    ``timings`` (seconds of earlier phases, e.g. ``{"models": 1.1}``) and ``started`` (the
    ``time.perf_counter()`` reading when the command began) put the run time in the report,
    the charts-and-report phase being timed here.

    Examples
    --------
    >>> import tempfile
    >>> import matplotlib.pyplot as plt
    >>> def line(ax=None):
    ...     ax = ax or plt.subplots()[1]
    ...     ax.plot([0, 1], [0, 2])
    ...     return ax
    >>> rep = Reproduction("demo", "Demo", checks=[Check("demo", "ratio", 2.0, 2.001, 0.01)],
    ...                    tables={"summary": pd.DataFrame({"npv": [1500.0]})}, charts={"line": line})
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     written = write_outputs([rep], folder, run_info={"seed": 1})
    ...     print(sorted(path.relative_to(folder).as_posix() for path in written))
    ['checks.csv', 'demo/line.png', 'demo/line.svg', 'demo/summary.csv', 'report.html', 'report.xlsx']
    """
    from healthecon.cli import format_timings
    begun = time.perf_counter()
    doc = reproduction_document(reproductions, run_info=run_info)

    def timed(document: pages.Document) -> None:  # called just before the page is rendered, after charts and workbook
        if timings is not None or started is not None:
            now = time.perf_counter()
            document.meta["run time"] = format_timings({**(timings or {}), "charts and report": now - begun},
                                                       None if started is None else now - started)

    files = pages.write_document(doc, directory, report_name=report_name, workbook_name=workbook_name, progress=progress,
                           before_page=timed)
    checks = Path(directory) / "checks.csv"
    checks_table(reproductions).to_csv(checks, index=False)  # every column, numbers as computed
    return [p for p in files.files if p not in (files.html, checks)] + [checks, files.html]
