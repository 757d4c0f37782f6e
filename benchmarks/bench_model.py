"""Benchmark the model: one 12-week course, and a vectorised sweep against a loop.

Usage: python benchmarks/bench_model.py [--quick]

Prints figures and ratios against the targets of the foundation issue:
* one 12-week course with one dose and eight sessions: median <= 50 ms;
* a 1,000-protocol sweep: >= 20x faster than 1,000 simulate calls, and < 3 s.
"""

from __future__ import annotations

import statistics
import sys
import time

import brainviz as bv

D, S, P = bv.Dose, bv.Session, bv.Protocol
SESSIONS = tuple(S(24 + 24 * 7 * w, "exposure", 90) for w in range(8))


def course_protocol(mg: float = 0.5) -> bv.Protocol:
    return P(doses=[D(0, mg)], therapy=SESSIONS, days=84)


def timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def main(quick: bool = False) -> None:
    n = 200 if quick else 1000
    single = course_protocol()
    bv.simulate(single)  # warm caches (kernels, imports)
    times = timed(lambda: bv.simulate(single), 10 if quick else 30)
    median_ms = statistics.median(times) * 1e3
    print(f"one 12-week course (1 dose, 8 sessions, {bv.simulate(single).t_h.size} points): "
          f"median {median_ms:.1f} ms  (target <= 50 ms: {'met' if median_ms <= 50 else 'MISSED'})")

    protocols = [course_protocol(0.1 + 0.9 * i / (n - 1)) for i in range(n)]
    loop = min(timed(lambda: [bv.simulate(p) for p in protocols], 1 if not quick else 2))
    swept = min(timed(lambda: bv.sweep(protocols), 3))
    ratio = loop / swept
    print(f"{n} protocols: loop of simulate {loop:.2f} s, sweep {swept:.2f} s, "
          f"ratio {ratio:.1f}x  (targets >= 20x: {'met' if ratio >= 20 else 'MISSED'}; "
          f"sweep < 3 s: {'met' if swept < 3 else 'MISSED'})")
    print(f"sweep per protocol {swept / n * 1e3:.2f} ms; simulate per call {loop / n * 1e3:.2f} ms")


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
