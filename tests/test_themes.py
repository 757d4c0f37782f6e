import matplotlib as mpl
import pytest

from brainviz.views.themes import OKABE_ITO, SYSTEM_STYLE, THEMES, get_theme, theme_context


def test_themes_restore_rcparams():
    before = dict(mpl.rcParams)
    for name in THEMES:
        with theme_context(name) as th:
            assert th.name == name
            assert mpl.rcParams["font.size"] == th.rc["font.size"]
    assert dict(mpl.rcParams) == before


def test_slides_and_dark_are_1920_by_1080():
    for name in ("slides", "dark"):
        th = get_theme(name)
        assert (th.figsize[0] * th.dpi, th.figsize[1] * th.dpi) == (1920, 1080)
        assert th.rc["font.size"] >= 18  # readable from the back row


def test_systems_differ_by_marker_not_only_colour():
    markers = [s["marker"] for s in SYSTEM_STYLE.values()]
    assert len(set(markers)) == len(markers)
    assert all(s["color"] in OKABE_ITO.values() for s in SYSTEM_STYLE.values())


def _luminance(hex_colour):
    r, g, b = (int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def test_dark_theme_text_contrast_meets_wcag_aa():
    th = get_theme("dark")
    hi, lo = sorted([_luminance(th.text), _luminance(th.background)], reverse=True)
    assert (hi + 0.05) / (lo + 0.05) >= 4.5
    hi, lo = sorted([_luminance(th.muted), _luminance(th.background)], reverse=True)
    assert (hi + 0.05) / (lo + 0.05) >= 4.5


def test_unknown_theme():
    with pytest.raises(ValueError, match="did you mean 'slides'"):
        get_theme("slide")
