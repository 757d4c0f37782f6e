"""Benchmark slide export: brainviz's blitted ffmpeg writer against matplotlib's own.

Usage: python benchmarks/bench_export.py [--name NAME] [--frames N] [--fake] [--no-stills]

On one animation (the real gallery's if it imports, else a 1920x1080 network-like
fake with 30 moving circles and lines), side by side in one run:

* MP4: ``FuncAnimation.save()`` with ``FFMpegWriter`` (matplotlib's defaults, ffmpeg
  from imageio-ffmpeg) against ``brainviz.app._video.write_mp4`` (target: >= 5x faster);
* GIF at 960 px and 15 fps: ``PillowWriter`` on the same frames and size against
  ``brainviz.app._video.write_gif`` (target: >= 3x faster);
* every still figure as PNG, SVG and PDF through ``brainviz.app.export.export``
  (target: < 20 s).

Both sides render the same frames at the same size. Prints seconds and ratios; the
tests never assert timings.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
from matplotlib.animation import FFMpegWriter, FuncAnimation, PillowWriter  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from brainviz.app import _video  # noqa: E402


class _FakeAnimation(FuncAnimation):
    """A network-like 1920x1080 animation following the brainviz Animation contract."""

    def __init__(self, n_frames=150, fps=30, n_nodes=30):
        rng = np.random.default_rng(0)
        fig = Figure(figsize=(19.2, 10.8), dpi=100, facecolor="white")
        ax = fig.add_axes((0.03, 0.05, 0.94, 0.85))
        ax.set_xlim(-1.1, 1.1)
        ax.set_ylim(-1.1, 1.1)
        ax.set_axis_off()
        fig.suptitle("A network-like benchmark animation", fontsize=28)
        theta = np.linspace(0, 2 * np.pi, 200)
        ax.plot(np.cos(theta), 0.8 * np.sin(theta), color="0.7", lw=3)  # static outline
        self.pos = rng.uniform(-0.8, 0.8, size=(n_nodes, 2))
        self.phase = rng.uniform(0, 2 * np.pi, n_nodes)
        self.edges = [(i, (i * 7 + 3) % n_nodes) for i in range(n_nodes)]
        self.lines = [ax.plot([], [], color="tab:blue", lw=2.5, alpha=0.7,
                              animated=True)[0] for _ in self.edges]
        self.dots = ax.scatter(*self.pos.T, s=400, c=np.zeros(n_nodes), cmap="viridis",
                               vmin=-1, vmax=1, edgecolors="k", zorder=3, animated=True)
        self.label = ax.text(-1.05, -1.05, "", fontsize=24, animated=True)
        self.fig, self.n_frames, self.fps = fig, n_frames, fps
        self.animated_artists = [*self.lines, self.dots, self.label]
        super().__init__(fig, self.draw_frame, frames=n_frames, interval=1000 / fps,
                         blit=False, cache_frame_data=False)

    def draw_frame(self, i):
        t = i / self.fps
        xy = self.pos + 0.08 * np.c_[np.cos(t * 2 + self.phase), np.sin(t * 3 + self.phase)]
        for line, (a, b) in zip(self.lines, self.edges):
            line.set_data(xy[[a, b], 0], xy[[a, b], 1])
        self.dots.set_offsets(xy)
        self.dots.set_array(np.sin(t * 4 + self.phase))
        self.label.set_text(f"t = {t:5.2f} s")
        return self.animated_artists


def _make(name: str | None, fake: bool, frames: int):
    """A fresh animation (real gallery or fake), cut to *frames* frames."""
    if not fake:
        try:
            from brainviz.views import gallery

            anim = gallery.animate(name or gallery.NAMES[0], theme="slides", fps=30)
            anim.n_frames = min(frames, int(anim.n_frames))
            return anim, f"gallery '{name or gallery.NAMES[0]}' (slides theme)"
        except ImportError:
            pass
    return _FakeAnimation(n_frames=frames), "fake network (30 nodes, 30 edges)"


def _matplotlib_save(anim, path, writer, frames, dpi):
    """What a user would do: a plain FuncAnimation over the same figure and frames."""
    for artist in anim.animated_artists:  # a non-blitting animation draws them normally
        artist.set_animated(False)
    plain = FuncAnimation(anim.fig, anim.draw_frame, frames=frames, blit=False,
                          cache_frame_data=False)
    plain.save(path, writer=writer, dpi=dpi)
    _video.done_with(anim)


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def _verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--name", help="gallery animation (default: the first)")
    ap.add_argument("--frames", type=int, default=150, help="frames to render (150)")
    ap.add_argument("--fake", action="store_true", help="use the fake animation")
    ap.add_argument("--no-stills", action="store_true", help="skip the still export")
    args = ap.parse_args(argv)
    exe = _video.ffmpeg_exe()

    with tempfile.TemporaryDirectory(prefix="brainviz-bench-") as tmp:
        anim, what = _make(args.name, args.fake, args.frames)
        n, fps = int(anim.n_frames), int(anim.fps)
        w, h = (anim.fig.get_size_inches() * anim.fig.dpi).round().astype(int)
        print(f"animation: {what}, {n} frames at {fps} fps, {w}x{h} px; "
              f"{os.cpu_count()} CPUs")
        _video.done_with(anim)  # only described; each timing below builds its own

        # ---- MP4
        def mpl_mp4():
            a, _ = _make(args.name, args.fake, args.frames)
            with matplotlib.rc_context({"animation.ffmpeg_path": exe}):
                _matplotlib_save(a, os.path.join(tmp, "mpl.mp4"),
                                 FFMpegWriter(fps=fps), range(n), a.fig.dpi)

        def ours_mp4():
            a, _ = _make(args.name, args.fake, args.frames)
            _video.write_mp4(a, os.path.join(tmp, "ours.mp4"))

        t_mpl = _timed(mpl_mp4)
        t_ours = _timed(ours_mp4)
        r = t_mpl / t_ours
        print(f"MP4  FuncAnimation.save(FFMpegWriter) {t_mpl:7.2f} s   "
              f"brainviz {t_ours:6.2f} s   {r:5.1f}x  (target >= 5x: {_verdict(r >= 5)})"
              f"   sizes {os.path.getsize(os.path.join(tmp, 'mpl.mp4')) / 1e6:.1f} MB vs "
              f"{os.path.getsize(os.path.join(tmp, 'ours.mp4')) / 1e6:.1f} MB")

        # ---- GIF: same frames (15 fps), same size (960 px wide)
        frames = _video.gif_frame_indices(n, fps, _video.GIF_FPS)
        gif_dpi = _video.GIF_WIDTH / anim.fig.get_figwidth()

        def mpl_gif():
            a, _ = _make(args.name, args.fake, args.frames)
            _matplotlib_save(a, os.path.join(tmp, "mpl.gif"),
                             PillowWriter(fps=_video.GIF_FPS), frames, gif_dpi)

        def ours_gif():
            a, _ = _make(args.name, args.fake, args.frames)
            _video.write_gif(a, os.path.join(tmp, "ours.gif"))

        t_mpl = _timed(mpl_gif)
        t_ours = _timed(ours_gif)
        r = t_mpl / t_ours
        print(f"GIF  FuncAnimation.save(PillowWriter) {t_mpl:7.2f} s   "
              f"brainviz {t_ours:6.2f} s   {r:5.1f}x  (target >= 3x: {_verdict(r >= 3)})"
              f"   {len(frames)} frames, sizes "
              f"{os.path.getsize(os.path.join(tmp, 'mpl.gif')) / 1e6:.1f} MB vs "
              f"{os.path.getsize(os.path.join(tmp, 'ours.gif')) / 1e6:.1f} MB")

        # ---- stills
        if not args.no_stills:
            try:
                from brainviz.views import gallery
                from brainviz.app.export import export
            except ImportError:
                print("stills: brainviz.views.gallery not importable; skipped")
            else:
                t = _timed(lambda: export(os.path.join(tmp, "stills"),
                                          formats=("png", "svg", "pdf"), progress=False))
                print(f"stills: {len(gallery.NAMES)} figures x PNG+SVG+PDF in {t:.1f} s "
                      f"(target < 20 s: {_verdict(t < 20)})")


if __name__ == "__main__":
    main(sys.argv[1:])
