"""Present the mechanism panels in the browser, without code: ``brainviz present``.

Serves small generated notebooks through Voilà on 127.0.0.1: one per panel (the four
mechanisms and the protocol builder) and an index page linking them. Code is hidden,
type is large, and the dark theme suits projectors.
"""

from __future__ import annotations

import json
import pathlib
import socket
import subprocess
import sys
import tempfile
import time

from .._validate import check_choice

__all__ = ["PANELS", "present", "write_apps"]

#: presenter name -> (panel factory in brainviz.app.widgets, page title)
PANELS = {
    "memory": ("memory_panel", "Memory-pathway disruption"),
    "dmn": ("dmn_panel", "DMN loosening"),
    "plasticity": ("plasticity_panel", "BDNF plasticity"),
    "synergy": ("synergy_panel", "Therapy synergy"),
    "protocol": ("protocol_builder", "Protocol builder"),
}

_STYLE = """<style>
.widget-label, .widget-html, .widget-readout, .widget-dropdown select,
.widget-text input, .jupyter-button, .widget-radio-box label { font-size: 18px !important; }
.widget-label { min-width: 16em; }
h1, h2, h3 { font-size: 1.6em; }
</style>"""


def _notebook(cells) -> dict:
    return {"cells": cells, "metadata": {"kernelspec": {"name": "python3",
                                                        "display_name": "Python 3",
                                                        "language": "python"}},
            "nbformat": 4, "nbformat_minor": 5}


def _code(source: str) -> dict:
    return {"cell_type": "code", "execution_count": None, "id": f"c{abs(hash(source)) % 10**8}",
            "metadata": {"jupyter": {"source_hidden": True}}, "outputs": [],
            "source": source}


def _markdown(source: str) -> dict:
    return {"cell_type": "markdown", "id": f"m{abs(hash(source)) % 10**8}", "metadata": {},
            "source": source}


def write_apps(folder, *, theme: str = "dark") -> dict[str, pathlib.Path]:
    """Write one app notebook per panel, and ``index.ipynb``, into ``folder``.

    Returns
    -------
    dict
        Name (and ``"index"``) -> notebook path.
    """
    folder = pathlib.Path(folder)
    paths = {}
    for name, (factory, title) in PANELS.items():
        source = (f"from IPython.display import HTML, display\n"
                  f"display(HTML({_STYLE!r}))\n"
                  f"from brainviz import widgets\n"
                  f"panel = widgets.{factory}(theme={theme!r})\n"
                  f"panel")
        nb = _notebook([
            _markdown("Educational model with illustrative numbers; not medical advice. "
                      "Move a control: the model runs again."),
            _code(source)])
        path = folder / f"{name}.ipynb"
        path.write_text(json.dumps(nb, indent=1), encoding="utf-8")
        paths[name] = path
    links = "\n".join(f"* [{title}]({name}.ipynb)" for name, (_, title) in PANELS.items())
    index = _notebook([_markdown(
        "# brainviz: how ketamine is thought to help trauma\n\n"
        "Four mechanisms of one educational model, and a protocol builder. Illustrative "
        f"numbers; not medical advice.\n\n{links}\n")])
    paths["index"] = folder / "index.ipynb"
    paths["index"].write_text(json.dumps(index, indent=1), encoding="utf-8")
    return paths


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _wait_for_port(port: int, proc, timeout: float = 60.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            return False
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.settimeout(0.5)
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.2)
    return False


def present(name: str | None = None, *, port: int = 8866, open_browser: bool = True,
            theme: str = "dark", out=sys.stdout) -> int:
    """Serve one panel (or the index of all) with Voilà until Ctrl-C.

    Parameters
    ----------
    name : {"memory", "dmn", "plasticity", "synergy", "protocol"}, optional
        The panel to present; ``None`` presents an index page linking them all.
    port : int
        Port on 127.0.0.1, in [1024, 65535]; it must be free.
    open_browser : bool
        Open the page in the default browser once the server is up.
    theme : {"dark", "slides"}
        Dark background for projectors, or light slides.

    Returns
    -------
    int
        0 after a clean stop (Ctrl-C), 1 if the server could not start.

    Examples
    --------
    >>> from brainviz.app.present import present
    >>> present("memory", port=8870, open_browser=False)   # doctest: +SKIP
    """
    if name is not None:
        check_choice("NAME", name, PANELS)
    if theme not in ("dark", "slides"):
        raise ValueError(f"theme must be 'dark' or 'slides', got {theme!r}")
    if isinstance(port, bool) or not isinstance(port, int) or not 1024 <= port <= 65535:
        raise ValueError(f"port must be a whole number from 1024 to 65535, got {port!r}")
    if not _port_free(port):
        raise ValueError(f"port {port} is already in use on 127.0.0.1; choose another "
                         "with --port")
    try:
        import voila  # noqa: F401
    except ImportError:
        raise ImportError("brainviz present needs Voilà: pip install 'brainviz[present]'"
                          " (or pip install voila)") from None
    with tempfile.TemporaryDirectory(prefix="brainviz-present-") as folder:
        paths = write_apps(folder, theme=theme)
        target = paths[name] if name else pathlib.Path(folder)
        url = (f"http://127.0.0.1:{port}/" if name
               else f"http://127.0.0.1:{port}/voila/render/index.ipynb")
        cmd = [sys.executable, "-m", "voila", str(target), "--no-browser",
               f"--port={port}", "--Voila.ip=127.0.0.1",
               f"--theme={'dark' if theme == 'dark' else 'light'}",
               "--VoilaConfiguration.show_tracebacks=False"]
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            if not _wait_for_port(port, proc):
                err = proc.stderr.read().decode(errors="replace") if proc.poll() is not None \
                    else "no answer within 60 s"
                proc.kill()
                last = [line for line in err.strip().splitlines() if line.strip()][-1:] or [""]
                out.write(f"brainviz: error: the presenter did not start: {last[0]}\n")
                return 1
            out.write(f"presenting {'the ' + name + ' panel' if name else 'all panels'} "
                      f"at {url}  (Ctrl-C to stop)\n")
            out.flush()
            if open_browser:
                import webbrowser

                webbrowser.open(url)
            proc.wait()
            return 0 if proc.returncode in (0, -2, 130) else 1
        except KeyboardInterrupt:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
            out.write("stopped\n")
            return 0
        finally:
            if proc.poll() is None:
                proc.kill()
