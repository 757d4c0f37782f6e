"""Every notebook runs top to bottom in a fresh kernel, without errors or warnings,
and is stored without outputs."""

import pathlib
import re

import nbformat
import numpy as np
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


def _namespace(name, tmp_path, monkeypatch):
    """Run a notebook's code cells in this process and return what they defined."""
    import contextlib
    import io

    import matplotlib.pyplot as plt

    monkeypatch.chdir(tmp_path)
    namespace = {"__name__": "__main__"}
    for c in _cells(ROOT / "notebooks" / name):
        if c.cell_type == "code" and "brainviz-setup" not in c.metadata.get("tags", []):
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(c.source, name, "exec"), namespace)
            plt.close("all")
    return namespace


def test_the_trial_notebook_prose_holds_in_the_model(tmp_path, monkeypatch):
    """What NB07's text and answers say about its own virtual trials, held to the model."""
    text = _markdown(ROOT / "notebooks" / "07_virtual_trials.ipynb")
    ns = _namespace("07_virtual_trials.ipynb", tmp_path, monkeypatch)
    g_small, g_large = ns["g_small"], ns["g_large"]
    # "trials of 15 per arm scatter widely around the truth; trials of 300 per arm barely do"
    assert "scatter widely" in text and "barely" in text
    assert np.ptp(g_small) > 4 * np.ptp(g_large)
    assert g_small.min() < g_large.min() <= g_large.max() < g_small.max()
    # the Feder-like trial shows a large g, far above the pooled g about 0.27
    assert "shows a large g" in text and g_large.mean() > 3 * 0.27
    # "the benefit of one infusion fades within a week": the one-infusion trial shows it
    single = ns["single"]
    assert (single.effect_size("ketamine", "midazolam", 7).g
            < 0.6 * single.effect_size("ketamine", "midazolam", 1).g)
    # "a population whose biology responds less gives a smaller effect in the model"
    weak = ns["bv"].trial(ns["arms"], n_per_arm=300, seed=0,
                          params={"bdnf_gain": 0.4 * ns["bv"].PARAMS["bdnf_gain"].default})
    assert weak.effect_size("ketamine", "midazolam", 14).g < g_large[0]  # same seed and size
    # "What survives": all three animal-only mechanisms off
    assert "ketamine no longer beats" in text and "exposure therapy still gives clear relief" in text
    on = {name: ok for name, ok, _ in ns["_conclusions"](())}
    off = {name: ok for name, ok, _ in ns["_conclusions"](tuple(ns["ANIMAL_ONLY"]))}
    assert all(on[k] for k in list(on)[:4])
    assert not off["six infusions beat midazolam at 2 weeks"]
    assert not off["relief lasts weeks after the course"]
    assert not off["a session during the infusion builds less"]
    assert off["exposure therapy gives clear relief"]
    # 6(b): "four times the patients, half the width"
    widths = []
    for n in (30, 120):
        es = ns["bv"].trial(ns["arms"], n_per_arm=n, seed=7).effect_size("ketamine",
                                                                           "midazolam", 14)
        widths.append(es.high - es.low)
    assert 1.7 < widths[0] / widths[1] < 2.3


def _solution(name):
    """The hidden solution of a notebook's (first) build-a-piece exercise, as a function."""
    import brainviz as bv
    from brainviz.science.stages import low_pass

    stub, code, _ = _exercises(ROOT / "notebooks" / name)[0]
    namespace = {"bv": bv, "np": np, "low_pass": low_pass}
    exec(code, namespace)
    return namespace[re.search(r"def (\w+)", stub.source).group(1)]


