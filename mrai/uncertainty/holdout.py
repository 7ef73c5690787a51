"""Hold-out estimate of the error of a NUS reconstruction, from the measured data alone.

IST keeps the sampled t1 rows exactly (data consistency), so its whole error lies in the rows it
did not see. Leaving a quarter of the sampled rows out (t1 = 0 always stays), reconstructing
from the rest and comparing with the measured values at the left-out rows shows how well the
method fills rows it has not seen, on this very spectrum. The squared residual of each left-out
row, interpolated over t1 (errors follow the decay and apodization of the signal, and a
Poisson-gap schedule leaves mostly late rows out) and summed over the unsampled rows up to the
last sampled one, is the expected error energy; it is shared among the F2 columns as the
left-out residuals are. The estimate is rough (the left-out reconstructions see fewer rows), so
the sigma network takes it as an input (mrai.nn.sigma, ``holdout``) rather than as sigma.
"""

import numpy as np

from mrai.physics.nus import nus_degrade, nus_row_mask, sampled_schedule

FOLDS = 4   # a quarter of the sampled rows is left out at a time
USED = 2    # how many of the quarters are reconstructed (cost: USED extra reconstructions)


def holdout_error(measured, schedule=None, reconstruct=None, folds=FOLDS, used=USED, seed=0):
    """Expected RMS error over F1 of each F2 column of the reconstruction of the NUS spectrum
    ``measured`` (F1, F2), in the spectrum's units, float32 (F2,). ``schedule``: sampled t1
    indices (found from the data when None); ``reconstruct(measured, schedule)`` the method
    (IST with its NUS defaults when None). Zero when fewer than ``folds`` rows besides t1 = 0
    were sampled."""
    m = np.asarray(measured, dtype=np.float32)
    if m.ndim != 2:
        raise ValueError(f"a 2D spectrum is needed, got shape {m.shape}")
    if reconstruct is None:
        from mrai.methods.ist import ist

        def reconstruct(x, s):
            return ist(x, "nus", s)
    n0 = m.shape[0]
    sampled = np.unique(sampled_schedule(m) if schedule is None else np.asarray(schedule))
    movable = sampled[sampled > 0]
    if movable.size < folds:
        return np.zeros(m.shape[1], dtype=np.float32)
    shuffled = np.random.default_rng(seed).permutation(movable)
    t1 = np.fft.ifft(m.astype(np.float64), axis=0)  # rows t1, columns F2
    rows, energies, columns = [], [], np.zeros(m.shape[1])
    for left_out in np.array_split(shuffled, folds)[:used]:
        kept = np.setdiff1d(sampled, left_out)
        residual = np.fft.ifft(reconstruct(nus_degrade(m, kept), kept), axis=0) - t1
        mask = nus_row_mask(left_out, n0)
        columns += np.sum(np.abs(residual[mask]) ** 2, axis=0)
        for k in left_out:  # row k and its mirror
            rows.append(k)
            energies.append(np.sum(np.abs(residual[k]) ** 2 + np.abs(residual[-k]) ** 2))
    by_row = np.argsort(rows)
    unsampled = np.setdiff1d(np.arange(1, sampled.max() + 1), sampled)
    total = np.interp(unsampled, np.asarray(rows)[by_row], np.asarray(energies)[by_row]).sum()
    share = columns / max(columns.sum(), 1e-300)
    return np.sqrt(total * share).astype(np.float32)
