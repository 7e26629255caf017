"""SROI impact maps in and out of spreadsheets: CSV files and Excel workbooks.

An impact map (:class:`healthecon.sroi.ImpactMap`, the Cabinet Office SROI guide's Stage 2-4
table) is usually kept in a spreadsheet. :func:`read_impact_map` and
:func:`impact_map_from_frames` build one from an outcomes table and an investment table;
:func:`impact_map_frames` and :func:`write_impact_map` write it back, with results columns
when the model's outcome set is given.

Reading only parses cells (openpyxl, refusing cells that hold formulas rather than values;
Python's CSV reader, refusing rows longer than the header): nothing in a file is executed or
fetched. Writing never creates a
formula (:func:`healthecon._spreadsheet.write_frames` stores text as text).

May import: :mod:`healthecon.sroi`, :mod:`healthecon.appraisal`, :mod:`healthecon.flows` and
what they import.
"""

from __future__ import annotations

import csv
import difflib
import re
from collections.abc import Sequence
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from ._spreadsheet import csv_safe_text, local_file, read_csv_text, write_frames
from .appraisal import headline_table
from .errors import ModelDefinitionError, ParameterError
from .flows import Value
from .sroi import NUMERIC_FIELDS, ImpactMap, Investment, Outcome

__all__ = [
    "INVESTMENT_COLUMNS",
    "OUTCOME_COLUMNS",
    "impact_map_frames",
    "impact_map_from_frames",
    "read_impact_map",
    "write_impact_map",
]

OUTCOME_COLUMNS = (
    "outcome", "stakeholder", "indicator", "quantity", "proxy", "proxy_source", "duration",
    "start_year", "deadweight", "displacement", "attribution", "drop_off", "category",
)
INVESTMENT_COLUMNS = ("funder", "amount", "year")
_REQUIRED = ("outcome", "stakeholder", "quantity", "proxy")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")
_SHARES = ("deadweight", "displacement", "attribution", "drop_off")


def _cell(value: object, what: str, share: bool = False) -> Value:
    """A table cell as a number or a parameter name. Never evaluated.

    A percentage (``"25%"`` is 0.25) only where the column is a share (``share``: deadweight,
    displacement, attribution, drop-off); commas only between groups of three digits
    (``"1,200"``; ``"1,5"`` could be a decimal comma and raises); a £ sign is allowed. A TRUE or
    FALSE cell is not a number.
    """
    if isinstance(value, (bool, np.bool_)):
        raise ParameterError(f"{what}: expected a number or a parameter name, got the logical value {value!r}")
    if isinstance(value, (int, float, np.integer, np.floating)):
        if not np.isfinite(value):
            raise ParameterError(f"{what}: the cell is empty or not a finite number")
        return float(value)
    text = str(value).strip().replace("£", "")
    if not text:
        raise ParameterError(f"{what}: the cell is empty")
    percent = text.endswith("%")
    digits = text[:-1].strip() if percent else text
    if "," in digits:
        if not _THOUSANDS.match(digits):
            raise ParameterError(f"{what}: {value!r} has a comma that is not a thousands separator (a decimal comma?); "
                                 "write the number with a decimal point, e.g. 1.5")
        digits = digits.replace(",", "")
    try:
        number = float(digits)
    except ValueError:
        if _NAME.match(text):
            return text
        raise ParameterError(f"{what}: expected a number, a percentage or a parameter name, got {value!r}") from None
    if percent and not share:
        raise ParameterError(f"{what}: {value!r} is a percentage, but this column is not a share (only deadweight, "
                             "displacement, attribution and drop-off are); give the number itself")
    return number / 100 if percent else number


def _frame_rows(frame: pd.DataFrame, required: Sequence[str], table: str, known: Sequence[str]) -> list[dict[str, object]]:
    frame = frame.rename(columns=lambda c: str(c).strip().lower().replace(" ", "_").replace("-", "_"))
    repeated = sorted({c for c in frame.columns if list(frame.columns).count(c) > 1})
    if repeated:
        raise ModelDefinitionError(f"{table} table: column(s) {repeated} given more than once (names are read without case or spaces)")
    for column in frame.columns:
        close = difflib.get_close_matches(re.sub(r"[%()]", "", column).strip("_"), known, n=1, cutoff=0.75)
        if column not in known and close:
            raise ModelDefinitionError(f"{table} table: column {column!r} is not read; did you mean {close[0]!r}? "
                                       f"(the columns read are {', '.join(known)}; others, such as notes, are not)")
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise ModelDefinitionError(f"{table} table: missing columns {missing} (has {list(frame.columns)})")
    return frame.to_dict("records")


