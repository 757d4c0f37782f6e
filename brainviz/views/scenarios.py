"""The scenarios every view shows: which courses run, and how each curve is drawn.

The gallery figures, their animations and storyboards, and the notebook panels all
show the same few comparisons. Each is defined once here: the protocols (built from
the standard courses of :mod:`brainviz.science.protocols`) and the curve specs
(:class:`Curve`: what is drawn, its label, colour and line style). Colours are
Okabe-Ito names that each theme maps to its own shade (see
:func:`brainviz.views.themes.color`), and every curve also differs from its
neighbours by line style or marker, so nothing depends on colour alone.

:func:`run` simulates a named scenario once per process and caches the courses; the
views then only draw the arrays.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..science import course as _model
from ..science.course import Protocol, Session
from ..science.pharmacology import Dose
from ..science.protocols import STANDARD_IV, exposure_course, standard_course

__all__ = ["Curve", "SCENARIOS", "CASCADE", "HARMS", "BENEFITS", "MEMORY_RUNS",
           "SYNERGY_RUNS", "DMN_RUNS", "RETRIEVAL", "SYNERGY_DAYS", "DAY_DAYS",
           "memory_protocols", "synergy_protocols", "dmn_protocols", "run", "harm_series"]


@dataclass(frozen=True)
class Curve:
    """How one curve is drawn.

    Parameters
    ----------
    key : str
        A :class:`brainviz.Course` series name (``"bdnf"``), or the name of a run in
        a comparison (``"exposure"``).
    label : str
        The words written beside the curve (direct label) or in a legend.
    color : str
        An Okabe-Ito colour name (``"vermillion"``, ``"blue"``, ...) or ``"ink"`` (the
        theme's text colour) or ``"muted"``; themes map names to shades.
    linestyle : str
        A matplotlib line style; neighbouring curves differ in it.
    marker : str
        A marker drawn at the curve's labelled point ("" for none).
    unit : str
        The unit of the series, for axis labels ("" when the curve is a run).

    Examples
    --------
    >>> from brainviz.views.scenarios import SYNERGY_RUNS
    >>> [c.key for c in SYNERGY_RUNS]
    ['none', 'exposure', 'one_infusion', 'one_infusion_exposure']
    """

    key: str
    label: str
    color: str
    linestyle: str = "-"
    marker: str = ""
    unit: str = ""


#: The cascade from dose to new spines, in causal order.
CASCADE = (
    Curve("plasma_ng_ml", "plasma ketamine", "ink", "-", "o", "ng/mL"),
    Curve("glutamate", "glutamate", "orange", "--", "^", "× baseline"),
    Curve("bdnf", "BDNF", "vermillion", "-.", "s", "× baseline"),
    Curve("mtor", "mTOR", "purple", ":", "D", "drive"),
    Curve("spine_density", "spines", "green", "-", "P", "spines/µm"),
)

#: What patients feel and what is measured on the treatment day: benefit and harms.
BENEFITS = (Curve("symptoms", "symptom index", "blue", "-", "o", "points (0-100)"),)
HARMS = (
    Curve("dissociation", "dissociation", "purple", "-", "D", "0-1"),
    Curve("sedation", "sedation", "orange", "--", "v", "0-1"),
    Curve("bp_rise_mmhg", "blood pressure rise", "vermillion", ":", "^", "mmHg"),
)

#: One exposure session a day after ketamine, the same session without it, and the
#: drug without any retrieval (memory view).
MEMORY_RUNS = (
    Curve("ketamine_retrieval", "retrieval a day after ketamine", "vermillion", "-", "o"),
    Curve("retrieval", "retrieval alone", "blue", "--", "s"),
    Curve("ketamine", "ketamine alone (no retrieval)", "green", ":", "^"),
)

#: The four 12-week courses of the synergy view (standard courses, same order).
SYNERGY_RUNS = (
    Curve("none", "no treatment", "muted", ":", "x"),
    Curve("exposure", "exposure course alone", "blue", "--", "s"),
    Curve("one_infusion", "one infusion alone", "orange", "-.", "^"),
    Curve("one_infusion_exposure", "infusion + exposure course", "vermillion", "-", "o"),
)

#: DMN connectivity after a dose in the PTSD and the healthy network.
DMN_RUNS = (
    Curve("ptsd", "PTSD", "blue", "-", "o"),
    Curve("healthy", "healthy", "green", "--", "s"),
)

#: The retrieval session of the memory view: 60 minutes of exposure a day after the dose.
RETRIEVAL = Session(24.0, "exposure", 60.0)
SYNERGY_DAYS = 84.0  # twelve weeks (the calibration targets' "week 12")
DAY_DAYS = 21.0  # the treatment-day view: three weeks after one infusion


def memory_protocols(mg_per_kg: float = 0.5, session_h: float = 24.0, days: float = 7.0,
                     minutes: float = 60.0) -> tuple[Protocol, Protocol, Protocol]:
    """The memory view's courses, in the order of :data:`MEMORY_RUNS`.

    Examples
    --------
    >>> from brainviz.views.scenarios import memory_protocols
    >>> [len(p.therapy) for p in memory_protocols()]
    [1, 1, 0]
    """
    dose = Dose(0.0, mg_per_kg, "iv")
    session = Session(session_h, "exposure", minutes)
    return (Protocol(doses=[dose], therapy=[session], days=days),
            Protocol(therapy=[session], days=days),
            Protocol(doses=[dose], days=days))


def synergy_protocols(mg_per_kg: float = 0.5, *, sessions: int = 10, first_h: float = 24.0,
                      minutes: float = 90.0, days: float = SYNERGY_DAYS
                      ) -> tuple[Protocol, ...]:
    """The synergy view's four courses, in the order of :data:`SYNERGY_RUNS`.

    With the defaults these are the standard courses: no treatment, the ten-session
    exposure course, one 0.5 mg/kg IV infusion, and the infusion followed by the course.

    Examples
    --------
    >>> from brainviz.views.scenarios import synergy_protocols
    >>> [(len(p.doses), len(p.therapy)) for p in synergy_protocols()]
    [(0, 0), (0, 10), (1, 0), (1, 10)]
    """
    end = days * 24.0
    therapy = [s for s in exposure_course(int(sessions), first_day=first_h / 24.0,
                                          minutes=minutes) if s.at_h < end]
    dose = [Dose(0.0, mg_per_kg, "iv")]
    return (Protocol(days=days), Protocol(therapy=therapy, days=days),
            Protocol(doses=dose, days=days), Protocol(doses=dose, therapy=therapy, days=days))


def dmn_protocols(mg_per_kg: float = 0.5, days: float = 14.0) -> tuple[Protocol, Protocol]:
    """One dose in the PTSD and in the healthy network (order of :data:`DMN_RUNS`)."""
    dose = [Dose(0.0, mg_per_kg, "iv")]
    return (Protocol(doses=dose, days=days), Protocol(doses=dose, days=days,
                                                      condition="healthy"))


def _memory_timing():
    offsets = np.concatenate([np.arange(-12.0, 0.0, 3.0), [0.25, 0.5, 1.0, 2.0],
                              np.arange(4.0, 97.0, 4.0)])
    dose = Dose(24.0, 0.5)
    courses = _model.sweep([Protocol(doses=[dose], therapy=[Session(24.0 + o, "exposure", 60.0)],
                                     days=6) for o in offsets])
    return offsets, courses


#: What each named scenario runs (documentation; :func:`run` builds them).
SCENARIOS = {
    "network": "the untreated PTSD and healthy networks (one day)",
    "day": "one standard IV infusion, followed for three weeks",
    "memory": "MEMORY_RUNS over a week",
    "memory_timing": "one session at offsets from -12 h to +96 h around a dose",
    "dmn": "one standard IV infusion in the PTSD network, two weeks",
    "synergy": "SYNERGY_RUNS over twelve weeks (standard courses)",
}


@lru_cache(maxsize=None)
def run(key: str):
    """Simulate a named scenario once per process; returns its courses.

    ``"day"`` and ``"dmn"`` return one :class:`brainviz.Course`; ``"memory_timing"``
    returns ``(offsets_h, courses)``; the others a tuple of courses in the order of
    their curve specs.

    Examples
    --------
    >>> from brainviz.views.scenarios import run
    >>> none, course, drug, both = run("synergy")
    >>> len(course.protocol.therapy)
    10
    """
    if key == "network":
        return tuple(_model.sweep([Protocol(days=1), Protocol(days=1, condition="healthy")]))
    if key == "day":
        return _model.simulate(Protocol(doses=[STANDARD_IV], days=DAY_DAYS))
    if key == "memory":
        return tuple(_model.sweep(list(memory_protocols())))
    if key == "memory_timing":
        return _memory_timing()
    if key == "dmn":
        return _model.simulate(Protocol(doses=[STANDARD_IV], days=14))
    if key == "synergy":
        names = [c.key for c in SYNERGY_RUNS]
        return tuple(_model.sweep([standard_course(n, days=SYNERGY_DAYS) for n in names]))
    from .._validate import check_choice

    check_choice("scenario", key, SCENARIOS)
    raise AssertionError(key)  # pragma: no cover


def harm_series(course) -> tuple[Curve, ...]:
    """The harm curves this model version reports (dissociation always; sedation and
    blood pressure once the model has them)."""
    return tuple(c for c in HARMS if c.key in course.series)
