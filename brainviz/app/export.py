"""Export every gallery figure and animation as slide-ready files, safely and fast.

``export()`` writes, for each gallery name, ``NAME.png/.svg/.pdf`` (the still figure),
``NAME.mp4`` with ``NAME.vtt`` (its captions, from the storyboard) and
``NAME.poster.png`` (its first frame), ``NAME.gif``, ``NAME.txt`` (caption and alt
text), then an ``index.html`` to browse everything in the folder and
``brainviz-figures.zip`` holding it all.

Safety (see :mod:`brainviz.app._outdir`): one run per folder at a time (a kernel lock),
temporary files in a private hidden folder, and a last step that never replaces a
file brainviz did not write, even one that appeared during the run; files brainviz
wrote before are swapped for the new ones in one step. A killed run's leftovers are
removed by the next run.

Speed: the parent process builds each figure and animation (running the simulations
once), then forked worker processes (:mod:`brainviz.app._workers`) render them on
every core; each animation is rendered once, in frame ranges, for both its MP4 and
its GIF (:mod:`brainviz.app._video`).

Reproducible: SVG and PDF bytes depend only on the figure, not on the process or on
which other formats are exported (the layout is solved once and frozen, see
:func:`_freeze_layout`).
"""

from __future__ import annotations

import contextlib
import html
import importlib
import io
import json
import os
import pathlib
import sys
import tempfile
import time
import urllib.parse
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass

from .._validate import check_whole, did_you_mean
from . import _outdir, _video, _workers
from ._outdir import MANIFEST, ForeignFileError, OutputFolder

__all__ = ["ARCHIVE", "FORMATS", "INDEX", "MANIFEST", "STILL_FORMATS", "VIDEO_FORMATS",
           "export"]

STILL_FORMATS = ("png", "svg", "pdf")
VIDEO_FORMATS = ("mp4", "gif")
FORMATS = STILL_FORMATS + VIDEO_FORMATS
INDEX = "index.html"
ARCHIVE = "brainviz-figures.zip"
POSTER = "poster.png"  # NAME.poster.png: the video's first frame
DPI_RANGE = (50, 600)
FPS_RANGE = (5, 60)
JOBS_RANGE = (1, 64)
_SVG_HASHSALT = "brainviz"
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)

#: How errors name each argument: the Python API's names, and the command line's flags.
_API_NAMES = {"outdir": "outdir", "only": "only", "formats": "formats", "theme": "theme",
              "dpi": "dpi", "fps": "fps", "progress": "progress", "jobs": "jobs"}
_CLI_NAMES = {"outdir": "OUTDIR", "only": "--only", "formats": "--format",
              "theme": "--theme", "dpi": "--dpi", "fps": "--fps", "progress": "--quiet",
              "jobs": "--jobs"}


# --------------------------------------------------------------------------- checks

def _gallery():
    return importlib.import_module("brainviz.views.gallery")


def _one_of(arg: str, value, valid: Iterable[str]) -> str:
    valid = tuple(valid)
    if isinstance(value, str) and value in valid:
        return value
    hint = did_you_mean(value, valid) if isinstance(value, str) else ""
    raise ValueError(f"{arg}: unknown value {value!r}{hint} "
                     f"(valid: {', '.join(valid)})")


def _names(value) -> tuple:
    if value is None:
        return ()
    if isinstance(value, (str, bytes, os.PathLike)):
        return (value,)
    try:
        return tuple(value)
    except TypeError:
        return (value,)


def _check_outdir(outdir, label: str = "outdir") -> pathlib.Path:
    if isinstance(outdir, bytes) or not isinstance(outdir, (str, os.PathLike)):
        raise ValueError(f"{label}: must be a folder path (str or os.PathLike), "
                         f"got {outdir!r}")
    text = os.fspath(outdir)
    if not text or "\x00" in text:
        raise ValueError(f"{label}: not a valid folder path: {text!r}")
    path = pathlib.Path(text).expanduser()
    if path.exists() and not path.is_dir():
        raise ValueError(f"{label}: {str(path)!r} exists and is not a folder")
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise ValueError(f"{label}: cannot create {str(path)!r}: "
                                 f"{str(parent)!r} is a file, not a folder")
            break
    return path


