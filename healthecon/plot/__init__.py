"""Plotting: ``plot_*`` functions that draw on an optional Axes and return it.

Each function labels its axes with units and currency taken from the outcome set, uses a
colour-blind-safe palette with a fixed colour per strategy, and looks publication-ready by
default.
"""

from .._lazy import load_attribute

# The plot_* functions are loaded on first use (PEP 562), so that ``import healthecon`` does not
# import matplotlib: function name -> the module of this package that defines it.
_MODULES = {
    "plot_budget_impact": "bia",
    **dict.fromkeys(["plot_ce_plane", "plot_ceac", "plot_ceaf", "plot_expected_loss", "plot_frontier"], "cea"),
    **dict.fromkeys(["plot_tornado", "plot_twoway"], "dsa"),
    "plot_trace": "markov",
    **dict.fromkeys(["plot_acceptability", "plot_cashflows", "plot_waterfall"], "money"),
    **dict.fromkeys(["plot_psm_curves", "plot_state_occupancy"], "psm"),
    **dict.fromkeys(["plot_extrapolation", "plot_hazards", "plot_log_cumulative_hazard", "plot_survival_fits"], "survival"),
    "plot_tree": "tree",
    **dict.fromkeys(["plot_evpi", "plot_evppi"], "voi"),
}


def __getattr__(name: str) -> object:
    return load_attribute(__name__, name, _MODULES, set(_MODULES.values()))  # a submodule too, e.g. healthecon.plot.cea


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__) | set(_MODULES.values()))


__all__ = [
    "plot_acceptability",
    "plot_budget_impact",
    "plot_cashflows",
    "plot_ce_plane",
    "plot_ceac",
    "plot_ceaf",
    "plot_evpi",
    "plot_evppi",
    "plot_expected_loss",
    "plot_extrapolation",
    "plot_frontier",
    "plot_hazards",
    "plot_log_cumulative_hazard",
    "plot_psm_curves",
    "plot_state_occupancy",
    "plot_survival_fits",
    "plot_tornado",
    "plot_trace",
    "plot_tree",
    "plot_twoway",
    "plot_waterfall",
]
