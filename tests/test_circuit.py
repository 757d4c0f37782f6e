"""The rate model on the network: steady states and DMN connectivity."""

import networkx as nx
import numpy as np

from brainviz.science.circuit import _circuit, _dmn_connectivity, _solve_rates


def _dense(circuit, weights, inputs):
    """The same steady state from one dense solve, for comparison."""
    nodes = circuit.nodes
    w = np.zeros((len(nodes), len(nodes)))
    for (u, v), x in weights.items():
        w[circuit.index[v], circuit.index[u]] = float(np.ravel(x)[0])
    h = np.array([float(np.ravel(inputs[r])[0]) for r in nodes])
    return dict(zip(nodes, np.linalg.solve(np.eye(len(nodes)) - w, h)))


def test_blockwise_solution_equals_a_dense_solve():
    for condition in ("ptsd", "healthy"):
        c = _circuit((condition,))
        w = c.weights(0.8, 1.3, 0.2, 0.7)
        h = c.inputs(1.4, 1.0, 0.6)
        exact = _dense(c, w, h)
        got = _solve_rates(c.blocks, w, h)
        for r in c.nodes:
            assert np.allclose(got[r], exact[r], rtol=1e-12), r


def test_blocks_follow_the_graph_and_the_dmn_is_one_block():
    c = _circuit(("ptsd",))
    assert sorted(sum(map(list, c.blocks), [])) == sorted(c.nodes)
    assert {"mpfc", "pcc", "angular"} in [set(b) for b in c.blocks]
    assert nx.is_directed_acyclic_graph(nx.condensation(c.graph))


def test_dmn_connectivity_falls_as_the_loop_loosens():
    c = _circuit(("ptsd",))
    fc = [float(np.ravel(_dmn_connectivity(c.dmn, c.weights(1, 1, 0, k)))[0])
          for k in (1.0, 0.7, 0.3, 0.0)]
    assert fc == sorted(fc, reverse=True) and fc[-1] == 0.0 and fc[0] < 1.0


def test_a_stack_of_conditions_keeps_each_graph_weights():
    c = _circuit(("ptsd", "healthy"))
    assert c.base[("vmpfc", "amygdala")].shape == (2, 1)
    assert c.base[("vmpfc", "amygdala")][0, 0] < c.base[("vmpfc", "amygdala")][1, 0]
