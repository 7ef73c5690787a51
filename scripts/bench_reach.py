#!/usr/bin/env python
"""Reach: the methods on spectra as users hold them (odd sizes, t1 from half a dwell), scored
over their whole width.

    python scripts/bench_reach.py --data ../shared/data
    python scripts/bench_reach.py --quick          # the simulated part only, fewer spectra

1. MALT1 extracted in F2 to 813 columns (nmrPipe EXT -x1 101 -xn 913, through mrai.process)
   and cut in F1 to 255 rows: its own Echo part reconstructed (WNN, IST) against the same
   region cut from the reconstruction of the whole 256 x 2048 spectrum (r and RMSD against the
   reference region), and pSQ / true RMSD of the method's sigma network on each.
2. Raw sets converted and processed by mrai with their stored phases and the default recipe
   (adkins: Varian, t1 from half a dwell; penguins: Bruker): Echo and Anti-Echo parts on the
   spectrum's own time grid, reconstructed by the WNN and IST, whole width; as mrai
   reconstruct does it (an input that looks unphased, as adkins' stored phases leave it, is
   reconstructed phased and its phase put back), and for the stored phases also as it is.
3. Simulated spectra with the same peaks on a t1 grid from 0 and from half a dwell: r of the
   WNN and IST, and the sigma networks' 95 % band coverage and pSQ / true RMSD.
4. Simulated spectra given an F2 phase error: their Echo part reconstructed phased (as mrai
   reconstruct does for an input that looks unphased) and as it is.
"""

import argparse
import os
import time

import numpy as np

from mrai import reconstruction
from mrai.methods import table
from mrai.metrics import f2_region, quality
from mrai.nn.inference import default_sigma_model, load_model, load_sigma
from mrai.physics import degrade
from mrai.simulate import simulate
from mrai.uncertainty import coverage, psq

MALT1 = "malt1_trosy/malt1_trosy.ft2"
ECHO_MODES = ("echo", "antiecho")
RAW_SETS = (("adkins", "adkins_varian_15N_hsqc_RK/varian_sample.fid"),
            ("penguins", "penguins_noah_15N_seHSQC_EA"))


def solve(e, measured, networks, start=(0.0, 0.0), sigma=None, rephase=True):
    """The reconstruction as mrai reconstruct makes it (``rephase``: an input that looks
    unphased is reconstructed phased, its phase put back); with ``sigma``, (reconstruction,
    sigma)."""
    run = reconstruction.solver(e, start=start,
                                model=networks["wnn"] if e.method == "wnn" else None)
    phase = reconstruction.input_phase(measured, e.mode) if rephase else None
    return reconstruction.solve_phased(run.solve, measured, e.mode, start, phase, sigma=sigma)


def scores(e, measured, reference, networks, start=(0.0, 0.0), region=None, rephase=True):
    """r, RMSD and, with the method's sigma network, pSQ / true RMSD and coverage (over
    ``region`` when given, else the whole spectrum; 'ratio_region' over ``region``)."""
    t = time.perf_counter()
    mu, sigma = solve(e, measured, networks, start, lambda u, m: reconstruction.sigma_for(
        e, networks[e.sigma], u, m, None, start)[0], rephase)
    seconds = time.perf_counter() - t
    q = quality(mu, reference)
    out = {"mu": mu, "r": q["r"], "rmsd": q["rmsd"], "seconds": seconds,
           "ratio": psq(mu, sigma) / q["rmsd"], "coverage": coverage(reference, mu, sigma)}
    if region is not None:
        out["ratio_region"] = psq(mu, sigma, region) / quality(mu, reference, region)["rmsd"]
    return out


