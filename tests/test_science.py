"""The ten checkable statements of SCIENCE.md, as orderings, directions and rough ranges.

Each test names its statement. The model's numbers are illustrative; these tests pin
the shapes the published record supports, never exact curves.
"""

import numpy as np
import pytest

import brainviz as bv
from conftest import one_dose, relief

D, S, P = bv.Dose, bv.Session, bv.Protocol


@pytest.fixture(scope="module")
def single():
    return bv.simulate(one_dose(days=21))


def _t_peak(course, name):
    return course.t_h[np.argmax(course.series[name])]


# 1 ------------------------------------------------------------------------------
def test_1_iv_peak_at_end_of_infusion_in_range_and_falls_within_hours(single):
    c = single
    peak = c.plasma_ng_ml.max()
    assert 100 <= peak <= 300, peak
    assert 35 / 60 <= _t_peak(c, "plasma_ng_ml") <= 45 / 60  # end of the 40-min infusion
    after = c.t_h > _t_peak(c, "plasma_ng_ml")
    below = c.t_h[after & (c.plasma_ng_ml < peak / 10)][0]
    assert 4.0 <= below <= 8.0, below


ROUTE_TMAX_MIN = {"im": (5, 20), "intranasal": (15, 40), "sublingual": (30, 60),
                  "oral": (30, 60)}


def test_1_other_routes_peak_lower_and_later_in_order_of_bioavailability(single):
    routes = ["iv", "im", "intranasal", "sublingual", "oral"]
    courses = {r: bv.simulate(one_dose(days=2, route=r)) for r in routes}
    peaks = [courses[r].plasma_ng_ml.max() for r in routes]
    assert peaks == sorted(peaks, reverse=True), dict(zip(routes, peaks))
    for route, (low, high) in ROUTE_TMAX_MIN.items():
        tmax = _t_peak(courses[route], "plasma_ng_ml") * 60
        assert low <= tmax <= high, (route, tmax)
    tmax = [_t_peak(courses[r], "plasma_ng_ml") for r in ["im", "intranasal", "sublingual"]]
    assert tmax == sorted(tmax)
    # norketamine: a larger share after oral and intranasal dosing (Fanta 2015)
    share = {r: courses[r].norketamine_ng_ml.max() / courses[r].plasma_ng_ml.max()
             for r in routes}
    assert share["oral"] > share["intranasal"] > share["iv"]
    assert _t_peak(courses["iv"], "norketamine_ng_ml") > _t_peak(courses["iv"], "plasma_ng_ml")


# 2 ------------------------------------------------------------------------------
def test_2_cascade_runs_on_its_own_time_scales(single):
    c = single
    t_plasma = _t_peak(c, "plasma_ng_ml")
    # NMDA block and the glutamate burst while the drug is present
    assert _t_peak(c, "nmda_occupancy") == pytest.approx(t_plasma, abs=0.1)
    assert _t_peak(c, "glutamate") < 2.0
    gone = c.t_h >= 24.0
    assert np.all(c.nmda_occupancy[gone] < 0.05 * c.nmda_occupancy.max())
    assert np.all(c.glutamate[gone] - 1 < 0.1 * (c.glutamate.max() - 1))
    # BDNF peaks after plasma, within hours
    assert t_plasma < _t_peak(c, "bdnf") <= 8.0
    # spines peak later still (12-72 h) and stay raised for days
    t_spine = _t_peak(c, "spine_density")
    assert 12.0 <= t_spine <= 72.0, t_spine
    rise = c.spine_density.max() - c.spine_density[0]
    assert rise > 0
    assert c.at("spine_density", 3 * 24) - c.spine_density[0] > 0.5 * rise
    assert c.at("spine_density", 7 * 24) - c.spine_density[0] > 0.2 * rise
    # formation is not yet raised at 3-6 h (Moda-Sava 2019)
    assert c.at("spine_density", 4.0) - c.spine_density[0] < 0.1 * rise


