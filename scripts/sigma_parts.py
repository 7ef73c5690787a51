#!/usr/bin/env python
"""Where a noise-scaled IST-NUS sigma network's sigma comes from: its part in units of Smax
(floor + gain ReLU(x1)) and its part in units of the noise N (N ReLU(x2)), each as a root mean
square over the noise points (|mu| < 0.003 Smax) and the signal points (|mu| > 0.01 Smax),
beside the true error, for 50 % Poisson-gap NUS (seed 0) of a real spectrum and of simulated
spectra like it. Before calibration (both parts are multiplied by the same factor after it).

    python scripts/sigma_parts.py --spectrum ../shared/data/malt1_trosy/malt1_trosy.ft2
"""

import argparse
import os

import numpy as np

from mrai.fileio import read
from mrai.methods.ist import ist
from mrai.nn.inference import load_sigma, model_dir
from mrai.nn.sigma_data import sigma_inputs
from mrai.physics import nus_degrade
from mrai.simulate import SimulationSettings, poisson_gap, schedule_size, simulate


def parts(model, measured, mu):
    """(Smax part, N part) of sigma / Smax, before calibration, for one NUS spectrum."""
    if not model.sigma_config.noise_scale:
        raise SystemExit("the network has no noise-scaled part (noise_scale is off)")
    inputs = sigma_inputs(measured[None], mu[None], model.sigma_config.holdout)
    return tuple(np.asarray(p)[0] for p in model.parts(inputs))


def report(model, name, reference):
    reference = (reference / np.abs(reference).max()).astype(np.float32)
    n = reference.shape[0] // 2
    schedule = poisson_gap(n, schedule_size(n, 0.5), seed=0)
    measured = nus_degrade(reference, schedule)
    mu = ist(measured, "nus", schedule)
    smax_part, noise_part = parts(model, measured, mu)
    error = (mu - reference) / np.abs(mu).max()
    level = np.abs(mu) / np.abs(mu).max()
    for label, points in (("noise", level < 0.003), ("signal", level > 0.01)):
        rms = lambda a: float(np.sqrt(np.mean(a[points] ** 2)))  # noqa: E731
        print(f"{name:<34}{label:<8}{rms(error):>9.4f}{rms(smax_part):>11.4f}"
              f"{rms(noise_part):>9.4f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spectrum", help="real full 2D NMRPipe spectrum (MALT1)")
    parser.add_argument("--model", default=os.path.join(model_dir(), "sigma-ist-nus.weights.h5"))
    parser.add_argument("--peaks", type=int, default=200, help="simulated peaks on 256 x 2048")
    args = parser.parse_args()
    model, _ = load_sigma(args.model, "float32")
    print(f"{'spectrum':<34}{'points':<8}{'error':>9}{'Smax part':>11}{'N part':>9}"
          "   (rms, relative to Smax)")
    if args.spectrum:
        report(model, os.path.basename(args.spectrum), np.asarray(read(args.spectrum)[1]))
    for noise in (0.0005, 0.0037, 0.01):
        size = (256, 2048)
        settings = SimulationSettings(size=size, acquired=(128, 942), peaks=(args.peaks,) * 2,
                                      noise=noise, window=(0.48, 0.95, 2.0))
        report(model, f"simulated, noise {noise:g}", simulate(settings, seed=0).reference)


if __name__ == "__main__":
    main()
