"""brainviz.app.export and the frame writer: files, formats, captions, the gallery page,
reproducibility, and refusing to touch files brainviz did not write.

Most tests run against a tiny fake gallery (tests/_fake_gallery.py) that follows the
gallery contract, so they are fast and independent of the real figures. The tests of
safety against other processes (a file created mid-run, two exports at once, kill -9,
SIGTERM) are in test_export_safety.py.
"""

import doctest
import errno
import importlib
import io
import json
import os
import pathlib
import re
import subprocess
import sys
import zipfile

import matplotlib
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

import _fake_gallery
from brainviz.app import _outdir, _video
from brainviz.app import export as export_module
from brainviz.app.export import ARCHIVE, MANIFEST, export

PIL = pytest.importorskip("PIL.Image")
TESTS = pathlib.Path(__file__).resolve().parent


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


def decode_frames(path, width, height):
    """Every frame of a video as an RGB array."""
    run = subprocess.run([_video.ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel",
                          "error", "-i", str(path), "-f", "rawvideo", "-pix_fmt", "rgb24",
                          "-"], capture_output=True, check=True)
    return np.frombuffer(run.stdout, np.uint8).reshape(-1, height, width, 3)


def leftovers(folder):
    return [p.name for p in pathlib.Path(folder).iterdir() if "brainviz-tmp" in p.name
            or "brainviz-probe" in p.name]


def files_of(name, formats=("png", "svg", "pdf", "mp4", "gif")):
    out = [f"{name}.{f}" for f in formats if f in ("png", "svg", "pdf", "mp4", "gif")]
    if "mp4" in formats:
        out += [f"{name}.poster.png", f"{name}.vtt"]
    return out + [f"{name}.txt"]


# ------------------------------------------------------------------ what it writes

@pytest.mark.parametrize("jobs", [1, 2])
def test_export_writes_every_file_an_index_and_an_archive(gallery, tmp_path, jobs):
    out = tmp_path / "deck"
    paths = export(out, progress=False, jobs=jobs)
    expected = [f for n in gallery.NAMES for f in files_of(n)] + ["index.html", ARCHIVE]
    assert [p.name for p in paths] == expected
    assert all(p.parent == out and p.stat().st_size > 0 for p in paths)
    manifest = json.loads((out / MANIFEST).read_text())
    assert sorted(manifest["files"]) == sorted(expected)
    assert sorted(p.name for p in out.iterdir()) == sorted(expected + [MANIFEST,
                                                                       _outdir.LOCK])
    text = (out / "network.txt").read_text(encoding="utf-8")
    assert gallery.caption("network") in text and gallery.alt_text("network") in text
    with zipfile.ZipFile(out / ARCHIVE) as zf:
        assert sorted(zf.namelist()) == sorted(f"brainviz-figures/{f}"
                                               for f in expected if f != ARCHIVE)
        assert zf.read("brainviz-figures/memory.svg") == (out / "memory.svg").read_bytes()
        assert zf.testzip() is None


def test_png_is_the_theme_size_or_the_given_dpi(gallery, tmp_path):
    export(tmp_path / "a", formats=["png"], only="network", progress=False)
    export(tmp_path / "b", formats=["PNG"], only="network", dpi=200, progress=False)
    with PIL.open(tmp_path / "a" / "network.png") as im:
        assert im.size == (320, 180)
    with PIL.open(tmp_path / "b" / "network.png") as im:
        assert im.size == (640, 360)


@pytest.mark.parametrize("jobs", [1, 2])
def test_mp4_is_h264_yuv420p_faststart_with_every_frame(gallery, tmp_path, jobs):
    export(tmp_path, only=["memory"], formats=["mp4"], fps=24, progress=False, jobs=jobs)
    info = probe(tmp_path / "memory.mp4")
    n = _fake_gallery.frames_for(24)
    assert info == {"codec": "h264", "pix_fmt": "yuv420p", "width": 320,
                    "height": 180, "frames": n}
    data = (tmp_path / "memory.mp4").read_bytes()
    assert data.index(b"moov") < data.index(b"mdat")  # +faststart: plays while loading


