"""The ``brainviz`` command: export the gallery as slide-ready files, or list it.

::

    brainviz export [OUTDIR] [--only NAME ...] [--format png svg pdf mp4 gif]
                    [--theme slides|notebook|dark|print] [--dpi N] [--fps N]
    brainviz list
    brainviz notebooks [DIR] [--open] [--no-browser]

Errors are one line on stderr, ``brainviz: error: ...``; the exit status is 2 for a
usage error (bad argument) and 1 for a failure while exporting.
"""

from __future__ import annotations

import argparse
import re
import sys

__all__ = ["main"]

PROG = "brainviz"


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line, raised rather than printed."""

    def error(self, message):  # noqa: D102 - argparse API
        raise _UsageError(message)


def _parser() -> argparse.ArgumentParser:
    from .. import __version__
    from .export import DPI_RANGE, FORMATS, FPS_RANGE

    parser = _Parser(prog=PROG, description="Export brainviz figures and animations "
                     "for slides, or list them. Teaching model; not medical advice.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="{export,list,notebooks,deck,present}",
                                parser_class=_Parser)
    exp = sub.add_parser(
        "export", help="write every figure (PNG, SVG, PDF), animation (MP4, GIF), "
        "caption and an index.html into a folder",
        description="Write the gallery as slide-ready files: NAME.png/.svg/.pdf, "
        "NAME.mp4/.gif, NAME.txt (caption and alt text) and index.html. Only files "
        "brainviz wrote before are ever overwritten.")
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
    exp.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    sub.add_parser("list", help="list the figures with one-line captions",
                   description="List the gallery's figures with one-line captions.")
    deck = sub.add_parser(
        "deck", help="build a PowerPoint deck (needs python-pptx: pip install "
        "'brainviz[deck]')",
        description="Build a .pptx deck: a title slide, each figure and its animation as "
        "an embedded video, captions as speaker notes, alt text on every picture, and "
        "a references slide with the kind of evidence.")
    deck.add_argument("out", metavar="OUT.pptx", help="the deck to write (must not exist)")
    deck.add_argument("--only", nargs="+", action="extend", metavar="NAME",
                      help="include only these figures (see: brainviz list)")
    deck.add_argument("--fps", type=int, default=30, help="video frame rate, 5-60 "
                      "(default 30)")
    deck.add_argument("-q", "--quiet", action="store_true", help="no progress messages")
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
    return parser


def _one_line(text: str, width: int = 90) -> str:
    text = " ".join(str(text).split())
    first = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]
    return first if len(first) <= width else first[: width - 1].rstrip() + "…"


def _list(out) -> int:
    from .export import _gallery

    gallery = _gallery()
    names = tuple(gallery.NAMES)
    pad = max((len(n) for n in names), default=0)
    for name in names:
        out.write(f"{name:<{pad}}  {_one_line(gallery.caption(name))}\n")
    return 0


def _export(args) -> int:
    from .export import FORMATS, export

    paths = export(args.outdir, only=args.only, formats=args.formats or FORMATS,
                   theme=args.theme, dpi=args.dpi, fps=args.fps,
                   progress=not args.quiet)
    if paths:
        folder = paths[-1].parent
        print(f"wrote {len(paths)} files to {folder}; open {folder / 'index.html'}")
    return 0


def _deck(args) -> int:
    from .deck import build_deck

    def say(message):
        if not args.quiet:
            print(f"[deck] {message}", file=sys.stderr, flush=True)

    path = build_deck(args.out, only=args.only, fps=args.fps, progress=say)
    print(f"wrote {path}")
    return 0


def _notebooks(args) -> int:
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


def _headless() -> None:
    """Draw off screen unless the caller already chose a backend (pyplot imported)."""
    if "matplotlib.pyplot" not in sys.modules:
        import matplotlib

        matplotlib.use("Agg")


def main(argv=None) -> int:
    """Run the ``brainviz`` command line and return its exit status.

    Parameters
    ----------
    argv : list of str, optional
        Arguments without the program name (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 on success, 1 if exporting failed, 2 for a usage error, 130 if interrupted.

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
            raise _UsageError("choose a command: export, list, notebooks, deck or present "
                              "(brainviz --help for more)")
        _headless()
        if args.command == "list":
            return _list(sys.stdout)
        if args.command == "deck":
            return _deck(args)
        if args.command == "notebooks":
            return _notebooks(args)
        if args.command == "present":
            from .present import present

            return present(args.name, port=args.port, open_browser=not args.no_browser,
                           theme=args.theme)
        return _export(args)
    except SystemExit as exc:  # --help and --version
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except _UsageError as exc:
        return _error(str(exc), 2)
    except ValueError as exc:
        return _error(str(exc), 2)
    except KeyboardInterrupt:
        return _error("interrupted; no partial files were left", 130)
    except Exception as exc:  # a failure, not a bug report: one line, no traceback
        return _error(_describe(exc), 1)


def _describe(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    if isinstance(exc, OSError) and exc.strerror and exc.filename:
        text = f"{exc.strerror}: {exc.filename}"
    if isinstance(exc, ImportError):
        text = f"cannot import {exc.name or 'a module'}: {text}"
    return text or type(exc).__name__


def _error(message: str, code: int) -> int:
    sys.stderr.write(f"{PROG}: error: {' '.join(message.split())}\n")
    sys.stderr.flush()
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
