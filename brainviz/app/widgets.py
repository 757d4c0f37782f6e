"""Interactive panels for the notebooks: one per mechanism, plus a protocol builder.

Each panel is an ``ipywidgets.VBox``: controls built from the parameter table (so
sliders carry its ranges, steps and units), a status line, and one figure that is
updated in place. Moving a control re-runs the model, updates the figure's artists
and refreshes the one output: it never stacks a new figure. With the default inline
backend the figure is re-displayed in its ``Output`` with ``clear_output(wait=True)``
(no flicker to blank); with ipympl (``%matplotlib widget``) the canvas itself is
shown and redrawn.

Panels only wire the model to the drawing: the science is in
:func:`brainviz.simulate`, the pictures are plain matplotlib artists.
"""

from __future__ import annotations

import io
import math
import re
import time

import numpy as np

from ..science.course import Protocol, Session, simulate, sweep
from ..science.params import PARAMS, Param
from ..science.pharmacology import ROUTES, Dose
from ..views import scenarios
from ..views.themes import OKABE_ITO, theme_context

__all__ = ["Panel", "memory_panel", "dmn_panel", "plasticity_panel", "synergy_panel",
           "protocol_builder", "quiz", "video"]


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


class _NumberControl:
    """A slider and a typed box for one number, kept in step, refusing bad input."""

    def __init__(self, spec: Param, on_change, say):
        self.spec = spec
        label = f"{spec.doc}{_fmt_unit(spec.unit)}"
        self.slider = _w.FloatSlider(
            value=spec.default, min=spec.low, max=spec.high, step=spec.step,
            description="", continuous_update=False, readout=False,
            layout=_w.Layout(width="260px"))
        self.text = _w.FloatText(value=spec.default, layout=_w.Layout(width="90px"))
        self.label = _w.Label(label, layout=_w.Layout(width="260px"))
        self.box = _w.HBox([self.label, self.slider, self.text])
        self._on_change, self._say = on_change, say
        self._busy = False
        self.slider.observe(self._from_slider, "value")
        self.text.observe(self._from_text, "value")

    @property
    def value(self) -> float:
        return float(self.slider.value)

    def set(self, value: float, notify: bool = True):
        self._busy = True
        try:
            self.slider.value = value
            self.text.value = value
        finally:
            self._busy = False
        if notify:
            self._on_change()

    def _from_slider(self, change):
        if self._busy:
            return
        self._busy = True
        # a slider's float steps accumulate error (0.55000000001): show what was meant
        digits = max(0, -int(math.floor(math.log10(self.spec.step)))) + 2
        self.text.value = round(change["new"], digits)
        self._busy = False
        self._on_change()

    def _from_text(self, change):
        if self._busy:
            return
        v, s = change["new"], self.spec
        if v is None or not math.isfinite(v) or not s.low <= v <= s.high:
            self._say(f"{s.doc} must be in [{s.low:g}, {s.high:g}]{_fmt_unit(s.unit)}; "
                      f"{v!r} was not applied", error=True)
            self._busy = True
            self.text.value = self.slider.value
            self._busy = False
            return
        self._busy = True
        self.slider.value = v
        self._busy = False
        self._on_change()


