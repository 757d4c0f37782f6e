"""Real-browser tests: the presented panels in headless Chromium via Playwright.

`brainviz present` serves every panel (and a deliberately broken one, to show the
checks can fail); the tests read its URL, with the token, from its stdout, as a script
would. CI installs Debian's chromium; elsewhere these tests skip when no browser is
installed.

These tests used to time out on a busy machine (page.goto after 90 s, on the third or
fourth panel). The cause was in the server: under CPU load, Voila's wait for a cell's
execute_reply sometimes missed the wake-up for a reply already in its socket, so the
page never finished; the presenter's server now waits in bounded slices
(brainviz.app._voila_server.WakefulKernelClient). Pages are closed as a tab closes,
so their kernels are shut down, and nothing is asked of a CDN.
"""

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest

from _browser import ARGS, require_chromium  # noqa: E402

CHROMIUM = require_chromium(module=True)
sync_api = pytest.importorskip("playwright.sync_api")
pytest.importorskip("voila")

from brainviz.app.present import PANELS, _port_busy_on, _wait_for_port  # noqa: E402


# `brainviz present` itself, plus a panel whose callback does nothing (the checks below
# must notice): write_apps is wrapped in the presenter's process only.
PRESENT_WITH_A_BROKEN_PANEL = """
import sys
import nbformat
from brainviz.app import present as p
write_apps = p.write_apps
def with_broken(folder, **kwargs):
    paths = write_apps(folder, **kwargs)
    nb = nbformat.read(paths["memory"], as_version=4)
    code = nb.cells[-1].source
    assert code.endswith("\\npanel")
    nb.cells[-1].source = code[:-len("panel")] + (
        "panel._draw = lambda artists, data, values: None\\n"
        # and a squeezed dropdown with a long description, as the old builder had
        "import ipywidgets\\n"
        "panel.children = (*panel.children, ipywidgets.Dropdown(options=['esketamine_nasal'],"
        " description='dose 1 route', layout=ipywidgets.Layout(width='60px')))\\n"
        "panel")
    nbformat.write(nb, folder / "broken.ipynb")
    return paths
p.write_apps = with_broken
sys.exit(p.present(None, port=int(sys.argv[1]), open_browser=False))
"""

#: requests the pages tried to send off this machine (the route aborts them)
OFFSITE = []


def _free_port():
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if _port_busy_on(port) is None:
            return port


def _jupyter_env(folder):
    env = dict(os.environ)
    for var in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR",
                "MPLCONFIGDIR"):
        (folder / var.lower()).mkdir(exist_ok=True)
        env[var] = str(folder / var.lower())
    return env


def _first_line(lines, proc, timeout):
    """The first line a process prints, or None if it ends or ``timeout`` s pass."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            return lines.get(timeout=0.2).strip()
        except queue.Empty:
            if proc.poll() is not None:
                return None
    return None


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`brainviz present` (every panel, and the broken one); its URL, with the token,
    is read from its stdout."""
    home = tmp_path_factory.mktemp("home")
    proc = subprocess.Popen([sys.executable, "-c", PRESENT_WITH_A_BROKEN_PANEL,
                             str(_free_port())], cwd=home, env=_jupyter_env(home),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = queue.Queue()
    threading.Thread(target=lambda: [lines.put(ln) for ln in proc.stdout], daemon=True).start()
    url = _first_line(lines, proc, timeout=120)
    if url is None:
        proc.kill()
        pytest.fail(f"brainviz present printed no URL: {proc.communicate()[1]}")
    assert url.startswith("http://127.0.0.1:") and "/voila/render/index.ipynb?token=" in url
    base, token = url.split("/index.ipynb?token=")
    yield base, token
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _route(route):
    if route.request.url.startswith("http://127.0.0.1"):
        route.continue_()
    else:
        OFFSITE.append(route.request.url)
        route.abort()


def _page(browser, width=1500):
    page = browser.new_page(viewport={"width": width, "height": 1100})
    errors, refused = [], []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: refused.append(m.text)
            if "Content Security Policy" in m.text else None)
    page.route("**/*", _route)
    return page, errors, refused


