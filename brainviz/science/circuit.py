"""The rate model on the brain network: region activity and DMN connectivity.

A linear firing-rate model ``tau dr/dt = -r + W r + h`` on the graph of
:func:`brainviz.build_network`, solved at steady state ``r = (I - W)^-1 h`` block by
block (strongly connected components in topological order), vectorised over a stack of
graphs (one per protocol) and over time. DMN functional connectivity is the mean
correlation of the DMN loop's stationary fluctuations under independent noise.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Sequence

import networkx as nx
import numpy as np

from ._numerics import _adjugate_small, _solve_small
from .network import build_network

__all__: list[str] = []


@lru_cache(maxsize=32)
def _circuit(conditions: tuple) -> "_Circuit":
    """The circuit for a sequence of conditions (cached: its arrays are never written)."""
    graphs = {c: build_network(c) for c in set(conditions)}
    return _Circuit([graphs[c] for c in conditions])


class _Circuit:
    """The linear rate model on a stack of graphs (one per protocol, same structure).

    Base edge weights are ``(n, 1)`` columns; the time-varying pathway strengths
    (trauma trace, vmPFC efficacy and extinction, DMN coupling) scale them.
    """

    def __init__(self, graphs: Sequence[nx.DiGraph]):
        g0 = graphs[0]
        self.graph = g0
        self.nodes = tuple(g0.nodes)
        self.index = {r: i for i, r in enumerate(self.nodes)}
        self.edges = tuple(g0.edges)
        cond = nx.condensation(g0)
        self.blocks = [tuple(sorted(cond.nodes[c]["members"], key=self.index.get))
                       for c in nx.topological_sort(cond)]
        self.base = {e: np.array([[g.edges[e]["weight"]] for g in graphs]) for e in self.edges}
        self.sign = {e: g0.edges[e]["sign"] for e in self.edges}
        self.pathway = {e: g0.edges[e]["pathway"] for e in self.edges}
        self.rest = {r: g0.nodes[r]["rest_input"] for r in self.nodes}
        self.cue = {r: g0.nodes[r]["cue_input"] for r in self.nodes}
        self.prefrontal = [r for r in self.nodes if g0.nodes[r]["pfc"]]
        self.dmn = [r for r in self.nodes if g0.nodes[r]["system"] == "dmn"]
        self.upstream = {r: nx.ancestors(g0, r) | {r} for r in self.nodes}
        trace = [e for e in self.edges if self.pathway[e] == "trauma trace"]
        self.trace_base = np.mean([self.base[e] for e in trace], axis=0)
        # a treated trauma trace can weaken to the healthy network's trace, no further
        healthy = build_network("healthy")
        self.trace_floor = np.mean([healthy.edges[e]["weight"] for e in trace]) / self.trace_base

    def weights(self, trace, vmpfc, extinction, coupling, brake_max=np.inf) -> dict:
        """Signed weights given relative trace, vmPFC efficacy, extinction, DMN coupling.

        ``trace`` scales the trauma-trace edges (1 = untreated), ``coupling`` the DMN
        loop edges. The vmPFC -> amygdala brake is ``vmpfc * (w + extinction)`` up to
        the untreated weight ``w``; above it the brake approaches ``brake_max``
        smoothly, so no treatment makes it stronger than that ceiling.
        """
        w = {}
        for e in self.edges:
            kind = self.pathway[e]
            if kind == "trauma trace":
                val = self.base[e] * trace
            elif kind == "extinction":
                val = _soft_ceiling(vmpfc * (self.base[e] + extinction), self.base[e],
                                    brake_max)
            elif kind == "DMN loop":
                val = self.base[e] * coupling
            else:
                val = self.base[e]
            w[e] = self.sign[e] * val
        return w

    def inputs(self, glutamate, cue_scale, glutamate_gain) -> dict:
        """Region inputs: rest, plus a trauma cue, plus the prefrontal glutamate burst."""
        h = {}
        for r in self.nodes:
            val = self.rest[r] + self.cue[r] * cue_scale
            if r in self.prefrontal:
                val = val + glutamate_gain * (glutamate - 1.0)
            h[r] = val
        return h

    def rates(self, weights: dict, inputs: dict, target: str | None = None) -> dict:
        """Steady-state rates of all regions, or only of ``target`` and its inputs."""
        blocks = self.blocks
        if target is not None:
            blocks = [b for b in blocks if set(b) & self.upstream[target]]
        return _solve_rates(blocks, weights, inputs)

    def dmn_connectivity(self, weights: dict):
        return _dmn_connectivity(self.dmn, weights)


def _soft_ceiling(raw, base, ceiling):
    """``raw`` below ``base``; above it, a smooth approach to ``ceiling`` (> ``base``)."""
    if np.all(np.isinf(ceiling)):
        return raw
    head = np.maximum(ceiling - base, 1e-12)
    return np.minimum(raw, base) - head * np.expm1(-np.maximum(raw - base, 0.0) / head)


def _solve_rates(blocks, weights: dict, inputs: dict) -> dict:
    """Steady state ``r = W r + h`` of the linear rate model, block by block.

    ``weights`` maps ``(u, v)`` to signed weight arrays and ``inputs`` maps regions
    to input arrays; all broadcast together. Strongly connected blocks are solved
    exactly in topological order, so the cost is a few vector operations per region.
    """
    rates: dict = {}
    incoming: dict = {}
    for (u, v), w in weights.items():
        incoming.setdefault(v, []).append((u, w))
    for block in blocks:
        members = set(block)
        drive = []
        for n in block:
            total = inputs[n]
            for u, w in incoming.get(n, ()):
                if u not in members:
                    total = total + w * rates[u]
            drive.append(total)
        if len(block) == 1:
            n = block[0]
            self_w = weights.get((n, n), 0.0)
            rates[n] = drive[0] / (1.0 - self_w)
            continue
        mat = [[(1.0 if i == j else 0.0) - weights.get((block[j], block[i]), 0.0)
                for j in range(len(block))] for i in range(len(block))]
        shape = np.broadcast_shapes(*[np.shape(x) for row in mat for x in row],
                                    *[np.shape(x) for x in drive])
        mat = [[np.broadcast_to(x, shape) for x in row] for row in mat]
        solved = _solve_small(mat, [np.broadcast_to(x, shape) for x in drive])
        for n, r in zip(block, solved):
            rates[n] = r
    return rates


def _dmn_system(dmn: Sequence[str], weights: dict) -> list:
    """``I - C`` for the symmetrised DMN coupling ``C`` (nested lists of arrays)."""
    k = len(dmn)
    mat = [[1.0] * k for _ in range(k)]
    for i in range(k):
        for j in range(i + 1, k):
            a = weights.get((dmn[i], dmn[j]), 0.0)
            b = weights.get((dmn[j], dmn[i]), 0.0)
            mat[i][j] = mat[j][i] = -0.5 * (a + b)
    return mat


def _dmn_connectivity(dmn: Sequence[str], weights: dict) -> np.ndarray:
    """Mean correlation among DMN regions from the loop's stationary covariance.

    For a symmetric coupling ``C`` the linear rate model driven by independent noise
    has covariance proportional to ``(I - C)^-1``.
    """
    k = len(dmn)
    mat = _dmn_system(dmn, weights)
    # correlations need the inverse only up to a positive factor: the adjugate
    cov = _adjugate_small(mat, symmetric=True)
    corr = [cov[i][j] / np.sqrt(cov[i][i] * cov[j][j])
            for i in range(k) for j in range(k) if i < j]
    return sum(corr) / len(corr)
