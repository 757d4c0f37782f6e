"""A lecture deck of the gallery: ``brainviz deck OUT.pptx`` (needs python-pptx).

The slides follow the 50-minute plan in ``docs/TEACHING.md``: a title, the popular
article's claims to test (paraphrased), then for each view of the model its still
figure and its animation (an embedded MP4 whose poster is its own first frame), the
limits of the evidence, discussion questions, the claims again, and references.

Every slide has a title and one take-away line; every picture and video has alt text;
the captions are the speaker notes. Take-away lines, notes and alt text come from the
gallery (its captions and storyboards, computed from the model): nothing here types a
number the model makes. The media are made by :func:`brainviz.app.export.export`
(in parallel, in a private temporary folder); the deck is written like every export
file: never replacing a file brainviz did not write, even one created meanwhile.
"""

from __future__ import annotations

import pathlib
import re
import tempfile

__all__ = ["build_deck", "CLAIMS", "LIMITS", "QUESTIONS", "REFERENCES", "TEACHING_ORDER"]

#: The order of the views in docs/TEACHING.md's lecture plan.
TEACHING_ORDER = ("network", "treatment_day", "plasticity", "memory", "dmn", "synergy")

#: The popular article's claims, paraphrased (the course quotes none of it).
CLAIMS = (
    "It takes the emotional charge out of trauma memories by changing glutamate "
    "signalling and plasticity.",
    "It breaks rigid, ruminative thinking by calming an over-active default mode "
    "network.",
    "It makes the brain grow new connections through BDNF, so the brain can heal "
    "itself.",
    "It makes psychotherapy such as exposure therapy or EMDR work better.",
    "Patients feel detached during the session and clear-headed afterwards; the hope "
    "is a lasting, even permanent, recovery.",
)

#: The limits of the evidence (docs/TEACHING.md, "say this in class").
LIMITS = (
    "Most mechanism evidence comes from rodents (Autry 2011; Li 2010; Moda-Sava 2019; "
    "Moghaddam 1997; Nader 2000).",
    "Human evidence for PTSD is small: small RCTs (Feder 2014, 2021), a pilot on "
    "retrieval (Duek 2023) and small pilots on therapy after ketamine.",
    "A large veteran trial was negative for PTSD, and the pooled effect against an "
    "active placebo is small.",
    "Dissociation unblinds many trials: participants can tell whether they got "
    "ketamine.",
    "The model's symptom index is made up; it is not CAPS-5 or any clinical scale, "
    "and the model predicts nothing for any patient.",
)

#: Discussion questions (docs/TEACHING.md).
QUESTIONS = (
    "The benefit of one infusion is largest a day or two after it, when the drug has "
    "long gone. Which steps of the cascade can explain that delay?",
    "Why would exposure therapy during the infusion help less than a day later?",
    "If blocking BDNF removes the lasting benefit in animals, what would you measure "
    "in people to test the same idea, and what could go wrong with that measurement?",
    "A drug that loosens the DMN in healthy volunteers: is that a treatment for "
    "rumination? What else would you need to know?",
    "In the model ketamine adds little to a full course of exposure therapy. What "
    "would a trial need to show before you believed it adds more, and to whom?",
)

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

_API_NAMES = {"out": "out", "only": "only", "fps": "fps", "jobs": "jobs"}
_CLI_NAMES = {"out": "OUT.pptx", "only": "--only", "fps": "--fps", "jobs": "--jobs"}

# the look: white slides, dark text, one accent (Okabe-Ito blue)
_INK = (0x1A, 0x1A, 0x1A)
_ACCENT = (0x00, 0x72, 0xB2)
_MUTED = (0x55, 0x55, 0x55)
_FONT = "Calibri"


def _require_pptx():
    try:
        import pptx  # noqa: F401
    except ImportError:
        raise ImportError("brainviz deck needs python-pptx: "
                          "pip install 'brainviz[deck]' (or pip install python-pptx)") from None


def _set_alt(shape, text: str) -> None:
    """Alt text (description) of a picture or video shape."""
    shape._element.xpath("./*[1]/p:cNvPr")[0].set("descr", " ".join(text.split()))


