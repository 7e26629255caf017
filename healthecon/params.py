"""Parameters: a named, immutable collection of distributions, and PSA sampling.

``Parameters.sample(n, seed)`` draws every parameter at once, vectorised (one numpy call per
parameter, never a loop over samples), and returns the draws as an ``xarray.Dataset`` with the
single dimension ``sample``: one variable per scalar parameter, a Dirichlet ``d`` over
categories ``a, b`` expanded to ``d_a``, ``d_b`` (attrs ``group="d"``), each variable's attrs
holding its distribution's description (see ``docs/architecture.md``).
``Parameters.base_case()`` returns the same layout with one sample holding each point value,
built by the same code.

Reproducibility: each parameter draws from its own random stream, seeded by
``numpy.random.SeedSequence([seed, *sha256(name)])``, so the same seed gives the same draws bit
for bit in any session on any machine with the same numpy version (Python's ``hash()`` is
salted per process and is not used), and adding, removing or reordering *other* parameters leaves a parameter's draws
unchanged. A correlated group or a joint table draws from one stream keyed on all its names.

Chunking: streams come in blocks of :data:`BLOCK` samples. Block 0 (samples ``0..BLOCK-1``) is
seeded as above, block ``b > 0`` by ``SeedSequence([seed, *sha256(name), b])``, so sample ``i``
depends only on the seed, the name, ``n`` and ``i``: any slice of the draws
(:meth:`Parameters.sampler`) is bit-identical to the same slice of one big draw, however a run
is chunked. Latin hypercube designs and copula ranks are defined per block (see
:meth:`Parameters.sample`).

Correlation between parameters is by a Gaussian copula (Nelsen, *An Introduction to
Copulas*, 2nd ed., 2006): ``z ~ MVN(0, R)``, ``u = Phi(z)``, ``x_j = F_j^{-1}(u_j)``. It
extends the correlated-normal (Cholesky) approach of Briggs et al. (2006, ch. 4) to any
marginal distributions, each of which is kept exactly.

Examples
--------
>>> from healthecon.distributions import Beta, Gamma
>>> params = Parameters(p_sick=Beta(12, 88), c_drug=Gamma.from_mean_sd(1000, 200), discount=0.035)
>>> draws = params.sample(1000, seed=42)
>>> draws["p_sick"].shape, draws["p_sick"].attrs["distribution"]
((1000,), 'Beta(α=12, β=88)')
>>> float(params.base_case()["c_drug"][0])
1000.0
>>> params.summary()[["name", "distribution", "point"]]
       name               distribution     point
0    p_sick           Beta(α=12, β=88)     0.120
1    c_drug  Gamma(shape=25, scale=40)  1000.000
2  discount               Fixed(0.035)     0.035
"""

from __future__ import annotations

import difflib
import hashlib
import keyword
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from os import PathLike

import numpy as np
import pandas as pd
import xarray as xr

from ._spreadsheet import read_csv_text, write_csv
from ._validate import as_float_array, numeric_column, require_unique
from .distributions import STATISTICS, Dirichlet, Distribution, Empirical, JointDistribution, as_distribution, fit
from .errors import DistributionFitError, ParameterError, ShapeError, unknown_name

__all__ = ["BLOCK", "Parameters", "Sampler"]

#: Samples per block of every random stream (see the module docstring).
BLOCK = 65_536

AnyDistribution = Distribution | JointDistribution

_SYMMETRY_TOL = 1e-10
_PSD_TOL = 1e-10


def _base_entropy(seed: object) -> int:
    """The non-negative integer every stream is derived from.

    An int is used as is; a ``numpy.random.Generator`` gives one draw from it (advancing it);
    ``None`` takes fresh entropy from the operating system (recorded in the Dataset's
    ``seed`` attribute so the run can be repeated).
    """
    if seed is None:
        return int(np.random.SeedSequence().generate_state(1, np.uint64)[0] >> np.uint64(1))
    if isinstance(seed, np.random.Generator):
        return int(seed.integers(0, 2**63 - 1))
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ParameterError(f"seed: expected a non-negative int, a numpy.random.Generator or None, got {seed!r}")
    return int(seed)


def _stream(base: int, key: str, block: int = 0) -> np.random.Generator:
    """A generator for one parameter (or group) and one block of samples, from the base seed and
    a stable hash of its key; block 0's seed is that of the unchunked design."""
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    words = [int.from_bytes(digest[i : i + 4], "little") for i in range(0, 16, 4)]
    return np.random.default_rng(np.random.SeedSequence([base, *words] + ([block] if block else [])))


def _check_name(name: object) -> str:
    if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
        raise ParameterError(
            f"parameter name {name!r}: expected a valid Python identifier (letters, digits and underscores, "
            "not starting with a digit, not a keyword), because models read parameters as attributes"
        )
    return name


#: The columns Parameters.from_table reads (any other column, such as notes, is not read).
_TABLE_COLUMNS = ("name", "distribution", "category", "label", "unit", "source", *STATISTICS)


