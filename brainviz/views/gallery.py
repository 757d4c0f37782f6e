"""The gallery: one still figure and one animation per view of the model.

``figure(name, theme=...)`` returns a matplotlib Figure and ``animate(name, theme=...)``
an :class:`brainviz.views.animation.Animation` (a ``FuncAnimation``). Both run
:func:`brainviz.simulate` first and then draw the arrays it made; every entry has a
caption and alt text (``caption(name)``, ``alt_text(name)``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .._validate import check_choice
from .scenarios import run
from .themes import OKABE_ITO, THEMES as _THEMES, get_theme, theme_context

__all__ = ["NAMES", "THEMES", "figure", "animate", "caption", "alt_text"]

NAMES = ("network", "treatment_day", "memory", "dmn", "plasticity", "synergy")
THEMES = tuple(_THEMES)


@dataclass(frozen=True)
class _Text:
    title: str
    caption: str
    alt: str


_TEXT = {
    "network": _Text(
        "The trauma brain in the model: PTSD vs healthy",
        "The model's network on a side view of the brain, for PTSD (left) and a healthy "
        "brain (right). Marker size is a region's response to a trauma reminder; arrow "
        "width is pathway strength. In PTSD the trauma trace from thalamus and "
        "hippocampus to the amygdala is strong, the vmPFC brake on the amygdala is weak, "
        "and the default mode network (mPFC, PCC, angular gyrus) is locked in a tight "
        "loop, as meta-analyses of PTSD imaging describe (Etkin & Wager 2007; Hayes "
        "2012). Illustrative weights; not a patient's brain.",
        "Two side views of a brain with eight regions connected by arrows. In the PTSD "
        "network the amygdala marker is larger, the arrows into the amygdala are thick, "
        "the dashed vmPFC-to-amygdala arrow is thin, and the three default mode regions "
        "are joined by thick arrows. In the healthy network the amygdala is smaller, the "
        "vmPFC arrow is thicker and the default mode arrows are thinner."),
    "treatment_day": _Text(
        "One infusion day and the days after",
        "One 0.5 mg/kg intravenous infusion over 40 minutes in the model, on a log time "
        "axis. Plasma ketamine peaks at the end of the infusion inside the range where "
        "people feel dissociated and is gone within hours; NMDA block and the glutamate "
        "burst last while the drug is present; BDNF peaks hours later; new spines take "
        "about a day and stay for days; the symptom index is lowest around the next day "
        "(the 'clarity' patients describe) and returns over one to two weeks (Zanos 2018; "
        "Coyle & Laws 2015; Moda-Sava 2019). Illustrative numbers.",
        "Six small line charts against time from 10 minutes to 3 weeks. Plasma ketamine "
        "rises to about 200 ng/mL at 40 minutes, inside a shaded dissociation band, then "
        "falls to zero within hours. NMDA block and glutamate rise and fall within hours. "
        "BDNF peaks at about 5 hours. Spine density rises over the first day and declines "
        "over two weeks. The symptom index falls to its lowest point around one day, "
        "marked next-day clarity, and climbs back over two weeks."),
    "memory": _Text(
        "Memory-pathway disruption: retrieval inside a plasticity window",
        "A trauma memory changes only when it is retrieved, and only while the "
        "reconsolidation window is open (about 10 minutes to 6 hours; Nader 2000, animal "
        "work). Left: the trauma trace over a week when the memory is retrieved in an "
        "exposure session a day after ketamine, retrieved without ketamine, or not "
        "retrieved at all. Middle: the plasticity level after the dose, with the window "
        "opened by the session. Right: how much of the trace is left after one session, "
        "by the session's timing relative to the dose: during the infusion blocked NMDA "
        "receptors keep the memory from destabilising. Human evidence is a pilot trial "
        "(Duek 2023). Illustrative numbers.",
        "Three charts. Left: three lines of trauma trace strength over seven days; the "
        "line for ketamine plus retrieval drops in a step at day one, retrieval alone "
        "dips slightly, ketamine alone stays flat. Middle: plasticity rising after the "
        "dose with a shaded window after the session. Right: trace remaining after one "
        "session plotted against session time relative to the dose; lowest for sessions "
        "several hours to two days after the dose."),
    "dmn": _Text(
        "DMN loosening: the rumination loop before and a day after a dose",
        "The default mode network's three regions (mPFC, PCC, angular gyrus) form a "
        "self-sustaining loop; in PTSD it is rigid, so the regions move together. A day "
        "after a 0.5 mg/kg dose the loop's coupling is lower and the regions' resting "
        "correlation drops (Scheidegger 2012, human imaging at 24 h). Acute effects in the "
        "first hours are mixed in the literature and the model claims none. Part of the "
        "loosening lasts longer as plasticity remodels the loop. Illustrative numbers.",
        "Left: two side views of the three default mode regions joined by arrows, thick "
        "before the dose and thinner 24 hours after. Middle: two three-by-three "
        "correlation matrices, darker before than after. Right: a line of DMN "
        "connectivity over two weeks that dips over the first days and slowly recovers."),
    "plasticity": _Text(
        "BDNF plasticity: from dose to new spines",
        "The cascade on its own time scales, each step scaled to its peak: plasma "
        "ketamine (minutes), NMDA block and glutamate burst (while the drug is present), "
        "BDNF (hours; Autry 2011; Haile 2014), mTOR-driven synaptic protein synthesis "
        "(hours to a day; Li 2010), and new dendritic spines (about a day, lasting days; "
        "Moda-Sava 2019, animal work). Right: a stretch of prefrontal dendrite before the "
        "dose and two days after it, with the new spines in green squares. Blocking BDNF "
        "removes the new spines and the lasting benefit. Illustrative numbers.",
        "Left: five curves scaled to their peaks on a log time axis, peaking in order: "
        "plasma at 40 minutes, glutamate at about 1 hour, BDNF at about 5 hours, mTOR at "
        "about 12 hours, spines at about 1 to 2 days. Right: two drawings of a dendrite "
        "branch with spines; the lower one, two days after the dose, has extra spines "
        "drawn as green squares."),
    "synergy": _Text(
        "Therapy synergy: exposure after ketamine",
        "Symptom index over 12 weeks for four courses in the model: no treatment, "
        "exposure therapy alone (8 weekly 90-minute sessions), one ketamine infusion "
        "alone, and the infusion followed a day later by the same therapy. Ketamine "
        "alone helps for about a week; therapy alone helps slowly; together the "
        "plasticity window lets each session build more lasting extinction and weaken "
        "the trauma trace, so the combination exceeds the sum of its parts. Human "
        "evidence for this synergy comes from small pilot trials (Pradhan 2017; "
        "Wilkinson 2021); the size of the effect here is illustrative, not a prediction.",
        "Left: four lines of symptom index over 12 weeks. No treatment stays flat near "
        "70. Ketamine alone dips for about a week and returns. Therapy alone declines "
        "slowly. Ketamine plus therapy drops steeply in the first week and stays lowest. "
        "Right: a bar chart of improvement at week 12; the combination bar is taller than "
        "the stacked bar of therapy alone plus ketamine alone."),
}


def _check_name(name) -> str:
    return check_choice("name", name, NAMES)


def caption(name: str) -> str:
    """One-paragraph caption of a gallery entry.

    Examples
    --------
    >>> from brainviz.views.gallery import caption
    >>> "dissociat" in caption("treatment_day")
    True
    """
    return _TEXT[_check_name(name)].caption


def alt_text(name: str) -> str:
    """Alt text of a gallery entry: what the picture shows, for people who cannot see it.

    Examples
    --------
    >>> from brainviz.views.gallery import alt_text
    >>> alt_text("network").startswith("Two side views")
    True
    """
    return _TEXT[_check_name(name)].alt


def title(name: str) -> str:
    """The entry's title."""
    return _TEXT[_check_name(name)].title


