"""Notebook slides that work offline: ``brainviz slides NOTEBOOK [OUT.html]``.

The notebook is run (in a private temporary folder), then written as one
self-contained reveal.js HTML file: reveal.js, its style sheets and its speaker-notes
plugin come from the ``sphinx-revealjs`` package (which ships reveal.js) and are
inlined, so the page asks no server for anything. What a lecturer would not show is
left out: the setup cells (slide type "skip"), input and output prompts, and the code
of cells that show a figure, a video, a panel or a quiz. Widgets cannot run without a
kernel, so each is shown as its static picture: a panel as the figure it drew, a quiz
as its question and options. Equations (``$...$`` and ``$$...$$``) are drawn by
matplotlib's mathtext into inline SVG pictures, with their TeX as alt text, so no
MathJax is fetched. A slide taller than the screen is split into continued slides or
scaled down to fit.
"""

from __future__ import annotations

import contextlib
import copy
import html
import importlib.util
import os
import pathlib
import re
import tempfile

__all__ = ["build_slides"]

_API_NAMES = {"notebook": "notebook", "out": "out", "execute": "execute"}
_CLI_NAMES = {"notebook": "NOTEBOOK", "out": "OUT.html", "execute": "--no-execute"}
_WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
_WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
_RICH = ("image/png", "image/jpeg", "image/svg+xml", "text/html", "text/markdown",
         _WIDGET_VIEW)
_HIDE_INPUT = "brainviz-hide-input"


def _require():
    missing = [m for m in ("nbconvert", "nbclient", "nbformat", "sphinx_revealjs")
               if importlib.util.find_spec(m) is None]
    if missing:
        raise ImportError(f"brainviz slides needs {', '.join(missing)}: pip install "
                          "'brainviz[slides]' (sphinx-revealjs ships reveal.js)")


def _reveal_dir() -> pathlib.Path:
    """reveal.js as shipped by the sphinx-revealjs package (found without importing
    Sphinx)."""
    spec = importlib.util.find_spec("sphinx_revealjs")
    folder = pathlib.Path(list(spec.submodule_search_locations)[0]) / "_static" / "revealjs"
    if not (folder / "dist" / "reveal.js").is_file():
        raise ImportError(f"sphinx-revealjs has no reveal.js in {folder}; reinstall it")
    return folder


def _assets() -> dict:
    root = _reveal_dir()
    theme = (root / "dist" / "theme" / "white.css").read_text(encoding="utf-8")
    # the theme imports web fonts from files beside it: use the system's fonts instead
    theme = re.sub(r"@import url\([^)]*\);?", "", theme)
    return {
        "reveal_css": (root / "dist" / "reveal.css").read_text(encoding="utf-8"),
        "theme_css": theme,
        "reveal_js": (root / "dist" / "reveal.js").read_text(encoding="utf-8"),
        "notes_js": (root / "plugin" / "notes" / "notes.js").read_text(encoding="utf-8"),
        "version": re.search(r"reveal\.js (\d+\.\d+\.\d+)",
                             (root / "dist" / "reveal.js").read_text(encoding="utf-8")
                             [:200]).group(1),
    }


def _script(text: str) -> str:
    """JavaScript safe to inline in a <script> element."""
    return text.replace("</script", "<\\/script").replace("<!--", "<\\!--")


# ------------------------------------------------------------------ static widgets

def _ref(value):
    return value[len("IPY_MODEL_"):] if isinstance(value, str) and \
        value.startswith("IPY_MODEL_") else None


def _pictures(model_id: str, state: dict, seen=None) -> list[str]:
    """Images that Output widgets inside this widget show (a panel's figure)."""
    seen = set() if seen is None else seen
    if model_id in seen or model_id not in state:
        return []
    seen.add(model_id)
    model = state[model_id]
    found = []
    if model.get("model_name") == "OutputModel":
        for out in model["state"].get("outputs", []):
            data = out.get("data", {})
            for mime in ("image/png", "image/jpeg"):
                if mime in data:
                    found.append(f'<img src="data:{mime};base64,{data[mime]}" alt="">')
                    break
    for child in model["state"].get("children", []):
        ref = _ref(child)
        if ref:
            found += _pictures(ref, state, seen)
    return found