def _open(browser, url, token, width=1500):
    page, errors, refused = _page(browser, width)
    try:
        page.goto(f"{url}?token={token}", timeout=120000, wait_until="domcontentloaded")
        page.wait_for_selector(".widget-output img", timeout=120000)
    except Exception:
        _close(page)
        raise
    return page, errors, refused


def _close(page):
    """Close as a browser tab closes: Voila's unload handler shuts the kernel down."""
    page.close(run_before_unload=True)


def _slider_changes_plot(page, timeout_ms=15000):
    """Move the first slider by keyboard; return the latency in ms, or None if the
    plot did not change."""
    img = ".widget-output img"
    before = page.eval_on_selector(img, "e => e.src")
    handle = page.locator(".widget-slider .noUi-handle").first
    handle.focus()
    t0 = time.perf_counter()
    page.keyboard.press("ArrowRight")
    try:
        page.wait_for_function(
            "s => { const i = document.querySelector('.widget-output img');"
            " return i && i.src !== s; }", arg=before, timeout=timeout_ms)
    except sync_api.TimeoutError:
        return None
    return (time.perf_counter() - t0) * 1000


# what a room cannot read: a dropdown narrower than its value, a cut label, a figure or
# video wider than the window
_LAYOUT_PROBLEMS = """(scope) => {
  const root = scope ? document.querySelector(scope) : document;
  const out = [];
  const ctx = document.createElement('canvas').getContext('2d');
  for (const s of root.querySelectorAll('.widget-dropdown select')) {
    const st = getComputedStyle(s);
    ctx.font = `${st.fontWeight} ${st.fontSize} ${st.fontFamily}`;
    const text = s.selectedIndex >= 0 ? s.options[s.selectedIndex].text : '';
    const need = ctx.measureText(text).width + 22;  // padding and the arrow
    if (need > s.clientWidth) out.push(`dropdown '${text}' needs ${need | 0}px, has ${s.clientWidth}px`);
  }
  for (const l of root.querySelectorAll('.widget-label, .widget-label-basic')) {
    if (l.offsetParent && l.scrollWidth > l.clientWidth + 1) out.push(`label '${l.textContent}' is cut`);
  }
  for (const m of root.querySelectorAll('.widget-output img, .jp-OutputArea-output video')) {
    const r = m.getBoundingClientRect();
    if (r.width > 0 && r.right > document.documentElement.clientWidth + 1)
      out.push(`${m.tagName} ends at ${r.right | 0}px, window ${document.documentElement.clientWidth}px`);
  }
  return out;
}"""


def _non_blank(png_bytes):
    import io

    import numpy as np
    from PIL import Image

    a = np.asarray(Image.open(io.BytesIO(png_bytes)).convert("L"), dtype=float)
    return a.std() > 10 and len(np.unique(a)) > 50


LATENCIES = {}


@pytest.mark.parametrize("name", list(PANELS))
def test_panel_renders_and_its_slider_changes_the_plot(name, server, browser, tmp_path):
    base, token = server
    page, errors, refused = _open(browser, f"{base}/{name}.ipynb", token)
    try:
        shot = page.screenshot(path=str(tmp_path / f"{name}.png"))
        assert _non_blank(shot), name
        labels = page.eval_on_selector_all(".widget-label", "els => els.map(e => e.textContent)")
        assert any("(" in text and ")" in text for text in labels)  # units in labels
        latency = _slider_changes_plot(page)
        assert latency is not None, f"{name}: moving the slider did not change the plot"
        LATENCIES[name] = latency
        print(f"{name}: slider -> plot {latency:.0f} ms")
        assert not errors, errors
        assert not refused, refused  # nothing the page tried was blocked by its CSP
    finally:
        _close(page)


def test_the_check_fails_when_the_callback_does_nothing(server, browser):
    base, token = server
    page, _, _ = _open(browser, f"{base}/broken.ipynb", token)
    try:
        assert _slider_changes_plot(page, timeout_ms=4000) is None
        problems = page.evaluate(_LAYOUT_PROBLEMS, None)
        assert any("esketamine_nasal" in p for p in problems), problems
    finally:
        _close(page)


