"""The model's stages: one function per step from dose to symptoms.

A course runs these stages in order; each reads arrays that earlier stages wrote into
a shared ``state`` and returns new ones:

================  =================================================  =========================================
stage             reads (``state[...]``)                              writes
================  =================================================  =========================================
pharmacology      ``doses``                                          ``plasma_ng_ml``, ``norketamine_ng_ml``,
                                                                     ``nmda_effective_um``, ``nmda_occupancy``,
                                                                     ``pyramidal_occupancy``, ``dissociation``
glutamate         ``nmda_occupancy``, ``pyramidal_occupancy``        ``glutamate``
plasticity        ``glutamate``, ``nmda_occupancy``,                 ``bdnf``, ``mtor``, ``spine_density``,
                  ``spine_baseline_per_um``, ``spine_ceiling_per_um``  ``plasticity``, ``vmpfc_efficacy``
dmn               ``bdnf``                                           ``dmn_coupling``
reconsolidation   ``plasticity``, ``nmda_occupancy``, ``session_*``  ``trace_strength``, ``session_trace_kept``
extinction        ``trace_strength``, ``vmpfc_efficacy``,            ``extinction``, ``session_amygdala_response``,
                  ``glutamate``, ``plasticity``, ``nmda_occupancy``,  ``session_tolerability``,
                  ``dissociation``, ``condition``,                   ``session_extinction_gained``,
                  ``extinction_retention_h``, ``session_*``          ``session_consolidated_share``
readout           ``trace_strength``, ``vmpfc_efficacy``,            ``amygdala_response``, ``dmn_connectivity``,
                  ``extinction``, ``dmn_coupling``, ``glutamate``,    ``symptoms``
                  ``condition``
================  =================================================  =========================================

Every stage has the same signature, ``stage(t_h, state, params) -> dict``:

``t_h``
    The time grid in hours, a 1-D array of ``T`` points.
``state``
    A read-only mapping of numpy arrays. Time series have shape ``(n, T)``: one row per
    protocol in the batch (``n = 1`` for :func:`brainviz.simulate`), so element-wise
    numpy code works unchanged. Per-session arrays (names starting with ``session_``)
    have shape ``(n, n_sessions)``: ``session_at_h``, ``session_minutes``,
    ``session_retrieval`` (1 if the trauma memory is retrieved), ``session_arousal``,
    ``session_valid`` (False for padding) and ``session_index`` (grid index of the
    session start). Per-protocol constants have shape ``(n, 1)``. ``state["condition"]``
    is an array of condition names and ``state["doses"]`` the protocols' doses.
``params``
    A read-only mapping from every name in :data:`brainviz.PARAMS` to an ``(n, 1)`` or
    ``(1, 1)`` array, which broadcasts against the time series.

It returns a dict with every name in its "writes" column (a stage that writes one
array may return the array itself). Returned arrays must broadcast to ``(n, T)``
(``(n, n_sessions)`` for ``session_*`` names) and be finite.

To run the model with one stage replaced, pass ``stages={"name": function}`` to
:func:`brainviz.simulate` or :func:`brainviz.sweep`. :data:`STAGES` holds the built-in
functions, so a replacement can call or wrap the original. :func:`low_pass` is the
first-order filter the built-in stages use for every time constant.

Examples
--------
A glutamate burst without the inverted U (pyramidal cells never blocked):

>>> import brainviz as bv
>>> from brainviz.science.stages import low_pass
>>> def monotonic_glutamate(t_h, state, params):
...     release = params["disinhibition_gain"] * state["nmda_occupancy"]
...     return {"glutamate": 1.0 + low_pass(release, t_h, params["glutamate_tau_h"])}
>>> p = bv.Protocol(doses=[bv.Dose(0, 4.5)], days=1)
>>> built_in = bv.simulate(p)
>>> mine = bv.simulate(p, stages={"glutamate": monotonic_glutamate})
>>> bool(mine.glutamate.max() > built_in.glutamate.max())
True
>>> mine.stages
('glutamate',)
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Callable, Mapping

import numpy as np

from ._numerics import _decay_scan, _first_order, _saturating
from .circuit import _circuit
from .pharmacology import _midazolam_plasma, _plasma

__all__ = ["STAGES", "low_pass", "pharmacology", "glutamate", "plasticity", "dmn",
           "reconsolidation", "extinction", "readout"]

_RECON_OPEN_H = 10.0 / 60.0  # the window opens about 10 min after retrieval (Monfils 2009)
_GAIN_AFTER_H = 1.0 / 60.0  # a session's extinction counts from a minute after its start,
# so the value at the start (and a course's first point) is the one before it
_SPINE_REF = 0.12  # spines/um: the stress-induced deficit used to normalise new spines
_EXTINCTION_MAX = 0.6  # saturation of learned vmPFC -> amygdala inhibition
_FC_FLOOR, _FC_SPAN = 0.45, 0.45  # DMN connectivity mapped to the rumination score


def low_pass(x, t_h, tau_h) -> np.ndarray:
    """First-order low-pass filter ``tau_h dy/dt = x - y`` with ``y = 0`` at the start.

    Exact on the non-uniform grid ``t_h`` for an input that varies linearly between
    grid points.

    Parameters
    ----------
    x : ndarray, shape (..., T)
        Input on the grid points.
    t_h : ndarray, shape (T,)
        Time grid in hours.
    tau_h : float or ndarray
        Time constant in hours; an ``(n, 1)`` column gives one per row.

    Returns
    -------
    ndarray, shape (..., T)

    Examples
    --------
    >>> import numpy as np
    >>> t = np.array([0.0, 1.0, 2.0, 50.0])
    >>> np.round(low_pass(np.ones((1, 4)), t, 2.0), 3)
    array([[0.   , 0.393, 0.632, 1.   ]])
    """
    x = np.asarray(x, dtype=float)
    t_h = np.asarray(t_h, dtype=float)
    x = np.broadcast_to(x, x.shape[:-1] + (t_h.size,)) if x.ndim else np.broadcast_to(
        x, (1, t_h.size))
    if not x.any():  # nothing to filter (no drug, no session): exactly zero, and cheap
        shape = np.broadcast_shapes(x.shape[:-1], np.shape(tau_h)[:-1] or ()) + (t_h.size,)
        return np.zeros(shape)
    return _first_order(x, np.diff(t_h), tau_h)


# ----------------------------------------------------------------------------------
# the built-in stages
# ----------------------------------------------------------------------------------

def pharmacology(t_h, state, params) -> dict:
    """Doses -> plasma levels -> NMDA block, and the harms on the same clock.

    Plasma levels come from the linear pharmacokinetic models of
    :mod:`brainviz.science.pharmacology`; ``nmda_effective_um`` is the NMDA-effective
    ketamine concentration ``c`` (uM; norketamine weighted by ``norket_potency``,
    esketamine by ``esketamine_potency``); occupancy is ``c / (c + Ki)`` on
    interneurons and on the less sensitive pyramidal cells. Harms:

    * dissociation, a Hill function of ``c`` whose EC50 rises with a tolerance that
      builds with each exposure and fades over ``dissociation_tolerance_days``
      (Singh et al. 2016, RCT: dissociation attenuated with repeated dosing);
    * sedation (loss of responsiveness, 0-1) at anaesthetic ketamine levels, and the
      brief sedation of midazolam;
    * the systolic blood-pressure rise, which follows plasma ketamine and shows no
      tolerance (Riva-Posse et al. 2018, 684 infusions).
    """
    P = params
    ket, nor, ceff = _plasma(state["doses"], t_h, P)
    mid = _midazolam_plasma(state["doses"], t_h, P)
    occ = ceff / (ceff + P["nmda_ki_um"])
    occ_pyr = ceff / (ceff + P["nmda_ki_um"] * P["pyramidal_ki_factor"])
    ec50 = P["dissociation_ec50_um"]
    c3 = ceff * ceff * ceff
    naive = c3 / (c3 + ec50**3)
    tau_tol = P["dissociation_tolerance_days"] * 24.0
    # d(tol)/dt = gain * naive dissociation - tol / tau
    tolerance = P["dissociation_tolerance_gain"] * tau_tol * low_pass(naive, t_h, tau_tol)
    shifted = ec50 * (1.0 + tolerance)
    dissociation = c3 / (c3 + shifted * shifted * shifted)
    c2 = np.square(ceff / P["sedation_ec50_um"])
    m2 = np.square(mid / P["midazolam_sedation_ec50_ng_ml"])
    sedation = 1.0 - (1.0 / (1.0 + c2 * c2)) * (1.0 / (1.0 + m2))
    b = ket / P["bp_ec50_ng_ml"]
    b = b * np.sqrt(b)
    bp = P["bp_max_mmhg"] * b / (1.0 + b)
    return {"plasma_ng_ml": ket, "norketamine_ng_ml": nor, "midazolam_ng_ml": mid,
            "nmda_effective_um": ceff, "nmda_occupancy": occ, "pyramidal_occupancy": occ_pyr,
            "dissociation": dissociation, "sedation": sedation, "bp_rise_mmhg": bp}


def glutamate(t_h, state, params) -> dict:
    """The glutamate burst: an inverted U with dose (Moghaddam et al. 1997, animal).

    Blocking NMDA receptors on interneurons disinhibits pyramidal cells; blocking the
    pyramidal cells' own receptors too (anaesthetic levels) silences them. Interneurons
    fall silent only once enough of their receptors are blocked (``disinhibition_hill``)::

        target = (1 + disinhibition_gain * o^disinhibition_hill) (1 - o_p)^2
        glutamate_tau_h d(glu)/dt = target - glu
    """
    occ, occ_pyr = state["nmda_occupancy"], state["pyramidal_occupancy"]
    release = ((1.0 + params["disinhibition_gain"] * occ ** params["disinhibition_hill"])
               * (1.0 - occ_pyr) ** 2 - 1.0)
    return {"glutamate": 1.0 + low_pass(release, t_h, params["glutamate_tau_h"])}


def plasticity(t_h, state, params) -> dict:
    """Glutamate burst and NMDA block -> BDNF -> mTOR -> spines, plasticity, vmPFC efficacy.

    * BDNF is translated from a limited pool of ready mRNA (``bdnf_pool_size`` hours
      of unit drive, refilled over ``bdnf_pool_refill_h``): a bigger dose soon uses
      the pool up, so more drug stops adding BDNF.
    * BDNF release is activity-dependent (Lepack et al. 2015, animal): it falls as
      pyramidal cells' own NMDA receptors are blocked, ``(1 - o_p)^2``, and stops under
      anaesthesia (``sedation``), so an anaesthetic dose uses the pool up while little is
      released, and helps no more than a moderate one.
    * mTOR (``mtor_gain``; 0 = a rapamycin-like block) builds synaptic proteins and new
      spines. New spines are labile (``spine_tau_days``); a later dose's
      BDNF burst, arriving while they are still there, stabilises them (stable spines
      last ``stable_spine_tau_days``), so persistence builds with repeated doses.
    * Plasticity, which gates learning, rises with BDNF and fresh (labile) spines.
    """
    P = params
    t = np.asarray(t_h)
    glu, occ = state["glutamate"], state["nmda_occupancy"]
    drive = np.maximum(glu - 1.0, 0.0) + P["eef2_gain"] * occ
    drive = np.broadcast_to(drive, np.broadcast_shapes(np.shape(drive), (1, t.size)))
    # the pool: d(used)/dt = drive / size (1 - used) - used / refill
    use = 0.5 * (drive[..., 1:] + drive[..., :-1]) / P["bdnf_pool_size"]
    used = _saturating(use, np.diff(t), P["bdnf_pool_refill_h"])
    # release needs an active cortex: blocked pyramidal cells and anaesthesia silence it
    active = (1.0 - state["pyramidal_occupancy"]) ** 2 * (1.0 - state["sedation"])
    released = P["bdnf_gain"] * drive * (1.0 - used) * active
    translation = low_pass(released, t, P["bdnf_translation_tau_h"])
    bdnf_dev = low_pass(translation, t, P["bdnf_tau_h"])
    mtor = P["mtor_gain"] * low_pass(bdnf_dev, t, P["mtor_tau_h"])
    spine_tau_h = P["spine_tau_days"] * 24.0
    # d(labile)/dt = spine_gain * mtor - labile / tau, written as a scaled low-pass
    labile = P["spine_gain"] * spine_tau_h / 24.0 * low_pass(mtor, t, spine_tau_h)
    stable_tau_h = P["stable_spine_tau_days"] * 24.0
    # d(stable)/dt = stabilisation * labile^2 * BDNF - stable / tau: a later dose's BDNF
    # burst stabilises the spines an earlier one made (one dose alone barely does, since
    # its spines grow only after its BDNF has gone); clustered spines stabilise together,
    # hence the square
    stable = (P["spine_stabilisation_gain"] * stable_tau_h
              * low_pass(labile ** 2 * bdnf_dev, t, stable_tau_h))
    s_base, s_ceil = state["spine_baseline_per_um"], state["spine_ceiling_per_um"]
    # synaptic restoration can only give back what stress took: the spine deficit
    headroom = (s_ceil - s_base) / _SPINE_REF
    spine_density = s_base + (s_ceil - s_base) * (1.0 - np.exp(-(labile + stable)))
    new_spines = (spine_density - s_base) / _SPINE_REF
    fresh = headroom * (1.0 - np.exp(-labile))
    plast = (1.0 + P["plasticity_bdnf_weight"] * bdnf_dev
             + P["plasticity_spine_weight"] * fresh)
    vmpfc_eff = P["vmpfc_gain"] * (1.0 + P["synaptic_gain"] * (headroom * mtor + new_spines))
    return {"bdnf": 1.0 + bdnf_dev, "mtor": mtor, "spine_density": spine_density,
            "plasticity": plast, "vmpfc_efficacy": vmpfc_eff}


def _interp_rows(values, t, at):
    """Row-wise linear interpolation: ``values`` ``(n, T)`` at times ``at`` ``(n, m)``."""
    t = np.asarray(t)
    at = np.asarray(at, dtype=float)
    i = np.clip(np.searchsorted(t, at, side="right") - 1, 0, t.size - 2)
    w = np.clip((at - t[i]) / (t[i + 1] - t[i]), 0.0, 1.0)
    rows = np.arange(at.shape[0])[:, None]
    v = np.broadcast_to(values, (at.shape[0], t.size))
    return v[rows, i] * (1.0 - w) + v[rows, i + 1] * w


def _cumulative(x, t):
    """Running trapezoid integral of ``x`` ``(n, T)`` over ``t`` (0 at the start)."""
    x = np.broadcast_to(x, np.broadcast_shapes(np.shape(x), (1, np.size(t))))
    out = np.zeros(x.shape)
    out[:, 1:] = np.cumsum(0.5 * (x[:, 1:] + x[:, :-1]) * np.diff(t), axis=1)
    return out


def _session_mean(x, t, state):
    """Mean of ``x`` over each session, from its start to its end: ``(n, n_sessions)``."""
    start = state["session_at_h"]
    end = start + state["session_minutes"] / 60.0
    area = _cumulative(x, t)
    span = np.maximum(end - start, 1e-9)
    return (_interp_rows(area, t, end) - _interp_rows(area, t, start)) / span


def reconsolidation(t_h, state, params) -> dict:
    """Memory-pathway disruption: a retrieved trace weakens inside its window, then returns.

    A session that retrieves the memory destabilises it in proportion to the free NMDA
    receptors across the session (Ben Mamou et al. 2006, animal). From 10 minutes after
    retrieval (Monfils et al. 2009, animal) to ``reconsolidation_window_h`` (Nader et
    al. 2000, animal) the trace's trauma-specific strength ``s`` falls at
    ``reconsolidation_rate`` times the plasticity above ``reconsolidation_threshold``;
    at baseline plasticity an exposure session alone weakens it a little
    (retrieval-extinction). Between windows the weakening fades over
    ``trace_return_days`` (return of fear: Bouton 2004, review), so one session does
    not cure for good. Without retrieval ``s`` never leaves 1::

        ds/dt = -rate * window(t) * destabilisation * excess(t) * s + (1 - s) / tau_return

    ``trace_strength`` is that trauma-specific part (1 = untreated, 0 = as weak as a
    healthy network's trace); ``session_trace_kept`` is the share of ``s`` that each
    session's window alone leaves (the return afterwards not counted).
    """
    P = params
    t = np.asarray(t_h)
    dt = np.diff(t)
    s_t, s_ret, s_valid = state["session_at_h"], state["session_retrieval"], state["session_valid"]
    n, n_s = s_t.shape
    nmda_free = 1.0 - P["nmda_learning_dependence"] * state["nmda_occupancy"]
    destabilised = s_ret * s_valid * _session_mean(nmda_free, t, state)
    excess = np.maximum(state["plasticity"] - P["reconsolidation_threshold"], 0.0)
    excess = np.broadcast_to(excess, (n, t.size))
    mid = 0.5 * (t[1:] + t[:-1])
    opens = s_t + _RECON_OPEN_H
    closes = s_t + P["reconsolidation_window_h"]
    window = np.zeros((n, t.size - 1))
    for j in range(n_s):  # overlapping windows do not add: the trace is open or not
        inside = (mid > opens[:, j:j + 1]) & (mid < closes[:, j:j + 1])
        window = np.maximum(window, inside * destabilised[:, j:j + 1])
    rate = P["reconsolidation_rate"] * window * 0.5 * (excess[:, 1:] + excess[:, :-1])
    strength = 1.0 - _saturating(rate, dt, P["trace_return_days"] * 24.0)
    # what each session's window alone would leave of the trace (return not counted)
    area = _cumulative(excess, t)
    inside = (_interp_rows(area, t, np.minimum(closes, t[-1]))
              - _interp_rows(area, t, np.minimum(opens, t[-1])))
    inside = np.maximum(inside, 0.0)  # area never falls: only rounding makes it negative
    kept = np.exp(-P["reconsolidation_rate"] * destabilised * inside)
    return {"trace_strength": strength, "session_trace_kept": kept}


def _trace_weight(state):
    """Trauma-trace weight relative to the untreated network's, from ``trace_strength``."""
    floor = state["trace_floor"]
    return floor + (1.0 - floor) * state["trace_strength"]


def extinction(t_h, state, params) -> dict:
    """Extinction learning, session by session (tolerability depends on the state).

    Each session that retrieves the memory closes a share of the gap to the ceiling
    0.6 (``extinction`` stays in [0, 0.6])::

        gain = (0.6 - E) (1 - exp(-L / 0.6)),
        L = extinction_rate * hours * retrieval * free NMDA * plasticity * vmpfc_gain
            * tolerability(amygdala) * engagement

    Free NMDA receptors (Falls et al. 1992, animal), engagement (1 - dissociation)(1 -
    sedation) and plasticity are averaged across the session, so a drug level that
    rises during a session counts. A plasticity-dependent share consolidates and lasts
    ``extinction_stable_tau_days``; the rest fades with the condition's
    ``extinction_retention_h`` (Milad et al. 2009: recall impaired in PTSD).
    """
    P = params
    t = np.asarray(t_h)
    dt = np.diff(t)
    circuit = _circuit(tuple(state["condition"]))
    glu_gain = P["acute_glutamate_gain"]
    s_t, s_min = state["session_at_h"], state["session_minutes"]
    s_ret, s_arousal = state["session_retrieval"], state["session_arousal"]
    s_valid, s_idx = state["session_valid"], state["session_index"]
    n, n_s = s_t.shape
    rows = np.arange(n)[:, None]
    nmda_free = 1.0 - P["nmda_learning_dependence"] * state["nmda_occupancy"]
    engage = (1.0 - state["dissociation"]) * (1.0 - state["sedation"])
    free_s = _session_mean(nmda_free, t, state)
    engage_s = _session_mean(engage, t, state)
    p_s = _session_mean(state["plasticity"], t, state)
    trace = _trace_weight(state)
    tau_lab = state["extinction_retention_h"]
    tau_stab = P["extinction_stable_tau_days"] * 24.0
    gains = np.zeros((n, n_s))
    stable = np.zeros((n, n_s))
    amyg_s = np.zeros((n, n_s))
    tol_s = np.zeros((n, n_s))
    for j in range(n_s):
        since = s_t[:, j:j + 1] - s_t[:, :j]
        decay = ((1.0 - stable[:, :j]) * np.exp(-since / tau_lab)
                 + stable[:, :j] * np.exp(-since / tau_stab))
        ext_before = np.sum(gains[:, :j] * decay * (since >= 0), axis=1)
        col = s_idx[:, j]

        def now(x):  # value at this session, as an (n, 1) column like the params
            return np.broadcast_to(x, (n, t.size))[rows[:, 0], col][:, None]

        w = circuit.weights(now(trace), now(state["vmpfc_efficacy"]), ext_before[:, None],
                            1.0, P["vmpfc_brake_max"])
        h = circuit.inputs(now(state["glutamate"]), s_arousal[:, j:j + 1], glu_gain)
        rates = circuit.rates(w, h, target="amygdala")
        a = np.maximum(np.broadcast_to(rates["amygdala"], (n, 1))[:, 0], 0.0)
        low, high = P["tolerance_low"][:, 0], P["tolerance_high"][:, 0]
        tol = 1.0 / (1.0 + np.exp(-(a - low) / 0.05)) / (1.0 + np.exp((a - high) / 0.1))
        load = (P["extinction_rate"][:, 0] * s_min[:, j] / 60.0 * s_ret[:, j] * free_s[:, j]
                * p_s[:, j] * P["vmpfc_gain"][:, 0] * tol * engage_s[:, j])
        room = np.maximum(_EXTINCTION_MAX - ext_before, 0.0)
        gains[:, j] = room * -np.expm1(-load / _EXTINCTION_MAX) * s_valid[:, j]
        stable[:, j] = np.clip(P["extinction_consolidation"][:, 0] * p_s[:, j], 0.0, 1.0)
        amyg_s[:, j], tol_s[:, j] = a, tol

    # between sessions both stores decay; each session adds its gain just after its
    # start (the grid holds that point), never at the start itself
    after = np.clip(np.searchsorted(t, s_t + 0.5 * _GAIN_AFTER_H), 0, t.size - 1)
    every = np.broadcast_to(rows, s_idx.shape)
    jump_lab = np.zeros((n, t.size))
    jump_stab = np.zeros((n, t.size))
    np.add.at(jump_lab, (every, after), gains * (1.0 - stable))
    np.add.at(jump_stab, (every, after), gains * stable)
    ext = _decaying(jump_lab, dt, _collapse(tau_lab)) + _decaying(jump_stab, dt, tau_stab)
    return {"extinction": np.minimum(ext, _EXTINCTION_MAX),
            "session_amygdala_response": amyg_s, "session_tolerability": tol_s,
            "session_extinction_gained": gains, "session_consolidated_share": stable}


def _amygdala(t_h, state, params, vmpfc=None):
    """Amygdala response to a trauma cue on the whole grid, ``(n, T)``.

    ``vmpfc`` replaces the vmPFC efficacy (the DMN stage asks what the trauma memory
    alone, with untreated synapses, would evoke).
    """
    n = len(state["condition"])
    circuit = _circuit(tuple(state["condition"]))
    vmpfc = state["vmpfc_efficacy"] if vmpfc is None else vmpfc
    w = circuit.weights(_trace_weight(state), vmpfc, state["extinction"],
                        1.0, params["vmpfc_brake_max"])
    # the burst only matters here if it reaches a region upstream of the amygdala
    burst = set(circuit.prefrontal) & circuit.upstream["amygdala"]
    glu = state["glutamate"] if burst else 1.0
    cue = circuit.inputs(glu, 1.0, params["acute_glutamate_gain"])
    a = circuit.rates(w, cue, "amygdala")["amygdala"]
    return np.maximum(np.broadcast_to(a, (n, np.size(t_h))), 0.0)


def dmn(t_h, state, params) -> dict:
    """DMN loosening: BDNF relaxes the loop, restored spines keep part of it, and less threat
    feeds less rumination.

    Three parts add up to a loosening ``L``; the first two are the drug's and scale with
    ``dmn_loosening_gain`` (0 keeps the loop rigid to the drug):

    * fast: BDNF signalling over ``dmn_loosening_tau_h`` (Scheidegger et al. 2012, human:
      lower connectivity 24 h after a dose);
    * remodelled: ``dmn_remodel_fraction`` per unit of restored spines, following them
      over ``dmn_remodel_tau_days``, so it lasts as long as the spines do;
    * threat: as the trauma memory loses its threat (the amygdala response that the
      weakened trace and extinction leave, with untreated synapses), the rumination loop
      it feeds relaxes over ``dmn_threat_tau_days`` (``dmn_threat_gain``): how exposure
      therapy eases rumination without any drug.

    Loop edges are scaled by ``1 - dmn_loosening_max (1 - exp(-L / dmn_loosening_max))``:
    a PTSD loop relaxes to about a healthy one's rigidity, no further.
    """
    P = params
    t = np.asarray(t_h)
    fast = low_pass(state["bdnf"] - 1.0, t, P["dmn_loosening_tau_h"])
    new_spines = (state["spine_density"] - state["spine_baseline_per_um"]) / _SPINE_REF
    remodel = P["dmn_remodel_fraction"] * low_pass(new_spines, t, P["dmn_remodel_tau_days"] * 24.0)
    drug = P["dmn_loosening_gain"] * (fast + remodel)
    if np.all(state["trace_strength"] == 1.0) and np.all(state["extinction"] == 0.0):
        threat = 0.0  # the trauma memory is untouched: no change of threat
    else:
        a = _amygdala(t, state, P, vmpfc=P["vmpfc_gain"])
        relief = np.clip(1.0 - a / np.maximum(a[:, :1], 1e-12), 0.0, 1.0)
        threat = P["dmn_threat_gain"] * low_pass(relief, t, P["dmn_threat_tau_days"] * 24.0)
    top = P["dmn_loosening_max"]
    loosening = -top * np.expm1(-(drug + threat) / top)
    return {"dmn_coupling": 1.0 - loosening}


def readout(t_h, state, params) -> dict:
    """The network on the whole grid: trauma-cue response, DMN connectivity, symptoms.

    The linear rate model is solved with the trauma cue for the amygdala response;
    DMN connectivity comes from the loop's stationary fluctuations; the symptom index
    (0-100) weighs re-experiencing (amygdala) against rumination (DMN rigidity).
    """
    P = params
    t = np.asarray(t_h)
    n = len(state["condition"])
    circuit = _circuit(tuple(state["condition"]))
    amygdala = _amygdala(t, state, P)
    w_dmn = circuit.weights(1.0, 1.0, 0.0, state["dmn_coupling"])
    dmn_fc = np.broadcast_to(circuit.dmn_connectivity(w_dmn), (n, t.size))
    intrusion = np.clip(amygdala / P["symptom_amygdala_ref"], 0.0, 1.0)
    rumination = np.clip((dmn_fc - _FC_FLOOR) / _FC_SPAN, 0.0, 1.0)
    wi = P["symptom_intrusion_weight"]
    symptoms = 100.0 * (wi * intrusion + (1.0 - wi) * rumination)
    return {"amygdala_response": amygdala, "dmn_connectivity": dmn_fc, "symptoms": symptoms}


def _collapse(v: np.ndarray) -> np.ndarray:
    """Shrink a per-protocol ``(n, 1)`` column to ``(1, 1)`` when all values agree."""
    return v[:1] if np.all(v == v[0, 0]) else v


def _decaying(jumps: np.ndarray, dt: np.ndarray, tau) -> np.ndarray:
    """``y`` that decays with time constant ``tau`` and jumps by ``jumps`` at grid points."""
    rate = np.zeros((np.shape(tau)[0], jumps.shape[-1]))
    rate[:, 1:] = dt / tau
    return _decay_scan(rate, jumps)


STAGES: Mapping[str, Callable] = MappingProxyType({
    "pharmacology": pharmacology,
    "glutamate": glutamate,
    "plasticity": plasticity,
    "reconsolidation": reconsolidation,
    "extinction": extinction,
    "dmn": dmn,
    "readout": readout,
})
"""The built-in stages by name, in the order a course runs them (read-only)."""

#: What each stage must return.
_OUTPUTS = MappingProxyType({
    "pharmacology": ("plasma_ng_ml", "norketamine_ng_ml", "midazolam_ng_ml",
                     "nmda_effective_um", "nmda_occupancy", "pyramidal_occupancy",
                     "dissociation", "sedation", "bp_rise_mmhg"),
    "glutamate": ("glutamate",),
    "plasticity": ("bdnf", "mtor", "spine_density", "plasticity", "vmpfc_efficacy"),
    "reconsolidation": ("trace_strength", "session_trace_kept"),
    "extinction": ("extinction", "session_amygdala_response", "session_tolerability",
                   "session_extinction_gained", "session_consolidated_share"),
    "dmn": ("dmn_coupling",),
    "readout": ("amygdala_response", "dmn_connectivity", "symptoms"),
})
