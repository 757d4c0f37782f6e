"""The course, however brainviz was installed: ``brainviz notebooks [DIR]``.

The wheel and the sdist carry the notebooks and the docs they link to: building the
package copies the repository's ``notebooks/`` and ``docs/`` into ``brainviz/_course/``
(see ``setup.py``), so the repository stays their one source. A checkout (an editable
install) reads them from the repository itself.

:func:`copy_course` copies the course into a folder a student owns: the notebooks at
its top, the docs in ``docs/``, every link rewritten to match. It never replaces a
notebook the student has changed: a manifest records what brainviz wrote, and only
those files are ever updated.

Every notebook starts with one hidden setup cell, :func:`setup_cell_source`, that
installs brainviz on Colab or a bare JupyterHub when it is missing, from the project's
source repository at the matching version. :func:`write_setup_cells` puts it there.
"""

from __future__ import annotations

import hashlib
import json
import os
import pathlib
import re
import sys
import tempfile

__all__ = ["SETUP_CELL_ID", "copy_course", "course_files", "open_lab", "setup_cell_source",
           "source_url", "write_setup_cells"]

SETUP_CELL_ID = "brainviz-setup"
MANIFEST = ".brainviz-course.json"
DEFAULT_FOLDER = "brainviz-notebooks"
START = "00_start_here.ipynb"


def source_url() -> str:
    """The project's source repository, from the installed package's metadata
    (``[project.urls] Source`` in pyproject.toml).

    Examples
    --------
    >>> from brainviz.app.course import source_url
    >>> source_url().startswith("https://")
    True
    """
    from importlib.metadata import PackageNotFoundError, metadata

    try:
        urls = metadata("brainviz").get_all("Project-URL") or []
    except PackageNotFoundError:  # pragma: no cover - brainviz run from a bare checkout
        urls = []
    for entry in urls:
        label, _, url = entry.partition(",")
        if label.strip().lower() == "source":
            return url.strip()
    return "https://github.com/brainviz/brainviz"


def setup_cell_source(version: str, source: str) -> str:
    """The first, hidden cell of every notebook: installs brainviz where it is missing.

    On Colab or a bare JupyterHub image nobody has installed brainviz; the cell installs
    it quietly from the project's source repository at ``version`` (a tag, never an
    unpinned name from an index), says what it does, and does nothing where brainviz is
    already installed. On Colab it also turns on the widget manager that ipywidgets 8
    needs there.

    Examples
    --------
    >>> from brainviz.app.course import setup_cell_source
    >>> "v0.1.0.tar.gz" in setup_cell_source("0.1.0", "https://github.com/o/r")
    True
    """
    archive = f"{source.rstrip('/')}/archive/refs/tags/v{version}.tar.gz"
    return f'''# @title Setup: installs brainviz if it is missing (Colab, JupyterHub) {{ display-mode: "form" }}
def _brainviz_setup():
    import importlib, importlib.util, subprocess, sys
    if importlib.util.find_spec("brainviz") is None:
        url = "{archive}"
        print("Installing brainviz {version} from its source repository, once "
              "(about a minute)...")
        pip = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet",
                              f"brainviz @ {{url}}"], capture_output=True, text=True)
        if pip.returncode != 0:
            lines = pip.stderr.strip().splitlines() or ["pip failed"]
            raise RuntimeError(f"could not install brainviz from {{url}}: {{lines[-1]}}")
        importlib.invalidate_caches()
        print("brainviz {version} is installed.")
    if "google.colab" in sys.modules:  # Colab draws ipywidgets 8 with this manager
        from google.colab import output
        output.enable_custom_widget_manager()


_brainviz_setup()
del _brainviz_setup'''


def _setup_cell(version: str, source: str):
    import nbformat

    return nbformat.v4.new_code_cell(
        setup_cell_source(version, source), id=SETUP_CELL_ID,
        metadata={"jupyter": {"source_hidden": True}, "tags": ["hide-input", SETUP_CELL_ID],
                  "slideshow": {"slide_type": "skip"}})


