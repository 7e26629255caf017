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
import re
import sys
import time
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from importlib import resources
from os import PathLike
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from ._spreadsheet import put_cell
from .reproduction import Chart, Check, Reproduction, checks_table

__all__ = [
    "format_value",
    "render_checks",
    "chart_images",
    "provenance_table",
    "render_html",
    "write_report",
    "write_outputs",
    "write_workbook",
    "write_excel",
    "number_format",
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

    Examples
    --------
    >>> from healthecon.reproduction import Reproduction
    >>> def line(ax=None):
    ...     ax = ax or plt.subplots()[1]
    ...     ax.plot([0, 1], [0, 2])
    ...     return ax
    >>> images = chart_images(Reproduction("demo", "Demo", charts={"line": line}), formats=("png", "svg"), dpi=50)
    >>> images["line"]["png"][:4], b"<svg" in images["line"]["svg"], plt.get_fignums()
    (b'\\x89PNG', True, [])
    """
    return _draw_charts(reproduction.charts, formats, dpi)


def _draw_charts(charts: Mapping[str, Chart], formats: Sequence[str], dpi: int) -> dict[str, dict[str, bytes]]:
    images: dict[str, dict[str, bytes]] = {}
    with plt.rc_context(_SAVE_RC):
        for name, chart in charts.items():
            fig = chart(None).figure
            try:
                images[name] = _save_figure(fig, formats, dpi)
            finally:
                plt.close(fig)
    return images


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
    workbook: str | None = None,
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
    workbook
        Address of the Excel workbook written beside the page (e.g. ``"report.xlsx"``), linked
        under the title; no link when None.

    Returns
    -------
    str
        The HTML document; images are embedded as base64 PNG, so the file stands alone.

    Examples
    --------
    >>> from healthecon.reproduction import Check, Reproduction
    >>> rep = Reproduction("demo", "Demo <scheme>", checks=[Check("demo", "ratio", 2.0, 2.3, 0.01)],
    ...                    tables={"summary": pd.DataFrame({"npv": [1500.0]})})
    >>> page = render_html([rep], run_info={"draws": 100}, workbook="report.xlsx")
    >>> "1 of 1 published figures NOT reproduced" in page, "Demo &lt;scheme&gt;" in page, "draws: 100" in page
    (True, True, True)
    >>> '<a href="report.xlsx">' in page, "Table: summary" in page
    (True, True)
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
    link = "" if workbook is None else (
        f'<p>The same tables and charts as an Excel workbook, for a business case: '
        f'<a href="{html.escape(workbook)}">{html.escape(workbook)}</a>.</p>\n')
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>\n"
        f"<h1>{html.escape(title)}</h1><p class=\"meta\">{meta}</p>\n{verdict}\n{link}"
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
    """Write :func:`render_html` to ``path`` (UTF-8; its folder is created) and return the path.

    ``options`` are passed to :func:`render_html`.

    Examples
    --------
    >>> import tempfile
    >>> from healthecon.reproduction import Check, Reproduction
    >>> rep = Reproduction("demo", "Demo", checks=[Check("demo", "ratio", 2.0, 2.001, 0.01)])
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = write_report([rep], f"{folder}/out/report.html", title="Demo report")
    ...     print(path.name, "<title>Demo report</title>" in path.read_text(encoding="utf-8"))
    report.html True
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_html(reproductions, **options), encoding="utf-8")  # type: ignore[arg-type]
    return target


# --- Excel workbook ---------------------------------------------------------------------------

#: Characters Excel forbids in sheet names, and its limit on their length.
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_SHEET_MAX = 31

