"""The faces: notebook panels, export for slides, the command line, presenter and deck.

They wire the model (:mod:`brainviz.science`) to its views (:mod:`brainviz.views`) and
to people; they compute no science and draw nothing of their own.
"""
