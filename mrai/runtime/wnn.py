"""The WNN in numpy and ONNX Runtime: mrai.nn.model.WNN.call step by step. The trunks run in
overlapping tiles on large spectra (mrai.runtime.tiling), the data consistency on the whole
spectrum."""

import numpy as np

from mrai.methods.projection import Projection
from mrai.physics.grid import quadrature
from mrai.runtime.session import Trunk
from mrai.runtime.tiling import margins


class RuntimeWNN:
    """A WNN from its config (mrai.nn.config.WNNConfig), card and stage ONNX files.
    ``wnn_config`` and ``card`` as the Keras model's; calling it as the Keras model is called
    (``model(inputs, grid=...)``) gives the reconstructions as numpy float32. ``trunks``
    instead of ``paths``: other callables of the trunks' kind (mrai.runtime.tiling.TiledTrunk:
    the Keras stages, mrai.nn.inference), ``runtime`` naming them."""

    runtime = "onnx"

    def __init__(self, config, card, paths=(), threads=None, trunks=None, runtime=None):
        self.wnn_config, self.card = config, card
        self.margin = margins(config.kernel, config.dilations)
        self.trunks = list(trunks) if trunks is not None else \
            [Trunk(p, threads, self.margin) for p in paths]
        if runtime is not None:
            self.runtime = runtime

    def __call__(self, inputs, return_stages=False, grid=(0.0, 0.0)):
        """``inputs``: Echo spectra (B, F1, F2), or (echo, first estimate) as
        mrai.nn.data.inputs gives them; ``grid``: the (t1, t2) grid starts in dwells."""
        echo, first = inputs if isinstance(inputs, (tuple, list)) else (inputs, None)
        grid = tuple(float(g) for g in grid)
        echo = np.asarray(echo, dtype=np.float32)
        projection = Projection(echo.shape[-2:], "echo", None, grid)
        scale = np.sqrt(np.mean(echo * echo, axis=(1, 2), keepdims=True)) + np.float32(1e-30)
        e = echo / scale
        measured = np.stack([projection.complete(x) for x in e]).astype(np.float32, copy=False)
        feats = self.feature_list(e, grid)

        def consistent(x, completed):
            return x + np.stack([projection.on_support(d) for d in completed - x])

        x = measured if first is None else \
            consistent(np.asarray(first, np.float32) / scale, measured)
        outputs = []
        share = self.wnn_config.share_weights
        for i in range(self.wnn_config.stages):
            trunk = self.trunks[0 if share else i]
            delta = trunk([x, *feats])[..., 0]   # stacked tile by tile when tiled
            x = consistent(x + delta, measured).astype(np.float32, copy=False)
            del delta
            if return_stages or i == self.wnn_config.stages - 1:
                outputs.append(x * scale)
        return outputs if return_stages else outputs[-1]

    def features(self, echo, grid):
        """Channel-last input features of normalised Echo spectra (B, F1, F2)."""
        return np.stack(self.feature_list(echo, grid), axis=-1)

    def feature_list(self, echo, grid):
        """The input features of normalised Echo spectra (B, F1, F2), a list of float32
        arrays of their shape."""
        channels = [echo]
        names = self.wnn_config.features
        if {"quadrature", "magnitude"} & set(names):
            re, im = quadrature(echo, grid)
            if "quadrature" in names:
                channels.append(im)
            if "magnitude" in names:
                channels.append(np.sqrt(re * re + im * im + np.float32(1e-12)))
        return [np.asarray(c, np.float32) for c in channels]
