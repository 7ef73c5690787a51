#!/usr/bin/env python
"""WNN benchmark: quality (r and RMSD, docs/conventions.md) of the WNN and of the project's IST
on Echo and Anti-Echo, on a real spectrum and on the held-out simulated set, and whole-process wall time of
``mrai reconstruct --echo`` with each method (WNN / IST ratio from the same run).

    python scripts/bench_wnn.py --spectrum ../shared/data/malt1_trosy/malt1_trosy.ft2
    python scripts/bench_wnn.py --model models/wnn-echo.weights.h5 --count 16

MALT1 is scored on F2 points 100..800 (NMRPipe EXT x1=100 xn=800), as published; other spectra
on all points. The simulated set is the model card's validation set (recipe of the card).
MR-Ai network on MALT1 (the MR-Ai paper, docs/conventions.md reference [1]; docs/wnn.md): Echo
0.9865 / 0.0123, Anti-Echo 0.9886 / 0.0109,
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
from mrai.nn.devices import inference_precision
from mrai.nn.inference import default_model, load_model, reconstruct
from mrai.nn.training import validation_set
from mrai.physics import antiecho_part, echo_part


SHORT = {"float32": "fp32", "bfloat16": "bf16"}


def variants():
    """(backend, precision) pairs to compare: ONNX Runtime (float32), Keras float32 and, on a
    CPU that multiplies bfloat16 natively, Keras bfloat16."""
    out = [("onnx", "float32"), ("keras", "float32")]
    if inference_precision("auto") != "float32":
        out.append(("keras", inference_precision("auto")))
    return out


def label(variant):
    return f"{variant[0]} {SHORT[variant[1]]}"


def score_real(models, path):
    dic, ref = read(path)
    ref = ref.astype(np.float32)
    region = f2_region(100, 800) if "malt1" in os.path.basename(path).lower() else None
    print(f"spectrum: {os.path.basename(path)} {ref.shape[0]}x{ref.shape[1]}"
          + (", scored on F2 points 100..800" if region else ""))
    print(f"{'case':<10}{'input r':>9}{'IST r':>9}{'RMSD':>8}"
          + "".join(f"{'WNN ' + label(v) + ' r':>19}{'RMSD':>8}" for v in models))
    for mode, measured in (("echo", echo_part(ref)), ("antiecho", antiecho_part(ref))):
        q0 = quality(measured, ref, region)
        qi = quality(ist(measured, mode), ref, region)
        row = f"{mode:<10}{q0['r']:>9.4f}{qi['r']:>9.4f}{qi['rmsd']:>8.4f}"
        for model in models.values():
            qw = quality(reconstruct(model, measured, mode), ref, region)
            row += f"{qw['r']:>19.4f}{qw['rmsd']:>8.4f}"
        print(row, flush=True)
    return dic, ref


def score_simulated(models, card, count):
    echo, ref = validation_set(TrainingRecipe.from_dict(card.get("recipe", {})), count)
    rows = {"IST": [quality(ist(e, "echo"), r) for e, r in zip(echo, ref)]}
    for variant, model in models.items():
        rows[f"WNN {label(variant)}"] = [quality(reconstruct(model, e), r)
                                         for e, r in zip(echo, ref)]
    print(f"held-out simulated set: {count} spectra {ref.shape[1]}x{ref.shape[2]} "
          "(Echo; Anti-Echo is the same problem through flip)")
    for method, scores in rows.items():
        r = np.array([s["r"] for s in scores])
        d = np.array([s["rmsd"] for s in scores])
        print(f"  {method:<18} mean r {r.mean():.4f} (min {r.min():.4f}), mean RMSD "
              f"{d.mean():.4f}")


def whole_process(dic, ref, model_path, repeats, models):
    """Best-of-``repeats`` wall time of the command line, each method and WNN variant."""
    with tempfile.TemporaryDirectory() as folder:
        src, out = os.path.join(folder, "echo.ft2"), os.path.join(folder, "out.ft2")
        write(src, dic, echo_part(ref))
        base = [sys.executable, "-m", "mrai", "reconstruct", "--echo", src, "-o", out, "-ov"]
        commands = {"IST": base + ["--method", "ist"]}
        for backend, precision in models:
            commands[f"WNN {label((backend, precision))}"] = base + [
                "--model", model_path, "--backend", backend, "--precision", precision]
        times = {name: best_of(lambda c=c: subprocess.run(c, check=True), repeats)
                 for name, c in commands.items()}
    print(f"whole process (mrai reconstruct --echo, {ref.shape[0]}x{ref.shape[1]}, best of "
          f"{repeats}):")
    for name, seconds in times.items():
        print(f"  {name:<18} {seconds:6.2f} s  ratio to IST {seconds / times['IST']:.2f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spectrum", help="NMRPipe 2D spectrum (full, States-processed)")
    parser.add_argument("--model", default=None, help="WNN weights [the shipped model]")
    parser.add_argument("--count", type=int, default=16, help="simulated spectra [16]")
    parser.add_argument("--repeats", type=int, default=3, help="whole-process runs [3]")
    args = parser.parse_args()
    model_path = args.model or default_model()
    models = {v: load_model(model_path, v[1], v[0])[0] for v in variants()}
    card = load_model(model_path)[1]
    print(f"model: {card.get('name')} ({card.get('parameters', '?')} parameters, "
          f"{card.get('steps', '?')} training steps); backends: "
          f"{', '.join(label(v) for v in models)} (the default here: {label((card['backend'], card['precision']))})")
    if args.spectrum:
        dic, ref = score_real(models, args.spectrum)
    else:
        from mrai.fileio.header import spectrum_header
        from mrai.simulate import simulate
        ref = simulate(seed=0).reference
        dic = spectrum_header(ref.shape)
    score_simulated(models, card, args.count)
    whole_process(dic, ref, model_path, args.repeats, list(models))


if __name__ == "__main__":
    main()
