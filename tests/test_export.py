"""brainviz.app.export and the frame writer: files, formats, reproducibility, atomicity,
refusing to touch files brainviz did not write, and argument checks.

These tests run against a tiny fake gallery (tests/_fake_gallery.py) that follows the
gallery contract, so they are fast and independent of the real figures.
"""

import doctest
import importlib
import json
import os
import pathlib
import re
import subprocess
import sys

import matplotlib
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

import _fake_gallery
from brainviz.app import _video
from brainviz.app.export import MANIFEST, export

PIL = pytest.importorskip("PIL.Image")


def probe(path):
    """Codec, pixel format, width, height and decoded frame count of a video."""
    exe = _video.ffmpeg_exe()
    run = subprocess.run([exe, "-hide_banner", "-nostdin", "-i", str(path),
                          "-map", "0:v:0", "-f", "null", "-"],
                         capture_output=True, text=True, check=True)
    stream = re.search(r"Stream #0:0.*?Video: (\w+)[^,]*, (\w+)[^,]*(?:,[^,]*?)*?"
                       r" (\d+)x(\d+)", run.stderr)
    frames = re.findall(r"frame=\s*(\d+)", run.stderr)
    codec, pix_fmt, w, h = stream.groups()
    return {"codec": codec, "pix_fmt": pix_fmt, "width": int(w), "height": int(h),
            "frames": int(frames[-1])}


def leftovers(folder):
    return [p.name for p in pathlib.Path(folder).iterdir() if "brainviz-tmp" in p.name
            or "brainviz-probe" in p.name]


# ------------------------------------------------------------------ what it writes

