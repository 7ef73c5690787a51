"""Time-domain conversions between States pairs and P-type / N-type (Echo / Anti-Echo) FIDs.

Per t1 increment, gradient selection records P (Echo) ~ exp(+i W1 t1) and N (Anti-Echo)
~ exp(-i W1 t1), each complex in t2. States data are cos = (P + N) / 2 and sin = (P - N) / (2i).
Arrays are (t1, t2) complex; ``interleaved`` arrays hold the pair in alternate rows (first, second,
first, ...), as NMRPipe and nmrglue store a complex indirect dimension.
"""

import numpy as np


def _pair(first, second, interleaved):
    if second is None:
        if not interleaved:
            raise ValueError("give two arrays, or one interleaved array")
        first = np.asarray(first)
        if first.shape[0] % 2:
            raise ValueError(f"an interleaved array needs an even number of rows, got "
                             f"{first.shape[0]}")
        return first[0::2], first[1::2]
    return np.asarray(first), np.asarray(second)


def _interleave(a, b):
    out = np.empty((2 * a.shape[0],) + a.shape[1:], dtype=np.result_type(a, b))
    out[0::2], out[1::2] = a, b
    return out


def states_to_echo_antiecho(cos, sin=None, interleaved=False):
    """(P, N) = (cos + i sin, cos - i sin); interleaved in and out when ``interleaved``."""
    c, s = _pair(cos, sin, interleaved)
    p, n = c + 1j * s, c - 1j * s
    return _interleave(p, n) if interleaved else (p, n)


def echo_antiecho_to_states(echo, antiecho=None, interleaved=False):
    """(cos, sin) = ((P + N) / 2, (P - N) / 2i); the inverse of :func:`states_to_echo_antiecho`."""
    p, n = _pair(echo, antiecho, interleaved)
    c, s = (p + n) / 2, (p - n) / 2j
    return _interleave(c, s) if interleaved else (c, s)


KEEP = ("both", "echo", "antiecho")


def pairs_to_states(rows, quadrature, p_index=1, keep="both"):
    """Interleaved States rows (cos, sin, cos, ...) from raw FID pairs (rows 2k, 2k + 1 of
    increment k), keeping both coherence halves or only the Echo (P-type) or Anti-Echo (N-type)
    one.

    ``quadrature``: 'echo-antiecho' (``p_index`` is the FID of a pair that is P-type), 'states'
    or 'states-tppi' (every other increment sign-alternated, undone here). Standard States
    processing of the result gives the full spectrum for 'both', and its Echo or Anti-Echo part
    (docs/conventions.md#echo-and-anti-echo-parts) for 'echo' or 'antiecho'.
    """
    if keep not in KEEP:
        raise ValueError(f"keep must be one of {KEEP}, not {keep!r}")
    first, second = _pair(rows, None, True)
    if quadrature == "echo-antiecho":
        p, n = (second, first) if p_index == 1 else (first, second)
    elif quadrature in ("states", "states-tppi"):
        if quadrature == "states-tppi":
            sign = np.where(np.arange(first.shape[0]) % 2, -1, 1).reshape(
                (-1,) + (1,) * (first.ndim - 1))
            first, second = first * sign, second * sign
        p, n = states_to_echo_antiecho(first, second)
    else:
        raise ValueError(f"unknown quadrature {quadrature!r}")
    if keep == "echo":
        n = np.zeros_like(n)
    elif keep == "antiecho":
        p = np.zeros_like(p)
    cos, sin = echo_antiecho_to_states(p, n)
    return _interleave(cos, sin).astype(np.result_type(rows, np.complex64))


def detect_quadrature(rows):
    """'echo-antiecho' or 'states' for raw FID pairs, from the data: the two FIDs of an
    Echo/Anti-Echo pair give magnitude spectra that agree only after mirroring F1, those of a
    States pair agree as they are. Returns (quadrature, correlation as is, mirrored)."""
    first, second = _pair(rows, None, True)

    def magnitude(x):
        return np.abs(np.fft.fft2(x)).astype(np.float64)

    a, b = magnitude(first), magnitude(second)
    mirrored = np.roll(b[::-1], 1, axis=0)

    def corr(x, y):
        x, y = x - x.mean(), y - y.mean()
        return float((x * y).sum() / max(np.sqrt((x * x).sum() * (y * y).sum()), 1e-300))

    direct, mirror = corr(a, b), corr(a, mirrored)
    return ("echo-antiecho" if mirror > direct + 0.1 else "states"), direct, mirror
