"""Virtual patients and virtual trials: the same model, run for people who differ.

:func:`ensemble` runs one :class:`~brainviz.Protocol` for ``n`` virtual patients whose
parameters are drawn from the one table :data:`SPREAD`; :func:`trial` randomises
patients to arms and reads the trial's outcomes off them. Three things make patients
differ, each documented in ``docs/MODEL.md`` ("Virtual patients and trials"):

1. **biology**: a few model parameters vary between patients (:data:`SPREAD`); values
   are drawn around the typical patient and clipped to the parameter's valid range;
2. **expectancy** (the placebo response): any treatment contact (a dose, a therapy
   session) relieves a patient-specific fraction of the symptoms above the healthy
   baseline while the visits go on, and fades after they stop;
3. **measurement noise**: a rater reads the symptom index with an error that
   decorrelates within days (the reason a trial reads ``measured_symptoms``).

Everything is drawn from numpy's seeded generators: the same inputs and seed give the
same numbers, and patient ``i``'s draws do not depend on how many patients are drawn.
All patients of a call run at once through the batched model of :func:`~brainviz.sweep`.

This is a teaching model: its patients illustrate how spread, placebo responses and
small samples shape a trial's result; they predict nothing for any real patient.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass
from functools import cached_property, lru_cache
from types import MappingProxyType
from typing import Iterator, Mapping, NamedTuple

import numpy as np

from .._validate import check_number, check_whole, did_you_mean
from ._numerics import _decay_scan
from .course import _SERIES, Protocol, _run_series, _runs, simulate
from .params import PARAMS, _resolve

__all__ = ["Spread", "SPREAD", "NOISE_SD", "Ensemble", "Trial", "EffectSize", "ensemble",
           "trial", "spread_table_markdown"]


@dataclass(frozen=True)
class Spread:
    """How one quantity differs between virtual patients (one row of :data:`SPREAD`).

    Parameters
    ----------
    name : str
        A parameter of :data:`brainviz.PARAMS`, or ``"placebo"``.
    kind : {"lognormal", "normal"}
        ``"lognormal"`` (parameters): the typical value times ``exp(sd * z)``, so the
        median patient is the typical one. ``"normal"`` (the placebo response):
        ``mean + sd * z``.
    sd : float
        Standard deviation of ``log(value)`` (lognormal, in [0, 1.5]) or of the value
        (normal, in [0, 1]).
    doc : str
        What differs between patients.
    source : str
        Where the size comes from, or ``"illustrative"``.
    mean : float, optional
        Mean of a ``"normal"`` row (the placebo fraction, in [0, 0.9]).
    subgroup : tuple of (str, float, float), optional
        ``(label, share, factor)``: a share of patients in [0, 1] whose value is also
        multiplied by ``factor`` in (0, 10] (lognormal rows only).

    Examples
    --------
    >>> from dataclasses import replace
    >>> from brainviz import SPREAD
    >>> replace(SPREAD["placebo"], mean=0.4).mean
    0.4
    """

    name: str
    kind: str
    sd: float
    doc: str
    source: str = "illustrative"
    mean: float | None = None
    subgroup: tuple | None = None

    def __post_init__(self):
        if not isinstance(self.name, str):
            raise TypeError(f"Spread.name must be a string, got {type(self.name).__name__}")
        valid = sorted(PARAMS) + ["placebo"]
        if self.name not in valid:
            raise ValueError(f"Spread.name must be a parameter of brainviz.PARAMS or "
                             f"'placebo', got {self.name!r}{did_you_mean(self.name, valid)}")
        kind = "normal" if self.name == "placebo" else "lognormal"
        if self.kind != kind:
            raise ValueError(f"Spread.kind must be {kind!r} for {self.name!r}, got {self.kind!r}")
        top = 1.0 if kind == "normal" else 1.5
        object.__setattr__(self, "sd", check_number("Spread.sd", self.sd, 0.0, top))
        if kind == "normal":
            if self.mean is None:
                raise ValueError("Spread.mean must be given for the 'placebo' row, "
                                 f"a fraction in [0, {_PLACEBO_MAX:g}]")
            object.__setattr__(self, "mean",
                               check_number("Spread.mean", self.mean, 0.0, _PLACEBO_MAX))
        elif self.mean is not None:
            raise ValueError(f"Spread.mean must be None for a parameter row, got {self.mean!r}")
        if self.subgroup is not None:
            if kind == "normal":
                raise ValueError("Spread.subgroup must be None for the 'placebo' row")
            if (not isinstance(self.subgroup, tuple) or len(self.subgroup) != 3
                    or not isinstance(self.subgroup[0], str)):
                raise TypeError("Spread.subgroup must be a tuple (label, share, factor), "
                                f"got {self.subgroup!r}")
            label, share, factor = self.subgroup
            share = check_number("Spread.subgroup share", share, 0.0, 1.0)
            factor = check_number("Spread.subgroup factor", factor, 0.0, 10.0, low_open=True)
            object.__setattr__(self, "subgroup", (label, share, factor))


_PLACEBO_MAX = 0.9
_BDNF_MET = ("Laje et al. 2012, Biol Psychiatry (n=62, depression: BDNF Met carriers "
             "responded less to ketamine); Liu et al. 2012, Biol Psychiatry (animal: "
             "ketamine's spine and behavioural effects blunted in Met knock-in mice)")

_ROWS = (
    Spread("plasma_scale", "lognormal", 0.22,
           "Plasma levels for the same mg/kg (body composition, clearance).",
           "sized after the spread of peak plasma after oral 0.5 mg/kg, 45 +/- 10 ng/mL "
           "(Grant et al. 1981, in Zanos et al. 2018, Table 1)"),
    Spread("nmda_ki_um", "lognormal", 0.2,
           "Sensitivity of NMDA receptors to ketamine.", "illustrative"),
    Spread("dissociation_ec50_um", "lognormal", 0.3,
           "How easily a patient dissociates at a given level.", "illustrative"),
    Spread("bp_max_mmhg", "lognormal", 0.35,
           "How much blood pressure rises at a given level; higher with hypertension.",
           "subgroup after Riva-Posse et al. 2018, J Affect Disord (66 patients, 684 "
           "infusions: the 36 % with essential hypertension had higher peaks); size "
           "illustrative", subgroup=("essential hypertension", 0.36, 1.5)),
    Spread("bdnf_gain", "lognormal", 0.25,
           "BDNF release per unit of glutamate burst; about 30 % of patients carry the "
           "BDNF Met allele (frequency varies by ancestry) and release less.",
           "subgroup after " + _BDNF_MET + "; size illustrative",
           subgroup=("BDNF Met carriers", 0.3, 0.4)),
    Spread("spine_gain", "lognormal", 0.3,
           "How many new spines a given mTOR drive makes.", "illustrative"),
    Spread("synaptic_gain", "lognormal", 0.3,
           "How much new synapses strengthen vmPFC control.", "illustrative"),
    Spread("dmn_loosening_gain", "lognormal", 0.25,
           "How much the DMN loop loosens per unit of BDNF.", "illustrative"),
    Spread("vmpfc_gain", "lognormal", 0.25,
           "vmPFC control of the amygdala before treatment (sets baseline severity).",
           "illustrative; direction from Etkin & Wager 2007 (MA: vmPFC under-active in PTSD)"),
    Spread("symptom_amygdala_ref", "lognormal", 0.2,
           "How strongly amygdala activity turns into intrusions (baseline severity).",
           "illustrative"),
    Spread("symptom_intrusion_weight", "lognormal", 0.25,
           "Symptom profile: how much of a patient's index is re-experiencing rather "
           "than rumination.", "illustrative; PTSD symptom profiles differ between "
           "patients"),
    Spread("extinction_rate", "lognormal", 0.35,
           "Extinction learning per hour of exposure.",
           "illustrative; extinction recall varies widely in PTSD (Milad et al. 2009, human)"),
    Spread("tolerance_high", "lognormal", 0.25,
           "How much fear a session can evoke before it overwhelms and little is learned.",
           "illustrative"),
    Spread("placebo", "normal", 0.15,
           "Expectancy (placebo) response: the fraction of the symptoms above the healthy "
           "baseline that treatment contacts relieve while visits go on.",
           "illustrative, sized so that a midazolam arm has about 20 % responders at "
           "2 weeks as in Feder et al. 2021 (RCT, n=30); placebo arms of PTSD drug trials "
           "improve markedly (Williams et al. 2022, Cochrane review)",
           mean=0.22),
)

#: Which quantities differ between virtual patients and how much: one row per quantity.
SPREAD: Mapping[str, Spread] = MappingProxyType({s.name: s for s in _ROWS})

#: Standard deviation of the rating error on the symptom index, in index points. Sized
#: so that two ratings of untreated patients a week apart correlate about 0.78, the
#: test-retest ICC of the CAPS-5 total severity (Weathers et al. 2018, Psychol Assess);
#: a test holds the virtual population to it.
NOISE_SD = 5.0
_NOISE_TAU_H = 48.0  # the rating error decorrelates within a few days
_NOISE_STEP_H = 6.0  # drawn every 6 h
_EXPECTANCY_ON_H = 24.0  # expectancy builds within days of the first contact ...
_EXPECTANCY_HOLD_H = 84.0  # ... lasts while visits are at most half a week apart ...
_EXPECTANCY_OFF_H = 14.0 * 24.0  # ... and fades over weeks after the last (illustrative)
_MAX_N = 2000
_MAX_ARMS = 8
RESPONSE_FALL = 0.3  # a responder's symptom index falls by at least 30 % (Feder 2021)

_EXTRA = {
    "symptoms": "symptom index 0-100 including the patient's expectancy response",
    "measured_symptoms": "the symptom index as a rater reads it: symptoms plus noise",
    "model_symptoms": "the brain model's symptom index alone (what simulate returns)",
    "expectancy": "relief from expectancy (placebo response), index points",
}
_NAMES = tuple(n for n in _SERIES if n != "symptoms") + tuple(_EXTRA)


class EffectSize(NamedTuple):
    """Hedges' g with its 95 % confidence interval (see :meth:`Trial.effect_size`)."""

    g: float
    low: float
    high: float

    def __repr__(self):
        return f"EffectSize(g={self.g:.2f}, 95% CI {self.low:.2f} to {self.high:.2f})"


