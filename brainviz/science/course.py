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
fluctuations. See ``docs/MODEL.md`` for the equations.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property, lru_cache
from types import MappingProxyType
from typing import Mapping, Sequence

import networkx as nx
import numpy as np

from ._numerics import _adjugate_small, _decay_scan, _first_order, _solve_small
from .network import CONDITIONS, build_network
from .params import _resolve
from .._validate import check_choice, check_number, did_you_mean, tuple_of
from .pharmacology import Dose, _plasma

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
_FINE_H = 5.0 / 60.0  # 5-minute step while the drug acts and in reconsolidation windows
_MEDIUM_H = 0.25  # 15-minute step up to two days after a dose
_COARSE_H = 3.0  # when nothing acts faster than days
_JUMP_H = 1.0 / 60.0  # a grid point one minute before each session
_CHUNK_ELEMENTS = 2e5  # (protocols x time points) per batch: keeps arrays cache-sized
_CHUNK_MAX = 64
_RECON_OPEN_H = 10.0 / 60.0  # the window opens about 10 min after retrieval (Nader 2000)
_SPINE_REF = 0.12  # spines/um: the stress-induced deficit used to normalise new spines
_EXTINCTION_MAX = 0.6  # saturation of learned vmPFC -> amygdala inhibition
_FC_FLOOR, _FC_SPAN = 0.45, 0.45  # DMN connectivity mapped to the rumination score


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
    "plasma_ng_ml", "norketamine_ng_ml", "nmda_occupancy", "dissociation", "glutamate",
    "bdnf", "mtor", "spine_density", "plasticity", "trauma_trace", "extinction",
    "vmpfc_efficacy", "dmn_coupling", "dmn_connectivity", "amygdala_response", "symptoms",
)


@dataclass(frozen=True, eq=False)
class Course:
    """The result of one simulated course: numpy arrays on a common time axis.

    Every array in :attr:`series` has the shape of :attr:`t_h` (hours; 5-minute steps
    while a dose acts and in reconsolidation windows, 15-minute steps up to two days
    after a dose, hourly otherwise). Network views are sampled every hour at
    :attr:`probe_t_h`. Arrays are read-only.

    Attributes
    ----------
    t_h : ndarray
        Time in hours since the start of the course.
    plasma_ng_ml, norketamine_ng_ml : ndarray
        Plasma ketamine (or esketamine) and norketamine, ng/mL.
    nmda_occupancy : ndarray
        Fraction of interneuron NMDA receptors blocked (0-1).
    dissociation : ndarray
        Dissociation, 0 (none) to 1 (maximal).
    glutamate : ndarray
        Prefrontal glutamate release relative to baseline (1 = baseline).
    bdnf, mtor : ndarray
        BDNF signalling relative to baseline (1 = baseline) and mTOR drive (0 = none).
    spine_density : ndarray
        Prefrontal dendritic spine density, spines per um.
    plasticity : ndarray
        Plasticity level gating learning (1 = baseline).
    trauma_trace : ndarray
        Mean weight of the trauma-trace pathways (thalamus/hippocampus -> amygdala).
    extinction : ndarray
        Learned extinction: extra vmPFC -> amygdala inhibition (0-1).
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
        if name not in self.series:
            raise ValueError(f"unknown series {name!r}{did_you_mean(name, self.series)}; "
                             f"one of {sorted(self.series)}")
        return np.interp(t_h, self.t_h, self.series[name])

    def __repr__(self):
        p = self.protocol
        return (f"Course(condition={p.condition!r}, days={p.days:g}, doses={len(p.doses)}, "
                f"sessions={len(p.therapy)}, points={self.t_h.size})")


def simulate(protocol: Protocol, params: Mapping | None = None, seed: int = 0) -> Course:
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

    Returns
    -------
    Course

    Examples
    --------
    >>> from brainviz import Dose, Protocol, simulate
    >>> course = simulate(Protocol(doses=[Dose(at_h=0, mg_per_kg=0.5, route="iv")], days=7))
    >>> bool(100 < course.plasma_ng_ml.max() < 300)
    True
    """
    if not isinstance(protocol, Protocol):
        raise TypeError(f"protocol must be a brainviz.Protocol, got {type(protocol).__name__}")
    return sweep([protocol], params=params, seed=seed)[0]


