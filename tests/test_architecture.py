"""The layers hold: the science draws nothing, the views wire no faces, and the docs
name every module.

Checked twice: statically (every import statement in every module, including the lazy
ones inside functions) and at run time (importing the science in a fresh interpreter
must not load matplotlib, ipywidgets or any view or face).
"""

import ast
import json
import pathlib
import re
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "brainviz"

#: layer -> what its modules must never import (prefixes of absolute module names)
FORBIDDEN = {
    "science": ("brainviz.views", "brainviz.app", "matplotlib", "ipywidgets", "IPython",
                "PIL"),
    "views": ("brainviz.app", "ipywidgets"),
    "shared": ("brainviz.science", "brainviz.views", "brainviz.app", "matplotlib",
               "ipywidgets", "IPython"),
}

#: Known violations, each (path, module) with the reason it is still there. A test below
#: fails as soon as one is gone, so the entry is removed with the fix. (Empty since
#: gallery.video() moved to the app layer.)
KNOWN: dict[tuple[str, str], str] = {}


def _modules():
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def _layer(path: pathlib.Path) -> str:
    rel = path.relative_to(PACKAGE)
    if len(rel.parts) > 1:
        return rel.parts[0]
    return "root" if rel.name in {"__init__.py", "__main__.py"} else "shared"


def _dotted(path: pathlib.Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(path: pathlib.Path, text: str | None = None):
    """Every module an import statement in ``path`` (or ``text`` as if it were there)
    names, made absolute."""
    if text is None:
        text = path.read_text(encoding="utf-8")
    tree = ast.parse(text, filename=str(path))
    package = _dotted(path) if path.name == "__init__.py" else _dotted(path).rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            yield node.lineno, module
            for alias in node.names:  # "from . import gallery" imports a module too
                yield node.lineno, f"{module}.{alias.name}"


def _violations():
    """(path, line) -> the forbidden modules its import statement names."""
    found = {}
    for path in _modules():
        forbidden = FORBIDDEN.get(_layer(path), ())
        for lineno, module in _imports(path):
            if any(module == p or module.startswith(p + ".") for p in forbidden):
                found.setdefault((path.relative_to(ROOT).as_posix(), lineno), set()).add(module)
    return found


def _excused(path, modules):
    return any(k_path == path and k_module in modules for k_path, k_module in KNOWN)


def test_every_module_is_in_a_known_layer():
    layers = {_layer(p) for p in _modules()}
    assert layers <= {"root", "shared", "science", "views", "app"}, layers


def test_the_import_check_sees_relative_absolute_and_lazy_imports():
    pretend = PACKAGE / "science" / "x.py"  # a path name only; nothing is written there
    source = ("from ..views import gallery\nimport matplotlib.pyplot as plt\n"
              "def f():\n    from ..app.widgets import memory_panel\n")
    seen = {module for _, module in _imports(pretend, source)}
    assert {"brainviz.views.gallery", "matplotlib.pyplot", "brainviz.app.widgets"} <= seen


def test_layers_import_only_downwards():
    unexpected = {k: v for k, v in _violations().items() if not _excused(k[0], v)}
    assert not unexpected, "\n".join(
        f"{path}:{line} imports {max(modules, key=len)}: a {path.split('/')[1]} module "
        "must not (see docs/ARCHITECTURE.md)"
        for (path, line), modules in sorted(unexpected.items()))


def test_known_violations_are_still_real():
    """Remove an entry from KNOWN once the import it excuses is gone."""
    found = _violations()
    for path, module in KNOWN:
        assert any(p == path and module in modules for (p, _), modules in found.items()), (
            f"{path} no longer imports {module}: delete it from KNOWN in "
            "tests/test_architecture.py")


def _fresh_import(modules):
    code = ("import importlib, json, sys\n"
            f"for m in {modules!r}: importlib.import_module(m)\n"
            "print(json.dumps(sorted(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    return set(json.loads(out.stdout))


def _submodules(layer):
    return [_dotted(p) for p in sorted((PACKAGE / layer).glob("*.py"))]


def test_importing_the_science_loads_no_drawing_and_no_faces():
    loaded = _fresh_import(["brainviz"] + _submodules("science"))
    bad = {m for m in loaded for prefix in FORBIDDEN["science"]
           if m == prefix or m.startswith(prefix + ".")}
    assert not bad, sorted(bad)


def test_importing_the_views_loads_no_faces():
    loaded = _fresh_import(_submodules("views"))
    bad = {m for m in loaded for prefix in FORBIDDEN["views"]
           if m == prefix or m.startswith(prefix + ".")}
    assert not bad, sorted(bad)


# --- the docs name every module --------------------------------------------------------

def _named_modules():
    """Paths relative to brainviz/, e.g. 'science/params.py' (package __init__s and
    __main__ excluded; the top-level __init__ is the public API and is named)."""
    names = []
    for path in _modules():
        rel = path.relative_to(PACKAGE).as_posix()
        if rel == "__main__.py" or (path.name == "__init__.py" and rel != "__init__.py"):
            continue
        names.append(rel)
    return names


def _readme_inside():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"^## What is inside\n(.*?)(?=^## )", text, re.S | re.M)
    assert match, "README.md has no '## What is inside' section"
    return match.group(1)


def _architecture():
    return (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")


def _mentions(text):
    """Module paths named in backticks: `science/params.py` or `brainviz/app/cli.py`."""
    return {m.removeprefix("brainviz/") for m in re.findall(r"`([\w/]+\.py)`", text)}


@pytest.mark.parametrize("where", ["README.md", "docs/ARCHITECTURE.md"])
def test_docs_name_every_module(where):
    text = _readme_inside() if where == "README.md" else _architecture()
    missing = [m for m in _named_modules() if m not in _mentions(text)]
    assert not missing, f"{where} does not name: {', '.join(missing)} (write `{missing[0]}`)"


@pytest.mark.parametrize("where", ["README.md", "docs/ARCHITECTURE.md"])
def test_docs_name_no_module_that_is_gone(where):
    text = _readme_inside() if where == "README.md" else _architecture()
    stale = [m for m in _mentions(text) if "/" in m or m.startswith("_") or m in {
        "__init__.py"} if not (PACKAGE / m).exists() and not (ROOT / m).exists()]
    assert not stale, f"{where} names modules that do not exist: {stale}"


def test_architecture_says_what_may_import_what():
    text = _architecture().lower()
    for needed in ("science", "views", "app", "may import", "new mechanism", "new figure"):
        assert needed in text, needed