def malt1(path, networks):
    from mrai.fileio import read
    from mrai.process import process

    dic, full = read(path)
    full = np.asarray(full, dtype=np.float32)
    dic, wide = process(dic, full, "EXT -x1 101 -xn 913")
    # (odd spectrum, its place in the whole one, MALT1's F2 points 100..800 within it)
    cases = {"F2 813 (EXT -x1 101 -xn 913)": (np.asarray(wide, np.float32),
                                              (slice(None), slice(100, 913)),
                                              f2_region(1, 700)),
             "F1 255 (rows 1..255)": (full[:255], (slice(0, 255), slice(None)),
                                      f2_region(100, 800))}
    print(f"MALT1 {full.shape[0]} x {full.shape[1]}, odd sizes against the same region cut from "
          "the whole reconstruction (whole width of each)")
    print("pSQ/RMSD: whole width, and over MALT1's F2 points 100..800 (the issue-5 band "
          "0.8-1.25 was set there)")
    print(f"{'case':<30}{'method':<8}{'r odd':>8}{'r cut':>8}{'diff':>8}{'RMSD odd':>10}"
          f"{'RMSD cut':>10}{'pSQ/RMSD':>10}{'100..800':>10}")
    whole = {}
    for e in (table.entry("wnn", "echo"), table.entry("ist", "echo")):
        whole[e.method] = solve(e, degrade(full, "echo"), networks)
    for label, (odd, region, tidy) in cases.items():
        for e in (table.entry("wnn", "echo"), table.entry("ist", "echo")):
            s = scores(e, degrade(odd, "echo"), odd, networks, region=tidy)
            cut = quality(whole[e.method][region], full[region])
            print(f"{label:<30}{e.method:<8}{s['r']:>8.4f}{cut['r']:>8.4f}"
                  f"{s['r'] - cut['r']:>+8.4f}{s['rmsd']:>10.4f}{cut['rmsd']:>10.4f}"
                  f"{s['ratio']:>10.2f}{s['ratio_region']:>10.2f}")


