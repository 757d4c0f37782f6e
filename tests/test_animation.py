"""Animations: frame counts, what the frames show, and that they can be saved."""

import matplotlib as mpl
import numpy as np
import pytest

from brainviz.views import gallery
from brainviz.views.animation import DURATION_S, Animation


@pytest.mark.parametrize("name", gallery.NAMES)
def test_animation_frames(name):
    anim = gallery.animate(name, theme="notebook", fps=10)
    assert isinstance(anim, Animation)
    assert anim.n_frames == int(DURATION_S * 10)
    assert 10 <= anim.n_frames / anim.fps <= 40
    assert np.all(np.diff(anim.times_h) >= 0) and anim.times_h[-1] > anim.times_h[0]
    texts = [a for a in anim.animated_artists if isinstance(a, mpl.text.Text)]
    anim.draw_frame(0)
    first = [t.get_text() for t in texts]
    anim.draw_frame(anim.n_frames - 1)
    last = [t.get_text() for t in texts]
    assert first != last  # the clock (and caption) move on


def test_network_animation_changes_edge_widths():
    anim = gallery.animate("memory", theme="notebook", fps=10)
    from matplotlib.patches import FancyArrowPatch

    arrows = [a for a in anim.animated_artists if isinstance(a, FancyArrowPatch)]
    anim.draw_frame(0)
    w0 = [a.get_linewidth() for a in arrows]
    anim.draw_frame(anim.n_frames - 1)
    w1 = [a.get_linewidth() for a in arrows]
    assert w0 != w1


def test_animation_saves_every_frame_with_matplotlib(tmp_path):
    """FuncAnimation.save works (PillowWriter): the file is a GIF of n_frames frames."""
    from PIL import Image

    anim = gallery.animate("synergy", theme="notebook", fps=5)
    out = tmp_path / "synergy.gif"
    anim.save(out, writer=mpl.animation.PillowWriter(fps=5), dpi=20)
    with Image.open(out) as gif:
        assert gif.format == "GIF"
        assert gif.n_frames == anim.n_frames


def test_bad_fps():
    with pytest.raises(ValueError, match=r"fps must be an integer in \[5, 60\]"):
        gallery.animate("dmn", fps=1000)
