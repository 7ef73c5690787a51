"""Sigma for a reconstruction, from the reconstruction alone where mrai made it.

The sigma network of a method sees the measured input and the reconstruction mu. For mrai's
Echo and Anti-Echo reconstructions the measured input is the reconstruction's own Echo or
Anti-Echo part (data consistency keeps it exactly), on the reconstruction's time grid; for NUS it
is the reconstruction with the unsampled t1 rows of its Virtual Echo set to zero, given the
schedule. Which network serves which method and mode is in mrai.methods.table (Anti-Echo goes
through the Echo network and flip).
"""

import numpy as np

from mrai.physics import nus_degrade, part
from mrai.uncertainty.scores import sigma_summary


def sigma_method(method, mode):
    """The name of the sigma network for a reconstruction ``method`` ('wnn', 'ist') and
    ``mode`` (mrai.methods.table)."""
    from mrai.methods.table import entry

    if method is None:
        raise ValueError("a method is needed (wnn or ist)")
    return entry(method, mode).sigma


def measured_input(recon, mode, schedule=None, start=(0.0, 0.0)):
    """What the measurement gave, recovered from an exactly consistent reconstruction."""
    if mode == "nus":
        if schedule is None:
            raise ValueError("a NUS reconstruction needs its schedule")
        return nus_degrade(recon, schedule).astype(np.float32)
    return part(np.asarray(recon, dtype=np.float32), mode, start).astype(np.float32)


def assess(model, recon, mode, measured=None, schedule=None, region=None, start=(0.0, 0.0)):
    """(sigma, summary) for the 2D reconstruction ``recon`` with the sigma network ``model``;
    ``measured`` defaults to :func:`measured_input`; ``summary`` is
    :func:`mrai.uncertainty.sigma_summary` (pSQ, mean and median sigma/Smax) over ``region``;
    ``start``: the (t1, t2) time grid starts, in dwells (0 or 0.5 each)."""
    from mrai.nn.inference import predict_sigma

    if measured is None:
        measured = measured_input(recon, mode, schedule, start)
    sigma = predict_sigma(model, measured, recon, mode, start)
    return sigma, sigma_summary(recon, sigma, region)