_PROBABILITY_FORMAT = _RATIO_FORMAT = "0.000"
_EFFECT_FORMAT = "#,##0.000"
_INTEGER_FORMAT = "#,##0"
_SUFFIXES = re.compile(r"(_(lower|upper|low|high|base|mean|median|undiscounted|discounted))+$")
#: Words that make a column money wherever they stand in its name (``cost_per_bed_day``,
#: ``published_icer``, ``inc_nmb_lower``); "net" only on its own or as ``net_benefit``.
_MONEY_WORDS = {"cost", "costs", "benefit", "benefits", "npv", "nmb", "inb", "saving", "savings", "price", "wtp", "icer"}
_MONEY_NAMES = {"net", "net_benefit", "net_monetary_benefit"}
_EFFECT_NAMES = {"effect", "qaly", "qalys", "ly", "lys", "life_years"}
_PROBABILITY_WORDS = {"probability", "share", "deadweight", "attribution", "drop-off", "displacement"}
_RATIO_WORDS = {"ratio", "bcr", "roi", "sroi_ratio", "net_roi", "return", "return_per_1", "gross_return_per_1"}
_CURVE_TABLES = re.compile(r"ceac|ceaf|acceptab")
_THRESHOLD_NAMES = {"wtp", "threshold", "lambda"}


def _money_format(currency: str, values: pd.Series) -> str:
    """``"£"#,##0``, with pence when every amount is under 10 (a unit cost of £2.35)."""
    numbers = pd.to_numeric(values, errors="coerce").abs()
    numbers = numbers[numbers < math.inf]  # finite amounts only (NaN compares False too)
    small = len(numbers) > 0 and bool((numbers < 10).all())
    return f'"{currency}"#,##0' + (".00" if small else "")


def number_format(table_name: str, column: object, values: pd.Series, attrs: Mapping[str, object] | None = None,
                  currency: str = "£") -> str:
    """The Excel number format of a numeric column, from what its name and the table say it is.

    Probabilities (``p_*``, ``probability``, ``share``, deadweight, attribution, drop-off; every
    column of a CEAC or acceptability curve but its threshold) and ratios (``bcr``, ``roi``, ``sroi_ratio``,
    ``return per £1``) read ``0.000``; money (a name with the word ``cost``, ``benefit``,
    ``npv``, ``nmb``, ``inb``, ``saving``, ``price``, ``icer`` or ``wtp`` in it, e.g.
    ``inc_cost_lower`` or ``cost_per_bed_day``; ``net``; any header naming the currency, e.g.
    ``"saving (£)"``) reads ``"£"#,##0`` (``"£"#,##0.00`` when every amount is under 10); health effects (QALYs,
    life-years) ``#,##0.000``; a one-way table's outcome columns follow its ``attrs["units"]``.
    ``currency`` is the table's ``attrs["currency"]`` when it has one. Other whole numbers read
    ``#,##0`` and other numbers Excel's ``General`` (shown as stored).

    Examples
    --------
    >>> values = pd.Series([1000.0, 15886.0])
    >>> number_format("icer", "inc_cost", values), number_format("icer", "icer", values, {"currency": "€"})
    ('"£"#,##0', '"€"#,##0')
    >>> number_format("summary", "p_cost_effective", values), number_format("x", "gross_return_per_1", values)
    ('0.000', '0.000')
    >>> number_format("one_way", "outcome_low", values, {"units": "per £1"}), number_format("x", "saving (£)", values)
    ('0.000', '"£"#,##0')
    >>> number_format("ceac", "usual care", values), number_format("x", "bed days", pd.Series([3, 4]))
    ('0.000', '#,##0')
    """
    attrs = attrs or {}
    currency = str(attrs.get("currency") or currency)
    text = str(column).strip().lower()
    base = _SUFFIXES.sub("", text.removeprefix("inc_"))
    first = re.split(r"[\s(:,]", text, maxsplit=1)[0]
    words = set(re.split(r"[^a-z0-9£-]+", text))
    if (re.match(r"p(_|\(|$)", text) or first in _PROBABILITY_WORDS or "probability" in words
            or (_CURVE_TABLES.search(table_name.lower()) and base not in _THRESHOLD_NAMES)):
        return _PROBABILITY_FORMAT
    if base in _RATIO_WORDS or words & _RATIO_WORDS or "per £1" in text or f"per {currency.lower()}1" in text:
        return _RATIO_FORMAT
    if base.startswith("outcome") or base == "swing":
        units = str(attrs.get("units", ""))
        if units.startswith("per"):
            return _RATIO_FORMAT
        if units in (currency, "£"):
            return _money_format(currency, values)
    if base in _MONEY_NAMES or words & _MONEY_WORDS or (currency and currency.lower() in text) or "£" in text:
        return _money_format(currency, values)
    if base in _EFFECT_NAMES or base.startswith("qaly"):
        return _EFFECT_FORMAT
    if pd.api.types.is_integer_dtype(values):
        return _INTEGER_FORMAT
    return "General"


