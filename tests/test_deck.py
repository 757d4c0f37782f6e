"""The lecture deck: its slides, titles, take-away lines, media, notes and alt text, that
every page renders (LibreOffice to PDF, poppler to pixels), and that it never replaces
a file brainviz did not write."""

import os
import pathlib
import re
import shutil
import subprocess

import numpy as np
import pytest

pptx = pytest.importorskip("pptx")

from brainviz.app import deck as deck_module  # noqa: E402
from brainviz.app._outdir import ForeignFileError  # noqa: E402
from brainviz.app.cli import main  # noqa: E402
from brainviz.app.deck import (CLAIMS, LIMITS, QUESTIONS, REFERENCES,  # noqa: E402
                               TEACHING_ORDER, build_deck)
from brainviz.views import gallery  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]
PICTURE = pptx.enum.shapes.MSO_SHAPE_TYPE.PICTURE
MEDIA = pptx.enum.shapes.MSO_SHAPE_TYPE.MEDIA


def _descr(shape):
    return shape._element.xpath("./*[1]/p:cNvPr")[0].get("descr", "")


def _takeaway(slide):
    return next(s for s in slide.shapes if s.name == "Take-away").text_frame.text


def _storyboard(name):
    from brainviz.app.export import _storyboard

    return _storyboard(gallery, name)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("deck")
    out = build_deck(folder / "lecture.pptx", only=["synergy", "memory"], fps=5)
    return out, pptx.Presentation(str(out))


def test_deck_follows_the_lecture_plan(built):
    _, deck = built
    slides = list(deck.slides)
    titles = [s.shapes.title.text for s in slides]
    # memory comes before synergy, as in docs/TEACHING.md, whatever order was asked
    assert TEACHING_ORDER.index("memory") < TEACHING_ORDER.index("synergy")
    expected = ["How is ketamine thought to help trauma?", "Claims to test",
                gallery.title("memory"), f"{gallery.title('memory')} (animation)",
                gallery.title("synergy"), f"{gallery.title('synergy')} (animation)",
                "The limits of the evidence", "Discussion questions",
                "Back to the claims", "References and the kind of evidence behind them"]
    assert titles == expected
    assert "not medical advice" in slides[0].placeholders[1].text
    for slide in slides[1:]:  # a title and one take-away line on every slide
        assert slide.shapes.title.text and _takeaway(slide)
        assert slide.notes_slide.notes_text_frame.text.strip()
    text = {s.shapes.title.text: "\n".join(sh.text_frame.text for sh in s.shapes
                                           if sh.has_text_frame) for s in slides}
    assert all(c in text["Claims to test"] for c in CLAIMS)
    assert all(q in text["Discussion questions"] for q in QUESTIONS)
    assert all(x in text["The limits of the evidence"] for x in LIMITS)
    refs = text["References and the kind of evidence behind them"]
    assert all(kind in refs for *_, kind in REFERENCES)


def test_figures_and_videos_carry_alt_text_posters_and_captions(built, tmp_path):
    _, deck = built
    slides = {s.shapes.title.text: s for s in deck.slides}
    for name in ("memory", "synergy"):
        figure = slides[gallery.title(name)]
        pictures = [s for s in figure.shapes if s.shape_type == PICTURE]
        assert len(pictures) == 1 and _descr(pictures[0]) == " ".join(
            gallery.alt_text(name).split())
        caption = " ".join(gallery.caption(name).split())
        assert figure.notes_slide.notes_text_frame.text == caption
        assert caption.startswith(_takeaway(figure).rstrip(".")[:40])  # from the caption

        video = slides[f"{gallery.title(name)} (animation)"]
        movies = [s for s in video.shapes if s.shape_type == MEDIA]
        assert len(movies) == 1
        beats = _storyboard(name)
        notes = video.notes_slide.notes_text_frame.text
        alt = _descr(movies[0])
        assert alt.startswith("Animation")
        if beats:  # take-away, notes and alt text come from the storyboard
            assert _takeaway(video) == " ".join(beats[-1].caption.split())
            for beat in beats:
                assert " ".join(beat.caption.split()) in notes
                assert " ".join(beat.caption.split()).rstrip(".") in alt
        assert caption in notes
    # the video's poster is its own first frame, not the still figure
    media = [p for p in deck.part.package.iter_parts() if p.content_type == "video/mp4"]
    assert len(media) == 2 and all(m.blob[4:8] == b"ftyp" for m in media)


