"""Interactive panels for the notebooks: one per mechanism, plus a protocol builder.

Each panel is an ``ipywidgets.VBox``: controls built from the parameter table (so
sliders carry its ranges, steps and units), a status line, and one figure that is
updated in place. Moving a control re-runs the model, updates the figure's artists
and refreshes the one output: it never stacks a new figure. With the default inline
backend the figure is re-displayed in its ``Output`` with ``clear_output(wait=True)``
(no flicker to blank); with ipympl (``%matplotlib widget``) the canvas itself is
shown and redrawn.

A change is a transaction. A typed value outside a control's range, a fraction where a
whole number is needed, or a protocol the model refuses is **never applied**: the
slider, the box, the figure and :attr:`Panel.controls` all keep the last accepted
values, and the status line says, in one line, what was refused and why.

Panels only wire the model to the drawing: the science is in
:func:`brainviz.simulate`, the pictures are plain matplotlib artists. Each panel draws
the course with its default settings as a thin dashed grey line, so every change is
seen against where it started.
"""

from __future__ import annotations

import io
import math
import re
import time
from functools import lru_cache

import numpy as np

from .._validate import check_choice, check_number, check_whole
from ..science.course import SESSION_KINDS, Protocol, Session, simulate, sweep
from ..science.params import PARAMS, Param
from ..science.pharmacology import ROUTES, Dose
from ..science.population import ensemble, trial
from ..views import scenarios
from ..views.themes import OKABE_ITO, WINDOW_STYLE, theme_context
from ._blit import Blitter

__all__ = ["Panel", "memory_panel", "dmn_panel", "plasticity_panel", "synergy_panel",
           "protocol_builder", "quiz", "quiz_options", "video"]


def _hex(curve) -> str:
    """A scenario curve's colour on the notebook theme."""
    return {"muted": "#888888", "ink": "#222222"}.get(curve.color) or OKABE_ITO[curve.color]

try:  # optional: the panels need ipywidgets, the model does not
    import ipywidgets as _w
except ImportError:  # pragma: no cover
    _w = None


def _require_widgets():
    if _w is None:  # pragma: no cover
        raise ImportError("brainviz.app.widgets needs ipywidgets: pip install ipywidgets")


#: Plasma ketamine at which people feel dissociated, and at which anaesthesia sets in
#: (ng/mL; Zanos et al. 2018, Pharmacol Rev, review). Published ranges, drawn as bands.
DISSOCIATION_NG_ML = (100.0, 250.0)
ANAESTHETIC_NG_ML = (1200.0, 2400.0)

_DEFAULT_STYLE = dict(color="#8a8a8a", lw=1.6, ls=(0, (4, 3)), zorder=1)  # default course
_WINDOW = OKABE_ITO[WINDOW_STYLE["reconsolidation window"]["color"]]
_PLASTICITY = OKABE_ITO[WINDOW_STYLE["plasticity period"]["color"]]
_HOURS = [1 / 6, 1, 4, 24, 168]
#: Virtual patients behind a panel's band (5th-95th percentile), one seeded draw
_BAND_N, _BAND_SEED, _BAND_Q = 40, 0, (5, 95)
_BAND_LABEL = f"{_BAND_Q[0]}-{_BAND_Q[1]}% of {_BAND_N} virtual patients"
_HOUR_LABELS = ["10 min", "1 h", "4 h", "1 day", "1 week"]


# ---------------------------------------------------------------------------------
# controls
# ---------------------------------------------------------------------------------

def _control(name, default, low, high, step, unit, label) -> Param:
    """A control that is not a model parameter (dose, timing, ...): a Param whose doc
    is its label."""
    return Param(name, default, low, high, step, unit, label, source="control")


def _spec(name_or_control) -> Param:
    """The Param behind a control, with a short human label as its ``doc``."""
    if isinstance(name_or_control, Param):
        return name_or_control
    p = PARAMS[name_or_control]
    label = re.sub(r"_(h|days|um)$", "", p.name).replace("_", " ")
    return Param(p.name, p.default, p.low, p.high, p.step, p.unit, label, p.source, p.group)


def _fmt_unit(unit: str) -> str:
    return "" if unit == "1" else f" ({unit})"


_WHOLE = frozenset({"sessions", "days"})  # controls that count things


def _digits(step: float) -> int:
    return max(0, -int(math.floor(math.log10(step)))) + 2


class _Number:
    """One number: a slider and a typed box kept in step, refusing bad input.

    Whole-number controls (counts: sessions, days) use an integer slider and refuse
    fractions; others accept any value in range (the box can be finer than the slider's
    step).
    """

    def __init__(self, spec: Param, panel: "Panel"):
        self.spec = spec
        self.name = spec.name
        self.whole = spec.name in _WHOLE
        self.default = int(spec.default) if self.whole else float(spec.default)
        self.value = self.default
        label = f"{spec.doc}{_fmt_unit(spec.unit)}"
        common = dict(value=self.default, min=spec.low, max=spec.high, step=spec.step,
                      description="", continuous_update=False, readout=False,
                      layout=_w.Layout(width="16em"))
        if self.whole:
            common.update(min=int(spec.low), max=int(spec.high), step=int(spec.step))
            self.slider = _w.IntSlider(**common)
        else:
            self.slider = _w.FloatSlider(**common)
        self.text = _w.FloatText(value=self.default, layout=_w.Layout(width="6.5em"))
        self.label = _w.Label(label, layout=_w.Layout(width="17em"))
        self.note = _w.HTML("")  # under a dose: its harms and the anaesthetic range
        self.widget = _w.HBox([self.label, self.slider, self.text])
        if spec.name == "mg_per_kg":
            self.widget = _w.VBox([self.widget, _w.HBox([
                _w.HTML("", layout=_w.Layout(width="17em", min_width="17em")), self.note])])
        self._panel = panel
        self._busy = False
        self.slider.observe(self._from_slider, "value")
        self.text.observe(self._from_text, "value")

    def check(self, value):
        """The value, checked: a number in range (a whole one where needed)."""
        s = self.spec
        name = f"{s.doc} ({s.name})"
        if self.whole:
            return check_whole(name, value, int(s.low), int(s.high))
        return check_number(name, value, s.low, s.high, "" if s.unit == "1" else s.unit)

    def show(self, value):
        """Put ``value`` into the slider and the box without triggering a change."""
        self._busy = True
        try:
            self.slider.value = int(value) if self.whole else float(value)
            shown = int(value) if self.whole else round(float(value), _digits(self.spec.step))
            self.text.value = shown
        finally:
            self._busy = False

    def _from_slider(self, change):
        if self._busy:
            return
        value = change["new"]
        if not self.whole:  # float steps accumulate error (0.55000000001)
            value = round(float(value), _digits(self.spec.step))
        self._panel._propose({self.name: value})

    def _from_text(self, change):
        if self._busy:
            return
        try:
            value = self.check(change["new"])
        except (TypeError, ValueError) as exc:
            self.show(self.value)
            self._panel._refuse(exc)
            return
        self._panel._propose({self.name: value})


class _Choice:
    """A dropdown or a checkbox: one of a fixed set of values."""

    def __init__(self, name: str, options, default, label: str, panel: "Panel",
                 width: str = "14em"):
        self.name = name
        self.default = self.value = default
        if isinstance(default, bool):
            self.options = None
            self.input = _w.Checkbox(value=default, description=label, indent=False,
                                     layout=_w.Layout(width="auto"))
            self.widget = self.input
        else:
            # (label, value) pairs: the label shows, the value goes to the model
            self.options = [o if isinstance(o, tuple) else (str(o), o) for o in options]
            self.input = _w.Dropdown(options=self.options, value=default,
                                     layout=_w.Layout(width=width))
            self.widget = _w.HBox([_w.Label(label, layout=_w.Layout(width="17em")),
                                   self.input])
        self._panel = panel
        self._busy = False
        self.input.observe(self._changed, "value")

    def check(self, value):
        if self.options is None:
            if not isinstance(value, (bool, np.bool_)):
                raise TypeError(f"{self.name} must be True or False, got {value!r}")
            return bool(value)
        return check_choice(self.name, value, [v for _, v in self.options])

    def show(self, value):
        self._busy = True
        try:
            self.input.value = value
        finally:
            self._busy = False

    def _changed(self, change):
        if not self._busy:
            self._panel._propose({self.name: change["new"]})


