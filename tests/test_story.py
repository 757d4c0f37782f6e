"""Storyboards: beats tile the video, captions last, numbers come from the model."""

import re

import numpy as np
import pytest

import brainviz as bv
from brainviz.views import gallery
from brainviz.views.scenarios import run
from brainviz.views.story import MIN_CAPTION_S, Beat, facts, frame_times, storyboard


@pytest.mark.parametrize("name", gallery.NAMES)
def test_beats_tile_a_15_to_40_s_video(name):
    beats = bv.storyboard(name)
    assert len(beats) >= 3
    assert all(isinstance(b, Beat) for b in beats)
    assert beats[0].start_s == 0.0
    for a, b in zip(beats, beats[1:]):
        assert a.end_s == b.start_s
    assert 15.0 <= beats[-1].end_s <= 40.0
    assert all(b.end_s - b.start_s >= MIN_CAPTION_S for b in beats)
    with pytest.raises(Exception):
        beats[0].caption = "changed"  # frozen


@pytest.mark.parametrize("name", gallery.NAMES)
def test_model_time_never_runs_back_and_the_last_beat_holds(name):
    beats = storyboard(name)
    times, which = frame_times(beats, 30)
    assert len(times) == round(beats[-1].end_s * 30)
    assert np.all(np.diff(times) >= -1e-9)
    last = beats[-1]
    assert last.t_start_h == last.t_end_h  # the take-away holds still
    for k, b in enumerate(beats[:-1]):
        assert b.t_end_h >= b.t_start_h


def test_time_is_slow_around_the_dose_and_fast_through_quiet_days():
    beats = storyboard("treatment_day")
    first = beats[0]
    assert first.t_end_h - first.t_start_h <= 1.0  # the 40-min infusion gets seconds
    quiet = beats[3]
    assert quiet.t_end_h - quiet.t_start_h >= 7 * 24  # weeks pass in a beat
    synergy = storyboard("synergy")
    assert synergy[0].t_end_h <= 4 * 24  # the dose's days, slowly


def test_unknown_name_is_a_clear_error():
    with pytest.raises(ValueError, match="did you mean 'memory'"):
        storyboard("memroy")


def _numbers(text):
    return [float(x) for x in re.findall(r"(?<![\w.])[-+]?\d+(?:\.\d+)?", text)]


def test_captions_carry_the_models_numbers():
    day = run("day")
    f = facts("treatment_day")
    assert f["plasma_peak"] == pytest.approx(day.plasma_ng_ml.max())
    first = storyboard("treatment_day")[0].caption
    assert f"{day.plasma_ng_ml.max():.0f} ng/mL" in first
    memory = run("memory")[0]
    kept = memory.trauma_trace[-1] / memory.trauma_trace[0]
    assert f"{kept:.2f}" in storyboard("memory")[2].caption
    assert f"{kept:.2f}" in gallery.caption("memory")
    dmn = run("dmn")
    assert f"{dmn.at('dmn_connectivity', 24.0):.2f}" in storyboard("dmn")[2].caption


def test_dmn_captions_never_deny_a_change_the_curve_shows():
    f = facts("dmn")
    text = " ".join(b.caption for b in storyboard("dmn")) + gallery.caption("dmn")
    if f["before"] - f["at_4h"] > 0.005:
        assert "no acute change" not in text and "claims none" not in text
        assert "falls" in text


def test_synergy_words_follow_the_models_comparison():
    f = facts("synergy")
    text = gallery.caption("synergy") + gallery.title("synergy") + storyboard("synergy")[-1].caption
    if 0 < f["ratio"] <= 0.35:
        assert "modest" in text and "more than the sum" not in text
    if f["relief"]["one_infusion_exposure"] <= f["sum_alone"]:
        assert "more than the sum" not in text
    assert "stacked" not in gallery.alt_text("synergy")
    from brainviz.views.story import points

    assert points(f["added"], True) in text


def test_storyboard_is_public_and_documented():
    assert "storyboard" in bv.__all__
    assert "Examples" in bv.storyboard.__doc__


def test_no_template_left_unfilled():
    for name in gallery.NAMES:
        texts = [gallery.caption(name), gallery.alt_text(name), gallery.title(name)]
        texts += [b.caption for b in storyboard(name)]
        for text in texts:
            assert "{" not in text and "}" not in text, (name, text)
