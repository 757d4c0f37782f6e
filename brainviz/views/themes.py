"""Themes: notebook, slides (16:9, 1920x1080), dark (projectors) and print (greyscale-safe).

One colour-blind-safe palette (Okabe-Ito) throughout. Themes are applied with
:func:`theme_context`, a ``matplotlib.rc_context``: nothing global is left changed.
Meaning is never carried by colour alone: systems also differ by marker, pathways by
line style, and curves carry direct labels.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from types import MappingProxyType

__all__ = ["OKABE_ITO", "SYSTEM_STYLE", "PATHWAY_STYLE", "THEMES", "Theme", "theme_context",
           "get_theme"]

#: Okabe & Ito (2008) colour-blind-safe palette.
OKABE_ITO = MappingProxyType({
    "black": "#000000", "orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73",
    "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7",
})

#: How each brain system is drawn: colour and marker (shape carries the meaning too).
SYSTEM_STYLE = MappingProxyType({
    "limbic": {"color": OKABE_ITO["vermillion"], "marker": "o", "label": "limbic"},
    "prefrontal": {"color": OKABE_ITO["green"], "marker": "s", "label": "prefrontal"},
    "dmn": {"color": OKABE_ITO["blue"], "marker": "D", "label": "default mode network"},
    "sensory": {"color": OKABE_ITO["orange"], "marker": "^", "label": "sensory relay"},
})

#: How each pathway is drawn: colour and line style.
PATHWAY_STYLE = MappingProxyType({
    "trauma trace": {"color": OKABE_ITO["vermillion"], "linestyle": "-"},
    "extinction": {"color": OKABE_ITO["green"], "linestyle": "--"},
    "DMN loop": {"color": OKABE_ITO["blue"], "linestyle": "-"},
    "salience": {"color": OKABE_ITO["purple"], "linestyle": "-"},
})
_OTHER_PATHWAY = {"color": "#7f7f7f", "linestyle": ":"}


@dataclass(frozen=True)
class Theme:
    """A named set of matplotlib rc settings plus a few brainviz sizes."""

    name: str
    figsize: tuple[float, float]
    dpi: int
    rc: dict = field(default_factory=dict)
    node_scale: float = 1.0
    outline_face: str = "#eeeeee"
    outline_edge: str = "#9a9a9a"
    text: str = "#222222"
    muted: str = "#666666"
    background: str = "white"


def _rc(base: float, text: str, background: str, grid: str) -> dict:
    return {
        "font.size": base,
        "axes.titlesize": base * 1.15,
        "axes.labelsize": base,
        "xtick.labelsize": base * 0.9,
        "ytick.labelsize": base * 0.9,
        "legend.fontsize": base * 0.85,
        "figure.titlesize": base * 1.35,
        "axes.titleweight": "bold",
        "figure.titleweight": "bold",
        "lines.linewidth": max(1.5, base / 6),
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.edgecolor": text,
        "axes.labelcolor": text,
        "xtick.color": text,
        "ytick.color": text,
        "text.color": text,
        "axes.facecolor": background,
        "figure.facecolor": background,
        "savefig.facecolor": background,
        "legend.frameon": False,
        "grid.color": grid,
        "axes.prop_cycle": __import__("cycler").cycler(color=[
            OKABE_ITO[c] for c in ("blue", "vermillion", "green", "orange", "purple", "sky")]),
        "svg.hashsalt": "brainviz",
        "svg.fonttype": "path",
        "pdf.fonttype": 42,
        "font.family": "DejaVu Sans",
    }


THEMES = MappingProxyType({
    "notebook": Theme("notebook", (11.0, 6.2), 100, _rc(11, "#222222", "white", "#dddddd")),
    "slides": Theme("slides", (16.0, 9.0), 120, _rc(18, "#1a1a1a", "white", "#dddddd"),
                    node_scale=1.6),
    "dark": Theme("dark", (16.0, 9.0), 120, _rc(18, "#f2f2f2", "#111418", "#3a3a3a"),
                  node_scale=1.6, outline_face="#252b33", outline_edge="#8c96a3",
                  text="#f2f2f2", muted="#c0c0c0", background="#111418"),
    "print": Theme("print", (10.0, 6.0), 150, _rc(10, "#000000", "white", "#cccccc"),
                   outline_face="#f2f2f2", outline_edge="#555555", text="#000000",
                   muted="#333333"),
})


def get_theme(name: str) -> Theme:
    """Return the :class:`Theme` called ``name``, or raise a clear ``ValueError``."""
    from .._validate import check_choice

    return THEMES[check_choice("theme", name, THEMES)]


@contextlib.contextmanager
def theme_context(name: str = "notebook"):
    """Apply a theme inside a ``with`` block; rcParams are restored afterwards.

    Examples
    --------
    >>> import matplotlib as mpl
    >>> from brainviz.views.themes import theme_context
    >>> before = mpl.rcParams["font.size"]
    >>> with theme_context("slides") as theme:
    ...     theme.figsize
    (16.0, 9.0)
    >>> mpl.rcParams["font.size"] == before
    True
    """
    import matplotlib as mpl

    theme = get_theme(name)
    with mpl.rc_context(theme.rc):
        yield theme


def pathway_style(pathway: str) -> dict:
    """Colour and line style of a pathway (grey dotted for minor ones)."""
    return dict(PATHWAY_STYLE.get(pathway, _OTHER_PATHWAY))
