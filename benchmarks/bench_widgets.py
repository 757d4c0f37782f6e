"""Kernel-side latency of the widget panels: a control change to the updated figure.

Usage: python benchmarks/bench_widgets.py [--moves N]

For each panel, moves one control through N values and times the whole update: the
model run, the band of 60 virtual patients (on, as panels open), the artists' update,
the redraw, and the PNG encoding that the default inline backend sends to the browser.
Targets: 95th percentile under 100 ms, median under 60 ms (wall clock). CPU time of the
process is printed beside it: on a shared machine wall time also counts other programs.
"""

from __future__ import annotations

import statistics
import sys
import time

import matplotlib

matplotlib.use("Agg")

from brainviz.app import widgets  # noqa: E402

PANELS = {
    "memory": (widgets.memory_panel, "session_h", (2.0, 90.0)),
    "dmn": (widgets.dmn_panel, "dmn_loosening_gain", (0.1, 0.9)),
    "plasticity (dose)": (widgets.plasticity_panel, "mg_per_kg", (0.1, 2.0)),
    "plasticity (BDNF gain: dose-response sweep)": (widgets.plasticity_panel, "bdnf_gain",
                                                    (0.1, 2.9)),
    "synergy (12-week sweep of 4 courses)": (widgets.synergy_panel, "delay_h", (0.0, 96.0)),
    "protocol builder (12-week course)": (widgets.protocol_builder, "doses", (0.1, 2.0)),
}


def main(moves: int = 40) -> None:
    ok = True
    for label, (make, control, (lo, hi)) in PANELS.items():
        panel = make()
        if "builder" in label:
            panel.set(days=84)
        times, cpu = [], []
        for value in list(__import__("numpy").linspace(lo, hi, moves)):
            t0, c0 = time.perf_counter(), time.process_time()
            if control == "doses":  # the first dose row's amount, as typed in the room
                panel.set(doses=[(0.0, float(value), "iv")])
            else:
                panel.set(**{control: float(value)})
            panel.png()  # the PNG the inline backend sends (one draw)
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        assert panel.controls.get("bands", True), "benchmark the panels as they open"
        times.sort()
        cpu.sort()
        median = statistics.median(times) * 1e3
        p95 = times[int(round(0.95 * (len(times) - 1)))] * 1e3
        cpu_median = statistics.median(cpu) * 1e3
        cpu_p95 = cpu[int(round(0.95 * (len(cpu) - 1)))] * 1e3
        met = median < 60 and p95 < 100
        ok &= met
        print(f"{label:46s} median {median:6.1f} ms  p95 {p95:6.1f} ms  "
              f"(CPU {cpu_median:5.1f} / {cpu_p95:5.1f} ms)  "
              f"{'met' if met else 'MISSED'}: median < 60, p95 < 100")
    print("all panels within target" if ok else "some panels missed the target")


if __name__ == "__main__":
    n = int(sys.argv[sys.argv.index("--moves") + 1]) if "--moves" in sys.argv else 40
    main(n)
