"""Gallery figures, tested by their artists' data, drawn-text checks on every theme,
and a few slide-theme image baselines."""

import io
import pathlib

import matplotlib as mpl
import numpy as np
import pytest
from matplotlib.patches import FancyArrowPatch, Rectangle

import _figure_checks as fc  # noqa: E402
from brainviz.views import gallery
from brainviz.views.scenarios import run

BASELINE = pathlib.Path(__file__).with_name("baseline")


@pytest.fixture(scope="module")
def figs():
    with mpl.rc_context({"figure.max_open_warning": 0}):
        made = {(n, t): gallery.figure(n, theme=t) for n in gallery.NAMES
                for t in gallery.THEMES}
    yield made
    import matplotlib.pyplot as plt

    for fig in made.values():
        plt.close(fig)


@pytest.fixture(scope="module")
def slides(figs):
    return {n: figs[n, "slides"] for n in gallery.NAMES}


def test_every_entry_has_a_caption_and_alt_text():
    for name in gallery.NAMES:
        assert len(gallery.caption(name)) > 200
        assert len(gallery.alt_text(name)) > 100
        assert "illustrative" in gallery.caption(name).lower()
    with pytest.raises(ValueError, match="did you mean 'memory'"):
        gallery.caption("memroy")


def test_slide_figures_fill_a_16_9_slide_at_1920_by_1080(slides):
    for name, fig in slides.items():
        w, h = fig.get_size_inches() * fig.dpi
        assert (round(w), round(h)) == (1920, 1080), name
        assert fig.get_figwidth() == pytest.approx(13.333, abs=0.01)
        assert fig.get_suptitle() == gallery.title(name)


@pytest.mark.parametrize("theme", gallery.THEMES)
@pytest.mark.parametrize("name", gallery.NAMES)
def test_no_two_texts_overlap_and_no_arrow_crosses_a_label(figs, name, theme):
    fig = figs[name, theme]
    renderer = fc.laid_out(fig)
    assert fc.overlapping_texts(fig, renderer) == []
    assert fc.texts_crossed_by_arrows(fig, renderer) == []


@pytest.mark.parametrize("name", gallery.NAMES)
def test_slide_text_is_at_least_18_pt(figs, name):
    for theme in ("slides", "dark"):
        assert fc.small_texts(figs[name, theme]) == []


@pytest.mark.parametrize("name", gallery.NAMES)
def test_dark_theme_contrast(figs, name):
    """Text >= 4.5:1 and lines, markers and arrows >= 3:1 against what is behind them
    (heatmap cells, bands and brain fills included)."""
    assert fc.low_contrast(figs[name, "dark"]) == []


@pytest.mark.parametrize("name", gallery.NAMES)
def test_print_theme_series_differ_in_greyscale_and_bands_stay(figs, name):
    fig = figs[name, "print"]
    assert fc.greyscale_clashes(fig) == []
    assert fc.faint_bands(fig) == []


