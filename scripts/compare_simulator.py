#!/usr/bin/env python
"""How close the simulator is to measured spectra: simple statistics of each real spectrum and
of spectra drawn from each named training recipe, side by side.

    python scripts/compare_simulator.py                        # every real set, every recipe
    python scripts/compare_simulator.py --recipes plain --seeds 8 --json stats.json
    python scripts/compare_simulator.py --spectra malt1,penguins,adkins --data ../shared/data

Real spectra: scripts/realdata.py (MALT1, the raw Bruker and Varian sets converted and processed
by mrai, the processed NMRPipe sets), each over its whole width. Simulated: for each recipe
(mrai.nn.data.recipe_named, names in mrai.nn.data.RECIPES) and each seed s, rng =
numpy.random.default_rng(s), settings = recipe.settings(rng, size), spectrum =
mrai.simulate.simulate(settings, seed=rng.integers(2**32)).reference (the noisy pure-absorption
spectrum the networks are trained to give), at --size (256 x 2048, MALT1's size, where the
recipes' peak counts are given); the table gives each statistic's median over the seeds and its
range.

Every statistic is measured by mrai.simulate.statistics.statistics the same way on real and
simulated spectra (its module docstring has the details; rows of the table):

- noise: the robust noise standard deviation (1.4826 x median absolute deviation) of the points
  away from peaks (points beyond 5 noise levels from the median, grown by 2 F1 and 4 F2 points,
  left out; iterated), over max |S|. The recipes' 'noise' range is this quantity (std / max).
  noise_points: the share of points that counted as noise.
- t1_lag1, t2_lag1: the lag-1 autocorrelation of those noise points along F1 (t1) and F2 (t2),
  from pairs of noise points only: 0 for white noise, about 0.65 for the simulator's default
  sine-squared bell over the whole time half, near 1 for noise at early times only.
- t1_outer_inner, t2_outer_inner: the time-domain noise power that the autocorrelation implies
  (its Fourier transform), outer half of |t| over inner half (1 white, 0.1 the default bell, 0
  for data filling less than the inner half); t1_extent95, t2_extent95: the |t|, as a fraction
  of the positive time half, below which 95 % of the noise power lies (the acquired points
  over half the size bound it: m acquired of n give at most 2 m / n). These say which
  acquired fractions and windows a recipe should draw.
- maxima: local maxima of |S| (3 x 5 points) above 10 noise levels; peaks: those that are not
  side lobes (at least a quarter of the largest |S| within 16 F1 or 32 F2 points of their
  column and row) and stand above 10 times their column's own spread along F1 (not ridge
  bumps); peaks_per_full: scaled to a 256 x 2048 area (the recipes' 'peaks' count);
  negative_peaks: their share below zero (the recipes' negative_fraction).
- height_qNN: quantiles of the peaks' |S| / max |S| (the dynamic range: q05 against q95).
- width_f1_qNN, width_f2_qNN: quantiles of the peaks' full widths at half height, in points of
  the stored spectrum, along F1 and F2 (interpolated crossings, exact for a Lorentzian sampled
  at its top; overlapped peaks left out, width_*_measured counts the rest). They follow the
  decay and window of each dimension and the zero filling: the recipes' decay1, decay2,
  acquired and window ranges set them.
- above_1pc: the share of points with |S| > 0.01 max |S| (the points the r / RMSD metric uses).
- ridge_max, ridge_p99, ridge_median: per F2 column, the robust standard deviation along F1 over
  the noise (1 for plain noise; t1 noise and peak tails in crowded low-noise spectra raise it):
  the largest, the 99th percentile and the median over the columns.
- baseline_rows_max / _rms, baseline_cols_max / _rms: the median of each F1 row (along F2) and
  of each F2 column (along F1) over the noise: the largest |median| and the rms (near 0 for a
  flat baseline; the raw sets' t2 = 0 offsets lift rows).
"""

import argparse
import json
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import realdata  # noqa: E402

from mrai.nn.data import RECIPES, recipe_named  # noqa: E402
from mrai.simulate import simulate  # noqa: E402
from mrai.simulate.statistics import DESCRIPTIONS, statistics  # noqa: E402


def simulated(name, seeds, size):
    """[(seed, statistics)] of the recipe ``name``'s spectra for ``seeds``."""
    recipe = recipe_named(name)
    out = []
    for seed in seeds:
        rng = np.random.default_rng(seed)
        settings = recipe.settings(rng, size)
        sim = simulate(settings, seed=int(rng.integers(2**32)))
        out.append((seed, statistics(sim.reference)))
    return out


