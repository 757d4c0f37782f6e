"""Time courses on readable time axes (minutes to weeks)."""

from __future__ import annotations

import numpy as np

__all__ = ["plot_timecourse", "log_time_axis", "days_axis"]

_TICKS_H = [(1 / 6, "10 min"), (1, "1 h"), (4, "4 h"), (24, "1 day"), (72, "3 days"),
            (168, "1 week"), (336, "2 weeks"), (672, "4 weeks")]


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
    >>> from brainviz.plotting import plot_timecourse
    >>> fig, ax = plt.subplots()
    >>> line = plot_timecourse([0, 24, 48], [1, 2, 1], ax=ax, unit="days")
    >>> list(line.get_xdata())
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