@dataclass(frozen=True)
class _Copula:
    """A Gaussian copula over ``names`` with normal-scale correlation ``matrix``."""

    names: tuple[str, ...]
    matrix: np.ndarray
    factor: np.ndarray  # factor @ factor.T == matrix

    def draw(self, n: int, base: int, dists: Mapping[str, AnyDistribution], lhs: bool = False, block: int = 0) -> dict[str, np.ndarray]:
        rng = _stream(base, "copula:" + "|".join(self.names), block)
        z = rng.standard_normal((n, len(self.names))) @ self.factor.T
        if lhs:  # one draw per stratum of each marginal, in the rank order of the correlated z
            ranks = np.argsort(np.argsort(z, axis=0, kind="stable"), axis=0, kind="stable")
            u = (ranks + rng.random(z.shape)) / n
        else:
            from scipy import special

            u = special.ndtr(z)
        u = _inside_unit(u)
        return {name: np.asarray(dists[name].ppf(u[:, j]), dtype=float) for j, name in enumerate(self.names)}


def _inside_unit(u: np.ndarray) -> np.ndarray:
    """``u`` kept strictly inside (0, 1): Phi(z) rounds to exactly 0 or 1 beyond |z| ~ 8.3 (and a
    stratified uniform can reach 0), where an unbounded marginal's quantile is infinite."""
    return np.clip(u, np.finfo(float).tiny, 1.0 - np.finfo(float).epsneg)


