"""Animations: frame counts, pacing by the storyboard, what frames show, saving."""

import matplotlib as mpl
import numpy as np
import pytest

from brainviz.views import gallery
from brainviz.views.animation import Animation, duration_s
from brainviz.views.story import storyboard


@pytest.fixture(scope="module")
def anims():
    made = {name: gallery.animate(name, theme="slides", fps=10) for name in gallery.NAMES}
    yield made
    import matplotlib.pyplot as plt

    for a in made.values():
        plt.close(a.fig)


@pytest.mark.parametrize("name", gallery.NAMES)
def test_frame_count_is_duration_times_fps(anims, name):
    anim = anims[name]
    assert isinstance(anim, Animation) and isinstance(anim, mpl.animation.FuncAnimation)
    assert anim.n_frames == round(duration_s(name) * 10) == len(anim.times_h)
    assert 15 <= anim.n_frames / anim.fps <= 40
    assert np.all(np.diff(anim.times_h) >= 0) and anim.times_h[-1] > anim.times_h[0]


@pytest.mark.parametrize("name", gallery.NAMES)
def test_each_beat_shows_its_caption_and_model_time(anims, name):
    """Frame by frame the caption on screen is the beat's, and the clock shows a model
    time inside the beat's span."""
    anim = anims[name]
    beats = storyboard(name)
    caption = anim.animated_artists[-1]
    for k, beat in enumerate(beats):
        i = anim.frame_of_beat(k)
        anim.draw_frame(i)
        assert " ".join(caption.get_text().split()) == beat.caption
        lo, hi = sorted((beat.t_start_h, beat.t_end_h))
        assert lo - 1e-9 <= anim.times_h[i] <= hi + 1e-9


@pytest.mark.parametrize("name", gallery.NAMES)
def test_the_clock_speaks_the_axis_unit(anims, name):
    anim = anims[name]
    clock = anim.animated_artists[-2]
    anim.draw_frame(anim.n_frames - 1)
    text = clock.get_text()
    axes_labels = " ".join(ax.get_xlabel() for ax in anim.fig.axes)
    if "log scale" in axes_labels:
        assert text.split()[-1] in {"min", "h", "d", "wk"}, text
    else:
        word = text.split()[0]
        assert f"{word}s" in axes_labels, (text, axes_labels)


def _arrows(anim):
    """The pathway shafts of an animation's network (fixed paths once laid out)."""
    return [a for a in anim.animated_artists if isinstance(a, mpl.patches.Patch)
            and (a.get_gid() or "").startswith("pathway-") and not a.get_gid().endswith("head")]


def test_network_animation_changes_edge_widths(anims):
    anim = anims["memory"]
    arrows = _arrows(anim)
    anim.draw_frame(0)
    w0 = [a.get_linewidth() for a in arrows]
    anim.draw_frame(anim.n_frames - 1)
    w1 = [a.get_linewidth() for a in arrows]
    assert w0 != w1


def test_dmn_loop_visibly_changes(anims):
    """The DMN brain changes: its arrows thin and its readout falls by the 24-h beat."""
    anim = anims["dmn"]
    arrows = _arrows(anim)
    anim.draw_frame(0)
    before = np.mean([a.get_linewidth() for a in arrows])
    anim.draw_frame(anim.frame_of_beat(2))
    after = np.mean([a.get_linewidth() for a in arrows])
    assert after < before * 0.93


def test_plasticity_video_grows_spines_on_the_figures_dendrite(anims):
    anim = anims["plasticity"]
    heads = [a for a in anim.animated_artists if isinstance(a, mpl.collections.PathCollection)]
    anim.draw_frame(0)
    assert len(heads[0].get_paths()) == 0
    shown = []
    for i in np.nonzero(anim.beat_of_frame == 3)[0][::3]:  # the spines beat
        anim.draw_frame(int(i))
        shown.append(len(heads[0].get_paths()))
    assert max(shown) > 0


def test_static_background_and_few_animated_artists(anims):
    """Exporters blit: only what changes is animated, never axes or tick labels."""
    from matplotlib.axes import Axes

    for anim in anims.values():
        assert not any(isinstance(a, Axes) for a in anim.animated_artists)
        assert len(anim.animated_artists) < 60


def test_animation_saves_every_frame_with_matplotlib(tmp_path):
    """FuncAnimation.save works (PillowWriter): a GIF lasting n_frames / fps (Pillow
    merges identical frames, such as a held take-away, into longer ones)."""
    from PIL import Image

    anim = gallery.animate("synergy", theme="notebook", fps=5)
    out = tmp_path / "synergy.gif"
    anim.save(out, writer=mpl.animation.PillowWriter(fps=5), dpi=20)
    with Image.open(out) as gif:
        assert gif.format == "GIF"
        total = 0
        for k in range(gif.n_frames):
            gif.seek(k)
            total += gif.info["duration"]
    assert total == pytest.approx(anim.n_frames / 5 * 1000, abs=20)
    assert gif.n_frames > anim.n_frames / 2


def test_bad_fps():
    with pytest.raises(ValueError, match=r"fps must be an integer in \[5, 60\]"):
        gallery.animate("dmn", fps=1000)


@pytest.mark.parametrize("name", gallery.NAMES)
def test_frames_of_every_beat_read_from_the_back_row(anims, name):
    """On the slides theme, at every beat: no text under 18 pt, no two texts overlap."""
    import _figure_checks as fc

    anim = anims[name]
    for k in range(len(anim.beats)):
        anim.draw_frame(anim.frame_of_beat(k))
        renderer = fc.laid_out(anim.fig)
        assert fc.overlapping_texts(anim.fig, renderer) == [], (name, k)
        assert fc.small_texts(anim.fig) == [], (name, k)