class Ensemble:
    """Virtual patients who all received one protocol (made by :func:`ensemble`).

    Every series of :class:`~brainviz.Course` is available per patient as an array of
    shape ``(n, len(t_h))`` (``ens.bdnf``, ``ens.series["bdnf"]``), plus
    ``measured_symptoms``, ``model_symptoms`` and ``expectancy``. Here ``symptoms``
    includes each patient's expectancy response; ``model_symptoms`` is the brain
    model's index alone. Arrays are read-only.

    Attributes
    ----------
    protocol : Protocol
    n, seed : int
    t_h : ndarray
        Time in hours, shared by all patients.
    params : mapping of str to ndarray
        The drawn value of every varied parameter, one per patient.
    placebo : ndarray
        Each patient's expectancy fraction (0 = none).
    subgroups : mapping of str to ndarray
        Boolean membership of each subgroup in :data:`SPREAD` (e.g. BDNF Met carriers).
    noise_sd : float
        Rating error, index points.
    """

    def __init__(self, protocol, runs, draws, key, noise_sd, seed):
        self.protocol = protocol
        self.n = sum(rows.size for rows, _, _ in runs)
        self.seed = seed
        self.noise_sd = noise_sd
        self._runs = runs  # (rows of this ensemble, time grid, that run's series)
        self._key = key
        self.params = MappingProxyType({k: _readonly(v) for k, v in draws.params.items()})
        self.placebo = _readonly(draws.placebo)
        self.subgroups = MappingProxyType({k: _readonly(v) for k, v in draws.subgroups.items()})
        # one schedule runs on one grid; patients who differ in their reconsolidation
        # window can land on several, which are then read on their union
        first = runs[0][1]
        same = all(t is first or np.array_equal(t, first) for _, t, _ in runs)
        self.t_h = _readonly(first if same else np.unique(np.concatenate([t for _, t, _ in runs])))
        self._cache: dict = {}
        self.series = _SeriesView(self)

    @property
    def t_days(self) -> np.ndarray:
        """Time in days."""
        return self.t_h / 24.0

    def __getattr__(self, name):
        if name in _NAMES:
            return self._get(name)
        raise AttributeError(f"Ensemble has no attribute {name!r}")

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(_NAMES))

    def _get(self, name: str) -> np.ndarray:
        if name not in _NAMES:
            raise ValueError(f"name must be one of {sorted(_NAMES)}, got {name!r}"
                             f"{did_you_mean(name, _NAMES)}")
        if name not in self._cache:
            self._cache[name] = _readonly(self._compute(name))
        return self._cache[name]

    def _compute(self, name: str) -> np.ndarray:
        if name == "model_symptoms":
            return self._stack("symptoms")
        if name == "expectancy":
            excess = np.maximum(self._get("model_symptoms") - _healthy_floor(), 0.0)
            return (excess * self.placebo[:, None]
                    * _contact_curve(self.protocol, self.t_h)[None, :])
        if name == "symptoms":
            return self._get("model_symptoms") - self._get("expectancy")
        if name == "measured_symptoms":
            rng = _stream(self._key, "measured_symptoms", 0)
            noise = _rating_noise(rng, self.n, self.t_h, self.noise_sd)
            return np.clip(self._get("symptoms") + noise, 0.0, 100.0)
        return self._stack(name)

    def _stack(self, name: str) -> np.ndarray:
        out = np.empty((self.n, self.t_h.size))
        for rows, t, series in self._runs:
            x = series[name]
            if t.size == self.t_h.size and np.array_equal(t, self.t_h):
                out[rows] = x
            else:
                out[rows] = [np.interp(self.t_h, t, row) for row in x]
        return out

    def band(self, name: str, q=(5, 50, 95)) -> np.ndarray:
        """Percentiles across patients of one series at every time point.

        Parameters
        ----------
        name : str
            Any series (see the class doc), e.g. ``"symptoms"`` or ``"plasma_ng_ml"``.
        q : sequence of float
            Percentiles in [0, 100].

        Returns
        -------
        ndarray, shape (len(q), len(t_h))
            Row ``i`` is the ``q[i]``-th percentile; rows are ordered like ``q``.

        Examples
        --------
        >>> import brainviz as bv
        >>> ens = bv.ensemble(bv.Protocol(doses=[bv.Dose(0, 0.5)], days=3), n=20)
        >>> ens.band("symptoms", q=(10, 50, 90)).shape == (3, ens.t_h.size)
        True
        """
        x = self._get(name)
        q = _percentiles(q)
        return _readonly(np.percentile(x, q, axis=0))

    def at(self, name: str, t_h) -> np.ndarray:
        """Each patient's value of one series at time(s) ``t_h`` (linear interpolation).

        Returns an array of shape ``(n,)`` for a scalar time, ``(n, len(t_h))`` otherwise.

        Examples
        --------
        >>> import brainviz as bv
        >>> ens = bv.ensemble(bv.Protocol(days=2), n=5)
        >>> ens.at("symptoms", 24.0).shape
        (5,)
        """
        x = self._get(name)
        try:
            t = np.asarray(t_h, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"t_h must be a number or an array of numbers (hours), "
                            f"got {type(t_h).__name__}") from None
        if not np.all(np.isfinite(t)) or np.any(t < 0) or np.any(t > self.t_h[-1]):
            raise ValueError(f"t_h must be in [0, {self.t_h[-1]:g}] h, got {t_h!r}")
        i = np.clip(np.searchsorted(self.t_h, t, side="right"), 1, self.t_h.size - 1)
        t0, t1 = self.t_h[i - 1], self.t_h[i]
        w = (t - t0) / (t1 - t0)
        return x[:, i - 1] * (1.0 - w) + x[:, i] * w

    def relief(self, day: float, measured: bool = True) -> np.ndarray:
        """Each patient's relief on ``day``: the fall of the symptom index from day 0.

        Parameters
        ----------
        day : float
            Day of the assessment, in [0, protocol.days].
        measured : bool
            ``True`` (default) reads ``measured_symptoms`` at day 0 and on ``day``, as a
            trial does, so the relief includes two rating errors; ``False`` reads the
            patients' true ``symptoms`` (still including their expectancy response).

        Returns
        -------
        ndarray, shape (n,)
            Index points; positive means better.

        Examples
        --------
        >>> import brainviz as bv
        >>> ens = bv.ensemble(bv.Protocol(doses=[bv.Dose(0, 0.5)], days=3), n=50)
        >>> bool(ens.relief(1, measured=False).mean() > 0)
        True
        """
        day = check_number("day", day, 0.0, self.protocol.days, "days")
        name = "measured_symptoms" if measured else "symptoms"
        return _readonly(self.at(name, 0.0) - self.at(name, day * 24.0))

    def responders(self, day: float, measured: bool = True) -> float:
        """Fraction (0-1) of patients whose symptom index fell by at least 30 % by ``day``.

        Examples
        --------
        >>> import brainviz as bv
        >>> ens = bv.ensemble(bv.Protocol(days=14), n=50)
        >>> 0.0 <= ens.responders(14) <= 1.0
        True
        """
        base = self.at("measured_symptoms" if measured else "symptoms", 0.0)
        fall = self.relief(day, measured) / np.maximum(base, 1e-9)
        return float(np.mean(fall >= RESPONSE_FALL))

    def __repr__(self):
        p = self.protocol
        return (f"Ensemble(n={self.n}, seed={self.seed}, condition={p.condition!r}, "
                f"days={p.days:g}, doses={len(p.doses)}, sessions={len(p.therapy)}, "
                f"varied={sorted(self.params)}, noise_sd={self.noise_sd:g}, "
                f"points={self.t_h.size})")