# ---------------------------------------------------------------------------------
# scenarios: the simulations each view draws (cached; courses are read-only)
# ---------------------------------------------------------------------------------

def _scenario(key: str):
    return run(key)


def _sessions():
    """The exposure course's sessions (the synergy view's therapy)."""
    return run("synergy")[1].protocol.therapy


# ---------------------------------------------------------------------------------
# figures
# ---------------------------------------------------------------------------------

def figure(name: str, *, theme: str = "notebook"):
    """Build the still figure of a gallery entry.

    Parameters
    ----------
    name : str
        One of :data:`NAMES`.
    theme : {"notebook", "slides", "dark", "print"}
        ``"slides"`` and ``"dark"`` are 16:9 at 1920x1080 px.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from brainviz.views.gallery import figure
    >>> fig = figure("synergy", theme="slides")
    >>> [int(v) for v in fig.get_size_inches() * fig.dpi]
    [1920, 1080]
    """
    _check_name(name)
    th = get_theme(theme)
    import matplotlib.pyplot as plt

    with theme_context(theme):
        fig = plt.figure(figsize=th.figsize, dpi=th.dpi, layout="constrained")
        _BUILDERS[name](fig, th)
        fig.suptitle(title(name), x=0.01, ha="left")
    fig.brainviz_name = name
    return fig