class _SheetNames:
    """Valid, unique (ignoring case, as Excel does) sheet names of at most 31 characters."""

    def __init__(self) -> None:
        self._used: set[str] = set()

    def __call__(self, wanted: str) -> str:
        name = _SHEET_FORBIDDEN.sub("_", str(wanted)).strip("' ") or "sheet"
        candidate, k = name[:_SHEET_MAX].rstrip("' "), 1
        while candidate.lower() in self._used or candidate.lower() == "history":  # "History" is reserved
            k += 1
            suffix = f" ({k})"
            candidate = name[: _SHEET_MAX - len(suffix)].rstrip("' ") + suffix
        self._used.add(candidate.lower())
        return candidate


def _display_width(value: object, fmt: str | None) -> int:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        decimals = 3 if "0.000" in (fmt or "") else (2 if ".00" in (fmt or "") else (0 if "#,##0" in (fmt or "") else 4))
        return len(f"{value:,.{decimals}f}") + 1
    return max((len(line) for line in str(value).splitlines()), default=0)


_MAX_WIDTH = 60


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


def _frame_sheet(book, title: str, frame: pd.DataFrame, formats: Sequence[str | None], n_frozen_columns: int = 0,
                 row_formats: Sequence[Sequence[str | None]] | None = None):
    """A sheet of ``frame``: bold header, frozen header row (and index columns), filters, fitted widths."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(title)
    bold = Font(bold=True)
    widths = [_display_width(c, None) for c in frame.columns]
    for j, column in enumerate(frame.columns, start=1):
        put_cell(sheet, 1, j, str(column)).font = bold
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


def _inputs_sheet(book, title: str, inputs: pd.DataFrame) -> None:
    """A model's inputs and their provenance, rows shaded by kind as in the HTML report.

    A column whose every entry reads as a number (the ``value`` column) is stored as numbers.
    """
    from openpyxl.styles import PatternFill

    frame = inputs.copy()
    for column in frame.columns:
        try:
            frame[column] = pd.to_numeric(frame[column])
        except (ValueError, TypeError):
            continue
    sheet = _frame_sheet(book, title, frame, [None] * len(frame.columns), n_frozen_columns=1)
    if "kind" not in frame.columns:
        return
    for row, kind in enumerate(frame["kind"], start=2):
        if kind in _KIND_COLOURS:
            fill = PatternFill("solid", fgColor=_KIND_COLOURS[kind].lstrip("#").upper())
            for (cell,) in sheet.iter_cols(min_row=row, max_row=row):
                cell.fill = fill


def _table_sheet(book, title: str, name: str, table: pd.DataFrame, currency: str,
                 formats: Mapping[str, str] | None = None) -> None:
    """One analysis table, laid out as its CSV is (a named index becomes the first columns)."""
    indexed = _has_named_index(table)
    frame = table.reset_index() if indexed else table
    chosen = []
    for column in frame.columns:
        if formats and str(column) in formats:
            chosen.append(formats[str(column)])
        elif pd.api.types.is_numeric_dtype(frame[column]) and not pd.api.types.is_bool_dtype(frame[column]):
            chosen.append(number_format(name, column, frame[column], table.attrs, currency))
        else:
            chosen.append(None)
    _frame_sheet(book, title, frame, chosen, n_frozen_columns=table.index.nlevels if indexed else 0)


def _chart_sheet(book, title: str, images: Mapping[str, Mapping[str, bytes]], max_width: int = 720) -> None:
    """The charts as PNG images, one below another, each under its name."""
    from openpyxl.drawing.image import Image
    from openpyxl.styles import Font

    sheet = book.create_sheet(title)
    row = 1
    for name, files in images.items():
        put_cell(sheet, row, 1, name).font = Font(bold=True)
        image = Image(io.BytesIO(files["png"]))
        if image.width > max_width:
            image.height, image.width = round(image.height * max_width / image.width), max_width
        sheet.add_image(image, f"A{row + 1}")
        row += math.ceil(image.height / 20) + 3  # default rows are 20 px high


def _checks_frame(reproductions: Sequence[Reproduction]) -> tuple[pd.DataFrame, list[list[str | None]]]:
    """The checks table with numbers as numbers (a bound, ">0.8", stays text) and each row's formats."""
    frame = checks_table(reproductions)
    checks = [c for rep in reproductions for c in rep.checks]
    frame["published"] = [c.published if c.comparison == "=" else text for c, text in zip(checks, frame["published"])]
    frame["note"] = [c.note for c in checks]
    formats = []
    for check in checks:
        decimals = max(0, math.ceil(-math.log10(check.precision)) + 2) if check.precision > 0 else 4
        published = "#,##0" + ("." + "0" * (decimals - 2) if decimals > 2 else "")
        figure = "#,##0" + ("." + "0" * decimals if decimals else "")
        formats.append([{"published": published, "probability": _PROBABILITY_FORMAT}.get(c, figure)
                        if c in ("published", "reproduced", "difference", "interval_low", "interval_high", "probability")
                        else None for c in frame.columns])
    return frame, formats


