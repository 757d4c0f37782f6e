"""Virtual patients and virtual trials: determinism, shapes, spread, noise, errors, C10."""

from dataclasses import replace

import numpy as np
import pytest

import brainviz as bv
from brainviz.science.population import (_contact_curve, _healthy_floor, hedges_g)
from brainviz.science.protocols import SIX_INFUSION_DAYS, six_infusions

D, S, P = bv.Dose, bv.Session, bv.Protocol
ONE = P(doses=[D(0, 0.5)], days=7)
NO_SPREAD = {name: None for name in bv.SPREAD}


@pytest.fixture(scope="module")
def ens():
    return bv.ensemble(ONE, n=40, seed=3)


def test_same_seed_same_numbers_and_draws_do_not_depend_on_n(ens):
    again = bv.ensemble(ONE, n=40, seed=3)
    for name in ("symptoms", "measured_symptoms", "plasma_ng_ml", "expectancy"):
        np.testing.assert_array_equal(ens.series[name], again.series[name])
    for name, values in ens.params.items():
        np.testing.assert_array_equal(values, again.params[name])
    fewer = bv.ensemble(ONE, n=10, seed=3)
    for name, values in fewer.params.items():
        np.testing.assert_array_equal(values, ens.params[name][:10])
    np.testing.assert_array_equal(fewer.placebo, ens.placebo[:10])
    other = bv.ensemble(ONE, n=40, seed=4)
    assert not np.array_equal(other.params["bdnf_gain"], ens.params["bdnf_gain"])


def test_shapes_and_read_only(ens):
    t = ens.t_h
    assert ens.n == 40 and t.ndim == 1 and t[0] == 0 and t[-1] == 7 * 24
    for name in ens.series:
        assert ens.series[name].shape == (40, t.size), name
        assert getattr(ens, name) is ens.series[name]
        with pytest.raises(ValueError):
            ens.series[name][0, 0] = 1.0
    assert set(ens.series) >= {"symptoms", "measured_symptoms", "model_symptoms",
                               "expectancy", "bdnf", "dissociation"}
    assert ens.band("symptoms").shape == (3, t.size)
    assert ens.band("bdnf", q=[50]).shape == (1, t.size)
    assert ens.at("symptoms", 24.0).shape == (40,)
    assert ens.at("symptoms", [0.0, 24.0]).shape == (40, 2)
    assert ens.relief(1).shape == (40,)
    assert "Ensemble(n=40, seed=3" in repr(ens)


def test_bands_are_ordered_and_follow_the_patients(ens):
    for name in ("symptoms", "plasma_ng_ml", "bdnf", "measured_symptoms"):
        low, mid, high = ens.band(name, q=(5, 50, 95))
        assert np.all(low <= mid) and np.all(mid <= high), name
        x = ens.series[name]
        np.testing.assert_allclose(mid, np.median(x, axis=0))
    # patients really differ: plasma levels for the same dose spread out
    low, high = ens.band("plasma_ng_ml", q=(5, 95)).max(axis=1)
    assert high > 1.3 * low


def test_parameters_are_drawn_inside_the_ranges_around_the_typical_patient():
    big = bv.ensemble(P(days=1), n=2000, seed=0)
    assert set(big.params) == {n for n in bv.SPREAD if n != "placebo"}
    for name, values in big.params.items():
        p = bv.PARAMS[name]
        assert np.all((values >= p.low) & (values <= p.high)), name
        if bv.SPREAD[name].subgroup is None:
            assert np.median(values) == pytest.approx(p.default, rel=0.05), name
    label, share, factor = bv.SPREAD["bdnf_gain"].subgroup
    assert big.subgroups[label].mean() == pytest.approx(share, abs=0.04)
    carriers = big.params["bdnf_gain"][big.subgroups[label]]
    others = big.params["bdnf_gain"][~big.subgroups[label]]
    assert np.median(carriers) == pytest.approx(factor * np.median(others), rel=0.1)
    assert np.all((big.placebo >= 0) & (big.placebo <= 0.9))
    # the typical patient moves the population
    shifted = bv.ensemble(P(days=1), n=400, seed=0, params={"bdnf_gain": 0.5})
    assert np.median(shifted.params["bdnf_gain"][~shifted.subgroups[label]]) == \
        pytest.approx(0.5, rel=0.1)


def test_without_spread_placebo_or_noise_every_patient_is_the_model():
    ens = bv.ensemble(ONE, n=3, seed=1, spread=NO_SPREAD, noise_sd=0.0)
    single = bv.simulate(ONE)
    for name in ("symptoms", "measured_symptoms", "model_symptoms", "bdnf"):
        for row in ens.series[name]:
            np.testing.assert_allclose(np.interp(single.t_h, ens.t_h, row),
                                       single.series["symptoms" if "symptoms" in name
                                                     else name], atol=1e-9)
    assert np.all(ens.expectancy == 0)


