"""The ``brainviz`` command: export the gallery for slides, build a deck, present.

::

    brainviz export [OUTDIR] [--only NAME ...] [--format png svg pdf mp4 gif]
                    [--theme slides|notebook|dark|print] [--dpi N] [--fps N] [--jobs N]
    brainviz list
    brainviz notebooks [DIR] [--open] [--no-browser]
    brainviz deck OUT.pptx [--only NAME ...] [--fps N] [--jobs N]
    brainviz slides NOTEBOOK [OUT.html]
    brainviz present [NAME]

Errors are one line on stderr, ``brainviz: error: ...``, naming the flag that was
wrong; the exit status is 2 for a usage error (bad argument), 1 for a failure while
working, 130/143/129 when stopped by Ctrl-C, SIGTERM or SIGHUP (after cleaning up),
and 141 when the reader of the output went away (``brainviz list | head``).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import signal
import sys
import threading

__all__ = ["main"]

PROG = "brainviz"


class _UsageError(Exception):
    pass


class _Stopped(KeyboardInterrupt):
    """SIGTERM or SIGHUP, handled like Ctrl-C: clean up, say so, exit 128 + signal."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line, raised rather than printed."""

    def error(self, message):  # noqa: D102 - argparse API
        raise _UsageError(message)


# ------------------------------------------------------------------ the subcommands

def _add_export(sub) -> None:
    from .export import DPI_RANGE, FORMATS, FPS_RANGE, JOBS_RANGE

    exp = sub.add_parser(
        "export", help="write every figure (PNG, SVG, PDF), animation (MP4 with "
        "captions, GIF), caption, an index.html and a zip of it all into a folder",
        description="Write the gallery as slide-ready files: NAME.png/.svg/.pdf, "
        "NAME.mp4 with NAME.vtt captions and NAME.poster.png, NAME.gif, NAME.txt "
        "(caption and alt text), index.html and brainviz-figures.zip. Files brainviz "
        "did not write are never replaced; one run at a time writes into a folder.")
    exp.add_argument("outdir", nargs="?", default="brainviz-export", metavar="OUTDIR",
                     help="folder to write into (default: ./brainviz-export)")
    exp.add_argument("--only", nargs="+", action="extend", metavar="NAME",
                     help="export only these figures (see: brainviz list)")
    exp.add_argument("--format", nargs="+", action="extend", dest="formats",
                     metavar="FMT", help=f"file formats (default: all of "
                     f"{' '.join(FORMATS)})")
    exp.add_argument("--theme", default="slides",
                     help="slides (1920x1080, default), notebook, dark or print")
    exp.add_argument("--dpi", type=int, default=None,
                     help=f"PNG resolution, {DPI_RANGE[0]}-{DPI_RANGE[1]} "
                     "(default: the theme's own)")
    exp.add_argument("--fps", type=int, default=30,
                     help=f"MP4 frame rate, {FPS_RANGE[0]}-{FPS_RANGE[1]} (default 30)")
    exp.add_argument("--jobs", type=int, default=None,
                     help=f"worker processes, {JOBS_RANGE[0]}-{JOBS_RANGE[1]} "
                     "(default: one per CPU)")
    exp.add_argument("-q", "--quiet", action="store_true", help="no progress bar")


def _run_export(args) -> int:
    from .export import _CLI_NAMES, FORMATS, _check, _export, _gallery

    gallery = _gallery()
    request = _check(gallery, _CLI_NAMES, args.outdir, args.only,
                     args.formats or FORMATS, args.theme, args.dpi, args.fps,
                     not args.quiet, args.jobs)
    with _stop_on_signals():
        paths = _export(request, gallery)
    if paths:
        folder = paths[-1].parent
        print(f"wrote {len(paths)} files to {folder}; open {folder / 'index.html'}")
    return 0


def _add_list(sub) -> None:
    sub.add_parser("list", help="list the figures with one-line captions",
                   description="List the gallery's figures with one-line captions.")


def _one_line(text: str, width: int = 90) -> str:
    text = " ".join(str(text).split())
    first = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]
    return first if len(first) <= width else first[: width - 1].rstrip() + "…"


def _run_list(args) -> int:
    from .export import _gallery

    gallery = _gallery()
    names = tuple(gallery.NAMES)
    pad = max((len(n) for n in names), default=0)
    out = sys.stdout
    for name in names:
        out.write(f"{name:<{pad}}  {_one_line(gallery.caption(name))}\n")
    out.flush()  # a closed pipe shows up here, not at exit
    return 0


