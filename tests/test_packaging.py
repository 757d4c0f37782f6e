"""pyproject.toml and environment.yml list the same dependencies; the README's
commands are the ones CI runs."""

import pathlib
import re
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    tomllib = pytest.importorskip("tomli")
yaml = pytest.importorskip("yaml")


def _name(req: str) -> str:
    return re.split(r"[<>=!~;\[ ]", req.strip(), maxsplit=1)[0].lower()


def _pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_environment_yml_matches_pyproject():
    project = _pyproject()["project"]
    wanted = {_name(r): r for r in project["dependencies"] + project["optional-dependencies"]["test"]}
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    have = {_name(d): d for d in conda if _name(d) not in {"python", "pip"}}
    assert have.keys() == wanted.keys()
    for name, req in wanted.items():
        spec = req[len(name):].strip()
        assert have[name][len(name):].strip() == spec, name
    pip = [d for d in env["dependencies"] if isinstance(d, dict)][0]["pip"]
    assert "-e ." in pip  # the package itself, from the checkout
    python = [d for d in conda if _name(d) == "python"][0]
    assert python.replace(" ", "") == "python" + project["requires-python"]
    assert "conda-forge" in env["channels"]


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
