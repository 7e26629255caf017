"""Load worked-model inputs from CSV files in which every number carries its provenance.

Each data file (``data/<name>.csv``, installed as the package ``healthecon.data``) has the
columns ``name, value, unit, kind, source, location, quote, note``:

``kind``
    ``published`` (quoted from a document), ``derived`` (computed from published figures: the
    ``note`` shows the arithmetic) or ``assumed`` (the source is silent: the ``note`` says
    why this value was chosen).
``source``, ``location``
    The document and where in it, e.g. ``seeds/000_dd7df95bd4ae58ba.txt`` and
    ``lines 50-71``, or an external table (``PSSRU Unit Costs 2023``, ``table 7.1``).
``quote``
    For a published figure, the words of the source that state it. The value must appear in
    the quote in one of its usual written forms: ``13886`` as "13,886", ``0.8`` as "80%" or
    "80 per cent", ``1.2`` as "£1.20", ``60000000`` as "£60m" or "£60 million", ``20000``
    as "£20.000" (a continental thousands separator).

:func:`load_inputs` parses a file with pandas only (nothing in it is ever executed), checks
every row and returns a read-only mapping ``name -> value`` that also gives the full rows.
When the seed documents are present (``../shared/seeds`` beside the repository, or the
directory named by the environment variable ``HEALTHECON_SEEDS``), the quote of every
published row whose location gives seed lines is also looked up in those lines of the seed
text; when they are absent that check is skipped and :attr:`Inputs.seed_check` says so.

The provenance rules follow the project standard (docs/contributing.md) and the transparency
requirements of the Cabinet Office *Guide to Social Return on Investment* (2012, stage 3:
"evidencing outcomes and giving them a value") and the HM Treasury *Green Book* (2022, on
recording the source and the assumptions behind every appraisal input).

Examples
--------
>>> import io
>>> text = '''name,value,unit,kind,source,location,quote,note
... icer,13886,GBP per life-year,published,seeds/000_dd7df95bd4ae58ba.txt,lines 50-71,"resulting to an ICER of £13,886",
... inc_cost,575,GBP,published,seeds/000_dd7df95bd4ae58ba.txt,lines 50-71,"The CHSS resulted to £575 higher costs",
... inc_ly,0.041408,life-years,derived,seeds/000_dd7df95bd4ae58ba.txt,lines 50-71,,inc_cost / icer = 575 / 13886
... '''
>>> inputs = load_inputs(io.StringIO(text), seeds=False)
>>> inputs["icer"], round(inputs["inc_ly"], 4)
(13886.0, 0.0414)
>>> inputs.rows.loc["inc_cost", "kind"]
'published'
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
from collections.abc import Iterator, Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType

import pandas as pd

from .errors import ProvenanceError, unknown_name

__all__ = [
    "COLUMNS",
    "KINDS",
    "Inputs",
    "load_inputs",
    "available_inputs",
    "validate_rows",
    "written_values",
    "find_seeds",
]

COLUMNS = ("name", "value", "unit", "kind", "source", "location", "quote", "note")
KINDS = ("published", "derived", "assumed")

_PACKAGE = "healthecon.data"

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
_SEED_LINES = re.compile(r"^lines?\s+(\d+)(?:\s*[-–]\s*(\d+))?$", re.IGNORECASE)


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


def find_seeds(seeds: str | os.PathLike[str] | None = None) -> Path | None:
    """The directory holding the seed documents, or None when it cannot be found.

    Looks at ``seeds`` if given, else ``$HEALTHECON_SEEDS``, else ``../shared/seeds`` beside
    the repository (for an editable install) and beside the working directory.

    Parameters
    ----------
    seeds
        A directory to use; ``None`` (default) searches the places above.

    Returns
    -------
    pathlib.Path or None
        The directory, or ``None`` when it does not exist (the seed-text check of
        :func:`load_inputs` is then skipped, and says so).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     find_seeds(folder) == pathlib.Path(folder), find_seeds(pathlib.Path(folder) / "missing")
    (True, None)
    """
    if seeds is not None:
        path = Path(seeds)
        return path if path.is_dir() else None
    candidates = []
    if os.environ.get("HEALTHECON_SEEDS"):
        candidates.append(Path(os.environ["HEALTHECON_SEEDS"]))
    candidates.append(Path(__file__).resolve().parents[1].parent / "shared" / "seeds")
    candidates.append(Path.cwd().parent / "shared" / "seeds")
    for path in candidates:
        if path.is_dir():
            return path
    return None


@lru_cache(maxsize=16)
def _seed_lines(path: Path) -> tuple[str, ...]:
    return tuple(path.read_text(encoding="utf-8").splitlines())


def _where(file: str, index: int, name: str) -> str:
    return f"{file} row {index + 1} ({name!r})" if name else f"{file} row {index + 1}"


def validate_rows(rows: pd.DataFrame, file: str = "<inputs>", seeds: Path | None = None) -> int:
    """Check every row's provenance; return how many quotes were found in the seed text.

    ``rows`` holds the eight :data:`COLUMNS` as strings (as :func:`load_inputs` reads them).
    Raises :class:`~healthecon.errors.ProvenanceError` naming ``file``, the 1-based data row
    and the row's name, for: a missing column, an empty name, a duplicate name, a value that
    is not a finite number, an unknown kind, an empty source or location, a seed-document
    location that is not ``line N`` or ``lines N-M``, a published value
    absent from its quote, a derived row whose note shows no arithmetic, an assumed row whose
    note gives no reason, and (when ``seeds`` is a directory) a published quote absent from
    the seed lines its location names.

    Examples
    --------
    >>> rows = pd.DataFrame([dict(name="x", value="2", unit="", kind="guessed", source="s",
    ...                           location="p. 1", quote="", note="")])
    >>> validate_rows(rows, "demo.csv")
    Traceback (most recent call last):
    ...
    healthecon.errors.ProvenanceError: demo.csv row 1 ('x'): unknown kind 'guessed'; expected one of 'published', 'derived', 'assumed'
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
        if str(row.source).strip().startswith("seeds/") and not _SEED_LINES.match(str(row.location).strip()):
            raise ProvenanceError(f"{where}: location {row.location!r} of a seed document must read 'line N' or 'lines N-M'")
        note = str(row.note).strip()
        quote = str(row.quote).strip()
        if kind == "published":
            if not _quote_states(quote, value):
                raise ProvenanceError(
                    f"{where}: published value {value:g} does not appear in its quote {quote!r} "
                    "(allowed forms include 13,886 / 80% / £1.20 / £60m)"
                )
            if seeds is not None and _check_seed_quote(where, row, quote, seeds):
                checked += 1
        elif kind == "derived" and not _ARITHMETIC.search(note):
            raise ProvenanceError(f"{where}: derived value needs its arithmetic in note (e.g. 'a / b = 575 / 13886'), got {note!r}")
        elif kind == "assumed" and len(note.split()) < 3:
            raise ProvenanceError(f"{where}: assumed value needs a reason in note (why this value was chosen), got {note!r}")
    return checked