def _add_notebooks(sub) -> None:
    nbs = sub.add_parser(
        "notebooks", help="copy the course (notebooks and their docs) into a folder",
        description="Copy the student notebooks into DIR and the docs they link to into "
        "DIR/docs/. A notebook you changed is never replaced.")
    nbs.add_argument("dir", nargs="?", default="brainviz-notebooks", metavar="DIR",
                     help="folder to copy into (default: ./brainviz-notebooks)")
    nbs.add_argument("--open", action="store_true",
                     help="then start JupyterLab there, with the first notebook open")
    nbs.add_argument("--no-browser", action="store_true",
                     help="with --open: start JupyterLab without opening a browser")


def _run_notebooks(args) -> int:
    from .course import START, copy_course, open_lab

    report = copy_course(args.dir)
    folder = args.dir.rstrip("/\\") or "."
    done = {k: len(v) for k, v in report.items() if v}
    print(f"copied the course into {folder}/: " + ", ".join(f"{n} {k}" for k, n in done.items()))
    for rel in report["kept"]:
        print(f"kept your edited {rel}; for a fresh copy, rename it and run this again "
              f"(or: brainviz notebooks ANOTHER_DIR)")
    if args.open:
        return open_lab(folder, open_browser=not args.no_browser)
    print(f"start with {folder}/{START} (or: brainviz notebooks {folder} --open)")
    return 0


def _add_deck(sub) -> None:
    deck = sub.add_parser(
        "deck", help="build a PowerPoint deck for a lecture (needs python-pptx: pip "
        "install 'brainviz[deck]')",
        description="Build a .pptx lecture deck in the order of docs/TEACHING.md: the "
        "claims to test, each figure and its animation (video, first frame as poster) "
        "with a title and a take-away line, captions as speaker notes, alt text on "
        "every picture, the limits of the evidence, discussion questions and "
        "references. A file brainviz did not write is never replaced.")
    deck.add_argument("out", metavar="OUT.pptx", help="the deck to write")
    deck.add_argument("--only", nargs="+", action="extend", metavar="NAME",
                      help="include only these figures (see: brainviz list)")
    deck.add_argument("--fps", type=int, default=30, help="video frame rate, 5-60 "
                      "(default 30)")
    deck.add_argument("--jobs", type=int, default=None,
                      help="worker processes (default: one per CPU)")
    deck.add_argument("-q", "--quiet", action="store_true", help="no progress messages")


def _run_deck(args) -> int:
    from .deck import _CLI_NAMES, build_deck

    def say(message):
        if not args.quiet:
            print(f"[deck] {message}", file=sys.stderr, flush=True)

    with _stop_on_signals():
        path = build_deck(args.out, only=args.only, fps=args.fps, jobs=args.jobs,
                          progress=say, _labels=_CLI_NAMES)
    print(f"wrote {path}")
    return 0


def _add_slides(sub) -> None:
    slides = sub.add_parser(
        "slides", help="turn a notebook into reveal.js slides that work offline",
        description="Run a notebook and write it as a reveal.js slide show: one HTML "
        "file with reveal.js inside, so it needs no network. A slide per section, "
        "equations as pictures, setup and hidden solutions left out, the code of cells "
        "that show a figure or widget hidden, widgets and quizzes shown as their "
        "pictures. Open it in a browser; press F for full screen.")
    slides.add_argument("notebook", metavar="NOTEBOOK", help="the .ipynb file")
    slides.add_argument("out", nargs="?", metavar="OUT.html",
                        help="the page to write (default: NOTEBOOK's name with "
                        ".slides.html, in the current folder)")
    slides.add_argument("--no-execute", action="store_true",
                        help="use the outputs stored in the notebook instead of "
                        "running it first")


def _run_slides(args) -> int:
    from .slides import _CLI_NAMES, build_slides

    with _stop_on_signals():
        path = build_slides(args.notebook, args.out, execute=not args.no_execute,
                            _labels=_CLI_NAMES)
    print(f"wrote {path}; open it in a browser (no network needed)")
    return 0