def test_checks_catch_what_they_look_for():
    """The drawn-text checks fail on figures made to fail them."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(13.333, 7.5))
    ax.text(0.5, 0.5, "one", fontsize=12)
    ax.text(0.5, 0.5, "two", fontsize=20)
    ax.plot([0, 1], [0, 1], color="#D55E00", ls="-")
    ax.plot([0, 1], [1, 0], color="#0072B2", ls="-")
    ax.axvspan(0.2, 0.3, color="#E69F00", alpha=0.1, lw=0)
    assert fc.overlapping_texts(fig)
    assert fc.small_texts(fig)
    assert fc.greyscale_clashes(fig)
    assert fc.faint_bands(fig)
    ax.set_facecolor("#111418")
    assert fc.low_contrast(fig)


def test_print_theme_is_300_dpi_with_truetype_pdf_fonts(figs):
    fig = figs["memory", "print"]
    assert fig.dpi == 300
    buf = io.BytesIO()
    fig.savefig(buf, format="pdf")
    pdf = buf.getvalue()
    assert b"/FontFile2" in pdf and b"/Subtype /Type3" not in pdf
    assert mpl.rcParams["pdf.fonttype"] == mpl.rcParamsDefault["pdf.fonttype"]
    png = io.BytesIO()
    fig.savefig(png, format="png")
    from PIL import Image

    with Image.open(png) as im:
        assert im.size == (2400, 1500)
        assert round(im.info["dpi"][0]) == 300


def _arrows(ax):
    return [p for p in ax.patches if isinstance(p, FancyArrowPatch)]


def test_network_figure_shows_the_ptsd_contrast(slides):
    ptsd, healthy = [ax for ax in slides["network"].axes if _arrows(ax)]
    assert ptsd.get_title().startswith("PTSD") and healthy.get_title().startswith("Healthy")

    def amygdala_size(ax):
        return max(ln.get_markersize() for ln in ax.lines if ln.get_marker() == "o"
                   and ln.get_alpha() is None and np.allclose(ln.get_xydata(), [[-4, -18]]))

    assert amygdala_size(ptsd) > amygdala_size(healthy)

    def width(ax, gid):
        return [a.get_linewidth() for a in _arrows(ax) if a.get_gid() == gid][0]

    # widths scaled so the modelled difference is plain to see (> 25%)
    assert width(ptsd, "pathway-extinction") < 0.75 * width(healthy, "pathway-extinction")
    assert width(ptsd, "pathway-trauma trace") > 1.25 * width(healthy, "pathway-trauma trace")
    assert len(_arrows(ptsd)) == 15


def test_regions_sit_where_anatomy_puts_them():
    """Amygdala in the anterior medial temporal lobe, hippocampus behind it, vmPFC
    over the orbital surface in front of the temporal pole, the cerebellum joined to
    the brainstem, the insula in the top view."""
    from matplotlib.path import Path

    from brainviz import REGIONS
    from brainviz.views.brain import outline_paths, project

    parts = {k: Path(v) for k, v in outline_paths("sagittal").items()}
    amy = project(REGIONS["amygdala"][2])
    hip = project(REGIONS["hippocampus"][2])
    vm = project(REGIONS["vmpfc"][2])
    temporal = outline_paths("sagittal")["temporal"]
    assert parts["temporal"].contains_point(amy) and parts["temporal"].contains_point(hip)
    assert hip[0] < amy[0]  # behind it
    pole = temporal[np.argmax(temporal[:, 0])]
    assert amy[0] > pole[0] - 45  # the anterior part of the lobe
    assert parts["cerebrum"].contains_point(vm) and vm[0] > pole[0]
    orbital = [p for p in outline_paths("sagittal")["cerebrum"] if abs(p[0] - vm[0]) < 4
               and p[1] < 0]
    assert 0 < vm[1] - min(p[1] for p in orbital) < 15
    cb, bs = outline_paths("sagittal")["cerebellum"], outline_paths("sagittal")["brainstem"]
    assert any(parts["brainstem"].contains_point(p) for p in cb)  # joined, not floating
    assert any(parts["cerebellum"].contains_point(p) for p in bs)
    ins = project(REGIONS["insula"][2], "axial")
    axial = {k: Path(v) for k, v in outline_paths("axial").items()}
    assert axial["insula_left"].contains_point(ins)


def test_treatment_day_shows_harms_beside_benefit(slides):
    fig = slides["treatment_day"]
    titles = " ".join(ax.get_title(loc="left") for ax in fig.axes)
    assert "Harm" in titles and "Benefit" in titles
    course = run("day")
    harms = [k for k in ("dissociation", "sedation", "bp_rise_mmhg") if k in course.series]
    drawn = [ln.get_ydata() for ax in fig.axes for ln in ax.lines]
    for key in harms:
        assert any(len(y) == len(course.t_h) and np.allclose(y, course.series[key])
                   for y in drawn), key
    plasma = fig.axes[0]
    band = [p for p in plasma.patches if isinstance(p, Rectangle)]
    assert any(np.isclose(b.get_y(), 100) and np.isclose(b.get_height(), 150) for b in band)


def test_log_time_axes_have_named_ticks_and_every_axis_a_unit(figs):
    for (name, theme), fig in figs.items():
        if theme != "slides":
            continue
        for ax in fig.axes:
            if not ax.axison or not ax.get_xticks().size:
                continue
            if ax.get_xscale() == "log":
                labels = ax.xaxis.get_major_formatter().format_ticks(ax.get_xticks())
                assert {"1 h", "4 h", "1 d", "1 wk"} <= set(labels), (name, labels)
            if ax.get_ylabel() and not ax.images:
                assert "(" in ax.get_ylabel() or ax.get_ylabel() in {"ng/mL", "mmHg", "points"}, \
                    (name, ax.get_ylabel())


def test_memory_figure_orders_the_three_conditions(slides):
    ax = slides["memory"].axes[0]
    ends = [ln.get_ydata()[-1] for ln in ax.lines if len(ln.get_ydata()) > 10]
    with_k, alone, drug = ends
    assert with_k < alone <= drug == 1.0


def test_dmn_figure_shows_before_and_its_change(slides):
    images = [a.images[0].get_array() for a in slides["dmn"].axes if a.images]
    before, change = images[:2]
    assert np.allclose(np.diag(before), 1.0)
    assert change[0, 1] < -0.03  # loosening, shown as a difference panel


def test_plasticity_figure_draws_new_mushroom_spines_to_scale(slides):
    ax = slides["plasticity"].axes[1]
    from matplotlib.collections import PathCollection

    heads = [c for c in ax.collections if isinstance(c, PathCollection)]
    counts = [len(c.get_paths()) for c in heads]
    old_before, new_before, old_after, new_after = counts
    assert new_before == 0 and new_after > 0 and old_before == old_after
    texts = [t.get_text() for t in ax.texts]
    assert "5 µm" in texts


def test_synergy_difference_bar_is_the_models_difference(slides):
    from brainviz.views.story import facts

    f = facts("synergy")
    ax = slides["synergy"].axes[1]
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    heights = [b.get_height() for b in bars]
    r = f["relief"]
    assert heights[:3] == pytest.approx([r["exposure"], r["one_infusion"],
                                         r["one_infusion_exposure"]])
    assert heights[3] == pytest.approx(r["one_infusion_exposure"] - r["exposure"])
    assert bars[3].get_y() == pytest.approx(r["exposure"])
    # C7: ketamine adds more than nothing and at most 0.35x the exposure course
    assert 0.0 < heights[3] <= 0.35 * r["exposure"]
    assert r["exposure"] > 3 * r["one_infusion"]


@pytest.mark.parametrize("theme", ["notebook", "dark", "print"])
def test_other_themes_build_without_changing_rcparams(theme):
    before = dict(mpl.rcParams)
    fig = gallery.figure("synergy", theme=theme)
    assert dict(mpl.rcParams) == before
    assert fig.get_facecolor()[:3] == pytest.approx(
        mpl.colors.to_rgb(gallery._THEMES[theme].background))


@pytest.mark.parametrize("name", ["network", "treatment_day", "synergy"])
def test_slide_image_baselines(name, tmp_path):
    import matplotlib.pyplot as plt
    from matplotlib.testing.compare import compare_images

    # a fresh figure: the module's shared ones have been drawn (and laid out) by other tests
    fig = gallery.figure(name, theme="slides")
    out = tmp_path / f"{name}.png"
    fig.savefig(out, dpi=fig.dpi / 4)
    plt.close(fig)
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
