"""Storyboards: each animation planned as beats, with captions computed from the model.

A beat is a stretch of video (``start_s`` to ``end_s``) that shows one stretch of
model time (``t_start_h`` to ``t_end_h``) and says one thing (``caption``). Video time
is remapped beat by beat: slow where the idea is (the dose, a session, the change
that matters), fast through quiet days, and still in the last beat, which holds the
take-away. Every caption stays on screen at least :data:`MIN_CAPTION_S`; the beats
tile the video, which lasts 15-40 s.

Captions are written from the simulated arrays (:func:`facts`): numbers are formatted
from the model, and claims ("relief fades", "a modest extra benefit") are chosen by
comparing model values, so a recalibrated model gets true captions without anyone
editing prose.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .scenarios import HARMS, run

__all__ = ["Beat", "storyboard", "frame_times", "beat_index", "facts", "MIN_CAPTION_S",
           "STORY_NAMES"]

MIN_CAPTION_S = 2.5
STORY_NAMES = ("network", "treatment_day", "memory", "dmn", "plasticity", "synergy")


@dataclass(frozen=True)
class Beat:
    """One beat of an animation.

    Attributes
    ----------
    start_s, end_s : float
        When the beat starts and ends in the video (seconds).
    caption : str
        What the beat says (computed from the model).
    t_start_h, t_end_h : float
        The model time it shows (hours since the course starts); equal for a hold.
    focus : tuple of str
        What it highlights (curve keys or pathway names); the rest is dimmed.
    ease : str
        ``"linear"`` or ``"log"`` (model time runs evenly in log time).
    """

    start_s: float
    end_s: float
    caption: str
    t_start_h: float
    t_end_h: float
    focus: tuple = ()
    ease: str = "linear"

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s

    def time_at(self, s: float) -> float:
        """Model time (h) shown ``s`` seconds into the video (inside this beat)."""
        u = float(np.clip((s - self.start_s) / self.duration_s, 0.0, 1.0))
        a, b = self.t_start_h, self.t_end_h
        if self.ease == "log" and a != b:
            c = 1.0 / 6.0  # log of (t + 10 min): even from the first minutes on
            return float(np.exp(np.log(a + c) + u * (np.log(b + c) - np.log(a + c))) - c)
        # smooth in and out, so the clock does not jerk between beats
        u = u * u * (3 - 2 * u)
        return a + u * (b - a)


def points(x: float, signed: bool = False) -> str:
    """``x`` rounded, with "point" or "points" (a model number in words)."""
    text = f"{x:+.0f}" if signed else f"{x:.0f}"
    return f"{text} point" if text.lstrip("+-") == "1" else f"{text} points"


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _when(t_h: float) -> str:
    from .timecourse import format_duration

    return format_duration(t_h)


def _first_below(t, y, level, after):
    """First time after ``after`` at which ``y`` falls below ``level`` (h)."""
    idx = np.nonzero((t > after) & (y < level))[0]
    return float(t[idx[0]]) if idx.size else float(t[-1])


# ---------------------------------------------------------------------------------
# facts: every number a caption uses, computed from the model
# ---------------------------------------------------------------------------------

@lru_cache(maxsize=None)
def facts(name: str) -> dict:
    """Numbers and comparisons behind a gallery entry's captions (from the model).

    Examples
    --------
    >>> from brainviz.views.story import facts
    >>> f = facts("treatment_day")
    >>> 100 < f["plasma_peak"] < 300
    True
    """
    f = {"network": _network_facts, "treatment_day": _day_facts, "plasticity": _day_facts,
         "memory": _memory_facts, "dmn": _dmn_facts, "synergy": _synergy_facts}[name]
    return f()


def _network_facts():
    ptsd, healthy = run("network")
    i = ptsd.regions.index("amygdala")
    w = {e: k for k, e in enumerate(ptsd.edges)}
    brake = w[("vmpfc", "amygdala")]
    trace = w[("thalamus", "amygdala")]
    loop = w[("mpfc", "pcc")]
    return {
        "symptoms_ptsd": float(ptsd.symptoms[0]), "symptoms_healthy": float(healthy.symptoms[0]),
        "amygdala_ratio": float(ptsd.activity[0, i] / healthy.activity[0, i]),
        "brake_ptsd": float(-ptsd.edge_weights[0, brake]),
        "brake_healthy": float(-healthy.edge_weights[0, brake]),
        "trace_ptsd": float(ptsd.edge_weights[0, trace]),
        "trace_healthy": float(healthy.edge_weights[0, trace]),
        "loop_ptsd": float(ptsd.edge_weights[0, loop]),
        "loop_healthy": float(healthy.edge_weights[0, loop]),
    }


def _day_facts():
    c = run("day")
    t = c.t_h
    s = c.symptoms
    relief = s[0] - s
    k_peak = int(np.argmax(relief))
    f = {
        "plasma_peak": float(c.plasma_ng_ml.max()),
        "plasma_peak_h": float(t[np.argmax(c.plasma_ng_ml)]),
        "plasma_tenth_h": _first_below(t, c.plasma_ng_ml, c.plasma_ng_ml.max() / 10,
                                       t[np.argmax(c.plasma_ng_ml)]),
        "dissociation_peak": float(c.dissociation.max()),
        "dissociation_peak_h": float(t[np.argmax(c.dissociation)]),
        "dissociation_end_h": _first_below(t, c.dissociation, 0.1 * c.dissociation.max(),
                                           t[np.argmax(c.dissociation)]),
        "relief_4h": float(np.interp(4.0, t, relief)),
        "relief_peak": float(relief[k_peak]),
        "relief_peak_h": float(t[k_peak]),
        "relief_7d_share": float(np.interp(168.0, t, relief) / relief[k_peak]),
        "relief_14d_share": float(np.interp(336.0, t, relief) / relief[k_peak]),
        "symptoms_start": float(s[0]),
        "spines_before": float(c.spine_density[0]),
        "spines_2d": float(np.interp(48.0, t, c.spine_density)),
        "spines_peak_h": float(t[np.argmax(c.spine_density)]),
        "glutamate_peak_h": float(t[np.argmax(c.glutamate)]),
        "bdnf_peak_h": float(t[np.argmax(c.bdnf)]),
        "mtor_peak_h": float(t[np.argmax(c.mtor)]),
        "harms": tuple(h.key for h in HARMS if h.key in c.series),
    }
    if "bp_rise_mmhg" in c.series:
        bp = c.series["bp_rise_mmhg"]
        f["bp_peak"] = float(bp.max())
        f["bp_end_h"] = _first_below(t, bp, 0.1 * bp.max(), t[np.argmax(bp)])
    if "sedation" in c.series:
        f["sedation_peak"] = float(c.series["sedation"].max())
    ends = [f["dissociation_end_h"]] + ([f["bp_end_h"]] if "bp_end_h" in f else [])
    f["harms_end_h"] = max(ends)
    return f


def _timing_kept(timing) -> np.ndarray:
    """Trauma trace left at the end of each timing course (1 = before), the same
    measure as the memory view's week-long curves."""
    return np.array([c.trauma_trace[-1] / c.trauma_trace[0] for c in timing])


