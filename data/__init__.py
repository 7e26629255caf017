"""Inputs for the worked models, one CSV per model, every row with its provenance."""
