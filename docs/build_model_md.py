"""Regenerate the generated tables of docs/MODEL.md from the code.

* ``<!-- PARAMS:START -->`` ... ``<!-- PARAMS:END -->``: the parameter table, from
  ``brainviz.PARAMS``;
* ``<!-- SPREAD:START -->`` ... ``<!-- SPREAD:END -->``: how virtual patients differ,
  from ``brainviz.science.population``;
* ``<!-- CALIBRATION:START -->`` ... ``<!-- CALIBRATION:END -->``: the calibration
  targets with the published values (``brainviz/science/evidence.csv``) and the model's
  values, computed now.

Usage: python docs/build_model_md.py
"""

from __future__ import annotations

import pathlib
import re

MODEL_MD = pathlib.Path(__file__).with_name("MODEL.md")


def _tables() -> dict:
    from brainviz import param_table_markdown
    from brainviz.science.calibration import calibration_table_markdown
    from brainviz.science.population import spread_table_markdown

    return {"PARAMS": param_table_markdown, "SPREAD": spread_table_markdown,
            "CALIBRATION": calibration_table_markdown}


def render(text: str) -> str:
    """Return ``text`` with every table between its markers regenerated."""
    for name, table in _tables().items():
        start, end = f"<!-- {name}:START -->", f"<!-- {name}:END -->"
        pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
        if not pattern.search(text):
            raise SystemExit(f"markers {start} ... {end} not found in {MODEL_MD}")
        block = f"{start}\n{table()}\n{end}"
        text = pattern.sub(lambda _: block, text)
    return text


if __name__ == "__main__":
    MODEL_MD.write_text(render(MODEL_MD.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"wrote {MODEL_MD}")