def _memory_facts():
    with_k, alone, drug = run("memory")
    offsets, timing = run("memory_timing")
    kept = _timing_kept(timing)
    best = int(np.argmin(kept))
    during = offsets == 0.25
    window = float(with_k.params["reconsolidation_window_h"])
    return {
        "kept_ketamine": float(with_k.trauma_trace[-1] / with_k.trauma_trace[0]),
        "kept_alone": float(alone.trauma_trace[-1] / alone.trauma_trace[0]),
        "kept_drug": float(drug.trauma_trace[-1] / drug.trauma_trace[0]),
        "window_h": window,
        "plasticity_at_session": float(with_k.at("plasticity", 24.0)),
        "plasticity_peak": float(with_k.plasticity.max()),
        "best_offset_h": float(offsets[best]),
        "best_kept": float(kept[best]),
        "kept_during_infusion": float(kept[during][0]),
        "kept_before_dose": float(kept[0]),
    }


def _dmn_facts():
    c = run("dmn")
    fc = c.dmn_connectivity
    t = c.t_h
    k = int(np.argmin(fc))
    return {
        "before": float(fc[0]), "at_4h": float(c.at("dmn_connectivity", 4.0)),
        "at_24h": float(c.at("dmn_connectivity", 24.0)), "min": float(fc[k]),
        "min_h": float(t[k]), "end": float(fc[-1]), "end_days": float(t[-1] / 24.0),
        "recovered_share": float((fc[-1] - fc[k]) / (fc[0] - fc[k])) if fc[0] > fc[k] else 1.0,
        "pair_before": float(c.dmn_matrix(0.0)[1][0, 1]),
        "pair_24h": float(c.dmn_matrix(24.0)[1][0, 1]),
    }


