"""brainviz present: app notebooks, argument errors, and a server that is safe on a
shared machine (issue 11, finding 1, 4 and 5): isolated from the caller's folder, a
token, local host names only, no CDN, kernels capped and culled, logs in a file, and
a clean stop on SIGINT, SIGTERM and SIGHUP. Also: the notebooks as reveal.js slides."""

import base64
import importlib.util
import http.client
import json
import os
import pathlib
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse

import nbformat
import pytest

from brainviz.app.cli import main
from brainviz.app.present import PANELS, _descendants, _port_busy_on, write_apps

ROOT = pathlib.Path(__file__).resolve().parents[1]
BRAINVIZ = str(pathlib.Path(sys.executable).with_name("brainviz"))


# --- the app notebooks -------------------------------------------------------------------

def test_write_apps_hides_code_and_links_every_panel(tmp_path):
    paths = write_apps(tmp_path)
    assert set(paths) == set(PANELS) | {"index"}
    for name in PANELS:
        nb = nbformat.read(paths[name], as_version=4)
        nbformat.validate(nb)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert code and all(c.metadata["jupyter"]["source_hidden"] for c in code)
        assert "theme='dark'" in code[0].source
    index = nbformat.read(paths["index"], as_version=4).cells[0].source
    assert all(f"({name}.ipynb)" in index for name in PANELS)
    assert "not medical advice" in index


def test_app_notebooks_are_the_same_bytes_in_every_process(tmp_path):
    """Cell ids were hash(source), which changes with PYTHONHASHSEED (per process)."""
    code = "import sys; from brainviz.app.present import write_apps; write_apps(sys.argv[1])"
    for seed in ("1", "2"):
        (tmp_path / seed).mkdir()
        subprocess.run([sys.executable, "-c", code, str(tmp_path / seed)], check=True,
                       env={**os.environ, "PYTHONHASHSEED": seed})
    for name in list(PANELS) + ["index"]:
        one = (tmp_path / "1" / f"{name}.ipynb").read_bytes()
        assert one == (tmp_path / "2" / f"{name}.ipynb").read_bytes(), name


# --- argument errors and busy ports --------------------------------------------------------

