#!/usr/bin/env python
"""Compare the metrics of two model cards, e.g. a shipped model and its retraining from the
card (`mrai train wnn --card models/wnn-echo.json -o again`): validation metrics and real-spectrum
metrics side by side, with the relative difference of each, and the largest difference between
the two weights files beside the cards (NAME.weights.h5 for NAME.json), when both exist.

    python scripts/compare_cards.py models/wnn-echo.json again.json
"""

import argparse
import json
import os

import h5py
import numpy as np


def flatten(card):
    """{'validation r': 0.98, 'real echo rmsd': 0.0118, ...}: the card's numeric metrics."""
    out = {f"validation {k}": v for k, v in card.get("validation", {}).items()
           if isinstance(v, float) and k not in ("seconds", "loss")}
    for case, values in card.get("real", {}).items():
        if isinstance(values, dict):
            out.update({f"real {case} {k}": v for k, v in values.items()
                        if isinstance(v, float)})
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("first")
    parser.add_argument("second")
    args = parser.parse_args()
    cards = [json.load(open(p)) for p in (args.first, args.second)]
    for card, path in zip(cards, (args.first, args.second)):
        print(f"{path}: {card.get('name')}, {card.get('steps')} steps, {card.get('backend')} "
              f"{card.get('device')}, {card.get('wall_s', 0) / 60:.1f} min, commit "
              f"{card.get('commit')}")
    a, b = (flatten(c) for c in cards)
    print(f"{'metric':<26}{'first':>10}{'second':>10}{'difference':>12}")
    for key in a:
        if key in b:
            diff = (b[key] - a[key]) / abs(a[key]) if a[key] else float("nan")
            print(f"{key:<26}{a[key]:>10.4g}{b[key]:>10.4g}{diff:>+11.1%}")
    weights = [os.path.splitext(p)[0] + ".weights.h5" for p in (args.first, args.second)]
    if all(os.path.isfile(w) for w in weights):
        count, largest = weights_difference(*weights)
        print(f"weights: {count} arrays, largest absolute difference {largest:.3g}")


def weights_difference(first, second):
    """(arrays compared, largest absolute difference) of two .weights.h5 files of one model."""
    found = []
    with h5py.File(first, "r") as a, h5py.File(second, "r") as b:
        def visit(name, item):
            if isinstance(item, h5py.Dataset):
                if name not in b:
                    raise SystemExit(f"{second} has no {name}: not the same model")
                found.append(float(np.max(np.abs(np.asarray(item) - np.asarray(b[name])),
                                          initial=0.0)))
        a.visititems(visit)
    return len(found), max(found, default=0.0)


if __name__ == "__main__":
    main()
