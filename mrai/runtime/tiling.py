"""Running a network's convolutional trunk over a large spectrum in overlapping tiles, so that
the trunk's working memory stays bounded at any size (docs/wnn.md, "Memory and tiling").

A trunk is a stack of periodic ('wrap') dilated convolutions: an output point depends on the
input points within its receptive half-width (:func:`margins`) and on nothing else. A tile cut
from the periodically extended spectrum with at least that margin on every side therefore gives
the untiled result at its centre: each tile is run on its own, its centre kept, the margins
dropped. Along an axis that is not split the tile takes the whole axis and the trunk's own
periodic padding is exact, so a spectrum that fits one tile (:data:`TILE_POINTS`) runs exactly
as without tiling, bit for bit. Only the trunks are tiled; the data consistency, the input
features and the IST first estimate stay global (they are FFTs over the whole spectrum, and
cheap in memory).
"""

import os

import numpy as np

TILE_POINTS = 2 ** 20
"""Points (F1 x F2, margins included, times the spectra of a batch run together) one trunk run
may take. One run of a 32-filter float32 trunk on 2**20 points took 0.2-0.6 GB of working memory
in ONNX Runtime here (its arena grows by powers of two, so the figure jumps with the tile's
shape), which keeps `mrai reconstruct --echo --sigma` under 1.1 GB on 1024 x 4096; spectra of up
to 2**20 points (512 x 2048) run in one tile, as without tiling."""

ENVIRONMENT = "MRAI_TILE_POINTS"
"""An environment variable that, when set, replaces :data:`TILE_POINTS` (0: never tile), for
benchmarks (scripts/bench_memory.py) and tests."""


def tile_points():
    """The tile budget in points: $MRAI_TILE_POINTS when set (0 or less: no tiling, None),
    else :data:`TILE_POINTS`."""
    value = os.environ.get(ENVIRONMENT, "").strip()
    if not value:
        return TILE_POINTS
    try:
        points = int(value)
    except ValueError:
        raise ValueError(f"{ENVIRONMENT} must be a whole number of points, not {value!r}") \
            from None
    return points if points > 0 else None


def margins(kernel, dilations):
    """The receptive half-widths (F1, F2) of a trunk of convolutions with ``kernel`` (F1, F2)
    and ``dilations`` ((F1, F2) per convolution) padded as mrai.nn.layers.WrapConv2D pads:
    the points on each side of an output point that it depends on (the receptive field less
    one, halved; the 1 x 1 output layer adds none)."""
    return tuple(sum(int(d[a]) * (int(kernel[a]) - 1) - (int(d[a]) * (int(kernel[a]) - 1)) // 2
                     for d in dilations) for a in (0, 1))