def test_export_writes_every_file_and_an_index(gallery, tmp_path):
    out = tmp_path / "deck"
    paths = export(out, progress=False)
    expected = [f"{n}.{f}" for n in gallery.NAMES
                for f in ("png", "svg", "pdf", "mp4", "gif", "txt")] + ["index.html"]
    assert [p.name for p in paths] == expected
    assert all(p.parent == out and p.stat().st_size > 0 for p in paths)
    manifest = json.loads((out / MANIFEST).read_text())
    assert sorted(manifest["files"]) == sorted(expected)
    assert leftovers(out) == []

    text = (out / "network.txt").read_text(encoding="utf-8")
    assert gallery.caption("network") in text and gallery.alt_text("network") in text

    page = (out / "index.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    for name in gallery.NAMES:
        assert f'<img src="{name}.png" alt="A sine curve for {name} with a moving ' \
               'cosine &amp; a dot &lt;b&gt;."' in page
        assert f'<video controls preload="metadata" poster="{name}.png" ' \
               f'src="{name}.mp4">' in page
        assert f'<a href="{name}.mp4">download {name}.mp4</a>' in page  # fallback
        assert gallery.caption(name) in page
    assert "<b>" not in page  # alt text is escaped


def test_png_is_the_theme_size_or_the_given_dpi(gallery, tmp_path):
    export(tmp_path / "a", formats=["png"], only="network", progress=False)
    export(tmp_path / "b", formats=["PNG"], only="network", dpi=200, progress=False)
    with PIL.open(tmp_path / "a" / "network.png") as im:
        assert im.size == (320, 180)
    with PIL.open(tmp_path / "b" / "network.png") as im:
        assert im.size == (640, 360)


def test_mp4_is_h264_yuv420p_faststart_with_every_frame(gallery, tmp_path):
    export(tmp_path, only=["memory"], formats=["mp4"], fps=24, progress=False)
    info = probe(tmp_path / "memory.mp4")
    n = _fake_gallery.frames_for(24)
    assert info == {"codec": "h264", "pix_fmt": "yuv420p", "width": 320,
                    "height": 180, "frames": n}
    data = (tmp_path / "memory.mp4").read_bytes()
    assert data.index(b"moov") < data.index(b"mdat")  # +faststart: plays while loading


def test_mp4_of_an_odd_sized_figure_has_even_sides(tmp_path):
    anim = _fake_gallery.animate("network", n_frames=4, size=(3.21, 1.83))
    _video.write_mp4(anim, tmp_path / "odd.bin")  # any suffix: format is explicit
    info = probe(tmp_path / "odd.bin")
    assert (info["width"], info["height"], info["frames"]) == (320, 182, 4)


def test_blitted_frames_match_full_redraws():
    anim = _fake_gallery.animate("network", n_frames=5)
    frames = [np.asarray(rgba).copy() for _, _, rgba in _video.render_frames(anim, [3, 1])]
    FigureCanvasAgg(anim.fig)
    for i, got in zip([3, 1], frames):
        anim.draw_frame(i)
        for artist in anim.animated_artists:
            artist.set_animated(False)
        anim.fig.canvas.draw()
        want = np.asarray(anim.fig.canvas.buffer_rgba())
        for artist in anim.animated_artists:
            artist.set_animated(True)
        assert got.shape == want.shape
        assert np.abs(got.astype(int) - want.astype(int)).max() <= 2


def test_gif_is_960_wide_opaque_looping_15_fps_and_small(gallery, tmp_path):
    export(tmp_path, only=["network"], formats=["gif"], fps=30, progress=False)
    path = tmp_path / "network.gif"
    assert path.stat().st_size < 10_000_000
    n = _fake_gallery.frames_for(30)
    with PIL.open(path) as im:
        assert im.size == (960, 540)
        assert n == 15 and im.n_frames == len(_video.gif_frame_indices(n, 30, 15)) == 8
        assert im.info.get("loop") == 0
        assert "transparency" not in im.info
        for k in range(im.n_frames):
            im.seek(k)
            assert "transparency" not in im.info
            assert im.convert("RGBA").getchannel("A").getextrema() == (255, 255)


def test_gif_of_a_transparent_figure_is_still_opaque(tmp_path):
    anim = _fake_gallery.animate("network", n_frames=3)
    anim.fig.set_facecolor("none")
    _video.write_gif(anim, tmp_path / "clear.gif", width=200)
    with PIL.open(tmp_path / "clear.gif") as im:
        assert im.size[0] == 200
        assert im.convert("RGBA").getchannel("A").getextrema() == (255, 255)
        assert min(im.convert("RGB").getpixel((1, 1))) >= 250  # white, not black
    assert anim.fig.get_facecolor()[3] == 0  # the figure itself is left as it was


def test_gif_over_the_size_limit_is_written_again_smaller(tmp_path):
    anim = _fake_gallery.animate("network", n_frames=3)
    _video.write_gif(anim, tmp_path / "big.gif", width=600, max_bytes=20_000)
    with PIL.open(tmp_path / "big.gif") as im:
        assert im.size[0] < 600


def test_gif_frame_indices_keep_the_duration():
    assert _video.gif_frame_indices(150, 30, 15) == list(range(0, 150, 2))
    assert _video.gif_frame_indices(10, 10, 15) == list(range(10))
    idx = _video.gif_frame_indices(100, 24, 15)
    assert len(idx) == round(100 * 15 / 24) and idx[-1] <= 99


def test_svg_and_pdf_are_reproducible_and_rcparams_unchanged(gallery, tmp_path):
    before = dict(matplotlib.rcParams)
    a = export(tmp_path / "a", formats=("svg", "pdf"), progress=False)
    b = export(tmp_path / "b", formats=("svg", "pdf"), progress=False)
    again = export(tmp_path / "a", formats=("svg", "pdf"), progress=False)
    for x, y, z in zip(a, b, again):
        assert x.read_bytes() == y.read_bytes() == z.read_bytes(), x.name
    assert dict(matplotlib.rcParams) == before


# ---------------------------------------------------------- atomic, never clobbers

def _snapshot(folder):
    return {p.name: p.read_bytes() for p in pathlib.Path(folder).iterdir()}


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_a_writer_failing_midway_leaves_no_partial_file(gallery, tmp_path, monkeypatch,
                                                        error):
    export(tmp_path, formats=["png", "mp4"], progress=False)
    (tmp_path / "notes.md").write_text("my own notes")
    before = _snapshot(tmp_path)

    def broken(anim, path, **kw):
        pathlib.Path(path).write_bytes(b"half a video")
        raise error("disk on fire")

    monkeypatch.setattr(_video, "write_mp4", broken)
    with pytest.raises(error):
        export(tmp_path, formats=["png", "mp4"], progress=False)
    after = _snapshot(tmp_path)
    assert leftovers(tmp_path) == []
    assert after.keys() == before.keys()
    for name in before:
        if name not in {"network.png", MANIFEST}:  # the png was rewritten, same bytes
            assert after[name] == before[name], name
    assert after["notes.md"] == b"my own notes"
    # the manifest still recognises every file, so the next export just works
    monkeypatch.undo()
    monkeypatch.setitem(sys.modules, "brainviz.views.gallery", gallery)
    export(tmp_path, formats=["png", "mp4"], progress=False)


def test_failing_inside_real_rendering_kills_ffmpeg_and_cleans_up(gallery, tmp_path,
                                                                  monkeypatch):
    real = _video.render_frames

    def dies_on_frame_3(anim, frames, **kw):
        for k, frame in enumerate(real(anim, frames, **kw)):
            if k == 3:
                raise RuntimeError("renderer crashed")
            yield frame

    monkeypatch.setattr(_video, "render_frames", dies_on_frame_3)
    for fmt in ("mp4", "gif"):
        with pytest.raises(RuntimeError, match="renderer crashed"):
            export(tmp_path, only="network", formats=[fmt], progress=False)
        assert not (tmp_path / f"network.{fmt}").exists()
        assert leftovers(tmp_path) == []


def test_os_replace_failing_leaves_old_files_and_no_temp(gallery, tmp_path, monkeypatch):
    export(tmp_path, formats=["svg"], progress=False)
    before = _snapshot(tmp_path)
    real_replace = os.replace

    def replace(src, dst):
        if str(dst).endswith("memory.svg"):
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(OSError, match="No space"):
        export(tmp_path, formats=["svg"], progress=False)
    assert leftovers(tmp_path) == []
    assert _snapshot(tmp_path)["memory.svg"] == before["memory.svg"]
    monkeypatch.setattr(os, "replace", real_replace)
    export(tmp_path, formats=["svg"], progress=False)


def test_a_file_brainviz_did_not_write_is_never_overwritten(gallery, tmp_path):
    (tmp_path / "memory.pdf").write_bytes(b"the lecturer's own pdf")
    with pytest.raises(FileExistsError, match="memory.pdf.*not made by brainviz"):
        export(tmp_path, progress=False)
    # refused before writing anything
    assert sorted(p.name for p in tmp_path.iterdir()) == ["memory.pdf"]
    assert (tmp_path / "memory.pdf").read_bytes() == b"the lecturer's own pdf"
    # formats that do not collide are fine, and the pdf is left alone
    export(tmp_path, formats=["png"], progress=False)
    assert (tmp_path / "memory.pdf").read_bytes() == b"the lecturer's own pdf"


def test_an_exported_file_edited_since_is_not_overwritten(gallery, tmp_path):
    export(tmp_path, formats=["svg"], progress=False)
    export(tmp_path, formats=["svg"], progress=False)  # own files: overwritten fine
    (tmp_path / "network.svg").write_text("<svg>edited in Inkscape</svg>")
    with pytest.raises(FileExistsError, match="changed since brainviz wrote it"):
        export(tmp_path, formats=["svg"], progress=False)
    assert (tmp_path / "network.svg").read_text() == "<svg>edited in Inkscape</svg>"


def test_a_foreign_manifest_is_refused(gallery, tmp_path):
    (tmp_path / MANIFEST).write_text("not json")
    with pytest.raises(FileExistsError, match="not a brainviz export manifest"):
        export(tmp_path, formats=["png"], progress=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == [MANIFEST]


def test_index_lists_earlier_exports_too(gallery, tmp_path):
    export(tmp_path, only="network", formats=["png"], progress=False)
    export(tmp_path, only="memory", formats=["svg"], progress=False)
    page = (tmp_path / "index.html").read_text()
    assert 'src="network.png"' in page and 'src="memory.svg"' in page


# ------------------------------------------------------------------- bad arguments

@pytest.mark.parametrize("kwargs, pattern", [
    ({"only": ["netwrok"]}, r"^only: unknown value 'netwrok'; did you mean 'network'\? "
                            r"\(valid: network, memory\)$"),
    ({"only": "hippo"}, r"^only: unknown value 'hippo' \(valid: network, memory\)$"),
    ({"formats": ["png", "mov"]}, r"^formats: unknown value 'mov'.*valid: png, svg, pdf, "
                                  r"mp4, gif"),
    ({"formats": []}, r"^formats: choose at least one"),
    ({"theme": "slide"}, r"^theme: unknown value 'slide'; did you mean 'slides'\?"),
    ({"theme": None}, r"^theme: unknown value None"),
    ({"dpi": 49}, r"^dpi must be a whole number from 50 to 600, got 49$"),
    ({"dpi": 601}, r"^dpi .* got 601$"),
    ({"dpi": 72.5}, r"^dpi "),
    ({"dpi": True}, r"^dpi "),
    ({"fps": 4}, r"^fps must be a whole number from 5 to 60, got 4$"),
    ({"fps": 61}, r"^fps "),
    ({"fps": "30"}, r"^fps "),
    ({"progress": "yes"}, r"^progress: "),
])
def test_bad_arguments_raise_one_line_value_errors(gallery, tmp_path, kwargs, pattern):
    with pytest.raises(ValueError) as info:
        export(tmp_path / "out", **kwargs)
    assert "\n" not in str(info.value)
    assert re.search(pattern, str(info.value)), str(info.value)
    assert not (tmp_path / "out").exists()  # checked before anything is made


def test_bad_folders_raise_value_errors(gallery, tmp_path):
    blocker = tmp_path / "a_file.txt"
    blocker.write_text("x")
    for outdir, pattern in [(blocker / "deck", "is a file, not a folder"),
                            (blocker / "x" / "y", "is a file, not a folder"),
                            (blocker, "exists and is not a folder"),
                            ("", "not a valid folder path"),
                            ("bad\x00name", "not a valid folder path"),
                            (42, "must be a folder path")]:
        with pytest.raises(ValueError, match=f"^outdir: .*{pattern}"):
            export(outdir, progress=False)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="root can write to read-only folders")
def test_read_only_folder_is_a_value_error(gallery, tmp_path):  # pragma: no cover
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(ValueError, match="^outdir: cannot write"):
            export(tmp_path, progress=False)
    finally:
        tmp_path.chmod(0o700)


def test_ffmpeg_failure_is_a_runtime_error_with_its_message(tmp_path, monkeypatch):
    monkeypatch.setattr(_video, "ffmpeg_exe", lambda: sys.executable)  # not ffmpeg
    anim = _fake_gallery.animate("network", n_frames=3)
    with pytest.raises(RuntimeError, match="^ffmpeg failed"):
        _video.write_mp4(anim, tmp_path / "x.mp4")


def test_progress_bar_goes_to_stderr(gallery, tmp_path, capsys):
    export(tmp_path, only="network", formats=["png"], progress=True)
    out, err = capsys.readouterr()
    assert out == ""
    assert "[1/3] network.png" in err and "[3/3] index.html" in err


@pytest.mark.parametrize("module", ["brainviz.app._video", "brainviz.app.export", "brainviz.app.cli"])
def test_docstring_examples_run(module):
    failures, _ = doctest.testmod(importlib.import_module(module),
                                  optionflags=doctest.ELLIPSIS)
    assert failures == 0


def test_real_gallery_follows_the_contract(tmp_path):
    gallery = pytest.importorskip("brainviz.views.gallery")
    pytest.importorskip("brainviz.views.animation")
    assert tuple(gallery.THEMES) == ("notebook", "slides", "dark", "print")
    name = gallery.NAMES[0]
    anim = gallery.animate(name, theme="notebook", fps=10)
    assert anim.fig is not None and anim.fps == 10 and anim.n_frames >= 1
    assert anim.animated_artists  # the writer marks them animated itself
    frames = _video.render_frames(anim, [0, anim.n_frames - 1])
    first = bytes(next(frames)[2])
    last = bytes(next(frames)[2])
    frames.close()
    assert first != last