class _SeriesView(Mapping):
    """``ens.series[name]``: every per-patient series, computed on first access."""

    def __init__(self, ens: Ensemble):
        self._ens = ens

    def __getitem__(self, name):
        if name not in _NAMES:
            raise KeyError(name)
        return self._ens._get(name)

    def __iter__(self) -> Iterator[str]:
        return iter(_NAMES)

    def __len__(self):
        return len(_NAMES)


class Trial:
    """A randomised virtual trial (made by :func:`trial`): one :class:`Ensemble` per arm.

    ``trial[arm]`` is that arm's ensemble (bands of any series, drawn parameters).

    Attributes
    ----------
    arms : tuple of str
    n_per_arm, seed : int
    ensembles : mapping of str to Ensemble
    """

    def __init__(self, ensembles: dict, n_per_arm: int, seed: int):
        self.ensembles = MappingProxyType(dict(ensembles))
        self.arms = tuple(ensembles)
        self.n_per_arm = n_per_arm
        self.seed = seed
        self.days = next(iter(ensembles.values())).protocol.days

    def __getitem__(self, arm: str) -> Ensemble:
        return self.ensembles[self._arm("arm", arm)]

    def _arm(self, label: str, arm) -> str:
        if not isinstance(arm, str) or arm not in self.ensembles:
            raise ValueError(f"{label} must be one of {list(self.arms)}, got {arm!r}"
                             f"{did_you_mean(arm, self.arms) if isinstance(arm, str) else ''}")
        return arm

    def relief(self, arm: str, day: float, measured: bool = True) -> np.ndarray:
        """Per-patient relief in one arm: the fall of the symptom index from day 0.

        With ``measured=True`` (default) it is read from ``measured_symptoms`` and so
        includes the rating noise at day 0 and on ``day``, as in a real trial.

        Examples
        --------
        >>> import brainviz as bv
        >>> t = bv.trial({"drug": bv.Protocol(doses=[bv.Dose(0, 0.5)], days=7),
        ...               "none": bv.Protocol(days=7)}, n_per_arm=10)
        >>> t.relief("drug", 1).shape
        (10,)
        """
        return self.ensembles[self._arm("arm", arm)].relief(day, measured)

    def responders(self, arm: str, day: float, measured: bool = True) -> float:
        """Fraction (0-1) of one arm with at least a 30 % fall of the symptom index.

        Examples
        --------
        >>> import brainviz as bv
        >>> t = bv.trial({"a": bv.Protocol(days=14), "b": bv.Protocol(days=14)}, 10)
        >>> 0.0 <= t.responders("a", 14) <= 1.0
        True
        """
        return self.ensembles[self._arm("arm", arm)].responders(day, measured)

    def effect_size(self, a: str, b: str, day: float, measured: bool = True) -> EffectSize:
        """Hedges' g of relief in arm ``a`` over arm ``b`` on ``day``, with a 95 % CI.

        ``d = (mean_a - mean_b) / s_pooled`` with
        ``s_pooled**2 = ((n_a - 1) s_a**2 + (n_b - 1) s_b**2) / (n_a + n_b - 2)``;
        ``g = J d`` with the small-sample correction ``J = 1 - 3 / (4 (n_a + n_b) - 9)``;
        the interval is ``g +/- 1.96 SE`` with
        ``SE = J sqrt((n_a + n_b) / (n_a n_b) + d**2 / (2 (n_a + n_b)))``
        (Hedges & Olkin 1985; Borenstein et al. 2009, ch. 4). Positive ``g`` means arm
        ``a`` relieved more.

        Examples
        --------
        >>> import brainviz as bv
        >>> t = bv.trial({"a": bv.Protocol(days=14), "b": bv.Protocol(days=14)}, 10)
        >>> es = t.effect_size("a", "b", 14)
        >>> es.low <= es.g <= es.high
        True
        """
        a, b = self._arm("a", a), self._arm("b", b)
        return hedges_g(self.relief(a, day, measured), self.relief(b, day, measured))

    def summary(self, day: float, measured: bool = True) -> str:
        """A small text table: per arm, mean (SD) relief and responders on ``day``.

        Examples
        --------
        >>> import brainviz as bv
        >>> t = bv.trial({"a": bv.Protocol(days=7), "b": bv.Protocol(days=7)}, 5)
        >>> print(t.summary(7).splitlines()[0])
        arm  n  relief, mean (SD)  responders
        """
        rows = [("arm", "n", "relief, mean (SD)", "responders")]
        for arm in self.arms:
            r = self.relief(arm, day, measured)
            rows.append((arm, str(r.size), f"{r.mean():.1f} ({r.std(ddof=1):.1f})",
                         f"{self.responders(arm, day, measured):.0%}"))
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        return "\n".join("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip()
                         for row in rows)

    def __repr__(self):
        return (f"Trial(arms={list(self.arms)}, n_per_arm={self.n_per_arm}, "
                f"seed={self.seed}, days={self.days:g})")


