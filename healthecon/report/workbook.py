"""The Excel view of a report: value sheets, an Inputs sheet, live calculations, native charts.

Business cases in the NHS and local government are audited in Excel. A report's workbook has
one sheet per table (numbers stored as numbers, formatted by unit, header frozen, filters on),
each section's inputs (value, unit, kind, source), the calculations a section carries as live
formulas (:mod:`healthecon.report.calculations`: change an input and the result moves),
native Excel charts for tables that ask for one (CEAC, cash flows) and the other charts as
pictures. Sheet names are cut at a word boundary to Excel's 31 characters, never mid-word.

Every text is written through :func:`healthecon._spreadsheet.put_cell`, so text from a model or
a user (``=HYPERLINK(...)``) is never a formula; only the calculation sheets write formulas,
and those are built here from cell addresses, never from user text.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Mapping, Sequence
from os import PathLike
from pathlib import Path

import pandas as pd

from .._spreadsheet import put_cell
from ..labels import column_kind
from .document import Document, Table
from .images import Chart, draw_charts

__all__ = ["number_format", "excel_format", "SheetNames", "write_workbook", "write_excel", "table_sheet"]

#: Characters Excel forbids in sheet names, and its limit on their length.
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_SHEET_MAX = 31
_MAX_WIDTH = 60
#: Row fills of the inputs sheet by provenance kind, as in the HTML report.
KIND_COLOURS = {"published": "E6F2EA", "derived": "E8EEF8", "assumed": "FDF0DC", "external": "EFE8F6"}


def excel_format(kind: str, currency: str = "£", values: pd.Series | None = None) -> str:
    """The Excel number format of a unit kind (:data:`healthecon.labels.KINDS`).

    Money ``"£"#,##0`` (``"£"#,##0.00`` when every amount is under 10), percentages ``0%``,
    probabilities and returns per £1 ``0.000``, effects ``#,##0.000``, counts ``#,##0``.

    Examples
    --------
    >>> excel_format("money"), excel_format("money", "€", pd.Series([2.35])), excel_format("percent")
    ('"£"#,##0', '"€"#,##0.00', '0%')
    """
    if kind == "money":
        numbers = pd.to_numeric(values, errors="coerce").abs() if values is not None else pd.Series([], dtype=float)
        numbers = numbers[numbers < math.inf]
        small = len(numbers) > 0 and bool((numbers < 10).all())
        return f'"{currency}"#,##0' + (".00" if small else "")
    return {"ratio": "0.000", "probability": "0.000", "percent": "0%", "effect": "#,##0.000", "count": "#,##0",
            "payback": "0.0"}.get(kind, "General")


def number_format(table_name: str, column: object, values: pd.Series, attrs: Mapping[str, object] | None = None,
                  currency: str = "£") -> str:
    """The Excel number format of a numeric column, from what its name and the table say it is.

    The unit kind is :func:`healthecon.labels.column_kind`'s; the format :func:`excel_format`'s.
    ``currency`` is the table's ``attrs["currency"]`` when it has one.

    Examples
    --------
    >>> values = pd.Series([1000.0, 15886.0])
    >>> number_format("icer", "inc_cost", values), number_format("icer", "icer", values, {"currency": "€"})
    ('"£"#,##0', '"€"#,##0')
    >>> number_format("summary", "p_npv_positive", values), number_format("x", "gross_return_per_1", values)
    ('0.000', '0.000')
    >>> number_format("summary", "net_roi", values), number_format("x", "bed days", pd.Series([3, 4]))
    ('0%', '#,##0')
    """
    attrs = attrs or {}
    currency = str(attrs.get("currency") or currency)
    kind = column_kind(column, table_name, values, attrs, currency)
    return excel_format(kind, currency, values)


class SheetNames:
    """Valid, unique (ignoring case, as Excel does) sheet names of at most 31 characters.

    A long name is cut at the last word boundary that fits, never mid-word.

    Examples
    --------
    >>> names = SheetNames()
    >>> names("croydon one way (integrated care network)"), names("a/b"), names("A/B")
    ('croydon one way (integrated', 'a_b', 'A_B (2)')
    """

    def __init__(self) -> None:
        self._used: set[str] = set()

    @staticmethod
    def _cut(name: str, limit: int) -> str:
        if len(name) <= limit:
            return name
        head = name[: limit + 1]
        cut = max(head.rfind(" "), head.rfind("_"))
        return (name[:cut] if cut > limit // 3 else name[:limit]).rstrip("' _-(,")

    def __call__(self, wanted: str) -> str:
        name = _SHEET_FORBIDDEN.sub("_", str(wanted)).strip("' ") or "sheet"
        candidate, k = self._cut(name, _SHEET_MAX), 1
        while candidate.lower() in self._used or candidate.lower() == "history":  # "History" is reserved
            k += 1
            suffix = f" ({k})"
            candidate = self._cut(name, _SHEET_MAX - len(suffix)) + suffix
        self._used.add(candidate.lower())
        return candidate


def _display_width(value: object, fmt: str | None) -> int:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        decimals = 3 if "0.000" in (fmt or "") else (2 if ".00" in (fmt or "") else (0 if "0" in (fmt or "") else 4))
        return len(f"{value:,.{decimals}f}") + 1
    return max((len(line) for line in str(value).splitlines()), default=0)


def _fit_columns(sheet, widths: Sequence[int]) -> None:
    """Fit each column to its longest cell, at most 60 characters; longer text wraps within it."""
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    wrap = Alignment(wrap_text=True, vertical="top")
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = min(max(width + 2, 8), _MAX_WIDTH)
        if width + 2 > _MAX_WIDTH:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.alignment = wrap


def frame_sheet(book, title: str, frame: pd.DataFrame, formats: Sequence[str | None], n_frozen_columns: int = 0,
                row_formats: Sequence[Sequence[str | None]] | None = None, headers: Sequence[str] | None = None):
    """A sheet of ``frame``: bold header, frozen header row (and index columns), filters, fitted widths."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(title)
    bold = Font(bold=True)
    heads = [str(c) for c in frame.columns] if headers is None else list(headers)
    widths = [_display_width(h, None) for h in heads]
    for j, head in enumerate(heads, start=1):
        put_cell(sheet, 1, j, head).font = bold
    for i, row in enumerate(frame.itertuples(index=False), start=2):
        for j, value in enumerate(row, start=1):
            fmt = row_formats[i - 2][j - 1] if row_formats is not None else formats[j - 1]
            cell = put_cell(sheet, i, j, value, fmt)
            widths[j - 1] = max(widths[j - 1], _display_width(cell.value, fmt) if cell.value is not None else 0)
    sheet.freeze_panes = f"{get_column_letter(n_frozen_columns + 1)}2"
    if len(frame.columns):
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(frame.columns))}{len(frame) + 1}"
    _fit_columns(sheet, widths)
    return sheet


