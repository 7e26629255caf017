"""Resampling plans for patient-level data: bootstrap counts and jackknife weights.

A replicate is drawn as index arrays (which units of each stratum were drawn), from which
estimators of means gather values directly, as a plain numpy bootstrap does; or it is turned
into a row of *weights* over the people (how many times each person was drawn, by one
``np.bincount``), so that any estimator that takes weights (weighted least squares, a batched
GLM) evaluates every replicate with matrix products, with no Python loop per replicate. A
jackknife row holds 0 for the left-out unit and 1 elsewhere.

The *unit* of resampling is the person, or the matched set or cluster when one is given, so
that matched pairs are kept together (as in the CHSS evaluation, which bootstrapped "the paired
dataset") and clusters keep their within-cluster correlation. Units are resampled within
*strata*: the arms, when every unit belongs to one arm (people, or clusters in a cluster
trial), so that each replicate keeps the arm sizes; a matched set holds people of several arms
and is resampled as a whole (one stratum). Efron & Tibshirani (1993), ch. 6 and 15.4;
Nixon, Wonderling & Grieve (2010), Health Econ 19:316 (non-parametric bootstrap of
cost-effectiveness data); Ng et al. (2013), Health Econ 22:1131 (bootstrapping clusters).

Randomness is reproducible however the run is chunked: each stratum draws from its own child
stream of ``numpy.random.SeedSequence(seed)``, replicate after replicate.

Examples
--------
>>> plan = ResamplingPlan.build(arm=np.array([0, 0, 0, 1, 1]))
>>> plan.n_units, plan.strata_sizes
(5, (3, 2))
>>> counts = plan.bootstrap_counts(4, seed=1)
>>> counts.shape, counts[:, :3].sum(axis=1).tolist(), counts[:, 3:].sum(axis=1).tolist()
((4, 5), [3.0, 3.0, 3.0, 3.0], [2.0, 2.0, 2.0, 2.0])
>>> plan.jackknife_weights()[0]
array([0., 1., 1., 1., 1.])
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from ..errors import AnalysisError

__all__ = ["ResamplingPlan", "CHUNK_ELEMENTS"]

CHUNK_ELEMENTS = 4_000_000
"""Replicates are built and evaluated in chunks of about this many (replicate x person) cells."""


@dataclass(frozen=True)
class ResamplingPlan:
    """Which unit each person belongs to, and which stratum each unit is resampled within.

    Attributes
    ----------
    unit
        Unit index of each person (``0 .. n_units - 1``).
    unit_stratum
        Stratum of each unit (``0 .. n_strata - 1``).
    kind
        ``"people within arms"``, ``"matched sets"`` or ``"clusters within arms"``/``"clusters"``.
    """

    unit: np.ndarray
    unit_stratum: np.ndarray
    kind: str

    @classmethod
    def build(cls, arm: np.ndarray, groups: np.ndarray | None = None, kind: str = "matched sets") -> ResamplingPlan:
        """The plan for people with arms ``arm`` and optional matched-set or cluster labels ``groups``.

        With ``groups``, a group wholly within one arm is resampled within that arm; if any group
        spans arms (matched sets do), all groups are resampled together as one stratum.
        """
        arm = np.asarray(arm, dtype=np.intp)
        if groups is None:
            return cls(np.arange(arm.size), arm.copy(), "people within arms")
        _, unit = np.unique(np.asarray(groups), return_inverse=True)
        unit = unit.ravel().astype(np.intp)
        n_units = int(unit.max()) + 1
        lo = np.full(n_units, np.iinfo(np.intp).max)
        hi = np.full(n_units, -1)
        np.minimum.at(lo, unit, arm)
        np.maximum.at(hi, unit, arm)
        if (lo == hi).all():
            return cls(unit, lo, f"{kind} within arms")
        return cls(unit, np.zeros(n_units, dtype=np.intp), kind)

    @property
    def n_people(self) -> int:
        return int(self.unit.size)

    @property
    def n_units(self) -> int:
        return int(self.unit_stratum.size)

    @property
    def strata_sizes(self) -> tuple[int, ...]:
        return tuple(int(c) for c in np.bincount(self.unit_stratum))

    def chunk_size(self) -> int:
        """Replicates per chunk, so that a chunk holds about :data:`CHUNK_ELEMENTS` cells."""
        return max(1, CHUNK_ELEMENTS // max(self.n_people, 1))

    @property
    def members(self) -> list[np.ndarray]:
        """The units of each stratum, in order."""
        return [np.flatnonzero(self.unit_stratum == s) for s in range(len(self.strata_sizes))]

    def iter_bootstrap_draws(self, n_boot: int, seed: int | np.random.SeedSequence) -> Iterator[list[np.ndarray]]:
        """Bootstrap draws in chunks: per stratum, an ``(chunk, n_units_in_stratum)`` array of
        positions within :attr:`members` of that stratum (each stratum redraws its own size)."""
        if int(n_boot) < 2:
            raise AnalysisError(f"n_boot: expected at least 2 bootstrap replicates, got {n_boot}")
        sequence = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
        sizes = self.strata_sizes
        generators = [np.random.default_rng(child) for child in sequence.spawn(len(sizes))]
        step = self.chunk_size()
        for start in range(0, int(n_boot), step):
            n = min(step, int(n_boot) - start)
            yield [gen.integers(0, size, size=(n, size)) for gen, size in zip(generators, sizes)]

    def counts(self, draws: list[np.ndarray]) -> np.ndarray:
        """Each person's count in each replicate of a chunk of draws, ``(chunk, n_people)`` floats.

        All draws go into one flat index array (replicate * n_units + unit) and one
        ``np.bincount``; a stratum of consecutive units is offset rather than gathered.
        """
        n = draws[0].shape[0]
        flat = np.empty((n, self.n_units), dtype=np.intp)
        offsets = (np.arange(n, dtype=np.intp) * self.n_units)[:, None]
        column = 0
        for units, local in zip(self.members, draws):
            block = flat[:, column:column + units.size]
            if units[-1] - units[0] == units.size - 1:  # consecutive units
                np.add(local, units[0], out=block)
            else:
                np.take(units, local, out=block)
            block += offsets
            column += units.size
        counts = np.bincount(flat.ravel(), minlength=n * self.n_units).reshape(n, self.n_units)
        identity = self.n_units == self.n_people and bool((self.unit == np.arange(self.n_people)).all())
        return (counts if identity else counts[:, self.unit]).astype(float)

    def iter_bootstrap_counts(self, n_boot: int, seed: int | np.random.SeedSequence) -> Iterator[np.ndarray]:
        """Bootstrap count matrices, ``(chunk, n_people)`` each, ``n_boot`` rows in total."""
        for draws in self.iter_bootstrap_draws(n_boot, seed):
            yield self.counts(draws)

    def bootstrap_counts(self, n_boot: int, seed: int | np.random.SeedSequence) -> np.ndarray:
        """All bootstrap count rows at once, ``(n_boot, n_people)``."""
        return np.concatenate(list(self.iter_bootstrap_counts(n_boot, seed)))

    def iter_jackknife_weights(self) -> Iterator[np.ndarray]:
        """Leave-one-unit-out weights, ``(chunk, n_people)`` each, ``n_units`` rows in total."""
        step = self.chunk_size()
        for start in range(0, self.n_units, step):
            left_out = np.arange(start, min(start + step, self.n_units))
            yield (self.unit[None, :] != left_out[:, None]).astype(float)

    def jackknife_weights(self) -> np.ndarray:
        """All leave-one-unit-out rows at once, ``(n_units, n_people)``."""
        return np.concatenate(list(self.iter_jackknife_weights()))
