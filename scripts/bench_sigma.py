#!/usr/bin/env python
"""Calibration of the sigma networks: coverage of the 95 % band (mu +- 1.96 sigma), pSQ / true
RMSD, and the Spearman rank correlation of pSQ with the true RMSD over all reconstructions,
on a held-out simulated set and on the measured spectra over their whole width.

    python scripts/bench_sigma.py --count 8                    # a few minutes on 2 cores
    python scripts/bench_sigma.py --count 50 --models models   # the figures of docs/uncertainty.md
    python scripts/bench_sigma.py --models NEW --count 8       # newly trained networks
    python scripts/bench_sigma.py --spectra malt1 --spectrum OTHER.ft2

Held-out simulated set: ``--count`` spectra (128 x 1024) drawn by the sigma networks' own
validation recipe (``--recipe``, a name of mrai.nn.data.RECIPES; 'plain' is the recipe of the
shipped networks) but from another seed, so peak count, linewidths and noise vary; each method
reconstructs them (WNN Echo, IST Echo, IST NUS at 30..70 %). pSQ / RMSD is also given by the
reference's noise level (mrai.nn.sigma.noise_level: low, middle, high).

Real spectra (scripts/realdata.py; ``--spectra``, default the sets measured and processed
whole: MALT1, penguins, adkins, spectrochempy, fidnet; ``all`` adds the two F2-extracted
processed files; ``--spectrum`` adds any processed NMRPipe file, alone unless ``--spectra``
is given, as docs/uncertainty.md's ``--spectrum MALT1.ft2`` was run): each scored over its WHOLE
width, the Echo and Anti-Echo parts made from the whole spectrum on its own time grid (adkins:
t1 from half a dwell) and a 50 % Poisson-gap NUS spectrum (seed 0) of its t1 half (not on a
half-dwell grid, where the table serves no NUS method); MALT1's reconstructions are also scored
on F2 points 100..800, the published region (docs/conventions.md, "Metrics"). Each
spectrum's cases are ranked by pSQ and by the true RMSD, and MALT1's (100..800) by method (the
mean over each method's cases) as well. The Spearman correlation is given over all
reconstructions (simulated and real over their whole width), over simulated and MALT1 on
100..800 (the figure docs/uncertainty.md has quoted), over the real ones alone, and within each
method. ``--models DIR`` takes the sigma-*.weights.h5 networks (and, when there, the WNN
wnn-echo.weights.h5 that the wnn-echo network describes) from DIR instead of the shipped ones;
methods whose sigma network is missing are skipped, with a note.
"""

import argparse
import os
import sys
import time

import numpy as np
from scipy.stats import spearmanr

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import realdata  # noqa: E402

from mrai import reconstruction  # noqa: E402
from mrai.methods import table  # noqa: E402
from mrai.metrics import quality  # noqa: E402
from mrai.nn.data import RECIPES, recipe_named  # noqa: E402
from mrai.nn.inference import load_model, load_sigma, predict_sigma  # noqa: E402
from mrai.nn.sigma import noise_level  # noqa: E402
from mrai.nn.sigma_data import reconstructor, sigma_set  # noqa: E402
from mrai.uncertainty import coverage, psq  # noqa: E402

METHODS = table.SIGMA_NETWORKS
BENCH_SEED = 20241122
NOISE_EDGES = (1e-3, 5e-3)  # noise groups of the simulated set (MALT1: about 2e-3)
WHOLE = "whole"


def load_sigmas(folder):
    found = {}
    for method in METHODS:
        path = os.path.join(folder, f"sigma-{method}.weights.h5")
        if os.path.isfile(path):
            found[method] = load_sigma(path, "auto")[0]
        else:
            print(f"note: no {path}; {method} skipped")
    return found


def load_wnn(folder, shipped):
    """The WNN (model, card) that the wnn-echo network describes: DIR/wnn-echo.weights.h5
    when ``folder`` has it, else the shipped one; and its path for the log."""
    path = os.path.join(folder, "wnn-echo.weights.h5")
    if not shipped and os.path.isfile(path):
        return load_model(path, "auto"), path
    return load_model(None, "auto"), "shipped"


def score(sigma, mu, reference, region=None):
    true = quality(mu, reference, region)["rmsd"]
    predicted = psq(mu, sigma, region)
    return {"coverage": coverage(reference, mu, sigma, region=region), "psq": predicted,
            "rmsd": true, "ratio": predicted / true}