def _blank(value: object) -> bool:
    """A numeric cell with nothing in it (spaces count as nothing)."""
    return _missing(value) or (isinstance(value, str) and not value.strip())


def _missing(value: object) -> bool:
    """A text cell with nothing in it: any text, even spaces, is kept as written (a name ImpactMap accepts)."""
    return value is None or (isinstance(value, float) and np.isnan(value)) or value == ""


def impact_map_from_frames(outcomes: pd.DataFrame, investment: pd.DataFrame, *, name: str = "SROI",
                           stakeholders: Sequence[str] | None = None, horizon: int | None = None) -> ImpactMap:
    """Build an :class:`~healthecon.sroi.ImpactMap` from an outcomes table and an investment table.

    Outcome columns (case and spaces ignored): ``outcome, stakeholder, quantity, proxy``
    (required) and ``indicator, proxy_source, duration, start_year, deadweight,
    displacement, attribution, drop_off, category`` (optional; blanks take the defaults).
    Investment columns: ``funder, amount`` and optional ``year``. Numeric cells may be
    numbers, percentages (``"25%"``) or parameter names.

    Parameters
    ----------
    outcomes, investment
        The two tables, e.g. read from a spreadsheet or built in code.
    name, stakeholders, horizon
        As for :class:`~healthecon.sroi.ImpactMap`.

    Returns
    -------
    ImpactMap

    Raises
    ------
    ModelDefinitionError
        For a missing column, an empty outcome cell, or anything :class:`ImpactMap` rejects.
    ParameterError
        For an empty required cell or a cell that is neither a number, a percentage nor a
        parameter name (the message names the table, row and column).

    Examples
    --------
    >>> import pandas as pd
    >>> outcomes = pd.DataFrame({"Outcome": ["fewer falls"], "Stakeholder": ["older people"], "Quantity": [40],
    ...                          "Proxy": ["£1,000"], "Duration": [2], "Deadweight": ["25%"]})
    >>> investment = pd.DataFrame({"funder": ["council"], "amount": [30_000]})
    >>> falls = impact_map_from_frames(outcomes, investment, name="falls service")
    >>> falls.outcomes[0].proxy, falls.outcomes[0].deadweight, falls.investment[0].year
    (1000.0, 0.25, 0)
    """
    rows = _frame_rows(outcomes, _REQUIRED, "outcomes", OUTCOME_COLUMNS)
    made = []
    for i, row in enumerate(rows, start=1):
        label = row.get("outcome")
        what = f"outcomes table, row {i} (outcome {label!r})"
        if _missing(label):
            raise ModelDefinitionError(f"outcomes table, row {i}: the 'outcome' cell is empty")
        if _missing(row["stakeholder"]):
            raise ModelDefinitionError(f"{what}, column 'stakeholder': the cell is empty")
        kwargs: dict[str, object] = {}
        for col in NUMERIC_FIELDS:
            if col in row and not _blank(row[col]):
                kwargs[col] = _cell(row[col], f"{what}, column {col!r}", share=col in _SHARES)
            elif col in _REQUIRED:
                raise ParameterError(f"{what}, column {col!r}: the cell is empty")
        for col in ("duration", "start_year"):
            if col in row and not _blank(row[col]):
                kwargs[col] = _cell(row[col], f"{what}, column {col!r}")
        for col in ("indicator", "proxy_source", "category"):
            if col in row and not _missing(row[col]):
                kwargs[col] = str(row[col])
        made.append(Outcome(str(label), str(row["stakeholder"]), **kwargs))  # type: ignore[arg-type]
    inv = []
    for i, row in enumerate(_frame_rows(investment, ("funder", "amount"), "investment", INVESTMENT_COLUMNS), start=1):
        what = f"investment table, row {i} (funder {row.get('funder')!r})"
        if _missing(row["funder"]):
            raise ModelDefinitionError(f"investment table, row {i}: the 'funder' cell is empty")
        year = 0 if _blank(row.get("year")) else _cell(row["year"], f"{what}, column 'year'")
        inv.append(Investment(str(row["funder"]), _cell(row["amount"], f"{what}, column 'amount'"), year))  # type: ignore[arg-type]
    return ImpactMap(made, inv, stakeholders=stakeholders, horizon=horizon, name=name)