def test_the_dmn_notebook_prose_holds_in_the_model():
    import brainviz as bv

    text = _markdown(ROOT / "notebooks" / "03_dmn_loosening.ipynb")
    one = bv.Protocol(doses=[bv.Dose(0, 0.5)], days=14)
    base = bv.simulate(one)

    def dip(c, h):
        return c.dmn_connectivity[0] - c.at("dmn_connectivity", h)

    # "What you should have seen": 1. flat without loosening; 2. about the same at 1 mg/kg,
    # BDNF hardly rises; 3. more of the dip left at day 14 with more remodelling
    assert np.ptp(bv.simulate(one, params={"dmn_loosening_gain": 0.0}).dmn_connectivity) == 0
    double = bv.simulate(bv.Protocol(doses=[bv.Dose(0, 1.0)], days=14))
    assert "About the same" in text and abs(dip(double, 24) / dip(base, 24) - 1) < 0.1
    assert (double.bdnf.max() - 1) < 1.2 * (base.bdnf.max() - 1)
    more = bv.simulate(one, params={"dmn_remodel_fraction": 0.7})
    assert dip(more, 14 * 24) > dip(base, 14 * 24)
    # "What the comparison shows": the student's fast-only stage against the built-in one
    assert "agree over the first hours" in text and "Within the first\nday they part" in text
    mine = bv.simulate(one, stages={"dmn": _solution("03_dmn_loosening.ipynb")})
    assert abs(dip(mine, 6) - dip(base, 6)) < 0.05 * dip(base, 6)
    assert dip(mine, 24) < 0.8 * dip(base, 24)
    assert dip(mine, 96) < 0.1 * dip(base, 96)  # yours is back within days
    assert dip(base, 14 * 24) > 0.1 * dip(base, 24)  # the built-in loop keeps part


def test_the_bdnf_notebook_prose_holds_in_the_model():
    import brainviz as bv
    from brainviz.science.stages import low_pass

    text = _markdown(ROOT / "notebooks" / "04_bdnf_plasticity.ipynb")

    def relief(c, h):
        return c.symptoms[0] - c.at("symptoms", h)

    # "Without the inverted U the glutamate burst keeps growing with dose, yet relief at 3
    # mg/kg still does not beat 1 mg/kg" (the notebook's no_u: the stage without (1 - o_p)^2)
    def no_u(t_h, state, params):
        o = state["nmda_occupancy"]
        target = 1 + params["disinhibition_gain"] * o ** params["disinhibition_hill"]
        return {"glutamate": 1 + low_pass(target - 1, t_h, params["glutamate_tau_h"])}

    assert "keeps growing with dose, yet relief at 3\nmg/kg still does not beat 1 mg/kg" in text
    runs = bv.sweep([bv.Protocol(doses=[bv.Dose(0, mg)], days=2) for mg in (0.5, 1.0, 3.0)],
                    stages={"glutamate": no_u})
    peaks = [c.glutamate.max() for c in runs]
    assert peaks[0] < peaks[1] < peaks[2] and relief(runs[2], 24) < relief(runs[1], 24)
    # routes: "Relief is not proportional to the plasma peak"
    iv, oral = bv.sweep([bv.Protocol(doses=[bv.Dose(0, 0.5, r)], days=2) for r in ("iv", "oral")])
    assert (relief(oral, 24) / relief(iv, 24)
            > 3 * oral.plasma_ng_ml.max() / iv.plasma_ng_ml.max())
    # blockades: "With BDNF blocked nothing is left. With mTOR or the spines blocked, some
    # early relief remains but the later part is gone"
    assert "With BDNF blocked nothing is left" in text
    one = bv.Protocol(doses=[bv.Dose(0, 0.5)], days=8)
    normal, bdnf, mtor, spines = bv.sweep([one] * 4, params={
        "bdnf_gain": [bv.PARAMS["bdnf_gain"].default, 0.0] + [bv.PARAMS["bdnf_gain"].default] * 2,
        "mtor_gain": [bv.PARAMS["mtor_gain"].default] * 2 + [0.0, bv.PARAMS["mtor_gain"].default],
        "spine_gain": [bv.PARAMS["spine_gain"].default] * 3 + [0.0]})
    assert max(abs(relief(bdnf, h)) for h in (4, 24, 168)) < 0.01
    for blocked in (mtor, spines):
        assert relief(blocked, 4) > 0.5 * relief(normal, 4)
        assert relief(blocked, 168) < 0.05 * relief(normal, 168)