def test_spread_rows_can_be_changed_added_and_removed():
    wide = bv.ensemble(P(days=1), n=1000, seed=1,
                       spread={"bdnf_gain": replace(bv.SPREAD["bdnf_gain"], sd=0.5,
                                                    subgroup=None),
                               "plasma_scale": None,
                               "extinction_consolidation": bv.Spread(
                                   "extinction_consolidation", "lognormal", 0.2, "Test.")})
    assert "plasma_scale" not in wide.params
    assert "extinction_consolidation" in wide.params
    assert np.std(np.log(wide.params["bdnf_gain"])) == pytest.approx(0.5, rel=0.1)
    assert set(wide.subgroups) == {"essential hypertension"}  # Met carriers removed


def test_expectancy_builds_with_contacts_holds_and_fades():
    course = P(doses=six_infusions(), days=84)
    t = np.arange(0.0, 84 * 24 + 1, 6.0)
    g = _contact_curve(course, t)
    assert g[0] == 0 and np.all((g >= 0) & (g <= 1))
    last = SIX_INFUSION_DAYS[-1] * 24
    assert g[t == 13 * 24][0] > 0.9  # still in the course
    assert g[t == last + 42 * 24][0] < 0.2 * g[t == 13 * 24][0]  # faded weeks later
    assert np.all(_contact_curve(P(days=84), t) == 0)  # no contact, no expectancy
    ens = bv.ensemble(course, n=100, seed=2)
    floor = _healthy_floor()
    assert np.all(ens.expectancy >= 0)
    assert np.all(ens.symptoms <= ens.model_symptoms + 1e-12)
    above = ens.model_symptoms >= floor
    assert np.all(ens.symptoms[above] >= floor - 1e-9)  # expectancy never goes past healthy


def test_measurement_noise_has_its_size_and_is_in_the_measured_relief():
    ens = bv.ensemble(P(days=28), n=600, seed=5, spread=NO_SPREAD, noise_sd=4.0)
    err = ens.measured_symptoms - ens.symptoms
    assert np.std(err) == pytest.approx(4.0, rel=0.1)
    assert abs(np.mean(err)) < 0.3
    # two assessments two weeks apart carry independent errors: SD of relief ~ 4 * sqrt 2
    assert np.std(ens.relief(14)) == pytest.approx(4.0 * np.sqrt(2), rel=0.15)
    assert bv.ensemble(P(days=1), n=2).noise_sd == bv.science.population.NOISE_SD
    np.testing.assert_allclose(ens.relief(14, measured=False), 0.0, atol=1e-9)


def test_rating_noise_gives_the_test_retest_reliability_of_the_caps5():
    """Untreated patients rated a week apart correlate about 0.78 (Weathers et al. 2018)."""
    ens = bv.ensemble(P(days=28), n=1500, seed=0)
    r = np.corrcoef(ens.at("measured_symptoms", 0.0), ens.at("measured_symptoms", 168.0))[0, 1]
    assert 0.68 <= r <= 0.88


def test_hedges_g_and_its_confidence_interval():
    x = np.array([3.0, 5.0, 7.0, 9.0])
    y = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    sp = np.sqrt((3 * np.var(x, ddof=1) + 4 * np.var(y, ddof=1)) / 7)
    d = (x.mean() - y.mean()) / sp
    j = 1 - 3 / (4 * 9 - 9)
    se = j * np.sqrt(9 / 20 + d * d / 18)
    es = hedges_g(x, y)
    assert es.g == pytest.approx(j * d)
    assert es.low == pytest.approx(j * d - 1.96 * se)
    assert es.high == pytest.approx(j * d + 1.96 * se)
    assert "95% CI" in repr(es)


def test_trial_arms_are_independent_and_reproducible():
    arms = {"ketamine": P(doses=six_infusions(), days=14), "no infusion": P(days=14)}
    t = bv.trial(arms, n_per_arm=12, seed=7)
    again = bv.trial(arms, n_per_arm=12, seed=7)
    np.testing.assert_array_equal(t.relief("ketamine", 14), again.relief("ketamine", 14))
    assert t.effect_size("ketamine", "no infusion", 14) == \
        again.effect_size("ketamine", "no infusion", 14)
    # independent draws per arm, and different from a lone ensemble with that seed
    assert not np.array_equal(t["ketamine"].params["bdnf_gain"],
                              t["no infusion"].params["bdnf_gain"])
    assert t.arms == ("ketamine", "no infusion") and t.n_per_arm == 12
    assert t["ketamine"].n == 12 and t.relief("no infusion", 7).shape == (12,)
    assert 0.0 <= t.responders("ketamine", 14) <= 1.0
    es = t.effect_size("ketamine", "no infusion", 14)
    assert es.low < es.g < es.high and es.g > 0
    lines = t.summary(14).splitlines()
    assert len(lines) == 3 and lines[1].startswith("ketamine")
    assert repr(t) == "Trial(arms=['ketamine', 'no infusion'], n_per_arm=12, seed=7, days=14)"


