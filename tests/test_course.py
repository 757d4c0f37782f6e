"""The course wherever brainviz is installed (issue 12): every notebook starts with the
setup cell, `brainviz notebooks DIR` copies notebooks and docs with working links,
never replaces a student's edits, and `--open` starts JupyterLab there."""

import json
import os
import pathlib
import re
import subprocess
import sys
import time
import urllib.request

import nbformat
import pytest

import brainviz as bv
from brainviz.app import course
from brainviz.app.cli import main

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def _source():
    urls = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"]
    return urls["Source"]


# --- the setup cell --------------------------------------------------------------------

@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_notebook_starts_with_the_setup_cell(path):
    """One source for the cell (course.setup_cell_source); it comes before the
    objectives. After a version bump or a new notebook, run:
    python -c "from brainviz.app.course import write_setup_cells; write_setup_cells('notebooks')"
    """
    first = nbformat.read(path, as_version=4).cells[0]
    assert first.cell_type == "code" and first.get("id") == course.SETUP_CELL_ID, path.name
    assert first.source == course.setup_cell_source(bv.__version__, _source()), path.name
    assert first.metadata["jupyter"]["source_hidden"] is True
    assert first.metadata["slideshow"]["slide_type"] == "skip"
    assert not first.outputs and first.execution_count is None


def _run_setup_cell(installed):
    calls, printed = [], []

    class Done:
        returncode, stderr = 0, ""

    import importlib.util
    import subprocess as real_subprocess

    source = course.setup_cell_source(bv.__version__, _source())
    env = {"print": lambda *a, **k: printed.append(" ".join(map(str, a)))}
    find_spec, run = importlib.util.find_spec, real_subprocess.run
    try:
        importlib.util.find_spec = lambda name, *a: (find_spec(name, *a) if name != "brainviz"
                                                     else (object() if installed else None))
        real_subprocess.run = lambda cmd, **kw: calls.append(cmd) or Done()
        exec(compile(source, "setup-cell", "exec"), env)
    finally:
        importlib.util.find_spec, real_subprocess.run = find_spec, run
    return calls, printed


def test_the_setup_cell_installs_the_matching_version_from_the_source_repository():
    calls, printed = _run_setup_cell(installed=False)
    assert len(calls) == 1
    cmd = calls[0]
    assert cmd[1:4] == ["-m", "pip", "install"] and "--quiet" in cmd
    assert cmd[-1] == (f"brainviz @ {_source()}/archive/refs/tags/v{bv.__version__}.tar.gz")
    assert _source().startswith("https://") and "pypi" not in cmd[-1]
    assert any("Installing brainviz" in p for p in printed)  # it says what it does


def test_the_setup_cell_does_nothing_where_brainviz_is_installed():
    assert _run_setup_cell(installed=True) == ([], [])


# --- copying the course ------------------------------------------------------------------

def _links(text):
    return re.findall(r"\]\(((?!https?:|#|mailto:)[^)\s]+)\)", text) + \
        re.findall(r"(?:href|src)=[\"']((?!https?:|#|data:)[^\"']+)", text)


def test_the_copied_course_has_every_notebook_and_working_links(tmp_path):
    report = course.copy_course(tmp_path / "course")
    folder = tmp_path / "course"
    assert sorted(report["added"]) == sorted(course.course_files())
    names = {p.name for p in NOTEBOOKS}
    assert names == {p.name for p in folder.glob("*.ipynb")}
    assert (folder / "docs" / "MODEL.md").is_file()
    checked = 0
    for path in list(folder.glob("*.ipynb")) + list((folder / "docs").glob("*.md")):
        if path.suffix == ".ipynb":
            nb = nbformat.read(path, as_version=4)
            nbformat.validate(nb)
            text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
            # paths named in the text, like `docs/MODEL.md`, exist beside the notebooks
            for named in re.findall(r"`(docs/[\w./-]+)`", text):
                assert (folder / named).is_file(), (path.name, named)
        else:
            text = path.read_text()
        for target in _links(text):
            assert (path.parent / target.split("#")[0]).resolve().is_file(), (path, target)
            checked += 1
    assert checked, "no relative links were checked"