def test_video_made_in_segments_shows_the_same_frames(tmp_path):
    """Two processes' halves, joined, are the animation frame for frame."""
    anim = _fake_gallery.animate("network", n_frames=24)
    plan = _video.plan(anim, mp4=True, gif=True)
    palette = _video.make_palette(anim, plan, tmp_path / "palette.png")
    segments = plan.segments(2)
    assert segments == [(0, 12), (12, 24)]
    for k, (a, b) in enumerate(segments):
        _video.render_segment(anim, plan, a, b, mp4=tmp_path / f"{k}.mp4",
                              gif=tmp_path / f"{k}.gif", palette=palette, final=False)
    _video.join_mp4([tmp_path / "0.mp4", tmp_path / "1.mp4"], tmp_path / "all.mp4")
    _video.join_gif([tmp_path / "0.gif", tmp_path / "1.gif"], tmp_path / "all.gif")
    _video.write_mp4(anim, tmp_path / "one.mp4")

    joined = decode_frames(tmp_path / "all.mp4", 320, 180)
    whole = decode_frames(tmp_path / "one.mp4", 320, 180)
    assert joined.shape == whole.shape == (24, 180, 320, 3)
    assert np.abs(joined.astype(int) - whole.astype(int)).mean() < 2
    assert (tmp_path / "all.mp4").read_bytes().index(b"moov") < \
        (tmp_path / "all.mp4").read_bytes().index(b"mdat")
    with PIL.open(tmp_path / "all.gif") as im:
        assert im.n_frames == len(plan.gif_indices) == 12 and im.size == (960, 540)
        assert im.info.get("loop") == 0
        im.seek(7)  # a frame from the second half
        got = np.asarray(im.convert("RGB").resize((320, 180)), dtype=int)
    want = whole[plan.gif_indices[7]].astype(int)
    assert np.abs(got - want).mean() < 8


def test_mp4_of_an_odd_sized_figure_has_even_sides(tmp_path):
    anim = _fake_gallery.animate("network", n_frames=4, size=(3.21, 1.83))
    _video.write_mp4(anim, tmp_path / "odd.bin")  # any suffix: format is explicit
    info = probe(tmp_path / "odd.bin")
    assert (info["width"], info["height"], info["frames"]) == (320, 182, 4)


def test_blitted_frames_match_full_redraws():
    anim = _fake_gallery.animate("network", n_frames=5)
    frames = [np.asarray(rgba).copy() for _, _, rgba in _video.render_frames(anim, [3, 1])]
    FigureCanvasAgg(anim.fig)
    for artist in anim.animated_artists:  # the fake marks them animated: draw them
        artist.set_animated(False)
    for i, got in zip([3, 1], frames):
        anim.draw_frame(i)
        anim.fig.canvas.draw()
        want = np.asarray(anim.fig.canvas.buffer_rgba())
        assert got.shape == want.shape
        assert np.abs(got.astype(int) - want.astype(int)).max() <= 2


def test_rendering_leaves_the_figure_and_artists_as_they_were():
    anim = _fake_gallery.animate("network", n_frames=3)
    anim.fig.set_facecolor("none")
    flags = [a.get_animated() for a in anim.animated_artists]
    canvas, dpi = anim.fig.canvas, anim.fig.dpi
    for _ in _video.render_frames(anim, [0, 2], dpi=50):
        pass
    assert [a.get_animated() for a in anim.animated_artists] == flags
    assert anim.fig.canvas is canvas and anim.fig.dpi == dpi
    assert anim.fig.get_facecolor()[3] == 0


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


# ------------------------------------------------------- captions, poster and page

def test_vtt_has_one_cue_per_storyboard_beat(gallery, tmp_path):
    export(tmp_path, only="memory", formats=["mp4"], progress=False)
    text = (tmp_path / "memory.vtt").read_text(encoding="utf-8")
    # titled as the video, not as the still figure of the same name
    from brainviz.views.animation import TITLES

    assert text.startswith(f"WEBVTT - {TITLES['memory']}\n")
    cues = re.findall(r"\n(\d+)\n(\d\d:\d\d:\d\d\.\d{3}) --> (\d\d:\d\d:\d\d\.\d{3})\n(.+)\n",
                      text)
    beats = gallery.storyboard("memory")
    assert [(c[1], c[2]) for c in cues] == [("00:00:00.000", "00:00:00.200"),
                                            ("00:00:00.200", "00:00:00.500")]
    assert len(cues) == len(beats)
    # the cue text is the beat's caption, escaped for WebVTT ("-->" cannot appear)
    assert cues[0][3] == "The memory starts: dose &amp; window &lt;opens&gt;"
    assert cues[1][3] == "The memory holds \u2192 the take-away"
    last_frame_s = _fake_gallery.frames_for(30) / 30
    assert beats[-1].end_s == pytest.approx(last_frame_s)


