"""Fast MP4 and GIF writing for brainviz animations.

Frames are rendered by blitting (:mod:`brainviz.app._blit`): the static part of the
figure is drawn once, and each frame restores it and redraws only the animated
artists. Raw RGBA frames are piped to ffmpeg (the binary shipped by
``imageio-ffmpeg``), which encodes in its own process while the next frame is
rendered; a writer thread per encoder keeps the pipes busy.

One pass makes both files: every frame goes to the H.264 encoder, and every frame the
GIF shows (15 fps) also goes, scaled down by ffmpeg, to the GIF encoder, whose
256-colour palette was built beforehand from frames sampled across the animation.

A video can be made in *segments* (frame ranges) by several processes at once, each
rendering its own frames of the same animation; :func:`join` then puts the MP4
segments together without re-encoding and the GIF segments byte by byte (they share
one palette). :func:`write_mp4` and :func:`write_gif` do all of it in this process.

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
from dataclasses import dataclass

import matplotlib.colors as mcolors
from matplotlib.backends.backend_agg import FigureCanvasAgg

from ._blit import Blitter, mark_started

#: Called as ``progress(done, total)`` after each frame is handed to the encoder.
FrameProgress = Callable[[int, int], None]

GIF_FPS = 15
GIF_WIDTH = 960
GIF_MAX_BYTES = 10_000_000
MP4_CRF = 20
# x264's fastest preset: for flat slide graphics at CRF 20 the pictures look the same as
# "superfast" (frames compared side by side), files are about twice as large (1.4 MB for
# a 15-s 1080p video) and encoding takes a fifth less of the export
_PRESET = "ultrafast"
_PALETTE_SAMPLES = 12
_COLOUR = ("scale=out_color_matrix=bt709:out_range=tv,format=yuv420p,"
           "setparams=colorspace=bt709:color_primaries=bt709:color_trc=bt709:range=tv")


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
    """Put the figure on an Agg canvas, opaque, at *dpi*; restore it afterwards."""
    fig = anim.fig
    old_canvas = fig.canvas
    old_dpi = fig.dpi
    old_face = fig.get_facecolor()
    mark_started(anim)  # matplotlib must not start (or warn about) the animation itself
    try:
        if not isinstance(fig.canvas, FigureCanvasAgg):
            FigureCanvasAgg(fig)
        if dpi is not None and dpi != old_dpi:
            fig.set_dpi(dpi)
        r, g, b, a = mcolors.to_rgba(old_face)
        if a < 1:  # videos have no alpha: composite the page onto white
            fig.set_facecolor((a * r + 1 - a, a * g + 1 - a, a * b + 1 - a, 1.0))
        yield fig
    finally:
        fig.set_facecolor(old_face)
        if fig.dpi != old_dpi:
            fig.set_dpi(old_dpi)
        if fig.canvas is not old_canvas:
            fig.set_canvas(old_canvas)


def done_with(anim) -> None:
    """Mark *anim* as handled, so matplotlib neither starts it nor warns when it is
    garbage collected (after an export that failed before rendering it).

    Examples
    --------
    >>> done_with(anim)                                       # doctest: +SKIP
    """
    mark_started(anim)


def render_frames(anim, frames: Iterable[int], *, dpi: float | None = None
                  ) -> Iterator[tuple[int, int, memoryview]]:
    """Render *frames* of *anim* by blitting; yield ``(width, height, rgba)``.

    The ``rgba`` buffer is the canvas's own memory: it is valid only until the next
    frame is requested, so copy it (``bytes(rgba)``) to keep it. A frame whose
    ``anim.frame_key(i)`` equals the previous frame's is not drawn again (the same
    pixels are yielded).

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
        blit = Blitter(fig, anim.animated_artists)
        width, height = canvas.get_width_height(physical=True)
        key_of = getattr(anim, "frame_key", None)
        last = object()
        for i in frames:
            key = key_of(i) if key_of is not None else object()
            if key != last:
                anim.draw_frame(i)
                blit.render()
                last = key
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


