"""Writing into a user's folder (brainviz.app._outdir, used by export and deck) under
hostile timing: a file created mid-run, two exports at once, kill -9, SIGTERM, and the
worker processes (brainviz.app._workers) that render in parallel.

The tests that need a second process run the command line on the fake gallery
(``python tests/_fake_gallery.py export ...``), slowed down so they can be caught
mid-video.
"""

import errno
import json
import os
import pathlib
import signal
import subprocess
import sys
import threading
import time

import pytest

from brainviz.app import _outdir, _workers
from brainviz.app import export as export_module
from brainviz.app._outdir import LOCK, MANIFEST, ForeignFileError, OutputFolder
from brainviz.app.export import export

TESTS = pathlib.Path(__file__).resolve().parent
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="uses /proc and Linux process semantics")


def leftovers(folder):
    return sorted(p.name for p in pathlib.Path(folder).iterdir()
                  if "brainviz-tmp" in p.name)


def start_cli(*argv, delay=0.0, frames=0, **kw):
    env = {**os.environ, "MPLBACKEND": "Agg", "BRAINVIZ_FAKE_FRAME_DELAY": str(delay),
           "BRAINVIZ_FAKE_FRAMES": str(frames)}
    return subprocess.Popen([sys.executable, str(TESTS / "_fake_gallery.py"), *argv],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, **kw)


