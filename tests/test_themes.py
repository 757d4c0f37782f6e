import io

import matplotlib as mpl
import pytest

from brainviz.views.themes import (MIN_SLIDE_PT, OKABE_ITO, PATHWAY_STYLE, SYSTEM_STYLE, THEMES,
                                   ThemedFigure, color, contrast, dim, get_theme, new_figure,
                                   theme_context)


def test_themes_restore_rcparams():
    before = dict(mpl.rcParams)
    for name in THEMES:
        with theme_context(name) as th:
            assert th.name == name
            assert mpl.rcParams["font.size"] == th.rc["font.size"]
    assert dict(mpl.rcParams) == before


def test_slides_and_dark_are_a_16_9_slide_at_1920_by_1080():
    for name in ("slides", "dark"):
        th = get_theme(name)
        assert (th.figsize[0] * th.dpi, th.figsize[1] * th.dpi) == (1920, 1080)
        assert th.figsize[0] == pytest.approx(13.333, abs=0.001)  # points are slide points
        sizes = [th.rc[k] for k in ("font.size", "xtick.labelsize", "ytick.labelsize",
                                    "legend.fontsize", "axes.titlesize")]
        assert min(sizes + [th.small]) >= MIN_SLIDE_PT


def test_print_is_300_dpi_with_truetype_fonts_in_the_theme():
    th = get_theme("print")
    assert th.dpi == 300
    assert th.rc["pdf.fonttype"] == 42 and th.rc["ps.fonttype"] == 42


def test_a_themed_figure_saves_truetype_pdf_whoever_saves_it():
    with theme_context("slides"):
        fig = new_figure("slides")
    assert isinstance(fig, ThemedFigure)
    fig.text(0.5, 0.5, "editable text")
    buf = io.BytesIO()
    fig.savefig(buf, format="pdf")  # outside the theme context
    assert b"/FontFile2" in buf.getvalue() and b"/Subtype /Type3" not in buf.getvalue()


def test_systems_differ_by_marker_not_only_colour():
    markers = [s["marker"] for s in SYSTEM_STYLE.values()]
    assert len(set(markers)) == len(markers)
    assert all(s["color"] in OKABE_ITO for s in SYSTEM_STYLE.values())


def test_pathways_differ_by_line_style():
    styles = [s["linestyle"] for s in PATHWAY_STYLE.values()]
    assert len(set(styles)) == len(styles)


def test_dark_theme_colours_hold_their_contrast():
    th = get_theme("dark")
    assert contrast(th.text, th.background) >= 4.5
    assert contrast(th.muted, th.background) >= 4.5
    for name in ("blue", "vermillion", "green", "orange", "purple", "ink"):
        assert contrast(color(name, th), th.background) >= 4.5, name
        assert contrast(dim(name, th), th.background) >= 3.0, name
    assert contrast(color("minor", th), th.background) >= 3.0


def test_unknown_theme():
    with pytest.raises(ValueError, match="did you mean 'slides'"):
        get_theme("slide")
