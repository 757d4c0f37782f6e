"""The gallery: one still figure and one animation per view of the model.

``figure(name, theme=...)`` returns a matplotlib Figure and ``animate(name, theme=...)``
an :class:`brainviz.views.animation.Animation` (a ``FuncAnimation``). Both run the
scenarios of :mod:`brainviz.views.scenarios` first and then draw the arrays they
made. Every entry has a title, a caption and alt text (``title(name)``,
``caption(name)``, ``alt_text(name)``), written from the model's numbers
(:func:`brainviz.views.story.facts`), so they say what the figure shows.
"""

from __future__ import annotations

import numpy as np

from .._validate import check_choice
from .scenarios import CASCADE, MEMORY_RUNS, SYNERGY_RUNS, harm_series, run
from .story import facts, points, synergy_verdict
from .themes import THEMES as _THEMES, color, get_theme, new_figure, theme_context
from .timecourse import LOG_T0_H, format_duration

__all__ = ["NAMES", "THEMES", "figure", "animate", "caption", "alt_text", "title"]

NAMES = ("network", "treatment_day", "memory", "dmn", "plasticity", "synergy")
THEMES = tuple(_THEMES)


def _check_name(name) -> str:
    return check_choice("name", name, NAMES)


# ---------------------------------------------------------------------------------
# words, computed from the model
# ---------------------------------------------------------------------------------

def title(name: str) -> str:
    """The figure's title (a claim the figure shows).

    Examples
    --------
    >>> from brainviz.views.gallery import title
    >>> title("memory")
    'A retrieved memory changes most in the plasticity period'
    """
    name = _check_name(name)
    if name == "synergy":
        return f"Ketamine + exposure: {synergy_verdict(facts('synergy'))}"
    if name == "treatment_day":
        f = facts("treatment_day")
        return ("One infusion: harms for hours, relief for days" if f["harms_end_h"] < 24
                else "One infusion: harms and relief over three weeks")
    return {
        "network": "The trauma network in the model: PTSD and healthy",
        "memory": "A retrieved memory changes most in the plasticity period",
        "dmn": "The rumination loop loosens a day after a dose",
        "plasticity": "From dose to new spines: each step on its own clock",
    }[name]


def caption(name: str) -> str:
    """One-paragraph caption of a gallery entry, with the model's numbers.

    Examples
    --------
    >>> from brainviz.views.gallery import caption
    >>> "dissociat" in caption("treatment_day")
    True
    """
    return _CAPTIONS[_check_name(name)]()


def alt_text(name: str) -> str:
    """Alt text of a gallery entry: what the figure shows, for a screen reader.

    Examples
    --------
    >>> from brainviz.views.gallery import alt_text
    >>> alt_text("synergy").startswith("Two charts")
    True
    """
    return _ALTS[_check_name(name)]()


def _network_caption():
    f = facts("network")
    return (
        "The model's network on a side view of the left hemisphere, for PTSD (left) and a "
        "healthy brain (right); the insula, which lies lateral under the operculum, is shown "
        "in a small top view. Marker size is a region's response to a trauma reminder; "
        "arrow width grows with pathway strength. In PTSD the trauma trace into the "
        f"amygdala is stronger ({f['trace_ptsd']:.2f} vs {f['trace_healthy']:.2f}), the "
        f"vmPFC brake on the amygdala weaker ({f['brake_ptsd']:.2f} vs "
        f"{f['brake_healthy']:.2f}), the default mode loop tighter ({f['loop_ptsd']:.2f} vs "
        f"{f['loop_healthy']:.2f}), and the amygdala responds {f['amygdala_ratio']:.1f} times "
        "as strongly, as meta-analyses of PTSD imaging describe (Etkin & Wager 2007; Hayes "
        f"2012). Symptom index {f['symptoms_ptsd']:.0f} vs {f['symptoms_healthy']:.0f} of 100. "
        "Regions are placed by MNI coordinates (Andrews-Hanna 2010; Harvard-Oxford atlas) "
        "on an outline traced from the MNI152 template. Illustrative weights; not a "
        "patient's brain.")


