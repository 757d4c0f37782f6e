"""Export every gallery figure and animation as slide-ready files, safely.

``export()`` writes, for each gallery name, ``NAME.png/.svg/.pdf`` (the still figure),
``NAME.mp4/.gif`` (the animation), ``NAME.txt`` (caption and alt text), and an
``index.html`` to browse them all. Every file is written to a temporary file in the
same folder and moved into place (``os.replace``), so an interrupted or failed export
never leaves a half-written file. A small manifest, ``.brainviz-export.json``, lists
the files brainviz wrote there with their checksums: only those are ever overwritten,
and anything else in the folder (or a listed file that was edited since) makes the
export stop before it writes anything.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import importlib
import json
import os
import pathlib
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Iterable

from .._validate import check_whole, did_you_mean
from . import _video

__all__ = ["FORMATS", "MANIFEST", "STILL_FORMATS", "VIDEO_FORMATS", "export"]

STILL_FORMATS = ("png", "svg", "pdf")
VIDEO_FORMATS = ("mp4", "gif")
FORMATS = STILL_FORMATS + VIDEO_FORMATS
MANIFEST = ".brainviz-export.json"
INDEX = "index.html"
DPI_RANGE = (50, 600)
FPS_RANGE = (5, 60)
_SVG_HASHSALT = "brainviz"
_MANIFEST_KIND = "brainviz-export"


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


def _check_outdir(outdir) -> pathlib.Path:
    if isinstance(outdir, bytes) or not isinstance(outdir, (str, os.PathLike)):
        raise ValueError(f"outdir: must be a folder path (str or os.PathLike), "
                         f"got {outdir!r}")
    text = os.fspath(outdir)
    if not text or "\x00" in text:
        raise ValueError(f"outdir: not a valid folder path: {text!r}")
    path = pathlib.Path(text).expanduser()
    if path.exists() and not path.is_dir():
        raise ValueError(f"outdir: {str(path)!r} exists and is not a folder")
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise ValueError(f"outdir: cannot create {str(path)!r}: "
                                 f"{str(parent)!r} is a file, not a folder")
            break
    return path


def _make_outdir(path: pathlib.Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path, prefix=".brainviz-probe-"):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ValueError(f"outdir: cannot write to {str(path)!r}: {reason}") from None


# ------------------------------------------------------------------ atomic writing

def _sha256(path: pathlib.Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


class _Manifest:
    """The record of files brainviz wrote in one folder, with their checksums.

    Each entry holds the checksums the file may have: while a file is being replaced
    both the old and the new one are listed, so an interruption at any point leaves a
    manifest that still recognises the file on disk.
    """

    def __init__(self, folder: pathlib.Path):
        self.folder = folder
        self.path = folder / MANIFEST
        self.files: dict[str, list[str]] = {}
        if self.path.exists():
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
                if data.get("kind") != _MANIFEST_KIND:
                    raise ValueError
                self.files = {str(k): list(v) for k, v in data["files"].items()}
            except (ValueError, KeyError, TypeError, AttributeError, OSError):
                raise FileExistsError(
                    f"{str(self.path)!r} exists but is not a brainviz export manifest; "
                    "choose another folder") from None

    def check_writable(self, name: str) -> None:
        """Raise FileExistsError if *name* exists and is not brainviz's own file."""
        target = self.folder / name
        if not (target.exists() or target.is_symlink()):
            return
        if name not in self.files:
            raise FileExistsError(
                f"{str(target)!r} exists and was not made by brainviz; "
                "move it away or choose another folder (nothing was written)")
        if not target.is_file() or target.is_symlink() \
                or _sha256(target) not in self.files[name]:
            raise FileExistsError(
                f"{str(target)!r} was changed since brainviz wrote it; "
                "move it away or choose another folder (nothing was written)")

    def _save(self) -> None:
        data = {"kind": _MANIFEST_KIND, "version": 1,
                "note": "Files brainviz export wrote here; only these are overwritten.",
                "files": {k: self.files[k] for k in sorted(self.files)}}
        payload = (json.dumps(data, indent=1) + "\n").encode("utf-8")
        _atomic_write(self.path, lambda tmp: tmp.write_bytes(payload))

    def install(self, tmp: pathlib.Path, name: str) -> pathlib.Path:
        """Move the finished temporary file *tmp* into place as *name*."""
        digest = _sha256(tmp)
        old = self.files.get(name, [])
        self.files[name] = sorted(set(old[-1:]) | {digest}) if old else [digest]
        self._save()  # old and new checksums are both recognised from here on
        target = self.folder / name
        os.replace(tmp, target)
        self.files[name] = [digest]
        self._save()
        return target


