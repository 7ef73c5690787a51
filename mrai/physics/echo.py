"""Echo and Anti-Echo parts of a real 2D spectrum by the Virtual-Echo quadrant mask.

All functions take a real spectrum of shape (n0, n1) = (F1, F2) of any size from 2 x 2 up, odd
or even, keep the floating point precision of the input (float32 stays float32, computed in
complex64) and use scipy.fft with every core.

Time indices of a dimension of n points: 0 is t = 0; with h = (n + 1) // 2 the positive times
are 1 .. h - 1 and the negative times h .. n - 1. For odd n that is (n - 1) / 2 of each and no
Nyquist index; for even n (h = n / 2) the Nyquist index h counts as negative.
"""

import functools

import numpy as np
import scipy.fft as sfft

from mrai.physics.grid import positive_end, unscaled_grid_part
from mrai.physics.scale import safely
from mrai.physics.threads import fft_workers

MODES = ("echo", "antiecho")


def _complex_dtype(x):
    return np.complex64 if np.asarray(x).dtype in (np.float32, np.complex64) else np.complex128


def virtual_echo(spectrum):
    """The Virtual Echo ``ifft(ifft(S, axis=0), axis=1)`` (complex, same shape)."""
    s = np.asarray(spectrum)
    return sfft.ifft2(s.astype(_complex_dtype(s), copy=False), workers=fft_workers())


def from_virtual_echo(ve, dtype=None):
    """The real spectrum ``real(fft(fft(V, axis=0), axis=1))``."""
    out = sfft.fft2(ve, workers=fft_workers(), overwrite_x=False).real
    return out.astype(dtype, copy=False) if dtype is not None else out


@functools.lru_cache(maxsize=16)
def _echo_weights(n0, n1):
    w = np.ones((n0, n1), dtype=np.float32)
    h0, h1 = positive_end(n0), positive_end(n1)
    w[1:h0, h1:] = 0.0
    w[h0:, 1:h1] = 0.0
    w[0, :] *= 0.5
    w[:, 0] *= 0.5
    w[0, 0] = 0.5
    w.setflags(write=False)
    return w


def echo_mask(shape, mode="echo"):
    """Weights (0, 0.5 or 1) that select the ``mode`` part in the Virtual-Echo domain.

    ``echo_mask(shape, 'echo') + echo_mask(shape, 'antiecho') == 1`` everywhere.
    """
    n0, n1 = shape
    if n0 < 2 or n1 < 2:
        raise ValueError(f"Echo/Anti-Echo parts need at least 2 x 2 points, got {n0} x {n1}")
    w = _echo_weights(int(n0), int(n1))
    if mode == "echo":
        return w
    if mode == "antiecho":
        return 1.0 - w
    raise ValueError(f"mode must be one of {MODES}, got {mode!r}")


def part(spectrum, mode, start=(0.0, 0.0)):
    """The ``mode`` ('echo' or 'antiecho') part of a real 2D spectrum (real, same shape/dtype).
    ``start``: where the (t1, t2) grids start, in dwells, 0 or 0.5 each (mrai.physics.grid;
    (0.5, 0) for f1180 data). Computed scaled (mrai.physics.scale): no finite spectrum
    overflows."""
    return safely(lambda s: _part(s, mode, start), spectrum, what=f"the {mode} part")


def _part(spectrum, mode, start):
    if tuple(float(x) for x in start) != (0.0, 0.0):
        return unscaled_grid_part(spectrum, mode, start)
    s = np.asarray(spectrum)
    if s.ndim != 2:
        raise ValueError(f"a 2D spectrum is needed, got {s.ndim} dimensions")
    mask = echo_mask(s.shape, mode)
    return from_virtual_echo(virtual_echo(s) * mask, dtype=s.dtype)


def echo_part(spectrum):
    """Echo (P-type) part: same-sign (t1, t2) quadrants of the Virtual Echo."""
    return part(spectrum, "echo")


def antiecho_part(spectrum):
    """Anti-Echo (N-type) part: opposite-sign (t1, t2) quadrants of the Virtual Echo."""
    return part(spectrum, "antiecho")


def flip(spectrum, start=(0.0, 0.0)):
    """Map an Anti-Echo problem onto an Echo problem and back (an involution).

    Defined as ``real(fft(conj(ifft(X, axis=0)), axis=0))``: conjugation along t1 in the
    Virtual-Echo domain. For a real spectrum this is the F1 mirror ``X[(-k) mod n0]``, computed
    directly. ``echo_part(flip(S)) == flip(antiecho_part(S))`` (away from the Nyquist row of
    an even F1 size). ``start``: the (t1, t2) grid starts (mrai.physics.grid); when t1 starts at
    half a dwell the mirror is ``X[n0 - 1 - k]``, which maps the half-dwell parts onto each
    other in the same way.
    """
    s = np.asarray(spectrum)
    if float(start[0]) == 0.5:
        return s[::-1].copy()
    return np.roll(s[::-1], 1, axis=0)