def table_sheet(book, title: str, table: Table, *, human: bool = True,
                formats: Mapping[str, str] | None = None):
    """One report table on its own sheet, laid out as its CSV is (a named index first).

    Headers are the table's human headers (``human``) or its column names; numbers keep the
    format of their unit kind (``formats`` overrides by column); a table with ``chart`` set
    gets a native Excel chart beside it.
    """
    frame = table.flat
    chosen = []
    currency = str(table.frame.attrs.get("currency") or table.currency)
    for column in frame.columns:
        if formats and str(column) in formats:
            chosen.append(formats[str(column)])
            continue
        kind = table.kind(column)
        chosen.append(None if kind == "text" else excel_format(kind, currency, frame[column]))
    frozen = table.frame.index.nlevels if frame is not table.frame else 0
    headers = [table.header(c) for c in frame.columns] if human else None
    sheet = frame_sheet(book, title, frame, chosen, n_frozen_columns=frozen, row_formats=table.excel_formats,
                        headers=headers)
    if table.row_css is not None and any(css in KIND_COLOURS for css in table.row_css):
        _shade_rows(sheet, table.row_css)
    if table.chart:
        native_chart(sheet, table, len(frame), len(frame.columns))
    return sheet


def _shade_rows(sheet, row_css: Sequence[str]) -> None:
    from openpyxl.styles import PatternFill

    for row, css in enumerate(row_css, start=2):
        if css in KIND_COLOURS:
            fill = PatternFill("solid", fgColor=KIND_COLOURS[css])
            for (cell,) in sheet.iter_cols(min_row=row, max_row=row):
                cell.fill = fill


