"""Self-contained HTML reports of worked-model reproductions, and their files on disk.

A report is one HTML file that can be e-mailed to a commissioner: the table of published
figures beside their reproductions comes first, then each model's caveats, charts (embedded
as base64 PNG, so nothing is fetched from elsewhere), result tables and the provenance of
every input (published, derived or assumed, with its source and quote). :func:`write_outputs`
also writes each table as CSV and each chart as PNG and SVG, so that the numbers behind the
report can be reused.

Nothing in the report is computed here: every figure comes from the
:class:`~healthecon.reproduction.Reproduction` records, and every provenance row from the
model's ``data/<model>.csv`` (installed as ``healthecon.data``), read as plain text.

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

import base64
import html
import io
import math
import sys
import time
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from importlib import resources
from os import PathLike
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from .reproduction import Check, Reproduction, checks_table

__all__ = [
    "format_value",
    "render_checks",
    "chart_images",
    "provenance_table",
    "render_html",
    "write_report",
    "write_outputs",
    "format_timings",
]

_KIND_COLOURS = {"published": "#e6f2ea", "derived": "#e8eef8", "assumed": "#fdf0dc"}

_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;margin:2em auto;max-width:72em;
color:#1b1b1b;line-height:1.45;padding:0 1em}
h1{font-size:1.6em;margin-bottom:.2em}h2{margin-top:2em;border-bottom:2px solid #0072B2;padding-bottom:.2em}
h3{margin-top:1.4em}.meta{color:#555;font-size:.9em}
table{border-collapse:collapse;margin:.6em 0;font-size:.88em}
th,td{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#f2f2f2}td.num{text-align:right;font-variant-numeric:tabular-nums}
.match{color:#0a6b2e;font-weight:600}.mismatch{color:#b00020;font-weight:700}
.summary{font-size:1.05em;padding:.5em .8em;border-radius:4px;display:inline-block}
.ok{background:#e6f2ea}.bad{background:#fbe3e6}
figure{display:inline-block;margin:.5em 1em .5em 0;vertical-align:top}
figure img{max-width:34em;border:1px solid #ddd}figcaption{font-size:.85em;color:#555}
ul.notes li{margin-bottom:.3em}.kind{font-weight:600}.wide{overflow-x:auto}
table.prov{table-layout:fixed;width:100%}table.prov td{overflow-wrap:anywhere}
table.prov th:nth-child(1){width:10em}table.prov th:nth-child(2){width:5em}table.prov th:nth-child(3){width:7em}
table.prov th:nth-child(4){width:6.5em}table.prov th:nth-child(5){width:10em}table.prov th:nth-child(6){width:9em}
table.prov th:nth-child(7){width:14em}
"""


def format_value(value: float, precision: float = 0.0) -> str:
    """Format a figure to two digits beyond its published rounding unit, with thousands commas.

    Examples
    --------
    >>> format_value(6.74, 0.01)
    '6.7400'
    >>> format_value(1196000.0, 100000)
    '1,196,000'
    >>> format_value(0.8421)
    '0.8421'
    >>> format_value(-1e-12, 0.01)
    '0.0000'
    """
    value = float(value)
    if not math.isfinite(value):
        return str(value)
    if precision > 0:
        decimals = max(0, math.ceil(-math.log10(precision)) + 2)
    else:
        magnitude = math.floor(math.log10(abs(value))) if value else 0
        decimals = max(0, 3 - magnitude)
    text = f"{value:,.{decimals}f}"
    return text[1:] if text.startswith("-") and not text.strip("-0.,") else text  # no "-0.0000"


def _published(check: Check) -> str:
    """The published figure at its published precision ("4.00", ">0.80", "1,200,000")."""
    if check.precision > 0:
        decimals = max(0, math.ceil(-math.log10(check.precision) - 1e-9))
        text = f"{check.published:,.{decimals}f}"
    else:
        text = f"{check.published:,g}"
    return ("" if check.comparison == "=" else check.comparison) + text


def _interval(check: Check) -> str:
    if check.interval is None:
        return ""
    low, high = check.interval
    return f"{format_value(low, check.precision)} to {format_value(high, check.precision)}"


