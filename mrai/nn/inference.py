"""Running the networks on spectra (numpy in, numpy out): WNN reconstruction, sigma, and the
inputs they take. Loading and saving them is mrai.nn.models (its names are also importable
from here).
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
    sigma = np.asarray(model(sigma_inputs(m[None], u[None], model.sigma_config.holdout),
                             grid=start))[0]
    sigma = sigma.astype(np.float32)
    return flip(sigma, start) if mode == "antiecho" else sigma


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