def _first_sentence(text: str, short: int = 110) -> str:
    """The caption's first sentence; if long, up to its first ';' or ':'."""
    text = " ".join(str(text).split())
    first = re.split(r"(?<=[.!?])\s+(?=[A-Z(])", text, maxsplit=1)[0]
    if len(first) > short:
        head = re.split(r"[;:]\s", first, maxsplit=1)[0]
        if 40 <= len(head) < len(first):
            first = head.rstrip(",") + "."
    return first


def _mmss(seconds: float) -> str:
    s = int(round(seconds))
    return f"{s // 60}:{s % 60:02d}"


class _Deck:
    """A 16:9 deck on python-pptx's plain template, with our own type and layout."""

    def __init__(self):
        from pptx import Presentation
        from pptx.util import Inches

        self.prs = Presentation()
        self.prs.slide_width, self.prs.slide_height = Inches(13.333), Inches(7.5)
        self.width, self.height = self.prs.slide_width, self.prs.slide_height

    def _style(self, run, size, *, color=_INK, bold=False, italic=False):
        from pptx.dml.color import RGBColor
        from pptx.util import Pt

        run.font.name = _FONT
        run.font.size = Pt(size)
        run.font.bold = bold
        run.font.italic = italic
        run.font.color.rgb = RGBColor(*color)

    def _lines(self, text: str, size: float, width_in: float, bold: bool = False) -> int:
        """About how many lines *text* takes at *size* points in a box *width_in*
        wide (a generous average glyph width, so fallback fonts fit too)."""
        per_line = max(1, int(width_in * 72 / (size * (0.66 if bold else 0.58))))
        lines, current = 1, 0
        for word in text.split():
            need = len(word) + (1 if current else 0)
            if current + need > per_line and current:
                lines, current = lines + 1, len(word)
            else:
                current += need
        return lines

    def slide(self, title: str, takeaway: str, notes: str):
        """A slide with a title (a real title placeholder) and one take-away line; the
        space below them (:attr:`top`) is for the slide's content."""
        from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
        from pptx.util import Inches, Pt

        text_w = self.width / 914400 - 1.0
        slide = self.prs.slides.add_slide(self.prs.slide_layouts[5])  # "Title Only"
        size = 30 if self._lines(title, 30, text_w, bold=True) == 1 else 26
        title_h = 0.2 + self._lines(title, size, text_w, bold=True) * size * 1.2 / 72
        shape = slide.shapes.title
        shape.left, shape.top = Inches(0.5), Inches(0.25)
        shape.width, shape.height = Inches(text_w), Inches(title_h)
        frame = shape.text_frame
        frame.word_wrap = True
        frame.vertical_anchor = MSO_ANCHOR.TOP
        frame.margin_top = frame.margin_bottom = Pt(2)
        frame.text = title
        frame.paragraphs[0].alignment = PP_ALIGN.LEFT
        self._style(frame.paragraphs[0].runs[0], size, bold=True)
        take_h = 0.15 + self._lines(takeaway, 20, text_w) * 20 * 1.2 / 72
        box = slide.shapes.add_textbox(Inches(0.5), Inches(0.3 + title_h), Inches(text_w),
                                       Inches(take_h))
        box.name = "Take-away"
        box.text_frame.word_wrap = True
        box.text_frame.margin_top = box.text_frame.margin_bottom = Pt(2)
        box.text_frame.text = takeaway
        self._style(box.text_frame.paragraphs[0].runs[0], 20, color=_ACCENT)
        slide.notes_slide.notes_text_frame.text = notes
        self.top = 0.3 + title_h + take_h + 0.15  # inches
        return slide

    def media_box(self, aspect: float):
        """Left, top, width, height of the largest *aspect* box under the take-away."""
        from pptx.util import Inches

        top, bottom, side = Inches(self.top), Inches(0.2), Inches(0.5)
        avail_w, avail_h = self.width - 2 * side, self.height - top - bottom
        width = min(avail_w, int(avail_h * aspect))
        height = int(width / aspect)
        return int((self.width - width) / 2), int(top), width, height

    def bullets(self, slide, items, *, size=20, numbered=False, gap=10):
        from pptx.util import Inches, Pt

        top = self.top
        box = slide.shapes.add_textbox(Inches(0.7), Inches(top), self.width - Inches(1.4),
                                       self.height - Inches(top + 0.2))
        box.name = "List"
        frame = box.text_frame
        frame.word_wrap = True
        for k, item in enumerate(items):
            para = frame.paragraphs[0] if k == 0 else frame.add_paragraph()
            para.text = f"{k + 1}. {item}" if numbered else f"\u2022 {item}"
            para.space_after = Pt(gap)
            self._style(para.runs[0], size)
        return box