def wait_for(predicate, timeout=60.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def video_in_progress(folder):
    """A half-written video in a run's private temp folder."""
    for tmp in pathlib.Path(folder).glob(".brainviz-tmp-*"):
        for f in tmp.iterdir():
            if f.suffix in (".mp4", ".gif") and f.stat().st_size > 0:
                return f
    return None


def descendants(pid):
    """Process ids whose ancestry leads to *pid* (Linux /proc)."""
    parents = {}
    for entry in pathlib.Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {p for p, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pid):
    try:
        state = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


# --------------------------------------------------- a file that appears mid-run

@pytest.fixture(params=["renameat2", "link", "exclusive-create"])
def rename_mode(request, monkeypatch):
    """Every way the last step can be done, including file systems without
    renameat2 (then hard links) and without hard links (then O_EXCL)."""
    if request.param != "renameat2":
        monkeypatch.setattr(_outdir, "_renameat2", lambda src, dst, flags: False)
    if request.param == "exclusive-create":
        def no_links(src, dst):
            raise OSError(errno.EPERM, "Operation not permitted")
        monkeypatch.setattr(os, "link", no_links)
    return request.param


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_file_created_during_the_run_is_never_replaced(gallery, tmp_path, monkeypatch,
                                                         jobs, rename_mode):
    real = gallery.animate

    def animate(name, **kw):  # while the run renders memory, the user saves network.png
        if name == "memory":
            (tmp_path / "network.png").write_bytes(b"the lecturer's own picture")
        return real(name, **kw)

    monkeypatch.setattr(gallery, "animate", animate)
    with pytest.raises(ForeignFileError, match="network.png appeared during the run and "
                                               "was not made by brainviz"):
        export(tmp_path, formats=["png", "mp4"], progress=False, jobs=jobs)
    assert (tmp_path / "network.png").read_bytes() == b"the lecturer's own picture"
    assert leftovers(tmp_path) == []
    manifest = json.loads((tmp_path / MANIFEST).read_text())
    assert "network.png" not in manifest["files"]
    for name in manifest["files"]:  # everything listed is there, as listed
        assert _outdir.sha256(tmp_path / name) in manifest["files"][name]


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_file_edited_during_the_run_is_never_replaced(gallery, tmp_path, monkeypatch,
                                                        jobs, rename_mode):
    export(tmp_path, formats=["svg"], progress=False)
    real = gallery.figure

    def figure(name, **kw):  # the user edits brainviz's network.svg mid-run
        if name == "network":
            (tmp_path / "network.svg").write_text("<svg>edited in Inkscape</svg>")
        return real(name, **kw)

    monkeypatch.setattr(gallery, "figure", figure)
    with pytest.raises(ForeignFileError, match="network.svg was changed since brainviz "
                                               "wrote it"):
        export(tmp_path, formats=["svg"], progress=False, jobs=jobs)
    assert (tmp_path / "network.svg").read_text() == "<svg>edited in Inkscape</svg>"
    assert leftovers(tmp_path) == []


def test_move_no_replace_refuses_an_existing_target_every_way(tmp_path, monkeypatch,
                                                              rename_mode):
    (tmp_path / "new").write_text("mine")
    (tmp_path / "there").write_text("theirs")
    with pytest.raises(FileExistsError):
        _outdir.move_no_replace(tmp_path / "new", tmp_path / "there")
    assert (tmp_path / "there").read_text() == "theirs"
    assert (tmp_path / "new").read_text() == "mine"
    _outdir.move_no_replace(tmp_path / "new", tmp_path / "free")
    assert (tmp_path / "free").read_text() == "mine" and not (tmp_path / "new").exists()


# ----------------------------------------------------------------- one lock per folder

def test_a_second_run_waits_for_the_lock(tmp_path):
    messages = []
    first = OutputFolder(tmp_path).__enter__()
    got = threading.Event()

    def second():
        with OutputFolder(tmp_path, on_wait=messages.append):
            got.set()

    thread = threading.Thread(target=second)
    thread.start()
    wait_for(lambda: messages, what="the waiting message")
    assert not got.is_set()
    assert "another brainviz run is writing into" in messages[0]
    first.close()
    thread.join(timeout=30)
    assert got.is_set()


def test_the_lock_is_a_regular_file_never_followed(tmp_path):
    (tmp_path / "elsewhere").write_text("x")
    (tmp_path / LOCK).symlink_to(tmp_path / "elsewhere")
    with pytest.raises(OSError) as info:
        OutputFolder(tmp_path).__enter__()
    assert info.value.filename == str(tmp_path / LOCK)
    assert (tmp_path / "elsewhere").read_text() == "x"


@linux_only
def test_two_exports_into_one_folder_both_land_and_the_manifest_stays_whole(tmp_path):
    a = start_cli("export", str(tmp_path), "--only", "network", "--format", "mp4", "svg",
                  "--jobs", "1", delay=0.05, frames=160)
    wait_for(lambda: video_in_progress(tmp_path), what="the first export's video")
    b = start_cli("export", str(tmp_path), "--only", "memory", "--format", "mp4", "svg",
                  delay=0.02, frames=40)
    out_a, err_a = a.communicate(timeout=180)
    out_b, err_b = b.communicate(timeout=180)
    assert a.returncode == 0, err_a
    assert b.returncode == 0, err_b
    assert "waiting for it to finish" in err_b
    manifest = json.loads((tmp_path / MANIFEST).read_text())["files"]
    for name in ("network", "memory"):
        for ext in ("mp4", "svg", "vtt", "poster.png", "txt"):
            assert f"{name}.{ext}" in manifest
    for name, digests in manifest.items():
        assert _outdir.sha256(tmp_path / name) in digests, name
    page = (tmp_path / "index.html").read_text()
    assert 'src="network.mp4"' in page and 'src="memory.mp4"' in page
    # and the folder's own files are still brainviz's: a third run replaces them
    c = start_cli("export", str(tmp_path), "--format", "svg", "-q")
    assert c.wait(timeout=120) == 0, c.stderr.read()
    assert leftovers(tmp_path) == []


# ------------------------------------------------------------- killed and stopped runs

@linux_only
def test_kill_9_mid_video_leaves_no_process_and_the_next_run_cleans_up(tmp_path):
    run = start_cli("export", str(tmp_path), "--only", "network", "--format", "mp4",
                    "gif", "--jobs", "2", delay=0.05, frames=200)
    wait_for(lambda: video_in_progress(tmp_path), what="a video being written")
    family = descendants(run.pid)
    assert family, "the export should have started workers and encoders"
    run.send_signal(signal.SIGKILL)
    run.wait(timeout=30)
    wait_for(lambda: not any(alive(p) for p in family), timeout=30,
             what="workers and encoders to die with the parent")
    assert leftovers(tmp_path)  # the killed run could not clean up ...
    assert not (tmp_path / "network.mp4").exists()
    again = start_cli("export", str(tmp_path), "--only", "network", "--format", "mp4",
                      "-q")
    assert again.wait(timeout=120) == 0, again.stderr.read()
    assert leftovers(tmp_path) == []  # ... the next one did
    assert (tmp_path / "network.mp4").stat().st_size > 0


@linux_only
@pytest.mark.parametrize("sig, code, name", [(signal.SIGTERM, 143, "SIGTERM"),
                                             (signal.SIGHUP, 129, "SIGHUP"),
                                             (signal.SIGINT, 130, "interrupted")])
def test_sigterm_and_sighup_stop_an_export_like_ctrl_c(tmp_path, sig, code, name):
    run = start_cli("export", str(tmp_path), "--only", "network", "--format", "mp4",
                    "gif", "--jobs", "2", delay=0.05, frames=200)
    wait_for(lambda: video_in_progress(tmp_path), what="a video being written")
    family = descendants(run.pid)
    run.send_signal(sig)
    out, err = run.communicate(timeout=60)
    assert run.returncode == code, err
    lines = err.strip().splitlines()
    assert lines[-1].startswith("brainviz: error: ") and name in lines[-1], err
    assert "Traceback" not in err
    assert leftovers(tmp_path) == []
    assert not (tmp_path / "network.mp4").exists()
    wait_for(lambda: not any(alive(p) for p in family), timeout=30,
             what="no worker or encoder left running")


def run_python(code, *args):
    """Run *code* in a fresh interpreter (no threads left over by other tests, so
    the workers really fork); return its stdout."""
    env = {**os.environ, "MPLBACKEND": "Agg"}
    run = subprocess.run([sys.executable, "-c", code, *map(str, args)], env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    return run.stdout


@linux_only
def test_workers_hold_no_lock_of_their_own(tmp_path):
    """A worker closes its copy of the folder lock: only the parent holds it."""
    out = run_python("""
import json, os, pathlib, sys
from brainviz.app._outdir import OutputFolder
from brainviz.app._workers import Workers
seen = []
def look(report):
    fds = pathlib.Path(f"/proc/{os.getpid()}/fd")
    report([os.readlink(fd) for fd in fds.iterdir() if fd.exists()])
with OutputFolder(pathlib.Path(sys.argv[1])) as out:
    mine = os.readlink(f"/proc/self/fd/{out.lock_fd}")
    with Workers(2, close_fds=[out.lock_fd]) as pool:
        pool.submit(look, label="look", on_message=seen.append)
print(json.dumps({"forking": pool.forking, "parent": mine, "worker": seen[0]}))
""", tmp_path)
    result = json.loads(out)
    lock = str((tmp_path / LOCK).resolve())
    assert result["forking"] and result["parent"] == lock
    assert lock not in result["worker"]


def test_a_worker_error_is_raised_in_the_parent_with_its_type(tmp_path):
    out = run_python("""
import errno, json, sys
from brainviz.app._workers import Workers
def fail(report):
    raise OSError(errno.ENOSPC, "No space left on device", sys.argv[1])
try:
    with Workers(2) as pool:
        pool.submit(fail, label="x.png")
except OSError as exc:
    print(json.dumps({"forking": pool.forking, "errno": exc.errno, "file": exc.filename}))
""", tmp_path / "x.png")
    result = json.loads(out)
    assert result == {"forking": sys.platform.startswith("linux"), "errno": errno.ENOSPC,
                      "file": str(tmp_path / "x.png")}


@linux_only
def test_a_worker_killed_from_outside_is_a_clear_error():
    out = run_python("""
import os, signal
from brainviz.app._workers import Workers
def die(report):
    os.kill(os.getpid(), signal.SIGKILL)
try:
    with Workers(2) as pool:
        assert pool.forking
        pool.submit(die, label="network.mp4")
except RuntimeError as exc:
    print(exc)
""")
    assert out.strip() == "the worker process making network.mp4 was killed by signal 9"


def test_no_forking_while_other_threads_run(tmp_path):
    """Inside a Jupyter kernel (threads alive) the work runs in this process."""
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not _workers.Workers(2).forking
    finally:
        stop.set()
        thread.join()


def test_stale_temporary_files_of_older_versions_are_removed_too(gallery, tmp_path):
    (tmp_path / ".network.mp4.x1y2.brainviz-tmp").write_bytes(b"half")
    (tmp_path / ".brainviz-tmp-abc").mkdir()
    (tmp_path / ".brainviz-tmp-abc" / "memory.gif").write_bytes(b"half")
    (tmp_path / "keep.brainviz-tmp.txt").write_text("not ours")
    export(tmp_path, only="memory", formats=["svg"], progress=False)
    assert leftovers(tmp_path) == ["keep.brainviz-tmp.txt"]


def test_export_api_accepts_jobs_and_uses_workers(gallery, tmp_path, monkeypatch):
    slots = []
    real = _workers.Workers.__init__

    def init(self, n, **kw):
        real(self, n, **kw)
        slots.append(n)

    monkeypatch.setattr(_workers.Workers, "__init__", init)
    export(tmp_path, only="memory", formats=["svg"], progress=False, jobs=3)
    assert slots == [3]
    export_module.export(tmp_path, only="memory", formats=["svg"], progress=False)
    assert slots[-1] == _workers.usable_cpus()