class Panel(_w.VBox if _w is not None else object):
    """A panel: controls, a status line and one figure updated in place.

    Attributes
    ----------
    figure : matplotlib.figure.Figure
        The one figure the panel draws into (it is never replaced).
    controls : dict
        Control name -> current value (read-only view of the widgets).
    output : ipywidgets.Output
        Where the figure is shown.
    status : ipywidgets.HTML
        Messages: what the model says, or why typed input was refused.
    last_latency_s : float
        Kernel-side time of the last update (model + redraw), seconds.
    """

    def __init__(self, title: str, specs, build, update, theme: str = "notebook",
                 extra=()):
        _require_widgets()
        import matplotlib
        import matplotlib.pyplot as plt

        self._theme = theme
        self._specs = [_spec(s) for s in specs]
        self._numbers = {}
        self.status = _w.HTML("")
        self.output = _w.Output()
        self._ready = False
        for s in self._specs:
            self._numbers[s.name] = _NumberControl(s, self._changed, self._say)
        self._extra = dict(extra)
        self._extra_defaults = {k: w.value for k, w in self._extra.items()}
        for widget in self._extra.values():
            widget.observe(lambda _change: self._changed(), "value")
        self.reset_button = _w.Button(description="reset", icon="undo",
                                      tooltip="restore every control to its default")
        self.reset_button.on_click(lambda _b: self.reset())
        with plt.ioff(), theme_context(theme):
            large = theme in ("slides", "dark")  # presenting: big enough for a room
            size = dict(figsize=(13.0, 5.6) if large else (9.5, 4.2), dpi=100 if large else 90,
                        layout="constrained")
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
            update({k: v for k, v in self._artists.items()}, self.controls)
            self.figure.canvas.draw()
            self.figure.set_layout_engine("none")
        from matplotlib.artist import Artist
        from matplotlib.axes import Axes

        # what updates change; the rest (axes, ticks, labels) is cached as a background
        self._dynamic = [a for a in self._artists.values()
                         if isinstance(a, Artist) and not isinstance(a, Axes)]
        self._dynamic += [a for v in self._artists.values() if isinstance(v, list)
                          for a in v if isinstance(a, Artist)]
        self._background = None
        self._limits = None
        self._update_fn = update
        self._interactive = "ipympl" in type(self.figure.canvas).__module__
        rows = [n.box for n in self._numbers.values()] + list(self._extra.values())
        super().__init__([_w.HTML(f"<h3>{title}</h3>"), *rows,
                          _w.HBox([self.reset_button, self.status]), self.output])
        self.last_latency_s = float("nan")
        self._ready = True
        self.update()

    # -- values ---------------------------------------------------------------
    @property
    def controls(self) -> dict:
        values = {k: n.value for k, n in self._numbers.items()}
        values.update({k: w.value for k, w in self._extra.items()})
        return values

    def set(self, **values):
        """Set controls by name (as a student would), then update once."""
        for name, value in values.items():
            if name in self._numbers:
                self._numbers[name].set(value, notify=False)
            elif name in self._extra:
                self._ready = False
                self._extra[name].value = value
                self._ready = True
            else:
                raise ValueError(f"unknown control {name!r}; one of {sorted(self.controls)}")
        self.update()

    def reset(self):
        """Restore every control to its default and redraw once."""
        self._ready = False
        for n in self._numbers.values():
            n.set(n.spec.default, notify=False)
        for k, w in self._extra.items():
            w.value = self._extra_defaults[k]
        self._ready = True
        self._say("")
        self.update()

    # -- drawing --------------------------------------------------------------
    def _say(self, text: str, error: bool = False):
        style = f" style='color:{OKABE_ITO['vermillion']}'" if error else ""
        self.status.value = f"<span{style}>{text}</span>" if text else ""

    def _changed(self):
        if self._ready:
            self.update()

    def update(self):
        """Re-run the model for the current controls and redraw the figure in place."""
        t0 = time.perf_counter()
        try:
            with theme_context(self._theme):
                message = self._update_fn(self._artists, self.controls)
        except (ValueError, TypeError) as exc:  # a protocol the model refuses
            self._say(str(exc), error=True)
            return
        if message is not None:
            self._say(message)
        self._refresh()
        self.last_latency_s = time.perf_counter() - t0

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
            display(Image(data=png, format="png"))

    def _render(self):
        """Draw the figure into its canvas, redrawing only what updates change.

        The static part (axes, ticks, labels, legends) is drawn once and cached; it is
        drawn again only when an axis' limits have changed.
        """
        canvas = self.figure.canvas
        limits = tuple(tuple(np.round(ax.viewLim.bounds, 12)) for ax in self.figure.axes)
        if self._background is None or limits != self._limits:
            for a in self._dynamic:
                a.set_animated(True)
            canvas.draw()
            self._background = canvas.copy_from_bbox(self.figure.bbox)
            self._limits = limits
        else:
            canvas.restore_region(self._background)
        for a in self._dynamic:
            self.figure.draw_artist(a)
        for a in self._dynamic:
            a.set_animated(False)

    def png(self) -> bytes:
        """The figure as PNG bytes: one draw, no tight-bbox pass (what the panel shows)."""
        from PIL import Image as _PIL

        self._render()
        canvas = self.figure.canvas
        buf = io.BytesIO()
        # fast zlib level: a widget refresh is sent once and thrown away
        _PIL.fromarray(np.asarray(canvas.buffer_rgba())).save(buf, format="png",
                                                               compress_level=1)
        return buf.getvalue()


