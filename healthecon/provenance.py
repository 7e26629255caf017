"""Inputs whose every number carries its provenance: read, check and track a provenance CSV.

A provenance file has the columns ``name, value, unit, kind, source, location, quote, note``:

``kind``
    ``published`` (quoted from the document the study published: the ``quote`` states the
    value), ``external`` (a reference figure from outside the study, such as a unit cost from
    the PSSRU *Unit Costs of Health and Social Care* or the NHS National Cost Collection: the
    ``source`` names the publication with its year and the ``location`` its table),
    ``derived`` (computed from other rows: the ``note`` shows the arithmetic) or ``assumed``
    (the sources are silent: the ``note`` says why this value was chosen).
``source``, ``location``
    The document and where in it, e.g. ``Tsiachristas et al. 2017`` and ``p. 3``, or an
    external table (``PSSRU Unit Costs of Health and Social Care 2024``, ``table 6.1.1``).
``quote``
    For a published figure, the words of the source that state it (for an external one, the
    table row, if given). The value must appear in the quote in one of its usual written
    forms: ``13886`` as "13,886", ``0.8`` as "80%" or "80 per cent", ``1.2`` as "£1.20",
    ``60000000`` as "£60m" or "£60 million", ``20000`` as "£20.000" (a continental thousands
    separator).

:func:`load_inputs` parses a file with pandas only (nothing in it is ever executed), checks
every row (:func:`validate_rows`) and returns :class:`Inputs`, a read-only mapping
``name -> value`` that also gives the full rows and records which inputs a model read, so an
assumed input that nothing reads can be found (:meth:`Inputs.unread`). A caller that keeps
the source documents can pass ``check_row`` to look each quote up in them.

The provenance rules follow the project standard (docs/contributing.md) and the transparency
requirements of the Cabinet Office *Guide to Social Return on Investment* (2012, stage 3:
"evidencing outcomes and giving them a value") and the HM Treasury *Green Book* (2022, on
recording the source and the assumptions behind every appraisal input).

Examples
--------
>>> import io
>>> text = '''name,value,unit,kind,source,location,quote,note
... icer,13886,GBP per life-year,published,Tsiachristas et al. 2017,Results,"resulting to an ICER of £13,886",
... inc_cost,575,GBP,published,Tsiachristas et al. 2017,Results,"The CHSS resulted to £575 higher costs",
... inc_ly,0.041408,life-years,derived,Tsiachristas et al. 2017,Results,,inc_cost / icer = 575 / 13886
... bed_day,345,GBP,external,NHS National Cost Collection 2020/21,standard bed day,,values a bed day saved
... '''
>>> inputs = load_inputs(io.StringIO(text))
>>> inputs["icer"], round(inputs["inc_ly"], 4)
(13886.0, 0.0414)
>>> inputs.rows.loc["bed_day", "kind"]
'external'
>>> inputs.unread()
['inc_cost', 'bed_day']
>>> inputs["icer"] = 1
Traceback (most recent call last):
...
TypeError: 'Inputs' object does not support item assignment
"""

from __future__ import annotations

import io
import math
import os
import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from types import MappingProxyType

import pandas as pd

from .errors import ProvenanceError, unknown_name

__all__ = [
    "COLUMNS",
    "KINDS",
    "Inputs",
    "RowCheck",
    "load_inputs",
    "validate_rows",
    "written_values",
    "quote_in_text",
]

COLUMNS = ("name", "value", "unit", "kind", "source", "location", "quote", "note")
KINDS = ("published", "external", "derived", "assumed")

#: ``check_row(where, row) -> bool``: given the row's place ("file row 3 ('x')") and the row
#: (a named tuple of :data:`COLUMNS`), raise :class:`~healthecon.errors.ProvenanceError` if
#: the row contradicts its source, and return True when a quote was looked up in it.
RowCheck = Callable[[str, object], bool]

