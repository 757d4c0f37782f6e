"""compare_stage: the student's stage runs through the whole model and the check says
whether it matches, how it differs, or that it is not written yet."""

import numpy as np
import pytest

import brainviz as bv
from brainviz.app.exercises import compare_stage
from brainviz.science.stages import low_pass

ONE = bv.Protocol(doses=[bv.Dose(0, 0.5)], days=2)


def test_the_built_in_stage_matches_itself(capsys):
    check = compare_stage("glutamate", bv.STAGES["glutamate"], ONE, "glutamate")
    assert check.done and check.matches and check.differences["glutamate"] == 0
    assert "✓" in capsys.readouterr().out


def test_a_stub_is_not_written_yet():
    def stub(t_h, state, params):
        raise NotImplementedError("exercise")

    check = compare_stage("glutamate", stub, ONE, "glutamate", quiet=True)
    assert not check.done and not check.matches and "Not written yet" in check.message


def test_a_wrong_stage_is_told_how_it_differs():
    def too_big(t_h, state, params):
        g = bv.STAGES["glutamate"](t_h, state, params)["glutamate"]
        return {"glutamate": 1 + 2 * (g - 1)}

    check = compare_stage("glutamate", too_big, ONE, ["glutamate", "bdnf"], quiet=True)
    assert check.done and not check.matches
    assert "differs by up to" in check.message and "above" in check.message
    assert check.mine.glutamate.max() > check.built_in.glutamate.max()


def test_a_broken_stage_says_what_went_wrong():
    def broken(t_h, state, params):
        return {"glutamate": np.ones(3)}  # the wrong shape

    check = compare_stage("glutamate", broken, ONE, "glutamate", quiet=True)
    assert not check.done and "did not run" in check.message


def test_tolerance_is_relative_to_the_range():
    def close(t_h, state, params):
        o, o_p = state["nmda_occupancy"], state["pyramidal_occupancy"]
        target = ((1 + params["disinhibition_gain"] * o ** params["disinhibition_hill"])
                  * (1 - o_p) ** 2)
        return {"glutamate": 1 + 1.005 * low_pass(target - 1, t_h, params["glutamate_tau_h"])}

    assert compare_stage("glutamate", close, ONE, "glutamate", quiet=True).matches
    assert not compare_stage("glutamate", close, ONE, "glutamate", rtol=1e-4, quiet=True).matches


@pytest.mark.parametrize("kwargs, error", [
    ({"stage": "glutamat"}, "did you mean 'glutamate'"),
    ({"series": "glutamat"}, "did you mean 'glutamate'"),
    ({"rtol": 0}, r"rtol must be in \(0, 1\]"),
    ({"function": 3}, "stage function"),
])
def test_bad_input_is_a_clear_error(kwargs, error):
    args = {"stage": "glutamate", "function": bv.STAGES["glutamate"], "protocol": ONE,
            "series": "glutamate", **kwargs}
    with pytest.raises((ValueError, TypeError), match=error):
        compare_stage(args.pop("stage"), args.pop("function"), args.pop("protocol"),
                      args.pop("series"), **args)


def test_a_stage_that_starts_at_the_wrong_level_is_told_so():
    def from_zero(t_h, state, params):
        g = bv.STAGES["glutamate"](t_h, state, params)["glutamate"]
        return {"glutamate": g - 1}

    check = compare_stage("glutamate", from_zero, ONE, "glutamate", quiet=True)
    assert "already at the start" in check.message
