#!/usr/bin/env python
"""WNN benchmark: quality (science.md r and RMSD) of the WNN and of the project's IST on Echo and
Anti-Echo, on a real spectrum and on the held-out simulated set, and whole-process wall time of
``mrai reconstruct --echo`` with each method (WNN / IST ratio from the same run).

    python scripts/bench_wnn.py --spectrum ../shared/data/malt1_trosy/malt1_trosy.ft2
    python scripts/bench_wnn.py --model models/wnn-echo.weights.h5 --count 16

MALT1 is scored on F2 points 100..800 (NMRPipe EXT x1=100 xn=800), as published; other spectra
on all points. The simulated set is the model card's validation set (recipe of the card).
MR-Ai network on MALT1 (science.md section 8): Echo 0.9865 / 0.0123, Anti-Echo 0.9886 / 0.0109,
30 s whole process.
"""

import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np

from timing import best_of

from mrai.fileio import read, write
from mrai.methods.ist import ist
from mrai.metrics import f2_region, quality
from mrai.nn.data import TrainingRecipe
from mrai.nn.inference import default_model, load_model, reconstruct
from mrai.nn.training import validation_set
from mrai.physics import antiecho_part, echo_part


def score_real(model, path):
    dic, ref = read(path)
    ref = ref.astype(np.float32)
    region = f2_region(100, 800) if "malt1" in os.path.basename(path).lower() else None
    print(f"spectrum: {os.path.basename(path)} {ref.shape[0]}x{ref.shape[1]}"
          + (", scored on F2 points 100..800" if region else ""))
    print(f"{'case':<10}{'input r':>9}{'WNN r':>9}{'RMSD':>8}{'IST r':>9}{'RMSD':>8}")
    for mode, measured in (("echo", echo_part(ref)), ("antiecho", antiecho_part(ref))):
        q0 = quality(measured, ref, region)
        qw = quality(reconstruct(model, measured, mode), ref, region)
        qi = quality(ist(measured, mode), ref, region)
        print(f"{mode:<10}{q0['r']:>9.4f}{qw['r']:>9.4f}{qw['rmsd']:>8.4f}"
              f"{qi['r']:>9.4f}{qi['rmsd']:>8.4f}", flush=True)
    return dic, ref


def score_simulated(model, card, count):
    echo, ref = validation_set(TrainingRecipe.from_dict(card.get("recipe", {})), count)
    rows = {"WNN": [], "IST": []}
    for e, r in zip(echo, ref):
        rows["WNN"].append(quality(reconstruct(model, e), r))
        rows["IST"].append(quality(ist(e, "echo"), r))
    print(f"held-out simulated set: {count} spectra {ref.shape[1]}x{ref.shape[2]} "
          "(Echo; Anti-Echo is the same problem through flip)")
    for method, scores in rows.items():
        r = np.array([s["r"] for s in scores])
        d = np.array([s["rmsd"] for s in scores])
        print(f"  {method}: mean r {r.mean():.4f} (min {r.min():.4f}), mean RMSD {d.mean():.4f}")


def whole_process(dic, ref, model_path, repeats):
    with tempfile.TemporaryDirectory() as folder:
        src, out = os.path.join(folder, "echo.ft2"), os.path.join(folder, "out.ft2")
        write(src, dic, echo_part(ref))
        times = {}
        for method in ("wnn", "ist"):
            extra = ["--model", model_path] if method == "wnn" else []
            command = [sys.executable, "-m", "mrai", "reconstruct", "--echo", src, "-o", out,
                       "-ov", "--method", method, *extra]
            times[method] = best_of(lambda: subprocess.run(command, check=True), repeats)
    print(f"whole process (mrai reconstruct --echo, {ref.shape[0]}x{ref.shape[1]}, best of "
          f"{repeats}): WNN {times['wnn']:.2f} s, IST {times['ist']:.2f} s, ratio WNN/IST "
          f"{times['wnn'] / times['ist']:.2f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spectrum", help="NMRPipe 2D spectrum (full, States-processed)")
    parser.add_argument("--model", default=None, help="WNN weights [the shipped model]")
    parser.add_argument("--count", type=int, default=16, help="simulated spectra [16]")
    parser.add_argument("--repeats", type=int, default=3, help="whole-process runs [3]")
    args = parser.parse_args()
    model_path = args.model or default_model()
    model, card = load_model(model_path)
    print(f"model: {card.get('name')} ({card.get('parameters', '?')} parameters, "
          f"{card.get('steps', '?')} training steps)")
    if args.spectrum:
        dic, ref = score_real(model, args.spectrum)
    else:
        from mrai.fileio.header import spectrum_header
        from mrai.simulate import simulate
        ref = simulate(seed=0).reference
        dic = spectrum_header(ref.shape)
    score_simulated(model, card, args.count)
    whole_process(dic, ref, model_path, args.repeats)


if __name__ == "__main__":
    main()
