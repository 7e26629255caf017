"""PSA on dask (healthecon.scale with a client): the dask-backed outcome set and the reducers
computed on a small LocalCluster equal the chunked single-process run bit for bit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

pytest.importorskip("distributed")

from healthecon.scale import CEAC, EVPI, ICERTable, Means, Summary, cluster, reduce, run_psa  # noqa: E402

from test_scale import MARKOV_PARAMS, cases, markov_model  # noqa: E402

N, CHUNK = 9_000, 2_000
GRID = np.linspace(0, 40_000, 21)


@pytest.fixture(scope="module")
def client():
    with cluster(n_workers=1, threads_per_worker=2, processes=False, memory_limit="1GB") as c:
        yield c


def reducers():
    return {"ceac": CEAC(GRID), "evpi": EVPI(GRID), "icer": ICERTable(), "summary": Summary(), "means": Means()}


def assert_same(a, b):
    """Bit for bit: arrays by np.array_equal, tables by DataFrame.equals."""
    if isinstance(a, pd.DataFrame):
        assert a.equals(b), (a, b)
    elif isinstance(a, xr.Dataset):
        assert list(a.data_vars) == list(b.data_vars)
        for name in a.data_vars:
            assert np.array_equal(a[name].values, b[name].values), name
    else:
        assert np.array_equal(a.values, b.values)
        assert a.dims == b.dims


def test_the_outcome_set_is_dask_backed_and_equals_the_chunked_run(client):
    lazy = run_psa(markov_model(), MARKOV_PARAMS, N, seed=2, chunk_size=CHUNK, client=client)
    assert lazy["cost"].chunks is not None and lazy.chunks["sample"] == (2_000, 2_000, 2_000, 2_000, 1_000)
    chunked = run_psa(markov_model(), MARKOV_PARAMS, N, seed=2, chunk_size=CHUNK)
    computed = lazy.compute()
    assert_same(computed, chunked)
    xr.testing.assert_identical(computed, chunked)


def test_reductions_on_the_cluster_equal_the_chunked_single_process_run_bit_for_bit(client):
    on_dask = run_psa(markov_model(), MARKOV_PARAMS, N, seed=2, chunk_size=CHUNK, reduce=reducers(), client=client)
    local = run_psa(markov_model(), MARKOV_PARAMS, N, seed=2, chunk_size=CHUNK, reduce=reducers())
    for key in local:
        assert_same(on_dask[key], local[key])
    lazy = run_psa(markov_model(), MARKOV_PARAMS, N, seed=2, chunk_size=CHUNK, client=client)
    from_lazy = reduce(lazy, reducers(), client=client)
    for key in local:
        assert_same(from_lazy[key], local[key])


def test_a_cluster_address_can_be_given(client):
    address = client.scheduler.address
    on_dask = run_psa(markov_model(), MARKOV_PARAMS, 3_000, seed=4, chunk_size=1_000, reduce=CEAC(GRID), client=address)
    assert_same(on_dask, run_psa(markov_model(), MARKOV_PARAMS, 3_000, seed=4, chunk_size=1_000, reduce=CEAC(GRID)))


@pytest.mark.parametrize("kind", ["sroi", "cba"])
def test_sroi_and_cba_psa_on_dask(kind, client):
    model, params = cases()[kind]
    lazy = run_psa(model, params, 5_000, seed=8, chunk_size=1_500, client=client)
    chunked = run_psa(model, params, 5_000, seed=8, chunk_size=1_500)
    assert_same(lazy.compute(), chunked)
    ratio = "sroi_ratio" if kind == "sroi" else "bcr"
    means = reduce(lazy, Means([ratio, "npv"]), client=client)
    assert_same(means, run_psa(model, params, 5_000, seed=8, chunk_size=1_500, reduce=Means([ratio, "npv"])))


@pytest.mark.filterwarnings("ignore::healthecon.survival.psm.CurveCrossingWarning")
def test_partitioned_survival_psa_on_dask_leaves_out_counts_it_cannot_know(client):
    # a lazy outcome set's attributes come from one sample's run: the PSM's counts of capped
    # crossings over samples would describe that sample alone, so they are left out
    model, params = cases()["psm"]
    lazy = run_psa(model, params, 3_000, seed=8, chunk_size=1_000, client=client)
    chunked = run_psa(model, params, 3_000, seed=8, chunk_size=1_000)
    assert chunked.attrs["crossing_samples"].sum() > 0
    assert_same(lazy.compute(), chunked)
    assert not set(model.sample_attrs) & set(lazy.attrs)
    assert {k: v for k, v in chunked.attrs.items() if k not in model.sample_attrs}.keys() == lazy.attrs.keys()