def simulated(sigmas, wnn, count, recipe):
    rows = []
    for method, model in sigmas.items():
        rng = np.random.default_rng(BENCH_SEED)
        measured, mu, reference = sigma_set(method, recipe, rng, (128, 1024), count,
                                            reconstructor(method, wnn and wnn[0]))
        mode = table.for_sigma(method)[0].mode
        noise = np.asarray(noise_level(reference)).ravel()
        for m, u, r, n in zip(measured, mu, reference, noise):
            rows.append({"spectrum": "simulated", "method": method, "case": "simulated",
                         "region": WHOLE, "noise": float(n),
                         **score(predict_sigma(model, m, u, mode), u, r)})
    return rows


def region_label(region):
    """'F2 FIRST..LAST' (1-based, inclusive, as NMRPipe's EXT counts) of an f2_region index."""
    columns = region[1]
    return f"F2 {columns.start + 1}..{columns.stop}"


def real(sigmas, wnn, spec, note=print):
    """Rows for one realdata.RealSpectrum: every case of every sigma network on the
    spectrum's time grid, scored over the whole width and, where it has one, its region."""
    rows = []
    label = region_label(spec.region) if spec.region is not None else None
    for method, model in sigmas.items():
        for case, e, measured, schedule in table.real_cases(method, spec.spectrum, spec.start):
            if spec.start not in e.grids:
                note(f"note: {spec.name}: no {e.method} {e.mode} on the t1, t2 grid "
                     f"{spec.start} (mrai.methods.table); skipped")
                continue
            mu = reconstruction.solver(e, schedule, start=spec.start,
                                       model=wnn if e.method == "wnn" else None).solve(measured)
            sigma = predict_sigma(model, measured, mu, e.mode, spec.start)
            base = {"spectrum": spec.name, "method": method, "case": case}
            rows.append({**base, "region": WHOLE, **score(sigma, mu, spec.spectrum)})
            if spec.region is not None:
                rows.append({**base, "region": label,
                             **score(sigma, mu, spec.spectrum, spec.region)})
    return rows


def rho(rows):
    if len(rows) < 3:
        return float("nan")
    return float(spearmanr([r["psq"] for r in rows], [r["rmsd"] for r in rows]).statistic)


def print_simulated(rows, sigmas, count, recipe_name):
    print(f"held-out simulated set: {count} spectra 128x1024 per method (recipe {recipe_name})")
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


def order_line(rows, what):
    names = [f"{r['method']}/{r['case']}" for r in rows]
    by_psq = [names[i] for i in np.argsort([r["psq"] for r in rows])]
    by_rmsd = [names[i] for i in np.argsort([r["rmsd"] for r in rows])]
    print(f"  {what} best to worst by pSQ:  {', '.join(by_psq)}")
    print(f"  {' ' * len(what)} best to worst by RMSD: {', '.join(by_rmsd)}"
          f" ({'same order' if by_psq == by_rmsd else 'order differs'})")


def print_real(rows, specs):
    print("real spectra, whole width (Echo, Anti-Echo, NUS 50 % made from the whole spectrum; "
          "grid: t1, t2 start in dwells, off: how far the phases lie from it)")
    print(f"{'spectrum':<14}{'size':>10}{'grid':>9}{'off':>12}  {'method':<10}{'case':<10}"
          f"{'region':<13}{'coverage':>9}{'pSQ':>9}{'RMSD':>9}{'pSQ/RMSD':>10}")
    for spec in specs:
        shape = f"{spec.spectrum.shape[0]}x{spec.spectrum.shape[1]}"
        grid = f"{spec.start[0]:g},{spec.start[1]:g}"
        off = f"{spec.off[0]:.2f},{spec.off[1]:.2f}"
        for r in (r for r in rows if r["spectrum"] == spec.name):
            print(f"{spec.name:<14}{shape:>10}{grid:>9}{off:>12}  {r['method']:<10}"
                  f"{r['case']:<10}{r['region']:<13}{r['coverage']:>9.3f}{r['psq']:>9.4f}"
                  f"{r['rmsd']:>9.4f}{r['ratio']:>10.2f}")
    whole = [r for r in rows if r["region"] == WHOLE]
    print("each method over the real spectra (whole width): mean coverage, median pSQ/RMSD "
          "(range), cases")
    for method in dict.fromkeys(r["method"] for r in whole):
        sub = [r for r in whole if r["method"] == method]
        ratio = np.array([r["ratio"] for r in sub])
        print(f"  {method:<10}{np.mean([r['coverage'] for r in sub]):>8.3f}"
              f"{np.median(ratio):>8.2f} ({ratio.min():.2f}..{ratio.max():.2f}){len(sub):>5}")
    print("cases ranked (whole width):")
    for spec in specs:
        sub = [r for r in whole if r["spectrum"] == spec.name]
        if len(sub) > 1:
            order_line(sub, spec.name)
    for spec in specs:
        sub = [r for r in rows if r["spectrum"] == spec.name and r["region"] != WHOLE]
        if not sub:
            continue
        print(f"{spec.name} on {sub[0]['region']} (the published region):")
        order_line(sub, spec.name)
        methods = list(dict.fromkeys(r["method"] for r in sub))  # mean over its cases
        mean = {key: [np.mean([r[key] for r in sub if r["method"] == m]) for m in methods]
                for key in ("psq", "rmsd")}
        by_psq, by_rmsd = ([methods[i] for i in np.argsort(mean[key])] for key in ("psq", "rmsd"))
        print(f"  methods best to worst (mean over their cases) by pSQ: {', '.join(by_psq)}; "
              f"by RMSD: {', '.join(by_rmsd)} "
              f"({'same order' if by_psq == by_rmsd else 'order differs'})")


