"""Virtual-Echo operations in keras.ops (any backend), on batches of real spectra (B, F1, F2).

They mirror mrai.physics and mrai.methods.projection (numpy): the same masks, so that data
consistency here is exact in the same sense. Masks are built from the spectrum shape at run time,
so one model serves every (even) size.
"""

from keras import ops


def _signs(n):
    """+1 for positive time indices, -1 for negative ones, 0 at t = 0 and at the Nyquist index."""
    i = ops.arange(n)
    h = n // 2
    return ops.where(i == 0, 0, ops.where(i < h, 1, ops.where(i == h, 0, -1))), i == h


def support_weights(n0, n1):
    """Symmetrised Echo weights on the full plane (float32 (n0, n1)): 1 inside the Echo
    quadrants, 0.5 on the shared t1 = 0 / t2 = 0 lines and Nyquist lines, 0 elsewhere
    (``mrai.methods.projection.half_weights`` of the Echo mask)."""
    s0, nyq0 = _signs(n0)
    s1, nyq1 = _signs(n1)
    prod = s0[:, None] * s1[None, :]
    w = ops.where(prod > 0, 1.0, ops.where(prod < 0, 0.0, 0.5))
    return ops.cast(ops.where(ops.logical_and(nyq0[:, None], nyq1[None, :]), 1.0, w), "float32")


def positive_quadrant(n0, n1):
    """Mask of the (t1 >= 0, t2 >= 0) quadrant with the origin at half weight (float32)."""
    i0, i1 = ops.arange(n0), ops.arange(n1)
    q = ops.logical_and((i0 < n0 // 2)[:, None], (i1 < n1 // 2)[None, :])
    q = ops.cast(q, "float32")
    origin = ops.cast(ops.logical_and((i0 == 0)[:, None], (i1 == 0)[None, :]), "float32")
    return q - 0.5 * origin


def _filter(x, weights):
    """real(ifft2(weights * fft2(x))) over the last two axes of a real batch."""
    re, im = ops.fft2((x, ops.zeros_like(x)))
    re, im = ops.ifft2((re * weights, im * weights))
    return re


def measured_part(x):
    """The Echo part of each spectrum (as the measurement records it)."""
    n0, n1 = ops.shape(x)[-2], ops.shape(x)[-1]
    return _filter(x, support_weights(n0, n1))


def on_support(x):
    """Each spectrum restricted to the Virtual-Echo points the Echo measurement sees."""
    n0, n1 = ops.shape(x)[-2], ops.shape(x)[-1]
    return _filter(x, ops.cast(support_weights(n0, n1) > 0, "float32"))


def complete(measured):
    """The truth on the measured points, from an Echo spectrum (shared lines at full weight)."""
    n0, n1 = ops.shape(measured)[-2], ops.shape(measured)[-1]
    w = support_weights(n0, n1)
    inverse = ops.where(w > 0, 1.0 / ops.maximum(w, 0.5), 0.0)
    return _filter(measured, inverse)


def consistent(x, completed):
    """Exact data consistency: x with its measured points replaced by ``completed`` ones."""
    return x + on_support(completed - x)


def quadrature(measured):
    """(real, imaginary) of the complex Echo spectrum, the FT of the (+, +) Virtual-Echo
    quadrant doubled; its real part equals the Echo spectrum away from the Nyquist lines, its
    imaginary part carries the dispersive components a real spectrum hides."""
    n0, n1 = ops.shape(measured)[-2], ops.shape(measured)[-1]
    q = 2.0 * positive_quadrant(n0, n1)
    re, im = ops.ifft2((measured, ops.zeros_like(measured)))
    return ops.fft2((re * q, im * q))