def _add_present(sub) -> None:
    pres = sub.add_parser(
        "present", help="present the panels in the browser without code (Voila)",
        description="Serve a mechanism panel (memory, dmn, plasticity, synergy) or the "
        "protocol builder (protocol) as an app on 127.0.0.1; no NAME serves an index "
        "page linking them all. Ctrl-C stops it.")
    pres.add_argument("name", nargs="?", metavar="NAME",
                      help="memory, dmn, plasticity, synergy or protocol (default: index)")
    pres.add_argument("--port", type=int, default=8866, help="port (default 8866)")
    pres.add_argument("--no-browser", action="store_true", help="do not open a browser")
    pres.add_argument("--theme", default="dark", help="dark (default) or slides")


def _run_present(args) -> int:
    from .present import present

    return present(args.name, port=args.port, open_browser=not args.no_browser,
                   theme=args.theme)


#: name -> (add its parser, run it); the order is the order of ``--help``.
_COMMANDS = {
    "export": (_add_export, _run_export),
    "list": (_add_list, _run_list),
    "notebooks": (_add_notebooks, _run_notebooks),
    "deck": (_add_deck, _run_deck),
    "slides": (_add_slides, _run_slides),
    "present": (_add_present, _run_present),
}


def _parser() -> argparse.ArgumentParser:
    from .. import __version__

    parser = _Parser(prog=PROG, description="Export brainviz figures and animations "
                     "for slides, build a lecture deck, or present the panels. "
                     "Teaching model; not medical advice.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="{" + ",".join(_COMMANDS) + "}",
                                parser_class=_Parser)
    for add, _run in _COMMANDS.values():
        add(sub)
    return parser


# ------------------------------------------------------------------- signals, pipes

@contextlib.contextmanager
def _stop_on_signals():
    """SIGTERM and SIGHUP (a closed terminal) stop the work like Ctrl-C does: the
    same clean-up runs, then a one-line message and exit status 128 + signal."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame):
        raise _Stopped(signum)

    old = {}
    for sig in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if sig is not None:
            old[sig] = signal.signal(sig, stop)
    try:
        yield
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)


def _headless() -> None:
    """Draw off screen unless the caller already chose a backend (pyplot imported)."""
    if "matplotlib.pyplot" not in sys.modules:
        import matplotlib

        matplotlib.use("Agg")


def _quiet_stdout() -> None:
    """The reader of stdout went away: send what is left to /dev/null, silently."""
    with contextlib.suppress(Exception):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def main(argv=None) -> int:
    """Run the ``brainviz`` command line and return its exit status.

    Parameters
    ----------
    argv : list of str, optional
        Arguments without the program name (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 on success, 1 if the work failed, 2 for a usage error, 130 if interrupted
        (143 for SIGTERM, 129 for SIGHUP), 141 if stdout was closed early.

    Examples
    --------
    >>> from brainviz.app.cli import main
    >>> main(["list"])                                   # doctest: +SKIP
    network        Activity spreading through the trauma network...
    0
    >>> main(["export", "slides", "--only", "network"])  # doctest: +SKIP
    0
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        parser = _parser()
        args = parser.parse_args(argv)
        if args.command is None:
            raise _UsageError(f"choose a command: {', '.join(_COMMANDS)} "
                              "(brainviz --help for more)")
        _headless()
        return _COMMANDS[args.command][1](args)
    except SystemExit as exc:  # --help and --version
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except _UsageError as exc:
        return _error(str(exc), 2)
    except ValueError as exc:
        return _error(str(exc), 2)
    except BrokenPipeError:
        _quiet_stdout()
        return 141
    except _Stopped as exc:
        name = {signal.SIGTERM: "SIGTERM"}.get(exc.signum, f"signal {exc.signum}")
        if exc.signum == getattr(signal, "SIGHUP", None):
            name = "SIGHUP"
        return _error(f"stopped by {name}; no partial files were left", 128 + exc.signum)
    except KeyboardInterrupt:
        return _error("interrupted; no partial files were left", 130)
    except Exception as exc:  # a failure, not a bug report: one line, no traceback
        return _error(_describe(exc), 1)


def _describe(exc: BaseException) -> str:
    from ._outdir import ForeignFileError

    text = " ".join(str(exc).split())
    if isinstance(exc, ForeignFileError):
        return text
    if isinstance(exc, OSError) and exc.strerror and exc.filename:
        text = f"{exc.strerror}: {exc.filename}"
    if isinstance(exc, ImportError):
        text = f"cannot import {exc.name or 'a module'}: {text}"
    return text or type(exc).__name__


def _error(message: str, code: int) -> int:
    try:
        sys.stderr.write(f"{PROG}: error: {' '.join(message.split())}\n")
        sys.stderr.flush()
    except (BrokenPipeError, OSError):
        pass
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