def _static(model_id: str, state: dict, depth: int = 0) -> str:
    """A static HTML picture of one widget and its children."""
    model = state.get(model_id)
    if model is None or depth > 20:
        return ""
    name, st = model.get("model_name", ""), model.get("state", {})
    desc = html.escape(st.get("description", "") or "")
    if name in ("VBoxModel", "BoxModel", "GridBoxModel", "HBoxModel", "AccordionModel",
                "TabModel"):
        kind = "bv-row" if name == "HBoxModel" else "bv-col"
        inner = "".join(_static(r, state, depth + 1)
                        for r in map(_ref, st.get("children", [])) if r)
        return f'<div class="{kind}">{inner}</div>'
    if name in ("HTMLModel", "HTMLMathModel"):
        return f'<div class="bv-html">{st.get("value", "")}</div>'
    if name == "LabelModel":
        return f'<span class="bv-label">{html.escape(str(st.get("value", "")))}</span>'
    if name == "ButtonModel":
        return f'<span class="bv-button">{desc or "button"}</span>'
    if name in ("RadioButtonsModel", "SelectModel", "DropdownModel", "ToggleButtonsModel"):
        labels = st.get("_options_labels", [])
        chosen = st.get("index")
        items = "".join(
            f'<li>{"&#9673;" if k == chosen else "&#9675;"} {html.escape(str(label))}</li>'
            for k, label in enumerate(labels))
        head = f'<span class="bv-desc">{desc}</span>' if desc else ""
        return f'<div class="bv-choice">{head}<ul>{items}</ul></div>'
    if name in ("FloatSliderModel", "IntSliderModel", "FloatLogSliderModel"):
        low, high, value = st.get("min", 0), st.get("max", 1), st.get("value", 0)
        if name == "FloatLogSliderModel":
            share = 0.5
        else:
            share = 0.0 if high == low else (value - low) / (high - low)
        return (f'<div class="bv-slider"><span class="bv-desc">{desc}</span>'
                f'<span class="bv-track"><span style="width:{100 * share:.0f}%"></span>'
                f'</span><span class="bv-value">{value:g}</span></div>')
    if name in ("FloatTextModel", "IntTextModel", "TextModel", "BoundedFloatTextModel",
                "BoundedIntTextModel"):
        return (f'<span class="bv-text"><span class="bv-desc">{desc}</span> '
                f'{html.escape(str(st.get("value", "")))}</span>')
    if name in ("CheckboxModel", "ToggleButtonModel"):
        mark = "&#9745;" if st.get("value") else "&#9744;"
        return f'<span class="bv-check">{mark} {desc}</span>'
    if name == "OutputModel":
        pics = _pictures(model_id, state)
        return "".join(pics)
    return ""


def _widget_html(model_id: str, state: dict, fallback: str) -> str:
    pictures = _pictures(model_id, state)
    if pictures:  # a panel: the figure it drew is its picture
        body = "".join(pictures)
        note = ("Interactive in the notebook and with <code>brainviz present</code>; "
                "here, the picture it showed.")
        return f'<div class="bv-widget bv-panel">{body}<p class="bv-note">{note}</p></div>'
    body = _static(model_id, state)
    if not body:
        return f'<pre class="bv-widget">{html.escape(fallback)}</pre>'
    return f'<div class="bv-widget bv-static">{body}</div>'