def sweep(protocols: Sequence[Protocol], params: Mapping | None = None,
          seed: int = 0) -> list[Course]:
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
        (common random numbers), so ``sweep(ps)[i]`` equals ``simulate(ps[i])``.

    Returns
    -------
    list of Course

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
    prm = _resolve(params, len(protocols))
    protocols = list(protocols)
    t = _time_grid(protocols, prm)
    # Work in chunks of protocols small enough for the CPU cache: the model is
    # memory-bound, and (chunk, time) arrays of about a megabyte run fastest.
    chunk = max(1, min(_CHUNK_MAX, int(_CHUNK_ELEMENTS // t.size)))
    courses: list[Course] = []
    for start in range(0, len(protocols), chunk):
        part = slice(start, start + chunk)
        courses += _run(protocols[part], {k: _collapse(v[part]) for k, v in prm.items()},
                        int(seed), t)
    return courses


# ----------------------------------------------------------------------------------
# the batched model
# ----------------------------------------------------------------------------------

def _collapse(v: np.ndarray) -> np.ndarray:
    """Shrink a per-protocol ``(n, 1)`` column to ``(1, 1)`` when all values agree.

    Broadcasting then computes shared decays and kernels once per batch.
    """
    return v[:1] if np.all(v == v[0, 0]) else v


def _time_grid(protocols: list[Protocol], params: dict[str, np.ndarray]) -> np.ndarray:
    end = protocols[0].days * 24.0
    pieces = [np.arange(0.0, end, _COARSE_H), [end]]
    starts_fine, starts_session = set(), set()
    for p in protocols:
        starts_fine.update(d.at_h for d in p.doses)
        starts_session.update(s.at_h for s in p.therapy)
    for t0 in starts_fine:
        pieces.append(np.arange(t0, min(t0 + 12.0, end), _FINE_H))
        pieces.append(np.arange(t0 + 12.0, min(t0 + 48.0, end), _MEDIUM_H))
        pieces.append(np.arange(t0 + 48.0, min(t0 + 168.0, end), 1.0))
    windows = np.unique(params["reconsolidation_window_h"])
    for t0 in starts_session:  # just before and at the session (extinction jumps there),
        # the window's opening and its possible closes
        pieces.append(np.concatenate([[t0 - _JUMP_H, t0, t0 + _RECON_OPEN_H], t0 + windows]))
    grid = np.unique(np.round(np.concatenate([np.asarray(x, float) for x in pieces]), 6))
    return grid[(grid >= 0.0) & (grid <= end)]


@lru_cache(maxsize=32)
def _circuit(conditions: tuple) -> "_Circuit":
    """The circuit for a sequence of conditions (cached: its arrays are never written)."""
    graphs = {c: build_network(c) for c in set(conditions)}
    return _Circuit([graphs[c] for c in conditions])


class _Circuit:
    """The linear rate model on a stack of graphs (one per protocol, same structure).

    Base edge weights are ``(n, 1)`` columns; the time-varying pathway strengths
    (trauma trace, vmPFC efficacy and extinction, DMN coupling) scale them.
    """

    def __init__(self, graphs: Sequence[nx.DiGraph]):
        g0 = graphs[0]
        self.graph = g0
        self.nodes = tuple(g0.nodes)
        self.index = {r: i for i, r in enumerate(self.nodes)}
        self.edges = tuple(g0.edges)
        cond = nx.condensation(g0)
        self.blocks = [tuple(sorted(cond.nodes[c]["members"], key=self.index.get))
                       for c in nx.topological_sort(cond)]
        self.base = {e: np.array([[g.edges[e]["weight"]] for g in graphs]) for e in self.edges}
        self.sign = {e: g0.edges[e]["sign"] for e in self.edges}
        self.pathway = {e: g0.edges[e]["pathway"] for e in self.edges}
        self.rest = {r: g0.nodes[r]["rest_input"] for r in self.nodes}
        self.cue = {r: g0.nodes[r]["cue_input"] for r in self.nodes}
        self.prefrontal = [r for r in self.nodes if g0.nodes[r]["pfc"]]
        self.dmn = [r for r in self.nodes if g0.nodes[r]["system"] == "dmn"]
        self.upstream = {r: nx.ancestors(g0, r) | {r} for r in self.nodes}
        trace = [e for e in self.edges if self.pathway[e] == "trauma trace"]
        self.trace_base = np.mean([self.base[e] for e in trace], axis=0)

    def weights(self, trace, vmpfc, extinction, coupling) -> dict:
        """Signed weights given relative trace, vmPFC efficacy, extinction, DMN coupling."""
        w = {}
        for e in self.edges:
            kind = self.pathway[e]
            if kind == "trauma trace":
                val = self.base[e] * trace
            elif kind == "extinction":
                val = vmpfc * (self.base[e] + extinction)
            elif kind == "DMN loop":
                val = self.base[e] * coupling
            else:
                val = self.base[e]
            w[e] = self.sign[e] * val
        return w

    def inputs(self, glutamate, cue_scale, glutamate_gain) -> dict:
        """Region inputs: rest, plus a trauma cue, plus the prefrontal glutamate burst."""
        h = {}
        for r in self.nodes:
            val = self.rest[r] + self.cue[r] * cue_scale
            if r in self.prefrontal:
                val = val + glutamate_gain * (glutamate - 1.0)
            h[r] = val
        return h

    def rates(self, weights: dict, inputs: dict, target: str | None = None) -> dict:
        """Steady-state rates of all regions, or only of ``target`` and its inputs."""
        blocks = self.blocks
        if target is not None:
            blocks = [b for b in blocks if set(b) & self.upstream[target]]
        return _solve_rates(blocks, weights, inputs)

    def dmn_connectivity(self, weights: dict):
        return _dmn_connectivity(self.dmn, weights)


def _solve_rates(blocks, weights: dict, inputs: dict) -> dict:
    """Steady state ``r = W r + h`` of the linear rate model, block by block.

    ``weights`` maps ``(u, v)`` to signed weight arrays and ``inputs`` maps regions
    to input arrays; all broadcast together. Strongly connected blocks are solved
    exactly in topological order, so the cost is a few vector operations per region.
    """
    rates: dict = {}
    incoming: dict = {}
    for (u, v), w in weights.items():
        incoming.setdefault(v, []).append((u, w))
    for block in blocks:
        members = set(block)
        drive = []
        for n in block:
            total = inputs[n]
            for u, w in incoming.get(n, ()):
                if u not in members:
                    total = total + w * rates[u]
            drive.append(total)
        if len(block) == 1:
            n = block[0]
            self_w = weights.get((n, n), 0.0)
            rates[n] = drive[0] / (1.0 - self_w)
            continue
        mat = [[(1.0 if i == j else 0.0) - weights.get((block[j], block[i]), 0.0)
                for j in range(len(block))] for i in range(len(block))]
        shape = np.broadcast_shapes(*[np.shape(x) for row in mat for x in row],
                                    *[np.shape(x) for x in drive])
        mat = [[np.broadcast_to(x, shape) for x in row] for row in mat]
        solved = _solve_small(mat, [np.broadcast_to(x, shape) for x in drive])
        for n, r in zip(block, solved):
            rates[n] = r
    return rates


def _dmn_system(dmn: Sequence[str], weights: dict) -> list:
    """``I - C`` for the symmetrised DMN coupling ``C`` (nested lists of arrays)."""
    k = len(dmn)
    mat = [[1.0] * k for _ in range(k)]
    for i in range(k):
        for j in range(i + 1, k):
            a = weights.get((dmn[i], dmn[j]), 0.0)
            b = weights.get((dmn[j], dmn[i]), 0.0)
            mat[i][j] = mat[j][i] = -0.5 * (a + b)
    return mat


def _dmn_connectivity(dmn: Sequence[str], weights: dict) -> np.ndarray:
    """Mean correlation among DMN regions from the loop's stationary covariance.

    For a symmetric coupling ``C`` the linear rate model driven by independent noise
    has covariance proportional to ``(I - C)^-1``.
    """
    k = len(dmn)
    mat = _dmn_system(dmn, weights)
    # correlations need the inverse only up to a positive factor: the adjugate
    cov = _adjugate_small(mat, symmetric=True)
    corr = [cov[i][j] / np.sqrt(cov[i][i] * cov[j][j])
            for i in range(k) for j in range(k) if i < j]
    return sum(corr) / len(corr)


def _run(protocols: list[Protocol], prm: dict[str, np.ndarray], seed: int,
         t: np.ndarray) -> list[Course]:
    n = len(protocols)
    dt = np.diff(t)
    P = prm  # (n, 1) arrays

    # ---- dosing, NMDA block, dissociation --------------------------------------
    ket, nor, ceff = _plasma([p.doses for p in protocols], t, P)
    occ = ceff / (ceff + P["nmda_ki_um"])
    occ_pyr = ceff / (ceff + P["nmda_ki_um"] * P["pyramidal_ki_factor"])
    c3 = ceff**3
    dissociation = c3 / (c3 + P["dissociation_ec50_um"] ** 3)

    # ---- glutamate burst (inverted U), BDNF, mTOR, spines ----------------------
    release = (1.0 + P["disinhibition_gain"] * occ) * (1.0 - occ_pyr) ** 2 - 1.0
    glutamate = 1.0 + _first_order(release, dt, P["glutamate_tau_h"])
    drive = P["bdnf_gain"] * (np.maximum(glutamate - 1.0, 0.0) + P["eef2_gain"] * occ)
    translation = _first_order(drive, dt, P["bdnf_translation_tau_h"])
    bdnf_dev = _first_order(translation, dt, P["bdnf_tau_h"])
    mtor = _first_order(bdnf_dev, dt, P["mtor_tau_h"])
    spine_tau_h = P["spine_tau_days"] * 24.0
    # d(new)/dt = gain * mtor - new / tau, written as a scaled low-pass
    new_spine_drive = P["spine_gain"] * spine_tau_h / 24.0 * _first_order(mtor, dt, spine_tau_h)
    cond = [CONDITIONS[p.condition] for p in protocols]
    s_base = np.array([[c["spine_density_per_um"]] for c in cond])
    s_ceil = np.array([[c["spine_ceiling_per_um"]] for c in cond])
    spine_density = s_base + (s_ceil - s_base) * (1.0 - np.exp(-new_spine_drive))
    new_spines = (spine_density - s_base) / _SPINE_REF
    plasticity = (1.0 + P["plasticity_bdnf_weight"] * bdnf_dev
                  + P["plasticity_spine_weight"] * new_spines)
    nmda_free = 1.0 - P["nmda_learning_dependence"] * occ
    # synaptic restoration (mTOR-driven synaptic proteins, then spines) can only give
    # back what stress took: the headroom is the condition's spine deficit
    headroom = (s_ceil - s_base) / _SPINE_REF
    vmpfc_eff = P["vmpfc_gain"] * (1.0 + P["synaptic_gain"] * (headroom * mtor + new_spines))

    # ---- DMN loosening ----------------------------------------------------------
    tau_l = P["dmn_loosening_tau_h"]
    tau_r = P["dmn_remodel_tau_days"] * 24.0
    loose_fast = _first_order(P["dmn_loosening_gain"] * bdnf_dev, dt, tau_l)
    remodel = (P["dmn_remodel_fraction"] * tau_r / tau_l) * _first_order(loose_fast, dt, tau_r)
    dmn_coupling = 1.0 - np.clip(loose_fast + remodel, 0.0, 0.9)

    # ---- networks: one graph per condition, stacked per protocol ----------------
    circuit = _circuit(tuple(p.condition for p in protocols))
    glu_gain = P["acute_glutamate_gain"]

    # ---- therapy sessions (padded to a rectangle) --------------------------------
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
    rows = np.arange(n)[:, None]
    s_idx = np.clip(np.searchsorted(t, s_t), 0, t.size - 1)

    def at_sessions(x):
        return np.broadcast_to(x, (n, t.size))[rows, s_idx]

    # ---- reconsolidation: the trace weakens only inside a retrieval window -------
    window = P["reconsolidation_window_h"]
    excess = np.maximum(plasticity - P["reconsolidation_threshold"], 0.0)
    cum = np.zeros_like(excess)
    cum[:, 1:] = np.cumsum(0.5 * (excess[:, 1:] + excess[:, :-1]) * dt, axis=1)
    opens = s_t + _RECON_OPEN_H
    closes = s_t + window
    cum_open = np.stack([np.interp(opens[b], t, cum[b]) for b in range(n)])
    cum_close = np.stack([np.interp(closes[b], t, cum[b]) for b in range(n)])
    destabilised = s_ret * s_valid * at_sessions(nmda_free)
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

    # ---- extinction: built session by session (tolerability depends on state) ----
    tau_lab = np.array([[c["extinction_retention_h"]] for c in cond])
    tau_stab = P["extinction_stable_tau_days"] * 24.0
    gains = np.zeros((n, n_s))
    stable = np.zeros((n, n_s))
    amyg_s = np.zeros((n, n_s))
    tol_s = np.zeros((n, n_s))
    p_s = at_sessions(plasticity)
    for j in range(n_s):
        since = s_t[:, j:j + 1] - s_t[:, :j]
        decay = ((1.0 - stable[:, :j]) * np.exp(-since / tau_lab)
                 + stable[:, :j] * np.exp(-since / tau_stab))
        ext_before = np.sum(gains[:, :j] * decay * (since >= 0), axis=1)
        col = s_idx[:, j]

        def now(x):  # value at this session, as an (n, 1) column like the params
            return np.broadcast_to(x, (n, t.size))[rows[:, 0], col][:, None]

        w = circuit.weights(now(trace_rel), now(vmpfc_eff), ext_before[:, None], 1.0)
        h = circuit.inputs(now(glutamate), s_arousal[:, j:j + 1], glu_gain)
        rates = circuit.rates(w, h, target="amygdala")
        a = np.maximum(np.broadcast_to(rates["amygdala"], (n, 1))[:, 0], 0.0)
        low, high = P["tolerance_low"][:, 0], P["tolerance_high"][:, 0]
        tol = 1.0 / (1.0 + np.exp(-(a - low) / 0.05)) / (1.0 + np.exp((a - high) / 0.1))
        engage = 1.0 - dissociation[rows[:, 0], col]
        rate = (P["extinction_rate"][:, 0] * s_min[:, j] / 60.0 * s_ret[:, j]
                * nmda_free[rows[:, 0], col] * p_s[:, j] * P["vmpfc_gain"][:, 0])
        gains[:, j] = (rate * tol * engage * np.maximum(1.0 - ext_before / _EXTINCTION_MAX, 0.0)
                       * s_valid[:, j])
        stable[:, j] = np.clip(P["extinction_consolidation"][:, 0] * p_s[:, j], 0.0, 1.0)
        amyg_s[:, j], tol_s[:, j] = a, tol

    # between sessions both stores decay; each session adds its gain at its start
    jump_lab = np.zeros((n, t.size))
    jump_stab = np.zeros((n, t.size))
    np.add.at(jump_lab, (np.broadcast_to(rows, s_idx.shape), s_idx), gains * (1.0 - stable))
    np.add.at(jump_stab, (np.broadcast_to(rows, s_idx.shape), s_idx), gains * stable)
    extinction = (_decaying(jump_lab, dt, _collapse(tau_lab))
                  + _decaying(jump_stab, dt, tau_stab))

    # ---- the network on the whole grid: trauma-cue response and DMN connectivity -
    w_grid = circuit.weights(trace_rel, vmpfc_eff, extinction, dmn_coupling)
    rates_cue = circuit.rates(w_grid, circuit.inputs(glutamate, 1.0, glu_gain), "amygdala")
    amygdala = np.maximum(np.broadcast_to(rates_cue["amygdala"], (n, t.size)), 0.0)
    dmn_fc = np.broadcast_to(circuit.dmn_connectivity(w_grid), (n, t.size))
    intrusion = np.clip(amygdala / P["symptom_amygdala_ref"], 0.0, 1.0)
    rumination = np.clip((dmn_fc - _FC_FLOOR) / _FC_SPAN, 0.0, 1.0)
    wi = P["symptom_intrusion_weight"]
    symptoms = 100.0 * (wi * intrusion + (1.0 - wi) * rumination)

    series = {
        "plasma_ng_ml": ket, "norketamine_ng_ml": nor, "nmda_occupancy": occ,
        "dissociation": dissociation, "glutamate": glutamate, "bdnf": 1.0 + bdnf_dev,
        "mtor": mtor, "spine_density": spine_density, "plasticity": plasticity,
        "trauma_trace": circuit.trace_base * trace_rel, "extinction": extinction,
        "vmpfc_efficacy": vmpfc_eff, "dmn_coupling": dmn_coupling,
        "dmn_connectivity": dmn_fc, "amygdala_response": amygdala, "symptoms": symptoms,
    }
    assert set(series) == set(_SERIES)
    series = {k: _readonly(np.ascontiguousarray(np.broadcast_to(v, (n, t.size))))
              for k, v in series.items()}
    t_ro = _readonly(t)
    probe_ro = _readonly(np.arange(0.0, t[-1] + 1e-9, 1.0))
    keep = np.exp(log_keep)
    shared_params = None
    if all(v.shape[0] == 1 for v in prm.values()):
        shared_params = MappingProxyType({k: float(v[0, 0]) for k, v in prm.items()})
    courses = []
    for b, p in enumerate(protocols):
        m = len(p.therapy)
        log = {"amygdala_response": amyg_s[b, :m], "tolerability": tol_s[b, :m],
               "extinction_gained": gains[b, :m], "consolidated_share": stable[b, :m],
               "trace_kept": keep[b, :m]}
        courses.append(Course(
            t_h=t_ro,
            series=MappingProxyType({k: v[b] for k, v in series.items()}),
            probe_t_h=probe_ro,
            regions=circuit.nodes, edges=circuit.edges, _sessions=log, protocol=p,
            params=shared_params or MappingProxyType({k: float(v[min(b, v.shape[0] - 1), 0])
                                                      for k, v in prm.items()}),
            seed=seed,
        ))
    return courses


def _network_views(course: Course) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Hourly network views of one course, from its stored pathway strengths.

    Computed on first access, so that sweeps pay only for what is looked at.
    """
    circuit = _circuit((course.protocol.condition,))
    probe = course.probe_t_h
    at = {k: np.interp(probe, course.t_h, course.series[k])[None, :]
          for k in ("trauma_trace", "vmpfc_efficacy", "extinction", "dmn_coupling", "glutamate")}
    w = circuit.weights(at["trauma_trace"] / circuit.trace_base, at["vmpfc_efficacy"],
                        at["extinction"], at["dmn_coupling"])
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


def _decaying(jumps: np.ndarray, dt: np.ndarray, tau) -> np.ndarray:
    """``y`` that decays with time constant ``tau`` and jumps by ``jumps`` at grid points."""
    rate = np.zeros((np.shape(tau)[0], jumps.shape[-1]))
    rate[:, 1:] = dt / tau
    return _decay_scan(rate, jumps)


def _readonly(x: np.ndarray) -> np.ndarray:
    """A read-only view (no copy): courses share the batch's arrays safely."""
    x = np.asarray(x, dtype=float).view()
    x.setflags(write=False)
    return x