def _panel_label(ax, text, th):
    ax.set_title(text, loc="left", fontsize=th.rc["axes.titlesize"] * 0.85)


def _build_network(fig, th):
    from . import draw_network, network_legend

    ptsd, healthy = _scenario("network")
    axes = fig.subplots(1, 2)
    for ax, c, label in zip(axes, (ptsd, healthy), ("PTSD", "Healthy")):
        act = dict(zip(c.regions, c.activity[0]))
        w = dict(zip(c.edges, c.edge_weights[0]))
        draw_network(c.network, ax=ax, view="sagittal", activity=act, weights=w,
                     theme=th.name)
        ax.set_title(label, fontsize=th.rc["axes.titlesize"] * 1.1)
        ax.text(0.5, 0.02, f"symptom index {c.symptoms[0]:.0f}/100", transform=ax.transAxes,
                ha="center", color=th.muted)
    network_legend(ax=fig, theme=th.name, loc="outside lower center", ncol=4)


def _build_treatment_day(fig, th):
    from . import log_time_axis

    c = _scenario("day")
    t = c.t_h[1:]
    panels = [
        ("plasma_ng_ml", "Plasma ketamine", "ng/mL"),
        ("nmda_occupancy", "NMDA receptors blocked", "fraction"),
        ("glutamate", "Glutamate burst", "x baseline"),
        ("bdnf", "BDNF", "x baseline"),
        ("spine_density", "Dendritic spines", "spines per µm"),
        ("symptoms", "Symptom index", "0-100"),
    ]
    axes = fig.subplots(2, 3, sharex=True)
    for ax, (key, label, unit) in zip(axes.flat, panels):
        y = c.series[key][1:]
        ax.plot(t, y, color=OKABE_ITO["blue"])
        _panel_label(ax, label, th)
        ax.set_ylabel(unit)
        log_time_axis(ax, t_max_h=21 * 24, label=False)
        ax.grid(axis="y", alpha=0.5)
        if key == "plasma_ng_ml":
            ax.axhspan(100, 250, color=OKABE_ITO["purple"], alpha=0.15, lw=0)
            ax.text(6.0, 175, "dissociation\nrange", va="center", ha="left", color=th.text,
                    fontsize="small")
        if key == "symptoms":
            t_best = c.t_h[np.argmin(c.symptoms)]
            ax.annotate("next-day\nclarity", (t_best, c.symptoms.min()),
                        xytext=(-60, -8), textcoords="offset points", ha="right",
                        va="center", color=th.text, fontsize="small",
                        arrowprops=dict(arrowstyle="->", color=th.muted))
            ax.set_ylim(c.symptoms.min() - 8, c.symptoms.max() + 3)
    fig.supxlabel("time after the infusion starts (log scale)")


def _build_memory(fig, th):
    from . import log_time_axis

    with_k, alone, drug = _scenario("memory")
    offsets, timing = _scenario("memory_timing")
    axes = fig.subplots(1, 3, width_ratios=[1.2, 1, 1])
    ax = axes[0]
    styles = [(with_k, "retrieval a day after ketamine", OKABE_ITO["vermillion"], "-"),
              (alone, "retrieval alone", OKABE_ITO["blue"], "--"),
              (drug, "ketamine alone (no retrieval)", OKABE_ITO["green"], ":")]
    for c, label, color, ls in styles:
        ax.plot(c.t_days, c.trauma_trace / c.trauma_trace[0], color=color, ls=ls, lw=3,
                label=label)
    ax.axvline(1.0, color=th.muted, lw=1)
    ax.text(1.08, 1.03, "exposure session", color=th.muted, fontsize="small", va="center")
    ax.set_ylim(0.7, 1.05)
    ax.set_xlabel("days")
    ax.set_ylabel("trauma trace (1 = before)")
    ax.legend(loc="center right", fontsize="small")
    _panel_label(ax, "Weakens only if retrieved", th)

    ax = axes[1]
    c = with_k
    ax.plot(c.t_h[1:], c.plasticity[1:], color=OKABE_ITO["blue"], lw=3)
    window = c.params["reconsolidation_window_h"]
    ax.axvspan(24.0 + 1 / 6, 24.0 + window, color=OKABE_ITO["orange"], alpha=0.25, lw=0)
    ax.text(24.0 + window, c.plasticity.max() * 1.02, "reconsolidation\nwindow",
            ha="center", va="bottom", color=th.text, fontsize="small")
    log_time_axis(ax, t_max_h=7 * 24)
    ax.set_ylabel("plasticity level (1 = baseline)")
    ax.set_ylim(0.95, c.plasticity.max() * 1.25)
    _panel_label(ax, "Plasticity after the dose", th)

    ax = axes[2]
    kept = [course.session_log[0]["trace_kept"] for course in timing]
    ax.plot(offsets, kept, marker="o", color=OKABE_ITO["vermillion"], lw=2.5, markersize=5)
    ax.axvline(0.0, color=th.muted, lw=1, ls="--")
    ax.text(-1, 0.995, "dose ", color=th.muted, fontsize="small", ha="right", va="top")
    best = int(np.argmin(kept))
    ax.annotate(f"most change:\nsession {offsets[best]:.0f} h\nafter the dose",
                (offsets[best], kept[best]), xytext=(20, 40), textcoords="offset points",
                color=th.text, fontsize="small", arrowprops=dict(arrowstyle="->",
                                                                 color=th.muted))
    ax.set_xlabel("session time after the dose (h)")
    ax.set_ylabel("trace left after one session")
    _panel_label(ax, "Timing matters", th)


