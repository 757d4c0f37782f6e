"""The brain network: regions placed by MNI coordinates, pathways with signs and weights.

The PTSD and healthy networks share one set of regions and pathways; they differ in
pathway weights and a few condition-level numbers, each with its source. Weights are
illustrative (dimensionless gains of a linear firing-rate model); their *ordering*
between conditions follows the meta-analyses cited.
"""

from __future__ import annotations

from types import MappingProxyType

import networkx as nx

__all__ = ["REGIONS", "PATHWAYS", "CONDITIONS", "build_network"]

_AH2010 = "Andrews-Hanna et al. 2010, Neuron (DMN node coordinates)"
_ATLAS = "approximate Harvard-Oxford atlas centroid (illustrative placement)"

#: name -> (label, system, MNI (x, y, z) in mm, source). Left hemisphere throughout.
REGIONS = MappingProxyType({
    "thalamus": ("Thalamus", "sensory", (-10.0, -18.0, 7.0), _ATLAS),
    "hippocampus": ("Hippocampus", "limbic", (-22.0, -20.0, -26.0), _AH2010 + " (HF+)"),
    "amygdala": ("Amygdala", "limbic", (-22.0, -4.0, -18.0), _ATLAS),
    "insula": ("Insula", "limbic", (-36.0, 14.0, 0.0), _ATLAS + "; over-active in PTSD, "
               "Etkin & Wager 2007 (MA)"),
    "vmpfc": ("vmPFC", "prefrontal", (0.0, 26.0, -18.0), _AH2010 + " (vMPFC)"),
    "mpfc": ("mPFC", "dmn", (-6.0, 52.0, -2.0), _AH2010 + " (aMPFC)"),
    "pcc": ("PCC", "dmn", (-8.0, -56.0, 26.0), _AH2010),
    "angular": ("Angular gyrus", "dmn", (-44.0, -74.0, 32.0), _AH2010 + " (pIPL)"),
})

_TRACE = "Etkin & Wager 2007 (MA); Duek et al. 2023 (pilot RCT)"
_VMPFC = "Etkin & Wager 2007; Hayes 2012 (MA): vmPFC under-active in PTSD"
_DMN = "Scheidegger et al. 2012 (human); rigid DMN in PTSD, illustrative strength"

#: (source, target, sign, pathway, weight PTSD, weight healthy, source of the contrast)
PATHWAYS = (
    ("thalamus", "amygdala", +1, "trauma trace", 0.45, 0.3, _TRACE),
    ("hippocampus", "amygdala", +1, "trauma trace", 0.45, 0.3, _TRACE),
    ("thalamus", "hippocampus", +1, "sensory relay", 0.5, 0.5, "illustrative"),
    ("hippocampus", "vmpfc", +1, "context", 0.4, 0.5,
     "Logue et al. 2018 (MA): smaller hippocampus in PTSD; illustrative"),
    ("vmpfc", "amygdala", -1, "extinction", 0.3, 0.5, _VMPFC),
    ("amygdala", "insula", +1, "salience", 0.5, 0.4, "Etkin & Wager 2007 (MA)"),
    ("insula", "amygdala", +1, "salience", 0.4, 0.3, "Etkin & Wager 2007 (MA)"),
    ("amygdala", "mpfc", +1, "threat to self", 0.3, 0.1, "illustrative"),
    ("hippocampus", "pcc", +1, "memory to DMN", 0.2, 0.2, "illustrative"),
    ("mpfc", "pcc", +1, "DMN loop", 0.42, 0.30, _DMN),
    ("pcc", "mpfc", +1, "DMN loop", 0.42, 0.30, _DMN),
    ("pcc", "angular", +1, "DMN loop", 0.42, 0.30, _DMN),
    ("angular", "pcc", +1, "DMN loop", 0.42, 0.30, _DMN),
    ("angular", "mpfc", +1, "DMN loop", 0.42, 0.30, _DMN),
    ("mpfc", "angular", +1, "DMN loop", 0.42, 0.30, _DMN),
)

