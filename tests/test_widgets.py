"""Widget panels from Python: set a control, the figure's artists change in place;
refuse bad input everywhere at once (slider, box, model and figure agree)."""

import math

import matplotlib.pyplot as plt
import numpy as np
import pytest

from brainviz import PARAMS, Dose, Protocol, simulate
from brainviz.app import widgets

PANELS = [widgets.memory_panel, widgets.dmn_panel, widgets.plasticity_panel,
          widgets.synergy_panel, widgets.protocol_builder]
MECHANISMS = PANELS[:4]
RED = "D55E00"


def _ydata(fig):
    return [np.asarray(ln.get_ydata(), float).copy() for ax in fig.axes for ln in ax.lines
            if len(ln.get_ydata()) > 2]


def _titles(fig):
    return [ax.get_title(loc="left") for ax in fig.axes] + [fig.get_suptitle()]


def _agree(panel):
    """Every number control shows the accepted value in its slider and its box."""
    for name, c in panel._controls.items():
        if isinstance(c, widgets._Number):
            assert c.slider.value == pytest.approx(panel.controls[name]), name
            assert c.text.value == pytest.approx(panel.controls[name]), name


@pytest.mark.parametrize("make", PANELS, ids=lambda f: f.__name__)
def test_panel_draws_once_and_updates_in_place(make):
    panel = make()
    assert RED not in panel.status.value
    figures_before = plt.get_fignums()
    fig = panel.figure
    before = _ydata(fig)
    assert before  # something is drawn
    panel.last_latency_s = float("nan")  # the update below must time itself
    if "doses" in panel.controls:
        panel.set(doses=[(0.0, 1.5, "iv")])
    else:
        panel.set(mg_per_kg=1.5)
    assert panel.figure is fig
    assert plt.get_fignums() == figures_before  # no stacked figure
    after = _ydata(fig)
    assert any(b.shape != a.shape or not np.allclose(b, a) for b, a in zip(before, after))
    assert 0 < panel.last_latency_s < 60  # NaN (so False) if the update was not timed
    assert len(panel.png()) > 1000


def test_sliders_carry_the_parameter_table():
    panel = widgets.memory_panel()
    control = panel._controls["reconsolidation_window_h"]
    p = PARAMS["reconsolidation_window_h"]
    assert (control.slider.min, control.slider.max, control.slider.step) == (p.low, p.high,
                                                                            p.step)
    assert control.slider.value == p.default
    assert "(h)" in control.label.value  # the unit is in the visible label


def test_out_of_range_typed_value_is_refused_everywhere():
    panel = widgets.memory_panel()
    before, titles = _ydata(panel.figure), _titles(panel.figure)
    panel._controls["session_h"].text.value = 500.0
    assert "session_h" in panel.status.value and "[0, 96]" in panel.status.value
    assert RED in panel.status.value and "not applied" in panel.status.value
    assert panel.controls["session_h"] == 24.0
    _agree(panel)
    assert all(np.allclose(b, a) for b, a in zip(before, _ydata(panel.figure)))
    assert _titles(panel.figure) == titles


def test_nan_is_refused_typed_and_from_python():
    panel = widgets.dmn_panel()
    panel._controls["mg_per_kg"].text.value = float("nan")
    assert RED in panel.status.value and panel.controls["mg_per_kg"] == 0.5
    with pytest.raises(ValueError, match="mg_per_kg"):
        panel.set(mg_per_kg=float("nan"))
    _agree(panel)


def test_set_out_of_range_raises_and_applies_nothing():
    panel = widgets.synergy_panel()
    before = _ydata(panel.figure)
    with pytest.raises(ValueError, match=r"mg_per_kg.*\[0.05, 5\] mg/kg"):
        panel.set(mg_per_kg=100, sessions=3)  # one bad value: neither is applied
    assert panel.controls["mg_per_kg"] == 0.5 and panel.controls["sessions"] == 10
    _agree(panel)
    assert all(np.allclose(b, a) for b, a in zip(before, _ydata(panel.figure)))