# A number as written in prose: optional £/$/€, digits with comma (or continental dot)
# thousands separators, optional decimals, then an optional scale or percent word.
_NUMBER = re.compile(
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
    r"\s*(?P<suffix>%|per\s*cent\b|percent\b|bn\b|billion\b|m\b|million\b|k\b|thousand\b)?",
    re.IGNORECASE,
)
_SCALES = {
    "%": 0.01,
    "percent": 0.01,
    "per cent": 0.01,
    "bn": 1e9,
    "billion": 1e9,
    "m": 1e6,
    "million": 1e6,
    "k": 1e3,
    "thousand": 1e3,
}
# Arithmetic in a derived row's note: an operator between two operands. A bare hyphen is
# not arithmetic ("cost-effective"), so minus must be spaced or written as a true minus sign.
_ARITHMETIC = re.compile(r"[\w)\]]\s*(?:[=*/×÷+−]|\s-\s)\s*[\w(\[£$€.]")
# An external figure's source names the edition or price year of the publication.
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


def written_values(text: str) -> list[float]:
    """Every value a number written in ``text`` can stand for.

    "13,886" gives 13886; "80%" gives 80 and 0.8; "£60m" gives 60 and 60,000,000;
    "£20.000" gives 20.0 and 20000 (a continental thousands separator).

    Examples
    --------
    >>> written_values("an ICER of £13,886 and more than 80%")
    [13886.0, 80.0, 0.8]
    >>> written_values("£60m across 29 sites; £20.000 ceiling")
    [60.0, 60000000.0, 29.0, 20.0, 20000.0]
    """
    values: list[float] = []
    for match in _NUMBER.finditer(text):
        digits = match.group("num")
        number = float(digits.replace(",", ""))
        values.append(number)
        if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", digits):
            values.append(float(digits.replace(".", "")))
        suffix = match.group("suffix")
        if suffix:
            scale = _SCALES[re.sub(r"\s+", " ", suffix.lower())]
            values.append(number * scale)
    return values


def _quote_states(quote: str, value: float) -> bool:
    return any(math.isclose(v, value, rel_tol=1e-9, abs_tol=1e-12) for v in written_values(quote))


def _normalise(text: str) -> str:
    table = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00a0": " "})
    return re.sub(r"\s+", " ", text.translate(table)).strip().lower()


def quote_in_text(quote: str, text: str) -> bool:
    """True when ``quote`` appears in ``text``, ignoring case, spacing, line breaks and curly quotes.

    A quote may skip words with "..." (or "…"): its parts must then appear in order.

    Examples
    --------
    >>> quote_in_text("resulted to £575 ... ICER of £13,886", "The CHSS resulted to £575 higher\\ncosts, an ICER of £13,886.")
    True
    >>> quote_in_text("ICER of £13,886 ... resulted", "The CHSS resulted to £575 higher costs, an ICER of £13,886.")
    False
    """
    passage = _normalise(text)
    position = 0
    for part in re.split(r"\.\.\.|…", quote):
        part = _normalise(part)
        if not part:
            continue
        found = passage.find(part, position)
        if found < 0:
            return False
        position = found + len(part)
    return True


def _where(file: str, index: int, name: str) -> str:
    return f"{file} row {index + 1} ({name!r})" if name else f"{file} row {index + 1}"