#: Condition-level numbers, stored on ``G.graph`` by :func:`build_network`.
CONDITIONS = MappingProxyType({
    "ptsd": MappingProxyType({
        "label": "PTSD",
        "spine_density_per_um": 0.49,
        "spine_ceiling_per_um": 0.61,
        "extinction_retention_h": 48.0,
        "source": "spines lost under chronic stress and restored by ketamine: "
                  "Moda-Sava et al. 2019 (animal); extinction recall impaired on day 2: "
                  "Milad et al. 2009 (human); values illustrative",
    }),
    "healthy": MappingProxyType({
        "label": "Healthy",
        "spine_density_per_um": 0.60,
        "spine_ceiling_per_um": 0.61,
        "extinction_retention_h": 336.0,
        "source": "illustrative: no stress-induced spine loss, normal extinction recall",
    }),
})

#: Resting input to each region, and the extra input of a trauma reminder (cue).
_REST_INPUT = MappingProxyType({
    "thalamus": 0.3, "hippocampus": 0.3, "amygdala": 0.2, "insula": 0.2,
    "vmpfc": 0.4, "mpfc": 0.3, "pcc": 0.3, "angular": 0.3,
})
_CUE_INPUT = MappingProxyType({"thalamus": 1.0, "hippocampus": 0.5})
#: Where the acute glutamate burst enters the rate model: the mPFC hub of the DMN.
#: Sub-anaesthetic ketamine raises prefrontal glutamate (Moghaddam 1997, animal); the
#: vmPFC -> amygdala brake is changed only by restored synapses and extinction, since
#: no acute anti-fear effect during an infusion is documented.
_PFC = frozenset({"mpfc"})


def build_network(condition: str = "ptsd") -> nx.DiGraph:
    """Build the brain network for one condition.

    Parameters
    ----------
    condition : {"ptsd", "healthy"}
        Which network to build. The PTSD network has a strong trauma trace, weak
        vmPFC inhibition of the amygdala and a rigid DMN loop.

    Returns
    -------
    networkx.DiGraph
        A new graph. Nodes carry ``label``, ``system``, ``mni`` (x, y, z in mm),
        ``source``, ``rest_input``, ``cue_input`` (model inputs at rest and during a
        trauma reminder) and ``pfc`` (receives the acute glutamate burst: the mPFC);
        edges carry ``weight`` (>= 0), ``sign`` (+1 excitatory, -1 inhibitory),
        ``pathway`` and ``source``;
        ``G.graph`` holds the condition-level numbers of :data:`CONDITIONS`.

    Examples
    --------
    >>> from brainviz import build_network
    >>> g = build_network("ptsd")
    >>> g.edges["vmpfc", "amygdala"]["sign"]
    -1
    >>> sorted(n for n, d in g.nodes(data=True) if d["system"] == "dmn")
    ['angular', 'mpfc', 'pcc']
    """
    if not isinstance(condition, str):
        raise TypeError(f"condition must be a string, got {type(condition).__name__}")
    if condition not in CONDITIONS:
        raise ValueError(
            f"condition must be one of {sorted(CONDITIONS)}, got {condition!r}"
        )
    graph = nx.DiGraph(condition=condition, **dict(CONDITIONS[condition]))
    for name, (label, system, mni, source) in REGIONS.items():
        graph.add_node(
            name, label=label, system=system, mni=tuple(mni), source=source,
            rest_input=_REST_INPUT[name], cue_input=_CUE_INPUT.get(name, 0.0),
            pfc=name in _PFC,
        )
    column = 4 if condition == "ptsd" else 5
    for row in PATHWAYS:
        u, v, sign, pathway, source = row[0], row[1], row[2], row[3], row[6]
        graph.add_edge(u, v, weight=float(row[column]), sign=int(sign),
                       pathway=pathway, source=source)
    return graph
