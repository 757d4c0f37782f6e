"""Gallery figures, tested by their artists' data and a few slide-theme image baselines."""

import pathlib

import matplotlib as mpl
import numpy as np
import pytest
from matplotlib.patches import FancyArrowPatch, Rectangle

from brainviz.views import gallery

BASELINE = pathlib.Path(__file__).with_name("baseline")


@pytest.fixture(scope="module")
def slides():
    figs = {name: gallery.figure(name, theme="slides") for name in gallery.NAMES}
    yield figs
    import matplotlib.pyplot as plt

    for fig in figs.values():
        plt.close(fig)


def test_every_entry_has_a_caption_and_alt_text():
    for name in gallery.NAMES:
        assert len(gallery.caption(name)) > 200
        assert len(gallery.alt_text(name)) > 100
        assert "illustrative" in gallery.caption(name).lower() or name == "network"
    with pytest.raises(ValueError, match="did you mean 'memory'"):
        gallery.caption("memroy")


def test_slide_figures_are_1920_by_1080(slides):
    for name, fig in slides.items():
        w, h = fig.get_size_inches() * fig.dpi
        assert (round(w), round(h)) == (1920, 1080), name
        assert fig._suptitle.get_text() == gallery.title(name)


def _arrows(ax):
    return [p for p in ax.patches if isinstance(p, FancyArrowPatch)]


def test_network_figure_shows_the_ptsd_contrast(slides):
    ptsd, healthy = slides["network"].axes[:2]
    assert ptsd.get_title() == "PTSD" and healthy.get_title() == "Healthy"

    def amygdala_size(ax):
        sizes = [ln.get_markersize() for ln in ax.lines if ln.get_marker() == "o"
                 and ln.get_alpha() is None and np.allclose(ln.get_xydata(), [[-4, -18]])]
        return max(sizes)

    assert amygdala_size(ptsd) > amygdala_size(healthy)
    # the dashed extinction arrow (vmPFC -> amygdala) is thinner in PTSD
    def brake(ax):
        return [a.get_linewidth() for a in _arrows(ax) if a.get_linestyle() == "--"][0]

    assert brake(ptsd) < brake(healthy)
    assert len(_arrows(ptsd)) == 15


def test_treatment_day_figure(slides):
    axes = slides["treatment_day"].axes
    plasma = axes[0].lines[0].get_ydata()
    assert 100 < plasma.max() < 300
    band = [p for p in axes[0].patches if isinstance(p, Rectangle)]
    assert any(np.isclose(b.get_y(), 100) and np.isclose(b.get_height(), 150) for b in band)
    texts = " ".join(t.get_text() for t in axes[5].texts)
    assert "next-day" in texts


def test_memory_figure_orders_the_three_conditions(slides):
    ax = slides["memory"].axes[0]
    ends = {ln.get_label(): ln.get_ydata()[-1] for ln in ax.lines if ln.get_label()[0] != "_"}
    assert ends["retrieval a day after ketamine"] < ends["retrieval alone"] <= \
        ends["ketamine alone (no retrieval)"] == 1.0


def test_dmn_figure_matrices_show_loosening(slides):
    images = [a.images[0].get_array() for a in slides["dmn"].axes if a.images]
    before, after = images[:2]
    assert before[0, 1] > after[0, 1] + 0.03
    assert np.allclose(np.diag(before), 1.0)


def test_plasticity_figure_draws_new_spines(slides):
    ax = slides["plasticity"].axes[1]
    squares = [ln for ln in ax.lines if ln.get_marker() == "s"]
    counts = [len(ln.get_xdata()) for ln in squares]
    assert counts[0] == 0 and counts[1] > 0  # before: none new; two days after: some


def test_synergy_bars_show_more_than_the_sum(slides):
    ax = slides["synergy"].axes[1]
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    heights = [b.get_height() for b in bars]
    therapy, ketamine, both = heights[0], heights[1], heights[-1]
    assert both > therapy + ketamine


@pytest.mark.parametrize("theme", ["notebook", "dark", "print"])
def test_other_themes_build_without_changing_rcparams(theme):
    before = dict(mpl.rcParams)
    fig = gallery.figure("synergy", theme=theme)
    assert dict(mpl.rcParams) == before
    assert fig.get_facecolor()[:3] == pytest.approx(
        mpl.colors.to_rgb(gallery._THEMES[theme].background))


@pytest.mark.parametrize("name", ["network", "treatment_day", "synergy"])
def test_slide_image_baselines(slides, name, tmp_path):
    from matplotlib.testing.compare import compare_images

    out = tmp_path / f"{name}.png"
    slides[name].savefig(out, dpi=slides[name].dpi / 4)
    baseline = BASELINE / f"{name}_slides.png"
    if not baseline.exists():
        pytest.fail(f"missing baseline {baseline}; copy {out} there after looking at it")
    assert compare_images(str(baseline), str(out), tol=12) is None


def test_views_never_import_the_app_layer():
    """Layering: views draw; only the app layer (widgets, export, cli) wires faces."""
    import re

    root = pathlib.Path(gallery.__file__).parent
    for path in root.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"from \.\.app\b|import brainviz\.app|from brainviz\.app", text), \
            path.name