def _dose_control(default=0.5):
    return _control("mg_per_kg", default, 0.05, 5.0, 0.05, "mg/kg", "ketamine dose")


# ---------------------------------------------------------------------------------
# memory-pathway disruption
# ---------------------------------------------------------------------------------

def memory_panel(*, theme: str = "notebook") -> Panel:
    """Retrieval inside or outside the plasticity window; the trauma trace responds.

    Controls: dose, when the exposure session happens after the dose, and the
    reconsolidation parameters. Left: the trauma trace over a week with and without
    ketamine. Right: plasticity with the retrieval window shaded.

    Examples
    --------
    >>> from brainviz.app.widgets import memory_panel
    >>> panel = memory_panel()
    >>> panel.set(session_h=2.0)
    >>> 0 < panel.controls["session_h"] < 3
    True
    """
    specs = [_dose_control(),
             _control("session_h", 24.0, 0.0, 96.0, 1.0, "h", "exposure session after dose"),
             "reconsolidation_window_h", "reconsolidation_rate"]

    def build(fig):
        ax1, ax2 = fig.subplots(1, 2)
        k_spec, r_spec = scenarios.MEMORY_RUNS[:2]
        with_k, = ax1.plot([], [], color=_hex(k_spec), lw=2.5, ls=k_spec.linestyle,
                           label=k_spec.label)
        alone, = ax1.plot([], [], color=_hex(r_spec), lw=2.5, ls=r_spec.linestyle,
                          label=r_spec.label)
        ax1.set(xlim=(0, 7), ylim=(0.5, 1.03), xlabel="days",
                ylabel="trauma trace (1 = before)")
        ax1.legend(loc="lower left")
        plast, = ax2.plot([], [], color=OKABE_ITO["blue"], lw=2.5)
        window = ax2.axvspan(0, 1, color=OKABE_ITO["orange"], alpha=0.3, lw=0)
        ax2.set(xlim=(0, 7), ylim=(0.9, 2.6), xlabel="days", ylabel="plasticity level")
        title = ax1.set_title("", loc="left")
        return dict(with_k=with_k, alone=alone, plast=plast, window=window, title=title,
                    ax2=ax2)

    def update(a, v):
        params = {k: v[k] for k in ("reconsolidation_window_h", "reconsolidation_rate")}
        k, r = sweep(list(scenarios.memory_protocols(v["mg_per_kg"], v["session_h"])[:2]),
                     params=params)
        a["with_k"].set_data(k.t_days, k.trauma_trace / k.trauma_trace[0])
        a["alone"].set_data(r.t_days, r.trauma_trace / r.trauma_trace[0])
        a["plast"].set_data(k.t_days, k.plasticity)
        start = (v["session_h"] + 1 / 6) / 24.0
        end = (v["session_h"] + v["reconsolidation_window_h"]) / 24.0
        a["window"].set_x(start)
        a["window"].set_width(end - start)
        a["ax2"].set_ylim(0.9, max(2.0, np.ceil(float(k.plasticity.max()) * 1.1 * 2) / 2))
        left = k.trauma_trace[-1] / k.trauma_trace[0]
        a["title"].set_text(f"trace left after the session: {left:.2f}")
        return (f"Session {v['session_h']:.0f} h after a {v['mg_per_kg']:.2f} mg/kg dose: "
                f"{100 * (1 - left):.0f}% of the trauma trace weakened "
                f"(retrieval alone: {100 * (1 - r.trauma_trace[-1] / r.trauma_trace[0]):.0f}%).")

    return Panel("Memory-pathway disruption", specs, build, update, theme)


