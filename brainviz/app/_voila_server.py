"""The Voilà server behind ``brainviz present``, run in a process of its own.

:func:`brainviz.app.present.present` starts ``python -m brainviz.app._voila_server`` in
a private temporary folder (so nothing in the caller's folder is importable) and writes
its settings as one JSON line on stdin (so the token never appears on a command line
that other users of the machine can read). The server then:

* listens on 127.0.0.1 only, on exactly the port asked for, and asks for the token;
* answers only requests whose ``Host`` is a local name (no DNS rebinding), and refuses
  websockets from other origins;
* renders pages with a template that loads nothing from a CDN, and sends a
  Content-Security-Policy that forbids the page to load anything from elsewhere;
* culls kernels that have been idle without an open page, and caps live kernels: at
  the cap a new page first replaces the longest-idle kernel that no page uses, and is
  refused with "503: too many open pages" when every kernel is in use;
* waits for kernel replies in half-second slices (:class:`WakefulKernelClient`), so a
  lost wake-up cannot hang a page;
* shuts down, with its kernels, on SIGTERM, and by itself when ``present`` is gone.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import threading
import time
from datetime import datetime, timezone

from queue import Empty

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.channels import AsyncZMQSocketChannel
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from tornado import web
from traitlets import Float, Integer, Type

TEMPLATE = "brainviz"

# Voilà's "lab" template, minus what it would load from a CDN: the Font Awesome
# stylesheets (Voilà's own voila-style.js already bundles them, with their fonts), and
# the mermaid.js loader (the panels draw no mermaid diagrams).
_INDEX = """{%- extends 'voila/templates/lab/index.html.j2' -%}
{%- block notebook_css -%}
{%- for line in super().split('\\n') if '://' not in line -%}
{{ line }}
{% endfor -%}
{%- endblock notebook_css -%}
{%- block html_head_js_mermaidjs -%}
{%- endblock html_head_js_mermaidjs -%}
"""
_CONF = {"base_template": "lab"}


class WakefulChannel(AsyncZMQSocketChannel):
    """A kernel channel that waits for a message in slices of at most half a second.

    Why: Voilà renders a page by running the notebook through nbclient, which waits for
    each cell's ``execute_reply`` with no timeout. Under CPU load the asyncio wake-up for
    a reply that has already arrived is sometimes lost (ZMQ's file descriptor is edge-
    triggered): the reply sits in the socket, the kernel is idle, and the page never
    finishes loading. That is what made the browser tests time out on a busy machine
    (measured: 2 to 5 of 12 executions under load; the reply was waiting in the socket
    every time). A poll that times out checks the socket once more, so a lost wake-up
    now costs at most one slice.
    """

    slice_s = 0.5

    async def get_msg(self, timeout: float | None = None):  # noqa: D102 - jupyter_client API
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            wait = self.slice_s if deadline is None else \
                max(0.0, min(self.slice_s, deadline - time.monotonic()))
            if await self.socket.poll(int(wait * 1000) or 1):
                return await self._recv()
            if deadline is not None and time.monotonic() >= deadline:
                raise Empty


class WakefulKernelClient(AsyncKernelClient):
    """An async kernel client whose channels are :class:`WakefulChannel` s."""

    shell_channel_class = Type(WakefulChannel)
    iopub_channel_class = Type(WakefulChannel)
    stdin_channel_class = Type(WakefulChannel)
    control_channel_class = Type(WakefulChannel)


class CappedKernelManager(AsyncMappingKernelManager):
    """A kernel manager with a cap on live kernels.

    At the cap, a new kernel first replaces the longest-idle kernel that no page is
    connected to (idle for at least ``evict_after_s``); when there is none, the request
    fails with HTTP 503 and a message that says what to do.
    """

    max_kernels = Integer(8, config=True, help="Most kernels alive at once.")
    evict_after_s = Float(30.0, config=True, help="Idle seconds, with no page connected, "
                          "before a kernel may be replaced by a new page's.")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._starting = 0

    def _evictable(self):
        now = datetime.now(timezone.utc)
        found = []
        for kernel_id in self.list_kernel_ids():
            model = self.kernel_model(kernel_id)
            kernel = self.get_kernel(kernel_id)
            idle_s = (now - kernel.last_activity).total_seconds()
            if (model.get("connections", 0) == 0 and model.get("execution_state") == "idle"
                    and idle_s >= self.evict_after_s):
                found.append((kernel.last_activity, kernel_id))
        return [kernel_id for _, kernel_id in sorted(found)]

    async def start_kernel(self, *args, **kwargs):  # noqa: D102 - jupyter_server API
        if kwargs.get("kernel_id") is None:  # a new kernel, not a restart
            for kernel_id in self._evictable():
                if len(self.list_kernel_ids()) + self._starting < self.max_kernels:
                    break
                self.log.info("Replacing idle kernel %s with a new page's", kernel_id)
                try:
                    await self.shutdown_kernel(kernel_id)
                except KeyError:
                    pass  # the culler shut it down first
            if len(self.list_kernel_ids()) + self._starting >= self.max_kernels:
                raise web.HTTPError(503, reason=f"brainviz present: {self.max_kernels} pages "
                                    "are open; close one and reload this page")
        self._starting += 1
        try:
            kernel_id = await super().start_kernel(*args, **kwargs)
        finally:
            self._starting -= 1
        self.log.info("brainviz: kernel %s (%d live, at most %d), client %s", kernel_id,
                      len(self.list_kernel_ids()), self.max_kernels,
                      self.get_kernel(kernel_id).client_class)
        return kernel_id

    async def cull_kernel_if_idle(self, kernel_id):  # noqa: D102 - jupyter_server API
        if kernel_id in self.list_kernel_ids():  # a new page may have replaced it
            await super().cull_kernel_if_idle(kernel_id)


def _is_local(host: str) -> bool:
    """Whether a Host header names this machine: localhost or a loopback address."""
    import ipaddress
    import re

    name = re.sub(r":\d+$", "", host).strip("[]")
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return name == "localhost"


class _LocalOnly:
    """Mixed into the handlers that are not Jupyter handlers (static files), which
    would otherwise answer any Host."""

    def prepare(self):
        if not _is_local(self.request.host):
            raise web.HTTPError(403)
        return super().prepare()


def _local_only(handlers):
    from jupyter_server.base.handlers import JupyterHandler

    checked = []
    for pattern, handler, *rest in handlers:
        if not issubclass(handler, JupyterHandler):
            handler = type(handler.__name__, (_LocalOnly, handler), {})
        checked.append((pattern, handler, *rest))
    return checked


def _write_template(root: str) -> None:
    folder = os.path.join(root, "voila", "templates", TEMPLATE)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "index.html.j2"), "w", encoding="utf-8") as f:
        f.write(_INDEX)
    with open(os.path.join(folder, "conf.json"), "w", encoding="utf-8") as f:
        json.dump(_CONF, f)


def _csp(port: int) -> str:
    local = f"127.0.0.1:{port} localhost:{port}"
    return "; ".join([
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "worker-src 'self' blob:",
        "connect-src 'self' " + " ".join(f"ws://{h}" for h in local.split()),
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ])


def _watch_parent(parent_pid: int) -> None:
    """Stop (as on SIGTERM: kernels shut down, connection files removed) once the
    ``present`` process that started this server is gone, however it ended."""

    def watch():
        while os.getppid() == parent_pid:
            time.sleep(1.0)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="brainviz-parent-watch", daemon=True).start()


def main() -> None:
    cfg = json.loads(sys.stdin.readline())
    _write_template(cfg["template_root"])
    os.environ["JUPYTER_PATH"] = os.pathsep.join(
        p for p in (cfg["template_root"], os.environ.get("JUPYTER_PATH", "")) if p)

    from voila.app import Voila

    # Settings that are not secret go on the command line of this process, where they
    # win over any Jupyter config file; the token is set on the app below.
    argv = [
        cfg["root"], "--no-browser", f"--port={cfg['port']}", "--Voila.ip=127.0.0.1",
        "--Voila.port_retries=0", f"--template={TEMPLATE}", f"--theme={cfg['theme']}",
        "--VoilaConfiguration.show_tracebacks=False",
        f"--Voila.connection_dir_root={cfg['runtime']}",
        "--VoilaConfiguration.multi_kernel_manager_class="
        "brainviz.app._voila_server.CappedKernelManager",
        f"--CappedKernelManager.max_kernels={cfg['max_kernels']}",
        f"--CappedKernelManager.evict_after_s={cfg['evict_after_s']}",
        f"--MappingKernelManager.cull_idle_timeout={cfg['cull_idle_s']}",
        f"--MappingKernelManager.cull_interval={cfg['cull_interval_s']}",
        "--MappingKernelManager.cull_connected=False",
        "--MappingKernelManager.cull_busy=False",
        "--AsyncKernelManager.client_class=brainviz.app._voila_server.WakefulKernelClient",
    ]
    app = Voila()
    app.initialize(argv)
    app.init_handlers = lambda: _local_only(Voila.init_handlers(app))
    app.token = cfg["token"]
    app.auto_token = False
    app.cookie_secret = os.urandom(32)
    app.ip = "127.0.0.1"
    app.tornado_settings = {
        **app.tornado_settings,
        "allow_remote_access": False,
        "local_hostnames": ["localhost"],
        "allow_origin": "",
        "allow_origin_pat": "",
        "headers": {"Content-Security-Policy": _csp(cfg["port"]),
                    "X-Content-Type-Options": "nosniff"},
    }
    _watch_parent(cfg["parent_pid"])
    try:
        app.start()  # returns after SIGTERM, with the kernels shut down
    finally:
        if os.getppid() != cfg["parent_pid"]:  # present was killed: clean up for it
            shutil.rmtree(cfg["folder"], ignore_errors=True)


if __name__ == "__main__":  # pragma: no cover - run by present()
    main()