def hedges_g(x: np.ndarray, y: np.ndarray) -> EffectSize:
    """Hedges' g of ``x`` over ``y`` with its 95 % CI (formula: :meth:`Trial.effect_size`)."""
    nx, ny = len(x), len(y)
    pooled = math.sqrt(((nx - 1) * np.var(x, ddof=1) + (ny - 1) * np.var(y, ddof=1))
                       / (nx + ny - 2))
    d = float((np.mean(x) - np.mean(y)) / pooled) if pooled > 0 else 0.0
    j = 1.0 - 3.0 / (4.0 * (nx + ny) - 9.0)
    se = j * math.sqrt((nx + ny) / (nx * ny) + d * d / (2.0 * (nx + ny)))
    g = j * d
    return EffectSize(g, g - 1.96 * se, g + 1.96 * se)


# ----------------------------------------------------------------------------------
# the public functions
# ----------------------------------------------------------------------------------

def ensemble(protocol: Protocol, n: int = 200, seed: int = 0, *,
             params: Mapping | None = None, spread: Mapping | None = None,
             noise_sd: float = NOISE_SD) -> Ensemble:
    """Run one protocol for ``n`` virtual patients who differ.

    Parameters
    ----------
    protocol : Protocol
        The course every patient receives.
    n : int
        Number of patients, 1 to 2000.
    seed : int
        Seed (>= 0) of every random draw; the same inputs and seed give the same
        numbers.
    params : dict, optional
        The typical patient, as overrides of :data:`brainviz.PARAMS` (as in
        :func:`~brainviz.simulate`); patients are drawn around it.
    spread : dict, optional
        Changes to :data:`SPREAD` by name: a :class:`Spread` replaces or adds a row,
        ``None`` removes one (that quantity then does not vary).
    noise_sd : float
        Rating error of ``measured_symptoms`` in index points, in [0, 20]
        (default :data:`NOISE_SD`).

    Returns
    -------
    Ensemble

    Examples
    --------
    >>> import brainviz as bv
    >>> ens = bv.ensemble(bv.Protocol(doses=[bv.Dose(0, 0.5)], days=7), n=30, seed=1)
    >>> low, mid, high = ens.band("plasma_ng_ml", q=(5, 50, 95)).max(axis=1)
    >>> bool(low < mid < high)
    True
    """
    if not isinstance(protocol, Protocol):
        raise TypeError(f"protocol must be a brainviz.Protocol, got {type(protocol).__name__}")
    n = check_whole("n", n, 1, _MAX_N)
    seed = _check_seed(seed)
    table = _table(spread)
    noise_sd = check_number("noise_sd", noise_sd, 0.0, 20.0, "index points")
    return _run_arms({"": protocol}, n, seed, params, table, noise_sd, (seed,))[""]


