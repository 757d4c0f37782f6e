"""pyproject.toml and environment.yml list the same dependencies; the README's
commands are the ones CI runs."""

import os
import pathlib
import re
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - tomli is a test dependency on 3.10 (see pyproject.toml)
    import tomli as tomllib
import yaml  # noqa: E402


def _name(req: str) -> str:
    return re.split(r"[<>=!~;\[ ]", req.strip(), maxsplit=1)[0].lower()


def _spec(req: str) -> str:
    """The version range, without the name, an environment marker or a comment."""
    req = req.split("#", 1)[0].split(";", 1)[0].strip()
    return req[len(_name(req)):].strip()


def _conda(path):
    env = yaml.safe_load((ROOT / path).read_text(encoding="utf-8"))
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    return env, {_name(d): _spec(d) for d in conda if _name(d) not in {"python", "pip"}}


def _pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_environment_yml_matches_pyproject():
    project = _pyproject()["project"]
    wanted = {_name(r): _spec(r) for r in
              project["dependencies"] + project["optional-dependencies"]["test"]}
    env, have = _conda("environment.yml")
    assert have == wanted
    pip = [d for d in env["dependencies"] if isinstance(d, dict)][0]["pip"]
    assert "-e ." in pip  # the package itself, from the checkout
    python = [d for d in env["dependencies"] if isinstance(d, str) and _name(d) == "python"][0]
    assert python.replace(" ", "") == "python" + project["requires-python"]
    assert "conda-forge" in env["channels"]


def test_binder_builds_the_runtime_dependencies_and_installs_brainviz():
    """A Binder or JupyterHub image (repo2docker) from the repository: the runtime
    dependencies (and voila, to present), then brainviz itself from the checkout."""
    project = _pyproject()["project"]
    wanted = {_name(r): _spec(r) for r in
              project["dependencies"] + project["optional-dependencies"]["present"]}
    env, have = _conda("binder/environment.yml")
    assert have == wanted
    post = ROOT / "binder" / "postBuild"
    assert os.access(post, os.X_OK) and "pip install --no-deps" in post.read_text()
    assert post.read_text().rstrip().endswith(" .")


def test_one_version_string():
    """The version lives in brainviz/__init__.py; pyproject.toml reads it from there."""
    import importlib.metadata

    import brainviz

    project = _pyproject()["project"]
    assert "version" not in project and "version" in project["dynamic"]
    attr = _pyproject()["tool"]["setuptools"]["dynamic"]["version"]["attr"]
    assert attr == "brainviz.__version__"
    assert importlib.metadata.version("brainviz") == brainviz.__version__
    assert len(re.findall(r"^__version__ = ", (ROOT / "brainviz" / "__init__.py").read_text(),
                          re.M)) == 1


def test_the_source_url_is_in_pyproject_and_every_python_is_listed():
    project = _pyproject()["project"]
    assert project["urls"]["Source"].startswith("https://github.com/")
    versions = {c.rsplit(" ", 1)[-1] for c in project["classifiers"]
                if c.startswith("Programming Language :: Python :: 3.")}
    assert versions == {"3.10", "3.11", "3.12", "3.13"}
    assert project["requires-python"] == ">=3.10"


def test_tomli_is_a_test_dependency_on_python_3_10_only():
    test = _pyproject()["project"]["optional-dependencies"]["test"]
    tomli = [r for r in test if _name(r) == "tomli"]
    assert tomli and "python_version < '3.11'" in tomli[0].replace('"', "'")


def test_the_sdist_carries_the_course():
    manifest = (ROOT / "MANIFEST.in").read_text()
    assert "recursive-include notebooks *.ipynb" in manifest and "docs/*.md" in manifest
    setup = (ROOT / "setup.py").read_text()
    assert '"notebooks", "*.ipynb"' in setup and "_course" in setup


def test_required_packages_are_runtime_dependencies():
    deps = {_name(r) for r in _pyproject()["project"]["dependencies"]}
    assert {"matplotlib", "networkx", "numpy", "ipywidgets", "jupyterlab"} <= deps


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    blocks = re.findall(r"```(?:bash|sh)?\n(.*?)```", readme, re.S)
    test_cmd = [b.strip() for b in blocks if "pytest" in b]
    assert test_cmd, "README has no test command"
    assert test_cmd[0] in ci