def test_the_synergy_notebook_prose_holds_in_the_model():
    import brainviz as bv
    from brainviz.science import stages
    from brainviz.science.protocols import exposure_course, standard_course

    text = _markdown(ROOT / "notebooks" / "05_therapy_synergy.ipynb")
    # constants the text names
    assert "$E_{max}$ (0.6, fixed in the model)" in text and stages._EXTINCTION_MAX == 0.6
    assert "0.75 of exposure's arousal" in text and bv.SESSION_KINDS["emdr"].arousal == 0.75
    # section 1: the two therapy arms' g is close to zero, its interval on both sides of it
    trial = bv.trial({"exposure alone": standard_course("exposure"),
                      "infusion + exposure": standard_course("one_infusion_exposure")},
                     n_per_arm=200, seed=0)
    es = trial.effect_size("infusion + exposure", "exposure alone", day=84)
    assert abs(es.g) < 0.3 and es.low < 0 < es.high
    # section 2: a day after the infusion the first session meets a calmer amygdala, is
    # more tolerable, builds and consolidates more, and keeps most of the trace
    exposure, both = bv.sweep([standard_course("exposure"),
                               standard_course("one_infusion_exposure")])
    alone, after = exposure.session_log[0], both.session_log[0]
    assert after["amygdala_response"] < alone["amygdala_response"]
    assert after["tolerability"] >= alone["tolerability"]
    assert after["extinction_gained"] > alone["extinction_gained"]
    assert after["consolidated_share"] > alone["consolidated_share"]
    assert 0.5 < after["trace_kept"] < 1  # "well above 0: the memory is not erased"
    # the panel's "What you should have seen": (1) the first session at 1 h loses a little
    from brainviz.app import widgets

    panel = widgets.synergy_panel()
    day = panel.data[0][3].symptoms[-1]
    panel.set(delay_h=1)
    assert "loses a little" in text and day < panel.data[0][3].symptoms[-1] < day + 2
    # (2) one session vs ten, (3) a higher dose
    def added(n, mg=0.5):
        sessions = list(exposure_course(n))
        alone_n, both_n = bv.sweep([bv.Protocol(therapy=sessions, days=84),
                                    bv.Protocol(doses=[bv.Dose(0, mg)], therapy=sessions,
                                                days=84)])
        return alone_n.symptoms[-1] - both_n.symptoms[-1], both_n
    gains = {n: added(n)[0] for n in (1, 2, 4, 10)}
    relief_alone = {n: bv.simulate(bv.Protocol(therapy=list(exposure_course(n)), days=84))
                    for n in (1, 10)}
    relative = {n: gains[n] / (relief_alone[n].symptoms[0] - relief_alone[n].symptoms[-1])
                for n in (1, 10)}
    assert relative[1] > relative[10]  # one session: more in relative terms
    # section 7: "Ketamine adds the most when there are few sessions"
    assert max(gains, key=gains.get) in (1, 2) and gains[10] < max(gains.values())
    high_gain, high = added(10, mg=2.0)
    _, standard = added(10)
    assert high.dissociation.max() > standard.dissociation.max()
    assert high.bp_rise_mmhg.max() > standard.bp_rise_mmhg.max()
    assert high_gain <= gains[10] + 0.5  # "no better course"
    # section 5: without consolidation both courses keep clearly less relief at week 12
    mine = _solution("05_therapy_synergy.ipynb")
    ten = [standard_course("exposure"), standard_course("one_infusion_exposure")]
    kept = {}
    for kappa in (bv.PARAMS["extinction_consolidation"].default, 0.0):
        runs = bv.sweep(ten, params={"extinction_consolidation": kappa},
                        stages={"extinction": mine})
        kept[kappa] = [c.symptoms[0] - c.symptoms[-1] for c in runs]
    assert all(k0 < 0.8 * k for k0, k in zip(kept[0.0], kept[bv.PARAMS[
        "extinction_consolidation"].default]))


