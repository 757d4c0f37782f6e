"""The one brainviz model: a treatment course from dose to synapses to symptoms.

:func:`simulate` runs one :class:`Protocol`; :func:`sweep` runs many at once. Both go
through the same batched code (``simulate(p)`` is ``sweep([p])[0]``), so the four
mechanism views always show the same model:

1. **dosing** -> plasma ketamine and norketamine -> NMDA occupancy, dissociation;
2. **glutamate burst -> BDNF -> mTOR -> spines**, and a plasticity level that gates
   learning;
3. **memory**: retrieval (exposure, EMDR) opens a reconsolidation window in which the
   trauma trace weakens in proportion to plasticity; therapy builds extinction
   (vmPFC -> amygdala inhibition) at a rate gated by NMDA function, plasticity and a
   tolerable amygdala response;
4. **DMN**: plasticity loosens the self-sustaining DMN loop, part of it lastingly.

Region activity comes from a linear firing-rate model on the network of
:func:`brainviz.build_network`, solved at steady state for a trauma cue and at rest;
DMN functional connectivity is the correlation of the DMN loop's stationary
fluctuations (:mod:`brainviz.science.circuit`). Each step is one function in
:mod:`brainviz.science.stages`; ``stages={"name": function}`` runs the model with one
replaced. See ``docs/MODEL.md`` for the equations.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property, lru_cache
from types import MappingProxyType
from typing import Mapping, Sequence

import networkx as nx
import numpy as np

from .circuit import _circuit, _dmn_system
from .network import CONDITIONS, build_network
from .params import _resolve
from .._validate import check_choice, check_number, did_you_mean, tuple_of
from .pharmacology import Dose
from .stages import _OUTPUTS as _STAGE_OUTPUTS
from .stages import _GAIN_AFTER_H, _RECON_OPEN_H, STAGES

__all__ = ["Session", "Protocol", "Course", "simulate", "sweep", "SESSION_KINDS"]


@dataclass(frozen=True)
class _Kind:
    retrieval: float  # 1 = the trauma memory is retrieved
    arousal: float  # scale of the trauma cue during the session
    doc: str


#: Therapy session kinds. EMDR retrieves the memory with a lower arousal (the eye
#: movements tax working memory and make the memory less vivid: van den Hout &
#: Engelhard 2012, human lab studies); the value 0.75 is illustrative.
SESSION_KINDS = MappingProxyType({
    "exposure": _Kind(1.0, 1.0, "prolonged exposure: the memory is retrieved in full"),
    "emdr": _Kind(1.0, 0.75, "EMDR: retrieval with a dual task that lowers vividness"),
    "supportive": _Kind(0.0, 0.0, "supportive therapy: no trauma memory is retrieved"),
})

_MAX_DAYS = 365.0
# The time grid (hours). Each dose gets 5-minute steps while it is given and for 3 h
# after (plasma, NMDA block, the glutamate burst, harms), 15-minute steps to 8 h,
# 30-minute steps to 24 h (BDNF, mTOR), hourly steps to 48 h, and 6-hour steps
# elsewhere, where nothing moves faster than days. Against a 1-minute grid the symptom
# index differs by under 0.1 points and the peaks of plasma, harms and BDNF by under 1 %
# (single doses of every route at 0.5-4.5 mg/kg, midazolam, six infusions, doses with
# sessions, exposure courses).
_FINE_H = 5.0 / 60.0
_FINE_AFTER_H = 3.0
_MEDIUM_H = 0.25
_MEDIUM_UNTIL_H = 8.0
_HALF_HOURLY_UNTIL_H = 24.0
_HOURLY_UNTIL_H = 48.0
_COARSE_H = 6.0
_JUMP_H = 1.0 / 60.0  # a grid point one minute before each session
# Batching: protocols with the same schedule share a grid and run together; different
# schedules are merged into one batch only while that is cheaper than running apart
# (a batch costs about _BATCH_COST protocol x time-point steps on top of its size) and
# the merged grid stays within _GRID_GROWTH x its largest own grid (memory).
_BATCH_COST = 1e4
_GRID_GROWTH = 2.0
_CHUNK_ELEMENTS = 2e5  # (protocols x time points) per run: keeps arrays cache-sized
_CHUNK_MAX = 64


@dataclass(frozen=True)
class Session:
    """One therapy session.

    Parameters
    ----------
    at_h : float
        Start of the session, hours after the course starts (>= 0).
    kind : {"exposure", "emdr", "supportive"}
        Exposure and EMDR retrieve the trauma memory; supportive therapy does not.
    minutes : float, optional
        Length of the session in [5, 240] minutes (default 60).

    Examples
    --------
    >>> from brainviz import Session
    >>> Session(at_h=24, kind="exposure").minutes
    60.0
    """

    at_h: float
    kind: str = "exposure"
    minutes: float = 60.0

    def __post_init__(self):
        at_h = check_number("Session.at_h", self.at_h, 0.0, math.inf, "h")
        check_choice("Session.kind", self.kind, SESSION_KINDS)
        minutes = check_number("Session.minutes", self.minutes, 5.0, 240.0, "min")
        object.__setattr__(self, "at_h", at_h)
        object.__setattr__(self, "minutes", minutes)


@dataclass(frozen=True)
class Protocol:
    """A treatment course: doses, therapy sessions, length and condition.

    Parameters
    ----------
    doses : sequence of Dose
        Ketamine doses (may be empty).
    therapy : sequence of Session
        Therapy sessions (may be empty).
    days : float
        Length of the course in days, in (0, 365]. Every dose and session must start
        before its end.
    condition : {"ptsd", "healthy"}
        Which network the course runs on.

    Examples
    --------
    >>> from brainviz import Dose, Protocol, Session
    >>> p = Protocol(doses=[Dose(0, 0.5)], therapy=[Session(24)], days=14)
    >>> len(p.doses), p.condition
    (1, 'ptsd')
    """

    doses: Sequence[Dose] = ()
    therapy: Sequence[Session] = ()
    days: float = 14.0
    condition: str = "ptsd"

    def __post_init__(self):
        days = check_number("Protocol.days", self.days, 0.0, _MAX_DAYS, "days", low_open=True)
        doses = tuple_of("Protocol.doses", self.doses, Dose)
        therapy = tuple_of("Protocol.therapy", self.therapy, Session)
        if not isinstance(self.condition, str):
            raise TypeError(
                f"Protocol.condition must be a string, got {type(self.condition).__name__}"
            )
        if self.condition not in CONDITIONS:
            raise ValueError(
                f"Protocol.condition must be one of {list(CONDITIONS)}, got {self.condition!r}"
            )
        end = days * 24.0
        for i, d in enumerate(doses):
            if d.at_h >= end:
                raise ValueError(
                    f"Protocol.doses[{i}].at_h = {d.at_h:g} h is outside the course: "
                    f"it must be in [0, {end:g}) h for days={days:g}"
                )
        for i, s in enumerate(therapy):
            if s.at_h >= end:
                raise ValueError(
                    f"Protocol.therapy[{i}].at_h = {s.at_h:g} h is outside the course: "
                    f"it must be in [0, {end:g}) h for days={days:g}"
                )
        object.__setattr__(self, "days", days)
        object.__setattr__(self, "doses", tuple(sorted(doses, key=lambda d: d.at_h)))
        object.__setattr__(self, "therapy", tuple(sorted(therapy, key=lambda s: s.at_h)))


_SERIES = (
    "plasma_ng_ml", "norketamine_ng_ml", "midazolam_ng_ml", "nmda_occupancy",
    "dissociation", "sedation", "bp_rise_mmhg", "glutamate",
    "bdnf", "mtor", "spine_density", "plasticity", "trauma_trace", "extinction",
    "vmpfc_efficacy", "dmn_coupling", "dmn_connectivity", "amygdala_response", "symptoms",
)


@dataclass(frozen=True, eq=False)
class Course:
    """The result of one simulated course: numpy arrays on a common time axis.

    Every array in :attr:`series` has the shape of :attr:`t_h` (hours; 5-minute steps
    while a dose is given and for 3 h after, then 15-minute, 30-minute and hourly steps
    to 8, 24 and 48 h after a dose, 6-hourly otherwise, plus points at each session and
    its reconsolidation window). Network views are sampled every hour at
    :attr:`probe_t_h`. Arrays are read-only.

    Attributes
    ----------
    t_h : ndarray
        Time in hours since the start of the course.
    plasma_ng_ml, norketamine_ng_ml, midazolam_ng_ml : ndarray
        Plasma ketamine (or esketamine), norketamine and midazolam, ng/mL.
    nmda_occupancy : ndarray
        Fraction of interneuron NMDA receptors blocked (0-1).
    dissociation : ndarray
        Dissociation, 0 (none) to 1 (maximal); lessens over repeated infusions.
    sedation : ndarray
        Loss of responsiveness, 0 (awake) to 1 (unresponsive): anaesthetic ketamine
        levels, or midazolam.
    bp_rise_mmhg : ndarray
        Rise of systolic blood pressure above baseline, mmHg.
    glutamate : ndarray
        Prefrontal glutamate release relative to baseline (1 = baseline).
    bdnf, mtor : ndarray
        BDNF signalling relative to baseline (1 = baseline) and mTOR drive (0 = none).
    spine_density : ndarray
        Prefrontal dendritic spine density, spines per um.
    plasticity : ndarray
        Plasticity level gating learning (1 = baseline).
    trauma_trace : ndarray
        Mean weight of the trauma-trace pathways (thalamus/hippocampus -> amygdala); it
        weakens no further than a healthy network's trace and returns over weeks.
    extinction : ndarray
        Learned extinction: extra vmPFC -> amygdala inhibition (0-0.6).
    vmpfc_efficacy : ndarray
        vmPFC output gain (1 = untreated, 0 = lesioned).
    dmn_coupling : ndarray
        DMN loop coupling relative to the untreated network (1 = unchanged).
    dmn_connectivity : ndarray
        Mean correlation between DMN regions at rest (0-1).
    amygdala_response : ndarray
        Amygdala activity during a trauma reminder (model units).
    symptoms : ndarray
        Symptom index 0-100 (0.6 x re-experiencing, 0.4 x rumination by default).
    probe_t_h : ndarray
        Hourly probe times for the network views.
    activity, rest_activity : ndarray
        Region activity ``(n_probes, n_regions)`` during a trauma cue and at rest
        (with seeded resting fluctuations).
    edge_weights : ndarray
        Signed edge weights ``(n_probes, n_edges)``; positive excitatory.
    regions, edges : tuple
        Region names and ``(source, target)`` pairs in column order.
    session_log : tuple of dict
        Per session: time, kind, amygdala response, tolerability, extinction gained
        and trace weakening.
    protocol, params, seed
        The inputs that made this course (``params`` as plain floats).
    stages : tuple of str
        Names of the stages that were replaced (``stages=`` of :func:`simulate`);
        empty for the built-in model.
    network : networkx.DiGraph
        A fresh copy of the untreated network of the protocol's condition.
    """

    t_h: np.ndarray
    series: Mapping[str, np.ndarray]
    probe_t_h: np.ndarray
    regions: tuple
    edges: tuple
    _sessions: Mapping[str, np.ndarray]
    protocol: Protocol
    params: Mapping[str, float]
    seed: int
    stages: tuple = ()

    def __getattr__(self, name):
        series = self.__dict__.get("series")
        if series is not None and name in series:
            return series[name]
        raise AttributeError(f"Course has no attribute {name!r}")

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self.series))

    @cached_property
    def session_log(self) -> tuple:
        """One dict per therapy session: what happened in it (see the class doc)."""
        return tuple(
            {"at_h": s.at_h, "kind": s.kind, "minutes": s.minutes,
             **{k: float(v[j]) for k, v in self._sessions.items()}}
            for j, s in enumerate(self.protocol.therapy))

    @property
    def network(self) -> nx.DiGraph:
        """A fresh copy of the untreated network this course ran on."""
        return build_network(self.protocol.condition)

    @cached_property
    def _views(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return _network_views(self)

    @property
    def activity(self) -> np.ndarray:
        """Region activity during a trauma cue, ``(n_probes, n_regions)``."""
        return self._views[0]

    @property
    def rest_activity(self) -> np.ndarray:
        """Region activity at rest with seeded fluctuations, ``(n_probes, n_regions)``."""
        return self._views[1]

    @property
    def edge_weights(self) -> np.ndarray:
        """Signed edge weights ``(n_probes, n_edges)``; positive excitatory."""
        return self._views[2]

    def dmn_matrix(self, t_h: float) -> tuple[tuple, np.ndarray]:
        """Correlation matrix of the DMN regions at rest at time ``t_h``.

        Returns
        -------
        regions : tuple of str
        matrix : ndarray, shape (k, k)

        Examples
        --------
        >>> from brainviz import Protocol, simulate
        >>> names, m = simulate(Protocol(days=1)).dmn_matrix(0.0)
        >>> names, round(float(m[0, 0]), 6)
        (('mpfc', 'pcc', 'angular'), 1.0)
        """
        t_h = self._check_time("t_h", t_h)
        circuit = _circuit((self.protocol.condition,))
        w = circuit.weights(1.0, 1.0, 0.0, float(self.at("dmn_coupling", t_h)))
        mat = _dmn_system(circuit.dmn, w)
        cov = np.linalg.inv(np.array([[float(np.ravel(x)[0]) for x in row] for row in mat]))
        sd = np.sqrt(np.diag(cov))
        return tuple(circuit.dmn), cov / np.outer(sd, sd)

    @property
    def t_days(self) -> np.ndarray:
        """Time in days."""
        return self.t_h / 24.0

    def at(self, name: str, t_h) -> np.ndarray:
        """Value of one series at arbitrary times (linear interpolation).

        Examples
        --------
        >>> from brainviz import Dose, Protocol, simulate
        >>> c = simulate(Protocol(doses=[Dose(0, 0.5)], days=3))
        >>> bool(c.at("symptoms", 0.0) > c.at("symptoms", 24.0))
        True
        """
        if not isinstance(name, str) or name not in self.series:
            raise ValueError(f"unknown series {name!r}{did_you_mean(name, self.series)}; "
                             f"one of {sorted(self.series)}")
        return np.interp(self._check_time("t_h", t_h, array=True), self.t_h, self.series[name])

    def _check_time(self, arg: str, t_h, array: bool = False):
        """``t_h`` as floats if every value is a finite time within the course."""
        end = float(self.t_h[-1])
        try:
            x = np.asarray(t_h)
            bad_type = x.dtype.kind not in "iuf"
        except Exception:  # ragged or odd input
            bad_type = True
        if bad_type or (not array and x.ndim != 0):
            what = "a number or an array of numbers" if array else "a number"
            raise TypeError(f"{arg} must be {what} (hours), got {type(t_h).__name__}")
        x = x.astype(float)
        ok = np.isfinite(x) & (x >= 0.0) & (x <= end * (1 + 1e-12))
        if not np.all(ok):
            first = float(x.reshape(-1)[np.argmin(ok.reshape(-1))])
            raise ValueError(f"{arg} must be in [0, {end:g}] h (the course), got {first!r}")
        return x if array else float(x)

    def __repr__(self):
        p = self.protocol
        return (f"Course(condition={p.condition!r}, days={p.days:g}, doses={len(p.doses)}, "
                f"sessions={len(p.therapy)}, points={self.t_h.size})")


def simulate(protocol: Protocol, params: Mapping | None = None, seed: int = 0, *,
             stages: Mapping | None = None) -> Course:
    """Run one treatment course through the model.

    Parameters
    ----------
    protocol : Protocol
        Doses, therapy sessions, length and condition.
    params : dict, optional
        Overrides of :data:`brainviz.PARAMS` by name, e.g. ``{"bdnf_gain": 0}`` to
        block BDNF or ``{"vmpfc_gain": 0}`` to lesion the vmPFC.
    seed : int
        Seed of the resting-activity fluctuations; same inputs and seed give
        identical arrays.
    stages : dict, optional
        Replace stages of the model by name: ``{"glutamate": my_function}``. Each
        function has the signature ``(t_h, state, params) -> dict`` of numpy arrays
        described in :mod:`brainviz.science.stages`; :data:`brainviz.STAGES` holds the
        built-in ones. Outputs are checked (names, shapes, finite values).

    Returns
    -------
    Course

    Examples
    --------
    >>> from brainviz import Dose, Protocol, simulate
    >>> course = simulate(Protocol(doses=[Dose(at_h=0, mg_per_kg=0.5, route="iv")], days=7))
    >>> bool(100 < course.plasma_ng_ml.max() < 300)
    True

    Run it with the BDNF cascade replaced by a student's own version:

    >>> from brainviz import STAGES
    >>> def no_spines(t_h, state, params):
    ...     out = STAGES["plasticity"](t_h, state, params)
    ...     return {**out, "spine_density": state["spine_baseline_per_um"]}
    >>> flat = simulate(course.protocol, stages={"plasticity": no_spines})
    >>> float(flat.spine_density.max() - flat.spine_density.min())
    0.0
    """
    if not isinstance(protocol, Protocol):
        raise TypeError(f"protocol must be a brainviz.Protocol, got {type(protocol).__name__}")
    return sweep([protocol], params=params, seed=seed, stages=stages)[0]


def sweep(protocols: Sequence[Protocol], params: Mapping | None = None,
          seed: int = 0, *, stages: Mapping | None = None) -> list[Course]:
    """Run many courses at once, vectorised over protocols.

    Parameters
    ----------
    protocols : sequence of Protocol
        Courses to run; all must have the same ``days``.
    params : dict, optional
        Overrides by name; each value is a number (shared) or a 1-D array with one
        value per protocol (a parameter sweep).
    seed : int
        Seed of the resting fluctuations; every protocol sees the same noise
        (common random numbers), so ``sweep(ps)[i]`` equals ``simulate(ps[i])`` (to
        discretisation accuracy: see the time grid below).
    stages : dict, optional
        Replaced stages, as in :func:`simulate`.

    Returns
    -------
    list of Course
        In the order of ``protocols``.

    Notes
    -----
    Protocols with the same schedule (dose and session times) always come back on the
    same time grid. A few different schedules share the union of their grids; a sweep
    of many different schedules runs in batches, each on its own grid, so courses may
    then have different ``t_h``: compare them at common times with :meth:`Course.at`.

    Examples
    --------
    >>> from brainviz import Dose, Protocol, sweep
    >>> ps = [Protocol(doses=[Dose(0, mg)], days=3) for mg in (0.25, 0.5, 1.0)]
    >>> [round(float(c.plasma_ng_ml.max())) for c in sweep(ps)]
    [101, 202, 403]
    """
    if isinstance(protocols, Protocol) or not isinstance(protocols, (list, tuple)):
        raise TypeError(
            f"protocols must be a list of brainviz.Protocol, got {type(protocols).__name__}"
        )
    if len(protocols) == 0:
        raise ValueError("protocols must hold at least one Protocol")
    for i, p in enumerate(protocols):
        if not isinstance(p, Protocol):
            raise TypeError(f"protocols[{i}] must be a brainviz.Protocol, got {type(p).__name__}")
    days = {p.days for p in protocols}
    if len(days) > 1:
        raise ValueError(f"all protocols in a sweep must have the same days, got {sorted(days)}")
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an integer, got {type(seed).__name__}")
    if seed < 0:
        raise ValueError(f"seed must be >= 0, got {seed}")
    stages = _check_stages(stages)
    prm = _resolve(params, len(protocols))
    protocols = list(protocols)
    courses: list = [None] * len(protocols)
    for part, t, batch, batch_prm in _runs(protocols, prm):
        for i, course in zip(part, _run(batch, batch_prm, int(seed), t, stages)):
            courses[i] = course
    return courses


def _runs(protocols: list[Protocol], prm: dict[str, np.ndarray]):
    """Yield ``(indices, t, protocols, params)`` for every run of the batched model.

    Protocols are grouped by time grid (:func:`_batches`) and each group is cut into
    chunks small enough for the CPU cache (:func:`_chunk_rows`).
    """
    for idx, t in _batches(protocols, prm["reconsolidation_window_h"][:, 0]):
        chunk = _chunk_rows(t.size)
        for start in range(0, idx.size, chunk):
            part = idx[start:start + chunk]
            yield (part, t, [protocols[i] for i in part],
                   {k: _collapse(v[part]) for k, v in prm.items()})


# ----------------------------------------------------------------------------------
# the batched model
# ----------------------------------------------------------------------------------

def _collapse(v: np.ndarray) -> np.ndarray:
    """Shrink a per-protocol ``(n, 1)`` column to ``(1, 1)`` when all values agree.

    Broadcasting then computes shared decays and kernels once per batch.
    """
    return v[:1] if np.all(v == v[0, 0]) else v


def _schedule(p: Protocol, window: float) -> tuple:
    """What a protocol's own time grid depends on (a hashable key)."""
    return (p.days, tuple(sorted({(d.at_h, d.duration_min) for d in p.doses})),
            tuple(sorted({s.at_h for s in p.therapy})), (window,) if p.therapy else ())


