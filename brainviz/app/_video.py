"""Fast MP4 and GIF writing for brainviz animations.

Frames are rendered with matplotlib blitting: the static part of the figure is drawn
once, and each frame only restores that background and redraws the animated artists.
Raw RGBA frames are piped to ffmpeg (the binary shipped by ``imageio-ffmpeg``), which
encodes in its own process while the next frame is rendered; a small writer thread
keeps the pipe busy so rendering and encoding overlap on two cores.

The animation object follows the :class:`brainviz.views.animation.Animation` contract:
``fig``, ``n_frames``, ``fps``, ``animated_artists`` and ``draw_frame(i)``.
"""

from __future__ import annotations

import contextlib
import math
import os
import pathlib
import queue
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence

import matplotlib.colors as mcolors
from matplotlib.backends.backend_agg import FigureCanvasAgg

#: Called as ``progress(done, total)`` after each frame is handed to the encoder.
FrameProgress = Callable[[int, int], None]

GIF_FPS = 15
GIF_WIDTH = 960
GIF_MAX_BYTES = 10_000_000
MP4_CRF = 20
_PRESET = "superfast"
_TUNE: tuple[str, ...] = ()
_PALETTE_SAMPLES = 12


def ffmpeg_exe() -> str:
    """Path of the ffmpeg binary shipped by ``imageio-ffmpeg``.

    Examples
    --------
    >>> import os
    >>> os.path.exists(ffmpeg_exe())
    True
    """
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def _check_animation(anim) -> None:
    missing = [a for a in ("fig", "n_frames", "fps", "animated_artists", "draw_frame")
               if not hasattr(anim, a)]
    if missing:
        raise TypeError(f"not a brainviz Animation: missing {', '.join(missing)}")
    if int(anim.n_frames) < 1:
        raise ValueError(f"animation has no frames (n_frames={anim.n_frames})")


@contextlib.contextmanager
def _prepared(anim, *, dpi: float | None = None):
    """Put the figure on an Agg canvas, opaque, at *dpi*, with its animation
    quiet; restore everything afterwards."""
    fig = anim.fig
    old_canvas = fig.canvas
    old_dpi = fig.dpi
    old_face = fig.get_facecolor()
    old_animated = [a.get_animated() for a in anim.animated_artists]
    # FuncAnimation starts itself on the first draw_event; a blitted export must
    # not trigger that (it would draw frame 0 and ask for a redraw).
    first_draw = getattr(anim, "_first_draw_id", None)
    if first_draw is not None:
        fig.canvas.mpl_disconnect(first_draw)
    try:
        if not isinstance(fig.canvas, FigureCanvasAgg):
            FigureCanvasAgg(fig)
        if dpi is not None and dpi != old_dpi:
            fig.set_dpi(dpi)
        r, g, b, a = mcolors.to_rgba(old_face)
        if a < 1:  # videos have no alpha: composite the page onto white
            fig.set_facecolor((a * r + 1 - a, a * g + 1 - a, a * b + 1 - a, 1.0))
        for artist in anim.animated_artists:
            artist.set_animated(True)
        yield fig
    finally:
        for artist, was in zip(anim.animated_artists, old_animated):
            artist.set_animated(was)
        fig.set_facecolor(old_face)
        if fig.dpi != old_dpi:
            fig.set_dpi(old_dpi)
        if fig.canvas is not old_canvas:
            fig.set_canvas(old_canvas)
        if first_draw is not None:
            anim._first_draw_id = fig.canvas.mpl_connect("draw_event", anim._start)
        done_with(anim)  # it was rendered: silence matplotlib's warning


def done_with(anim) -> None:
    """Mark *anim* as used, so matplotlib does not warn when it is garbage collected
    (after an export that failed before rendering it).

    Examples
    --------
    >>> done_with(anim)                                       # doctest: +SKIP
    """
    anim._draw_was_started = True


def render_frames(anim, frames: Iterable[int], *, dpi: float | None = None
                  ) -> Iterator[tuple[int, int, memoryview]]:
    """Render *frames* of *anim* by blitting; yield ``(width, height, rgba)``.

    The ``rgba`` buffer is the canvas's own memory: it is valid only until the next
    frame is requested, so copy it (``bytes(rgba)``) to keep it.

    Parameters
    ----------
    anim : brainviz.views.animation.Animation
        The animation (``fig``, ``animated_artists``, ``draw_frame``).
    frames : iterable of int
        Frame indices to render, in order.
    dpi : float, optional
        Render at this resolution instead of the figure's own (the layout is the same,
        in inches and points).

    Examples
    --------
    >>> frames = render_frames(anim, range(anim.n_frames))   # doctest: +SKIP
    >>> width, height, rgba = next(frames)                    # doctest: +SKIP
    """
    _check_animation(anim)
    with _prepared(anim, dpi=dpi) as fig:
        canvas = fig.canvas
        canvas.draw()  # everything but the animated artists
        background = canvas.copy_from_bbox(fig.bbox)
        width, height = canvas.get_width_height(physical=True)
        for i in frames:
            canvas.restore_region(background)
            anim.draw_frame(i)
            for artist in anim.animated_artists:
                if artist.get_visible():
                    fig.draw_artist(artist)
            yield width, height, canvas.buffer_rgba()


