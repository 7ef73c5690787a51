"""Time grids of the two dimensions, and the Echo / Anti-Echo split on each.

A dimension's samples sit at t = (k + start) dt. Two starts split a spectrum exactly:

- start 0 (the usual case): the Virtual Echo V = ifft2(S) has t = 0 at index 0, positive times
  at 1 .. h - 1 and negative ones at h .. n - 1, h = (n + 1) // 2 (for even n the Nyquist
  index counts as negative; odd n has none). The t = 0 line belongs to both parts, half each.
- start 1/2 (f1180, "half-dwell": processed with P0 -90, P1 180): the P1 180 correction is a
  half-point shift, so in the plain V the signal falls between grid points and the quadrant
  mask leaks. Undoing the shift first, V' = ifft2(S * r) with r[m] = exp(i pi m / n) over the
  stored index m, puts t = (k + 1/2) dt at index k for k < n // 2 and the negative times at the
  rest; no index is shared, except for odd n the middle one, t = +-n/2 dt, which is shared
  half and half.

The Echo part keeps the points where t1 and t2 have the same sign, the Anti-Echo part those of
opposite sign, shared points at half weight, so the parts always add up to the spectrum
exactly: part = real(fft2(W * ifft2(S * R)) * conj(R)), R the ramps of the half-dwell
dimensions (1 for start 0). The weights W here are symmetrised under the mirror that taking the
real part implies (t -> -t, which for start 1/2 is index k -> -1 - k), so that they also serve
as a projection (mrai.methods.projection).

Other starts (a small delay, P1 of a few tens of degrees) put the two time halves on grids
offset differently: no exact split exists on a uniform grid, and :func:`grid_starts` takes the
nearest exact one (see docs/conventions.md for what that costs).
"""

import functools

import numpy as np
import scipy.fft as sfft

from mrai.physics.threads import fft_workers

STARTS = (0.0, 0.5)            # time grid starts, in dwells, on which the parts are exact
HALF_DWELL_P1 = 180.0          # the first-order phase (degrees) of a start of half a dwell


def positive_end(n):
    """One past the last positive time index of a start-0 dimension of ``n`` points."""
    return (int(n) + 1) // 2


def time_signs(n, start=0.0):
    """Sign of the time of each Virtual-Echo index of a dimension of ``n`` points (int8): +1,
    -1, or 0 for indices shared by both parts (t = 0, or the middle index of an odd half-dwell
    dimension)."""
    n = int(n)
    s = np.empty(n, dtype=np.int8)
    if _start(start) == 0.0:
        h = positive_end(n)
        s[0], s[1:h], s[h:] = 0, 1, -1
    else:
        h = n // 2
        s[:h], s[h:] = 1, -1
        if n % 2:
            s[h] = 0
    return s


def mirror_index(n, start=0.0):
    """Index of -t for each index of a dimension: (-k) mod n, or -1 - k for start 1/2."""
    k = np.arange(int(n))
    return (-k) % n if _start(start) == 0.0 else n - 1 - k


def _start(value):
    value = float(value)
    if value not in STARTS:
        raise ValueError(f"a time grid starts at 0 or half a dwell (0.5), not {value}")
    return value


@functools.lru_cache(maxsize=32)
def _weights(n0, n1, mode, start):
    s0, s1 = time_signs(n0, start[0]), time_signs(n1, start[1])
    product = s0[:, None].astype(np.int16) * s1[None, :]
    w = np.where(product > 0, 1.0, np.where(product < 0, 0.0, 0.5))
    if mode == "antiecho":
        w = 1.0 - w
    elif mode != "echo":
        raise ValueError(f"mode must be 'echo' or 'antiecho', got {mode!r}")
    mirrored = w[mirror_index(n0, start[0])][:, mirror_index(n1, start[1])]
    w = ((w + mirrored) / 2).astype(np.float32)
    w.setflags(write=False)
    return w


def split_weights(shape, mode="echo", start=(0.0, 0.0)):
    """Symmetrised weights (0, 0.5 or 1, float32, read-only) on the (shifted) Virtual Echo that
    select the ``mode`` part of a spectrum of ``shape`` whose time grids start at ``start``
    (dwells, per dimension, each 0 or 0.5)."""
    n0, n1 = (int(n) for n in shape)
    if n0 < 2 or n1 < 2:
        raise ValueError(f"Echo/Anti-Echo parts need at least 2 x 2 points, got {n0} x {n1}")
    return _weights(n0, n1, mode, (_start(start[0]), _start(start[1])))


def ramps(shape, start, dtype=np.complex64):
    """(r0 (n0, 1), r1 (1, n1)): exp(i pi m / n) over the stored index m of each half-dwell
    dimension, ones for the others."""
    out = []
    for axis, (n, s) in enumerate(zip(shape, start)):
        r = np.exp(1j * np.pi * np.arange(n) / n) if _start(s) else np.ones(n)
        out.append(r.astype(dtype).reshape((-1, 1) if axis == 0 else (1, -1)))
    return tuple(out)