def _quoted_tables(source: str) -> str:
    """Block quotes holding a table, as HTML (nbconvert's Markdown leaves tables
    inside block quotes as text)."""
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    lines, out, i = source.split("\n"), [], 0
    while i < len(lines):
        if not lines[i].lstrip().startswith(">"):
            out.append(lines[i])
            i += 1
            continue
        j = i
        while j < len(lines) and lines[j].lstrip().startswith(">"):
            j += 1
        inner = "\n".join(re.sub(r"^\s*> ?", "", line) for line in lines[i:j])
        if re.search(r"^\s*\|?\s*:?-{3,}:?\s*\|", inner, re.M):
            rendered = re.sub(r"\n\s*\n", "\n", markdown2html_mistune(inner).strip())
            out += [f"<blockquote>{rendered}</blockquote>", ""]
        else:
            out += lines[i:j]
        i = j
    return "\n".join(out)


# ------------------------------------------------------------------------ equations

_MATH_SUBS = (  # TeX that MathJax reads and mathtext spells differently
    (r"\\(?:big|Big|bigg|Bigg)(?=[\\()\[\]|.])", ""),
    (r"\\text\{", r"\\mathrm{"),
    (r"\\;", r"\\ "),
    (r"\\qquad", r"\\quad\\quad"),
    (r"\\le(?![a-zA-Z])", r"\\leq"),
    (r"\\ge(?![a-zA-Z])", r"\\geq"),
)
_MAX_DROP_PT = 16
_CODE = re.compile(r"(```.*?```|`[^`\n]*`)", re.S)
_DISPLAY = re.compile(r"\$\$(.+?)\$\$", re.S)
_INLINE = re.compile(r"(?<![\\$\w])\$(?=\S)((?:[^$\n]|\n(?!\s*\n))+?)(?<=\S)\$(?![\w$])")


def _math_svg(tex: str, display: bool) -> str | None:
    """One equation as an <img> holding an SVG drawn by mathtext (None if mathtext
    cannot read it)."""
    import base64
    import io

    import matplotlib
    from matplotlib.font_manager import FontProperties
    from matplotlib.mathtext import MathTextParser, math_to_image

    text = " ".join(tex.split())
    for pattern, repl in _MATH_SUBS:
        text = re.sub(pattern, repl, text)
    prop = FontProperties(size=24 if display else 20)
    buffer = io.BytesIO()
    try:
        with matplotlib.rc_context({"svg.hashsalt": "brainviz", "mathtext.fontset": "dejavusans"}):
            depth = MathTextParser("path").parse(f"${text}$", dpi=72, prop=prop)[2]
            math_to_image(f"${text}$", buffer, prop=prop, dpi=72, format="svg")
    except Exception:  # noqa: BLE001 - any TeX mathtext cannot parse stays as text
        return None
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    alt = html.escape(tex.strip(), quote=True)
    if display:
        return f'<img class="bv-math-display" alt="{alt}" src="data:image/svg+xml;base64,{data}">'
    # nbconvert drops style attributes: the depth below the baseline is a class
    drop = min(int(round(depth)), _MAX_DROP_PT)
    return (f'<img class="bv-math bv-drop-{drop}" alt="{alt}" '
            f'src="data:image/svg+xml;base64,{data}">')


def _equations(source: str) -> str:
    """Markdown with its equations as pictures; code spans and blocks untouched."""
    def display(match):
        picture = _math_svg(match.group(1), True)
        return f"\n\n{picture}\n\n" if picture else f"<code>{html.escape(match.group(1))}</code>"

    def inline(match):
        picture = _math_svg(match.group(1), False)
        return picture or f"<code>{html.escape(match.group(1))}</code>"

    parts = _CODE.split(source)
    for k in range(0, len(parts), 2):  # even parts are outside code
        parts[k] = _INLINE.sub(inline, _DISPLAY.sub(display, parts[k]))
    return "".join(parts)


def _sections(nb) -> None:
    """Without the author's own slide marks, every level-1 or level-2 heading starts a
    slide (a long section is split into continued slides in the browser)."""
    kinds = {c.metadata.get("slideshow", {}).get("slide_type") for c in nb.cells}
    if kinds - {None, "skip", "-"}:
        return  # the author placed the slides
    for cell in nb.cells:
        if cell.cell_type == "markdown" and re.match(r"\s*#{1,2}\s", cell.source) and \
                cell.metadata.get("slideshow", {}).get("slide_type") != "skip":
            cell.metadata["slideshow"] = {"slide_type": "slide"}


