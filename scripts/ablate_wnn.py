#!/usr/bin/env python
"""WNN ablation under one equal training budget (same seed, stream, steps, batch and schedule
for every variant): linear vs ReLU output, proportional module 1:1 vs 2:1, 1 vs 3 vs 5 cascade
stages, and the first estimate (Echo spectrum vs a short IST run). Each variant is scored on the
held-out simulated set and, with --spectrum, on the Echo and Anti-Echo of a real spectrum.
Results print as a markdown table and, with --out, are written there.

    python scripts/ablate_wnn.py --steps 200 --spectrum ../shared/data/malt1_trosy/malt1_trosy.ft2 \\
        --out docs/wnn-ablation.md
"""

import argparse
import os
import tempfile
import time

from mrai.fileio import read
from mrai.metrics import f2_region, quality
from mrai.nn.config import WNNConfig
from mrai.nn.data import TrainingRecipe
from mrai.nn.inference import reconstruct
from mrai.nn.training import DEFAULT_CONFIG, Schedule, evaluate, train, validation_set
from mrai.physics import part

BASE = dict(DEFAULT_CONFIG)
VARIANTS = {
    "base (3 stages, 1:1, linear, IST start)": {},
    "ReLU output": {"output": "relu"},
    "proportional 2:1": {"ratio": 2},
    "1 stage": {"stages": 1},
    "5 stages": {"stages": 5},
    "Echo start (no IST)": {"start": "echo"},
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200, help="training steps per variant")
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument("--validation", type=int, default=16, help="held-out spectra")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--spectrum", help="real full 2D spectrum to score Echo/Anti-Echo on")
    parser.add_argument("--only", nargs="*", help="variant names to run (default: all)")
    parser.add_argument("--out", help="write the markdown table here")
    args = parser.parse_args()
    recipe = TrainingRecipe()
    epochs = 4
    schedule = Schedule(epochs=epochs, steps=max(1, args.steps // epochs),
                        batch_size=args.batch_size, seed=args.seed, validation=args.validation)
    real = None
    if args.spectrum:
        real = read(args.spectrum)[1].astype("float32")
        malt = "malt1" in os.path.basename(args.spectrum).lower()
        region = f2_region(100, 800) if malt else None
    val_echo, val_ref = validation_set(recipe, args.validation)
    header = ("| variant | params | s/step | sim r | sim RMSD | real Echo r | RMSD | "
              "real Anti r | RMSD |\n|---|---|---|---|---|---|---|---|---|")
    rows = []
    print(header, flush=True)
    for name, change in VARIANTS.items():
        if args.only and name not in args.only:
            continue
        config = WNNConfig.from_dict({**BASE, **change})
        with tempfile.TemporaryDirectory() as folder:
            start = time.perf_counter()
            model, state = train(config, recipe, schedule, folder, log=lambda s: None)
            per_step = (time.perf_counter() - start) / (schedule.epochs * schedule.steps)
        sim = evaluate(model, val_echo, val_ref)
        cells = [name, f"{model.count_params():,}", f"{per_step:.2f}", f"{sim['r']:.4f}",
                 f"{sim['rmsd']:.4f}"]
        if real is not None:
            for mode in ("echo", "antiecho"):
                q = quality(reconstruct(model, part(real, mode), mode), real, region)
                cells += [f"{q['r']:.4f}", f"{q['rmsd']:.4f}"]
        else:
            cells += ["-"] * 4
        rows.append("| " + " | ".join(cells) + " |")
        print(rows[-1], flush=True)
    if args.out:
        text = (f"Budget per variant: {schedule.epochs * schedule.steps} steps of "
                f"{schedule.batch_size} simulated {recipe.sizes[0][0]}x{recipe.sizes[0][1]} "
                f"spectra, seed {schedule.seed}, Adam {schedule.learning_rate:g} cosine; "
                f"held-out set: {args.validation} spectra.\n\n" + header + "\n"
                + "\n".join(rows) + "\n")
        with open(args.out, "w") as fh:
            fh.write(text)


if __name__ == "__main__":
    main()
