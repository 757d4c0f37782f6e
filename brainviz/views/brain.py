"""A brain outline of brainviz's own drawing, in MNI millimetres.

Sagittal (y forward, z up) and axial (x right, y forward) views, each a few smooth
closed curves through hand-placed control points (closed Catmull-Rom splines). It is
a schematic for placing regions, not an anatomical atlas.
"""

from __future__ import annotations

import numpy as np

__all__ = ["VIEWS", "outline_paths", "draw_brain", "project"]

VIEWS = ("sagittal", "axial")

# control points (mm). Sagittal: (y, z); axial: (x, y).
_SAGITTAL = {
    "cerebrum": [(70, 8), (66, 35), (52, 58), (30, 72), (4, 78), (-26, 75), (-54, 64),
                 (-78, 46), (-96, 22), (-104, 0), (-98, -14), (-78, -20), (-54, -21),
                 (-36, -36), (-16, -46), (8, -46), (26, -38), (34, -26), (38, -15),
                 (48, -18), (60, -13), (68, -4)],
    "cerebellum": [(-44, -30), (-60, -23), (-82, -27), (-95, -42), (-87, -59), (-65, -67),
                   (-46, -59), (-38, -45)],
    "brainstem": [(-6, -22), (-9, -48), (-15, -74), (-31, -74), (-29, -47), (-25, -24)],
}
_SAGITTAL_LINES = {
    # corpus callosum, a recognisable midline landmark
    "callosum": [(27, 8), (31, 18), (18, 26), (-8, 27), (-30, 23), (-41, 13), (-36, 5)],
}
_AXIAL_HALF = [(0, 73), (28, 69), (52, 53), (65, 25), (69, -8), (66, -44), (55, -74),
               (33, -97), (0, -106)]
_AXIAL = {"cerebrum": _AXIAL_HALF + [(-x, y) for x, y in reversed(_AXIAL_HALF[1:-1])]}
_AXIAL_LINES = {"midline": [(0, 73), (0, 40), (0, 0), (0, -40), (0, -106)]}


def _catmull_rom(points, closed: bool = True, n: int = 24) -> np.ndarray:
    p = np.asarray(points, dtype=float)
    if closed:
        p = np.vstack([p[-1], p, p[0], p[1]])
    else:
        p = np.vstack([2 * p[0] - p[1], p, 2 * p[-1] - p[-2]])
    s = np.linspace(0, 1, n, endpoint=False)[:, None]
    out = []
    for i in range(1, len(p) - 2):
        p0, p1, p2, p3 = p[i - 1], p[i], p[i + 1], p[i + 2]
        out.append(0.5 * ((2 * p1) + (-p0 + p2) * s + (2 * p0 - 5 * p1 + 4 * p2 - p3) * s**2
                          + (-p0 + 3 * p1 - 3 * p2 + p3) * s**3))
    curve = np.vstack(out)
    if closed:
        curve = np.vstack([curve, curve[:1]])
    else:
        curve = np.vstack([curve, p[-2]])
    return curve


def outline_paths(view: str = "sagittal") -> dict[str, np.ndarray]:
    """Smooth outline curves of one view, as ``{part: (n, 2) array}`` in mm.

    Closed parts (``cerebrum``, ``cerebellum``, ``brainstem``) end where they start;
    open landmarks (``callosum``, ``midline``) do not.

    Examples
    --------
    >>> from brainviz.views import outline_paths
    >>> sorted(outline_paths("sagittal"))
    ['brainstem', 'callosum', 'cerebellum', 'cerebrum']
    """
    _check_view(view)
    closed, open_ = (_SAGITTAL, _SAGITTAL_LINES) if view == "sagittal" else (_AXIAL, _AXIAL_LINES)
    paths = {k: _catmull_rom(v, closed=True) for k, v in closed.items()}
    paths.update({k: _catmull_rom(v, closed=False) for k, v in open_.items()})
    return paths


def project(mni, view: str = "sagittal") -> tuple[float, float]:
    """2-D position of an MNI point ``(x, y, z)`` in a view."""
    _check_view(view)
    x, y, z = mni
    return (float(y), float(z)) if view == "sagittal" else (float(x), float(y))


def draw_brain(*, ax=None, view: str = "sagittal", face: str = "#eeeeee",
               edge: str = "#9a9a9a", text: str = "#666666", orientation: bool = True):
    """Draw the brain outline of one view.

    Parameters
    ----------
    ax : matplotlib.axes.Axes, optional
        Axes to draw on (default: the current axes).
    view : {"sagittal", "axial"}
    face, edge, text : str
        Fill, outline and label colours.
    orientation : bool
        Label the directions (anterior/posterior, left/right).

    Returns
    -------
    list of matplotlib.artist.Artist
        The patches, lines and labels drawn.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from brainviz.views import draw_brain
    >>> fig, ax = plt.subplots()
    >>> artists = draw_brain(ax=ax, view="axial")
    >>> len(artists) > 0
    True
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Polygon

    ax = ax if ax is not None else plt.gca()
    artists = []
    for name, curve in outline_paths(view).items():
        if name in ("callosum", "midline"):
            (line,) = ax.plot(curve[:, 0], curve[:, 1], color=edge, lw=3 if name == "callosum"
                              else 1.2, alpha=0.7, solid_capstyle="round", zorder=1)
            artists.append(line)
        else:
            front = name == "cerebrum"  # the cerebrum hides what lies behind it
            patch = Polygon(curve, closed=True, facecolor=face, edgecolor=edge, lw=1.6,
                            alpha=1.0 if front else 0.75, zorder=0 if front else -1,
                            joinstyle="round")
            ax.add_patch(patch)
            artists.append(patch)
    ax.set_aspect("equal")
    ax.set_axis_off()
    if view == "sagittal":
        ax.set_xlim(-112, 80)
        ax.set_ylim(-80, 86)
        if orientation:
            artists += [ax.text(78, -74, "front", ha="right", va="bottom", color=text,
                                fontsize="small", style="italic"),
                        ax.text(-110, -74, "back", ha="left", va="bottom", color=text,
                                fontsize="small", style="italic")]
    else:
        ax.set_xlim(-80, 80)
        ax.set_ylim(-112, 82)
        if orientation:
            artists += [ax.text(-76, 76, "L", ha="left", va="top", color=text, weight="bold"),
                        ax.text(76, 76, "R", ha="right", va="top", color=text, weight="bold")]
    return artists


def _check_view(view):
    if view not in VIEWS:
        raise ValueError(f"view must be one of {list(VIEWS)}, got {view!r}")
