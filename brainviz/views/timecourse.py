"""Time courses on readable time axes (minutes to weeks)."""

from __future__ import annotations

import numpy as np

__all__ = ["plot_timecourse", "log_time_axis", "days_axis", "draw_dendrite", "direct_labels"]

_TICKS_H = [(1 / 6, "10 min"), (1, "1 h"), (4, "4 h"), (24, "1 day"), (168, "1 week"),
            (672, "4 weeks")]


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
                    fontsize="small", weight="bold")
    return line


def log_time_axis(ax, *, t_max_h: float, label: bool = True):
    """Log time axis from 10 minutes to ``t_max_h`` with readable tick labels."""
    ax.set_xscale("log")
    ticks = [(t, s) for t, s in _TICKS_H if t <= t_max_h * 1.01]
    ax.set_xticks([t for t, _ in ticks], [s for _, s in ticks])
    ax.minorticks_off()
    ax.set_xlim(1 / 6, t_max_h)
    if label:
        ax.set_xlabel("time after the dose (log scale)")


def days_axis(ax, *, days: float, label: str = "days"):
    """Linear axis in days with weekly ticks for long courses."""
    step = 7 if days > 21 else (2 if days > 6 else 1)
    ax.set_xticks(np.arange(0, days + 0.1, step))
    ax.set_xlim(0, days)
    ax.set_xlabel(label)


def draw_dendrite(*, ax=None, density_per_um: float, baseline_per_um: float,
                  length_um: float = 40.0, seed: int = 0, color: str = "#7f7f7f",
                  new_color: str = "#009E73", y: float = 0.0):
    """Draw a stretch of dendrite with spines; spines above ``baseline_per_um`` are new.

    Spine positions are drawn from ``seed`` (same inputs, same picture); new spines are
    green with a white-edged square head, so they differ by shape as well as colour.

    Returns
    -------
    dict
        ``{"shaft": Line2D, "old": LineCollection, "new": LineCollection,
        "old_heads": Line2D, "new_heads": Line2D}``.
    """
    import matplotlib.pyplot as plt
    from matplotlib.collections import LineCollection

    ax = ax if ax is not None else plt.gca()
    rng = np.random.default_rng(seed)
    n_max = int(round(1.0 * length_um))  # room for up to 1 spine per um
    xs = np.sort(rng.uniform(0.5, length_um - 0.5, n_max))
    side = np.where(rng.random(n_max) < 0.5, -1.0, 1.0)
    size = rng.uniform(0.8, 1.3, n_max)
    order = rng.permutation(n_max)  # which spines exist first
    n_old = int(round(baseline_per_um * length_um))
    n_all = int(round(max(density_per_um, baseline_per_um) * length_um))
    old_idx, new_idx = order[:n_old], order[n_old:n_all]
    (shaft,) = ax.plot([0, length_um], [y, y], color=color, lw=9, solid_capstyle="round",
                       zorder=1)

    def spines(idx, c, marker, edge):
        segs = [[(xs[i], y + side[i] * 0.5), (xs[i], y + side[i] * 2.0 * size[i])] for i in idx]
        lc = LineCollection(segs, colors=c, linewidths=2.5, zorder=2)
        ax.add_collection(lc)
        (heads,) = ax.plot(xs[idx], y + side[idx] * 2.3 * size[idx], linestyle="none",
                           marker=marker, markersize=8 if marker == "o" else 11, color=c,
                           markeredgecolor=edge, zorder=3)
        return lc, heads

    old, old_heads = spines(old_idx, color, "o", color)
    new, new_heads = spines(new_idx, new_color, "s", "white")
    ax.set_xlim(-1, length_um + 1)
    return {"shaft": shaft, "old": old, "new": new, "old_heads": old_heads,
            "new_heads": new_heads}


def direct_labels(ax, x: float, ys, labels, colors, *, min_gap: float, ha: str = "right",
                  dx_points: float = -4, dy: float = 0.0):
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
    return [ax.annotate(lab, (x, placed[i]), xytext=(dx_points, 0), textcoords="offset points",
                        ha=ha, va="center", color=col, fontsize="small", weight="bold")
            for i, (lab, col) in enumerate(zip(labels, colors))]
