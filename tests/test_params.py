"""The parameter table, and a property test over its whole range."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import brainviz as bv

D, S, P = bv.Dose, bv.Session, bv.Protocol


def test_every_parameter_is_declared_fully():
    assert len(bv.PARAMS) >= 40
    for name, p in bv.PARAMS.items():
        assert p.name == name
        assert p.low <= p.default <= p.high, name
        assert 0 < p.step <= p.high - p.low, name
        assert p.unit and p.doc and p.source, name
        assert p.doc.endswith("."), name


def test_virtual_experiment_gains_remove_their_element_at_zero():
    for name in ("bdnf_gain", "vmpfc_gain", "spine_gain", "dmn_loosening_gain",
                 "disinhibition_gain", "extinction_rate", "reconsolidation_rate", "mtor_gain",
                 "dissociation_tolerance_gain", "dmn_threat_gain"):
        assert bv.PARAMS[name].low == 0.0, name


def test_params_table_is_read_only():
    with pytest.raises(TypeError):
        bv.PARAMS["bdnf_gain"] = None


def test_markdown_table_lists_every_parameter():
    md = bv.param_table_markdown()
    for name in bv.PARAMS:
        assert f"`{name}`" in md


PROTOCOL = P(doses=[D(0, 0.5), D(50, 1.0, "oral"), D(100, 0.8, "esketamine_nasal"),
                    D(150, 0.045, drug="midazolam"), D(190, 5.0, "iv", 1)],
             therapy=[S(24, "exposure"), S(52, "emdr", 90), S(120, "supportive")]
             + [S(150 + 4 * k, "exposure", 240) for k in range(12)], days=10)
HEALTHY = P(doses=[D(2, 4.5, "iv", 1)], therapy=[S(3, "exposure", 240)], days=10,
            condition="healthy")


def check_documented_ranges(course):
    """Every series stays finite and inside the range the Course docstring gives it."""
    for name, x in course.series.items():
        assert np.all(np.isfinite(x)), name
    c = course
    assert 0.0 <= c.symptoms.min() and c.symptoms.max() <= 100.0
    for name in ("nmda_occupancy", "dissociation", "sedation", "dmn_connectivity"):
        x = c.series[name]
        assert np.all((x >= 0.0) & (x <= 1.0 + 1e-12)), name
    assert np.all((c.extinction >= 0.0) & (c.extinction <= 0.6))
    for name in ("plasma_ng_ml", "norketamine_ng_ml", "midazolam_ng_ml", "bp_rise_mmhg",
                 "mtor", "amygdala_response", "vmpfc_efficacy"):
        assert c.series[name].min() >= 0.0, name
    assert c.bdnf.min() >= 1.0 - 1e-12 and c.plasticity.min() >= 1.0 - 1e-12
    assert np.all(c.glutamate > 0.0)
    assert np.all((c.dmn_coupling > 0.0) & (c.dmn_coupling <= 1.0))
    base = bv.CONDITIONS[c.protocol.condition]
    assert np.all(c.spine_density >= base["spine_density_per_um"] - 1e-12)
    assert np.all(c.spine_density <= base["spine_ceiling_per_um"] + 1e-12)
    healthy_trace = 0.3  # a trace weakens to the healthy network's, no further
    assert np.all(c.trauma_trace >= healthy_trace - 1e-12)
    assert np.all(c.trauma_trace <= c.trauma_trace[0] + 1e-12)
    for entry in c.session_log:
        assert 0.0 <= entry["extinction_gained"] <= 0.6 and 0.0 < entry["trace_kept"] <= 1.0


def _values():
    return st.fixed_dictionaries(
        {}, optional={name: st.floats(p.low, p.high, allow_nan=False)
                      for name, p in bv.PARAMS.items()})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(params=_values())
def test_no_output_is_ever_nan_or_infinite(params):
    for course in bv.sweep([PROTOCOL], params=params) + bv.sweep([HEALTHY], params=params):
        check_documented_ranges(course)
        assert np.all(np.isfinite(course.activity))
        assert np.all(np.isfinite(course.rest_activity))
        assert np.all(np.isfinite(course.edge_weights))


@settings(max_examples=30, deadline=None)
@given(params=st.fixed_dictionaries({
    name: st.sampled_from([p.low, p.high]) for name, p in bv.PARAMS.items()}))
def test_extreme_corners_stay_finite(params):
    check_documented_ranges(bv.simulate(PROTOCOL, params=params))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(days=st.one_of(st.floats(1e-9, 1e-3), st.floats(300.0, 365.0)),
       minutes=st.floats(5.0, 240.0), n=st.integers(0, 30))
def test_tiny_and_huge_courses_and_long_sessions(days, minutes, n):
    end = days * 24.0
    therapy = [S(end * k / (n + 1), "exposure", minutes) for k in range(n)]
    doses = [D(end * k / (n + 2), 0.5) for k in range(min(n, 10))]
    course = bv.simulate(P(doses=doses, therapy=therapy, days=days))
    check_documented_ranges(course)
    assert course.t_h[0] == 0.0 and course.t_h[-1] == end and np.all(np.diff(course.t_h) > 0)


def test_many_long_sessions_keep_extinction_in_its_documented_range():
    # issue 11: a 240-min session used to drive extinction to 1.33
    course = bv.simulate(P(therapy=[S(24.0 * k, "exposure", 240) for k in range(20)],
                           days=21), params={"extinction_rate": 3.0})
    assert 0.5 < course.extinction.max() <= 0.6