def _make_outdir(path: pathlib.Path, label: str = "outdir") -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path, prefix=".brainviz-probe-"):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ValueError(f"{label}: cannot write to {str(path)!r}: {reason}") from None


@dataclass(frozen=True)
class _Request:
    folder: pathlib.Path
    names: tuple
    all_names: tuple
    formats: tuple
    theme: str
    dpi: int | None
    fps: int
    progress: bool
    jobs: int
    labels: dict


def _wanted(label: str, only, names: tuple, all_of_them: str) -> tuple:
    """The names *only* asks for (all *names* when None): checked, once each, in the
    order given; an empty choice is an error that says how to get all of them."""
    if only is None:
        return names
    wanted = _names(only)
    if not wanted:
        raise ValueError(f"{label}: choose at least one name (valid: {', '.join(names)}); "
                         f"leave it out {all_of_them}")
    return tuple(dict.fromkeys(_one_of(label, n, names) for n in wanted))


def _check(gallery, labels: dict, outdir, only, formats, theme, dpi, fps, progress,
           jobs) -> _Request:
    """Check every argument before anything is made; errors name *labels*' names."""
    fmts = []
    for fmt in _names(formats):
        norm = fmt.lower().lstrip(".") if isinstance(fmt, str) else fmt
        fmts.append(_one_of(labels["formats"], norm, FORMATS))
    if not fmts:
        raise ValueError(f"{labels['formats']}: choose at least one of "
                         f"{', '.join(FORMATS)}")
    fmts = tuple(f for f in FORMATS if f in fmts)  # canonical order, no repeats
    if dpi is not None:
        dpi = check_whole(labels["dpi"], dpi, *DPI_RANGE)
    fps = check_whole(labels["fps"], fps, *FPS_RANGE)
    if not isinstance(progress, bool):
        raise ValueError(f"{labels['progress']}: must be True or False, got {progress!r}")
    if jobs is not None:
        jobs = check_whole(labels["jobs"], jobs, *JOBS_RANGE)
    names = tuple(gallery.NAMES)
    wanted = _wanted(labels["only"], only, names, "to export all")
    theme = _one_of(labels["theme"], theme, tuple(gallery.THEMES))
    folder = _check_outdir(outdir, labels["outdir"])
    return _Request(folder, wanted, names, fmts, theme, dpi, fps, progress,
                    jobs or _workers.usable_cpus(), labels)


# ----------------------------------------------------------------------- progress