def trial(arms: Mapping[str, Protocol], n_per_arm: int = 30, seed: int = 0, *,
          params: Mapping | None = None, spread: Mapping | None = None,
          noise_sd: float = NOISE_SD) -> Trial:
    """Run a randomised virtual trial: ``n_per_arm`` new patients in every arm.

    Patients are drawn independently for each arm (arm ``i`` uses the random stream
    ``(seed, i + 1)``), so arms differ by chance as well as by treatment, as in a real
    randomised trial; all arms run at once through the batched model of
    :func:`~brainviz.sweep`.

    Parameters
    ----------
    arms : dict of str to Protocol
        Arm names and their protocols (1 to 8 arms, all with the same ``days``).
    n_per_arm : int
        Patients per arm, 2 to 2000.
    seed : int
        Seed (>= 0); the same inputs and seed give the same numbers.
    params, spread, noise_sd
        As in :func:`ensemble`.

    Returns
    -------
    Trial

    Examples
    --------
    >>> import brainviz as bv
    >>> from brainviz.science.protocols import six_infusions
    >>> t = bv.trial({"ketamine": bv.Protocol(doses=six_infusions(), days=28),
    ...               "no infusion": bv.Protocol(days=28)}, n_per_arm=15, seed=3)
    >>> t
    Trial(arms=['ketamine', 'no infusion'], n_per_arm=15, seed=3, days=28)
    >>> es = t.effect_size("ketamine", "no infusion", day=14)
    >>> es.low < es.g < es.high
    True
    """
    if not isinstance(arms, Mapping) or not arms:
        raise TypeError("arms must be a non-empty dict of arm name to brainviz.Protocol, "
                        f"got {type(arms).__name__ if not isinstance(arms, Mapping) else '{}'}")
    if len(arms) > _MAX_ARMS:
        raise ValueError(f"arms must hold 1 to {_MAX_ARMS} arms, got {len(arms)}")
    for name, p in arms.items():
        if not isinstance(name, str) or not name:
            raise TypeError(f"arms keys must be non-empty strings, got {name!r}")
        if not isinstance(p, Protocol):
            raise TypeError(f"arms[{name!r}] must be a brainviz.Protocol, "
                            f"got {type(p).__name__}")
    days = {p.days for p in arms.values()}
    if len(days) > 1:
        raise ValueError(f"arms must all have the same days, got {sorted(days)}")
    n_per_arm = check_whole("n_per_arm", n_per_arm, 2, _MAX_N)
    seed = _check_seed(seed)
    table = _table(spread)
    noise_sd = check_number("noise_sd", noise_sd, 0.0, 20.0, "index points")
    ens = _run_arms(dict(arms), n_per_arm, seed, params, table, noise_sd, None)
    return Trial(ens, n_per_arm, seed)


