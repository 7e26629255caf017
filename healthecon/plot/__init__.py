"""Plotting: ``plot_*`` functions that draw on an optional Axes and return it."""
