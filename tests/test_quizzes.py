"""The notebooks' self-check questions: they live in one data file, every notebook's
quiz exists, options are balanced and shuffled, and every answer that states what the
model does is held to the model."""

import collections
import pathlib
import re
import sys

import nbformat
import numpy as np
import pytest

import brainviz as bv
from brainviz.app import widgets

ROOT = pathlib.Path(__file__).resolve().parents[1]
BANK = widgets._quiz_bank()
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def _calls():
    """(notebook, argument source) for every quiz(...) call in a code cell."""
    out = []
    for path in NOTEBOOKS:
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code":
                out += [(path.name, m) for m in re.findall(r"\bquiz\((.*?)\)\s*$", cell.source,
                                                            re.M)]
    return out


def test_every_notebook_quiz_is_one_id_from_the_bank():
    calls = _calls()
    assert len(calls) >= len(BANK)
    for name, args in calls:
        m = re.fullmatch(r"\s*[\"']([a-z0-9-]+)[\"']\s*", args)
        assert m, f"{name}: a quiz cell is just quiz('id'), got quiz({args})"
        assert m.group(1) in BANK, (name, m.group(1))


def test_every_question_is_used_and_belongs_to_its_notebook():
    used = collections.defaultdict(set)
    for name, args in _calls():
        used[args.strip(" '\"")].add(name[:2])
    for qid, item in BANK.items():
        assert item["notebook"] in used[qid], (qid, "not asked in its notebook")


def test_questions_are_well_formed():
    for qid, item in BANK.items():
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", qid)
        assert item["asks"] in {"prediction", "figure", "concept", "evidence"}, qid
        options = item["options"]
        assert len(options) >= 3, qid
        assert sum(o["correct"] for o in options) == 1, qid
        assert len({o["text"] for o in options}) == len(options), qid
        for o in options:  # every option explains itself, wrong ones say why
            assert len(o["feedback"]) >= 30, (qid, o["text"])


def test_at_least_half_ask_for_a_prediction_or_a_reading_of_a_figure():
    kinds = collections.Counter(item["asks"] for item in BANK.values())
    assert kinds["prediction"] + kinds["figure"] >= len(BANK) / 2, kinds


def test_options_are_balanced_in_length():
    longest = 0
    for qid, item in BANK.items():
        lengths = [len(o["text"]) for o in item["options"]]
        assert max(lengths) <= 1.5 * min(lengths), (qid, lengths)
        right = [len(o["text"]) for o in item["options"] if o["correct"]][0]
        longest += right == max(lengths) and lengths.count(right) == 1
    # the right answer is the longest no more often than chance would make it
    assert longest <= len(BANK) / 3, f"the right option is the longest in {longest} questions"


def test_the_right_answer_sits_in_no_fixed_place():
    positions = collections.Counter()
    for qid in BANK:
        shown = widgets.quiz_options(qid)
        assert widgets.quiz_options(qid) == shown  # seeded: the same on every run
        assert sorted(o["text"] for o in shown) == sorted(o["text"] for o in BANK[qid]["options"])
        positions[[o["correct"] for o in shown].index(True)] += 1
    assert len(positions) >= 3, positions
    assert max(positions.values()) <= 0.5 * len(BANK), positions


def test_the_quiz_widget_explains_each_choice():
    q = widgets.quiz("memory-window-reading")
    assert "Read the figure" in q.children[0].value
    q.check.click()
    assert "Pick an answer" in q.feedback.value
    options = widgets.quiz_options("memory-window-reading")
    wrong = [o for o in options if not o["correct"]][0]
    q.choice.value = wrong["text"]
    q.check.click()
    assert "Not quite" in q.feedback.value and wrong["feedback"][:40] in q.feedback.value
    right = [o for o in options if o["correct"]][0]
    q.choice.value = right["text"]
    q.check.click()
    assert "Correct" in q.feedback.value


def test_unknown_quiz_id_suggests_the_nearest():
    with pytest.raises(ValueError, match="did you mean 'bdnf-last-peak'"):
        widgets.quiz("bdnf-last-peek")


def test_the_bank_ships_as_package_data():
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        tomllib = pytest.importorskip("tomli")
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert "quizzes.json" in data["package-data"]["brainviz.app"]


# ---------------------------------------------------------------------------------
# answers that say what the model does are held to the model
# ---------------------------------------------------------------------------------

IV = bv.Dose(0, 0.5, "iv")


def _answer(qid):
    return [o["text"] for o in BANK[qid]["options"] if o["correct"]][0]