def spread_table_markdown() -> str:
    """Return :data:`SPREAD` as a Markdown table (used by ``docs/MODEL.md``).

    Examples
    --------
    >>> from brainviz.science.population import spread_table_markdown
    >>> print(spread_table_markdown().splitlines()[0])
    | quantity | typical | distribution | subgroup | what differs | source |
    """
    lines = ["| quantity | typical | distribution | subgroup | what differs | source |",
             "|---|---|---|---|---|---|"]
    for row in SPREAD.values():
        if row.kind == "normal":
            typical = f"{row.mean:g}"
            dist = f"normal, SD {row.sd:g}, clipped to 0-{_PLACEBO_MAX:g}"
        else:
            typical = f"{PARAMS[row.name].default:g}"
            dist = f"lognormal, SD of log {row.sd:g}"
        sub = "-" if row.subgroup is None else (
            f"{row.subgroup[0]}: {row.subgroup[1]:.0%} of patients, x{row.subgroup[2]:g}")
        lines.append(f"| `{row.name}` | {typical} | {dist} | {sub} | {row.doc} | "
                     f"{row.source} |")
    return "\n".join(lines)


# ----------------------------------------------------------------------------------
# drawing patients
# ----------------------------------------------------------------------------------

class _Draws(NamedTuple):
    params: dict
    placebo: np.ndarray
    subgroups: dict


