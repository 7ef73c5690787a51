#!/usr/bin/env python
"""Training-step time of the WNN in each precision, in one process (ratios to float32).

    python scripts/bench_train_step.py               # the shipped config, batches of 4 64x512
    python scripts/bench_train_step.py --steps 5 --precisions float32 bfloat16

bfloat16 pays off only on CPUs that compute it in hardware (mrai.nn.devices.native_bfloat16).
"""

import argparse
import time

import keras

from mrai.nn.config import WNNConfig
from mrai.nn.data import TrainingRecipe, batch
from mrai.nn.devices import native_bfloat16
from mrai.nn.model import build_wnn
from mrai.nn.training import DEFAULT_CONFIG


def step_time(config, batches, precision):
    model = build_wnn(config, precision)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse")
    model.train_on_batch(*batches[0])  # tracing and first-call set-up are not timed
    start = time.perf_counter()
    for x, y in batches[1:]:
        model.train_on_batch(x, y)
    return (time.perf_counter() - start) / (len(batches) - 1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=4, help="timed steps per precision [4]")
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument("--precisions", nargs="+", default=["float32", "bfloat16"])
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds [2]")
    args = parser.parse_args()
    config = WNNConfig.from_dict(DEFAULT_CONFIG)
    recipe = TrainingRecipe()
    batches = [batch(recipe, 0, i, args.batch_size, config) for i in range(args.steps + 1)]
    print(f"WNN {DEFAULT_CONFIG}, batches of {args.batch_size} {recipe.sizes[0][0]}x"
          f"{recipe.sizes[0][1]}, backend {keras.backend.backend()}, native bfloat16: "
          f"{native_bfloat16()}")
    best = {}
    for _ in range(args.rounds):  # alternate, so drifts in machine load hit every precision
        for precision in args.precisions:
            seconds = step_time(config, batches, precision)
            best[precision] = min(best.get(precision, seconds), seconds)
    base = best[args.precisions[0]]
    for precision, seconds in best.items():
        print(f"  {precision:<9} {seconds:6.2f} s/step  ratio to {args.precisions[0]} "
              f"{seconds / base:.2f}")


if __name__ == "__main__":
    main()
