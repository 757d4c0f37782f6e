"""Build-a-piece exercises: run the whole model with a student's stage, compare it with
the built-in one, and say whether it matches and how.

A notebook asks the student to write one stage of the model (a function
``(t_h, state, params) -> dict``, see :mod:`brainviz.science.stages`), runs the full
model with it through ``simulate(..., stages={name: function})`` and calls
:func:`compare_stage`. An unfinished stub raises ``NotImplementedError``; the check then
says so and the notebook runs on.

Examples
--------
>>> import brainviz as bv
>>> from brainviz.app.exercises import compare_stage
>>> check = compare_stage("glutamate", bv.STAGES["glutamate"],
...                       bv.Protocol(doses=[bv.Dose(0, 0.5)], days=1), "glutamate")
>>> check.matches
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np

from .._validate import check_choice, check_number
from ..science.course import Protocol, simulate
from ..science.stages import STAGES

__all__ = ["StageCheck", "compare_stage"]


@dataclass
class StageCheck:
    """What :func:`compare_stage` found.

    Attributes
    ----------
    stage : str
    done : bool
        False while the function is a stub (``NotImplementedError``) or raised.
    matches : bool
        True if every compared series is within tolerance of the built-in one.
    message : str
        One paragraph for the student: whether it matches, and how it differs.
    differences : dict
        Series name -> largest absolute difference.
    mine, built_in : Course or None
        The two courses (``mine`` is None if the function did not run).
    """

    stage: str
    done: bool
    matches: bool
    message: str
    differences: dict = field(default_factory=dict)
    mine: object = None
    built_in: object = None

    def __repr__(self):
        return self.message

    def _repr_markdown_(self):
        return self.message


def _when(t_h: float) -> str:
    return f"{t_h:.1f} h" if t_h < 48 else f"day {t_h / 24:.1f}"


def compare_stage(stage: str, function, protocol: Protocol, series,
                  *, params: Mapping | None = None, rtol: float = 0.01,
                  quiet: bool = False) -> StageCheck:
    """Run the model with ``function`` as ``stage`` and compare it with the built-in stage.

    Parameters
    ----------
    stage : str
        One of :data:`brainviz.STAGES`.
    function : callable
        The student's stage ``(t_h, state, params) -> dict``.
    protocol : Protocol
        The course both runs simulate.
    series : str or sequence of str
        The Course series to compare (e.g. ``"glutamate"``).
    params : dict, optional
        Parameter overrides for both runs.
    rtol : float
        Tolerance as a share of each built-in series' range (default 1 %), in (0, 1].
    quiet : bool
        If False (default) the message is also printed.

    Returns
    -------
    StageCheck
    """
    check_choice("stage", stage, STAGES)
    if not callable(function):
        raise TypeError(f"function must be a stage function (t_h, state, params) -> dict, "
                        f"got {type(function).__name__}")
    if not isinstance(protocol, Protocol):
        raise TypeError(f"protocol must be a brainviz.Protocol, got {type(protocol).__name__}")
    names = [series] if isinstance(series, str) else list(series)
    rtol = check_number("rtol", rtol, 0.0, 1.0, low_open=True)
    built_in = simulate(protocol, params=params)
    for name in names:
        if name not in built_in.series:
            check_choice("series", name, sorted(built_in.series))
    result = _compare(stage, function, protocol, names, params, rtol, built_in)
    if not quiet:
        print(result.message)
    return result


def _compare(stage, function, protocol, names: Sequence[str], params, rtol,
             built_in) -> StageCheck:
    try:
        mine = simulate(protocol, params=params, stages={stage: function})
    except NotImplementedError:
        return StageCheck(stage, False, False,
                          f"Not written yet: your {stage} stage still raises "
                          "NotImplementedError. Write it, run its cell, then run this one "
                          "again (the notebook goes on without it).", built_in=built_in)
    except Exception as exc:  # a student's bug: say what and where, keep the notebook going
        return StageCheck(stage, False, False,
                          f"Your {stage} stage did not run: {type(exc).__name__}: {exc}. "
                          "Fix it, run its cell, then run this one again.", built_in=built_in)
    t = built_in.t_h
    differences, lines, ok = {}, [], True
    for name in names:
        ref = np.asarray(built_in.series[name], float)
        yours = np.interp(t, mine.t_h, np.asarray(mine.series[name], float))
        diff = yours - ref
        worst = int(np.argmax(np.abs(diff)))
        scale = max(float(np.ptp(ref)), 1e-12)
        err = float(abs(diff[worst]))
        differences[name] = err
        if err <= rtol * scale:
            lines.append(f"`{name}` is within {100 * err / scale:.2g}% of the built-in "
                         "one everywhere.")
            continue
        ok = False
        side = "above" if np.mean(diff) > 0 else "below"
        start = (" They differ already at the start: check the level yours starts from."
                 if abs(diff[0]) > rtol * scale else "")
        lines.append(f"`{name}` differs by up to {err:.3g} at {_when(t[worst])} (yours "
                     f"{yours[worst]:.3g}, built-in {ref[worst]:.3g}); on average yours "
                     f"runs {side} it.{start}")
    head = (f"✓ Your {stage} stage matches the built-in one." if ok
            else f"✗ Not yet: your {stage} stage gives a different course.")
    return StageCheck(stage, True, ok, " ".join([head] + lines), differences, mine,
                      built_in)
