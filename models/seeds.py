"""The worked models' inputs (``data/<name>.csv``) and the seed documents their quotes come from.

"Seed NNN" names the copy of a public source document kept beside the repository
(``../shared/seeds/NNN_<hash>.txt``, with figure-by-figure notes in ``../shared/reference/``).
A data row whose source is a seed (``seeds/000_dd7df95bd4ae58ba.txt``) gives its location as
``line N`` or ``lines N-M``; when the seed documents are present, :func:`worked_inputs` looks
every such quote up in those lines, and when they are absent it says so in
:attr:`healthecon.provenance.Inputs.quote_check`. Everything general (reading and checking a
provenance file, tracking which inputs a model read) is :mod:`healthecon.provenance`.

Examples
--------
>>> popp = worked_inputs("popp", seeds=False)
>>> popp["bcr"], popp.kind("bcr")
(1.2, 'published')
>>> popp.rows.loc["bcr", "quote"]
'for every extra £1 spent on the POPP services, there has been approximately a £1.20 additional benefit...'
>>> popp.of_kind("assumed")
{'cost_per_bed_day': 273.0, 'interval_level': 0.95}
>>> popp.quote_check
'seed-text check not requested'
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path

from healthecon.errors import ProvenanceError, unknown_name
from healthecon.provenance import Inputs, RowCheck, load_inputs, quote_in_text

__all__ = ["SEED_DOCUMENTS", "available_inputs", "find_seeds", "seed_row_check", "source_label", "worked_inputs"]

_PACKAGE = "healthecon.data"
_SEED_LINES = re.compile(r"^lines?\s+(\d+)(?:\s*[-–]\s*(\d+))?$", re.IGNORECASE)


#: Short titles of the seed documents, for readers (a source is cited by its file name, which
#: says nothing to a reader of the report): from each document's opening lines and the notes in
#: ``../shared/reference/``.
SEED_DOCUMENTS = {
    "000": "Essence Project evidence bundle",
    "002": "Integration guide, 16 local areas (2018)",
    "003": "SCIE, Integration 2020 (2017)",
    "004": "Nuffield Trust, hospital and social care interface (2018)",
}
_SEED_SOURCE = re.compile(r"^seeds/(\d{3})_[0-9a-f]+\.txt(?:,?\s+(lines?\s+\S.*))?$")


def source_label(source: str) -> str:
    """A source as a reader wants it: a seed document's file name as its short title and number,
    its lines kept; any other source unchanged.

    Examples
    --------
    >>> source_label("seeds/000_dd7df95bd4ae58ba.txt, line 59")
    'Essence Project evidence bundle (seed 000), line 59'
    >>> source_label("seeds/004_7c8f32ba8d936e0e.txt line 223")
    'Nuffield Trust, hospital and social care interface (2018) (seed 004), line 223'
    >>> source_label("seeds/002_887e750fede6152a.txt"), source_label("PSSRU unit costs 2019")
    ('Integration guide, 16 local areas (2018) (seed 002)', 'PSSRU unit costs 2019')
    """
    match = _SEED_SOURCE.match(source.strip())
    title = SEED_DOCUMENTS.get(match.group(1)) if match else None
    if title is None:
        return source
    label = f"{title} (seed {match.group(1)})"
    return f"{label}, {match.group(2)}" if match.group(2) else label


def find_seeds(seeds: str | os.PathLike[str] | None = None) -> Path | None:
    """The directory holding the seed documents, or None when it cannot be found.

    Looks at ``seeds`` if given, else ``$HEALTHECON_SEEDS``, else ``../shared/seeds`` beside
    the repository (for an editable install) and beside the working directory.

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


