"""Running the networks on spectra (numpy in, numpy out): WNN reconstruction, sigma, and the
inputs they take. Loading and saving them is mrai.nn.models (its names are also importable
from here).

Spectra larger than one tile (mrai.runtime.tiling.tile_points) run their trunks in
overlapping tiles: the ONNX runtime does so itself; a Keras model is then run as its numpy twin
(mrai.runtime) around its own Keras stages, tiled, so that memory stays bounded on either
backend (docs/wnn.md, "Memory and tiling").
"""

import numpy as np

from mrai.nn.models import (BACKENDS, DEFAULT_NAME, default_model,  # noqa: F401 (re-exported)
                            default_sigma_model, load_model, load_sigma, model_dir,
                            resolve_weights, save_model, weights_only)
from mrai.physics.echo import flip


def reconstruct(model, spectrum, mode="echo", start=(0.0, 0.0)):
    """Pure-absorption spectrum from an Echo-only ('echo') or Anti-Echo-only ('antiecho') real
    2D spectrum (F1, F2) of any size, float32 out. Anti-Echo goes through ``flip`` and back.
    ``start``: where the (t1, t2) time grids start, in dwells (0 or 0.5 each; (0.5, 0) for f1180
    data, mrai.physics.grid)."""
    from mrai.nn.data import inputs

    if mode not in ("echo", "antiecho"):
        raise ValueError(f"the WNN handles 'echo' and 'antiecho', not {mode!r}")
    start = tuple(float(s) for s in start)
    y = np.asarray(spectrum, dtype=np.float32)
    if mode == "antiecho":
        y = flip(y, start)
    model = tiled_model(model, y.shape)
    out = np.asarray(model(inputs(y[None], model.wnn_config, start), grid=start))[0]
    out = out.astype(np.float32)
    return flip(out, start) if mode == "antiecho" else out


def predict_sigma(model, measured, mu, mode="echo", start=(0.0, 0.0)):
    """sigma (float32, the shape of ``mu``) for the reconstruction ``mu`` of the 2D spectrum
    ``measured`` ('echo', 'antiecho' through flip, or 'nus'); ``start``: the (t1, t2) time grid
    starts, in dwells (0 or 0.5 each; Echo and Anti-Echo only)."""
    start = tuple(float(s) for s in start)
    m = np.asarray(measured, dtype=np.float32)
    u = np.asarray(mu, dtype=np.float32)
    if mode == "antiecho":
        m, u = flip(m, start), flip(u, start)
    model = tiled_model(model, u.shape)
    sigma = np.asarray(model(sigma_inputs(m[None], u[None], model.sigma_config.holdout),
                             grid=start))[0]
    sigma = sigma.astype(np.float32)
    return flip(sigma, start) if mode == "antiecho" else sigma


def tiled_model(model, shape):
    """``model`` itself, or for a Keras model (a WNN or a sigma network) and a spectrum of
    ``shape`` larger than one tile, its numpy twin (mrai.runtime.RuntimeWNN or RuntimeSigma)
    running the model's own Keras stages in tiles (equal to the Keras model within float32
    round-off, tests/test_runtime.py and tests/test_tiling.py)."""
    if getattr(model, "runtime", None) is not None:
        return model   # mrai.runtime tiles its trunks itself
    from mrai.runtime.tiling import tile_points

    budget = tile_points()
    if budget is None or int(np.prod(shape)) <= budget:
        return model
    from mrai.nn.backend import keras
    from mrai.runtime import RuntimeSigma, RuntimeWNN
    from mrai.runtime.tiling import TiledTrunk, margins

    def trunk(stage, config):
        def run(tile):
            return np.asarray(keras.ops.convert_to_numpy(stage(tile)), np.float32)
        return TiledTrunk(run, margins(config.kernel, config.dilations))

    card = getattr(model, "card", {})
    if hasattr(model, "sigma_config"):
        return RuntimeSigma(model.sigma_config, card, trunk=trunk(model.trunk, model.sigma_config),
                            runtime="keras")
    return RuntimeWNN(model.wnn_config, card, trunks=[trunk(s, model.wnn_config)
                                                      for s in model.stages], runtime="keras")


def predict(model, echo, batch_size=4):
    """Run a WNN on a stack of Echo spectra (N, F1, F2), in batches; numpy float32 out."""
    from mrai.nn.data import inputs

    out = [np.asarray(model(inputs(echo[i:i + batch_size], model.wnn_config)))
           for i in range(0, len(echo), batch_size)]
    return np.concatenate(out).astype(np.float32)


def sigma_inputs(measured, mu, holdout=False):
    """What a sigma network takes for stacks (B, F1, F2) of measured spectra and their
    reconstructions: (measured, mu); with ``holdout`` also IST's hold-out error estimate of each
    measured NUS spectrum, (B, 1, F2) (mrai.uncertainty.holdout, schedule found from the data)."""
    if not holdout:
        return measured, mu
    from mrai.uncertainty.holdout import holdout_error

    return measured, mu, np.stack([holdout_error(m) for m in measured])[:, None, :]