def _run_ffmpeg(args: Sequence[str]) -> None:
    run = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error",
                          "-y", *args], stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if run.returncode != 0:
        tail = run.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        raise RuntimeError("ffmpeg failed: "
                           + (" | ".join(tail) or f"exit status {run.returncode}"))


def _even(n: int) -> int:
    return n - (n % 2)


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


# ------------------------------------------------------------------------ the plan

@dataclass(frozen=True)
class Plan:
    """What to make of one animation: which frames, at what size, for which files.

    Built by :func:`plan` from the animation; it holds plain numbers only, so the
    processes that render segments of the same animation agree on it.
    """

    n_frames: int
    fps: float
    mp4: bool
    gif: bool
    render_dpi: float | None  # None: the figure's own
    gif_size: tuple[int, int]
    gif_fps: float
    gif_indices: tuple[int, ...]
    crf: int = MP4_CRF

    def frames(self, start: int = 0, stop: int | None = None) -> list[int]:
        """Frames to render in ``[start, stop)``: all for an MP4, else the GIF's."""
        stop = self.n_frames if stop is None else stop
        if self.mp4:
            return list(range(start, stop))
        return [i for i in self.gif_indices if start <= i < stop]

    def segments(self, count: int) -> list[tuple[int, int]]:
        """Split the frames into at most *count* ranges with work in each."""
        count = max(1, min(int(count), len(self.frames())))
        todo = self.frames()
        cuts = [todo[round(k * len(todo) / count)] for k in range(count)] + [self.n_frames]
        return [(a, b) for a, b in zip(cuts, cuts[1:]) if b > a]


def plan(anim, *, mp4: bool = True, gif: bool = False, gif_fps: float = GIF_FPS,
         gif_width: int = GIF_WIDTH, crf: int = MP4_CRF) -> Plan:
    """The :class:`Plan` for making *anim* into an MP4 and/or a GIF.

    With an MP4 the frames are rendered at the figure's own size and the GIF is scaled
    from them; a GIF alone is rendered directly at its own (smaller) size.

    Examples
    --------
    >>> p = plan(anim, mp4=True, gif=True)                      # doctest: +SKIP
    >>> p.gif_size                                              # doctest: +SKIP
    (960, 540)
    """
    _check_animation(anim)
    if not (mp4 or gif):
        raise ValueError("nothing to make: choose mp4 and/or gif")
    n, fps = int(anim.n_frames), float(anim.fps)
    width_in, height_in = anim.fig.get_size_inches()
    if mp4:
        render_dpi = None
        w_px, h_px = round(width_in * anim.fig.dpi), round(height_in * anim.fig.dpi)
        gif_size = (int(gif_width), max(1, round(h_px * gif_width / w_px)))
    else:
        render_dpi = gif_width / width_in
        gif_size = (int(gif_width), max(1, int(height_in * render_dpi)))
    return Plan(n_frames=n, fps=fps, mp4=bool(mp4), gif=bool(gif), render_dpi=render_dpi,
                gif_size=gif_size, gif_fps=min(float(gif_fps), fps),
                gif_indices=tuple(gif_frame_indices(n, fps, gif_fps)), crf=int(crf))


def _gif_scale(p: Plan, width: int, height: int) -> str:
    if (width, height) == p.gif_size:
        return ""
    return f"scale={p.gif_size[0]}:{p.gif_size[1]}:flags=area,"


