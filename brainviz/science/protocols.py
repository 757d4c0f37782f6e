"""The standard treatment courses that the calibration targets, views and notebooks share.

They follow the definitions of the calibration targets (docs/MODEL.md): the
antidepressant IV dose is 0.5 mg/kg over 40 minutes (Feder et al. 2021; Zarate et al.
2006, RCTs); a six-infusion course gives it on days 0, 2, 4, 7, 9 and 11 (Feder et al.
2021, RCT, n=30), so the course ends on day 14; an exposure course is ten weekly
90-minute prolonged-exposure sessions from day 1 (session length and count as in
prolonged-exposure manuals; Powers et al. 2010, MA).
"""

from __future__ import annotations

from .course import Protocol, Session
from .pharmacology import Dose

__all__ = ["STANDARD_IV", "SIX_INFUSION_DAYS", "six_infusions", "exposure_course",
           "standard_course"]

#: 0.5 mg/kg racemic ketamine IV over 40 minutes, at hour 0.
STANDARD_IV = Dose(at_h=0.0, mg_per_kg=0.5, route="iv", duration_min=40.0)

#: Days of the six infusions of Feder et al. 2021 (three a week for two weeks).
SIX_INFUSION_DAYS = (0, 2, 4, 7, 9, 11)


def six_infusions(mg_per_kg: float = 0.5, *, start_day: float = 0.0) -> tuple[Dose, ...]:
    """Six IV infusions on days 0, 2, 4, 7, 9 and 11 of the course (plus ``start_day``).

    Examples
    --------
    >>> from brainviz.science.protocols import six_infusions
    >>> [d.at_h / 24 for d in six_infusions()]
    [0.0, 2.0, 4.0, 7.0, 9.0, 11.0]
    """
    return tuple(Dose((start_day + d) * 24.0, mg_per_kg, "iv") for d in SIX_INFUSION_DAYS)


def exposure_course(n: int = 10, *, first_day: float = 1.0, minutes: float = 90.0,
                    kind: str = "exposure") -> tuple[Session, ...]:
    """``n`` weekly therapy sessions from ``first_day`` (default: ten 90-min exposures).

    Examples
    --------
    >>> from brainviz.science.protocols import exposure_course
    >>> s = exposure_course()
    >>> len(s), s[0].at_h, s[1].at_h - s[0].at_h, s[0].minutes
    (10, 24.0, 168.0, 90.0)
    """
    return tuple(Session((first_day + 7.0 * w) * 24.0, kind, minutes) for w in range(n))


def standard_course(name: str, days: float = 84.0, condition: str = "ptsd") -> Protocol:
    """One of the standard courses by name, over ``days``.

    ``"none"``, ``"one_infusion"``, ``"six_infusions"``, ``"exposure"`` (ten weekly
    sessions) or ``"one_infusion_exposure"`` (the infusion on day 0, then the course).

    Examples
    --------
    >>> from brainviz.science.protocols import standard_course
    >>> standard_course("six_infusions").doses[-1].at_h / 24
    11.0
    """
    courses = {
        "none": ((), ()),
        "one_infusion": ((STANDARD_IV,), ()),
        "six_infusions": (six_infusions(), ()),
        "exposure": ((), exposure_course()),
        "one_infusion_exposure": ((STANDARD_IV,), exposure_course()),
    }
    if name not in courses:
        from .._validate import check_choice

        check_choice("name", name, courses)
    doses, therapy = courses[name]
    end = days * 24.0
    return Protocol(doses=[d for d in doses if d.at_h < end],
                    therapy=[s for s in therapy if s.at_h < end], days=days,
                    condition=condition)