# 3 ------------------------------------------------------------------------------
def test_3_relief_starts_within_hours_peaks_near_a_day_and_fades_in_two_weeks(single):
    c = single
    r = relief(c)
    best = r.max()
    assert best > 5.0  # points on the 0-100 index
    assert c.at("symptoms", 0) - c.at("symptoms", 4.0) > 0.2 * best  # within hours
    assert 12.0 <= c.t_h[np.argmax(r)] <= 48.0
    assert c.at("symptoms", 0) - c.at("symptoms", 24.0) > 0.8 * best
    seven = c.symptoms[0] - c.at("symptoms", 7 * 24)
    fourteen = c.symptoms[0] - c.at("symptoms", 14 * 24)
    assert 0.0 < seven < 0.6 * best
    assert fourteen < 0.2 * best


# 4 ------------------------------------------------------------------------------
def test_4_glutamate_follows_an_inverted_u_with_dose():
    doses = [0.1, 0.25, 0.5, 1.0, 2.0, 4.5]
    courses = bv.sweep([one_dose(days=2, mg_per_kg=mg) for mg in doses])
    # glutamate at the end of the 40-min infusion, when the drug level is highest
    at_peak = [c.glutamate[np.argmax(c.plasma_ng_ml)] for c in courses]
    top = int(np.argmax(at_peak))
    assert 0 < top < len(doses) - 1  # a peak at sub-anaesthetic doses
    assert at_peak[0] < at_peak[top] and at_peak[-1] < at_peak[top]
    anaesthetic = courses[-1]
    assert 1200 <= anaesthetic.plasma_ng_ml.max() <= 2400
    assert at_peak[-1] < 1.0  # anaesthetic levels lower glutamate below baseline
    assert at_peak[2] > 1.2  # 0.5 mg/kg raises it


# 5 ------------------------------------------------------------------------------
def test_5_blocking_bdnf_removes_the_lasting_benefit(single):
    blocked = bv.simulate(single.protocol, params={"bdnf_gain": 0.0})
    lasting = (single.t_h >= 24) & (single.t_h <= 7 * 24)
    assert relief(single)[lasting].max() > 5.0
    assert relief(blocked)[lasting].max() < 0.1 * relief(single)[lasting].max()
    assert np.allclose(blocked.spine_density, blocked.spine_density[0])
    assert np.allclose(blocked.bdnf, 1.0)


# 6 ------------------------------------------------------------------------------
def test_6_several_infusions_beat_one_but_relapse_follows_weeks_later():
    six = [D(24 * d, 0.5) for d in (0, 2, 4, 7, 9, 11)]  # Feder 2021: 6 over 2 weeks
    one, series = bv.sweep([P(doses=six[:1], days=120), P(doses=six, days=120)])
    assert relief(series).max() > 1.3 * relief(one).max()
    last = six[-1].at_h
    assert series.t_h[np.argmax(relief(series))] <= last + 72  # best during the series
    end = series.symptoms[0] - series.at("symptoms", 14 * 24)  # the end of the course
    # relapse on a weeks time scale (C5; Feder 2021: median 27.5 days): most of the
    # benefit is still there 4 weeks after the last infusion, most is gone by 12 weeks
    assert series.symptoms[0] - series.at("symptoms", last + 4 * 7 * 24) >= 0.4 * end
    assert series.symptoms[0] - series.at("symptoms", last + 12 * 7 * 24) < 0.5 * end
    # persistence builds with the number of doses: one dose is gone within two weeks
    assert one.symptoms[0] - one.at("symptoms", 14 * 24) < 0.25 * relief(one).max()


# 7 ------------------------------------------------------------------------------
def test_7_extinction_needs_exposure_and_the_vmpfc():
    weekly = [S(24 + 24 * 7 * w, "exposure", 90) for w in range(6)]
    drug_only = bv.simulate(P(doses=[D(0, 0.5)], days=60))
    exposure = bv.simulate(P(therapy=weekly, days=60))
    lesioned = bv.simulate(P(therapy=weekly, days=60), params={"vmpfc_gain": 0.0})
    assert np.all(drug_only.extinction == 0.0)
    assert exposure.extinction.max() > 0.1
    assert lesioned.extinction.max() < 0.1 * exposure.extinction.max()
    supportive = bv.simulate(P(therapy=[S(s.at_h, "supportive") for s in weekly], days=60))
    assert np.all(supportive.extinction == 0.0)


def test_7_extinction_is_impaired_while_nmda_receptors_are_blocked():
    during = bv.simulate(P(doses=[D(0, 0.5)], therapy=[S(0.25, "exposure")], days=7))
    after = bv.simulate(P(doses=[D(0, 0.5)], therapy=[S(24, "exposure")], days=7))
    assert during.session_log[0]["extinction_gained"] < \
        0.7 * after.session_log[0]["extinction_gained"]