def _save_book(book, path: str | PathLike[str]) -> Path:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    book.save(target)
    return target


def _new_book():
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    return book


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

    Each table gets a sheet (named after its key, cut to Excel's 31 characters, forbidden
    characters replaced, made unique), laid out as its CSV would be: a named index becomes the
    first columns. Numbers are stored as numbers with the formats of :func:`number_format`
    (money ``"£"#,##0``, probabilities and ratios ``0.000``), the header row (and index columns)
    frozen, filters on, columns fitted to their contents. Text is always stored as text, so a
    name beginning with ``=``, ``+``, ``-`` or ``@`` is never run as a formula. Charts (functions
    that draw on an optional Axes, as :mod:`healthecon.plot` functions do) are drawn and inserted
    as PNG images on a last sheet, ``charts``.

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
    names = _SheetNames()
    for name, table in tables.items():
        _table_sheet(book, names(name), str(name), table, currency, (number_formats or {}).get(name))
    images = _draw_charts(charts or {}, ("png",), dpi)
    if images:
        _chart_sheet(book, names("charts"), images)
    return _save_book(book, path)


def write_workbook(
    reproductions: Sequence[Reproduction],
    path: str | PathLike[str],
    *,
    images: Mapping[str, Mapping[str, Mapping[str, bytes]]] | None = None,
    currency: str = "£",
) -> Path:
    """Write the reproductions to one Excel workbook, the HTML report's companion for a business case.

    Sheets: ``Published vs reproduced`` (one row per figure: published, reproduced, difference,
    status, the PSA interval ends, the probability and its label, source and note; numbers to
    two digits beyond the published rounding), then for each model one sheet per table
    (``"<model> <table>"``, formatted as :func:`write_excel` does), a ``"<model> inputs"``
    sheet with every input and its provenance (rows shaded green if published, blue if
    derived, amber if assumed, as in the HTML report), and a ``"<model> charts"`` sheet with
    its charts as PNG images.

    Parameters
    ----------
    reproductions
        What the worked models returned.
    path
        The ``.xlsx`` file to write.
    images
        Pre-rendered charts, ``{model: {chart: {"png": bytes}}}`` (as :func:`write_outputs`
        has them); drawn here when not given.
    currency
        The currency of money columns when a table's ``attrs`` do not name one.

    Examples
    --------
    >>> import tempfile
    >>> from openpyxl import load_workbook
    >>> from healthecon.reproduction import Check, Reproduction
    >>> rep = Reproduction("demo", "Demo", checks=[Check("demo", "ICER (£ per QALY)", 13886, 13885.96, 1)],
    ...                    tables={"icer": pd.DataFrame({"strategy": ["new"], "icer": [13885.96]})})
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     book = load_workbook(write_workbook([rep], f"{folder}/report.xlsx"))
    ...     checks = book["Published vs reproduced"]
    ...     print(book.sheetnames, checks["D2"].value, checks["D2"].number_format, book["demo icer"]["B2"].value)
    ['Published vs reproduced', 'demo icer'] 13885.96 #,##0.00 13885.96
    """
    book = _new_book()
    names = _SheetNames()
    frame, row_formats = _checks_frame(reproductions)
    _frame_sheet(book, names("Published vs reproduced"), frame, [None] * len(frame.columns), n_frozen_columns=2,
                 row_formats=row_formats)
    _highlight_mismatches(book.worksheets[0], list(frame.columns).index("status") + 1, len(frame))
    for rep in reproductions:
        for name, table in rep.tables.items():
            _table_sheet(book, names(f"{rep.model} {name}"), name, table, currency)
        inputs = provenance_table(rep.model)
        if inputs is not None:
            _inputs_sheet(book, names(f"{rep.model} inputs"), inputs)
        pngs = chart_images(rep) if images is None else images.get(rep.model, {})
        if pngs:
            _chart_sheet(book, names(f"{rep.model} charts"), pngs)
    return _save_book(book, path)


def _highlight_mismatches(sheet, column: int, n_rows: int) -> None:
    from openpyxl.styles import Font, PatternFill

    for row in range(2, n_rows + 2):
        cell = sheet.cell(row=row, column=column)
        if cell.value == "mismatch":
            cell.font = Font(bold=True, color="B00020")
            cell.fill = PatternFill("solid", fgColor="FBE3E6")


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
    workbook_name: str | None = "report.xlsx",
    progress: bool | None = False,
    timings: Mapping[str, float] | None = None,
    started: float | None = None,
) -> list[Path]:
    """Write every table (CSV), chart (PNG and SVG), the checks table, the workbook and the HTML report.

    Layout: ``<directory>/checks.csv``, ``<directory>/<workbook_name>`` (:func:`write_workbook`;
    none when ``workbook_name`` is None), ``<directory>/<report_name>`` (linking to the
    workbook), and per model ``<directory>/<model>/<table>.csv``,
    ``<directory>/<model>/<chart>.png`` and ``.svg``.

    ``progress`` shows a bar on stderr while charts are drawn (None: only on a terminal).

    ``timings`` (seconds of earlier phases, e.g. ``{"models": 1.1}``) and ``started`` (the
    ``time.perf_counter()`` reading when the run began) make the report's ``run time`` honest:
    when either is given it reads e.g. "models 1.1 s; charts and report 14.2 s; total 16.5 s",
    the charts-and-report phase being timed here.

    Returns
    -------
    list of Path
        Every file written, the HTML report last.

    Examples
    --------
    >>> import tempfile
    >>> from healthecon.reproduction import Check, Reproduction
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
    if workbook_name is not None:
        written.append(write_workbook(reproductions, root / workbook_name, images=images))
    if timings is not None or started is not None:
        now = time.perf_counter()
        run_info = {**(run_info or {}), "run time": format_timings(
            {**(timings or {}), "charts and report": now - begun}, None if started is None else now - started)}
    written.append(write_report(reproductions, root / report_name, run_info=run_info, images=images,
                                workbook=workbook_name))
    return written
