"""healthecon._products.row_products: a matrix product whose rows do not depend on the other rows."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from healthecon._products import ROWS, row_products


@settings(max_examples=40, deadline=None)
@given(k=st.sampled_from([1, 3, 4, 9, 33, 300, 481]), n=st.sampled_from([1, 2, 7, 9, 49, 300]),
       rows=st.integers(1, 3 * ROWS), lo=st.integers(0, 3 * ROWS), seed=st.integers(0, 2**32 - 1))
def test_a_row_comes_out_the_same_whatever_rows_share_the_product(k, n, rows, lo, seed):
    # the property chunked runs rely on: rows lo..lo+rows-1 alone equal the same rows of the whole
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=(4 * ROWS, k)), rng.normal(size=(k, n))
    whole = row_products(a, b)
    part = row_products(a[lo:lo + rows], b)
    assert np.array_equal(part, whole[lo:lo + rows])
    np.testing.assert_allclose(whole, a @ b, rtol=1e-10, atol=1e-12 * np.abs(a).max() * np.abs(b).max() * k)
