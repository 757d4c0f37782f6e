"""Every notebook runs top to bottom in a fresh kernel, without errors or warnings,
and is stored without outputs."""

import pathlib

import nbformat
import pytest
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


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_without_errors_or_warnings(path, tmp_path):
    nb = nbformat.read(path, as_version=4)
    preamble = nbformat.v4.new_code_cell(
        "import warnings, matplotlib\n"
        "warnings.simplefilter('error')\n"
        "matplotlib.use('Agg')")
    nb.cells.insert(0, preamble)
    client = NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            assert out.output_type != "error", (path.name, out.get("ename"), out.get("evalue"))
            if out.output_type == "stream":
                assert out.name != "stderr" or not out.text.strip(), (path.name, out.text)