def test_links_are_rewritten_for_the_copied_layout():
    text = "see [the model](../docs/MODEL.md#3) and <img src=\"../docs/cascade.png\">"
    assert course._rewrite_links(text, "notebook") == \
        "see [the model](docs/MODEL.md#3) and <img src=\"docs/cascade.png\">"
    assert course._rewrite_links("[nb](../notebooks/02_memory_pathways.ipynb)", "doc") == \
        "[nb](../02_memory_pathways.ipynb)"
    online = course._rewrite_links("[code](../brainviz/science/params.py)", "notebook")
    assert online == f"[code]({_source()}/blob/v{bv.__version__}/brainviz/science/params.py)"


def test_a_students_edited_notebook_is_kept_and_an_untouched_one_updated(tmp_path, capsys):
    folder = tmp_path / "course"
    assert main(["notebooks", str(folder)]) == 0
    assert "start with" in capsys.readouterr().out
    edited = folder / "02_memory_pathways.ipynb"
    edited.write_text(edited.read_text().replace("Memory pathways", "My notes"))
    stale = folder / "03_dmn_loosening.ipynb"  # as an older brainviz would have written it
    stale_text = stale.read_text().replace("DMN loosening", "DMN (old)")
    stale.write_text(stale_text)
    manifest = json.loads((folder / course.MANIFEST).read_text())
    manifest["files"][stale.name] = course._digest(stale_text.encode())
    (folder / course.MANIFEST).write_text(json.dumps(manifest))
    (folder / "01_the_trauma_brain.ipynb").unlink()
    assert main(["notebooks", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "My notes" in edited.read_text()
    assert "kept your edited 02_memory_pathways.ipynb" in out and "fresh copy" in out
    assert "DMN (old)" not in stale.read_text()  # brainviz's own copy, brought up to date
    assert (folder / "01_the_trauma_brain.ipynb").is_file()
    report = course.copy_course(folder)
    assert report["kept"] == ["02_memory_pathways.ipynb"] and not report["updated"]


def test_a_file_where_the_folder_should_be_is_a_clear_error(tmp_path, capsys):
    (tmp_path / "x").write_text("not a folder")
    assert main(["notebooks", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "DIR" in err


def test_open_starts_jupyterlab_in_the_course_with_the_first_notebook(tmp_path):
    """`brainviz notebooks DIR --open` with a stub browser that records what it was
    asked to open."""
    stub = tmp_path / "browser.py"
    opened = tmp_path / "opened.txt"
    stub.write_text(f"import sys\nopen({str(opened)!r}, 'a').write(sys.argv[-1] + '\\n')\n")
    env = dict(os.environ, BROWSER=f"{sys.executable} {stub} %s")
    for var in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"):
        (tmp_path / var.lower()).mkdir()
        env[var] = str(tmp_path / var.lower())
    brainviz = str(pathlib.Path(sys.executable).with_name("brainviz"))
    proc = subprocess.Popen([brainviz, "notebooks", str(tmp_path / "course"), "--open"],
                            cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        end = time.monotonic() + 120
        while not opened.exists() and time.monotonic() < end and proc.poll() is None:
            time.sleep(0.2)
        assert opened.exists(), proc.communicate(timeout=10)[0] if proc.poll() is not None \
            else "the browser was not asked to open anything"
        target = opened.read_text().split()[0]
        if target.startswith("file:"):  # Jupyter's redirect page keeps the token off argv
            page = pathlib.Path(urllib.request.url2pathname(target[5:])).read_text()
            target = re.search(r'href="(http[^"]+)"', page).group(1)
        assert "00_start_here.ipynb" in target and "token=" in target
        base, token = target.split("/lab")[0], re.search(r"token=([\w-]+)", target).group(1)
        with urllib.request.urlopen(f"{base}/api/contents/00_start_here.ipynb?content=0"
                                    f"&token={token}", timeout=30) as resp:
            assert json.load(resp)["type"] == "notebook"
        with urllib.request.urlopen(f"{base}/api/contents/docs/MODEL.md?content=0"
                                    f"&token={token}", timeout=30) as resp:
            assert json.load(resp)["name"] == "MODEL.md"
    finally:
        proc.terminate()
        proc.wait(timeout=30)