def _build_dmn(fig, th):
    from . import draw_network

    c = _scenario("dmn")
    grid = fig.add_gridspec(2, 3, width_ratios=[1.15, 1.15, 1.3])
    dmn = [n for n, d in c.network.nodes(data=True) if d["system"] == "dmn"]
    idx = np.searchsorted(c.probe_t_h, [0.0, 24.0])
    for col, (i, label) in enumerate(zip(idx, ("before the dose", "24 h after"))):
        ax = fig.add_subplot(grid[0, col])
        w = dict(zip(c.edges, c.edge_weights[i]))
        draw_network(c.network, ax=ax, view="sagittal", only=dmn, weights=w, theme=th.name)
        _panel_label(ax, f"DMN loop {label}", th)
        ax = fig.add_subplot(grid[1, col])
        names, m = c.dmn_matrix(float(c.probe_t_h[i]))
        image = ax.imshow(m, vmin=0.3, vmax=0.8, cmap="Blues" if th.name != "dark" else "cividis")
        labels = [c.network.nodes[n]["label"].replace(" gyrus", "") for n in names]
        ax.set_xticks(range(len(names)), labels)
        ax.set_yticks(range(len(names)), labels)
        for (r, q), v in np.ndenumerate(m):
            ax.text(q, r, f"{v:.2f}", ha="center", va="center",
                    color="white" if v > 0.62 else "black", fontsize="small")
        ax.spines[:].set_visible(False)
        _panel_label(ax, "correlation " + ("before" if col == 0 else "24 h after"), th)
    fig.colorbar(image, ax=ax, shrink=0.8, label="correlation")
    ax = fig.add_subplot(grid[:, 2])
    ax.plot(c.t_days, c.dmn_connectivity, color=OKABE_ITO["blue"], lw=3)
    ax.axvline(1.0, color=th.muted, lw=1, ls="--")
    ax.annotate("24 h", (1.0, c.at("dmn_connectivity", 24.0)), xytext=(12, -12),
                textcoords="offset points", color=th.text)
    ax.set_xlabel("days after the dose")
    ax.set_ylabel("DMN connectivity (mean r)")
    ax.grid(alpha=0.4)
    _panel_label(ax, "Connectivity over two weeks", th)


def _build_plasticity(fig, th):
    from . import draw_dendrite, log_time_axis

    c = _scenario("day")
    axes = fig.subplots(1, 2, width_ratios=[1.35, 1])
    ax = axes[0]
    t = c.t_h[1:]
    steps = [("plasma_ng_ml", "plasma", OKABE_ITO["black"] if th.name != "dark" else "#dddddd",
              "-"),
             ("glutamate", "glutamate", OKABE_ITO["orange"], "--"),
             ("bdnf", "BDNF", OKABE_ITO["vermillion"], "-."),
             ("mtor", "mTOR", OKABE_ITO["purple"], ":"),
             ("spine_density", "spines", OKABE_ITO["green"], "-")]
    for key, label, color, ls in steps:
        y = c.series[key][1:]
        rise = (y - y[0]) / (y.max() - y[0])
        ax.plot(t, rise, color=color, ls=ls, lw=3, label=label)
    log_time_axis(ax, t_max_h=21 * 24)
    ax.set_ylim(0, 1.15)
    ax.set_ylabel("rise, scaled to its peak")
    _panel_label(ax, "Each step on its own time scale", th)
    ax.legend(loc="center right")
    ax = axes[1]
    base = c.spine_density[0]
    after = c.at("spine_density", 48.0)
    length = 60.0
    draw_dendrite(ax=ax, density_per_um=base, baseline_per_um=base, y=6.0, seed=1,
                  color=th.muted, length_um=length)
    draw_dendrite(ax=ax, density_per_um=float(after), baseline_per_um=base, y=-6.0,
                  seed=1, color=th.muted, length_um=length)
    ax.text(0, 10.5, f"before the dose: {base:.2f} spines/µm", color=th.text)
    ax.text(0, -1.6, f"2 days after: {float(after):.2f} spines/µm", color=th.text)
    ax.text(0, -12.5, "new spines: green squares", color=OKABE_ITO["green"], weight="bold")
    ax.set_ylim(-13.5, 13)
    ax.set_axis_off()
    _panel_label(ax, f"A prefrontal dendrite, {length:.0f} µm", th)