class _Progress:
    """A one-line progress bar on stderr (a line per file when not a terminal)."""

    def __init__(self, total: int, enabled: bool, stream=None):
        self.total = max(1, total)
        self.done = 0
        self.frames_total = 0
        self.frames_done = 0
        self.enabled = enabled
        self.stream = stream if stream is not None else sys.stderr
        self.tty = enabled and hasattr(self.stream, "isatty") and self.stream.isatty()
        self._last = 0.0
        self._label = ""

    def _bar(self) -> None:
        width = 24
        fill = round(width * self.done / self.total)
        frames = (f"  frames {self.frames_done}/{self.frames_total}"
                  if self.frames_total else "")
        line = (f"\r[{'#' * fill}{'.' * (width - fill)}] {self.done}/{self.total} "
                f"{self._label}{frames}")
        self.stream.write(line[:120].ljust(70))
        self.stream.flush()

    def say(self, message: str) -> None:
        if self.enabled:
            if self.tty:
                self.stream.write("\r" + " " * 70 + "\r")
            self.stream.write(message + "\n")
            self.stream.flush()

    def frames(self, count: int) -> None:
        self.frames_done += count
        now = time.monotonic()
        if self.tty and (now - self._last > 0.1 or self.frames_done == self.frames_total):
            self._last = now
            self._bar()

    def finish_file(self, label: str) -> None:
        self.done += 1
        self._label = label
        if self.tty:
            self._bar()
        elif self.enabled:
            self.stream.write(f"[{self.done}/{self.total}] {label}\n")
            self.stream.flush()

    def close(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()


# ---------------------------------------------------------------------- rendering

def _close(fig) -> None:
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None and fig is not None:
        pyplot.close(fig)


def _freeze_layout(fig) -> None:
    """Solve the figure's layout once, round it, and keep it for every file.

    A figure with constrained layout is laid out again on every ``savefig``, by
    whichever renderer draws it: the solution depends on the previous one (a second
    solve starts from the first) and differs in its last bits between processes, and
    SVG clip-path ids hash those bits. Solving once with the same renderer every time
    (Agg at the figure's dpi, ``draw_without_rendering``), rounding the positions and
    switching the layout engine off makes PNG, SVG and PDF share one layout that
    depends only on the figure.
    """
    if fig.get_layout_engine() is None:
        return
    fig.draw_without_rendering()
    for ax in fig.axes:
        box = ax.get_position(original=True).bounds
        active = ax.get_position(original=False).bounds
        ax.set_position([round(v, 7) for v in box], which="original")
        ax.set_position([round(v, 7) for v in active], which="active")
    fig.set_layout_engine("none")


def _save_still(fig, tmp: pathlib.Path, fmt: str, dpi: int | None) -> None:
    import matplotlib

    kwargs = {"format": fmt, "dpi": "figure" if dpi is None else dpi}
    if fmt == "svg":
        kwargs["metadata"] = {"Date": None}
    elif fmt == "pdf":
        kwargs["metadata"] = {"CreationDate": None, "ModDate": None}
    with matplotlib.rc_context({"svg.hashsalt": _SVG_HASHSALT}):
        fig.savefig(tmp, **kwargs)


@contextlib.contextmanager
def _writing(final: pathlib.Path, tmp: Iterable[pathlib.Path] = ()):
    """Errors while making *final* name *final* (not the temporary file)."""
    try:
        yield
    except OSError as exc:
        raise _outdir.named(exc, final) from None
    except RuntimeError as exc:
        text = str(exc)
        for path in filter(None, tmp):
            text = text.replace(os.fspath(path), os.fspath(final))
        if os.fspath(final) not in text:
            text = f"cannot write {final}: {text}"
        raise RuntimeError(text) from None


def _text_file(caption: str, alt: str) -> bytes:
    return (f"Caption:\n{caption.strip()}\n\nAlt text:\n{alt.strip()}\n").encode("utf-8")


# ----------------------------------------------------------------- captions (WebVTT)

def _storyboard(gallery, name: str):
    """The animation's beats, or () when the gallery has no storyboard for it."""
    board = getattr(gallery, "storyboard", None)
    if board is None:
        import brainviz

        board = getattr(brainviz, "storyboard", None)
    if board is None:
        return ()
    try:
        return tuple(board(name))
    except (KeyError, ValueError):
        return ()


def _vtt_time(seconds: float) -> str:
    ms = int(round(max(0.0, float(seconds)) * 1000))
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def _vtt_text(text: str) -> str:
    text = " ".join(str(text).split()).replace("-->", "\u2192")
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def vtt(beats, *, title: str = "") -> bytes:
    """A WebVTT caption file from storyboard beats (one cue per beat).

    Examples
    --------
    >>> from types import SimpleNamespace as Beat
    >>> print(vtt([Beat(start_s=0, end_s=2.5, caption="Dose & window")]).decode())
    WEBVTT
    <BLANKLINE>
    1
    00:00:00.000 --> 00:00:02.500
    Dose &amp; window
    <BLANKLINE>
    """
    head = "WEBVTT" + (f" - {_vtt_text(title)}" if title else "") + "\n"
    cues = [f"{k}\n{_vtt_time(b.start_s)} --> {_vtt_time(b.end_s)}\n{_vtt_text(b.caption)}\n"
            for k, b in enumerate(beats, start=1)]
    return ("\n".join([head, *cues])).encode("utf-8")


# --------------------------------------------------------------------- the page

def _video_title(name: str) -> str:
    """The animation's own title (the still figure's may describe another picture)."""
    from ..views.animation import TITLES

    return TITLES.get(name, name.replace("_", " ").capitalize())


def _title(gallery, name: str) -> str:
    title = getattr(gallery, "title", None)
    if title is not None:
        with contextlib.suppress(Exception):
            return str(title(name))
    return name.replace("_", " ").capitalize()


def _mmss(seconds: float) -> str:
    s = int(round(seconds))
    return f"{s // 60}:{s % 60:02d}"


_PAGE_CSS = """
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 72rem;
       margin: 0 auto; padding: 1.5rem 1rem 4rem; line-height: 1.5; color: #1a1a1a; }
header p { max-width: 48rem; }
.download { display: inline-block; margin: .25rem 0 1rem; padding: .5rem .9rem;
            border: 2px solid #0072b2; border-radius: .4rem; color: #0072b2;
            font-weight: 600; text-decoration: none; }
.download:hover, .download:focus { background: #0072b2; color: #fff; }
nav ol { columns: 2 20rem; padding-left: 1.4rem; }
section { border-top: 1px solid #ccc; padding: 1rem 0 2rem; scroll-margin-top: 1rem; }
h2 { margin-bottom: .25rem; }
h3 { font-size: 1rem; margin: 1.25rem 0 .25rem; color: #444; }
figure { margin: .5rem 0; }
img, video { max-width: 100%; height: auto; display: block; border: 1px solid #ddd; }
figcaption, .caption { max-width: 60rem; }
.player { margin: .5rem 0; }
.controls { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center;
            padding: .4rem 0; }
.controls button { font: inherit; padding: .25rem .8rem; border: 1px solid #666;
                   border-radius: .3rem; background: #f4f4f4; cursor: pointer; }
.controls button[aria-pressed="true"] { background: #0072b2; color: #fff; }
.controls input[type=range] { flex: 1 1 12rem; }
.controls .time { font-variant-numeric: tabular-nums; color: #444; }
.cue { min-height: 3em; margin: .25rem 0; padding: .4rem .6rem; background: #f4f4f4;
       border-left: 4px solid #0072b2; }
.cue[hidden] { display: none; }
details { margin: .5rem 0; }
.files { font-size: .9rem; color: #444; }
"""

# Controls under the video, never over it; captions (the WebVTT track) shown in a
# live region under the video too. Cues are also embedded in the page, because
# browsers refuse <track> files on pages opened from disk (file://).
_PAGE_JS = """
document.querySelectorAll('.player').forEach(function (box) {
  var video = box.querySelector('video');
  var bar = box.querySelector('.controls');
  var cue = box.querySelector('.cue');
  var play = bar.querySelector('.play'), seek = bar.querySelector('.seek');
  var time = bar.querySelector('.time'), cc = bar.querySelector('.cc');
  var cues = JSON.parse(box.querySelector('script.cues').textContent);
  video.removeAttribute('controls');
  bar.hidden = false;
  if (!cues.length) { cc.hidden = true; }
  video.addEventListener('click', function () { play.click(); });
  function fmt(s) { s = Math.round(s || 0); return Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0'); }
  function show() {
    var t = video.currentTime, text = '';
    cues.forEach(function (c) { if (t >= c[0] && t < c[1]) { text = c[2]; } });
    if (cue.textContent !== text) { cue.textContent = text; }
  }
  function tick() {
    time.textContent = fmt(video.currentTime) + ' / ' + fmt(video.duration);
    if (video.duration) { seek.value = 1000 * video.currentTime / video.duration; }
    show();
  }
  play.addEventListener('click', function () { if (video.paused) { video.play(); } else { video.pause(); } });
  video.addEventListener('play', function () { play.textContent = 'Pause'; play.setAttribute('aria-label', 'Pause ' + play.dataset.name); });
  video.addEventListener('pause', function () { play.textContent = 'Play'; play.setAttribute('aria-label', 'Play ' + play.dataset.name); });
  video.addEventListener('timeupdate', tick);
  video.addEventListener('loadedmetadata', tick);
  seek.addEventListener('input', function () { if (video.duration) { video.currentTime = seek.value / 1000 * video.duration; } });
  cc.addEventListener('click', function () {
    var on = cc.getAttribute('aria-pressed') !== 'true';
    cc.setAttribute('aria-pressed', String(on));
    cue.hidden = !on;
    show();
  });
  Array.prototype.forEach.call(video.textTracks, function (track) { track.mode = 'hidden'; });
  tick();
});
"""


def _index_html(names, out: OutputFolder, gallery) -> bytes:
    def href(file: str) -> str:
        return html.escape(urllib.parse.quote(file), quote=True)

    manifest = out.manifest
    have = {f for f in manifest.files if (out.folder / f).is_file()}
    shown = [n for n in names if any(f"{n}.{f}" in have for f in FORMATS)]
    contents, sections = [], []
    for name in shown:
        title = html.escape(_title(gallery, name))
        anchor = html.escape(name, quote=True)
        caption = html.escape(gallery.caption(name).strip())
        alt = html.escape(gallery.alt_text(name).strip(), quote=True)
        contents.append(f'<li><a href="#{anchor}">{title}</a></li>')
        parts = [f'<section id="{anchor}" aria-labelledby="{anchor}-title">',
                 f'<h2 id="{anchor}-title">{title}</h2>']
        still = next((f"{name}.{f}" for f in ("png", "svg") if f"{name}.{f}" in have), None)
        if still:
            parts += ["<h3>Figure</h3>", "<figure>",
                      f'<img src="{href(still)}" alt="{alt}" loading="lazy">',
                      f"<figcaption>{caption}</figcaption>", "</figure>"]
        beats = _storyboard(gallery, name) if f"{name}.mp4" in have else ()
        if f"{name}.mp4" in have:
            mp4 = href(name + ".mp4")
            poster = f"{name}.{POSTER}"
            poster_attr = f' poster="{href(poster)}"' if poster in have else ""
            track = (f'<track kind="captions" srclang="en" label="English captions" '
                     f'src="{href(name + ".vtt")}">' if f"{name}.vtt" in have else "")
            cues = [[round(float(b.start_s), 3), round(float(b.end_s), 3),
                     " ".join(str(b.caption).split())] for b in beats]
            cue_json = json.dumps(cues).replace("</", "<\\/")
            plain = html.escape(name)
            parts += [
                "<h3>Animation</h3>", '<div class="player">',
                f'<video controls preload="metadata" playsinline{poster_attr} src="{mp4}" '
                f'aria-describedby="{anchor}-transcript">{track}'
                f'Your browser cannot play this video: <a href="{mp4}">download '
                f"{plain}.mp4</a>.</video>",
                '<div class="controls" hidden>'
                f'<button type="button" class="play" data-name="{plain}" '
                f'aria-label="Play {plain}">Play</button>'
                f'<input type="range" class="seek" min="0" max="1000" value="0" '
                f'aria-label="Position in the {plain} animation">'
                '<span class="time">0:00</span>'
                f'<button type="button" class="cc" aria-pressed="false">Captions</button>'
                "</div>",
                '<p class="cue" aria-live="polite" hidden></p>',
                f'<script type="application/json" class="cues">{cue_json}</script>',
                "</div>"]
            if beats:
                items = "".join(f"<li>{_mmss(b.start_s)}–{_mmss(b.end_s)}: "
                                f"{html.escape(' '.join(str(b.caption).split()))}</li>"
                                for b in beats)
                parts.append(f'<details id="{anchor}-transcript"><summary>What the '
                             f"animation says, beat by beat</summary><ol>{items}</ol>"
                             "</details>")
        elif f"{name}.gif" in have:
            parts += ["<h3>Animation</h3>",
                      f'<img src="{href(name + ".gif")}" alt="Animated: {alt}" '
                      'loading="lazy">']
        if not still:
            parts.append(f'<p class="caption">{caption}</p>')
        files = [f"{name}.{fmt}" for fmt in (*FORMATS, POSTER, "vtt", "txt")
                 if f"{name}.{fmt}" in have]
        links = " · ".join(
            f'<a href="{href(f)}" download>{html.escape(f[len(name) + 1:])}</a>'
            for f in files)
        parts.append(f'<p class="files">Download: {links}</p></section>')
        sections.append("\n".join(parts))
    body = "\n".join(sections) or "<p>No figures exported yet.</p>"
    nav = (f'<nav aria-label="Contents"><h2>Contents</h2><ol>{"".join(contents)}</ol></nav>'
           if contents else "")
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>brainviz: figures and animations for teaching</title>
<link rel="icon" href="data:,">
<style>{_PAGE_CSS}</style>
</head>
<body>
<header>
<h1>brainviz: figures and animations</h1>
<p>Figures and animations of an educational model of how ketamine is thought to help
trauma and PTSD. Its numbers are illustrative; it is not medical advice and predicts
nothing for any patient. Each section has the still figure, the animation with
captions, and every file exported for it.</p>
<a class="download" href="{href(ARCHIVE)}" download>Download everything (.zip)</a>
</header>
{nav}
<main>
{body}
</main>
<script>{_PAGE_JS}</script>
</body>
</html>
"""
    return page.encode("utf-8")


def _archive(out: OutputFolder, tmp: pathlib.Path) -> None:
    """Every file brainviz made in the folder, in a zip with fixed dates (the same
    files give the same bytes)."""
    stored = {"png", "gif", "mp4", "pdf", "zip"}
    names = sorted(f for f in out.manifest.files
                   if f != ARCHIVE and (out.folder / f).is_file())
    with zipfile.ZipFile(tmp, "w") as zf:
        for name in names:
            info = zipfile.ZipInfo(f"brainviz-figures/{name}", date_time=_ZIP_DATE)
            info.external_attr = 0o644 << 16
            ext = name.rsplit(".", 1)[-1].lower()
            info.compress_type = zipfile.ZIP_STORED if ext in stored else zipfile.ZIP_DEFLATED
            with open(out.folder / name, "rb") as src, zf.open(info, "w") as dst:
                for block in iter(lambda: src.read(1 << 20), b""):
                    dst.write(block)


# ------------------------------------------------------------------------- export

def export(outdir: str | os.PathLike = "brainviz-export", *, only=None,
           formats=FORMATS, theme: str = "slides", dpi: int | None = None,
           fps: int = 30, progress: bool = True, jobs: int | None = None
           ) -> list[pathlib.Path]:
    """Write the gallery's figures and animations as slide-ready files.

    For each name: ``NAME.png``, ``NAME.svg``, ``NAME.pdf`` (still figure),
    ``NAME.mp4`` (H.264, plays in PowerPoint, Keynote and browsers) with
    ``NAME.vtt`` (its captions, one per storyboard beat) and ``NAME.poster.png`` (its
    first frame), ``NAME.gif`` (about 960 px wide, 15 fps), ``NAME.txt`` (caption and
    alt text); then ``index.html`` showing everything in the folder and
    ``brainviz-figures.zip`` with all of it.

    Files brainviz did not write are never replaced, even one created while the
    export runs: the folder's ``.brainviz-export.json`` lists brainviz's files, and
    the last step of each write fails rather than replace anything else. One export
    (or deck) at a time writes into a folder; a second one waits. SVG and PDF output
    is byte-for-byte reproducible.

    Parameters
    ----------
    outdir : str or path-like, default "brainviz-export"
        Folder to write into (created if needed).
    only : str or sequence of str, optional
        Gallery names to export (default: all of ``brainviz.views.gallery.NAMES``).
    formats : sequence of str, default ("png", "svg", "pdf", "mp4", "gif")
        Which files to make.
    theme : {"slides", "notebook", "dark", "print"}, default "slides"
        Gallery theme ("slides" is 1920x1080).
    dpi : int, optional
        Resolution of PNG files and of raster parts of SVG/PDF, 50 to 600 (default:
        the theme's own). Videos keep the figure's own size.
    fps : int, default 30
        Frame rate of the MP4, 5 to 60 (the GIF is at 15 fps, or less if *fps* is).
    progress : bool, default True
        Show a progress bar on stderr.
    jobs : int, optional
        Worker processes, 1 to 64 (default: one per usable CPU; 1 renders in this
        process).

    Returns
    -------
    list of pathlib.Path
        The files written, in order (the manifest not included).

    Raises
    ------
    ValueError
        An argument is invalid (unknown name, format or theme; *dpi*, *fps* or *jobs*
        out of range; an empty *only*; a folder that cannot be made or written).
    FileExistsError
        A file in the way was not made by brainviz, or was edited since (it is left
        as it is; with nothing else written if it was there from the start).
    OSError
        Writing failed (disk full, ...); the error names the file.

    Examples
    --------
    >>> from brainviz.app.export import export
    >>> paths = export("slides", only=["network"], formats=["png", "mp4"])  # doctest: +SKIP
    >>> [p.name for p in paths]                                    # doctest: +SKIP
    ['network.png', 'network.mp4', 'network.poster.png', 'network.vtt', 'network.txt',
     'index.html', 'brainviz-figures.zip']
    """
    gallery = _gallery()
    request = _check(gallery, _API_NAMES, outdir, only, formats, theme, dpi, fps,
                     progress, jobs)
    return _export(request, gallery)


def _planned_files(req: _Request, gallery) -> dict[str, list[str]]:
    files = {}
    for name in req.names:
        mine = [f"{name}.{f}" for f in req.formats if f in STILL_FORMATS]
        if "mp4" in req.formats:
            mine.append(f"{name}.mp4")
        if "gif" in req.formats:
            mine.append(f"{name}.gif")
        if "mp4" in req.formats:
            mine.append(f"{name}.{POSTER}")
            if _storyboard(gallery, name):
                mine.append(f"{name}.vtt")
        mine.append(f"{name}.txt")
        files[name] = mine
    return files


def _export(req: _Request, gallery) -> list[pathlib.Path]:
    _make_outdir(req.folder, req.labels["outdir"])
    planned = _planned_files(req, gallery)
    order = [f for name in req.names for f in planned[name]] + [INDEX, ARCHIVE]
    bar = _Progress(len(order), req.progress)
    written: dict[str, pathlib.Path] = {}
    try:
        with OutputFolder(req.folder, on_wait=bar.say) as out:
            out.refuse_foreign(order)  # stop before making anything
            _render_all(req, gallery, out, planned, bar, written)
            for name in req.names:  # small text files, made here
                text = _text_file(gallery.caption(name), gallery.alt_text(name))
                _put_bytes(out, f"{name}.txt", text, bar, written)
                if f"{name}.vtt" in planned[name]:
                    board = _storyboard(gallery, name)
                    _put_bytes(out, f"{name}.vtt", vtt(board, title=_video_title(name)),
                               bar, written)
            _put_bytes(out, INDEX, _index_html(req.all_names, out, gallery), bar, written)
            tmp = out.temp_path(ARCHIVE)
            with _writing(req.folder / ARCHIVE, [tmp]):
                _archive(out, tmp)
            _install(out, {ARCHIVE: tmp}, bar, written)
    finally:
        bar.close()
    return [written[f] for f in order if f in written]


def _install(out: OutputFolder, files: dict, bar: _Progress, written: dict) -> None:
    for path in out.install(files):
        written[path.name] = path
        bar.finish_file(path.name)


def _put_bytes(out: OutputFolder, name: str, data: bytes, bar, written) -> None:
    tmp = out.temp_path(name)
    with _writing(out.folder / name, [tmp]):
        tmp.write_bytes(data)
    _install(out, {name: tmp}, bar, written)


def _render_all(req: _Request, gallery, out: OutputFolder, planned, bar, written) -> None:
    """Build each animation and figure here, render them in worker processes, and
    install each file as soon as it is finished."""
    videos = [f for f in req.formats if f in VIDEO_FORMATS]
    stills = [f for f in req.formats if f in STILL_FORMATS]
    with _workers.Workers(req.jobs, close_fds=[out.lock_fd]) as pool:
        if videos:
            for name in req.names:
                _submit_video(req, gallery, out, pool, name, bar, written)
        if stills:
            for name in req.names:
                _submit_stills(req, gallery, out, pool, name, stills, bar, written)


def _submit_stills(req, gallery, out, pool, name, stills, bar, written) -> None:
    fig = gallery.figure(name, theme=req.theme)
    tmps = {f"{name}.{fmt}": out.temp_path(f"{name}.{fmt}") for fmt in stills}

    def work(report) -> None:
        _freeze_layout(fig)
        for file, tmp in tmps.items():
            with _writing(req.folder / file, [tmp]):
                _save_still(fig, tmp, file.rsplit(".", 1)[1], req.dpi)

    try:
        pool.submit(work, label=", ".join(tmps),
                    on_done=lambda: _install(out, tmps, bar, written))
    finally:
        _close(fig)


def _submit_video(req, gallery, out, pool, name, bar, written) -> None:
    fmts = [f for f in req.formats if f in VIDEO_FORMATS]
    anim = gallery.animate(name, theme=req.theme, fps=req.fps)
    try:
        plan = _video.plan(anim, mp4="mp4" in fmts, gif="gif" in fmts)
        finals = {fmt: req.folder / f"{name}.{fmt}" for fmt in fmts}
        palette = None
        if plan.gif:
            palette = out.temp_path(f"{name}-palette.png")
            with _writing(finals["gif"], [palette]):
                _video.make_palette(anim, plan, palette)
        segments = plan.segments(pool.slots)
        whole = len(segments) == 1
        poster = out.temp_path(f"{name}.{POSTER}") if plan.mp4 else None
        parts = {fmt: [out.temp_path(f"{name}.{fmt}") for _ in segments] for fmt in fmts}
        bar.frames_total += sum(len(plan.frames(a, b)) for a, b in segments)
        left = [len(segments)]

        def finish() -> None:
            left[0] -= 1
            if left[0]:
                return
            files = {}
            for fmt in fmts:
                target = parts[fmt][0]
                if not whole:
                    target = out.temp_path(f"{name}.{fmt}")
                    join = _video.join_mp4 if fmt == "mp4" else _video.join_gif
                    with _writing(finals[fmt], [target, *parts[fmt]]):
                        join(parts[fmt], target)
                if fmt == "gif":
                    with _writing(finals[fmt], [target]):
                        _shrink_gif(gallery, req, name, target)
                files[f"{name}.{fmt}"] = target
            if poster is not None:
                files[f"{name}.{POSTER}"] = poster
            _install(out, files, bar, written)

        for k, (start, stop) in enumerate(segments):
            def work(report, k=k, start=start, stop=stop) -> None:
                mine = {fmt: parts[fmt][k] for fmt in fmts}
                step = [0]

                def frames(done, total):
                    if done - step[0] >= 10 or done == total:
                        report(done - step[0])
                        step[0] = done

                with _writing(finals[fmts[0]], [*mine.values(), *filter(None, [palette])]):
                    _video.render_segment(anim, plan, start, stop, mp4=mine.get("mp4"),
                                          gif=mine.get("gif"), palette=palette,
                                          poster=poster if k == 0 else None,
                                          progress=frames, final=whole)

            pool.submit(work, label=f"{name}.{'/'.join(fmts)}", on_message=bar.frames,
                        on_done=finish)
    finally:
        _video.done_with(anim)
        _close(getattr(anim, "fig", None))
        del anim


def _shrink_gif(gallery, req, name, path: pathlib.Path) -> None:
    """Rare: a GIF over the size limit is made again, smaller, here."""
    if path.stat().st_size <= _video.GIF_MAX_BYTES:
        return
    anim = gallery.animate(name, theme=req.theme, fps=req.fps)
    try:
        _video.shrink_gif(anim, path)
    finally:
        _video.done_with(anim)
        _close(getattr(anim, "fig", None))


def _image_bytes(fig, fmt: str) -> bytes:  # used by the deck
    buf = io.BytesIO()
    _freeze_layout(fig)
    _save_still(fig, buf, fmt, None)
    return buf.getvalue()
