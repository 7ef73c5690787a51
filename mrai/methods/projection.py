"""The measured part of a spectrum as a projection in the Virtual-Echo domain, with real FFTs.

For a real spectrum x and Virtual-Echo weights W (docs/conventions.md), the part
real(fft2(W * ifft2(x))) equals irfft2(Wh * rfft2(x)) with Wh(k) = (W(k) + W(-k)) / 2, the
symmetric part of W (taking the real part symmetrises the weights). Real FFTs halve the work:
one projection costs one rfft2 and one irfft2, about one complex 2D FFT.
"""

import numpy as np
import scipy.fft as sfft

from mrai.physics.grid import split_filter, split_weights
from mrai.physics.nus import nus_row_mask
from mrai.physics.threads import fft_workers


class Projection:
    """x -> its measured part, for 'echo', 'antiecho' or 'nus' (with ``schedule``), any size;
    ``start``: where the (t1, t2) time grids start, in dwells (0 or 0.5 each, mrai.physics.grid;
    (0.5, 0) for f1180 data): Echo/Anti-Echo on a half-dwell grid use complex FFTs on the whole
    plane."""

    def __init__(self, shape, mode, schedule=None, start=(0.0, 0.0)):
        n0, n1 = shape
        self.start = tuple(float(s) for s in start)
        self.shape, self.mode = (int(n0), int(n1)), mode
        self.half_dwell = self.start != (0.0, 0.0)
        if self.half_dwell and mode not in ("echo", "antiecho"):
            raise ValueError("half-dwell grids are handled for 'echo' and 'antiecho'")
        if self.half_dwell:
            self.weights = np.array(split_weights(shape, mode, self.start))
        elif mode in ("echo", "antiecho"):  # the symmetrised weights on the rfft2 half plane
            self.weights = np.array(split_weights(shape, mode)[:, : n1 // 2 + 1])
        elif mode == "nus":
            rows = nus_row_mask(schedule, n0).astype(np.float32)
            self.weights = np.repeat(rows[:, None], n1 // 2 + 1, axis=1)
        else:
            raise ValueError(f"unknown mode {mode!r}")

        self.support = (self.weights > 0).astype(np.float32)
        self.inverse = np.divide(1.0, self.weights, out=np.zeros_like(self.weights),
                                 where=self.weights > 0)

    def _apply(self, x, weights):
        if self.half_dwell:
            return split_filter(x, weights, self.start)
        spectrum = sfft.rfft2(x, workers=fft_workers())
        spectrum *= weights
        return sfft.irfft2(spectrum, s=self.shape, workers=fft_workers())

    def __call__(self, x):
        """The measured part of x (what the measurement would record)."""
        return self._apply(x, self.weights)

    def on_support(self, x):
        """x restricted to the Virtual-Echo points the measurement sees, at full weight."""
        return self._apply(x, self.support)

    def complete(self, measured):
        """The truth on the measured points, from a measurement: the shared t1 = 0 and t2 = 0
        lines, recorded at half weight, are restored to full weight."""
        return self._apply(measured, self.inverse)
