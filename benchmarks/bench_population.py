"""Benchmark virtual patients and the batched model (C11 and the sweep targets of issue 8).

Usage: python benchmarks/bench_population.py [--quick]

Prints figures and ratios against the targets:
* C11: a virtual trial of 2 x 300 patients over 12 weeks (six infusions against
  midazolam): under 1.5 s on 2 cores, and at least 10x faster than the same 600
  patients run one `simulate` call each;
* one 12-week `simulate` (six infusions; one dose and eight sessions) <= 50 ms;
* `sweep` of 300 protocols whose session times differ >= 10x faster than a loop;
* `sweep` of 1,000 one-dose one-year courses at different dose times within 2 GiB peak
  memory (measured in a fresh subprocess with `resource.getrusage`).

Timings are medians of several runs, wall clock and CPU time of this process. Other
programs share the machine: the load average is printed before and after, and CPU
time is the steadier figure when the machine is busy.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import textwrap
import time

import brainviz as bv
from brainviz.science.protocols import SIX_INFUSION_DAYS, six_infusions

D, S, P = bv.Dose, bv.Session, bv.Protocol
WEEKS_12 = 84


def timed(fn, repeat: int) -> tuple[float, float]:
    """Median wall and CPU seconds of ``repeat`` calls."""
    wall, cpu = [], []
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - w0)
        cpu.append(time.process_time() - c0)
    return statistics.median(wall), statistics.median(cpu)


def load() -> str:
    return "load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())


def feder_arms(days: float) -> dict:
    midazolam = tuple(D(d * 24.0, 0.045, "iv", drug="midazolam") for d in SIX_INFUSION_DAYS)
    return {"ketamine": P(doses=six_infusions(), days=days),
            "midazolam": P(doses=midazolam, days=days)}


def bench_trial(repeat: int) -> None:
    arms = feder_arms(WEEKS_12)
    n = 300

    def run():
        t = bv.trial(arms, n_per_arm=n, seed=0)
        for arm in arms:  # read the outcomes too: measured symptoms with noise
            t.responders(arm, 14)

    run()  # warm caches (kernels, the healthy baseline)
    t = bv.trial(arms, n_per_arm=n, seed=0)
    calls = [(arms[arm], {k: float(v[i]) for k, v in t[arm].params.items()})
             for arm in arms for i in range(n)]
    sample = calls[::6]  # every sixth patient of both arms, scaled up to all 600

    def loop():
        for protocol, params in sample:
            bv.simulate(protocol, params=params)

    # trial and loop alternate, so that both meet the same load from other programs
    pairs = [(timed(run, 1), timed(loop, 1)) for _ in range(repeat)]
    scale = len(calls) / len(sample)
    wall = statistics.median(p[0][0] for p in pairs)
    cpu = statistics.median(p[0][1] for p in pairs)
    loop_wall = statistics.median(p[1][0] for p in pairs) * scale
    loop_cpu = statistics.median(p[1][1] for p in pairs) * scale
    r_wall = statistics.median(p[1][0] * scale / p[0][0] for p in pairs)
    r_cpu = statistics.median(p[1][1] * scale / p[0][1] for p in pairs)
    points = t["ketamine"].t_h.size
    print(f"C11 trial 2 x {n} patients, 12 weeks ({points} time points), "
          f"{' vs '.join(arms)}: median {wall:.3f} s wall, {cpu:.3f} s CPU "
          f"(target < 1.5 s: {'met' if wall < 1.5 else 'MISSED'})")
    print(f"    {len(calls)} simulate calls with the same patients (timed on every sixth): "
          f"{loop_wall:.2f} s wall, {loop_cpu:.2f} s CPU; ratio {r_wall:.1f}x wall, "
          f"{r_cpu:.1f}x CPU (target >= 10x: wall {'met' if r_wall >= 10 else 'MISSED'}, "
          f"CPU {'met' if r_cpu >= 10 else 'MISSED'})")


def bench_simulate(repeat: int) -> None:
    cases = {
        "six infusions": P(doses=six_infusions(), days=WEEKS_12),
        "one dose + 8 weekly sessions": P(
            doses=[D(0, 0.5)], therapy=[S(24 + 168 * w, "exposure", 90) for w in range(8)],
            days=WEEKS_12),
    }
    for name, protocol in cases.items():
        bv.simulate(protocol)
        wall, cpu = timed(lambda: bv.simulate(protocol), repeat)
        print(f"one 12-week simulate, {name}: median {wall * 1e3:.1f} ms wall, "
              f"{cpu * 1e3:.1f} ms CPU (target <= 50 ms: {'met' if wall <= 0.05 else 'MISSED'})")


def bench_session_sweep(repeat: int) -> None:
    offsets = [-12.0 + 108.0 * i / 299 for i in range(300)]
    protocols = [P(doses=[D(24, 0.5)], therapy=[S(24 + o, "exposure", 90)], days=WEEKS_12)
                 for o in offsets]
    sample = protocols[::5]
    bv.sweep(protocols[:3])
    pairs = [(timed(lambda: bv.sweep(protocols), 1),
              timed(lambda: [bv.simulate(p) for p in sample], 1)) for _ in range(repeat)]
    scale = len(protocols) / len(sample)
    wall = statistics.median(p[0][0] for p in pairs)
    cpu = statistics.median(p[0][1] for p in pairs)
    r_wall = statistics.median(p[1][0] * scale / p[0][0] for p in pairs)
    r_cpu = statistics.median(p[1][1] * scale / p[0][1] for p in pairs)
    print(f"sweep of 300 protocols whose session times differ (-12 to +96 h after a dose): "
          f"{wall:.3f} s wall, {cpu:.3f} s CPU; loop of simulate (timed on every fifth) "
          f"{statistics.median(p[1][0] for p in pairs) * scale:.2f} s wall; ratio "
          f"{r_wall:.1f}x wall, {r_cpu:.1f}x CPU (target >= 10x: wall "
          f"{'met' if r_wall >= 10 else 'MISSED'}, CPU {'met' if r_cpu >= 10 else 'MISSED'})")


MEMORY_SCRIPT = textwrap.dedent("""
    import resource, time
    import numpy as np
    import brainviz as bv
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    protocols = [bv.Protocol(doses=[bv.Dose(float(h), 0.5)], days=365)
                 for h in np.linspace(0.0, 364 * 24.0, 1000)]
    t0 = time.perf_counter()
    courses = bv.sweep(protocols)
    seconds = time.perf_counter() - t0
    points = sum(c.t_h.size for c in courses)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(before, peak, seconds, points)
""")


def bench_memory() -> None:
    out = subprocess.run([sys.executable, "-c", MEMORY_SCRIPT], capture_output=True,
                         text=True, check=True).stdout.split()
    before, peak = int(out[0]) / 1024, int(out[1]) / 1024  # ru_maxrss is KiB on Linux
    seconds, points = float(out[2]), int(out[3])
    print(f"sweep of 1,000 one-dose one-year courses at different dose times: {seconds:.2f} s, "
          f"peak memory {peak:.0f} MiB (after import {before:.0f} MiB; "
          f"target <= 2048 MiB: {'met' if peak <= 2048 else 'MISSED'}); "
          f"{points / 1000:.0f} time points per course on average")


def main(quick: bool = False) -> None:
    repeat = 3 if quick else 7
    print(f"before: {load()} on {os.cpu_count()} cores")
    bench_simulate(10 if quick else 30)
    bench_trial(repeat)
    bench_session_sweep(repeat)
    bench_memory()
    print(f"after: {load()}")


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
