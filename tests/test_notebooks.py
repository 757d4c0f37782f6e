"""Every notebook runs top to bottom in a fresh kernel, without errors or warnings,
and is stored without outputs."""

import pathlib
import re

import nbformat
import pytest
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    assert NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_stored_clean(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, path.name


@pytest.fixture(scope="module")
def copied_course(tmp_path_factory):
    """The course as a student gets it (`brainviz notebooks DIR`): the notebooks run
    there, so whatever they write (slide PNGs) lands in a temporary folder, never in
    notebooks/, and their links are those of the copied layout."""
    from brainviz.app.course import copy_course

    folder = tmp_path_factory.mktemp("course")
    copy_course(folder)
    return folder


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_without_errors_or_warnings(path, copied_course):
    before = sorted((ROOT / "notebooks").iterdir())
    path = copied_course / path.name
    nb = nbformat.read(path, as_version=4)
    preamble = nbformat.v4.new_code_cell(
        "import warnings, matplotlib\n"
        "warnings.simplefilter('error')\n"
        "matplotlib.use('Agg')")
    nb.cells.insert(0, preamble)
    # the presenter's kernel client: under CPU load a reply's wake-up can be lost, and
    # the default client would then wait for the cell timeout
    km = AsyncKernelManager(kernel_name="python3",
                            client_class="brainviz.app._voila_server.WakefulKernelClient")
    client = NotebookClient(nb, km=km, timeout=300, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(copied_course)}})
    client.execute()
    assert sorted((ROOT / "notebooks").iterdir()) == before, "a notebook wrote into notebooks/"
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                # a student's unfinished exercise is allowed to say so; nothing else is
                assert out.get("ename") == "NotImplementedError", (
                    path.name, out.get("ename"), out.get("evalue"))
            if out.output_type == "stream":
                assert out.name != "stderr" or not out.text.strip(), (path.name, out.text)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_teaches_in_the_house_structure(path):
    nb = nbformat.read(path, as_version=4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown").lower()
    assert "minutes" in text  # an estimated time
    assert "not medical advice" in text or path.name != "00_start_here.ipynb"
    if path.name[:2] in {"02", "03", "04", "05"}:  # the four mechanism notebooks
        for needed in ("learning objectives", "claim", "evidence", "<details>",
                       "the model leaves out"):
            assert needed in text, (path.name, needed)
        code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
        assert "quiz(" in code and "_panel(" in code and "video(" in code, path.name
        assert "theme=\"slides\"" in code or "theme='slides'" in code, path.name


def _markdown(path):
    return "\n".join(c.source for c in nbformat.read(path, as_version=4).cells
                     if c.cell_type == "markdown")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_links_reach_files_students_can_open(path):
    """Every relative link resolves to a file in the repository, and no notebook cites a
    file that is not in it (the evidence brief lives in docs/EVIDENCE.md)."""
    text = _markdown(path)
    assert "SCIENCE.md" not in text, path.name
    for target in re.findall(r"\]\(((?!https?:|#)[^)\s]+)\)", text):
        file = (path.parent / target.split("#")[0]).resolve()
        assert file.is_file(), (path.name, target)
        assert ROOT in file.parents, (path.name, target)


def test_readme_opens_jupyterlab_where_docs_are_reachable():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first = re.findall(r"```(?:bash|sh)?\n(.*?)```", readme, re.S)[0]
    assert "jupyter lab" in first and "notebooks/00_start_here.ipynb" in first
    # with a file to open, JupyterLab's root is that file's folder unless set: set it
    assert "--ServerApp.root_dir=." in first


def test_every_cited_study_is_in_the_evidence_tables():
    evidence = (ROOT / "docs" / "EVIDENCE.md").read_text(encoding="utf-8")
    cited = set()
    for path in NOTEBOOKS:
        for m in re.finditer(r"\b([A-Z][a-z]+(?:-[A-Z][a-z]+)?)(?: et al\.| & [A-Z][a-z]+)?,? "
                             r"((?:19|20)\d\d)\b", _markdown(path)):
            cited.add((m.group(1), m.group(2)))
    assert cited
    missing = sorted(f"{a} {y}" for a, y in cited
                     if a not in {"Eur", "Psychotraumatol", "Pharmacol"}
                     and not re.search(rf"{a}\b[^|\n]{{0,40}}{y}", evidence))
    assert not missing, missing
