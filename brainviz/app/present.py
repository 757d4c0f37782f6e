"""Present the mechanism panels in the browser, without code: ``brainviz present``.

Serves small generated notebooks through Voilà: one per panel (the four mechanisms and
the protocol builder) and an index page linking them. Code is hidden, type is large,
and the dark theme suits projectors.

Safe on a shared machine and in a lecture hall: the server runs in a private temporary
folder (nothing in the caller's folder is ever imported), listens on 127.0.0.1 only and
on IPv4 and IPv6 checks that the port is free, asks for a random token that only the
printed URL carries, answers only local host names, loads nothing from a CDN, culls idle
kernels and caps live ones, logs to a file, and stops with its kernels on Ctrl-C,
SIGTERM or a closed terminal (SIGHUP), removing its temporary folder.
See :mod:`brainviz.app._voila_server` for the server's side.
"""

from __future__ import annotations

import errno
import json
import os
import pathlib
import secrets
import shutil
import signal
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

# Kernels: one per open page. A kernel no page is connected to is shut down after
# _CULL_IDLE_S idle seconds (checked every _CULL_INTERVAL_S); at most _MAX_KERNELS live
# at once, and at the cap a new page replaces a kernel idle and unconnected for
# _EVICT_AFTER_S. The lecturer's own open pages are never culled.
_MAX_KERNELS = 8
_CULL_IDLE_S = 300
_CULL_INTERVAL_S = 30
_EVICT_AFTER_S = 30
_START_TIMEOUT_S = 60.0
_STOP_TIMEOUT_S = 20.0

_STYLE = """<style>
.widget-label, .widget-html, .widget-readout, .widget-dropdown select,
.widget-text input, .jupyter-button, .widget-radio-box label { font-size: 18px !important; }
.widget-label { min-width: 16em; }
h1, h2, h3 { font-size: 1.6em; }
</style>"""


def write_apps(folder, *, theme: str = "dark") -> dict[str, pathlib.Path]:
    """Write one app notebook per panel, and ``index.ipynb``, into ``folder``.

    The notebooks are built with nbformat and have fixed cell ids, so the same call
    writes the same bytes in every process.

    Returns
    -------
    dict
        Name (and ``"index"``) -> notebook path.

    Examples
    --------
    >>> import tempfile
    >>> from brainviz.app.present import write_apps
    >>> sorted(write_apps(tempfile.mkdtemp()))
    ['dmn', 'index', 'memory', 'plasticity', 'protocol', 'synergy']
    """
    import nbformat

    v4 = nbformat.v4
    folder = pathlib.Path(folder)
    kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    paths = {}

    def save(name, cells):
        nb = v4.new_notebook(cells=cells, metadata={"kernelspec": kernelspec})
        nbformat.validate(nb)
        paths[name] = folder / f"{name}.ipynb"
        nbformat.write(nb, paths[name])

    for name, (factory, _title) in PANELS.items():
        source = (f"from IPython.display import HTML, display\n"
                  f"display(HTML({_STYLE!r}))\n"
                  f"from brainviz import widgets\n"
                  f"panel = widgets.{factory}(theme={theme!r})\n"
                  f"panel")
        save(name, [
            v4.new_markdown_cell(
                "Educational model with illustrative numbers; not medical advice. "
                "Move a control: the model runs again.", id="disclaimer"),
            v4.new_code_cell(source, id=f"{name}-panel",
                             metadata={"jupyter": {"source_hidden": True}})])
    links = "\n".join(f"* [{title}]({name}.ipynb)" for name, (_, title) in PANELS.items())
    save("index", [v4.new_markdown_cell(
        "# brainviz: how ketamine is thought to help trauma\n\n"
        "Four mechanisms of one educational model, and a protocol builder. Illustrative "
        f"numbers; not medical advice.\n\n{links}\n", id="index")])
    return paths


def _port_busy_on(port: int) -> str | None:
    """The loopback address (127.0.0.1 or ::1) on which ``port`` is taken, or None."""
    for family, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
        try:
            sock = socket.socket(family, socket.SOCK_STREAM)
        except OSError:  # no IPv6 on this machine
            continue
        with sock:
            # like the server will: a port left in TIME_WAIT counts as free
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            try:
                sock.bind((host, port))
            except OSError as exc:
                if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                    return host
                # EADDRNOTAVAIL / EAFNOSUPPORT: this loopback does not exist here
    return None


