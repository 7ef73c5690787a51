"""F2 phase of real 2D spectra, and the phase of an Echo-only spectrum's F2 projection.

A real spectrum S (rows F1, columns F2, nmrPipe order) holds only the real part along F2; when
its time domain was zero filled (at least doubled), the imaginary part follows from it
(:func:`analytic`), and the spectrum can be phased along F2 afterwards (:func:`rotate_f2`).
Phases are nmrPipe's: a correction ``PS -p0 P0 -p1 P1`` multiplies the complex point at index
j of n by exp(i (P0 + P1 j / n)) (degrees).

A phase along F2 acts on each sign of t2 separately (t2 > 0 by exp(i phi), t2 < 0 by its
conjugate), and so does the Echo / Anti-Echo split (it keeps quadrants of t1 and t2 signs): the
two commute for a zero-order phase, and nearly so for a first-order one (a time shift of t2 by
P1 / 360 dwells, which leaks a little across t2 = 0). The Echo part of a spectrum with phase
errors (e1, e2) along (F1, F2) is the absorptive Echo part rotated by e1 + e2 (Anti-Echo:
e2 - e1), so one coherence half alone fixes only that sum (:func:`projection_phase`).
"""

import numpy as np
import scipy.fft as sfft

#: grids of the projection phase search (degrees): P0 step, P1 step and range
P0_STEP, P1_STEP, P1_MAX = 4.0, 8.0, 720.0
#: an objective within this (fraction of the spectrum's energy) of the best counts as as good,
#: and the smallest |P1| among those is taken (peaks over part of F2 pin P1 down loosely)
TIE = 1e-4


def analytic(spectrum, axis):
    """The complex spectrum whose real part is the real ``spectrum`` along ``axis`` (nmrPipe
    order), assuming its time domain there was zero filled: the second half of the inverse FFT
    (nmrPipe's positive times) kept and doubled, the first point and the middle one kept."""
    s = np.asarray(spectrum)
    n = s.shape[axis]
    weights = np.zeros(n, dtype=s.dtype)
    weights[0] = 1.0
    weights[n // 2 + 1:] = 2.0
    if n % 2 == 0:
        weights[n // 2] = 1.0
    shape = [1] * s.ndim
    shape[axis] = n
    return sfft.fft(sfft.ifft(s, axis=axis) * weights.reshape(shape), axis=axis)


def ramp(n, p0, p1):
    """exp(i (P0 + P1 j / n)) for j = 0 .. n - 1 (nmrPipe PS, degrees)."""
    return np.exp(1j * np.radians(p0 + p1 * np.arange(n) / n))


def rotate_f2(spectrum, p0, p1=0.0):
    """The real 2D ``spectrum`` phased along F2 by (P0, P1) degrees, as nmrPipe's ``PS -p0 P0
    -p1 P1`` would phase the complex spectrum (:func:`analytic` restores its F2 imaginary part);
    same dtype. ``rotate_f2(rotate_f2(S, p0, p1), -p0, -p1)`` gives S back when P1 is a
    multiple of 360 (whole points of t2), except for the t2 = 0 point of each row, which has
    no imaginary part to rotate with; another P1 shifts t2 by a fraction of a dwell, which
    spreads a little of the signal to negative t2, where the real part loses it (a few % of the
    largest point for P1 of a few tens of degrees)."""
    s = np.asarray(spectrum)
    z = analytic(s.astype(np.float64), axis=1) * ramp(s.shape[1], p0, p1)[None, :]
    return z.real.astype(s.dtype)


def carrier_columns(n):
    """Half width (points) of the band around the F2 carrier column (n // 2) that phase
    measurements leave out: the t2 = 0 offset of the FIDs makes a ridge there."""
    return max(2, n // 128)


def projection_phase(spectrum):
    """(P0, P1), degrees: the F2 phase error of a real 2D spectrum's F2 projection, the phase
    correction ``PS -p0 -P0 -p1 -P1`` would remove.

    The sum over F1 is the spectrum's t1 = 0 row, which the phase twist of an Echo-only
    (Anti-Echo-only) spectrum leaves alone: a 1D spectrum of every peak, with the phase the
    twist carries (e1 + e2 for Echo, e2 - e1 for Anti-Echo). Its phases are those that leave the
    least negative intensity (the share of its energy below zero, the F2 carrier band left
    out): peaks are taken as positive, as in an HSQC. P0 is searched over the circle, P1 over
    +-720 degrees (the smallest |P1| among equally good ones), on grids then refined.
    Deterministic; about 0.1 s for 2048 columns.
    """
    s = np.asarray(spectrum, dtype=np.float64)
    n = s.shape[1]
    z = analytic(s.sum(axis=0), axis=0)
    keep = np.ones(n, dtype=bool)
    half = carrier_columns(n)
    keep[max(n // 2 - half, 0):n // 2 + half + 1] = False
    x = (np.arange(n) / n)[keep]
    z = z[keep]
    energy = float((np.abs(z) ** 2).sum())
    if not energy or not np.isfinite(energy):
        return 0.0, 0.0
    strong = np.abs(z) >= 1e-3 * np.abs(z).max()      # the rest cannot move the objective
    z, x = z[strong], x[strong]

    def negative(p0s, p1s):
        """Negative energy share for every (P0, P1) pair of the grids."""
        phases = np.radians(p0s[:, None, None] + p1s[None, :, None] * x[None, None, :])
        re = (z[None, None, :] * np.exp(-1j * phases)).real
        return (np.minimum(re, 0.0) ** 2).sum(axis=-1) / energy

    p0s = np.arange(-180.0, 180.0, P0_STEP)
    p1s = np.arange(-P1_MAX, P1_MAX + 1e-9, P1_STEP)
    values = np.concatenate([negative(p0s, p1s[i:i + 16]) for i in range(0, len(p1s), 16)],
                            axis=1)
    good = values.min(axis=0) <= values.min() + TIE
    p1 = float(p1s[good][np.argmin(np.abs(p1s[good]))])
    p0 = float(p0s[np.argmin(values[:, np.nonzero(p1s == p1)[0][0]])])
    fine0 = p0 + np.arange(-P0_STEP, P0_STEP + 1e-9, 0.25)
    fine1 = p1 + np.arange(-P1_STEP / 2, P1_STEP / 2 + 1e-9, 0.5)
    values = negative(fine0, fine1)
    i, j = np.unravel_index(np.argmin(values), values.shape)
    return float((fine0[i] + 180.0) % 360.0 - 180.0), float(fine1[j])
