"""Shared input checks for ``danso.demography``.

Every public function converts its inputs with these helpers so that the error a user sees
names the argument and says what is wrong with it ("population has 18 age groups but deaths
has 17"), instead of a NumPy broadcasting error deep inside a formula.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


def as_vector(name: str, values: npt.ArrayLike) -> FloatArray:
    """Return ``values`` as a new one-dimensional float array of finite numbers."""
    array = np.array(values, dtype=np.float64)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name} must not be empty")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must contain only finite numbers")
    return array


def as_float(name: str, value: float) -> float:
    """Return ``value`` as a finite float."""
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return number


def require_same_length(**arrays: FloatArray) -> int:
    """Check that all arrays have the same length along the first axis; return it."""
    lengths = {name: len(array) for name, array in arrays.items()}
    if len(set(lengths.values())) > 1:
        described = ", ".join(f"{name} has {length}" for name, length in lengths.items())
        raise ValueError(f"inputs must have the same number of age groups: {described}")
    return next(iter(lengths.values()))


def require_non_negative(name: str, array: FloatArray) -> None:
    """Reject negative entries, naming the first offending position."""
    negative = np.flatnonzero(array < 0)
    if negative.size:
        index = int(negative[0])
        position = np.unravel_index(index, array.shape)
        where = position[0] if array.ndim == 1 else tuple(int(i) for i in position)
        value = array.reshape(-1)[index]
        raise ValueError(f"{name} must not be negative (position {where}: {value})")


def freeze(array: FloatArray) -> FloatArray:
    """Make ``array`` read-only so a frozen result dataclass is really immutable."""
    array.setflags(write=False)
    return array
