"""Benchmark: a 10,000,000-draw PSA of the Sick-Sicker model on a local dask cluster.

The model and parameters are those of ``benchmarks/markov_psa.py`` (4 states, 4 strategies,
75 annual cycles). The PSA runs as dask tasks of 131,072 draws (two blocks of the design) on a
``LocalCluster`` of two single-threaded worker processes with a 1 GB memory limit each, and is
reduced on the cluster to what a report needs -- means, 95% intervals of cost and QALYs, the
CEAC and EVPI at 101 thresholds (£0 to £100,000 per QALY) and the ICER table -- so no process
ever holds all draws. The same reductions are then computed by the chunked single-process run
(``healthecon.scale.run_psa`` without a client) in the same script, as the baseline.

Prints the wall time of each and their ratio, the peak memory (resident set) of each worker
process and of the single-process run, whether every worker stayed under 1 GB, and whether the
two runs agree bit for bit (they must: same draws, same chunks, same reduction tree); exits
with status 1 if they do not. Run: ``python benchmarks/dask_psa.py [n_samples] [--quick]``;
``--quick`` (20,000 draws, chunks of 5,000, one in-process worker) only checks that it runs and
agrees.
"""

from __future__ import annotations

import os
import resource
import time

import numpy as np
import pandas as pd

from healthecon.scale import CEAC, DASK_CHUNK, EVPI, ICERTable, Summary, cluster, run_psa

import markov_psa  # benchmarks/ is on sys.path when a script runs
from _harness import parse_args

GRID = np.arange(0, 100_001, 1_000, dtype=float)
GIB = 2**30


def reducers() -> dict:
    return {"summary": Summary(0.95), "ceac": CEAC(GRID), "evpi": EVPI(GRID), "icer": ICERTable()}


def peak_rss() -> int:
    """Peak resident set of this process, in bytes (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def identical(a: dict, b: dict) -> dict[str, bool]:
    """Bit for bit, result by result."""
    same = {}
    for key in a:
        x, y = a[key], b[key]
        same[key] = x.equals(y) if isinstance(x, pd.DataFrame) else bool(np.array_equal(x.values, y.values) and x.dims == y.dims)
    return same


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv, __doc__.splitlines()[0], quick_samples=20_000, default_samples=10_000_000)
    n, quick = args.n_samples, args.quick
    chunk = 5_000 if quick else DASK_CHUNK
    model, params = markov_psa.MODEL, markov_psa.PARAMS
    print(f"Sick-Sicker PSA on dask: {n:,} draws, chunks of {chunk:,}, {len(markov_psa.STRATEGIES)} strategies, "
          f"{markov_psa.N_CYCLES} cycles")
    print(f"load average (1 min)         : {os.getloadavg()[0]:8.2f} on {os.cpu_count()} cores")

    start = time.perf_counter()
    local = run_psa(model, params, n, seed=2024, chunk_size=chunk, reduce=reducers())
    local_t = time.perf_counter() - start
    local_peak = peak_rss()

    import cloudpickle  # a dependency of distributed: send the benchmark's model functions by value

    cloudpickle.register_pickle_by_value(markov_psa)
    workers = 1 if quick else 2
    with cluster(n_workers=workers, threads_per_worker=1, memory_limit="1GB", processes=not quick) as client:
        start = time.perf_counter()
        on_dask = run_psa(model, params, n, seed=2024, chunk_size=chunk, reduce=reducers(), client=client)
        dask_t = time.perf_counter() - start
        worker_peaks = client.run(peak_rss)
    cloudpickle.unregister_pickle_by_value(markov_psa)

    print(f"dask, {workers} worker(s) x 1 thread : {dask_t:8.1f} s wall")
    print(f"chunked, one process         : {local_t:8.1f} s wall")
    print(f"ratio (dask / one process)   : {dask_t / local_t:8.2f}")
    if quick:
        print(f"peak memory, in-process worker (this process): {max(worker_peaks.values()) / 2**20:,.0f} MiB")
    else:
        for address, peak in sorted(worker_peaks.items()):
            print(f"peak memory, worker {address}: {peak / 2**20:,.0f} MiB")
        print(f"every worker under 1 GB      : {all(p < GIB for p in worker_peaks.values())}")
    print(f"peak memory, one process     : {local_peak / 2**20:8,.0f} MiB")

    table = on_dask["icer"]
    print("\nICER table (mean cost and QALYs)")
    print(table[["strategy", "cost", "effect", "icer", "status"]].round(2).to_string(index=False))
    print("\nP(cost-effective) and EVPI per person")
    for wtp in (20_000.0, 30_000.0, 50_000.0):
        shares = on_dask["ceac"].sel(wtp=wtp)
        best = str(shares.idxmax("strategy").values)
        print(f"  £{wtp:,.0f} per QALY: {best} {float(shares.max()):.3f}; EVPI £{float(on_dask['evpi'].sel(wtp=wtp)):,.2f}")
    print("\n95% intervals")
    print(on_dask["summary"].round(2).to_string())

    same = identical(on_dask, local)
    if not all(same.values()):
        raise SystemExit(f"dask and the chunked single-process run disagree: {same}")
    print(f"\ndask and chunked single-process results identical (bit for bit): {all(same.values())}")


if __name__ == "__main__":
    main()
