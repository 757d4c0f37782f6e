"""Total execution time of the student notebooks, each in a fresh kernel.

Usage: python benchmarks/bench_notebooks.py

Target: all notebooks together under 2 minutes on 2 cores.
"""

from __future__ import annotations

import pathlib
import tempfile
import time

import nbformat
from nbclient import NotebookClient

ROOT = pathlib.Path(__file__).resolve().parents[1]


def main() -> None:
    total = 0.0
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        with tempfile.TemporaryDirectory() as folder:
            t0 = time.perf_counter()
            NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
                           resources={"metadata": {"path": folder}}).execute()
            seconds = time.perf_counter() - t0
        total += seconds
        print(f"{path.name:32s} {seconds:6.1f} s")
    verdict = "met" if total < 120 else "MISSED"
    print(f"{'all notebooks':32s} {total:6.1f} s  (target < 120 s: {verdict})")


if __name__ == "__main__":
    main()