def test_no_vtt_without_a_storyboard(gallery, tmp_path, monkeypatch):
    monkeypatch.setattr(gallery, "storyboard", lambda name: ())
    paths = export(tmp_path, only="memory", formats=["mp4"], progress=False)
    assert "memory.vtt" not in [p.name for p in paths]
    assert "<track" not in (tmp_path / "index.html").read_text()


def test_poster_is_the_videos_own_first_frame(gallery, tmp_path):
    export(tmp_path, only="network", formats=["png", "mp4"], progress=False)
    with PIL.open(tmp_path / "network.poster.png") as im:
        assert im.size == (320, 180) and im.mode == "RGB"
        poster = np.asarray(im, dtype=int)
    first = decode_frames(tmp_path / "network.mp4", 320, 180)[0].astype(int)
    assert np.abs(poster - first).mean() < 2  # the video's own first frame ...
    with PIL.open(tmp_path / "network.png") as im:  # ... not the still figure
        still = np.asarray(im.convert("RGB"), dtype=int)
    assert np.abs(poster - still).mean() > np.abs(poster - first).mean() + 0.5


def test_index_page(gallery, tmp_path):
    export(tmp_path, progress=False)
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    # human titles, and a contents list linking to each section
    for name in gallery.NAMES:
        title = gallery.title(name)
        assert f'<li><a href="#{name}">{title}</a></li>' in page
        assert f'<h2 id="{name}-title">{title}</h2>' in page
        assert f"<h2>{name}</h2>" not in page
    # each figure once; the video's poster is its first frame, not the figure
    for name in gallery.NAMES:
        assert page.count(f'src="{name}.png"') == 1
        assert f'poster="{name}.poster.png"' in page
        assert f'<track kind="captions" srclang="en" label="English captions" ' \
               f'src="{name}.vtt">' in page
        assert f'<a href="{name}.mp4">download {name}.mp4</a>' in page  # fallback
        assert gallery.caption(name) in page
        for beat in gallery.storyboard(name):  # captions embedded for file:// pages
            assert json.dumps(beat.caption)[1:-1].replace("</", "<\\/") in page
    assert f'<img src="network.png" alt="A sine curve for network with a moving ' \
           'cosine &amp; a dot &lt;b&gt;."' in page
    assert "<b>" not in page  # alt text is escaped
    # a download-all archive, and controls under the video, not over it
    assert f'<a class="download" href="{ARCHIVE}" download>' in page
    assert '<div class="controls" hidden>' in page
    assert "video.removeAttribute('controls')" in page


def test_index_lists_earlier_exports_too(gallery, tmp_path):
    export(tmp_path, only="network", formats=["png"], progress=False)
    export(tmp_path, only="memory", formats=["svg"], progress=False)
    page = (tmp_path / "index.html").read_text()
    assert 'src="network.png"' in page and 'src="memory.svg"' in page
    with zipfile.ZipFile(tmp_path / ARCHIVE) as zf:
        names = zf.namelist()
    assert "brainviz-figures/network.png" in names and "brainviz-figures/memory.svg" in names


def test_archive_is_reproducible(gallery, tmp_path):
    export(tmp_path / "a", only="network", formats=["svg"], progress=False)
    export(tmp_path / "b", only="network", formats=["svg"], progress=False)
    assert (tmp_path / "a" / ARCHIVE).read_bytes() == (tmp_path / "b" / ARCHIVE).read_bytes()


# ---------------------------------------------------------------- reproducible bytes

def test_svg_and_pdf_are_reproducible_and_rcparams_unchanged(gallery, tmp_path):
    before = dict(matplotlib.rcParams)
    a = export(tmp_path / "a", formats=("svg", "pdf"), progress=False)
    b = export(tmp_path / "b", formats=("png", "svg", "pdf", "gif"), progress=False)
    again = export(tmp_path / "a", formats=("svg", "pdf"), progress=False, jobs=1)
    for x, z in zip(a, again):
        if x.suffix in (".svg", ".pdf"):
            y = tmp_path / "b" / x.name
            assert x.read_bytes() == y.read_bytes() == z.read_bytes(), x.name
    assert dict(matplotlib.rcParams) == before


