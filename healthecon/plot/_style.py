"""Shared look of every ``plot_*`` function: axes creation, money formatting, colours, labels.

Every plot function takes an optional ``ax`` and returns the Axes it drew on, labels its axes
with units and currency, and uses these helpers so that all figures look alike.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter

from ..formatting import format_money

__all__ = ["get_ax", "money_formatter", "strategy_colors", "wtp_label", "finish", "samples_shown"]

# Colour-blind-safe palette (Okabe & Ito, 2008), in a fixed order so a strategy keeps its
# colour across figures.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")


def get_ax(ax: Axes | None = None, figsize: tuple[float, float] = (6.4, 4.4)) -> Axes:
    """Return ``ax``, or a new Axes on a new figure of ``figsize`` inches.

    Examples
    --------
    >>> ax = get_ax()
    >>> get_ax(ax) is ax, ax.figure.get_size_inches().tolist()
    (True, [6.4, 4.4])
    """
    if ax is not None:
        return ax
    _, new_ax = plt.subplots(figsize=figsize, layout="constrained")
    return new_ax


def money_formatter(currency: str = "£", decimals: int = 0, *, compact: bool = False) -> FuncFormatter:
    """Tick formatter writing ``-£1,250`` style labels (``£1.25m`` with ``compact=True``).

    The text is :func:`healthecon.formatting.format_money`'s, so axes, tables and reports agree.

    Examples
    --------
    >>> money_formatter()(-1250.0, None)
    '-£1,250'
    >>> money_formatter()(-0.2, None)
    '£0'
    >>> money_formatter(compact=True)(1_250_000.0, None)
    '£1.25m'
    """
    return FuncFormatter(lambda value, _pos: format_money(value, currency, decimals=decimals, compact=compact))


def strategy_colors(names: Sequence[str]) -> dict[str, str]:
    """A fixed colour per strategy, in order (Okabe-Ito palette, repeating after eight).

    Examples
    --------
    >>> strategy_colors(["usual care", "new drug"])
    {'usual care': '#0072B2', 'new drug': '#E69F00'}
    """
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(names)}


def wtp_label(currency: str = "£", effect_unit: str = "QALY") -> str:
    """Axis label for a willingness-to-pay threshold.

    Examples
    --------
    >>> wtp_label("£", "life-year")
    'Willingness to pay (£ per life-year)'
    """
    return f"Willingness to pay ({currency} per {effect_unit})"


def finish(ax: Axes, title: str | None = None, legend: bool = True) -> Axes:
    """Apply the common finish: title, light grid, no top/right spines, legend if labelled.

    Examples
    --------
    >>> ax = get_ax()
    >>> _ = ax.plot([0, 1], [0, 1], label="new drug")
    >>> ax = finish(ax, title="CEAC")
    >>> ax.get_title(), ax.spines["top"].get_visible(), ax.get_legend() is not None
    ('CEAC', False, True)
    """
    if title:
        ax.set_title(title)
    ax.grid(True, color="0.9", linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if legend and ax.get_legend_handles_labels()[0]:
        ax.legend(frameon=False)
    return ax


def samples_shown(samples: int, sample: int | None) -> str:
    """What a plot of a trace from ``samples`` PSA samples shows, for its title: the mean over
    them, one chosen ``sample``, or nothing to say (a single run).

    Examples
    --------
    >>> samples_shown(1000, None), samples_shown(1000, 3), samples_shown(1, None)
    ('mean over 1,000 samples', 'sample 3', '')
    """
    if sample is not None:
        return f"sample {sample}"
    return f"mean over {samples:,} samples" if samples > 1 else ""
