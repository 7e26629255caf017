"""Worked models that rebuild published results from the seed documents."""
