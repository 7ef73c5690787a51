"""Reference-based quality of a reconstruction (the MR-Ai authors' metric, docs/conventions.md).

Both spectra are cut to ``region`` (if given), then divided by max(reference); the points kept are
those where |reference| > 0.01 or |reconstruction| > 0.01; r is the Pearson correlation and RMSD
the root-mean-square difference over those points.
"""

import numpy as np

#: F2 points of MALT1 used in the published comparison: NMRPipe EXT x1=100 xn=800 (1-based).
MALT1_F2_POINTS = (100, 800)
SIGNAL_THRESHOLD = 0.01


def f2_region(first, last):
    """Index for F2 points ``first..last``, 1-based and inclusive as in NMRPipe EXT
    (ValueError unless 1 <= first <= last: a first point of 0 would count from the end)."""
    if not 1 <= int(first) <= int(last):
        raise ValueError(f"F2 region {first}..{last}: points count from 1, first <= last")
    return (slice(None), slice(int(first) - 1, int(last)))


def quality(recon, reference, region=None, threshold=SIGNAL_THRESHOLD):
    """``{'r': Pearson r, 'rmsd': RMSD, 'points': points used}`` of ``recon`` against
    ``reference`` (same shape, 2D). ``region``: an index such as :func:`f2_region`'s."""
    p = np.asarray(recon, dtype=np.float64)
    ref = np.asarray(reference, dtype=np.float64)
    if p.shape != ref.shape:
        raise ValueError(f"shapes differ: {p.shape} and {ref.shape}")
    if region is not None:
        p, ref = p[region], ref[region]
    scale = ref.max()
    if not scale > 0:
        raise ValueError("the reference has no positive maximum to normalise by")
    p, ref = p / scale, ref / scale
    keep = (np.abs(ref) > threshold) | (np.abs(p) > threshold)
    if keep.sum() < 2:
        raise ValueError("fewer than two signal points above the threshold")
    pk, rk = p[keep], ref[keep]
    r = float(np.corrcoef(pk, rk)[0, 1])
    rmsd = float(np.sqrt(np.mean((pk - rk) ** 2)))
    return {"r": r, "rmsd": rmsd, "points": int(keep.sum())}
