"""brainviz present: app notebooks, argument errors, a busy port, Ctrl-C; and the
notebooks as reveal.js slides."""

import json
import os
import signal
import socket
import subprocess
import sys
import time

import nbformat
import pytest

from brainviz.app.cli import main
from brainviz.app.present import PANELS, write_apps


def test_write_apps_hides_code_and_links_every_panel(tmp_path):
    paths = write_apps(tmp_path)
    assert set(paths) == set(PANELS) | {"index"}
    for name in PANELS:
        nb = json.loads(paths[name].read_text())
        code = [c for c in nb["cells"] if c["cell_type"] == "code"]
        assert code and all(c["metadata"]["jupyter"]["source_hidden"] for c in code)
        assert "theme='dark'" in code[0]["source"]
    index = json.loads(paths["index"].read_text())["cells"][0]["source"]
    assert all(f"({name}.ipynb)" in index for name in PANELS)
    assert "not medical advice" in index


def test_present_argument_errors_are_one_line(capsys):
    assert main(["present", "memroy", "--no-browser"]) == 2
    assert "did you mean 'memory'" in capsys.readouterr().err
    assert main(["present", "memory", "--port", "80", "--no-browser"]) == 2
    assert "1024 to 65535" in capsys.readouterr().err
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["present", "memory", "--port", str(port), "--no-browser"]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and f"port {port} is already in use" in err


def test_present_serves_and_stops_cleanly_on_ctrl_c():
    pytest.importorskip("voila")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "brainviz", "present", "dmn", "--port",
                             str(port), "--no-browser"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert f"http://127.0.0.1:{port}/" in line
        with socket.socket() as s:
            assert s.connect_ex(("127.0.0.1", port)) == 0
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
        assert proc.returncode == 0, err
        assert "stopped" in out and "Traceback" not in err
        time.sleep(0.5)
        with socket.socket() as s:  # the port is free again
            s.bind(("127.0.0.1", port))
    finally:
        if proc.poll() is None:
            proc.kill()


def test_mechanism_notebooks_render_as_slides_without_setup_code(tmp_path):
    from nbconvert import SlidesExporter

    path = os.path.join(os.path.dirname(__file__), "..", "notebooks", "02_memory_pathways.ipynb")
    nb = nbformat.read(path, as_version=4)
    setup = [c for c in nb.cells if c.cell_type == "code"
             and c.metadata.get("slideshow", {}).get("slide_type") == "skip"]
    assert setup  # the setup is marked to stay off the slides
    html, _ = SlidesExporter().from_notebook_node(nb)
    assert "reveal" in html.lower()
    assert "import brainviz" not in html.split("<body", 1)[-1]
