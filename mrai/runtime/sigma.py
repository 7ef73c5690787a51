"""The sigma networks in numpy and ONNX Runtime: mrai.nn.sigma.SigmaNet.call step by step. The
trunk runs in overlapping tiles on large spectra (mrai.runtime.tiling); the noise, column and
ridge levels are taken from the whole spectrum first."""

import numpy as np

from mrai.physics.grid import quadrature
from mrai.physics.nus import SAMPLED_ENERGY
from mrai.runtime.session import Trunk
from mrai.runtime.tiling import margins

NOISE_MIN = 1e-6   # as mrai.nn.sigma.NOISE_MIN
MAD_SCALE = 1.4826  # as mrai.nn.sigma.MAD_SCALE


def noise_level(x):
    """Robust noise standard deviation of a stack (B, F1, F2), shape (B, 1, 1)
    (mrai.nn.sigma.noise_level)."""
    d = np.abs(x[:, :, 1:] - x[:, :, :-1]).reshape(len(x), -1)
    return (np.median(d, axis=1) / np.float32(0.6745 * 2 ** 0.5)).reshape(-1, 1, 1) \
        .astype(np.float32)


def column_level(x):
    """RMS over F1 of each F2 column, (B, 1, F2) (mrai.nn.sigma.column_level)."""
    return np.sqrt(np.mean(np.square(x), axis=1, keepdims=True))


def ridge_level(x):
    """The F1 ridge level of each F2 column, (B, 1, F2) (mrai.nn.sigma.ridge_level)."""
    centre = np.median(x, axis=1, keepdims=True)
    spread = np.float32(MAD_SCALE) * np.median(np.abs(x - centre), axis=1, keepdims=True)
    typical = np.median(spread, axis=2, keepdims=True)
    return np.sqrt(np.maximum(np.square(spread) - np.square(typical), 0)).astype(np.float32)


def t1_sampling(measured):
    """(sampled fraction, acquired t1 points), each (B, 1, 1) (mrai.nn.sigma.t1_sampling)."""
    spectrum = np.fft.fft(np.asarray(measured, np.float32), axis=1)  # along F1
    energy = np.sum(np.abs(spectrum) ** 2, axis=2)                    # (B, F1)
    half = energy[:, : (energy.shape[1] + 1) // 2]
    sampled = (half > SAMPLED_ENERGY * half.max(axis=1, keepdims=True)).astype(np.float32)
    index = np.arange(half.shape[1], dtype=np.float32) + 1.0
    last = np.maximum((sampled * index).max(axis=1), 1.0)
    return (sampled.sum(axis=1) / last).reshape(-1, 1, 1), last.reshape(-1, 1, 1)


class RuntimeSigma:
    """A sigma network from its config (mrai.nn.sigma_config.SigmaConfig), card and trunk ONNX
    file; called as the Keras model is (``model(inputs, grid=...)``), numpy float32 out.
    ``trunk`` instead of ``path``: another callable of the trunk's kind
    (mrai.runtime.tiling.TiledTrunk), ``runtime`` naming it."""

    runtime = "onnx"

    def __init__(self, config, card, path=None, threads=None, trunk=None, runtime=None):
        self.sigma_config, self.card = config, card
        self.margin = margins(config.kernel, config.dilations)
        self.trunk = trunk if trunk is not None else Trunk(path, threads, self.margin)
        if runtime is not None:
            self.runtime = runtime

    def parts(self, inputs, grid=(0.0, 0.0)):
        """(Smax part, noise part) of sigma / Smax before calibration (SigmaNet.parts)."""
        c = self.sigma_config
        measured, mu = (np.asarray(x, np.float32) for x in inputs[:2])
        scale = np.abs(mu).max(axis=(1, 2), keepdims=True) + np.float32(1e-30)
        m, u = measured / scale, mu / scale
        channels = [u, m, u - m]
        if c.echo_like:
            re, im = quadrature(m, tuple(float(g) for g in grid))
            channels += [im, np.sqrt(re * re + im * im + np.float32(1e-12))]
        # constants per spectrum (B, 1, 1) or per column (B, 1, F2) stay that shape: the trunk
        # broadcasts them tile by tile (mrai.runtime.tiling), the Keras model's zeros_like + x
        if c.noise_scale:
            noise = np.maximum(noise_level(u), np.float32(NOISE_MIN))
            channels += [np.arcsinh(u / noise), np.arcsinh((u - m) / noise),
                         np.log10(noise) + np.float32(2.5)]
        if c.sampling or c.t1_points:
            fraction, points = t1_sampling(measured)
        if c.sampling:
            channels.append(fraction - np.float32(0.5))
        if c.t1_points:
            channels.append(np.log2(points) - np.float32(6.0))
        if c.column:
            channels.append(np.arcsinh(column_level(u) / noise))
        if c.holdout:
            if len(inputs) < 3:
                raise ValueError("this sigma network also takes the hold-out error estimate")
            held = np.asarray(inputs[2], np.float32) / scale
            whole = np.sqrt(np.mean(np.square(held), axis=2, keepdims=True))
            channels += [np.arcsinh(held / noise),
                         np.log10(np.maximum(whole, np.float32(NOISE_MIN)) / noise)]
        if c.ridge:
            ridge = ridge_level(u)
            channels.append(np.arcsinh(ridge / noise))
        x = self.trunk(channels)   # stacked tile by tile when tiled
        del channels
        smax_part = c.floor + c.gain * np.maximum(x[..., 0], 0)
        noise_part = noise * np.maximum(x[..., 1], 0) if c.noise_scale else np.zeros_like(
            smax_part)
        if c.holdout:
            noise_part = noise_part + whole * np.maximum(x[..., 2], 0)
        if c.ridge:
            noise_part = noise_part + ridge * np.maximum(x[..., -1], 0)
        return smax_part.astype(np.float32), noise_part.astype(np.float32)

    def __call__(self, inputs, grid=(0.0, 0.0)):
        smax_part, noise_part = self.parts(inputs, grid)
        scale = np.abs(np.asarray(inputs[1], np.float32)).max(axis=(1, 2), keepdims=True)
        return ((scale + np.float32(1e-30)) *
                (np.float32(self.sigma_config.calibration) * (smax_part + noise_part))) \
            .astype(np.float32)
