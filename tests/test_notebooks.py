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


MECHANISMS = [p for p in NOTEBOOKS if p.name[:2] in {"02", "03", "04", "05"}]


def _cells(path):
    return nbformat.read(path, as_version=4).cells


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_teaches_in_the_house_structure(path):
    """Objectives, minutes per section, every section in the plan, "What you learned" last."""
    cells = _cells(path)
    text = "\n".join(c.source for c in cells if c.cell_type == "markdown")
    head = [c.source for c in cells if c.cell_type == "markdown"][0]
    assert "not medical advice" in text.lower(), path.name
    assert re.search(r"\*\*Learning objectives\.\*\*.*\n1\. .+\n2\. ", head, re.S), path.name
    planned = dict(re.findall(r"^\| ([^|]+?) \| (\d+) \|$", head, re.M))
    assert planned and all(int(m) > 0 for m in planned.values()), path.name
    assert f"about {sum(int(m) for m in planned.values())} minutes" in head, path.name
    sections = re.findall(r"^## (.+)$", text, re.M)
    assert sections[-1] == "What you learned", path.name
    assert set(sections) == set(planned), (path.name, set(sections) ^ set(planned))


def test_start_here_does_not_open_with_plotting_code():
    cells = _cells(ROOT / "notebooks" / "00_start_here.ipynb")
    code = [c.source for c in cells if c.cell_type == "code"
            and "brainviz-setup" not in c.metadata.get("tags", [])
            and "hide-input" not in c.metadata.get("tags", [])]
    assert "plt." not in code[0] and len(code[0].splitlines()) <= 3


_STATE = {"doses", "condition", "trace_floor", "extinction_retention_h", "spine_baseline_per_um",
          "spine_ceiling_per_um", "pyramidal_occupancy", "nmda_effective_um", "trace_strength",
          "session_at_h", "session_minutes", "session_retrieval", "session_valid",
          "session_index", "session_extinction_gained", "session_consolidated_share",
          "low_pass", "pharmacology", "glutamate", "plasticity", "reconsolidation", "extinction",
          "dmn", "readout"}


@pytest.mark.parametrize("path", MECHANISMS, ids=lambda p: p.name)
def test_mechanism_notebooks_show_their_equations(path):
    """At least two display equations, and every name they are explained with is a
    parameter (with its unit given), a course series or a stage input."""
    import brainviz as bv

    series = set(bv.simulate(bv.Protocol(doses=[bv.Dose(0, 0.5)], days=1)).series)
    cells = [c.source for c in _cells(path) if c.cell_type == "markdown" and "$$" in c.source]
    equations = [e for c in cells for e in re.findall(r"\$\$(.+?)\$\$", c, re.S)]
    assert len(equations) >= 2, path.name
    named = set()
    for cell in cells:
        for name, rest in re.findall(r"`([a-z][a-z0-9_]+)`([^\n]*)", cell):
            assert name in bv.PARAMS or name in series or name in _STATE, (path.name, name)
            if name in bv.PARAMS:
                named.add(name)
                unit = {"1": "dimensionless", "uM": "µM"}.get(bv.PARAMS[name].unit,
                                                               bv.PARAMS[name].unit)
                assert unit in cell.split(f"`{name}`", 1)[1][:120], (path.name, name, "unit not given")
    assert len(named) >= 3, path.name


def _exercises(path, cells=None):
    """(stub, solution code, check) cells of every build-a-piece exercise."""
    cells = _cells(path) if cells is None else cells
    out = []
    for i, c in enumerate(cells):
        if "exercise" in c.metadata.get("tags", []):
            check = next(x for x in cells[i + 1:] if "check" in x.metadata.get("tags", []))
            solution = next(x for x in cells[i + 1:] if "solution" in x.metadata.get("tags", []))
            code = re.search(r"```python\n(.*?)```", solution.source, re.S).group(1)
            out.append((c, code, check))
    return out


@pytest.mark.parametrize("path", MECHANISMS, ids=lambda p: p.name)
def test_mechanism_notebooks_have_a_build_a_piece_exercise(path):
    found = [(stub, check) for stub, _, check in _exercises(path)
             if "compare_stage(" in check.source]
    assert found, path.name
    for stub, check in found:
        # the stub defines a function that raises only when called
        tree = __import__("ast").parse(stub.source)
        assert all(type(node).__name__ == "FunctionDef" for node in tree.body), path.name
        assert "raise NotImplementedError" in stub.source


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if _exercises(p)], ids=lambda p: p.name)
def test_every_exercise_matches_with_its_hidden_solution(path, tmp_path, monkeypatch):
    """Run the notebook's code in this process with each stub replaced by its solution:
    every check must say it matches (and, with the stub, that it is not written yet)."""
    import contextlib
    import io

    import matplotlib.pyplot as plt

    monkeypatch.chdir(tmp_path)  # slide PNGs land here
    cells = _cells(path)
    solutions = {id(stub): code for stub, code, _ in _exercises(path, cells)}
    namespace = {"__name__": "__main__"}
    verdicts = []
    for c in cells:
        tags = c.metadata.get("tags", [])
        if c.cell_type != "code" or "brainviz-setup" in tags:
            continue
        source = solutions.get(id(c), c.source)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(source, path.name, "exec"), namespace)
        plt.close("all")
        if "check" in tags:
            verdicts.append(out.getvalue())
    assert verdicts
    for verdict in verdicts:
        assert "✓" in verdict and "✗" not in verdict and "Not" not in verdict, (path.name, verdict)


def test_notebook_06_compares_with_every_arm_it_needs():
    source = "\n".join(c.source for c in _cells(ROOT / "notebooks" / "06_virtual_lab.ipynb"))
    for arm in ("no treatment", "therapy alone", "sessions alone"):
        assert arm in source


def test_the_virtual_trial_notebook():
    path = [p for p in NOTEBOOKS if "trial" in p.name]
    assert len(path) == 1
    source = "\n".join(c.source for c in _cells(path[0]))
    for needed in ("bv.trial(", 'drug="midazolam"', "n_per_arm=15", "n_per_arm=300",
                   "effect_size(", "responders(", "Feder et al. 2014", "Feder et al. 2021",
                   "Abdallah et al. 2022", "Duek et al. 2023", "Borgogna et al. 2024",
                   "evidence dial", "ANIMAL_ONLY"):
        assert needed in source, needed


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_model_number_is_typed_into_prose(path):
    """Decimals in the text are published numbers (with their source on the same line) or
    computed in a cell: a model output typed into Markdown would go stale."""
    for c in _cells(path):
        if c.cell_type != "markdown":
            continue
        for line in c.source.splitlines():
            for number in re.findall(r"(?<![\w.$])\d+\.\d{2,}(?![\w.])", line):
                published = re.search(r"(19|20)\d\d|\bg\b|\bCI\b|µM|ng/mL|mg/kg|d about|illustrative|p < ",
                                      line)
                assert published, (path.name, number, line)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_markdown_has_no_control_characters(path):
    """A LaTeX command written through a Python string loses its backslash ("\\tau"
    becomes a tab and "au"): the equation then renders wrong without any error."""
    for c in _cells(path):
        if c.cell_type == "markdown":
            bad = re.search(r"[\x00-\x09\x0b-\x1f]", c.source)
            assert not bad, (path.name, c.source[max(0, bad.start() - 30):bad.end() + 10])


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