def read_impact_map(path: str | PathLike[str], investment: str | PathLike[str] | None = None, *,
                    name: str | None = None, stakeholders: Sequence[str] | None = None,
                    horizon: int | None = None) -> ImpactMap:
    """Read an impact map from Excel (sheets ``outcomes`` and ``investment``) or CSV files.

    For CSV, ``path`` holds the outcomes and ``investment`` the investment table (required).
    Reading only parses cells (openpyxl, refusing cells that hold formulas rather than values;
    Python's CSV reader, refusing rows longer than the header); nothing in the file is executed.

    Parameters
    ----------
    path
        An ``.xlsx``/``.xlsm`` workbook, or the outcomes ``.csv``.
    investment
        The investment ``.csv`` (CSV only).
    name
        Label of the map (default: the file name without its suffix).
    stakeholders, horizon
        As for :class:`~healthecon.sroi.ImpactMap`.

    Returns
    -------
    ImpactMap

    Raises
    ------
    ModelDefinitionError
        For a missing sheet or investment file, an unsupported suffix, or a table
        :func:`impact_map_from_frames` rejects.
    ParameterError
        For a cell that is neither a number, a percentage nor a parameter name.

    Examples
    --------
    A round trip through a workbook in a temporary directory:

    >>> import pathlib, shutil, tempfile
    >>> from healthecon.examples import falls_service
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> falls = falls_service()
    >>> book = write_impact_map(falls, folder / "falls_service.xlsx")
    >>> read_impact_map(book, name="falls service") == falls
    True

    and through two CSV files (outcomes, investment):

    >>> outcomes_csv = write_impact_map(falls, folder / "falls.csv")
    >>> again = read_impact_map(outcomes_csv, folder / "falls_investment.csv")
    >>> again.name, again.outcomes == falls.outcomes
    ('falls', True)
    >>> shutil.rmtree(folder)
    """
    path = local_file(path, "read_impact_map", ModelDefinitionError)
    label = name or path.stem
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        sheets = _read_workbook(path)
        lower = {k.strip().lower(): v for k, v in sheets.items()}
        for sheet in ("outcomes", "investment"):
            same = [k for k in sheets if k.strip().lower() == sheet]
            if len(same) > 1:
                raise ModelDefinitionError(f"{path.name}: sheets {same} are all read as {sheet!r}; rename or delete all "
                                           "but one (hidden sheets count)")
        for sheet in ("outcomes", "investment"):
            if sheet not in lower:
                raise ModelDefinitionError(f"{path.name}: no sheet named {sheet!r} (sheets: {list(sheets)})")
        return impact_map_from_frames(lower["outcomes"], lower["investment"], name=label,
                                      stakeholders=stakeholders, horizon=horizon)
    if path.suffix.lower() == ".csv":
        if investment is None:
            raise ModelDefinitionError(f"{path.name}: a CSV impact map needs the investment table as a second CSV file")
        frames = [_read_csv(p) for p in (path, local_file(investment, "read_impact_map: investment", ModelDefinitionError))]
        return impact_map_from_frames(*frames, name=label, stakeholders=stakeholders, horizon=horizon)
    raise ModelDefinitionError(f"cannot read an impact map from {path.name!r}: use .xlsx or .csv")


def _read_csv(path: Path) -> pd.DataFrame:
    """Every cell as the text written (no "NA" -> NaN, no "01" -> 1), with :func:`csv_safe_text` undone."""
    return read_csv_text(path, path.name, ModelDefinitionError)


