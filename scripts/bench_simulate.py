#!/usr/bin/env python
"""Time the simulator: one 256 x 2048 spectrum with 2,000 peaks, against a 2D FFT of the same size
measured in the same process (the ratio is what to compare across machines).

    python scripts/bench_simulate.py [--size 256x2048] [--peaks 2000] [--repeats 5]
"""

import argparse

import numpy as np
import scipy.fft as sfft

from timing import best_of

from mrai.simulate import simulate




def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="256x2048")
    parser.add_argument("--peaks", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    size = tuple(int(v) for v in args.size.split("x"))
    x = np.random.default_rng(0).standard_normal(size).astype(np.complex64)
    fft = best_of(lambda: sfft.fft2(x, workers=-1), args.repeats)
    simulate(seed=0, size=size, peaks=args.peaks)  # warm up
    sim = best_of(lambda: simulate(seed=1, size=size, peaks=args.peaks), args.repeats)
    print(f"simulate {size[0]}x{size[1]}, {args.peaks} peaks: {sim:.3f} s "
          f"(best of {args.repeats}); one complex 2D FFT: {fft * 1e3:.1f} ms; "
          f"ratio {sim / fft:.1f}")


if __name__ == "__main__":
    main()