def _stream(key: tuple, name: str, part: int) -> np.random.Generator:
    """An independent generator per (seed, arm), quantity and use of it."""
    return np.random.default_rng([*key, zlib.crc32(name.encode()), part])


def _draw(key: tuple, n: int, table: Mapping[str, Spread], typical: dict) -> _Draws:
    params, subgroups, placebo = {}, {}, np.zeros(n)
    for name, row in table.items():
        z = _stream(key, name, 0).standard_normal(n)
        if row.kind == "normal":
            placebo = np.clip(row.mean + row.sd * z, 0.0, _PLACEBO_MAX)
            continue
        value = typical[name] * np.exp(row.sd * z)
        if row.subgroup is not None:
            label, share, factor = row.subgroup
            member = _stream(key, name, 1).random(n) < share
            value = np.where(member, value * factor, value)
            subgroups[label] = member
        p = PARAMS[name]
        params[name] = np.clip(value, p.low, p.high)
    return _Draws(params, placebo, subgroups)


def _run_arms(arms: dict, n: int, seed: int, params, table, noise_sd, key) -> dict:
    typical = {k: float(v[0, 0]) for k, v in _resolve(params, 1).items()}
    draws = {arm: _draw(key or (seed, i + 1), n, table, typical)
             for i, arm in enumerate(arms)}
    overrides = dict(params or {})
    for name in {k for d in draws.values() for k in d.params}:
        overrides[name] = np.concatenate([draws[arm].params[name] for arm in arms])
    protocols = [p for p in arms.values() for _ in range(n)]
    # the batched model of sweep(), without building a Course per patient
    prm = _resolve(overrides, len(protocols))
    runs: dict = {arm: [] for arm in arms}
    names = list(arms)
    for part, t, batch, batch_prm in _runs(protocols, prm):
        series = _run_series(batch, batch_prm, t)[1]
        arm_of = part // n
        for a in np.unique(arm_of):
            mine = arm_of == a
            chunk = {k: v[mine] for k, v in series.items()} if not mine.all() else series
            runs[names[a]].append((part[mine] - a * n, t, chunk))
    return {arm: Ensemble(p, runs[arm], draws[arm], key or (seed, i + 1), noise_sd, seed)
            for i, (arm, p) in enumerate(arms.items())}


