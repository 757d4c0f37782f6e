"""Time courses on readable time axes (minutes to weeks), event markers and the dendrite."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["plot_timecourse", "log_time_axis", "days_axis", "weeks_axis", "draw_dendrite",
           "direct_labels", "event_line", "format_duration", "Dendrite", "LOG_T0_H"]

LOG_T0_H = 1 / 6  # log time axes start 10 minutes after the dose starts
_TICKS_H = [(1, "1 h"), (4, "4 h"), (24, "1 d"), (168, "1 wk"),
            (504, "3 wk"), (672, "4 wk")]


def format_duration(t_h: float) -> str:
    """A time in the units of the log axes' ticks (min, h, d, wk).

    Examples
    --------
    >>> from brainviz.views.timecourse import format_duration
    >>> [format_duration(t) for t in (0.25, 3.5, 30.0, 24 * 9)]
    ['15 min', '3.5 h', '1.2 d', '1.3 wk']
    """
    if t_h < 1.0:
        return f"{t_h * 60.0:.0f} min"
    if t_h < 24.0:
        return f"{t_h:.1f} h" if t_h < 10 else f"{t_h:.0f} h"
    if t_h < 7 * 24.0:
        return f"{t_h / 24.0:.1f} d"
    return f"{t_h / 168.0:.1f} wk"


def plot_timecourse(t_h, values, *, ax=None, unit: str = "h", label: str | None = None,
                    direct_label: bool = False, **style):
    """Plot one time course; returns the ``Line2D``.

    Parameters
    ----------
    t_h, values : array_like
        Time in hours and the values to draw.
    ax : matplotlib.axes.Axes, optional
    unit : {"h", "days", "weeks"}
        Unit of the x axis.
    label : str, optional
        Legend label; with ``direct_label=True`` it is also written at the line's end,
        so the curve does not depend on colour to be identified.
    **style
        Passed to ``Axes.plot``.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from brainviz.views import plot_timecourse
    >>> fig, ax = plt.subplots()
    >>> line = plot_timecourse([0, 24, 48], [1, 2, 1], ax=ax, unit="days")
    >>> line.get_xdata().tolist()
    [0.0, 1.0, 2.0]
    """
    import matplotlib.pyplot as plt

    ax = ax if ax is not None else plt.gca()
    scale = {"h": 1.0, "days": 24.0, "weeks": 168.0}[unit]
    x = np.asarray(t_h, dtype=float) / scale
    (line,) = ax.plot(x, values, label=label, **style)
    if direct_label and label:
        ax.annotate(label, (x[-1], np.asarray(values)[-1]), xytext=(6, 0),
                    textcoords="offset points", va="center", color=line.get_color(),
                    weight="bold")
    return line


def log_time_axis(ax, *, t_max_h: float, label: bool = True, text: str | None = None):
    """Log time axis from 10 minutes to ``t_max_h`` with named ticks (1 h, 4 h, 1 d, 1 wk).

    The axis starts 10 minutes after the dose (a log axis cannot show 0); its corner
    carries no tick label, so it never collides with the y axis' labels.
    """
    ax.set_xscale("log")
    ticks = [(t, s) for t, s in _TICKS_H if t <= t_max_h * 1.01]
    ax.set_xticks([t for t, _ in ticks], [s for _, s in ticks])
    ax.minorticks_off()
    ax.set_xlim(LOG_T0_H, t_max_h)
    if label:
        ax.set_xlabel(text or "time after the dose starts (log scale)")


def days_axis(ax, *, days: float, label: str = "days after the dose"):
    """Linear axis in days with readable ticks."""
    step = 7 if days > 21 else (2 if days > 6 else 1)
    ax.set_xticks(np.arange(0, days + 0.1, step))
    ax.set_xlim(0, days)
    ax.set_xlabel(label)


def weeks_axis(ax, *, weeks: float, label: str = "weeks from the start"):
    """Linear axis in weeks (x data in weeks)."""
    step = 2 if weeks > 8 else 1
    ax.set_xticks(np.arange(0, weeks + 0.01, step))
    ax.set_xlim(0, weeks)
    ax.set_xlabel(label)


def event_line(ax, x, label: str | None, *, color, fontsize, y=1.0, ha="left", ls=(0, (4, 3)),
               lw=1.4, va="top", dx_points=4.0, zorder=1.5):
    """A vertical event marker (dose, session) with its name at the top of the axes.

    Returns ``(line, text)`` (``text`` is None without a label).
    """
    line = ax.axvline(x, color=color, lw=lw, ls=ls, zorder=zorder)
    text = None
    if label:
        text = ax.annotate(label, (x, y), xycoords=("data", "axes fraction"),
                           xytext=(dx_points if ha == "left" else -dx_points, -2),
                           textcoords="offset points", ha=ha, va=va, color=color,
                           fontsize=fontsize)
    return line, text


def direct_labels(ax, x: float, ys, labels, colors, *, min_gap: float, ha: str = "right",
                  dx_points: float = -4, dy: float = 0.0, fontsize=None, weight="bold"):
    """Write labels at the ends of curves, nudged apart so they never overlap.

    ``ys`` are the curves' end values (data units); labels keep their order and are at
    least ``min_gap`` apart. Returns the Text artists.
    """
    ys = np.asarray(ys, dtype=float) + dy
    order = np.argsort(ys)
    placed = ys.copy()
    for k in range(1, len(order)):
        lo, hi = order[k - 1], order[k]
        placed[hi] = max(placed[hi], placed[lo] + min_gap)
    kw = {} if fontsize is None else {"fontsize": fontsize}
    return [ax.annotate(lab, (x, placed[i]), xytext=(dx_points, 0), textcoords="offset points",
                        ha=ha, va="center", color=col, weight=weight, **kw)
            for i, (lab, col) in enumerate(zip(labels, colors))]


# ---------------------------------------------------------------------------------
# the dendrite
# ---------------------------------------------------------------------------------

#: Geometry of the drawn dendrite, in micrometres (to scale): a 1.2 um shaft; mushroom
#: spines with a thin neck about 1 um long and a head 0.6-0.9 um wide (Harris &
#: Kater 1994, Annu Rev Neurosci; Bourne & Harris 2008).
DENDRITE_LENGTH_UM = 25.0
_SHAFT_UM = 1.2
_MAX_DENSITY = 1.0  # room for up to one spine per um


@dataclass
class Dendrite:
    """What :func:`draw_dendrite` drew: the shaft, the old spines, and the new spines
    (all that may appear), with :meth:`show_new` to reveal the first ``k``."""

    shaft: object = None
    old_necks: object = None
    old_heads: object = None
    new_necks: object = None
    new_heads: object = None
    scale_bar: list = field(default_factory=list)
    n_new_max: int = 0
    _neck_segs: list = field(default_factory=list)
    _head_paths: list = field(default_factory=list)

    def show_new(self, k: int) -> list:
        """Show the first ``k`` new spines; returns the artists changed."""
        k = int(np.clip(k, 0, self.n_new_max))
        self.new_necks.set_segments(self._neck_segs[:k])
        self.new_heads.set_paths(self._head_paths[:k])
        return [self.new_necks, self.new_heads]

    @property
    def animated(self) -> list:
        return [self.new_necks, self.new_heads]


def draw_dendrite(*, ax=None, density_per_um: float, baseline_per_um: float,
                  max_density_per_um: float | None = None,
                  length_um: float = DENDRITE_LENGTH_UM, seed: int = 1, color: str = "#7f7f7f",
                  face: str = "#eeeeee", new_color: str = "#009E73", new_edge: str = "#004d38",
                  y: float = 0.0, scale_bar: bool = True, text_color: str = "#222222",
                  fontsize=None, animated: bool = False) -> Dendrite:
    """Draw a stretch of dendrite to scale, with mushroom spines; spines above
    ``baseline_per_um`` are new.

    Old spines have light (hollow-looking) heads; new spines have filled heads in
    ``new_color``, so they differ by fill as well as colour. Spine positions come from
    ``seed``: the same inputs give the same picture, in figures and videos alike.

    Parameters
    ----------
    density_per_um, baseline_per_um : float
        Spine density now and before the dose (spines per um).
    max_density_per_um : float, optional
        Lay out room for new spines up to this density (animations reveal them).
    length_um : float
        Length of the stretch drawn, um (data units are um).
    scale_bar : bool
        Draw a 5 um scale bar under the shaft.

    Returns
    -------
    Dendrite

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from brainviz.views import draw_dendrite
    >>> fig, ax = plt.subplots()
    >>> d = draw_dendrite(ax=ax, density_per_um=0.55, baseline_per_um=0.5)
    >>> len(d.new_heads.get_paths())
    2
    """
    import matplotlib.pyplot as plt
    from matplotlib.collections import LineCollection, PathCollection
    from matplotlib.patches import FancyBboxPatch
    from matplotlib.path import Path

    ax = ax if ax is not None else plt.gca()
    rng = np.random.default_rng(seed)
    n_max = int(round(_MAX_DENSITY * length_um))
    xs = np.sort(rng.uniform(0.6, length_um - 0.6, n_max))
    side = np.where(rng.random(n_max) < 0.5, -1.0, 1.0)
    neck = rng.uniform(0.8, 1.3, n_max)
    head_w = rng.uniform(0.6, 0.9, n_max)
    tilt = rng.uniform(-0.35, 0.35, n_max)
    order = rng.permutation(n_max)  # which spines exist first
    n_old = int(round(baseline_per_um * length_um))
    top = max(density_per_um, baseline_per_um, max_density_per_um or 0.0)
    n_all = int(round(min(top, _MAX_DENSITY) * length_um))
    n_now = int(round(max(density_per_um, baseline_per_um) * length_um))
    old_idx, new_idx = order[:n_old], order[n_old:n_all]
    half = _SHAFT_UM / 2
    shaft = FancyBboxPatch((0.0, y - half), length_um, _SHAFT_UM,
                           boxstyle=f"round,pad=0,rounding_size={half}", facecolor=face,
                           edgecolor=color, lw=1.4, zorder=2)
    shaft.set_gid("dendrite-shaft")
    ax.add_patch(shaft)

    def geometry(idx):
        segs, heads = [], []
        for i in idx:
            base = np.array([xs[i], y + side[i] * half * 0.9])
            direction = np.array([tilt[i], side[i]])
            direction /= np.hypot(*direction)
            tip = base + direction * neck[i]
            segs.append([tuple(base), tuple(tip)])
            # the mushroom head: an ellipse wider than long, centred past the neck
            centre = tip + direction * head_w[i] * 0.38
            ang = np.linspace(0, 2 * np.pi, 25)
            a, b = head_w[i] / 2, head_w[i] * 0.38
            normal = np.array([direction[1], -direction[0]])
            pts = centre + np.outer(a * np.cos(ang), normal) + np.outer(b * np.sin(ang),
                                                                          direction)
            heads.append(Path(pts, closed=True))
        return segs, heads

    old_segs, old_heads = geometry(old_idx)
    new_segs, new_heads = geometry(new_idx)
    art = Dendrite(n_new_max=len(new_idx), _neck_segs=new_segs, _head_paths=new_heads)
    art.old_necks = LineCollection(old_segs, colors=color, linewidths=2.0, zorder=1)
    art.old_heads = PathCollection(old_heads, facecolors=face, edgecolors=color,
                                   linewidths=1.4, zorder=3)
    art.new_necks = LineCollection([], colors=new_edge, linewidths=2.2, zorder=1,
                                   animated=animated)
    art.new_heads = PathCollection([], facecolors=new_color, edgecolors=new_edge,
                                   linewidths=1.4, zorder=3, animated=animated)
    for c in (art.old_necks, art.old_heads, art.new_necks, art.new_heads):
        ax.add_collection(c)
    art.shaft = shaft
    art.show_new(n_now - n_old)
    if scale_bar:
        x0 = length_um - 5.0
        yb = y - 3.3
        (bar,) = ax.plot([x0, x0 + 5.0], [yb, yb], color=text_color, lw=3,
                         solid_capstyle="butt")
        label = ax.text(x0 + 2.5, yb - 0.35, "5 µm", ha="center", va="top",
                        color=text_color, fontsize=fontsize)
        art.scale_bar = [bar, label]
    ax.set_xlim(-1, length_um + 1)
    ax.set_aspect("equal")
    return art