def test_present_argument_errors_are_one_line(capsys):
    assert main(["present", "memroy", "--no-browser"]) == 2
    assert "did you mean 'memory'" in capsys.readouterr().err
    assert main(["present", "memory", "--port", "80", "--no-browser"]) == 2
    err = capsys.readouterr().err
    assert "--port" in err and "1024 to 65535" in err
    assert main(["present", "memory", "--theme", "neon", "--no-browser"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--theme" in err and "'dark'" in err


def _listen(family, host):
    sock = socket.socket(family, socket.SOCK_STREAM)
    if family == socket.AF_INET6:
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    sock.bind((host, 0))
    sock.listen()
    return sock


@pytest.mark.parametrize("family,host", [(socket.AF_INET, "127.0.0.1"),
                                         (socket.AF_INET6, "::1")], ids=["ipv4", "ipv6"])
def test_a_busy_port_is_refused_on_ipv4_and_ipv6(family, host, capsys):
    try:
        busy = _listen(family, host)
    except OSError:
        pytest.skip(f"no {host} loopback on this machine")
    with busy:
        port = busy.getsockname()[1]
        assert _port_busy_on(port) == host
        assert main(["present", "memory", "--port", str(port), "--no-browser"]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and f"--port {port} is already in use on {host}" in err
    assert _port_busy_on(port) is None


# --- a running presenter ----------------------------------------------------------------------


def _free_port():
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if _port_busy_on(port) is None:
            return port


@pytest.fixture(scope="session")
def jupyter_env(tmp_path_factory):
    """Jupyter, IPython and matplotlib write into a temporary folder, not the home."""
    home = tmp_path_factory.mktemp("jupyter-home")
    env = dict(os.environ)
    for var in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR",
                "IPYTHONDIR", "MPLCONFIGDIR"):
        (home / var.lower()).mkdir()
        env[var] = str(home / var.lower())
    return env


PLANTED = ("concurrent", "voila", "ipykernel_launcher", "brainviz", "sitecustomize",
           "ipython_config", "ipython_kernel_config", "jupyter_config", "voila_config")


def _plant(folder: pathlib.Path) -> pathlib.Path:
    """Modules and config files another user could leave in a shared folder: each
    writes to a marker file if anything imports or loads it."""
    marker = folder / "IMPORTED"
    for name in PLANTED:
        (folder / f"{name}.py").write_text(
            f"open({str(marker)!r}, 'a').write('{name} ' + str(__import__('os').getpid()) "
            "+ '\\n')\n")
    return marker


class Presenter:
    """``brainviz present`` in a subprocess; the URL is read from its stdout."""

    def __init__(self, args, *, cwd, env, code=None):
        cmd = ([sys.executable, "-c", code, *args] if code else [BRAINVIZ, "present", *args])
        self.proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.lines = queue.Queue()
        self.stdout = []
        threading.Thread(target=self._read, daemon=True).start()
        end = time.monotonic() + 120
        while True:
            try:
                self.url = self.lines.get(timeout=0.2).strip()
                break
            except queue.Empty:
                if self.proc.poll() is not None or time.monotonic() > end:
                    raise AssertionError(f"no URL on stdout: {self.stop()[1]}") from None
        parts = urllib.parse.urlsplit(self.url)
        self.port = parts.port
        self.token = urllib.parse.parse_qs(parts.query)["token"][0]
        self.path = parts.path

    def _read(self):
        for line in self.proc.stdout:
            self.stdout.append(line)
            self.lines.put(line)

    def server_pid(self):
        kids = _children(self.proc.pid)
        return kids[0] if kids else None

    def get(self, path=None, *, token=True, headers=None, timeout=180):
        path = path or self.path
        if token:
            path += ("&" if "?" in path else "?") + f"token={self.token}"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request("GET", path, headers=headers or {})
            resp = conn.getresponse()
            return resp.status, dict(resp.getheaders()), resp.read().decode("utf-8", "replace")
        finally:
            conn.close()

    def stop(self, signum=signal.SIGINT, timeout=60):
        if self.proc.poll() is None:
            self.proc.send_signal(signum)
        try:
            _, err = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, err = self.proc.communicate()
        return self.proc.returncode, err


def _children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(k) for k in f.read().split()]
    except OSError:
        return []


def _alive(pids):
    return [p for p in pids if os.path.exists(f"/proc/{p}") and
            "Z" not in open(f"/proc/{p}/stat").read().rsplit(")", 1)[1].split()[0]]


def _kernels(server_pid):
    """The server's kernels: its children running ipykernel (a kernel's own short-lived
    children, forked with the same command line, are not kernels)."""
    found = []
    for pid in _children(server_pid) if server_pid else []:
        try:
            if b"ipykernel_launcher" in pathlib.Path(f"/proc/{pid}/cmdline").read_bytes():
                found.append(pid)
        except OSError:
            pass
    return found


def _poll(condition, timeout, interval=0.2):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(interval)
    return condition()


linux_only = pytest.mark.skipif(not os.path.isdir("/proc/self/task"),
                                reason="process checks read /proc")
needs_voila = pytest.mark.skipif(importlib.util.find_spec("voila") is None,
                                 reason="pip install 'brainviz[present]'")


@pytest.fixture(scope="module")
def served(tmp_path_factory, jupyter_env):
    """One presenter of the dmn panel, started from a folder with planted modules."""
    if importlib.util.find_spec("voila") is None:
        pytest.skip("pip install 'brainviz[present]'")
    caller = tmp_path_factory.mktemp("shared-folder")
    marker = _plant(caller)
    env = {**jupyter_env, "PYTHONPATH": "", "TMPDIR": str(tmp_path_factory.mktemp("tmp"))}
    p = Presenter(["dmn", "--port", str(_free_port()), "--no-browser"], cwd=caller, env=env)
    status, headers, page = p.get()
    yield p, status, headers, page, marker, caller
    p.stop()


def test_the_url_is_one_line_on_stdout_with_a_random_token(served):
    p, status, *_ = served
    assert status == 200
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/voila/render/dmn\.ipynb\?token=[\w-]{43}",
                        p.url)
    assert p.stdout == [p.url + "\n"]


def test_the_panel_renders_with_its_widgets(served):
    _, status, _, page, *_ = served
    assert status == 200 and "application/vnd.jupyter.widget-view+json" in page
    assert "DMN" in page or "dmn" in page


@linux_only
def test_nothing_from_the_callers_folder_runs(served):
    """Finding 1: a concurrent.py (and more) left in the folder `brainviz present` is
    started from is imported by neither the server nor its kernels."""
    p, _, _, _, marker, caller = served
    server = p.server_pid()
    kernels = _kernels(server)
    assert server and kernels, "the page should have started a kernel"
    assert not marker.exists(), marker.read_text()
    for pid in [server] + kernels:
        assert pathlib.Path(os.readlink(f"/proc/{pid}/cwd")) != caller


@linux_only
def test_kernels_use_the_client_that_cannot_miss_a_reply(served):
    p = served[0]
    log = pathlib.Path(os.readlink(f"/proc/{p.server_pid()}/fd/1")).read_text()
    assert "client brainviz.app._voila_server.WakefulKernelClient" in log


