"""Dosing and pharmacokinetics: routes, plasma ketamine, norketamine and midazolam.

A linear three-state ketamine model (central, peripheral, plus an absorption depot for
non-IV routes) with norketamine formed from ketamine clearance and, for oral and
nasal routes, from first-pass metabolism. Midazolam, the active placebo of the
ketamine trials (Feder et al. 2021; Fava et al. 2020), has its own two-compartment
model and blocks no NMDA receptors. Each dose's response is computed once on a
1-minute reference grid (exact matrix-exponential steps) and superposed.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from .._validate import check_choice, check_number
from ._numerics import _expm, _matrix_powers

__all__ = ["Dose", "ROUTES", "DRUGS"]

_MW_KETAMINE = 237.73  # g/mol
_MW_NORKETAMINE = 223.70  # g/mol


@dataclass(frozen=True)
class _Route:
    label: str
    bioavailability: str | None  # PARAMS name, None = 1 (IV)
    absorption: str | None  # PARAMS name of the absorption rate, None = IV
    first_pass_norketamine: float  # share of the non-bioavailable part that becomes norketamine
    default_minutes: float
    esketamine: bool = False


#: Routes of administration. Bioavailability and absorption rates are parameters in
#: :data:`brainviz.PARAMS`; the first-pass norketamine shares are illustrative
#: (Fanta 2015: norketamine share much higher after oral and intranasal dosing).
ROUTES = MappingProxyType({
    "iv": _Route("IV infusion", None, None, 0.0, 40.0),
    "im": _Route("intramuscular", "f_im", "ka_im", 0.0, 1.0),
    "intranasal": _Route("intranasal", "f_intranasal", "ka_intranasal", 0.5, 1.0),
    "esketamine_nasal": _Route("esketamine nasal spray", "f_esketamine_nasal",
                               "ka_intranasal", 0.5, 5.0, esketamine=True),
    "sublingual": _Route("sublingual", "f_sublingual", "ka_sublingual", 0.7, 1.0),
    "oral": _Route("oral", "f_oral", "ka_oral", 0.9, 1.0),
})

_MAX_MG_PER_KG = 5.0
_MAX_MINUTES = 240.0

#: Drugs a :class:`Dose` can give, with the largest dose accepted (mg/kg). Midazolam
#: 0.045 mg/kg IV over 40 min is the active placebo of Feder et al. 2021 (RCT) and
#: Fava et al. 2020 (RCT): it sedates briefly and blocks no NMDA receptors.
DRUGS = MappingProxyType({"ketamine": _MAX_MG_PER_KG, "midazolam": 0.1})


@dataclass(frozen=True)
class Dose:
    """One dose of ketamine (or of midazolam, the active placebo).

    Parameters
    ----------
    at_h : float
        Start of the dose, hours after the course starts (>= 0).
    mg_per_kg : float
        Dose in mg per kg body weight, in (0, 5] for ketamine (the antidepressant IV
        dose is 0.5) and (0, 0.1] for midazolam (the active placebo is 0.045).
    route : str
        One of ``"iv"``, ``"im"``, ``"intranasal"``, ``"esketamine_nasal"``,
        ``"sublingual"``, ``"oral"``; midazolam is given IV only.
    duration_min : float, optional
        How long the dose is given over, in [1, 240] minutes. Defaults to 40 for IV
        (the standard infusion), 5 for the esketamine spray, 1 otherwise.
    drug : {"ketamine", "midazolam"}
        ``"midazolam"`` sedates briefly and blocks no NMDA receptors: the active
        placebo of the ketamine trials. Esketamine is the ``"esketamine_nasal"`` route.

    Examples
    --------
    >>> from brainviz import Dose
    >>> Dose(at_h=0, mg_per_kg=0.5, route="iv").duration_min
    40.0
    >>> Dose(0, 0.045, drug="midazolam").drug
    'midazolam'
    """

    at_h: float
    mg_per_kg: float
    route: str = "iv"
    duration_min: float | None = None
    drug: str = "ketamine"

    def __post_init__(self):
        at_h = check_number("Dose.at_h", self.at_h, 0.0, math.inf, "h")
        check_choice("Dose.drug", self.drug, DRUGS)
        mg = check_number("Dose.mg_per_kg", self.mg_per_kg, 0.0, DRUGS[self.drug], "mg/kg",
                           low_open=True)
        check_choice("Dose.route", self.route, ROUTES)
        if self.drug == "midazolam" and self.route != "iv":
            raise ValueError(f"Dose.route must be 'iv' for drug='midazolam', got {self.route!r}")
        minutes = self.duration_min
        if minutes is None:
            minutes = ROUTES[self.route].default_minutes
        minutes = check_number("Dose.duration_min", minutes, 1.0, _MAX_MINUTES, "min")
        object.__setattr__(self, "at_h", at_h)
        object.__setattr__(self, "mg_per_kg", mg)
        object.__setattr__(self, "duration_min", minutes)


_REF_DT_H = 1.0 / 60.0
_REF_HORIZON_H = 168.0
_REF_T = np.arange(int(_REF_HORIZON_H / _REF_DT_H) + 1) * _REF_DT_H


_PK_PARAMS = ("ket_v_central", "ket_v_peripheral", "ket_clearance", "ket_q",
              "norket_half_life_h", "norket_fraction", "norket_v")
# every parameter that shapes a dose's concentration curve
_KINETIC = _PK_PARAMS + tuple(sorted({x for r in ROUTES.values()
                                      for x in (r.bioavailability, r.absorption) if x})) + (
    "esketamine_potency", "norket_potency")


def _dose_kernel(route: str, minutes: float, p: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """Plasma ketamine and norketamine (ng/mL) after 1 mg/kg, on the reference grid.

    ``p`` maps parameter names to floats. Returns two read-only arrays over ``_REF_T``,
    cached by the parameters that shape them.
    """
    r = ROUTES[route]
    names = _PK_PARAMS + tuple(x for x in (r.bioavailability, r.absorption) if x)
    return _cached_kernel(route, minutes, tuple((k, p[k]) for k in names))


@functools.lru_cache(maxsize=256)
def _cached_kernel(route: str, minutes: float, items: tuple) -> tuple[np.ndarray, np.ndarray]:
    p = dict(items)
    r = ROUTES[route]
    v1, v2 = p["ket_v_central"], p["ket_v_peripheral"]
    cl, q = p["ket_clearance"], p["ket_q"]
    k_nk = math.log(2.0) / p["norket_half_life_h"]
    f = 1.0 if r.bioavailability is None else p[r.bioavailability]
    ka = 0.0 if r.absorption is None else p[r.absorption]
    mw = _MW_NORKETAMINE / _MW_KETAMINE
    # states: depot, central, peripheral, norketamine (amounts, mg/kg)
    m = np.array([
        [-ka, 0.0, 0.0, 0.0],
        [f * ka, -(cl + q) / v1, q / v2, 0.0],
        [0.0, q / v1, -q / v2, 0.0],
        [r.first_pass_norketamine * (1.0 - f) * ka * mw, p["norket_fraction"] * cl / v1 * mw,
         0.0, -k_nk],
    ])
    entry = 1 if r.absorption is None else 0
    n_steps = _REF_T.size
    n_in = max(1, int(round(minutes / 60.0 / _REF_DT_H)))
    # exact zero-order-hold step: expm of the augmented matrix [[M, e], [0, 0]]
    aug = np.zeros((5, 5))
    aug[:4, :4] = m
    aug[entry, 4] = 1.0 / (n_in * _REF_DT_H)  # rate that delivers 1 mg/kg over the dose
    step = _expm(aug * _REF_DT_H)
    phi, gamma = step[:4, :4], step[:4, 4]
    powers = _matrix_powers(phi, n_steps)
    during = np.cumsum(powers @ gamma, axis=0)  # state after k steps of constant input
    state = np.zeros((n_steps, 4))
    state[1:n_in + 1] = during[: min(n_in, n_steps - 1)]
    if n_in + 1 < n_steps:
        state[n_in + 1:] = powers[1: n_steps - n_in] @ during[n_in - 1]
    ket = state[:, 1] / v1 * 1000.0  # mg/L -> ng/mL
    nor = state[:, 3] / p["norket_v"] * 1000.0
    ket.setflags(write=False)
    nor.setflags(write=False)
    return ket, nor


_MIDAZOLAM_PARAMS = ("midazolam_v_central", "midazolam_v_peripheral", "midazolam_clearance",
                     "midazolam_q")


@functools.lru_cache(maxsize=64)
def _midazolam_kernel(minutes: float, items: tuple) -> np.ndarray:
    """Plasma midazolam (ng/mL) after 1 mg/kg IV over ``minutes``, on the reference grid."""
    p = dict(items)
    v1, v2 = p["midazolam_v_central"], p["midazolam_v_peripheral"]
    cl, q = p["midazolam_clearance"], p["midazolam_q"]
    m = np.array([[-(cl + q) / v1, q / v2], [q / v1, -q / v2]])
    n_steps = _REF_T.size
    n_in = max(1, int(round(minutes / 60.0 / _REF_DT_H)))
    aug = np.zeros((3, 3))
    aug[:2, :2] = m
    aug[0, 2] = 1.0 / (n_in * _REF_DT_H)
    step = _expm(aug * _REF_DT_H)
    phi, gamma = step[:2, :2], step[:2, 2]
    powers = _matrix_powers(phi, n_steps)
    during = np.cumsum(powers @ gamma, axis=0)
    state = np.zeros((n_steps, 2))
    state[1:n_in + 1] = during[: min(n_in, n_steps - 1)]
    if n_in + 1 < n_steps:
        state[n_in + 1:] = powers[1: n_steps - n_in] @ during[n_in - 1]
    mid = state[:, 0] / v1 * 1000.0
    mid.setflags(write=False)
    return mid


def _midazolam_plasma(dose_lists, t_h: np.ndarray, params: dict[str, np.ndarray]) -> np.ndarray:
    """Plasma midazolam (ng/mL), ``(n, len(t_h))``, from the midazolam doses only."""
    n = len(dose_lists)
    out = np.zeros((n, t_h.size))
    # as in _plasma: one kernel per (duration, start, kinetic parameters), scaled per row
    representative = _representatives(params, _MIDAZOLAM_PARAMS, n)
    groups: dict = {}
    for b, doses in enumerate(dose_lists):
        for dose in doses:
            if dose.drug == "midazolam":
                key = (dose.duration_min, int(representative[b]), dose.at_h)
                groups.setdefault(key, []).append((b, dose.mg_per_kg))
    for (minutes, row, at_h), members in groups.items():
        items = tuple((k, float(params[k][min(row, params[k].shape[0] - 1), 0]))
                      for k in _MIDAZOLAM_PARAMS)
        kernel = _midazolam_kernel(minutes, items)
        start = np.searchsorted(t_h, at_h)
        stop = np.searchsorted(t_h, at_h + _REF_HORIZON_H, side="right")
        curve = np.interp(t_h[start:stop] - at_h, _REF_T, kernel)
        rows = np.array([b for b, _ in members])
        mg = np.array([m for _, m in members])[:, None]
        np.add.at(out, (rows[:, None], np.arange(start, stop)[None, :]), mg * curve)
    return out


def _representatives(params: dict[str, np.ndarray], names, n: int) -> np.ndarray:
    """For each row, the first row with the same values of ``names`` (shared kernels)."""
    varying = [params[k] for k in names if params[k].shape[0] > 1]
    if not varying:
        return np.zeros(n, int)
    table = np.concatenate([np.broadcast_to(v, (n, 1)) for v in varying], axis=1)
    first, kind = np.unique(table, axis=0, return_index=True, return_inverse=True)[1:]
    return first[kind.reshape(-1)]


def _plasma(dose_lists, t_h: np.ndarray, params: dict[str, np.ndarray]):
    """Ketamine, norketamine (ng/mL) and NMDA-effective concentration (uM).

    ``dose_lists`` holds one sequence of :class:`Dose` per protocol (midazolam doses
    are skipped: see :func:`_midazolam_plasma`); ``params`` holds ``(n, 1)`` arrays.
    Returns three ``(n, len(t_h))`` arrays.
    """
    n = len(dose_lists)
    ket = np.zeros((n, t_h.size))
    nor = np.zeros((n, t_h.size))
    eff = np.zeros((n, t_h.size))
    # doses that share a kernel and a start time are computed once and scaled: rows
    # whose kinetic parameters agree share a kernel, whatever their other parameters
    representative = _representatives(params, _KINETIC, n)
    groups: dict = {}
    for b, doses in enumerate(dose_lists):
        row = int(representative[b])
        for dose in doses:
            if dose.drug != "ketamine":
                continue
            key = (dose.route, dose.duration_min, row, dose.at_h)
            groups.setdefault(key, []).append((b, dose.mg_per_kg))
    for (route, minutes, row, at_h), members in groups.items():
        p = {name: float(v[min(row, v.shape[0] - 1), 0]) for name, v in params.items()}
        k_ket, k_nor = _dose_kernel(route, minutes, p)
        start = np.searchsorted(t_h, at_h)
        stop = np.searchsorted(t_h, at_h + _REF_HORIZON_H, side="right")
        rel = t_h[start:stop] - at_h
        ck = np.interp(rel, _REF_T, k_ket)
        cn = np.interp(rel, _REF_T, k_nor)
        potency = p["esketamine_potency"] if ROUTES[route].esketamine else 1.0
        ce = potency * (ck / _MW_KETAMINE + p["norket_potency"] * cn / _MW_NORKETAMINE)
        rows = np.array([b for b, _ in members])
        mg = np.array([m for _, m in members])[:, None]
        if np.unique(rows).size == rows.size:
            ket[rows, start:stop] += mg * ck
            nor[rows, start:stop] += mg * cn
            eff[rows, start:stop] += mg * ce
        else:  # the same dose twice at one time in one protocol
            for b, m in members:
                ket[b, start:stop] += m * ck
                nor[b, start:stop] += m * cn
                eff[b, start:stop] += m * ce
    # volumes and clearances scaled together by 1/s scale every concentration by s
    scale = params["plasma_scale"]
    return ket * scale, nor * scale, eff * scale
