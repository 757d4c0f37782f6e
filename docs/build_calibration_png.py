"""Draw docs/calibration.png: the model's curves with the published points.

The published numbers come from ``brainviz/science/evidence.csv`` and the calibration
targets (C1-C7) from docs/MODEL.md; the model's curves are computed now. The model's
symptom index is not a clinical scale, so each panel compares directions, orderings and
time scales, never the points themselves.

Usage: python docs/build_calibration_png.py
"""

from __future__ import annotations

import pathlib

import numpy as np

OUT = pathlib.Path(__file__).with_name("calibration.png")
DAY = 24.0


def _relief(c, t_h):
    return c.symptoms[0] - np.interp(t_h, c.t_h, c.symptoms)


def draw(path: pathlib.Path = OUT) -> pathlib.Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    import brainviz as bv
    from brainviz.science.calibration import DOSES_MG_PER_KG, evidence
    from brainviz.science.protocols import SIX_INFUSION_DAYS, six_infusions, standard_course
    from brainviz.views.themes import OKABE_ITO as C
    from brainviz.views.themes import theme_context

    ev = evidence()
    D, P = bv.Dose, bv.Protocol
    with theme_context("slides") as th:
        fig, axes = plt.subplots(2, 3, figsize=(19.2, 11.6), dpi=100, layout="constrained")
        fig.suptitle("Calibration: the model's outcomes (lines, bars) against the published "
                     "record (points, ranges)", x=0.01, ha="left")

        # A. one dose: time course (C1; Coyle & Laws 2015)
        ax = axes[0, 0]
        one = bv.simulate(P(doses=[D(0, 0.5)], days=21))
        r = _relief(one, one.t_h)
        ax.plot(one.t_days, 100 * r / r.max(), color=C["blue"], lw=3, label="model")
        ax.axvspan(4 / DAY, 7, color=C["sky"], alpha=0.18, lw=0)
        ax.text(4.2, 108, "better than placebo\n4 h to 7 days", ha="center", va="bottom",
                fontsize="small", color=th.text)
        ax.axvspan(12, 14, color="#bbbbbb", alpha=0.35, lw=0)
        ax.text(13, 108, "not significant\nat 12-14 days", ha="center", va="bottom",
                fontsize="small")
        # the target's allowed ranges at its check points
        for t, low, high in ((1.0, 50, 100), (7.0, 15, 100), (14.0, 0, 25)):
            ax.errorbar([t], [(low + high) / 2], yerr=[[(high - low) / 2]], fmt="none",
                        ecolor=th.text, elinewidth=2.5, capsize=7)
        ax.plot([], [], color=th.text, lw=2.5, label="allowed by C1")
        ax.set_xlim(0, 21)
        ax.set_ylim(0, 135)
        ax.set_xlabel("days after one 0.5 mg/kg infusion")
        ax.set_ylabel("relief, % of its peak")
        ax.set_title("C1  One dose fades within two\nweeks (Coyle & Laws 2015, MA)",
                     loc="left", fontsize="small")
        ax.legend(loc="center right", bbox_to_anchor=(1.0, 0.55))

        # B. dose response (C2; Fava 2020)
        ax = axes[0, 1]
        doses = np.array(DOSES_MG_PER_KG)
        runs = bv.sweep([P(doses=[D(0, mg)], days=8) for mg in doses])
        for t, style, label in ((DAY, "-", "day 1"), (7 * DAY, "--", "day 7")):
            ax.plot(doses, [_relief(c, t) for c in runs], style, marker="o", ms=9, lw=3,
                    color=C["blue"], label=f"model, {label}")
        r05 = _relief(runs[2], DAY)
        ax.errorbar([1.0], [r05 * 1.05], yerr=[[r05 * 0.30], [r05 * 0.30]], fmt="none",
                    ecolor=th.text, elinewidth=2.5, capsize=7)
        ax.annotate("C2: 1.0 within\n0.75-1.35x of 0.5", (1.0, r05 * 1.35), (1.7, r05 * 1.25),
                    fontsize="small", arrowprops={"arrowstyle": "-", "color": th.muted})
        ax.plot([0.1, 0.2, 0.5, 1.0], [0.35] * 4, "^", ms=12, color=C["orange"],
                label="doses in Fava 2020 (RCT)")
        ax.set_xscale("log")
        ax.set_xticks(doses, [f"{d:g}" for d in doses])
        ax.set_ylim(0, r05 * 1.6)
        ax.set_xlabel("dose, mg/kg IV over 40 min")
        ax.set_ylabel("relief (points)")
        ax.set_title("C2  More drug is not more relief\n(0.5 ~ 1.0 > 0.1; Fava 2020)",
                     loc="left", fontsize="small")
        ax.legend(loc="upper left", fontsize="x-small")

        # C. harms by plasma level (C3; Zanos 2018, Riva-Posse 2018)
        ax = axes[0, 2]
        plasma = np.array([c.plasma_ng_ml.max() for c in runs])
        ax.plot(plasma, [c.dissociation.max() for c in runs], "-o", ms=8, lw=3,
                color=C["purple"], label="dissociation")
        ax.plot(plasma, [c.sedation.max() for c in runs], "--s", ms=8, lw=3,
                color=C["vermillion"], label="sedation")
        z = ev["zanos_anaesthesia"]
        ax.axvspan(z.low, z.high, color=C["vermillion"], alpha=0.12, lw=0)
        ax.text(np.sqrt(z.low * z.high), 1.07, "anaesthesia", ha="center", fontsize="small")
        ax.axvspan(100, 250, color=C["purple"], alpha=0.12, lw=0)
        ax.text(160, 1.07, "dissociation", ha="center", fontsize="small")
        ax.set_xscale("log")
        ax.set_ylim(0, 1.15)
        ax.set_xlabel("peak plasma ketamine, ng/mL")
        ax.set_ylabel("peak level (0-1)")
        bp = ax.twinx()
        bp.plot(plasma, [c.bp_rise_mmhg.max() for c in runs], ":^", ms=9, lw=3,
                color=C["green"], label="systolic rise (right)")
        rp = ev["riva_posse_bp"]
        p05 = plasma[list(doses).index(0.5)]
        bp.plot([p05], [rp.value], "D", ms=11, color=th.text, label="mean at 30 min, "
                "0.5 mg/kg (684 infusions)")
        bp.errorbar([p05 * 1.12], [17.5], yerr=[[12.5]], fmt="none", ecolor=C["green"],
                    elinewidth=2.5, capsize=7, label="C3: 5-30 mmHg")
        bp.set_ylim(0, 42 * 1.15 / 1.05)
        bp.set_ylabel("systolic rise, mmHg")
        bp.spines["right"].set_visible(True)
        handles = ax.get_legend_handles_labels()
        more = bp.get_legend_handles_labels()
        ax.legend(handles[0] + more[0], handles[1] + more[1], loc="upper left",
                  bbox_to_anchor=(0.0, 0.93), fontsize="x-small")
        ax.set_title("C3  Harms rise with dose\n(Zanos 2018; Riva-Posse 2018)", loc="left",
                     fontsize="small")

        # D. six infusions: relapse (C5; Feder 2021) and dissociation (C4; Singh 2016)
        ax = axes[1, 0]
        six = bv.simulate(P(doses=six_infusions(), days=120))
        last = SIX_INFUSION_DAYS[-1]
        end = _relief(six, 14 * DAY)
        after = six.t_days >= last
        ax.plot(six.t_days[after] - last, 100 * _relief(six, six.t_h[after]) / end,
                color=C["blue"], lw=3, label="model")
        ax.axvline(ev["feder_relapse"].value, color=C["vermillion"], lw=3, ls="--",
                   label="median loss of response\n(Feder 2021, RCT n=30)")
        for t, low, high in ((28, 40, 120), (84, 0, 50)):
            ax.errorbar([t], [(low + high) / 2], yerr=[[(high - low) / 2]], fmt="none",
                        ecolor=th.text, elinewidth=2.5, capsize=7)
        ax.plot([], [], color=th.text, lw=2.5, label="allowed by C5")
        ax.set_xlim(0, 100)
        ax.set_ylim(0, 130)
        ax.set_xlabel("days after the sixth infusion")
        ax.set_ylabel("relief, % of end of course")
        ax.set_title("C5  Relapse over weeks after six\ninfusions (Feder 2021)", loc="left",
                     fontsize="small")
        ax.legend(loc="lower left", fontsize="x-small", frameon=True, framealpha=0.95,
                  edgecolor=th.background)
        ins = ax.inset_axes([0.7, 0.6, 0.27, 0.27])
        per = [six.dissociation[(six.t_h >= d.at_h) & (six.t_h < d.at_h + 6)].max()
               for d in six.protocol.doses]
        ins.bar(range(1, 7), per, color=C["purple"])
        ins.set_title("C4  dissociation,\ninfusion 1-6", fontsize="x-small", loc="left")
        ins.set_xticks(range(1, 7))
        ins.tick_params(labelsize="x-small")
        ins.set_ylim(0, 1)

        # E. ranking and synergy at week 12 (C6, C7)
        ax = axes[1, 1]
        names = ["exposure", "one_infusion", "six_infusions", "one_infusion_exposure"]
        ex, one84, six84, both = bv.sweep([standard_course(n) for n in names])
        w12 = 84 * DAY - 1e-6
        bars = [("exposure\ncourse", _relief(ex, w12), C["blue"], "//"),
                ("one\ninfusion", _relief(one84, w12), C["orange"], ".."),
                ("six\ninfusions", _relief(six84, w12), C["orange"], "xx"),
                ("six, at\nday 14", _relief(six84, 14 * DAY), C["orange"], ""),
                ("infusion +\nexposure", _relief(both, w12), C["vermillion"], "")]
        for i, (label, v, color, hatch) in enumerate(bars):
            ax.bar(i, v, color=color, hatch=hatch, edgecolor=th.background)
        ax.set_xticks(range(len(bars)), [b[0] for b in bars], fontsize="x-small")
        ax.set_ylabel("relief at week 12 (points)")
        ax.set_title("C6, C7  Exposure outranks ketamine,\nwhich adds little (Duek 2023)",
                     loc="left", fontsize="small")

        # F. the published effect sizes behind C6 and C10
        ax = axes[1, 2]
        rows = [("prolonged exposure vs control\n(Powers 2010, MA)", ev["powers_g"]),
                ("six infusions vs midazolam, week 2\n(Feder 2021, RCT n=30; d)", None),
                ("ketamine, pooled PTSD trials\n(Borgogna 2024, MA)", ev["borgogna_g"])]
        for y, (label, e) in enumerate(rows):
            if e is None:
                value, low, high = 1.13, 0.36, 1.91
            else:
                value = e.value
                low, high = (e.low, e.high) if not np.isnan(e.low) else (value, value)
            ax.errorbar([value], [y], xerr=[[value - low], [high - value]], fmt="D", ms=11,
                        color=th.text, ecolor=th.text, elinewidth=2.5, capsize=7)
            ax.text(-0.35, y + 0.18, label, va="bottom", ha="left", fontsize="x-small")
        ax.set_yticks([])
        ax.axvline(0, color=th.muted, lw=1)
        ax.set_xlim(-0.4, 2.1)
        ax.set_ylim(-0.4, 2.8)
        ax.set_xlabel("effect size, 95% CI")
        ax.set_title("Published effect sizes\n(not model output)", loc="left",
                     fontsize="small")
        fig.savefig(path)
        plt.close(fig)
    return path


if __name__ == "__main__":
    print(f"wrote {draw()}")