def seed_row_check(seeds: Path | None) -> RowCheck:
    """A ``check_row`` for :func:`healthecon.provenance.load_inputs`: seed locations and quotes.

    Every row whose source is a seed document must give its location as ``line N`` or
    ``lines N-M``; when ``seeds`` is a directory, the quote of every published row is looked
    up in those lines (ignoring case, spacing and line breaks; "..." skips words).

    Examples
    --------
    >>> import io, pathlib, tempfile
    >>> from healthecon.provenance import load_inputs
    >>> row = 'c,575,,published,seeds/000_x.txt,line 2,"resulted to £575",\\n'
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     _ = (pathlib.Path(folder) / "000_x.txt").write_text("title\\nThe CHSS resulted to £575 higher\\n")
    ...     text = io.StringIO("name,value,unit,kind,source,location,quote,note\\n" + row)
    ...     load_inputs(text, check_row=seed_row_check(pathlib.Path(folder)), checked_against="the seeds").quote_check
    '1 quote(s) found in the seeds'
    """

    def check(where: str, row: object) -> bool:
        source = str(row.source).strip()  # type: ignore[attr-defined]
        location = str(row.location).strip()  # type: ignore[attr-defined]
        if not source.startswith("seeds/"):
            return False
        lines = _SEED_LINES.match(location)
        if lines is None:
            raise ProvenanceError(f"{where}: location {location!r} of a seed document must read 'line N' or 'lines N-M'")
        if seeds is None or str(row.kind).strip() != "published":  # type: ignore[attr-defined]
            return False
        path = seeds / source.removeprefix("seeds/")
        if not path.is_file():
            raise ProvenanceError(f"{where}: source {source!r} not found in the seed directory {seeds}")
        text = _seed_lines(path)
        first, last = int(lines.group(1)), int(lines.group(2) or lines.group(1))
        if not 1 <= first <= last <= len(text):
            raise ProvenanceError(f"{where}: location {location!r} is outside {source} ({len(text)} lines)")
        quote = str(row.quote).strip()  # type: ignore[attr-defined]
        if not quote_in_text(quote, "\n".join(text[first - 1 : last])):
            raise ProvenanceError(f"{where}: quote {quote!r} not found in {source} {location}")
        return True

    return check


def available_inputs() -> list[str]:
    """Names of the installed worked-model data files (``chss``, ``popp``, ...), sorted.

    Examples
    --------
    >>> names = available_inputs()
    >>> "popp" in names, "chss" in names, names == sorted(names)
    (True, True, True)
    """
    return sorted(
        entry.name.removesuffix(".csv") for entry in resources.files(_PACKAGE).iterdir() if entry.name.endswith(".csv")
    )


def worked_inputs(
    name: str,
    overrides: Mapping[str, float] | None = None,
    *,
    seeds: str | os.PathLike[str] | bool | None = None,
) -> Inputs:
    """The checked inputs of the installed ``data/<name>.csv``, with ``overrides`` replacing some.

    Parameters
    ----------
    name
        A worked model's data file (:func:`available_inputs`).
    overrides
        Local figures by input name (:meth:`healthecon.provenance.Inputs.updated`).
    seeds
        Where the seed documents are: None (default) looks for them (:func:`find_seeds`);
        False skips the seed-text check (seed locations are still checked).

    Raises
    ------
    UnknownNameError
        For a data file, or an override, that does not exist.
    ProvenanceError
        For a row that fails a check, naming the file, row and input.
    """
    if name not in available_inputs():
        raise unknown_name("data file", name, available_inputs())
    seed_dir = None if seeds is False else find_seeds(None if seeds in (None, True) else seeds)  # type: ignore[arg-type]
    text = io.StringIO((resources.files(_PACKAGE) / f"{name}.csv").read_text(encoding="utf-8"))
    text.name = f"data/{name}.csv"  # errors name the file as a reader of the repository finds it
    inputs = load_inputs(text, check_row=seed_row_check(seed_dir), checked_against=f"the seed text at {seed_dir}")
    if seeds is False:
        inputs.quote_check = "seed-text check not requested"
    elif seed_dir is None:
        inputs.quote_check = ("seed documents not found (../shared/seeds or $HEALTHECON_SEEDS): quotes were not checked "
                              "against the seed text")
    return inputs.updated(overrides) if overrides else inputs
