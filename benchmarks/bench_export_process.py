"""Benchmark export as a user runs it: whole processes, every animation, the defaults.

Usage: python benchmarks/bench_export_process.py [--names NAME ...] [--no-default]

For each gallery animation, side by side (each a fresh Python process, so imports, the
model run and the figure's layout count on both sides):

* ``brainviz export DIR --only NAME --format mp4`` (worker processes, blitting,
  held frames drawn once, one ffmpeg per segment);
* what a user would write: ``brainviz.animate(NAME, theme="slides")`` then
  ``FuncAnimation.save(..., writer=FFMpegWriter(fps))`` with matplotlib's defaults
  (ffmpeg from imageio-ffmpeg).

Target: each animation >= 8x faster. Then ``brainviz export`` with its defaults (all
six, every format) against a target of < 40 s on 2 cores. Prints seconds and ratios;
tests never assert timings.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

_MPL_SAVE = """
import sys
import matplotlib
matplotlib.use("Agg")
from matplotlib.animation import FFMpegWriter, FuncAnimation
import imageio_ffmpeg
import brainviz as bv
anim = bv.animate(sys.argv[1], theme="slides")
for artist in anim.animated_artists:  # a plain, non-blitting animation
    artist.set_animated(False)
plain = FuncAnimation(anim.fig, anim.draw_frame, frames=anim.n_frames, blit=False,
                      cache_frame_data=False)
with matplotlib.rc_context({"animation.ffmpeg_path": imageio_ffmpeg.get_ffmpeg_exe()}):
    plain.save(sys.argv[2], writer=FFMpegWriter(fps=anim.fps), dpi=anim.fig.dpi)
print(anim.n_frames)
"""


def _run(cmd, env=None) -> tuple[float, str]:
    t0 = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    seconds = time.perf_counter() - t0
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:4])} ... failed:\n{done.stderr[-2000:]}")
    return seconds, done.stdout


def _load() -> str:
    try:
        return f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}"
    except OSError:  # pragma: no cover - not on Linux
        return "load average unknown"


def main(argv=None) -> None:
    from brainviz.views import gallery

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--names", nargs="+", default=list(gallery.NAMES),
                    help="animations (default: all)")
    ap.add_argument("--no-default", action="store_true",
                    help="skip the default export of everything")
    args = ap.parse_args(argv)
    env = {**os.environ, "MPLBACKEND": "Agg"}
    brainviz = [sys.executable, "-m", "brainviz"]
    print(f"{os.cpu_count()} CPUs; before: {_load()}")
    ok = True
    with tempfile.TemporaryDirectory(prefix="brainviz-bench-") as tmp:
        for name in args.names:
            out = os.path.join(tmp, f"ours-{name}")
            t_ours, _ = _run([*brainviz, "export", out, "--only", name, "--format", "mp4"],
                             env)
            mpl = os.path.join(tmp, f"mpl-{name}.mp4")
            t_mpl, frames = _run([sys.executable, "-c", _MPL_SAVE, name, mpl], env)
            ratio = t_mpl / t_ours
            ok &= ratio >= 8
            print(f"{name:14s} {frames.strip():>4s} frames  FuncAnimation.save "
                  f"{t_mpl:6.1f} s   brainviz export {t_ours:5.1f} s   {ratio:5.1f}x  "
                  f"(target >= 8x: {'met' if ratio >= 8 else 'MISSED'})", flush=True)
        if not args.no_default:
            t_all, _ = _run([*brainviz, "export", os.path.join(tmp, "all")], env)
            met = t_all < 40
            ok &= met
            print(f"brainviz export (defaults: all six, every format) {t_all:.1f} s  "
                  f"(target < 40 s on 2 cores: {'met' if met else 'MISSED'})")
    print(f"after: {_load()}")
    print("all export targets met" if ok else "some export targets missed")


if __name__ == "__main__":
    main()