def _check_seed_quote(where: str, row: object, quote: str, seeds: Path) -> bool:
    source = str(row.source).strip()  # type: ignore[attr-defined]
    location = str(row.location).strip()  # type: ignore[attr-defined]
    lines = _SEED_LINES.match(location)
    if not source.startswith("seeds/") or lines is None:
        return False
    path = seeds / source.removeprefix("seeds/")
    if not path.is_file():
        raise ProvenanceError(f"{where}: source {source!r} not found in the seed directory {seeds}")
    text = _seed_lines(path)
    first = int(lines.group(1))
    last = int(lines.group(2) or first)
    if not 1 <= first <= last <= len(text):
        raise ProvenanceError(f"{where}: location {location!r} is outside {source} ({len(text)} lines)")
    passage = _normalise(" ".join(text[first - 1 : last]))
    position = 0
    for part in re.split(r"\.\.\.|…", quote):
        part = _normalise(part)
        if not part:
            continue
        found = passage.find(part, position)
        if found < 0:
            raise ProvenanceError(f"{where}: quote {part!r} not found in {source} {location}")
        position = found + len(part)
    return True


class Inputs(Mapping[str, float]):
    """Read-only mapping ``name -> value`` of one data file, with its provenance rows.

    Attributes
    ----------
    file
        Where the inputs were read from.
    seed_check
        What the seed-text check did: how many quotes were found in the seed lines, or why
        the check was skipped.

    Made by :func:`load_inputs`, which checks every row first.

    Parameters
    ----------
    rows
        The checked rows (the eight :data:`COLUMNS`, as strings).
    file, seed_check
        As the attributes.

    Examples
    --------
    A local reablement business case: one published figure and one assumption.

    >>> import io
    >>> text = '''name,value,unit,kind,source,location,quote,note
    ... c_team,120000,GBP per year,published,Reablement business case 2024,table 3,"the team costs £120,000 a year",
    ... care_saved,90000,GBP per year,assumed,local estimate,finance team,,three-quarters of last year's home-care underspend
    ... '''
    >>> inputs = load_inputs(io.StringIO(text), seeds=False)
    >>> inputs
    Inputs('<stream>', 2 rows)
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

    def __init__(self, rows: pd.DataFrame, file: str, seed_check: str) -> None:
        self._rows = rows.set_index("name", drop=True)
        self._values = MappingProxyType({n: float(v) for n, v in zip(rows["name"], rows["value"])})
        self.file = file
        self.seed_check = seed_check

    def __getitem__(self, name: str) -> float:
        try:
            return self._values[name]
        except KeyError:
            raise unknown_name(f"input in {self.file}", name, self._values) from None

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
        """``published``, ``derived`` or ``assumed``."""
        self[name]
        return str(self._rows.at[name, "kind"])

    def cite(self, name: str) -> str:
        """``"<source>, <location>"`` for one input, for tables and notes."""
        self[name]
        return f"{self._rows.at[name, 'source']}, {self._rows.at[name, 'location']}"

    def check_derived(self, name: str, value: float, rtol: float = 1e-9) -> float:
        """Return ``value`` if the derived row ``name`` holds it (to ``rtol``), else raise.

        A model recomputes each derived input from the rows it comes from and checks it here,
        so a derived row whose value no longer matches the arithmetic in its note fails.

        Examples
        --------
        >>> import io
        >>> rows = "name,value,unit,kind,source,location,quote,note\\nhalf,0.5,,derived,doc,p. 1,,half = 1 / 2\\n"
        >>> load_inputs(io.StringIO(rows), seeds=False).check_derived("half", 1 / 3)
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


