#!/usr/bin/env python
"""Calibration of the sigma networks: coverage of the 95 % band (mu +- 1.96 sigma), pSQ / true
RMSD, and the Spearman rank correlation of pSQ with the true RMSD over all reconstructions.

    python scripts/bench_sigma.py --spectrum ../shared/data/malt1_trosy/malt1_trosy.ft2
    python scripts/bench_sigma.py --count 50 --models models

Held-out simulated set: ``--count`` spectra (128 x 1024) drawn by the sigma networks' own
validation recipe but from another seed, so peak count, linewidths and noise vary; each method
reconstructs them (WNN Echo, IST Echo, IST NUS at 30..70 %). pSQ / RMSD is also given by the
reference's noise level (mrai.nn.sigma.noise_level: low, middle, high). The real spectrum
(MALT1: F2 points 100..800) is scored on Echo, Anti-Echo and 50 % Poisson-gap NUS (seed 0);
its cases are ranked by pSQ and by the true RMSD, one by one and as methods (the mean over each
method's cases). The Spearman correlation is given over all reconstructions and within each
method. Methods whose sigma network is missing are skipped, with a note.
"""

import argparse
import os

import numpy as np
from scipy.stats import spearmanr

from mrai.fileio import read
from mrai import reconstruction
from mrai.methods import table
from mrai.metrics import f2_region, quality
from mrai.nn.data import TrainingRecipe
from mrai.nn.inference import load_model, load_sigma, predict_sigma
from mrai.nn.sigma import noise_level
from mrai.nn.sigma_data import reconstructor, sigma_set
from mrai.uncertainty import coverage, psq

METHODS = table.SIGMA_NETWORKS
BENCH_SEED = 20241122
NOISE_EDGES = (1e-3, 5e-3)  # noise groups of the simulated set (MALT1: about 2e-3)


def load_sigmas(folder):
    found = {}
    for method in METHODS:
        path = os.path.join(folder, f"sigma-{method}.weights.h5")
        if os.path.isfile(path):
            found[method] = load_sigma(path, "auto")[0]
        else:
            print(f"note: no {path}; {method} skipped")
    return found


def score(sigma, mu, reference, region=None):
    true = quality(mu, reference, region)["rmsd"]
    predicted = psq(mu, sigma, region)
    return {"coverage": coverage(reference, mu, sigma, region=region), "psq": predicted,
            "rmsd": true, "ratio": predicted / true}


def simulated(sigmas, wnn, count):
    rows = []
    for method, model in sigmas.items():
        rng = np.random.default_rng(BENCH_SEED)
        recipe = TrainingRecipe()
        measured, mu, reference = sigma_set(method, recipe, rng, (128, 1024), count,
                                            reconstructor(method, wnn and wnn[0]))
        mode = table.for_sigma(method)[0].mode
        noise = np.asarray(noise_level(reference)).ravel()
        for m, u, r, n in zip(measured, mu, reference, noise):
            rows.append({"method": method, "case": "simulated", "noise": float(n),
                         **score(predict_sigma(model, m, u, mode), u, r)})
    return rows