def native_chart(sheet, table: Table, n_rows: int, n_columns: int) -> None:
    """A native Excel line or bar chart of the table's columns 2.. against column 1, beside it."""
    from openpyxl.chart import BarChart, LineChart, Reference
    from openpyxl.utils import get_column_letter

    chart = LineChart() if table.chart == "line" else BarChart()
    chart.title = table.caption
    chart.height, chart.width = 9, 16
    data = Reference(sheet, min_col=2, max_col=n_columns, min_row=1, max_row=n_rows + 1)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=n_rows + 1))
    chart.x_axis.title = table.header(table.flat.columns[0])
    chart.y_axis.title = str(table.frame.attrs.get("y_label", ""))
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    if table.chart == "line":
        for series in chart.series:
            series.smooth = False
            series.marker.symbol = "none"
    sheet.add_chart(chart, f"{get_column_letter(n_columns + 2)}2")


def chart_sheet(book, title: str, images: Mapping[str, bytes], max_width: int = 720) -> None:
    """Charts as PNG pictures, one below another, each under its caption."""
    from openpyxl.drawing.image import Image
    from openpyxl.styles import Font

    sheet = book.create_sheet(title)
    row = 1
    for caption, png in images.items():
        put_cell(sheet, row, 1, caption).font = Font(bold=True)
        image = Image(io.BytesIO(png))
        if image.width > max_width:
            image.height, image.width = round(image.height * max_width / image.width), max_width
        sheet.add_image(image, f"A{row + 1}")
        row += math.ceil(image.height / 20) + 3  # default rows are 20 px high


def _new_book():
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    return book


def _save_book(book, path: str | PathLike[str]) -> Path:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    book.save(target)
    return target


def write_workbook(doc: Document, path: str | PathLike[str], *, images: Mapping[str, bytes] | None = None,
                   pictures: bool = True) -> Path:
    """Write report ``doc`` to an Excel workbook, the HTML page's companion for a business case.

    Sheets: the summary tables; then per section its tables (``"<section> <table>"``), its
    inputs (``"<section> inputs"``, rows shaded by provenance kind), its live calculations
    and, when ``pictures``, a ``"<section> charts"`` sheet of its charts as PNG pictures
    (``images`` by :func:`~healthecon.report.html.figure_key`, drawn here when missing).

    Examples
    --------
    >>> import tempfile
    >>> from openpyxl import load_workbook
    >>> from healthecon.report.document import Section
    >>> doc = Document("Demo", summary_tables=[Table("icer", pd.DataFrame({"strategy": ["new"], "icer": [13885.96]}))],
    ...                sections=[Section("ward", "Virtual ward", tables=[Table("costs", pd.DataFrame({"cost": [1.5]}))])])
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     book = load_workbook(write_workbook(doc, f"{folder}/report.xlsx"))
    ...     print(book.sheetnames, book["icer"]["B1"].value, book["icer"]["B2"].number_format)
    ['icer', 'ward costs'] ICER (£ per QALY) "£"#,##0
    """
    from .html import figure_key

    book = _new_book()
    names = SheetNames()
    for table in doc.summary_tables:
        table_sheet(book, names(table.sheet or table.name), table)
    images = dict(images or {})
    for section in doc.sections:
        for table in section.tables:
            table_sheet(book, names(f"{section.id} {table.name}"), table)
        if section.inputs is not None:
            table_sheet(book, names(f"{section.id} inputs"), section.inputs)
        for add in section.workbook:
            add(book, names)
        if pictures and section.figures:
            todo = {figure_key(section.id, f): f.draw for f in section.figures
                    if figure_key(section.id, f) not in images}
            images.update({key: files["png"] for key, files in draw_charts(todo).items()})
            chart_sheet(book, names(f"{section.id} charts"),
                        {f.caption: images[figure_key(section.id, f)] for f in section.figures})
    return _save_book(book, path)


