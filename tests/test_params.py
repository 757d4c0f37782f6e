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
                 "disinhibition_gain", "extinction_rate", "reconsolidation_rate"):
        assert bv.PARAMS[name].low == 0.0, name


def test_params_table_is_read_only():
    with pytest.raises(TypeError):
        bv.PARAMS["bdnf_gain"] = None


def test_markdown_table_lists_every_parameter():
    md = bv.param_table_markdown()
    for name in bv.PARAMS:
        assert f"`{name}`" in md


PROTOCOL = P(doses=[D(0, 0.5), D(50, 1.0, "oral"), D(100, 0.8, "esketamine_nasal")],
             therapy=[S(24, "exposure"), S(52, "emdr", 90), S(120, "supportive")], days=10)
HEALTHY = P(doses=[D(2, 4.5, "iv", 1)], therapy=[S(3, "exposure", 240)], days=10,
            condition="healthy")


def _values():
    return st.fixed_dictionaries(
        {}, optional={name: st.floats(p.low, p.high, allow_nan=False)
                      for name, p in bv.PARAMS.items()})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(params=_values())
def test_no_output_is_ever_nan_or_infinite(params):
    for course in bv.sweep([PROTOCOL], params=params) + bv.sweep([HEALTHY], params=params):
        for name, x in course.series.items():
            assert np.all(np.isfinite(x)), name
        assert np.all(np.isfinite(course.activity))
        assert np.all(np.isfinite(course.rest_activity))
        assert np.all(np.isfinite(course.edge_weights))
        assert 0.0 <= course.symptoms.min() and course.symptoms.max() <= 100.0
        assert np.all(course.spine_density > 0)
        assert np.all(course.dmn_connectivity <= 1.0 + 1e-12)


@settings(max_examples=30, deadline=None)
@given(params=st.fixed_dictionaries({
    name: st.sampled_from([p.low, p.high]) for name, p in bv.PARAMS.items()}))
def test_extreme_corners_stay_finite(params):
    course = bv.simulate(PROTOCOL, params=params)
    for name, x in course.series.items():
        assert np.all(np.isfinite(x)), name