def validate_rows(rows: pd.DataFrame, file: str = "<inputs>", check_row: RowCheck | None = None) -> int:
    """Check every row's provenance; return how many quotes ``check_row`` looked up.

    ``rows`` holds the eight :data:`COLUMNS` as strings (as :func:`load_inputs` reads them).
    Raises :class:`~healthecon.errors.ProvenanceError` naming ``file``, the 1-based data row
    and the row's name, for: a missing column, an empty name, a duplicate name, a value that
    is not a finite number, an unknown kind, an empty source or location, a published value
    absent from its quote, an external value whose source names no year (or whose quote, if
    given, does not state it), a derived row whose note shows no arithmetic, an assumed row
    whose note gives no reason, and whatever ``check_row`` (called on every row) rejects.

    Examples
    --------
    >>> rows = pd.DataFrame([dict(name="x", value="2", unit="", kind="guessed", source="s",
    ...                           location="p. 1", quote="", note="")])
    >>> validate_rows(rows, "demo.csv")
    Traceback (most recent call last):
    ...
    healthecon.errors.ProvenanceError: demo.csv row 1 ('x'): unknown kind 'guessed'; expected one of 'published', 'external', 'derived', 'assumed'
    >>> rows.loc[0, ["kind", "source", "location"]] = ["external", "PSSRU Unit Costs", "table 6.1.1"]
    >>> validate_rows(rows, "demo.csv")
    Traceback (most recent call last):
    ...
    healthecon.errors.ProvenanceError: demo.csv row 1 ('x'): external value needs the year of its source ...
    """
    missing = [c for c in COLUMNS if c not in rows.columns]
    if missing:
        raise ProvenanceError(f"{file}: missing column(s) {missing}; expected columns {list(COLUMNS)}")
    seen: dict[str, int] = {}
    checked = 0
    for index, row in enumerate(rows.itertuples(index=False)):
        name = str(row.name).strip()
        where = _where(file, index, name)
        if not name:
            raise ProvenanceError(f"{where}: empty name")
        if name in seen:
            raise ProvenanceError(f"{where}: duplicate name {name!r} (first at row {seen[name] + 1})")
        seen[name] = index
        try:
            value = float(str(row.value).strip())
        except ValueError:
            raise ProvenanceError(f"{where}: value {row.value!r} is not a number") from None
        if not math.isfinite(value):
            raise ProvenanceError(f"{where}: value {row.value!r} is not a finite number")
        kind = str(row.kind).strip()
        if kind not in KINDS:
            raise ProvenanceError(f"{where}: unknown kind {kind!r}; expected one of {', '.join(map(repr, KINDS))}")
        for column in ("source", "location"):
            if not str(getattr(row, column)).strip():
                raise ProvenanceError(f"{where}: missing {column} (every row must say where its value comes from)")
        note = str(row.note).strip()
        quote = str(row.quote).strip()
        if kind == "published" and not _quote_states(quote, value):
            raise ProvenanceError(
                f"{where}: published value {value:g} does not appear in its quote {quote!r} "
                "(allowed forms include 13,886 / 80% / £1.20 / £60m)"
            )
        if kind == "external":
            if not _YEAR.search(str(row.source)):
                raise ProvenanceError(
                    f"{where}: external value needs the year of its source (edition or price year), e.g. "
                    f"'PSSRU Unit Costs of Health and Social Care 2024'; got source {str(row.source).strip()!r}"
                )
            if quote and not _quote_states(quote, value):
                raise ProvenanceError(f"{where}: external value {value:g} does not appear in its quoted table row {quote!r}")
        elif kind == "derived" and not _ARITHMETIC.search(note):
            raise ProvenanceError(f"{where}: derived value needs its arithmetic in note (e.g. 'a / b = 575 / 13886'), got {note!r}")
        elif kind == "assumed" and len(note.split()) < 3:
            raise ProvenanceError(f"{where}: assumed value needs a reason in note (why this value was chosen), got {note!r}")
        if check_row is not None and check_row(where, row):
            checked += 1
    return checked


