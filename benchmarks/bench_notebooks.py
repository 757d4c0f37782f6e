"""Total execution time of the student notebooks, each in a fresh kernel.

Usage: python benchmarks/bench_notebooks.py

Target: all notebooks together under 2 minutes on 2 cores.
"""

from __future__ import annotations

import os
import pathlib
import tempfile
import time

import nbformat
from jupyter_client import KernelManager
from nbclient import NotebookClient

ROOT = pathlib.Path(__file__).resolve().parents[1]


def main() -> None:
    # time what a student waits for: figures drawn by the inline backend, as in JupyterLab
    # (an MPLBACKEND=Agg left in the shell would make every plt.show() draw nothing)
    os.environ.pop("MPLBACKEND", None)
    total = 0.0
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        with tempfile.TemporaryDirectory() as folder:
            t0 = time.perf_counter()
            # IPC sockets, not TCP ports: on a machine where other programs start kernels
            # too, two kernels can race for one free port and one then never answers
            km = KernelManager(kernel_name="python3", transport="ipc",
                               connection_file=os.path.join(folder, "kernel.json"))
            try:
                NotebookClient(nb, km=km, timeout=600, allow_errors=True,
                               resources={"metadata": {"path": folder}}).execute()
            finally:
                if km.has_kernel:
                    km.shutdown_kernel(now=True)
            seconds = time.perf_counter() - t0
            errors = [o for c in nb.cells for o in c.get("outputs", [])
                      if o.output_type == "error" and o.ename != "NotImplementedError"]
            if errors:
                print(f"{path.name}: {errors[0].ename}: {errors[0].evalue}")
        total += seconds
        print(f"{path.name:32s} {seconds:6.1f} s")
    verdict = "met" if total < 120 else "MISSED"
    print(f"{'all notebooks':32s} {total:6.1f} s  (target < 120 s: {verdict})")


if __name__ == "__main__":
    main()
