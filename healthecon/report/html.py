"""The HTML view of a :class:`~healthecon.report.document.Document`, from a jinja2 template.

The page stands alone (charts are embedded as base64 PNG, the stylesheet inline), so it can be
e-mailed; it reads on a phone (viewport meta, tables scroll inside their box) and prints on A4
(a print stylesheet: no cut columns, a page break before each part, long tables left to the
appendix and its CSV files). Autoescape is on: no text from a model or a user can become markup.

Users can supply their own template (``template=``): a path to a ``.j2``/``.html`` file, or a
:class:`jinja2.Template`. It receives ``doc`` (the document, with tables as
:class:`~healthecon.report.document.TableView`) and ``css`` (the default stylesheet); copy
``healthecon/report/templates/report.html.j2`` to start. A template given as a path is rendered in
jinja2's sandbox, so it can format the document but cannot run code.
"""

from __future__ import annotations

import base64
import struct
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import resources
from os import PathLike
from pathlib import Path

from .document import LONG_TABLE_ROWS, Document, Figure, Table, TableView, table_view
from .images import draw_charts

__all__ = ["render_html", "figure_key", "default_template"]


def figure_key(part: str, figure: Figure) -> str:
    """Where a figure's image is kept: ``"<section id>/<figure name>"`` (``"summary/..."`` for the summary)."""
    return f"{part}/{figure.name}"


def default_template() -> str:
    """The text of the built-in template (``templates/report.html.j2``)."""
    return resources.files("healthecon.report").joinpath("templates/report.html.j2").read_text(encoding="utf-8")


def _css() -> str:
    return resources.files("healthecon.report").joinpath("templates/report.css").read_text(encoding="utf-8")


def _environment():
    """A sandboxed jinja2 environment: a template (the user's too: a file given at the command line
    is data, not code) can read the document but cannot reach Python's internals, so it cannot
    run commands (jinja2's ``SandboxedEnvironment``)."""
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

    return SandboxedEnvironment(loader=jinja2.PackageLoader("healthecon.report", "templates"),
                                autoescape=True, trim_blocks=False, lstrip_blocks=False,
                                undefined=jinja2.StrictUndefined)


def _template(template: object):
    import jinja2

    environment = _environment()
    if template is None:
        return environment.get_template("report.html.j2")
    if isinstance(template, jinja2.Template):
        return template
    if isinstance(template, (str, PathLike)):
        path = Path(template)
        if not path.is_file():
            raise FileNotFoundError(f"template: no file {str(path)!r} (a jinja2 template for the report page)")
        return environment.from_string(path.read_text(encoding="utf-8"))
    raise TypeError(f"template: expected None, a path or a jinja2.Template, got {type(template).__name__}")


@dataclass
class _FigureView:
    src: str
    alt: str
    caption: str
    wide: bool
    width: int | None
    height: int | None


@dataclass
class _SectionView:
    id: str
    title: str
    summary: list[str]
    figures: list[_FigureView]
    tables: list[TableView]
    notes: list[str]
    inputs: TableView | None
    inputs_title: str
    inputs_intro: str


@dataclass
class _DocumentView:
    title: str
    meta: dict[str, object]
    verdict: str
    verdict_css: str
    summary: list[str]
    summary_tables: list[TableView]
    summary_figures: list[_FigureView]
    sections: list[_SectionView]
    links: list[dict[str, str]]
    appendix: list[TableView] = field(default_factory=list)


def _png_size(png: bytes) -> tuple[int | None, int | None]:
    """Width and height in pixels from a PNG's header (so the page keeps its layout while loading)."""
    if png[:8] != b"\x89PNG\r\n\x1a\n" or len(png) < 24:
        return None, None
    width, height = struct.unpack(">II", png[16:24])
    return int(width), int(height)


def _figures(part: str, figures: list[Figure], images: Mapping[str, bytes]) -> list[_FigureView]:
    views = []
    for figure in figures:
        png = images[figure_key(part, figure)]
        width, height = _png_size(png)
        src = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
        views.append(_FigureView(src, figure.alt, figure.caption, figure.wide, width, height))
    return views


def _view(table: Table, part: str, csv_links: Mapping[str, str]) -> TableView:
    return table_view(table, csv=csv_links.get(f"{part}/{table.name}"), anchor=f"{part}-{table.name}")


def _missing_images(doc: Document, images: Mapping[str, bytes]) -> dict[str, bytes]:
    wanted = {figure_key("summary", f): f for f in doc.summary_figures}
    wanted.update({figure_key(s.id, f): f for s in doc.sections for f in s.figures})
    todo = {key: f.draw for key, f in wanted.items() if key not in images}
    return {key: files["png"] for key, files in draw_charts(todo).items()}


def render_html(doc: Document, *, images: Mapping[str, bytes] | None = None, template: object = None,
                csv_links: Mapping[str, str] | None = None) -> str:
    """The report ``doc`` as one self-contained HTML page.

    Parameters
    ----------
    doc
        The document.
    images
        PNG bytes of charts already drawn, by :func:`figure_key`; the others are drawn here.
    template
        None (the built-in template), a path to a jinja2 template, or a :class:`jinja2.Template`.
    csv_links
        ``{"<section id>/<table name>": address}`` of tables written as CSV, linked under them.

    Returns
    -------
    str
        The page. A table longer than :data:`~healthecon.report.document.LONG_TABLE_ROWS`
        rows is moved to the appendix (folded on screen, left out of print) and its section
        says where it is.

    Examples
    --------
    >>> import pandas as pd
    >>> from healthecon.report import Document, Section, Table
    >>> doc = Document("Virtual ward <pilot>", summary=["The ward costs £1,200 more per patient."],
    ...                sections=[Section("costs", "Costs", tables=[Table("costs", pd.DataFrame({"cost": [1200.0]}))])])
    >>> page = render_html(doc)
    >>> "<title>Virtual ward &lt;pilot&gt;</title>" in page, "£1,200" in page, 'name="viewport"' in page
    (True, True, True)
    """
    images = dict(images or {})
    images.update(_missing_images(doc, images))
    links = dict(csv_links or {})
    appendix: list[TableView] = []
    sections = []
    for section in doc.sections:
        tables, notes = [], list(section.notes)
        for table in section.tables:
            view = _view(table, section.id, links)
            if len(table.frame) > LONG_TABLE_ROWS:
                appendix.append(view)
                where = f" and in {view.csv}" if view.csv else ""
                notes.insert(0, f"{table.caption} ({len(table.frame)} rows) is in the appendix{where}.")
            else:
                tables.append(view)
        inputs = None if section.inputs is None else _view(section.inputs, section.id, links)
        sections.append(_SectionView(section.id, section.title, section.summary, _figures(section.id, section.figures, images),
                                     tables, notes, inputs, section.inputs_title, section.inputs_intro))
    meta = dict(doc.meta)
    meta.setdefault("generated", datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))
    view = _DocumentView(
        doc.title, meta, doc.verdict, doc.verdict_css, doc.summary,
        [_view(t, "summary", links) for t in doc.summary_tables], _figures("summary", doc.summary_figures, images),
        sections, [{"text": text, "href": href} for text, href in doc.links], appendix,
    )
    return _template(template).render(doc=view, css=_css())
