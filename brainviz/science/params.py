"""The parameter table: one declaration per parameter drives validation, sliders and docs.

Every number the model uses that a student might want to change lives here, with its
unit, its valid range, a slider step, a one-line meaning and its source (or the word
"illustrative" where the value was chosen to give the right shape, not measured).
Condition-specific numbers (how a PTSD network differs from a healthy one) live in
:mod:`brainviz.science.network` with their own sources.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

import numpy as np

from .._validate import did_you_mean

__all__ = ["Param", "PARAMS", "param_table_markdown"]


@dataclass(frozen=True)
class Param:
    """One model parameter.

    Attributes
    ----------
    name : str
        Name used in ``params={...}`` overrides.
    default, low, high, step : float
        Default value, inclusive valid range and a sensible slider step.
    unit : str
        Physical unit, or ``"1"`` for dimensionless gains and fractions.
    doc : str
        One line saying what the parameter does.
    source : str
        Where the default comes from, or ``"illustrative"``.
    group : str
        Which part of the model it belongs to (used to group sliders and docs).
    """

    name: str
    default: float
    low: float
    high: float
    step: float
    unit: str
    doc: str
    source: str = "illustrative"
    group: str = "model"


_ZANOS = "Zanos et al. 2018, Pharmacol Rev (review)"
_KAMP = "Kamp et al. 2020, Anesthesiology (PK)"
_EBERT = ("Ebert et al. 1997, Eur J Pharmacol (receptor binding, rat): Ki S-ketamine 0.3, "
          "R-ketamine 1.4, S-norketamine 1.7, R-norketamine 13 uM")
_MIDAZOLAM = ("Allonen et al. 1981, Clin Pharmacol Ther; Heizmann et al. 1983, Br J Clin "
              "Pharmacol (PK): t1/2 about 2.3 h, clearance about 300 mL/min, fast "
              "distribution")

_TABLE = (
    # --- pharmacokinetics -------------------------------------------------------
    Param("ket_clearance", 1.15, 0.5, 2.5, 0.05, "L/h/kg",
          "Ketamine clearance (80 L/h for 70 kg).", _KAMP, "pharmacokinetics"),
    Param("ket_v_central", 0.95, 0.2, 2.0, 0.05, "L/kg",
          "Central (plasma) volume of distribution.", "illustrative, fitted to the "
          "185 ng/mL peak of " + _ZANOS, "pharmacokinetics"),
    Param("ket_v_peripheral", 3.0, 1.0, 6.0, 0.1, "L/kg",
          "Peripheral volume (about 250 L for 70 kg in all).", _KAMP, "pharmacokinetics"),
    Param("ket_q", 3.0, 0.5, 8.0, 0.1, "L/h/kg",
          "Inter-compartmental clearance (fast distribution phase of minutes).",
          "illustrative, shape from " + _KAMP, "pharmacokinetics"),
    Param("plasma_scale", 1.0, 0.3, 3.0, 0.05, "1",
          "Plasma levels for the same dose relative to the typical patient (all ketamine "
          "volumes and clearances scaled by its inverse); virtual patients differ in it.",
          "illustrative, sized after the spread of peak plasma after oral 0.5 mg/kg, "
          "45 +/- 10 ng/mL (Grant et al. 1981, in " + _ZANOS + ", Table 1)",
          "pharmacokinetics"),
    Param("norket_fraction", 0.8, 0.0, 1.0, 0.05, "1",
          "Share of ketamine clearance that forms norketamine.",
          "illustrative, Fanta 2015 (PK)", "pharmacokinetics"),
    Param("norket_v", 3.0, 1.0, 6.0, 0.1, "L/kg",
          "Norketamine volume of distribution.", "illustrative", "pharmacokinetics"),
    Param("norket_half_life_h", 5.0, 2.0, 12.0, 0.5, "h",
          "Norketamine elimination half-life (it peaks later than ketamine).",
          "illustrative, Fanta 2015 (PK)", "pharmacokinetics"),
    Param("norket_potency", 0.25, 0.0, 1.0, 0.05, "1",
          "NMDA potency of norketamine relative to ketamine (1/3 to 1/5).",
          _EBERT, "pharmacokinetics"),
    Param("esketamine_potency", 2.0, 1.0, 4.0, 0.1, "1",
          "NMDA potency of esketamine relative to racemic ketamine.",
          _EBERT + "; " + _ZANOS, "pharmacokinetics"),
    Param("midazolam_clearance", 0.26, 0.1, 0.6, 0.01, "L/h/kg",
          "Midazolam clearance (about 300 mL/min for 70 kg).", _MIDAZOLAM, "midazolam"),
    Param("midazolam_v_central", 0.3, 0.1, 1.0, 0.05, "L/kg",
          "Midazolam central volume (plasma falls to a tenth within 1-2 h of a bolus).",
          "illustrative, shape from " + _MIDAZOLAM, "midazolam"),
    Param("midazolam_v_peripheral", 0.5, 0.2, 2.0, 0.05, "L/kg",
          "Midazolam peripheral volume (steady-state volume about 0.7-1.1 L/kg).",
          _MIDAZOLAM, "midazolam"),
    Param("midazolam_q", 1.5, 0.3, 5.0, 0.1, "L/h/kg",
          "Midazolam inter-compartmental clearance (fast distribution).",
          "illustrative, shape from " + _MIDAZOLAM, "midazolam"),
    Param("midazolam_sedation_ec50_ng_ml", 100.0, 30.0, 400.0, 5.0, "ng/mL",
          "Plasma midazolam giving half-maximal sedation (the active placebo sedates briefly).",
          "illustrative; sedation tracks plasma midazolam: Allonen et al. 1981 (PK/PD)",
          "midazolam"),
    Param("f_im", 0.93, 0.5, 1.0, 0.01, "1", "Bioavailability, intramuscular (about 93 %).",
          "Clements et al. 1982 (PK)", "routes"),
    Param("f_intranasal", 0.40, 0.1, 0.8, 0.01, "1",
          "Bioavailability, intranasal racemic ketamine (25-50 %).", "Yanagihara et al. 2003 "
          "(PK)", "routes"),
    Param("f_esketamine_nasal", 0.48, 0.2, 0.8, 0.01, "1",
          "Bioavailability, esketamine nasal spray.",
          "Spravato prescribing information (about 48 %)", "routes"),
    Param("f_sublingual", 0.30, 0.1, 0.6, 0.01, "1",
          "Bioavailability, sublingual (25-30 %).", "Rolan et al. 2014 (PK)", "routes"),
    Param("f_oral", 0.18, 0.05, 0.4, 0.01, "1",
          "Bioavailability, oral racemic ketamine (17-20 %; about 8 % for oral S-ketamine).",
          "Clements et al. 1982; Grant et al. 1981 (PK); S-ketamine: Fanta et al. 2015 (PK)",
          "routes"),
    Param("ka_im", 4.0, 2.0, 30.0, 0.5, "1/h",
          "Absorption rate, intramuscular (peak at 5-15 min).",
          "illustrative, timing from Clements et al. 1982 (PK)", "routes"),
    Param("ka_intranasal", 1.8, 0.5, 10.0, 0.1, "1/h",
          "Absorption rate, intranasal (peak at 15-40 min).",
          "illustrative, timing from Yanagihara et al. 2003 (PK)", "routes"),
    Param("ka_sublingual", 1.0, 0.3, 6.0, 0.1, "1/h",
          "Absorption rate, sublingual (peak at about 45 min).",
          "illustrative, timing from Rolan et al. 2014 (PK)", "routes"),
    Param("ka_oral", 0.9, 0.3, 6.0, 0.1, "1/h",
          "Absorption rate, oral (peak at 30-60 min).",
          "illustrative, timing from Grant et al. 1981 (PK)", "routes"),
    # --- NMDA block, dissociation, glutamate ------------------------------------
    Param("nmda_ki_um", 1.0, 0.3, 3.0, 0.05, "uM",
          "Ketamine concentration that blocks half of interneuron NMDA receptors.",
          _ZANOS + ": Ki about 0.5-2.5 uM", "glutamate"),
    Param("pyramidal_ki_factor", 4.0, 1.5, 20.0, 0.5, "1",
          "How much less sensitive pyramidal-cell NMDA receptors are than interneurons'.",
          "illustrative, after Moghaddam et al. 1997 (animal)", "glutamate"),
    Param("dissociation_ec50_um", 0.72, 0.2, 3.0, 0.02, "uM",
          "Concentration giving half-maximal dissociation (range 100-250 ng/mL).",
          _ZANOS, "glutamate"),
    Param("dissociation_tolerance_gain", 0.3, 0.0, 2.0, 0.05, "1/h",
          "Tolerance to dissociation built per hour of full dissociation; 0 = no tolerance.",
          "illustrative; dissociative symptoms attenuated with repeated dosing: Singh et "
          "al. 2016, Am J Psychiatry (RCT)", "harms"),
    Param("dissociation_tolerance_days", 10.0, 1.0, 60.0, 0.5, "days",
          "How long tolerance to dissociation lasts after an infusion.", "illustrative",
          "harms"),
    Param("sedation_ec50_um", 5.0, 2.0, 12.0, 0.1, "uM",
          "Ketamine level giving half-maximal sedation (loss of responsiveness: anaesthesia "
          "needs about 1200-2400 ng/mL).", _ZANOS, "harms"),
    Param("bp_max_mmhg", 40.0, 0.0, 80.0, 1.0, "mmHg",
          "Largest systolic blood-pressure rise ketamine can cause.",
          "illustrative; anaesthetic induction doses raise blood pressure most", "harms"),
    Param("bp_ec50_ng_ml", 450.0, 100.0, 2000.0, 10.0, "ng/mL",
          "Plasma ketamine giving half the largest blood-pressure rise.",
          "illustrative; at 0.5 mg/kg the mean systolic rise was 3.3 mmHg at 30 min, "
          "transient, with no tolerance over six infusions: Riva-Posse et al. 2018, "
          "J Affect Disord (684 infusions)", "harms"),
    Param("disinhibition_gain", 6.0, 0.0, 10.0, 0.1, "1",
          "Glutamate release per unit of interneuron NMDA block (the burst).",
          "illustrative, shape from Moghaddam et al. 1997 (animal)", "glutamate"),
    Param("disinhibition_hill", 2.0, 1.0, 4.0, 0.1, "1",
          "Steepness of disinhibition: interneurons fall silent once enough of their NMDA "
          "receptors are blocked, so very low doses give little burst.",
          "illustrative; 0.1 mg/kg helped less and less consistently than 0.5: Fava et al. "
          "2020, Mol Psychiatry (RCT)", "glutamate"),
    Param("glutamate_tau_h", 0.25, 0.05, 2.0, 0.05, "h",
          "Time constant of the glutamate burst.", "illustrative", "glutamate"),
    # --- BDNF, mTOR, spines ------------------------------------------------------
    Param("bdnf_gain", 2.5, 0.0, 5.0, 0.05, "1",
          "BDNF release per unit of glutamate burst and NMDA block; 0 blocks BDNF.",
          "illustrative, Autry et al. 2011 (animal)", "bdnf"),
    Param("eef2_gain", 0.5, 0.0, 3.0, 0.05, "1",
          "BDNF translation de-suppressed by NMDA block at rest (eEF2 pathway).",
          "illustrative, Autry et al. 2011 (animal)", "bdnf"),
    Param("bdnf_pool_size", 1.0, 0.2, 10.0, 0.1, "h",
          "Ready BDNF mRNA, in hours of unit drive: a bigger dose soon uses it up.",
          "illustrative; the rapid effect needs translation of existing BDNF mRNA: Autry "
          "et al. 2011 (animal)", "bdnf"),
    Param("bdnf_pool_refill_h", 48.0, 6.0, 240.0, 1.0, "h",
          "How fast the ready BDNF mRNA is replenished after a dose.",
          "illustrative; twice- and thrice-weekly infusions worked alike: Singh et al. "
          "2016 (RCT)", "bdnf"),
    Param("bdnf_translation_tau_h", 1.0, 0.25, 4.0, 0.05, "h",
          "Delay of rapid BDNF synthesis.", "illustrative, Autry et al. 2011 (animal)",
          "bdnf"),
    Param("bdnf_tau_h", 2.5, 0.5, 12.0, 0.1, "h",
          "Time constant of BDNF signalling (plasma BDNF up at 4 h).",
          "illustrative, Haile et al. 2014 (human, n=22)", "bdnf"),
    Param("mtor_tau_h", 8.0, 1.0, 24.0, 0.5, "h",
          "Delay from BDNF to mTOR-driven synaptic protein synthesis.",
          "illustrative, Li et al. 2010 (animal)", "bdnf"),
    Param("mtor_gain", 1.0, 0.0, 3.0, 0.05, "1",
          "mTOR activation per unit of BDNF signalling; 0 blocks mTOR like rapamycin.",
          "Li et al. 2010 (animal: blocking mTOR blocked new spines and the behavioural "
          "effect); in humans rapamycin did not block ketamine's effect: Abdallah et al. "
          "2020 (small RCT)", "bdnf"),
    Param("spine_gain", 6.0, 0.0, 10.0, 0.05, "1",
          "Spine formation per unit of mTOR drive; 0 stops spine formation.",
          "illustrative, Moda-Sava et al. 2019 (animal)", "bdnf"),
    Param("spine_tau_days", 3.0, 1.0, 14.0, 0.5, "days",
          "How long new spines persist (raised density lasts up to 2 weeks).",
          "Moda-Sava et al. 2019 (animal)", "bdnf"),
    Param("spine_stabilisation_gain", 0.4, 0.0, 10.0, 0.1, "1/h",
          "Stabilisation of labile new spines by a later dose's BDNF burst.",
          "illustrative; one dose fades within about two weeks (Coyle & Laws 2015, MA) "
          "while responders to six infusions kept their response a median 27.5 days "
          "(Feder et al. 2021, RCT)", "bdnf"),
    Param("stable_spine_tau_days", 45.0, 7.0, 180.0, 1.0, "days",
          "How long stabilised spines last.", "illustrative, relapse weeks after a course: "
          "Feder et al. 2021 (RCT)", "bdnf"),
    Param("plasticity_bdnf_weight", 1.0, 0.0, 3.0, 0.05, "1",
          "How much BDNF opens the plasticity window that gates learning.",
          "illustrative", "bdnf"),
    Param("plasticity_spine_weight", 1.5, 0.0, 10.0, 0.1, "1",
          "How much fresh spines keep the plasticity window open.",
          "illustrative", "bdnf"),
    # --- prefrontal control and the DMN -----------------------------------------
    Param("vmpfc_gain", 1.0, 0.0, 2.0, 0.05, "1",
          "vmPFC output (inhibition of the amygdala); 0 lesions the vmPFC.",
          "illustrative, Sierra-Mercado et al. 2011 (animal)", "network"),
    Param("synaptic_gain", 2.0, 0.0, 6.0, 0.1, "1",
          "Boost of vmPFC efficacy per unit of mTOR drive and restored spines.",
          "illustrative", "network"),
    Param("vmpfc_brake_max", 0.6, 0.5, 1.5, 0.01, "1",
          "Ceiling of the vmPFC -> amygdala brake (healthy network: 0.5); treatment "
          "restores a weak brake, it cannot make it stronger than this.", "illustrative",
          "network"),
    Param("acute_glutamate_gain", 0.6, 0.0, 2.0, 0.05, "1",
          "Extra prefrontal activity per unit of glutamate burst.",
          "illustrative", "network"),
    Param("dmn_loosening_gain", 1.5, 0.0, 3.0, 0.01, "1",
          "DMN loosening per unit of BDNF signalling (and of restored spines, times "
          "dmn_remodel_fraction); 0 keeps the DMN rigid to the drug.",
          "illustrative, direction from Scheidegger et al. 2012 (human)", "network"),
    Param("dmn_loosening_tau_h", 24.0, 6.0, 168.0, 1.0, "h",
          "How fast the DMN loop loosens and re-tightens.", "illustrative", "network"),
    Param("dmn_remodel_fraction", 0.35, 0.0, 1.0, 0.01, "1",
          "Lasting DMN loosening per unit of restored spines, relative to BDNF's.",
          "illustrative",
          "network"),
    Param("dmn_remodel_tau_days", 2.0, 0.5, 30.0, 0.5, "days",
          "How fast lasting DMN loosening follows restored spines.", "illustrative",
          "network"),
    Param("dmn_threat_gain", 1.0, 0.0, 2.0, 0.05, "1",
          "DMN loosening per unit of fall of the amygdala's trauma response (less threat, "
          "less rumination).", "illustrative; negative trauma-related thoughts fall with "
          "exposure therapy", "network"),
    Param("dmn_threat_tau_days", 14.0, 1.0, 90.0, 1.0, "days",
          "How fast rumination follows a change of threat.", "illustrative", "network"),
    Param("dmn_loosening_max", 0.28, 0.05, 0.9, 0.01, "1",
          "Largest DMN loosening (0.28 brings a PTSD loop to a healthy one's strength).",
          "illustrative; PTSD and healthy loop weights in brainviz.PATHWAYS", "network"),
    Param("noise_sd", 0.05, 0.0, 0.3, 0.01, "1",
          "Size of resting activity fluctuations (drawn from the seed).",
          "illustrative", "network"),
    # --- memory: reconsolidation and extinction ---------------------------------
    Param("reconsolidation_rate", 0.08, 0.0, 1.0, 0.01, "1/h",
          "Weakening of a retrieved trauma trace per hour of window and unit of plasticity.",
          "illustrative; Nader et al. 2000 (animal); ketamine after retrieval lowered "
          "amygdala reactivity to trauma scripts, while symptoms improved as much with "
          "midazolam: Duek et al. 2023, Neuropsychopharmacology (pilot RCT, n=27)",
          "memory"),
    Param("reconsolidation_threshold", 0.7, 0.5, 1.5, 0.05, "1",
          "Plasticity below which a reopened trace restabilises unchanged.",
          "illustrative; extinction inside the window weakens the original memory a "
          "little: Monfils et al. 2009 (animal), replications in humans mixed", "memory"),
    Param("reconsolidation_window_h", 6.0, 1.0, 12.0, 0.5, "h",
          "How long a retrieved memory stays labile (opens after about 10 min, "
          "closed by 6 h).",
          "Nader et al. 2000; Monfils et al. 2009 (animal)", "memory"),
    Param("trace_return_days", 60.0, 5.0, 365.0, 1.0, "days",
          "How fast a weakened trauma trace returns (spontaneous recovery).",
          "illustrative; return of fear: Bouton 2004 (review)", "memory"),
    Param("extinction_rate", 0.2, 0.0, 3.0, 0.05, "1/h",
          "Extinction learned per hour of exposure at normal NMDA function and plasticity.",
          "illustrative", "memory"),
    Param("nmda_learning_dependence", 1.0, 0.0, 1.0, 0.05, "1",
          "How much extinction and destabilisation need free NMDA receptors (1 = fully).",
          "Falls et al. 1992 (animal: NMDA antagonists in the amygdala block extinction); "
          "Ben Mamou et al. 2006 (animal: destabilisation needs NMDA receptors)",
          "memory"),
    Param("extinction_consolidation", 0.3, 0.0, 1.0, 0.01, "1",
          "Share of a session's extinction that becomes lasting, per unit of plasticity.",
          "illustrative", "memory"),
    Param("extinction_stable_tau_days", 75.0, 14.0, 365.0, 1.0, "days",
          "How long consolidated extinction lasts.", "illustrative", "memory"),
    Param("tolerance_low", 0.25, 0.0, 1.0, 0.01, "1",
          "Amygdala response below which exposure activates too little fear to learn.",
          "illustrative", "memory"),
    Param("tolerance_high", 1.6, 0.5, 3.0, 0.01, "1",
          "Amygdala response above which exposure overwhelms and little is learned.",
          "illustrative", "memory"),
    # --- symptom read-out --------------------------------------------------------
    Param("symptom_intrusion_weight", 0.6, 0.0, 1.0, 0.05, "1",
          "Weight of cue-evoked amygdala activity (re-experiencing) in the index; "
          "the rest is DMN connectivity (rumination).", "illustrative", "symptoms"),
    Param("symptom_amygdala_ref", 2.0, 0.5, 3.0, 0.05, "1",
          "Amygdala response that counts as maximal intrusion.", "illustrative",
          "symptoms"),
)

PARAMS: Mapping[str, Param] = MappingProxyType({p.name: p for p in _TABLE})
"""All model parameters by name (read-only)."""


def _resolve(overrides: Mapping | None, n: int = 1) -> dict[str, np.ndarray]:
    """Validate overrides and return every parameter as an ``(n, 1)`` float array.

    Values may be numbers or, for :func:`brainviz.sweep`, 1-D arrays of length ``n``.
    """
    if overrides is None:
        overrides = {}
    if not isinstance(overrides, Mapping):
        raise TypeError(
            f"params must be a dict of parameter name to value, got {type(overrides).__name__}"
        )
    out = {name: np.full((n, 1), p.default) for name, p in PARAMS.items()}
    for name, value in overrides.items():
        if name not in PARAMS:
            raise ValueError(f"unknown parameter {name!r}{did_you_mean(name, PARAMS)} "
                             "(see brainviz.PARAMS)")
        p = PARAMS[name]
        if isinstance(value, (bool, np.bool_)) or isinstance(value, (str, bytes)):
            raise TypeError(f"parameter {name!r} must be a number, got {type(value).__name__}")
        kind = np.asarray(value).dtype.kind if not isinstance(value, Mapping) else "O"
        if kind not in "iuf":  # booleans, strings and objects are refused as in scalars
            raise TypeError(f"parameter {name!r} must be a number or an array of numbers, "
                            f"got {type(value).__name__} of dtype {np.asarray(value).dtype}")
        try:
            arr = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(
                f"parameter {name!r} must be a number, got {type(value).__name__}"
            ) from None
        if arr.ndim > 1 or (arr.ndim == 1 and arr.shape[0] != n):
            raise ValueError(
                f"parameter {name!r} must be a number or a 1-D array of length {n} "
                f"(one value per protocol), got shape {arr.shape}"
            )
        bad = ~np.isfinite(arr) | (arr < p.low) | (arr > p.high)
        if np.any(bad):
            first = arr.reshape(-1)[np.argmax(bad.reshape(-1))]
            unit = "(dimensionless)" if p.unit == "1" else p.unit
            raise ValueError(
                f"parameter {name!r} = {float(first):g} is outside its valid range "
                f"[{p.low:g}, {p.high:g}] {unit}"
            )
        out[name] = np.broadcast_to(arr.reshape(-1, 1), (n, 1)).astype(float)
    return out


def param_table_markdown() -> str:
    """Return the parameter table as a Markdown table (used by ``docs/MODEL.md``).

    Examples
    --------
    >>> from brainviz import param_table_markdown
    >>> print(param_table_markdown().splitlines()[0])
    | group | name | default | range | step | unit | meaning | source |
    """
    lines = [
        "| group | name | default | range | step | unit | meaning | source |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for p in _TABLE:
        lines.append(
            f"| {p.group} | `{p.name}` | {_fmt(p.default)} | {_fmt(p.low)}-{_fmt(p.high)} "
            f"| {_fmt(p.step)} | {p.unit} | {p.doc} | {p.source} |"
        )
    return "\n".join(lines)


def _fmt(x: float) -> str:
    return f"{x:g}" if math.isfinite(x) else str(x)
