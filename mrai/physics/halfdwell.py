"""Echo and Anti-Echo parts of spectra whose t1 starts at half a dwell (f1180 acquisition).

Such data are sampled at t1 = (k + 1/2) dt and processed with the F1 phases P0 -90 / P1 180
(nmrPipe's recipe for f1180; mrai convert writes them into the header). The P1 180 correction is
a half-point shift of t1, so in the plain Virtual Echo (science.md section 2) the signal lands
between the grid points and its sinc tails cross the t1 = 0 line: the quadrant mask no longer
separates the Echo from the Anti-Echo part. Undoing the shift first separates them exactly:

    V' = ifft2(S * r),  r[m] = exp(i pi m / n0)  (m the stored F1 index, the P1 180 ramp)

puts the t1 >= dt/2 samples on rows 0 .. n0/2 - 1 and the t1 <= -dt/2 ones on rows
n0/2 .. n0 - 1; no row is shared (no sample at t1 = 0). The t2 = 0 column is shared half and
half as in the standard mask. The part is real(fft2(V' * W) * conj(r)), and
``half_dwell_part(S, 'echo') + half_dwell_part(S, 'antiecho') == S``.
"""

import functools

import numpy as np
import scipy.fft as sfft

#: F1 first-order phase (degrees) that marks half-dwell data in an NMRPipe header
HALF_DWELL_P1 = 180.0


def is_half_dwell(dic):
    """True when the header's F1 first-order phase is 180 degrees (the f1180 correction)."""
    try:
        return abs(float(dic.get("FDF1P1", 0.0)) - HALF_DWELL_P1) < 0.5
    except (TypeError, ValueError):
        return False


@functools.lru_cache(maxsize=16)
def _weights(n0, n1, mode):
    if n0 % 2 or n1 % 2 or n0 < 2 or n1 < 2:
        raise ValueError(f"Echo/Anti-Echo parts need even sizes, got {n0} x {n1}")
    h0, h1 = n0 // 2, n1 // 2
    w = np.ones((n0, n1), dtype=np.float32)
    w[:h0, h1:] = 0.0       # t1 > 0, t2 < 0 (and the t2 Nyquist column)
    w[h0:, 1:h1] = 0.0      # t1 < 0, t2 > 0
    w[:, 0] = 0.5
    if mode == "antiecho":
        w = 1.0 - w
    elif mode != "echo":
        raise ValueError(f"mode must be 'echo' or 'antiecho', got {mode!r}")
    mirrored = np.roll(w[::-1, ::-1], 1, axis=1)   # W at (-1 - t1, -t2)
    w = (w + mirrored) / 2                          # the real part symmetrises the weights
    w.setflags(write=False)
    return w


def half_dwell_weights(shape, mode="echo"):
    """Weights on the shifted Virtual Echo V' that select the ``mode`` part (float32)."""
    return _weights(int(shape[0]), int(shape[1]), mode)


def _ramp(n0, dtype):
    return np.exp(1j * np.pi * np.arange(n0) / n0).astype(dtype)[:, None]


def half_dwell_filter(spectrum, weights):
    """real(fft2(weights * ifft2(S * r)) * conj(r)) for a real 2D spectrum S (same dtype)."""
    s = np.asarray(spectrum)
    dtype = np.complex64 if s.dtype == np.float32 else np.complex128
    ramp = _ramp(s.shape[0], dtype)
    ve = sfft.ifft2(s * ramp, workers=-1)
    ve *= weights
    return (sfft.fft2(ve, workers=-1) * np.conj(ramp)).real.astype(s.dtype, copy=False)


def half_dwell_part(spectrum, mode):
    """The ``mode`` ('echo' or 'antiecho') part of a real 2D half-dwell spectrum."""
    s = np.asarray(spectrum)
    if s.ndim != 2:
        raise ValueError(f"a 2D spectrum is needed, got {s.ndim} dimensions")
    return half_dwell_filter(s, half_dwell_weights(s.shape, mode))
