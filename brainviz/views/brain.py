"""A brain outline of brainviz's own drawing, in MNI millimetres.

Two views, each a few smooth closed curves (closed Catmull-Rom splines) through
control points:

* **sagittal** (y forward, z up): a medial view of the left hemisphere with the
  corpus callosum, the thalamus, the brainstem (midbrain, pons, medulla) joined to the
  cerebellum behind it, and the temporal lobe below the frontal lobe, its pole
  under the orbital surface. Regions are placed by their MNI coordinates, projected
  onto the sagittal plane (a "glass brain", as in nilearn's connectome plots): the
  amygdala lands in the anterior medial temporal lobe, the hippocampus behind it,
  the vmPFC above the orbital surface.
* **axial** (x right, y forward): the outline seen from above, with the insula deep
  in the lateral sulcus (shown in an inset on sagittal figures, since the insula
  lies lateral, hidden by the operculum in a side view).

Sources of the control points: traced by hand (about +-4 mm) over the MNI152
ICBM 2009a symmetric template (Fonov et al. 2011, NeuroImage 54:313; the copy
distributed with nilearn): the medial outline, callosum, thalamus, brainstem and
cerebellar vermis from the slice at x = -4 mm, the cerebellar hemisphere and the
temporal lobe from x = -28 mm, the axial outline from the template's dorsal
silhouette, the insula from the slice at z = 0 mm. Nothing is downloaded at run
time. It is a schematic for placing regions, not an atlas.
"""

from __future__ import annotations

import numpy as np

__all__ = ["VIEWS", "SOURCE", "outline_paths", "draw_brain", "project", "draw_axial_inset"]

VIEWS = ("sagittal", "axial")

SOURCE = ("outline traced over the MNI152 ICBM 2009a symmetric template "
          "(Fonov et al. 2011, NeuroImage); approximate, +-4 mm")

# control points (mm). Sagittal: (y, z); axial: (x, y). Drawn back to front.
_SAGITTAL = {
    "temporal": [(23, -33), (21, -42), (12, -48), (0, -50), (-12, -49), (-25, -44),
                 (-38, -37), (-50, -30), (-52, -20), (-40, -12), (-25, -11), (-10, -14),
                 (5, -19), (15, -25)],
    "cerebrum": [(71, 0), (70, 18), (64, 36), (55, 50), (43, 61), (28, 70), (10, 76),
                 (-10, 78), (-28, 77), (-45, 72), (-60, 65), (-74, 54), (-86, 41), (-96, 25),
                 (-102, 8), (-102, -4), (-96, -13), (-85, -15), (-70, -10), (-55, -5),
                 (-42, -3), (-30, -6), (-18, -9), (-6, -11), (4, -14), (12, -20), (20, -27),
                 (32, -31), (45, -32), (57, -29), (66, -21), (70, -10)],
    "cerebellum": [(-42, -22), (-52, -12), (-65, -10), (-80, -14), (-92, -22), (-98, -35),
                   (-96, -50), (-85, -62), (-68, -67), (-55, -62), (-47, -52), (-43, -40)],
    "brainstem": [(-12, -4), (-10, -14), (-9, -24), (-10, -33), (-15, -42), (-25, -49),
                  (-33, -58), (-37, -72), (-49, -72), (-49, -58), (-45, -46), (-41, -34),
                  (-38, -22), (-36, -10), (-30, -4)],
    "thalamus": [(-4, 8), (-10, 16), (-22, 16), (-32, 10), (-30, 0), (-18, -3), (-6, 0)],
    "callosum": [(34, 10), (31, 20), (22, 25), (5, 27), (-15, 26), (-30, 23), (-40, 17),
                 (-44, 10), (-38, 4), (-32, 9), (-20, 14), (0, 17), (15, 15), (23, 10),
                 (25, 3), (21, -2), (28, 4)],
}
_SAGITTAL_LINES: dict = {}
_AXIAL_HALF = [(0, 75), (-15, 75), (-28, 72), (-40, 66), (-49, 57), (-56, 45), (-61, 30),
               (-66, 12), (-70, -3), (-73, -20), (-74, -35), (-72, -48), (-67, -60),
               (-60, -73), (-50, -86), (-40, -97), (-27, -105), (-12, -108), (0, -107)]
_AXIAL = {
    "cerebrum": [(-x, y) for x, y in reversed(_AXIAL_HALF[1:-1])] + _AXIAL_HALF,
    # the left and right insula at z = 0: a long narrow island under the lateral sulcus
    "insula_left": [(-34, 24), (-40, 16), (-42, 0), (-41, -14), (-37, -22), (-34, -12),
                    (-33, 4)],
    "insula_right": [(34, 24), (33, 4), (34, -12), (37, -22), (41, -14), (42, 0), (40, 16)],
}
_AXIAL_LINES = {"midline": [(0, 75), (0, 40), (0, 0), (0, -40), (0, -107)]}

#: fill shade of each part relative to the theme's outline face (0 = face, 1 = edge)
_SHADE = {"temporal": 0.12, "cerebrum": 0.0, "cerebellum": 0.22, "brainstem": 0.3,
          "thalamus": 0.18, "callosum": 0.45, "insula_left": 0.5, "insula_right": 0.5}