def test_whole_numbers_refuse_fractions():
    panel = widgets.synergy_panel()
    control = panel._controls["sessions"]
    assert control.whole and type(control.slider).__name__ == "IntSlider"
    control.text.value = 2.5
    assert "whole number" in panel.status.value and panel.controls["sessions"] == 10
    _agree(panel)
    with pytest.raises(ValueError, match="whole number"):
        panel.set(sessions=2.5)
    panel.set(sessions=3)
    therapy_line = panel._artists["lines"][1]
    # three weekly sessions: steps down on three days of the exposure-alone curve (each
    # session's extinction, then its reconsolidation window within hours)
    x, y = np.asarray(therapy_line.get_xdata()), np.asarray(therapy_line.get_ydata())
    assert len(np.unique(np.floor(x[1:][np.diff(y) < -1.0]))) == 3


@pytest.mark.parametrize("make", [widgets.dmn_panel, widgets.synergy_panel],
                         ids=lambda f: f.__name__)
def test_an_error_is_cleared_by_the_next_valid_move(make):
    panel = make()
    panel._controls["mg_per_kg"].text.value = 9.0
    assert RED in panel.status.value
    panel._controls["mg_per_kg"].slider.value = 1.0  # a student drags the slider
    assert RED not in panel.status.value
    assert panel.controls["mg_per_kg"] == 1.0
    _agree(panel)


def test_slider_moves_update_the_box_and_the_model():
    panel = widgets.memory_panel()
    panel._controls["mg_per_kg"].slider.value = 0.55000000001
    assert panel.controls["mg_per_kg"] == 0.55
    assert panel._controls["mg_per_kg"].text.value == 0.55
    panel._controls["mg_per_kg"].text.value = 0.53  # finer than the slider: accepted
    assert panel.controls["mg_per_kg"] == 0.53


def test_typed_value_in_range_is_applied():
    panel = widgets.dmn_panel()
    panel._controls["dmn_loosening_gain"].text.value = 0.0
    assert panel.controls["dmn_loosening_gain"] == 0.0
    ptsd = panel._artists["ptsd"].get_ydata()
    assert np.allclose(ptsd, ptsd[0])  # no loosening at all


def test_reset_restores_defaults_and_the_title():
    panel = widgets.synergy_panel()
    title = panel.figure.axes[0].get_title(loc="left")
    panel.set(sessions=2, mg_per_kg=1.0)
    assert panel.figure.axes[0].get_title(loc="left") != title
    panel.reset()
    assert panel.controls == panel.defaults
    assert panel.figure.axes[0].get_title(loc="left") == title
    _agree(panel)


@pytest.mark.parametrize("make", MECHANISMS, ids=lambda f: f.__name__)
def test_the_default_course_is_drawn_dashed_and_stays(make):
    panel = make()
    default = panel._artists.get("default") or panel._artists.get("bdnf_default")
    assert default.get_color() == widgets._DEFAULT_STYLE["color"]
    assert default.get_linestyle() in ("--", "-.", ":") or default.get_dashes()
    y0 = np.asarray(default.get_ydata()).copy()
    assert y0.size > 2
    panel.set(mg_per_kg=2.0)
    assert np.allclose(default.get_ydata(), y0)  # the reference does not move


def test_memory_panel_session_length_reaches_the_model():
    panel = widgets.memory_panel()
    panel.set(session_min=180)
    assert [c.protocol.therapy[0].minutes for c in panel.data[:2]] == [180.0, 180.0]


def test_plasticity_axes_read_in_words_and_fit_their_curves():
    panel = widgets.plasticity_panel()
    ax1 = panel._artists["ax1"]
    labels = [t.get_text() for t in ax1.get_xticklabels()]
    assert labels == ["10 min", "1 h", "4 h", "1 day", "1 week"]
    panel.set(mg_per_kg=4.0, bdnf_gain=3.0)
    bdnf = np.asarray(panel._artists["bdnf"].get_ydata())
    assert ax1.get_ylim()[1] >= bdnf.max()  # not cut at a fixed 2.1
    spines = np.asarray(panel._artists["spines"].get_ydata())
    low, high = panel._artists["ax2"].get_ylim()
    assert low <= spines.min() and spines.max() <= high


