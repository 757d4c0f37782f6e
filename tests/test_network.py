import networkx as nx
import pytest

import brainviz as bv

REQUIRED = {"thalamus", "amygdala", "hippocampus", "vmpfc", "mpfc", "pcc", "angular"}


@pytest.mark.parametrize("condition", ["ptsd", "healthy"])
def test_nodes_and_edges_carry_their_attributes(condition):
    g = bv.build_network(condition)
    assert isinstance(g, nx.DiGraph)
    assert REQUIRED <= set(g.nodes)
    for name, d in g.nodes(data=True):
        assert d["label"] and d["source"]
        assert d["system"] in {"limbic", "prefrontal", "dmn", "sensory"}
        x, y, z = d["mni"]
        assert -80 <= x <= 80 and -110 <= y <= 80 and -60 <= z <= 90, name
    for u, v, d in g.edges(data=True):
        assert d["weight"] >= 0
        assert d["sign"] in (1, -1)
        assert d["pathway"] and d["source"]
    assert g.graph["condition"] == condition


def test_ptsd_differs_from_healthy_as_the_literature_says():
    ptsd, healthy = bv.build_network("ptsd"), bv.build_network("healthy")

    def w(g, pathway):
        return sum(d["weight"] for *_, d in g.edges(data=True) if d["pathway"] == pathway)

    assert w(ptsd, "trauma trace") > w(healthy, "trauma trace")  # strong trauma trace
    assert w(ptsd, "extinction") < w(healthy, "extinction")  # weak vmPFC inhibition
    assert w(ptsd, "DMN loop") > w(healthy, "DMN loop")  # rigid DMN loop
    assert w(ptsd, "salience") > w(healthy, "salience")  # amygdala-insula over-activity
    assert ptsd.edges["vmpfc", "amygdala"]["sign"] == -1


def test_dmn_loop_is_self_sustaining_but_stable():
    g = bv.build_network("ptsd")
    dmn = [n for n, d in g.nodes(data=True) if d["system"] == "dmn"]
    sub = g.subgraph(dmn)
    assert nx.is_strongly_connected(sub)
    gain = max(sum(d["weight"] for *_, d in sub.in_edges(n, data=True)) for n in dmn)
    assert 0.5 < gain < 1.0  # strong recurrence, still a stable steady state


def test_graphs_are_equal_and_independent():
    a, b = bv.build_network(), bv.build_network()
    assert nx.utils.graphs_equal(a, b)
    a.edges["vmpfc", "amygdala"]["weight"] = 99.0
    a.nodes["amygdala"]["mni"] = (0, 0, 0)
    a.graph["condition"] = "changed"
    c = bv.build_network()
    assert c.edges["vmpfc", "amygdala"]["weight"] != 99.0
    assert c.nodes["amygdala"]["mni"] != (0, 0, 0)
    assert c.graph["condition"] == "ptsd"


def test_bad_condition():
    with pytest.raises(ValueError, match="condition must be one of"):
        bv.build_network("depression")
    with pytest.raises(TypeError, match="condition must be a string"):
        bv.build_network(1)
