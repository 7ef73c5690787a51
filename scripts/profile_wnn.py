#!/usr/bin/env python
"""Where the time of one ``mrai reconstruct --echo`` goes: command-line imports, the backend's
import (ONNX Runtime or Keras/TensorFlow), model load, the IST first estimate, the networks'
convolutional trunks, the numpy/Keras rest (features, data consistency), writing, and the
interpreter teardown.

    python scripts/profile_wnn.py --spectrum ../shared/data/malt1_trosy/malt1_trosy.ft2
    python scripts/profile_wnn.py --backend keras --precision float32

Runs the real command in a fresh Python (the imports are part of the cost) and marks each phase
on the way; the Echo input is made from the full spectrum (default: a simulated 256 x 2048 one).
The CPU's vector extensions are printed with it: an AVX2-only CPU and one with AVX-512 or AMX
give different splits.
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
spent = {"IST first estimate": 0.0, "network trunks": 0.0}
def mark(name):
    marks.append((name, time.perf_counter() - t0))
def timed(name, function):
    def run(*a, **k):
        began = time.perf_counter()
        out = function(*a, **k)
        spent[name] += time.perf_counter() - began
        return out
    return run
from mrai.cli.main import main
mark("command-line imports")
backend = sys.argv.pop(1)
if backend == "keras":
    import mrai.nn.backend
    from mrai.nn.layers import Stage
    Stage.__call__ = timed("network trunks", Stage.__call__)
else:
    import onnxruntime
    from mrai.runtime.session import Trunk
    Trunk.__call__ = timed("network trunks", Trunk.__call__)
mark(f"{backend} import")
import mrai.nn.data as data
import mrai.nn.inference as inference
data.first_estimates = timed("IST first estimate", data.first_estimates)
load, rebuild = inference.load_model, inference.reconstruct
def timed_load(*a, **k):
    out = load(*a, **k)
    mark("model load")
    return out
def timed_reconstruct(*a, **k):
    out = rebuild(*a, **k)
    mark("reconstruction")
    return out
inference.load_model, inference.reconstruct = timed_load, timed_reconstruct
code = main(sys.argv[1:])
mark("write and finish")
previous = 0.0
for name, at in marks:
    print(f"{name}\t{at - previous:.3f}", file=sys.stderr)
    previous = at
    if name == "reconstruction":
        for part, seconds in spent.items():
            print(f"  of it: {part}\t{seconds:.3f}", file=sys.stderr)
print(f"total before teardown\t{previous:.3f}", file=sys.stderr)
sys.stderr.flush()
sys.exit(code)
"""


def cpu():
    """The CPU model and the vector extensions that matter for the convolutions."""
    from mrai.nn.devices import cpu_flags

    flags = cpu_flags()
    model = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            model = next(line.split(":", 1)[1].strip() for line in f
                         if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    found = [f for f in ("avx2", "avx512f", "avx512_bf16", "amx_bf16") if f in flags]
    return f"{model}, {os.cpu_count()} cores, {' '.join(found) or 'no AVX2'}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spectrum", help="full 2D NMRPipe spectrum [simulated 256x2048]")
    parser.add_argument("--backend", default="onnx", choices=("onnx", "keras"))
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
        proc = subprocess.run([sys.executable, "-c", CHILD, args.backend, "reconstruct", "--echo",
                               src, "-o", out, "--backend", args.backend, "--precision",
                               args.precision],
                              capture_output=True, text=True, check=True)
        wall = time.perf_counter() - start
    phases = [line.split("\t") for line in proc.stderr.splitlines() if "\t" in line]
    print(f"mrai reconstruct --echo --backend {args.backend} --precision {args.precision}, "
          f"{ref.shape[0]}x{ref.shape[1]}; {cpu()}:")
    for name, seconds in phases:
        print(f"  {name:<32}{float(seconds):7.2f} s")
    total = float(phases[-1][1])
    print(f"  {'process start and teardown':<32}{wall - total:7.2f} s")
    print(f"  {'wall':<32}{wall:7.2f} s")


if __name__ == "__main__":
    main()