def split_filter(spectrum, weights, start=(0.0, 0.0)):
    """real(fft2(weights * ifft2(S * R)) * conj(R)) for a real 2D spectrum S (same dtype)."""
    s = np.asarray(spectrum)
    dtype = np.complex64 if s.dtype == np.float32 else np.complex128
    r0, r1 = ramps(s.shape, start, dtype)
    shifted = bool(start[0]) or bool(start[1])
    ve = sfft.ifft2(s * r0 * r1 if shifted else s.astype(dtype), workers=fft_workers())
    ve *= weights
    out = sfft.fft2(ve, workers=fft_workers())
    if shifted:
        out *= np.conj(r0) * np.conj(r1)
    return out.real.astype(s.dtype, copy=False)


def grid_part(spectrum, mode, start=(0.0, 0.0)):
    """The ``mode`` ('echo' or 'antiecho') part of a real 2D spectrum whose time grids start at
    ``start`` (dwells per dimension: 0 or 0.5); computed scaled (mrai.physics.scale), so that
    no finite spectrum overflows."""
    from mrai.physics.scale import safely

    return safely(lambda s: unscaled_grid_part(s, mode, start), spectrum,
                  what=f"the {mode} part")


def unscaled_grid_part(spectrum, mode, start=(0.0, 0.0)):
    """:func:`grid_part` without the scaling."""
    s = np.asarray(spectrum)
    if s.ndim != 2:
        raise ValueError(f"a 2D spectrum is needed, got {s.ndim} dimensions")
    return split_filter(s, split_weights(s.shape, mode, start), start)


def half_dwell_part(spectrum, mode):
    """The ``mode`` part of a real 2D spectrum whose t1 starts at half a dwell (f1180)."""
    return grid_part(spectrum, mode, (0.5, 0.0))


# ---- the time grid a header describes -------------------------------------------------------

def delay_from_phase(p1):
    """The time of the first sample, in dwells, that a first-order phase correction of ``p1``
    degrees undoes: p1 / 360 (f1180: P1 180, half a dwell)."""
    return float(p1) / 360.0


def nearest_start(delay):
    """(start, off): the exact grid start (0 or 0.5) nearest a first-sample time ``delay``
    (dwells, taken modulo one dwell) and how far off it is (dwells, >= 0)."""
    frac = float(delay) % 1.0
    candidates = [(abs(frac - c), c % 1.0) for c in (0.0, 0.5, 1.0)]
    off, start = min(candidates)
    return start, off


def grid_starts(dic, codes=(1, 2)):
    """(start, off) for two dimensions of an NMRPipe header (dimension ``codes``, default F1 and
    F2): the exact grid start of each nearest its first-order phase (FDF?P1; 0 when unset) and
    how far off it is in dwells. A half-dwell F1 (P1 180) gives start (0.5, 0.0), off 0."""
    starts, offs = [], []
    for code in codes:
        try:
            p1 = float(dic.get(f"FDF{int(code)}P1", 0.0) or 0.0)
        except (TypeError, ValueError):
            p1 = 0.0
        start, off = nearest_start(delay_from_phase(p1))
        starts.append(start)
        offs.append(off)
    return tuple(starts), tuple(offs)


def is_half_dwell(dic):
    """True when the header's F1 first-order phase puts t1 on the half-dwell grid (P1 near
    180 degrees, the f1180 correction)."""
    return grid_starts(dic)[0][0] == 0.5


# ---- the complex Echo spectrum (numpy twin of mrai.nn.ops.quadrature) ---------------------

def positive_quadrant(shape, start=(0.0, 0.0)):
    """Mask (float32) of the (t1 >= 0, t2 >= 0) quadrant: 1 on non-negative times (shared
    indices included), 0.5 where two shared indices meet (the origin when both grids start at
    0)."""
    s0, s1 = time_signs(shape[0], start[0]), time_signs(shape[1], start[1])
    q = np.outer(s0 >= 0, s1 >= 0).astype(np.float32)
    q[np.outer(s0 == 0, s1 == 0)] = 0.5
    return q


def quadrature(echo, start=(0.0, 0.0)):
    """(real, imaginary) of the complex Echo spectrum of real Echo spectra (..., F1, F2): the
    FT of the doubled (+, +) quadrant of their (shifted) Virtual Echo. Its real part equals
    the Echo spectrum away from the Nyquist lines; its imaginary part holds the dispersive
    components the real spectrum hides."""
    x = np.asarray(echo)
    dtype = np.complex64 if x.dtype == np.float32 else np.complex128
    shape = x.shape[-2:]
    q = 2.0 * positive_quadrant(shape, start)
    r0, r1 = ramps(shape, start, dtype)
    ve = sfft.ifft2(x * (r0 * r1), workers=fft_workers())
    ve *= q
    out = sfft.fft2(ve, workers=fft_workers()) * np.conj(r0 * r1)
    return out.real.astype(x.dtype), out.imag.astype(x.dtype)