# ---------------------------------------------------------------------------------
# DMN loosening
# ---------------------------------------------------------------------------------

def dmn_panel(*, theme: str = "notebook") -> Panel:
    """DMN connectivity over two weeks after a dose, for PTSD and a healthy brain.

    Examples
    --------
    >>> from brainviz.app.widgets import dmn_panel
    >>> panel = dmn_panel()
    >>> sorted(panel.controls)
    ['dmn_loosening_gain', 'dmn_loosening_tau_h', 'dmn_remodel_fraction', 'mg_per_kg']
    """
    specs = [_dose_control(), "dmn_loosening_gain", "dmn_remodel_fraction",
             "dmn_loosening_tau_h"]

    def build(fig):
        ax = fig.subplots()
        ptsd, healthy = (ax.plot([], [], color=_hex(c), lw=2.5, ls=c.linestyle, label=c.label)[0]
                         for c in scenarios.DMN_RUNS)
        ax.axvline(1.0, color="#888888", lw=1, ls=":")
        ax.set(xlim=(0, 14), ylim=(0.2, 0.8), xlabel="days after the dose",
               ylabel="DMN connectivity (mean r)")
        ax.legend(loc="lower right")
        title = ax.set_title("", loc="left")
        return dict(ptsd=ptsd, healthy=healthy, title=title)

    def update(a, v):
        params = {k: v[k] for k in ("dmn_loosening_gain", "dmn_remodel_fraction",
                                    "dmn_loosening_tau_h")}
        p, h = sweep(list(scenarios.dmn_protocols(v["mg_per_kg"])), params=params)
        a["ptsd"].set_data(p.t_days, p.dmn_connectivity)
        a["healthy"].set_data(h.t_days, h.dmn_connectivity)
        before, day = p.dmn_connectivity[0], p.at("dmn_connectivity", 24.0)
        a["title"].set_text(f"PTSD DMN: {before:.2f} before, {day:.2f} at 24 h")
        return None

    return Panel("DMN loosening", specs, build, update, theme)


# ---------------------------------------------------------------------------------
# BDNF plasticity
# ---------------------------------------------------------------------------------

def plasticity_panel(*, theme: str = "notebook") -> Panel:
    """From dose to BDNF to spines, for any route; block BDNF or spine formation.

    Examples
    --------
    >>> from brainviz.app.widgets import plasticity_panel
    >>> panel = plasticity_panel()
    >>> panel.set(route="oral")
    >>> panel.controls["route"]
    'oral'
    """
    specs = [_dose_control(), "bdnf_gain", "spine_gain"]
    route = _w.Dropdown(options=list(ROUTES), value="iv", description="route")

    def build(fig):
        ax1, ax2 = fig.subplots(1, 2)
        bdnf, = ax1.plot([], [], color=OKABE_ITO["vermillion"], lw=2.5)
        ax1.set(xscale="log", xlim=(1 / 6, 168), ylim=(0.95, 2.1), xlabel="hours (log)",
                ylabel="BDNF (x baseline)")
        spines, = ax2.plot([], [], color=OKABE_ITO["green"], lw=2.5)
        ax2.set(xlim=(0, 14), ylim=(0.45, 0.65), xlabel="days", ylabel="spines per µm")
        title = ax1.set_title("", loc="left")
        return dict(bdnf=bdnf, spines=spines, title=title, ax1=ax1)

    def update(a, v):
        params = {k: v[k] for k in ("bdnf_gain", "spine_gain")}
        c = simulate(Protocol(doses=[Dose(0.0, v["mg_per_kg"], v["route"])], days=14),
                     params=params)
        a["bdnf"].set_data(np.maximum(c.t_h, 1 / 6), c.bdnf)
        a["spines"].set_data(c.t_days, c.spine_density)
        a["title"].set_text(f"{ROUTES[v['route']].label}: plasma peak "
                            f"{c.plasma_ng_ml.max():.0f} ng/mL")
        return (f"New spines at 2 days: {c.at('spine_density', 48) - c.spine_density[0]:+.3f} "
                f"per µm")

    return Panel("BDNF plasticity", specs, build, update, theme, extra={"route": route})


