"""brainviz slides: a notebook as reveal.js slides that need no network.

The page is opened in headless Chromium with every request that is not for the file
itself aborted, as in a lecture hall without Wi-Fi; equations must be pictures (no
MathJax), widgets static pictures, and nothing a user made replaced.
"""

import html
import json
import pathlib
import re

import nbformat
import pytest

from _browser import ARGS, require_chromium

from brainviz.app import slides
from brainviz.app.cli import main

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _notebook(path):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    setup = nbformat.v4.new_code_cell("SETUP_RAN = True  # setup, never on a slide")
    setup.metadata["slideshow"] = {"slide_type": "skip"}
    setup.metadata["tags"] = ["hide-input", "brainviz-setup"]
    solution = nbformat.v4.new_markdown_cell("<details>SOLUTION TEXT</details>")
    solution.metadata["tags"] = ["solution"]
    nb.cells = [
        setup,
        nbformat.v4.new_markdown_cell("# A test lecture\n\nObjectives: read a curve."),
        nbformat.v4.new_markdown_cell(
            "## The equation\n\n$$ \\frac{ds}{dt} = -k_r\\,\\big(P - \\theta_r\\big)\\,s $$\n\n"
            "where $k_r$ is a rate; `$not_math$` and costs of $5 or $6 stay text."),
        nbformat.v4.new_code_cell(
            "import matplotlib.pyplot as plt\n"
            "fig, ax = plt.subplots()\nax.plot([0, 1], [1, 0])\nplt.show()"),
        nbformat.v4.new_markdown_cell("## A quiz"),
        nbformat.v4.new_code_cell("from brainviz.app import widgets\n"
                                  "widgets.quiz('memory-window-reading')"),
        solution,
        nbformat.v4.new_code_cell("raise NotImplementedError('exercise left to do')"),
    ]
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("slides")
    nb = _notebook(folder / "lecture.ipynb")
    out = slides.build_slides(nb, folder / "lecture.html")
    return out, out.read_text(encoding="utf-8")


def test_the_page_carries_everything_it_needs(built):
    out, page = built
    assert out.is_file()
    # no script, style sheet, font or image fetched from anywhere
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "@import" not in page and "mathjax" not in page.lower()
    assert "Reveal.initialize" in page and "RevealNotes" in page


def test_what_a_lecturer_would_not_show_is_left_out(built):
    _, page = built
    assert "SETUP_RAN" not in page  # the setup cell
    assert "SOLUTION TEXT" not in page  # hidden solutions
    # the exercise's code is shown, its error is not
    assert "Traceback" not in page and page.count("exercise left to do") == 1
    assert "plt.subplots" not in page  # the code of a cell that shows a figure
    assert 'src="data:image/png' in page  # ... but its figure


def test_equations_are_pictures_with_their_tex_as_alt_text(built):
    _, page = built
    images = [(re.search(r'class="([^"]*)"', tag).group(1),
               html.unescape(re.search(r'alt="([^"]*)"', tag).group(1)))
              for tag in re.findall(r"<img [^>]*bv-math[^>]*>", page)]
    displays = [alt for kind, alt in images if kind == "bv-math-display"]
    inlines = [alt for kind, alt in images if kind.startswith("bv-math bv-drop-")]
    assert len(displays) == 1 and "\\frac{ds}{dt}" in displays[0]
    assert inlines == ["k_r"]
    assert "$not_math$" in page and "$5 or $6" in page


def test_every_equation_of_the_course_is_drawn():
    """mathtext reads every equation the notebooks hold (none falls back to text)."""
    count = 0
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type != "markdown" or "$" not in cell.source:
                continue
            converted = slides._equations(cell.source)
            count += converted.count("data:image/svg+xml")
            fallback = re.findall(r"<code>([^<]*)</code>", converted)
            assert not fallback, f"{path.name}: mathtext cannot draw {fallback[0]!r}"
            assert not slides._DISPLAY.search(converted), path.name
    assert count >= 8  # two display equations in each mechanism notebook at least


def test_slides_start_at_the_headings_when_the_author_placed_none():
    nb = nbformat.read(ROOT / "notebooks" / "02_memory_pathways.ipynb", as_version=4)
    slides._sections(nb)
    starts = [c.source.splitlines()[0] for c in nb.cells
              if c.metadata.get("slideshow", {}).get("slide_type") == "slide"]
    assert starts[0].startswith("# 02")
    assert any(s.startswith("## What you learned") for s in starts)
    assert all(re.match(r"#{1,2} ", s) for s in starts)


def test_slides_run_offline_in_a_browser(built):
    chromium = require_chromium()
    sync_api = pytest.importorskip("playwright.sync_api")
    out, _ = built
    asked, errors = [], []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 720})

            def offline(route):
                url = route.request.url
                if url.startswith(("file://", "data:", "blob:", "about:")):
                    route.continue_()
                else:
                    asked.append(url)
                    route.abort()

            page.route("**/*", offline)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(out.as_uri())
            page.wait_for_function(
                "document.documentElement.dataset.brainvizReady === 'true'", timeout=30000)
            total = page.evaluate("Reveal.getTotalSlides()")
            assert total >= 3  # title, equation, quiz
            drawn = page.evaluate(
                "Array.from(document.querySelectorAll('img.bv-math, img.bv-math-display'))"
                ".map(i => i.naturalWidth > 0)")
            assert drawn and all(drawn)
            titles = []
            for _ in range(total):
                titles.append(page.evaluate(
                    "(Reveal.getCurrentSlide().querySelector('h1, h2') || {}).textContent"
                    " || ''"))
                # what is shown fits the slide
                assert page.evaluate(
                    "Reveal.getCurrentSlide().scrollHeight <= Reveal.getConfig().height")
                page.evaluate("Reveal.next()")
            assert any("A test lecture" in t for t in titles)
            assert any("The equation" in t for t in titles)
        finally:
            browser.close()
    assert asked == [] and errors == []


def test_a_file_brainviz_did_not_write_is_never_replaced(tmp_path):
    nb = _notebook(tmp_path / "lecture.ipynb")
    mine = tmp_path / "lecture.html"
    mine.write_text("my own page")
    with pytest.raises(FileExistsError, match="lecture.html"):
        slides.build_slides(nb, mine, execute=False)
    assert mine.read_text() == "my own page"


@pytest.mark.parametrize("argv, message", [
    (["slides", "missing.ipynb"], "NOTEBOOK: no such notebook: 'missing.ipynb'"),
    (["slides", "notes.txt"], "NOTEBOOK: must be a .ipynb file"),
    (["slides", "{nb}", "out.pdf"], "OUT.html: must be an .html file"),
    (["slides", "{nb}", "nowhere/out.html"], "OUT.html: the folder 'nowhere' does not exist"),
])
def test_bad_arguments_name_the_argument(tmp_path, monkeypatch, capsys, argv, message):
    monkeypatch.chdir(tmp_path)
    nb = _notebook(tmp_path / "lecture.ipynb")
    argv = [a.format(nb=nb) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1, err


def test_no_execute_uses_the_stored_outputs(tmp_path):
    nb = _notebook(tmp_path / "lecture.ipynb")
    out = slides.build_slides(nb, tmp_path / "plain.html", execute=False)
    page = out.read_text(encoding="utf-8")
    assert "A test lecture" in page and 'src="data:image/png' not in page
    manifest = json.loads((tmp_path / ".brainviz-export.json").read_text())
    assert "plain.html" in json.dumps(manifest)