def _grow_pipe(stream) -> None:
    """Ask Linux for a 1 MiB pipe (fewer context switches per 8 MB frame)."""
    try:
        import fcntl

        fcntl.fcntl(stream.fileno(), getattr(fcntl, "F_SETPIPE_SZ", 1031), 1 << 20)
    except (ImportError, OSError, ValueError):
        pass


class _FFmpeg:
    """An ffmpeg process reading raw RGBA frames on stdin, fed by a writer thread."""

    def __init__(self, args: Sequence[str], width: int, height: int, fps: float,
                 *, extra_inputs: Sequence[str] = (), queue_size: int = 4):
        self._stderr = tempfile.TemporaryFile()
        cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
               "-f", "rawvideo", "-pix_fmt", "rgba", "-s", f"{width}x{height}",
               "-framerate", f"{fps:g}", "-i", "pipe:0", *extra_inputs, *args]
        self.cmd = cmd
        self._proc = subprocess.Popen(cmd, stdin=subprocess.PIPE,
                                      stdout=subprocess.DEVNULL, stderr=self._stderr)
        _grow_pipe(self._proc.stdin)
        self._queue: queue.Queue = queue.Queue(maxsize=queue_size)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._feed, name="brainviz-ffmpeg",
                                        daemon=True)
        self._thread.start()

    def _feed(self) -> None:
        stdin = self._proc.stdin
        while True:
            chunk = self._queue.get()
            if chunk is None:
                break
            if self._error is None:
                try:
                    stdin.write(chunk)
                except BaseException as exc:  # BrokenPipe: ffmpeg died; keep draining
                    self._error = exc
        with contextlib.suppress(OSError):
            stdin.close()

    def write(self, frame: bytes) -> None:
        if self._error is not None:
            self._fail()
        self._queue.put(frame)

    def _stderr_text(self) -> str:
        self._stderr.seek(0)
        return self._stderr.read().decode("utf-8", "replace").strip()

    def _fail(self) -> None:
        self._proc.poll()
        tail = self._stderr_text().splitlines()[-3:]
        self.abort()
        detail = " | ".join(tail) if tail else f"exit status {self._proc.returncode}"
        raise RuntimeError(f"ffmpeg failed: {detail}")

    def close(self) -> None:
        """Finish the stream and wait for ffmpeg; raise RuntimeError if it failed."""
        self._queue.put(None)
        self._thread.join()
        code = self._proc.wait()
        if code != 0 or self._error is not None:
            self._fail()
        self._stderr.close()

    def abort(self) -> None:
        """Stop ffmpeg now (after an error or an interrupt)."""
        if self._proc.poll() is None:
            self._proc.kill()
        # unblock the writer thread whatever state it is in
        while self._thread.is_alive():
            with contextlib.suppress(queue.Full):
                self._queue.put_nowait(None)
            self._thread.join(timeout=0.05)
        self._proc.wait()
        with contextlib.suppress(OSError, ValueError):
            self._stderr.close()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.close()
        else:
            self.abort()
        return False


def _even(n: int) -> int:
    return n - (n % 2)


def write_mp4(anim, path: str | os.PathLike, *, crf: int = MP4_CRF,
              progress: FrameProgress | None = None) -> pathlib.Path:
    """Write *anim* as an H.264 MP4 (yuv420p, faststart) at the figure's size and fps.

    Plays in PowerPoint, Keynote and browsers. An odd width or height is cropped by
    one pixel (H.264 with 4:2:0 chroma needs even sizes). *path* is written as given,
    whatever its suffix.

    Parameters
    ----------
    anim : brainviz.views.animation.Animation
        The animation.
    path : path-like
        Output file.
    crf : int, default 20
        x264 constant rate factor (lower is better quality and larger).
    progress : callable, optional
        ``progress(done, total)`` after each frame.

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> write_mp4(anim, "network.mp4")                        # doctest: +SKIP
    PosixPath('network.mp4')
    """
    _check_animation(anim)
    path = pathlib.Path(path)
    n = int(anim.n_frames)
    frames = render_frames(anim, range(n))
    try:
        width, height, rgba = next(frames)
        w2, h2 = _even(width), _even(height)
        vf = f"crop={w2}:{h2}:0:0," if (w2, h2) != (width, height) else ""
        vf += ("scale=out_color_matrix=bt709:out_range=tv,format=yuv420p,"
               "setparams=colorspace=bt709:color_primaries=bt709:color_trc=bt709:range=tv")
        args = ["-an", "-vf", vf, "-c:v", "libx264", "-preset", _PRESET,
                *_TUNE, "-crf", str(int(crf)), "-pix_fmt", "yuv420p",
                "-movflags", "+faststart", "-f", "mp4", str(path)]
        with _FFmpeg(args, width, height, anim.fps) as enc:
            enc.write(bytes(rgba))
            if progress:
                progress(1, n)
            for done, (_, _, rgba) in enumerate(frames, start=2):
                enc.write(bytes(rgba))
                if progress:
                    progress(done, n)
    finally:
        frames.close()
    return path


