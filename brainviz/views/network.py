"""The brain network drawn on the outline: regions by system, pathways by sign and weight."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .brain import draw_axial_inset, draw_brain, project
from .themes import SYSTEM_STYLE, color, get_theme, pathway_style

__all__ = ["NetworkArtists", "draw_network", "network_legend", "edge_width"]

# label anchor offsets in mm (data units) and alignment, so labels sit beside their
# node, off the arrows and off each other at every theme's font size
_LABELS = {
    "sagittal": {
        "thalamus": (-8, -2, "right", "top"),
        "hippocampus": (-9, 0, "right", "center"),
        "amygdala": (6, -9, "left", "top"),
        "vmpfc": (10, 0, "left", "center"),
        "mpfc": (4, 9, "center", "bottom"),
        "pcc": (-4, -8, "right", "top"),
        "angular": (-2, 9, "center", "bottom"),
        "insula": (6, -2, "left", "top"),
    },
    "axial": {
        "thalamus": (8, 0, "left", "center"), "hippocampus": (-8, -6, "right", "top"),
        "amygdala": (-8, 4, "right", "bottom"), "insula": (-8, 8, "right", "bottom"),
        "vmpfc": (8, -4, "left", "top"), "mpfc": (0, 9, "center", "bottom"),
        "pcc": (8, 0, "left", "center"), "angular": (0, -9, "center", "top"),
    },
}
_BASE_NODE = 15.0  # marker size (points) of a region at activity 1
_HALO = 1.5  # halo size relative to its node
_INSET = {"anchor": (50.0, -57.0), "scale": 0.22}  # the axial inset of sagittal views
# the DMN loop's long arrows arc over the callosum, clear of the labels below them
_ARC = {("pcc", "mpfc"): -0.3, ("mpfc", "pcc"): 0.2, ("angular", "mpfc"): -0.3,
        ("mpfc", "angular"): 0.22}


def edge_width(weight, scale: float = 1.0) -> float:
    """Line width (points) of a pathway of signed ``weight``: grows faster than the
    weight, so that the model's changes of a third or so are easy to see."""
    return scale * (0.6 + 16.0 * abs(float(weight)) ** 1.5)


def _node_size(activity, scale):
    return scale * _BASE_NODE * float(np.clip(0.5 + 0.4 * np.sqrt(max(activity, 0.0)), 0.5, 1.6))


