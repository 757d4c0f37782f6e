"""A PowerPoint deck of the gallery: ``brainviz deck OUT.pptx`` (needs python-pptx).

A title slide; for each gallery entry its still figure and its animation embedded as
an MP4 video (with the still figure as poster frame), the caption as speaker notes and
alt text on every picture and video; and a references slide with the kind of
evidence behind each source. Written atomically: a failed build leaves no file.
"""

from __future__ import annotations

import io
import pathlib
import tempfile

__all__ = ["build_deck", "REFERENCES"]

#: (source, what it shows, kind of evidence) for the references slide.
REFERENCES = (
    ("Feder et al. 2021, Am J Psychiatry", "6 infusions vs midazolam in PTSD", "RCT (n=30)"),
    ("Feder et al. 2014, JAMA Psychiatry", "single infusion in PTSD, 24 h", "RCT"),
    ("Abdallah et al. 2022", "large veteran trial, negative for PTSD", "RCT"),
    ("Eur J Psychotraumatol 2024", "PTSD pooled effect small", "meta-analysis"),
    ("Coyle & Laws 2015", "onset, 24-h peak, 1-2 week duration", "meta-analysis"),
    ("Zanos et al. 2018, Pharmacol Rev", "pharmacokinetics, dissociation range", "review"),
    ("Moghaddam et al. 1997", "glutamate burst, inverted U", "animal"),
    ("Autry et al. 2011, Nature", "BDNF de-suppression", "animal"),
    ("Li et al. 2010, Science", "mTOR, synaptic proteins, spines", "animal"),
    ("Moda-Sava et al. 2019, Science", "spines at 12-24 h sustain the effect", "animal"),
    ("Nader et al. 2000, Nature", "reconsolidation window", "animal"),
    ("Duek et al. 2023", "ketamine with trauma retrieval", "pilot RCT"),
    ("Scheidegger et al. 2012, PLoS One", "DMN connectivity lower at 24 h", "human imaging"),
    ("Etkin & Wager 2007; Hayes 2012", "PTSD circuit", "meta-analyses"),
    ("Pradhan 2017; Wilkinson 2021", "therapy after ketamine", "pilot RCTs"),
)


_ANIM_ALT_NET = ("A side view of the brain network whose markers grow and shrink with "
                 "activity and whose arrows thicken or thin with pathway strength, beside "
                 "a chart drawn over time with a moving cursor; a clock and a caption "
                 "say what is happening.")
_ANIM_ALT = {
    "plasticity": "Five curves of the cascade drawn over a week on a log time axis, beside "
                  "a dendrite on which new spines appear as green squares as spine density "
                  "rises; a clock and a caption say what is happening.",
    "synergy": "Four symptom curves drawn over 12 weeks (no treatment, therapy alone, "
               "ketamine alone, ketamine plus therapy) with a clock and a caption.",
}


def _require_pptx():
    try:
        import pptx  # noqa: F401
    except ImportError:
        raise ImportError("brainviz deck needs python-pptx: "
                          "pip install 'brainviz[deck]' (or pip install python-pptx)") from None


def _set_alt(shape, text: str) -> None:
    """Alt text (description) of a picture or video shape."""
    shape._element.xpath("./*[1]/p:cNvPr")[0].set("descr", text)


