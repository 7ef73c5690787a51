"""Model cards: the JSON file beside every shipped ``.weights.h5`` (no Keras import).

A card holds everything ``mrai train wnn --card CARD`` needs to train the model again (network
config, simulator recipe, schedule and seed) and what the training gave (history, wall time,
backend, device, validation and real-spectrum metrics, git commit). ``PREFIX.weights.h5`` goes
with ``PREFIX.json``.
"""

import json
import math
import os
import subprocess

from mrai.errors import InputError
from mrai.limits import (CARD_BOUNDS, MAX_CARD_BYTES, MAX_CARD_DEPTH, MAX_DILATIONS,
                         check_count)

CARD_VERSION = 1


def card_path(weights_path):
    """The card beside a weights file: ``x.weights.h5`` -> ``x.json``."""
    base = weights_path[:-len(".weights.h5")] if weights_path.endswith(".weights.h5") \
        else os.path.splitext(weights_path)[0]
    return base + ".json"


def git_commit(folder=None):
    """The commit of the source tree (with '+dirty' for uncommitted changes), or 'unknown' (also
    for an installed copy, which may sit inside some other repository, such as pyenv's)."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    folder = folder or package
    try:
        top = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=folder,
                             capture_output=True, text=True, check=True).stdout.strip()
        if not os.path.isdir(os.path.join(top, "mrai")) or \
                not os.path.isfile(os.path.join(top, "pyproject.toml")):
            return "unknown"
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=folder, capture_output=True,
                                text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=folder, capture_output=True, text=True).stdout.strip()
        return commit + ("+dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


KINDS = {"wnn": "WNN", "sigma": "sigma"}


def read_card(path, kind="wnn"):
    """The card as a dict; a clear InputError when it is missing or not a card of ``kind``
    ('wnn' or 'sigma'), or when it is bigger or more deeply nested than a card is, or its network
    config holds sizes beyond mrai.limits (:func:`check_config`)."""
    try:
        if os.path.getsize(path) > MAX_CARD_BYTES:
            raise InputError(f"not a model card: larger than {MAX_CARD_BYTES >> 20} MiB", path)
        with open(path, encoding="utf-8") as fh:
            card = json.load(fh)
    except FileNotFoundError:
        raise InputError("model card not found (every .weights.h5 needs its .json card beside "
                         "it)", path) from None
    except RecursionError:
        raise InputError("not a model card: JSON nested too deeply", path) from None
    except (OSError, ValueError) as exc:
        raise InputError(f"not a readable model card ({exc})", path) from None
    if not isinstance(card, dict) or "config" not in card or card.get("kind") != kind:
        raise InputError(f"not an mrai {KINDS[kind]} model card (no 'kind': '{kind}' and "
                         "'config')", path)
    if _depth(card) > MAX_CARD_DEPTH:
        raise InputError(f"not a model card: JSON nested more than {MAX_CARD_DEPTH} levels deep",
                         path)
    check_config(card["config"], path)
    return card


def _depth(value):
    """Nesting depth of a JSON value (iteratively: no recursion limit)."""
    deepest, todo = 0, [(value, 1)]
    while todo:
        item, depth = todo.pop()
        deepest = max(deepest, depth)
        if isinstance(item, dict):
            todo.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            todo.extend((v, depth + 1) for v in item)
    return deepest


def check_config(config, source=None):
    """InputError unless a card's network config is a dict whose sizes (filters, stages, ratio,
    start_iterations, kernel, dilations: mrai.limits.CARD_BOUNDS) are whole numbers within
    bounds and whose other numbers are finite: a card sizes the network built from it."""
    if not isinstance(config, dict):
        raise InputError("model card: 'config' is not an object", source)
    for key, value in config.items():
        if key in ("kernel", "dilations"):
            pairs = [value] if key == "kernel" else value
            if not isinstance(pairs, list) or len(pairs) > MAX_DILATIONS or \
                    not all(isinstance(p, list) and len(p) == 2 for p in pairs):
                raise InputError(f"model card: config {key} is not a list of (F1, F2) pairs "
                                 f"(at most {MAX_DILATIONS})", source)
            for pair in pairs:
                for item in pair:
                    check_count(item, f"model card: config {key}", *CARD_BOUNDS[key], source)
        elif key in CARD_BOUNDS:
            check_count(value, f"model card: config {key}", *CARD_BOUNDS[key], source)
        elif isinstance(value, float) and not math.isfinite(value):
            raise InputError(f"model card: config {key} is {value}, not a finite number", source)