def _atomic_write(target: pathlib.Path, write: Callable[[pathlib.Path], object],
                  install: Callable[[pathlib.Path], object] | None = None):
    """Call ``write(tmp)`` on a temporary file beside *target*, then move it into
    place with ``install(tmp)`` (default ``os.replace``). The temporary file never
    survives a failure or an interrupt."""
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                suffix=".brainviz-tmp")
    os.close(fd)
    tmp = pathlib.Path(name)
    try:
        write(tmp)
        os.chmod(tmp, 0o666 & ~_umask())
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        if install is None:
            os.replace(tmp, target)
            return target
        return install(tmp)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


# ----------------------------------------------------------------------- progress

class _Progress:
    """A one-line progress bar on stderr (a line per file when not a terminal)."""

    def __init__(self, total: int, enabled: bool, stream=None):
        self.total = max(1, total)
        self.done = 0
        self.enabled = enabled
        self.stream = stream if stream is not None else sys.stderr
        self.tty = enabled and hasattr(self.stream, "isatty") and self.stream.isatty()
        self._last = 0.0
        self._label = ""

    def _bar(self, extra: str = "") -> None:
        width = 24
        fill = round(width * self.done / self.total)
        line = (f"\r[{'#' * fill}{'.' * (width - fill)}] {self.done}/{self.total} "
                f"{self._label}{extra}")
        self.stream.write(line[:120].ljust(60))
        self.stream.flush()

    def start(self, label: str) -> None:
        self._label = label
        if self.tty:
            self._bar()

    def frames(self, done: int, total: int) -> None:
        now = time.monotonic()
        if self.tty and (now - self._last > 0.1 or done == total):
            self._last = now
            self._bar(f"  frame {done}/{total}")

    def finish_file(self) -> None:
        self.done += 1
        if self.tty:
            self._bar()
        elif self.enabled:
            self.stream.write(f"[{self.done}/{self.total}] {self._label}\n")
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


def _save_still(fig, tmp: pathlib.Path, fmt: str, dpi: int | None) -> None:
    import matplotlib

    kwargs = {"format": fmt, "dpi": "figure" if dpi is None else dpi}
    if fmt == "svg":
        kwargs["metadata"] = {"Date": None}
    elif fmt == "pdf":
        kwargs["metadata"] = {"CreationDate": None, "ModDate": None}
    with matplotlib.rc_context({"svg.hashsalt": _SVG_HASHSALT}):
        fig.savefig(tmp, **kwargs)


def _text_file(caption: str, alt: str) -> bytes:
    return (f"Caption:\n{caption.strip()}\n\nAlt text:\n{alt.strip()}\n").encode("utf-8")


def _index_html(names, manifest: _Manifest, gallery) -> bytes:
    def href(file: str) -> str:
        return html.escape(urllib.parse.quote(file), quote=True)

    have = {f for f in manifest.files if (manifest.folder / f).is_file()}
    sections = []
    for name in names:
        files = [f"{name}.{fmt}" for fmt in FORMATS + ("txt",) if f"{name}.{fmt}" in have]
        if not files:
            continue
        caption = html.escape(gallery.caption(name).strip())
        alt = html.escape(gallery.alt_text(name).strip(), quote=True)
        parts = [f'<section id="{html.escape(name, quote=True)}">',
                 f"<h2>{html.escape(name)}</h2>"]
        still = next((f"{name}.{f}" for f in ("png", "svg") if f"{name}.{f}" in have), None)
        if still:
            parts.append(f'<img src="{href(still)}" alt="{alt}" loading="lazy">')
        if f"{name}.mp4" in have:
            poster = f' poster="{href(still)}"' if still and still.endswith(".png") else ""
            parts.append(
                f'<video controls preload="metadata"{poster} src="{href(name + ".mp4")}">'
                f'Your browser cannot play this video: <a href="{href(name + ".mp4")}">'
                f"download {html.escape(name)}.mp4</a>. {caption}</video>")
        elif f"{name}.gif" in have:
            parts.append(f'<img src="{href(name + ".gif")}" alt="{alt} (animated)" '
                         'loading="lazy">')
        parts.append(f"<p>{caption}</p>")
        links = " · ".join(f'<a href="{href(f)}">{html.escape(f.rsplit(".", 1)[1])}</a>'
                           for f in files)
        parts.append(f'<p class="files">Files: {links}</p></section>')
        sections.append("\n".join(parts))
    body = "\n".join(sections) or "<p>No figures exported yet.</p>"
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>brainviz figures</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 70rem; margin: 2rem auto;
        padding: 0 1rem; line-height: 1.45; color: #222; }}