def _network_alt():
    f = facts("network")
    return (
        "Two side views of a brain, PTSD on the left and healthy on the right, each with "
        "seven regions joined by arrows and a small top view showing the insula. In PTSD "
        "the amygdala marker is larger, the solid arrows into the amygdala are thicker, the "
        "dashed vmPFC-to-amygdala brake is thinner, and the three default mode regions "
        "(mPFC, PCC, angular gyrus) are joined by thicker dash-dot arrows. Under each brain "
        f"the symptom index: {f['symptoms_ptsd']:.0f} for PTSD, {f['symptoms_healthy']:.0f} "
        "for healthy.")


def _day_caption():
    f = facts("treatment_day")
    harms = "dissociation"
    if "bp_peak" in f:
        harms += f", sedation and a systolic blood-pressure rise of about {f['bp_peak']:.0f} mmHg"
    return (
        "One 0.5 mg/kg intravenous infusion over 40 minutes in the model, harms and benefit "
        "on one log time axis. Plasma ketamine peaks at "
        f"{f['plasma_peak']:.0f} ng/mL at the end of the infusion, inside the range where "
        f"people feel dissociated, and falls below a tenth of that by "
        f"{format_duration(f['plasma_tenth_h'])}. The harms ({harms}) peak with it and are "
        f"gone by about {format_duration(f['harms_end_h'])}. Relief (the fall of the "
        f"symptom index from {f['symptoms_start']:.0f}) starts within hours "
        f"({f['relief_4h']:.0f} points at 4 h), is largest at "
        f"{format_duration(f['relief_peak_h'])} ({f['relief_peak']:.0f} points) and fades: "
        f"{100 * f['relief_7d_share']:.0f}% of its peak at 7 days, "
        f"{100 * f['relief_14d_share']:.0f}% at 14 days (Zanos 2018; Coyle & Laws 2015). "
        "Illustrative numbers; not a dosing guide.")


def _day_alt():
    f = facts("treatment_day")
    scores = [h for h in f["harms"] if h != "bp_rise_mmhg"]
    fourth = (f"A third chart shows the systolic blood pressure rise, peaking at "
              f"{f['bp_peak']:.0f} mmHg at the end of the infusion and gone within hours."
              if "bp_peak" in f else
              "A third chart shows the fraction of NMDA receptors blocked, rising and "
              "falling with plasma.")
    return (
        "Four line charts against time after the dose from 10 minutes to 3 weeks on one "
        f"shared log axis. Plasma ketamine rises to {f['plasma_peak']:.0f} ng/mL at 40 minutes "
        "inside a shaded dissociation band, then falls within hours. The harm scores ("
        f"{', '.join(scores)}) rise and fall with it within hours. {fourth} Symptom relief "
        f"rises after a few hours, peaks at {format_duration(f['relief_peak_h'])} with "
        f"{f['relief_peak']:.0f} points and falls back over two weeks. A shaded strip marks "
        "the 40-minute infusion.")


def _memory_caption():
    f = facts("memory")
    if f["kept_during_infusion"] > f["best_kept"] + 0.02:
        during = (f"a session during the infusion changes it less "
                  f"({f['kept_during_infusion']:.2f}): blocked NMDA receptors keep the memory "
                  "from destabilising")
    else:
        during = f"a session during the infusion leaves {f['kept_during_infusion']:.2f}"
    return (
        "A trauma memory changes only when it is retrieved, and only while the "
        f"reconsolidation window is open (10 minutes to {f['window_h']:.0f} hours here; "
        "Nader 2000, animal work). Left: the trauma trace after one 60-minute exposure "
        f"session a day after ketamine ({f['kept_ketamine']:.2f} of its strength left), the "
        f"same session without ketamine ({f['kept_alone']:.2f}) and ketamine without "
        f"retrieval ({f['kept_drug']:.2f}). Middle: plasticity after the dose "
        f"(×{f['plasticity_at_session']:.2f} at the session) and the window the session "
        "opens. Right: how much of the trace is left after one session, by its timing: "
        f"least for a session {f['best_offset_h']:.0f} h after the dose ({f['best_kept']:.2f});"
        f" {during}. Human evidence is one pilot trial (Duek 2023). Illustrative numbers.")


def _memory_alt():
    f = facts("memory")
    return (
        "Three charts. Left: trauma trace strength against time after the dose on a log "
        "axis; the line for retrieval a day after ketamine steps down at the session to "
        f"{f['kept_ketamine']:.2f}, retrieval alone dips to {f['kept_alone']:.2f}, ketamine "
        f"alone stays at {f['kept_drug']:.2f}. Middle: plasticity rising over the first day with a shaded "
        "window after the session at 24 hours. Right: trace left after one session against "
        f"session time relative to the dose, lowest ({f['best_kept']:.2f}) for a session "
        f"{f['best_offset_h']:.0f} hours after it.")


