"""Statistics of a reconstruction ``mu`` with a per-point standard deviation ``sigma``
(docs/conventions.md). Arrays are real spectra of one shape, in the units of the
spectrum; ``region`` is an optional index (e.g. ``mrai.metrics.f2_region(100, 800)``) applied
first.

- Smax is the maximum of the reconstruction; signal points are those with |mu| / Smax > 0.01.
- pSQ, the predicted RMSD: sqrt(mean((sigma / Smax)^2)) over the signal points. It estimates the
  reference-based RMSD of mrai.metrics.quality without a reference.
- Coverage: the fraction of points whose true error |reference - mu| is within 1.96 sigma (the
  95 % band), over the points the RMSD metric uses (|R| or |mu| above 0.01 of max R).
"""

import numpy as np

from mrai.errors import InputError
from mrai.metrics import SIGNAL_THRESHOLD as SIGNAL_LEVEL

Z95 = 1.959964


def _arrays(*arrays, region=None):
    out = [np.asarray(a, dtype=np.float64) for a in arrays]
    shape = out[0].shape
    if any(a.shape != shape for a in out):
        raise ValueError(f"shapes differ: {', '.join(str(a.shape) for a in out)}")
    if region is not None:
        out = [a[region] for a in out]
    return out


def smax(mu):
    """The reconstruction's maximum (max |mu| when no point is positive)."""
    top = float(np.max(mu))
    return top if top > 0 else float(np.max(np.abs(mu)))


def signal_points(mu, level=SIGNAL_LEVEL):
    """Boolean mask of the points with |mu| / Smax > ``level``."""
    mu = np.asarray(mu)
    return np.abs(mu) > level * smax(mu)


def gaussian_nll(y, mu, sigma):
    """Mean Gaussian negative log-likelihood (y - mu)^2 / (2 sigma^2) + log sigma, per point
    (the constant log sqrt(2 pi) left out, as in the training loss)."""
    y, mu, sigma = _arrays(y, mu, sigma)
    if np.any(sigma <= 0):
        raise ValueError("sigma must be positive")
    return float(np.mean((y - mu) ** 2 / (2 * sigma ** 2) + np.log(sigma)))


def psq(mu, sigma, region=None):
    """Predicted RMSD: sqrt(mean((sigma / Smax)^2)) over the signal points of ``mu``
    (InputError when ``mu`` is zero everywhere: it has none)."""
    return sigma_summary(mu, sigma, region)["psq"]


def sigma_summary(mu, sigma, region=None):
    """pSQ and the mean and median of sigma / Smax over the signal points (the MR-Ai box-plot
    statistics), with the number of signal points. InputError when ``mu`` (within ``region``)
    is zero everywhere, so that it has no signal points."""
    mu, sigma = _arrays(mu, sigma, region=region)
    if mu.size == 0:
        raise InputError("the region holds no points")
    top = smax(mu)
    if not top > 0:
        raise InputError("the reconstruction is zero everywhere: it has no signal points to "
                         "score")
    keep = signal_points(mu)
    ratio = sigma[keep] / top
    return {"psq": float(np.sqrt(np.mean(ratio ** 2))), "mean": float(np.mean(ratio)),
            "median": float(np.median(ratio)), "points": int(keep.sum())}


def coverage(reference, mu, sigma, z=Z95, region=None):
    """Fraction of the metric's points (|R| or |mu| above 0.01 of max R) whose true error
    |reference - mu| is at most ``z`` sigma (0.95 expected for z = 1.96)."""
    reference, mu, sigma = _arrays(reference, mu, sigma, region=region)
    top = float(np.max(reference))
    keep = (np.abs(reference) > SIGNAL_LEVEL * top) | (np.abs(mu) > SIGNAL_LEVEL * top)
    return float(np.mean(np.abs(reference - mu)[keep] <= z * sigma[keep]))