# ---------------------------------------------------------------------------------
# the panel
# ---------------------------------------------------------------------------------

class Panel(_w.VBox if _w is not None else object):
    """A panel: controls, a status line and one figure updated in place.

    Parameters
    ----------
    title : str
        Heading shown above the controls.
    controls : list
        Parameter names, :class:`Param` controls, or control objects.
    build : callable
        ``build(figure) -> dict`` of the artists that updates change.
    run : callable
        ``run(values) -> data``: runs the model for a dict of control values. It raises
        ``ValueError`` or ``TypeError`` for a protocol the model refuses, and touches no
        artist.
    draw : callable
        ``draw(artists, data, values) -> str | None``: updates the artists, returns the
        status message.
    theme : str
        ``"notebook"``, or ``"slides"``/``"dark"`` for a room.

    Attributes
    ----------
    figure : matplotlib.figure.Figure
        The one figure the panel draws into (it is never replaced).
    controls : dict
        Control name -> the accepted value (what the figure shows).
    output : ipywidgets.Output
        Where the figure is shown.
    status : ipywidgets.HTML
        Messages: what the model says, or why input was refused.
    data : object
        What the model returned for the accepted values (the courses on screen).
    last_latency_s : float
        Kernel-side time of the last update (model + redraw), seconds.
    """

    def __init__(self, title: str, controls, build, run, draw, theme: str = "notebook",
                 figsize=(9.5, 4.2), rows=None):
        _require_widgets()
        import matplotlib
        import matplotlib.pyplot as plt

        self._theme = theme
        self._controls = {}
        for c in controls:
            if isinstance(c, (str, Param)):
                c = _Number(_spec(c), self)
            c._panel = self
            self._controls[c.name] = c
        self._values = {k: c.value for k, c in self._controls.items()}
        self.status = _w.HTML("", layout=_w.Layout(flex="1 1 auto"))
        self.output = _w.Output(layout=_w.Layout(width="100%"))
        self._ready = False
        self.reset_button = _w.Button(description="reset", icon="undo",
                                      tooltip="restore every control to its default",
                                      layout=_w.Layout(width="auto", min_width="7em"))
        self.reset_button.on_click(lambda _b: self.reset())
        self._run, self._draw = run, draw
        with plt.ioff(), theme_context(theme):
            large = theme in ("slides", "dark")  # presenting: big enough for a room
            w, h = figsize
            size = dict(figsize=(w * 1.37, h * 1.33) if large else (w, h),
                        dpi=100 if large else 90, layout="constrained")
            if "ipympl" in matplotlib.get_backend() or "widget" in matplotlib.get_backend():
                self.figure = plt.figure(**size)  # an interactive canvas widget
            else:
                # not registered with pyplot: the inline backend closes pyplot's figures
                # at the end of each cell, which would take this canvas away
                from matplotlib.backends.backend_agg import FigureCanvasAgg
                from matplotlib.figure import Figure

                self.figure = Figure(**size)
                FigureCanvasAgg(self.figure)
            self._artists = build(self.figure)
            # fill titles and lines once, then lay the figure out once: each update then
            # only redraws artists (constrained layout would cost half of every redraw)
            data = run(dict(self._values))
            draw(self._artists, data, dict(self._values))
            self.figure.canvas.draw()
            self.figure.set_layout_engine("none")
        from matplotlib.artist import Artist
        from matplotlib.axes import Axes

        # what updates change; the rest (axes, ticks, labels) is cached as a background
        self._dynamic = [a for a in self._artists.values()
                         if isinstance(a, Artist) and not isinstance(a, Axes)]
        self._dynamic += [a for v in self._artists.values() if isinstance(v, list)
                          for a in v if isinstance(a, Artist)]
        self._blit = Blitter(self.figure, self._dynamic)
        self._interactive = "ipympl" in type(self.figure.canvas).__module__
        if rows is None:
            rows = [c.widget for c in self._controls.values()]
        super().__init__([_w.HTML(f"<h3>{title}</h3>"), *rows,
                          _w.HBox([self.reset_button, self.status]), self.output])
        self.last_latency_s = float("nan")
        self._ready = True
        self._apply(dict(self._values), data)

    # -- values ---------------------------------------------------------------
    @property
    def controls(self) -> dict:
        """Control name -> accepted value (what the figure shows)."""
        return dict(self._values)

    @property
    def defaults(self) -> dict:
        """Control name -> default value."""
        return {k: c.default for k, c in self._controls.items()}

    def set(self, **values):
        """Set controls by name (as a student would), then update once.

        Every value is checked first; if one is out of range, or the model refuses the
        resulting course, nothing is applied and a ``ValueError`` names the control.

        Examples
        --------
        >>> from brainviz.app.widgets import dmn_panel
        >>> panel = dmn_panel()
        >>> panel.set(mg_per_kg=100)
        Traceback (most recent call last):
        ...
        ValueError: ketamine dose (mg_per_kg) must be in [0.05, 5] mg/kg, got 100.0
        >>> panel.controls["mg_per_kg"]
        0.5
        """
        checked = {}
        for name, value in values.items():
            if name not in self._controls:
                from .._validate import did_you_mean

                raise ValueError(f"unknown control {name!r}{did_you_mean(name, self._controls)}"
                                 f"; one of {sorted(self._controls)}")
            try:
                checked[name] = self._controls[name].check(value)
            except (TypeError, ValueError) as exc:
                self._refuse(exc)
                raise
        self._propose(checked, strict=True)

    def reset(self):
        """Restore every control to its default and redraw once."""
        self._propose(self.defaults)

    # -- the transaction --------------------------------------------------------
    def _refuse(self, exc: Exception):
        self._say(f"{exc}; not applied", error=True)

    def _propose(self, changes: dict, strict: bool = False) -> bool:
        """Run the model with ``changes``; apply them only if it accepts."""
        if not self._ready:
            return False
        candidate = dict(self._values)
        candidate.update(changes)
        t0 = time.perf_counter()
        try:
            data = self._run(candidate)
        except (ValueError, TypeError) as exc:  # a course the model refuses
            for name in changes:  # the widgets go back to what the figure shows
                self._controls[name].show(self._values[name])
            self._refuse(exc)
            if strict:
                raise ValueError(f"{exc}; not applied") from None
            return False
        self._apply(candidate, data, t0)
        return True

    def _apply(self, values: dict, data, t0: float | None = None):
        t0 = time.perf_counter() if t0 is None else t0
        self._values = dict(values)
        self.data = data
        for name, c in self._controls.items():
            c.value = values[name]
            c.show(values[name])
        with theme_context(self._theme):
            message = self._draw(self._artists, data, dict(values))
        self._say(message or "")
        self._refresh()
        self.last_latency_s = time.perf_counter() - t0

    def update(self):
        """Re-run the model for the current controls and redraw the figure in place."""
        self._propose({})

    # -- drawing --------------------------------------------------------------
    def _say(self, text: str, error: bool = False):
        if error:
            self.status.value = (f"<span style='color:{OKABE_ITO['vermillion']}'>"
                                 f"<b>refused:</b> {_html(text)}</span>")
        else:
            self.status.value = f"<span>{text}</span>" if text else ""

    def _refresh(self):
        if self._interactive:
            self.figure.canvas.draw_idle()
            return
        from IPython import get_ipython
        from IPython.display import Image, display

        if getattr(get_ipython(), "kernel", None) is None:
            return  # plain Python (scripts, tests): no front end to show the figure in
        png = self.png()
        with self.output:
            self.output.clear_output(wait=True)  # replaced in place, never blank
            # scales down to the output's width, never up past its pixels
            display(Image(data=png, format="png"))

    def _render(self):
        """Draw the figure into its canvas, redrawing only what updates change.

        The static part (axes, ticks, labels, legends) is drawn once and cached; it is
        drawn again only when an axis' limits have changed.
        """
        limits = tuple(tuple(np.round(ax.viewLim.bounds, 12)) for ax in self.figure.axes)
        self._blit.render(key=limits)

    def png(self) -> bytes:
        """The figure as PNG bytes: one draw, no tight-bbox pass (what the panel shows)."""
        from PIL import Image as _PIL

        self._render()
        canvas = self.figure.canvas
        buf = io.BytesIO()
        # fast zlib level: a widget refresh is sent once and thrown away
        # opaque figure: RGB is a quarter less to compress than RGBA
        _PIL.fromarray(np.asarray(canvas.buffer_rgba())[..., :3]).save(buf, format="png",
                                                                       compress_level=1)
        return buf.getvalue()