def _dmn_caption():
    f = facts("dmn")
    acute = ("In the model connectivity already falls in the first hours "
             f"({f['before']:.2f} to {f['at_4h']:.2f} by 4 h); human studies of those hours "
             "are mixed (Driesen 2013; Bonhomme 2016), so only the 24-h drop has human "
             "support.") if f["before"] - f["at_4h"] > 0.005 else (
        "The model barely changes in the first hours, where human studies are mixed.")
    return (
        "The default mode network's three regions (mPFC, PCC, angular gyrus) form a "
        "self-sustaining loop; in PTSD it is rigid, so the regions move together. Top: the "
        "loop before a 0.5 mg/kg dose and 24 hours after (arrow width is coupling). Bottom: "
        f"the regions' resting correlation before (mPFC-PCC r = {f['pair_before']:.2f}) and "
        f"its change 24 hours later ({f['pair_24h'] - f['pair_before']:+.2f}); lower "
        "connectivity 24 h after a dose matches human imaging (Scheidegger 2012). "
        f"{acute} Right: mean connectivity is lowest at {format_duration(f['min_h'])} "
        f"({f['min']:.2f}) and back to {f['end']:.2f} after {f['end_days']:.0f} days. "
        "Illustrative numbers.")


def _dmn_alt():
    f = facts("dmn")
    return (
        "Left: two side views of the three default mode regions joined by dash-dot arrows, "
        "before the dose and thinner 24 hours after. Below them: a three-by-three "
        "correlation matrix before the dose and a matrix of its change at 24 hours, every "
        f"pair {f['pair_24h'] - f['pair_before']:+.2f}. Right: mean DMN connectivity over "
        f"{f['end_days']:.0f} days, falling from {f['before']:.2f} to {f['min']:.2f} within "
        f"the first day and climbing back to {f['end']:.2f}.")


def _plasticity_caption():
    f = facts("plasticity")
    new = f["spines_2d"] - f["spines_before"]
    return (
        "The cascade on its own time scales, each step scaled to its peak: plasma "
        f"ketamine (peak {format_duration(f['plasma_peak_h'])}), the glutamate burst "
        f"({format_duration(f['glutamate_peak_h'])}), BDNF "
        f"({format_duration(f['bdnf_peak_h'])}; Autry 2011; Haile 2014), mTOR-driven "
        f"synaptic protein synthesis ({format_duration(f['mtor_peak_h'])}; Li 2010) and new "
        f"dendritic spines ({format_duration(f['spines_peak_h'])}, lasting days; Moda-Sava "
        "2019). Right: a 25 µm stretch of prefrontal dendrite drawn to scale, before the "
        f"dose ({f['spines_before']:.2f} spines per µm) and two days after "
        f"({f['spines_2d']:.2f}, +{100 * new / f['spines_before']:.0f}%), new mushroom "
        "spines filled green. The spine and mTOR steps come from rodent work; in people "
        "blocking mTOR did not block the effect (Abdallah 2020). Illustrative numbers.")


def _plasticity_alt():
    f = facts("plasticity")
    return (
        "Left: five curves scaled to their peaks on a log time axis, peaking in order: "
        f"plasma at {format_duration(f['plasma_peak_h'])}, glutamate at "
        f"{format_duration(f['glutamate_peak_h'])}, BDNF at {format_duration(f['bdnf_peak_h'])},"
        f" mTOR at {format_duration(f['mtor_peak_h'])}, spines at "
        f"{format_duration(f['spines_peak_h'])}. Right: two drawings of the same 25 µm "
        "dendrite branch with mushroom-shaped spines and a 5 µm scale bar; the lower one, "
        f"two days after the dose, has {_new_spines(f)} extra spine"
        f"{'' if _new_spines(f) == 1 else 's'} with a filled green head.")


def _new_spines(f) -> int:
    """New spines drawn on the figure's dendrite two days after the dose."""
    from .timecourse import DENDRITE_LENGTH_UM as length

    return int(round(f["spines_2d"] * length)) - int(round(f["spines_before"] * length))