def write_setup_cells(folder, *, version: str | None = None,
                      source: str | None = None) -> list[pathlib.Path]:
    """Put the setup cell first in every notebook in ``folder`` (replacing an older one);
    return the notebooks that changed. For maintainers, after a version bump::

        python -c "from brainviz.app.course import write_setup_cells; write_setup_cells('notebooks')"
    """
    import nbformat

    from .. import __version__

    version = version or __version__
    source = source or source_url()
    changed = []
    for path in sorted(pathlib.Path(folder).glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        cell = _setup_cell(version, source)
        cells = [c for c in nb.cells if c.get("id") != SETUP_CELL_ID]
        if nb.cells and nb.cells[0].get("id") == SETUP_CELL_ID and \
                nb.cells[0].source == cell.source and nb.cells[0].metadata == cell.metadata:
            continue
        nb.cells = [cell] + cells
        nbformat.validate(nb)
        nbformat.write(nb, path)
        changed.append(path)
    return changed


# --- where the course is -------------------------------------------------------------------

def _course_root() -> pathlib.Path:
    """A folder with ``notebooks/`` and ``docs/``: the package's own copy, or the
    checkout an editable install runs from."""
    here = pathlib.Path(__file__).resolve().parents[1]  # the brainviz package
    packaged = here / "_course"
    if (packaged / "notebooks").is_dir():
        return packaged
    checkout = here.parent
    if (checkout / "notebooks").is_dir() and (checkout / "pyproject.toml").is_file():
        return checkout
    raise FileNotFoundError(
        f"this brainviz installation carries no notebooks ({packaged} is missing); "
        f"reinstall it from a wheel, or get the course from {source_url()}")


def course_files() -> dict[str, pathlib.Path]:
    """What a copied course contains: its relative path -> the file it comes from.

    Examples
    --------
    >>> from brainviz.app.course import course_files
    >>> "00_start_here.ipynb" in course_files()
    True
    """
    root = _course_root()
    files = {p.name: p for p in sorted((root / "notebooks").glob("*.ipynb"))}
    for pattern in ("*.md", "*.png"):
        files.update({f"docs/{p.name}": p for p in sorted((root / "docs").glob(pattern))})
    return files


# --- links, rewritten for the copied layout --------------------------------------------------

_LINK = re.compile(r"(\]\(\s*|(?:href|src)\s*=\s*[\"'])(\.\./[^)\s\"'#]*)")


def _online(path: str) -> str:
    from .. import __version__

    return f"{source_url().rstrip('/')}/blob/v{__version__}/{path}"


def _rewrite_links(text: str, where: str) -> str:
    """Rewrite relative links written for the repository (notebooks/ beside docs/) for
    the copied course (notebooks at the top, docs in docs/). ``where`` is "notebook" or
    "doc"; links to anything outside the course point at the source repository."""

    def fix(match):
        lead, target = match.groups()
        inner = target[3:]  # without "../"
        if where == "notebook" and inner.startswith("docs/"):
            return lead + inner
        if where == "doc" and inner.startswith("notebooks/"):
            return lead + "../" + inner[len("notebooks/"):]
        return lead + _online(inner)

    return _LINK.sub(fix, text)


def _notebook_bytes(path: pathlib.Path) -> bytes:
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "markdown":
            source = cell["source"]
            text = "".join(source) if isinstance(source, list) else source
            new = _rewrite_links(text, "notebook")
            if new != text:
                cell["source"] = new.splitlines(keepends=True) if isinstance(source, list) \
                    else new
    return (json.dumps(nb, indent=1, ensure_ascii=False, sort_keys=True) + "\n").encode()


def _content(rel: str, src: pathlib.Path) -> bytes:
    if rel.endswith(".ipynb"):
        return _notebook_bytes(src)
    if rel.endswith(".md"):
        return _rewrite_links(src.read_text(encoding="utf-8"), "doc").encode("utf-8")
    return src.read_bytes()


# --- copying, never over a student's work ---------------------------------------------------

def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _write_new(path: pathlib.Path, data: bytes, *, replace: bool) -> None:
    """Write ``data`` whole (through a temporary file). Without ``replace`` an existing
    file, even one that appeared a moment ago, is never overwritten."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        if replace:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)  # fails if path exists
            except FileExistsError:
                raise
            except OSError:  # no hard links here: exclusive create instead
                with open(path, "xb") as f:
                    f.write(data)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def copy_course(folder=DEFAULT_FOLDER) -> dict[str, list[str]]:
    """Copy the course (notebooks, and the docs they link to) into ``folder``.

    Notebooks go at the top of ``folder``, docs into ``folder/docs/``, with links
    rewritten to match. A file already there is replaced only if brainviz wrote it and
    nobody changed it since; a notebook a student edited is kept as it is.

    Returns
    -------
    dict
        ``"added"``, ``"updated"``, ``"unchanged"`` and ``"kept"`` (edited by the
        student), each a list of paths relative to ``folder``.

    Examples
    --------
    >>> import tempfile
    >>> from brainviz.app.course import copy_course
    >>> report = copy_course(tempfile.mkdtemp())
    >>> "00_start_here.ipynb" in report["added"]
    True
    """
    folder = pathlib.Path(folder)
    files = course_files()
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"DIR must be a folder, but {folder} is a file")
    (folder / "docs").mkdir(parents=True, exist_ok=True)
    manifest_path = folder / MANIFEST
    try:
        written = json.loads(manifest_path.read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError):
        written = {}
    report = {"added": [], "updated": [], "unchanged": [], "kept": []}
    for rel, src in files.items():
        data = _content(rel, src)
        target = folder / rel
        try:
            current = target.read_bytes()
        except FileNotFoundError:
            current = None
        if current is None:
            try:
                _write_new(target, data, replace=False)
                report["added"].append(rel)
            except FileExistsError:  # appeared while we worked: someone else's now
                report["kept"].append(rel)
                continue
        elif current == data:
            report["unchanged"].append(rel)
        elif written.get(rel) == _digest(current):  # ours, untouched: a newer version
            _write_new(target, data, replace=True)
            report["updated"].append(rel)
        else:
            report["kept"].append(rel)
            continue
        written[rel] = _digest(data)
    from .. import __version__

    _write_new(manifest_path, (json.dumps({"brainviz": __version__, "files": written},
                                          indent=1, sort_keys=True) + "\n").encode(),
               replace=True)
    return report


def open_lab(folder, *, open_browser: bool = True) -> int:
    """Start JupyterLab in ``folder`` with the first notebook open (replaces this
    process on POSIX, so Ctrl-C and the terminal reach JupyterLab itself)."""
    folder = pathlib.Path(folder).resolve()
    cmd = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={folder}"]
    if not open_browser:
        cmd.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # a container's root: asked for
        cmd.append("--allow-root")
    if (folder / START).is_file():
        cmd.append(str(folder / START))
    sys.stdout.flush()
    sys.stderr.flush()
    if os.name == "posix":
        os.chdir(folder)
        os.execv(sys.executable, cmd)
    import subprocess  # pragma: no cover - Windows

    return subprocess.call(cmd, cwd=folder)  # pragma: no cover
