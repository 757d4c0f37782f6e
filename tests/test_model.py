"""The simulate/sweep API: shapes, determinism, no mutation, sweep == simulate."""

import copy

import numpy as np
import pytest

import brainviz as bv
from conftest import one_dose

D, S, P = bv.Dose, bv.Session, bv.Protocol

FULL = P(doses=[D(0, 0.5)], therapy=[S(24 + 24 * 7 * w, "exposure") for w in range(8)],
         days=84)

SERIES = ["plasma_ng_ml", "norketamine_ng_ml", "nmda_occupancy", "dissociation",
          "glutamate", "bdnf", "spine_density", "trauma_trace", "extinction",
          "dmn_connectivity", "amygdala_response", "symptoms"]


@pytest.fixture(scope="module")
def course():
    return bv.simulate(FULL)


def test_course_exposes_every_series_on_one_time_axis(course):
    t = course.t_h
    assert t[0] == 0 and t[-1] == 84 * 24 and np.all(np.diff(t) > 0)
    for name in SERIES:
        x = getattr(course, name)
        assert x.shape == t.shape, name
        assert np.all(np.isfinite(x)), name
    assert 0 <= course.symptoms.min() and course.symptoms.max() <= 100
    assert np.all((course.nmda_occupancy >= 0) & (course.nmda_occupancy < 1))
    assert np.all((course.dissociation >= 0) & (course.dissociation <= 1))


def test_time_step_resolves_a_40_minute_infusion(course):
    during = course.t_h[(course.t_h >= 0) & (course.t_h <= 40 / 60)]
    assert during.size >= 8  # 5-minute steps


def test_network_views_are_hourly(course):
    n_probe = course.probe_t_h.size
    assert np.allclose(np.diff(course.probe_t_h), 1.0)
    assert course.activity.shape == (n_probe, len(course.regions))
    assert course.rest_activity.shape == (n_probe, len(course.regions))
    assert course.edge_weights.shape == (n_probe, len(course.edges))
    assert set(course.regions) == set(course.network.nodes)
    # the vmPFC -> amygdala edge is inhibitory and strengthens with extinction
    k = course.edges.index(("vmpfc", "amygdala"))
    assert np.all(course.edge_weights[:, k] <= 0)
    assert course.edge_weights[-1, k] < course.edge_weights[0, k]
    # the amygdala column matches the cue response series
    a = course.regions.index("amygdala")
    np.testing.assert_allclose(np.maximum(course.activity[:, a], 0),
                               course.at("amygdala_response", course.probe_t_h), rtol=1e-3)


def test_arrays_are_read_only(course):
    with pytest.raises(ValueError):
        course.symptoms[0] = 0.0
    with pytest.raises(ValueError):
        course.activity[0, 0] = 0.0


def test_same_inputs_and_seed_give_identical_arrays():
    a, b = bv.simulate(FULL, seed=3), bv.simulate(FULL, seed=3)
    for name in a.series:
        assert np.array_equal(a.series[name], b.series[name])
    assert np.array_equal(a.rest_activity, b.rest_activity)
    c = bv.simulate(FULL, seed=4)
    assert not np.array_equal(a.rest_activity, c.rest_activity)
    assert np.array_equal(a.symptoms, c.symptoms)  # the seed only drives resting noise


def test_a_run_never_mutates_its_inputs():
    protocol = copy.deepcopy(FULL)
    params = {"bdnf_gain": 0.5, "vmpfc_gain": np.float64(1.2)}
    params_before = dict(params)
    graph = bv.build_network()
    graph_before = copy.deepcopy(graph)
    bv.simulate(protocol, params=params)
    bv.sweep([protocol, protocol], params={"bdnf_gain": np.array([0.1, 0.2])})
    assert protocol == FULL
    assert params == params_before
    import networkx as nx

    assert nx.utils.graphs_equal(graph, graph_before)
    assert nx.utils.graphs_equal(bv.build_network(), graph_before)


def test_sweep_equals_simulate_course_by_course():
    protocols = [one_dose(days=14, mg_per_kg=mg) for mg in (0.2, 0.5)] + [
        P(therapy=[S(48)], days=14, condition="healthy"), P(days=14)]
    swept = bv.sweep(protocols, seed=2)  # a union time grid: equal to discretisation accuracy
    for p, c in zip(protocols, swept):
        single = bv.simulate(p, seed=2)
        assert c.protocol == p
        for name in single.series:
            scale = np.abs(single.series[name]).max()  # tiny values: discretisation
            np.testing.assert_allclose(np.interp(single.t_h, c.t_h, c.series[name]),
                                       single.series[name], rtol=1e-3,
                                       atol=1e-6 + 1e-4 * scale, err_msg=name)
        np.testing.assert_allclose(c.rest_activity, single.rest_activity, rtol=1e-3, atol=1e-6)


def test_sweep_over_a_parameter():
    gains = np.array([0.0, 1.0, 2.0])
    courses = bv.sweep([one_dose(days=7)] * 3, params={"bdnf_gain": gains})
    peaks = [c.bdnf.max() for c in courses]
    assert peaks[0] == 1.0 and peaks[0] < peaks[1] < peaks[2]
    assert [c.params["bdnf_gain"] for c in courses] == [0.0, 1.0, 2.0]


def test_protocol_sorts_and_freezes_its_events():
    p = P(doses=[D(48, 0.5), D(0, 0.5)], therapy=[S(30), S(5)], days=7)
    assert [d.at_h for d in p.doses] == [0, 48]
    assert [s.at_h for s in p.therapy] == [5, 30]
    assert isinstance(p.doses, tuple)
    with pytest.raises(Exception):
        p.days = 3