def _table(spread) -> Mapping[str, Spread]:
    if spread is None:
        return SPREAD
    if not isinstance(spread, Mapping):
        raise TypeError("spread must be a dict of name to Spread (or None to remove a "
                        f"row), got {type(spread).__name__}")
    table = dict(SPREAD)
    for name, row in spread.items():
        if row is None:
            if name not in table:
                raise ValueError(f"spread[{name!r}] = None removes a row, but there is no "
                                 f"row {name!r}; rows: {sorted(table)}"
                                 f"{did_you_mean(name, table)}")
            del table[name]
            continue
        if not isinstance(row, Spread):
            raise TypeError(f"spread[{name!r}] must be a brainviz.Spread or None, "
                            f"got {type(row).__name__}")
        if row.name != name:
            raise ValueError(f"spread[{name!r}] holds the row of {row.name!r}; "
                             "the key must be the row's name")
        table[name] = row
    return MappingProxyType(table)


def _check_seed(seed) -> int:
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be a whole number >= 0, got {type(seed).__name__}")
    if seed < 0:
        raise ValueError(f"seed must be a whole number >= 0, got {seed}")
    return int(seed)


def _percentiles(q) -> np.ndarray:
    try:
        arr = np.asarray(q, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        raise TypeError(f"q must be a sequence of percentiles in [0, 100], got {q!r}") from None
    if arr.size == 0 or not np.all(np.isfinite(arr)) or np.any((arr < 0) | (arr > 100)):
        raise ValueError(f"q must be percentiles in [0, 100], got {q!r}")
    return arr


# ----------------------------------------------------------------------------------
# expectancy and rating noise
# ----------------------------------------------------------------------------------

@lru_cache(maxsize=None)
def _healthy_floor_cached(key: tuple) -> float:
    return float(simulate(Protocol(days=1, condition="healthy")).symptoms[0])


def _healthy_floor() -> float:
    """The healthy network's symptom index: expectancy cannot take a patient below it."""
    return _healthy_floor_cached(tuple(sorted((k, p.default) for k, p in PARAMS.items())))


def _contact_curve(protocol: Protocol, t_h: np.ndarray) -> np.ndarray:
    """How much of a patient's expectancy acts at each time (0-1).

    It builds from the first contact (a dose or a session), holds while contacts are at
    most ``_EXPECTANCY_HOLD_H`` apart, and fades exponentially after the last one.
    """
    contacts = sorted([d.at_h for d in protocol.doses] + [s.at_h for s in protocol.therapy])
    out = np.zeros_like(t_h)
    if not contacts:
        return out
    on = np.zeros(t_h.shape, bool)
    for c in contacts:
        on |= (t_h >= c) & (t_h < c + _EXPECTANCY_HOLD_H)
    first = contacts[0]
    build = 1.0 - np.exp(-np.maximum(t_h - first, 0.0) / _EXPECTANCY_ON_H)
    # time since the last contact window ended, for the fade
    ends = np.array(contacts) + _EXPECTANCY_HOLD_H
    idx = np.searchsorted(ends, t_h, side="right") - 1
    since = np.where(idx >= 0, t_h - ends[np.maximum(idx, 0)], 0.0)
    fade = np.where(on, 1.0, np.exp(-np.maximum(since, 0.0) / _EXPECTANCY_OFF_H))
    out = np.where(t_h >= first, build * fade, 0.0)
    return out


def _rating_noise(rng: np.random.Generator, n: int, t_h: np.ndarray, sd: float) -> np.ndarray:
    """Rating error: a stationary Ornstein-Uhlenbeck process with SD ``sd``.

    Drawn exactly every ``_NOISE_STEP_H`` hours (so every whole day is a draw, with the
    full SD) and interpolated linearly in between; the draws do not depend on the
    model's time grid.
    """
    steps = np.arange(0.0, t_h[-1] + _NOISE_STEP_H, _NOISE_STEP_H)
    z = rng.standard_normal((n, steps.size))
    if sd == 0.0:
        return np.zeros((n, t_h.size))
    rate = np.full(steps.size, _NOISE_STEP_H / _NOISE_TAU_H)
    rate[0] = 0.0
    b = sd * math.sqrt(-math.expm1(-2.0 * rate[1])) * z
    b[:, 0] = sd * z[:, 0]
    x = _decay_scan(rate[None, :], b)
    i = np.clip(np.searchsorted(steps, t_h, side="right"), 1, steps.size - 1)
    w = ((t_h - steps[i - 1]) / _NOISE_STEP_H)[None, :]
    return x[:, i - 1] * (1.0 - w) + x[:, i] * w


def _readonly(x) -> np.ndarray:
    x = np.asarray(x).view()
    x.setflags(write=False)
    return x