def _prepare(nb):
    """Slides at the headings, widgets as static pictures, no tracebacks, no code above
    what a cell shows, no hidden solutions, and tables in block quotes rendered."""
    _sections(nb)
    nb.cells = [c for c in nb.cells if "solution" not in c.metadata.get("tags", [])]
    state = (nb.metadata.get("widgets", {}).get(_WIDGET_STATE, {}) or {}).get("state", {})
    for cell in nb.cells:
        if cell.cell_type == "markdown" and ">" in cell.source:
            cell.source = _quoted_tables(cell.source)
        if cell.cell_type == "markdown" and "$" in cell.source:
            cell.source = _equations(cell.source)
        if cell.cell_type != "code":
            continue
        outputs = []
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                continue  # a student's exercise left to do: no traceback on a slide
            data = out.get("data", {})
            if _WIDGET_VIEW in data:
                model_id = data[_WIDGET_VIEW].get("model_id", "")
                out = copy.deepcopy(out)
                out["data"] = {"text/html": _widget_html(model_id, state,
                                                         str(data.get("text/plain", "")))}
            outputs.append(out)
        cell["outputs"] = outputs
        if not outputs and "hide-input" in cell.metadata.get("tags", []):
            cell.metadata["slideshow"] = {"slide_type": "skip"}  # nothing to show
            continue
        if any(mime in out.get("data", {}) for out in outputs for mime in _RICH):
            tags = cell.metadata.setdefault("tags", [])
            if _HIDE_INPUT not in tags:
                tags.append(_HIDE_INPUT)
    nb.metadata.pop("widgets", None)
    return nb


# ------------------------------------------------------------------------ template

_CSS = """
:root { --r-main-font: system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif;
        --r-heading-font: var(--r-main-font); --r-main-font-size: 30px;
        --r-heading-color: #1a1a1a; --r-main-color: #1a1a1a;
        --r-heading-text-transform: none; --r-heading1-size: 1.7em;
        --r-heading2-size: 1.35em; --r-heading3-size: 1.1em;
        --jp-content-font-size1: 26px; --jp-ui-font-size1: 22px;
        --jp-code-font-size: 20px; --jp-content-font-family: var(--r-main-font); }
.reveal .slides { text-align: left; }
.reveal .slides section { top: 0; }
a.anchor-link { display: none; }
.jp-InputPrompt, .jp-OutputPrompt, .jp-InputArea-prompt, .jp-OutputArea-prompt,
.jp-Collapser { display: none !important; }
.jp-Cell, .jp-Cell-inputWrapper, .jp-OutputArea-output { padding: 0 !important; }
.jp-Notebook, .jp-Cell { background: transparent !important; }
.reveal .jp-RenderedHTMLCommon, .reveal .jp-RenderedMarkdown { font-size: 26px;
        line-height: 1.35; padding-right: 0; }
.reveal .jp-RenderedHTMLCommon h1 { font-size: 1.6em; margin: 0 0 .4em; }
.reveal .jp-RenderedHTMLCommon h2 { font-size: 1.3em; margin: 0 0 .4em; }
.reveal .jp-RenderedHTMLCommon h3 { font-size: 1.1em; margin: 0 0 .3em; }
.reveal .jp-RenderedHTMLCommon table { font-size: .8em; border-collapse: collapse;
        margin: .4em 0; }
.reveal .jp-RenderedHTMLCommon th, .reveal .jp-RenderedHTMLCommon td {
        border: 1px solid #bbb; padding: .25em .5em; vertical-align: top; }
.reveal .jp-RenderedHTMLCommon th { background: #eef3f7; }
.reveal .jp-RenderedHTMLCommon blockquote { border-left: 6px solid #0072b2;
        background: #f4f7fa; padding: .3em .8em; margin: .4em 0; font-style: normal;
        width: auto; box-shadow: none; }
.reveal img, .reveal video { max-width: 100%; max-height: 560px; height: auto;
        margin: .2em 0; }
.reveal img.bv-math { margin: 0; display: inline; max-height: none; }
.reveal img.bv-math-display { display: block; margin: .4em auto; max-height: none; }
""" + "\n".join(f".reveal img.bv-drop-{k} {{ vertical-align: -{k}pt; }}"
                for k in range(_MAX_DROP_PT + 1)) + """
.bv-widget { font-size: 22px; }
.bv-widget img { display: block; max-height: 440px; }
.bv-note { font-size: 18px; color: #555; margin: .2em 0; }
.bv-col { display: flex; flex-direction: column; gap: .3em; }
.bv-row { display: flex; flex-wrap: wrap; gap: .6em; align-items: center; }
.bv-choice ul { list-style: none; margin: .2em 0; padding: 0; }
.bv-choice li { margin: .15em 0; }
.bv-button { display: inline-block; border: 1px solid #666; border-radius: .3em;
        padding: .05em .7em; background: #eef3f7; font-size: .9em; }
.bv-slider { display: flex; gap: .5em; align-items: center; }
.bv-track { display: inline-block; width: 8em; height: .35em; background: #ccc;
        border-radius: .2em; }
.bv-track span { display: block; height: 100%; background: #0072b2; border-radius: .2em; }
.bv-desc { color: #444; }
.bv-fit { transform-origin: top left; }
"""

