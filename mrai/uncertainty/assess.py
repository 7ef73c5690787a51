"""Sigma for a reconstruction, from the reconstruction alone where mrai made it.

The sigma network of a method sees the measured input and the reconstruction mu. For mrai's
Echo and Anti-Echo reconstructions the measured input is the reconstruction's own Echo or
Anti-Echo part (data consistency keeps it exactly); for NUS it is the reconstruction with the
unsampled t1 rows of its Virtual Echo set to zero, given the schedule. Networks are named by
method: 'wnn-echo', 'ist-echo', 'ist-nus' (Anti-Echo goes through the Echo network and flip).
"""

import numpy as np

from mrai.physics import nus_degrade, part
from mrai.uncertainty.scores import sigma_summary

MODES = ("echo", "antiecho", "nus")


def sigma_method(method, mode):
    """The sigma network for a reconstruction ``method`` ('wnn', 'ist') and ``mode``."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    if method == "wnn" and mode == "nus":
        raise ValueError("the WNN does not reconstruct NUS spectra")
    if method not in ("wnn", "ist"):
        raise ValueError(f"method must be wnn or ist, not {method!r}")
    return f"{method}-{'nus' if mode == 'nus' else 'echo'}"


def measured_input(recon, mode, schedule=None):
    """What the measurement gave, recovered from an exactly consistent reconstruction."""
    if mode == "nus":
        if schedule is None:
            raise ValueError("a NUS reconstruction needs its schedule")
        return nus_degrade(recon, schedule).astype(np.float32)
    return part(np.asarray(recon, dtype=np.float32), mode).astype(np.float32)


def assess(model, recon, mode, measured=None, schedule=None, region=None):
    """(sigma, summary) for the 2D reconstruction ``recon`` with the sigma network ``model``;
    ``measured`` defaults to :func:`measured_input`; ``summary`` is
    :func:`mrai.uncertainty.sigma_summary` (pSQ, mean and median sigma/Smax) over ``region``."""
    from mrai.nn.inference import predict_sigma

    if measured is None:
        measured = measured_input(recon, mode, schedule)
    sigma = predict_sigma(model, measured, recon, mode)
    return sigma, sigma_summary(recon, sigma, region)
