#!/usr/bin/env python
"""CS-IST benchmark: quality (r and RMSD, docs/conventions.md) for Echo, Anti-Echo and 50 %
Poisson-gap NUS, wall time, and the time per iteration as a ratio to two complex 2D FFTs of the
same size measured in the same run.

    python scripts/bench_ist.py                      # a simulated 256 x 2048 spectrum
    python scripts/bench_ist.py --spectrum ../shared/data/malt1_trosy/malt1_trosy.ft2

MALT1 is scored on F2 points 100..800 (NMRPipe EXT x1=100 xn=800), as published; other spectra
on all points. Also runs the MR-Ai authors' scheme (linear threshold, 200 iterations, one-sided,
accumulated, no final data consistency), re-implemented here, as an in-process baseline.
"""

import argparse
import os
import time

import numpy as np
import scipy.fft as sfft

from timing import best_of

from mrai.fileio import read
from mrai.methods.ist import DEFAULTS, ist
from mrai.methods.projection import Projection
from mrai.metrics import f2_region, quality
from mrai.physics import antiecho_part, echo_part, flip, nus_degrade
from mrai.simulate import poisson_gap, schedule_size, simulate


def mrai_authors_ist(y, project, iterations=200):
    """The MR-Ai authors' CS-IST as docs/ist.md describes it (baseline only)."""
    x, r = np.zeros_like(y), y.copy()
    t0 = float(np.abs(r).max())
    for i in range(iterations):
        t = t0 * (1 - i / iterations)
        k = np.argmax(np.abs(r))
        s = np.sign(r.flat[k])
        x += s * np.maximum(s * r - t, 0)
        r = y - project(x)
    return x




def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spectrum", help="NMRPipe 2D spectrum (default: simulated)")
    parser.add_argument("--seed", type=int, default=0, help="simulation and schedule seed")
    parser.add_argument("--no-baseline", action="store_true", help="skip the MR-Ai scheme")
    args = parser.parse_args()
    if args.spectrum:
        _, ref = read(args.spectrum)
        name = os.path.basename(args.spectrum)
        region = f2_region(100, 800) if "malt1" in name.lower() else None
    else:
        ref, name, region = simulate(seed=args.seed).reference, "simulated 256x2048", None
    ref = ref.astype(np.float32)
    n0 = ref.shape[0]
    schedule = poisson_gap(n0 // 2, schedule_size(n0 // 2, 0.5), seed=args.seed)
    cases = {"echo": echo_part(ref), "antiecho": antiecho_part(ref),
             "nus50": nus_degrade(ref, schedule)}
    print(f"spectrum: {name} {ref.shape[0]}x{ref.shape[1]}"
          + (", scored on F2 points 100..800" if region else ""))
    print(f"{'case':<10}{'input r':>9}{'IST r':>9}{'IST RMSD':>10}{'time s':>8}{'iter':>6}"
          + ("" if args.no_baseline else f"{'MR-Ai r':>9}{'RMSD':>8}{'time s':>8}"))
    for case, measured in cases.items():
        mode = "nus" if case.startswith("nus") else case
        sched = schedule if mode == "nus" else None
        start = time.perf_counter()
        out = ist(measured, mode, sched)
        wall = time.perf_counter() - start
        q, q0 = quality(out, ref, region), quality(measured, ref, region)
        line = (f"{case:<10}{q0['r']:>9.4f}{q['r']:>9.4f}{q['rmsd']:>10.4f}{wall:>8.2f}"
                f"{DEFAULTS[mode][0]:>6}")
        if not args.no_baseline:
            y = flip(measured) if mode == "antiecho" else measured
            project = Projection(ref.shape, "nus" if mode == "nus" else "echo", sched)
            start = time.perf_counter()
            base = mrai_authors_ist(y, project)
            base_wall = time.perf_counter() - start
            base = flip(base) if mode == "antiecho" else base
            qb = quality(base, ref, region)
            line += f"{qb['r']:>9.4f}{qb['rmsd']:>8.4f}{base_wall:>8.2f}"
        print(line, flush=True)
    # cost of one iteration against two complex 2D FFTs, same size, same process
    iterations = 100
    per_iteration = best_of(lambda: ist(cases["echo"], "echo", iterations=iterations,
                                        final_threshold=1e-3), 3) / iterations
    z = ref.astype(np.complex64)
    two_ffts = best_of(lambda: (sfft.ifft2(sfft.fft2(z, workers=-1), workers=-1)), 10)
    print(f"time per iteration {per_iteration * 1e3:.2f} ms; two complex 2D FFTs "
          f"{two_ffts * 1e3:.2f} ms; ratio {per_iteration / two_ffts:.2f}")


if __name__ == "__main__":
    main()
