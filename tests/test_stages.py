"""Each stage on its own, and running the model with one stage replaced."""

import numpy as np
import pytest

import brainviz as bv
from brainviz.science import stages as st
from conftest import one_dose

D, S, P = bv.Dose, bv.Session, bv.Protocol

T = np.concatenate([np.arange(0, 12, 5 / 60), np.arange(12, 24 * 14 + 1, 1.0)])


def _params(**over):
    out = {name: np.array([[p.default]]) for name, p in bv.PARAMS.items()}
    out.update({k: np.array([[v]]) for k, v in over.items()})
    return out


def test_stage_table_is_complete_and_ordered():
    assert list(bv.STAGES) == ["pharmacology", "glutamate", "plasticity", "reconsolidation",
                               "extinction", "dmn", "readout"]
    for name, fn in bv.STAGES.items():
        assert fn.__doc__, name
        assert st._OUTPUTS[name], name


def test_low_pass_matches_the_exact_step_response():
    y = st.low_pass(np.ones(T.size), T, 3.0)
    np.testing.assert_allclose(y, 1 - np.exp(-T / 3.0), atol=1e-12)


def test_pharmacology_stage_on_its_own():
    out = st.pharmacology(T, {"doses": ((bv.Dose(0, 0.5),), ())}, _params())
    assert out["plasma_ng_ml"].shape == (2, T.size)
    assert 100 < out["plasma_ng_ml"][0].max() < 300 and out["plasma_ng_ml"][1].max() == 0
    assert np.all(out["pyramidal_occupancy"] <= out["nmda_occupancy"])


def test_glutamate_stage_is_an_inverted_u_in_occupancy():
    occ = np.linspace(0, 0.95, 20)[:, None] * np.ones(T.size)
    occ_pyr = occ / (occ + 5 * (1 - occ))  # pyramidal receptors 5x less sensitive
    glu = st.glutamate(T, {"nmda_occupancy": occ, "pyramidal_occupancy": occ_pyr},
                       _params())["glutamate"][:, -1]
    top = int(np.argmax(glu))
    assert 0 < top < 19 and glu[-1] < 1.0 < glu[top]


def _untreated(**over):
    ones = np.ones((1, T.size))
    state = {"condition": np.array(["ptsd"]), "trace_strength": ones, "trace_floor": 2 / 3,
             "vmpfc_efficacy": ones, "extinction": 0 * ones, "dmn_coupling": ones,
             "glutamate": ones, "bdnf": ones, "spine_density": 0.49 * ones,
             "spine_baseline_per_um": np.array([[0.49]])}
    return {**state, **over}


def test_dmn_stage_loosens_with_bdnf_and_recovers():
    bump = 1 + 0.5 * np.exp(-((T - 6) / 3) ** 2)
    coupling = st.dmn(T, _untreated(bdnf=bump[None]), _params())["dmn_coupling"][0]
    assert coupling[0] == 1.0 and coupling.min() < 0.97 and coupling[-1] > coupling.min()
    top = bv.PARAMS["dmn_loosening_max"].default
    assert coupling.min() > 1.0 - top  # a PTSD loop relaxes no further than a healthy one
    flat = st.dmn(T, _untreated(), _params())["dmn_coupling"]
    assert np.all(flat == 1.0)


def test_dmn_stage_relaxes_as_the_trauma_memory_loses_its_threat():
    weaker = _untreated(extinction=np.where(T > 24, 0.4, 0.0)[None])
    coupling = st.dmn(T, weaker, _params())["dmn_coupling"][0]
    assert coupling[T <= 24].min() == 1.0 and coupling[-1] < 0.99


T_S = np.union1d(T, [24 + 10 / 60, 30.0])  # the window's opening and close on the grid


def _sessions(at_h):
    n_s = len(at_h)
    return {"session_at_h": np.array([at_h], float), "session_minutes": np.full((1, n_s), 60.0),
            "session_retrieval": np.ones((1, n_s)), "session_arousal": np.ones((1, n_s)),
            "session_valid": np.ones((1, n_s), bool),
            "session_index": np.searchsorted(T_S, np.array([at_h], float))}


def test_reconsolidation_stage_changes_the_trace_only_inside_the_window():
    state = {"plasticity": np.full((1, T_S.size), 1.5),
             "nmda_occupancy": np.zeros((1, T_S.size)), **_sessions([24.0])}
    out = st.reconsolidation(T_S, state, _params())
    trace = out["trace_strength"][0]
    assert np.all(trace[T_S <= 24.0 + 10 / 60] == 1.0)
    closed = T_S == 30.0
    assert trace[closed][0] < 0.9
    # what the window alone left: the trace at its close, less the little that returned
    assert out["session_trace_kept"][0, 0] == pytest.approx(trace[closed][0], rel=0.01)
    assert out["session_trace_kept"][0, 0] <= trace[closed][0]
    after = trace[T_S >= 30.0]  # window closed: the trace only returns, over weeks
    assert np.all(np.diff(after) > 0) and after[-1] < 1.0
    none = st.reconsolidation(T_S, {**state, **_sessions([])}, _params())
    assert np.all(none["trace_strength"] == 1.0)


def test_readout_stage_gives_the_untreated_symptoms():
    out = st.readout(T, _untreated(), _params())
    untreated = bv.simulate(P(days=2))
    assert out["symptoms"][0, 0] == pytest.approx(untreated.symptoms[0])
    assert np.ptp(out["symptoms"]) == 0.0