def _synergy_caption():
    f = facts("synergy")
    r = f["relief"]
    return (
        f"Symptom index over {f['weeks']:.0f} weeks for four courses in the model: no "
        f"treatment, an exposure course alone ({f['sessions']} weekly {f['minutes']:.0f}-"
        "minute sessions from day 1), one 0.5 mg/kg ketamine infusion alone, and the "
        f"infusion followed by the same course. At week {f['weeks']:.0f} exposure alone gives "
        f"{r['exposure']:.0f} points of relief, the infusion alone {r['one_infusion']:.0f} "
        f"(its relief, {f['drug_day1']:.0f} points on day 1, "
        f"{'has faded' if f['drug_gone'] else 'has partly faded'}), and the two together "
        f"{r['one_infusion_exposure']:.0f}: adding the infusion gives "
        f"{synergy_verdict(f)} ({points(f['added'], True)}, {100 * f['ratio']:.0f}% of the "
        "course's relief). Exposure therapy is the first-line treatment (Powers 2010); "
        "evidence that ketamine adds to it is thin: a pilot trial found no difference "
        "(Duek 2023) and others are small (Pradhan 2017). Illustrative, not a prediction.")


def _synergy_alt():
    f = facts("synergy")
    r = f["relief"]
    return (
        f"Two charts. Left: four lines of symptom index over {f['weeks']:.0f} weeks with tick "
        "marks for the weekly sessions. No treatment stays flat at "
        f"{f['start']:.0f}; one infusion alone dips for a few days and returns; the "
        "exposure course falls session by session; the infusion plus the course ends "
        f"{'lowest' if f['added'] > 0 else 'no lower'}. Right: bars of relief at week {f['weeks']:.0f}: exposure alone "
        f"{r['exposure']:.0f} points, infusion alone {r['one_infusion']:.0f}, both "
        f"{r['one_infusion_exposure']:.0f}, and a bar for the difference the infusion adds, "
        f"{points(f['added'], True)}.")


_CAPTIONS = {"network": _network_caption, "treatment_day": _day_caption,
             "memory": _memory_caption, "dmn": _dmn_caption,
             "plasticity": _plasticity_caption, "synergy": _synergy_caption}