def _extents(n, margin):
    """(tiles, tile extent) choices along an axis of ``n`` points: one tile of the whole axis
    (no margin), or k tiles of at most ceil(n / k) centre points plus ``margin`` on each side,
    as long as that is shorter than the axis."""
    out = [(1, n)]
    for k in range(2, n + 1):
        extent = -(-n // k) + 2 * margin
        if extent < n and extent < out[-1][1]:
            out.append((k, extent))
    return out


def plan(shape, margin, budget):
    """Tiles per axis (k1, k2) for a spectrum of ``shape`` (F1, F2) and a trunk of receptive
    half-widths ``margin``, so that a tile holds at most ``budget`` points with the least
    computation (points of all tiles together), then the fewest tiles. A ``budget`` of None,
    or a spectrum that fits it, gives (1, 1); a budget smaller than any tile gives the
    smallest tiles."""
    n1, n2 = (int(s) for s in shape)
    if budget is None or n1 * n2 <= budget:
        return 1, 1
    limit = int(budget)
    best, smallest = None, None
    second = _extents(n2, margin[1])
    for k1, t1 in _extents(n1, margin[0]):
        if smallest is None or t1 * second[-1][1] < smallest[0]:
            smallest = (t1 * second[-1][1], (k1, second[-1][0]))
        fits = [(k2, t2) for k2, t2 in second if t1 * t2 <= limit]
        if not fits:
            continue
        k2, t2 = fits[0]   # the fewest tiles along F2 that fit: the least computation
        key = (k1 * t1 * k2 * t2, k1 * k2)
        if best is None or key < best[0]:
            best = (key, (k1, k2))
    return best[1] if best is not None else smallest[1]


def _bounds(n, k):
    """The centres of ``k`` tiles along an axis of ``n`` points: (start, stop) pairs, sizes
    differing by at most one."""
    return [((i * n) // k, ((i + 1) * n) // k) for i in range(k)]


def _stack(x):
    """(shape (B, F1, F2), the whole channel-last stack, tile(lo, hi, rows, cols)) of ``x``:
    a channel-last stack (B, F1, F2, C), or a list of channels each broadcastable to
    (B, F1, F2) (a constant per spectrum (B, 1, 1), one value per column (B, 1, F2)), which
    are stacked tile by tile so that the whole stack is never made unless it is one tile."""
    if not isinstance(x, (list, tuple)):
        x = np.asarray(x, np.float32)
        return x.shape[:3], (lambda: x), \
            (lambda lo, hi, rows, cols: x[lo:hi, rows[:, None], cols[None, :], :])
    parts = [np.asarray(c, np.float32) for c in x]
    shape = np.broadcast_shapes(*(p.shape for p in parts))
    parts = [np.broadcast_to(p, shape) for p in parts]

    def whole():
        return np.stack(parts, axis=-1)

    def tile(lo, hi, rows, cols):
        return np.stack([p[lo:hi][:, rows[:, None], cols[None, :]] for p in parts], axis=-1)
    return shape, whole, tile


def stacked(x):
    """The channel-last stack (B, F1, F2, C) of ``x`` (:func:`_stack`), whole."""
    return _stack(x)[1]()


def tiled(run, x, margin, budget=None):
    """``run`` (a channel-last trunk: (B, t1, t2, C) float32 -> (B, t1, t2, K)) applied to
    ``x`` (B, F1, F2, C), or to the stack of a list of channels (:func:`_stack`), in
    overlapping tiles of at most ``budget`` points (None: :func:`tile_points`), stitched from
    their centres; (B, F1, F2, K) float32. A spectrum that fits one tile is passed to ``run``
    whole, as it is. Large batches of small spectra are run a few spectra at a time."""
    budget = tile_points() if budget is None else budget
    (b, n1, n2), whole, cut = _stack(x)
    k1, k2 = plan((n1, n2), margin, budget)
    if (k1, k2) == (1, 1) and (b == 1 or budget is None or b * n1 * n2 <= budget):
        return run(whole())
    m1 = margin[0] if k1 > 1 else 0
    m2 = margin[1] if k2 > 1 else 0
    rows_at, cols_at = _bounds(n1, k1), _bounds(n2, k2)
    largest = (-(-n1 // k1) + 2 * m1) * (-(-n2 // k2) + 2 * m2)
    step = max(1, int(budget) // largest)   # spectra of the batch per run
    out = None
    for lo, hi in ((i, min(i + step, b)) for i in range(0, b, step)):
        for r0, r1 in rows_at:
            rows = np.arange(r0 - m1, r1 + m1) % n1
            for c0, c1 in cols_at:
                cols = np.arange(c0 - m2, c1 + m2) % n2
                y = np.asarray(run(cut(lo, hi, rows, cols)))
                if out is None:
                    out = np.empty((b, n1, n2, y.shape[-1]), np.float32)
                out[lo:hi, r0:r1, c0:c1] = y[:, m1:m1 + r1 - r0, m2:m2 + c1 - c0]
    return out


class TiledTrunk:
    """A channel-last trunk function ``run`` ((B, t1, t2, C) -> (B, t1, t2, K)) of receptive
    half-widths ``margin``, called as mrai.runtime.session.Trunk is: over large spectra in
    tiles (the Keras stages of mrai.nn.inference run so)."""

    def __init__(self, run, margin):
        self.run, self.margin = run, tuple(margin)

    def __call__(self, channels, budget=None):
        return tiled(self.run, channels, self.margin, budget)