def write_excel(
    tables: Mapping[str, pd.DataFrame],
    path: str | PathLike[str],
    charts: Mapping[str, Chart] | None = None,
    *,
    currency: str = "£",
    number_formats: Mapping[str, Mapping[str, str]] | None = None,
    dpi: int = 120,
) -> Path:
    """Write analysis tables, and optionally charts, to an Excel workbook for a business case.

    Each table gets a sheet (named after its key, cut at a word boundary to Excel's 31
    characters, forbidden characters replaced, made unique), laid out as its CSV would be: a
    named index becomes the first columns, headers are the column names. Numbers are stored as
    numbers with the formats of :func:`number_format` (money ``"£"#,##0``, probabilities and
    ratios ``0.000``, percentages ``0%``), the header row (and index columns) frozen, filters
    on, columns fitted to their contents. Text is always stored as text, so a name beginning
    with ``=``, ``+``, ``-`` or ``@`` is never run as a formula. Charts (functions that draw on
    an optional Axes, as :mod:`healthecon.plot` functions do) are drawn and inserted as PNG
    images on a last sheet, ``charts``.

    Parameters
    ----------
    tables
        ``{sheet name: table}``, e.g. ``{"ICER": cea.icer_table(out)}``.
    path
        The ``.xlsx`` file to write (its folder is created).
    charts
        ``{chart name: draw(ax=None) -> Axes}``, e.g. ``{"CEAC": lambda ax: plot_ceac(out, wtp, ax=ax)}``.
    currency
        The currency of money columns when a table's ``attrs`` do not name one.
    number_formats
        ``{sheet name: {column: Excel format}}`` overriding the formats chosen for those columns.
    dpi
        Resolution of the chart images.

    Returns
    -------
    Path
        The workbook written.

    Examples
    --------
    An ICER table and a CEAC, from a script:

    >>> import tempfile
    >>> import numpy as np
    >>> from openpyxl import load_workbook
    >>> from healthecon import cea
    >>> from healthecon.outcomes import make_outcomes
    >>> from healthecon.plot import plot_ceac
    >>> rng = np.random.default_rng(1)
    >>> out = make_outcomes({"cost": rng.normal([[1000.0, 15886.0]], 500, (200, 2)),
    ...                      "qaly": rng.normal([[5.0, 6.0]], 0.3, (200, 2))},
    ...                     strategies=["usual care", "new"], effect="qaly")
    >>> wtp = np.arange(0, 50001, 1000)
    >>> curve = cea.ceac(out, wtp)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = write_excel({"ICER": cea.icer_table(out), "CEAC": curve.to_pandas()}, f"{folder}/case.xlsx",
    ...                        charts={"CEAC": lambda ax: plot_ceac(out, wtp, ax=ax)})
    ...     book = load_workbook(path)
    ...     print(book.sheetnames, book["ICER"]["B1"].value, book["ICER"]["B2"].number_format,
    ...           book["CEAC"]["B2"].number_format, len(book["charts"]._images))
    ['ICER', 'CEAC', 'charts'] cost "£"#,##0 0.000 1
    """
    book = _new_book()
    names = SheetNames()
    for name, frame in tables.items():
        table = Table(str(name), frame, currency=currency)
        table_sheet(book, names(str(name)), table, human=False, formats=(number_formats or {}).get(name))
    images = draw_charts(charts or {}, ("png",), dpi)
    if images:
        chart_sheet(book, names("charts"), {name: files["png"] for name, files in images.items()})
    return _save_book(book, path)
