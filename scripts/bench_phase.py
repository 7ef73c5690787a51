#!/usr/bin/env python
"""Phase benchmark: each method's quality (r and RMSD, docs/conventions.md, against the noisy
pure-absorption reference) on simulated Echo-only and Anti-Echo-only spectra whose t1 / t2 start at an offset
(the first sample at start x dwell, phase corrected with F1 / F2 P1 = 360 x start).

    python scripts/bench_phase.py                       # 8 seeds, 128 x 1024, IST and WNN
    python scripts/bench_phase.py --quick               # a small run (under a minute)
    python scripts/bench_phase.py --methods ist --count 4 --size 64x512

The spectra come from mrai.simulate with t1_start / t2_start: the same peaks at every offset
(seeds 0 .. count-1), the Echo and Anti-Echo parts made physically (0.5 Re(L1 L2),
0.5 Re(conj(L1) L2)). Each is reconstructed by mrai.reconstruction.reconstruct, which is told the
start the header's phases give (P1 / 360) and takes the nearest exactly separable grid (0 or
half a dwell; the 'grid' column). 'input r' is the raw Echo (Anti-Echo) spectrum's r, the floor.
Means over the seeds.
"""

import argparse
import time

import numpy as np

from mrai.metrics import quality
from mrai.methods import table
from mrai.simulate import SimulationSettings, simulate

T1_STARTS = (0.0, 0.05, 0.1, 0.25, 0.4, 0.5, 0.6)
T2_STARTS = (0.0, 0.05, 0.1, 0.28)
QUICK = dict(count=2, size=(64, 512), t1=(0.0, 0.1, 0.5), t2=(0.0, 0.28))
MODES = tuple(e.mode for e in table.ENTRIES if e.method == "ist" and e.mode != "nus")
LABEL = {m: m.upper() for m in table.METHODS}
BASE_AREA, BASE_PEAKS = 128 * 1024, 150


def floats(text):
    return tuple(float(v) for v in text.split(","))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, help="seeds per offset (default 8; quick 2)")
    parser.add_argument("--size", help="F1xF2 points (default 128x1024; quick 64x512)")
    parser.add_argument("--peaks", type=int,
                        help="peaks per spectrum (default 150 per 128 x 1024 points)")
    parser.add_argument("--noise", type=float, default=2e-3, help="noise std / max (2e-3)")
    parser.add_argument("--methods", default="ist,wnn", help="comma-separated: ist, wnn")
    parser.add_argument("--t1", type=floats, help="t1 starts, dwells, comma-separated "
                        f"(default {','.join(f'{v:g}' for v in T1_STARTS)})")
    parser.add_argument("--t2", type=floats, help="t2 starts, dwells, comma-separated "
                        f"(default {','.join(f'{v:g}' for v in T2_STARTS)})")
    parser.add_argument("--seed", type=int, default=0, help="first seed")
    parser.add_argument("--quick", action="store_true",
                        help="2 seeds, 64 x 512, t1 0,0.1,0.5 and t2 0,0.28")
    args = parser.parse_args(argv)
    quick = QUICK if args.quick else dict(count=8, size=(128, 1024), t1=T1_STARTS, t2=T2_STARTS)
    args.count = args.count or quick["count"]
    args.size = tuple(int(v) for v in args.size.lower().split("x")) if args.size else quick["size"]
    args.t1 = args.t1 or quick["t1"]
    args.t2 = args.t2 or quick["t2"]
    if args.peaks is None:
        args.peaks = max(1, round(BASE_PEAKS * args.size[0] * args.size[1] / BASE_AREA))
    args.methods = tuple(m.strip().lower() for m in args.methods.split(",") if m.strip())
    bad = [m for m in args.methods if m not in LABEL]
    if bad:
        parser.error(f"unknown method(s) {', '.join(bad)}: choose from ist, wnn")
    return args


def load_models(methods):
    """The WNN loaded once ((model, card) pair for reconstruction.reconstruct's ``model``)."""
    models = {m: None for m in methods}
    if "wnn" in methods:
        from mrai.nn.inference import load_model

        models["wnn"] = load_model(None, "auto")
    return models


def run(args, out=print):
    """Score every offset; returns the rows (dicts) and prints the table with ``out``."""
    from mrai.reconstruction import reconstruct

    models = load_models(args.methods)
    from mrai.physics.grid import nearest_start

    seeds = range(args.seed, args.seed + args.count)
    out(f"bench_phase: {args.count} seeds x {args.size[0]} x {args.size[1]} points, "
        f"{args.peaks} peaks, noise {args.noise:g}; methods {', '.join(args.methods)}; "
        "means over seeds")
    head = f"{'t1':>5}{'t2':>6}{'F1 P0/P1':>14}{'F2 P0/P1':>14}{'grid':>10}  {'mode':<9}"
    head += f"{'input r':>8}" + "".join(f"{LABEL[m] + ' r':>9}{'RMSD':>8}" for m in args.methods)
    out(head)
    rows = []
    for t1 in args.t1:
        for t2 in args.t2:
            began = time.perf_counter()
            scores = {(mode, what): [] for mode in MODES for what in ("input",) + args.methods}
            settings = None
            for seed in seeds:
                sim = simulate(seed=seed, size=args.size, peaks=args.peaks, noise=args.noise,
                               t1_start=t1, t2_start=t2)
                settings = sim.settings
                phases = settings.phases()
                start = (phases["F1"][1] / 360.0, phases["F2"][1] / 360.0)   # as a header says
                for mode in MODES:
                    measured = getattr(sim, mode)
                    scores[mode, "input"].append(quality(measured, sim.reference))
                    for method in args.methods:
                        try:
                            recon = reconstruct(measured, mode, method=method, start=start,
                                                model=models[method])
                        except ValueError:  # the table does not give this grid to the method
                            scores[mode, method].append({"r": np.nan, "rmsd": np.nan})
                            continue
                        scores[mode, method].append(quality(recon, sim.reference))
            phases = settings.phases()
            grid = tuple(nearest_start(s)[0] for s in (t1, t2))
            for mode in MODES:
                row = dict(t1=t1, t2=t2, phases=phases, grid=grid, mode=mode,
                           input_r=float(np.mean([q["r"] for q in scores[mode, "input"]])))
                line = (f"{t1:>5.2f}{t2:>6.2f}"
                        f"{'%.0f/%.0f' % phases['F1']:>14}{'%.0f/%.0f' % phases['F2']:>14}"
                        f"{'%g,%g' % grid:>10}  {mode:<9}{row['input_r']:>8.4f}")
                for method in args.methods:
                    r = float(np.mean([q["r"] for q in scores[mode, method]]))
                    d = float(np.mean([q["rmsd"] for q in scores[mode, method]]))
                    row[method] = {"r": r, "rmsd": d}
                    line += f"{r:>9.4f}{d:>8.4f}" if np.isfinite(r) else f"{'(no)':>9}{'':>8}"
                rows.append(row)
                out(line + (f"   ({time.perf_counter() - began:.1f} s)" if mode == "antiecho"
                            else ""))
    return rows


def main(argv=None):
    args = parse_args(argv)
    SimulationSettings(size=args.size)   # size check before anything slow
    run(args)


if __name__ == "__main__":
    main()