def build_deck(out, *, only=None, fps: int = 30, progress=None) -> pathlib.Path:
    """Build the lecture deck.

    Parameters
    ----------
    out : path-like
        The ``.pptx`` file to write; it must not exist yet, and its folder must.
    only : sequence of str, optional
        Gallery names to include (default: all, in gallery order).
    fps : int
        Frame rate of the embedded videos, in [5, 60].
    progress : callable, optional
        ``progress(message)`` before each slow step.

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> from brainviz.app.deck import build_deck
    >>> build_deck("lecture.pptx", only=["memory"])   # doctest: +SKIP
    PosixPath('lecture.pptx')
    """
    _require_pptx()
    from pptx import Presentation
    from pptx.util import Inches, Pt

    from . import _video
    from ..views import gallery
    from ..views.animation import _TITLES
    from .._validate import check_whole
    from .export import _atomic_write

    out = pathlib.Path(out)
    if out.suffix.lower() != ".pptx":
        raise ValueError(f"OUT must be a .pptx file, got {str(out)!r}")
    if out.exists():
        raise FileExistsError(f"{out} already exists; brainviz never overwrites it "
                              "(choose another name or remove it)")
    if not out.parent.resolve().is_dir():
        raise ValueError(f"the folder of OUT does not exist: {out.parent}")
    fps = check_whole("fps", fps, 5, 60)
    names = list(gallery.NAMES if only is None else only)
    for name in names:
        gallery._check_name(name)
    say = progress or (lambda _msg: None)

    import matplotlib.pyplot as plt

    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    blank = prs.slide_layouts[6]
    title_layout = prs.slide_layouts[0]

    slide = prs.slides.add_slide(title_layout)
    slide.shapes.title.text = "How ketamine is thought to help trauma"
    slide.placeholders[1].text = ("brainviz: one educational model, four mechanisms.\n"
                                  "Illustrative numbers; not medical advice.")
    slide.notes_slide.notes_text_frame.text = (
        "brainviz is a teaching model: its shapes and time scales follow published "
        "research, its numbers are illustrative, and it predicts nothing for any patient.")

    with tempfile.TemporaryDirectory() as folder:
        for name in names:
            say(f"figure {name}")
            fig = gallery.figure(name, theme="slides")
            png = io.BytesIO()
            fig.savefig(png, format="png")
            plt.close(fig)
            poster = pathlib.Path(folder) / f"{name}.png"
            poster.write_bytes(png.getvalue())

            slide = prs.slides.add_slide(blank)
            pic = slide.shapes.add_picture(str(poster), 0, 0, width=prs.slide_width)
            _set_alt(pic, gallery.alt_text(name))
            slide.notes_slide.notes_text_frame.text = gallery.caption(name)

            say(f"video {name}")
            anim = gallery.animate(name, theme="slides", fps=fps)
            mp4 = pathlib.Path(folder) / f"{name}.mp4"
            _video.write_mp4(anim, mp4)
            plt.close(anim.fig)
            slide = prs.slides.add_slide(blank)
            movie = slide.shapes.add_movie(str(mp4), 0, 0, prs.slide_width, prs.slide_height,
                                           poster_frame_image=str(poster),
                                           mime_type="video/mp4")
            _set_alt(movie, f"Animation, 12 seconds: {_TITLES[name]}. {_ANIM_ALT.get(name, _ANIM_ALT_NET)}")
            slide.notes_slide.notes_text_frame.text = (
                f"Animation, 12 s: {gallery.caption(name)}")

        slide = prs.slides.add_slide(blank)
        box = slide.shapes.add_textbox(Inches(0.6), Inches(0.4), Inches(12.1), Inches(6.8))
        frame = box.text_frame
        frame.word_wrap = True
        frame.text = "References and the kind of evidence behind them"
        frame.paragraphs[0].runs[0].font.size = Pt(30)
        frame.paragraphs[0].runs[0].font.bold = True
        for source, what, kind in REFERENCES:
            para = frame.add_paragraph()
            para.text = f"{source}: {what} [{kind}]"
            para.runs[0].font.size = Pt(15)
        note = frame.add_paragraph()
        note.text = ("Mechanisms come mostly from animal work; human PTSD evidence is "
                     "small and mixed. Educational model, not medical advice.")
        note.runs[0].font.size = Pt(15)
        note.runs[0].font.italic = True
        slide.notes_slide.notes_text_frame.text = (
            "RCT: randomised trial; meta-analysis: pooled trials; animal: rodent work; "
            "human imaging: brain scans in people; pilot: small early trial.")

        say("writing the deck")
        _atomic_write(out, lambda tmp: prs.save(str(tmp)))
    return out