def test_dose_controls_show_harms_and_mark_the_anaesthetic_range():
    panel = widgets.plasticity_panel()
    note = panel._controls["mg_per_kg"].note
    assert "dissociation" in note.value and "anaesthetic range" not in note.value
    start = widgets._anaesthetic_dose("iv")
    peak = simulate(Protocol(doses=[Dose(0, start)], days=1)).plasma_ng_ml.max()
    below = simulate(Protocol(doses=[Dose(0, start - 0.05)], days=1)).plasma_ng_ml.max()
    first = simulate(Protocol(doses=[Dose(0, start)], days=1))
    assert below < widgets.ANAESTHETIC_NG_ML[0] <= peak or first.sedation.max() >= 0.5
    assert f"anaesthetic from {start:g} mg/kg" in note.value
    panel.set(mg_per_kg=min(5.0, start + 0.5))
    assert "anaesthetic range" in note.value
    assert "background" in panel._controls["mg_per_kg"].note.value  # the badge lights up
    shaded = panel._artists["anaesthetic"]
    assert shaded.get_x() == pytest.approx(start) and shaded.get_width() > 0
    # the dose-response axis: the glutamate burst is an inverted U over doses
    names = panel._artists["_names"]
    glu = panel._artists["lines"][names.index("glutamate burst")].get_ydata()
    assert np.argmax(glu) not in (0, len(glu) - 1) and glu[-1] < glu.max()


def test_oral_route_has_its_own_anaesthetic_threshold():
    assert widgets._anaesthetic_dose("oral") > widgets._anaesthetic_dose("iv")


def test_unknown_control():
    with pytest.raises(ValueError, match="unknown control"):
        widgets.dmn_panel().set(nope=1)


def test_panel_survives_pyplot_closing_figures():
    # Jupyter's inline backend closes pyplot's figures after every cell
    panel = widgets.dmn_panel()
    plt.close("all")
    before = _ydata(panel.figure)
    panel.set(dmn_loosening_gain=0.0)
    assert RED not in panel.status.value
    assert any(not np.allclose(b, a) for b, a in zip(before, _ydata(panel.figure)))
    assert len(panel.png()) > 1000


# ---------------------------------------------------------------------------------
# the protocol builder: a timeline of rows
# ---------------------------------------------------------------------------------

def test_builder_rows_add_and_remove():
    panel = widgets.protocol_builder()
    doses = panel._controls["doses"]
    assert len(doses.box.children) == 1
    doses.add_button.click()
    assert panel.controls["doses"] == ((0.0, 0.5, "iv"), (48.0, 0.5, "iv"))
    assert len(doses.box.children) == 2
    for _ in range(5):
        panel.add_dose()
    assert len(panel.controls["doses"]) == 7  # no fixed limit of three
    panel.add_session(at_h=48.0, amount=45.0, kind="emdr")
    assert panel.controls["sessions"][-1] == (48.0, 45.0, "emdr")
    course_sessions = panel._artists["sessions"]
    assert any(len(line.get_xdata()) for line in course_sessions)
    panel.remove_dose(0)
    assert len(panel.controls["doses"]) == 6 and len(doses.box.children) == 6
    panel.set(doses=[])
    assert panel.controls["doses"] == () and "0 doses" in panel.figure.get_suptitle()


def test_builder_row_edits_go_through_the_model():
    panel = widgets.protocol_builder()
    row = panel._controls["sessions"]._rows[0]
    row["amount"].value = 45.0  # minutes of session 1
    assert panel.controls["sessions"][0][1] == 45.0
    panel2 = widgets.protocol_builder()
    panel2.set(sessions=[(24.0, 45.0, "exposure")])
    assert panel.figure.axes[0].lines[1].get_ydata()[-1] == pytest.approx(
        panel2.figure.axes[0].lines[1].get_ydata()[-1])
    row["kind"].value = "supportive"
    assert panel.controls["sessions"][0][2] == "supportive"
    dose_row = panel._controls["doses"]._rows[0]
    dose_row["kind"].value = "oral"
    assert panel.controls["doses"][0][2] == "oral"