def test_the_kernel_client_never_waits_without_a_time_limit():
    """A reply whose wake-up was lost is found by the next bounded poll."""
    import asyncio

    from brainviz.app._voila_server import WakefulChannel

    class Socket:  # a reply is waiting, but its first three wake-ups are lost
        def __init__(self):
            self.waits = []

        async def poll(self, timeout_ms):
            self.waits.append(timeout_ms)
            return int(len(self.waits) > 3)

    channel = WakefulChannel.__new__(WakefulChannel)
    channel.socket = Socket()

    async def recv():
        return {"msg_type": "execute_reply"}

    channel._recv = recv
    assert asyncio.run(channel.get_msg(timeout=None)) == {"msg_type": "execute_reply"}
    assert len(channel.socket.waits) == 4
    assert all(w is not None and 0 < w <= 500 for w in channel.socket.waits)


@linux_only
def test_the_token_is_on_no_command_line(served):
    p = served[0]
    server = p.server_pid()
    for pid in [p.proc.pid, server] + _kernels(server):
        assert p.token.encode() not in pathlib.Path(f"/proc/{pid}/cmdline").read_bytes()


def test_pages_need_the_token(served):
    p = served[0]
    status, headers, _ = p.get(token=False)
    assert status in (302, 403) and "/login" in headers.get("Location", "/login")
    status, headers, _ = p.get(p.path + "?token=wrong" + p.token[5:], token=False)
    assert status in (302, 403)


def test_only_local_host_names_are_answered(served):
    """DNS rebinding: a page from evil.example whose name now points at 127.0.0.1."""
    p = served[0]
    for host in ("evil.example", "192.168.1.20", "brainviz.evil.example"):
        status, _, _ = p.get("/voila/static/voila.js", headers={"Host": f"{host}:{p.port}"})
        assert status == 403, host
    for host in ("localhost", "127.0.0.1"):
        status, _, _ = p.get("/voila/static/voila.js", headers={"Host": f"{host}:{p.port}"})
        assert status == 200, host


def _upgrade(p, path, origin, cookie):
    key = base64.b64encode(os.urandom(16)).decode()
    with socket.create_connection(("127.0.0.1", p.port), timeout=60) as s:
        s.sendall((f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{p.port}\r\nUpgrade: websocket\r\n"
                   f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                   f"Sec-WebSocket-Version: 13\r\nOrigin: {origin}\r\nCookie: {cookie}\r\n"
                   "\r\n").encode())
        return s.recv(200).split(b"\r\n", 1)[0].decode()


def test_websockets_from_other_origins_are_refused(served):
    """A page on evil.example, in the lecturer's browser (which holds the login cookie
    the token gave it), cannot talk to a kernel."""
    p, _, headers, page, *_ = served
    kernel = re.search(r'"kernelId":\s*"([0-9a-f-]{36})"', page)
    assert kernel, "no kernel id in the page"
    cookie = headers["Set-Cookie"].split(";", 1)[0]
    path = f"/api/kernels/{kernel.group(1)}/channels"
    assert " 403 " in _upgrade(p, path, "http://evil.example", cookie)
    assert " 101 " in _upgrade(p, path, f"http://127.0.0.1:{p.port}", cookie)


def test_the_page_loads_nothing_from_elsewhere(served):
    """No CDN: every URL the page fetches is on this server, and its Content-Security-
    Policy forbids any other (the lab template linked Font Awesome on jsdelivr)."""
    _, _, headers, page, *_ = served
    fetched = re.findall(r'(?:src|href)\s*=\s*["\']([^"\']+)', page)
    fetched += re.findall(r'@import\s+(?:url\()?["\']?([^"\')\s;]+)', page)
    fetched += re.findall(r'import\(\s*["\']([^"\']+)', page)
    assert fetched
    external = [u for u in fetched if re.match(r"(?i)^(https?:)?//", u)]
    assert not external, external
    assert "cdn.jsdelivr" not in page and "cdnjs" not in page
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "https:" not in csp and "*" not in csp


@linux_only
def test_logs_go_to_a_file_and_many_requests_never_block_the_server(served):
    """Finding 4: stderr was a pipe nobody read; after about 64 KB of logs the server
    froze. Each refused request below logs a warning (about 150 KB in all)."""
    p = served[0]
    server = p.server_pid()
    for fd in (1, 2):
        target = os.readlink(f"/proc/{server}/fd/{fd}")
        assert not target.startswith("pipe:") and target.endswith("voila.log"), target
    conn = http.client.HTTPConnection("127.0.0.1", p.port, timeout=30)
    for i in range(800):
        conn.request("GET", f"/voila/static/x{i}", headers={"Host": "evil.example"})
        assert conn.getresponse().read() is not None
    conn.close()
    t0 = time.monotonic()
    assert p.get("/voila/static/voila.js")[0] == 200
    assert time.monotonic() - t0 < 30


