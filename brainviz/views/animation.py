"""Animations: precomputed model arrays played back beat by beat.

Every animation runs its scenario (:mod:`brainviz.views.scenarios`) first, maps video
time to model time with its storyboard (:func:`brainviz.views.story.storyboard`:
slow around the dose and the sessions, fast through quiet days, still on the
take-away), and only then draws. The figure is laid out once; each frame updates a
few artists in place (revealed curve segments, a cursor, node sizes and edge widths,
a clock and the beat's caption), so exporters can blit a static background. In each
beat what changes is highlighted and the rest is dimmed.
"""

from __future__ import annotations

import textwrap

import numpy as np
from matplotlib.animation import FuncAnimation
from matplotlib.text import Text

from .scenarios import CASCADE, MEMORY_RUNS, SYNERGY_RUNS, harm_series, run
from .story import frame_times, storyboard
from .themes import color, dim, get_theme, new_figure, theme_context
from .timecourse import LOG_T0_H, format_duration

__all__ = ["Animation", "build_animation", "duration_s", "TITLES"]


def duration_s(name: str) -> float:
    """Length of a gallery animation, seconds (the end of its last beat)."""
    return storyboard(name)[-1].end_s


class Animation(FuncAnimation):
    """A ``FuncAnimation`` that also exposes what changes between frames.

    Attributes
    ----------
    fig : matplotlib.figure.Figure
    n_frames, fps : int
    animated_artists : list of Artist
        Artists updated by :meth:`draw_frame` (for blitting exporters); everything
        else is a static background.
    times_h : ndarray
        Model time shown by each frame (hours).
    beats : tuple of Beat
        The storyboard; ``beat_of_frame[i]`` is the beat frame ``i`` belongs to.

    Notes
    -----
    What frame ``i`` shows depends only on :meth:`frame_key` (its model time and its
    beat): exporters render a frame whose key equals the previous frame's once (a
    caption held while the model's clock stands still costs nothing).
    """

    def __init__(self, fig, update, n_frames: int, fps: int, artists, times_h, name: str,
                 beats=(), beat_of_frame=()):
        self.fig = fig
        self.n_frames = int(n_frames)
        self.fps = int(fps)
        self.animated_artists = list(artists)
        self.times_h = np.asarray(times_h)
        self.name = name
        self.beats = tuple(beats)
        self.beat_of_frame = np.asarray(beat_of_frame, dtype=int)
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

    def frame_key(self, i: int) -> tuple[float, int]:
        """What frame ``i`` shows is a function of this key: (model time, beat)."""
        beat = int(self.beat_of_frame[i]) if self.beat_of_frame.size else 0
        return float(self.times_h[i]), beat

    def frame_of_beat(self, k: int) -> int:
        """The middle frame of beat ``k`` (to look at what a beat shows)."""
        idx = np.nonzero(self.beat_of_frame == k)[0]
        return int(idx[len(idx) // 2])


#: Titles of the animations (a claim each video shows).
TITLES = {
    "network": "The PTSD network through ketamine and an exposure course",
    "treatment_day": "One infusion: harms and relief on one clock",
    "memory": "Retrieval in the plasticity period: the trauma trace weakens",
    "dmn": "The rumination loop loosens after a dose",
    "plasticity": "From dose to new spines",
    "synergy": "Ketamine before exposure therapy, and each alone",
}
_TITLES = TITLES  # the name the deck used


def _clock(t_h: float, unit: str) -> str:
    if unit == "days":
        return f"day {t_h / 24.0:4.1f}"
    if unit == "weeks":
        return f"week {t_h / 168.0:4.1f}"
    if unit == "hours":
        return f"hour {t_h:4.1f}"
    return format_duration(max(t_h, 0.0)) if t_h >= LOG_T0_H else f"{t_h * 60:.0f} min"


class _BitmapText(Text):
    """A ``Text`` that draws from a cached bitmap of itself.

    Captions change a few times per video but are drawn in every frame; rendering
    their glyphs was most of a frame's cost. The bitmap is made once per (text, dpi)
    on an offscreen canvas with the same properties, and composited with
    ``renderer.draw_image``. Layout and measurement stay those of a ``Text``.
    """

    _MARGIN = 4  # pixels around the text's box, for antialiased edges

    def __init__(self, *args, keep: int = 1, **kwargs):
        super().__init__(*args, **kwargs)
        self._bitmaps = {}
        self._keep = keep  # how many bitmaps to remember (a clock repeats its readings)

    def _bitmap(self, dpi):
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        key = (self.get_text(), float(dpi), self.get_fontsize(), self.get_color())
        if key not in self._bitmaps:
            m = self._MARGIN
            off = Figure(dpi=dpi, facecolor=(0, 0, 0, 0))
            FigureCanvasAgg(off)
            twin = off.text(0, 0, self.get_text(), fontproperties=self.get_fontproperties(),
                            color=self.get_color(), ha="left", va="bottom",
                            linespacing=self.get_linespacing(),
                            multialignment=self.get_horizontalalignment())
            box = twin.get_window_extent(off.canvas.get_renderer())
            w, h = int(np.ceil(box.width)) + 2 * m, int(np.ceil(box.height)) + 2 * m
            off.set_size_inches(w / dpi, h / dpi)
            twin.set_position((m / w, m / h))
            off.canvas.draw()
            rgba = np.asarray(off.canvas.buffer_rgba())[::-1].copy()  # row 0 at the bottom
            while len(self._bitmaps) >= self._keep:  # forget the oldest
                self._bitmaps.pop(next(iter(self._bitmaps)))
            self._bitmaps[key] = rgba
        return self._bitmaps[key]

    def draw(self, renderer):
        if not self.get_visible() or not self.get_text():
            return
        box = self.get_window_extent(renderer)
        image = self._bitmap(renderer.dpi)
        gc = renderer.new_gc()
        gc.set_alpha(self.get_alpha() if self.get_alpha() is not None else 1.0)
        renderer.draw_image(gc, round(box.x0) - self._MARGIN, round(box.y0) - self._MARGIN,
                            image)
        gc.restore()
        self.stale = False


_AXIS_LABEL = {"days": "days after the dose", "weeks": "weeks from the start",
               "hours": "hours after the dose", "log": "time after the dose starts (log scale)"}


def build_animation(name: str, *, theme: str = "notebook", fps: int = 30) -> Animation:
    """Build the gallery animation ``name`` at ``fps`` frames per second."""
    if isinstance(fps, bool) or not isinstance(fps, (int, np.integer)) or not 5 <= fps <= 60:
        raise ValueError(f"fps must be an integer in [5, 60], got {fps!r}")
    th = get_theme(theme)
    beats = storyboard(name)
    times, which = frame_times(beats, int(fps))
    with theme_context(th.name):
        fig = new_figure(th, layout="constrained")
        scene = _Scene(fig, th, beats, times, which)
        _SCENES[name](scene)
        fig.suptitle(TITLES[name], x=0.01, ha="left")
        scene.finish()
        fig.canvas.draw()  # fix the constrained layout once; frames only update artists
        fig.set_layout_engine("none")
        scene.freeze()
    scene.update(0)
    return Animation(fig, scene.update, len(times), int(fps), scene.artists, times, name,
                     beats, which)


class _Scene:
    """The pieces every animation shares: a caption strip, a clock, revealed curves,
    cursors, and per-beat focus."""

    def __init__(self, fig, th, beats, times, which):
        self.fig, self.th, self.beats, self.times, self.which = fig, th, beats, times, which
        self.curves = []  # (line, x, y, t, key, colour)
        self.cursors = []  # (line, unit)
        self.hooks = []  # f(i, t, beat) -> None, extra per-frame updates
        self.focus_hooks = []  # f(beat) -> None, on beat change
        self.extra = []
        self.networks = []
        self.grid = None
        self._last_beat = None
        self.clock = None
        self.unit = "hours"

    # -- layout ---------------------------------------------------------------
    def layout(self, ncols=1, width_ratios=None, rows=1, height_ratios=None):
        hr = list(height_ratios or [1] * rows)
        hr.append(0.2 * sum(hr))  # the caption strip: a sixth of the height
        self.grid = self.fig.add_gridspec(rows + 1, ncols, width_ratios=width_ratios,
                                          height_ratios=hr)
        ax_txt = self.fig.add_subplot(self.grid[rows, :])
        ax_txt.set_axis_off()
        self.ax_txt = ax_txt
        fs = self.th.base
        chars = max(40, int(self.fig.get_figwidth() * 72 / (0.56 * fs)) - 4)
        self._wrap = chars
        self.caption = _BitmapText(0.0, 0.5, "", va="center", ha="left", color=self.th.text,
                                   fontsize=fs, transform=ax_txt.transAxes)
        ax_txt.add_artist(self.caption)
        return self.grid

    def add_clock(self, ax, unit: str, loc=(0.02, 0.97), ha="left", va="top"):
        self.unit = unit
        self.clock = _BitmapText(loc[0], loc[1], "", transform=ax.transAxes, va=va, ha=ha,
                                 fontsize=self.th.base * 1.25, weight="bold",
                                 color=self.th.text, family="DejaVu Sans Mono", zorder=6,
                                 keep=256)
        ax.add_artist(self.clock)

    # -- curves ---------------------------------------------------------------
    def reveal(self, ax, t_h, x, y, key, colour, linestyle="-", lw=3.5, ghost=True):
        """A curve drawn up to the current time; its full course faint behind it."""
        c = color(colour, self.th)
        if ghost:
            ax.plot(x, y, color=dim(c, self.th, amount=0.72), ls=linestyle, lw=1.6,
                    zorder=1.5)
        (line,) = ax.plot([], [], color=c, ls=linestyle, lw=lw, zorder=3)
        self.curves.append((line, np.asarray(x), np.asarray(y), np.asarray(t_h), key, c))
        return line

    def cursor(self, ax, unit):
        line = ax.axvline(np.nan, color=self.th.muted, lw=1.5, zorder=2.5)
        self.cursors.append((line, unit))
        return line

    def freeze(self):
        """Once laid out: arrows become fixed paths (cheap to redraw every frame)."""
        for net in self.networks:
            old = set(map(id, net.animated))
            net.freeze()
            self.artists = [a for a in self.artists if id(a) not in old]
            self.artists[:0] = net.animated

    def finish(self):
        self.artists = [c[0] for c in self.curves] + [c[0] for c in self.cursors] + self.extra
        if self.clock is not None:
            self.artists.append(self.clock)
        self.artists.append(self.caption)

    # -- per frame ------------------------------------------------------------
    def _x(self, t, unit):
        return {"log": max(t, LOG_T0_H), "hours": t, "days": t / 24.0, "weeks": t / 168.0}[unit]

    def update(self, i):
        t = float(self.times[i])
        k = int(self.which[i])
        beat = self.beats[k]
        if k != self._last_beat:
            self._last_beat = k
            self.caption.set_text(textwrap.fill(beat.caption, self._wrap))
            keys = {c[4] for c in self.curves}
            focus = set(beat.focus) & keys
            for line, _, _, _, key, c in self.curves:
                on = not focus or key in focus
                line.set_color(c if on else dim(c, self.th, amount=0.55))
                line.set_linewidth(4.0 if on and focus else 3.0)
            for hook in self.focus_hooks:
                hook(beat)
        for line, x, y, tt, _, _ in self.curves:
            n = int(np.searchsorted(tt, t, side="right"))
            line.set_data(x[:n], y[:n])
        for line, unit in self.cursors:
            line.set_xdata([self._x(t, unit)] * 2)
        if self.clock is not None:
            self.clock.set_text(_clock(t, self.unit))
        for hook in self.hooks:
            hook(i, t, beat)


# ---------------------------------------------------------------------------------
# the six scenes
# ---------------------------------------------------------------------------------

def _network_panel(scene, ax, course, only=None, rest=False, focus_map=None):
    """A network on the brain whose nodes and edges follow the course frame by frame."""
    from .network import draw_network

    th = scene.th
    probe = course.probe_t_h
    values = course.rest_activity if rest else course.activity
    act = np.stack([np.interp(scene.times, probe, values[:, k]) for k in range(values.shape[1])], 1)
    wts = np.stack([np.interp(scene.times, probe, course.edge_weights[:, k])
                    for k in range(course.edge_weights.shape[1])], 1)
    net = draw_network(course.network, ax=ax, view="sagittal", theme=th, only=only,
                       activity=dict(zip(course.regions, act[0])),
                       weights=dict(zip(course.edges, wts[0])))
    cols = [k for k, e in enumerate(course.edges) if e in net.edges]
    edges = [course.edges[k] for k in cols]

    def hook(i, t, beat):
        net.update(activity=dict(zip(course.regions, act[i])),
                   weights=dict(zip(edges, wts[i, cols])))

    def on_beat(beat):
        focus = set(beat.focus)
        pathways = {p for p in focus if p in ("trauma trace", "extinction", "DMN loop",
                                              "salience")}
        net.focus(pathways=pathways or None)

    scene.hooks.append(hook)
    scene.focus_hooks.append(on_beat)
    scene.extra += net.animated
    scene.networks.append(net)
    return net


def _scene_network(scene):
    th = scene.th
    _, course, _, both = run("synergy")
    scene.layout(2, width_ratios=[1.3, 1])
    ax_net = scene.fig.add_subplot(scene.grid[0, 0])
    ax = scene.fig.add_subplot(scene.grid[0, 1])
    _network_panel(scene, ax_net, both)
    x = both.t_h / 168.0
    scene.reveal(ax, both.t_h, x, both.symptoms, "one_infusion_exposure",
                 SYNERGY_RUNS[3].color, SYNERGY_RUNS[3].linestyle)
    ax.plot(course.t_h / 168.0, course.symptoms, color=dim(color("blue", th), th, amount=0.3),
            ls="--", lw=2)
    ax.text(course.t_h[-1] / 168.0, course.symptoms[-1] + 2, "exposure alone", ha="right",
            va="bottom", color=color("blue", th), fontsize=th.small)
    for s in both.protocol.therapy:
        ax.plot([s.at_h / 168.0], [2.5], marker="|", color=th.muted, markersize=14,
                markeredgewidth=2)
    ax.text(both.protocol.therapy[0].at_h / 168.0, 5.0, "sessions", color=th.text,
            fontsize=th.small)
    ax.set_xlim(0, both.t_h[-1] / 168.0)
    ax.set_ylim(0, 85)
    ax.set_xticks(range(0, int(both.t_h[-1] / 168.0) + 1, 2))
    ax.set_xlabel(_AXIS_LABEL["weeks"])
    ax.set_ylabel("symptom index (0-100)")
    ax.grid(alpha=0.3)
    scene.cursor(ax, "weeks")
    scene.add_clock(ax, "weeks", loc=(0.98, 0.97), ha="right")


def _scene_treatment_day(scene):
    """Drug, harms and benefit on one log clock, each on its own axis and unit (a harm
    near zero stays near zero: nothing is scaled to its own peak)."""
    from .timecourse import log_time_axis

    th = scene.th
    c = run("day")
    harms = harm_series(c)
    scores = [h for h in harms if h.unit == "0-1"]
    mmhg = [h for h in harms if h.unit == "mmHg"]
    rows = 3 if mmhg else 2
    scene.layout(2, rows=rows, width_ratios=[1.1, 1])
    left = [scene.fig.add_subplot(scene.grid[0, 0])]
    left += [scene.fig.add_subplot(scene.grid[k, 0], sharex=left[0]) for k in range(1, rows)]
    ax_b = scene.fig.add_subplot(scene.grid[0:rows, 1], sharex=left[0])
    t = np.maximum(c.t_h, LOG_T0_H)
    for ax in left + [ax_b]:
        ax.axvspan(LOG_T0_H, 2 / 3, color=color("muted", th), alpha=0.12, lw=0)
        log_time_axis(ax, t_max_h=21 * 24, label=ax in (left[-1], ax_b))
        ax.grid(alpha=0.3)
    for ax in left[:-1]:
        ax.tick_params(labelbottom=False)

    def tag(ax, text, colour, k=0):
        ax.text(0.98, 0.92 - 0.3 * k, text, transform=ax.transAxes, ha="right", va="top",
                color=color(colour, th), fontsize=th.small, weight="bold")

    ax_p, ax_h = left[0], left[1]
    ax_p.axhspan(100, 250, color=color("purple", th), alpha=0.15, lw=0)
    scene.reveal(ax_p, c.t_h, t, c.plasma_ng_ml, "plasma_ng_ml", "ink", "-")
    ax_p.set_ylim(0, 290)
    ax_p.set_ylabel("ng/mL")
    tag(ax_p, f"plasma: peak {c.plasma_ng_ml.max():.0f}", "ink")
    for j, h in enumerate(scores):
        scene.reveal(ax_h, c.t_h, t, c.series[h.key], h.key, h.color, h.linestyle)
        tag(ax_h, f"{h.label}: peak {c.series[h.key].max():.2f}", h.color, j)
    ax_h.set_ylim(0, 1.0)
    ax_h.set_ylabel("0-1")
    if mmhg:
        h = mmhg[0]
        ax_bp = left[2]
        bp = c.series[h.key]
        scene.reveal(ax_bp, c.t_h, t, bp, h.key, h.color, h.linestyle)
        ax_bp.set_ylim(0, max(10.0, float(bp.max()) * 1.6))
        ax_bp.set_ylabel("mmHg")
        tag(ax_bp, f"blood pressure rise: peak {bp.max():.0f}", h.color)
    relief = c.symptoms[0] - c.symptoms
    scene.reveal(ax_b, c.t_h, t, relief, "symptoms", "blue", "-")
    ax_b.set_ylim(0, relief.max() * 1.3)
    ax_b.set_ylabel("symptom relief (points)")
    ax_b.set_title("Benefit", loc="left", fontsize=th.base)
    ax_p.set_title("Drug and harms", loc="left", fontsize=th.base)
    for ax in left + [ax_b]:
        scene.cursor(ax, "log")
    scene.add_clock(ax_b, "log", loc=(0.02, 0.97))


def _scene_memory(scene):
    from .timecourse import event_line

    th = scene.th
    with_k, alone, _ = run("memory")
    scene.layout(2, width_ratios=[1.2, 1])
    ax_net = scene.fig.add_subplot(scene.grid[0, 0])
    ax = scene.fig.add_subplot(scene.grid[0, 1])
    _network_panel(scene, ax_net, with_k, only=("thalamus", "hippocampus", "amygdala",
                                                 "vmpfc"))
    t_end = 96.0
    keep = with_k.t_h <= t_end
    trace = with_k.trauma_trace / with_k.trauma_trace[0]
    scene.reveal(ax, with_k.t_h[keep], with_k.t_h[keep], trace[keep], "trauma_trace",
                 MEMORY_RUNS[0].color, "-")
    ax_p = ax.twinx()  # plasticity on its own axis, with its own unit
    ax_p.spines["right"].set_visible(True)
    scene.reveal(ax_p, with_k.t_h[keep], with_k.t_h[keep], with_k.plasticity[keep],
                 "plasticity", "blue", "--")
    p_max = float(with_k.plasticity[keep].max())
    ax_p.set_ylim(1.0 - 0.6 * (p_max - 1.0), p_max + 0.25 * (p_max - 1.0))
    ax_p.set_ylabel("plasticity (× baseline)", color=color("blue", th))
    w = float(with_k.params["reconsolidation_window_h"])
    ax.axvspan(24.0 + 1 / 6, 24.0 + w, color=color("orange", th), alpha=0.3, lw=1.5,
               ec=color("orange", th))
    event_line(ax, 0.0, "dose", color=th.muted, fontsize=th.small, y=0.12, dx_points=6)
    event_line(ax, 24.0, "session", color=th.muted, fontsize=th.small, y=0.99, ha="right")
    a_trace = alone.trauma_trace / alone.trauma_trace[0]
    ax.plot(alone.t_h[alone.t_h <= t_end], a_trace[alone.t_h <= t_end],
            color=dim(color("blue", th), th, amount=0.3), ls=":", lw=2)
    ax.text(t_end, trace[keep][-1] - 0.002, "trauma trace", ha="right", va="top",
            color=color(MEMORY_RUNS[0].color, th), fontsize=th.small, weight="bold")
    ax.text(t_end, a_trace[-1] + 0.002, "same session, no ketamine", ha="right", va="bottom",
            color=color("blue", th), fontsize=th.small)
    ax.text(0.98, 0.03, "- - plasticity (right axis)", transform=ax.transAxes, ha="right",
            va="bottom", color=color("blue", th), fontsize=th.small, weight="bold")
    ax.set_xlim(0, t_end)
    ax.set_xticks([0, 24, 48, 72, 96])
    low = min(float(trace[keep].min()), float(a_trace.min()))
    ax.set_ylim(low - 1.5 * (1.0 - low), 1.0 + 0.6 * (1.0 - low))
    ax.set_xlabel(_AXIS_LABEL["hours"])
    ax.set_ylabel("trauma trace (1 = before)", color=color(MEMORY_RUNS[0].color, th))
    scene.cursor(ax, "hours")
    scene.add_clock(ax_net, "hours", loc=(0.02, 0.02), va="bottom")


def _scene_dmn(scene):
    th = scene.th
    c = run("dmn")
    scene.layout(2, width_ratios=[1.1, 1])
    ax_net = scene.fig.add_subplot(scene.grid[0, 0])
    ax = scene.fig.add_subplot(scene.grid[0, 1])
    _network_panel(scene, ax_net, c, only=("mpfc", "pcc", "angular"), rest=True)
    scene.reveal(ax, c.t_h, c.t_days, c.dmn_connectivity, "DMN loop", "blue", "-")
    ax.axvline(1.0, color=th.muted, lw=1.4, ls=(0, (4, 3)))
    ax.annotate("24 h", (1.0, 1.0), xycoords=("data", "axes fraction"), xytext=(4, -4),
                textcoords="offset points", va="top", color=th.text, fontsize=th.small)
    ax.set_xlim(0, c.t_days[-1])
    ax.set_xticks(range(0, int(c.t_days[-1]) + 1, 2))
    ax.set_ylim(min(c.dmn_connectivity.min(), 0.6) - 0.02, c.dmn_connectivity.max() + 0.04)
    ax.set_xlabel(_AXIS_LABEL["days"])
    ax.set_ylabel("DMN connectivity (mean r)")
    ax.grid(alpha=0.3)
    scene.cursor(ax, "days")
    readout = _BitmapText(0.98, 0.04, "", transform=ax_net.transAxes, ha="right",
                          va="bottom", fontsize=th.base * 1.25, weight="bold",
                          color=color("blue", th), keep=64)
    ax_net.add_artist(readout)
    r = np.interp(scene.times, c.t_h, c.dmn_connectivity)
    scene.hooks.append(lambda i, t, beat: readout.set_text(f"r = {r[i]:.2f}"))
    scene.extra.append(readout)
    scene.add_clock(ax_net, "days", loc=(0.02, 0.04), va="bottom")


def _scene_plasticity(scene):
    from .timecourse import draw_dendrite, log_time_axis

    th = scene.th
    c = run("day")
    scene.layout(2, width_ratios=[1.15, 1])
    ax = scene.fig.add_subplot(scene.grid[0, 0])
    ax_d = scene.fig.add_subplot(scene.grid[0, 1])
    t = np.maximum(c.t_h, LOG_T0_H)
    for spec in CASCADE:
        y = c.series[spec.key]
        rise = (y - y[0]) / (y.max() - y[0])
        scene.reveal(ax, c.t_h, t, rise, spec.key, spec.color, spec.linestyle)
        k = int(np.argmax(rise))
        ax.text(t[k], 1.04 + (0.1 if spec.key in ("glutamate", "mtor") else 0.0),
                spec.label.replace("plasma ketamine", "plasma").replace("spine", "spine"),
                ha="center", va="bottom", color=color(spec.color, th), fontsize=th.small,
                weight="bold")
    log_time_axis(ax, t_max_h=21 * 24)
    ax.set_ylim(0, 1.32)
    ax.set_ylabel("rise (× its peak)")
    scene.cursor(ax, "log")
    base = float(c.spine_density[0])
    peak = float(c.spine_density.max())
    den = draw_dendrite(ax=ax_d, density_per_um=base, baseline_per_um=base,
                        max_density_per_um=peak, seed=1, color=color("muted", th),
                        face=th.outline_face, new_color=color("green", th),
                        new_edge=th.text if th.name == "dark" else "#00402e",
                        text_color=th.text, fontsize=th.small, animated=False)
    ax_d.set_ylim(-6, 6)
    ax_d.set_axis_off()
    ax_d.set_title("A prefrontal dendrite", loc="left", fontsize=th.base)
    density = _BitmapText(0.0, 4.6, "", color=th.text, fontsize=th.small, keep=64)
    ax_d.add_artist(density)
    now = np.interp(scene.times, c.t_h, c.spine_density)
    from .timecourse import DENDRITE_LENGTH_UM as length

    def hook(i, t_now, beat):
        k = int(round((now[i] - base) * length))
        den.show_new(k)
        density.set_text(f"{now[i]:.2f} spines/µm, {max(k, 0)} new (filled)")

    scene.hooks.append(hook)
    scene.extra += den.animated + [density]
    scene.add_clock(ax, "log", loc=(0.98, 0.97), ha="right")


def _scene_synergy(scene):
    th = scene.th
    runs = run("synergy")
    scene.layout(1)
    ax = scene.fig.add_subplot(scene.grid[0, 0])
    for c, spec in zip(runs, SYNERGY_RUNS):
        scene.reveal(ax, c.t_h, c.t_h / 168.0, c.symptoms, spec.key, spec.color,
                     spec.linestyle)
    weeks = runs[0].t_h[-1] / 168.0
    ends = [float(c.symptoms[-1]) for c in runs]
    order = np.argsort(ends)
    placed = {}
    last = -1e9
    for k in order:
        y = max(ends[k] + 2.5, last + 6.5)
        placed[k] = y
        last = y
    short = {"none": "no treatment", "exposure": "exposure alone",
             "one_infusion": "infusion alone", "one_infusion_exposure": "infusion + exposure"}
    for k, spec in enumerate(SYNERGY_RUNS):
        ax.text(weeks * 1.005, placed[k], short[spec.key], ha="left", va="center",
                color=color(spec.color, th), fontsize=th.small, weight="bold")
    sessions = runs[1].protocol.therapy
    ax.plot([s.at_h / 168.0 for s in sessions], [2.5] * len(sessions), ls="none", marker="|",
            color=th.muted, markersize=14, markeredgewidth=2)
    ax.text(sessions[0].at_h / 168.0, 5.0, "exposure sessions", color=th.text,
            fontsize=th.small)
    ax.plot([0.0], [runs[0].symptoms[0] + 5], marker="v", color=th.text, markersize=12)
    ax.text(0.15, runs[0].symptoms[0] + 5, "infusion", color=th.text, fontsize=th.small,
            va="center")
    ax.set_xlim(0, weeks)
    ax.set_xticks(range(0, int(weeks) + 1, 2))
    ax.set_ylim(0, 85)
    ax.set_xlabel(_AXIS_LABEL["weeks"])
    ax.set_ylabel("symptom index (0-100)")
    ax.grid(alpha=0.3)
    scene.cursor(ax, "weeks")
    scene.add_clock(ax, "weeks", loc=(0.98, 0.97), ha="right")


_SCENES = {"network": _scene_network, "treatment_day": _scene_treatment_day,
           "memory": _scene_memory, "dmn": _scene_dmn, "plasticity": _scene_plasticity,
           "synergy": _scene_synergy}
