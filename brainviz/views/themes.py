"""Themes: notebook, slides (16:9, 1920x1080), dark (projectors) and print (greyscale-safe).

One colour-blind-safe palette (Okabe-Ito) throughout, with a lighter blue on the dark
theme so every colour keeps at least 3:1 against its background (4.5:1 for text).
Themes are applied with :func:`theme_context`, a ``matplotlib.rc_context``: nothing
global is left changed. Figures made under a theme are :class:`ThemedFigure` objects
that save with the theme's file settings (TrueType fonts in PDF and PostScript,
deterministic SVG ids), whoever calls ``savefig``.

Meaning is never carried by colour alone: systems also differ by marker, pathways by
line style, and curves carry direct labels.

Sizes: the slides and dark themes are 13.33 x 7.5 inches at 144 dpi, exactly the
size of a 16:9 slide, so a font size in points is its size on the slide; no text is
set under 18 pt there.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from types import MappingProxyType

from matplotlib.figure import Figure

__all__ = ["OKABE_ITO", "SYSTEM_STYLE", "PATHWAY_STYLE", "WINDOW_STYLE", "THEMES", "Theme", "ThemedFigure",
           "theme_context", "get_theme", "color", "dim", "contrast", "luminance",
           "SLIDE_WIDTH_IN", "MIN_SLIDE_PT"]

#: Okabe & Ito (2008) colour-blind-safe palette.
OKABE_ITO = MappingProxyType({
    "black": "#000000", "orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73",
    "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7",
})

SLIDE_WIDTH_IN = 13.333  # a 16:9 slide (PowerPoint, Keynote, reveal.js at 1920 px)
MIN_SLIDE_PT = 18.0  # the smallest text a back row reads

#: How each brain system is drawn: colour name and marker (shape carries the meaning too).
SYSTEM_STYLE = MappingProxyType({
    "limbic": {"color": "vermillion", "marker": "o", "label": "limbic"},
    "prefrontal": {"color": "green", "marker": "s", "label": "prefrontal"},
    "dmn": {"color": "blue", "marker": "D", "label": "default mode network"},
    "sensory": {"color": "orange", "marker": "^", "label": "sensory relay"},
})

#: How each pathway is drawn: colour name and line style (distinct styles, so pathways
#: stay apart in greyscale).
PATHWAY_STYLE = MappingProxyType({
    "trauma trace": {"color": "vermillion", "linestyle": "-", "label": "trauma trace"},
    "extinction": {"color": "green", "linestyle": "--", "label": "vmPFC brake"},
    "DMN loop": {"color": "blue", "linestyle": "-.", "label": "DMN loop"},
    "salience": {"color": "purple", "linestyle": ":", "label": "salience loop"},
})
_OTHER_PATHWAY = {"color": "minor", "linestyle": "-", "label": "other pathways"}

#: The course's two windows, one name and one colour each, in every figure, panel and
#: notebook: the dose opens a *plasticity period* (days; drawn as a curve), and
#: retrieving the trauma memory opens a *reconsolidation window* (hours; a shaded band).
WINDOW_STYLE = MappingProxyType({
    "plasticity period": {"color": "blue",
                          "label": "plasticity period (opened by the dose)"},
    "reconsolidation window": {"color": "orange",
                               "label": "reconsolidation window (opened by retrieval)"},
})


@dataclass(frozen=True)
class Theme:
    """A named set of matplotlib rc settings plus brainviz's colours and sizes.

    ``small`` is the smallest font size the theme uses (points); ``palette`` maps
    colour names (Okabe-Ito names, ``"ink"``, ``"muted"``, ``"minor"``) to shades
    that hold their contrast on ``background``.
    """

    name: str
    figsize: tuple[float, float]
    dpi: int
    rc: dict = field(default_factory=dict)
    node_scale: float = 1.0
    outline_face: str = "#eeeeee"
    outline_edge: str = "#8a8a8a"
    text: str = "#222222"
    muted: str = "#555555"
    background: str = "white"
    small: float = 10.0
    palette: dict = field(default_factory=dict)

    @property
    def base(self) -> float:
        """The body font size, points."""
        return float(self.rc["font.size"])


def _rc(base: float, small: float, text: str, background: str, grid: str,
        palette: dict) -> dict:
    return {
        "font.size": base,
        "axes.titlesize": base * 1.1,
        "axes.labelsize": base,
        "xtick.labelsize": small,
        "ytick.labelsize": small,
        "legend.fontsize": small,
        "figure.titlesize": base * 1.3,
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
        "hatch.color": text,
        "axes.prop_cycle": __import__("cycler").cycler(color=[
            palette[c] for c in ("blue", "vermillion", "green", "orange", "purple")]),
        "svg.hashsalt": "brainviz",
        "svg.fonttype": "path",
        "pdf.fonttype": 42,  # TrueType: editable text in PDF and PostScript
        "ps.fonttype": 42,
        "font.family": "DejaVu Sans",
        "figure.constrained_layout.h_pad": 0.06,
        "figure.constrained_layout.w_pad": 0.06,
    }


_LIGHT = dict(OKABE_ITO, ink="#1a1a1a", muted="#555555", minor="#a8a8a8")
_PRINT = dict(OKABE_ITO, ink="#000000", muted="#333333", minor="#b4b4b4")
# on the dark background Okabe-Ito blue is 3.6:1; its sky blue keeps 7.8:1
_DARK = dict(OKABE_ITO, blue=OKABE_ITO["sky"], black="#f2f2f2", ink="#f2f2f2",
             muted="#c0c0c0", minor="#8a939e")

_W, _H = 1920 / 144, 1080 / 144  # 13.333 x 7.5 in: a 16:9 slide at 1920 x 1080 px

THEMES = MappingProxyType({
    "notebook": Theme("notebook", (11.0, 6.2), 100,
                      _rc(12, 10.5, "#1a1a1a", "white", "#dddddd", _LIGHT),
                      text="#1a1a1a", small=10.5, palette=_LIGHT),
    "slides": Theme("slides", (_W, _H), 144, _rc(20, 18, "#1a1a1a", "white", "#dddddd", _LIGHT),
                    node_scale=1.35, text="#1a1a1a", small=18.0, palette=_LIGHT),
    "dark": Theme("dark", (_W, _H), 144, _rc(20, 18, "#f2f2f2", "#111418", "#3a3f46", _DARK),
                  node_scale=1.35, outline_face="#1f242c", outline_edge="#9aa4b1",
                  text="#f2f2f2", muted="#c0c0c0", background="#111418", small=18.0,
                  palette=_DARK),
    "print": Theme("print", (8.0, 5.0), 300, _rc(9, 8, "#000000", "white", "#cccccc", _PRINT),
                   outline_face="#f0f0f0", outline_edge="#4d4d4d", text="#000000",
                   muted="#333333", small=8.0, palette=_PRINT),
})


def get_theme(name) -> Theme:
    """Return the :class:`Theme` called ``name`` (or ``name`` itself if it is one), or
    raise a clear ``ValueError``."""
    if isinstance(name, Theme):
        return name
    from .._validate import check_choice

    return THEMES[check_choice("theme", name, THEMES)]


def color(name: str, theme="notebook") -> str:
    """The shade of colour ``name`` on ``theme`` (a hex string passes through).

    Examples
    --------
    >>> from brainviz.views.themes import color
    >>> color("blue", "dark"), color("blue", "slides")
    ('#56B4E9', '#0072B2')
    """
    if name.startswith("#"):
        return name
    th = get_theme(theme)
    return th.palette[name]


def pathway_style(pathway: str, theme="notebook") -> dict:
    """Colour (a shade on ``theme``), line style and label of a pathway."""
    style = dict(PATHWAY_STYLE.get(pathway, _OTHER_PATHWAY))
    style["color"] = color(style["color"], theme)
    return style


# ---------------------------------------------------------------------------------
# contrast (WCAG 2) and dimming
# ---------------------------------------------------------------------------------

def luminance(c) -> float:
    """WCAG relative luminance of a colour (alpha ignored)."""
    from matplotlib.colors import to_rgb

    lin = [x / 12.92 if x <= 0.04045 else ((x + 0.055) / 1.055) ** 2.4 for x in to_rgb(c)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a, b) -> float:
    """WCAG contrast ratio between two colours (1 to 21).

    Examples
    --------
    >>> from brainviz.views.themes import contrast
    >>> round(contrast("white", "black"), 1)
    21.0
    """
    hi, lo = sorted([luminance(a), luminance(b)], reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def blend(c, background, alpha: float):
    """``c`` painted with ``alpha`` over ``background`` (an opaque RGB tuple)."""
    from matplotlib.colors import to_rgb

    f, b = to_rgb(c), to_rgb(background)
    return tuple(alpha * x + (1 - alpha) * y for x, y in zip(f, b))


def dim(c, theme="notebook", *, amount: float = 0.6, floor: float = 3.0):
    """A dimmed version of colour ``c``: mixed towards the background, but on the dark
    theme never below ``floor``:1 contrast (what is dimmed must still be seen).

    Examples
    --------
    >>> from brainviz.views.themes import contrast, dim
    >>> contrast(dim("#56B4E9", "dark"), "#111418") >= 3.0
    True
    """
    th = get_theme(theme)
    c = color(c, th) if isinstance(c, str) else c
    a = 1.0 - amount
    mixed = blend(c, th.background, a)
    if th.name == "dark":
        while contrast(mixed, th.background) < floor and a < 1.0:
            a = min(1.0, a + 0.05)
            mixed = blend(c, th.background, a)
    return mixed


# ---------------------------------------------------------------------------------
# figures that carry their theme
# ---------------------------------------------------------------------------------

def _save_rc(th: Theme) -> dict:
    keys = ("pdf.fonttype", "ps.fonttype", "svg.fonttype", "svg.hashsalt", "savefig.facecolor",
            "font.family")
    return {k: th.rc[k] for k in keys}


class ThemedFigure(Figure):
    """A ``Figure`` that remembers its theme and saves with the theme's file settings.

    matplotlib reads ``pdf.fonttype`` and friends when a file is written, not when
    the figure is made; a themed figure applies them in :meth:`savefig` so that
    PDFs embed TrueType fonts whoever saves the figure, and later.

    Examples
    --------
    >>> import io
    >>> import matplotlib.pyplot as plt
    >>> from brainviz.views.themes import ThemedFigure, theme_context
    >>> with theme_context("print"):
    ...     fig = plt.figure(FigureClass=ThemedFigure, theme="print")
    >>> _ = fig.text(0.5, 0.5, "type 42")
    >>> buf = io.BytesIO(); fig.savefig(buf, format="pdf")
    >>> b"/FontFile2" in buf.getvalue() and b"/Type3" not in buf.getvalue()
    True
    """

    def __init__(self, *args, theme: str = "notebook", **kwargs):
        super().__init__(*args, **kwargs)
        self.brainviz_theme = get_theme(theme).name

    def savefig(self, *args, **kwargs):
        import matplotlib as mpl

        with mpl.rc_context(_save_rc(get_theme(self.brainviz_theme))):
            return super().savefig(*args, **kwargs)


def new_figure(theme, **kwargs):
    """A :class:`ThemedFigure` of the theme's size and resolution (call inside
    :func:`theme_context`)."""
    import matplotlib.pyplot as plt

    th = get_theme(theme)
    kwargs.setdefault("figsize", th.figsize)
    kwargs.setdefault("dpi", th.dpi)
    return plt.figure(FigureClass=ThemedFigure, theme=th.name, **kwargs)


@contextlib.contextmanager
def theme_context(name: str = "notebook"):
    """Apply a theme inside a ``with`` block; rcParams are restored afterwards.

    Examples
    --------
    >>> import matplotlib as mpl
    >>> from brainviz.views.themes import theme_context
    >>> before = mpl.rcParams["font.size"]
    >>> with theme_context("slides") as theme:
    ...     theme.figsize == (1920 / 144, 1080 / 144)
    True
    >>> mpl.rcParams["font.size"] == before
    True
    """
    import matplotlib as mpl

    theme = get_theme(name)
    with mpl.rc_context(theme.rc):
        yield theme
