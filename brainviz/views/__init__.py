"""The views: themes, the brain outline, the network on it, time courses, the scenarios
they share, storyboards, the gallery and its animations.

Plot functions take keyword-only arguments and ``ax=None`` (the current axes), and
return what they drew so callers can update artists in place. They compute no
science: they draw arrays the model made.
"""

from .brain import VIEWS, draw_axial_inset, draw_brain, outline_paths, project
from .network import NetworkArtists, draw_network, network_legend
from .timecourse import (Dendrite, days_axis, draw_dendrite, log_time_axis, plot_timecourse,
                         weeks_axis)

__all__ = ["VIEWS", "Dendrite", "NetworkArtists", "days_axis", "draw_axial_inset", "draw_brain",
           "draw_dendrite", "draw_network", "log_time_axis", "network_legend", "outline_paths",
           "plot_timecourse", "project", "weeks_axis"]
