"""Matrix products whose rows do not depend on the other rows in the call, shared by the models
and estimators that run in chunks (partitioned survival over samples, patient-level bootstraps
over replicates).

A BLAS matrix product is the fast way to take many weighted sums at once, but its kernels treat
the edges of a matrix (and small matrices) differently, so the last bits of a row of ``a @ b``
depend on how many rows ``a`` has and where the row sits among them. healthecon promises the
same numbers, bit for bit, however a run is chunked; :func:`row_products` keeps that promise by
giving BLAS products of one shape only.
"""

from __future__ import annotations

import numpy as np

__all__ = ["ROWS", "row_products"]

ROWS = 64
"""Rows of ``a`` in each product: every product has this many (the last block padded with zeros)."""


def row_products(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b`` for 2-D arrays, each row of the result the same bits whatever the other rows of ``a``.

    The rows of ``a`` are copied, :data:`ROWS` at a time, into one buffer (the last block padded
    with zeros), and each block is the right-hand side of ``b.T @ block.T``: every BLAS call has
    the same shape and the same input addresses, and the rows are the product's columns, which
    OpenBLAS computes alike wherever they sit (the product's rows it does not: with the block
    on the left, a row's last bits changed with its place in the block for some shapes). So a
    row's result does not depend on how many rows came with it or where it sat among them (on
    one machine and BLAS build; another build may round differently, but the same way for
    every chunk).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> a, b = rng.random((100, 481)), rng.random((481, 7))
    >>> whole = row_products(a, b)
    >>> np.array_equal(whole[30:37], row_products(a[30:37], b))
    True
    >>> bool(np.allclose(whole, a @ b, rtol=1e-13))
    True
    """
    out = np.empty((a.shape[0], b.shape[1]))
    block = np.zeros((ROWS, a.shape[1]))
    for lo in range(0, a.shape[0], ROWS):
        hi = min(lo + ROWS, a.shape[0])
        block[: hi - lo] = a[lo:hi]
        if hi - lo < ROWS:
            block[hi - lo:] = 0.0
        out[lo:hi] = (b.T @ block.T).T[: hi - lo]
    return out