def _synergy_facts():
    none, course, drug, both = run("synergy")
    end = none.symptoms[-1]
    relief = {k: float(end - c.symptoms[-1]) for k, c in
              (("exposure", course), ("one_infusion", drug), ("one_infusion_exposure", both))}
    added = relief["one_infusion_exposure"] - relief["exposure"]
    ratio = added / relief["exposure"] if relief["exposure"] > 0 else float("nan")
    day1 = float(none.at("symptoms", 24.0) - drug.at("symptoms", 24.0))
    return {
        "relief": relief, "added": added, "ratio": ratio, "drug_day1": day1,
        "start": float(none.symptoms[0]), "weeks": float(none.t_h[-1] / 168.0),
        "sessions": len(course.protocol.therapy),
        "minutes": course.protocol.therapy[0].minutes if course.protocol.therapy else 0,
        "drug_gone": relief["one_infusion"] < 1.0,
        "sum_alone": relief["exposure"] + relief["one_infusion"],
    }


def synergy_verdict(f: dict) -> str:
    """How the model's combination compares with exposure alone, in words."""
    r = f["ratio"]
    if not np.isfinite(r) or r <= 0:
        return "no extra benefit"
    if r <= 0.35:
        return "a modest extra benefit"
    if f["relief"]["one_infusion_exposure"] > f["sum_alone"]:
        return "more than the sum of the two alone"
    return "a clear extra benefit"


# ---------------------------------------------------------------------------------
# storyboards
# ---------------------------------------------------------------------------------

def _tile(spec) -> tuple[Beat, ...]:
    """Beats from ``(duration_s, caption, t0, t1, focus, ease)`` rows laid end to end."""
    beats, s = [], 0.0
    for duration, caption, t0, t1, focus, ease in spec:
        beats.append(Beat(round(s, 3), round(s + duration, 3), caption, float(t0), float(t1),
                          tuple(focus), ease))
        s += duration
    return tuple(beats)


def _network_board():
    f = _synergy_facts()
    d = _day_facts()
    m = _memory_facts()
    course, both = run("synergy")[1], run("synergy")[3]
    weeks = f["weeks"]
    end = weeks * 168.0
    sym_end = float(both.symptoms[-1])
    brake0 = float(both.at("extinction", 0.0))
    brake_end = float(both.extinction[-1])
    return _tile([
        (3.0, "The PTSD network: a strong trauma trace into the amygdala, a weak vmPFC "
              "brake, a tight DMN loop", 0, 0, ("trauma trace", "extinction", "DMN loop"),
         "linear"),
        (3.0, f"Ketamine, 0.5 mg/kg over 40 min: plasma peaks at {d['plasma_peak']:.0f} ng/mL; "
              "a glutamate burst in prefrontal cortex", 0, 12, ("DMN loop",), "log"),
        (3.0, f"Day 1: the first exposure session falls in the plasticity period; the trauma "
              f"trace weakens to {m['kept_ketamine']:.2f} of its strength", 12, 30,
         ("trauma trace",), "linear"),
        (3.5, f"Ten weekly sessions build extinction: the vmPFC brake grows "
              f"(+{brake_end - brake0:.2f} by week {weeks:.0f})", 30, end,
         ("extinction",), "log"),
        (3.5, f"Week {weeks:.0f}: symptom index {f['start']:.0f} → {sym_end:.0f} "
              f"(exposure alone: {float(course.symptoms[-1]):.0f}). Illustrative model, "
              "not a prediction", end, end, (), "linear"),
    ])


