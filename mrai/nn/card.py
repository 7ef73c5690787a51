"""Model cards: the JSON file beside every shipped ``.weights.h5`` (no Keras import).

A card holds everything ``mrai train wnn --card CARD`` needs to train the model again (network
config, simulator recipe, schedule and seed) and what the training gave (history, wall time,
backend, device, validation and real-spectrum metrics, git commit). ``PREFIX.weights.h5`` goes
with ``PREFIX.json``.
"""

import json
import os
import subprocess

from mrai.errors import InputError

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
    ('wnn' or 'sigma')."""
    try:
        with open(path) as fh:
            card = json.load(fh)
    except FileNotFoundError:
        raise InputError("model card not found (every .weights.h5 needs its .json card beside "
                         "it)", path) from None
    except (OSError, ValueError) as exc:
        raise InputError(f"not a readable model card ({exc})", path) from None
    if not isinstance(card, dict) or "config" not in card or card.get("kind") != kind:
        raise InputError(f"not an mrai {KINDS[kind]} model card (no 'kind': '{kind}' and "
                         "'config')", path)
    return card
