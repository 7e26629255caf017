"""PSA at scale: any model run over its draws in chunks, in one process or on a dask cluster.

:func:`run_psa` runs a model (Markov, decision tree, SROI, CBA, partitioned survival: anything
with ``run(draws, **options)`` returning an outcome set) over the draws of a
:meth:`~healthecon.params.Parameters.sampler` design, ``chunk_size`` samples at a time. Each
chunk's draws are exactly those samples of the one big design (the parameter streams are
defined in blocks, see :mod:`healthecon.params`), and the models evaluate every sample
independently, so a chunked run is **bit-identical** to one run, whatever the chunk size.
The chunks are then either

- concatenated into the usual outcome set (memory: the outcome set, plus one chunk's model
  run), or
- reduced on the fly by *reducers* (memory: one chunk): :class:`Means`, :class:`Summary`
  (means and exact percentile intervals), :class:`CEAC`, :class:`EVPI` and
  :class:`ICERTable`, which give the results of :func:`healthecon.outcomes.summarise`,
  :func:`healthecon.cea.ceac`, :func:`healthecon.voi.evpi` and
  :func:`healthecon.cea.icer_table` without holding all samples.

With ``client=`` (a ``dask.distributed.Client`` or a scheduler address; :func:`cluster` starts a
``LocalCluster``) each chunk is a dask task: without reducers the result is a dask-backed
outcome set (lazy, nothing materialised), and :func:`reduce` computes the reducers from it
chunk by chunk on the cluster. Reducer states are combined in one fixed binary tree over the
chunks in order, on the cluster and in one process alike, so a dask run gives the same
numbers, bit for bit, as the chunked single-process run with the same chunk size. (Counts --
the CEAC -- and order statistics -- the intervals -- are the same for any chunk size; sums
of floating-point numbers are the same to rounding, about 1e-15 relative.)

dask and distributed are an optional extra (``pip install healthecon[dask]``), imported only
when a client or a dask-backed outcome set is used.

Examples
--------
>>> from healthecon.distributions import Beta, Gamma
>>> from healthecon.markov import C, MarkovModel
>>> from healthecon.params import Parameters
>>> params = Parameters(p_die=Beta(10, 90), c_new=Gamma(100, 10))
>>> model = MarkovModel(states=["alive", "dead"], strategies=["usual", "new"],
...     transitions=lambda p, s: {"alive": {"alive": C, "dead": p["p_die"] * (0.8 if s == "new" else 1)},
...                               "dead": {"dead": 1}},
...     start={"alive": 1}, n_cycles=10, state_rewards={"qaly": {"alive": 0.8}},
...     initial_rewards={"cost_drug": {"new": "c_new"}})
>>> whole = model.run(params.sample(5_000, seed=1))
>>> chunked = run_psa(model, params, 5_000, seed=1, chunk_size=1_234)
>>> bool((chunked["cost"].values == whole["cost"].values).all())
True
>>> result = run_psa(model, params, 5_000, seed=1, chunk_size=1_000, reduce={"ceac": CEAC([0, 5_000, 20_000])})
>>> result["ceac"].sel(strategy="new").values.round(3)
array([0.   , 0.993, 1.   ])
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Protocol

import numpy as np
import pandas as pd
import xarray as xr

from .cea import icer_table
from .errors import AnalysisError, OutcomesError, ParameterError
from .outcomes import SAMPLE, STRATEGY, cost_effect, make_outcomes, strategies as strategy_names
from .params import BLOCK, Parameters, Sampler

__all__ = ["Reducer", "Means", "Summary", "CEAC", "EVPI", "ICERTable", "run_psa", "reduce", "cluster", "DASK_CHUNK"]

#: Default chunk on dask: two blocks of draws (about 180 MB of Markov engine memory for the
#: 4-state, 4-strategy Sick-Sicker model).
DASK_CHUNK = 2 * BLOCK


# --------------------------------------------------------------------------------------------
# Reducers
# --------------------------------------------------------------------------------------------
class Reducer(Protocol):
    """What :func:`run_psa` and :func:`reduce` need of a reduction over samples.

    ``partial(chunk, n)`` summarises one chunk (an outcome set of some of the ``n`` samples)
    into a small state; ``combine(a, b)`` merges the states of two runs of consecutive chunks
    (``a`` first); ``finish(state)`` gives the result.
    """

    def partial(self, chunk: xr.Dataset, n: int) -> Any: ...

    def combine(self, a: Any, b: Any) -> Any: ...

    def finish(self, state: Any) -> Any: ...


def _sample_sum(da: xr.DataArray) -> xr.DataArray:
    """The sum over samples, of a C-contiguous copy with samples last: numpy's summation order
    depends on the memory layout, which differs between a chunk run here and one assembled by dask."""
    other = [d for d in da.dims if d != SAMPLE]
    values = np.ascontiguousarray(da.transpose(*other, SAMPLE).values).sum(axis=-1)
    return xr.DataArray(values, dims=other, coords={k: v for k, v in da.coords.items() if SAMPLE not in v.dims})


class Means:
    """Mean of each outcome over samples.

    Parameters
    ----------
    variables
        Outcomes to average (default every variable with a ``sample`` dimension).

    Notes
    -----
    Returns (from :meth:`finish`) an ``xarray.Dataset`` without the ``sample`` dimension.
    """

    def __init__(self, variables: Sequence[str] | None = None) -> None:
        self.variables = None if variables is None else list(variables)

    def partial(self, chunk: xr.Dataset, n: int) -> dict:
        names = self.variables or [v for v, da in chunk.data_vars.items() if SAMPLE in da.dims]
        for name in names:
            if name not in chunk.data_vars:
                raise OutcomesError(f"Means: the outcome set has no variable {name!r} (variables: {list(chunk.data_vars)})")
        return {"count": chunk.sizes[SAMPLE], "sums": xr.Dataset({v: _sample_sum(chunk[v]) for v in names}), "attrs": dict(chunk.attrs)}

    def combine(self, a: dict, b: dict) -> dict:
        return {"count": a["count"] + b["count"], "sums": a["sums"] + b["sums"], "attrs": a["attrs"]}

    def finish(self, state: dict) -> xr.Dataset:
        out = state["sums"] / state["count"]
        out.attrs.update(state["attrs"])
        return out


class Summary:
    """Mean and equal-tailed percentile interval of outcomes by strategy, as
    :func:`healthecon.outcomes.summarise` gives them, from chunks.

    The interval is exact: the percentiles (numpy's default linear interpolation between
    order statistics, Hyndman & Fan 1996 definition 7) need only the lowest and highest
    ``(1 - level) / 2`` of the samples, which each chunk's state keeps (memory about
    ``(1 - level) * n`` values per variable and strategy, not ``n``).

    Parameters
    ----------
    level
        Probability in the interval (0.95 for 2.5% to 97.5%).
    variables
        Outcomes with dims ``(sample, strategy)`` (default the outcome set's ``cost`` and
        ``effect``).
    """

    def __init__(self, level: float = 0.95, variables: Sequence[str] | None = None) -> None:
        if not 0 < level < 1:
            raise AnalysisError(f"Summary: level: expected a number in (0, 1), got {level}")
        self.level, self.variables = level, None if variables is None else list(variables)

    def _ranks(self, n: int) -> tuple[float, float, int, int]:
        """Virtual ranks ``(n - 1) q`` of both percentiles and how many order statistics to keep at each end."""
        tail = (1 - self.level) / 2
        low, high = (n - 1) * tail, (n - 1) * (1 - tail)
        return low, high, min(n, int(np.floor(low)) + 2), min(n, n - int(np.floor(high)))

    def partial(self, chunk: xr.Dataset, n: int) -> dict:
        names = self.variables or [v for v in (chunk.attrs.get("cost"), chunk.attrs.get("effect")) if v]
        _, _, keep_low, keep_high = self._ranks(n)
        state: dict = {"means": Means(names).partial(chunk, n), "low": {}, "high": {}, "strategies": strategy_names(chunk)}
        for name in names:
            if set(chunk[name].dims) != {SAMPLE, STRATEGY}:
                raise OutcomesError(f"Summary: outcome {name!r} has dims {list(chunk[name].dims)}; expected (sample, strategy): sum or select the others first")
            values = chunk[name].transpose(SAMPLE, STRATEGY).values
            state["low"][name] = _smallest(values, keep_low)
            state["high"][name] = -_smallest(-values, keep_high)
        state["n"] = n
        return state

    def combine(self, a: dict, b: dict) -> dict:
        _, _, keep_low, keep_high = self._ranks(a["n"])
        return {
            "means": Means().combine(a["means"], b["means"]), "strategies": a["strategies"], "n": a["n"],
            "low": {k: _smallest(np.concatenate([a["low"][k], b["low"][k]]), keep_low) for k in a["low"]},
            "high": {k: -_smallest(-np.concatenate([a["high"][k], b["high"][k]]), keep_high) for k in a["high"]},
        }

    def finish(self, state: dict) -> pd.DataFrame:
        n = state["n"]
        if state["means"]["count"] != n:
            raise AnalysisError(f"Summary: the chunks hold {state['means']['count']} samples, expected {n}")
        low, high, _, _ = self._ranks(n)
        means = Means().finish(state["means"])
        rows = []
        for name, lows in state["low"].items():
            lower = _order_interpolate(np.sort(lows, axis=0), low)
            highs = np.sort(state["high"][name], axis=0)  # the largest values, ascending: rank n - len(highs) first
            upper = _order_interpolate(highs, high - (n - highs.shape[0]))
            mean = means[name].transpose(STRATEGY).values
            rows += [(name, s, mean[j], lower[j], upper[j]) for j, s in enumerate(state["strategies"])]
        frame = pd.DataFrame(rows, columns=["variable", "strategy", "mean", "lower", "upper"])
        return frame.set_index(["variable", "strategy"])


def _smallest(values: np.ndarray, k: int) -> np.ndarray:
    """The ``k`` smallest values of each column (all of them if there are fewer), unordered."""
    if values.shape[0] <= k:
        return values.copy()
    return np.partition(values, k - 1, axis=0)[:k]


def _order_interpolate(ordered: np.ndarray, rank: float) -> np.ndarray:
    """Linear interpolation between the order statistics either side of the virtual ``rank``
    (0-based, into ``ordered``), with numpy's lerp (exact at both ends)."""
    below = int(np.floor(rank))
    a = ordered[below]
    b = ordered[min(below + 1, ordered.shape[0] - 1)]
    t = rank - below
    diff = b - a
    return np.where(t >= 0.5, b - diff * (1 - t), a + diff * t)