def _port_free(port: int) -> bool:
    return _port_busy_on(port) is None


def _wait_for_port(port: int, proc, timeout: float = _START_TIMEOUT_S) -> bool:
    """Poll until something accepts connections on 127.0.0.1:``port``; False if
    ``proc`` ends first or ``timeout`` seconds pass."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            return False
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.settimeout(0.5)
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.1)
    return False


class _Stop(Exception):
    """A stop signal (SIGTERM, SIGHUP) arrived; handled like Ctrl-C."""

    def __init__(self, signum):
        super().__init__(signum)
        self.name = signal.Signals(signum).name


def _raise_stop(signum, _frame):
    raise _Stop(signum)


def _handle_signals(handler) -> dict:
    """Install ``handler`` for SIGTERM and SIGHUP (and, for SIG_IGN, SIGINT too); return
    the previous handlers. Does nothing outside the main thread."""
    names = ("SIGTERM", "SIGHUP") + (("SIGINT",) if handler is signal.SIG_IGN else ())
    previous = {}
    for name in names:
        signum = getattr(signal, name, None)  # no SIGHUP on Windows
        if signum is None:
            continue
        try:
            if handler is not signal.SIG_IGN and signal.getsignal(signum) == signal.SIG_IGN:
                continue  # ignored on purpose (nohup): leave it so
            previous[signum] = signal.signal(signum, handler)
        except ValueError:  # not the main thread
            break
    return previous


def _started(pid: int) -> int | None:
    """When ``pid`` started (clock ticks since boot), to tell it from a later process
    that reuses its number; None if it is gone. Linux only."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return int(f.read().rsplit(")", 1)[1].split()[19])
    except (OSError, IndexError, ValueError):
        return None


def _descendants(pid: int) -> dict[int, int]:
    """Processes started, directly or not, by ``pid`` (its kernels): pid -> start time.
    Linux only (/proc); elsewhere empty, and the server's own shutdown stops them."""
    found, todo = {}, [pid]
    while todo:
        parent = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{parent}/task")
        except OSError:
            continue
        for tid in tasks:
            try:
                with open(f"/proc/{parent}/task/{tid}/children") as f:
                    kids = [int(k) for k in f.read().split()]
            except OSError:
                continue
            for kid in kids:
                started = _started(kid)
                if started is not None and kid not in found:
                    found[kid] = started
                    todo.append(kid)
    return found


