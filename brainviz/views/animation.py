"""Animations: precomputed model arrays played back frame by frame.

Every animation first runs the model (through :mod:`brainviz.views.gallery`'s scenarios),
interpolates what it shows onto the frame times, and only then draws. Each frame
updates artists in place (node sizes, edge widths, revealed curve segments, a clock
and a caption); nothing is recomputed while playing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib.animation import FuncAnimation

from .scenarios import run
from .themes import OKABE_ITO, get_theme, theme_context

__all__ = ["Animation", "build_animation", "DURATION_S"]

DURATION_S = 12.0  # every gallery animation lasts 12 s


class Animation(FuncAnimation):
    """A ``FuncAnimation`` that also exposes what changes between frames.

    Attributes
    ----------
    fig : matplotlib.figure.Figure
    n_frames, fps : int
    animated_artists : list of Artist
        Artists updated by :meth:`draw_frame` (for blitting exporters).
    times_h : ndarray
        Model time shown by each frame (hours).
    """

    def __init__(self, fig, update, n_frames: int, fps: int, artists, times_h, name: str):
        self.fig = fig
        self.n_frames = int(n_frames)
        self.fps = int(fps)
        self.animated_artists = list(artists)
        self.times_h = np.asarray(times_h)
        self.name = name
        self._update = update
        super().__init__(fig, self.draw_frame, frames=self.n_frames, interval=1000.0 / fps,
                         blit=False, repeat=False, cache_frame_data=False)
        # exporters render frames through draw_frame, not through matplotlib's event
        # loop: do not warn "deleted without rendering" when such an object is dropped
        self._draw_was_started = True

    def draw_frame(self, i: int) -> list:
        """Update the artists for frame ``i`` (no drawing); returns them."""
        if not 0 <= i < self.n_frames:
            raise ValueError(f"frame must be in [0, {self.n_frames - 1}], got {i}")
        self._update(int(i))
        return self.animated_artists


def _clock(t_h: float, unit: str) -> str:
    if unit == "days":
        return f"day {t_h / 24.0:4.1f}"
    if t_h < 1.0:
        return f"{t_h * 60.0:3.0f} min"
    if t_h < 48.0:
        return f"{int(t_h):d} h {int(round((t_h % 1) * 60)) % 60:02d} min"
    return f"day {t_h / 24.0:4.1f}"


@dataclass(frozen=True)
class _Story:
    """What one network animation shows."""

    scenario: str
    index: int  # which course of the scenario
    t_end_h: float
    warp: float  # > 0 spends more frames early (log-like time), 0 = linear
    clock: str  # "h" or "days"
    curves: tuple  # (series, label, colour, line style)
    phases: tuple  # (from hour, caption)
    only: tuple | None = None  # draw only these regions
    rest: bool = False  # node size from resting activity instead of the cue response
    log_axis: bool = False


_STORIES = {
    "network": _Story(
        "synergy", 3, 28 * 24.0, 0.0, "days",
        (("symptoms", "symptom index", OKABE_ITO["vermillion"], "-"),),
        ((0, "The PTSD network: a strong trauma trace, a weak vmPFC brake, a rigid DMN loop"),
         (0.5, "Ketamine infusion: NMDA block and a glutamate burst"),
         (20, "Day 1: the first exposure session falls in the plasticity window"),
         (48, "Weekly sessions build extinction: the vmPFC brake (dashed) strengthens"),
         (24 * 14, "The trauma trace stays weaker; extinction partly fades between sessions"))),
    "treatment_day": _Story(
        "day", 0, 7 * 24.0, 4.0, "h",
        (("plasma_ng_ml", "plasma ketamine", OKABE_ITO["black"], "-"),
         ("glutamate", "glutamate", OKABE_ITO["orange"], "--"),
         ("bdnf", "BDNF", OKABE_ITO["vermillion"], "-."),
         ("spine_density", "spines", OKABE_ITO["green"], "-"),
         ("symptoms", "symptoms (inverted)", OKABE_ITO["blue"], ":")),
        ((0, "0.5 mg/kg IV over 40 minutes: plasma rises into the dissociation range"),
         (0.7, "Infusion over: the drug clears within hours; glutamate burst and BDNF rise"),
         (6, "BDNF peaks; mTOR starts building synaptic proteins"),
         (14, "New spines form over the first day: the next-day 'clarity'"),
         (72, "Spines and relief fade over one to two weeks")),
        log_axis=True),
    "memory": _Story(
        "memory", 0, 4 * 24.0, 0.0, "h",
        (("trauma_trace", "trauma trace", OKABE_ITO["vermillion"], "-"),
         ("plasticity", "plasticity", OKABE_ITO["blue"], "--")),
        ((0, "Ketamine at hour 0 opens a plasticity window over the next days"),
         (24, "Hour 24: exposure retrieves the memory; the reconsolidation window opens"),
         (24.2, "Inside the window the trauma trace (red arrows) weakens"),
         (31, "The window has closed: what changed stays changed")),
        only=("thalamus", "hippocampus", "amygdala", "vmpfc", "insula")),
    "dmn": _Story(
        "dmn", 0, 14 * 24.0, 1.5, "h",
        (("dmn_connectivity", "DMN connectivity", OKABE_ITO["blue"], "-"),),
        ((0, "The rigid DMN loop at rest: its regions fluctuate together"),
         (3, "Hours after the dose: no consistent acute change is claimed"),
         (18, "A day later the loop has loosened: lower coupling, lower correlation"),
         (24 * 4, "Part of the loosening lasts as plasticity remodels the loop")),
        only=("mpfc", "pcc", "angular"), rest=True),
    "synergy": _Story(
        "synergy", 3, 84 * 24.0, 0.0, "days",
        (("symptoms", "ketamine + therapy", OKABE_ITO["vermillion"], "-"),),
        ((0, "Ketamine, then exposure therapy each week from day 1"),
         (30, "Each session in the plasticity window builds lasting extinction"),
         (24 * 28, "Weeks later the combination still holds most of its gain"))),
}


_TITLES = {
    "network": "The network through ketamine and weekly exposure therapy",
    "treatment_day": "One infusion, hour by hour",
    "memory": "Retrieval opens a window: the trauma trace weakens",
    "dmn": "The rumination loop loosens after a dose",
    "plasticity": "From dose to new spines",
    "synergy": "Ketamine + therapy against each alone",
}


def _frame_times(t_end: float, n: int, warp: float) -> np.ndarray:
    """Model time of each frame: linear, or exponential in frame number (``warp`` > 0)
    so that the first hours get as many frames as the following days."""
    u = np.linspace(0.0, 1.0, n)
    if warp <= 0:
        return u * t_end
    return t_end * np.expm1(warp * u) / np.expm1(warp)


def build_animation(name: str, *, theme: str = "notebook", fps: int = 30) -> Animation:
    """Build the gallery animation ``name`` (12 s at ``fps`` frames per second)."""
    if isinstance(fps, bool) or not isinstance(fps, (int, np.integer)) or not 5 <= fps <= 60:
        raise ValueError(f"fps must be an integer in [5, 60], got {fps!r}")
    th = get_theme(theme)
    n = int(round(DURATION_S * fps))
    import matplotlib.pyplot as plt

    with theme_context(theme):
        fig = plt.figure(figsize=th.figsize, dpi=th.dpi, layout="constrained")
        if name == "plasticity":
            update, artists, times = _plasticity(fig, th, n)
        elif name == "synergy":
            update, artists, times = _synergy(fig, th, n)
        else:
            update, artists, times = _network_story(fig, th, n, _STORIES[name])
        fig.suptitle(_TITLES[name], x=0.01, ha="left")
        fig.canvas.draw()  # fix the constrained layout once; frames only update artists
        fig.set_layout_engine("none")
    update(0)
    return Animation(fig, update, n, fps, artists, times, name)


def _caption_at(phases, t):
    text = phases[0][1]
    for start, caption in phases:
        if t >= start:
            text = caption
    return text


def _network_story(fig, th, n, story: _Story):
    from . import draw_network, log_time_axis, network_legend

    course = run(story.scenario)
    course = course[story.index] if isinstance(course, (list, tuple)) else course
    times = _frame_times(story.t_end_h, n, story.warp)
    grid = fig.add_gridspec(2, 2, width_ratios=[1.25, 1], height_ratios=[1, 0.12])
    ax_net = fig.add_subplot(grid[0, 0])
    ax_tc = fig.add_subplot(grid[0, 1])
    ax_txt = fig.add_subplot(grid[1, :])
    ax_txt.set_axis_off()

    # precompute everything the frames show
    probe = course.probe_t_h
    values = course.rest_activity if story.rest else course.activity
    act = np.stack([np.interp(times, probe, values[:, k]) for k in range(values.shape[1])], 1)
    wts = np.stack([np.interp(times, probe, course.edge_weights[:, k])
                    for k in range(course.edge_weights.shape[1])], 1)
    net = draw_network(course.network, ax=ax_net, view="sagittal", theme=th.name,
                       only=story.only, activity=dict(zip(course.regions, act[0])),
                       weights=dict(zip(course.edges, wts[0])))
    if story.only is None:
        network_legend(ax=ax_net, theme=th.name, loc="upper center",
                       bbox_to_anchor=(0.5, 0.02), ncol=2, fontsize="x-small")
    lines, curves = [], []
    t_axis = np.maximum(course.t_h, 1 / 6) if story.log_axis else course.t_h / (
        24.0 if story.clock == "days" else 1.0)
    for key, label, color, ls in story.curves:
        y = course.series[key]
        if story.log_axis:
            y = (y - y[0]) / (np.max(np.abs(y - y[0])) or 1.0)
            if key == "symptoms":
                y = -y  # relief rises
        ax_tc.plot(t_axis, y, color=color, ls=ls, lw=1.5, alpha=0.25)
        (line,) = ax_tc.plot([], [], color=color, ls=ls, lw=3.5, label=label)
        lines.append(line)
        curves.append(y)
    if story.log_axis:
        log_time_axis(ax_tc, t_max_h=story.t_end_h)
        ax_tc.set_ylabel("change, scaled to its peak")
    else:
        ax_tc.set_xlim(0, story.t_end_h / (24.0 if story.clock == "days" else 1.0))
        ax_tc.set_xlabel("days" if story.clock == "days" else "hours")
        if len(story.curves) == 1:
            ax_tc.set_ylabel(story.curves[0][1])
    ax_tc.legend(loc="best", fontsize="small")
    ax_tc.grid(alpha=0.3)
    cursor = ax_tc.axvline(t_axis[0], color=th.muted, lw=1.5)
    clock = ax_net.text(0.02, 0.98, "", transform=ax_net.transAxes, va="top", ha="left",
                        fontsize=th.rc["font.size"] * 1.5, weight="bold", color=th.text,
                        family="DejaVu Sans Mono")
    caption = ax_txt.text(0.0, 0.5, "", va="center", ha="left", color=th.text,
                          fontsize=th.rc["font.size"] * 1.1)
    scale = 24.0 if story.clock == "days" and not story.log_axis else 1.0

    def update(i):
        t = times[i]
        net.update(activity=dict(zip(course.regions, act[i])),
                   weights={e: wts[i, k] for k, e in enumerate(course.edges) if e in net.edges})
        upto = course.t_h <= t
        x_now = max(t, 1 / 6) if story.log_axis else t / scale
        for line, y in zip(lines, curves):
            line.set_data(t_axis[upto], y[upto])
        cursor.set_xdata([x_now, x_now])
        clock.set_text(_clock(t, story.clock))
        caption.set_text(_caption_at(story.phases, t))

    artists = net.animated + lines + [cursor, clock, caption]
    return update, artists, times


def _synergy(fig, th, n):
    from .timecourse import days_axis

    runs = run("synergy")
    labels = ["no treatment", "therapy alone", "ketamine alone", "ketamine + therapy"]
    colors = [th.muted, OKABE_ITO["blue"], OKABE_ITO["orange"], OKABE_ITO["vermillion"]]
    styles = [":", "--", "-.", "-"]
    times = _frame_times(84 * 24.0, n, 0.0)
    grid = fig.add_gridspec(2, 1, height_ratios=[1, 0.1])
    ax = fig.add_subplot(grid[0])
    ax_txt = fig.add_subplot(grid[1])
    ax_txt.set_axis_off()
    lines, ends = [], []
    for c, label, color, ls in zip(runs, labels, colors, styles):
        (line,) = ax.plot([], [], color=color, ls=ls, lw=3.5, label=label)
        (end,) = ax.plot([], [], marker="o", color=color, markersize=10, linestyle="none")
        lines.append(line)
        ends.append(end)
    for s in run("synergy")[1].protocol.therapy:
        ax.plot([s.at_h / 24.0], [2.0], marker="|", color=th.muted, markersize=14)
    ax.text(run("synergy")[1].protocol.therapy[0].at_h / 24.0, 5.0, "therapy sessions", color=th.muted,
            fontsize="small")
    days_axis(ax, days=84)
    ax.set_ylim(0, 80)
    ax.set_ylabel("symptom index (0-100)")
    ax.legend(loc="lower right")
    ax.grid(alpha=0.3)
    clock = ax.text(0.01, 0.97, "", transform=ax.transAxes, va="top",
                    fontsize=th.rc["font.size"] * 1.5, weight="bold", color=th.text,
                    family="DejaVu Sans Mono")
    caption = ax_txt.text(0.0, 0.5, "", va="center", color=th.text,
                          fontsize=th.rc["font.size"] * 1.1)
    phases = _STORIES["synergy"].phases

    def update(i):
        t = times[i]
        for c, line, end in zip(runs, lines, ends):
            upto = c.t_h <= t
            line.set_data(c.t_days[upto], c.symptoms[upto])
            end.set_data([t / 24.0], [c.at("symptoms", t)])
        clock.set_text(_clock(t, "days"))
        caption.set_text(_caption_at(phases, t))

    return update, lines + ends + [clock, caption], times


def _plasticity(fig, th, n):
    from matplotlib.collections import LineCollection

    from . import log_time_axis

    c = run("day")
    times = _frame_times(7 * 24.0, n, 4.0)
    grid = fig.add_gridspec(2, 2, width_ratios=[1.2, 1], height_ratios=[1, 0.12])
    ax = fig.add_subplot(grid[0, 0])
    ax_d = fig.add_subplot(grid[0, 1])
    ax_txt = fig.add_subplot(grid[1, :])
    ax_txt.set_axis_off()
    steps = [("plasma_ng_ml", "plasma", th.text, "-"),
             ("glutamate", "glutamate", OKABE_ITO["orange"], "--"),
             ("bdnf", "BDNF", OKABE_ITO["vermillion"], "-."),
             ("mtor", "mTOR", OKABE_ITO["purple"], ":"),
             ("spine_density", "spines", OKABE_ITO["green"], "-")]
    t_axis = np.maximum(c.t_h, 1 / 6)
    lines, curves = [], []
    for key, label, color, ls in steps:
        y = c.series[key]
        y = (y - y[0]) / (y.max() - y[0])
        ax.plot(t_axis, y, color=color, ls=ls, lw=1.5, alpha=0.25)
        (line,) = ax.plot([], [], color=color, ls=ls, lw=3.5, label=label)
        lines.append(line)
        curves.append(y)
    log_time_axis(ax, t_max_h=7 * 24.0)
    ax.set_ylim(0, 1.1)
    ax.set_ylabel("rise, scaled to its peak")
    ax.legend(loc="upper left", fontsize="small")
    cursor = ax.axvline(1 / 6, color=th.muted, lw=1.5)

    # the dendrite: spines appear as the model's spine density rises
    rng = np.random.default_rng(1)
    length = 100.0
    base = float(c.spine_density[0])
    peak = float(c.spine_density.max())
    n_old = int(round(base * length))
    n_new = int(round(peak * length)) - n_old
    xs = rng.uniform(0.5, length - 0.5, n_old + n_new)
    side = np.where(rng.random(n_old + n_new) < 0.5, -1.0, 1.0)
    ax_d.plot([0, length], [0, 0], color=th.muted, lw=10, solid_capstyle="round")
    segs = [[(x, s * 0.5), (x, s * 2.0)] for x, s in zip(xs, side)]
    ax_d.add_collection(LineCollection(segs[:n_old], colors=th.muted, linewidths=2.5))
    ax_d.plot(xs[:n_old], side[:n_old] * 2.3, "o", color=th.muted, markersize=6)
    new_lines = LineCollection([], colors=OKABE_ITO["green"], linewidths=3)
    ax_d.add_collection(new_lines)
    (new_heads,) = ax_d.plot([], [], "s", color=OKABE_ITO["green"], markersize=12,
                             markeredgecolor="white")
    ax_d.set_xlim(-1, length + 1)
    ax_d.set_ylim(-9, 6)
    ax_d.set_axis_off()
    ax_d.set_title(f"Dendrite, {length:.0f} µm", loc="left",
                   fontsize=th.rc["axes.titlesize"] * 0.85)
    ax_d.text(0.0, 4.2, "new spines: green squares", color=OKABE_ITO["green"], weight="bold")
    density = ax_d.text(0.0, -5.0, "", color=th.text)
    clock = ax.text(0.98, 0.97, "", transform=ax.transAxes, va="top", ha="right",
                    fontsize=th.rc["font.size"] * 1.5, weight="bold", color=th.text,
                    family="DejaVu Sans Mono")
    caption = ax_txt.text(0.0, 0.5, "", va="center", color=th.text,
                          fontsize=th.rc["font.size"] * 1.1)
    phases = _STORIES["treatment_day"].phases
    spine_now = np.interp(times, c.t_h, c.spine_density)

    def update(i):
        t = times[i]
        upto = c.t_h <= t
        for line, y in zip(lines, curves):
            line.set_data(t_axis[upto], y[upto])
        cursor.set_xdata([max(t, 1 / 6)] * 2)
        k = int(round((spine_now[i] - base) * length))
        k = min(max(k, 0), n_new)
        new_lines.set_segments(segs[n_old:n_old + k])
        new_heads.set_data(xs[n_old:n_old + k], side[n_old:n_old + k] * 2.3)
        density.set_text(f"{spine_now[i]:.3f} spines/µm ({k} new)")
        clock.set_text(_clock(t, "h"))
        caption.set_text(_caption_at(phases, t))

    return update, lines + [cursor, new_lines, new_heads, density, clock, caption], times
