#!/usr/bin/env python
"""Where along F2 a sigma network's band holds and where it does not: for each measured
spectrum (scripts/realdata.py) and Echo case, per block of F2 columns, the true error's rms
against sigma's rms, and the F1 ridge level (mrai.nn.sigma.ridge_level) of the reconstruction mu
and of the measured Echo spectrum, in units of the noise level N (mrai.nn.sigma.noise_level).

    python scripts/sigma_columns.py                          # malt1, wnn-echo, 8 blocks
    python scripts/sigma_columns.py --spectra adkins --method ist-echo --blocks 16
    python scripts/sigma_columns.py --columns 1005:1036      # one range, column by column

Figures of docs/uncertainty.md ("the ridge part") come from here.
"""

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import realdata  # noqa: E402

from mrai import reconstruction  # noqa: E402
from mrai.methods import table  # noqa: E402
from mrai.nn.inference import load_model, load_sigma, predict_sigma  # noqa: E402
from mrai.nn.models import default_sigma_model  # noqa: E402
from mrai.runtime.sigma import noise_level, ridge_level  # noqa: E402


def rms(x):
    return float(np.sqrt(np.mean(np.square(x)))) if x.size else float("nan")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spectra", default="malt1", help="comma-separated realdata names")
    parser.add_argument("--method", default="wnn-echo", choices=("wnn-echo", "ist-echo"))
    parser.add_argument("--model", help="sigma weights [the shipped network of --method]")
    parser.add_argument("--blocks", type=int, default=8, help="F2 blocks [8]")
    parser.add_argument("--columns", help="FIRST:LAST (0-based, end excluded): these columns "
                                          "one by one instead of blocks")
    parser.add_argument("--data", help="folder of the measured sets")
    args = parser.parse_args(argv)
    sigma_model = load_sigma(args.model or default_sigma_model(args.method))[0]
    wnn = load_model(None) if args.method == "wnn-echo" else None
    for spec in realdata.spectra(args.spectra.split(","), data=args.data):
        for case, e, measured, schedule in table.real_cases(args.method, spec.spectrum,
                                                            spec.start):
            mu = reconstruction.solver(e, schedule, start=spec.start,
                                       model=wnn if e.method == "wnn" else None).solve(measured)
            sigma = predict_sigma(sigma_model, measured, mu, e.mode, spec.start)
            smax = float(np.abs(mu).max())
            err = (spec.spectrum - mu) / smax
            s = sigma / smax
            u = (mu / smax)[None].astype(np.float32)
            n = float(noise_level(u)[0, 0, 0])
            r_mu = ridge_level(u)[0, 0] / n
            r_m = ridge_level((measured / smax)[None].astype(np.float32))[0, 0] / n
            width = err.shape[1]
            if args.columns:
                lo, hi = (int(v) for v in args.columns.split(":"))
                spans = [(c, c + 1) for c in range(lo, min(hi, width))]
            else:
                spans = [(b * width // args.blocks, (b + 1) * width // args.blocks)
                         for b in range(args.blocks)]
            print(f"{spec.name} {case} ({args.method}); N = {n:.5f} of Smax")
            print("   columns     error rms  sigma rms  (of Smax)   ridge/N of mu  of measured")
            for lo, hi in spans:
                print(f"  {lo:5d}..{hi - 1:<5d}  {rms(err[:, lo:hi]):9.4f}  {rms(s[:, lo:hi]):9.4f}"
                      f"              {r_mu[lo:hi].mean():8.2f}  {r_m[lo:hi].mean():8.2f}")


if __name__ == "__main__":
    main()
