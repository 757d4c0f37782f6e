"""The PowerPoint deck: slides, embedded video, speaker notes, alt text, references."""

import pytest

pptx = pytest.importorskip("pptx")

from brainviz.views import gallery  # noqa: E402
from brainviz.app.cli import main  # noqa: E402
from brainviz.app.deck import REFERENCES, build_deck  # noqa: E402


def _descr(shape):
    return shape._element.xpath("./*[1]/p:cNvPr")[0].get("descr", "")


def test_deck_has_figure_video_notes_alt_text_and_references(tmp_path):
    out = build_deck(tmp_path / "lecture.pptx", only=["memory"], fps=5)
    deck = pptx.Presentation(str(out))
    slides = list(deck.slides)
    assert len(slides) == 4  # title, figure, video, references
    assert "not medical advice" in slides[0].placeholders[1].text
    figure, video, refs = slides[1].shapes[0], slides[2].shapes[0], slides[3].shapes[0]
    assert figure.shape_type == pptx.enum.shapes.MSO_SHAPE_TYPE.PICTURE
    assert _descr(figure) == gallery.alt_text("memory")
    assert video.shape_type == pptx.enum.shapes.MSO_SHAPE_TYPE.MEDIA
    assert _descr(video).startswith("Animation")
    media = [p for p in deck.part.package.iter_parts() if p.content_type == "video/mp4"]
    assert media and media[0].blob[4:8] == b"ftyp"
    assert slides[1].notes_slide.notes_text_frame.text == gallery.caption("memory")
    text = refs.text_frame.text
    assert all(kind in text for *_, kind in REFERENCES)
    assert not list(tmp_path.glob("*.brainviz-tmp"))


def test_deck_refuses_to_overwrite_and_bad_names(tmp_path):
    existing = tmp_path / "mine.pptx"
    existing.write_bytes(b"my own slides")
    with pytest.raises(FileExistsError):
        build_deck(existing, only=["memory"], fps=5)
    assert existing.read_bytes() == b"my own slides"
    with pytest.raises(ValueError, match=r"\.pptx"):
        build_deck(tmp_path / "deck.ppt")
    with pytest.raises(ValueError, match="did you mean 'memory'"):
        build_deck(tmp_path / "deck.pptx", only=["memroy"])


def test_cli_deck_errors_are_one_line(tmp_path, capsys):
    assert main(["deck", str(tmp_path / "nope" / "x.pptx")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "does not exist" in err
