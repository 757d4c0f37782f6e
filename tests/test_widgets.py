"""Widget panels from Python: set a control, the figure's artists change in place."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from brainviz import PARAMS
from brainviz.app import widgets

PANELS = [widgets.memory_panel, widgets.dmn_panel, widgets.plasticity_panel,
          widgets.synergy_panel, widgets.protocol_builder]


def _ydata(fig):
    return [np.asarray(ln.get_ydata(), float).copy() for ax in fig.axes for ln in ax.lines
            if len(ln.get_ydata()) > 2]


@pytest.mark.parametrize("make", PANELS, ids=lambda f: f.__name__)
def test_panel_draws_once_and_updates_in_place(make):
    panel = make()
    assert "error" not in panel.status.value and "D55E00" not in panel.status.value
    figures_before = plt.get_fignums()
    fig = panel.figure
    before = _ydata(fig)
    assert before  # something is drawn
    name = "dose1_mg_per_kg" if "dose1_mg_per_kg" in panel.controls else "mg_per_kg"
    panel.set(**{name: 1.5})
    assert panel.figure is fig
    assert plt.get_fignums() == figures_before  # no stacked figure
    after = _ydata(fig)
    assert any(b.shape != a.shape or not np.allclose(b, a) for b, a in zip(before, after))
    assert panel.last_latency_s > 0


def test_sliders_carry_the_parameter_table():
    panel = widgets.memory_panel()
    control = panel._numbers["reconsolidation_window_h"]
    p = PARAMS["reconsolidation_window_h"]
    assert (control.slider.min, control.slider.max, control.slider.step) == (p.low, p.high,
                                                                            p.step)
    assert control.slider.value == p.default
    assert "(h)" in control.label.value  # the unit is in the visible label


def test_out_of_range_typed_value_is_refused_with_a_message():
    panel = widgets.memory_panel()
    before = _ydata(panel.figure)
    panel._numbers["session_h"].text.value = 500.0
    assert "must be in [0, 96]" in panel.status.value
    assert panel.controls["session_h"] == 24.0
    assert panel._numbers["session_h"].text.value == 24.0
    assert all(np.allclose(b, a) for b, a in zip(before, _ydata(panel.figure)))


def test_typed_value_in_range_is_applied():
    panel = widgets.dmn_panel()
    panel._numbers["dmn_loosening_gain"].text.value = 0.0
    assert panel.controls["dmn_loosening_gain"] == 0.0
    ptsd = panel.figure.axes[0].lines[0].get_ydata()
    assert np.allclose(ptsd, ptsd[0])  # no loosening at all


def test_reset_restores_defaults_and_the_title():
    panel = widgets.synergy_panel()
    title = panel.figure.axes[0].get_title(loc="left")
    panel.set(sessions=2, mg_per_kg=1.0)
    assert panel.figure.axes[0].get_title(loc="left") != title
    panel.reset()
    assert panel.controls["sessions"] == 10.0 and panel.controls["mg_per_kg"] == 0.5
    assert panel.figure.axes[0].get_title(loc="left") == title


def test_protocol_builder_reports_invalid_protocols():
    panel = widgets.protocol_builder()
    panel.set(session1_h=2000.0)
    assert "outside the course" in panel.status.value
    panel.set(session1_h=24.0, dose2_h=48.0, dose2_mg_per_kg=0.5, condition="healthy")
    assert "protocol ok" in panel.status.value


def test_unknown_control():
    with pytest.raises(ValueError, match="unknown control"):
        widgets.dmn_panel().set(nope=1)


def test_quiz_gives_instant_feedback():
    q = widgets.quiz("Which is a neurotrophin?", ["BDNF", "NMDA"], 0,
                     ["BDNF is brain-derived neurotrophic factor.", "NMDA is a receptor."])
    q.check.click()
    assert "Pick an answer" in q.feedback.value
    q.choice.value = "NMDA"
    q.check.click()
    assert "Not quite" in q.feedback.value and "receptor" in q.feedback.value
    q.choice.value = "BDNF"
    q.check.click()
    assert "Correct" in q.feedback.value
    with pytest.raises(ValueError):
        widgets.quiz("?", ["a"], 3, ["x"])


def test_panel_survives_pyplot_closing_figures():
    # Jupyter's inline backend closes pyplot's figures after every cell
    panel = widgets.dmn_panel()
    plt.close("all")
    before = _ydata(panel.figure)
    panel.set(dmn_loosening_gain=0.0)
    assert "D55E00" not in panel.status.value
    assert any(not np.allclose(b, a) for b, a in zip(before, _ydata(panel.figure)))
    assert len(panel.png()) > 1000