def summary(rows):
    """{'median', 'min', 'max'} of each statistic over rows (NaNs left out)."""
    keys = rows[0].keys() if rows else DESCRIPTIONS.keys()
    out = {"median": {}, "min": {}, "max": {}}
    for key in keys:
        v = np.array([r[key] for r in rows], dtype=float)
        v = v[np.isfinite(v)]
        for what, f in (("median", np.median), ("min", np.min), ("max", np.max)):
            out[what][key] = float(f(v)) if v.size else float("nan")
    return out


def number(value, width=9):
    if value is None or not np.isfinite(value):
        return f"{'-':>{width}}"
    if abs(value) >= 1000 or (abs(value) >= 10 and float(value).is_integer()):
        return f"{value:>{width}.0f}"
    return f"{value:>{width}.3g}"


def table(real, recipes, out=print):
    """Rows: statistics; columns: the real spectra, then each recipe's median and range."""
    names = list(real)
    width = max(9, *(len(n) + 1 for n in names)) if names else 9
    head = f"{'statistic':<20}" + "".join(f"{n:>{width}}" for n in names)
    for name in recipes:
        head += f"{name + ' med':>{max(11, len(name) + 5)}}{name + ' range':>20}"
    out(head)
    for key in DESCRIPTIONS:
        line = f"{key:<20}" + "".join(number(real[n].get(key), width) for n in names)
        for name, s in recipes.items():
            lo, hi = s["min"].get(key), s["max"].get(key)
            span = f"{number(lo, 0).strip()}..{number(hi, 0).strip()}" \
                if lo is not None and np.isfinite(lo) else "-"
            line += f"{number(s['median'].get(key), max(11, len(name) + 5))}{span:>20}"
        out(line)


def finite(value):
    """JSON-safe: NaN and Inf as None, numpy scalars as floats."""
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(v) for v in value]
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    return value


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=None,
                        help="folder of the measured sets [$MRAI_DATA or ../shared/data]")
    parser.add_argument("--spectra", default="all",
                        help=f"real spectra, comma-separated, or all / none "
                             f"({', '.join(realdata.NAMES)})")
    parser.add_argument("--recipes", default=",".join(RECIPES),
                        help=f"recipes, comma-separated ({', '.join(RECIPES)})")
    parser.add_argument("--seeds", type=int, default=6, help="simulated spectra per recipe [6]")
    parser.add_argument("--size", default="256x2048", help="simulated size F1xF2 [256x2048]")
    parser.add_argument("--json", metavar="FILE", help="also write every number to FILE")
    args = parser.parse_args(argv)
    try:
        names = realdata.parse_names(args.spectra)
        recipe_names = [r.strip() for r in args.recipes.split(",") if r.strip()]
        for r in recipe_names:
            recipe_named(r)
        size = tuple(int(v) for v in args.size.lower().split("x"))
    except ValueError as error:
        parser.error(str(error))

    real, sources = {}, {}
    for spec in realdata.spectra(names, args.data):
        real[spec.name] = statistics(spec.spectrum)
        sources[spec.name] = spec.source
    recipes, per_seed = {}, {}
    for name in recipe_names:
        rows = simulated(name, range(args.seeds), size)
        per_seed[name] = rows
        recipes[name] = summary([r for _, r in rows])

    print(f"compare_simulator: real spectra over their whole width; recipes "
          f"{', '.join(recipe_names)}, {args.seeds} spectra {size[0]} x {size[1]} each "
          f"(median and range over seeds 0..{args.seeds - 1})")
    table(real, recipes)
    print("\nstatistics (mrai.simulate.statistics; this script's docstring says how):")
    for key, text in DESCRIPTIONS.items():
        print(f"  {key:<20}{text}")
    print("\nreal spectra:")
    for name, text in sources.items():
        print(f"  {name:<14}{text}")
    if args.json:
        doc = {"size": list(size), "seeds": args.seeds, "descriptions": DESCRIPTIONS,
               "real": {n: {"source": sources[n], "statistics": real[n]} for n in real},
               "recipes": {n: {**recipes[n],
                               "per_seed": [{"seed": s, "statistics": r}
                                            for s, r in per_seed[n]]}
                           for n in recipes}}
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(finite(doc), fh, indent=1)
        print(f"\nwrote {args.json}")


if __name__ == "__main__":
    main()