# ---------------------------------------------------------------------------------
# therapy synergy
# ---------------------------------------------------------------------------------

def synergy_panel(*, theme: str = "notebook") -> Panel:
    """Exposure therapy with and without ketamine over 12 weeks; timing and dose matter.

    Examples
    --------
    >>> from brainviz.app.widgets import synergy_panel
    >>> panel = synergy_panel()
    >>> panel.set(sessions=4)
    >>> panel.controls["sessions"]
    4.0
    """
    specs = [_dose_control(),
             _control("delay_h", 24.0, 0.0, 96.0, 1.0, "h", "first session after dose"),
             _control("sessions", 10.0, 1.0, 12.0, 1.0, "weekly", "number of sessions"),
             "extinction_rate"]

    def build(fig):
        ax = fig.subplots()
        lines = [ax.plot([], [], color=_hex(c), ls=c.linestyle, lw=2.5, label=c.label)[0]
                 for c in scenarios.SYNERGY_RUNS]
        ax.set(xlim=(0, 84), ylim=(0, 80), xlabel="days", ylabel="symptom index (0-100)")
        ax.legend(loc="lower left", ncol=2)
        title = ax.set_title("", loc="left")
        return dict(lines=lines, title=title)

    def update(a, v):
        runs = sweep(list(scenarios.synergy_protocols(v["mg_per_kg"], sessions=int(v["sessions"]),
                                                      first_h=v["delay_h"])),
                     params={"extinction_rate": v["extinction_rate"]})
        for line, c in zip(a["lines"], runs):
            line.set_data(c.t_days, c.symptoms)
        end = runs[0].symptoms[-1]
        g = [end - c.symptoms[-1] for c in runs[1:]]
        a["title"].set_text(f"week 12: exposure {g[0]:.0f}, ketamine {g[1]:.0f}, "
                            f"together {g[2]:.0f} points")
        return None

    return Panel("Therapy synergy", specs, build, update, theme)


# ---------------------------------------------------------------------------------
# protocol builder
# ---------------------------------------------------------------------------------

