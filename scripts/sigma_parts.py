#!/usr/bin/env python
"""Where a noise-scaled IST-NUS sigma network's sigma comes from: its part in units of Smax
(floor + gain ReLU(x1)) and its part in units of the noise N (N ReLU(x2), plus rms H ReLU(x3)
for a network with the hold-out input), each as a root mean square over the noise points
(|mu| < 0.003 Smax) and the signal points (|mu| > 0.01 Smax), beside the true error, for 50 %
Poisson-gap NUS (seed 0) of a real spectrum and of simulated spectra like it. Before
calibration (both parts are multiplied by the same factor after it). Each case also gets its
pSQ / true RMSD (calibrated; docs/conventions.md#metrics) and, for hold-out networks, the rms of the
hold-out estimate H beside the true rms error of the F2 columns.

    python scripts/sigma_parts.py --spectrum ../shared/data/malt1_trosy/malt1_trosy.ft2
    python scripts/sigma_parts.py --model OTHER.weights.h5

Simulated cases: 256 x 2048 spectra (acquired 128 x 942, ``--peaks``) at three noise levels, and
MALT1-like ones, the simulator's defaults (mrai.simulate.SimulationSettings: 300 peaks, t1 and
t2 acquired over half the size) with noise 0.002 (MALT1's robust noise level is 0.0021 of its
maximum), at 256 x 2048 and 128 x 1024.
"""

import argparse
import os

import numpy as np

from mrai.fileio import read
from mrai.methods.ist import ist
from mrai.metrics import quality
from mrai.nn.inference import load_sigma, model_dir
from mrai.nn.inference import sigma_inputs
from mrai.physics import nus_degrade
from mrai.simulate import SimulationSettings, poisson_gap, schedule_size, simulate
from mrai.uncertainty import psq
from mrai.uncertainty.holdout import holdout_error


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
    sigma = np.abs(mu).max() * model.sigma_config.calibration * (smax_part + noise_part)
    line = f"{'':<34}pSQ / RMSD {psq(mu, sigma) / quality(mu, reference)['rmsd']:.2f}"
    if model.sigma_config.holdout:
        held = holdout_error(measured, schedule) / np.abs(mu).max()
        columns = np.sqrt(np.mean(error ** 2, axis=0))
        line += (f"; hold-out rms H {np.sqrt(np.mean(held ** 2)):.5f}, "
                 f"true rms column error {np.sqrt(np.mean(columns ** 2)):.5f}")
    print(line)


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
    for size in ((256, 2048), (128, 1024)):
        report(model, f"MALT1-like, {size[0]} x {size[1]}",
               simulate(SimulationSettings(size=size, noise=0.002), seed=0).reference)


if __name__ == "__main__":
    main()
