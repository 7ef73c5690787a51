"""Loading WNN models and reconstructing spectra with them (numpy in, numpy out).

The default model is ``models/wnn-echo.weights.h5`` of the installed package data, with its card
``models/wnn-echo.json``.
"""

import os

import numpy as np

from mrai.errors import InputError
from mrai.nn.card import card_path, read_card
from mrai.physics.echo import flip

MODEL_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "models")
DEFAULT_MODEL = os.path.join(MODEL_DIR, "wnn-echo.weights.h5")


def load_model(path=None):
    """A built WNN with the weights at ``path`` (default: the shipped model) and its card.

    Returns (model, card). Missing, truncated or mismatched files give an InputError that says
    which file and why.
    """
    from mrai.nn.config import WNNConfig
    from mrai.nn.model import build_wnn

    path = path or DEFAULT_MODEL
    if not os.path.exists(path):
        raise InputError("model weights not found", path)
    card = read_card(card_path(path))
    try:
        model = build_wnn(WNNConfig.from_dict(card["config"]))
    except (TypeError, ValueError) as exc:
        raise InputError(f"model card has an invalid config ({exc})", card_path(path)) from None
    try:
        model.load_weights(path)
    except Exception as exc:  # h5py/Keras raise many types for corrupt or mismatched files
        raise InputError(f"cannot load weights ({type(exc).__name__}: {exc})".strip(),
                         path) from None
    return model, card


def reconstruct(model, spectrum, mode="echo"):
    """Pure-absorption spectrum from an Echo-only ('echo') or Anti-Echo-only ('antiecho') real
    2D spectrum (F1, F2), float32 out. Anti-Echo goes through ``flip`` and back."""
    from mrai.nn.data import inputs

    if mode not in ("echo", "antiecho"):
        raise ValueError(f"the WNN handles 'echo' and 'antiecho', not {mode!r}")
    y = np.asarray(spectrum, dtype=np.float32)
    if mode == "antiecho":
        y = flip(y)
    out = np.asarray(model(inputs(y[None], model.wnn_config)))[0].astype(np.float32)
    return flip(out) if mode == "antiecho" else out
