"""Non-uniform sampling (NUS) of the indirect dimension, in the Virtual-Echo domain.

A schedule lists the sampled t1 points as 0-based indices of the non-negative t1 half of the
Virtual Echo: 0 .. h - 1 with h = (n0 + 1) // 2 for a spectrum with n0 F1 points (n0 / 2 for
even n0). Sampling t1 index k keeps VE row k and its mirror row (n0 - k) mod n0; every other row,
the t1 = n0/2 (Nyquist) row of even n0 included, is zero.
"""

import numpy as np

from mrai.physics.echo import from_virtual_echo, virtual_echo
from mrai.physics.scale import safely


def t1_half(n0):
    """How many t1 indices a schedule can name for n0 F1 points: (n0 + 1) // 2."""
    return (int(n0) + 1) // 2


def validate_schedule(schedule, n0):
    """Sorted int array of a schedule; ValueError for empty, duplicate or out-of-range indices."""
    idx = np.asarray(schedule)
    if idx.size == 0:
        raise ValueError("the NUS schedule is empty")
    if idx.ndim != 1 or not np.issubdtype(idx.dtype, np.integer):
        raise ValueError("a NUS schedule is a list of integer t1 indices")
    half = t1_half(n0)
    bad = idx[(idx < 0) | (idx >= half)]
    if bad.size:
        raise ValueError(f"NUS schedule index {int(bad[0])} is outside 0..{half - 1} "
                         f"(the t1 half of a spectrum with {n0} F1 points)")
    uniq, counts = np.unique(idx, return_counts=True)
    if (counts > 1).any():
        raise ValueError(f"NUS schedule index {int(uniq[counts > 1][0])} appears more than once")
    return uniq


def nus_row_mask(schedule, n0):
    """Boolean mask over the n0 Virtual-Echo rows: True for sampled rows and their mirrors."""
    idx = validate_schedule(schedule, n0)
    mask = np.zeros(n0, dtype=bool)
    mask[idx] = True
    mask[(-idx) % n0] = True
    return mask


def nus_degrade(spectrum, schedule):
    """The spectrum as NUS would give it: unsampled t1 rows of its Virtual Echo set to zero
    (computed scaled, mrai.physics.scale: no finite spectrum overflows)."""
    s = np.asarray(spectrum)
    mask = nus_row_mask(schedule, s.shape[0])

    def degrade(x):
        ve = virtual_echo(x)
        ve[~mask] = 0
        return from_virtual_echo(ve, dtype=x.dtype)
    return safely(degrade, s, what="the NUS spectrum")


SAMPLED_ENERGY = 1e-9  # a t1 row with more than this share of the largest row's energy was sampled


def sampled_schedule(measured, threshold=SAMPLED_ENERGY):
    """The schedule of a NUS spectrum found from the data: t1 indices of the non-negative half
    whose Virtual-Echo rows carry energy above ``threshold`` of the largest row's (unsampled
    rows are exactly zero, :func:`nus_degrade`; mrai.nn.sigma.t1_sampling is the same test in
    keras.ops)."""
    s = np.asarray(measured)
    if s.ndim != 2:
        raise ValueError(f"a 2D spectrum is needed, got shape {s.shape}")
    energy = np.sum(np.abs(np.fft.ifft(s.astype(np.float64), axis=0)) ** 2, axis=1)
    half = energy[: t1_half(s.shape[0])]
    return np.flatnonzero(half > threshold * half.max()) if half.max() > 0 else \
        np.zeros(0, dtype=np.int64)