def available_inputs() -> list[str]:
    """Names of the installed data files (``chss``, ``popp``, ...), sorted.

    Returns
    -------
    list of str
        Names to pass to :func:`load_inputs`.

    Examples
    --------
    >>> names = available_inputs()
    >>> "popp" in names, "chss" in names, names == sorted(names)
    (True, True, True)
    """
    return sorted(
        entry.name.removesuffix(".csv") for entry in resources.files(_PACKAGE).iterdir() if entry.name.endswith(".csv")
    )


def load_inputs(
    name_or_path: str | os.PathLike[str] | io.TextIOBase,
    *,
    seeds: str | os.PathLike[str] | bool | None = None,
) -> Inputs:
    """Read and check one data file.

    Parameters
    ----------
    name_or_path
        The name of an installed data file (``"chss"`` reads ``healthecon.data/chss.csv``),
        a path to a CSV file, or an open text stream.
    seeds
        Where the seed documents are. None (default) looks for them (:func:`find_seeds`);
        False skips the seed-text check.

    Returns
    -------
    Inputs
        A read-only mapping ``name -> value``; ``.rows`` gives the full provenance rows.

    Raises
    ------
    ProvenanceError
        When a row fails a check (see :func:`validate_rows`); the message names the file,
        the row and the input.
    UnknownNameError
        For an installed data file that does not exist.

    Examples
    --------
    The inputs of the Partnerships for Older People Projects (POPP) evaluation, installed
    with the package:

    >>> popp = load_inputs("popp", seeds=False)
    >>> popp["bcr"], popp.kind("bcr")
    (1.2, 'published')
    >>> popp.rows.loc["bcr", "quote"]
    'for every extra £1 spent on the POPP services, there has been approximately a £1.20 additional benefit...'
    >>> popp.of_kind("assumed")
    {'cost_per_bed_day': 273.0, 'interval_level': 0.95}
    >>> popp.seed_check
    'seed-text check not requested'
    """
    if isinstance(name_or_path, io.IOBase):
        file = getattr(name_or_path, "name", "<stream>")
        handle = name_or_path
        rows = _read(handle, file)
    elif isinstance(name_or_path, str) and re.fullmatch(r"[A-Za-z0-9_]+", name_or_path):
        resource = resources.files(_PACKAGE) / f"{name_or_path}.csv"
        if not resource.is_file():
            raise unknown_name("data file", name_or_path, available_inputs())
        file = f"data/{name_or_path}.csv"
        with resource.open("r", encoding="utf-8") as handle:
            rows = _read(handle, file)
    else:
        path = Path(name_or_path)
        if not path.is_file():
            raise ProvenanceError(f"data file {str(path)!r} not found")
        file = str(path)
        with path.open("r", encoding="utf-8") as handle:
            rows = _read(handle, file)
    seed_dir = None if seeds is False else find_seeds(None if seeds in (None, True) else seeds)  # type: ignore[arg-type]
    checked = validate_rows(rows, file, seed_dir)
    if seeds is False:
        seed_check = "seed-text check not requested"
    elif seed_dir is None:
        seed_check = "seed documents not found (../shared/seeds or $HEALTHECON_SEEDS): quotes were not checked against the seed text"
    else:
        seed_check = f"{checked} published quote(s) found in the seed text at {seed_dir}"
    return Inputs(rows, file, seed_check)


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