def test_start_drug_gone():
    c = bv.simulate(bv.Protocol(doses=[IV], days=21))
    assert _answer("start-drug-gone").startswith("Almost none")
    at_spine_peak = c.plasma_ng_ml[np.argmax(c.spine_density)]
    assert at_spine_peak < 0.05 * c.plasma_ng_ml.max()


def test_trauma_weaker_pathway_and_lesion():
    ptsd, healthy = bv.build_network("ptsd"), bv.build_network("healthy")
    assert _answer("trauma-weaker-pathway").startswith("The vmPFC")
    assert ptsd.edges["vmpfc", "amygdala"]["weight"] < healthy.edges["vmpfc", "amygdala"]["weight"]
    for u in ("thalamus", "hippocampus"):
        assert ptsd.edges[u, "amygdala"]["weight"] > healthy.edges[u, "amygdala"]["weight"]
    rise = {}
    for condition in ("ptsd", "healthy"):
        intact = bv.simulate(bv.Protocol(days=1, condition=condition))
        lesion = bv.simulate(intact.protocol, params={"vmpfc_gain": 0.0})
        rise[condition] = lesion.amygdala_response[0] - intact.amygdala_response[0]
    assert _answer("trauma-lesion-predict").startswith("The healthy")
    assert rise["healthy"] > rise["ptsd"] > 0


def _trace_kept(session_h, **kw):
    c = bv.simulate(bv.Protocol(doses=[IV], therapy=[bv.Session(session_h, "exposure", 60)],
                                days=6), **kw)
    return c.session_log[0]["trace_kept"]


def test_memory_answers():
    assert _answer("memory-during-infusion").startswith("Less")
    assert _trace_kept(1.0) > _trace_kept(24.0)  # more kept = less weakened
    assert _answer("memory-no-retrieval").startswith("Nothing")
    c = bv.simulate(bv.Protocol(doses=[IV], days=7))
    assert np.ptp(c.trauma_trace) == 0


def test_dmn_healthy_predict():
    ptsd, healthy = bv.sweep([bv.Protocol(doses=[IV], days=2),
                              bv.Protocol(doses=[IV], days=2, condition="healthy")])
    drop = {c.protocol.condition: c.dmn_connectivity[0] - c.at("dmn_connectivity", 24.0)
            for c in (ptsd, healthy)}
    assert _answer("dmn-healthy-predict").startswith("By less")
    assert 0 < drop["healthy"] < drop["ptsd"]


def test_bdnf_answers():
    c = bv.simulate(bv.Protocol(doses=[IV], days=14))
    peak = {k: c.t_h[np.argmax(c.series[k])]
            for k in ("plasma_ng_ml", "glutamate", "bdnf", "spine_density")}
    assert _answer("bdnf-last-peak") == "the new spines"
    assert peak["spine_density"] == max(peak.values())
    normal, short = bv.sweep([c.protocol] * 2, params={"spine_tau_days": [5.0, 2.0]})
    change = {h: abs(short.at("symptoms", h) - normal.at("symptoms", h)) for h in (4, 168)}
    assert _answer("bdnf-spines-maintain").startswith("One week")
    assert change[168] > 5 * change[4]
    oral = bv.simulate(bv.Protocol(doses=[bv.Dose(0, 0.5, "oral")], days=7))
    assert oral.plasma_ng_ml.max() < c.plasma_ng_ml.max() / 3
    assert oral.spine_density.max() > oral.spine_density[0]


def test_synergy_answers():
    runs = bv.sweep([bv.Protocol(doses=[IV], therapy=[bv.Session(h, "exposure", 90)], days=7)
                     for h in (0.5, 24.0)])
    early, late = (c.session_log[0]["extinction_gained"] for c in runs)
    assert _answer("synergy-during-infusion").startswith("Less")
    assert early < late
    supportive = [bv.Session(24 + 168 * w, "supportive", 90) for w in range(10)]
    alone, with_talk = bv.sweep([bv.Protocol(doses=[IV], days=84),
                                 bv.Protocol(doses=[IV], therapy=supportive, days=84)])
    assert _answer("synergy-supportive").startswith("The same")
    assert with_talk.symptoms[-1] == pytest.approx(alone.symptoms[-1])


def test_lab_nmda_predict():
    early = bv.Protocol(doses=[IV], therapy=[bv.Session(0.5, "exposure", 90)], days=7)
    intact, free = bv.sweep([early, early], params={"nmda_learning_dependence": [1.0, 0.0]})
    assert _answer("lab-nmda-predict").startswith("More")
    assert free.session_log[0]["extinction_gained"] > intact.session_log[0]["extinction_gained"]