def print_spearman(sim_rows, real_rows, sigmas):
    whole = [r for r in real_rows if r["region"] == WHOLE]
    everything = sim_rows + whole
    print(f"Spearman(pSQ, true RMSD) over all {len(everything)} reconstructions ("
          f"{len(sim_rows)} simulated, {len(whole)} real over their whole width): "
          f"{rho(everything):.4f}")
    within = [f"{m} {rho([r for r in everything if r['method'] == m]):.3f}" for m in sigmas]
    print(f"  within each method: {', '.join(within)}")
    if whole:
        print(f"  over the {len(whole)} real ones alone: {rho(whole):.4f}; within each method: "
              + ", ".join(f"{m} {rho([r for r in whole if r['method'] == m]):.3f}"
                          for m in sigmas))
    region = [r for r in real_rows if r["region"] != WHOLE]     # MALT1 on F2 100..800
    if region:
        rows = sim_rows + region
        names = ", ".join(dict.fromkeys(f"{r['spectrum']} on {r['region']}" for r in region))
        print(f"  simulated and {names} ({len(rows)}, the figure docs/uncertainty.md quotes): "
              f"{rho(rows):.4f}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default=None,
                        help="folder of sigma-*.weights.h5 (and wnn-echo.weights.h5) [shipped]")
    parser.add_argument("--count", type=int, default=50, help="simulated spectra per method")
    parser.add_argument("--recipe", default="plain",
                        help=f"recipe of the simulated set ({', '.join(RECIPES)}) [plain]")
    parser.add_argument("--data", default=None,
                        help="folder of the measured sets [$MRAI_DATA or ../shared/data]")
    parser.add_argument("--spectra", default=None,
                        help="real spectra, comma-separated, or default / all / none "
                             f"({', '.join(realdata.NAMES)}; default "
                             f"{','.join(realdata.WHOLE)}, none when --spectrum is given)")
    parser.add_argument("--spectrum", action="append", default=[],
                        help="another processed 2D NMRPipe spectrum to score (repeatable)")
    args = parser.parse_args(argv)
    try:
        if args.spectra is None:
            args.spectra = "none" if args.spectrum else "default"
        names = realdata.parse_names(args.spectra, realdata.WHOLE)
        recipe = recipe_named(args.recipe)
    except ValueError as error:
        parser.error(str(error))
    from mrai.nn.inference import model_dir

    began = time.perf_counter()
    folder = args.models or model_dir()
    sigmas = load_sigmas(folder)
    wnn, wnn_path = load_wnn(folder, args.models is None) if "wnn-echo" in sigmas \
        else (None, None)
    print(f"sigma networks from {folder}" + (f"; WNN {wnn_path}" if wnn_path else ""))
    sim_rows = simulated(sigmas, wnn, args.count, recipe)
    print_simulated(sim_rows, sigmas, args.count, args.recipe)
    specs = list(realdata.spectra(names, args.data, note=print))
    specs += [realdata.from_file(path) for path in args.spectrum]
    real_rows = []
    for spec in specs:
        real_rows += real(sigmas, wnn, spec)
    if real_rows:
        print_real(real_rows, specs)
    print_spearman(sim_rows, real_rows, sigmas)
    print(f"({time.perf_counter() - began:.0f} s)")


if __name__ == "__main__":
    main()