def _grid(wtp: object) -> np.ndarray:
    grid = np.atleast_1d(np.asarray(wtp, dtype=float))
    if grid.ndim != 1 or grid.size == 0 or not np.isfinite(grid).all() or (grid < 0).any():
        raise AnalysisError(f"wtp: expected a number or a 1-D sequence of finite thresholds >= 0, got {wtp!r}")
    return grid


_BLOCK_ELEMENTS = 1 << 21  # thresholds x samples per step: 16 MB per float64 array


def _decisions(chunk: xr.Dataset, grid: np.ndarray, cost: str | None, effect: str | None,
               losses: bool) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """Per threshold and strategy, over the chunk's samples: how often the strategy has the
    highest net monetary benefit (the first strategy on ties, as :func:`healthecon.cea.ceac`),
    with ``losses`` the sum of the NMB forgone by choosing it (``max NMB - NMB``), and the
    sums of cost and effect by strategy. Three arrays of (thresholds x samples) at a time."""
    c, e = cost_effect(chunk, cost, effect)
    c_rows, e_rows = np.ascontiguousarray(c.values.T), np.ascontiguousarray(e.values.T)
    k, n = c_rows.shape
    counts = np.zeros((grid.size, k), dtype=np.int64)
    forgone = np.empty((grid.size, k)) if losses else None
    step = max(1, _BLOCK_ELEMENTS // n)
    for start in range(0, grid.size, step):
        lam = grid[start : start + step, None]
        top = lam * e_rows[0] - c_rows[0]
        best = np.zeros(top.shape, dtype=np.int8 if k < 128 else np.int64)
        nmb = np.empty_like(top)
        for j in range(1, k):
            np.multiply(lam, e_rows[j], out=nmb)
            nmb -= c_rows[j]
            best[nmb > top] = j
            np.maximum(top, nmb, out=top)
        for j in range(k):
            counts[start : start + step, j] = np.count_nonzero(best == j, axis=1)
            if forgone is not None:
                np.multiply(lam, e_rows[j], out=nmb)
                nmb -= c_rows[j]
                np.subtract(top, nmb, out=nmb)
                forgone[start : start + step, j] = nmb.sum(axis=1)
    sums = np.stack([_sample_sum(c).values, _sample_sum(e).values])
    return counts, forgone, sums


class CEAC:
    """Cost-effectiveness acceptability curve from chunks: the share of samples in which each
    strategy has the highest net monetary benefit, as :func:`healthecon.cea.ceac` (exact:
    counts do not depend on the chunking).

    Parameters
    ----------
    wtp
        Thresholds (currency per unit of effect).
    cost, effect
        Variables (default the outcome set's ``cost`` and ``effect``).
    """

    def __init__(self, wtp: object, *, cost: str | None = None, effect: str | None = None) -> None:
        self.grid, self.cost, self.effect = _grid(wtp), cost, effect

    def partial(self, chunk: xr.Dataset, n: int) -> dict:
        counts, _, _ = _decisions(chunk, self.grid, self.cost, self.effect, losses=False)
        return {"counts": counts, "n": chunk.sizes[SAMPLE], "strategies": strategy_names(chunk),
                "attrs": {k: chunk.attrs.get(k, "") for k in ("currency", "effect_unit")}}

    def combine(self, a: dict, b: dict) -> dict:
        return {**a, "counts": a["counts"] + b["counts"], "n": a["n"] + b["n"]}

    def finish(self, state: dict) -> xr.DataArray:
        return xr.DataArray(state["counts"] / state["n"], dims=("wtp", STRATEGY),
                            coords={"wtp": self.grid, STRATEGY: state["strategies"]}, name="ceac",
                            attrs={**state["attrs"], "long_name": "Probability cost-effective"})


class EVPI:
    """Expected value of perfect information per person from chunks, as :func:`healthecon.voi.evpi`.

    ``EVPI = E[max_d NB_d] - max_d E[NB_d]`` (Briggs et al. 2006, sec. 7.2), accumulated as the
    mean opportunity loss of each strategy and read off for the strategy with the highest
    mean net benefit (the first on ties), so it is never negative through rounding.
    """

    def __init__(self, wtp: object, *, cost: str | None = None, effect: str | None = None) -> None:
        self.grid, self.cost, self.effect = _grid(wtp), cost, effect

    def partial(self, chunk: xr.Dataset, n: int) -> dict:
        _, losses, sums = _decisions(chunk, self.grid, self.cost, self.effect, losses=True)
        return {"sums": sums, "losses": losses, "n": chunk.sizes[SAMPLE], "currency": chunk.attrs.get("currency", "")}

    def combine(self, a: dict, b: dict) -> dict:
        return {**a, "sums": a["sums"] + b["sums"], "losses": a["losses"] + b["losses"], "n": a["n"] + b["n"]}

    def finish(self, state: dict) -> xr.DataArray:
        cost, effect = state["sums"] / state["n"]  # mean cost and effect by strategy
        best = (self.grid[:, None] * effect - cost).argmax(axis=1)  # highest mean net benefit, first on ties
        values = np.take_along_axis(state["losses"], best[:, None], axis=1)[:, 0] / state["n"]
        return xr.DataArray(values, dims=("wtp",), coords={"wtp": self.grid}, name="evpi",
                            attrs={"kind": "monetary", "units": state["currency"], "currency": state["currency"], "per": "person"})


class ICERTable:
    """The incremental cost-effectiveness table (:func:`healthecon.cea.icer_table`, which reads
    only mean costs and effects) from chunks."""

    def __init__(self, *, cost: str | None = None, effect: str | None = None) -> None:
        self.cost, self.effect = cost, effect

    def partial(self, chunk: xr.Dataset, n: int) -> dict:
        c, e = cost_effect(chunk, self.cost, self.effect)
        return Means([c.name, e.name]).partial(chunk, n)

    def combine(self, a: dict, b: dict) -> dict:
        return Means().combine(a, b)

    def finish(self, state: dict) -> pd.DataFrame:
        means = Means().finish(state)
        c, e = list(means.data_vars)
        attrs = state["attrs"]
        one = make_outcomes({c: means[c].values[None], e: means[e].values[None]}, [str(s) for s in means[STRATEGY].values],
                            cost=c, effect=e, currency=attrs.get("currency", "£"), effect_unit=attrs.get("effect_unit", "QALY"))
        return icer_table(one)


# --------------------------------------------------------------------------------------------
# Folding states in one fixed tree
# --------------------------------------------------------------------------------------------
def _tree_fold(items: Iterable[Any], combine: Callable[[Any, Any], Any]) -> Any:
    """Combine ``items`` in a binary tree that depends only on how many there are (pairs of
    neighbours, then pairs of pairs...), holding O(log n) states at a time. The same tree
    is built over dask delayed objects, which is what makes dask runs bit-identical."""
    stack: list[tuple[int, Any]] = []
    for item in items:
        level = 0
        while stack and stack[-1][0] == level:
            item = combine(stack.pop()[1], item)
            level += 1
        stack.append((level, item))
    if not stack:
        raise AnalysisError("nothing to reduce: no chunks")
    result = stack.pop()[1]
    while stack:
        result = combine(stack.pop()[1], result)
    return result


def _as_named(reducers: Any) -> tuple[dict[Any, Reducer], Callable[[dict], Any]]:
    """Reducers as a dict, and how to give the results back in the shape they came in."""
    if isinstance(reducers, Mapping):
        named = dict(reducers)
        back: Callable[[dict], Any] = lambda results: results  # noqa: E731
    elif isinstance(reducers, (list, tuple)):
        named = dict(enumerate(reducers))
        back = lambda results: [results[i] for i in range(len(named))]  # noqa: E731
    else:
        named = {0: reducers}
        back = lambda results: results[0]  # noqa: E731
    for key, r in named.items():
        if not all(callable(getattr(r, m, None)) for m in ("partial", "combine", "finish")):
            raise AnalysisError(f"reduce {key!r}: expected a reducer (Means, Summary, CEAC, EVPI, ICERTable...), got {type(r).__name__}")
    return named, back


def _partials(reducers: dict, chunk: xr.Dataset, n: int) -> dict:
    return {key: r.partial(chunk, n) for key, r in reducers.items()}


def _combine_all(reducers: dict) -> Callable[[dict, dict], dict]:
    return lambda a, b: {key: r.combine(a[key], b[key]) for key, r in reducers.items()}


# --------------------------------------------------------------------------------------------
# Running
# --------------------------------------------------------------------------------------------
def _bounds(n: int, chunk_size: int | None, default: int) -> list[tuple[int, int]]:
    size = default if chunk_size is None else chunk_size
    if isinstance(size, (bool, np.bool_)) or not isinstance(size, (int, np.integer)) or size < 1:
        raise ParameterError(f"chunk_size: expected a positive int number of samples, got {chunk_size!r}")
    return [(i, min(i + int(size), n)) for i in range(0, n, int(size))]


def _run_chunk(model: Any, sampler: Sampler, start: int, stop: int, options: Mapping[str, Any]) -> xr.Dataset:
    """One chunk of the PSA: the design's samples ``start..stop-1`` through the model."""
    out = model.run(sampler.draws(start, stop), **options)
    if out.sizes.get(SAMPLE) != stop - start:
        raise OutcomesError(f"the model returned {out.sizes.get(SAMPLE)} samples for a chunk of {stop - start} draws")
    for name, da in out.data_vars.items():
        if SAMPLE not in da.dims:
            raise OutcomesError(
                f"outcome {name!r} has no 'sample' dimension (e.g. a trace averaged over samples), so it cannot be "
                "assembled from chunks: run without it, or keep it per sample"
            )
    return out.assign_coords({SAMPLE: np.arange(start, stop)})


def _without_sample_attrs(model: Any, outcomes: xr.Dataset) -> xr.Dataset:
    """``outcomes`` without the attributes the model counts over its samples (its ``sample_attrs``):
    they would describe one chunk, not the run."""
    drop = set(getattr(model, "sample_attrs", ())) & set(outcomes.attrs)
    if not drop:
        return outcomes
    out = outcomes.copy(deep=False)
    out.attrs = {k: v for k, v in outcomes.attrs.items() if k not in drop}
    return out


def _concatenate(chunks: Iterator[xr.Dataset], n: int, combine_attrs: Callable | None = None) -> xr.Dataset:
    """The chunks' outcome sets as one, written into arrays allocated once; the attributes are
    the first chunk's, or ``combine_attrs([(attrs, samples), ...], strategies)`` of them all
    (a model's ``combine_attrs``, for attributes that count over samples)."""
    first = next(chunks)
    arrays = {}
    for name, da in first.data_vars.items():
        axis = da.dims.index(SAMPLE)
        shape = list(da.shape)
        shape[axis] = n
        arrays[name] = (axis, np.empty(shape, dtype=da.dtype))
    parts = []
    for chunk in _chain(first, chunks):
        lo, hi = int(chunk[SAMPLE].values[0]), int(chunk[SAMPLE].values[-1]) + 1
        parts.append((chunk.attrs, hi - lo))
        for name, (axis, full) in arrays.items():
            index = [slice(None)] * full.ndim
            index[axis] = slice(lo, hi)
            full[tuple(index)] = chunk[name].transpose(*first[name].dims).values
    data = {name: xr.Variable(first[name].dims, full, first[name].attrs) for name, (_, full) in arrays.items()}
    coords = {k: v for k, v in first.coords.items() if SAMPLE not in v.dims}
    attrs = first.attrs if combine_attrs is None else combine_attrs(parts, [str(s) for s in first[STRATEGY].values])
    return xr.Dataset(data, coords={**coords, SAMPLE: np.arange(n)}, attrs=attrs)


def _chain(first: xr.Dataset, rest: Iterator[xr.Dataset]) -> Iterator[xr.Dataset]:
    yield first
    yield from rest


def run_psa(
    model: Any,
    params: Parameters,
    n: int,
    seed: int | np.random.Generator | None,
    *,
    chunk_size: int | None = None,
    method: str = "random",
    reduce: Any = None,
    client: Any = None,
    **run_options: Any,
) -> Any:
    """Run a PSA of ``n`` draws of ``params`` through ``model`` in chunks.

    Parameters
    ----------
    model
        Any model with ``run(draws, **options)`` returning an outcome set.
    params, n, seed, method
        The design, as :meth:`Parameters.sample(n, seed, method=method) <healthecon.params.Parameters.sample>`.
    chunk_size
        Samples per chunk: default all of them in one process, :data:`DASK_CHUNK` on dask.
        Any size gives the same draws and outcomes; multiples of
        :data:`healthecon.params.BLOCK` draw each block of the design once per chunk.
    reduce
        ``None`` to return the outcome set, or a reducer (:class:`Means`, :class:`Summary`,
        :class:`CEAC`, :class:`EVPI`, :class:`ICERTable`), a list or a dict of them: the
        results come back in the same shape, and no more than one chunk's outcomes is held.
    client
        ``None`` to run in this process; a ``dask.distributed.Client`` or a scheduler address
        (``"tcp://host:8786"``) to run each chunk as a dask task. Without ``reduce`` the result
        is then a dask-backed outcome set (lazy: compute it, or pass it to :func:`reduce`,
        while the client is open; a client connected here from an address then stays open, as
        dask's default client, until you close it).
    **run_options
        Passed to ``model.run`` (e.g. ``strategies=``).

    Returns
    -------
    xarray.Dataset or the reducers' results
        The outcome set equals ``model.run(params.sample(n, seed, method=method))`` bit for
        bit (with ``sample = 0..n-1``).
    """
    sampler = params.sampler(n, seed, method=method)
    named, back = _as_named(reduce) if reduce is not None else (None, None)
    if client is not None:
        opened = None
        if isinstance(client, str):
            from distributed import Client

            client = opened = Client(client)
        try:
            lazy = _dask_outcomes(model, sampler, _bounds(n, chunk_size, DASK_CHUNK), run_options)
            if named is None:
                return lazy
            return _reduce(lazy, named, back, None, client)
        finally:
            if opened is not None and named is not None:
                opened.close()
    chunks = (_run_chunk(model, sampler, lo, hi, run_options) for lo, hi in _bounds(n, chunk_size, n))
    if named is None:
        return _concatenate(chunks, n, getattr(model, "combine_attrs", None))
    chunks = (_without_sample_attrs(model, chunk) for chunk in chunks)  # a reducer keeps the first chunk's attributes
    state = _tree_fold((_partials(named, chunk, n) for chunk in chunks), _combine_all(named))
    return back({key: r.finish(state[key]) for key, r in named.items()})


def reduce(outcomes: xr.Dataset, reducers: Any, *, chunk_size: int | None = None, client: Any = None) -> Any:
    """Apply reducers to an outcome set chunk by chunk; for a dask-backed one, on the cluster.

    Parameters
    ----------
    outcomes
        An outcome set, in memory or dask-backed (e.g. from :func:`run_psa` with a client);
        a dask-backed set is reduced along its own sample chunks and never materialised.
    reducers
        A reducer, a list or a dict of them (see :func:`run_psa`).
    chunk_size
        For an outcome set in memory: samples per chunk (default all at once).
    client
        The dask client to compute on (default: dask's current scheduler).

    Returns
    -------
    The reducers' results, in the shape ``reducers`` was given.

    Examples
    --------
    >>> from healthecon.outcomes import make_outcomes
    >>> out = make_outcomes({"cost": [[0.0, 10.0], [0.0, 30.0]], "qaly": [[1.0, 1.001], [1.0, 1.002]]},
    ...                     strategies=["A", "B"], effect="qaly")
    >>> reduce(out, ICERTable())[["strategy", "icer"]]
      strategy     icer
    0        A      NaN
    1        B  13333.3...
    """
    return _reduce(outcomes, *_as_named(reducers), chunk_size, client)


def _reduce(outcomes: xr.Dataset, named: dict, back: Callable[[dict], Any], chunk_size: int | None, client: Any) -> Any:
    n = int(outcomes.sizes[SAMPLE])
    combine = _combine_all(named)
    lazy = outcomes.chunks.get(SAMPLE) if outcomes.chunks else None
    if lazy:
        import dask

        edges = np.concatenate([[0], np.cumsum(lazy)]).astype(int)
        # the tasks get each variable's dask chunk and a frame without the sample coordinate
        # (n integers: 80 MB at 10M draws), which each task rebuilds for its own samples
        frame = outcomes.drop_vars([*outcomes.data_vars, SAMPLE])
        dims = {name: var.dims for name, var in outcomes.data_vars.items()}
        attrs = {name: var.attrs for name, var in outcomes.data_vars.items()}
        parts = []
        for lo, hi in zip(edges[:-1], edges[1:]):
            arrays = {name: var.data[tuple(slice(int(lo), int(hi)) if d == SAMPLE else slice(None) for d in var.dims)]
                      for name, var in outcomes.data_vars.items()}
            chunk = dask.delayed(_rebuild, pure=True)(frame, arrays, dims, attrs, int(lo), int(hi))
            parts.append(dask.delayed(_partials, pure=True)(named, chunk, n))
        total = _tree_fold(parts, dask.delayed(combine, pure=True))
        state = client.compute(total).result() if client is not None else dask.compute(total)[0]
    else:
        state = _tree_fold((_partials(named, outcomes.isel({SAMPLE: slice(lo, hi)}), n)
                            for lo, hi in _bounds(n, chunk_size, n)), combine)
    return back({key: r.finish(state[key]) for key, r in named.items()})


def _rebuild(frame: xr.Dataset, arrays: Mapping[str, np.ndarray], dims: Mapping[str, tuple], attrs: Mapping[str, dict],
             lo: int, hi: int) -> xr.Dataset:
    """Samples ``lo..hi-1`` of an outcome set, from its variables' arrays and its other coordinates."""
    data = {name: xr.Variable(dims[name], values, attrs[name]) for name, values in arrays.items()}
    return frame.assign(data).assign_coords({SAMPLE: np.arange(lo, hi)})


def _dask_outcomes(model: Any, sampler: Sampler, bounds: list[tuple[int, int]], options: Mapping[str, Any]) -> xr.Dataset:
    """The outcome set as a dask-backed Dataset: one task per chunk of draws, nothing computed.

    The variables, dims and coordinates are learnt from a run of the design's first sample here.
    """
    import dask
    import dask.array as da

    template = _run_chunk(model, sampler, 0, 1, options)
    tag = uuid.uuid4().hex
    model_d = dask.delayed(model, name=f"healthecon-model-{tag}")
    sampler_d = dask.delayed(sampler, name=f"healthecon-sampler-{tag}")
    runs = [dask.delayed(_run_chunk, pure=True)(model_d, sampler_d, lo, hi, dict(options)) for lo, hi in bounds]
    data = {}
    for name, var in template.data_vars.items():
        axis = var.dims.index(SAMPLE)
        blocks = []
        for (lo, hi), run in zip(bounds, runs):
            shape = list(var.shape)
            shape[axis] = hi - lo
            blocks.append(da.from_delayed(dask.delayed(_values, pure=True)(run, name, var.dims), shape=tuple(shape), dtype=var.dtype))
        data[name] = xr.Variable(var.dims, da.concatenate(blocks, axis=axis), var.attrs)
    coords = {k: v for k, v in template.coords.items() if SAMPLE not in v.dims}
    return xr.Dataset(data, coords={**coords, SAMPLE: np.arange(sampler.n)}, attrs=_without_sample_attrs(model, template).attrs)


def _values(chunk: xr.Dataset, name: str, dims: tuple[str, ...]) -> np.ndarray:
    return chunk[name].transpose(*dims).values


@contextlib.contextmanager
def cluster(address: str | None = None, *, n_workers: int = 2, threads_per_worker: int = 1,
            memory_limit: str | int = "1GB", processes: bool = True, **options: Any) -> Iterator[Any]:
    """A dask ``Client``: connected to ``address``, or to a new ``LocalCluster`` closed on exit.

    Examples
    --------
    ``with cluster() as client: result = run_psa(model, params, 10_000_000, seed=1,
    reduce=CEAC(grid), client=client)``; ``cluster("tcp://scheduler:8786")`` for a running
    cluster.
    """
    from distributed import Client, LocalCluster

    if address is not None:
        with Client(address, **options) as client:
            yield client
        return
    with LocalCluster(n_workers=n_workers, threads_per_worker=threads_per_worker, memory_limit=memory_limit,
                      processes=processes, dashboard_address=":0", **options) as local, Client(local) as client:
        yield client