def _check(labels, out, only, fps, jobs, gallery):
    from .._validate import check_whole
    from .export import FPS_RANGE, JOBS_RANGE, _wanted

    if not isinstance(out, (str, pathlib.PurePath)) or not str(out):
        raise ValueError(f"{labels['out']}: must be a path to a .pptx file, got {out!r}")
    out = pathlib.Path(out).expanduser()
    if out.suffix.lower() != ".pptx":
        raise ValueError(f"{labels['out']}: must be a .pptx file, got {str(out)!r}")
    if not out.parent.resolve().is_dir():
        raise ValueError(f"{labels['out']}: the folder {str(out.parent)!r} does not exist")
    if out.is_dir():
        raise ValueError(f"{labels['out']}: {str(out)!r} is a folder")
    fps = check_whole(labels["fps"], fps, *FPS_RANGE)
    if jobs is not None:
        jobs = check_whole(labels["jobs"], jobs, *JOBS_RANGE)
    wanted = _wanted(labels["only"], only, tuple(gallery.NAMES), "for all")
    order = [n for n in TEACHING_ORDER if n in wanted] + \
        [n for n in wanted if n not in TEACHING_ORDER]
    return out, tuple(order), fps, jobs


def build_deck(out, *, only=None, fps: int = 30, jobs: int | None = None, progress=None,
               _labels=None) -> pathlib.Path:
    """Build the lecture deck.

    Parameters
    ----------
    out : path-like
        The ``.pptx`` file to write (its folder must exist). A file brainviz did not
        write there is never replaced.
    only : sequence of str, optional
        Gallery names to include (default: all), in the order of docs/TEACHING.md.
    fps : int
        Frame rate of the embedded videos, in [5, 60].
    jobs : int, optional
        Worker processes for rendering (default: one per CPU).
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
    from . import export as _export
    from ._outdir import OutputFolder

    gallery = _export._gallery()
    labels = _labels or _API_NAMES
    out, names, fps, jobs = _check(labels, out, only, fps, jobs, gallery)
    say = progress or (lambda _msg: None)

    with OutputFolder(out.parent, on_wait=say) as folder:
        folder.refuse_foreign([out.name])  # stop before rendering anything
        with tempfile.TemporaryDirectory(prefix="brainviz-deck-") as media:
            say(f"rendering {len(names)} figures and animations")
            _export.export(media, only=list(names), formats=("png", "mp4"),
                           theme="slides", fps=fps, progress=False, jobs=jobs)
            say("writing the deck")
            deck = _assemble(gallery, names, pathlib.Path(media))
            tmp = folder.temp_path(out.name)
            with _export._writing(out, [tmp]):
                deck.prs.save(str(tmp))
            folder.install({out.name: tmp})
    return out


def _assemble(gallery, names, media: pathlib.Path) -> _Deck:
    from pptx.util import Inches

    from .export import _storyboard, _title

    deck = _Deck()

    # -- the opening: title, then the claims to test
    slide = deck.prs.slides.add_slide(deck.prs.slide_layouts[0])
    slide.shapes.title.text = "How is ketamine thought to help trauma?"
    slide.placeholders[1].text = ("One teaching model, four mechanisms, and the evidence "
                                  "behind them. Illustrative numbers; not medical advice.")
    for shape, size, color, top, height in ((slide.shapes.title, 40, _INK, 2.0, 1.6),
                                            (slide.placeholders[1], 22, _MUTED, 3.8, 1.4)):
        shape.left, shape.width = Inches(0.8), deck.width - Inches(1.6)
        shape.top, shape.height = Inches(top), Inches(height)
        shape.text_frame.word_wrap = True
        deck._style(shape.text_frame.paragraphs[0].runs[0], size, color=color,
                    bold=size == 40)
    slide.notes_slide.notes_text_frame.text = (
        "brainviz is a teaching model: its shapes and time scales follow published "
        "research, its numbers are illustrative, and it predicts nothing for any patient. "
        "Say so at the start and at the end.")

    slide = deck.slide("Claims to test",
                       "A popular article says ketamine heals trauma. Which of these "
                       "would you believe, and on what evidence?",
                       "Paraphrase of the popular article that starts the course (do not "
                       "read it out as fact). Collect the room's answers: which claims "
                       "would they believe, and what evidence would they want? Come back "
                       "to them at the end.")
    deck.bullets(slide, CLAIMS, numbered=True)

    # -- each view: the figure, then its animation
    for name in names:
        title = _title(gallery, name)
        caption = " ".join(gallery.caption(name).split())
        slide = deck.slide(title, _first_sentence(caption), caption)
        png = media / f"{name}.png"
        from PIL import Image

        with Image.open(png) as im:
            aspect = im.width / im.height
        left, top, width, height = deck.media_box(aspect)
        pic = slide.shapes.add_picture(str(png), left, top, width, height)
        pic.name = f"{name} figure"
        _set_alt(pic, gallery.alt_text(name))

        beats = _storyboard(gallery, name)
        mp4, poster = media / f"{name}.mp4", media / f"{name}.poster.png"
        if beats:
            duration = float(beats[-1].end_s)
            takeaway = " ".join(str(beats[-1].caption).split())
            notes = "\n".join(f"{_mmss(b.start_s)}-{_mmss(b.end_s)}  "
                              f"{' '.join(str(b.caption).split())}" for b in beats)
            alt = (f"Animation, {duration:.0f} seconds: {title}. "
                   + " Then: ".join(" ".join(str(b.caption).split()).rstrip(".")
                                    for b in beats) + ".")
        else:
            takeaway = _first_sentence(caption)
            notes = caption
            alt = f"Animation: {title}. {gallery.alt_text(name)}"
        slide = deck.slide(f"{title} (animation)", takeaway,
                           f"Animation. {notes}\n\n{caption}")
        left, top, width, height = deck.media_box(aspect)
        movie = slide.shapes.add_movie(str(mp4), left, top, width, height,
                                       poster_frame_image=str(poster),
                                       mime_type="video/mp4")
        movie.name = f"{name} animation"
        _set_alt(movie, alt)

    # -- the end: limits, questions, the claims again, references
    slide = deck.slide("The limits of the evidence",
                       "Mechanisms come mostly from animals; the human evidence for PTSD "
                       "is small and mixed.",
                       "Say this in class. Point back to the evidence kinds on the "
                       "references slide.")
    deck.bullets(slide, LIMITS)
    slide = deck.slide("Discussion questions",
                       "Use the model to reason about mechanisms, not to predict "
                       "patients.",
                       "Take two or three; let small groups answer with the panels "
                       "(brainviz present) open.")
    deck.bullets(slide, QUESTIONS, numbered=True, size=19)
    slide = deck.slide("Back to the claims",
                       "Which claims survived, which are plausible but untested, and "
                       "which are overstated?",
                       "Sort each claim with the room. The model shows mechanisms as "
                       "hypotheses; it is not a treatment guide and not medical advice.")
    deck.bullets(slide, CLAIMS, numbered=True)
    slide = deck.slide("References and the kind of evidence behind them",
                       "Most mechanisms are from animal work; human trials are few and "
                       "small.",
                       "RCT: randomised trial; meta-analysis: pooled trials; animal: "
                       "rodent work; human imaging: brain scans in people; pilot: small "
                       "early trial.")
    deck.bullets(slide, [f"{source}: {what} [{kind}]" for source, what, kind in REFERENCES],
                 size=14, gap=2)
    return deck