def _read_workbook(path: Path) -> dict[str, pd.DataFrame]:
    """Each sheet as a table of the cells' own values: text stays text ("01", "TRUE", "NA"), numbers
    stay numbers. A cell holding a formula raises: formulas are never evaluated, and a formula's
    cached value may be stale, missing (read as blank) or come from another workbook (an external
    link), so only values are read."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=False)
    except (OSError, KeyError, ValueError) as err:
        raise ModelDefinitionError(f"{path.name}: not a readable Excel workbook ({err})") from None
    try:
        sheets = {}
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if getattr(cell, "data_type", None) == "f":
                        raise ModelDefinitionError(
                            f"{path.name}, sheet {sheet.title!r}, cell {cell.coordinate}: holds the formula {str(cell.value)[:60]!r}; "
                            "formulas are not evaluated and their stored results may be stale or come from other files: "
                            "paste the values (Paste Special > Values) before reading")
            rows = [list(row) for row in sheet.iter_rows(values_only=True)]
            while rows and all(v is None for v in rows[-1]):
                rows.pop()
            header = [str(v).strip() if v is not None else f"column {j + 1}" for j, v in enumerate(rows[0])] if rows else []
            sheets[sheet.title] = pd.DataFrame([r[: len(header)] for r in rows[1:]], columns=header, dtype=object)
        return sheets
    finally:
        book.close()


def impact_map_frames(imap: ImpactMap, results: xr.Dataset | None = None) -> dict[str, pd.DataFrame]:
    """The impact map as tables (outcomes, investment), with results columns if given.

    With ``results`` (the model's outcome set), the outcomes table gains the mean present
    value of each outcome and the undiscounted total, and a ``results`` table is added.

    Parameters
    ----------
    imap
        The impact map.
    results
        Optional outcome set of :meth:`healthecon.sroi.SROIModel.run` for this map.

    Returns
    -------
    dict of str to pandas.DataFrame
        ``"outcomes"`` (columns as read by :func:`impact_map_from_frames`, plus
        ``value_undiscounted`` and ``present_value`` with ``results``), ``"investment"``
        and, with ``results``, ``"results"`` (:func:`healthecon.appraisal.headline_table` of the map).

    Examples
    --------
    >>> from healthecon.examples import falls_service
    >>> from healthecon.sroi import SROIModel
    >>> falls = falls_service()
    >>> tables = impact_map_frames(falls, SROIModel(falls).run())
    >>> list(tables)
    ['outcomes', 'investment', 'results']
    >>> tables["outcomes"][["outcome", "quantity", "proxy", "deadweight", "value_undiscounted", "present_value"]].round(2)
           outcome  quantity   proxy  deadweight  value_undiscounted  present_value
    0  fewer falls        40  1000.0        0.25             60000.0       56990.83
    >>> tables["results"][["strategy", "npv", "gross_return_per_1"]].round(2)
            strategy       npv  gross_return_per_1
    0  falls service  26990.83                 1.9
    """
    rows = []
    for o in imap.outcomes:
        row = {"outcome": o.name}
        row.update({c: getattr(o, c) for c in OUTCOME_COLUMNS[1:]})
        rows.append(row)
    outcomes = pd.DataFrame(rows, columns=list(OUTCOME_COLUMNS))
    investment = pd.DataFrame([(i.funder, i.amount, i.year) for i in imap.investment], columns=list(INVESTMENT_COLUMNS))
    tables = {"outcomes": outcomes, "investment": investment}
    if results is not None:
        names = [str(v) for v in results["strategy"].values]
        if imap.name in names:
            strategy = imap.name
        elif len(names) == 1:
            strategy = names[0]
        else:
            raise ModelDefinitionError(f"impact_map_frames: the results hold strategies {names}, none named as this map "
                                       f"({imap.name!r}); give each map of a model its own name")
        flows = results["flows"].sel(strategy=strategy).mean("sample").sum("year")
        flows_pv = results["flows_pv"].sel(strategy=strategy).mean("sample").sum("year")
        outcomes["value_undiscounted"] = [float(flows.sel(line=o.name)) for o in imap.outcomes]
        outcomes["present_value"] = [float(flows_pv.sel(line=o.name)) for o in imap.outcomes]
        tables["results"] = headline_table(results).loc[[strategy]].reset_index()
    return tables


def write_impact_map(imap: ImpactMap, path: str | PathLike[str], results: xr.Dataset | None = None) -> Path:
    """Write the impact map (and results, if given) to ``.xlsx`` (one sheet per table) or ``.csv``.

    For CSV, the outcomes go to ``path`` and the other tables to ``<stem>_investment.csv``
    and ``<stem>_results.csv`` beside it.

    Parameters
    ----------
    imap
        The impact map.
    path
        Where to write: ``.xlsx`` or ``.csv``.
    results
        Optional outcome set of :meth:`healthecon.sroi.SROIModel.run`, written as a ``results`` table and
        as value columns of the outcomes (see :func:`impact_map_frames`).

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    ModelDefinitionError
        For a suffix other than ``.xlsx`` or ``.csv``.

    Examples
    --------
    >>> import pathlib, shutil, tempfile
    >>> from healthecon.examples import falls_service
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> falls = falls_service()
    >>> from healthecon.sroi import SROIModel
    >>> write_impact_map(falls, folder / "falls.csv", SROIModel(falls).run()).name
    'falls.csv'
    >>> sorted(p.name for p in folder.iterdir())
    ['falls.csv', 'falls_investment.csv', 'falls_results.csv']
    >>> write_impact_map(falls, folder / "falls.xlsx").name
    'falls.xlsx'
    >>> shutil.rmtree(folder)
    """
    path = Path(path)
    tables = impact_map_frames(imap, results)
    if path.suffix.lower() == ".xlsx":
        write_frames(tables, path)  # text stays text: a name such as "=1+1" never becomes a formula
    elif path.suffix.lower() == ".csv":
        for sheet, frame in tables.items():
            target = path if sheet == "outcomes" else path.with_name(f"{path.stem}_{sheet}.csv")
            safe = frame.map(lambda v: csv_safe_text(v) if isinstance(v, str) else v)  # OWASP: no formula
            # CRLF line ends (RFC 4180), so that a text holding a lone CR is quoted and reads back whole
            safe.to_csv(target, index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    else:
        raise ModelDefinitionError(f"cannot write an impact map to {path.name!r}: use .xlsx or .csv")
    return path