_ALTS = {"network": _network_alt, "treatment_day": _day_alt, "memory": _memory_alt,
         "dmn": _dmn_alt, "plasticity": _plasticity_alt, "synergy": _synergy_alt}


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
        ``"slides"`` and ``"dark"`` are a 16:9 slide (13.33 x 7.5 in) at 1920x1080 px;
        ``"print"`` is 300 dpi.

    Returns
    -------
    matplotlib.figure.Figure
        A :class:`brainviz.views.themes.ThemedFigure` (saves PDFs with TrueType fonts).

    Examples
    --------
    >>> from brainviz.views.gallery import figure
    >>> fig = figure("synergy", theme="slides")
    >>> [int(v) for v in fig.get_size_inches() * fig.dpi]
    [1920, 1080]
    """
    _check_name(name)
    th = get_theme(theme)
    with theme_context(th.name):
        fig = new_figure(th, layout="constrained")
        _BUILDERS[name](fig, th)
        fig.suptitle(title(name), x=0.01, ha="left")
    fig.brainviz_name = name
    return fig


def _c(name, th):
    return color(name, th)


def _panel_title(ax, text, th):
    ax.set_title(text, loc="left", fontsize=th.base, pad=6)


def _build_network(fig, th):
    from .network import draw_network, network_legend

    ptsd, healthy = run("network")
    axes = fig.subplots(1, 2)
    for ax, c, label in zip(axes, (ptsd, healthy), ("PTSD", "Healthy")):
        act = dict(zip(c.regions, c.activity[0]))
        w = dict(zip(c.edges, c.edge_weights[0]))
        draw_network(c.network, ax=ax, view="sagittal", activity=act, weights=w, theme=th)
        ax.set_title(f"{label}: symptom index {c.symptoms[0]:.0f}/100", loc="center",
                     fontsize=th.base * 1.1, weight="bold")
    network_legend(ax=fig, theme=th, loc="outside lower center", ncol=4)


def _harm_axes(c):
    """Harm curves split by unit: 0-1 scores together, mmHg on its own."""
    harms = harm_series(c)
    scores = [h for h in harms if h.unit == "0-1"]
    mmhg = [h for h in harms if h.unit == "mmHg"]
    return scores, mmhg


def _build_treatment_day(fig, th):
    from .timecourse import direct_labels, log_time_axis

    c = run("day")
    t = np.maximum(c.t_h, LOG_T0_H)
    scores, mmhg = _harm_axes(c)
    ncols = 2
    rows = 2
    axes = fig.subplots(rows, ncols, sharex=True)
    ax_p, ax_h, ax_b, ax_r = axes.flat
    ink = th.text
    for ax in axes.flat:
        ax.axvspan(LOG_T0_H, 2 / 3, color=_c("muted", th), alpha=0.12, lw=0, zorder=0)
        ax.grid(axis="y", alpha=0.5)
        log_time_axis(ax, t_max_h=21 * 24, label=False)
    # plasma
    ax_p.axhspan(100, 250, color=_c("purple", th), alpha=0.18 if th.name != "print" else 0.25,
                 lw=0, hatch="//" if th.name == "print" else None)
    ax_p.plot(t, c.plasma_ng_ml, color=_c("ink", th), lw=3)
    ax_p.text(8.0, 175, "dissociation range", va="center", ha="left", color=ink,
              fontsize=th.small)
    ax_p.set_ylabel("ng/mL")
    ax_p.set_ylim(0, 290)
    _panel_title(ax_p, "Plasma ketamine", th)
    ax_p.text(LOG_T0_H * 1.08, 270, "infusion", ha="left", va="center", color=ink,
              fontsize=th.small)
    # harms scored 0-1
    for h in scores:
        ax_h.plot(t, c.series[h.key], color=_c(h.color, th), ls=h.linestyle, lw=3)
    peaks = [float(c.series[h.key].max()) for h in scores]
    ax_h.set_ylim(0, 1.0)
    ax_h.set_ylabel("score (0-1)")
    direct_labels(ax_h, 2.5, [min(max(p, 0.12), 0.85) for p in peaks],
                  [f"{h.label} (peak {p:.2f})" for h, p in zip(scores, peaks)],
                  [_c(h.color, th) for h in scores], min_gap=0.14, ha="left",
                  dx_points=4, fontsize=th.small)
    _panel_title(ax_h, "Harms: " + " and ".join(h.label for h in scores), th)
    # blood pressure (or the acute drug effect while the model has no blood pressure)
    if mmhg:
        h = mmhg[0]
        bp = c.series[h.key]
        ax_b.plot(t, bp, color=_c(h.color, th), ls=h.linestyle, lw=3)
        ax_b.set_ylabel("mmHg")
        ax_b.set_ylim(0, max(5.0, float(bp.max()) * 1.3))
        _panel_title(ax_b, "Harm: systolic blood pressure rise", th)
    else:
        ax_b.plot(t, c.nmda_occupancy, color=_c("ink", th), lw=3)
        ax_b.set_ylabel("fraction (0-1)")
        ax_b.set_ylim(0, 1)
        _panel_title(ax_b, "NMDA receptors blocked", th)
    # benefit: relief
    relief = c.symptoms[0] - c.symptoms
    ax_r.plot(t, relief, color=_c("blue", th), lw=3)
    k = int(np.argmax(relief))
    ax_r.plot([t[k]], [relief[k]], "o", color=_c("blue", th), markersize=9)
    ax_r.annotate(f"largest at {format_duration(t[k])}", (t[k], relief[k]),
                  xytext=(14, 0), textcoords="offset points", ha="left", va="center",
                  color=ink, fontsize=th.small)
    ax_r.set_ylim(0, relief.max() * 1.25)
    ax_r.set_ylabel("points")
    _panel_title(ax_r, "Benefit: symptom relief", th)
    for ax in axes[-1]:
        ax.set_xlabel("time after the dose starts (log scale)")


def _build_memory(fig, th):
    from .timecourse import event_line, log_time_axis

    courses = run("memory")
    offsets, timing = run("memory_timing")
    f = facts("memory")
    axes = fig.subplots(1, 3, width_ratios=[1.25, 1, 1])
    ax = axes[0]
    ink = th.text
    for c, spec in zip(courses, MEMORY_RUNS):
        ax.plot(np.maximum(c.t_h, LOG_T0_H), c.trauma_trace / c.trauma_trace[0],
                color=_c(spec.color, th), ls=spec.linestyle, lw=3.5)
    ends = [c.trauma_trace[-1] / c.trauma_trace[0] for c in courses]
    labels = ["ketamine + retrieval", "retrieval alone", "no retrieval"]
    low = min(ends)
    ax.set_ylim(low - 0.6 * (1.0 - low) - 0.02, 1.0 + 0.6 * (1.0 - low) + 0.02)
    for y, lab, spec, va in zip(ends, labels, MEMORY_RUNS, ("top", "top", "bottom")):
        ax.annotate(lab, (0.2, y), xytext=(0, -10 if va == "top" else 6),
                    textcoords="offset points", ha="left", va=va,
                    color=_c(spec.color, th), fontsize=th.small, weight="bold")
    event_line(ax, 24.0, "session", color=_c("muted", th), fontsize=th.small, ha="right")
    log_time_axis(ax, t_max_h=7 * 24, text="time after the dose (log)")
    ax.set_ylabel("trauma trace (1 = before)")
    _panel_title(ax, "Weakens only if retrieved", th)

    ax = axes[1]
    c = courses[0]
    w = f["window_h"]
    ax.axvspan(24.0 + 1 / 6, 24.0 + w, color=_c("orange", th),
               alpha=0.35 if th.name != "print" else 0.3, lw=1.5,
               ec=_c("orange", th) if th.name != "print" else "#555555",
               hatch="\\\\" if th.name == "print" else None)
    ax.plot(np.maximum(c.t_h, LOG_T0_H), c.plasticity, color=_c("blue", th), lw=3.5)
    ax.annotate("reconsolidation window", (24.0 + w, 0.04), xycoords=("data", "axes fraction"),
                rotation=90, xytext=(3, 0), textcoords="offset points", ha="left", va="bottom",
                color=ink,
                fontsize=th.small)
    log_time_axis(ax, t_max_h=7 * 24, text="time after the dose (log)")
    ax.set_ylabel("plasticity (× baseline)")
    ax.set_ylim(0.9, c.plasticity.max() * 1.2)
    _panel_title(ax, "The plasticity period", th)

    ax = axes[2]
    from .story import _timing_kept

    kept = list(_timing_kept(timing))
    ax.plot(offsets, kept, marker="o", color=_c("vermillion", th), lw=3, markersize=6)
    event_line(ax, 0.0, "dose", color=_c("muted", th), fontsize=th.small, ha="left")
    best = int(np.argmin(kept))
    ax.annotate(f"least left:\n{offsets[best]:.0f} h after", (offsets[best], kept[best]),
                xytext=(0.55, 0.62), textcoords="axes fraction", ha="left", va="center",
                color=ink, fontsize=th.small, arrowprops=dict(arrowstyle="-", color=ink, lw=1))
    ax.set_xlabel("session (h after dose)")
    ax.set_xlim(-15, 100)
    ax.set_ylabel("trace left (1 = before)")
    span = 1.0 - min(kept)
    ax.set_ylim(min(kept) - 0.25 * span, 1.0 + 0.35 * span)
    ax.set_xticks([0, 24, 48, 72, 96])
    _panel_title(ax, "Timing matters", th)


def _build_dmn(fig, th):
    from matplotlib.colors import TwoSlopeNorm

    from .network import draw_network
    from .themes import contrast

    c = run("dmn")
    f = facts("dmn")
    grid = fig.add_gridspec(2, 3, width_ratios=[1, 1, 1.25])
    dmn = [n for n, d in c.network.nodes(data=True) if d["system"] == "dmn"]
    idx = np.searchsorted(c.probe_t_h, [0.0, 24.0])
    names, before = c.dmn_matrix(0.0)
    _, after = c.dmn_matrix(24.0)
    for col, (i, label) in enumerate(zip(idx, ("before", "24 h after"))):
        ax = fig.add_subplot(grid[0, col])
        w = dict(zip(c.edges, c.edge_weights[i]))
        draw_network(c.network, ax=ax, view="sagittal", only=dmn, weights=w, theme=th,
                     labels=col == 0)
        r = f["before"] if col == 0 else f["at_24h"]
        _panel_title(ax, f"{label.capitalize()}: r = {r:.2f}", th)
    labels = ["mPFC", "PCC", "AG"]
    mats = [(before, "Correlation before", "Blues" if th.name != "dark" else "cividis",
             None), (after - before, "Change at 24 h", "PuOr", TwoSlopeNorm(0, -0.2, 0.2))]
    for col, (m, name, cmap, norm) in enumerate(mats):
        ax = fig.add_subplot(grid[1, col])
        image = ax.imshow(m, cmap=cmap, norm=norm, vmin=None if norm else 0.0,
                          vmax=None if norm else 1.0)
        ax.set_xticks(range(3), labels)
        ax.set_yticks(range(3), labels if col == 0 else [""] * 3)
        ax.tick_params(length=0)
        for (r, q), v in np.ndenumerate(m):
            if col == 1 and r == q:
                continue
            cell = image.cmap(image.norm(v))
            ink = max(("white", "black"), key=lambda k: contrast(k, cell))
            ax.text(q, r, f"{v:.2f}" if col == 0 else f"{v:+.2f}", ha="center",
                    va="center", color=ink, fontsize=th.small)
        ax.spines[:].set_visible(False)
        _panel_title(ax, name, th)
    ax = fig.add_subplot(grid[:, 2])
    ax.plot(c.t_days, c.dmn_connectivity, color=_c("blue", th), lw=3.5)
    ax.axvline(1.0, color=_c("muted", th), lw=1.4, ls=(0, (4, 3)))
    ax.plot([1.0], [f["at_24h"]], "o", color=_c("blue", th), markersize=10)
    ax.annotate(f"24 h: {f['at_24h']:.2f}", (1.0, f["at_24h"]), xytext=(12, 0),
                textcoords="offset points", color=th.text, fontsize=th.small, va="center")
    ax.annotate(f"before: {f['before']:.2f}", (0.0, f["before"]), xytext=(10, 4),
                textcoords="offset points", color=th.text, fontsize=th.small, va="bottom")
    ax.set_xlabel("days after the dose")
    ax.set_xticks(range(0, 15, 2))
    ax.set_xlim(0, 14)
    lo = min(c.dmn_connectivity.min(), 0.6)
    ax.set_ylim(lo - 0.02, c.dmn_connectivity.max() + 0.03)
    ax.set_ylabel("DMN connectivity (mean r)")
    ax.grid(alpha=0.4)
    _panel_title(ax, "Connectivity over two weeks", th)


def _cascade_labels(ax, t, curves, th):
    """Direct labels for the cascade: each over its peak, on two alternating tiers so
    neighbours whose peaks are close never overlap."""
    texts = []
    for k, (spec, y) in enumerate(curves):
        i = int(np.argmax(y))
        tier = 1.04 if k % 2 == 0 else 1.16
        texts.append(ax.text(t[i], tier, spec.label.replace("plasma ketamine", "plasma"),
                             ha="center", va="bottom", color=_c(spec.color, th),
                             weight="bold", fontsize=th.small))
    return texts


def _build_plasticity(fig, th):
    from .timecourse import draw_dendrite, log_time_axis

    c = run("day")
    f = facts("plasticity")
    axes = fig.subplots(1, 2, width_ratios=[1.2, 1])
    ax = axes[0]
    t = np.maximum(c.t_h, LOG_T0_H)
    curves = []
    for spec in CASCADE:
        y = c.series[spec.key]
        rise = (y - y[0]) / (y.max() - y[0])
        ax.plot(t, rise, color=_c(spec.color, th), ls=spec.linestyle, lw=3.5)
        curves.append((spec, rise))
    log_time_axis(ax, t_max_h=21 * 24)
    ax.set_ylim(0, 1.3)
    ax.set_ylabel("rise (× its peak)")
    _cascade_labels(ax, t, curves, th)
    _panel_title(ax, "Each step on its own clock", th)
    ax = axes[1]
    base = f["spines_before"]
    after = f["spines_2d"]
    kw = dict(baseline_per_um=base, seed=1, color=_c("muted", th), face=th.outline_face,
              new_color=_c("green", th), new_edge=th.text if th.name == "dark" else "#00402e",
              text_color=th.text, fontsize=th.small)
    draw_dendrite(ax=ax, density_per_um=base, y=5.0, scale_bar=False, **kw)
    draw_dendrite(ax=ax, density_per_um=after, y=-4.0, **kw)
    ax.text(0, 8.0, f"before: {base:.2f} spines/µm", color=th.text, fontsize=th.small)
    ax.text(0, -1.0, f"day 2: {after:.2f} spines/µm", color=th.text, fontsize=th.small)
    ax.text(0, -9.6, "new spines: filled green", color=_c("green", th), weight="bold",
            fontsize=th.small)
    ax.set_ylim(-10.5, 10)
    ax.set_axis_off()
    _panel_title(ax, "A prefrontal dendrite", th)


def _build_synergy(fig, th):
    from .timecourse import direct_labels, weeks_axis

    runs = run("synergy")
    f = facts("synergy")
    axes = fig.subplots(1, 2, width_ratios=[1.3, 1])
    ax = axes[0]
    for c, spec in zip(runs, SYNERGY_RUNS):
        ax.plot(c.t_h / 168.0, c.symptoms, color=_c(spec.color, th), ls=spec.linestyle,
                lw=3.5)
    weeks = f["weeks"]
    ends = [float(c.symptoms[-1]) for c in runs]
    short = ["no treatment", "infusion alone", "exposure alone", "infusion + exposure"]
    order = [0, 2, 1, 3]
    direct_labels(ax, weeks, [ends[i] for i in order], short,
                  [_c(SYNERGY_RUNS[i].color, th) for i in order], min_gap=7.0, dy=5.0,
                  fontsize=th.small)
    sessions = runs[1].protocol.therapy
    ax.plot([s.at_h / 168.0 for s in sessions], [3.0] * len(sessions), ls="none", marker="|",
            color=_c("muted", th), markersize=14, markeredgewidth=2)
    ax.text(sessions[0].at_h / 168.0, 6.0, "exposure sessions", color=th.text,
            fontsize=th.small)
    weeks_axis(ax, weeks=weeks)
    ax.set_ylim(0, 85)
    ax.set_ylabel("symptom index (0-100)")
    _panel_title(ax, f"Symptoms over {weeks:.0f} weeks", th)

    ax = axes[1]
    r = f["relief"]
    specs = {c.key: c for c in SYNERGY_RUNS}
    bars = [("exposure", "exposure"), ("one_infusion", "infusion"),
            ("one_infusion_exposure", "both")]
    for x, (key, _) in enumerate(bars):
        spec = specs[key]
        ax.bar(x, r[key], color=_c(spec.color, th), edgecolor=th.background,
               hatch={"exposure": "//", "one_infusion": "..", "one_infusion_exposure": ""}[key])
        ax.text(x, r[key] + 1.0, f"{r[key]:.0f}", ha="center", va="bottom", color=th.text,
                weight="bold", fontsize=th.small)
    # the difference the infusion makes, drawn where it is: on top of exposure alone
    added = f["added"]
    x = 3
    ax.bar(x, added, bottom=r["exposure"], color="none", edgecolor=th.text, lw=2,
           ls="--")
    ax.plot([0.4, x - 0.4], [r["exposure"]] * 2, color=th.text, lw=1, ls=":")
    ax.text(x, r["exposure"] + max(added, 0) + 1.0, f"{added:+.0f}", ha="center",
            va="bottom", color=th.text, weight="bold", fontsize=th.small)
    ax.set_xticks(range(4), [b[1] for b in bars] + ["added"])
    ax.set_ylabel(f"relief at week {weeks:.0f} (points)")
    ax.set_ylim(0, max(r.values()) * 1.3 + 3)
    _panel_title(ax, f"Relief at week {weeks:.0f}", th)


_BUILDERS = {
    "network": _build_network,
    "treatment_day": _build_treatment_day,
    "memory": _build_memory,
    "dmn": _build_dmn,
    "plasticity": _build_plasticity,
    "synergy": _build_synergy,
}


def animate(name: str, *, theme: str = "notebook", fps: int = 30):
    """Build the animation of a gallery entry, paced by its storyboard.

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
        A ``matplotlib.animation.FuncAnimation`` of ``duration x fps`` frames
        (``brainviz.storyboard(name)[-1].end_s`` seconds): ``.save()``,
        ``.to_jshtml()`` and notebook display work as usual; ``draw_frame(i)`` updates
        one frame.

    Examples
    --------
    >>> from brainviz.views.gallery import animate
    >>> from brainviz.views.story import storyboard
    >>> anim = animate("dmn", fps=10)
    >>> anim.n_frames == round(storyboard("dmn")[-1].end_s * 10)
    True
    """
    from .animation import build_animation

    _check_name(name)
    return build_animation(name, theme=theme, fps=fps)

