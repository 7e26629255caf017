"""Plot a Markov cohort trace: the proportion of the cohort in each state over time."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import xarray as xr
from matplotlib.axes import Axes

from ..errors import OutcomesError, unknown_name
from ._style import PALETTE, finish, get_ax, samples_shown

__all__ = ["plot_trace"]


def plot_trace(
    data: xr.Dataset | xr.DataArray,
    strategy: str | None = None,
    *,
    sample: int | None = None,
    states: Sequence[str] | None = None,
    years: bool = True,
    ax: Axes | None = None,
) -> Axes:
    """Draw the state-membership trace of one strategy: one line per state.

    Parameters
    ----------
    data
        An outcome set from ``MarkovModel.run(..., trace=True)`` or ``trace="mean"``, or its
        ``trace`` DataArray (dims ``[sample,] strategy, cycle, state``).
    strategy
        Strategy to draw; default the first.
    sample
        PSA sample to draw; default the mean over samples (for a ``trace="mean"`` run the
        mean is all there is).
    states
        States to draw, in order; default all.
    years
        Put model time in years on the x axis (cycle x cycle length, read from the outcome
        set's ``cycle_length`` attribute); otherwise the cycle number.
    ax
        Axes to draw on; a new figure if omitted.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    OutcomesError
        If there is no trace (run the model with ``trace=True`` or ``"mean"``).
    UnknownNameError
        For an unknown strategy or state.

    Examples
    --------
    >>> import numpy as np
    >>> from healthecon.markov import MarkovModel, C
    >>> model = MarkovModel(["well", "dead"], ["usual"], {"well": {"well": C, "dead": 0.1}, "dead": {"dead": 1}},
    ...                     start={"well": 1}, n_cycles=3)
    >>> ax = plot_trace(model.run({}, trace=True))
    >>> ax.lines[0].get_ydata().round(3).tolist()
    [1.0, 0.9, 0.81, 0.729]
    """
    cycle_length = 1.0
    if isinstance(data, xr.Dataset):
        if "trace" not in data.data_vars:
            raise OutcomesError("no 'trace' in the outcome set: run the model with trace=True or trace='mean'")
        cycle_length = float(data.attrs.get("cycle_length", 1.0))
        trace = data["trace"]
    else:
        trace = data
    known = [str(s) for s in trace["strategy"].values]
    strategy = known[0] if strategy is None else strategy
    if strategy not in known:
        raise unknown_name("strategy", strategy, known)
    chosen = trace.sel(strategy=strategy)
    if "sample" in chosen.dims:
        chosen = chosen.mean("sample") if sample is None else chosen.isel(sample=sample)
    all_states = [str(s) for s in chosen["state"].values]
    for state in states or ():
        if state not in all_states:
            raise unknown_name("state", state, all_states)
    x = np.asarray(chosen["cycle"].values, dtype=float) * (cycle_length if years else 1.0)
    ax = get_ax(ax)
    for i, state in enumerate(states or all_states):
        ax.plot(x, chosen.sel(state=state).values, label=state, color=PALETTE[i % len(PALETTE)], linewidth=1.8)
    ax.set_xlabel("Years" if years else "Cycle")
    ax.set_ylabel("Proportion of cohort")
    ax.set_ylim(-0.02, 1.02)
    where = samples_shown(trace.sizes.get("sample", 1), sample)
    return finish(ax, title=f"State membership: {strategy}" + (f" ({where})" if where else ""))