def test_the_virtual_lab_prose_holds_in_the_model(tmp_path, monkeypatch):
    text = _markdown(ROOT / "notebooks" / "06_virtual_lab.ipynb")
    ns = _namespace("06_virtual_lab.ipynb", tmp_path, monkeypatch)
    bv = ns["bv"]
    week4 = {n: c.symptoms[-1] for n, c in {**ns["results"], **ns["arms"]}.items()}
    # section 2: the vmPFC lesion hurts most; the BDNF block leaves about therapy alone;
    # learning without NMDA receptors changes little
    lesions = {n: v for n, v in week4.items() if n in ns["results"] and n != "intact"}
    assert max(lesions, key=lesions.get) == "vmPFC lesion"
    assert abs(week4["BDNF blocked"] - week4["therapy alone"]) < 1.0
    assert abs(week4["NMDA-free learning"] - week4["intact"]) < 1.0
    # section 3: "a first session in the first hours builds little, and less the higher the
    # dose; from about half a day to two days later the same session builds the most"
    first, mg, delay = ns["first"], ns["mg_grid"], ns["delay_grid"]
    assert "from about half a day\nto two days later" in text
    row = first[np.searchsorted(mg, 0.5)]
    assert 12 <= delay[np.argmax(row)] <= 48 and row[0] < 0.5 * row.max()
    assert first[-1, 0] < first[np.searchsorted(mg, 0.5), 0]
    # "apart from a first session at the very start of the infusion, the whole course
    # changes little across the map"
    week4_map = ns["week4_map"]
    therapy_relief = (ns["arms"]["no treatment"].symptoms[-1]
                      - ns["arms"]["therapy alone"].symptoms[-1])
    assert "apart from a first session\nat the very start" in text and delay[0] == 0
    assert np.ptp(week4_map[:, 1:]) < 0.25 * therapy_relief
    assert week4_map[:, 0].min() > week4_map[:, 1:].max() - 1  # the start: worse
    # section 4: six infusions dip deep and outlast the course by weeks, then fade; most
    # of the combination's relief is therapy's
    six, combined, therapy, none = ns["compared"]
    relief = six.symptoms[0] - six.symptoms
    assert six.symptoms[0] - six.at("symptoms", 28 * 24) > 0.4 * relief.max()  # weeks after
    assert relief[-1] < 0.5 * relief.max()  # then fades
    gain = {c: c.symptoms[0] - c.symptoms[-1] for c in (combined, therapy, none)}
    assert gain[therapy] > 0.5 * gain[combined]  # most of it is therapy's
    # section 5: a healthy network starts low and barely changes under the same course
    healthy = bv.simulate(bv.Protocol(doses=[bv.Dose(0, 0.5)], therapy=[bv.Session(24, "exposure", 90)],
                                      days=28, condition="healthy"))
    ptsd = bv.simulate(bv.Protocol(doses=[bv.Dose(0, 0.5)], therapy=[bv.Session(24, "exposure", 90)],
                                   days=28))
    assert healthy.symptoms[0] < ptsd.symptoms[0]
    assert np.ptp(healthy.symptoms) < 0.25 * np.ptp(ptsd.symptoms)


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


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_calibration_checks_cited_by_notebooks_are_in_model_md(path):
    """A student follows "check C9 in docs/MODEL.md" to a row that is there; the test
    suite's internal statement numbers are not in any document a student can open."""
    text = _markdown(path)
    assert "checkable statement" not in text, path.name
    model = (ROOT / "docs" / "MODEL.md").read_text(encoding="utf-8")
    for check in re.findall(r"calibration check (C\d+)", text):
        assert re.search(rf"^\| {check} \|", model, re.M), (path.name, check)


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