_SVG_DIGESTS = """
import hashlib, sys, tempfile, pathlib
from brainviz.app.export import export
out = pathlib.Path(tempfile.mkdtemp())
export(out, only=["memory"], formats=sys.argv[1].split(","), progress=False, jobs=1)
for fmt in ("svg", "pdf"):
    print(fmt, hashlib.sha256((out / f"memory.{fmt}").read_bytes()).hexdigest())
"""


def test_real_svg_and_pdf_bytes_do_not_depend_on_process_or_other_formats():
    """memory.svg's clip ids and layout used to change with PYTHONHASHSEED and when
    a PNG was exported first (the layout was solved again on every save)."""
    pytest.importorskip("brainviz.views.gallery")
    digests = set()
    for seed, formats in [("0", "svg,pdf"), ("1", "png,svg,pdf"), ("2", "png,svg,pdf")]:
        env = {**os.environ, "PYTHONHASHSEED": seed, "MPLBACKEND": "Agg"}
        run = subprocess.run([sys.executable, "-c", _SVG_DIGESTS, formats], env=env,
                             capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, run.stderr
        digests.add(run.stdout)
    assert len(digests) == 1, digests


def test_freeze_layout_keeps_the_constrained_layout():
    fig = _fake_gallery.figure("memory")
    FigureCanvasAgg(fig)
    fig.draw_without_rendering()
    solved = fig.axes[0].get_position().bounds
    export_module._freeze_layout(fig)
    assert fig.get_layout_engine() is None or \
        type(fig.get_layout_engine()).__name__ == "PlaceHolderLayoutEngine"
    assert fig.axes[0].get_position().bounds == pytest.approx(solved, abs=1e-6)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")  # saving does not move anything any more
    assert fig.axes[0].get_position().bounds == pytest.approx(solved, abs=1e-6)


# ------------------------------------------------ atomic, never clobbers (in-process)

def _snapshot(folder):
    return {p.name: p.read_bytes() for p in pathlib.Path(folder).iterdir() if p.is_file()}


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
@pytest.mark.parametrize("jobs", [1, 2])
def test_a_writer_failing_midway_leaves_no_partial_file(gallery, tmp_path, monkeypatch,
                                                        error, jobs):
    export(tmp_path, formats=["png", "mp4"], progress=False)
    (tmp_path / "notes.md").write_text("my own notes")
    before = _snapshot(tmp_path)
    real = _video.render_segment

    def broken(anim, plan, start, stop, **kw):
        if kw.get("mp4") and "memory" in str(kw["mp4"]):
            pathlib.Path(kw["mp4"]).write_bytes(b"half a video")
            raise error("disk on fire")
        return real(anim, plan, start, stop, **kw)

    monkeypatch.setattr(_video, "render_segment", broken)
    with pytest.raises(error):
        export(tmp_path, formats=["png", "mp4"], progress=False, jobs=jobs)
    after = _snapshot(tmp_path)
    assert leftovers(tmp_path) == []
    assert after.keys() == before.keys()
    for name in before:
        if not name.startswith("network") and name != MANIFEST:  # may be rewritten
            assert after[name] == before[name], name
    assert after["notes.md"] == b"my own notes"
    # the manifest still recognises every file, so the next export just works
    monkeypatch.setattr(_video, "render_segment", real)
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
            export(tmp_path, only="network", formats=[fmt], progress=False, jobs=1)
        assert not (tmp_path / f"network.{fmt}").exists()
        assert leftovers(tmp_path) == []


def test_the_final_move_failing_leaves_old_files_and_no_temp(gallery, tmp_path,
                                                              monkeypatch):
    export(tmp_path, formats=["svg"], progress=False)
    before = _snapshot(tmp_path)
    real = _outdir.OutputFolder._install_one

    def install_one(self, name, tmp, old):
        if name == "memory.svg":
            raise OSError(errno.EIO, "Input/output error", str(self.folder / name))
        return real(self, name, tmp, old)

    monkeypatch.setattr(_outdir.OutputFolder, "_install_one", install_one)
    with pytest.raises(OSError, match="Input/output"):
        export(tmp_path, formats=["svg"], progress=False)
    assert leftovers(tmp_path) == []
    assert _snapshot(tmp_path)["memory.svg"] == before["memory.svg"]
    monkeypatch.setattr(_outdir.OutputFolder, "_install_one", real)
    export(tmp_path, formats=["svg"], progress=False)


def test_a_file_brainviz_did_not_write_is_never_overwritten(gallery, tmp_path):
    (tmp_path / "memory.pdf").write_bytes(b"the lecturer's own pdf")
    with pytest.raises(FileExistsError, match="memory.pdf exists and was not made by "
                                              "brainviz.*nothing was written"):
        export(tmp_path, progress=False)
    # refused before writing anything (the lock file aside)
    assert sorted(p.name for p in tmp_path.iterdir()) == [_outdir.LOCK, "memory.pdf"]
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


def test_a_symlink_in_the_way_is_not_followed(gallery, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    out = tmp_path / "out"
    out.mkdir()
    (out / "network.png").symlink_to(victim)
    with pytest.raises(FileExistsError, match="not made by brainviz"):
        export(out, formats=["png"], progress=False)
    assert victim.read_text() == "precious"


def test_a_foreign_manifest_is_refused(gallery, tmp_path):
    (tmp_path / MANIFEST).write_text("not json")
    with pytest.raises(FileExistsError, match="not a brainviz export manifest"):
        export(tmp_path, formats=["png"], progress=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([_outdir.LOCK, MANIFEST])
    assert (tmp_path / MANIFEST).read_text() == "not json"


# ------------------------------------------------------------------- bad arguments

@pytest.mark.parametrize("kwargs, pattern", [
    ({"only": ["netwrok"]}, r"^only: unknown value 'netwrok'; did you mean 'network'\? "
                            r"\(valid: network, memory\)$"),
    ({"only": "hippo"}, r"^only: unknown value 'hippo' \(valid: network, memory\)$"),
    ({"only": []}, r"^only: choose at least one name \(valid: network, memory\); "
                   r"leave it out to export all$"),
    ({"only": ()}, r"^only: choose at least one name"),
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
    ({"jobs": 0}, r"^jobs must be a whole number from 1 to 64, got 0$"),
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


# --------------------------------------------------------------- errors name a path

@pytest.mark.parametrize("jobs", [1, 2])
def test_disk_full_names_the_file(gallery, tmp_path, monkeypatch, jobs):
    def full(fig, tmp, fmt, dpi):
        raise OSError(errno.ENOSPC, "No space left on device")  # no file name

    monkeypatch.setattr(export_module, "_save_still", full)
    with pytest.raises(OSError) as info:
        export(tmp_path, only="memory", formats=["svg"], progress=False, jobs=jobs)
    assert info.value.errno == errno.ENOSPC
    assert info.value.filename == str(tmp_path / "memory.svg")
    assert leftovers(tmp_path) == []


def test_ffmpeg_failing_on_a_full_disk_names_the_video(tmp_path):
    anim = _fake_gallery.animate("network", n_frames=3)
    target = pathlib.Path("/dev/full")
    if not target.exists():
        pytest.skip("no /dev/full here")
    with pytest.raises(RuntimeError) as info:
        with export_module._writing(tmp_path / "network.mp4", [target]):
            _video.write_mp4(anim, target)
    assert str(tmp_path / "network.mp4") in str(info.value)
    assert "No space left" in str(info.value)


def test_a_manifest_that_cannot_be_saved_names_it(gallery, tmp_path, monkeypatch):
    def full(self):
        raise _outdir.named(OSError(errno.ENOSPC, "No space left on device"), self.path)

    monkeypatch.setattr(_outdir._Manifest, "save", full)
    with pytest.raises(OSError) as info:
        export(tmp_path, only="memory", formats=["svg"], progress=False)
    assert info.value.filename == str(tmp_path / MANIFEST)
    assert not (tmp_path / "memory.svg").exists()


def test_ffmpeg_failure_is_a_runtime_error_with_its_message(tmp_path, monkeypatch):
    # an "ffmpeg" that reads nothing, complains and fails (whatever the timing: the
    # frames may all fit in the pipe before it exits)
    fake = tmp_path / "ffmpeg"
    fake.write_text("#!/bin/sh\necho 'Unknown encoder libx264' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setattr(_video, "ffmpeg_exe", lambda: str(fake))
    anim = _fake_gallery.animate("network", n_frames=3)
    with pytest.raises(RuntimeError, match="^ffmpeg failed: Unknown encoder libx264$"):
        _video.write_mp4(anim, tmp_path / "x.mp4")
    assert not (tmp_path / "x.mp4").exists()


def test_progress_bar_goes_to_stderr(gallery, tmp_path, capsys):
    export(tmp_path, only="network", formats=["png"], progress=True)
    out, err = capsys.readouterr()
    assert out == ""
    assert "[1/4] network.png" in err and "[4/4] brainviz-figures.zip" in err


@pytest.mark.parametrize("module", ["brainviz.app._video", "brainviz.app.export",
                                    "brainviz.app.cli", "brainviz.app._blit",
                                    "brainviz.app._outdir", "brainviz.app._workers"])
def test_docstring_examples_run(module):
    failures, _ = doctest.testmod(importlib.import_module(module),
                                  optionflags=doctest.ELLIPSIS)
    assert failures == 0


# --------------------------------------------------------------- the real gallery

def test_real_gallery_follows_the_contract():
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


def _beat_frames(anim, gallery, name):
    board = export_module._storyboard(gallery, name)
    if not board:
        return sorted({0, anim.n_frames // 2, anim.n_frames - 1})
    mids = [int((b.start_s + b.end_s) / 2 * anim.fps) for b in board]
    return sorted({min(anim.n_frames - 1, i) for i in mids})


def test_real_animations_blit_exactly_what_a_full_redraw_draws():
    """Blitting keeps the background: a view that changed an artist it did not list
    as animated would leave stale pixels. One frame from every beat of every video."""
    gallery = pytest.importorskip("brainviz.views.gallery")
    for name in gallery.NAMES:
        anim = gallery.animate(name, theme="notebook", fps=5)
        frames = _beat_frames(anim, gallery, name)
        blitted = [np.asarray(rgba).copy()
                   for _, _, rgba in _video.render_frames(anim, frames, dpi=40)]
        fig = anim.fig
        canvas = FigureCanvasAgg(fig)
        fig.set_dpi(40)
        for artist in anim.animated_artists:
            artist.set_animated(False)
        for i, got in zip(frames, blitted):
            anim.draw_frame(i)
            canvas.draw()
            want = np.asarray(canvas.buffer_rgba())
            diff = np.abs(got.astype(int) - want.astype(int)).max(axis=2)
            assert (diff > 8).mean() < 0.001, (name, i)
        _video.done_with(anim)
        matplotlib.pyplot.close(fig)


def test_a_frame_with_the_previous_frames_key_shows_the_same_pixels():
    """The contract render_frames relies on to skip drawing: two frames with the same
    frame_key (model time, beat), each drawn in full after a different frame, are the
    same picture. Every run of repeated keys in every video is checked at its ends."""
    gallery = pytest.importorskip("brainviz.views.gallery")
    for name in gallery.NAMES:
        anim = gallery.animate(name, theme="notebook", fps=5)
        keys = [anim.frame_key(i) for i in range(anim.n_frames)]
        runs = [i for i in range(1, anim.n_frames) if keys[i] == keys[i - 1]
                and (i + 1 == anim.n_frames or keys[i + 1] != keys[i])]
        assert runs, f"{name}: no held frames at 5 fps"
        canvas = FigureCanvasAgg(anim.fig)
        anim.fig.set_dpi(30)
        for artist in anim.animated_artists:
            artist.set_animated(False)
        for last in runs[:6]:
            first = last
            while first > 0 and keys[first - 1] == keys[last]:
                first -= 1
            pictures = []
            for before, i in ((max(first - 1, 0), first), (0, last)):
                anim.draw_frame(before)  # arrive from somewhere else
                anim.draw_frame(i)
                canvas.draw()
                pictures.append(np.asarray(canvas.buffer_rgba()).copy())
            assert np.array_equal(*pictures), (name, first, last)
        _video.done_with(anim)
        matplotlib.pyplot.close(anim.fig)


def test_held_frames_are_drawn_once():
    gallery = pytest.importorskip("brainviz.views.gallery")
    anim = gallery.animate("dmn", theme="notebook", fps=5)
    keys = [anim.frame_key(i) for i in range(anim.n_frames)]
    drawn = []
    original = anim.draw_frame
    anim.draw_frame = lambda i: (drawn.append(i), original(i))[1]
    n = sum(1 for _ in _video.render_frames(anim, range(anim.n_frames), dpi=20))
    assert n == anim.n_frames
    assert len(drawn) == 1 + sum(a != b for a, b in zip(keys, keys[1:])) < anim.n_frames
    _video.done_with(anim)
    matplotlib.pyplot.close(anim.fig)