# 8 ------------------------------------------------------------------------------
def test_8_retrieval_opens_a_time_limited_window_for_the_trace():
    retrieval = S(24.0, "exposure")
    window = bv.PARAMS["reconsolidation_window_h"].default
    runs = bv.sweep([
        P(therapy=[retrieval], days=7),                                  # retrieval alone
        P(doses=[D(25.0, 0.5)], therapy=[retrieval], days=7),           # drug in window
        P(doses=[D(24.0 + 12.0, 0.5)], therapy=[retrieval], days=7),    # window closed
        P(doses=[D(25.0, 0.5)], days=7),                                 # no retrieval
        P(doses=[D(25.0, 0.5)], therapy=[S(24.0, "supportive")], days=7),
    ])
    closed = 24.0 + window

    def kept(c, t_h=closed):
        return c.at("trauma_trace", t_h) / c.trauma_trace[0]

    alone, inside, late, no_retrieval, supportive = runs
    assert kept(inside) < kept(alone) - 0.01  # weakened more with the drug in the window
    assert kept(alone) < 1.0  # exposure alone weakens it a little (retrieval-extinction)
    assert kept(late) == pytest.approx(kept(alone), abs=1e-9)  # window closed: drug adds nothing
    assert np.all(late.trauma_trace == alone.trauma_trace)
    for c in (no_retrieval, supportive):  # no retrieval, no change
        assert np.all(c.trauma_trace == c.trauma_trace[0])
    # no change before retrieval; the weakening happens inside the window ...
    c = inside
    before = c.t_h <= 24.0 + 10 / 60
    assert np.all(c.trauma_trace[before] == c.trauma_trace[0])
    assert c.t_h[np.argmin(c.trauma_trace)] == pytest.approx(closed, abs=0.1)
    # ... and the trace returns afterwards (return of fear): one session is not a cure
    assert c.trauma_trace[-1] > c.trauma_trace.min()
    assert np.all(np.diff(c.trauma_trace[c.t_h >= closed]) >= 0)


# 9 ------------------------------------------------------------------------------
@pytest.mark.parametrize("condition", ["ptsd", "healthy"])
def test_9_dmn_connectivity_is_lower_a_day_after_a_dose(condition):
    c = bv.simulate(one_dose(days=3, condition=condition))
    before, day = c.dmn_connectivity[0], c.at("dmn_connectivity", 24.0)
    assert day < before - 0.01
    # no claim of a consistent acute drop: within the first hour it barely moves
    assert abs(c.at("dmn_connectivity", 1.0) - before) < 0.25 * (before - day)


def test_ptsd_dmn_is_more_rigid_than_healthy():
    ptsd = bv.simulate(P(days=1))
    healthy = bv.simulate(P(days=1, condition="healthy"))
    assert ptsd.dmn_connectivity[0] > healthy.dmn_connectivity[0] + 0.15


# 10 -----------------------------------------------------------------------------
def test_10_a_healthy_network_stays_near_its_baseline(single):
    healthy = bv.simulate(one_dose(days=21, condition="healthy"))
    for hours in (24.0, 72.0, 7 * 24.0):
        change = healthy.symptoms[0] - healthy.at("symptoms", hours)
        ptsd_change = single.symptoms[0] - single.at("symptoms", hours)
        assert abs(change) < 3.0 and abs(change) < 0.25 * ptsd_change, hours
    assert np.all(healthy.trauma_trace == healthy.trauma_trace[0])
    rise = healthy.spine_density.max() - healthy.spine_density[0]
    assert rise < 0.2 * (single.spine_density.max() - single.spine_density[0])
    assert healthy.symptoms[0] < 0.4 * single.symptoms[0]


# the PTSD circuit itself --------------------------------------------------------
def test_ptsd_network_is_hyperreactive():
    ptsd, healthy = bv.sweep([P(days=1), P(days=1, condition="healthy")])
    assert ptsd.amygdala_response[0] > 2 * healthy.amygdala_response[0]
    assert ptsd.trauma_trace[0] > healthy.trauma_trace[0]
    assert ptsd.spine_density[0] < healthy.spine_density[0]
