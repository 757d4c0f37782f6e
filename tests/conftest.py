"""Shared test setup: a non-interactive backend, and the courses most tests look at."""

import os

os.environ.setdefault("MPLBACKEND", "Agg")

import pytest  # noqa: E402

import brainviz as bv  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import sys

    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


STANDARD = bv.Dose(at_h=0.0, mg_per_kg=0.5, route="iv")  # 0.5 mg/kg over 40 min


def one_dose(days=21, condition="ptsd", **dose):
    dose = {"at_h": 0.0, "mg_per_kg": 0.5, "route": "iv", **dose}
    return bv.Protocol(doses=[bv.Dose(**dose)], days=days, condition=condition)


def relief(course, baseline=None):
    """Symptom improvement (points) relative to the start of the course."""
    base = course.symptoms[0] if baseline is None else baseline
    return base - course.symptoms


@pytest.fixture
def gallery(monkeypatch):
    """A tiny fake gallery in place of brainviz.views.gallery (fast export and CLI tests)."""
    import sys

    import _fake_gallery

    fake = _fake_gallery.module()
    monkeypatch.setitem(sys.modules, "brainviz.views.gallery", fake)
    monkeypatch.setattr(bv, "gallery", fake, raising=False)
    return fake
