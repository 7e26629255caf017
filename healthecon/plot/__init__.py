"""Plotting: ``plot_*`` functions that draw on an optional Axes and return it.

Each function labels its axes with units and currency taken from the outcome set, uses a
colour-blind-safe palette with a fixed colour per strategy, and looks publication-ready by
default.
"""

from .bia import plot_budget_impact
from .cea import plot_ce_plane, plot_ceac, plot_ceaf, plot_expected_loss, plot_frontier
from .dsa import plot_tornado, plot_twoway
from .markov import plot_trace
from .money import plot_acceptability, plot_cashflows, plot_waterfall
from .psm import plot_psm_curves, plot_state_occupancy
from .survival import plot_extrapolation, plot_hazards, plot_log_cumulative_hazard, plot_survival_fits
from .tree import plot_tree
from .voi import plot_evpi, plot_evppi

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
