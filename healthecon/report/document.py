"""What a report holds: a title, a summary, sections of tables, charts and notes, an appendix.

A :class:`Document` is plain data. :func:`healthecon.report.report` builds one from an
analysis; anything else (a user's own script, the worked models' reproduction ledger) can build
one too. The HTML page (:func:`~healthecon.report.render_html`) and the Excel workbook
(:func:`~healthecon.report.write_workbook`) are two views of the same document, so a number
reads the same in both.

Tables keep numbers as numbers (:class:`Table`); how each column reads (its header and unit
kind) comes from :mod:`healthecon.labels` unless the table says otherwise, and the text shown
is made by :func:`table_view`: money with its currency, a return per £1 as "£1.44 per £1",
percentages as percentages, a blank (never "nan") for a value that does not apply, footnoted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from ..labels import column_kind, column_label, format_cell, unit_kind
from .images import Chart

__all__ = ["Figure", "Table", "Section", "Document", "table_view", "LONG_TABLE_ROWS"]

#: Tables longer than this go to the appendix (and to CSV), not the body of the report.
LONG_TABLE_ROWS = 30
#: Tables wider than this with at most :data:`_FEW_ROWS` rows are shown turned on their side.
_WIDE_COLUMNS = 8
_FEW_ROWS = 4
_BLANK_NOTE = "A blank cell means the figure does not apply."


@dataclass
class Figure:
    """A chart: ``draw`` (a :data:`~healthecon.report.images.Chart`), its caption and alt text.

    ``alt`` says what the chart shows, for a reader who cannot see it ("Probability each
    strategy is cost-effective as the threshold rises from £0 to £50,000 per QALY"); ``name``
    is its file name (``<name>.png``). ``wide`` charts take the page's width in print.
    """

    name: str
    draw: Chart
    caption: str
    alt: str
    wide: bool = False


@dataclass
class Table:
    """A table of a report, with its numbers as numbers.

    Parameters
    ----------
    name
        Short name, used for its CSV file and workbook sheet (``"icer"``).
    frame
        The table; a named index becomes its first columns.
    title
        Caption a reader sees (default: ``name`` read as words).
    kinds
        ``{column: kind}`` (:data:`healthecon.labels.KINDS`) where a column's name does not say
        its unit.
    labels
        ``{column: header}`` where a column's name is not what a reader should see.
    footnotes
        Notes under the table.
    currency, effect_unit
        How money and effects read.
    row_css
        A CSS class per row (e.g. the kind of an input: ``published``, ``assumed``).
    status_column
        A column whose text is also its cells' CSS class (``match``, ``mismatch``).
    css
        The table's CSS class (``inputs`` for long text in a fixed layout).
    chart
        ``"line"`` or ``"bar"``: the workbook draws this table as a native Excel chart
        (first column along the x axis, every other column a series).
    display
        Text to show instead of the formatted numbers (same shape as the flat table), for
        a table whose rows have different units (a ledger of published figures).
    excel_formats
        Excel number formats per row and column, for the same kind of table.
    sheet
        The workbook sheet's name (default: ``name``).
    """

    name: str
    frame: pd.DataFrame
    title: str = ""
    kinds: Mapping[str, str] = field(default_factory=dict)
    labels: Mapping[str, str] = field(default_factory=dict)
    footnotes: list[str] = field(default_factory=list)
    currency: str = "£"
    effect_unit: str = "QALY"
    row_css: Sequence[str] | None = None
    status_column: str | None = None
    css: str = ""
    chart: str | None = None
    display: pd.DataFrame | None = None
    excel_formats: Sequence[Sequence[str | None]] | None = None
    sheet: str = ""

    @property
    def flat(self) -> pd.DataFrame:
        """The table with a named index as its first columns, as its CSV and sheet have it."""
        return self.frame.reset_index() if _has_named_index(self.frame) else self.frame

    def kind(self, column: object) -> str:
        """The unit kind of ``column`` (declared, else read from its name and values)."""
        flat = self.flat
        values = flat[column] if column in flat.columns else None
        return column_kind(column, self.name, values, self.frame.attrs, self.currency, units=self.kinds)

    def header(self, column: object) -> str:
        """What a reader sees as the header of ``column``."""
        return column_label(column, currency=str(self.frame.attrs.get("currency") or self.currency),
                            effect_unit=str(self.frame.attrs.get("effect_unit") or self.effect_unit), labels=self.labels)

    @property
    def caption(self) -> str:
        return self.title or column_label(self.name)


@dataclass
class Section:
    """One part of a report (a model, an analysis): lead text, charts, tables, notes, inputs.

    ``workbook`` holds functions ``(book, sheet_name) -> None`` that add sheets of live
    calculations (see :mod:`healthecon.report.workbook`).
    """

    id: str
    title: str
    summary: list[str] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    inputs: Table | None = None
    inputs_title: str = "Inputs"
    inputs_intro: str = ""
    workbook: list = field(default_factory=list)


@dataclass
class Document:
    """A whole report: summary first (the decision, the key table and chart), detail after."""

    title: str
    meta: dict[str, object] = field(default_factory=dict)
    verdict: str = ""
    verdict_css: str = "info"
    summary: list[str] = field(default_factory=list)
    summary_tables: list[Table] = field(default_factory=list)
    summary_figures: list[Figure] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)


def _has_named_index(frame: pd.DataFrame) -> bool:
    return any(name is not None for name in frame.index.names)


_INTERVAL = re.compile(r"^(?P<base>.+)_(?P<end>lower|upper)$")


def _intervals(frame: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """``{column: (lower column, upper column)}`` for each column with both interval ends."""
    columns = {str(c) for c in frame.columns}
    found = {}
    for column in frame.columns:
        text = str(column)
        if f"{text}_lower" in columns and f"{text}_upper" in columns:
            found[text] = (f"{text}_lower", f"{text}_upper")
    return found


@dataclass
class _Cell:
    text: str
    css: str = ""


@dataclass
class _Row:
    cells: list[_Cell]
    css: str = ""


#: Columns the report's style gives a width of their own (a short unit, a long distribution);
#: other columns' names stay out of the page, which shows only their headers.
_SIZED_COLUMNS = frozenset({"unit", "distribution"})


@dataclass
class _Header:
    text: str
    numeric: bool = False
    column: str = ""  # for the columns in _SIZED_COLUMNS, their name: styles size them by what they hold


@dataclass
class TableView:
    """A table as shown: headers, rows of text, footnotes; made by :func:`table_view`."""

    anchor: str
    title: str
    headers: list[_Header]
    rows: list[_Row]
    footnotes: list[str]
    css: str = ""
    csv: str | None = None


def _declared_parameters(table: Table, flat: pd.DataFrame, texts: dict[object, list[str]], currency: str) -> None:
    """A one-way table (:func:`healthecon.dsa.one_way`) shows each parameter by its declared
    label, and its base, low and high values in its declared unit (``£600``, ``25%``), as the
    tornado does; the CSV and the workbook keep the names and the numbers."""
    labels, units = table.frame.attrs.get("parameter_labels") or {}, table.frame.attrs.get("parameter_units") or {}
    if "parameter" not in texts or table.display is not None:
        return
    names = [str(name) for name in flat["parameter"]]
    texts["parameter"] = [labels.get(name, text) for name, text in zip(names, texts["parameter"])]
    for column in ("base", "low", "high"):
        if column in texts:
            texts[column] = [format_cell(value, unit_kind(units[name]), currency) if name in units else text
                             for name, value, text in zip(names, flat[column], texts[column])]


def table_view(table: Table, csv: str | None = None, anchor: str = "") -> TableView:
    """The text of ``table`` as a reader sees it.

    A column with ``_lower`` and ``_upper`` partners shows "mean (lower to upper)" under one
    header ("NPV (95% interval)"); a wide table of a few rows (a summary by strategy) is turned
    on its side (one measure a row, one strategy a column); empty cells get a footnote.

    Examples
    --------
    >>> frame = pd.DataFrame({"npv": [1500.0], "npv_lower": [-200.0], "npv_upper": [3100.0], "net_roi": [0.4345],
    ...                       "payback_years": [0.0]}, index=pd.Index(["scheme"], name="strategy"))
    >>> view = table_view(Table("summary", frame))
    >>> [h.text for h in view.headers]
    ['Strategy', 'NPV (95% interval)', 'Net ROI', 'Payback']
    >>> [c.text for c in view.rows[0].cells]
    ['scheme', '£1,500 (-£200 to £3,100)', '43%', 'within the first year']
    """
    flat = table.flat if table.display is None else table.display
    pairs = _intervals(flat) if table.display is None else {}
    hidden = {end for ends in pairs.values() for end in ends}
    columns = [c for c in flat.columns if str(c) not in hidden]
    texts: dict[object, list[str]] = {}
    blanks = False
    currency = str(table.frame.attrs.get("currency") or table.currency)
    for column in columns:
        kind = table.kind(column)
        if table.display is not None:
            cells = ["" if v is None or (isinstance(v, float) and v != v) else str(v) for v in flat[column]]
        else:
            cells = [format_cell(v, kind, currency) for v in flat[column]]
        if str(column) in pairs:
            low, high = pairs[str(column)]
            ends = zip(flat[low], flat[high])
            cells = [f"{c} ({format_cell(a, kind, currency)} to {format_cell(b, kind, currency)})" if c else c
                     for c, (a, b) in zip(cells, ends)]
        blanks = blanks or (any(c == "" for c in cells) and kind != "text")
        texts[column] = cells
    _declared_parameters(table, flat, texts, currency)
    headers = [table.header(c) + (" (95% interval)" if str(c) in pairs else "") for c in columns]
    numeric = [table.kind(c) != "text" for c in columns]
    row_css = list(table.row_css) if table.row_css is not None else [""] * len(flat)
    by_strategy = str(columns[0]).lower() in ("strategy", "scheme") if columns else False
    if by_strategy and len(columns) > _WIDE_COLUMNS and len(flat) <= _FEW_ROWS and table.status_column is None:
        key = columns[0] if not numeric[0] else None
        names = texts[key] if key is not None else [str(i + 1) for i in range(len(flat))]
        shown = [c for c in columns if c is not key]
        rows = [_Row([_Cell(headers[columns.index(c)]), *(_Cell(t, "num") for t in texts[c])]) for c in shown]
        heads = [_Header(headers[0] if key is not None else "Measure"), *(_Header(n, True) for n in names)]
    else:
        heads = [_Header(h, n, str(c) if str(c) in _SIZED_COLUMNS else "") for h, n, c in zip(headers, numeric, columns)]
        rows = []
        for i in range(len(flat)):
            cells = []
            for column, is_number in zip(columns, numeric):
                text = texts[column][i]
                css = "num" if is_number else ("txt" if len(text) > 24 else "")
                if column == table.status_column:
                    css = text
                cells.append(_Cell(text, css))
            rows.append(_Row(cells, row_css[i]))
    footnotes = list(table.footnotes) + ([_BLANK_NOTE] if blanks else [])
    return TableView(anchor or f"t-{table.name}", table.caption, heads, rows, footnotes, table.css, csv)