def render_checks(reproductions: Sequence[Reproduction]) -> pd.DataFrame:
    """The published-vs-reproduced table as display strings (one row per check).

    Columns: model, figure, published, reproduced, difference, status, interval, probability,
    note. The numbers are those of :func:`healthecon.reproduction.checks_table`, formatted to
    the published precision; ``probability`` reads "<label> = <value>" (e.g. "P(return > £1)
    = 0.962") for figures a PSA stands behind.

    Examples
    --------
    >>> from healthecon.reproduction import Check, Reproduction
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
    rows = []
    for check, (_, row) in zip(checks, numbers.iterrows(), strict=True):
        rows.append(
            {
                "model": row["model"],
                "figure": row["figure"],
                "published": _published(check),
                "reproduced": format_value(row["reproduced"], check.precision),
                "difference": format_value(row["difference"], check.precision) if check.comparison == "=" else "",
                "status": row["status"],
                "interval": _interval(check),
                "probability": check.probability_text,
                "note": check.note,
            }
        )
    return pd.DataFrame(rows, columns=["model", "figure", "published", "reproduced", "difference", "status", "interval",
                                       "probability", "note"])


#: Chart settings for files: SVG text stays text (editable, and far cheaper to write than one
#: path per glyph); a fixed hash salt and no date keep the files identical from run to run.
_SAVE_RC = {"svg.fonttype": "none", "svg.hashsalt": "healthecon"}
_NO_DATE = {"png": {"Software": None}, "svg": {"Date": None}, "pdf": {"CreationDate": None, "ModDate": None}}


def _save_figure(fig, formats: Sequence[str], dpi: int) -> dict[str, bytes]:
    """Save ``fig`` in each format, laying it out and rendering it in Agg only once.

    ``savefig(bbox_inches="tight")`` draws a figure twice per format (once to measure it) and
    re-runs constrained layout on every draw. Here one Agg draw at ``dpi`` lays the figure out
    and renders it; the PNG is that image cropped to the tight box (padded by
    ``savefig.pad_inches``, as ``savefig`` does), and every other format is saved once with
    the layout frozen and the same box.
    """
    import matplotlib
    import numpy as np

    fig.set_dpi(dpi)
    fig.canvas.draw()  # runs the layout engine and renders at the output resolution
    box = fig.get_tightbbox(fig.canvas.get_renderer()).padded(matplotlib.rcParams["savefig.pad_inches"])
    with plt.rc_context({"figure.autolayout": False, "figure.constrained_layout.use": False}):
        fig.set_layout_engine(None)  # keep the positions just computed
    files = {}
    for fmt in formats:
        if fmt == "png":
            files[fmt] = _crop_png(np.asarray(fig.canvas.buffer_rgba()), box, dpi, fig.get_facecolor())
            continue
        buffer = io.BytesIO()
        fig.savefig(buffer, format=fmt, dpi=dpi, bbox_inches=box, metadata=_NO_DATE.get(fmt))
        files[fmt] = buffer.getvalue()
    return files


def _crop_png(rgba, box, dpi: int, facecolor) -> bytes:
    """PNG bytes of the rendered figure ``rgba`` cut to ``box`` (inches, origin bottom left).

    Parts of the box outside the figure (the padding round an artist at its edge) are filled
    with the figure's face colour, as ``savefig(bbox_inches="tight")`` would show them.
    """
    import numpy as np
    from PIL import Image

    height, width = rgba.shape[:2]
    x0, x1 = round(box.x0 * dpi), round(box.x1 * dpi)
    top, bottom = height - round(box.y1 * dpi), height - round(box.y0 * dpi)  # image rows run downwards
    out = np.empty((bottom - top, x1 - x0, 4), dtype=np.uint8)
    out[...] = np.round(np.asarray(facecolor) * 255).astype(np.uint8)
    src_rows = slice(max(top, 0), min(bottom, height))
    src_cols = slice(max(x0, 0), min(x1, width))
    out[src_rows.start - top : src_rows.stop - top, src_cols.start - x0 : src_cols.stop - x0] = rgba[src_rows, src_cols]
    buffer = io.BytesIO()
    Image.fromarray(out, "RGBA").save(buffer, format="png", dpi=(dpi, dpi))
    return buffer.getvalue()


def chart_images(reproduction: Reproduction, formats: Sequence[str] = ("png",), dpi: int = 120) -> dict[str, dict[str, bytes]]:
    """Draw every chart of a reproduction and return ``{chart: {format: bytes}}``.

    Each chart is drawn once on a new figure, laid out once, saved in each format and closed
    (also when saving fails). SVG keeps its text as text (``svg.fonttype: none``).
    """
    images: dict[str, dict[str, bytes]] = {}
    with plt.rc_context(_SAVE_RC):
        for name, chart in reproduction.charts.items():
            fig = chart(None).figure
            try:
                images[name] = _save_figure(fig, formats, dpi)
            finally:
                plt.close(fig)
    return images


def provenance_table(model: str) -> pd.DataFrame | None:
    """The rows of ``data/<model>.csv`` (installed as ``healthecon.data``), or None if absent.

    Read as plain CSV text for display; validation is :mod:`healthecon.provenance`'s job.
    """
    source = resources.files("healthecon.data").joinpath(f"{model}.csv")
    if not source.is_file():
        return None
    with source.open("r", encoding="utf-8") as handle:
        return pd.read_csv(handle, dtype=str, keep_default_na=False)


_NUMERIC_TEXT = ("published", "reproduced", "difference")


def _table_html(
    frame: pd.DataFrame, *, status_column: str | None = None, kind_column: str | None = None, css_class: str = ""
) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = []
    for _, row in frame.iterrows():
        style = ""
        if kind_column and str(row[kind_column]) in _KIND_COLOURS:
            style = f' style="background:{_KIND_COLOURS[str(row[kind_column])]}"'
        cells = []
        for column, value in row.items():
            classes = []
            if column in _NUMERIC_TEXT and status_column is not None:
                classes.append("num")
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                classes.append("num")
                text = format_value(value) if isinstance(value, float) else f"{value:,}"
            else:
                text = str(value)
            if column == status_column:
                classes.append(text)
            if column == kind_column:
                classes.append("kind")
            attr = f' class="{" ".join(classes)}"' if classes else ""
            cells.append(f"<td{attr}>{html.escape(text)}</td>")
        body.append(f"<tr{style}>{''.join(cells)}</tr>")
    attr = f' class="{css_class}"' if css_class else ""
    return f'<div class="wide"><table{attr}><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></div>'


def _model_section(rep: Reproduction, images: Mapping[str, Mapping[str, bytes]]) -> str:
    parts = [f'<h2 id="{html.escape(rep.model)}">{html.escape(rep.title)} <small>({html.escape(rep.model)})</small></h2>']
    parts.append(_table_html(render_checks([rep]).drop(columns="model"), status_column="status"))
    if rep.notes:
        items = "".join(f"<li>{html.escape(note)}</li>" for note in rep.notes)
        parts.append(f'<h3>Notes</h3><ul class="notes">{items}</ul>')
    if images:
        parts.append("<h3>Charts</h3>")
        for name, files in images.items():
            encoded = base64.b64encode(files["png"]).decode("ascii")
            parts.append(
                f'<figure><img alt="{html.escape(name)}" src="data:image/png;base64,{encoded}">'
                f"<figcaption>{html.escape(name)}</figcaption></figure>"
            )
    for name, table in rep.tables.items():
        parts.append(f"<h3>Table: {html.escape(name)}</h3>")
        parts.append(_table_html(_readable(table)))
    provenance = provenance_table(rep.model)
    if provenance is not None:
        parts.append(
            "<h3>Inputs and their provenance</h3><p>Green rows are published, blue rows derived by the "
            "arithmetic shown, amber rows assumed (replace them with local figures).</p>"
        )
        parts.append(_table_html(provenance, kind_column="kind" if "kind" in provenance.columns else None, css_class="prov"))
    return "\n".join(parts)


def _readable(frame: pd.DataFrame) -> pd.DataFrame:
    """A table as shown: a wide table of a few rows (e.g. a PSA summary) is turned on its side."""
    if frame.shape[1] > 10 and frame.shape[0] <= 5:
        frame = frame.T
        frame.columns = [str(c) for c in frame.columns]
        frame.index.name = frame.index.name or "measure"
    return frame.reset_index() if _has_named_index(frame) else frame


def _has_named_index(frame: pd.DataFrame) -> bool:
    return any(name is not None for name in frame.index.names)


def render_html(
    reproductions: Sequence[Reproduction],
    *,
    title: str = "healthecon: published figures reproduced",
    run_info: Mapping[str, object] | None = None,
    images: Mapping[str, Mapping[str, Mapping[str, bytes]]] | None = None,
) -> str:
    """Render one self-contained HTML page for the given reproductions.

    Parameters
    ----------
    reproductions
        What the worked models returned.
    title
        Page title.
    run_info
        Facts about the run shown under the title (e.g. draws, seed, version, seconds).
    images
        Pre-rendered chart images, ``{model: {chart: {"png": bytes}}}``; charts are drawn
        here when not given.

    Returns
    -------
    str
        The HTML document; images are embedded as base64 PNG, so the file stands alone.
    """
    if images is None:
        images = {rep.model: chart_images(rep) for rep in reproductions}
    n_checks = sum(len(rep.checks) for rep in reproductions)
    n_bad = sum(c.status != "match" for rep in reproductions for c in rep.checks)
    verdict = (
        f'<p class="summary ok">All {n_checks} published figures reproduced within their published rounding.</p>'
        if n_bad == 0
        else f'<p class="summary bad">{n_bad} of {n_checks} published figures NOT reproduced.</p>'
    )
    info = dict(run_info or {})
    info.setdefault("generated", datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))
    meta = " · ".join(f"{html.escape(str(k))}: {html.escape(str(v))}" for k, v in info.items())
    contents = " · ".join(f'<a href="#{html.escape(r.model)}">{html.escape(r.title)}</a>' for r in reproductions)
    sections = "\n".join(_model_section(rep, images.get(rep.model, {})) for rep in reproductions)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>\n"
        f"<h1>{html.escape(title)}</h1><p class=\"meta\">{meta}</p>\n{verdict}\n"
        "<h2>Published figures and their reproduction</h2>\n"
        "<p>A figure matches when the reproduced value is within half the published rounding unit "
        "(for example ±0.005 for “£6.74”), or on the stated side of a bound (“more than 80%”).</p>\n"
        f"{_table_html(render_checks(reproductions), status_column='status')}\n"
        f"<p>Models: {contents}</p>\n{sections}\n</body></html>\n"
    )


def write_report(
    reproductions: Sequence[Reproduction],
    path: str | PathLike[str],
    **options: object,
) -> Path:
    """Write :func:`render_html` to ``path`` (UTF-8) and return the path."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_html(reproductions, **options), encoding="utf-8")  # type: ignore[arg-type]
    return target


