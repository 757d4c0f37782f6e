"""The brainviz command line: export and list, one-line errors, exit statuses.

Runs against the tiny fake gallery (tests/_fake_gallery.py) so it stays fast.
"""

import importlib.metadata
import subprocess
import sys

import pytest

import brainviz
from brainviz.app import _video
from brainviz.app.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_error_line(err):
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("brainviz: error: "), err
    assert "Traceback" not in err
    return lines[0]


def test_list_prints_each_name_with_a_one_line_caption(gallery, capsys):
    code, out, err = run(capsys, "list")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert [line.split()[0] for line in lines] == list(gallery.NAMES)
    assert lines[0] == "network  The network figure of the fake gallery."
    assert "second sentence" not in out


def test_export_alone_writes_slides_in_all_formats_into_brainviz_export(
        gallery, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    calls = []
    real_figure = gallery.figure
    monkeypatch.setattr(gallery, "figure",
                        lambda name, theme: calls.append(theme) or real_figure(name,
                                                                               theme=theme))
    code, out, err = run(capsys, "export")
    assert code == 0, err
    assert set(calls) == {"slides"}
    folder = tmp_path / "brainviz-export"
    names = sorted(p.name for p in folder.iterdir())
    made = [f"{n}.{f}" for n in gallery.NAMES
            for f in ("png", "svg", "pdf", "mp4", "gif", "poster.png", "vtt", "txt")]
    assert names == sorted(made + ["index.html", "brainviz-figures.zip",
                                   ".brainviz-export.json", ".brainviz.lock"])
    assert "wrote 18 files" in out and "index.html" in out
    assert "[18/18] brainviz-figures.zip" in err  # progress on stderr (a line per file)


def test_export_options(gallery, capsys, tmp_path):
    code, out, err = run(capsys, "export", str(tmp_path / "deck"), "--only", "memory",
                         "--format", "png", "mp4", "--theme", "dark", "--dpi", "72",
                         "--fps", "12", "--jobs", "1", "--quiet")
    assert code == 0, err
    assert err == ""
    assert sorted(p.name for p in (tmp_path / "deck").iterdir()) == [
        ".brainviz-export.json", ".brainviz.lock", "brainviz-figures.zip", "index.html",
        "memory.mp4", "memory.png", "memory.poster.png", "memory.txt", "memory.vtt"]


def test_repeated_only_flags_add_up(gallery, capsys, tmp_path):
    code, _, err = run(capsys, "export", str(tmp_path), "--only", "memory",
                       "--only", "network", "--format", "svg", "-q")
    assert code == 0, err
    assert (tmp_path / "memory.svg").exists() and (tmp_path / "network.svg").exists()


@pytest.mark.parametrize("argv, expected", [
    (["export", "--only", "netwrk"], "--only: unknown value 'netwrk'; did you mean 'network'?"),
    (["export", "--only"], "argument --only: expected at least one argument"),
    (["export", "--format", "mov"], "--format: unknown value 'mov'"),
    (["export", "--theme", "neon"], "--theme: unknown value 'neon'"),
    (["export", "--dpi", "10"], "--dpi must be a whole number from 50 to 600, got 10"),
    (["export", "--dpi", "ten"], "argument --dpi: invalid int value: 'ten'"),
    (["export", "--fps", "120"], "--fps must be a whole number from 5 to 60, got 120"),
    (["export", "--jobs", "0"], "--jobs must be a whole number from 1 to 64, got 0"),
    (["export", "--bogus"], "unrecognized arguments: --bogus"),
    (["export", ""], "OUTDIR: not a valid folder path: ''"),
    (["paint"], "argument {export,list,notebooks,deck,slides,present}: invalid choice: "
                "'paint'"),
    ([], "choose a command: export, list, notebooks, deck, slides, present"),
])
def test_usage_errors_are_one_line_and_exit_2(gallery, capsys, tmp_path, monkeypatch,
                                              argv, expected):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert expected in one_error_line(err)
    assert list(tmp_path.iterdir()) == []  # nothing made


def test_a_folder_under_a_regular_file_is_a_usage_error(gallery, capsys, tmp_path):
    (tmp_path / "notes.txt").write_text("x")
    code, _, err = run(capsys, "export", str(tmp_path / "notes.txt" / "deck"))
    assert code == 2
    assert "OUTDIR: cannot create" in one_error_line(err)


def test_a_foreign_file_in_the_way_fails_with_exit_1(gallery, capsys, tmp_path):
    (tmp_path / "index.html").write_text("<p>my page</p>")
    code, _, err = run(capsys, "export", str(tmp_path), "-q")
    assert code == 1
    assert f"{tmp_path / 'index.html'} exists and was not made by brainviz" in \
        one_error_line(err)
    assert (tmp_path / "index.html").read_text() == "<p>my page</p>"


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_failure_while_exporting_is_one_line_exit_1(gallery, capsys, tmp_path,
                                                      monkeypatch, jobs):
    def broken(anim, plan, start, stop, **kw):
        raise RuntimeError("ffmpeg failed: Unknown encoder 'libx264'\nmore detail")

    monkeypatch.setattr(_video, "render_segment", broken)
    code, _, err = run(capsys, "export", str(tmp_path), "--format", "mp4", "-q",
                       "--jobs", jobs)
    assert code == 1
    line = one_error_line(err)
    assert line == (f"brainviz: error: cannot write {tmp_path / 'network.mp4'}: ffmpeg "
                    "failed: Unknown encoder 'libx264' more detail")
    assert not (tmp_path / "network.mp4").exists()


def test_an_interrupt_exits_130_without_a_traceback(gallery, capsys, tmp_path,
                                                    monkeypatch):
    def interrupted(anim, plan, start, stop, **kw):
        raise KeyboardInterrupt

    monkeypatch.setattr(_video, "render_segment", interrupted)
    code, _, err = run(capsys, "export", str(tmp_path), "--format", "gif", "-q",
                       "--jobs", "1")
    assert code == 130
    assert "interrupted" in one_error_line(err)
    assert not any("brainviz-tmp" in p.name for p in tmp_path.iterdir())


def test_disk_full_names_the_file_on_the_command_line(gallery, capsys, tmp_path,
                                                      monkeypatch):
    import errno

    from brainviz.app import export as export_module

    def full(fig, tmp, fmt, dpi):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(export_module, "_save_still", full)
    code, _, err = run(capsys, "export", str(tmp_path), "--only", "memory", "--format",
                       "pdf", "-q")
    assert code == 1
    assert one_error_line(err) == ("brainviz: error: No space left on device: "
                                   f"{tmp_path / 'memory.pdf'}")


def test_list_into_a_closed_pipe_is_silent():
    """brainviz list | head: the reader goes away; no BrokenPipe error, exit 141."""
    proc = subprocess.Popen([sys.executable, "-m", "brainviz", "list"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**__import__("os").environ, "MPLBACKEND": "Agg"})
    proc.stdout.close()  # like head after its lines: nobody reads any more
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141
    assert err == ""


def test_list_through_head_in_a_shell():
    import shutil

    if shutil.which("sh") is None or shutil.which("head") is None:
        pytest.skip("no sh/head")
    run_ = subprocess.run(["sh", "-c", f"'{sys.executable}' -m brainviz list | head -n 1"],
                          capture_output=True, text=True, timeout=120)
    assert run_.returncode == 0
    assert run_.stdout.startswith("network") and len(run_.stdout.splitlines()) == 1
    assert run_.stderr == ""


def test_help_and_version_exit_0(capsys):
    code, out, _ = run(capsys, "--help")
    assert code == 0 and "export" in out and "list" in out
    code, out, _ = run(capsys, "export", "--help")
    assert code == 0 and "--only" in out and "--theme" in out
    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.strip() == f"brainviz {brainviz.__version__}"


def test_console_script_and_python_dash_m():
    scripts = importlib.metadata.entry_points(group="console_scripts", name="brainviz")
    assert [ep.value for ep in scripts] == ["brainviz.app.cli:main"]
    run = subprocess.run([sys.executable, "-m", "brainviz", "--version"],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0 and run.stdout.strip() == f"brainviz {brainviz.__version__}"
    run = subprocess.run([sys.executable, "-m", "brainviz", "export", "--dpi", "1"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2
    assert run.stderr.startswith("brainviz: error: --dpi must be ")
    assert len(run.stderr.splitlines()) == 1