def _day_board():
    f = _day_facts()
    harms = "dissociation"
    if "bp_peak" in f:
        harms = f"dissociation and a blood-pressure rise of {f['bp_peak']:.0f} mmHg"
    fade = "fades over one to two weeks" if f["relief_14d_share"] < 0.5 else \
        "is still large two weeks later"
    lasting = "hours" if f["harms_end_h"] < 24 else "days"
    when = ("at the end of the infusion" if abs(f["dissociation_peak_h"] - 2 / 3) < 0.25
            else f"at {_when(f['dissociation_peak_h'])}")
    return _tile([
        (3.0, f"0.5 mg/kg IV over 40 min: plasma rises to {f['plasma_peak']:.0f} ng/mL, "
              "inside the dissociation range", 0.0, 2 / 3, ("plasma_ng_ml", "dissociation"),
         "linear"),
        (3.5, f"Harms peak {when}: {harms}; gone by about "
              f"{_when(f['harms_end_h'])}", 2 / 3, 6.0, ("dissociation", "sedation",
                                                         "bp_rise_mmhg"), "log"),
        (3.5, f"Relief starts within hours ({f['relief_4h']:.0f} points at 4 h) and is "
              f"largest at {_when(f['relief_peak_h'])} ({f['relief_peak']:.0f} points)",
         6.0, 48.0, ("symptoms",), "log"),
        (3.0, f"Relief {fade}: {_pct(f['relief_7d_share'])} of its peak at 7 d, "
              f"{_pct(f['relief_14d_share'])} at 14 d", 48.0, 21 * 24.0, ("symptoms",), "log"),
        (3.0, f"Harms last {lasting}, relief lasts days; one dose does not last. "
              "Illustrative model", 21 * 24.0, 21 * 24.0, (), "linear"),
    ])


def _memory_board():
    f = _memory_facts()
    w = f["window_h"]
    return _tile([
        (3.0, "Ketamine at hour 0: plasticity rises (×"
              f"{f['plasticity_at_session']:.2f} at hour 24); without retrieval the memory "
              "is not touched", 0.0, 23.5, ("plasticity",), "log"),
        (3.0, "Hour 24: an exposure session retrieves the memory and opens the "
              "reconsolidation window", 23.5, 24.5, ("trauma trace",), "linear"),
        (3.5, f"Inside the {w:.0f}-h window the trauma trace weakens, to "
              f"{f['kept_ketamine']:.2f} of its strength", 24.5, 24.0 + w + 1,
         ("trauma trace",), "linear"),
        (3.0, f"The window has closed: the trace stays at {f['kept_ketamine']:.2f}; the same "
              f"session without ketamine left {f['kept_alone']:.2f}", 24.0 + w + 1, 96.0,
         ("trauma_trace",), "linear"),
        (3.0, f"The memory changed only while the window was open: {f['kept_ketamine']:.2f} "
              f"left with ketamine, {f['kept_alone']:.2f} without (animal work; one human "
              "pilot)", 96.0, 96.0, (), "linear"),
    ])


def _dmn_board():
    f = _dmn_facts()
    acute = (f"in the model it already falls ({f['before']:.2f} → {f['at_4h']:.2f} by 4 h); "
             "human data on these hours are mixed") if f["before"] - f["at_4h"] > 0.005 else \
        "the model barely changes; human data on these hours are mixed"
    back = "most of it" if f["recovered_share"] > 0.5 else "part of it"
    return _tile([
        (3.0, f"Before the dose: a tight DMN loop; its regions correlate at r = "
              f"{f['before']:.2f}", 0.0, 0.0, ("DMN loop",), "linear"),
        (3.0, f"First hours: {acute}", 0.0, 4.0, ("DMN loop",), "linear"),
        (3.0, f"24 h after the dose: r = {f['at_24h']:.2f}, lower, as human imaging found at "
              "24 h (Scheidegger 2012)", 4.0, 24.0, ("DMN loop",), "linear"),
        (3.5, (f"Lowest at {_when(f['min_h'])} (r = {f['min']:.2f}); " if f["min_h"] > 30 else "")
         + f"over {f['end_days']:.0f} days {back} comes back: r = {f['end']:.2f} on "
              f"day {f['end_days']:.0f}", 24.0, f["end_days"] * 24.0, ("DMN loop",), "linear"),
        (3.0, "One dose loosens the rumination loop for days, not for good. Illustrative",
         f["end_days"] * 24.0, f["end_days"] * 24.0, (), "linear"),
    ])


