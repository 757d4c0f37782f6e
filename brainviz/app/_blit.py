"""Blitting: draw a figure's static part once, then only the artists that change.

One helper for every face that redraws a figure many times: the video writer
(:mod:`brainviz.app._video`, hundreds of frames) and the notebook panels
(:mod:`brainviz.app.widgets`, one redraw per slider move). Only public matplotlib API:
``Artist.set_animated``, ``canvas.copy_from_bbox`` / ``restore_region``,
``Figure.draw_artist``, ``RendererAgg.clear`` and the canvas's ``draw_event``
callbacks.

Plain blitting draws the changing artists *over* everything static, so a label that
a full draw puts on top of an arrow ends up under it. :class:`Blitter` keeps the
stacking of a full draw: static artists that a full draw puts above a changing one
are drawn once into transparent layers, and each frame composites those layers (only
their drawn pixels) between the changing artists, in z-order.
"""

from __future__ import annotations

import contextlib
from collections.abc import Hashable, Iterable

import numpy as np

__all__ = ["Blitter", "mark_started"]


class _Layer:
    """Static artists drawn once on transparency: only their drawn pixels, kept as
    flat indices, colours and coverage."""

    def __init__(self, index: np.ndarray, rgb: np.ndarray, alpha: np.ndarray):
        self.index, self.rgb, self.alpha = index, rgb, alpha

    @classmethod
    def capture(cls, figure, artists) -> _Layer:
        canvas = figure.canvas
        renderer = canvas.get_renderer()
        renderer.clear()  # transparent
        for artist in artists:
            figure.draw_artist(artist)
        rgba = np.asarray(canvas.buffer_rgba()).reshape(-1, 4)
        index = np.flatnonzero(rgba[:, 3])
        return cls(index, rgba[index, :3].astype(np.uint16),
                   rgba[index, 3].astype(np.uint16)[:, None])

    def composite(self, buffer: np.ndarray) -> None:
        """Paint the layer over *buffer* (the canvas's RGBA pixels, flat)."""
        if not self.index.size:
            return
        below = buffer[self.index, :3].astype(np.uint16)
        mixed = (self.rgb * self.alpha + below * (255 - self.alpha) + 127) // 255
        buffer[self.index, :3] = mixed.astype(np.uint8)


class Blitter:
    """Redraw a figure by restoring a cached background and drawing *artists* on it.

    The background is everything but *artists* (and the static artists a full draw
    stacks above them), drawn once, and again when :meth:`render` is given a
    different ``key`` (new axis limits, say). The artists' own ``animated`` flags are
    left as they were, so an ordinary ``savefig`` still draws everything.

    Parameters
    ----------
    figure : matplotlib.figure.Figure
        A figure on an Agg canvas (or a subclass).
    artists : iterable of Artist
        What changes between renders.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from matplotlib.backends.backend_agg import FigureCanvasAgg
    >>> fig = Figure(figsize=(2, 1)); canvas = FigureCanvasAgg(fig)
    >>> line, = fig.add_subplot().plot([0, 1], [0, 1])
    >>> blit = Blitter(fig, [line])
    >>> blit.render(); line.set_ydata([1, 0]); blit.render()
    >>> blit.full_draws
    1
    """

    def __init__(self, figure, artists: Iterable):
        self.figure = figure
        self.artists = list(artists)
        self._background = None
        self._key: Hashable = None
        self._steps: list = []  # artists to draw and layers to composite, in order
        self.full_draws = 0

    def invalidate(self) -> None:
        """Forget the background: the next render draws the whole figure."""
        self._background = None

    def _runs(self) -> list[tuple[bool, list]]:
        """The changing artists and the static ones stacked above them, in the
        order a full draw uses, as runs of (changing?, artists)."""
        from matplotlib.axes import Axes
        from matplotlib.axis import Axis

        changing = {id(a) for a in self.artists}
        owners: dict[int, object] = {}
        for a in self.artists:
            owner = a.axes if a.axes is not None else a.figure
            owners.setdefault(id(owner), owner)
        runs: list[tuple[bool, list]] = []
        placed: set[int] = set()
        for owner in owners.values():
            if isinstance(owner, Axes):
                kids = [k for k in owner.get_children() if k is not owner.patch]
                if not owner.axison:  # as Axes.draw: no spines on an axes turned off
                    kids = [k for k in kids if k not in owner.spines.values()]
            else:
                kids = [k for k in owner.get_children() if not isinstance(k, Axes)
                        and k is not getattr(owner, "patch", None)]
            # axis ticks, labels and grids stay in the background (drawing them
            # costs as much as a frame; a curve under a tick mark is no loss)
            kids = [k for k in kids if not isinstance(k, Axis)]
            kids.sort(key=lambda k: k.get_zorder())  # stable, as Axes.draw sorts
            first = next((n for n, k in enumerate(kids) if id(k) in changing), None)
            if first is None:
                continue
            for k in kids[first:]:
                moving = id(k) in changing
                if not moving and not (k.get_visible() and not k.get_animated()
                                       and _shows_something(k)):
                    continue
                if runs and runs[-1][0] == moving:
                    runs[-1][1].append(k)
                else:
                    runs.append((moving, [k]))
                placed.add(id(k))
        rest = [a for a in self.artists if id(a) not in placed]  # e.g. nested artists
        if rest:
            runs.append((True, rest))
        return runs

    @contextlib.contextmanager
    def _excluded(self, artists):
        flags = [a.get_animated() for a in artists]
        for a in artists:
            a.set_animated(True)  # a full draw skips animated artists
        try:
            yield
        finally:
            for a, was in zip(artists, flags):
                a.set_animated(was)

    def render(self, key: Hashable = None) -> None:
        """Leave the figure's current state in its canvas's buffer.

        Parameters
        ----------
        key : hashable, optional
            Anything the background depends on (axis limits, a theme); a different key
            from last time redraws the background.
        """
        canvas = self.figure.canvas
        if self._background is None or key != self._key:
            runs = self._runs()
            every = [a for _, arts in runs for a in arts]
            with self._excluded(every):
                canvas.draw()
                self._background = canvas.copy_from_bbox(self.figure.bbox)
                self._steps = [arts if moving else _Layer.capture(self.figure, arts)
                               for moving, arts in runs]
            canvas.restore_region(self._background)
            self._key = key
            self.full_draws += 1
        else:
            canvas.restore_region(self._background)
        pixels = None
        for step in self._steps:
            if isinstance(step, _Layer):
                if pixels is None:
                    pixels = np.asarray(canvas.buffer_rgba()).reshape(-1, 4)
                step.composite(pixels)
                continue
            for artist in step:
                if artist.get_visible():
                    self.figure.draw_artist(artist)


def _shows_something(artist) -> bool:
    """False for artists a draw would skip anyway (empty titles)."""
    from matplotlib.text import Text

    return not (isinstance(artist, Text) and not artist.get_text())


def mark_started(anim) -> None:
    """Tell a ``FuncAnimation`` it has been drawn, without drawing anything.

    matplotlib starts an animation on its figure's first ``draw_event`` (and warns
    when an animation that never started is dropped). Exporters draw frames
    themselves, so they send that event once, through the canvas's public callback
    registry: the animation then neither starts a timer on a later draw nor warns.

    Examples
    --------
    >>> mark_started(anim)                                     # doctest: +SKIP
    """
    from matplotlib.backend_bases import DrawEvent

    canvas = anim.fig.canvas
    canvas.callbacks.process("draw_event", DrawEvent("draw_event", canvas, None))