def _build_synergy(fig, th):
    from .timecourse import days_axis, direct_labels

    none, therapy, drug, both = _scenario("synergy")
    axes = fig.subplots(1, 2, width_ratios=[1.6, 1])
    ax = axes[0]
    runs = [(none, "no treatment", th.muted, ":"),
            (therapy, "therapy alone", OKABE_ITO["blue"], "--"),
            (drug, "ketamine alone", OKABE_ITO["orange"], "-."),
            (both, "ketamine + therapy", OKABE_ITO["vermillion"], "-")]
    for c, label, color, ls in runs:
        ax.plot(c.t_days, c.symptoms, color=color, ls=ls, lw=3, label=label)
    direct_labels(ax, 84.0, [c.symptoms[-1] for c, *_ in runs], [r[1] for r in runs],
                  [r[2] for r in runs], min_gap=5.0, dy=4.0)
    for s in _sessions():
        ax.plot([s.at_h / 24.0], [2.0], marker="|", color=th.muted, markersize=12)
    ax.text(_sessions()[0].at_h / 24.0, 5.0, "therapy sessions", color=th.muted, fontsize="small")
    days_axis(ax, days=84)
    ax.set_ylim(0, 80)
    ax.set_ylabel("symptom index (0-100)")
    _panel_label(ax, "Symptoms over 12 weeks", th)
    ax = axes[1]
    end = none.symptoms[-1]
    gain = {k: end - c.symptoms[-1] for k, c in
            (("therapy", therapy), ("ketamine", drug), ("both", both))}
    ax.bar(0, gain["therapy"], color=OKABE_ITO["blue"], hatch="//", edgecolor=th.background)
    ax.bar(1, gain["ketamine"], color=OKABE_ITO["orange"], hatch="..", edgecolor=th.background)
    ax.bar(2, gain["therapy"], color=OKABE_ITO["blue"], hatch="//", edgecolor=th.background)
    ax.bar(2, gain["ketamine"], bottom=gain["therapy"], color=OKABE_ITO["orange"],
           hatch="..", edgecolor=th.background)
    ax.bar(3, gain["both"], color=OKABE_ITO["vermillion"], edgecolor=th.background)
    for x, v in enumerate([gain["therapy"], gain["ketamine"],
                           gain["therapy"] + gain["ketamine"], gain["both"]]):
        ax.text(x, v + 0.8, f"{v:.0f}", ha="center", color=th.text, weight="bold")
    ax.set_xticks(range(4), ["therapy\nalone", "ketamine\nalone", "sum of\nthe two",
                             "ketamine\n+ therapy"])
    ax.set_ylabel("improvement at week 12 (points)")
    ax.set_ylim(0, max(gain.values()) * 1.25 + 2)
    _panel_label(ax, "More than the sum of its parts", th)


_BUILDERS = {
    "network": _build_network,
    "treatment_day": _build_treatment_day,
    "memory": _build_memory,
    "dmn": _build_dmn,
    "plasticity": _build_plasticity,
    "synergy": _build_synergy,
}


def animate(name: str, *, theme: str = "notebook", fps: int = 30):
    """Build the animation of a gallery entry: 12 s at ``fps`` frames per second.

    Parameters
    ----------
    name : str
        One of :data:`NAMES`.
    theme : {"notebook", "slides", "dark", "print"}
    fps : int
        Frames per second, in [5, 60].

    Returns
    -------
    brainviz.views.animation.Animation
        A ``matplotlib.animation.FuncAnimation``: ``.save()``, ``.to_jshtml()`` and
        notebook display work as usual; ``draw_frame(i)`` updates one frame.

    Examples
    --------
    >>> from brainviz.views.gallery import animate
    >>> anim = animate("dmn", fps=10)
    >>> anim.n_frames
    120
    """
    from .animation import build_animation

    _check_name(name)
    return build_animation(name, theme=theme, fps=fps)
