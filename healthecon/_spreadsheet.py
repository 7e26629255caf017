"""Writing cells to Excel workbooks and CSV files safely, shared by every writer in healthecon.

Numbers are stored as numbers and NaN as a blank cell; every text is stored as text, never a
formula, so a table cell such as ``=HYPERLINK(...)`` taken from a user's data cannot run when
the workbook is opened (OWASP "CSV injection"). In CSV, where a cell has no type, text that a
spreadsheet would read as a formula is prefixed with an apostrophe (the OWASP rule,
:func:`csv_safe_text`) and :func:`csv_text_back` removes it on reading, so round trips are exact.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from os import PathLike
from pathlib import Path

import pandas as pd

from .errors import HealthEconError

__all__ = ["FORMULA_START", "csv_safe_text", "csv_text_back", "local_file", "put_cell", "read_csv_text", "write_csv", "write_frames"]

#: Text a spreadsheet would read as the start of a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ESCAPED = FORMULA_START + ("'",)


def csv_safe_text(text: str) -> str:
    """Text for a CSV cell: an apostrophe before text a spreadsheet would read as a formula (OWASP).

    Text that already starts with an apostrophe gets one more, so :func:`csv_text_back` can
    undo every case exactly.

    Examples
    --------
    >>> csv_safe_text("=cmd|' /C calc'!A0"), csv_safe_text("older people"), csv_safe_text("'quoted")
    ("'=cmd|' /C calc'!A0", 'older people', "''quoted")
    >>> all(csv_text_back(csv_safe_text(s)) == s for s in ["=1+1", "-5", "'", "''x", "'hello", "@a", "plain"])
    True
    """
    return "'" + text if text.startswith(_ESCAPED) else text


def csv_text_back(text: str) -> str:
    """Undo :func:`csv_safe_text`: drop an apostrophe that precedes a formula character or another apostrophe.

    Examples
    --------
    >>> csv_text_back("'=1+1"), csv_text_back("'hello")
    ('=1+1', "'hello")
    """
    return text[1:] if text.startswith("'") and text[1:].startswith(_ESCAPED) else text


def local_file(path: str | PathLike[str], what: str, error: type[Exception] = HealthEconError) -> Path:
    """``path`` as a :class:`~pathlib.Path` to an existing file on this machine; a URL raises
    (reading a table never fetches anything).

    Examples
    --------
    >>> local_file("https://example.invalid/params.csv", "--params")
    Traceback (most recent call last):
    ...
    healthecon.errors.HealthEconError: --params: 'https://example.invalid/params.csv' is a URL; give the path of a file on this machine (tables are not fetched)
    """
    text = str(path)
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", text):
        raise error(f"{what}: {text!r} is a URL; give the path of a file on this machine (tables are not fetched)")
    file = Path(path)
    if not file.is_file():
        raise error(f"{what}: no file {text!r}")
    return file


def read_csv_text(path: str | PathLike[str], what: str, error: type[Exception] = HealthEconError) -> pd.DataFrame:
    """A CSV table from a local file as the text of each cell, with :func:`csv_safe_text` undone.

    Only a file on this machine is read (a URL is refused: reading a table never fetches
    anything), as UTF-8 (a byte-order mark is allowed). Every row must have as many cells as the
    header (empty trailing cells excepted): a row with more would shift its values into other
    columns, as an unquoted comma in ``1,200`` or in a source's text does. No cell is turned
    into a number here, and "NA" stays the text "NA".

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = path.write_text("name,value\\nx,'=1\\ny,NA\\n", encoding="utf-8")
    >>> read_csv_text(path, "table").to_dict("list")
    {'name': ['x', 'y'], 'value': ['=1', 'NA']}
    >>> _ = path.write_text("name,value\\nx,1,200\\n", encoding="utf-8")
    >>> read_csv_text(path, "table")
    Traceback (most recent call last):
    ...
    healthecon.errors.HealthEconError: table: line 2 has 3 cells but the header has 2 (name, value): quote a cell holding a comma ("1,200"), or write numbers without thousands separators
    """
    import csv
    import io

    path = local_file(path, what, error)
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:  # newline="": a CR inside a quoted cell stays a CR
            text = handle.read()
    except UnicodeDecodeError as err:
        raise error(f"{what}: byte {err.object[err.start]:#04x} of {path.name} is not UTF-8 text; is it a CSV file? "
                    "Save a spreadsheet as 'CSV UTF-8'") from None
    rows = list(csv.reader(io.StringIO(text)))
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()
    if not rows:
        raise error(f"{what}: {path.name} is empty")
    header = [cell.strip() for cell in rows[0]]
    while header and not header[-1] and len(header) > 1:
        header.pop()
    if len(header) == 1 and ";" in header[0]:
        raise error(f"{what}: the header {rows[0][0]!r} is one cell holding semicolons: save the file with commas "
                    "between cells (a spreadsheet set to a decimal comma writes semicolons)")
    body = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        extra = row[len(header):]
        if any(cell.strip() for cell in extra):
            raise error(f"{what}: line {line} has {len(row)} cells but the header has {len(header)} ({', '.join(header)}): "
                        'quote a cell holding a comma ("1,200"), or write numbers without thousands separators')
        body.append([csv_text_back(cell) for cell in row[: len(header)]] + [""] * (len(header) - len(row)))
    return pd.DataFrame(body, columns=[csv_text_back(h) for h in header], dtype=object)


def write_csv(frame: pd.DataFrame, path: str | PathLike[str], *, index: bool = False) -> Path:
    """Write ``frame`` as CSV with every text (cells, column names, index labels) through
    :func:`csv_safe_text`, so that none opens as a formula; numbers are written exactly.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = write_csv(pd.DataFrame({"strategy": ["=HYPERLINK(1)", "usual"], "cost": [1.5, 2.0]}),
    ...                  pathlib.Path(tempfile.mkdtemp()) / "t.csv")
    >>> path.read_text().splitlines()
    ['strategy,cost', "'=HYPERLINK(1),1.5", 'usual,2.0']
    """
    def safe(value: object) -> object:
        return csv_safe_text(value) if isinstance(value, str) else value

    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(safe)
    out.columns = pd.Index([safe(c) for c in out.columns], name=safe(out.columns.name))
    if index:
        names = [safe(n) for n in out.index.names]
        out.index = out.index.map(lambda key: tuple(map(safe, key)) if isinstance(key, tuple) else safe(key))
        out.index.names = names
    path = Path(path)
    out.to_csv(path, index=index)
    return path


def put_cell(sheet, row: int, column: int, value: object, number_format: str | None = None):
    """Write one cell of an openpyxl worksheet and return it.

    Examples
    --------
    >>> from openpyxl import Workbook
    >>> sheet = Workbook().active
    >>> cell = put_cell(sheet, 1, 1, "=1+1")
    >>> cell.value, cell.data_type, cell.quotePrefix
    ('=1+1', 's', True)
    >>> put_cell(sheet, 1, 2, float("nan")).value is None, put_cell(sheet, 1, 3, 2.5).value
    (True, 2.5)
    """
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # openpyxl is loaded only when a workbook is written

    cell = sheet.cell(row=row, column=column)
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA or value is pd.NaT:
        return cell
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()  # numpy scalar to Python
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        text = str(value)
        bad = ILLEGAL_CHARACTERS_RE.search(text) or re.search("\r", text)  # XML reads a CR back as LF
        if bad:
            raise HealthEconError(
                f"sheet {sheet.title!r}, cell {cell.coordinate}: the text {text!r} holds the control character "
                f"{bad.group()!r}, which an Excel file cannot store exactly; remove it from the name or label"
            )
        cell.value = text
        cell.data_type = "s"  # openpyxl would otherwise store "=..." as a formula
        if text.startswith(FORMULA_START):
            cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
        return cell
    if isinstance(value, float) and math.isinf(value):  # Excel has no infinity: show it as the CSV does
        return put_cell(sheet, row, column, "inf" if value > 0 else "-inf")
    cell.value = value
    if isinstance(value, float) and float(f"{value:.16g}") != value:
        # openpyxl writes numbers with 16 significant digits, which loses the last digit of some
        # doubles; the shortest repr (up to 17 digits) is what reads back as the same number.
        cell._value = repr(value)
    if number_format:
        cell.number_format = number_format
    return cell


def write_frames(frames: Mapping[str, pd.DataFrame], path: str | PathLike[str]) -> Path:
    """Write each table to a sheet of its name (bold header row, no index), through :func:`put_cell`.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from openpyxl import load_workbook
    >>> path = write_frames({"outcomes": pd.DataFrame({"name": ["=1+1"], "quantity": [40]})},
    ...                     pathlib.Path(tempfile.mkdtemp()) / "map.xlsx")
    >>> [[c.value for c in row] for row in load_workbook(path)["outcomes"].iter_rows()]
    [['name', 'quantity'], ['=1+1', 40]]
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    path = Path(path)
    book = Workbook()
    book.remove(book.active)
    for name, frame in frames.items():
        sheet = book.create_sheet(name)
        for j, column in enumerate(frame.columns, start=1):
            put_cell(sheet, 1, j, str(column)).font = Font(bold=True)
        for i, row in enumerate(frame.itertuples(index=False), start=2):
            for j, value in enumerate(row, start=1):
                put_cell(sheet, i, j, value)
    book.save(path)
    return path