_FIT_JS = """
function brainvizRoom() { return Reveal.getConfig().height * 0.96; }
function brainvizLeaves() {
  return Array.prototype.filter.call(document.querySelectorAll('.reveal .slides section'),
    function (s) { return !s.querySelector('section'); });
}
function brainvizTitle(slide) {
  var h = slide.querySelector('h1, h2, h3');
  if (!h) { return null; }
  var copy = h.cloneNode(true);
  copy.removeAttribute('id');
  copy.textContent = copy.textContent.replace(/\\u00b6/g, '')
    .replace(/( \\(continued\\))+$/, '').trim() + ' (continued)';
  return copy;
}
// A slide taller than the screen is split between its cells into continued slides;
// one cell taller than the screen is scaled down to fit.
function brainvizHeight(node) {
  var bottom = 0;
  Array.prototype.forEach.call(node.children, function (c) {
    if (c.tagName !== 'ASIDE') { bottom = Math.max(bottom, c.offsetTop + c.offsetHeight); }
  });
  return bottom;
}
function brainvizShow(slide) {
  var shown = [];
  for (var s = slide; s && s.tagName === 'SECTION'; s = s.parentElement) {
    shown.push([s, s.style.display]);
    s.style.display = 'block';
  }
  return function () { shown.forEach(function (x) { x[0].style.display = x[1]; }); };
}
function brainvizSplit() {
  // split only where scaling down to fit would shrink the text below 80 %
  var room = brainvizRoom() / 0.8;
  var queue = brainvizLeaves();
  while (queue.length) {
    var slide = queue.shift(), restore = brainvizShow(slide);
    var blocks = Array.prototype.filter.call(slide.children, function (c) {
      return c.tagName !== 'ASIDE' && !c.classList.contains('bv-continued') &&
        c.offsetHeight > 0;
    });
    if (brainvizHeight(slide) > room && blocks.length > 1) {
      var next = document.createElement('section');
      while (brainvizHeight(slide) > room && blocks.length > 1) {
        next.insertBefore(blocks.pop(), next.firstChild);
      }
      // what opens a continued slide is shown at once, not as a fragment
      if (next.firstChild.classList.contains('fragment')) {
        next.firstChild.classList.remove('fragment');
      }
      var title = brainvizTitle(slide);
      if (title) {
        // in a rendered-Markdown box, so it looks like the heading it continues
        var box = document.createElement('div');
        box.className = 'jp-RenderedHTMLCommon jp-RenderedMarkdown bv-continued';
        box.appendChild(title);
        next.insertBefore(box, next.firstChild);
      }
      slide.parentNode.insertBefore(next, slide.nextSibling);
      queue.unshift(next);
    }
    restore();
  }
}
function brainvizFit(slide) {
  if (!slide) { return; }
  var box = slide.querySelector(':scope > .bv-fit');
  if (!box) {
    box = document.createElement('div');
    box.className = 'bv-fit';
    Array.prototype.slice.call(slide.childNodes).forEach(function (node) {
      if (!(node.nodeType === 1 && (node.tagName === 'SECTION' || node.tagName === 'ASIDE'))) {
        box.appendChild(node);
      }
    });
    slide.insertBefore(box, slide.firstChild);
  }
  box.style.transform = '';
  box.style.width = '';
  var room = brainvizRoom(), need = box.scrollHeight;
  if (need > room) { box.style.transform = 'scale(' + (room / need) + ')';
                     box.style.width = (100 * need / room) + '%'; }
}
Reveal.initialize({
  controls: true, progress: true, history: true, center: false, hash: true,
  transition: 'none', slideNumber: 'c/t', width: 1280, height: 720, margin: 0.04,
  plugins: [RevealNotes]
}).then(function () {
  brainvizSplit();
  Reveal.sync();
  // sync() leaves slides inserted after the current one unmarked: go there again
  var at = Reveal.getIndices();
  Reveal.slide(at.h, at.v, at.f);
  brainvizFit(Reveal.getCurrentSlide());
  document.documentElement.dataset.brainvizReady = 'true';
});
Reveal.on('slidechanged', function (event) { brainvizFit(event.currentSlide); });
"""

