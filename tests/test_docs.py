"""docs/MODEL.md stays in step with the code; public API is documented."""

import doctest
import importlib.util
import inspect
import pathlib

import pytest

import brainviz as bv

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _builder():
    spec = importlib.util.spec_from_file_location("build_model_md",
                                                  ROOT / "docs" / "build_model_md.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_model_md_parameter_table_matches_params():
    text = (ROOT / "docs" / "MODEL.md").read_text(encoding="utf-8")
    assert _builder().render(text) == text, "run: python docs/build_model_md.py"


def test_model_md_names_every_parameter_and_the_disclaimer():
    text = (ROOT / "docs" / "MODEL.md").read_text(encoding="utf-8")
    for name in bv.PARAMS:
        assert f"`{name}`" in text
    assert "not medical advice" in text and "not clinical" in text.lower()


def test_public_api_is_explicit_and_documented():
    assert sorted(bv.__all__) == sorted(set(bv.__all__))
    for name in bv.__all__:
        obj = getattr(bv, name)
        if inspect.isfunction(obj) or inspect.isclass(obj):
            doc = inspect.getdoc(obj)
            assert doc, name
            if inspect.isfunction(obj) or name in {"Dose", "Session", "Protocol"}:
                assert "Examples" in doc, name


@pytest.mark.parametrize("module", [
    "brainviz", "brainviz._validate", "brainviz.science.course", "brainviz.science.network",
    "brainviz.science.params", "brainviz.science.pharmacology", "brainviz.science.protocols",
    "brainviz.science.stages", "brainviz.science.calibration",
    "brainviz.science.population",
    "brainviz.views.gallery", "brainviz.views.themes", "brainviz.views.brain",
    "brainviz.views.network", "brainviz.views.timecourse", "brainviz.app.widgets"])
def test_docstring_examples_run(module):
    mod = __import__(module, fromlist=["_"])
    failures, tried = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
    assert failures == 0


def test_readme_cascade_caption_holds_for_the_model():
    """The README's caption under docs/cascade.png says what the model shows."""
    import numpy as np

    from brainviz.science import protocols

    text = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert ("the drug is gone within hours, BDNF peaks within hours, new spines take about "
            "a day, and the symptom index is lowest a day or two after the dose and returns "
            "over one to two weeks") in text
    c = bv.simulate(bv.Protocol(doses=[protocols.STANDARD_IV], days=14))
    t = c.t_h
    assert c.at("plasma_ng_ml", 12.0) < 0.05 * c.plasma_ng_ml.max()  # gone within hours
    assert t[np.argmax(c.bdnf)] < 12.0  # BDNF peaks within hours
    assert 12.0 <= t[np.argmax(c.spine_density)] <= 48.0  # spines: about a day
    relief = c.symptoms[0] - c.symptoms
    assert 24.0 <= t[np.argmax(relief)] <= 48.0  # lowest a day or two after
    assert relief[-1] < 0.25 * relief.max()  # back over one to two weeks