# ---- replacing a stage -------------------------------------------------------------
PROTOCOL = P(doses=[D(0, 0.5)], therapy=[S(24, "exposure", 90), S(24 * 8, "emdr")], days=21)


def _copies():
    """Hand-written copies of built-in stages, as a student would write them."""
    def glutamate(t_h, state, params):
        occ, occ_pyr = state["nmda_occupancy"], state["pyramidal_occupancy"]
        burst = 1.0 + params["disinhibition_gain"] * occ ** params["disinhibition_hill"]
        release = burst * (1.0 - occ_pyr) ** 2 - 1.0
        return 1.0 + st.low_pass(release, t_h, params["glutamate_tau_h"])

    def copy_of(name):
        def fn(t_h, state, params):
            return {k: np.array(v) for k, v in bv.STAGES[name](t_h, state, params).items()}
        return fn

    return {"glutamate": glutamate, **{n: copy_of(n) for n in bv.STAGES if n != "glutamate"}}


@pytest.mark.parametrize("name", list(bv.STAGES))
def test_replacing_a_stage_with_a_copy_gives_identical_results(name):
    built_in = bv.simulate(PROTOCOL)
    replaced = bv.simulate(PROTOCOL, stages={name: _copies()[name]})
    assert replaced.stages == (name,) and built_in.stages == ()
    for key, x in built_in.series.items():
        assert np.array_equal(replaced.series[key], x), key
    assert replaced.session_log == built_in.session_log


def test_replaced_stages_run_in_a_sweep_batch():
    ps = [one_dose(days=7, mg_per_kg=mg) for mg in (0.2, 0.5, 4.5)]
    built_in = bv.sweep(ps, params={"bdnf_gain": np.array([0.5, 1.0, 2.0])})
    mine = bv.sweep(ps, params={"bdnf_gain": np.array([0.5, 1.0, 2.0])},
                    stages={"glutamate": _copies()["glutamate"]})
    for a, b in zip(built_in, mine):
        assert np.array_equal(a.symptoms, b.symptoms)


def test_a_replaced_stage_changes_what_follows():
    def no_burst(t_h, state, params):
        return {"glutamate": np.ones_like(state["nmda_occupancy"])}

    c = bv.simulate(one_dose(days=3), stages={"glutamate": no_burst})
    assert np.all(c.glutamate == 1.0)
    assert c.bdnf.max() < bv.simulate(one_dose(days=3)).bdnf.max()


def test_a_one_dimensional_output_is_accepted_for_one_protocol():
    def flat(t_h, state, params):
        return {"dmn_coupling": np.ones(len(t_h))}

    c = bv.simulate(one_dose(days=3), stages={"dmn": flat})
    assert np.all(c.dmn_coupling == 1.0)


@pytest.mark.parametrize("output, message", [
    (lambda t, s: {"glutamate": np.ones(5)},
     r"stage 'glutamate' output 'glutamate' has shape \(5,\); it must broadcast to \(1, \d+\)"),
    (lambda t, s: {"glutamate": np.ones((2, 3, t.size))}, r"has shape \(2, 3, \d+\)"),
    (lambda t, s: {"glutamte": np.ones(t.size)},
     r"stage 'glutamate' returned unknown output 'glutamte'; did you mean 'glutamate'"),
    (lambda t, s: {}, r"stage 'glutamate' did not return \['glutamate'\]"),
    (lambda t, s: {"glutamate": np.full(t.size, np.nan)},
     r"stage 'glutamate' output 'glutamate' has NaN or infinite values"),
    (lambda t, s: {"glutamate": "high"}, r"stage 'glutamate' output 'glutamate' must be "),
    (lambda t, s: None, r"stage 'glutamate' must return a dict with \['glutamate'\], got NoneType"),
])
def test_a_bad_stage_output_gets_a_clear_error(output, message):
    with pytest.raises((ValueError, TypeError), match=message):
        bv.simulate(one_dose(days=2), stages={"glutamate": lambda t, s, p: output(t, s)})


def test_session_outputs_are_checked_against_the_sessions():
    def bad(t_h, state, params):
        return {**bv.STAGES["reconsolidation"](t_h, state, params),
                "session_trace_kept": np.ones((1, 3))}

    with pytest.raises(ValueError, match=r"'session_trace_kept' has shape \(1, 3\); it must "
                                         r"broadcast to \(1, 2\) \(n protocols, n sessions\)"):
        bv.simulate(PROTOCOL, stages={"reconsolidation": bad})


def test_bad_stages_argument():
    with pytest.raises(ValueError, match="unknown stage 'glutamat'; did you mean 'glutamate'"):
        bv.simulate(one_dose(days=2), stages={"glutamat": st.glutamate})
    with pytest.raises(TypeError, match=r"stages\['dmn'\] must be a function"):
        bv.simulate(one_dose(days=2), stages={"dmn": 3})
    with pytest.raises(TypeError, match="stages must be a dict"):
        bv.sweep([one_dose(days=2)], stages=[st.dmn])


def test_a_stage_cannot_write_into_the_state_or_the_params():
    def vandal(t_h, state, params):
        params["bdnf_gain"][...] = 0.0
        return {}

    with pytest.raises(ValueError, match="read-only"):
        bv.simulate(one_dose(days=2), stages={"glutamate": vandal})

    def vandal_state(t_h, state, params):
        state["nmda_occupancy"][...] = 0.0
        return {}

    with pytest.raises(ValueError, match="read-only"):
        bv.simulate(one_dose(days=2), stages={"glutamate": vandal_state})