def _stop_server(proc, kernels: dict[int, int]) -> None:
    """SIGTERM the server (it shuts its kernels down and removes its files), wait up to
    _STOP_TIMEOUT_S, then SIGKILL whatever it started that still runs (the very same
    processes: same pid and start time)."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=_STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    for pid, started in kernels.items():
        if _started(pid) == started:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass


def _say(stream, text: str) -> None:
    """Write a line, even to a terminal that has gone (after SIGHUP)."""
    try:
        stream.write(text + "\n")
        stream.flush()
    except (OSError, ValueError):
        pass


def _last_log_line(path: pathlib.Path) -> str:
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    lines = [ln.strip() for ln in lines if ln.strip() and "WARNING" not in ln]
    return lines[-1] if lines else ""


def _open_in_browser(folder: pathlib.Path, url: str) -> None:
    """Open ``url`` through a redirect file in the private folder, so the token is
    not on the browser's command line for other users to read."""
    import html
    import webbrowser

    page = folder / "open.html"
    fd = os.open(page, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(f'<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" '
                f'content="0;url={html.escape(url)}"><title>brainviz present</title>'
                f'<a href="{html.escape(url)}">Open the presenter</a>\n')
    webbrowser.open(page.as_uri())


def present(name: str | None = None, *, port: int = 8866, open_browser: bool = True,
            theme: str = "dark", out=None, err=None) -> int:
    """Serve one panel (or the index of all) with Voilà until stopped.

    Prints the page's address, with its token, as one line on ``out`` (stdout) and
    nothing else there; messages go to ``err`` (stderr). Ctrl-C, SIGTERM and SIGHUP
    (a closed terminal) stop the server and its kernels and remove its temporary folder.

    Parameters
    ----------
    name : {"memory", "dmn", "plasticity", "synergy", "protocol"}, optional
        The panel to present; ``None`` presents an index page linking them all.
    port : int
        Port on 127.0.0.1, in [1024, 65535]; it must be free (on 127.0.0.1 and ::1).
    open_browser : bool
        Open the page in the default browser once the server is up.
    theme : {"dark", "slides"}
        Dark background for projectors, or light slides.

    Returns
    -------
    int
        0 after a requested stop, 1 if the server could not start or failed.

    Examples
    --------
    >>> from brainviz.app.present import present
    >>> present("memory", port=8870, open_browser=False)   # doctest: +SKIP
    """
    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    if name is not None:
        check_choice("NAME", name, PANELS)
    check_choice("--theme", theme, ("dark", "slides"))
    if isinstance(port, bool) or not isinstance(port, int) or not 1024 <= port <= 65535:
        raise ValueError(f"--port must be a whole number from 1024 to 65535, got {port!r}")
    busy = _port_busy_on(port)
    if busy:
        raise ValueError(f"--port {port} is already in use on {busy}; choose another port "
                         "with --port")
    try:
        import voila  # noqa: F401
    except ImportError:
        raise ImportError("brainviz present needs Voilà: pip install 'brainviz[present]'"
                          " (or pip install voila)") from None

    handlers = _handle_signals(_raise_stop)
    folder = pathlib.Path(tempfile.mkdtemp(prefix="brainviz-present-"))  # mode 0700
    proc = None
    kernels: dict[int, int] = {}
    try:
        apps = folder / "apps"
        apps.mkdir()
        write_apps(apps, theme=theme)
        (folder / "runtime").mkdir()
        token = secrets.token_urlsafe(32)
        cfg = {"folder": str(folder), "root": str(apps), "port": port, "token": token,
               "theme": "dark" if theme == "dark" else "light",
               "template_root": str(folder / "templates"), "runtime": str(folder / "runtime"),
               "max_kernels": _MAX_KERNELS, "evict_after_s": _EVICT_AFTER_S,
               "cull_idle_s": _CULL_IDLE_S, "cull_interval_s": _CULL_INTERVAL_S,
               "parent_pid": os.getpid()}
        log_path = folder / "voila.log"
        with open(log_path, "wb") as log:
            # its own session, so a terminal's Ctrl-C or hang-up reaches only us, and we
            # stop it in order; its cwd is the private folder, so `-m` puts only that
            # folder (no module in it) at the head of sys.path
            proc = subprocess.Popen(
                [sys.executable, "-m", "brainviz.app._voila_server"], cwd=folder,
                stdin=subprocess.PIPE, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)
        proc.stdin.write((json.dumps(cfg) + "\n").encode())
        proc.stdin.close()
        if not _wait_for_port(port, proc):
            reason = _last_log_line(log_path) if proc.poll() is not None else \
                f"no answer within {_START_TIMEOUT_S:.0f} s"
            _say(err, f"brainviz: error: the presenter did not start: {reason}")
            return 1
        page = f"{name}.ipynb" if name else "index.ipynb"
        url = f"http://127.0.0.1:{port}/voila/render/{page}?token={token}"
        _say(out, url)
        _say(err, f"presenting {'the ' + name + ' panel' if name else 'all panels'}; "
                  "Ctrl-C stops it")
        if open_browser:
            _open_in_browser(folder, url)
        while proc.poll() is None:
            kernels.update(_descendants(proc.pid))
            try:
                proc.wait(timeout=2.0)
            except subprocess.TimeoutExpired:
                pass
        _say(err, f"brainviz: error: the presenter stopped unexpectedly: "
                  f"{_last_log_line(log_path) or 'exit status ' + str(proc.returncode)}")
        return 1
    except KeyboardInterrupt:
        stopped_by = "Ctrl-C"
    except _Stop as stop:
        stopped_by = stop.name
    finally:
        # a second Ctrl-C must not cut the cleanup short
        handlers = {**_handle_signals(signal.SIG_IGN), **handlers}
        try:
            if proc is not None:
                kernels.update(_descendants(proc.pid))
                _stop_server(proc, kernels)
            shutil.rmtree(folder, ignore_errors=True)
        finally:
            for signum, handler in handlers.items():
                signal.signal(signum, handler)
    _say(err, f"stopped ({stopped_by}): the server and its kernels are shut down")
    return 0