def _latin_hypercube(dist: AnyDistribution, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` stratified draws: one from each of ``n`` equal-probability strata, in random order
    (McKay, Beckman & Conover, *Technometrics* 21:239-245, 1979). A joint distribution (a
    Dirichlet, a multivariate normal) stratifies by its own ``stratified`` method."""
    if isinstance(dist, JointDistribution):
        return dist.stratified(n, rng)
    return np.asarray(dist.ppf(_inside_unit((rng.permutation(n) + rng.random(n)) / n)), dtype=float)


@dataclass(frozen=True)
class _Joint:
    """Columns of one table of draws whose rows must stay together."""

    names: tuple[str, ...]

    def draw(self, n: int, base: int, dists: Mapping[str, AnyDistribution], block: int = 0, total: int | None = None) -> dict[str, np.ndarray]:
        """``n`` rows for block ``block`` of a design of ``total`` samples (default ``n``): the
        table's rows in order when ``total`` equals its length, else drawn with replacement."""
        rows = len(dists[self.names[0]])  # type: ignore[arg-type]
        if (n if total is None else total) == rows:
            index = np.arange(block * BLOCK, block * BLOCK + n)
        else:
            index = _stream(base, "joint:" + "|".join(self.names), block).integers(0, rows, size=n)
        return {name: dists[name].draws[index] for name in self.names}  # type: ignore[union-attr]


class Parameters:
    """A named, immutable collection of parameter distributions.

    Parameters
    ----------
    mapping, **named
        Names mapped to distributions (:mod:`healthecon.distributions`); a plain number
        becomes :class:`~healthecon.distributions.Fixed`. Names must be valid Python
        identifiers.

    Notes
    -----
    Every method that changes something (:meth:`correlate`, :meth:`replace`, :meth:`merge`)
    returns a new ``Parameters``; the original is unchanged.

    Examples
    --------
    >>> from healthecon.distributions import Beta, Dirichlet
    >>> p = Parameters({"p_death": Beta(2, 98)}, next_state=Dirichlet({"well": 8, "sick": 2}))
    >>> p.names, p.variables
    (('p_death', 'next_state'), ('p_death', 'next_state_well', 'next_state_sick'))
    >>> p.base_case()["next_state_sick"].attrs
    {'distribution': 'Dirichlet(well=8, sick=2)', 'group': 'next_state', 'category': 'sick'}
    """

    __slots__ = ("_dists", "_copulas", "_joints", "_about")

    def __init__(self, mapping: Mapping[str, object] | None = None, /, *, labels: Mapping[str, str] | None = None,
                 units: Mapping[str, str] | None = None, sources: Mapping[str, str] | None = None,
                 **named: object) -> None:
        items: dict[str, object] = {}
        if mapping is not None:
            if not isinstance(mapping, Mapping):
                raise ParameterError(f"Parameters: expected a mapping of names to distributions, got {type(mapping).__name__}")
            items.update(mapping)
        for name, value in named.items():
            if name in items:
                raise ParameterError(f"Parameters: parameter {name!r} is given both in the mapping and as a keyword")
            items[name] = value
        dists = {_check_name(name): as_distribution(value, f"parameter {name!r}") for name, value in items.items()}
        self._init(dists, (), ())
        object.__setattr__(self, "_about", _about(dists, {"label": labels, "unit": units, "source": sources}))

    def _init(self, dists: dict[str, AnyDistribution], copulas: tuple[_Copula, ...], joints: tuple[_Joint, ...]) -> None:
        variables = [v for name, dist in dists.items() for v in _variables(name, dist)]
        seen: set[str] = set()
        for var in variables:
            if var == "sample":
                raise ParameterError("Parameters: 'sample' cannot be a parameter name; it is the draws' dimension")
            if var in seen:
                raise ParameterError(
                    f"Parameters: variable {var!r} is defined twice (a Dirichlet's categories expand to "
                    "'<name>_<category>'; rename the parameter or the category)"
                )
            seen.add(var)
        object.__setattr__(self, "_dists", dists)
        object.__setattr__(self, "_copulas", copulas)
        object.__setattr__(self, "_joints", joints)
        object.__setattr__(self, "_about", {})

    @classmethod
    def _make(cls, dists: dict[str, AnyDistribution], copulas: tuple[_Copula, ...], joints: tuple[_Joint, ...],
              about: Mapping[str, Mapping[str, str]] | None = None) -> Parameters:
        new = object.__new__(cls)
        new._init(dists, copulas, joints)
        object.__setattr__(new, "_about", {n: dict(v) for n, v in (about or {}).items() if n in dists})
        return new

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Parameters objects are immutable; use replace(), correlate() or merge() to make a new one")

    def __reduce__(self) -> tuple:
        # pickling (e.g. for parallel workers) rebuilds through _make rather than setattr
        return (Parameters._make, (self._dists, self._copulas, self._joints, self._about))

    # -- construction -------------------------------------------------------------------

    @classmethod
    def from_draws(cls, frame: pd.DataFrame | xr.Dataset | Mapping[str, Sequence[float]]) -> Parameters:
        """Parameters whose draws come jointly from the rows of one table.

        ``frame`` is a ``pandas.DataFrame`` (e.g. ``pd.read_csv`` of another tool's PSA
        output), a mapping of equal-length columns, or a Dataset of draws (dimension
        ``sample``, e.g. saved from an earlier :meth:`sample`).

        Each column becomes an :class:`~healthecon.distributions.Empirical` parameter, and
        all columns share the same row indices when sampled, so the correlation between
        them (e.g. bootstrap replicates of several costs, or another tool's PSA output) is
        kept. When ``n`` equals the number of rows the rows are taken in order; otherwise
        ``n`` rows are drawn jointly with replacement (the non-parametric bootstrap; Briggs
        et al. 2006, ch. 4). The base case is each column's mean.

        Examples
        --------
        >>> table = pd.DataFrame({"c_a": [1.0, 2.0, 3.0], "c_b": [10.0, 20.0, 30.0]})
        >>> d = Parameters.from_draws(table).sample(5, seed=1)
        >>> bool(((d["c_b"] / d["c_a"]) == 10).all())
        True
        """
        if isinstance(frame, xr.Dataset):
            bad = [name for name, var in frame.data_vars.items() if var.dims != ("sample",)]
            if bad:
                raise ShapeError(f"Parameters.from_draws: variables {bad} do not have the single dimension 'sample'")
            frame = pd.DataFrame({name: var.values for name, var in frame.data_vars.items()})
        frame = pd.DataFrame(frame)
        if frame.shape[1] == 0 or frame.shape[0] == 0:
            raise ParameterError(f"Parameters.from_draws: expected a table with at least one row and one column, got shape {frame.shape}")
        dists: dict[str, AnyDistribution] = {}
        for column in frame.columns:
            name = _check_name(column)
            dists[name] = Empirical(numeric_column(frame, column, "Parameters.from_draws"))
        joints = (_Joint(tuple(dists)),) if len(dists) > 1 else ()
        return cls._make(dists, (), joints)

    @classmethod
    def from_table(cls, frame: pd.DataFrame) -> Parameters:
        """Parameters from a table with one row per parameter, as analysts keep them in a sheet.

        Columns ``name`` and ``distribution`` are required; the statistics are read from
        columns named as in :func:`~healthecon.distributions.fit` (``mean``, ``sd``, ``se``,
        ``lower``, ``upper``, ``level``, ``point``, ``alpha``, ``beta``, ``events``, ``total``,
        ``shape``, ``scale``, ``rate``, ``meanlog``, ``sdlog``, ``mu``, ``sigma``, ``mode``,
        ``lam``, ``value``), and an empty cell means "not given", so each row fills in only the
        statistics its source reported. Optional columns ``label``, ``unit`` and ``source`` become
        the parameters' :attr:`labels`, :attr:`units` and :attr:`sources`; other columns
        (notes) are not read. A Dirichlet
        takes one row per category, sharing the name, with columns ``category`` and ``alpha``
        (the count). Errors name the parameter and the data row (1 = first row after the header).

        Examples
        --------
        >>> table = pd.DataFrame({
        ...     "name": ["p_sick", "rr", "c_drug", "next", "next"],
        ...     "distribution": ["beta", "lognormal", "gamma", "dirichlet", "dirichlet"],
        ...     "mean": [0.3, None, 1000, None, None], "sd": [0.1, None, 200, None, None],
        ...     "point": [None, 0.7, None, None, None], "lower": [None, 0.55, None, None, None],
        ...     "upper": [None, 0.9, None, None, None], "category": [None, None, None, "well", "dead"],
        ...     "alpha": [None, None, None, 90, 10], "source": ["trial", "meta-analysis", "NHS costs", "cohort", "cohort"]})
        >>> Parameters.from_table(table)
        Parameters(
          p_sick ~ Beta(α=6, β=14)
          rr ~ LogNormal(meanlog=-0.3567, sdlog=0.1256, point=0.7)
          c_drug ~ Gamma(shape=25, scale=40)
          next ~ Dirichlet(well=90, dead=10)
        )
        """
        frame = pd.DataFrame(frame)
        frame.columns = [str(c).strip().lower() if str(c).strip().lower() in _TABLE_COLUMNS else c for c in frame.columns]  # "Level" reads as "level"
        repeated = sorted({c for c in frame.columns if list(frame.columns).count(c) > 1})
        if repeated:
            raise ParameterError(f"Parameters.from_table: column(s) {repeated} given more than once (names are read without case)")
        for column in frame.columns:
            close = difflib.get_close_matches(str(column).lower(), _TABLE_COLUMNS, n=1, cutoff=0.75)
            if column not in _TABLE_COLUMNS and close:
                raise ParameterError(f"Parameters.from_table: column {column!r} is not read; did you mean {close[0]!r}? "
                                     "(other columns, such as notes, are not read)")
        missing = [c for c in ("name", "distribution") if c not in frame.columns]
        if missing:
            raise ParameterError(f"Parameters.from_table: missing column(s) {missing}; columns are {list(frame.columns)}")
        columns = [c for c in frame.columns if c in STATISTICS]
        dists: dict[str, object] = {}
        categories: dict[str, dict[str, float]] = {}
        for row, record in enumerate(frame.to_dict("records"), start=1):
            for column in ("name", "distribution"):
                if not isinstance(record[column], str) or not record[column].strip():
                    raise ParameterError(f"Parameters.from_table: data row {row}: expected a {column}, got {record[column]!r}")
            name = _check_name(record["name"].strip())
            where = f"parameter {name!r} (data row {row})"
            stats_given = {}
            for column in columns:
                cell = record[column]
                if pd.isna(cell) or (isinstance(cell, str) and not cell.strip()):
                    continue
                try:  # Python's float reads every written double back exactly
                    number = float(cell.strip()) if isinstance(cell, str) else float(cell)
                except (TypeError, ValueError):
                    number = math.nan
                if isinstance(cell, bool) or not math.isfinite(number):
                    raise ParameterError(f"{where}: column {column!r}: expected a number, got {cell!r}")
                stats_given[column] = number
            family = record["distribution"].strip()
            if family.lower() == "dirichlet":
                category = record.get("category")
                category = category.strip() if isinstance(category, str) else ""
                if not category:
                    raise ParameterError(f"{where}: a Dirichlet row needs a 'category'")
                if set(stats_given) != {"alpha"}:
                    raise ParameterError(f"{where}: a Dirichlet row takes only 'alpha' (the count), got {sorted(stats_given)}")
                if name in dists and name not in categories:
                    raise ParameterError(f"{where}: parameter {name!r} is defined more than once")
                group = categories.setdefault(name, {})
                if category in group:
                    raise ParameterError(f"{where}: category {category!r} is given more than once")
                group[category] = stats_given["alpha"]
                dists[name] = None  # built once every category is read
                continue
            if name in dists:
                raise ParameterError(f"{where}: parameter {name!r} is defined more than once")
            try:
                dists[name] = fit(family, **stats_given)
            except DistributionFitError as err:
                raise DistributionFitError(f"{where}: {err}") from err
        for name, alphas in categories.items():
            try:
                dists[name] = Dirichlet(alphas)
            except DistributionFitError as err:
                raise DistributionFitError(f"parameter {name!r}: {err}") from err
        about = {column: {str(r["name"]).strip(): r[column].strip() for r in frame.to_dict("records")
                          if isinstance(r.get(column), str) and r[column].strip()}
                 for column in ("label", "unit", "source") if column in frame.columns}  # optional columns
        return cls(dists, labels=about.get("label"), units=about.get("unit"), sources=about.get("source"))

    @classmethod
    def from_csv(cls, path: str | PathLike) -> Parameters:
        """:meth:`from_table` on a CSV file on this machine (read as data only: nothing in it is
        executed and no URL is fetched; a row with more cells than the header raises, naming its line)."""
        return cls.from_table(read_csv_text(path, "Parameters.from_csv", ParameterError))

    def to_table(self) -> pd.DataFrame:
        """The parameter sheet that :meth:`from_table` reads back to the same distributions.

        One row per parameter (one per category for a Dirichlet) in each distribution's native
        parameterisation (:meth:`~healthecon.distributions.Distribution.native`), with a
        ``point`` column where a point value was stated. Correlations and empirical draws
        cannot be written as rows and raise rather than being dropped.

        Examples
        --------
        >>> from healthecon.distributions import Beta, Gamma
        >>> Parameters(p=Beta(2, 8), c=Gamma(4, 25), k=7).to_table()
          name distribution  alpha  beta  shape  scale  value
        0    p         beta    2.0   8.0    NaN    NaN    NaN
        1    c        gamma    NaN   NaN    4.0   25.0    NaN
        2    k        fixed    NaN   NaN    NaN    NaN    7.0
        """
        if self._copulas:
            groups = "; ".join(", ".join(c.names) for c in self._copulas)
            raise ParameterError(f"to_table: the correlations between {groups} cannot be written to a parameter table")
        rows: list[dict[str, object]] = []
        for name, dist in self._dists.items():
            if isinstance(dist, Dirichlet):
                rows += [{"name": name, "distribution": "dirichlet", "category": c, "alpha": float(a)} for c, a in zip(dist.categories, dist.alpha)]
                continue
            if isinstance(dist, JointDistribution):
                raise ParameterError(f"to_table: parameter {name!r} is a {type(dist).__name__}, which cannot be written as rows of a parameter table")
            try:
                family, statistics = dist.native()
            except ParameterError as err:
                raise ParameterError(f"to_table: parameter {name!r}: {err}") from err
            rows.append({"name": name, "distribution": family, **statistics})
        table = pd.DataFrame(rows)
        for column, values in (("label", {n: a["label"] for n, a in self._about.items() if "label" in a}),
                               ("unit", self.units), ("source", self.sources)):
            if values:  # what from_table reads back, so that a round trip keeps the provenance
                table[column] = [values.get(n, "") for n in table["name"]]
        return table

    def to_csv(self, path: str | PathLike) -> None:
        """Write :meth:`to_table` as CSV (full float precision; text that a spreadsheet would open
        as a formula escaped), readable by :meth:`from_csv`."""
        write_csv(self.to_table(), path)

    def correlate(self, names: Sequence[str], matrix: object, *, kind: str = "normal") -> Parameters:
        """A new ``Parameters`` in which ``names`` are correlated through a Gaussian copula.

        Draws are ``z ~ MVN(0, R)``, ``u = Phi(z)``, ``x_j = F_j^{-1}(u_j)`` (a Gaussian copula;
        Nelsen 2006; Briggs et al. 2006, ch. 4, for the correlated normals), so each parameter
        keeps its own distribution exactly.

        Parameters
        ----------
        names
            Two or more scalar parameters, not already in a correlated group or a joint table.
        matrix
            Square correlation matrix in the order of ``names`` (a ``pandas.DataFrame`` must
            be labelled with ``names`` on both axes): symmetric, unit diagonal, entries in
            [-1, 1], positive semi-definite.
        kind
            ``"normal"`` (default): ``matrix`` is the correlation of the normal scores ``z``.
            ``"spearman"``: ``matrix`` is the target rank correlation, converted with
            ``R = 2 sin(pi * rho_s / 6)`` (Kruskal 1958), exact for the copula whatever the
            marginals. The two differ by less than 0.02.

        Examples
        --------
        >>> from healthecon.distributions import Gamma
        >>> p = Parameters(c_a=Gamma(4, 250), c_b=Gamma(9, 100))
        >>> d = p.correlate(["c_a", "c_b"], [[1, 0.8], [0.8, 1]]).sample(4000, seed=3)
        >>> round(float(np.corrcoef(d["c_a"], d["c_b"])[0, 1]), 1)
        0.8
        """
        names = require_unique(list(names), "correlate: names")
        if len(names) < 2:
            raise ParameterError(f"correlate: expected at least two parameter names, got {list(names)}")
        for name in names:
            self._check_free(name, "correlate")
        if kind not in ("normal", "spearman"):
            raise ParameterError(f"correlate: kind must be 'normal' or 'spearman', got {kind!r}")
        matrix = _correlation_matrix(names, matrix)
        if kind == "spearman":
            # 2 sin(pi / 6) rounds to 0.9999999999999999: keep rank correlations of +-1 (and the
            # diagonal) exact, so the normal-scale matrix is still a correlation matrix
            matrix = np.where(np.abs(matrix) == 1, matrix, 2 * np.sin(np.pi * matrix / 6))
        values, vectors = np.linalg.eigh(matrix)
        if values.min() < -_PSD_TOL:
            raise ParameterError(
                f"correlate {list(names)}: the correlation matrix is not positive semi-definite "
                f"(smallest eigenvalue {values.min():.4g}); no set of variables can have these correlations"
            )
        factor = vectors * np.sqrt(np.clip(values, 0.0, None))
        matrix.setflags(write=False)
        factor.setflags(write=False)
        return self._make(dict(self._dists), (*self._copulas, _Copula(tuple(names), matrix, factor)), self._joints,
                          self._about)

    def replace(self, **new: object) -> Parameters:
        """A new ``Parameters`` with some distributions replaced, e.g. for a scenario.

        A replaced parameter keeps its place in a correlated group (it must stay scalar); a
        replaced column of a joint table (:meth:`from_draws`) leaves the table and is then
        drawn independently.

        Examples
        --------
        >>> from healthecon.distributions import Beta
        >>> Parameters(p=Beta(1, 9), c=100).replace(c=150)["c"]
        Fixed(150)
        """
        dists = dict(self._dists)
        for name, value in new.items():
            if name not in dists:
                raise unknown_name("parameter", name, dists)
            dists[name] = as_distribution(value, f"parameter {name!r}")
            if isinstance(dists[name], JointDistribution) and any(name in c.names for c in self._copulas):
                raise ParameterError(f"replace: parameter {name!r} is in a correlated group and cannot become a {type(dists[name]).__name__}")
        joints = []
        for joint in self._joints:
            kept = tuple(n for n in joint.names if n not in new)
            if len(kept) > 1:
                joints.append(_Joint(kept))
        return self._make(dists, self._copulas, tuple(joints), self._about)

    def merge(self, *others: Parameters) -> Parameters:
        """All parameters of ``self`` and ``others`` together (names must not clash).

        Examples
        --------
        >>> from healthecon.distributions import Beta
        >>> (Parameters(a=1) | Parameters(b=Beta(1, 1))).names
        ('a', 'b')
        """
        dists = dict(self._dists)
        copulas, joints = list(self._copulas), list(self._joints)
        about = dict(self._about)
        for other in others:
            if not isinstance(other, Parameters):
                raise ParameterError(f"merge: expected Parameters, got {type(other).__name__}")
            for name, dist in other._dists.items():
                if name in dists:
                    raise ParameterError(f"merge: parameter {name!r} is defined in both collections")
                dists[name] = dist
            copulas.extend(other._copulas)
            joints.extend(other._joints)
            about.update(other._about)
        return self._make(dists, tuple(copulas), tuple(joints), about)

    def __or__(self, other: Parameters) -> Parameters:
        return self.merge(other)

    # -- sampling -----------------------------------------------------------------------

    def sample(self, n: int, seed: int | np.random.Generator | None, *, method: str = "random") -> xr.Dataset:
        """``n`` PSA draws of every parameter as an ``xarray.Dataset`` (dimension ``sample``).

        ``seed`` is a non-negative int or a ``numpy.random.Generator`` (one number is drawn
        from it); ``None`` uses fresh entropy. The base seed actually used is stored in
        ``attrs["seed"]``, so ``sample(n, seed=draws.attrs["seed"])`` repeats a run. Each
        parameter has its own stream derived from the seed and its name (see the module
        docstring), so adding or removing another parameter does not change its draws.

        ``method="random"`` (default) is simple Monte Carlo. ``method="lhs"`` is Latin
        hypercube sampling (McKay, Beckman & Conover 1979): each parameter's draws fall one in
        each of ``m`` equal-probability strata, which steadies the mean of a small PSA;
        correlated groups keep the copula's rank order (as in Iman & Conover, *Communications
        in Statistics - Simulation and Computation* 11:311-334, 1982). Joint tables
        (:meth:`from_draws`) are drawn as in ``"random"``. The strata are defined per block of
        :data:`BLOCK` samples: up to ``BLOCK`` samples are one Latin hypercube of ``m = n``
        strata (as in McKay et al.); a larger design is a sequence of Latin hypercubes, one per
        block (``m = BLOCK``, the last ``m = n mod BLOCK``), so that any chunk of it can be
        drawn alone (:meth:`sampler`).

        Examples
        --------
        >>> from healthecon.distributions import Beta
        >>> p = Parameters(p=Beta(1, 9))
        >>> a = p.sample(3, seed=7)["p"].values
        >>> b = (p | Parameters(q=Beta(5, 5))).sample(3, seed=7)["p"].values
        >>> bool((a == b).all())
        True
        """
        return self.sampler(n, seed, method=method).draws()

    def sampler(self, n: int, seed: int | np.random.Generator | None, *, method: str = "random") -> Sampler:
        """The design of ``n`` draws, from which any chunk of samples can be drawn alone.

        ``sampler(n, seed).draws(i, j)`` is bit-identical to ``sample(n, seed)`` restricted to
        samples ``i..j-1`` (same values, ``sample`` coordinate ``i..j-1``), and its memory is
        bounded by the chunk and one block of :data:`BLOCK` samples, so a PSA too big for
        memory can be run in pieces (:func:`healthecon.scale.run_psa`). A ``Generator`` seed is
        resolved to an int once, here.

        Examples
        --------
        >>> from healthecon.distributions import Beta
        >>> design = Parameters(p=Beta(1, 9)).sampler(100_000, seed=7)
        >>> whole = design.draws()["p"].values
        >>> part = design.draws(65_000, 66_000)
        >>> bool((part["p"].values == whole[65_000:66_000]).all()), int(part["sample"][0])
        (True, 65000)
        """
        if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ParameterError(f"sample: n must be a positive int number of samples, got {n!r}")
        if method not in ("random", "lhs"):
            raise ParameterError(f"sample: method must be 'random' or 'lhs', got {method!r}")
        return Sampler(self, int(n), _base_entropy(seed), method)

    def _draw_block(self, n: int, base: int, method: str, block: int) -> dict[str, np.ndarray]:
        """Every parameter's draws for block ``block`` of a design of ``n`` samples."""
        size = min(BLOCK, n - block * BLOCK)
        lhs = method == "lhs"
        columns: dict[str, np.ndarray] = {}
        for copula in self._copulas:
            columns.update(copula.draw(size, base, self._dists, lhs=lhs, block=block))
        for joint in self._joints:
            columns.update(joint.draw(size, base, self._dists, block=block, total=n))
        for name, dist in self._dists.items():
            if name in columns:
                continue
            if isinstance(dist, Empirical):  # a one-column table: as a joint table of one
                columns.update(_Joint((name,)).draw(size, base, {name: dist}, block=block, total=n))
                continue
            stream = _stream(base, name, block)
            columns[name] = _latin_hypercube(dist, size, stream) if lhs else dist.sample(size, stream)
        return columns

    def base_case(self) -> xr.Dataset:
        """One sample holding each parameter's point value, in the same layout as :meth:`sample`.

        Examples
        --------
        >>> from healthecon.distributions import LogNormal
        >>> Parameters(rr=LogNormal.from_point_ci(0.7, 0.55, 0.9)).base_case()["rr"].values
        array([0.7])
        """
        columns = {name: np.asarray(dist.point, dtype=float)[np.newaxis] for name, dist in self._dists.items()}
        return self._assemble(columns, 1, {"kind": "base_case"})

    def _assemble(self, columns: Mapping[str, np.ndarray], n: int, attrs: dict, start: int = 0) -> xr.Dataset:
        data_vars = {}
        for name, dist in self._dists.items():
            base_attrs = {"distribution": dist.describe(), **self._about.get(name, {})}
            partners = self._partners(name)
            if partners:
                base_attrs["correlated_with" if partners[0] == "copula" else "joint_draws_with"] = partners[1]
            if isinstance(dist, JointDistribution):
                for j, category in enumerate(dist.categories):
                    var_attrs = {**base_attrs, "group": name, "category": category}
                    data_vars[f"{name}_{category}"] = (("sample",), columns[name][:, j], var_attrs)
            else:
                data_vars[name] = (("sample",), columns[name], base_attrs)
        return xr.Dataset(data_vars, coords={"sample": np.arange(start, start + n)}, attrs=attrs)

    # -- summaries ----------------------------------------------------------------------

    def summary(self, level: float = 0.95) -> pd.DataFrame:
        """One row per variable: name, distribution, point, mean, sd, the ``level`` interval and
        ``correlation`` (``"copula: c_b"``, ``"joint draws: c_b, q_a"`` or, for a component of a
        joint distribution, ``"joint Dirichlet: p_b, p_c"``; else empty).

        A joint distribution's components (Dirichlet categories, a multivariate normal's
        estimates) get one row each with their marginal distribution (Beta; Normal or
        LogNormal), mean, SD and interval, and name the others drawn with them.
        """
        rows = []
        for name, dist in self._dists.items():
            partners = self._partners(name)
            linked = f"{partners[0]}: {partners[1]}" if partners else ""
            if isinstance(dist, JointDistribution):
                lows, highs = dist.interval(level)
                names = [f"{name}_{category}" for category in dist.categories]
                for j, category in enumerate(dist.categories):
                    joint = f"joint {type(dist).__name__}: " + ", ".join(other for other in names if other != names[j])
                    rows.append((names[j], dist.marginal(category).describe(), dist.point[j], dist.mean[j], dist.sd[j], lows[j], highs[j], joint))
            else:
                low, high = dist.interval(level)
                rows.append((name, dist.describe(), dist.point, dist.mean, dist.sd, low, high, linked))
        return pd.DataFrame(rows, columns=["name", "distribution", "point", "mean", "sd", "lower", "upper", "correlation"])

    def ranges(self, level: float = 0.95) -> dict[str, tuple[float, float]]:
        """``{name: (low, high)}``, the equal-tailed ``level`` interval of each scalar parameter.

        For one-way sensitivity analysis. Dirichlet parameters are left out: one category
        cannot vary alone while the categories sum to 1. Fixed parameters give ``(v, v)``.

        Examples
        --------
        >>> from healthecon.distributions import Normal
        >>> Parameters(x=Normal(0, 1), y=2).ranges()
        {'x': (-1.959963984540054, 1.959963984540054), 'y': (2.0, 2.0)}
        """
        return {name: dist.interval(level) for name, dist in self._dists.items() if isinstance(dist, Distribution)}

    @property
    def names(self) -> tuple[str, ...]:
        """Parameter names, in order (a Dirichlet counts once)."""
        return tuple(self._dists)

    @property
    def variables(self) -> tuple[str, ...]:
        """Names of the variables in the sampled Dataset (Dirichlet categories expanded)."""
        return tuple(v for name, dist in self._dists.items() for v in _variables(name, dist))

    @property
    def labels(self) -> dict[str, str]:
        """Human labels declared with ``Parameters(..., labels={name: label})``; a parameter
        without one reads as its name.

        Labels and units are declared once, with the parameters, and reports, workbooks and
        tornado diagrams use them. ``labels``, ``units`` and ``sources`` are keyword-only, so
        they cannot be parameter names given as keywords (pass such a name in ``mapping``).

        Examples
        --------
        >>> from healthecon.distributions import Gamma
        >>> p = Parameters(c_drug=Gamma.from_mean_sd(1000, 200), p_sick=0.1, labels={"c_drug": "Drug cost"},
        ...                units={"c_drug": "£"}, sources={"c_drug": "BNF 2024"})
        >>> p.labels, p.units, p.sources
        ({'c_drug': 'Drug cost', 'p_sick': 'p_sick'}, {'c_drug': '£'}, {'c_drug': 'BNF 2024'})
        >>> p.base_case()["c_drug"].attrs["label"], p.replace(c_drug=900.0).units
        ('Drug cost', {'c_drug': '£'})
        """
        return {name: self._about.get(name, {}).get("label", name) for name in self._dists}

    @property
    def units(self) -> dict[str, str]:
        """Units declared with ``Parameters(..., units={name: unit})`` (see :attr:`labels`)."""
        return {name: about["unit"] for name, about in self._about.items() if "unit" in about}

    @property
    def sources(self) -> dict[str, str]:
        """Sources declared with ``Parameters(..., sources={name: source})`` (see :attr:`labels`)."""
        return {name: about["source"] for name, about in self._about.items() if "source" in about}

    @property
    def correlations(self) -> dict[tuple[str, ...], np.ndarray]:
        """The correlated groups and their normal-scale correlation matrices."""
        return {c.names: c.matrix for c in self._copulas}

    def __getitem__(self, name: str) -> AnyDistribution:
        if name not in self._dists:
            raise unknown_name("parameter", name, self._dists)
        return self._dists[name]

    def __contains__(self, name: object) -> bool:
        return name in self._dists

    def __len__(self) -> int:
        return len(self._dists)

    def __iter__(self) -> Iterator[str]:
        return iter(self._dists)

    def __repr__(self) -> str:
        lines = [f"  {name} ~ {dist.describe()}" for name, dist in self._dists.items()]
        lines += [f"  correlated: {', '.join(c.names)}" for c in self._copulas]
        lines += [f"  joint draws: {', '.join(j.names)}" for j in self._joints]
        return "Parameters(\n" + "\n".join(lines) + "\n)" if lines else "Parameters()"

    def _repr_html_(self) -> str:
        """The :meth:`summary` table, for notebooks."""
        return self.summary().to_html(index=False)

    def _partners(self, name: str) -> tuple[str, str] | None:
        """``("copula" | "joint draws", "other, names")`` for a grouped parameter, else None."""
        for kind, groups in (("copula", self._copulas), ("joint draws", self._joints)):
            for group in groups:
                if name in group.names:
                    return kind, ", ".join(other for other in group.names if other != name)
        return None

    def _check_free(self, name: str, what: str) -> None:
        if isinstance(self[name], JointDistribution):
            raise ParameterError(f"{what}: parameter {name!r} is a {type(self[name]).__name__}; only scalar parameters can be correlated")
        partners = self._partners(name)
        if partners and partners[0] == "copula":
            raise ParameterError(f"{what}: parameter {name!r} is already in a correlated group with {partners[1]}")
        if partners:
            raise ParameterError(
                f"{what}: parameter {name!r} is drawn jointly with {partners[1]} from one table; its correlations come from that table"
            )


def _about(dists: Mapping[str, AnyDistribution], declared: Mapping[str, Mapping[str, str] | None]) -> dict[str, dict[str, str]]:
    """``{parameter: {"label": ..., "unit": ..., "source": ...}}`` from the keyword arguments of
    ``Parameters``, naming any parameter that does not exist."""
    about: dict[str, dict[str, str]] = {}
    for field, given in declared.items():
        if given is None:
            continue
        if not isinstance(given, Mapping):
            raise ParameterError(f"Parameters: {field}s: expected a mapping of parameter names to text, got {given!r}")
        for name, text in given.items():
            if name not in dists:
                raise unknown_name(f"parameter (in {field}s=)", name, dists)
            about.setdefault(name, {})[field] = str(text)
    return about


class Sampler:
    """A design of ``n`` PSA draws (:meth:`Parameters.sampler`): any chunk of it on demand.

    Attributes ``parameters``, ``n``, ``seed`` (the resolved int base seed) and ``method``.
    The last block drawn is kept, so consecutive chunks inside one block draw it once.
    """

    __slots__ = ("parameters", "n", "seed", "method", "_cache")

    def __init__(self, parameters: Parameters, n: int, seed: int, method: str) -> None:
        self.parameters, self.n, self.seed, self.method = parameters, n, seed, method
        self._cache: tuple[int, dict[str, np.ndarray]] | None = None

    def __reduce__(self) -> tuple:
        # the cache is not sent to parallel workers: each draws its own blocks
        return (Sampler, (self.parameters, self.n, self.seed, self.method))

    def __repr__(self) -> str:
        return f"Sampler(n={self.n}, seed={self.seed}, method={self.method!r}, parameters={list(self.parameters.names)})"

    def _block(self, block: int) -> dict[str, np.ndarray]:
        if self._cache is None or self._cache[0] != block:
            self._cache = (block, self.parameters._draw_block(self.n, self.seed, self.method, block))
        return self._cache[1]

    def draws(self, start: int = 0, stop: int | None = None) -> xr.Dataset:
        """Samples ``start..stop-1`` of the design (default all), as :meth:`Parameters.sample` returns them."""
        stop = self.n if stop is None else stop
        for label, value in (("start", start), ("stop", stop)):
            if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
                raise ParameterError(f"draws: {label} must be an int sample index, got {value!r}")
        if not 0 <= start < stop <= self.n:
            raise ParameterError(f"draws: expected 0 <= start < stop <= {self.n} (the design's samples), got start={start}, stop={stop}")
        pieces: dict[str, list[np.ndarray]] = {}
        for block in range(start // BLOCK, (stop - 1) // BLOCK + 1):
            lo, hi = max(start, block * BLOCK) - block * BLOCK, min(stop, (block + 1) * BLOCK) - block * BLOCK
            for name, values in self._block(block).items():
                pieces.setdefault(name, []).append(values[lo:hi])
        columns = {name: parts[0].copy() if len(parts) == 1 else np.concatenate(parts) for name, parts in pieces.items()}
        attrs = {"kind": "psa", "seed": self.seed, "method": self.method}
        if (start, stop) != (0, self.n):
            attrs["design_samples"] = self.n
        return self.parameters._assemble(columns, stop - start, attrs, start=int(start))


def _variables(name: str, dist: AnyDistribution) -> list[str]:
    if isinstance(dist, JointDistribution):
        return [f"{name}_{category}" for category in dist.categories]
    return [name]


def _correlation_matrix(names: Sequence[str], matrix: object) -> np.ndarray:
    """Validate a correlation matrix for ``names``; return it as a float array."""
    what = f"correlate {list(names)}"
    if isinstance(matrix, pd.DataFrame):
        if list(matrix.index) != list(names) or list(matrix.columns) != list(names):
            raise ShapeError(
                f"{what}: the matrix is labelled {list(matrix.index)} x {list(matrix.columns)}; expected {list(names)} on both axes"
            )
    arr = np.array(as_float_array(matrix, f"{what}: matrix"), dtype=float)
    k = len(names)
    if arr.shape != (k, k):
        raise ShapeError(f"{what}: expected a {k} x {k} correlation matrix, got shape {arr.shape}")
    if not np.isfinite(arr).all():
        raise ParameterError(f"{what}: the matrix contains NaN or infinite entries")
    for i, j in zip(*np.nonzero(np.abs(arr - arr.T) > _SYMMETRY_TOL)):
        raise ParameterError(f"{what}: the matrix is not symmetric: entry [{names[i]}, {names[j]}] = {arr[i, j]:g} but [{names[j]}, {names[i]}] = {arr[j, i]:g}")
    for i in np.nonzero(np.diag(arr) != 1)[0]:
        raise ParameterError(f"{what}: diagonal entry for {names[i]!r} is {arr[i, i]:g}; a correlation matrix has 1 on the diagonal")
    for i, j in zip(*np.nonzero(np.abs(arr) > 1)):
        raise ParameterError(f"{what}: correlation between {names[i]!r} and {names[j]!r} is {arr[i, j]:g}; expected a value in [-1, 1]")
    return arr
