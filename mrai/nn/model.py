"""The WNN: a cascade of dilated-convolution stages with exact Echo data consistency.

Input: a batch of real Echo-only spectra (B, F1, F2), any scale, any size (NMRPipe
orientation: rows F1, columns F2), on time grids starting at 0 or at half a dwell
(``start``, mrai.nn.ops). Output: pure-absorption spectra of the same shape whose
Echo part equals the input exactly (up to float32 round-off). The input is divided by its RMS
and the output multiplied back, so the model is scale invariant. Anti-Echo problems go through
``mrai.physics.flip`` (see :func:`mrai.nn.inference.reconstruct`).
"""

import contextlib

from mrai.nn.backend import keras

from mrai.nn import ops as veops
from mrai.nn.config import WNNConfig
from mrai.nn.layers import Stage

ops = keras.ops


@keras.saving.register_keras_serializable(package="mrai")
class WNN(keras.Model):
    def __init__(self, config=None, **kwargs):
        super().__init__(**kwargs)
        self.wnn_config = config if isinstance(config, WNNConfig) else \
            WNNConfig.from_dict(config or {})
        c = self.wnn_config
        count = 1 if c.share_weights else c.stages
        self.stages = [Stage(c.filters, c.kernel, c.dilations, c.ratio, c.output,
                             name=f"stage{i}") for i in range(count)]

    def build(self, input_shape=None):
        channels = 1 + len(self.wnn_config.features)
        for stage in self.stages:
            stage.build((None, None, None, channels))
        self.built = True

    def features(self, echo, start=veops.ORIGIN):
        """Channel-last input features of normalised Echo spectra (B, F1, F2)."""
        channels = [echo]
        if {"quadrature", "magnitude"} & set(self.wnn_config.features):
            re, im = veops.quadrature(echo, start)
            if "quadrature" in self.wnn_config.features:
                channels.append(im)
            if "magnitude" in self.wnn_config.features:
                channels.append(ops.sqrt(re * re + im * im + 1e-12))
        return ops.stack(channels, axis=-1)

    def call(self, inputs, return_stages=False, grid=veops.ORIGIN):
        """``inputs``: Echo spectra (B, F1, F2), or (echo, first) with a first estimate;
        ``grid``: where the (t1, t2) time grids start, in dwells (0 or 0.5 each)."""
        echo, first = inputs if isinstance(inputs, (tuple, list)) else (inputs, None)
        grid = tuple(float(g) for g in grid)
        echo = ops.cast(echo, "float32")
        scale = ops.sqrt(ops.mean(echo * echo, axis=(1, 2), keepdims=True)) + 1e-30
        e = echo / scale
        measured = veops.complete(e, grid)
        feats = self.features(e, grid)
        x = measured if first is None else \
            veops.consistent(ops.cast(first, "float32") / scale, measured, grid)
        outputs = []
        for i in range(self.wnn_config.stages):
            stage = self.stages[0 if self.wnn_config.share_weights else i]
            delta = ops.cast(stage(ops.concatenate([x[..., None], feats], axis=-1))[..., 0], "float32")
            x = veops.consistent(x + delta, measured, grid)
            outputs.append(x * scale)
        return outputs if return_stages else outputs[-1]

    def get_config(self):
        return {"config": self.wnn_config.to_dict(), "name": self.name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


POLICIES = {None: None, "float32": "float32", "bfloat16": "mixed_bfloat16",
            "float16": "mixed_float16"}


@contextlib.contextmanager
def dtype_policy(precision):
    """Layers made inside compute in ``precision`` ('float32', 'bfloat16', 'float16': mixed,
    float32 weights; None: the global Keras policy); the global policy is restored after."""
    if precision not in POLICIES:
        raise ValueError(f"precision must be float32, bfloat16 or float16, not {precision!r}")
    saved = keras.config.dtype_policy()
    if POLICIES[precision]:
        keras.config.set_dtype_policy(POLICIES[precision])
    try:
        yield
    finally:
        keras.config.set_dtype_policy(saved)


def build_wnn(config=None, precision=None, **overrides):
    """A built :class:`WNN` from a :class:`WNNConfig` (or its fields as keywords).

    ``precision``: the stages' convolutions compute in 'float32', or in 'bfloat16' or 'float16'
    (weights stay float32); None takes the global Keras dtype policy. The model itself is always
    float32, so its inputs, the normalisation, the data consistency and the output are never
    rounded to 16 bits.
    """
    if config is None:
        config = WNNConfig(**overrides)
    elif overrides:
        config = WNNConfig.from_dict({**config.to_dict(), **overrides})
    with dtype_policy(precision):  # taken by the stages WNN() makes
        model = WNN(config, dtype="float32")
    model.build()
    return model