def _html(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# ---------------------------------------------------------------------------------
# shared pieces: dose control with its harms, axes helpers
# ---------------------------------------------------------------------------------

def _dose_control(default=0.5):
    return _control("mg_per_kg", default, 0.05, 5.0, 0.05, "mg/kg", "ketamine dose")


@lru_cache(maxsize=16)
def _anaesthetic_dose(route: str) -> float:
    """Smallest dose (mg/kg, on the slider's range) whose plasma peak reaches the
    anaesthetic range, from the model's own plasma curves; ``inf`` if none does."""
    grid = np.round(np.arange(0.05, 5.0001, 0.05), 2)
    runs = sweep([Protocol(doses=[Dose(0.0, float(mg), route)], days=1) for mg in grid])
    peaks = np.array([c.plasma_ng_ml.max() for c in runs])
    sedated = peaks >= ANAESTHETIC_NG_ML[0]
    if "sedation" in runs[0].series:  # the model's own sedation, where it has one
        sedated |= np.array([c.sedation.max() for c in runs]) >= 0.5
    return float(grid[np.argmax(sedated)]) if sedated.any() else math.inf


def _harms(course) -> dict:
    """Peak harms of a course on the treatment day (what the model has of them)."""
    out = {"plasma": float(course.plasma_ng_ml.max()),
           "dissociation": float(course.dissociation.max())}
    for name in ("sedation", "bp_rise_mmhg"):
        if name in course.series:
            out[name] = float(course.series[name].max())
    return out


def _harm_text(h: dict, anaesthetic: bool) -> str:
    parts = [f"plasma peak {h['plasma']:.0f} ng/mL", f"dissociation {h['dissociation']:.2f}"]
    if "sedation" in h:
        parts.append(f"sedation {h['sedation']:.2f}")
    if "bp_rise_mmhg" in h:
        parts.append(f"systolic BP +{h['bp_rise_mmhg']:.0f} mmHg")
    text = "harms: " + ", ".join(parts)
    if anaesthetic:
        text += (f" <b style='color:{OKABE_ITO['vermillion']}'>anaesthetic range: "
                 "sedation, not more benefit</b>")
    return text


def _show_harms(control: _Number, route: str, mg: float, course) -> bool:
    """Under the dose slider: the course's peak harms, and where the anaesthetic range
    starts for this route (a badge once the dose is in it). True if it is."""
    start = _anaesthetic_dose(route)
    inside = mg >= start
    harms = _harms(course)
    inside = inside or harms["plasma"] >= ANAESTHETIC_NG_ML[0]
    if math.isinf(start):
        where = "<span style='color:#666'>no anaesthetic dose on this scale</span>"
    else:
        style = (f"background:{OKABE_ITO['vermillion']};color:white;padding:0 .4em;"
                 "border-radius:3px" if inside else f"color:{OKABE_ITO['vermillion']}")
        where = f"<span style='{style}'>anaesthetic from {start:g} mg/kg</span>"
    control.note.value = f"<small>{_harm_text(harms, inside)}<br>{where}</small>"
    return inside


def _nice_ceiling(value: float, steps=(0.5, 1.0, 2.0, 2.5, 5.0)) -> float:
    """The smallest 'nice' number (steps x a power of ten) at or above ``value``."""
    if not value > 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    for s in steps + (10.0,):
        if s * power >= value * 0.999:
            return s * power
    return 10.0 * power


_STEPS = (1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 7.5)  # axis ceilings that move rarely


@lru_cache(maxsize=1)
def _series_names() -> frozenset:
    """The series this model's courses have (harms added by later models included)."""
    return frozenset(simulate(Protocol(days=1)).series)


def _bands_control() -> "_Choice":
    return _Choice("bands", None, True, f"show the spread between patients ({_BAND_LABEL})",
                   None)


def _band_artist(ax, colour, label=_BAND_LABEL):
    """An empty shaded band, filled later by :func:`_set_band`."""
    return ax.fill_between([], [], [], color=colour, alpha=0.18, lw=0, label=label,
                           zorder=0)


def _set_band(poly, x=None, low=None, high=None):
    """Fill a band between ``low`` and ``high`` over ``x``; no arguments: empty it."""
    if x is None:
        poly.set_verts([])
        return
    x = np.asarray(x, float)
    poly.set_verts([np.concatenate([np.column_stack([x, low]),
                                    np.column_stack([x[::-1], high[::-1]])])])


def _log_hours(ax, end_h: float):
    ticks = [t for t in _HOURS if t <= end_h * 1.01]
    ax.set_xscale("log")
    ax.set_xlim(_HOURS[0], end_h)
    ax.set_xticks(ticks, _HOUR_LABELS[:len(ticks)])
    ax.minorticks_off()


# ---------------------------------------------------------------------------------
# memory-pathway disruption
# ---------------------------------------------------------------------------------

def memory_panel(*, theme: str = "notebook") -> Panel:
    """Retrieval inside or outside the plasticity period; the trauma trace responds.

    Controls: dose, when the exposure session happens after the dose and how long it
    lasts, and the reconsolidation parameters. Left: the trauma trace over a week with
    and without ketamine, and with the default settings (dashed grey). Right: the
    plasticity period the dose opens (blue) and the reconsolidation window the
    session's retrieval opens (orange band).

    Examples
    --------
    >>> from brainviz.app.widgets import memory_panel
    >>> panel = memory_panel()
    >>> panel.set(session_h=2.0)
    >>> 0 < panel.controls["session_h"] < 3
    True
    """
    dose = _dose_control()
    specs = [dose,
             _control("session_h", scenarios.RETRIEVAL.at_h, 0.0, 96.0, 1.0, "h",
                      "exposure session after dose"),
             _control("session_min", scenarios.RETRIEVAL.minutes, 5.0, 240.0, 5.0, "min",
                      "session length"),
             "reconsolidation_window_h", "reconsolidation_rate"]

    def runs(v):
        params = {k: v[k] for k in ("reconsolidation_window_h", "reconsolidation_rate")}
        protocols = scenarios.memory_protocols(v["mg_per_kg"], v["session_h"],
                                               minutes=v["session_min"])[:2]
        k, r = sweep(list(protocols), params=params)
        band = None
        if v.get("bands"):
            ens = ensemble(protocols[0], _BAND_N, _BAND_SEED, params=params)
            band = (ens.t_days, ens.band("trauma_trace", _BAND_Q) / k.trauma_trace[0])
        return k, r, band

    def build(fig):
        ax1, ax2 = fig.subplots(1, 2)
        default, = ax1.plot([], [], **_DEFAULT_STYLE, label="default settings")
        k_spec, r_spec = scenarios.MEMORY_RUNS[:2]
        band = _band_artist(ax1, _hex(k_spec))
        # the scenario's colours, but the session can move: no "a day after" label
        with_k, = ax1.plot([], [], color=_hex(k_spec), lw=2.5, ls=k_spec.linestyle,
                           label="ketamine, then retrieval")
        alone, = ax1.plot([], [], color=_hex(r_spec), lw=2.5, ls=r_spec.linestyle,
                          label=r_spec.label)
        ax1.set(xlim=(0, 7), ylim=(0.5, 1.03), xlabel="days after the dose",
                ylabel="trauma trace (1 = before)")
        ax1.legend(loc="lower left")
        plast_default, = ax2.plot([], [], **_DEFAULT_STYLE)
        plast, = ax2.plot([], [], color=_PLASTICITY, lw=2.5,
                          label=WINDOW_STYLE["plasticity period"]["label"])
        window = ax2.axvspan(0, 1, color=_WINDOW, alpha=0.35, lw=0,
                             label=WINDOW_STYLE["reconsolidation window"]["label"])
        ax2.axhline(1.0, color="#888888", lw=0.8, ls=":")
        ax2.set(xlim=(0, 5), ylim=(0.9, 2.6), xlabel="days after the dose",
                ylabel="plasticity (1 = baseline)")
        ax2.legend(loc="upper right", fontsize="small")
        title = ax1.set_title("", loc="left")
        return dict(with_k=with_k, alone=alone, default=default, plast=plast,
                    plast_default=plast_default, window=window, title=title, ax2=ax2,
                    band=band, ax1=ax1)

    defaults = {}

    def run(v):
        if not defaults:
            defaults["runs"] = runs({s.name: s.default for s in map(_spec, specs)})
        return runs(v)

    def draw(a, data, v):
        k, r, band = data
        _set_band(a["band"], *(band[0], *band[1]) if band else ())
        d = defaults["runs"][0]
        a["default"].set_data(d.t_days, d.trauma_trace / d.trauma_trace[0])
        a["plast_default"].set_data(d.t_days, d.plasticity)
        a["with_k"].set_data(k.t_days, k.trauma_trace / k.trauma_trace[0])
        a["alone"].set_data(r.t_days, r.trauma_trace / r.trauma_trace[0])
        a["plast"].set_data(k.t_days, k.plasticity)
        start = (v["session_h"] + 1 / 6) / 24.0
        end = (v["session_h"] + v["reconsolidation_window_h"]) / 24.0
        a["window"].set_x(start)
        a["window"].set_width(end - start)
        lowest = min(float(np.min(k.trauma_trace / k.trauma_trace[0])),
                     float(np.min(band[1][0])) if band else 1.0)
        a["ax1"].set_ylim(min(0.9, math.floor((lowest - 0.02) * 20) / 20), 1.01)
        top = max(float(k.plasticity.max()), float(d.plasticity.max()))
        a["ax2"].set_ylim(0.9, max(2.0, _nice_ceiling(top * 1.1, _STEPS)))
        left = k.trauma_trace[-1] / k.trauma_trace[0]
        alone = r.trauma_trace[-1] / r.trauma_trace[0]
        a["title"].set_text(f"trace left after a week: {left:.2f} (retrieval alone {alone:.2f})")
        _show_harms(specs_by_name["mg_per_kg"], "iv", v["mg_per_kg"], k)
        return (f"Session {v['session_h']:g} h after a {v['mg_per_kg']:g} mg/kg dose: "
                f"{100 * (1 - left):.0f}% of the trauma trace weakened (retrieval alone: "
                f"{100 * (1 - alone):.0f}%).")

    panel_controls = [_Number(_spec(s), None) for s in specs] + [_bands_control()]
    specs_by_name = {c.name: c for c in panel_controls}
    return Panel("Memory-pathway disruption", panel_controls, build, run, draw, theme,
                 figsize=(10.5, 4.2))


# ---------------------------------------------------------------------------------
# DMN loosening
# ---------------------------------------------------------------------------------

def dmn_panel(*, theme: str = "notebook") -> Panel:
    """DMN connectivity over two weeks after a dose, for PTSD and a healthy brain.

    The first six hours are shaded: human imaging there is mixed (some studies lower,
    some higher connectivity), while the drop at 24 h is what imaging supports.

    Examples
    --------
    >>> from brainviz.app.widgets import dmn_panel
    >>> panel = dmn_panel()
    >>> sorted(panel.controls)
    ['bands', 'dmn_loosening_gain', 'dmn_loosening_tau_h', 'dmn_remodel_fraction', 'mg_per_kg']
    """
    specs = [_dose_control(), "dmn_loosening_gain", "dmn_remodel_fraction",
             "dmn_loosening_tau_h"]
    controls = [_Number(_spec(s), None) for s in specs] + [_bands_control()]
    dose = controls[0]
    keys = ("dmn_loosening_gain", "dmn_remodel_fraction", "dmn_loosening_tau_h")

    def runs(v):
        protocols = scenarios.dmn_protocols(v["mg_per_kg"])
        params = {k: v[k] for k in keys}
        p, h = sweep(list(protocols), params=params)
        band = None
        if v.get("bands"):
            ens = ensemble(protocols[0], _BAND_N, _BAND_SEED, params=params)
            band = (ens.t_days, *ens.band("dmn_connectivity", _BAND_Q))
        return p, h, band

    defaults = {}

    def run(v):
        if not defaults:
            defaults["runs"] = runs({**{c.name: c.default for c in controls}, "bands": False})
        return runs(v)

    def build(fig):
        ax = fig.subplots()
        ax.axvspan(0, 0.25, color="#bbbbbb", alpha=0.35, lw=0)
        ax.text(0.27, 0.78, "first 6 h: human\nimaging mixed", fontsize="small",
                color="#555555", va="top")
        ax.axvline(1.0, color="#888888", lw=1, ls=":")
        ax.text(1.05, 0.22, "24 h: lower in human\nimaging (Scheidegger 2012)",
                fontsize="small", color="#555555", va="bottom")
        default, = ax.plot([], [], **_DEFAULT_STYLE, label="PTSD, default settings")
        band = _band_artist(ax, _hex(scenarios.DMN_RUNS[0]))
        ptsd, healthy = (ax.plot([], [], color=_hex(c), lw=2.5, ls=c.linestyle, label=c.label)[0]
                         for c in scenarios.DMN_RUNS)
        ax.set(xlim=(0, 14), ylim=(0.2, 0.8), xlabel="days after the dose",
               ylabel="DMN connectivity (mean r)")
        ax.legend(loc="lower right")
        title = ax.set_title("", loc="left")
        return dict(ptsd=ptsd, healthy=healthy, default=default, title=title, band=band)

    def draw(a, data, v):
        p, h, band = data
        _set_band(a["band"], *(band or ()))
        d = defaults["runs"][0]
        a["default"].set_data(d.t_days, d.dmn_connectivity)
        a["ptsd"].set_data(p.t_days, p.dmn_connectivity)
        a["healthy"].set_data(h.t_days, h.dmn_connectivity)
        before = p.dmn_connectivity[0]
        six, day = p.at("dmn_connectivity", 6.0), p.at("dmn_connectivity", 24.0)
        a["title"].set_text(f"PTSD DMN: {before:.2f} before, {six:.2f} at 6 h, "
                            f"{day:.2f} at 24 h")
        _show_harms(dose, "iv", v["mg_per_kg"], p)
        return None

    return Panel("DMN loosening", controls, build, run, draw, theme)


# ---------------------------------------------------------------------------------
# BDNF plasticity
# ---------------------------------------------------------------------------------

_DOSE_GRID = np.round(np.geomspace(0.05, 5.0, 16), 3)


def plasticity_panel(*, theme: str = "notebook") -> Panel:
    """From dose to BDNF to spines, for any route; block BDNF or spine formation.

    Left: glutamate and BDNF over a week (log time). Middle: spines over two weeks.
    Right: what the dose does, across all doses: the glutamate burst, relief a day
    later and the harms, each as a share of its largest value, with the current dose
    marked and the anaesthetic range shaded. More drug is not more benefit.

    Examples
    --------
    >>> from brainviz.app.widgets import plasticity_panel
    >>> panel = plasticity_panel()
    >>> panel.set(route="oral")
    >>> panel.controls["route"]
    'oral'
    """
    specs = [_dose_control(), "bdnf_gain", "spine_gain"]
    controls = [_Number(_spec(s), None) for s in specs]
    dose = controls[0]
    route = _Choice("route", [(ROUTES[r].label, r) for r in ROUTES], "iv", "route", None,
                    width="19em")
    controls += [route, _bands_control()]
    keys = ("bdnf_gain", "spine_gain")

    @lru_cache(maxsize=32)
    def dose_response(r, *gains):
        params = dict(zip(keys, gains))
        runs = sweep([Protocol(doses=[Dose(0.0, float(mg), r)], days=3) for mg in _DOSE_GRID],
                     params=params)
        # the burst when the drug peaks: above baseline at moderate doses, below it once
        # the pyramidal cells' own receptors are blocked too (the inverted U)
        curves = {
            "glutamate burst": np.array([c.glutamate[np.argmax(c.plasma_ng_ml)] - 1.0
                                         for c in runs]),
            "relief at 24 h": np.array([c.symptoms[0] - c.at("symptoms", 24.0) for c in runs]),
            "dissociation": np.array([c.dissociation.max() for c in runs]),
        }
        if "sedation" in runs[0].series:
            curves["sedation"] = np.array([c.sedation.max() for c in runs])
        if "bp_rise_mmhg" in runs[0].series:
            curves["blood pressure"] = np.array([c.bp_rise_mmhg.max() for c in runs])
        # axis limits that hold for every dose on the slider: moving the dose then only
        # redraws the curves, never the axes (a band adds up to about half again)
        limits = {"top": max(max(c.bdnf.max(), c.glutamate.max()) for c in runs),
                  "low": min(c.glutamate.min() for c in runs),
                  "spine_base": float(runs[0].spine_density[0]),
                  "spine_top": max(c.spine_density.max() for c in runs)}
        return {k: c / max(np.abs(c).max(), 1e-12) for k, c in curves.items()}, limits

    def one(v):
        protocol = Protocol(doses=[Dose(0.0, v["mg_per_kg"], v["route"])], days=14)
        params = {k: v[k] for k in keys}
        course = simulate(protocol, params=params)
        band = None
        if v.get("bands"):
            ens = ensemble(protocol, _BAND_N, _BAND_SEED, params=params)
            t = np.maximum(ens.t_h, _HOURS[0])
            band = ((t, *ens.band("bdnf", _BAND_Q)),
                    (ens.t_days, *ens.band("spine_density", _BAND_Q)))
        return course, band

    defaults = {}

    def run(v):
        if not defaults:
            defaults["course"] = one({**{c.name: c.default for c in controls},
                                      "bands": False})[0]
        return one(v), dose_response(v["route"], *(v[k] for k in keys))

    styles = {"glutamate burst": (OKABE_ITO["orange"], "--"),
              "relief at 24 h": (OKABE_ITO["blue"], "-"),
              "dissociation": (OKABE_ITO["purple"], "-."),
              "sedation": (OKABE_ITO["black"], ":"),
              "blood pressure": (OKABE_ITO["vermillion"], (0, (1, 1)))}

    def build(fig):
        ax1, ax2, ax3 = fig.subplots(1, 3, width_ratios=[1.1, 0.9, 1.1])
        bdnf_default, = ax1.plot([], [], **_DEFAULT_STYLE, label="BDNF, default")
        glu, = ax1.plot([], [], color=OKABE_ITO["orange"], lw=2, ls="--", label="glutamate")
        bdnf_band = _band_artist(ax1, OKABE_ITO["vermillion"], label=None)
        bdnf, = ax1.plot([], [], color=OKABE_ITO["vermillion"], lw=2.5, label="BDNF")
        ax1.axhline(1.0, color="#888888", lw=0.8, ls=":")
        _log_hours(ax1, 168)
        ax1.set(ylim=(0.5, 2.0), xlabel="time after the dose", ylabel="× baseline")
        ax1.legend(loc="upper right", fontsize="small")
        spines_default, = ax2.plot([], [], **_DEFAULT_STYLE)
        spine_band = _band_artist(ax2, OKABE_ITO["green"])
        spines, = ax2.plot([], [], color=OKABE_ITO["green"], lw=2.5)
        ax2.set(xlim=(0, 14), ylim=(0.45, 0.65), xlabel="days", ylabel="spines per µm")
        ax2.set_xticks(range(0, 15, 2))
        lines = {}
        present = _series_names()
        for name, (colour, ls) in styles.items():
            missing = {"sedation": "sedation", "blood pressure": "bp_rise_mmhg"}.get(name)
            if missing and missing not in present:
                continue  # a harm this model does not have
            lines[name], = ax3.plot([], [], color=colour, ls=ls, lw=2, label=name)
        marker, = ax3.plot([], [], "o", color="#222222", ms=6, zorder=5)
        now = ax3.axvline(0.5, color="#222222", lw=1)
        anaesthetic = ax3.axvspan(5.0, 5.0, color=OKABE_ITO["vermillion"], alpha=0.15, lw=0)
        label = ax3.text(4.0, -0.55, "anaesthetic", ha="left", va="bottom", fontsize="small",
                         color=OKABE_ITO["vermillion"], rotation=90)
        ax3.axhline(0.0, color="#888888", lw=0.8, ls=":")
        ax3.set(xscale="log", xlim=(0.05, 5.0), ylim=(-0.6, 1.15),
                xlabel="dose (mg/kg)", ylabel="share of its largest value")
        ax3.set_xticks([0.1, 0.5, 1, 2, 5], ["0.1", "0.5", "1", "2", "5"])
        ax3.minorticks_off()
        ax3.legend(loc="lower left", fontsize="x-small", ncol=2)
        title = ax1.set_title("", loc="left")
        ax2.legend(loc="upper right", fontsize="x-small")
        return dict(bdnf=bdnf, glu=glu, bdnf_default=bdnf_default, spines=spines,
                    bdnf_band=bdnf_band, spine_band=spine_band,
                    spines_default=spines_default, title=title, ax1=ax1, ax2=ax2,
                    lines=list(lines.values()), marker=marker, now=now,
                    anaesthetic=anaesthetic, label=label, _names=list(lines))

    def draw(a, data, v):
        (c, band), (curves, limits) = data
        _set_band(a["bdnf_band"], *(band[0] if band else ()))
        _set_band(a["spine_band"], *(band[1] if band else ()))
        d = defaults["course"]
        t = np.maximum(c.t_h, _HOURS[0])
        a["bdnf_default"].set_data(np.maximum(d.t_h, _HOURS[0]), d.bdnf)
        a["glu"].set_data(t, c.glutamate)
        a["bdnf"].set_data(t, c.bdnf)
        top = 1.0 + 1.25 * (max(limits["top"], float(d.bdnf.max())) - 1.0)
        low = min(limits["low"], 1.0)
        a["ax1"].set_ylim(min(0.9, math.floor((low - 0.05) * 5) / 5),
                          max(1.5, _nice_ceiling(top, _STEPS)))
        base = limits["spine_base"]
        rise = 1.6 * (max(limits["spine_top"], float(d.spine_density.max())) - base)
        s_low = math.floor((base - 0.3 * rise) * 50) / 50
        a["ax2"].set_ylim(s_low, s_low + max(0.1, _nice_ceiling(base + rise - s_low,
                                                                _STEPS)))
        a["spines_default"].set_data(d.t_days, d.spine_density)
        a["spines"].set_data(c.t_days, c.spine_density)
        ys, xs = [], []
        for name, line in zip(a["_names"], a["lines"]):
            if name in curves:
                line.set_data(_DOSE_GRID, curves[name])
                ys.append(np.interp(np.log(v["mg_per_kg"]), np.log(_DOSE_GRID), curves[name]))
                xs.append(v["mg_per_kg"])
            else:
                line.set_data([], [])
        a["marker"].set_data(xs, ys)
        a["now"].set_xdata([v["mg_per_kg"]] * 2)
        start = _anaesthetic_dose(v["route"])
        a["anaesthetic"].set_x(min(start, 5.0))
        a["anaesthetic"].set_width(max(5.0 - start, 0.0) if math.isfinite(start) else 0.0)
        a["label"].set_visible(math.isfinite(start))
        a["label"].set_x(min(start, 5.0) * 1.03)
        _show_harms(dose, v["route"], v["mg_per_kg"], c)
        new = c.at("spine_density", 48) - c.spine_density[0]
        a["title"].set_text(f"{ROUTES[v['route']].label} {v['mg_per_kg']:g} mg/kg: "
                            f"BDNF peak ×{c.bdnf.max():.2f}")
        return f"New spines at 2 days: {new:+.3f} per µm."

    return Panel("BDNF plasticity", controls, build, run, draw, theme, figsize=(12.0, 4.2))


# ---------------------------------------------------------------------------------
# therapy synergy
# ---------------------------------------------------------------------------------

def synergy_panel(*, theme: str = "notebook") -> Panel:
    """Exposure therapy with and without ketamine over 12 weeks; timing and dose matter.

    Four courses (no treatment, exposure alone, ketamine alone, both), and the combined
    course with the default settings dashed grey. Sessions are weekly, 90 minutes.

    Examples
    --------
    >>> from brainviz.app.widgets import synergy_panel
    >>> panel = synergy_panel()
    >>> panel.set(sessions=4)
    >>> panel.controls["sessions"]
    4
    """
    specs = [_dose_control(),
             _control("delay_h", 24.0, 0.0, 96.0, 1.0, "h", "first session after dose"),
             _control("sessions", 10.0, 1.0, 12.0, 1.0, "weekly", "number of sessions"),
             "extinction_rate"]
    controls = [_Number(_spec(s), None) for s in specs] + [_bands_control()]
    dose_control = controls[0]

    def runs(v):
        protocols = scenarios.synergy_protocols(v["mg_per_kg"], sessions=int(v["sessions"]),
                                                first_h=v["delay_h"])
        params = {"extinction_rate": v["extinction_rate"]}
        courses = tuple(sweep(list(protocols), params=params))
        bands = None
        if v.get("bands"):  # both therapy arms in one batched run
            t = trial({"exposure": protocols[1], "both": protocols[3]}, _BAND_N, _BAND_SEED,
                      params=params)
            bands = [(t[arm].t_days, *t[arm].band("model_symptoms", _BAND_Q))
                     for arm in ("exposure", "both")]
        return courses, bands

    defaults = {}

    def run(v):
        if not defaults:
            defaults["runs"] = runs({**{c.name: c.default for c in controls}, "bands": False})
        return runs(v)

    def build(fig):
        ax = fig.subplots()
        default, = ax.plot([], [], **_DEFAULT_STYLE, label="together, default settings")
        bands = [_band_artist(ax, _hex(scenarios.SYNERGY_RUNS[1]), label=None),
                 _band_artist(ax, _hex(scenarios.SYNERGY_RUNS[3]))]
        lines = [ax.plot([], [], color=_hex(c), ls=c.linestyle, lw=2.5, label=c.label)[0]
                 for c in scenarios.SYNERGY_RUNS]
        ax.set(xlim=(0, 84), ylim=(0, 80), xlabel="days", ylabel="symptom index (0-100)")
        ax.set_xticks(range(0, 85, 14))
        ax.legend(loc="lower left", ncol=2)
        title = ax.set_title("", loc="left")
        return dict(lines=lines, default=default, title=title, bands=bands)

    def draw(a, data, v):
        data, bands = data
        for poly, band in zip(a["bands"], bands or [(), ()]):
            _set_band(poly, *band)
        d = defaults["runs"][0][-1]
        a["default"].set_data(d.t_days, d.symptoms)
        for line, c in zip(a["lines"], data):
            line.set_data(c.t_days, c.symptoms)
        end = data[0].symptoms[-1]
        g = [end - c.symptoms[-1] for c in data[1:]]
        a["title"].set_text(f"relief at week 12: exposure {g[0]:.0f}, ketamine {g[1]:.0f}, "
                            f"together {g[2]:.0f} points")
        _show_harms(dose_control, "iv", v["mg_per_kg"], data[-1])
        return None

    return Panel("Therapy synergy", controls, build, run, draw, theme)


# ---------------------------------------------------------------------------------
# protocol builder: a timeline of doses and sessions
# ---------------------------------------------------------------------------------

_ROUTE_OPTIONS = [(ROUTES[r].label, r) for r in ROUTES]
_KIND_OPTIONS = [(k, k) for k in SESSION_KINDS]
_MAX_ROWS = 30
_PLASMA_WINDOW_H = 12.0  # plasma is drawn for the first hours after each dose
_PLASMA_LIMITS_NG_ML = (1.0, 4000.0)  # the builder's plasma axis (log), fixed
_PLASMA_TICKS_NG_ML = (1.0, 10.0, 100.0, 1000.0)


def _row_time(label: str, at_h, end_h: float) -> float:
    return check_number(f"{label} time", at_h, 0.0, end_h - 1e-9, "h")


class _Timeline:
    """Rows of doses or of sessions, each with its time, amount or minutes, and route or
    kind; rows are added and removed with buttons. Its value is a tuple of tuples."""

    def __init__(self, name: str, default: tuple, panel: "Panel"):
        self.name = name
        self.dose = name == "doses"
        self.default = self.value = tuple(default)
        self._panel = panel
        self._busy = False
        self._rows: list = []
        self.box = _w.VBox([])
        what = "dose" if self.dose else "session"
        self.add_button = _w.Button(description=f"add a {what}", icon="plus",
                                    layout=_w.Layout(width="auto", min_width="10em"))
        self.add_button.on_click(lambda _b: self.add())
        cells = (["time after start (h)", "amount (mg/kg)", "route"] if self.dose
                 else ["time after start (h)", "length (min)", "kind"])
        widths = ["9em", "8em", "19em"] if self.dose else ["9em", "8em", "11em"]
        self._widths = widths
        header = _w.HBox([_w.HTML(f"<b>{what}s</b>", layout=_w.Layout(width="6em"))]
                         + [_w.HTML(f"<small>{c}</small>", layout=_w.Layout(width=w))
                            for c, w in zip(cells, widths)])
        self.widget = _w.VBox([header, self.box, _w.HBox([self.add_button])])
        self.show(self.value)

    # values
    def check(self, rows) -> tuple:
        what = "dose" if self.dose else "session"
        if isinstance(rows, (str, bytes)) or not isinstance(rows, (list, tuple)):
            raise TypeError(f"{self.name} must be a list of ({'at_h, mg_per_kg, route' if self.dose else 'at_h, minutes, kind'}) rows")
        if len(rows) > _MAX_ROWS:
            raise ValueError(f"{self.name}: at most {_MAX_ROWS} rows in the builder, got "
                             f"{len(rows)} (use brainviz.Protocol in code for more)")
        out = []
        for i, row in enumerate(rows):
            if not isinstance(row, (list, tuple)) or len(row) != 3:
                raise TypeError(f"{what} {i + 1} must be three values, got {row!r}")
            at_h = check_number(f"{what} {i + 1} time", row[0], 0.0, math.inf, "h")
            if self.dose:
                amount = check_number(f"dose {i + 1} amount", row[1], 0.0, 5.0, "mg/kg",
                                      low_open=True)
                kind = check_choice(f"dose {i + 1} route", row[2], ROUTES)
            else:
                amount = check_number(f"session {i + 1} length", row[1], 5.0, 240.0, "min")
                kind = check_choice(f"session {i + 1} kind", row[2], SESSION_KINDS)
            out.append((at_h, amount, kind))
        return tuple(out)

    def show(self, rows):
        self._busy = True
        try:
            if len(self._rows) != len(rows):
                self._rows = [self._make_row(i) for i in range(len(rows))]
                self.box.children = [r["box"] for r in self._rows]
            for r, (at_h, amount, kind) in zip(self._rows, rows):
                r["time"].value = at_h
                r["amount"].value = amount
                r["kind"].value = kind
                r["day"].value = f"<small>day {at_h / 24:.3g}</small>"
            self.add_button.disabled = len(rows) >= _MAX_ROWS
        finally:
            self._busy = False

    # editing
    def add(self, at_h=None, amount=None, kind=None):
        """Add a row (by default 48 h after the last dose, or a week after the last
        session, with the last row's amount and kind)."""
        rows = list(self.value)
        if rows:
            last = max(rows, key=lambda r: r[0])
            at_h = last[0] + (48.0 if self.dose else 168.0) if at_h is None else at_h
            amount = last[1] if amount is None else amount
            kind = last[2] if kind is None else kind
        else:
            at_h = (0.0 if self.dose else 24.0) if at_h is None else at_h
            amount = (0.5 if self.dose else 90.0) if amount is None else amount
            kind = ("iv" if self.dose else "exposure") if kind is None else kind
        rows.append((at_h, amount, kind))
        try:
            rows = self.check(rows)
        except (TypeError, ValueError) as exc:
            self._panel._refuse(exc)
            return False
        return self._panel._propose({self.name: rows})

    def remove(self, i: int):
        rows = list(self.value)
        if not 0 <= i < len(rows):
            self._panel._refuse(ValueError(f"no {'dose' if self.dose else 'session'} {i + 1}"))
            return False
        del rows[i]
        return self._panel._propose({self.name: tuple(rows)})

    def _make_row(self, i: int) -> dict:
        what = "dose" if self.dose else "session"
        w = self._widths
        time_box = _w.FloatText(layout=_w.Layout(width=w[0]))
        amount = _w.FloatText(layout=_w.Layout(width=w[1]))
        kind = _w.Dropdown(options=_ROUTE_OPTIONS if self.dose else _KIND_OPTIONS,
                           layout=_w.Layout(width=w[2]))
        remove = _w.Button(description="", icon="times", tooltip=f"remove {what} {i + 1}",
                           layout=_w.Layout(width="2.6em"))
        day = _w.HTML("", layout=_w.Layout(width="6em"))
        row = dict(time=time_box, amount=amount, kind=kind, remove=remove, day=day)
        row["box"] = _w.HBox([_w.HTML(f"{what} {i + 1}", layout=_w.Layout(width="6em")),
                              time_box, amount, kind, remove, day])
        for field, widget in (("time", time_box), ("amount", amount), ("kind", kind)):
            widget.observe(lambda change, i=i, field=field: self._edited(i, field,
                                                                         change["new"]),
                           "value")
        remove.on_click(lambda _b, i=i: self.remove(i))
        return row

    def _edited(self, i: int, field: str, new):
        if self._busy:
            return
        rows = [list(r) for r in self.value]
        rows[i][("time", "amount", "kind").index(field)] = new
        try:
            rows = self.check(rows)
        except (TypeError, ValueError) as exc:
            self.show(self.value)
            self._panel._refuse(exc)
            return
        self._panel._propose({self.name: rows})


_BUILDER_DEFAULT = {
    "condition": "ptsd", "days": 28,
    "doses": ((0.0, 0.5, "iv"),),
    "sessions": ((24.0, 90.0, "exposure"),),
}


def _builder_protocol(v: dict, *, strict_days: bool = True) -> Protocol:
    """The builder's rows as a Protocol, with row-by-row messages a room can read."""
    days = int(v["days"])
    end = days * 24.0
    doses, therapy = [], []
    for i, (at_h, mg, route) in enumerate(v["doses"]):
        if at_h >= end:
            if not strict_days:
                continue
            raise ValueError(f"dose {i + 1} at {at_h:g} h is after the end of the {days}-day "
                             f"course (last start {end:g} h); move it or lengthen the course")
        doses.append(Dose(at_h, mg, route))
    for i, (at_h, minutes, kind) in enumerate(v["sessions"]):
        if at_h >= end:
            if not strict_days:
                continue
            raise ValueError(f"session {i + 1} at {at_h:g} h is after the end of the "
                             f"{days}-day course (last start {end:g} h); move it or lengthen "
                             "the course")
        therapy.append(Session(at_h, kind, minutes))
    if strict_days:
        _check_overlaps(doses, "dose", lambda d: d.duration_min)
        _check_overlaps(therapy, "session", lambda s: s.minutes)
    return Protocol(doses=doses, therapy=therapy, days=days, condition=v["condition"])


def _check_overlaps(items, what: str, minutes):
    order = sorted(range(len(items)), key=lambda i: items[i].at_h)
    for a, b in zip(order, order[1:]):
        end = items[a].at_h + minutes(items[a]) / 60.0
        if items[b].at_h < end - 1e-9:
            raise ValueError(f"{what} {b + 1} at {items[b].at_h:g} h starts before {what} "
                             f"{a + 1} ends ({items[a].at_h:g} h + {minutes(items[a]):g} min); "
                             f"{what}s must not overlap")


def protocol_builder(*, theme: str = "notebook") -> Panel:
    """Build any course on a timeline: doses and sessions as rows, condition and length.

    Each dose row has its time (hours after the start), amount (mg/kg) and route; each
    session row its time, length (minutes) and kind. *add* and the cross buttons add and
    remove rows. Left: the symptom index over the course, with the default course (one
    0.5 mg/kg IV infusion, one 90-minute exposure session a day later) dashed grey.
    Right: plasma ketamine in the first hours after each dose, with the ranges where
    people feel dissociated and where anaesthesia sets in.

    A row that does not fit (a time after the end of the course, overlapping infusions
    or sessions, an amount out of range) is refused with a message naming it, and the
    figure keeps showing the last accepted course.

    Examples
    --------
    >>> from brainviz.app.widgets import protocol_builder
    >>> panel = protocol_builder()
    >>> panel.set(doses=[(0, 0.5, "iv"), (48, 0.5, "iv")])
    >>> panel.controls["doses"]
    ((0.0, 0.5, 'iv'), (48.0, 0.5, 'iv'))
    """
    condition = _Choice("condition", [("PTSD", "ptsd"), ("healthy", "healthy")], "ptsd",
                        "condition", None, width="10em")
    days = _Number(_control("days", 28.0, 1.0, 365.0, 1.0, "days", "course length"), None)
    doses = _Timeline("doses", _BUILDER_DEFAULT["doses"], None)
    sessions = _Timeline("sessions", _BUILDER_DEFAULT["sessions"], None)

    def run(v):
        default = _builder_protocol({**_BUILDER_DEFAULT, "days": v["days"]}, strict_days=False)
        mine = _builder_protocol(v)
        courses = tuple(sweep([mine, default]))
        band = None
        if v.get("bands"):
            ens = ensemble(mine, _BAND_N, _BAND_SEED)
            band = (ens.t_days, *ens.band("model_symptoms", _BAND_Q))
        return courses, band

    def build(fig):
        ax1, ax2 = fig.subplots(1, 2, width_ratios=[1.6, 1])
        from matplotlib.collections import LineCollection

        default, = ax1.plot([], [], **_DEFAULT_STYLE, label="default course")
        band = _band_artist(ax1, OKABE_ITO["vermillion"])
        sym, = ax1.plot([], [], color=OKABE_ITO["vermillion"], lw=2.5, label="your course")
        dose_marks, = ax1.plot([], [], "v", color=OKABE_ITO["blue"], ms=9, label="dose",
                               clip_on=False)
        session_marks = {}
        for kind, marker in zip(SESSION_KINDS, ("s", "D", "o")):
            session_marks[kind], = ax1.plot([], [], marker, color=OKABE_ITO["green"], ms=7,
                                            mfc="white" if kind == "supportive" else None,
                                            mew=1.5, label=f"{kind} session",
                                            clip_on=False)
        ax1.set(ylim=(0, 100), xlabel="days", ylabel="symptom index\n(0-100)")
        # markers drawn past the axes' edge (clip_on=False) must not steer the layout: an
        # empty one counts as a point at the figure's corner and opens a gap above the legend
        for marks in (dose_marks, *session_marks.values()):
            marks.set_in_layout(False)
        # one legend under both plots: a legend under one axis would push the other aside
        fig.legend(handles=ax1.get_legend_handles_labels()[0], loc="outside lower center",
                   ncol=4, fontsize="small")
        ax2.axhspan(*DISSOCIATION_NG_ML, color=OKABE_ITO["purple"], alpha=0.15, lw=0)
        ax2.axhspan(*ANAESTHETIC_NG_ML, color=OKABE_ITO["vermillion"], alpha=0.15, lw=0)
        diss_label = ax2.text(_PLASMA_WINDOW_H * 0.98, DISSOCIATION_NG_ML[1], "dissociation",
                              ha="right", va="bottom", fontsize="small",
                              color=OKABE_ITO["purple"])
        anaesthetic_label = ax2.text(_PLASMA_WINDOW_H * 0.98, ANAESTHETIC_NG_ML[0],
                                     "anaesthesia", ha="right", va="bottom",
                                     fontsize="small", color=OKABE_ITO["vermillion"])
        anaesthetic_label.set_in_layout(False)
        plasma_default, = ax2.plot([], [], **_DEFAULT_STYLE)
        plasma = LineCollection([], colors=OKABE_ITO["blue"], linewidths=2)
        ax2.add_collection(plasma)
        # one fixed log scale from trace levels to anaesthesia: doses compare by eye, a
        # bigger dose climbs into the bands, and no move of a row rescales the axis
        ax2.set(xlim=(0, _PLASMA_WINDOW_H), yscale="log", ylim=_PLASMA_LIMITS_NG_ML,
                xlabel="hours after each dose", ylabel="plasma ketamine\n(ng/mL, log)")
        ax2.set_xticks([0, 3, 6, 9, 12])
        ax2.set_yticks(_PLASMA_TICKS_NG_ML, [f"{v:g}" for v in _PLASMA_TICKS_NG_ML])
        ax2.minorticks_off()
        title = fig.suptitle(" ", x=0.01, ha="left", fontweight="bold")
        return dict(sym=sym, default=default, dose_marks=dose_marks, band=band,
                    sessions=list(session_marks.values()), _kinds=list(session_marks),
                    plasma=plasma, plasma_default=plasma_default, ax1=ax1, ax2=ax2,
                    title=title, diss_label=diss_label, anaesthetic_label=anaesthetic_label)

    def after(course, at_h):
        i0 = np.searchsorted(course.t_h, at_h)
        i1 = np.searchsorted(course.t_h, at_h + _PLASMA_WINDOW_H, side="right")
        return np.column_stack([course.t_h[i0:i1] - at_h, course.plasma_ng_ml[i0:i1]])

    def draw(a, data, v):
        (c, d), band = data
        _set_band(a["band"], *(band or ()))
        a["sym"].set_data(c.t_days, c.symptoms)
        a["default"].set_data(d.t_days, d.symptoms)
        a["dose_marks"].set_data([x.at_h / 24 for x in c.protocol.doses],
                                 [97.0] * len(c.protocol.doses))
        for kind, line in zip(a["_kinds"], a["sessions"]):
            at = [s.at_h / 24 for s in c.protocol.therapy if s.kind == kind]
            line.set_data(at, [91.0] * len(at))
        a["ax1"].set_xlim(0, c.protocol.days)
        segments = [after(c, x.at_h) for x in c.protocol.doses]
        a["plasma"].set_segments(segments)
        if d.protocol.doses:
            first = after(d, d.protocol.doses[0].at_h)
            a["plasma_default"].set_data(first[:, 0], first[:, 1])
        peak = max([float(s[:, 1].max()) for s in segments if len(s)] + [1.0])
        n_d, n_s = len(c.protocol.doses), len(c.protocol.therapy)
        a["title"].set_text(f"{n_d} dose{'s' * (n_d != 1)}, {n_s} session{'s' * (n_s != 1)}: "
                            f"lowest {c.symptoms.min():.0f}, end {c.symptoms[-1]:.0f} "
                            f"(default course: end {d.symptoms[-1]:.0f})")
        harms_line.value = (f"<small>{_harm_text(_harms(c), peak >= ANAESTHETIC_NG_ML[0])}"
                            "</small>" if n_d else "")
        return f"Course of {v['days']} days accepted."

    harms_line = _w.HTML("")
    bands = _bands_control()
    controls = [condition, days, doses, sessions, bands]
    rows = [_w.HBox([condition.widget]), days.widget, doses.widget, harms_line,
            sessions.widget, bands.widget]
    panel = Panel("Protocol builder", controls, build, run, draw, theme, figsize=(11.0, 4.8),
                  rows=rows)
    panel.harms = harms_line
    panel.add_dose, panel.remove_dose = doses.add, doses.remove
    panel.add_session, panel.remove_session = sessions.add, sessions.remove
    return panel


# ---------------------------------------------------------------------------------
# quizzes
# ---------------------------------------------------------------------------------

_ASKS = {"prediction": "Predict first", "figure": "Read the figure", "concept": "Concept",
         "evidence": "Evidence"}


@lru_cache(maxsize=1)
def _quiz_bank() -> dict:
    """The course's questions (``brainviz/app/quizzes.json``), by id."""
    import json
    from importlib import resources

    text = resources.files("brainviz.app").joinpath("quizzes.json").read_text(encoding="utf-8")
    bank = json.loads(text)
    bank.pop("_about", None)
    return bank


def quiz_options(qid: str) -> list:
    """The options of question ``qid`` in the order a student sees them.

    The order is shuffled once per question, seeded by its id, so it is the same on
    every run and the right answer sits in no fixed place.

    Examples
    --------
    >>> from brainviz.app.widgets import quiz_options
    >>> quiz_options("bdnf-last-peak") == quiz_options("bdnf-last-peak")
    True
    """
    import random
    import zlib

    bank = _quiz_bank()
    check_choice("quiz id", qid, bank)
    options = [dict(o) for o in bank[qid]["options"]]
    random.Random(zlib.crc32(qid.encode("utf-8"))).shuffle(options)
    return options


def quiz(qid: str):
    """A self-check question from the course's question bank, with feedback on every
    option.

    Questions, options, answers and explanations live in ``brainviz/app/quizzes.json``,
    not in the notebooks, so the answer is not in the cell above the question.

    Parameters
    ----------
    qid : str
        The question's id, e.g. ``"memory-window-reading"``.

    Returns
    -------
    ipywidgets.VBox
        With ``.choice`` (RadioButtons), ``.check`` (Button) and ``.feedback`` (HTML).

    Examples
    --------
    >>> from brainviz.app.widgets import quiz, quiz_options
    >>> q = quiz("bdnf-last-peak")
    >>> right = [o["text"] for o in quiz_options("bdnf-last-peak") if o["correct"]][0]
    >>> q.choice.value = right; q.check.click(); "Correct" in q.feedback.value
    True
    """
    _require_widgets()
    item = _quiz_bank()[check_choice("quiz id", qid, _quiz_bank())]
    options = quiz_options(qid)
    texts = [o["text"] for o in options]
    choice = _w.RadioButtons(options=texts, value=None,
                             layout=_w.Layout(width="auto", max_width="100%"))
    check = _w.Button(description="check", button_style="info")
    feedback = _w.HTML("")

    def on_check(_button):
        if choice.value is None:
            feedback.value = "<i>Pick an answer first.</i>"
            return
        o = options[texts.index(choice.value)]
        if o["correct"]:
            feedback.value = f"<b style='color:{OKABE_ITO['green']}'>Correct.</b> {o['feedback']}"
        else:
            feedback.value = (f"<b style='color:{OKABE_ITO['vermillion']}'>Not quite.</b> "
                              f"{o['feedback']} <i>Try another answer.</i>")

    check.on_click(on_check)
    tag = _ASKS.get(item.get("asks"), "")
    head = (f"<small style='color:#666'>{tag}</small><br>" if tag else "") + \
        f"<b>{_html(item['question'])}</b>"
    box = _w.VBox([_w.HTML(head), choice, check, feedback])
    box.choice, box.check, box.feedback, box.qid = choice, check, feedback, qid
    return box


def video(name: str, *, theme: str = "notebook", fps: int = 15):
    """A gallery animation as an embedded MP4 for notebooks (fast: rendered by brainviz).

    Much lighter than ``anim.to_jshtml()``: a few hundred kilobytes instead of one
    image per frame, and it plays in JupyterLab, VS Code, Colab and Voila.

    Parameters
    ----------
    name : str
        A gallery name (:data:`brainviz.GALLERY_NAMES`).
    theme : str
        A theme name.
    fps : int
        Frames per second, in [5, 60].

    Returns
    -------
    IPython.display.Video

    Examples
    --------
    >>> from brainviz.app.widgets import video
    >>> v = video("dmn", fps=5)
    >>> v.embed
    True
    """
    import pathlib
    import tempfile

    import matplotlib.pyplot as plt
    from IPython.display import Video

    from ..views import gallery
    from . import _video

    anim = gallery.animate(name, theme=theme, fps=fps)
    try:
        with tempfile.TemporaryDirectory() as folder:
            path = pathlib.Path(folder) / f"{name}.mp4"
            _video.write_mp4(anim, path)
            data = path.read_bytes()
    finally:
        plt.close(anim.fig)
    label = gallery.alt_text(name).replace("&", "&amp;").replace('"', "&quot;")
    # as wide as the output area and no wider: a 1100-px video is never clipped
    return Video(data, embed=True, mimetype="video/mp4",
                 html_attributes=f'controls loop style="max-width:100%;height:auto" '
                                 f'aria-label="{label}"')
