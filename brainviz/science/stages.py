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

from ._numerics import _decay_scan, _first_order
from .circuit import _circuit
from .pharmacology import _plasma

__all__ = ["STAGES", "low_pass", "pharmacology", "glutamate", "plasticity", "dmn",
           "reconsolidation", "extinction", "readout"]

_RECON_OPEN_H = 10.0 / 60.0  # the window opens about 10 min after retrieval (Monfils 2009)
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
    return _first_order(x, np.diff(t_h), tau_h)


# ----------------------------------------------------------------------------------
# the built-in stages
# ----------------------------------------------------------------------------------

def pharmacology(t_h, state, params) -> dict:
    """Doses -> plasma ketamine and norketamine -> NMDA block and dissociation.

    Plasma levels come from the linear pharmacokinetic model of
    :mod:`brainviz.science.pharmacology`; ``nmda_effective_um`` is the NMDA-effective
    concentration ``c`` (uM; norketamine weighted by ``norket_potency``, esketamine by
    ``esketamine_potency``); occupancy is ``c / (c + Ki)`` on interneurons and on the
    less sensitive pyramidal cells; dissociation is a Hill function of ``c``.
    """
    ket, nor, ceff = _plasma(state["doses"], t_h, params)
    occ = ceff / (ceff + params["nmda_ki_um"])
    occ_pyr = ceff / (ceff + params["nmda_ki_um"] * params["pyramidal_ki_factor"])
    c3 = ceff**3
    dissociation = c3 / (c3 + params["dissociation_ec50_um"] ** 3)
    return {"plasma_ng_ml": ket, "norketamine_ng_ml": nor, "nmda_effective_um": ceff,
            "nmda_occupancy": occ, "pyramidal_occupancy": occ_pyr,
            "dissociation": dissociation}


def glutamate(t_h, state, params) -> dict:
    """The glutamate burst: an inverted U with dose (Moghaddam et al. 1997, animal).

    Blocking NMDA receptors on interneurons disinhibits pyramidal cells; blocking the
    pyramidal cells' own receptors too (anaesthetic levels) silences them::

        target = (1 + disinhibition_gain * o) (1 - o_p)^2
        glutamate_tau_h d(glu)/dt = target - glu
    """
    occ, occ_pyr = state["nmda_occupancy"], state["pyramidal_occupancy"]
    release = (1.0 + params["disinhibition_gain"] * occ) * (1.0 - occ_pyr) ** 2 - 1.0
    return {"glutamate": 1.0 + low_pass(release, t_h, params["glutamate_tau_h"])}


def plasticity(t_h, state, params) -> dict:
    """Glutamate burst and NMDA block -> BDNF -> mTOR -> spines, plasticity, vmPFC efficacy.

    A chain of first-order stages on their own time scales; new spines restore what
    stress took (the condition's spine deficit), and the plasticity level that gates
    learning rises with BDNF and fresh spines.
    """
    P = params
    glu, occ = state["glutamate"], state["nmda_occupancy"]
    drive = P["bdnf_gain"] * (np.maximum(glu - 1.0, 0.0) + P["eef2_gain"] * occ)
    translation = low_pass(drive, t_h, P["bdnf_translation_tau_h"])
    bdnf_dev = low_pass(translation, t_h, P["bdnf_tau_h"])
    mtor = low_pass(bdnf_dev, t_h, P["mtor_tau_h"])
    spine_tau_h = P["spine_tau_days"] * 24.0
    # d(new)/dt = gain * mtor - new / tau, written as a scaled low-pass
    new_spine_drive = P["spine_gain"] * spine_tau_h / 24.0 * low_pass(mtor, t_h, spine_tau_h)
    s_base, s_ceil = state["spine_baseline_per_um"], state["spine_ceiling_per_um"]
    spine_density = s_base + (s_ceil - s_base) * (1.0 - np.exp(-new_spine_drive))
    new_spines = (spine_density - s_base) / _SPINE_REF
    plast = (1.0 + P["plasticity_bdnf_weight"] * bdnf_dev
             + P["plasticity_spine_weight"] * new_spines)
    # synaptic restoration (mTOR-driven synaptic proteins, then spines) can only give
    # back what stress took: the headroom is the condition's spine deficit
    headroom = (s_ceil - s_base) / _SPINE_REF
    vmpfc_eff = P["vmpfc_gain"] * (1.0 + P["synaptic_gain"] * (headroom * mtor + new_spines))
    return {"bdnf": 1.0 + bdnf_dev, "mtor": mtor, "spine_density": spine_density,
            "plasticity": plast, "vmpfc_efficacy": vmpfc_eff}


