"""Checks of user input, shared by every layer: one-line errors that name the argument.

Every error says which argument was wrong, what was given and what is allowed, with a
"did you mean" hint for near-miss names. Nothing here knows about brains.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable

import numpy as np


def did_you_mean(value, valid: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` for the closest valid name, or ``""``.

    Examples
    --------
    >>> did_you_mean("exposre", ["exposure", "emdr"])
    "; did you mean 'exposure'?"
    """
    close = difflib.get_close_matches(str(value), list(valid), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def check_choice(name: str, value, valid: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``valid`` (strings), else raise a clear error.

    Examples
    --------
    >>> check_choice("route", "oral", ["iv", "oral"])
    'oral'
    """
    valid = list(valid)
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, one of {valid}, got {type(value).__name__}")
    if value not in valid:
        raise ValueError(f"{name} must be one of {valid}, got {value!r}"
                         f"{did_you_mean(value, valid)}")
    return value


def check_number(name: str, value, low: float, high: float, unit: str = "",
                 low_open: bool = False) -> float:
    """Return ``value`` as a float if it is a finite real number in range.

    The range is ``[low, high]`` (``(low, high]`` with ``low_open``); booleans, strings
    and NaN are refused.

    Examples
    --------
    >>> check_number("Dose.mg_per_kg", 0.5, 0.0, 5.0, "mg/kg", low_open=True)
    0.5
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    value = float(value)
    ok = math.isfinite(value) and (value > low if low_open else value >= low) and value <= high
    if not ok:
        bracket = "(" if low_open else "["
        unit = f" {unit}" if unit else ""
        raise ValueError(f"{name} must be in {bracket}{low:g}, {high:g}]{unit}, got {value!r}")
    return value


def check_whole(name: str, value, low: int, high: int) -> int:
    """Return ``value`` as an int if it is a whole number in ``[low, high]``.

    Examples
    --------
    >>> check_whole("--fps", 30, 5, 60)
    30
    """
    ok = (isinstance(value, (int, float, np.integer, np.floating))
          and not isinstance(value, (bool, np.bool_))
          and math.isfinite(float(value)) and float(value).is_integer()
          and low <= value <= high)
    if not ok:
        raise ValueError(f"{name} must be a whole number from {low} to {high}, got {value!r}")
    return int(value)


def tuple_of(name: str, items, kind: type) -> tuple:
    """Return ``items`` (a list or tuple of ``kind``) as a tuple, or raise a clear error.

    Examples
    --------
    >>> tuple_of("Protocol.doses", [], int)
    ()
    """
    if isinstance(items, (str, bytes)) or not isinstance(items, (list, tuple)):
        raise TypeError(f"{name} must be a list of {kind.__name__}, got {type(items).__name__}")
    for i, item in enumerate(items):
        if not isinstance(item, kind):
            raise TypeError(f"{name}[{i}] must be a {kind.__name__}, got {type(item).__name__}")
    return tuple(items)
