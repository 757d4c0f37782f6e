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
_PK_ROUTES = "Yanagihara 2003; Rolan 2014; Fanta 2015 (PK)"

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
          "Fanta 2015 (PK)", "pharmacokinetics"),
    Param("esketamine_potency", 2.0, 1.0, 4.0, 0.1, "1",
          "NMDA potency of esketamine relative to racemic ketamine.",
          _ZANOS + "; esketamine binds 3-4x more tightly than arketamine",
          "pharmacokinetics"),
    Param("f_im", 0.93, 0.5, 1.0, 0.01, "1", "Bioavailability, intramuscular.",
          _PK_ROUTES, "routes"),
    Param("f_intranasal", 0.40, 0.1, 0.8, 0.01, "1",
          "Bioavailability, intranasal racemic ketamine (25-50 %).", _PK_ROUTES, "routes"),
    Param("f_esketamine_nasal", 0.48, 0.2, 0.8, 0.01, "1",
          "Bioavailability, esketamine nasal spray.",
          "Spravato prescribing information (about 48 %)", "routes"),
    Param("f_sublingual", 0.30, 0.1, 0.6, 0.01, "1",
          "Bioavailability, sublingual (about 30 %).", _PK_ROUTES, "routes"),
    Param("f_oral", 0.18, 0.05, 0.4, 0.01, "1",
          "Bioavailability, oral (17-20 %).", _PK_ROUTES, "routes"),
    Param("ka_im", 4.0, 2.0, 30.0, 0.5, "1/h",
          "Absorption rate, intramuscular (peak at 5-15 min).", _PK_ROUTES, "routes"),
    Param("ka_intranasal", 1.8, 0.5, 10.0, 0.1, "1/h",
          "Absorption rate, intranasal (peak at 15-40 min).", _PK_ROUTES, "routes"),
    Param("ka_sublingual", 1.0, 0.3, 6.0, 0.1, "1/h",
          "Absorption rate, sublingual (peak at about 45 min).", _PK_ROUTES, "routes"),
    Param("ka_oral", 0.9, 0.3, 6.0, 0.1, "1/h",
          "Absorption rate, oral (peak at 30-60 min).", _PK_ROUTES, "routes"),
    # --- NMDA block, dissociation, glutamate ------------------------------------
    Param("nmda_ki_um", 1.0, 0.3, 3.0, 0.05, "uM",
          "Ketamine concentration that blocks half of interneuron NMDA receptors.",
          _ZANOS + ": Ki about 0.5-2.5 uM", "glutamate"),
    Param("pyramidal_ki_factor", 5.0, 1.5, 20.0, 0.5, "1",
          "How much less sensitive pyramidal-cell NMDA receptors are than interneurons'.",
          "illustrative, after Moghaddam et al. 1997 (animal)", "glutamate"),
    Param("dissociation_ec50_um", 0.72, 0.2, 3.0, 0.02, "uM",
          "Concentration giving half-maximal dissociation (range 100-250 ng/mL).",
          _ZANOS, "glutamate"),
    Param("disinhibition_gain", 3.0, 0.0, 10.0, 0.1, "1",
          "Glutamate release per unit of interneuron NMDA block (the burst).",
          "illustrative, shape from Moghaddam et al. 1997 (animal)", "glutamate"),
    Param("glutamate_tau_h", 0.25, 0.05, 2.0, 0.05, "h",
          "Time constant of the glutamate burst.", "illustrative", "glutamate"),
    # --- BDNF, mTOR, spines ------------------------------------------------------
    Param("bdnf_gain", 1.0, 0.0, 3.0, 0.05, "1",
          "BDNF release per unit of glutamate burst and NMDA block; 0 blocks BDNF.",
          "illustrative, Autry et al. 2011 (animal)", "bdnf"),
    Param("eef2_gain", 0.5, 0.0, 3.0, 0.05, "1",
          "BDNF translation de-suppressed by NMDA block at rest (eEF2 pathway).",
          "illustrative, Autry et al. 2011 (animal)", "bdnf"),
    Param("bdnf_translation_tau_h", 1.0, 0.25, 4.0, 0.05, "h",
          "Delay of rapid BDNF synthesis.", "illustrative, Autry et al. 2011 (animal)",
          "bdnf"),
    Param("bdnf_tau_h", 2.5, 0.5, 12.0, 0.1, "h",
          "Time constant of BDNF signalling (plasma BDNF up at 4 h).",
          "illustrative, Haile et al. 2014 (human, n=22)", "bdnf"),
    Param("mtor_tau_h", 8.0, 1.0, 24.0, 0.5, "h",
          "Delay from BDNF to mTOR-driven synaptic protein synthesis.",
          "illustrative, Li et al. 2010 (animal)", "bdnf"),
    Param("spine_gain", 3.0, 0.0, 3.0, 0.05, "1",
          "Spine formation per unit of mTOR drive; 0 stops spine formation.",
          "illustrative, Moda-Sava et al. 2019 (animal)", "bdnf"),
    Param("spine_tau_days", 5.0, 1.0, 14.0, 0.5, "days",
          "How long new spines persist (raised density lasts up to 2 weeks).",
          "Moda-Sava et al. 2019 (animal)", "bdnf"),
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
    Param("acute_glutamate_gain", 0.6, 0.0, 2.0, 0.05, "1",
          "Extra prefrontal activity per unit of glutamate burst.",
          "illustrative", "network"),
    Param("dmn_loosening_gain", 0.5, 0.0, 1.0, 0.01, "1",
          "Fall of DMN loop coupling per unit of BDNF signalling; 0 keeps the DMN rigid.",
          "illustrative, direction from Scheidegger et al. 2012 (human)", "network"),
    Param("dmn_loosening_tau_h", 24.0, 6.0, 168.0, 1.0, "h",
          "How fast the DMN loop loosens and re-tightens.", "illustrative", "network"),
    Param("dmn_remodel_fraction", 0.15, 0.0, 1.0, 0.05, "1",
          "Share of the loosening that plasticity makes lasting.", "illustrative",
          "network"),
    Param("dmn_remodel_tau_days", 14.0, 3.0, 90.0, 1.0, "days",
          "How long remodelled DMN loosening lasts.", "illustrative", "network"),
    Param("noise_sd", 0.05, 0.0, 0.3, 0.01, "1",
          "Size of resting activity fluctuations (drawn from the seed).",
          "illustrative", "network"),
    # --- memory: reconsolidation and extinction ---------------------------------
    Param("reconsolidation_rate", 0.06, 0.0, 1.0, 0.01, "1/h",
          "Weakening of a retrieved trauma trace per hour of window and unit of plasticity.",
          "illustrative, Nader et al. 2000 (animal); Duek et al. 2023 (pilot RCT)",
          "memory"),
    Param("reconsolidation_threshold", 0.97, 0.5, 1.5, 0.05, "1",
          "Plasticity below which a reopened trace restabilises unchanged.",
          "illustrative", "memory"),
    Param("reconsolidation_window_h", 6.0, 1.0, 12.0, 0.5, "h",
          "How long a retrieved memory stays labile (10 min to under 6 h).",
          "Nader et al. 2000 (animal)", "memory"),
    Param("extinction_rate", 0.2, 0.0, 3.0, 0.05, "1/h",
          "Extinction learned per hour of exposure at normal NMDA function and plasticity.",
          "illustrative", "memory"),
    Param("nmda_learning_dependence", 1.0, 0.0, 1.0, 0.05, "1",
          "How much extinction and destabilisation need free NMDA receptors (1 = fully).",
          "Walker 2002; Davis 2011 (animal); Ben Mamou et al. 2006 (animal)", "memory"),
    Param("extinction_consolidation", 0.3, 0.0, 1.0, 0.01, "1",
          "Share of a session's extinction that becomes lasting, per unit of plasticity.",
          "illustrative", "memory"),
    Param("extinction_stable_tau_days", 120.0, 14.0, 365.0, 1.0, "days",
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
