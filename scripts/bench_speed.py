#!/usr/bin/env python
"""Whole-process speed of the mrai commands, as ratios to a fixed numpy FFT workload timed in the
same run, so that the figures compare across machines; with --size-check, the installed size of
a fresh default environment.

    python scripts/bench_speed.py                    # MALT1's Echo part (../shared), else simulated
    python scripts/bench_speed.py --repeats 5 --spectrum SPECTRUM.ft2
    python scripts/bench_speed.py --size-check       # also: a fresh venv with `pip install .`

Each command runs as a user runs it, in its own process (``python -m mrai ...``, what the
``mrai`` console script runs), ``--repeats`` times; the median wall time is printed in seconds and
as a ratio to the workload: 50 complex128 256 x 2048 2D FFTs with numpy.fft (pocketfft, one
thread), timed before and after the commands (median of both). The input is the Echo part
(``mrai degrade --echo``) of ../shared/data/malt1_trosy/malt1_trosy.ft2, or of a simulated
256 x 2048 spectrum (``mrai simulate``) when ../shared is absent; r and RMSD of the
reconstructions against the full spectrum are printed (MALT1 on F2 points 100..800, as
published) as a check that speed did not cost quality.

--size-check makes a virtual environment in a temporary folder, runs ``pip install .`` (the
default extras: no TensorFlow) into it (a few minutes; needs the package index or a pip cache),
prints its installed size (du), package count and whether TensorFlow or Keras is in it, and runs
``mrai reconstruct --echo --sigma`` and ``mrai score`` there.
"""

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
MALT1 = ROOT.parent / "shared" / "data" / "malt1_trosy" / "malt1_trosy.ft2"
FLAGS = ("avx2", "avx512f", "avx512_bf16", "amx_bf16", "amx_tile", "amx_int8")
MRAI = [sys.executable, "-m", "mrai"]