@pytest.mark.parametrize("bad, message", [
    ({"sessions": [(2000.0, 90.0, "exposure")]}, "session 1 at 2000 h is after the end"),
    ({"doses": [(0.0, 0.5, "iv"), (0.5, 0.5, "iv")]}, "dose 2 at 0.5 h starts before dose 1"),
    ({"sessions": [(24.0, 90.0, "exposure"), (25.0, 60.0, "emdr")]}, "must not overlap"),
    ({"doses": [(0.0, 0.0, "iv")]}, r"dose 1 amount must be in \(0, 5\]"),
    ({"doses": [(-1.0, 0.5, "iv")]}, "dose 1 time must be in"),
    ({"doses": [(0.0, 0.5, "oarl")]}, "did you mean 'oral'"),
    ({"days": 0}, "whole number from 1 to 365"),
])
def test_builder_refuses_bad_rows_and_keeps_the_last_course(bad, message):
    panel = widgets.protocol_builder()
    before, titles, values = _ydata(panel.figure), _titles(panel.figure), panel.controls
    with pytest.raises(ValueError, match=message):
        panel.set(**bad)
    assert RED in panel.status.value
    assert panel.controls == values
    assert all(np.allclose(b, a) for b, a in zip(before, _ydata(panel.figure)))
    assert _titles(panel.figure) == titles
    doses = panel._controls["doses"]
    assert [r["time"].value for r in doses._rows] == [d[0] for d in values["doses"]]


def test_builder_shortening_the_course_is_refused_while_a_row_is_outside():
    panel = widgets.protocol_builder()
    panel.add_session(at_h=600.0)
    panel._controls["days"].text.value = 7  # typed in the room
    assert "session 2 at 600 h is after the end" in panel.status.value
    assert panel.controls["days"] == 28 and panel._controls["days"].slider.value == 28
    typed = panel._controls["sessions"]._rows[1]["time"]
    typed.value = 5000.0  # a typo in a row: the row goes back, the figure stays
    assert typed.value == 600.0 and RED in panel.status.value


def test_builder_plasma_is_zoomed_to_the_first_hours_after_each_dose():
    panel = widgets.protocol_builder()
    panel.set(days=84, doses=[(0.0, 0.5, "iv"), (168.0, 0.5, "oral")])
    ax = panel._artists["ax2"]
    assert ax.get_xlim() == (0.0, widgets._PLASMA_WINDOW_H)
    segments = panel._artists["plasma"].get_segments()
    assert len(segments) == 2
    peak = max(s[:, 1].max() for s in segments)
    low, high = ax.get_ylim()
    assert ax.get_yscale() == "log"
    assert np.log(peak / low) >= 0.3 * np.log(high / low)  # a curve, not a sliver
    assert panel._artists["plasma_default"].get_ydata().max() > 100  # the default, dashed


def test_builder_marks_anaesthetic_plasma():
    panel = widgets.protocol_builder()
    assert "dissociation" in panel.harms.value
    assert "anaesthetic range" not in panel.harms.value
    panel.set(doses=[(0.0, 4.0, "iv")])
    assert "anaesthetic range" in panel.harms.value
    assert panel._artists["ax2"].get_ylim()[1] >= widgets.ANAESTHETIC_NG_ML[1]
    assert panel._artists["anaesthetic_label"].get_visible()


def test_builder_plasma_scale_stays_put_so_doses_compare():
    """One fixed scale from a low oral dose to an anaesthetic one: no rescaling (and
    no full redraw) as a lecturer types amounts, and every peak is on the axes."""
    panel = widgets.protocol_builder()
    limits, labels = set(), set()
    for mg, route in ((0.1, "oral"), (0.5, "iv"), (1.0, "iv"), (2.0, "iv"), (4.5, "iv")):
        panel.set(doses=[(0.0, mg, route)])
        ax = panel._artists["ax2"]
        limits.add(ax.get_ylim())
        labels.add(tuple(t.get_text() for t in ax.get_yticklabels()))
        peak = max(s[:, 1].max() for s in panel._artists["plasma"].get_segments())
        assert ax.get_ylim()[0] < peak < ax.get_ylim()[1], (mg, route, peak)
    assert len(limits) == 1 and len(labels) == 1
    assert "10" in next(iter(labels)) and not any("^" in t for t in next(iter(labels)))