@lru_cache(maxsize=1024)
def _own_grid(schedule: tuple) -> np.ndarray:
    """The time grid of one schedule (see the constants above); read-only."""
    days, doses, sessions, windows = schedule
    end = days * 24.0
    pieces = [np.arange(0.0, end, _COARSE_H), [end]]
    for t0, minutes in doses:
        t = t0 + minutes / 60.0 + _FINE_AFTER_H
        pieces.append(np.arange(t0, min(t, end), _FINE_H))
        for step, until in ((_MEDIUM_H, _MEDIUM_UNTIL_H), (0.5, _HALF_HOURLY_UNTIL_H),
                            (1.0, _HOURLY_UNTIL_H)):
            pieces.append(np.arange(t, min(t0 + until, end), step))
            t = max(t, t0 + until)
    for t0 in sessions:  # just before, at and just after the session start (extinction
        # jumps there), the window's opening and its close
        pieces.append(np.concatenate([[t0 - _JUMP_H, t0, t0 + _GAIN_AFTER_H,
                                       t0 + _RECON_OPEN_H], t0 + np.asarray(windows)]))
    grid = np.unique(np.round(np.concatenate([np.asarray(x, float) for x in pieces]), 6))
    # the end exactly, once, even for courses shorter than the rounding
    grid = np.append(grid[(grid >= 0.0) & (grid < end - 1e-9)], end)
    grid.setflags(write=False)
    return grid


