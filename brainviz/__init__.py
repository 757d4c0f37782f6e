"""brainviz: an educational model of how ketamine is thought to help trauma and PTSD.

One model, four mechanisms (memory-pathway disruption, DMN loosening, BDNF plasticity,
therapy synergy). This is a teaching model with illustrative numbers whose shapes and
orderings follow the published record; it is not medical advice and predicts nothing
for any patient.

Examples
--------
>>> import brainviz as bv
>>> course = bv.simulate(bv.Protocol(doses=[bv.Dose(0, 0.5, "iv")],
...                                  therapy=[bv.Session(24, "exposure")], days=14))
>>> bool(course.symptoms[0] > course.at("symptoms", 48.0))
True
"""

from .science.course import SESSION_KINDS, Course, Protocol, Session, simulate, sweep
from .science.network import CONDITIONS, PATHWAYS, REGIONS, build_network
from .science.params import PARAMS, Param, param_table_markdown
from .science.pharmacology import ROUTES, Dose
from .science.stages import STAGES
from .science.population import SPREAD, Ensemble, Spread, Trial, ensemble, trial

__version__ = "0.1.0"

# the drawing side (matplotlib) and the faces load on first use, so the model imports
# fast; ``bv.gallery``, ``bv.widgets`` ... name their modules in the views and app layers
_MODULES = {
    "gallery": "views.gallery", "animation": "views.animation", "themes": "views.themes",
    "views": "views", "widgets": "app.widgets", "export": "app.export", "deck": "app.deck",
    "present": "app.present", "cli": "app.cli",
}
_GALLERY = {"figure", "animate", "caption", "alt_text", "GALLERY_NAMES", "THEME_NAMES"}
_STORY = {"storyboard"}


def __getattr__(name):
    if name in _MODULES:
        import importlib

        return importlib.import_module(f".{_MODULES[name]}", __name__)
    if name in _STORY:
        from .views import story

        return getattr(story, name)
    if name in _GALLERY:
        from .views import gallery

        return {"GALLERY_NAMES": gallery.NAMES, "THEME_NAMES": gallery.THEMES}.get(
            name) or getattr(gallery, name)
    raise AttributeError(f"module 'brainviz' has no attribute {name!r}")

__all__ = [
    "CONDITIONS",
    "Course",
    "Dose",
    "Ensemble",
    "GALLERY_NAMES",
    "PARAMS",
    "PATHWAYS",
    "Param",
    "Protocol",
    "REGIONS",
    "ROUTES",
    "SESSION_KINDS",
    "STAGES",
    "SPREAD",
    "Session",
    "Spread",
    "THEME_NAMES",
    "Trial",
    "alt_text",
    "animate",
    "build_network",
    "caption",
    "ensemble",
    "figure",
    "param_table_markdown",
    "simulate",
    "storyboard",
    "sweep",
    "trial",
]