def _catmull_rom(points, closed: bool = True, n: int = 16) -> np.ndarray:
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

    Closed parts end where they start; open landmarks (the axial ``midline``) do not.
    Parts come in drawing order (back to front).

    Examples
    --------
    >>> from brainviz.views import outline_paths
    >>> list(outline_paths("sagittal"))
    ['temporal', 'cerebrum', 'cerebellum', 'brainstem', 'thalamus', 'callosum']
    """
    _check_view(view)
    closed, open_ = (_SAGITTAL, _SAGITTAL_LINES) if view == "sagittal" else (_AXIAL, _AXIAL_LINES)
    paths = {k: _catmull_rom(v, closed=True) for k, v in closed.items()}
    paths.update({k: _catmull_rom(v, closed=False) for k, v in open_.items()})
    return paths


def project(mni, view: str = "sagittal") -> tuple[float, float]:
    """2-D position of an MNI point ``(x, y, z)`` in a view.

    Examples
    --------
    >>> from brainviz.views import project
    >>> project((-22, -4, -18)), project((-22, -4, -18), "axial")
    ((-4.0, -18.0), (-22.0, -4.0))
    """
    _check_view(view)
    x, y, z = mni
    return (float(y), float(z)) if view == "sagittal" else (float(x), float(y))


def _mix(a, b, t):
    from matplotlib.colors import to_rgb

    a, b = to_rgb(a), to_rgb(b)
    return tuple((1 - t) * x + t * y for x, y in zip(a, b))


def draw_brain(*, ax=None, view: str = "sagittal", face: str = "#eeeeee",
               edge: str = "#8a8a8a", text: str = "#555555", orientation: bool = True,
               fontsize=None, offset=(0.0, 0.0), scale: float = 1.0, zorder: float = 0,
               depth: float = 1.0):
    """Draw the brain outline of one view.

    Parameters
    ----------
    ax : matplotlib.axes.Axes, optional
        Axes to draw on (default: the current axes).
    view : {"sagittal", "axial"}
    face, edge, text : str
        Fill, outline and label colours.
    orientation : bool
        Label the directions (front/back, left/right).
    fontsize : float, optional
        Size of the orientation labels.
    offset, scale :
        Draw the outline moved and scaled in data units (for an inset in the same
        axes); the default leaves axes limits and aspect to this function.
    zorder : float
        Base z-order of the outline.
    depth : float
        How much darker (or lighter) the inner parts are drawn than the cerebrum
        (1 = default; the dark theme uses less, so markers keep their contrast).

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
    off = np.asarray(offset, float)
    for k, (name, curve) in enumerate(outline_paths(view).items()):
        xy = off + scale * curve
        if name in _SAGITTAL_LINES or name in _AXIAL_LINES:
            (line,) = ax.plot(xy[:, 0], xy[:, 1], color=edge, lw=1.0, alpha=0.8,
                              solid_capstyle="round", zorder=zorder + 0.5)
            artists.append(line)
            continue
        patch = Polygon(xy, closed=True, facecolor=_mix(face, edge, depth * _SHADE.get(name, 0.0)),
                        edgecolor=edge, lw=1.4 if scale == 1 else 1.0,
                        zorder=zorder + k * 0.01, joinstyle="round")
        patch.set_gid(f"brain-{name}")
        ax.add_patch(patch)
        artists.append(patch)
    if scale != 1.0 or np.any(off):
        return artists
    ax.set_aspect("equal")
    ax.set_axis_off()
    size = fontsize if fontsize is not None else "small"
    if view == "sagittal":
        ax.set_xlim(-108, 76)
        ax.set_ylim(-76, 82)
        if orientation:
            artists += [ax.text(74, 78, "front", ha="right", va="top", color=text,
                                fontsize=size, style="italic"),
                        ax.text(-106, 78, "back", ha="left", va="top", color=text,
                                fontsize=size, style="italic")]
    else:
        ax.set_xlim(-80, 80)
        ax.set_ylim(-112, 82)
        if orientation:
            artists += [ax.text(-76, 78, "L", ha="left", va="top", color=text, weight="bold",
                                fontsize=size),
                        ax.text(76, 78, "R", ha="right", va="top", color=text, weight="bold",
                                fontsize=size)]
    return artists


def draw_axial_inset(ax, *, anchor=(-104.0, 40.0), scale: float = 0.3, face: str = "#eeeeee",
                     edge: str = "#8a8a8a", highlight: str = "#CC79A7", zorder: float = 1):
    """A small top view of the brain drawn inside a sagittal axes, with the insula
    (under the lateral sulcus) filled in ``highlight``.

    ``anchor`` is where the inset's centre goes, in the sagittal axes' data units
    (mm). Returns ``(artists, to_inset)`` where ``to_inset(x, y)`` maps axial
    coordinates (mm) to the sagittal axes' data units.
    """
    anchor = np.asarray(anchor, float)

    def to_inset(x, y):
        # drawn rotated so that the front points right, as in the sagittal view
        return anchor + scale * np.array([y + 16.0, -x])

    artists = []
    from matplotlib.patches import Polygon

    for name, curve in outline_paths("axial").items():
        if name == "midline":
            xy = np.array([to_inset(x, y) for x, y in curve])
            (line,) = ax.plot(xy[:, 0], xy[:, 1], color=edge, lw=0.8, zorder=zorder + 0.1)
            artists.append(line)
            continue
        xy = np.array([to_inset(x, y) for x, y in curve])
        fill = highlight if name.startswith("insula") else face
        patch = Polygon(xy, closed=True, facecolor=fill, edgecolor=edge, lw=1.0,
                        zorder=zorder + (0.2 if name.startswith("insula") else 0.0))
        patch.set_gid(f"inset-{name}")
        ax.add_patch(patch)
        artists.append(patch)
    return artists, to_inset


def _check_view(view):
    if view not in VIEWS:
        raise ValueError(f"view must be one of {list(VIEWS)}, got {view!r}")
