"""A tiny stand-in for ``brainviz.views.gallery`` that follows its contract.

Tests of the export and the command line use it (through ``install``), so they stay
fast and do not depend on the real figures: small figures, few frames.
"""

from __future__ import annotations

import os
import time
import types
from dataclasses import dataclass

import numpy as np
from matplotlib.animation import FuncAnimation
from matplotlib.figure import Figure

NAMES = ("network", "memory")
THEMES = ("notebook", "slides", "dark", "print")
_FACES = {"notebook": "white", "slides": "white", "dark": "#111111", "print": "white"}


class Animation(FuncAnimation):
    """The contract of ``brainviz.views.animation.Animation``: fig, n_frames, fps,
    animated_artists, draw_frame(i)."""

    def __init__(self, fig, draw_frame, n_frames, fps, animated_artists):
        self.fig = fig
        self.n_frames = n_frames
        self.fps = fps
        self.animated_artists = list(animated_artists)
        self._update = draw_frame
        super().__init__(fig, self.draw_frame, frames=n_frames, interval=1000 / fps,
                         blit=False, cache_frame_data=False)

    def draw_frame(self, i):
        delay = float(os.environ.get("BRAINVIZ_FAKE_FRAME_DELAY", "0"))
        if delay:  # tests that stop an export mid-video slow it down
            time.sleep(delay)
        return self._update(i)


def _figure(name, theme, size=(3.2, 1.8), dpi=100):
    if theme not in THEMES:
        raise ValueError(theme)
    fig = Figure(figsize=size, dpi=dpi, facecolor=_FACES[theme], layout="constrained")
    ax = fig.add_subplot()
    x = np.linspace(0, 2 * np.pi, 50)
    ax.plot(x, np.sin(x) * (2 if name == "memory" else 1), color="tab:blue")
    ax.set_title(f"{name} ({theme})")
    return fig, ax, x


def figure(name, *, theme="notebook"):
    fig, _, _ = _figure(name, theme)
    return fig


def frames_for(fps):
    """Frames of a fake animation at *fps* (half a second)."""
    return max(2, int(os.environ.get("BRAINVIZ_FAKE_FRAMES", 0)) or fps // 2)


def animate(name, *, theme="notebook", fps=30, n_frames=None, size=(3.2, 1.8)):
    fig, ax, x = _figure(name, theme, size=size)
    n = n_frames if n_frames is not None else frames_for(fps)
    (line,) = ax.plot(x, np.cos(x), color="tab:red", animated=True)
    dot = ax.scatter([0.0], [0.0], s=40, color="k", animated=True)

    def draw_frame(i):
        phase = 2 * np.pi * i / n
        line.set_ydata(np.cos(x + phase))
        dot.set_offsets([[phase, 0.0]])
        return [line, dot]

    return Animation(fig, draw_frame, n, fps, [line, dot])


@dataclass(frozen=True)
class Beat:
    """The storyboard contract: video seconds, a caption, the model hours shown."""

    start_s: float
    end_s: float
    caption: str
    t_start_h: float
    t_end_h: float


def storyboard(name):
    """Two beats tiling the half-second fake video."""
    if name not in NAMES:
        raise ValueError(name)
    return (Beat(0.0, 0.2, f"The {name} starts: dose & window <opens>", 0.0, 1.0),
            Beat(0.2, 0.5, f"The {name} holds --> the take-away", 1.0, 1.0))


def title(name):
    return f"The {name.capitalize()} Figure"


def caption(name):
    return (f"The {name} figure of the fake gallery. It has a second sentence "
            "that the list command leaves out.")


def alt_text(name):
    return f"A sine curve for {name} with a moving cosine & a dot <b>."


def module(names=NAMES, **overrides):
    """A module object with the gallery API, for ``sys.modules['brainviz.views.gallery']``."""
    mod = types.ModuleType("brainviz.views.gallery")
    mod.NAMES = tuple(names)
    mod.THEMES = THEMES
    mod.figure = figure
    mod.animate = animate
    mod.caption = caption
    mod.alt_text = alt_text
    mod.title = title
    mod.storyboard = storyboard
    for key, value in overrides.items():
        setattr(mod, key, value)
    return mod


if __name__ == "__main__":  # run the brainviz command line on this fake gallery
    import sys

    import brainviz
    from brainviz.app.cli import main

    fake = module()
    sys.modules["brainviz.views.gallery"] = fake
    brainviz.gallery = fake
    sys.exit(main(sys.argv[1:]))