@dataclass
class NetworkArtists:
    """What :func:`draw_network` drew, so figures and animations can update it in place.

    Attributes
    ----------
    nodes : dict
        Region name -> ``Line2D`` marker.
    halos : dict
        Region name -> ``Line2D`` translucent halo that grows with activity.
    edges : dict
        ``(source, target)`` -> ``FancyArrowPatch``.
    labels : dict
        Region name -> ``Text``.
    brain : list
        The outline artists (and the axial inset, on sagittal views).
    """

    nodes: dict = field(default_factory=dict)
    halos: dict = field(default_factory=dict)
    edges: dict = field(default_factory=dict)
    labels: dict = field(default_factory=dict)
    brain: list = field(default_factory=list)
    node_scale: float = 1.0
    edge_scale: float = 1.0
    pathways: dict = field(default_factory=dict)
    heads: dict = field(default_factory=dict)
    signs: dict = field(default_factory=dict)

    def freeze(self) -> None:
        """Replace each arrow by fixed paths (shaft and head) of the same look.

        A ``FancyArrowPatch`` recomputes its curve, shrink and head on every draw;
        animations call this once the layout is final, so that frames only change line
        widths. Call it after the figure has been laid out (``fig.canvas.draw()``).
        """
        from matplotlib.patches import PathPatch
        from matplotlib.path import Path

        for edge, arrow in list(self.edges.items()):
            ax = arrow.axes
            parts = arrow.get_path().to_polygons(closed_only=False)
            kw = dict(edgecolor=arrow.get_edgecolor(), alpha=arrow.get_alpha(),
                      zorder=arrow.get_zorder(), capstyle="round", joinstyle="round",
                      linewidth=arrow.get_linewidth())
            shaft = PathPatch(Path(parts[0]), fill=False, linestyle=arrow.get_linestyle(), **kw)
            shaft.set_gid(arrow.get_gid())
            ax.add_patch(shaft)
            head = None
            if len(parts) > 1:
                verts = np.vstack(parts[1:])
                head = PathPatch(Path(verts), fill=self.signs.get(edge, 1) > 0,
                                 facecolor=arrow.get_facecolor(), linestyle="-", **kw)
                head.set_gid(f"{arrow.get_gid()}-head")
                ax.add_patch(head)
            arrow.remove()
            self.edges[edge] = shaft
            if head is not None:
                self.heads[edge] = head

    def update(self, activity=None, weights=None) -> list:
        """Set node sizes from ``activity`` and edge widths from ``weights``.

        ``activity`` maps region -> activity (model units, 1 = typical) and ``weights``
        maps ``(source, target)`` -> signed weight. Returns the artists changed.
        """
        changed = []
        if activity is not None:
            for name, value in activity.items():
                if name not in self.nodes:  # drawn with only=...
                    continue
                size = _node_size(value, self.node_scale)
                self.nodes[name].set_markersize(size)
                self.halos[name].set_markersize(size * _HALO)
                changed += [self.halos[name], self.nodes[name]]
        if weights is not None:
            for edge, w in weights.items():
                if edge not in self.edges:
                    continue
                patch = self.edges[edge]
                lw = edge_width(w, self.edge_scale)
                patch.set_linewidth(lw)
                changed.append(patch)
                if edge in self.heads:
                    self.heads[edge].set_linewidth(min(lw, 2.0))
                    changed.append(self.heads[edge])
        return changed

    def focus(self, pathways=None, regions=None, dimmed: float = 0.3) -> list:
        """Highlight some pathways (by pathway name) and regions; dim the rest.

        ``None`` for both restores everything. Returns the artists changed.
        """
        changed = []
        for edge, patch in self.edges.items():
            on = pathways is None or self.pathways[edge] in pathways
            patch.set_alpha(0.9 if on else dimmed)
            changed.append(patch)
            if edge in self.heads:
                self.heads[edge].set_alpha(0.9 if on else dimmed)
                changed.append(self.heads[edge])
        for name, node in self.nodes.items():
            on = regions is None or name in regions
            node.set_alpha(1.0 if on else max(dimmed, 0.45))
            self.halos[name].set_alpha(0.18 if on else 0.05)
            changed += [node, self.halos[name]]
        return changed

    @property
    def animated(self) -> list:
        """Artists that change between animation frames."""
        return (list(self.halos.values()) + list(self.edges.values())
                + list(self.heads.values()) + list(self.nodes.values()))


