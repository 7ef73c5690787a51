#!/usr/bin/env python
"""Peak memory of the WNN commands on large spectra, tiled and untiled, and what tiling does to
the result (issue 20, point 5; docs/wnn.md, "Memory and tiling").

    python scripts/bench_memory.py                       # 256x2048, 1024x2048, 1024x4096
    python scripts/bench_memory.py --sizes 512x1024 --no-untiled
    python scripts/bench_memory.py --source OLD_CHECKOUT  # the same commands on other code

For each size a spectrum is simulated (``mrai simulate --size S --seed 1``, 300 peaks, its Echo
part) and reconstructed, each command in its own process as a user runs it
(``python -m mrai reconstruct --echo``, what the ``mrai`` console script runs):

- ``default``: ``reconstruct --echo`` as it runs by default (tiled beyond one tile);
- ``default --sigma``: the same with ``--sigma`` (the shipped sigma-wnn-echo network);
- ``untiled --sigma``: the same with MRAI_TILE_POINTS=0, every trunk on the whole spectrum
  (without ``--sigma`` under ``--no-sigma``).

Each line gives the maximum resident set size and the elapsed, user and system seconds that
``/usr/bin/time -v`` reports (os.wait4's figures where /usr/bin/time is missing), then, per
size, r and RMSD of the default and untiled reconstructions against the simulated reference
(mrai.metrics.quality) and the largest difference default - untiled of the reconstruction and
of sigma as a fraction of their maximum.

``--source DIR`` runs the commands from another checkout of mrai (PYTHONPATH=DIR), for example
the commit before tiling (``git worktree add /tmp/before COMMIT``): what the code there does
with MRAI_TILE_POINTS is its own affair (before tiling, nothing).
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SIZES = ("256x2048", "1024x2048", "1024x4096")
TIME = "/usr/bin/time"
FIELDS = {"Maximum resident set size (kbytes)": "rss_kb",
          "Elapsed (wall clock) time (h:mm:ss or m:ss)": "elapsed",
          "User time (seconds)": "user", "System time (seconds)": "system"}


def environment(source=None, tile_points=None):
    env = dict(os.environ)
    env.pop("MRAI_TILE_POINTS", None)
    if tile_points is not None:
        env["MRAI_TILE_POINTS"] = str(tile_points)
    if source:
        env["PYTHONPATH"] = os.pathsep.join([str(source)] + [p for p in [
            env.get("PYTHONPATH")] if p])
    return env


def _seconds(text):
    """'m:ss.ss' or 'h:mm:ss' -> seconds."""
    out = 0.0
    for part in text.split(":"):
        out = out * 60 + float(part)
    return out


def measured(args, env, cwd):
    """Run ``python -m mrai ARGS`` once; {'rss_kb', 'elapsed', 'user', 'system'} of it."""
    command = [sys.executable, "-m", "mrai", *args]
    if os.access(TIME, os.X_OK):
        done = subprocess.run([TIME, "-v", *command], env=env, cwd=cwd,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if done.returncode:
            raise SystemExit(f"failed ({done.returncode}): {' '.join(args)}\n{done.stderr}")
        figures = {}
        for line in done.stderr.splitlines():
            key, _, value = line.strip().rpartition(": ")
            if key in FIELDS:
                figures[FIELDS[key]] = value
        return {"rss_kb": int(figures["rss_kb"]), "elapsed": _seconds(figures["elapsed"]),
                "user": float(figures["user"]), "system": float(figures["system"]),
                "how": "/usr/bin/time -v"}
    start = time.perf_counter()
    child = subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    stderr = child.stderr.read().decode(errors="replace")
    child.stderr.close()
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"failed: {' '.join(args)}\n{stderr}")
    return {"rss_kb": int(usage.ru_maxrss), "elapsed": time.perf_counter() - start,
            "user": usage.ru_utime, "system": usage.ru_stime, "how": "os.wait4"}


def line(size, label, figures):
    return (f"{size:>10}  {label:<16} max RSS {figures['rss_kb'] / 1024 ** 2:6.2f} GB   "
            f"elapsed {figures['elapsed']:6.1f} s   user {figures['user']:6.1f} s   "
            f"system {figures['system']:5.1f} s")


def compare(folder, untiled, sigma):
    """Lines of r / RMSD against the reference and default - untiled differences."""
    from mrai.fileio import read
    from mrai.metrics import quality

    ref = read(str(folder / "ref.ft2"))[1]
    tiled = read(str(folder / "default.ft2"))[1]
    q = quality(tiled, ref)
    out = [f"{'':>10}  default r {q['r']:.6f}  RMSD {q['rmsd']:.6f}"]
    if untiled:
        whole = read(str(folder / "untiled.ft2"))[1]
        q = quality(whole, ref)
        out.append(f"{'':>10}  untiled r {q['r']:.6f}  RMSD {q['rmsd']:.6f}")
        pairs = [("reconstruction", tiled, whole)]
        if sigma:
            pairs.append(("sigma", read(str(folder / "default_sigma.ft2"))[1],
                          read(str(folder / "untiled_sigma.ft2"))[1]))
        for name, a, b in pairs:
            diff = float(np.abs(np.asarray(a, np.float64) - b).max()) / \
                float(np.abs(b).max())
            out.append(f"{'':>10}  {name}: max |default - untiled| / max = {diff:.2e}")
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(SIZES),
                        help="F1xF2 sizes, comma-separated [%(default)s]")
    parser.add_argument("--no-sigma", action="store_true", help="skip the --sigma runs")
    parser.add_argument("--no-untiled", action="store_true",
                        help="skip the untiled run (and the comparison)")
    parser.add_argument("--source", help="run the commands from this checkout of mrai")
    parser.add_argument("--keep", help="keep the spectra in this folder")
    args = parser.parse_args(argv)

    folder = Path(args.keep or tempfile.mkdtemp(prefix="mrai-memory-"))
    folder.mkdir(parents=True, exist_ok=True)
    tiled_env = environment(args.source)
    whole_env = environment(args.source, 0)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
          f"code from {args.source or ROOT}; max RSS from "
          f"{'/usr/bin/time -v' if os.access(TIME, os.X_OK) else 'os.wait4'}")
    try:
        for size in args.sizes.split(","):
            if not re.fullmatch(r"\d+x\d+", size):
                raise SystemExit(f"a size is F1xF2, not {size!r}")
            here = folder / size
            here.mkdir(exist_ok=True)
            subprocess.run([sys.executable, "-m", "mrai", "simulate", "--size", size,
                            "--seed", "1", "-o", "ref.ft2", "--echo", "echo.ft2", "-ov"],
                           env=tiled_env, cwd=here, check=True, stderr=subprocess.DEVNULL)
            base = ["reconstruct", "--echo", "echo.ft2", "-ov"]
            runs = [("default", tiled_env, ["-o", "default.ft2"])]
            if not args.no_sigma:
                runs.append(("default --sigma", tiled_env,
                             ["-o", "default.ft2", "--sigma", "default_sigma.ft2"]))
            if not args.no_untiled:
                runs.append(("untiled" + ("" if args.no_sigma else " --sigma"), whole_env,
                             ["-o", "untiled.ft2"] + ([] if args.no_sigma else
                                                      ["--sigma", "untiled_sigma.ft2"])))
            for label, env, extra in runs:
                print(line(size, label, measured(base + extra, env, here)), flush=True)
            for text in compare(here, not args.no_untiled, not args.no_sigma):
                print(text, flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
