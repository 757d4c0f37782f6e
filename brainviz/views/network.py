"""The brain network drawn on the outline: regions by system, pathways by sign and weight."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .themes import SYSTEM_STYLE, get_theme, pathway_style
from .brain import draw_brain, project

__all__ = ["NetworkArtists", "draw_network", "network_legend"]

# label offsets (points) so labels do not sit on their node or on each other
_LABEL_OFFSET = {
    "sagittal": {"thalamus": (-4, 15), "hippocampus": (-12, -16), "amygdala": (22, -13),
                 "insula": (6, 15), "vmpfc": (14, -16), "mpfc": (4, 16), "pcc": (14, 16),
                 "angular": (-16, 16)},
    "axial": {"thalamus": (14, 8), "hippocampus": (-14, -14), "amygdala": (-14, 10),
              "insula": (-14, 8), "vmpfc": (16, 0), "mpfc": (0, 14), "pcc": (16, 0),
              "angular": (0, -16)},
}
_BASE_NODE = 14.0  # marker size (points) of a region at activity 1
_BASE_EDGE = 9.0  # line width (points) of an edge of weight 1
_HALO = 1.5  # halo size relative to its node


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
        The outline artists.
    """

    nodes: dict = field(default_factory=dict)
    halos: dict = field(default_factory=dict)
    edges: dict = field(default_factory=dict)
    labels: dict = field(default_factory=dict)
    brain: list = field(default_factory=list)
    node_scale: float = 1.0
    edge_scale: float = 1.0

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
                patch.set_linewidth(_edge_width(w, self.edge_scale))
                changed.append(patch)
        return changed

    @property
    def animated(self) -> list:
        """Artists that change between animation frames."""
        return list(self.halos.values()) + list(self.edges.values()) + list(self.nodes.values())


def _node_size(activity, scale):
    return scale * _BASE_NODE * float(np.clip(0.5 + 0.4 * np.sqrt(max(activity, 0.0)), 0.5, 1.6))


def _edge_width(weight, scale):
    return scale * max(0.4, _BASE_EDGE * abs(float(weight)))


def draw_network(graph, *, ax=None, view: str = "sagittal", activity=None, weights=None,
                 theme: str = "notebook", labels: bool = True, brain: bool = True,
                 only=None, animated: bool = False) -> NetworkArtists:
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
                               text=th.muted)
    keep = set(graph.nodes) if only is None else set(only)
    pos = {n: project(d["mni"], view) for n, d in graph.nodes(data=True) if n in keep}
    if weights is None:
        weights = {(u, v): d["sign"] * d["weight"] for u, v, d in graph.edges(data=True)}
    if activity is None:
        activity = {n: 1.0 for n in pos}
    for (u, v), d in ((e, graph.edges[e]) for e in graph.edges):
        if u not in keep or v not in keep:
            continue
        style = pathway_style(d["pathway"])
        head = ArrowStyle("-[", widthB=4.0, lengthB=0.0) if d["sign"] < 0 else \
            ArrowStyle("-|>", head_length=5, head_width=3)
        patch = FancyArrowPatch(
            pos[u], pos[v], arrowstyle=head, connectionstyle="arc3,rad=0.18",
            color=style["color"], linestyle=style["linestyle"], alpha=0.85,
            linewidth=_edge_width(weights.get((u, v), 0.0), art.edge_scale),
            shrinkA=9 * th.node_scale, shrinkB=11 * th.node_scale, mutation_scale=1.6,
            zorder=2, capstyle="round", animated=animated)
        ax.add_patch(patch)
        art.edges[u, v] = patch
    for n, (x, y) in pos.items():
        d = graph.nodes[n]
        style = SYSTEM_STYLE[d["system"]]
        size = _node_size(activity.get(n, 1.0), art.node_scale)
        (halo,) = ax.plot([x], [y], marker=style["marker"], markersize=size * _HALO,
                          color=style["color"], alpha=0.15, markeredgewidth=0, zorder=3,
                          linestyle="none", animated=animated)
        (node,) = ax.plot([x], [y], marker=style["marker"], markersize=size,
                          markerfacecolor=style["color"], markeredgecolor=th.background,
                          markeredgewidth=1.5, zorder=4, linestyle="none", animated=animated)
        art.halos[n], art.nodes[n] = halo, node
        if labels:
            dx, dy = _LABEL_OFFSET[view].get(n, (0, 12))
            art.labels[n] = ax.annotate(
                d["label"], (x, y), xytext=(dx * th.node_scale, dy * th.node_scale),
                textcoords="offset points", ha="center", va="center", fontsize="small",
                color=th.text, weight="bold", zorder=5)
    return art


def network_legend(*, ax=None, theme: str = "notebook", loc="lower center", ncol=4, **kw):
    """A legend for systems (marker + colour) and pathways (line style + colour).

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
    handles = [Line2D([], [], marker=s["marker"], color=s["color"], linestyle="none",
                      markersize=10 * th.node_scale ** 0.5, label=s["label"])
               for s in SYSTEM_STYLE.values()]
    for name, label in [("trauma trace", "trauma trace (excites)"),
                        ("extinction", "extinction (inhibits)"),
                        ("DMN loop", "DMN loop"), ("salience", "salience loop")]:
        st = pathway_style(name)
        handles.append(Line2D([], [], color=st["color"], linestyle=st["linestyle"],
                              lw=3, label=label))
    return ax.legend(handles=handles, loc=loc, ncol=ncol, handlelength=2.2, **kw)