# --- kernels: capped and culled ---------------------------------------------------------------

LIMITS = ("import sys; from brainviz.app import present as p\n"
          "p._MAX_KERNELS, p._EVICT_AFTER_S, p._CULL_IDLE_S, p._CULL_INTERVAL_S = 4, 3, 8, 1\n"
          "sys.exit(p.present(None, port=int(sys.argv[1]), open_browser=False))")


@linux_only
@needs_voila
def test_thirty_page_loads_never_exceed_the_kernel_cap_and_idle_kernels_are_culled(
        tmp_path, jupyter_env):
    """Finding 4: every GET started a kernel that was never culled (20 loads = 2.4 GB)."""
    p = Presenter([str(_free_port())], cwd=tmp_path, env=jupyter_env, code=LIMITS)
    try:
        server = p.server_pid()
        counts, statuses = [], []
        done = threading.Event()

        def sample():
            while not done.is_set():
                counts.append(len(_kernels(server)))
                time.sleep(0.05)

        def load():
            status, _, body = p.get()
            statuses.append((status, body))

        sampler = threading.Thread(target=sample)
        sampler.start()
        loads = [threading.Thread(target=load) for _ in range(30)]
        for t in loads:
            t.start()
        for t in loads:
            t.join(300)
        # then, one after another: a new page replaces a kernel idle for 3 s
        for _ in range(2):
            time.sleep(3.5)
            load()
        done.set()
        sampler.join()
        codes = [s for s, _ in statuses]
        assert len(codes) == 32 and set(codes) <= {200, 503}, codes
        assert max(counts) <= 4, max(counts)
        assert codes.count(200) >= 4 and codes[-2:] == [200, 200], codes
        refused = [body for s, body in statuses if s == 503]
        assert refused and all("4 pages are open; close one" in b for b in refused)
        # nobody is looking at these pages: their kernels are culled
        assert _poll(lambda: not _kernels(server), timeout=60), _kernels(server)
    finally:
        p.stop()


# --- stopping -------------------------------------------------------------------------------

@linux_only
@needs_voila
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP],
                         ids=lambda s: signal.Signals(s).name)
def test_each_stop_signal_stops_the_server_and_its_kernels_and_cleans_up(
        signum, tmp_path, jupyter_env):
    """Finding 5: SIGTERM or SIGHUP (a closed terminal) left Voilà and its kernels
    serving the port, and temporary folders on disk."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    port = _free_port()
    p = Presenter(["--port", str(port), "--no-browser"], cwd=tmp_path,
                  env={**jupyter_env, "TMPDIR": str(tmp)})
    assert p.get()[0] == 200  # the index page, with its kernel
    server = p.server_pid()
    started = [server] + _kernels(server)
    assert len(started) >= 2
    assert any(tmp.iterdir())
    code, err = p.stop(signum)
    name = signal.Signals(signum).name
    assert code == 0, err
    assert f"stopped ({'Ctrl-C' if signum == signal.SIGINT else name})" in err
    assert "Traceback" not in err
    assert _poll(lambda: not _alive(started), timeout=10), _alive(started)
    assert _port_busy_on(port) is None
    assert not list(tmp.iterdir()), list(tmp.iterdir())


@linux_only
@needs_voila
def test_the_server_stops_by_itself_when_present_is_killed(tmp_path, jupyter_env):
    """SIGKILL cannot be handled; the server notices its parent is gone, and stops."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    p = Presenter(["--port", str(_free_port()), "--no-browser"], cwd=tmp_path,
                  env={**jupyter_env, "TMPDIR": str(tmp)})
    assert p.get()[0] == 200
    server = p.server_pid()
    started = [server] + _kernels(server)
    p.proc.kill()
    p.proc.wait()
    assert _poll(lambda: not _alive(started), timeout=40), _alive(started)
    assert _poll(lambda: not list(tmp.iterdir()), timeout=10), list(tmp.iterdir())


# --- slides ------------------------------------------------------------------------------------

def test_mechanism_notebooks_render_as_slides_without_setup_code():
    from nbconvert import SlidesExporter

    nb = nbformat.read(ROOT / "notebooks" / "02_memory_pathways.ipynb", as_version=4)
    setup = [c for c in nb.cells if c.cell_type == "code"
             and c.metadata.get("slideshow", {}).get("slide_type") == "skip"]
    assert setup  # the setup is marked to stay off the slides
    html, _ = SlidesExporter().from_notebook_node(nb)
    assert "reveal" in html.lower()
    assert "import brainviz" not in html.split("<body", 1)[-1]
