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
    assert 10 <= anim.n_frames / anim.fps <= 20
    assert np.all(np.diff(anim.times_h) > 0)
    texts = [a for a in anim.animated_artists if isinstance(a, mpl.text.Text)]
    anim.draw_frame(0)
    first = [t.get_text() for t in texts]
    anim.draw_frame(anim.n_frames - 1)
    last = [t.get_text() for t in texts]
    assert first != last  # the clock (and caption) move on
    assert any("day" in t or "h" in t or "min" in t for t in last)


def test_network_animation_changes_edge_widths():
    anim = gallery.animate("memory", theme="notebook", fps=10)
    from matplotlib.patches import FancyArrowPatch

    arrows = [a for a in anim.animated_artists if isinstance(a, FancyArrowPatch)]
    anim.draw_frame(0)
    w0 = [a.get_linewidth() for a in arrows]
    anim.draw_frame(anim.n_frames - 1)
    w1 = [a.get_linewidth() for a in arrows]
    assert w0 != w1


def test_animation_saves_and_renders_html(tmp_path):
    anim = gallery.animate("synergy", theme="notebook", fps=5)
    html = anim.to_jshtml(fps=5, default_mode="once")
    assert "<img" in html or "animation" in html.lower()


def test_bad_fps():
    with pytest.raises(ValueError, match=r"fps must be an integer in \[5, 60\]"):
        gallery.animate("dmn", fps=1000)