_TEMPLATE = """{%- extends 'reveal/index.html.j2' -%}
{%- block header -%}
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="brainviz slides, reveal.js {{ resources.bv.version }}">
<title>{{ resources.bv.title | e }}</title>
<link rel="icon" href="data:,">
<style>{{ resources.bv.reveal_css }}</style>
<style>{{ resources.bv.theme_css }}</style>
{{ resources.include_css("static/index.css") }}
{{ resources.include_css("static/theme-light.css") }}
{{ resources.include_css("static/custom_reveal.css") }}
{% for css in resources.inlining.css -%}<style>{{ css }}</style>{% endfor %}
<style>{{ resources.bv.css }}</style>
</head>
{%- endblock header -%}
{%- block body_header -%}
<body class="jp-Notebook" data-jp-theme-light="true" data-jp-theme-name="JupyterLab Light">
<main>
<div class="reveal">
<div class="slides">
{%- endblock body_header -%}
{%- block footer -%}
<script>{{ resources.bv.reveal_js }}</script>
<script>{{ resources.bv.notes_js }}</script>
<script>{{ resources.bv.fit_js }}</script>
</html>
{%- endblock footer -%}
"""


def _title(nb, fallback: str) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            match = re.search(r"^#\s+(.+)$", cell.source, re.M)
            if match:
                return re.sub(r"[*_`]", "", match.group(1)).strip()
    return fallback


def _html(nb, title: str) -> str:
    import jinja2
    from nbconvert import SlidesExporter

    assets = _assets()
    from traitlets.config import Config

    config = Config()
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_input_tags = {_HIDE_INPUT, "hide-input"}
    exporter = SlidesExporter(config=config, template_file="brainviz_reveal.html.j2",
                              extra_loaders=[jinja2.DictLoader(
                                  {"brainviz_reveal.html.j2": _TEMPLATE})],
                              exclude_input_prompt=True, exclude_output_prompt=True,
                              reveal_url_prefix="local")
    resources = {"bv": {**assets, "css": _CSS, "fit_js": _script(_FIT_JS),
                        "title": title},
                 "metadata": {"name": title}}
    resources["bv"]["reveal_js"] = _script(assets["reveal_js"])
    resources["bv"]["notes_js"] = _script(assets["notes_js"])
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    return body


