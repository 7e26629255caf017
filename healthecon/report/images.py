"""Charts drawn for reports and workbooks: each chart a function of an optional Axes.

A chart is kept as a function, not a figure (``draw(ax=None) -> Axes``, as every
``healthecon.plot`` function is), so nothing is drawn until a report is written. Each is drawn
once on a new figure, laid out once, saved in each format and closed (also when saving fails).
SVG keeps its text as text, and no date or random id goes into the files, so the same chart
gives the same bytes from run to run.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # matplotlib is imported only when a chart is drawn
    from matplotlib.axes import Axes

__all__ = ["Chart", "chart", "describe_chart", "draw_charts"]

#: A chart for a report: draws on the Axes given (or a new one) and returns it.
Chart = Callable[["Axes | None"], "Axes"]

#: Chart settings for files: SVG text stays text (editable, and far cheaper to write than one
#: path per glyph); a fixed hash salt and no date keep the files identical from run to run.
_SAVE_RC = {"svg.fonttype": "none", "svg.hashsalt": "healthecon"}
_NO_DATE = {"png": {"Software": None}, "svg": {"Date": None}, "pdf": {"CreationDate": None, "ModDate": None}}


def chart(draw: Callable[..., Axes] | str, *args: object, **kwargs: object) -> Chart:
    """A :data:`Chart` that calls ``draw(*args, ax=ax, **kwargs)`` when the report is written.

    ``draw`` is a plot function or the name of one in :mod:`healthecon.plot` (e.g.
    ``"plot_ceac"``), which is looked up only when the chart is drawn, so that building a
    report's charts does not import matplotlib. The chart also carries a ``caption`` and an
    ``alt`` text saying what it shows, read from the plot function and its data
    (:func:`describe_chart`), which reports use.

    Examples
    --------
    >>> line = chart(lambda values, ax=None, colour="k": (values, ax, colour), [1, 2], colour="b")
    >>> line()
    ([1, 2], None, 'b')
    >>> chart("plot_waterfall").caption
    'From gross value to net present value'
    """

    def drawn(ax: Axes | None = None) -> Axes:
        function = draw
        if isinstance(function, str):
            from .. import plot

            function = getattr(plot, draw)
        return function(*args, ax=ax, **kwargs)

    drawn.caption, drawn.alt = describe_chart(draw, *args, **kwargs)  # type: ignore[attr-defined]
    return drawn


def _names(items: Sequence[object]) -> str:
    items = [str(i) for i in items]
    if not items:
        return ""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def describe_chart(draw: Callable[..., Axes] | str, *args: object, **kwargs: object) -> tuple[str, str]:
    """``(caption, alt text)`` of a chart drawn by ``draw(*args, **kwargs)`` (a function, or its name).

    Known for the :mod:`healthecon.plot` functions (the alt text names the strategies, the
    threshold range, the parameters with the largest swing ...); any other function gets its
    name as words.

    Examples
    --------
    >>> from healthecon.plot import plot_tornado
    >>> import pandas as pd
    >>> table = pd.DataFrame({"swing": [3.0, 1.0]}, index=pd.Index(["Drug cost", "p_cure"], name="parameter"))
    >>> describe_chart(plot_tornado, table)[1]
    'Tornado diagram of a one-way sensitivity analysis: each parameter at the ends of its range, the others at base case; largest swing first: Drug cost and p_cure.'
    """
    import numpy as np

    from ..formatting import format_money

    name = draw if isinstance(draw, str) else getattr(draw, "__name__", "chart")
    data = args[0] if args else None
    currency = str(getattr(data, "attrs", {}).get("currency") or "£") if data is not None else "£"
    unit = str(getattr(data, "attrs", {}).get("effect_unit") or "QALY") if data is not None else "QALY"
    strategies = [str(s) for s in data["strategy"].values] if hasattr(data, "data_vars") and "strategy" in data.dims else []
    samples = int(data.sizes.get("sample", 1)) if hasattr(data, "sizes") else 1
    strategy = args[1] if len(args) > 1 else kwargs.get("strategy")
    if name == "plot_ce_plane":
        comparator = str(args[1]) if len(args) > 1 else str(kwargs.get("comparator", ""))
        others = [s for s in strategies if s != comparator]
        wtp = kwargs.get("wtp")
        lines = [float(w) for w in np.atleast_1d(wtp)] if wtp is not None else []
        alt = (f"Scatter of the incremental {unit}s (across) and incremental cost (up) of {_names(others) or 'each strategy'} "
               f"against {comparator} in each of {samples:,} samples")
        if lines:
            alt += f", with threshold lines at {_names([format_money(w, currency) for w in lines])} per {unit}"
        return f"Cost-effectiveness plane against {comparator}", alt + "."
    if name in ("plot_ceac", "plot_ceaf", "plot_expected_loss"):
        grid = np.atleast_1d(np.asarray(args[1] if len(args) > 1 else kwargs.get("wtp", [0.0]), dtype=float))
        span = f"from {format_money(grid.min(), currency)} to {format_money(grid.max(), currency)} per {unit}"
        what = {"plot_ceac": "Cost-effectiveness acceptability curves", "plot_ceaf": "Cost-effectiveness acceptability frontier",
                "plot_expected_loss": "Expected loss curves"}[name]
        return what, (f"{what}: the probability that each of {_names(strategies)} is the most cost-effective choice as "
                      f"the threshold rises {span}." if name == "plot_ceac" else f"{what} of {_names(strategies)}, {span}.")
    if name == "plot_tornado":
        top = [str(p) for p in data.sort_values("swing", ascending=False).index[:3]] if hasattr(data, "sort_values") else []
        return "One-way sensitivity analysis", (
            "Tornado diagram of a one-way sensitivity analysis: each parameter at the ends of its range, the others at base "
            f"case; largest swing first: {_names(top)}.")
    who = f" of {strategy}" if strategy else (f" of {_names(strategies)}" if strategies else "")
    if name == "plot_waterfall":
        return f"From gross value to net present value{who}", (
            f"Waterfall chart{who}: the gross value of the outcomes, each deduction and discounting, and the costs, "
            "down to the net present value.")
    if name == "plot_cashflows":
        by = kwargs.get("by", "party")
        line = "" if kwargs.get("cumulative") is False else ", with the cumulative net as a line"
        return f"Cash flows by year{who}", (
            f"Bar chart{who}: benefits above zero and costs below zero in each year, by {by}{line}.")
    if name == "plot_acceptability":
        return f"Probability of each return per {currency}1", (
            f"Curves of the probability that {_names(strategies)} return more than each amount per {currency}1 spent, "
            f"across {samples:,} samples.")
    if name == "plot_trace":
        return f"Cohort trace{who}", f"Line chart of the share of the cohort in each state over time{who}."
    if name == "plot_evpi":
        return "Expected value of perfect information", (
            f"Line chart of the expected value of perfect information per person ({currency}) against the threshold.")
    if name == "plot_evppi":
        return "Expected value of partial perfect information", (
            f"Bar chart of the expected value of partial perfect information of each parameter ({currency} per person), "
            "largest first.")
    words = name.removeprefix("plot_").replace("_", " ").strip() or "chart"
    return words[:1].upper() + words[1:], f"Chart: {words}{who}."


def draw_charts(charts: Mapping[str, Chart], formats: Sequence[str] = ("png",), dpi: int = 120) -> dict[str, dict[str, bytes]]:
    """Draw each chart and return ``{name: {format: bytes}}``; every figure is closed.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> def line(ax=None):
    ...     ax = ax or plt.subplots()[1]
    ...     ax.plot([0, 1], [0, 2])
    ...     return ax
    >>> images = draw_charts({"line": line}, formats=("png", "svg"), dpi=50)
    >>> images["line"]["png"][:4], b"<svg" in images["line"]["svg"], plt.get_fignums()
    (b'\\x89PNG', True, [])
    """
    import matplotlib.pyplot as plt

    images: dict[str, dict[str, bytes]] = {}
    with plt.rc_context(_SAVE_RC):
        for name, draw in charts.items():
            fig = draw(None).figure
            try:
                images[name] = _save_figure(fig, formats, dpi)
            finally:
                plt.close(fig)
    return images


def _save_figure(fig, formats: Sequence[str], dpi: int) -> dict[str, bytes]:
    """Save ``fig`` in each format, laying it out and rendering it in Agg only once.

    ``savefig(bbox_inches="tight")`` draws a figure twice per format (once to measure it) and
    re-runs constrained layout on every draw. Here one Agg draw at ``dpi`` lays the figure out
    and renders it; the PNG is that image cropped to the tight box (padded by
    ``savefig.pad_inches``, as ``savefig`` does), and every other format is saved once with
    the layout frozen and the same box.
    """
    import matplotlib
    import matplotlib.pyplot as plt
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