def format_timings(phases: Mapping[str, float], total: float | None = None) -> str:
    """Seconds taken by each phase of a run, labelled, then the total wall time.

    Examples
    --------
    >>> format_timings({"models": 1.13, "charts and report": 14.2}, total=16.46)
    'models 1.1 s; charts and report 14.2 s; total 16.5 s'
    """
    parts = [f"{name} {seconds:.1f} s" for name, seconds in phases.items()]
    if total is not None:
        parts.append(f"total {total:.1f} s")
    return "; ".join(parts)


def write_outputs(
    reproductions: Sequence[Reproduction],
    directory: str | PathLike[str],
    *,
    run_info: Mapping[str, object] | None = None,
    report_name: str = "report.html",
    progress: bool | None = False,
    timings: Mapping[str, float] | None = None,
    started: float | None = None,
) -> list[Path]:
    """Write every table (CSV), chart (PNG and SVG), the checks table and the HTML report.

    Layout: ``<directory>/checks.csv``, ``<directory>/<report_name>``, and per model
    ``<directory>/<model>/<table>.csv``, ``<directory>/<model>/<chart>.png`` and ``.svg``.

    ``progress`` shows a bar on stderr while charts are drawn (None: only on a terminal).

    ``timings`` (seconds of earlier phases, e.g. ``{"models": 1.1}``) and ``started`` (the
    ``time.perf_counter()`` reading when the run began) make the report's ``run time`` honest:
    when either is given it reads e.g. "models 1.1 s; charts and report 14.2 s; total 16.5 s",
    the charts-and-report phase being timed here.

    Returns
    -------
    list of Path
        Every file written.
    """
    from tqdm import tqdm

    begun = time.perf_counter()
    root = Path(directory)
    root.mkdir(parents=True, exist_ok=True)
    written = []
    images = {}
    for rep in tqdm(reproductions, desc="write", unit="model", file=sys.stderr,
                    disable=None if progress is None else not progress):
        folder = root / rep.model
        folder.mkdir(exist_ok=True)
        for name, table in rep.tables.items():
            path = folder / f"{name}.csv"
            table.to_csv(path, index=_has_named_index(table))
            written.append(path)
        images[rep.model] = chart_images(rep, formats=("png", "svg"))
        for name, files in images[rep.model].items():
            for fmt, data in files.items():
                path = folder / f"{name}.{fmt}"
                path.write_bytes(data)
                written.append(path)
    checks = root / "checks.csv"
    checks_table(reproductions).to_csv(checks, index=False)
    written.append(checks)
    if timings is not None or started is not None:
        now = time.perf_counter()
        run_info = {**(run_info or {}), "run time": format_timings(
            {**(timings or {}), "charts and report": now - begun}, None if started is None else now - started)}
    written.append(write_report(reproductions, root / report_name, run_info=run_info, images=images))
    return written
