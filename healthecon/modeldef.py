"""What Markov models and decision trees share in their definitions.

A model definition (a :class:`~healthecon.markov.MarkovModel`, a
:class:`~healthecon.tree.DecisionTree`) names probabilities and rewards; an engine
(:mod:`healthecon.markov_engine`, :mod:`healthecon.tree_engine`) evaluates them over the
PSA samples. The pieces both definitions use live here, once:

- the complement marker :data:`C` (heemod's ``C``; the string ``"#"``, TreeAge's, means the
  same), :func:`is_complement` and :func:`complement`, which fills it in with one wording of
  its error;
- :class:`ParameterView`, the view of the draws that functions and callables receive:
  ``p["p_sick"]`` and ``p.p_sick`` are the parameter's draws, a float array of shape
  ``(n_samples,)``, and an unknown name raises :class:`MissingParameter` (an
  :class:`~healthecon.errors.UnknownNameError` listing the known names);
- rewards: :func:`is_cost` and :func:`reward_kind`, and :func:`check_utility`, the rule for
  utilities;
- the checks of single values: :func:`refuse_boolean` and :func:`first_bad`.

Rules for definitions
---------------------
- **Booleans are not numbers.** ``True`` or ``False`` (or a boolean array) given as a
  probability or a reward is refused, naming where, in Markov models and trees alike: it is
  usually a comparison written where a number was meant (``p.age > 60``); write
  ``np.where(...)`` or ``1.0``/``0.0``.
- **Utilities** (the state reward ``qaly`` of a Markov model, a value per year in the state)
  above 1 are an error: no health state is better than full health. Below 0 is allowed with
  a warning, since states worse than death exist (EQ-5D tariffs go down to about -0.59 in
  the UK; Dolan 1997).
- **The complement** of a row or a chance node (``1 -`` the other entries) may fall below
  0 by at most :data:`TOLERANCE` (floating-point rounding, then set to 0); below that it is
  an error naming the first bad sample.

Examples
--------
>>> import numpy as np
>>> p = ParameterView({"p_sick": np.array([0.1, 0.2])})
>>> p["p_sick"], p.p_sick is p["p_sick"]
(array([0.1, 0.2]), True)
>>> p["p_sik"]
Traceback (most recent call last):
...
healthecon.modeldef.MissingParameter: unknown parameter 'p_sik'; expected one of: 'p_sick'
>>> complement(np.array([0.3, 0.5]), "node 'test'", "branches")
array([0.7, 0.5])
>>> is_complement(C), is_complement("#"), is_complement("C")
(True, True, False)
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping, Sequence

import numpy as np
import xarray as xr

from ._validate import as_float_array, sample_label
from .errors import ModelDefinitionError, ShapeError, UnknownNameError, unknown_name

__all__ = [
    "C",
    "Complement",
    "COMPLEMENT_STRING",
    "TOLERANCE",
    "is_complement",
    "complement",
    "ParameterView",
    "MissingParameter",
    "is_cost",
    "reward_kind",
    "check_utility",
    "refuse_boolean",
    "first_bad",
]

#: Absolute tolerance on a row or a chance node summing to 1, and on a complement below 0.
TOLERANCE = 1e-9

#: The complement written as a string, as in TreeAge: same as :data:`C`.
COMPLEMENT_STRING = "#"

#: The name of the sample dimension (as in :mod:`healthecon.outcomes`).
_SAMPLE = "sample"


class Complement:
    """The complement marker: ``1 -`` the sum of the other entries (one object, :data:`C`)."""

    _instance: Complement | None = None

    def __new__(cls) -> Complement:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "C"

    def __reduce__(self) -> str:
        return "C"


C = Complement()
"""The complement: whatever remains of a transition row, a chance node's branches or a
starting distribution (heemod's ``C``; the string ``"#"``, TreeAge's, is accepted too)."""


def is_complement(value: object) -> bool:
    """Whether ``value`` is the complement: :data:`C` or the string ``"#"``.

    Examples
    --------
    >>> is_complement(C), is_complement("#"), is_complement(0.5)
    (True, True, False)
    """
    return value is C or (isinstance(value, str) and value == COMPLEMENT_STRING)


def first_bad(value: float | np.ndarray, bad: np.ndarray | bool) -> str:
    """The first bad value, and its sample if there is one value per sample.

    Examples
    --------
    >>> import numpy as np
    >>> first_bad(np.array([0.5, 1.25]), np.array([False, True]))
    '1.25 in sample 1'
    >>> first_bad(1.5, True)
    '1.5'
    """
    if np.ndim(value) == 0:
        return f"{float(value):.12g}"
    i = int(np.argmax(bad))
    return f"{float(np.asarray(value)[i]):.12g} in sample {sample_label(i)}"


def complement(total: float | np.ndarray, where: str, others: str, tolerance: float = TOLERANCE,
               error: type[Exception] = ModelDefinitionError) -> float | np.ndarray:
    """``1 - total``: the complement of entries summing to ``total``.

    A shortfall within ``tolerance`` (floating-point rounding) is set to 0; below that,
    ``error`` is raised naming ``where``, the first bad sample and what the ``others``
    (``"branches"``, ``"states"``, ``"entries of the row"``) sum to.

    Examples
    --------
    >>> import numpy as np
    >>> complement(np.array([0.25, 1.1]), "starting distribution, state 'dead'", "states")
    Traceback (most recent call last):
    ...
    healthecon.errors.ModelDefinitionError: starting distribution, state 'dead': the complement is negative (-0.1 in sample 1): the other states sum to 1.1 in sample 1, more than 1 (tolerance 1e-09)
    """
    rest = 1.0 - total
    if rest.__class__ is float:
        if rest < -tolerance:
            raise error(_negative(rest, total, True, where, others, tolerance))
        return max(rest, 0.0)
    rest = np.asarray(rest, dtype=float)
    if rest.size and rest.min() < -tolerance:
        raise error(_negative(rest, np.asarray(total), rest < -tolerance, where, others, tolerance))
    rest = np.maximum(rest, 0.0, out=rest)
    return float(rest) if rest.ndim == 0 else rest


def _negative(rest: object, total: object, bad: object, where: str, others: str, tolerance: float) -> str:
    return (f"{where}: the complement is negative ({first_bad(rest, bad)}): the other {others} sum to "
            f"{first_bad(total, bad)}, more than 1 (tolerance {tolerance:g})")


def refuse_boolean(value: object, where: str, error: type[Exception] = ModelDefinitionError) -> None:
    """Raise ``error`` if ``value`` is a boolean or a boolean array (see the module's rules).

    Examples
    --------
    >>> refuse_boolean(True, "node 'a', probability")
    Traceback (most recent call last):
    ...
    healthecon.errors.ModelDefinitionError: node 'a', probability: expected a number, got the boolean True (a comparison where a number was meant? write 1.0 or 0.0, or np.where(...))
    """
    if isinstance(value, (bool, np.bool_)) or (isinstance(value, np.ndarray) and value.dtype == bool):
        shown = repr(bool(value)) if np.ndim(value) == 0 else "array"
        raise error(f"{where}: expected a number, got the boolean {shown} "
                    "(a comparison where a number was meant? write 1.0 or 0.0, or np.where(...))")


def is_cost(name: str) -> bool:
    """Whether a reward is a cost: ``cost`` or ``cost_<category>`` (docs/architecture.md).

    Examples
    --------
    >>> is_cost("cost_drug"), is_cost("qaly")
    (True, False)
    """
    return name == "cost" or name.startswith("cost_")


def reward_kind(name: str) -> str:
    """Kind of a reward in the outcome set: ``"cost"`` for ``cost*``, ``"benefit"`` for
    ``benefit*`` (money), else ``"effect"``."""
    return "cost" if is_cost(name) else "benefit" if name.startswith("benefit") else "effect"


#: The reward whose state values are utilities (per year in the state).
UTILITY = "qaly"


def check_utility(value: float | np.ndarray, where: str) -> None:
    """Apply the rule for utilities: above 1 an error, below 0 a warning (see the module).

    Examples
    --------
    >>> check_utility(1.5, "state reward 'qaly', state 'well'")
    Traceback (most recent call last):
    ...
    healthecon.errors.ModelDefinitionError: state reward 'qaly', state 'well': a utility above 1 (full health), got 1.5; a utility is at most 1 (was a QALY total, or a value per cycle, given as a utility per year?)
    """
    arr = np.asarray(value)
    high = arr > 1.0
    if high.any():
        raise ModelDefinitionError(
            f"{where}: a utility above 1 (full health), got {first_bad(arr, high)}; a utility is at most 1 "
            "(was a QALY total, or a value per cycle, given as a utility per year?)"
        )
    low = arr < 0.0
    if low.any():
        warnings.warn(f"{where}: a utility below 0 (worse than death), {first_bad(arr, low)}: check that it is meant",
                      UserWarning, stacklevel=3)


class MissingParameter(UnknownNameError, KeyError):
    """``p[name]`` for a name not in the draws.

    A ``KeyError`` too, so ``p.get(name, default)`` and ``"x" in p`` work as for any
    mapping; carries the view it came from, so an engine re-raises (with where the function
    was called) only the lookup failures of the view it passed, not an error the user's code
    raised itself.
    """

    def __init__(self, params: ParameterView, name: str, known: Sequence[str]):
        super().__init__(str(unknown_name("parameter", name, known)))
        self.params, self.name, self.known = params, name, known


class ParameterView(Mapping):
    """Read-only view of parameter draws: ``p["name"]`` or ``p.name`` is a float array ``(n,)``.

    Parameters
    ----------
    draws
        An ``xarray.Dataset`` with dimension ``sample`` (``Parameters.sample(...)`` or
        ``base_case()``), or a mapping of name to a number or an ``(n,)`` array.
    n
        The number of samples, when ``draws`` cannot tell (an empty mapping); default 1.

    Notes
    -----
    Attribute access reads a parameter, except for the view's own names (``n``, ``get``,
    ``keys``, ``items``, ``values``, ``lookup``): read a parameter with such a name as
    ``p["n"]``. A scalar is repeated to the sample size; values are converted to float once.
    """

    def __init__(self, draws: xr.Dataset | Mapping[str, object], *, n: int | None = None):
        self._cache: dict[str, np.ndarray] = {}
        if isinstance(draws, xr.Dataset):  # first: hasattr on a Dataset builds a DataArray for a coordinate
            if _SAMPLE not in draws.dims:
                raise ShapeError(f"parameter draws have no 'sample' dimension (dims: {list(draws.dims)})")
            self.n = int(draws.sizes[_SAMPLE])
            self._source: Mapping[str, object] = draws.data_vars
            self._variables: Mapping[str, object] = draws.variables  # values without building a DataArray
        elif hasattr(draws, "sample") and hasattr(draws, "base_case"):
            raise ShapeError("parameter draws: got a Parameters object; pass params.sample(n, seed) or params.base_case()")
        elif isinstance(draws, Mapping):
            lengths = {np.size(v) for v in draws.values() if np.ndim(v) > 0}
            if len(lengths) > 1:
                raise ShapeError(f"parameter draws: arrays have different lengths {sorted(lengths)}")
            self.n = lengths.pop() if lengths else (1 if n is None else int(n))
            self._source = self._variables = draws
        else:
            raise ShapeError(f"parameter draws: expected an xarray.Dataset or a mapping, got {type(draws).__name__}")

    def __getitem__(self, name: str) -> np.ndarray:
        if name not in self._cache:
            if name not in self._source:
                raise MissingParameter(self, name, list(self._source))
            value = self._variables[name]
            arr = as_float_array(value.values if isinstance(value, (xr.DataArray, xr.Variable)) else value, f"parameter {name!r}")
            if arr.ndim == 0:
                arr = np.full(self.n, float(arr))
            if arr.shape != (self.n,):
                raise ShapeError(f"parameter {name!r}: expected shape ({self.n},) (one value per sample), got {arr.shape}")
            self._cache[name] = arr
        return self._cache[name]

    def __getattr__(self, name: str) -> np.ndarray:
        if name.startswith("_"):
            raise AttributeError(name)
        return self[name]

    def lookup(self, name: str, where: str) -> np.ndarray:
        """``self[name]``, with an :class:`~healthecon.errors.UnknownNameError` saying where the name was used."""
        if name not in self._source:
            raise UnknownNameError(f"{where}: {unknown_name('parameter', name, list(self._source))}")
        return self[name]

    def __contains__(self, name: object) -> bool:
        return name in self._source

    def __iter__(self) -> Iterator[str]:
        return iter(self._source)

    def __len__(self) -> int:
        return len(self._source)

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | {str(k) for k in self._source})
