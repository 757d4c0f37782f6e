"""The science: parameters, the brain network, pharmacology and the model.

Nothing here imports matplotlib, ipywidgets or any other part of brainviz's views and
faces; the public names are re-exported by :mod:`brainviz`.
"""
