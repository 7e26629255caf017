"""Live Excel calculations of a model's deterministic case, so an auditor can change an input and see the result move."""

from __future__ import annotations

__all__ = ["for_model"]


def for_model(model: object, params: object, currency: str = "£") -> list:
    """The workbook sheets (functions ``(book, names) -> None``) that recompute ``model`` with formulas."""
    return []