def raw_sets(folder, networks):
    from mrai.fileio.convert import to_pipe
    from mrai.fileio.raw import read_raw
    from mrai.physics.grid import grid_starts
    from mrai.fileio.header import plane_codes
    from mrai.process import default_recipe, process
    from mrai.process.autophase import autophase, looks_unphased

    print("raw sets, converted with their stored phases (and, where those leave the spectrum "
          "unphased, reconstructed also as it is ('as is': mrai reconstruct --phase off) and "
          "with mrai process --autophase), default recipe; r over the whole width "
          "and over the left half of F2 short of the carrier's 24 points (adkins: the "
          "author's EXT region, where its peaks are)")
    print(f"{'set':<10}{'phases':<10}{'size':>9}{'grid':>9}{'mode':>10}{'method':>7}{'r':>8}"
          f"{'RMSD':>8}{'raw r':>8}{'r left':>8}{'pSQ/RMSD':>9}")
    for name, sub in RAW_SETS:
        path = os.path.join(folder, sub)
        if not os.path.exists(path):
            print(f"{name}: {path} not found, skipped")
            continue
        raw = read_raw(path)
        dic, fid = to_pipe(raw, keep="both")
        variants = [("stored", dic, True)]
        _, spectrum = process(dic, fid, default_recipe(dic))
        if looks_unphased(np.asarray(spectrum, dtype=np.float32)).unphased:
            variants += [("as is", dic, False),
                         ("autophase", autophase(dic, fid).header(dic), True)]
        for label, header, rephase in variants:
            header, spectrum = process(header, fid, default_recipe(header))
            spectrum = np.asarray(spectrum, dtype=np.float32)
            start, _ = grid_starts(header, plane_codes(header))
            # the left half of F2 up to 24 points before the carrier, whose column carries the
            # FIDs' t2 = 0 offset (adkins: the author's EXT -left region, where its peaks are)
            left = f2_region(1, spectrum.shape[1] // 2 - 24)
            for mode in ECHO_MODES:
                measured = degrade(spectrum, mode, start=start)
                raw_r = quality(2 * measured, spectrum)["r"]
                for e in (x for x in table.ENTRIES if x.mode == mode):
                    s = scores(e, measured, spectrum, networks, start, rephase=rephase)
                    r_left = quality(s["mu"], spectrum, left)["r"]
                    print(f"{name:<10}{label:<10}"
                          f"{f'{spectrum.shape[0]}x{spectrum.shape[1]}':>9}"
                          f"{f'{start[0]:g},{start[1]:g}':>9}{mode:>10}{e.method:>7}"
                          f"{s['r']:>8.4f}{s['rmsd']:>8.4f}{raw_r:>8.4f}{r_left:>8.4f}"
                          f"{s['ratio']:>9.2f}")


def simulated(networks, count):
    print(f"simulated, {count} spectra 128 x 1024 (150 peaks, noise 2e-3), the same peaks with "
          "t1 from 0 and from half a dwell; means")
    print(f"{'t1 start':<10}{'mode':<10}{'method':<8}{'r':>8}{'RMSD':>8}{'coverage':>10}"
          f"{'pSQ/RMSD':>10}")
    for t1 in (0.0, 0.5):
        sims = [simulate(size=(128, 1024), peaks=(150, 150), noise=2e-3, seed=seed,
                         t1_start=t1) for seed in range(count)]
        for mode in ECHO_MODES:
            for e in (x for x in table.ENTRIES if x.mode == mode):
                method = e.method
                rows = [scores(e, getattr(s, mode), s.reference, networks, (t1, 0.0))
                        for s in sims]
                mean = {k: np.mean([r[k] for r in rows]) for k in ("r", "rmsd", "coverage",
                                                                    "ratio")}
                print(f"{t1:<10g}{mode:<10}{method:<8}{mean['r']:>8.4f}{mean['rmsd']:>8.4f}"
                      f"{mean['coverage']:>10.3f}{mean['ratio']:>10.2f}")


def unphased(count):
    """Simulated spectra given an F2 phase error, their Echo part reconstructed by IST as mrai
    reconstruct does it (phased first, the phase put back) and as it is (--phase off)."""
    from mrai.physics.phase import projection_phase, rotate_f2

    print(f"unphased: {count} simulated spectra 64 x 512 (60 peaks) given an F2 phase error, "
          "Echo part, IST 40 iterations; r against the unphased full spectrum (phased: the "
          "phased input's r; left: the phase error the estimate leaves, mean |degrees| over "
          "F2); means")
    print(f"{'P0, P1':<10}{'rephased':>10}{'as is':>10}{'phased':>10}{'left':>8}")
    x = np.arange(512) / 512
    sims = [simulate(size=(64, 512), peaks=(60, 60), noise=1e-3, seed=seed).reference
            .astype(np.float32) for seed in range(1, count + 1)]
    for p0, p1 in ((45, 0), (75, 0), (-60, 0), (30, 60)):
        rows = []
        for s in sims:
            u = rotate_f2(s, p0, p1)
            measured = degrade(u, "echo")
            found = projection_phase(measured)
            left = (found[0] + found[1] * x - p0 - p1 * x + 180.0) % 360.0 - 180.0
            rows.append([quality(reconstruction.reconstruct(measured, "echo", "ist",
                                                            iterations=40, rephase=r), u)["r"]
                         for r in (True, False)]
                        + [quality(reconstruction.reconstruct(degrade(s, "echo"), "echo", "ist",
                                                              iterations=40), s)["r"],
                            float(np.abs(left).mean())])
        mean = np.mean(rows, axis=0)
        print(f"{f'{p0},{p1}':<10}{mean[0]:>10.4f}{mean[1]:>10.4f}{mean[2]:>10.4f}"
              f"{mean[3]:>8.1f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.path.join("..", "shared", "data"),
                        help="folder of the shared measured sets [../shared/data]")
    parser.add_argument("--count", type=int, default=8, help="simulated spectra per grid")
    parser.add_argument("--quick", action="store_true", help="simulated part only, 2 spectra")
    args = parser.parse_args()
    networks = {"wnn": load_model(None, "auto")}
    networks.update({name: load_sigma(default_sigma_model(name), "auto")[0]
                     for name in table.SIGMA_NETWORKS})
    if not args.quick:
        path = os.path.join(args.data, MALT1)
        if os.path.exists(path):
            malt1(path, networks)
        else:
            print(f"{path} not found: MALT1 part skipped")
        raw_sets(args.data, networks)
    simulated(networks, 2 if args.quick else args.count)
    unphased(1 if args.quick else 3)


if __name__ == "__main__":
    main()