section {{ border-top: 1px solid #ccc; padding: 1rem 0 2rem; }}
img, video {{ max-width: 100%; height: auto; display: block; margin: .5rem 0;
              border: 1px solid #ddd; }}
.files {{ font-size: .9rem; color: #555; }}
</style>
</head>
<body>
<h1>brainviz figures</h1>
<p>Figures and animations of an educational model with illustrative numbers; not
medical advice. Each section links every file exported for that figure.</p>
{body}
</body>
</html>
"""
    return page.encode("utf-8")


# ------------------------------------------------------------------------- export

def export(outdir: str | os.PathLike = "brainviz-export", *, only=None,
           formats=FORMATS, theme: str = "slides", dpi: int | None = None,
           fps: int = 30, progress: bool = True) -> list[pathlib.Path]:
    """Write the gallery's figures and animations as slide-ready files.

    For each name: ``NAME.png``, ``NAME.svg``, ``NAME.pdf`` (still figure),
    ``NAME.mp4`` (H.264, plays in PowerPoint, Keynote and browsers), ``NAME.gif``
    (about 960 px wide, 15 fps), ``NAME.txt`` (caption and alt text); and an
    ``index.html`` showing everything in the folder with its caption.

    Writes are atomic (temporary file, then ``os.replace``). Files brainviz did not
    write are never overwritten or deleted: the folder's ``.brainviz-export.json``
    lists brainviz's files, and if a target exists that is not one of them, or was
    edited since, nothing is written and ``FileExistsError`` is raised. SVG and PDF
    output is byte-for-byte reproducible.

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

    Returns
    -------
    list of pathlib.Path
        The files written, in order (the manifest not included).

    Raises
    ------
    ValueError
        An argument is invalid (unknown name, format or theme; *dpi* or *fps* out of
        range; a folder that cannot be made or written).
    FileExistsError
        A target file exists that brainviz did not write (nothing is written).

    Examples
    --------
    >>> from brainviz.app.export import export
    >>> paths = export("slides", only=["network"], formats=["png", "mp4"])  # doctest: +SKIP
    >>> [p.name for p in paths]                                    # doctest: +SKIP
    ['network.png', 'network.mp4', 'network.txt', 'index.html']
    """
    fmts = []
    for fmt in _names(formats):
        norm = fmt.lower().lstrip(".") if isinstance(fmt, str) else fmt
        fmts.append(_one_of("formats", norm, FORMATS))
    if not fmts:
        raise ValueError(f"formats: choose at least one of {', '.join(FORMATS)}")
    fmts = [f for f in FORMATS if f in fmts]  # canonical order, no repeats
    if dpi is not None:
        dpi = check_whole("dpi", dpi, *DPI_RANGE)
    fps = check_whole("fps", fps, *FPS_RANGE)
    if not isinstance(progress, bool):
        raise ValueError(f"progress: must be True or False, got {progress!r}")
    gallery = _gallery()
    names = tuple(gallery.NAMES)
    wanted = _names(only) or names
    wanted = tuple(dict.fromkeys(_one_of("only", n, names) for n in wanted))
    theme = _one_of("theme", theme, tuple(gallery.THEMES))

    folder = _check_outdir(outdir)
    _make_outdir(folder)
    manifest = _Manifest(folder)
    targets = [f"{n}.{f}" for n in wanted for f in fmts + ["txt"]] + [INDEX]
    for target in targets:  # refuse before writing anything
        manifest.check_writable(target)

    bar = _Progress(len(targets), progress)
    written: list[pathlib.Path] = []

    def put(file: str, write: Callable[[pathlib.Path], object]) -> None:
        bar.start(file)
        target = folder / file
        written.append(_atomic_write(target, write,
                                     lambda tmp: manifest.install(tmp, file)))
        bar.finish_file()

    try:
        for name in wanted:
            stills = [f for f in fmts if f in STILL_FORMATS]
            if stills:
                fig = gallery.figure(name, theme=theme)
                try:
                    for fmt in stills:
                        put(f"{name}.{fmt}",
                            lambda tmp, fmt=fmt: _save_still(fig, tmp, fmt, dpi))
                finally:
                    _close(fig)
            videos = [f for f in fmts if f in VIDEO_FORMATS]
            if videos:
                anim = gallery.animate(name, theme=theme, fps=fps)
                try:
                    for fmt in videos:
                        writer = _video.write_mp4 if fmt == "mp4" else _video.write_gif
                        put(f"{name}.{fmt}",
                            lambda tmp, w=writer: w(anim, tmp, progress=bar.frames))
                finally:
                    _video.done_with(anim)
                    _close(getattr(anim, "fig", None))
                    del anim
            text = _text_file(gallery.caption(name), gallery.alt_text(name))
            put(f"{name}.txt", lambda tmp, text=text: tmp.write_bytes(text))
        page = _index_html(names, manifest, gallery)
        put(INDEX, lambda tmp: tmp.write_bytes(page))
    finally:
        bar.close()
    return written
