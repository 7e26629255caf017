"""Plotting: ``plot_*`` functions that draw on an optional Axes and return it.

Each function labels its axes with units and currency taken from the outcome set, uses a
colour-blind-safe palette with a fixed colour per strategy, and looks publication-ready by
default.
"""

import importlib

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
    if name in set(_MODULES.values()):
        return importlib.import_module(f"{__name__}.{name}")  # a submodule, e.g. healthecon.plot.cea
    if name not in _MODULES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_MODULES[name]}"), name)
    globals()[name] = value  # later look-ups skip this function
    return value


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
    "plot_frontier",
    "plot_psm_curves",
    "plot_state_occupancy",
    "plot_tornado",
    "plot_trace",
    "plot_tree",
    "plot_twoway",
    "plot_waterfall",
    "plot_survival_fits",
    "plot_log_cumulative_hazard",
    "plot_hazards",
    "plot_extrapolation",
]