def test_a_small_pilot_varies_between_seeds_far_more_than_a_large_trial():
    arms = {"ketamine": P(doses=six_infusions(), days=14), "no infusion": P(days=14)}

    def spread_of_g(n):
        gs = [bv.trial(arms, n, seed=s).effect_size("ketamine", "no infusion", 14).g
              for s in range(8)]
        return np.std(gs)

    small, large = spread_of_g(15), spread_of_g(240)
    assert small > 0.15  # visibly different pilots
    assert small > 2.5 * large
    rates = [bv.trial(arms, 15, seed=s).responders("ketamine", 14) for s in range(8)]
    assert max(rates) - min(rates) >= 0.2


@pytest.mark.parametrize("call, message", [
    (lambda: bv.ensemble(ONE, n=0), "n must be a whole number from 1 to 2000"),
    (lambda: bv.ensemble(ONE, n=2.5), "n must be a whole number from 1 to 2000"),
    (lambda: bv.ensemble(ONE, n=5000), "n must be a whole number from 1 to 2000"),
    (lambda: bv.ensemble(ONE, seed=-1), "seed must be a whole number >= 0"),
    (lambda: bv.ensemble(ONE, seed="a"), "seed must be a whole number >= 0"),
    (lambda: bv.ensemble(ONE, noise_sd=-1), "noise_sd must be in [0, 20] index points"),
    (lambda: bv.ensemble("iv"), "protocol must be a brainviz.Protocol"),
    (lambda: bv.ensemble(ONE, params={"bdnf_gian": 1}), "did you mean 'bdnf_gain'"),
    (lambda: bv.ensemble(ONE, spread={"bdnf_gain": 0.3}),
     "spread['bdnf_gain'] must be a brainviz.Spread or None"),
    (lambda: bv.ensemble(ONE, spread={"bdnf_gian": None}), "did you mean 'bdnf_gain'"),
    (lambda: bv.ensemble(ONE, spread={"vmpfc_gain": bv.SPREAD["bdnf_gain"]}),
     "the key must be the row's name"),
    (lambda: bv.ensemble(ONE, n=3).band("symptoms", q=(5, 101)),
     "q must be percentiles in [0, 100]"),
    (lambda: bv.ensemble(ONE, n=3).band("symptom"), "did you mean 'symptoms'"),
    (lambda: bv.ensemble(ONE, n=3).relief(8), "day must be in [0, 7] days"),
    (lambda: bv.ensemble(ONE, n=3).at("symptoms", -1.0), "t_h must be in [0, 168] h"),
    (lambda: bv.ensemble(ONE, n=3).at("symptoms", "noon"), "t_h must be a number"),
    (lambda: bv.trial({}), "arms must be a non-empty dict"),
    (lambda: bv.trial([ONE]), "arms must be a non-empty dict"),
    (lambda: bv.trial({"a": ONE, "b": "x"}), "arms['b'] must be a brainviz.Protocol"),
    (lambda: bv.trial({"a": ONE, "b": P(days=8)}), "arms must all have the same days"),
    (lambda: bv.trial({"a": ONE}, n_per_arm=1), "n_per_arm must be a whole number from 2"),
    (lambda: bv.trial({"a": ONE, "b": ONE}, 3).relief("c", 1), "arm must be one of ['a', 'b']"),
    (lambda: bv.trial({"a": ONE, "b": ONE}, 3).effect_size("a", "bb", 1),
     "b must be one of ['a', 'b']"),
    (lambda: bv.Spread("bdnf_gian", "lognormal", 0.2, "x"), "did you mean 'bdnf_gain'"),
    (lambda: bv.Spread("bdnf_gain", "lognormal", 3.0, "x"), "Spread.sd must be in [0, 1.5]"),
    (lambda: bv.Spread("bdnf_gain", "normal", 0.2, "x"), "Spread.kind must be 'lognormal'"),
    (lambda: bv.Spread("placebo", "normal", 0.1, "x"), "Spread.mean must be given"),
    (lambda: bv.Spread("bdnf_gain", "lognormal", 0.1, "x", subgroup=("Met", 1.5, 0.5)),
     "Spread.subgroup share must be in [0, 1]"),
])
def test_bad_input_gets_a_one_line_error_naming_the_argument(call, message):
    with pytest.raises((TypeError, ValueError)) as info:
        call()
    text = str(info.value)
    assert message in text and "\n" not in text


def test_c10_feder_like_trial_responders_over_twenty_seeds():
    """C10: six infusions vs midazolam 0.045 mg/kg, 15 per arm, 20 seeds (Feder 2021)."""
    midazolam = tuple(D(d * 24.0, 0.045, "iv", drug="midazolam") for d in SIX_INFUSION_DAYS)
    arms = {"ketamine": P(doses=six_infusions(), days=14),
            "midazolam": P(doses=midazolam, days=14)}
    ket, mid = [], []
    for seed in range(20):
        t = bv.trial(arms, n_per_arm=15, seed=seed)
        ket.append(t.responders("ketamine", 14))
        mid.append(t.responders("midazolam", 14))
    assert 0.45 <= np.mean(ket) <= 0.85, np.mean(ket)
    assert 0.05 <= np.mean(mid) <= 0.40, np.mean(mid)
    assert np.mean(ket) > np.mean(mid)
