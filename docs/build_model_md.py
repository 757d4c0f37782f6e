"""Regenerate the parameter table in docs/MODEL.md from brainviz.PARAMS.

Usage: python docs/build_model_md.py
"""

from __future__ import annotations

import pathlib
import re

START, END = "<!-- PARAMS:START -->", "<!-- PARAMS:END -->"
MODEL_MD = pathlib.Path(__file__).with_name("MODEL.md")


def render(text: str) -> str:
    """Return ``text`` with the parameter table between the markers regenerated."""
    from brainviz import param_table_markdown

    block = f"{START}\n{param_table_markdown()}\n{END}"
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END), re.S)
    if not pattern.search(text):
        raise SystemExit(f"markers {START} ... {END} not found in {MODEL_MD}")
    return pattern.sub(lambda _: block, text)


if __name__ == "__main__":
    MODEL_MD.write_text(render(MODEL_MD.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"wrote {MODEL_MD}")