def protocol_builder(*, theme: str = "notebook") -> Panel:
    """Build any course: up to three doses and four sessions, condition and length.

    Leave a dose's mg/kg at 0 (or a session's time blank, -1) to leave it out. The
    model's own validation speaks in the status line when a protocol is not valid.

    Examples
    --------
    >>> from brainviz.app.widgets import protocol_builder
    >>> panel = protocol_builder()
    >>> panel.set(dose2_mg_per_kg=0.5, dose2_h=48.0)
    >>> "error" not in panel.status.value
    True
    """
    extra = {"condition": _w.Dropdown(options=["ptsd", "healthy"], value="ptsd",
                                      description="condition"),
             "days": _w.BoundedIntText(value=28, min=1, max=365, description="days")}
    specs = []
    for i, (t, mg) in enumerate([(0.0, 0.5), (-1.0, 0.0), (-1.0, 0.0)], start=1):
        specs.append(_control(f"dose{i}_h", t, -1.0, 24.0 * 84, 1.0, "h", f"dose {i} time"))
        specs.append(_control(f"dose{i}_mg_per_kg", mg, 0.0, 5.0, 0.05, "mg/kg",
                              f"dose {i} amount"))
        extra[f"dose{i}_route"] = _w.Dropdown(options=list(ROUTES), value="iv",
                                              description=f"dose {i} route")
    for i, t in enumerate([24.0, -1.0, -1.0, -1.0], start=1):
        specs.append(_control(f"session{i}_h", t, -1.0, 24.0 * 84, 1.0, "h",
                              f"session {i} time"))
        extra[f"session{i}_kind"] = _w.Dropdown(options=["exposure", "emdr", "supportive"],
                                                value="exposure",
                                                description=f"session {i} kind")

    def build(fig):
        ax1, ax2 = fig.subplots(1, 2)
        sym, = ax1.plot([], [], color=OKABE_ITO["vermillion"], lw=2.5)
        ax1.set(ylim=(0, 100), xlabel="days", ylabel="symptom index (0-100)")
        plasma, = ax2.plot([], [], color=OKABE_ITO["blue"], lw=2)
        # log scale with fixed limits: any dose or route fits without rescaling
        ax2.set(xlabel="days", ylabel="plasma ketamine (ng/mL, log)", yscale="log",
                ylim=(1, 5000))
        title = ax1.set_title("", loc="left")
        return dict(sym=sym, plasma=plasma, ax1=ax1, ax2=ax2, title=title)

    def update(a, v):
        doses = [Dose(v[f"dose{i}_h"], v[f"dose{i}_mg_per_kg"], v[f"dose{i}_route"])
                 for i in (1, 2, 3) if v[f"dose{i}_h"] >= 0 and v[f"dose{i}_mg_per_kg"] > 0]
        therapy = [Session(v[f"session{i}_h"], v[f"session{i}_kind"]) for i in (1, 2, 3, 4)
                   if v[f"session{i}_h"] >= 0]
        c = simulate(Protocol(doses=doses, therapy=therapy, days=int(v["days"]),
                              condition=v["condition"]))
        a["sym"].set_data(c.t_days, c.symptoms)
        a["plasma"].set_data(c.t_days, np.where(c.plasma_ng_ml > 0.5, c.plasma_ng_ml, np.nan))
        for ax in (a["ax1"], a["ax2"]):
            ax.set_xlim(0, c.protocol.days)
        a["title"].set_text(f"{len(doses)} dose(s), {len(therapy)} session(s): "
                            f"lowest {c.symptoms.min():.0f}, end {c.symptoms[-1]:.0f}")
        return "protocol ok"

    return Panel("Protocol builder", specs, build, update, theme, extra=extra)


def quiz(question: str, options, answer: int, why):
    """A multiple-choice self-check with instant feedback explaining why.

    Parameters
    ----------
    question : str
    options : sequence of str
    answer : int
        Index of the correct option.
    why : sequence of str
        One explanation per option, shown when that option is checked.

    Returns
    -------
    ipywidgets.VBox
        With ``.choice`` (RadioButtons), ``.check`` (Button) and ``.feedback`` (HTML).

    Examples
    --------
    >>> from brainviz.app.widgets import quiz
    >>> q = quiz("2 + 2?", ["3", "4"], 1, ["no", "yes"])
    >>> q.choice.value = "4"; q.check.click(); "Correct" in q.feedback.value
    True
    """
    _require_widgets()
    options = list(options)
    why = list(why)
    if not 0 <= answer < len(options) or len(why) != len(options):
        raise ValueError("answer must index options, and why needs one line per option")
    choice = _w.RadioButtons(options=options, value=None, layout=_w.Layout(width="auto"))
    check = _w.Button(description="check", button_style="info")
    feedback = _w.HTML("")

    def on_check(_button):
        if choice.value is None:
            feedback.value = "<i>Pick an answer first.</i>"
            return
        k = options.index(choice.value)
        if k == answer:
            feedback.value = (f"<b style='color:{OKABE_ITO['green']}'>Correct.</b> {why[k]}")
        else:
            feedback.value = (f"<b style='color:{OKABE_ITO['vermillion']}'>Not quite.</b> "
                              f"{why[k]}")

    check.on_click(on_check)
    box = _w.VBox([_w.HTML(f"<b>{question}</b>"), choice, check, feedback])
    box.choice, box.check, box.feedback = choice, check, feedback
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
    return Video(data, embed=True, mimetype="video/mp4",
                 html_attributes=f'controls loop aria-label="{label}"')