def real(sigmas, wnn, path):
    _, spectrum = read(path)
    spectrum = np.asarray(spectrum, dtype=np.float32)
    region = f2_region(100, 800) if "malt1" in os.path.basename(path).lower() else None
    rows = []
    for method, model in sigmas.items():
        for case, e, measured, schedule in table.real_cases(method, spectrum):
            mu = reconstruction.solver(e, schedule, model=wnn if e.method == "wnn" else None) \
                .solve(measured)
            sigma = predict_sigma(model, measured, mu, e.mode)
            rows.append({"method": method, "case": case, **score(sigma, mu, spectrum, region)})
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spectrum", help="real full 2D NMRPipe spectrum (MALT1)")
    parser.add_argument("--models", default=None, help="folder of sigma-*.weights.h5 [shipped]")
    parser.add_argument("--count", type=int, default=50, help="simulated spectra per method")
    args = parser.parse_args()
    from mrai.nn.inference import model_dir

    sigmas = load_sigmas(args.models or model_dir())
    wnn = load_model(None, "auto") if "wnn-echo" in sigmas else None
    rows = simulated(sigmas, wnn, args.count)
    print(f"held-out simulated set: {args.count} spectra 128x1024 per method")
    print(f"{'method':<10}{'coverage':>10}{'(min)':>8}{'pSQ/RMSD':>10}{'(range)':>16}")
    for method in sigmas:
        sub = [r for r in rows if r["method"] == method]
        cov = np.array([r["coverage"] for r in sub])
        ratio = np.array([r["ratio"] for r in sub])
        print(f"{method:<10}{cov.mean():>10.3f}{cov.min():>8.3f}{np.median(ratio):>10.2f}"
              f"{f'{ratio.min():.2f}..{ratio.max():.2f}':>16}")
    edges = NOISE_EDGES
    print(f"median pSQ/RMSD by the reference's noise level (robust std / max): "
          f"< {edges[0]:g}, {edges[0]:g}..{edges[1]:g}, > {edges[1]:g}")
    for method in sigmas:
        sub = [r for r in rows if r["method"] == method]
        groups = np.digitize([r["noise"] for r in sub], edges)
        cells = []
        for g in range(3):
            ratio = [r["ratio"] for r, k in zip(sub, groups) if k == g]
            cells.append(f"{np.median(ratio):.2f} ({len(ratio)})" if ratio else "-")
        print(f"{method:<10}" + "".join(f"{c:>14}" for c in cells))
    if args.spectrum:
        real_rows = real(sigmas, wnn, args.spectrum)
        rows += real_rows
        print(f"real spectrum {os.path.basename(args.spectrum)}:")
        print(f"{'method':<10}{'case':<10}{'coverage':>10}{'pSQ':>9}{'RMSD':>9}{'pSQ/RMSD':>10}")
        for r in real_rows:
            print(f"{r['method']:<10}{r['case']:<10}{r['coverage']:>10.3f}{r['psq']:>9.4f}"
                  f"{r['rmsd']:>9.4f}{r['ratio']:>10.2f}")
        names = [f"{r['method']}/{r['case']}" for r in real_rows]
        by_psq = [names[i] for i in np.argsort([r["psq"] for r in real_rows])]
        by_rmsd = [names[i] for i in np.argsort([r["rmsd"] for r in real_rows])]
        print(f"best to worst by pSQ:  {', '.join(by_psq)}")
        print(f"best to worst by RMSD: {', '.join(by_rmsd)}"
              f" ({'same order' if by_psq == by_rmsd else 'order differs'})")
        methods = list(dict.fromkeys(r["method"] for r in real_rows))  # mean over its cases
        mean = {key: [np.mean([r[key] for r in real_rows if r["method"] == m]) for m in methods]
                for key in ("psq", "rmsd")}
        by_psq, by_rmsd = ([methods[i] for i in np.argsort(mean[key])] for key in ("psq", "rmsd"))
        print(f"methods best to worst (mean over their cases) by pSQ: {', '.join(by_psq)}; "
              f"by RMSD: {', '.join(by_rmsd)} "
              f"({'same order' if by_psq == by_rmsd else 'order differs'})")
    if len(rows) >= 3:
        rho = spearmanr([r["psq"] for r in rows], [r["rmsd"] for r in rows]).statistic
        print(f"Spearman(pSQ, true RMSD) over {len(rows)} reconstructions: {rho:.4f}")
        within = []
        for method in sigmas:
            sub = [r for r in rows if r["method"] == method]
            rho = spearmanr([r["psq"] for r in sub], [r["rmsd"] for r in sub]).statistic
            within.append(f"{method} {rho:.3f}")
        print(f"  within each method: {', '.join(within)}")


if __name__ == "__main__":
    main()