def draw_network(graph, *, ax=None, view: str = "sagittal", activity=None, weights=None,
                 theme: str = "notebook", labels: bool = True, brain: bool = True,
                 only=None, animated: bool = False, inset: bool = True) -> NetworkArtists:
    """Draw a brain network on the outline.

    Parameters
    ----------
    graph : networkx.DiGraph
        From :func:`brainviz.build_network` (nodes need ``mni``, ``system``, ``label``;
        edges ``weight``, ``sign``, ``pathway``).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on (default: the current axes).
    view : {"sagittal", "axial"}
    activity : dict, optional
        Region -> activity, mapped to node size (default: the same size for all).
    weights : dict, optional
        ``(source, target)`` -> signed weight, mapped to edge width (default: the
        graph's weights).
    theme : str
        Theme name, for outline and text colours and sizes.
    labels, brain : bool
        Draw region labels and the brain outline.
    only : iterable of str, optional
        Draw only these regions and the edges among them.
    animated : bool
        Mark changing artists as animated (for blitting).
    inset : bool
        On the sagittal view, add a small top view showing where the insula lies
        (lateral, under the operculum; the side view shows its projection).

    Returns
    -------
    NetworkArtists

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import brainviz as bv
    >>> from brainviz.views import draw_network
    >>> fig, ax = plt.subplots()
    >>> art = draw_network(bv.build_network("ptsd"), ax=ax)
    >>> len(art.nodes), len(art.edges)
    (8, 15)
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import ArrowStyle, FancyArrowPatch

    th = get_theme(theme)
    ax = ax if ax is not None else plt.gca()
    art = NetworkArtists(node_scale=th.node_scale, edge_scale=th.node_scale ** 0.5)
    if brain:
        art.brain = draw_brain(ax=ax, view=view, face=th.outline_face, edge=th.outline_edge,
                               text=th.muted, fontsize=th.small,
                               depth=0.3 if th.name == "dark" else 1.0)
    keep = set(graph.nodes) if only is None else set(only)
    pos = {n: project(d["mni"], view) for n, d in graph.nodes(data=True) if n in keep}
    if view == "sagittal" and inset and "insula" in pos:
        parts, to_inset = draw_axial_inset(
            ax, anchor=_INSET["anchor"], scale=_INSET["scale"], face=th.outline_face,
            edge=th.outline_edge, highlight=color("purple", th) if th.name != "print"
            else "#9a9a9a")
        art.brain += parts
        mni = graph.nodes["insula"]["mni"]
        there = to_inset(mni[0], mni[1])
        (leader,) = ax.plot([pos["insula"][0], there[0]], [pos["insula"][1], there[1]],
                            color=th.muted, lw=1.2, ls=(0, (1, 2)), zorder=1.2)
        note = ax.text(to_inset(0, -107)[0] - 2, to_inset(0, -107)[1], "insula,\nfrom above",
                       ha="right", va="center", color=th.text, fontsize=th.small, zorder=5)
        art.brain += [leader, note]
    if weights is None:
        weights = {(u, v): d["sign"] * d["weight"] for u, v, d in graph.edges(data=True)}
    if activity is None:
        activity = {n: 1.0 for n in pos}
    for (u, v), d in ((e, graph.edges[e]) for e in graph.edges):
        if u not in keep or v not in keep:
            continue
        style = pathway_style(d["pathway"], th)
        minor = d["pathway"] not in ("trauma trace", "extinction", "DMN loop", "salience")
        head = ArrowStyle("-[", widthB=4.0, lengthB=0.0) if d["sign"] < 0 else \
            ArrowStyle("-|>", head_length=5, head_width=3)
        patch = FancyArrowPatch(
            pos[u], pos[v], arrowstyle=head,
            connectionstyle=f"arc3,rad={_ARC.get((u, v), 0.18)}",
            color=style["color"], linestyle=style["linestyle"], alpha=0.9,
            linewidth=(1.2 * art.edge_scale if minor
                       else edge_width(weights.get((u, v), 0.0), art.edge_scale)),
            shrinkA=9 * th.node_scale, shrinkB=11 * th.node_scale, mutation_scale=1.6,
            zorder=2 if not minor else 1.5, capstyle="round", animated=animated)
        patch.set_gid(f"pathway-{d['pathway']}")
        ax.add_patch(patch)
        art.edges[u, v] = patch
        art.pathways[u, v] = d["pathway"]
        art.signs[u, v] = d["sign"]
    for n, (x, y) in pos.items():
        d = graph.nodes[n]
        style = SYSTEM_STYLE[d["system"]]
        c = color(style["color"], th)
        size = _node_size(activity.get(n, 1.0), art.node_scale)
        (halo,) = ax.plot([x], [y], marker=style["marker"], markersize=size * _HALO,
                          color=c, alpha=0.18, markeredgewidth=0, zorder=3,
                          linestyle="none", animated=animated)
        (node,) = ax.plot([x], [y], marker=style["marker"], markersize=size, color=c,
                          markerfacecolor=c, markeredgecolor=th.background,
                          markeredgewidth=1.5, zorder=4, linestyle="none", animated=animated)
        art.halos[n], art.nodes[n] = halo, node
        if labels:
            dx, dy, ha, va = _LABELS[view].get(n, (0, 10, "center", "bottom"))
            text = d["label"]
            art.labels[n] = ax.text(x + dx, y + dy, text, ha=ha, va=va,
                                    fontsize=th.small, color=th.text, weight="bold",
                                    zorder=5)
    return art


def network_legend(*, ax=None, theme: str = "notebook", loc="lower center", ncol=4,
                   systems: bool = False, **kw):
    """A legend for pathways (line style + colour) and, optionally, systems (marker).

    ``ax`` may be an Axes or a Figure (a figure legend, e.g. ``loc="outside lower
    center"`` under constrained layout).

    Returns
    -------
    matplotlib.legend.Legend
    """
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    th = get_theme(theme)
    ax = ax if ax is not None else plt.gca()
    handles = []
    if systems:
        handles += [Line2D([], [], marker=s["marker"], color=color(s["color"], th),
                           linestyle="none", markersize=10 * th.node_scale ** 0.5,
                           label=s["label"]) for s in SYSTEM_STYLE.values()]
    for name in ("trauma trace", "extinction", "DMN loop", "salience"):
        st = pathway_style(name, th)
        handles.append(Line2D([], [], color=st["color"], linestyle=st["linestyle"],
                              lw=3.5, label=st["label"]))
    kw.setdefault("fontsize", th.small)
    return ax.legend(handles=handles, loc=loc, ncol=ncol, handlelength=2.6, **kw)