class Inputs(Mapping[str, float]):
    """Read-only mapping ``name -> value`` of one data file, with its provenance rows.

    Attributes
    ----------
    file
        Where the inputs were read from.
    quote_check
        What the quote check did: how many quotes were found in their sources, or why the
        check was not made.

    Made by :func:`load_inputs`, which checks every row first. Every value read by name
    (``inputs["c_team"]``) is recorded, so :meth:`unread` lists what a model never used;
    copying the mapping (``dict(inputs)``) reads every value.

    Parameters
    ----------
    rows
        The checked rows (the eight :data:`COLUMNS`, as strings).
    file, quote_check
        As the attributes.

    Examples
    --------
    A local reablement business case: one published figure and one assumption.

    >>> import io
    >>> text = '''name,value,unit,kind,source,location,quote,note
    ... c_team,120000,GBP per year,published,Reablement business case 2024,table 3,"the team costs £120,000 a year",
    ... care_saved,90000,GBP per year,assumed,local estimate,finance team,,three-quarters of last year's home-care underspend
    ... '''
    >>> inputs = load_inputs(io.StringIO(text))
    >>> inputs
    Inputs('<stream>', 2 rows)
    >>> inputs["c_team"], inputs.unread()
    (120000.0, ['care_saved'])
    >>> local = inputs.updated({"care_saved": 75_000})
    >>> local["care_saved"], inputs["care_saved"], inputs.unread()
    (75000.0, 90000.0, [])
    >>> dict(inputs)
    {'c_team': 120000.0, 'care_saved': 90000.0}
    >>> inputs.kind("care_saved"), inputs.cite("c_team")
    ('assumed', 'Reablement business case 2024, table 3')
    >>> inputs.of_kind("assumed")
    {'care_saved': 90000.0}
    >>> inputs["c_tem"]
    Traceback (most recent call last):
    ...
    healthecon.errors.UnknownNameError: unknown input in <stream> 'c_tem'; expected one of: 'c_team', 'care_saved'
    """

    def __init__(self, rows: pd.DataFrame, file: str, quote_check: str) -> None:
        self._rows = rows.set_index("name", drop=True)
        self._values = MappingProxyType({n: float(v) for n, v in zip(rows["name"], rows["value"])})
        self._read: set[str] = set()
        self.file = file
        self.quote_check = quote_check

    def _require(self, name: str) -> None:
        if name not in self._values:
            raise unknown_name(f"input in {self.file}", name, self._values)

    def __getitem__(self, name: str) -> float:
        self._require(name)
        self._read.add(name)
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"Inputs({self.file!r}, {len(self)} rows)"

    @property
    def rows(self) -> pd.DataFrame:
        """A copy of the full rows, indexed by name, with ``value`` as float."""
        rows = self._rows.copy()
        rows["value"] = rows["value"].astype(float)
        return rows

    def kind(self, name: str) -> str:
        """One of :data:`KINDS`: ``published``, ``external``, ``derived`` or ``assumed``."""
        self._require(name)
        return str(self._rows.at[name, "kind"])

    def cite(self, name: str) -> str:
        """``"<source>, <location>"`` for one input, for tables and notes."""
        self._require(name)
        return f"{self._rows.at[name, 'source']}, {self._rows.at[name, 'location']}"

    def check_derived(self, name: str, value: float, rtol: float = 1e-9) -> float:
        """Return ``value`` if the derived row ``name`` holds it (to ``rtol``), else raise.

        A model recomputes each derived input from the rows it comes from and checks it here,
        so a derived row whose value no longer matches the arithmetic in its note fails.

        Examples
        --------
        >>> import io
        >>> rows = "name,value,unit,kind,source,location,quote,note\\nhalf,0.5,,derived,doc,p. 1,,half = 1 / 2\\n"
        >>> load_inputs(io.StringIO(rows)).check_derived("half", 1 / 3)
        Traceback (most recent call last):
        ...
        healthecon.errors.ProvenanceError: <stream> row 'half': derived value 0.5 does not match its arithmetic, which gives 0.333333
        """
        if self.kind(name) != "derived":
            raise ProvenanceError(f"{self.file} row {name!r}: is {self.kind(name)}, not derived")
        if not math.isclose(self[name], float(value), rel_tol=rtol, abs_tol=0.0):
            raise ProvenanceError(
                f"{self.file} row {name!r}: derived value {self[name]:g} does not match its arithmetic, which gives {float(value):g}"
            )
        return float(value)

    def of_kind(self, kind: str) -> dict[str, float]:
        """The inputs of one kind, e.g. every assumption a local team should replace."""
        if kind not in KINDS:
            raise unknown_name("kind", kind, KINDS)
        return {n: self._values[n] for n in self._rows.index[self._rows["kind"] == kind]}

    def updated(self, values: Mapping[str, float]) -> Inputs:
        """The same inputs with some values replaced (local figures), sharing this record of reads.

        Raises :class:`~healthecon.errors.UnknownNameError` for a name that is not an input,
        so a typo never passes silently. The provenance rows keep their kind and source: the
        replaced values are the caller's.
        """
        for name in values:
            self._require(name)
        rows = self._rows.reset_index()
        for name, value in values.items():
            rows.loc[rows["name"] == name, "value"] = repr(float(value))
        other = Inputs(rows, self.file, self.quote_check)
        other._read = self._read
        return other

    def unread(self, kind: str | None = None) -> list[str]:
        """Names of the inputs (of ``kind``, if given) never read by name, in file order.

        An assumed input that no model reads is a claim nobody uses: a worked model's test
        fails on it.
        """
        if kind is not None and kind not in KINDS:
            raise unknown_name("kind", kind, KINDS)
        names = self._rows.index if kind is None else self._rows.index[self._rows["kind"] == kind]
        return [n for n in names if n not in self._read]