def test_presented_controls_show_their_values_and_the_figure_fits(server, browser):
    """Every dropdown wide enough for its value, no cut label, the figure inside the
    window: under ``brainviz present`` (large type), wide and narrow."""
    base, token = server
    for name in ("protocol", "plasticity"):
        page, _, _ = _open(browser, f"{base}/{name}.ipynb", token)
        try:
            page.evaluate("() => document.fonts.ready")
            assert page.evaluate(_LAYOUT_PROBLEMS, None) == [], name
            if name == "protocol":  # every route fits its dropdown
                select = page.locator(".widget-dropdown select").nth(1)
                for option in select.locator("option").all_text_contents():
                    select.select_option(label=option)
                    assert page.evaluate(_LAYOUT_PROBLEMS, None) == [], option
            page.set_viewport_size({"width": 900, "height": 1000})  # a small laptop
            page.wait_for_timeout(300)
            assert page.evaluate(_LAYOUT_PROBLEMS, None) == [], (name, "900 px")
        finally:
            _close(page)


def test_index_links_every_panel_and_a_link_opens_without_the_token(server, browser):
    base, token = server
    page, errors, refused = _page(browser)
    try:
        page.goto(f"{base}/index.ipynb?token={token}", timeout=120000,
                  wait_until="domcontentloaded")
        page.wait_for_selector("a[href$='memory.ipynb']", timeout=60000, state="attached")
        hrefs = page.eval_on_selector_all("a", "els => els.map(e => e.getAttribute('href'))")
        for name in PANELS:
            assert any(h and h.endswith(f"{name}.ipynb") for h in hrefs), name
        # the token was exchanged for a cookie: the links work as they are
        page.click("a[href$='dmn.ipynb']")
        page.wait_for_selector(".widget-output img", timeout=120000)
        assert "token=" not in page.url and not errors and not refused
    finally:
        _close(page)


def test_no_page_sent_a_request_off_this_machine():
    """Run after the pages above: the Voila lab template asked a CDN for Font Awesome."""
    assert LATENCIES, "the panel tests did not run"
    assert not OFFSITE, OFFSITE


def test_a_notebook_in_jupyterlab_runs_and_its_widget_moves_the_plot(tmp_path, browser):
    import pathlib
    import shutil

    root = pathlib.Path(__file__).resolve().parents[1]
    shutil.copy(root / "notebooks" / "02_memory_pathways.ipynb", tmp_path / "nb.ipynb")
    env = _jupyter_env(tmp_path)
    port, token = _free_port(), "brainviz-test"
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root",
         f"--port={port}", "--ServerApp.ip=127.0.0.1", f"--ServerApp.token={token}",
         "--LabApp.expose_app_in_browser=True", f"--ServerApp.root_dir={tmp_path}"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert _wait_for_port(port, proc), "JupyterLab did not start"
        page, errors, _ = _page(browser)
        # a fresh workspace, so Lab cannot restore another notebook's tab
        page.goto(f"http://127.0.0.1:{port}/lab/workspaces/t{port}/tree/nb.ipynb?reset"
                  f"&token={token}", wait_until="domcontentloaded", timeout=120000)
        page.wait_for_function(
            "() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;"
            " return w && w.sessionContext && w.sessionContext.session &&"
            " w.sessionContext.session.kernel &&"
            " w.sessionContext.session.kernel.status === 'idle'; }", timeout=120000)
        assert page.evaluate(
            "() => window.jupyterapp.shell.currentWidget.context.path") == "nb.ipynb"
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
        scope = ".jp-NotebookPanel:not(.lm-mod-hidden) "
        img = page.locator(scope + ".widget-output img").first
        img.wait_for(timeout=180000)
        before = img.get_attribute("src")
        page.locator(scope + ".widget-slider .noUi-handle").first.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function(
            "s => { const i = document.querySelector("
            "'.jp-NotebookPanel:not(.lm-mod-hidden) .widget-output img');"
            " return i && i.src !== s; }", arg=before, timeout=30000)
        assert not [e for e in errors if "brainviz" in e or "widget" in e.lower()], errors
        _close(page)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