def test_session_log_reports_each_session(course):
    log = course.session_log
    assert len(log) == 8
    assert {"at_h", "kind", "amygdala_response", "tolerability", "extinction_gained",
            "trace_kept"} <= set(log[0])
    assert all(0 < s["trace_kept"] <= 1 for s in log)


def test_at_interpolates_and_rejects_unknown_names(course):
    assert course.at("plasma_ng_ml", 0.0) == 0.0
    with pytest.raises(ValueError, match="did you mean 'symptoms'"):
        course.at("symptom", 1.0)
    with pytest.raises(AttributeError):
        course.no_such_thing


@pytest.mark.parametrize("route", sorted(bv.ROUTES))
def test_every_route_runs(route):
    c = bv.simulate(one_dose(days=2, route=route))
    assert c.plasma_ng_ml.max() > 0 and c.bdnf.max() > 1


def test_esketamine_is_more_potent_per_ng():
    racemic = bv.simulate(one_dose(days=2, route="intranasal"))
    esk = bv.simulate(one_dose(days=2, route="esketamine_nasal"))
    ratio = esk.nmda_occupancy.max() / racemic.nmda_occupancy.max()
    plasma_ratio = esk.plasma_ng_ml.max() / racemic.plasma_ng_ml.max()
    assert ratio > plasma_ratio


def test_therapy_synergy_is_modest_and_not_permanent():
    """C7: ketamine adds a little to an exposure course, and one session is no cure."""
    from brainviz.science.protocols import standard_course

    none, therapy, drug, both = bv.sweep([
        standard_course(name) for name in
        ("none", "exposure", "one_infusion", "one_infusion_exposure")])
    end = none.symptoms[-1]
    gain = {k: end - c.symptoms[-1] for k, c in
            {"therapy": therapy, "drug": drug, "both": both}.items()}
    assert 0.0 < gain["both"] - gain["therapy"] <= 0.35 * gain["therapy"], gain
    assert gain["therapy"] > 3.0 * gain["drug"]  # the exposure course does the work
    short = bv.simulate(P(doses=[D(0, 0.5)], therapy=[S(24, "exposure", 90)], days=182))
    assert short.symptoms[0] - short.symptoms[-1] < 3.0  # < 3 points left at 6 months


def test_emdr_and_exposure_both_build_extinction():
    emdr, exposure = bv.sweep([P(therapy=[S(24, "emdr")], days=3),
                               P(therapy=[S(24, "exposure")], days=3)])
    assert emdr.extinction.max() > 0 and exposure.extinction.max() > 0
    assert emdr.session_log[0]["amygdala_response"] < exposure.session_log[0][
        "amygdala_response"]


def test_time_grid_is_as_accurate_as_a_one_minute_grid(monkeypatch):
    """The lean grid (docs/MODEL.md, section 1) against 1-minute steps everywhere."""
    from functools import lru_cache

    from brainviz.science import course
    from brainviz.science.protocols import exposure_course, six_infusions

    cases = [one_dose(days=10), one_dose(days=10, mg_per_kg=4.5),
             P(doses=[D(0, 0.5, "oral")], therapy=[S(10, "exposure", 90)], days=10),
             P(doses=[D(0, 1.2, "esketamine_nasal")], therapy=[S(26)], days=10),
             P(doses=[D(0, 1.0, "iv", 240)], therapy=[S(3)], days=10),
             P(doses=[D(0, 0.045, drug="midazolam")], days=10),
             P(doses=six_infusions(), therapy=list(exposure_course(1)), days=30)]
    lean = [bv.simulate(p) for p in cases]

    @lru_cache(maxsize=None)
    def minute_grid(schedule):
        days, doses, sessions, windows = schedule
        end = days * 24.0
        extra = [x for t0 in sessions
                 for x in (t0 - course._JUMP_H, t0, t0 + course._RECON_OPEN_H,
                           *(t0 + w for w in windows))]
        grid = np.unique(np.round(np.concatenate([np.arange(0.0, end, 1 / 60), extra]), 6))
        return np.append(grid[grid < end - 1e-9], end)

    monkeypatch.setattr(course, "_own_grid", minute_grid)
    for p, c in zip(cases, lean):
        fine = bv.simulate(p)
        assert c.t_h.size < fine.t_h.size / 10
        gap = np.abs(np.interp(fine.t_h, c.t_h, c.symptoms) - fine.symptoms).max()
        assert gap < 0.1, (p, gap)
        for name in ("plasma_ng_ml", "midazolam_ng_ml", "dissociation", "sedation",
                     "bp_rise_mmhg", "bdnf"):
            assert c.series[name].max() == pytest.approx(fine.series[name].max(), rel=0.01,
                                                         abs=1e-9), (p, name)


def test_a_session_at_the_start_is_not_in_the_starting_value():
    """A course's first point is the state before anything happens: a session at 0 h
    gives the same start, and the same week, as one a quarter of an hour later."""
    untreated = bv.simulate(bv.Protocol(days=7))
    at0, later = (bv.simulate(bv.Protocol(therapy=[bv.Session(t, "exposure", 90)], days=7))
                  for t in (0.0, 0.25))
    assert at0.symptoms[0] == pytest.approx(untreated.symptoms[0])
    assert at0.extinction[0] == 0.0
    assert at0.symptoms[-1] == pytest.approx(later.symptoms[-1], abs=0.1)
    assert at0.at("extinction", 0.5) > 0.0  # the session still counts, just after it starts