def make_palette(anim, p: Plan, path) -> pathlib.Path:
    """Build the GIF's 256-colour palette from frames sampled across the animation."""
    path = pathlib.Path(path)
    step = max(1, len(p.gif_indices) // _PALETTE_SAMPLES)
    samples = list(p.gif_indices[::step][:_PALETTE_SAMPLES])
    frames = render_frames(anim, samples, dpi=p.render_dpi)
    try:
        w, h, rgba = next(frames)
        args = ["-vf", _gif_scale(p, w, h) + "palettegen=max_colors=256:"
                "reserve_transparent=0:stats_mode=full",
                "-update", "1", "-frames:v", "1", "-f", "image2", str(path)]
        with _FFmpeg(args, w, h, p.gif_fps) as enc:
            enc.write(bytes(rgba))
            for _, _, rgba in frames:
                enc.write(bytes(rgba))
    finally:
        frames.close()
    return path


def render_segment(anim, p: Plan, start: int, stop: int, *, mp4=None, gif=None,
                   palette=None, poster=None, progress: FrameProgress | None = None,
                   final: bool = True) -> None:
    """Render frames ``[start, stop)`` of *anim* once, into an MP4 and/or a GIF.

    Parameters
    ----------
    anim : Animation
    p : Plan
        From :func:`plan` (the same for every segment of this animation).
    start, stop : int
        The frame range.
    mp4, gif : path-like, optional
        Output files (needed if the plan makes that format). With ``final=False``
        the MP4 is a plain segment for :func:`join`.
    palette : path-like
        From :func:`make_palette` (needed for a GIF).
    poster : path-like, optional
        Save the segment's first frame here as a PNG (the video's poster image).
    progress : callable, optional
        ``progress(done, total)`` after each rendered frame of this segment.
    """
    todo = p.frames(start, stop)
    gif_set = set(p.gif_indices) if p.gif else set()
    if not todo:
        raise ValueError(f"no frames to render in [{start}, {stop})")
    frames = render_frames(anim, todo, dpi=p.render_dpi)
    encoders: list[_FFmpeg] = []
    try:
        w, h, rgba = next(frames)
        mp4_enc = gif_enc = None
        if p.mp4:
            w2, h2 = _even(w), _even(h)
            crop = f"crop={w2}:{h2}:0:0," if (w2, h2) != (w, h) else ""
            container = (["-movflags", "+faststart", "-f", "mp4"] if final
                         else ["-f", "mp4"])
            mp4_enc = _FFmpeg(["-an", "-vf", crop + _COLOUR, "-c:v", "libx264",
                               "-preset", _PRESET, "-crf", str(p.crf), "-pix_fmt",
                               "yuv420p", *container, str(mp4)], w, h, p.fps)
            encoders.append(mp4_enc)
        if p.gif and gif_set.intersection(todo):
            lavfi = (f"[0:v]{_gif_scale(p, w, h)}null[x];[x][1:v]paletteuse=dither=bayer:"
                     "bayer_scale=4:diff_mode=rectangle:alpha_threshold=0:new=0")
            gif_enc = _FFmpeg(["-lavfi", lavfi, "-loop", "0", "-f", "gif", str(gif)],
                              w, h, p.gif_fps, extra_inputs=["-i", str(palette)])
            encoders.append(gif_enc)
        total = len(todo)
        for done, i in enumerate(todo, start=1):
            if done > 1:
                w, h, rgba = next(frames)
            frame = bytes(rgba)
            if poster is not None and done == 1:
                save_png(frame, w, h, poster)
            if mp4_enc is not None:
                mp4_enc.write(frame)
            if gif_enc is not None and i in gif_set:
                gif_enc.write(frame)
            if progress:
                progress(done, total)
        for enc in encoders:
            enc.close()
        encoders.clear()
    finally:
        for enc in encoders:
            enc.abort()
        frames.close()


def save_png(rgba: bytes, width: int, height: int, path) -> None:
    """Save one rendered RGBA frame as an opaque PNG."""
    from PIL import Image

    image = Image.frombuffer("RGBA", (width, height), rgba, "raw", "RGBA", 0, 1)
    image.convert("RGB").save(path, format="png")


# --------------------------------------------------------------------- joining parts

def join_mp4(parts: Sequence[os.PathLike], out) -> None:
    """Put MP4 segments of one encoding together without re-encoding (+faststart)."""
    out = pathlib.Path(out)
    listing = out.with_name(out.name + ".txt")
    lines = []
    for part in parts:
        quoted = os.fspath(os.path.abspath(part)).replace("'", "'\\''")
        lines.append(f"file '{quoted}'\n")
    listing.write_text("".join(lines), encoding="utf-8")
    try:
        _run_ffmpeg(["-f", "concat", "-safe", "0", "-i", str(listing), "-c", "copy",
                     "-movflags", "+faststart", "-f", "mp4", str(out)])
    finally:
        with contextlib.suppress(FileNotFoundError):
            listing.unlink()


def _gif_blocks(data: bytes) -> tuple[int, int]:
    """Offsets of a GIF's first frame and of its trailer (after the header, screen
    descriptor, global colour table and application extensions)."""
    if data[:6] not in (b"GIF87a", b"GIF89a"):
        raise ValueError("not a GIF")
    pos = 13
    if data[10] & 0x80:
        pos += 3 * (2 << (data[10] & 0x07))
    first = None
    while pos < len(data):
        kind = data[pos]
        if kind == 0x3B:  # trailer
            return (first if first is not None else pos), pos
        if kind == 0x21:  # extension: label, then sub-blocks
            label = data[pos + 1]
            if first is None and label != 0xFF:
                first = pos
            pos += 2
        elif kind == 0x2C:  # image descriptor (+ local colour table), then LZW data
            if first is None:
                first = pos
            flags = data[pos + 9]
            pos += 10
            if flags & 0x80:
                pos += 3 * (2 << (flags & 0x07))
            pos += 1  # LZW minimum code size
        else:
            raise ValueError(f"GIF: unexpected block 0x{kind:02x} at {pos}")
        while data[pos]:  # sub-blocks until the zero-length terminator
            pos += data[pos] + 1
        pos += 1
    raise ValueError("GIF: no trailer")


def join_gif(parts: Sequence[os.PathLike], out) -> None:
    """Put GIF segments that share one palette together, frame after frame."""
    datas = [pathlib.Path(p).read_bytes() for p in parts]
    first_start, first_end = _gif_blocks(datas[0])
    chunks = [datas[0][:first_end]]
    for data in datas[1:]:
        start, end = _gif_blocks(data)
        if data[6:13] != datas[0][6:13]:
            raise ValueError("GIF segments differ in size or palette")
        chunks.append(data[start:end])
    chunks.append(b"\x3b")
    pathlib.Path(out).write_bytes(b"".join(chunks))


# ------------------------------------------------------------------- in one process

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
    path = pathlib.Path(path)
    p = plan(anim, mp4=True, gif=False, crf=crf)
    render_segment(anim, p, 0, p.n_frames, mp4=path, progress=progress)
    return path


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
    path = pathlib.Path(path)
    _write_gif_once(anim, path, fps=fps, width=width, progress=progress)
    shrink_gif(anim, path, fps=fps, width=width, max_bytes=max_bytes, progress=progress)
    return path


def shrink_gif(anim, path, *, fps: float = GIF_FPS, width: int = GIF_WIDTH,
               max_bytes: int = GIF_MAX_BYTES, progress: FrameProgress | None = None
               ) -> None:
    """If the GIF at *path* is larger than *max_bytes*, write it again, smaller."""
    path = pathlib.Path(path)
    size = path.stat().st_size
    if size > max_bytes:
        shrink = math.sqrt(max_bytes / size) * 0.9
        _write_gif_once(anim, path, fps=fps, width=max(160, int(width * shrink)),
                        progress=progress)


def _write_gif_once(anim, path: pathlib.Path, *, fps: float, width: int,
                    progress: FrameProgress | None) -> None:
    p = plan(anim, mp4=False, gif=True, gif_fps=fps, gif_width=width)
    with tempfile.TemporaryDirectory(prefix="brainviz-gif-") as tmp:
        palette = make_palette(anim, p, os.path.join(tmp, "palette.png"))
        render_segment(anim, p, 0, p.n_frames, gif=path, palette=palette,
                       progress=progress)
