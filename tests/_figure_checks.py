"""Checks of drawn figures from their artists: text sizes, overlaps, contrast, greyscale.

Used by the gallery, animation and theme tests. Every check returns a list of
problems (strings), empty when the figure passes, so a failing test names them all.
"""

from __future__ import annotations

import itertools

import numpy as np
from matplotlib.collections import Collection, PathCollection
from matplotlib.colors import to_rgb, to_rgba
from matplotlib.image import AxesImage
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, Patch, Polygon, Rectangle
from matplotlib.text import Text

from brainviz.views.themes import MIN_SLIDE_PT, SLIDE_WIDTH_IN, blend, contrast, luminance


def laid_out(fig):
    """Lay the figure out and draw it without rendering pixels; returns the renderer."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    if not isinstance(fig.canvas, FigureCanvasAgg):  # closed by pyplot: give it a canvas
        FigureCanvasAgg(fig)
    fig.draw_without_rendering()
    return fig.canvas.get_renderer()


def _hidden_tick_labels(fig) -> set:
    hidden = set()
    for ax in fig.axes:
        for axis, (lo, hi) in ((ax.xaxis, ax.get_xlim()), (ax.yaxis, ax.get_ylim())):
            lo, hi = sorted((lo, hi))
            pad = 1e-9 * abs(hi - lo)
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                shown = ax.axison and axis.get_visible() and ax.get_visible() and \
                    lo - pad <= tick.get_loc() <= hi + pad
                for lab in (tick.label1, tick.label2):
                    if not shown or not lab.get_visible():
                        hidden.add(id(lab))
    return hidden


def visible_texts(fig) -> list[Text]:
    hidden = _hidden_tick_labels(fig)
    out = []
    for t in fig.findobj(Text):
        if not t.get_visible() or not t.get_text().strip() or id(t) in hidden:
            continue
        if t.axes is not None and not t.axes.get_visible():
            continue
        out.append(t)
    return out


def small_texts(fig, minimum: float = MIN_SLIDE_PT) -> list[str]:
    """Texts whose size, with the figure scaled to fill a 16:9 slide, is under
    ``minimum`` points."""
    scale = SLIDE_WIDTH_IN / fig.get_figwidth()
    return [f"{t.get_text()[:30]!r} {t.get_fontsize() * scale:.1f} pt"
            for t in visible_texts(fig) if t.get_fontsize() * scale < minimum - 0.05]


def smallest_text_pt(fig) -> float:
    scale = SLIDE_WIDTH_IN / fig.get_figwidth()
    return min(t.get_fontsize() * scale for t in visible_texts(fig))


def _boxes(fig, renderer, shrink=1.5):
    boxes = []
    for t in visible_texts(fig):
        bb = t.get_window_extent(renderer)
        if bb.width <= 0 or bb.height <= 0:
            continue
        boxes.append((t, bb.x0 + shrink, bb.y0 + shrink, bb.x1 - shrink, bb.y1 - shrink))
    return boxes


def overlapping_texts(fig, renderer=None) -> list[str]:
    """Pairs of drawn texts whose boxes overlap, and texts outside the figure."""
    renderer = renderer or laid_out(fig)
    boxes = _boxes(fig, renderer)
    problems = []
    w, h = fig.bbox.width, fig.bbox.height
    for t, x0, y0, x1, y1 in boxes:
        if x0 < -1 or y0 < -1 or x1 > w + 1 or y1 > h + 1:
            problems.append(f"{t.get_text()[:30]!r} runs off the figure")
    for (a, *ba), (b, *bb) in itertools.combinations(boxes, 2):
        if ba[0] < bb[2] and bb[0] < ba[2] and ba[1] < bb[3] and bb[1] < ba[3]:
            problems.append(f"{a.get_text()[:30]!r} overlaps {b.get_text()[:30]!r}")
    return problems


def texts_crossed_by_arrows(fig, renderer=None, pathways=("trauma trace", "extinction",
                                                           "DMN loop", "salience")) -> list[str]:
    """Texts that a main pathway arrow (network figures) passes through."""
    renderer = renderer or laid_out(fig)
    problems = []
    boxes = _boxes(fig, renderer, shrink=3.0)
    for ax in fig.axes:
        arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)
                  and (p.get_gid() or "").removeprefix("pathway-") in pathways]
        for arrow in arrows:
            pts = np.vstack([poly for poly in
                             arrow.get_path().to_polygons(closed_only=False)])
            for t, x0, y0, x1, y1 in boxes:
                if t.axes is not ax:
                    continue
                inside = (pts[:, 0] > x0) & (pts[:, 0] < x1) & (pts[:, 1] > y0) & (pts[:, 1] < y1)
                if inside.any():
                    problems.append(f"{arrow.get_gid()} crosses {t.get_text()[:30]!r}")
    return problems


# ---------------------------------------------------------------------------------
# contrast
# ---------------------------------------------------------------------------------

def _rgba(c):
    c = np.asarray(c, float)
    if c.ndim == 2:
        c = c[0] if len(c) else np.array([0, 0, 0, 0.0])
    return to_rgba(c)


def background_at(fig, ax, x, y, below_zorder, renderer, exclude=()):
    """The opaque colour behind display point (x, y) in ``ax``, from the axes face,
    filled patches and images drawn beneath ``below_zorder``."""
    bg = to_rgb(fig.get_facecolor())
    if ax is None:
        return bg
    face = to_rgba(ax.get_facecolor())
    bg = blend(face[:3], bg, face[3]) if ax.patch.get_visible() else bg
    layers = []
    for p in ax.patches:
        if p in exclude or not p.get_visible() or not p.get_fill():
            continue
        if isinstance(p, FancyArrowPatch) or p.get_zorder() >= below_zorder:
            continue
        fc = to_rgba(p.get_facecolor())
        if fc[3] == 0:
            continue
        if p.get_path().contains_point((x, y), transform=p.get_transform()):
            layers.append((p.get_zorder(), fc))
    for c in ax.collections:
        if isinstance(c, PathCollection) or c.get_zorder() >= below_zorder:
            continue
        try:
            fcs = c.get_facecolor()
        except AttributeError:
            continue
        if len(fcs) and c.contains_point((x, y)):
            layers.append((c.get_zorder(), to_rgba(fcs[0])))
    for im in ax.images:
        if isinstance(im, AxesImage) and im.get_zorder() < below_zorder:
            inv = ax.transData.inverted()
            dx, dy = inv.transform((x, y))
            arr = im.get_array()
            l, r, b, t = im.get_extent()
            if min(l, r) <= dx <= max(l, r) and min(b, t) <= dy <= max(b, t):
                col = int(np.clip(np.floor((dx - l) / (r - l) * arr.shape[1]), 0, arr.shape[1] - 1))
                row = int(np.clip(np.floor((dy - t) / (b - t) * arr.shape[0]), 0,
                                  arr.shape[0] - 1))
                layers.append((im.get_zorder(), im.cmap(im.norm(arr[row, col]))))
    for _, fc in sorted(layers, key=lambda z: z[0]):
        bg = blend(fc[:3], bg, fc[3])
    return bg


def low_contrast(fig, *, text_min=4.5, line_min=3.0, renderer=None) -> list[tuple]:
    """Texts under ``text_min``:1 and lines, markers and arrows under ``line_min``:1
    against what is drawn behind them. Returns ``(ratio, description)`` pairs."""
    renderer = renderer or laid_out(fig)
    out = []
    for t in visible_texts(fig):
        bb = t.get_window_extent(renderer)
        x, y = (bb.x0 + bb.x1) / 2, (bb.y0 + bb.y1) / 2
        bg = background_at(fig, t.axes, x, y, t.get_zorder(), renderer)
        patch = t.get_bbox_patch()
        if patch is not None and patch.get_fill():
            bg = blend(to_rgba(patch.get_facecolor())[:3], bg, to_rgba(patch.get_facecolor())[3])
        rgba = to_rgba(t.get_color())
        alpha = t.get_alpha() if t.get_alpha() is not None else rgba[3]
        ratio = contrast(blend(rgba[:3], bg, alpha), bg)
        if ratio < text_min:
            out.append((ratio, f"text {t.get_text()[:30]!r}"))
    for ax in fig.axes:
        for ln in ax.lines:
            if not ln.get_visible() or len(np.atleast_1d(ln.get_xdata())) == 0:
                continue
            xy = ax.transData.transform(np.column_stack([ln.get_xdata(), ln.get_ydata()]))
            x, y = xy[len(xy) // 2]
            bg = background_at(fig, ax, x, y, ln.get_zorder(), renderer)
            has_line = ln.get_linestyle() not in ("None", "none", " ", "")
            colours = [ln.get_color()] if has_line else []
            if ln.get_marker() not in (None, "None", "none", ""):
                colours.append(ln.get_markerfacecolor())
            alpha = ln.get_alpha() if ln.get_alpha() is not None else 1.0
            if alpha < 0.3:  # halos: decoration behind a marker that carries the meaning
                continue
            for c in colours:
                rgba = to_rgba(c)
                if rgba[3] == 0:
                    continue
                ratio = contrast(blend(rgba[:3], bg, alpha * rgba[3]), bg)
                if ratio < line_min:
                    out.append((ratio, f"line {ln.get_label()!r} {c} in {ax.get_title(loc='left')!r}"))
        for p in ax.patches:
            if not isinstance(p, FancyArrowPatch) or not p.get_visible():
                continue
            verts = p.get_path().vertices
            x, y = verts[len(verts) // 2]
            bg = background_at(fig, ax, x, y, p.get_zorder(), renderer)
            rgba = to_rgba(p.get_edgecolor())
            alpha = p.get_alpha() if p.get_alpha() is not None else rgba[3]
            ratio = contrast(blend(rgba[:3], bg, alpha), bg)
            if ratio < line_min:
                out.append((ratio, f"arrow {p.get_gid()}"))
    return out


def worst_contrast(fig, renderer=None) -> float:
    """The lowest contrast ratio of any text, line, marker or arrow (against what is
    behind it)."""
    renderer = renderer or laid_out(fig)
    found = low_contrast(fig, text_min=1e9, line_min=1e9, renderer=renderer)
    return min(r for r, _ in found) if found else float("inf")


# ---------------------------------------------------------------------------------
# greyscale
# ---------------------------------------------------------------------------------

def _lightness(c) -> float:
    """CIE L* (0-100) of a colour: how light it prints in greyscale."""
    y = luminance(c)
    return 116 * y ** (1 / 3) - 16 if y > 0.008856 else 903.3 * y


def _dash(ls) -> str:
    return {"solid": "-", "dashed": "--", "dashdot": "-.", "dotted": ":"}.get(str(ls), str(ls))


def series_styles(ax) -> list[tuple]:
    """``(colour, dash, marker)`` of each data series (line or arrow) in ``ax``."""
    styles = []
    for ln in ax.lines:
        if not ln.get_visible() or len(np.atleast_1d(ln.get_xdata())) < 2 and \
                ln.get_marker() in (None, "None", "none", ""):
            continue
        if (ln.get_alpha() or 1.0) < 0.3:
            continue
        xs = np.atleast_1d(ln.get_xdata())
        if len(xs) == 2 and (np.allclose(xs[0], xs[1]) or np.allclose(*np.atleast_1d(
                ln.get_ydata())[:2])):
            continue  # reference lines (axvline, axhline): not a series
        no_line = ln.get_linestyle() in ("None", "none", " ", "")
        c = ln.get_markerfacecolor() if no_line else ln.get_color()
        styles.append((to_rgb(c), "" if no_line else _dash(ln.get_linestyle()),
                       str(ln.get_marker())))
    for p in ax.patches:
        if isinstance(p, FancyArrowPatch) and p.get_visible():
            styles.append((to_rgb(p.get_edgecolor()), _dash(p.get_linestyle()), "arrow"))
    return sorted(set(styles))


def greyscale_clashes(fig, min_lightness_gap: float = 15.0) -> list[str]:
    """Pairs of series in one axes that print alike in greyscale: same dash, same
    marker, and lightness within ``min_lightness_gap`` (CIE L*)."""
    problems = []
    for ax in fig.axes:
        for a, b in itertools.combinations(series_styles(ax), 2):
            if a[0] == b[0]:
                continue
            if a[1] != b[1] or a[2] != b[2]:
                continue
            gap = abs(_lightness(a[0]) - _lightness(b[0]))
            if gap < min_lightness_gap:
                problems.append(f"{a} and {b} in {ax.get_title(loc='left')!r}: L* gap {gap:.0f}")
    return problems


def faint_bands(fig, min_lightness_gap: float = 8.0) -> list[str]:
    """Shaded bands and windows (axvspan/axhspan rectangles) that vanish in greyscale:
    no hatch, no visible edge and a fill within ``min_lightness_gap`` of the page."""
    problems = []
    page = to_rgb(fig.get_facecolor())
    for ax in fig.axes:
        for p in ax.patches:
            if not isinstance(p, (Rectangle, Polygon)) or isinstance(p, FancyArrowPatch):
                continue
            if (p.get_gid() or "").startswith(("brain", "inset", "dendrite")):
                continue
            if not p.get_fill() or p.get_hatch():
                continue
            if p.get_linewidth() > 0.5 and to_rgba(p.get_edgecolor())[3] > 0.5:
                continue
            fc = to_rgba(p.get_facecolor())
            seen = blend(fc[:3], page, fc[3])
            gap = abs(_lightness(seen) - _lightness(page))
            if gap < min_lightness_gap:
                problems.append(f"band in {ax.get_title(loc='left')!r}: L* gap {gap:.0f}")
    return problems


del Patch, Collection, Line2D
