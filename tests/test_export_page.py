"""The exported gallery page (index.html) in a real browser: headless Chromium.

Served over HTTP and opened from disk (file://, how a lecturer double-clicks it):
contents, pictures that load, a video that plays with its own first frame as poster,
controls under the video rather than over it, captions from the WebVTT track, and the
download-all archive. Runs on the fake gallery (tests/_fake_gallery.py).
"""

import functools
import http.server
import os
import threading

import pytest

from _browser import ARGS as _ARGS, require_chromium  # noqa: E402

CHROMIUM = require_chromium(module=True)
sync_api = pytest.importorskip("playwright.sync_api")

from brainviz.app.export import ARCHIVE, export  # noqa: E402

ARGS = [*_ARGS, "--autoplay-policy=no-user-gesture-required"]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    """A static server with byte ranges (browsers seek videos with them)."""

    def log_message(self, *args):
        pass

    def send_head(self):
        ranged = self.headers.get("Range", "")
        path = self.translate_path(self.path)
        if not ranged.startswith("bytes=") or not os.path.isfile(path):
            return super().send_head()
        size = os.path.getsize(path)
        first, _, last = ranged[6:].split(",")[0].partition("-")
        start = int(first) if first else max(0, size - int(last))
        end = min(size - 1, int(last)) if first and last else size - 1
        f = open(path, "rb")
        f.seek(start)
        self.send_response(206)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(end - start + 1))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        self._remaining = end - start + 1
        return f

    def copyfile(self, source, outputfile):
        remaining = getattr(self, "_remaining", None)
        if remaining is None:
            return super().copyfile(source, outputfile)
        outputfile.write(source.read(remaining))
        self._remaining = None


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    import sys

    import _fake_gallery

    fake = _fake_gallery.module()
    saved = sys.modules.get("brainviz.views.gallery")
    sys.modules["brainviz.views.gallery"] = fake
    try:
        folder = tmp_path_factory.mktemp("page")
        export(folder, progress=False)
    finally:
        if saved is None:
            sys.modules.pop("brainviz.views.gallery", None)
        else:
            sys.modules["brainviz.views.gallery"] = saved
    return folder, fake


@pytest.fixture(scope="module")
def served(exported):
    folder, _ = exported
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    server.shutdown()


def _open(browser, url):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.route("**/*", lambda route: route.continue_()
               if route.request.url.startswith(("http://127.0.0.1", "file://", "data:"))
               else route.abort())
    page.goto(url)
    page.wait_for_load_state("load")
    return page, problems


def _cue_after_seeking(page, section, seconds):
    page.evaluate(f"""() => {{
        const v = document.querySelector('#{section} video');
        v.currentTime = {seconds};
    }}""")
    page.wait_for_function(f"""() => Math.abs(document.querySelector('#{section} video')
                               .currentTime - {seconds}) < 0.05""")
    page.wait_for_timeout(100)
    return page.locator(f"#{section} .cue").text_content()


@pytest.mark.parametrize("how", ["http", "file"])
def test_gallery_page_in_chromium(browser, exported, served, how, tmp_path):
    folder, gallery = exported
    url = served if how == "http" else (folder / "index.html").as_uri()
    page, problems = _open(browser, url)
    try:
        # contents: one link per figure, to its section, with its human title
        links = page.locator("nav li a")
        assert links.count() == len(gallery.NAMES)
        for k, name in enumerate(gallery.NAMES):
            assert links.nth(k).text_content() == gallery.title(name)
            assert links.nth(k).get_attribute("href") == f"#{name}"
        # every picture loads
        broken = page.evaluate("() => [...document.images].filter(i => !i.complete || "
                               "i.naturalWidth === 0).map(i => i.src)")
        assert broken == []
        for name in gallery.NAMES:
            section = page.locator(f"#{name}")
            assert section.locator("img").count() == 1  # each figure once
            video = section.locator("video")
            assert video.get_attribute("poster") == f"{name}.poster.png"
            assert video.get_attribute("controls") is None  # no controls over the picture
            ready = page.evaluate(f"""() => new Promise(done => {{
                const v = document.querySelector('#{name} video');
                if (v.readyState >= 1) return done(v.duration);
                v.addEventListener('loadedmetadata', () => done(v.duration));
                v.load(); }})""")
            assert ready == pytest.approx(0.5, abs=0.05)
            vbox, cbox = video.bounding_box(), section.locator(".controls").bounding_box()
            assert section.locator(".controls").is_visible()
            assert cbox["y"] >= vbox["y"] + vbox["height"] - 1  # under the video
            # captions: hidden until asked for, then the beat on screen at that moment
            cue = section.locator(".cue")
            assert not cue.is_visible()
            section.locator("button.cc").click()
            assert section.locator("button.cc").get_attribute("aria-pressed") == "true"
            beats = gallery.storyboard(name)
            assert _cue_after_seeking(page, name, 0.1) == beats[0].caption
            assert _cue_after_seeking(page, name, 0.35) == beats[1].caption
            assert cue.is_visible()
            vbox, qbox = video.bounding_box(), cue.bounding_box()
            assert qbox["y"] >= vbox["y"] + vbox["height"] - 1  # captions under it too
        if how == "http":  # the WebVTT file itself loads as the video's track
            cues = page.evaluate("""() => new Promise(done => {
                const track = document.querySelector('#memory track');
                const t = track.track;
                const count = () => t.cues ? t.cues.length : -1;
                if (track.readyState === 2) return done(count());
                track.addEventListener('load', () => done(count()));
                track.addEventListener('error', () => done('error'));
                setTimeout(() => done(count()), 5000); })""")
            assert cues == len(gallery.storyboard("memory"))
        # plays: the play button starts the video and the time moves
        section = page.locator(f"#{gallery.NAMES[0]}")
        page.evaluate(f"() => {{ document.querySelector('#{gallery.NAMES[0]} video')"
                      f".currentTime = 0; }}")
        section.locator("button.play").click()
        page.wait_for_function(f"""() => document.querySelector('#{gallery.NAMES[0]} video')
                                   .currentTime > 0.1""", timeout=10000)
        # the download-all archive is there
        href = page.locator("a.download").get_attribute("href")
        assert href == ARCHIVE and (folder / href).stat().st_size > 0
        page.locator(f"nav a[href='#{gallery.NAMES[-1]}']").click()
        assert page.evaluate("() => location.hash") == f"#{gallery.NAMES[-1]}"
        page.screenshot(path=str(tmp_path / f"index-{how}.png"), full_page=True)
        if how == "http":
            assert problems == []
    finally:
        page.close()
