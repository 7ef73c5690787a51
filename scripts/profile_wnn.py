#!/usr/bin/env python
"""Where the time of one ``mrai reconstruct --echo`` goes: command-line imports, Keras import,
model build and load, reconstruction, and the interpreter teardown the command skips.

    python scripts/profile_wnn.py --spectrum ../shared/data/malt1_trosy/malt1_trosy.ft2
    python scripts/profile_wnn.py --precision float32

Runs the real command in a fresh Python (the imports are part of the cost) and marks each phase
on the way; the Echo input is made from the full spectrum (default: a simulated 256 x 2048 one).
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

from mrai.fileio import read, write
from mrai.physics import echo_part

CHILD = r"""
import sys, time
t0 = time.perf_counter()
marks = []
def mark(name):
    marks.append((name, time.perf_counter() - t0))
from mrai.cli.main import main
mark("command-line imports")
import mrai.nn
mark("Keras import")
import mrai.nn.inference as inference
load, rebuild = inference.load_model, inference.reconstruct
def timed_load(*a):
    out = load(*a)
    mark("model build and load")
    return out
def timed_reconstruct(*a):
    out = rebuild(*a)
    mark("reconstruction")
    return out
inference.load_model, inference.reconstruct = timed_load, timed_reconstruct
code = main(sys.argv[1:])
mark("write and finish")
previous = 0.0
for name, at in marks:
    print(f"{name}\t{at - previous:.3f}", file=sys.stderr)
    previous = at
print(f"total before teardown\t{previous:.3f}", file=sys.stderr)
sys.stderr.flush()
sys.exit(code)
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spectrum", help="full 2D NMRPipe spectrum [simulated 256x2048]")
    parser.add_argument("--precision", default="auto", choices=("auto", "float32", "bfloat16"))
    args = parser.parse_args()
    if args.spectrum:
        dic, ref = read(args.spectrum)
    else:
        from mrai.fileio.header import spectrum_header
        from mrai.simulate import simulate
        ref = simulate(seed=0).reference
        dic = spectrum_header(ref.shape)
    with tempfile.TemporaryDirectory() as folder:
        src, out = os.path.join(folder, "echo.ft2"), os.path.join(folder, "out.ft2")
        write(src, dic, echo_part(np.asarray(ref, dtype=np.float32)))
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", CHILD, "reconstruct", "--echo", src, "-o",
                               out, "--precision", args.precision],
                              capture_output=True, text=True, check=True)
        wall = time.perf_counter() - start
    phases = [line.split("\t") for line in proc.stderr.splitlines() if "\t" in line]
    print(f"mrai reconstruct --echo --precision {args.precision}, "
          f"{ref.shape[0]}x{ref.shape[1]}:")
    for name, seconds in phases:
        print(f"  {name:<28}{float(seconds):7.2f} s")
    total = float(phases[-1][1])
    print(f"  {'teardown (skipped by mrai)':<28}{wall - total:7.2f} s  (process start and "
          f"interpreter teardown with TensorFlow loaded)")
    print(f"  {'wall':<28}{wall:7.2f} s")


if __name__ == "__main__":
    main()