def test_builder_legend_sits_under_both_plots_without_a_gap():
    panel = widgets.protocol_builder()
    fig = panel.figure
    renderer = fig.canvas.get_renderer()
    legend = fig.legends[0].get_window_extent(renderer)
    axes = [ax.get_tightbbox(renderer) for ax in fig.axes]
    bottom = min(b.y0 for b in axes)  # the lowest tick label or axis label
    assert legend.y1 <= bottom  # under both plots, overlapping neither
    assert bottom - legend.y1 < 0.05 * fig.bbox.height  # and close to them
    assert legend.x0 < fig.axes[0].bbox.x1 and legend.x1 > fig.axes[1].bbox.x0


def test_builder_default_course_is_dashed_for_comparison():
    panel = widgets.protocol_builder()
    default = panel._artists["default"]
    x0 = np.asarray(default.get_xdata()).copy()
    y0 = np.asarray(default.get_ydata()).copy()
    panel.set(doses=[(0.0, 1.0, "intranasal")])
    # a sweep may put the default course on another time grid: compare the curves
    assert np.allclose(np.interp(x0, default.get_xdata(), default.get_ydata()), y0, atol=0.1)
    sym = panel._artists["sym"]
    assert not np.allclose(np.interp(x0, sym.get_xdata(), sym.get_ydata()), y0, atol=0.1)
    assert "default course" in panel.figure.get_suptitle()


def test_no_dropdown_relies_on_a_truncated_description():
    for make in PANELS:
        panel = make()
        stack = [panel]
        while stack:
            w = stack.pop()
            stack.extend(getattr(w, "children", ()))
            if type(w).__name__ == "Dropdown":
                assert not w.description  # labels sit beside it, never squeezed inside
                assert w.layout.width and w.layout.width.endswith("em")
                longest = max(len(label) for label, _ in w.options)
                assert float(w.layout.width[:-2]) >= 0.6 * longest + 2, (longest, w.layout.width)


def test_anaesthetic_threshold_is_finite_for_iv():
    assert math.isfinite(widgets._anaesthetic_dose("iv"))


def test_notebook_videos_scale_to_the_output_width():
    html = widgets.video("dmn", fps=5)._repr_html_()
    assert "max-width:100%" in html and "controls" in html


def _band_area(poly):
    paths = poly.get_paths()
    return sum(len(p.vertices) for p in paths)


@pytest.mark.parametrize("make, band, line", [
    (widgets.memory_panel, "band", "with_k"), (widgets.dmn_panel, "band", "ptsd"),
    (widgets.plasticity_panel, "spine_band", "spines"),
    (widgets.synergy_panel, "bands", "lines"), (widgets.protocol_builder, "band", "sym"),
], ids=lambda x: getattr(x, "__name__", x))
def test_panels_show_the_spread_between_virtual_patients(make, band, line):
    panel = make()
    polys = panel._artists[band] if isinstance(panel._artists[band], list) else [
        panel._artists[band]]
    assert panel.controls["bands"] is True and all(_band_area(p) > 10 for p in polys)
    # the typical patient's curve runs inside the band for most of the course
    poly = polys[-1]
    curve = panel._artists[line][-1] if line == "lines" else panel._artists[line]
    verts = poly.get_paths()[0].vertices
    half = len(verts) // 2  # lower edge, then the upper edge backwards (and a closing point)
    x, low, high = verts[:half, 0], verts[:half, 1], verts[half:2 * half, 1][::-1]
    y = np.interp(x, curve.get_xdata(), curve.get_ydata())
    assert np.mean((low - 1e-9 <= y) & (y <= high + 1e-9)) > 0.8
    assert np.mean(high - low) > 0  # a real spread, not a line
    panel.set(bands=False)
    assert all(_band_area(p) == 0 for p in polys)
    panel.set(bands=True)
    assert all(_band_area(p) > 10 for p in polys)