def gif_frame_indices(n_frames: int, fps: float, gif_fps: float) -> list[int]:
    """Frames of an *n_frames* animation at *fps* to show at *gif_fps* (same duration).

    Examples
    --------
    >>> gif_frame_indices(6, 30, 15)
    [0, 2, 4]
    >>> gif_frame_indices(3, 10, 15)
    [0, 1, 2]
    """
    gif_fps = min(gif_fps, fps)
    count = max(1, round(n_frames * gif_fps / fps))
    return [min(n_frames - 1, math.floor(j * fps / gif_fps + 1e-9)) for j in range(count)]


def write_gif(anim, path: str | os.PathLike, *, fps: float = GIF_FPS,
              width: int = GIF_WIDTH, max_bytes: int = GIF_MAX_BYTES,
              progress: FrameProgress | None = None) -> pathlib.Path:
    """Write *anim* as an opaque, looping GIF about *width* pixels wide at *fps*.

    The figure is rendered directly at the smaller size (a lower dpi, same layout), a
    256-colour palette is built from frames sampled across the animation
    (``palettegen``), and every frame is mapped onto it (``paletteuse``, ordered
    dithering, only changed rectangles stored). If the file comes out larger than
    *max_bytes*, it is written once more, smaller.

    Parameters
    ----------
    anim : brainviz.views.animation.Animation
        The animation.
    path : path-like
        Output file (written as given, whatever its suffix).
    fps : float, default 15
        GIF frame rate (never above the animation's); the duration is kept.
    width : int, default 960
        Width in pixels.
    max_bytes : int, default 10_000_000
        Size to stay under.
    progress : callable, optional
        ``progress(done, total)`` after each frame.

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> write_gif(anim, "network.gif")                        # doctest: +SKIP
    PosixPath('network.gif')
    """
    _check_animation(anim)
    path = pathlib.Path(path)
    _write_gif_once(anim, path, fps=fps, width=width, progress=progress)
    size = path.stat().st_size
    if size > max_bytes:
        shrink = math.sqrt(max_bytes / size) * 0.9
        _write_gif_once(anim, path, fps=fps, width=max(160, int(width * shrink)),
                        progress=progress)
    return path


def _write_gif_once(anim, path: pathlib.Path, *, fps: float, width: int,
                    progress: FrameProgress | None) -> None:
    fig_width_in = anim.fig.get_figwidth()
    dpi = width / fig_width_in
    indices = gif_frame_indices(int(anim.n_frames), float(anim.fps), float(fps))
    gif_fps = min(float(fps), float(anim.fps))
    step = max(1, len(indices) // _PALETTE_SAMPLES)
    samples = indices[::step][:_PALETTE_SAMPLES]
    with tempfile.TemporaryDirectory(prefix="brainviz-gif-") as tmp:
        palette = os.path.join(tmp, "palette.png")
        frames = render_frames(anim, samples, dpi=dpi)
        try:
            w, h, rgba = next(frames)
            args = ["-vf", "palettegen=max_colors=256:reserve_transparent=0:stats_mode=full",
                    "-update", "1", "-frames:v", "1", palette]
            with _FFmpeg(args, w, h, gif_fps) as enc:
                enc.write(bytes(rgba))
                for _, _, rgba in frames:
                    enc.write(bytes(rgba))
        finally:
            frames.close()

        total = len(indices)
        frames = render_frames(anim, indices, dpi=dpi)
        try:
            w, h, rgba = next(frames)
            args = ["-lavfi", "[0:v][1:v]paletteuse=dither=bayer:bayer_scale=4:"
                              "diff_mode=rectangle:alpha_threshold=0",
                    "-loop", "0", "-f", "gif", str(path)]
            with _FFmpeg(args, w, h, gif_fps, extra_inputs=["-i", palette]) as enc:
                enc.write(bytes(rgba))
                if progress:
                    progress(1, total)
                for done, (_, _, rgba) in enumerate(frames, start=2):
                    enc.write(bytes(rgba))
                    if progress:
                        progress(done, total)
        finally:
            frames.close()
