#!/usr/bin/env python
"""WNN weights side by side: IST and each WNN on the measured spectra (whole width, and the
published region where there is one) and on held-out simulated spectra of each recipe.

    python scripts/compare_wnn.py                                   # the shipped WNN
    python scripts/compare_wnn.py --model models/wnn-echo.weights.h5 --model new.weights.h5
    python scripts/compare_wnn.py --spectra malt1,adkins --count 8 --recipes realistic

Each measured spectrum (scripts/realdata.py: MALT1 as stored, the raw sets converted and
processed by mrai) gives its Echo and Anti-Echo parts on the spectrum's own time grid; every
method reconstructs them and is scored with r and RMSD (docs/conventions.md, "Metrics") over
the whole width and, for MALT1, over F2 points 100..800. The simulated part is each recipe's
fixed held-out set (mrai.nn.training.validation_set, 128 x 1024, Echo). The networks run under
Keras in float32, so that weights without ONNX files can be compared; the last line per case
says which method scored best. Means over the measured spectra close the table.
"""

import argparse
import os
import sys

import numpy as np

import realdata
from mrai.methods.ist import ist
from mrai.metrics import quality
from mrai.nn.data import recipe_named
from mrai.nn.inference import default_model, reconstruct
from mrai.nn.models import load_model
from mrai.nn.training import validation_set
from mrai.physics import degrade

MODES = ("echo", "antiecho")


def label(path):
    """A short column name for a weights file."""
    name = os.path.basename(path)
    return name[: -len(".weights.h5")] if name.endswith(".weights.h5") else name


def solvers(paths):
    """{column name: function(measured, mode, start) -> reconstruction}, IST first."""
    out = {"IST": lambda y, mode, start: ist(y, mode, start=start)}
    for path in paths:
        network = load_model(path, "float32", "keras")[0]
        out[label(path)] = (lambda y, mode, start, n=network:
                            reconstruct(n, y, mode, start))
    return out


def header(methods):
    return f"{'case':<34}" + "".join(f"{name[:17]:>18}" for name in methods)


def row(case, scores):
    """One line of 'r / RMSD' per method, and the best method's name."""
    best = max(scores, key=lambda m: scores[m]["r"])
    cells = "".join(f"{s['r']:.4f}/{s['rmsd']:.4f}".rjust(18) for s in scores.values())
    return f"{case:<34}{cells}  best {best}"


def measured(methods, names, data):
    """Score every method on each measured spectrum; returns {method: [r, ...]} over all cases."""
    from mrai.metrics import f2_region

    totals = {m: [] for m in methods}
    for spec in realdata.spectra(names, data=data, note=lambda s: print(s, file=sys.stderr)):
        regions = [("whole", None)]
        if spec.region is not None:
            regions.append(("100..800" if spec.name == "malt1" else "region", spec.region))
        if spec.name == "adkins":
            regions.append(("left half", f2_region(1, spec.spectrum.shape[1] // 2 - 24)))
        for mode in MODES:
            y = degrade(spec.spectrum, mode, start=spec.start)
            recon = {m: solve(y, mode, spec.start) for m, solve in methods.items()}
            for where, region in regions:
                scores = {m: quality(x, spec.spectrum, region) for m, x in recon.items()}
                if where == "whole":
                    for m, s in scores.items():
                        totals[m].append(s["r"])
                print(row(f"{spec.name} {mode} {where}", scores), flush=True)
    return totals


def simulated(methods, recipes, count):
    for name in recipes:
        echo, reference = validation_set(recipe_named(name), count)
        scores = {m: [quality(solve(e, "echo", (0.0, 0.0)), r) for e, r in zip(echo, reference)]
                  for m, solve in methods.items()}
        mean = {m: {k: float(np.mean([s[k] for s in v])) for k in ("r", "rmsd")}
                for m, v in scores.items()}
        print(row(f"simulated {name} ({count}, mean)", mean), flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", action="append", default=None,
                        help="WNN weights (.weights.h5 with its card); repeat to compare "
                             "[the shipped model]")
    parser.add_argument("--data", default=None, help="folder of the measured sets "
                        "[realdata's default: ../shared/data or $MRAI_DATA]")
    parser.add_argument("--spectra", default=None,
                        help=f"measured spectra, comma-separated [{','.join(realdata.NAMES)}]")
    parser.add_argument("--recipes", default="plain,realistic",
                        help="simulator recipes of the held-out sets [plain,realistic]")
    parser.add_argument("--count", type=int, default=16, help="held-out spectra per recipe [16]")
    args = parser.parse_args(argv)
    methods = solvers(args.model or [default_model()])
    print("r / RMSD of each method (columns); WNN under Keras float32")
    print(header(methods))
    names = realdata.parse_names(args.spectra) if args.spectra else None
    totals = measured(methods, names, args.data)
    if any(totals.values()):
        print(row("measured, whole width (mean r)",
                  {m: {"r": float(np.mean(v)), "rmsd": float("nan")} for m, v in totals.items()}))
    recipes = [r for r in args.recipes.split(",") if r]
    if recipes and args.count > 0:
        simulated(methods, recipes, args.count)


if __name__ == "__main__":
    main()
