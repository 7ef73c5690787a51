"""Virtual-Echo operations in keras.ops (any backend), on batches of real spectra (B, F1, F2).

They mirror mrai.physics.grid and mrai.methods.projection (numpy): the same weights, so that
data consistency here is exact in the same sense. Weights are built from the spectrum shape at
run time, so one model serves every size, odd or even. ``start`` is where the (t1, t2) time
grids start, in dwells (0 or 0.5 each; (0.5, 0) for f1180 data): a dimension that starts at
half a dwell is split in the half-point-shifted Virtual Echo (the spectrum times the ramp
exp(i pi m / n) over its stored index m), as in mrai.physics.grid.
"""

from mrai.nn.backend import keras

ops = keras.ops


ORIGIN = (0.0, 0.0)


def _half(start):
    value = float(start)
    if value not in (0.0, 0.5):
        raise ValueError(f"a time grid starts at 0 or half a dwell (0.5), not {value}")
    return value == 0.5


def _signs(n, start=0.0):
    """(time sign of each index (+1, -1, 0 for shared indices), index of -t), as
    mrai.physics.grid.time_signs and mirror_index."""
    i = ops.arange(n)
    if _half(start):
        h = n // 2
        signs = ops.where(i < h, 1, ops.where(2 * i + 1 == n, 0, -1))
        return signs, n - 1 - i
    h = (n + 1) // 2
    return ops.where(i == 0, 0, ops.where(i < h, 1, -1)), ops.mod(n - i, n)


def _weight(product):
    return ops.where(product > 0, 1.0, ops.where(product < 0, 0.0, 0.5))


def support_weights(n0, n1, start=ORIGIN):
    """Symmetrised Echo weights on the full plane (float32 (n0, n1)): 1 inside the Echo
    quadrants, 0.5 on shared lines (t = 0, and the Nyquist lines of even sizes after the
    symmetrisation), 0 elsewhere (``mrai.physics.grid.split_weights``)."""
    s0, m0 = _signs(n0, start[0])
    s1, m1 = _signs(n1, start[1])
    w = _weight(s0[:, None] * s1[None, :])
    mirrored = _weight(ops.take(s0, m0)[:, None] * ops.take(s1, m1)[None, :])
    return ops.cast((w + mirrored) / 2.0, "float32")


def positive_quadrant(n0, n1, start=ORIGIN):
    """Mask of the (t1 >= 0, t2 >= 0) quadrant (float32): 1 on non-negative times (shared
    indices included), 0.5 where two shared indices meet (the origin when both grids start at
    0)."""
    s0, _ = _signs(n0, start[0])
    s1, _ = _signs(n1, start[1])
    q = ops.where(s0 >= 0, 1.0, 0.0)[:, None] * ops.where(s1 >= 0, 1.0, 0.0)[None, :]
    corner = ops.logical_and((s0 == 0)[:, None], (s1 == 0)[None, :])
    return ops.cast(ops.where(corner, 0.5, q), "float32")


def _ramp(n, start):
    """(cos, sin) of the half-dwell ramp pi m / n over the stored index m (or 1, 0)."""
    if not _half(start):
        return ops.ones((n,)), ops.zeros((n,))
    angle = 3.141592653589793 * ops.cast(ops.arange(n), "float32") / ops.cast(n, "float32")
    return ops.cos(angle), ops.sin(angle)


def _ramps(n0, n1, start):
    """(real, imaginary) of the (n0, n1) ramp R = r0 r1 of the half-dwell dimensions."""
    c0, s0 = _ramp(n0, start[0])
    c1, s1 = _ramp(n1, start[1])
    return (c0[:, None] * c1[None, :] - s0[:, None] * s1[None, :],
            c0[:, None] * s1[None, :] + s0[:, None] * c1[None, :])


def _shape(x):
    return ops.shape(x)[-2], ops.shape(x)[-1]


def _filter(x, weights, start=ORIGIN):
    """real(fft2(weights * ifft2(x R)) conj(R)) over the last two axes of a real batch (for
    start 0 the same as real(ifft2(weights * fft2(x))), the weights being symmetric)."""
    if not any(_half(s) for s in start):
        re, im = ops.fft2((x, ops.zeros_like(x)))
        re, im = ops.ifft2((re * weights, im * weights))
        return re
    c, s = _ramps(*_shape(x), start)
    re, im = ops.ifft2((x * c, x * s))
    re, im = ops.fft2((re * weights, im * weights))
    return re * c + im * s


def measured_part(x, start=ORIGIN):
    """The Echo part of each spectrum (as the measurement records it)."""
    return _filter(x, support_weights(*_shape(x), start), start)


def on_support(x, start=ORIGIN):
    """Each spectrum restricted to the Virtual-Echo points the Echo measurement sees."""
    return _filter(x, ops.cast(support_weights(*_shape(x), start) > 0, "float32"), start)


def complete(measured, start=ORIGIN):
    """The truth on the measured points, from an Echo spectrum (shared points at full weight)."""
    w = support_weights(*_shape(measured), start)
    inverse = ops.where(w > 0, 1.0 / ops.maximum(w, 0.5), 0.0)
    return _filter(measured, inverse, start)


def consistent(x, completed, start=ORIGIN):
    """Exact data consistency: x with its measured points replaced by ``completed`` ones."""
    return x + on_support(completed - x, start)


def quadrature(measured, start=ORIGIN):
    """(real, imaginary) of the complex Echo spectrum, the FT of the (+, +) Virtual-Echo
    quadrant doubled; its real part equals the Echo spectrum away from the Nyquist lines, its
    imaginary part carries the dispersive components a real spectrum hides."""
    n0, n1 = _shape(measured)
    q = 2.0 * positive_quadrant(n0, n1, start)
    if not any(_half(s) for s in start):
        re, im = ops.ifft2((measured, ops.zeros_like(measured)))
        return ops.fft2((re * q, im * q))
    c, s = _ramps(n0, n1, start)
    re, im = ops.ifft2((measured * c, measured * s))
    re, im = ops.fft2((re * q, im * q))
    return re * c + im * s, im * c - re * s