# ------------------------------------------------------------------------- command

@contextlib.contextmanager
def _inline_backend():
    """The kernel draws figures as pictures, whatever backend this process uses."""
    old = os.environ.get("MPLBACKEND")
    os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("MPLBACKEND", None)
        else:
            os.environ["MPLBACKEND"] = old


def _check(labels, notebook, out, execute):
    if not isinstance(notebook, (str, pathlib.PurePath)) or not str(notebook):
        raise ValueError(f"{labels['notebook']}: must be a path to a .ipynb file, "
                         f"got {notebook!r}")
    notebook = pathlib.Path(notebook).expanduser()
    if notebook.suffix != ".ipynb":
        raise ValueError(f"{labels['notebook']}: must be a .ipynb file, got "
                         f"{str(notebook)!r}")
    if not notebook.is_file():
        raise ValueError(f"{labels['notebook']}: no such notebook: {str(notebook)!r}")
    if out is None:
        out = pathlib.Path.cwd() / f"{notebook.stem}.slides.html"
    if not isinstance(out, (str, pathlib.PurePath)) or not str(out):
        raise ValueError(f"{labels['out']}: must be a path to an .html file, got {out!r}")
    out = pathlib.Path(out).expanduser()
    if out.suffix.lower() not in (".html", ".htm"):
        raise ValueError(f"{labels['out']}: must be an .html file, got {str(out)!r}")
    if not out.parent.resolve().is_dir():
        raise ValueError(f"{labels['out']}: the folder {str(out.parent)!r} does not exist")
    if not isinstance(execute, bool):
        raise ValueError(f"{labels['execute']}: must be True or False, got {execute!r}")
    return notebook, out


def build_slides(notebook, out=None, *, execute: bool = True, timeout: int = 600,
                 _labels=None) -> pathlib.Path:
    """Write a notebook as reveal.js slides that need no network.

    Parameters
    ----------
    notebook : path-like
        The ``.ipynb`` file.
    out : path-like, optional
        The ``.html`` file to write (default: ``NOTEBOOK.slides.html`` in the current
        folder). A file brainviz did not write is never replaced.
    execute : bool, default True
        Run the notebook first (in a temporary folder), so figures, videos and
        widgets have their outputs; False uses the outputs stored in the notebook.
    timeout : int
        Seconds a cell may run.

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> from brainviz.app.slides import build_slides
    >>> build_slides("notebooks/02_memory_pathways.ipynb", "memory.html")  # doctest: +SKIP
    PosixPath('memory.html')
    """
    _require()
    import nbformat

    from ._outdir import OutputFolder
    from .export import _writing

    labels = _labels or _API_NAMES
    notebook, out = _check(labels, notebook, out, execute)
    nb = nbformat.read(notebook, as_version=4)
    with OutputFolder(out.parent) as folder:
        folder.refuse_foreign([out.name])
        if execute:
            from jupyter_client import KernelManager
            from nbclient import NotebookClient

            with tempfile.TemporaryDirectory(prefix="brainviz-slides-") as work, \
                    _inline_backend():
                # IPC sockets in a private folder, not TCP ports on the machine
                km = KernelManager(kernel_name="python3", transport="ipc",
                                   connection_file=os.path.join(work, "kernel.json"))
                try:
                    NotebookClient(nb, km=km, timeout=timeout, allow_errors=True,
                                   store_widget_state=True,
                                   resources={"metadata": {"path": work}}).execute()
                finally:
                    if km.has_kernel:
                        km.shutdown_kernel(now=True)
        page = _html(_prepare(nb), _title(nb, notebook.stem))
        tmp = folder.temp_path(out.name)
        with _writing(out, [tmp]):
            tmp.write_text(page, encoding="utf-8")
        folder.install({out.name: tmp})
    return out

