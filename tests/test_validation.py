"""Bad input gets a clear error naming the argument and its valid range."""

import math

import numpy as np
import pytest

import brainviz as bv

D, S, P = bv.Dose, bv.Session, bv.Protocol


@pytest.mark.parametrize("mg, message", [
    (-0.5, r"Dose.mg_per_kg must be in \(0, 5\] mg/kg"),
    (0.0, r"Dose.mg_per_kg must be in \(0, 5\] mg/kg"),
    (math.nan, r"Dose.mg_per_kg must be in \(0, 5\]"),
    (math.inf, r"Dose.mg_per_kg must be in \(0, 5\]"),
    (50.0, r"Dose.mg_per_kg must be in \(0, 5\] mg/kg, got 50.0"),
])
def test_bad_doses(mg, message):
    with pytest.raises(ValueError, match=message):
        D(0, mg)


def test_bad_dose_fields():
    with pytest.raises(ValueError, match=r"Dose.at_h must be in \[0, inf\] h"):
        D(-1, 0.5)
    with pytest.raises(ValueError, match=r"Dose.duration_min must be in \[1, 240\] min"):
        D(0, 0.5, "iv", 0)
    with pytest.raises(TypeError, match="Dose.mg_per_kg must be a number, got str"):
        D(0, "0.5")
    with pytest.raises(TypeError, match="Dose.at_h must be a number, got bool"):
        D(True, 0.5)


def test_unknown_route_suggests_the_nearest():
    with pytest.raises(ValueError, match=r"Dose.route must be one of .* did you mean 'intranasal'"):
        D(0, 0.5, "intranasl")
    with pytest.raises(TypeError, match="Dose.route must be a string"):
        D(0, 0.5, 3)


def test_bad_sessions():
    with pytest.raises(ValueError, match="did you mean 'exposure'"):
        S(24, "exposur")
    with pytest.raises(ValueError, match=r"Session.minutes must be in \[5, 240\] min"):
        S(24, "emdr", 600)
    with pytest.raises(ValueError, match=r"Session.at_h must be in \[0, inf\] h"):
        S(math.nan)


def test_events_outside_the_course():
    with pytest.raises(ValueError, match=r"Protocol.therapy\[0\].at_h = 400 h is outside the "
                                         r"course: it must be in \[0, 336\) h for days=14"):
        P(therapy=[S(400)], days=14)
    with pytest.raises(ValueError, match=r"Protocol.doses\[1\].at_h = 24 h is outside"):
        P(doses=[D(0, 0.5), D(24, 0.5)], days=1)


def test_bad_protocol_fields():
    with pytest.raises(ValueError, match=r"Protocol.days must be in \(0, 365\] days"):
        P(days=0)
    with pytest.raises(ValueError, match=r"Protocol.days must be in \(0, 365\]"):
        P(days=1000)
    with pytest.raises(ValueError, match="Protocol.condition must be one of"):
        P(condition="depressed")
    with pytest.raises(TypeError, match=r"Protocol.doses\[0\] must be a Dose, got float"):
        P(doses=[0.5])
    with pytest.raises(TypeError, match="Protocol.therapy must be a list of Session"):
        P(therapy=S(3))


def test_bad_params():
    p = P(days=2)
    with pytest.raises(ValueError, match="unknown parameter 'bdnf_gian'; did you mean 'bdnf_gain'"):
        bv.simulate(p, params={"bdnf_gian": 0})
    with pytest.raises(ValueError, match=r"parameter 'vmpfc_gain' = 5 is outside its valid "
                                         r"range \[0, 2\] \(dimensionless\)"):
        bv.simulate(p, params={"vmpfc_gain": 5.0})
    with pytest.raises(ValueError, match="parameter 'bdnf_gain' = nan is outside"):
        bv.simulate(p, params={"bdnf_gain": float("nan")})
    with pytest.raises(TypeError, match="parameter 'bdnf_gain' must be a number, got str"):
        bv.simulate(p, params={"bdnf_gain": "high"})
    with pytest.raises(TypeError, match="params must be a dict"):
        bv.simulate(p, params=[("bdnf_gain", 1)])
    with pytest.raises(ValueError, match="one value per protocol"):
        bv.sweep([p, p], params={"bdnf_gain": np.array([1.0, 2.0, 3.0])})


def test_bad_simulate_and_sweep_arguments():
    with pytest.raises(TypeError, match="protocol must be a brainviz.Protocol, got dict"):
        bv.simulate({"days": 3})
    with pytest.raises(TypeError, match="protocols must be a list of brainviz.Protocol"):
        bv.sweep(P(days=2))
    with pytest.raises(ValueError, match="at least one Protocol"):
        bv.sweep([])
    with pytest.raises(ValueError, match="same days"):
        bv.sweep([P(days=2), P(days=3)])
    with pytest.raises(TypeError, match="seed must be an integer"):
        bv.simulate(P(days=2), seed=1.5)
    with pytest.raises(ValueError, match="seed must be >= 0"):
        bv.simulate(P(days=2), seed=-1)


def test_midazolam_doses():
    assert D(0, 0.045, drug="midazolam").route == "iv"
    with pytest.raises(ValueError, match=r"Dose.mg_per_kg must be in \(0, 0.1\] mg/kg"):
        D(0, 0.5, drug="midazolam")
    with pytest.raises(ValueError, match="Dose.route must be 'iv' for drug='midazolam'"):
        D(0, 0.045, "oral", drug="midazolam")
    with pytest.raises(ValueError, match="Dose.drug must be one of .* did you mean 'midazolam'"):
        D(0, 0.045, drug="midazolan")


def test_a_course_of_a_few_nanoseconds_runs():
    # issue 11: days=4e-8 used to crash with a raw numpy message
    c = bv.simulate(P(days=4e-8))
    assert c.t_h.tolist() == [0.0, 4e-8 * 24] and np.all(np.isfinite(c.symptoms))


@pytest.mark.parametrize("t_h, error, message", [
    ("x", TypeError, r"t_h must be a number \(hours\), got str"),
    (None, TypeError, r"t_h must be a number \(hours\), got NoneType"),
    (True, TypeError, r"t_h must be a number \(hours\), got bool"),
    (math.nan, ValueError, r"t_h must be in \[0, 48\] h \(the course\), got nan"),
    (-1.0, ValueError, r"t_h must be in \[0, 48\] h \(the course\), got -1.0"),
    (49.0, ValueError, r"t_h must be in \[0, 48\] h \(the course\), got 49.0"),
])
def test_bad_times_for_dmn_matrix_and_at(t_h, error, message):
    c = bv.simulate(P(days=2))
    with pytest.raises(error, match=message):
        c.dmn_matrix(t_h)
    with pytest.raises(error, match=message.replace("a number", "a number or an array "
                                                    "of numbers") if error is TypeError
                       else message):
        c.at("symptoms", t_h)


def test_at_checks_every_time_of_an_array():
    c = bv.simulate(P(days=2))
    assert c.at("symptoms", [0.0, 24.0]).shape == (2,)
    with pytest.raises(ValueError, match=r"t_h must be in \[0, 48\] h \(the course\), got nan"):
        c.at("symptoms", [1.0, math.nan])


@pytest.mark.parametrize("values", [np.array([True, False]), np.array(["1", "2"]), ["a", "b"],
                                    [1.0, None]])
def test_sweep_refuses_parameter_arrays_it_refuses_as_scalars(values):
    p = P(days=1)
    with pytest.raises(TypeError, match="parameter 'bdnf_gain' must be a number"):
        bv.sweep([p, p], params={"bdnf_gain": values})