def dmn(t_h, state, params) -> dict:
    """DMN loosening: BDNF signalling relaxes the DMN loop, part of it lastingly.

    A fast part follows BDNF over ``dmn_loosening_tau_h``; a remodelled share
    ``dmn_remodel_fraction`` accumulates from it and fades over
    ``dmn_remodel_tau_days``. Loop edges are scaled by ``1 - clip(fast + remodel, 0, 0.9)``.
    """
    P = params
    tau_l = P["dmn_loosening_tau_h"]
    tau_r = P["dmn_remodel_tau_days"] * 24.0
    loose_fast = low_pass(P["dmn_loosening_gain"] * (state["bdnf"] - 1.0), t_h, tau_l)
    remodel = (P["dmn_remodel_fraction"] * tau_r / tau_l) * low_pass(loose_fast, t_h, tau_r)
    return {"dmn_coupling": 1.0 - np.clip(loose_fast + remodel, 0.0, 0.9)}


def _at_sessions(x, state, size: int):
    """Values of a series at each session's start, shape ``(n, n_sessions)``."""
    idx = state["session_index"]
    rows = np.arange(idx.shape[0])[:, None]
    return np.broadcast_to(x, (idx.shape[0], size))[rows, idx]


def reconsolidation(t_h, state, params) -> dict:
    """Memory-pathway disruption: a retrieved trace weakens only inside its window.

    A session that retrieves the memory destabilises it in proportion to free NMDA
    receptors at its start; from 10 minutes after retrieval to
    ``reconsolidation_window_h`` the log trace falls at ``reconsolidation_rate`` times
    the plasticity above ``reconsolidation_threshold``. Outside windows, and without
    retrieval, the trace does not change. ``trace_strength`` is relative to the
    untreated trace (1 = unchanged); ``session_trace_kept`` is the share each session
    leaves.
    """
    P = params
    t = np.asarray(t_h)
    dt = np.diff(t)
    s_t, s_ret, s_valid = state["session_at_h"], state["session_retrieval"], state["session_valid"]
    s_idx = state["session_index"]
    n = s_t.shape[0]
    rows = np.arange(n)[:, None]
    nmda_free = 1.0 - P["nmda_learning_dependence"] * state["nmda_occupancy"]
    window = P["reconsolidation_window_h"]
    excess = np.maximum(state["plasticity"] - P["reconsolidation_threshold"], 0.0)
    excess = np.broadcast_to(excess, (n, t.size))
    cum = np.zeros_like(excess)
    cum[:, 1:] = np.cumsum(0.5 * (excess[:, 1:] + excess[:, :-1]) * dt, axis=1)
    opens = s_t + _RECON_OPEN_H
    closes = s_t + window
    cum_open = np.stack([np.interp(opens[b], t, cum[b]) for b in range(n)])
    cum_close = np.stack([np.interp(closes[b], t, cum[b]) for b in range(n)])
    destabilised = s_ret * s_valid * _at_sessions(nmda_free, state, t.size)
    log_keep = -P["reconsolidation_rate"] * destabilised * (cum_close - cum_open)
    # inside a window the trace weakens in step with the plasticity excess: the log
    # trace is the integral of excess times a step function that is on in windows
    span = np.maximum(cum_close - cum_open, 1e-12)
    on = np.zeros((n, t.size + 1))
    every = np.broadcast_to(rows, s_idx.shape)
    np.add.at(on, (every, np.searchsorted(t, opens - 1e-9)), log_keep / span)
    np.add.at(on, (every, np.searchsorted(t, closes - 1e-9)), -log_keep / span)
    step_on = np.cumsum(on[:, :t.size - 1], axis=1)
    trace_rel = np.ones((n, t.size))
    trace_rel[:, 1:] = np.exp(np.cumsum(step_on * np.diff(cum, axis=1), axis=1))
    return {"trace_strength": trace_rel, "session_trace_kept": np.exp(log_keep)}