def _plasticity_board():
    f = _day_facts()
    new = f["spines_2d"] - f["spines_before"]
    # each beat ends a little after its step's peak, so the peak is on screen in it
    t1 = max(1.0, 1.6 * f["glutamate_peak_h"])
    t2 = max(t1 * 1.5, 1.8 * f["bdnf_peak_h"])
    t3 = max(t2 * 1.5, 2.0 * f["mtor_peak_h"], 24.0)
    return _tile([
        (3.0, f"Plasma ketamine peaks at {_when(f['plasma_peak_h'])}; NMDA block sets off a "
              f"glutamate burst (peak {_when(f['glutamate_peak_h'])})", 0.0, t1,
         ("plasma_ng_ml", "glutamate"), "log"),
        (3.0, f"BDNF rises and peaks at {_when(f['bdnf_peak_h'])}", t1, t2, ("bdnf",), "log"),
        (3.0, f"mTOR builds synaptic proteins; its drive peaks at {_when(f['mtor_peak_h'])}",
         t2, t3, ("mtor",), "log"),
        (3.5, f"New spines: {f['spines_before']:.2f} → {f['spines_2d']:.2f} per µm by day 2 "
              f"(+{_pct(new / f['spines_before'])}); they fade over weeks", t3, 21 * 24.0,
         ("spine_density",), "log"),
        (3.0, "Each step starts the next: dose → glutamate → BDNF → mTOR → spines "
              "(rodent work; Li 2010, Moda-Sava 2019)", 21 * 24.0, 21 * 24.0, (), "linear"),
    ])


def _synergy_board():
    f = _synergy_facts()
    r = f["relief"]
    end = f["weeks"] * 168.0
    drug = ("and is gone by week 12" if f["drug_gone"] else
            f"and keeps {r['one_infusion']:.0f} points at week 12")
    return _tile([
        (3.5, f"Day 0: one infusion alone brings relief ({f['drug_day1']:.0f} points on "
              f"day 1) {drug}", 0.0, 72.0, ("one_infusion",), "log"),
        (3.5, f"Weekly {f['minutes']:.0f}-min exposure sessions from day 1: each brings "
              "relief that partly fades before the next", 72.0, 4 * 168.0,
         ("exposure", "one_infusion_exposure"), "linear"),
        (4.0, f"Week {f['weeks']:.0f}: exposure alone {r['exposure']:.0f} points of relief; "
              f"with the infusion first {r['one_infusion_exposure']:.0f}", 4 * 168.0, end,
         ("exposure", "one_infusion_exposure"), "linear"),
        (4.0, f"Adding the infusion: {synergy_verdict(f)} ({points(f['added'], True)}). "
              "Human evidence: small pilot trials", end, end, ("one_infusion_exposure",),
         "linear"),
    ])


_BOARDS = {"network": _network_board, "treatment_day": _day_board, "memory": _memory_board,
           "dmn": _dmn_board, "plasticity": _plasticity_board, "synergy": _synergy_board}


@lru_cache(maxsize=None)
def _board(name: str) -> tuple[Beat, ...]:
    return _BOARDS[name]()


def storyboard(name: str) -> tuple[Beat, ...]:
    """The beats of a gallery animation, in order.

    Parameters
    ----------
    name : str
        A gallery name (``"network"``, ``"treatment_day"``, ``"memory"``, ``"dmn"``,
        ``"plasticity"``, ``"synergy"``).

    Returns
    -------
    tuple of Beat
        Frozen dataclasses with ``start_s``, ``end_s``, ``caption``, ``t_start_h``,
        ``t_end_h``, ``focus`` and ``ease``. They tile the video from 0 s; each lasts at
        least 2.5 s; the last one holds the take-away.

    Examples
    --------
    >>> import brainviz as bv
    >>> beats = bv.storyboard("memory")
    >>> beats[0].start_s, beats[-1].end_s >= 15
    (0.0, True)
    >>> all(b.end_s - b.start_s >= 2.5 for b in beats)
    True
    """
    from .._validate import check_choice

    return _board(check_choice("name", name, STORY_NAMES))


def frame_times(beats, fps: int) -> tuple[np.ndarray, np.ndarray]:
    """Model time (h) and beat index of every frame at ``fps``.

    The video lasts ``beats[-1].end_s``; it has ``round(duration * fps)`` frames, frame
    ``i`` showing video time ``i / fps``.
    """
    n = int(round(beats[-1].end_s * fps))
    s = np.arange(n) / fps
    which = np.array([beat_index(beats, x) for x in s], dtype=int)
    times = np.array([beats[k].time_at(x) for k, x in zip(which, s)])
    return times, which


def beat_index(beats, s: float) -> int:
    """Index of the beat on screen at video time ``s`` (seconds)."""
    for k, b in enumerate(beats):
        if s < b.end_s:
            return k
    return len(beats) - 1
