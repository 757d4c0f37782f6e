"""Real-browser tests: the presented panels in headless Chromium via Playwright.

One Voila server serves every panel (and a deliberately broken one, to show the
checks can fail). CI installs Debian's chromium; elsewhere these tests skip when no
browser is installed.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import time

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
if not os.path.exists(CHROMIUM):
    if os.environ.get("CI"):
        pytest.fail("CI must install chromium (see .ci/run)", pytrace=False)
    pytest.skip("no chromium installed", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")
pytest.importorskip("voila")

from brainviz.app.present import PANELS, _wait_for_port, write_apps  # noqa: E402

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("apps")
    write_apps(folder, theme="dark")
    # a panel whose callback does nothing: the checks below must notice
    broken = json.loads((folder / "memory.ipynb").read_text())
    code = broken["cells"][-1]["source"]
    assert code.endswith("\npanel")
    broken["cells"][-1]["source"] = code[:-len("panel")] + (
        "panel._draw = lambda artists, data, values: None\n"
        # and a squeezed dropdown with a long description, as the old builder had
        "import ipywidgets\n"
        "panel.children = (*panel.children, ipywidgets.Dropdown(options=['esketamine_nasal'],"
        " description='dose 1 route', layout=ipywidgets.Layout(width='60px')))\n"
        "panel")
    (folder / "broken.ipynb").write_text(json.dumps(broken))
    env = dict(os.environ)
    for var in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR",
                "MPLCONFIGDIR"):
        env[var] = str(tmp_path_factory.mktemp(var.lower()))
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "voila", str(folder), "--no-browser",
                             f"--port={port}", "--Voila.ip=127.0.0.1"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assert _wait_for_port(port, proc), "Voila did not start"
    yield f"http://127.0.0.1:{port}/voila/render"
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _open(browser, url, width=1500):
    page = browser.new_page(viewport={"width": width, "height": 1100})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("http://127.0.0.1")
               else r.abort())
    # generous: the first page of a fresh server also starts a kernel and builds
    # matplotlib's font cache. On a loaded machine Voila now and then starts a kernel
    # that never receives the notebook (the page waits forever, the kernel sits idle):
    # one fresh load (a fresh kernel) is allowed, a second hang fails the test
    for attempt in (1, 2):
        try:
            page.goto(url, timeout=150000, wait_until="domcontentloaded")
            page.wait_for_selector(".widget-output img", timeout=150000)
            return page, errors
        except sync_api.TimeoutError:
            if attempt == 2:
                raise
            page.goto("about:blank")
    return page, errors


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
    page, errors = _open(browser, f"{server}/{name}.ipynb")
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
    finally:
        page.close()


def test_the_check_fails_when_the_callback_does_nothing(server, browser):
    page, _ = _open(browser, f"{server}/broken.ipynb")
    try:
        assert _slider_changes_plot(page, timeout_ms=4000) is None
        problems = page.evaluate(_LAYOUT_PROBLEMS, None)
        assert any("esketamine_nasal" in p for p in problems), problems
    finally:
        page.close()


def test_presented_controls_show_their_values_and_the_figure_fits(server, browser):
    """Every dropdown wide enough for its value, no cut label, the figure inside the
    window: under ``brainviz present`` (large type), wide and narrow."""
    for name in ("protocol", "plasticity"):
        page, _ = _open(browser, f"{server}/{name}.ipynb")
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
            page.close()


def test_index_links_every_panel(server, browser):
    page = browser.new_page()
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("http://127.0.0.1")
               else r.abort())
    page.goto(f"{server}/index.ipynb", timeout=90000, wait_until="domcontentloaded")
    page.wait_for_selector("a[href$='memory.ipynb']", timeout=60000, state="attached")
    hrefs = page.eval_on_selector_all("a", "els => els.map(e => e.getAttribute('href'))")
    for name in PANELS:
        assert any(h and h.endswith(f"{name}.ipynb") for h in hrefs), name
    page.close()


def test_a_notebook_in_jupyterlab_runs_and_its_widget_moves_the_plot(tmp_path, browser):
    import pathlib
    import shutil

    root = pathlib.Path(__file__).resolve().parents[1]
    shutil.copy(root / "notebooks" / "02_memory_pathways.ipynb", tmp_path / "nb.ipynb")
    env = dict(os.environ)
    for var in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR",
                "MPLCONFIGDIR"):
        (tmp_path / var.lower()).mkdir()
        env[var] = str(tmp_path / var.lower())
    port, token = _free_port(), "brainviz-test"
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root",
         f"--port={port}", "--ServerApp.ip=127.0.0.1", f"--ServerApp.token={token}",
         "--LabApp.expose_app_in_browser=True", f"--ServerApp.root_dir={tmp_path}"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert _wait_for_port(port, proc), "JupyterLab did not start"
        page = browser.new_page(viewport={"width": 1500, "height": 1000})
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.route("**/*", lambda r: r.continue_()
                   if r.request.url.startswith("http://127.0.0.1") else r.abort())
        # a fresh workspace, so Lab cannot restore another notebook's tab
        page.goto(f"http://127.0.0.1:{port}/lab/workspaces/t{port}/tree/nb.ipynb?reset"
                  f"&token={token}", wait_until="domcontentloaded", timeout=90000)
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
        page.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
