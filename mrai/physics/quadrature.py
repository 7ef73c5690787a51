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