def load_inputs(
    path_or_stream: str | os.PathLike[str] | io.TextIOBase,
    *,
    check_row: RowCheck | None = None,
    checked_against: str = "",
) -> Inputs:
    """Read and check one provenance file.

    Parameters
    ----------
    path_or_stream
        A path to a CSV file, or an open text stream.
    check_row
        Called on every row after the checks of :func:`validate_rows`, e.g. to look each
        quote up in a local copy of its source; returns True when it checked a quote.
    checked_against
        What ``check_row`` compares with, for :attr:`Inputs.quote_check` (e.g. "the seed text
        at ../shared/seeds").

    Returns
    -------
    Inputs
        A read-only mapping ``name -> value``; ``.rows`` gives the full provenance rows.

    Raises
    ------
    ProvenanceError
        When a row fails a check (see :func:`validate_rows`), naming the file, the row and the
        input, or when the file does not exist.

    Examples
    --------
    >>> import io
    >>> rows = "name,value,unit,kind,source,location,quote,note\\nk,3,,assumed,assumption,none,,chosen because three is enough\\n"
    >>> inputs = load_inputs(io.StringIO(rows))
    >>> inputs.of_kind("assumed"), inputs.quote_check
    ({'k': 3.0}, 'quotes were not checked against their sources')
    """
    if isinstance(path_or_stream, io.IOBase):
        file = getattr(path_or_stream, "name", "<stream>")
        rows = _read(path_or_stream, file)
    else:
        path = Path(path_or_stream)
        if not path.is_file():
            raise ProvenanceError(f"data file {str(path)!r} not found")
        file = str(path)
        with path.open("r", encoding="utf-8") as handle:
            rows = _read(handle, file)
    checked = validate_rows(rows, file, check_row)
    if check_row is None:
        quote_check = "quotes were not checked against their sources"
    else:
        quote_check = f"{checked} quote(s) found in {checked_against or 'their sources'}"
    return Inputs(rows, file, quote_check)


def _read(handle: object, file: str) -> pd.DataFrame:
    try:
        rows = pd.read_csv(handle, dtype=str, keep_default_na=False, skipinitialspace=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
        raise ProvenanceError(f"{file}: cannot be read as CSV ({err})") from err
    rows.columns = [str(c).strip() for c in rows.columns]
    extra = [c for c in rows.columns if c not in COLUMNS]
    if extra:
        raise ProvenanceError(f"{file}: unexpected column(s) {extra}; expected columns {list(COLUMNS)}")
    missing = [c for c in COLUMNS if c not in rows.columns]
    if missing:
        raise ProvenanceError(f"{file}: missing column(s) {missing}; expected columns {list(COLUMNS)}")
    return rows[list(COLUMNS)].apply(lambda col: col.str.strip())
