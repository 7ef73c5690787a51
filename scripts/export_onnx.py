#!/usr/bin/env python
"""Write the ONNX files (mrai.nn.export) beside WNN or sigma network weights, so that they run
without Keras (mrai.runtime); mrai train writes them itself, this is for weights made before.

    python scripts/export_onnx.py models/*.weights.h5
    python scripts/export_onnx.py my-model.weights.h5 --check

With --check it also compares the ONNX path with the Keras path on a simulated spectrum and
prints the largest difference over the maximum.
"""

import argparse
import os

import numpy as np


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("weights", nargs="+", help=".weights.h5 files (with their .json cards)")
    parser.add_argument("--check", action="store_true", help="compare with the Keras path")
    args = parser.parse_args()
    from mrai.nn.export import export_onnx
    from mrai.nn.inference import load_model, load_sigma, predict_sigma, reconstruct
    from mrai.simulate import simulate

    for weights in args.weights:
        sigma = os.path.basename(weights).startswith("sigma")
        load = load_sigma if sigma else load_model
        model, _ = load(weights, "float32", "keras")
        paths = export_onnx(model, weights, overwrite=True)
        line = f"{weights}: {', '.join(os.path.basename(p) for p in paths)}"
        if args.check:
            onnx_model, _ = load(weights, "float32", "onnx")
            sim = simulate(size=(128, 1024), peaks=(100, 100), seed=0)
            if sigma:
                nus = model.sigma_config.method == "ist-nus"
                measured, mode = (sim.nus, "nus") if nus else (sim.echo, "echo")
                a = predict_sigma(model, measured, sim.reference, mode)
                b = predict_sigma(onnx_model, measured, sim.reference, mode)
            else:
                a, b = reconstruct(model, sim.echo), reconstruct(onnx_model, sim.echo)
            line += f"; ONNX - Keras: {np.abs(a - b).max() / np.abs(a).max():.1e} of the maximum"
        print(line)


if __name__ == "__main__":
    main()