def _time_grid(protocols: list[Protocol], params: dict[str, np.ndarray]) -> np.ndarray:
    """One grid for all ``protocols``: the union of their own grids."""
    windows = np.broadcast_to(params["reconsolidation_window_h"][:, 0], (len(protocols),))
    keys = {_schedule(p, float(w)) for p, w in zip(protocols, windows)}
    return np.unique(np.concatenate([_own_grid(k) for k in keys]))


def _batches(protocols: list[Protocol], windows: np.ndarray) -> list:
    """Group protocols into batches that each run on one time grid.

    Returns ``[(indices, grid), ...]``. Protocols with the same schedule always share a
    batch; schedules are merged in sorted order while one batch on the union grid costs
    no more than separate batches and its grid stays within ``_GRID_GROWTH`` of the
    largest own grid. A few similar protocols thus share one grid (as before), while a
    sweep of hundreds of different schedules no longer runs every protocol on the union
    of all their grids (which cost time, and memory that grew with the square of the
    number of protocols).
    """
    groups: dict = {}
    for i, (p, w) in enumerate(zip(protocols, windows)):
        groups.setdefault(_schedule(p, float(w)), []).append(i)
    batches = []
    members, grid, largest = [], None, 0
    for key in sorted(groups):
        own, new = _own_grid(key), groups[key]
        if grid is not None:
            union = np.union1d(grid, own)
            merged = (len(members) + len(new)) * union.size
            apart = len(members) * grid.size + len(new) * own.size + _BATCH_COST
            # beyond one chunk a batch amortises nothing more: it would only grow its grid
            fits = len(members) + len(new) <= _chunk_rows(union.size)
            if (fits and merged <= apart
                    and union.size <= _GRID_GROWTH * max(largest, own.size)):
                members += new
                grid, largest = union, max(largest, own.size)
                continue
            batches.append((np.array(members), grid))
        members, grid, largest = list(new), own, own.size
    batches.append((np.array(members), grid))
    return batches