def test_poster_frames_are_the_videos_first_frames(built, tmp_path):
    from PIL import Image

    from brainviz.app import _video

    _, deck = built
    slide = next(s for s in deck.slides
                 if s.shapes.title.text == f"{gallery.title('memory')} (animation)")
    movie = next(s for s in slide.shapes if s.shape_type == MEDIA)
    poster_rid = movie._element.xpath(".//a:blip/@r:embed")[0]
    poster = slide.part.related_part(poster_rid).blob
    video_rid = movie._element.xpath(".//a:videoFile/@r:link")[0]
    mp4 = slide.part.related_part(video_rid).blob
    (tmp_path / "v.mp4").write_bytes(mp4)
    (tmp_path / "p.png").write_bytes(poster)
    with Image.open(tmp_path / "p.png") as im:
        size = im.size
        got = np.asarray(im.convert("RGB"), dtype=int)
    run = subprocess.run([_video.ffmpeg_exe(), "-v", "error", "-i", str(tmp_path / "v.mp4"),
                          "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
                         capture_output=True, check=True)
    first = np.frombuffer(run.stdout, np.uint8).reshape(size[1], size[0], 3).astype(int)
    assert np.abs(got - first).mean() < 2


def test_lists_match_docs_teaching():
    teaching = " ".join((ROOT / "docs" / "TEACHING.md").read_text(encoding="utf-8").split())
    for question in QUESTIONS:
        assert question.replace(" during ", " *during* ") in teaching or question in teaching
    order = re.findall(r"`(network|treatment_day|plasticity|memory|dmn|synergy)`", teaching)
    firsts = list(dict.fromkeys(order))
    assert tuple(firsts) == TEACHING_ORDER


def test_the_questions_hold_for_the_model():
    """Question 1: the benefit of one infusion is largest a day or two after it;
    question 5: ketamine adds little to a full exposure course (C7)."""
    import brainviz as bv
    from brainviz.science import protocols

    one = bv.simulate(bv.Protocol(doses=[protocols.STANDARD_IV], days=14))
    peak_h = one.t_h[int(np.argmax(one.symptoms[0] - one.symptoms))]
    assert 24 <= peak_h <= 48 and "a day or two after it" in QUESTIONS[0]
    therapy = bv.simulate(protocols.standard_course("exposure"))
    both = bv.simulate(protocols.standard_course("one_infusion_exposure"))
    gain = therapy.symptoms[-1] - both.symptoms[-1]
    relief = therapy.symptoms[0] - therapy.symptoms[-1]
    assert 0 <= gain < 0.2 * relief and "adds little" in QUESTIONS[4]


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOPPM = shutil.which("pdftoppm")


@pytest.mark.skipif(not (SOFFICE and PDFTOPPM) and not os.environ.get("CI"),
                    reason="needs LibreOffice Impress and poppler-utils")
def test_every_page_renders_in_libreoffice(built, tmp_path):
    assert SOFFICE and PDFTOPPM, "CI must install libreoffice-impress and poppler-utils"
    out, deck = built
    profile = tmp_path / "lo-profile"
    run = subprocess.run([SOFFICE, f"-env:UserInstallation={profile.as_uri()}",
                          "--headless", "--norestore", "--convert-to", "pdf", "--outdir",
                          str(tmp_path), str(out)], capture_output=True, text=True,
                         timeout=300)
    pdf = tmp_path / "lecture.pdf"
    assert run.returncode == 0 and pdf.exists(), run.stderr
    subprocess.run([PDFTOPPM, "-r", "30", "-png", str(pdf), str(tmp_path / "page")],
                   check=True, timeout=300)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == len(deck.slides)
    from PIL import Image

    for page in pages:
        with Image.open(page) as im:
            grey = np.asarray(im.convert("L"), dtype=float)
        assert grey.std() > 10, f"{page.name} looks blank"
        assert (grey < 128).mean() > 0.005, f"{page.name} has almost no ink"


def test_deck_never_replaces_a_file_brainviz_did_not_write(tmp_path):
    existing = tmp_path / "mine.pptx"
    existing.write_bytes(b"my own slides")
    with pytest.raises(ForeignFileError, match="mine.pptx exists and was not made by "
                                               "brainviz"):
        build_deck(existing, only=["memory"], fps=5)
    assert existing.read_bytes() == b"my own slides"


def test_deck_made_by_brainviz_is_replaced_and_one_made_meanwhile_is_not(tmp_path,
                                                                        monkeypatch):
    out = build_deck(tmp_path / "lecture.pptx", only=["memory"], fps=5)
    first = out.read_bytes()
    build_deck(out, only=["memory"], fps=5)  # its own deck: replaced atomically
    assert out.exists() and out.read_bytes()[:2] == b"PK" and len(first) > 0
    real = deck_module._assemble

    def meanwhile(*args):  # while the deck is being built, the user saves theirs
        (tmp_path / "new.pptx").write_bytes(b"the lecturer's deck")
        return real(*args)

    monkeypatch.setattr(deck_module, "_assemble", meanwhile)
    with pytest.raises(ForeignFileError, match="new.pptx appeared during the run"):
        build_deck(tmp_path / "new.pptx", only=["memory"], fps=5)
    assert (tmp_path / "new.pptx").read_bytes() == b"the lecturer's deck"
    assert not [p for p in tmp_path.iterdir() if "brainviz-tmp" in p.name]


@pytest.mark.parametrize("kwargs, pattern", [
    ({"out": "deck.ppt"}, r"^out: must be a \.pptx file"),
    ({"only": ["memroy"]}, r"^only: unknown value 'memroy'; did you mean 'memory'"),
    ({"only": []}, r"^only: choose at least one name"),
    ({"fps": 2}, r"^fps must be a whole number from 5 to 60, got 2$"),
    ({"jobs": 0}, r"^jobs must be a whole number from 1 to 64"),
])
def test_bad_arguments_name_the_argument(tmp_path, kwargs, pattern):
    kwargs = {"out": tmp_path / "deck.pptx", **kwargs}
    if isinstance(kwargs["out"], str):
        kwargs["out"] = tmp_path / kwargs["out"]
    with pytest.raises(ValueError, match=pattern):
        build_deck(**kwargs)
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("argv, expected", [
    (["deck", "{tmp}/nope/x.pptx"], "OUT.pptx: the folder"),
    (["deck", "{tmp}/x.ppt"], "OUT.pptx: must be a .pptx file"),
    (["deck", "{tmp}/x.pptx", "--only", "memroy"], "--only: unknown value 'memroy'"),
    (["deck", "{tmp}/x.pptx", "--fps", "2"], "--fps must be a whole number"),
])
def test_cli_deck_errors_are_one_line_and_name_the_flag(tmp_path, capsys, argv, expected):
    argv = [a.format(tmp=tmp_path) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and expected in err, err