def extinction(t_h, state, params) -> dict:
    """Extinction learning, session by session (tolerability depends on the state).

    Each session that retrieves the memory adds extinction in proportion to its length,
    free NMDA receptors, plasticity, the vmPFC and engagement (1 - dissociation), scaled
    by the tolerability of the amygdala response the network gives during the session
    and saturating. A plasticity-dependent share consolidates and lasts
    ``extinction_stable_tau_days``; the rest fades with the condition's
    ``extinction_retention_h``.
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
    plast, dissociation = state["plasticity"], state["dissociation"]
    tau_lab = state["extinction_retention_h"]
    tau_stab = P["extinction_stable_tau_days"] * 24.0
    gains = np.zeros((n, n_s))
    stable = np.zeros((n, n_s))
    amyg_s = np.zeros((n, n_s))
    tol_s = np.zeros((n, n_s))
    p_s = _at_sessions(plast, state, t.size)
    for j in range(n_s):
        since = s_t[:, j:j + 1] - s_t[:, :j]
        decay = ((1.0 - stable[:, :j]) * np.exp(-since / tau_lab)
                 + stable[:, :j] * np.exp(-since / tau_stab))
        ext_before = np.sum(gains[:, :j] * decay * (since >= 0), axis=1)
        col = s_idx[:, j]

        def now(x):  # value at this session, as an (n, 1) column like the params
            return np.broadcast_to(x, (n, t.size))[rows[:, 0], col][:, None]

        w = circuit.weights(now(state["trace_strength"]), now(state["vmpfc_efficacy"]),
                            ext_before[:, None], 1.0)
        h = circuit.inputs(now(state["glutamate"]), s_arousal[:, j:j + 1], glu_gain)
        rates = circuit.rates(w, h, target="amygdala")
        a = np.maximum(np.broadcast_to(rates["amygdala"], (n, 1))[:, 0], 0.0)
        low, high = P["tolerance_low"][:, 0], P["tolerance_high"][:, 0]
        tol = 1.0 / (1.0 + np.exp(-(a - low) / 0.05)) / (1.0 + np.exp((a - high) / 0.1))
        engage = 1.0 - np.broadcast_to(dissociation, (n, t.size))[rows[:, 0], col]
        rate = (P["extinction_rate"][:, 0] * s_min[:, j] / 60.0 * s_ret[:, j]
                * np.broadcast_to(nmda_free, (n, t.size))[rows[:, 0], col] * p_s[:, j]
                * P["vmpfc_gain"][:, 0])
        gains[:, j] = (rate * tol * engage * np.maximum(1.0 - ext_before / _EXTINCTION_MAX, 0.0)
                       * s_valid[:, j])
        stable[:, j] = np.clip(P["extinction_consolidation"][:, 0] * p_s[:, j], 0.0, 1.0)
        amyg_s[:, j], tol_s[:, j] = a, tol

    # between sessions both stores decay; each session adds its gain at its start
    every = np.broadcast_to(rows, s_idx.shape)
    jump_lab = np.zeros((n, t.size))
    jump_stab = np.zeros((n, t.size))
    np.add.at(jump_lab, (every, s_idx), gains * (1.0 - stable))
    np.add.at(jump_stab, (every, s_idx), gains * stable)
    ext = _decaying(jump_lab, dt, _collapse(tau_lab)) + _decaying(jump_stab, dt, tau_stab)
    return {"extinction": ext, "session_amygdala_response": amyg_s,
            "session_tolerability": tol_s, "session_extinction_gained": gains,
            "session_consolidated_share": stable}


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
    w_grid = circuit.weights(state["trace_strength"], state["vmpfc_efficacy"],
                             state["extinction"], state["dmn_coupling"])
    cue = circuit.inputs(state["glutamate"], 1.0, P["acute_glutamate_gain"])
    rates_cue = circuit.rates(w_grid, cue, "amygdala")
    amygdala = np.maximum(np.broadcast_to(rates_cue["amygdala"], (n, t.size)), 0.0)
    dmn_fc = np.broadcast_to(circuit.dmn_connectivity(w_grid), (n, t.size))
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
    "dmn": dmn,
    "reconsolidation": reconsolidation,
    "extinction": extinction,
    "readout": readout,
})
"""The built-in stages by name, in the order a course runs them (read-only)."""

#: What each stage must return.
_OUTPUTS = MappingProxyType({
    "pharmacology": ("plasma_ng_ml", "norketamine_ng_ml", "nmda_effective_um",
                     "nmda_occupancy", "pyramidal_occupancy", "dissociation"),
    "glutamate": ("glutamate",),
    "plasticity": ("bdnf", "mtor", "spine_density", "plasticity", "vmpfc_efficacy"),
    "dmn": ("dmn_coupling",),
    "reconsolidation": ("trace_strength", "session_trace_kept"),
    "extinction": ("extinction", "session_amygdala_response", "session_tolerability",
                   "session_extinction_gained", "session_consolidated_share"),
    "readout": ("amygdala_response", "dmn_connectivity", "symptoms"),
})