def _chunk_rows(points: int) -> int:
    """Protocols per run on a grid of ``points``: (chunk, time) arrays of about a
    megabyte fit the CPU cache, and the model is memory-bound."""
    return max(1, min(_CHUNK_MAX, int(_CHUNK_ELEMENTS // points)))


def _session_table(protocols: list[Protocol], t: np.ndarray) -> dict[str, np.ndarray]:
    """The protocols' therapy sessions as ``(n, n_sessions)`` arrays, padded to a rectangle."""
    n = len(protocols)
    n_s = max((len(p.therapy) for p in protocols), default=0)
    s_t = np.zeros((n, n_s))
    s_min = np.zeros((n, n_s))
    s_ret = np.zeros((n, n_s))
    s_arousal = np.zeros((n, n_s))
    s_valid = np.zeros((n, n_s), bool)
    for b, p in enumerate(protocols):
        for j, s in enumerate(p.therapy):
            k = SESSION_KINDS[s.kind]
            s_t[b, j], s_min[b, j] = s.at_h, s.minutes
            s_ret[b, j], s_arousal[b, j], s_valid[b, j] = k.retrieval, k.arousal, True
    s_idx = np.clip(np.searchsorted(t, s_t), 0, t.size - 1)
    return {"session_at_h": s_t, "session_minutes": s_min, "session_retrieval": s_ret,
            "session_arousal": s_arousal, "session_valid": s_valid, "session_index": s_idx}


def _run(protocols: list[Protocol], prm: dict[str, np.ndarray], seed: int,
         t: np.ndarray, stages: Mapping | None = None) -> list[Course]:
    """Run the stages of :mod:`brainviz.science.stages` on one batch of protocols."""
    state, series = _run_series(protocols, prm, t, stages)
    return _courses(protocols, prm, seed, t, stages, state, series)


def _run_series(protocols: list[Protocol], prm: dict[str, np.ndarray], t: np.ndarray,
                stages: Mapping | None = None) -> tuple[dict, dict]:
    """The model's state and its :data:`_SERIES` as read-only ``(n, len(t))`` arrays."""
    n = len(protocols)
    stages = stages or {}
    cond = [CONDITIONS[p.condition] for p in protocols]
    state: dict = {
        "doses": tuple(p.doses for p in protocols),
        "condition": np.array([p.condition for p in protocols]),
        "spine_baseline_per_um": np.array([[c["spine_density_per_um"]] for c in cond]),
        "spine_ceiling_per_um": np.array([[c["spine_ceiling_per_um"]] for c in cond]),
        "extinction_retention_h": np.array([[c["extinction_retention_h"]] for c in cond]),
        "trace_floor": np.array(_circuit(tuple(p.condition for p in protocols)).trace_floor),
        **_session_table(protocols, t),
    }
    for x in prm.values():
        x.flags.writeable = False
    for x in state.values():
        if isinstance(x, np.ndarray):
            x.flags.writeable = False
    params_view = MappingProxyType(prm)
    t_ro = _readonly(t)
    for name, builtin in STAGES.items():
        fn = stages.get(name, builtin)
        out = fn(t_ro, MappingProxyType(state), params_view)
        if fn is not builtin:
            out = _checked_stage_output(name, out, n, t.size, state["session_at_h"].shape[1])
        for x in out.values():  # later stages (and replaced ones) only read
            if isinstance(x, np.ndarray):
                x.flags.writeable = False
        state.update(out)

    circuit = _circuit(tuple(p.condition for p in protocols))
    series = {k: state[k] for k in _SERIES if k in state}
    series["trauma_trace"] = circuit.trace_base * (
        state["trace_floor"] + (1.0 - state["trace_floor"]) * state["trace_strength"])
    assert set(series) == set(_SERIES)
    series = {k: _readonly(np.ascontiguousarray(np.broadcast_to(v, (n, t.size))))
              for k, v in series.items()}
    return state, series


def _courses(protocols, prm, seed, t, stages, state, series) -> list[Course]:
    """One :class:`Course` per protocol of a run, viewing the run's arrays."""
    stages = stages or {}
    t_ro = _readonly(t)
    circuit = _circuit(tuple(p.condition for p in protocols))
    probe_ro = _readonly(np.arange(0.0, t[-1] + 1e-9, 1.0))
    shared_params = None
    if all(v.shape[0] == 1 for v in prm.values()):
        shared_params = MappingProxyType({k: float(v[0, 0]) for k, v in prm.items()})
    replaced = tuple(name for name in STAGES if name in stages)
    courses = []
    for b, p in enumerate(protocols):
        m = len(p.therapy)
        log = {key: np.asarray(state["session_" + key])[b, :m] for key in _SESSION_LOG}
        courses.append(Course(
            t_h=t_ro,
            series=MappingProxyType({k: v[b] for k, v in series.items()}),
            probe_t_h=probe_ro,
            regions=circuit.nodes, edges=circuit.edges, _sessions=log, protocol=p,
            params=shared_params or MappingProxyType({k: float(v[min(b, v.shape[0] - 1), 0])
                                                      for k, v in prm.items()}),
            seed=seed, stages=replaced,
        ))
    return courses


#: Per-session entries of :attr:`Course.session_log` (``state["session_" + key]``).
_SESSION_LOG = ("amygdala_response", "tolerability", "extinction_gained",
                "consolidated_share", "trace_kept")


def _check_stages(stages) -> dict:
    """Validate ``stages=`` of :func:`simulate` and :func:`sweep`."""
    if stages is None:
        return {}
    if not isinstance(stages, Mapping):
        raise TypeError(f"stages must be a dict of stage name to function, "
                        f"got {type(stages).__name__}")
    for name, fn in stages.items():
        if name not in STAGES:
            raise ValueError(f"stages: unknown stage {name!r}{did_you_mean(name, STAGES)}; "
                             f"one of {list(STAGES)}")
        if not callable(fn):
            raise TypeError(f"stages[{name!r}] must be a function "
                            f"(t_h, state, params) -> dict, got {type(fn).__name__}")
    return dict(stages)


def _checked_stage_output(name: str, out, n: int, size: int, n_sessions: int) -> dict:
    """A replaced stage's output, checked: every name, right shapes, finite values."""
    wanted = _STAGE_OUTPUTS[name]
    if not isinstance(out, Mapping):
        if len(wanted) == 1 and out is not None and not isinstance(out, (str, bytes)):
            out = {wanted[0]: out}
        else:
            raise TypeError(f"stage {name!r} must return a dict with {list(wanted)}, "
                            f"got {type(out).__name__}")
    for key in out:
        if key not in wanted:
            raise ValueError(f"stage {name!r} returned unknown output {key!r}"
                             f"{did_you_mean(key, wanted)}; it must return {list(wanted)}")
    missing = [k for k in wanted if k not in out]
    if missing:
        raise ValueError(f"stage {name!r} did not return {missing}; "
                         f"it must return {list(wanted)}")
    checked = {}
    for key in wanted:
        shape = (n, n_sessions) if key.startswith("session_") else (n, size)
        what = "(n protocols, n sessions)" if key.startswith("session_") else \
            "(n protocols, len(t_h))"
        try:
            x = np.asarray(out[key], dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"stage {name!r} output {key!r} must be a numeric array, "
                            f"got {type(out[key]).__name__}") from None
        try:
            if x.ndim > 2:
                raise ValueError
            x = np.broadcast_to(x, shape)
        except ValueError:
            raise ValueError(f"stage {name!r} output {key!r} has shape {x.shape}; "
                             f"it must broadcast to {shape} {what}") from None
        if not np.all(np.isfinite(x)):
            raise ValueError(f"stage {name!r} output {key!r} has NaN or infinite values")
        checked[key] = _readonly(np.array(x))
    return checked


def _network_views(course: Course) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Hourly network views of one course, from its stored pathway strengths.

    Computed on first access, so that sweeps pay only for what is looked at.
    """
    circuit = _circuit((course.protocol.condition,))
    probe = course.probe_t_h
    at = {k: np.interp(probe, course.t_h, course.series[k])[None, :]
          for k in ("trauma_trace", "vmpfc_efficacy", "extinction", "dmn_coupling", "glutamate")}
    w = circuit.weights(at["trauma_trace"] / circuit.trace_base, at["vmpfc_efficacy"],
                        at["extinction"], at["dmn_coupling"], course.params["vmpfc_brake_max"])
    gain = course.params["acute_glutamate_gain"]
    cue = circuit.rates(w, circuit.inputs(at["glutamate"], 1.0, gain))
    noise = np.random.default_rng(course.seed).standard_normal((len(circuit.nodes), probe.size))
    h_rest = circuit.inputs(at["glutamate"], 0.0, gain)
    h_rest = {r: h_rest[r] + course.params["noise_sd"] * noise[circuit.index[r]]
              for r in circuit.nodes}
    rest = circuit.rates(w, h_rest)

    def table(columns, values):
        return _readonly(np.stack([np.broadcast_to(values[c], (1, probe.size))[0]
                                   for c in columns], axis=1))

    return (table(circuit.nodes, cue), table(circuit.nodes, rest),
            table(circuit.edges, w))


def _readonly(x: np.ndarray) -> np.ndarray:
    """A read-only view (no copy): courses share the batch's arrays safely."""
    x = np.asarray(x, dtype=float).view()
    x.setflags(write=False)
    return x