def fft_workload(count=50, shape=(256, 2048)):
    """Seconds for ``count`` complex128 2D FFTs of ``shape`` with numpy.fft (single-threaded)."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape) + 1j * rng.standard_normal(shape)
    np.fft.fft2(x)  # warm up (plans, pages)
    start = time.perf_counter()
    for _ in range(count):
        np.fft.fft2(x)
    return time.perf_counter() - start


def cpu_description():
    """(model, [flags present among FLAGS], usable cores, logical CPUs)."""
    model, flags = platform.processor() or platform.machine(), set()
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                key, _, value = line.partition(":")
                if key.strip() == "model name" and model in ("", platform.machine(),
                                                              platform.processor()):
                    model = value.strip()
                elif key.strip() in ("flags", "Features"):
                    flags.update(value.split())
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return model, [f for f in FLAGS if f in flags], usable, os.cpu_count()


def run(args, cwd, env=None, check=True):
    """(wall seconds, completed process) of one command."""
    start = time.perf_counter()
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if check and proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(map(str, args))}\n{proc.stderr}")
    return elapsed, proc


def prepare(folder, spectrum):
    """(name, reference path, Echo path, region for quality) in ``folder``."""
    if spectrum is None and MALT1.exists():
        spectrum = MALT1
    echo = folder / "echo.ft2"
    if spectrum is not None:
        run(MRAI + ["degrade", "--echo", str(spectrum), "-o", str(echo)], folder)
        malt1 = "malt1" in Path(spectrum).name.lower()
        return Path(spectrum).name, Path(spectrum), echo, (100, 800) if malt1 else None
    reference = folder / "reference.ft2"
    run(MRAI + ["simulate", "--size", "256x2048", "--echo", str(echo), "-o", str(reference)],
        folder)
    return "simulated 256x2048", reference, echo, None


def commands(echo):
    """[(label, mrai arguments)] in the order they are timed (score reads wnn_sigma.ft2)."""
    return [
        ("mrai --help", ["--help"]),
        ("reconstruct --echo (WNN)", ["reconstruct", "--echo", str(echo), "-o", "wnn.ft2",
                                      "-ov"]),
        ("reconstruct --echo --method ist", ["reconstruct", "--echo", "--method", "ist",
                                             str(echo), "-o", "ist.ft2", "-ov"]),
        ("reconstruct --echo --sigma S", ["reconstruct", "--echo", str(echo), "-o",
                                          "wnn_sigma.ft2", "--sigma", "sigma.ft2", "-ov"]),
        ("score", ["score", "wnn_sigma.ft2"]),
    ]


def quality_lines(folder, reference, region):
    from mrai.fileio import read
    from mrai.metrics import f2_region, quality

    _, ref = read(str(reference))
    index = f2_region(*region) if region else None
    lines = []
    for name in ("wnn.ft2", "ist.ft2"):
        q = quality(read(str(folder / name))[1], ref, index)
        lines.append(f"  {name:<8} r {q['r']:.4f}  RMSD {q['rmsd']:.4f}")
    return lines


def size_check(keep):
    """Make a fresh venv, pip install . into it, report size and run the network commands."""
    base = Path(tempfile.mkdtemp(prefix="mrai-size-"))
    venv = base / "venv"
    print(f"\n--size-check: fresh venv in {venv} (pip install {ROOT})", flush=True)
    start = time.perf_counter()
    run([sys.executable, "-m", "venv", str(venv)], base)
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    python = bindir / "python"
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    _, proc = run([str(python), "-m", "pip", "install", "--quiet", str(ROOT)], base, env=clean,
                  check=False)
    minutes = (time.perf_counter() - start) / 60
    if proc.returncode != 0:
        print(f"  pip install . failed ({proc.returncode}) after {minutes:.1f} min:\n"
              f"{proc.stderr[-2000:]}")
        return
    du = subprocess.run(["du", "-sk", str(venv)], capture_output=True, text=True)
    size_mb = int(du.stdout.split()[0]) / 1024 if du.returncode == 0 else float("nan")
    _, listed = run([str(python), "-m", "pip", "list", "--format", "json"], base, env=clean)
    packages = {p["name"].lower() for p in json.loads(listed.stdout)}
    print(f"  installed in {minutes:.1f} min: {size_mb:.0f} MB (du of the venv), "
          f"{len(packages)} packages")
    for name in ("tensorflow", "keras", "onnx", "onnxruntime", "nmrglue"):
        print(f"  {name:<12} {'installed' if name in packages else 'absent'}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        mrai = [str(python), "-m", "mrai"]
        steps = [["simulate", "--size", "64x256", "--echo", "e.ft2", "-o", "r.ft2"],
                 ["reconstruct", "--echo", "e.ft2", "-o", "w.ft2", "--sigma", "s.ft2"],
                 ["score", "w.ft2"]]
        for step in steps:
            seconds, proc = run(mrai + step, folder, env=clean, check=False)
            status = "ok" if proc.returncode == 0 else f"FAILED ({proc.returncode})"
            print(f"  fresh venv: mrai {' '.join(step[:2])}: {status}, {seconds:.2f} s")
            if proc.returncode != 0:
                print("    " + proc.stderr.strip().replace("\n", "\n    "))
                break
    if keep:
        print(f"  kept {base}")
    else:
        shutil.rmtree(base, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spectrum", help="a real 2D NMRPipe spectrum whose Echo part is "
                                           "reconstructed [MALT1 from ../shared, else simulated]")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each command [3]")
    parser.add_argument("--size-check", action="store_true",
                        help="also install the default extras into a fresh venv and report")
    parser.add_argument("--keep", action="store_true", help="keep the --size-check venv")
    args = parser.parse_args()

    model, flags, usable, logical = cpu_description()
    print(f"CPU: {model}; {usable} usable cores ({logical} logical CPUs); "
          f"flags: {', '.join(flags) or 'none of ' + ', '.join(FLAGS)}")
    print(f"Python {platform.python_version()}, numpy {np.__version__}; "
          f"commands: {' '.join(os.path.basename(a) for a in MRAI)} ... (whole process, "
          f"median of {args.repeats})")
    workload = [fft_workload() for _ in range(3)]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        name, reference, echo, region = prepare(folder, args.spectrum)
        print(f"input: Echo part of {name}")
        results = []
        for label, arguments in commands(echo):
            times, last = [], None
            for _ in range(args.repeats):
                seconds, last = run(MRAI + arguments, folder)
                times.append(seconds)
            results.append((label, statistics.median(times), min(times), last))
        workload += [fft_workload() for _ in range(3)]
        unit = statistics.median(workload)
        print(f"\nworkload: 50 complex 256x2048 2D FFTs (numpy.fft, one thread): {unit:.3f} s "
              f"(median of {len(workload)}, spread {min(workload):.3f}-{max(workload):.3f})\n")
        print(f"{'command':<34}{'median s':>10}{'min s':>9}{'ratio':>9}")
        for label, median, best, _ in results:
            print(f"{label:<34}{median:>10.2f}{best:>9.2f}{median / unit:>9.2f}")
        notes = [line for _, _, _, proc in results[1:4]
                 for line in proc.stderr.splitlines() if line.startswith("mrai reconstruct:")]
        print("\n" + "\n".join(f"  {line}" for line in dict.fromkeys(notes)))
        print("quality against the full spectrum"
              + (f" (F2 points {region[0]}..{region[1]})" if region else "") + ":")
        print("\n".join(quality_lines(folder, reference, region)))
        print(f"  score: {results[-1][3].stdout.strip().splitlines()[-1]}")
    if args.size_check:
        size_check(args.keep)


if __name__ == "__main__":
    main()
