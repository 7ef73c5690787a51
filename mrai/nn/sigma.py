"""Sigma networks: a per-point standard deviation for a reconstruction (science.md section 6).

A WNN-style trunk (periodic dilated convolutions, :class:`mrai.nn.layers.Stage`) sees the
method's measured input (the Echo or NUS spectrum) and its reconstruction mu, and gives
sigma = Smax * calibration * (floor + gain * ReLU(x)) at every point: the ReLU output layer keeps
sigma at or above the floor (relative to Smax = max |mu|, so the network is scale invariant);
``calibration`` is one number fitted after training so that the 95 % band holds 95 % of the
points of a simulated calibration set (:func:`mrai.nn.sigma_training.calibrate`). Trained with
the Gaussian negative log-likelihood (:func:`nll_loss`) against the simulated truth. One model
per method (``METHODS``); Anti-Echo spectra go through ``flip`` like Echo ones.
"""

from dataclasses import asdict, dataclass

import keras
from keras import ops

from mrai.nn import ops as veops
from mrai.nn.layers import Stage

METHODS = ("wnn-echo", "ist-echo", "ist-nus")


@dataclass
class SigmaConfig:
    method: str = "wnn-echo"
    filters: int = 32
    kernel: tuple = (3, 3)
    dilations: tuple = ((1, 1), (1, 2), (2, 4), (4, 8), (8, 16), (16, 32))
    ratio: int = 1
    floor: float = 1e-4
    gain: float = 0.01
    calibration: float = 1.0   # sigma multiplier fitted after training (95 % band coverage)

    def __post_init__(self):
        self.kernel = tuple(int(k) for k in self.kernel)
        self.dilations = tuple((int(a), int(b)) for a, b in self.dilations)
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {', '.join(METHODS)}, got {self.method!r}")
        if len(self.kernel) != 2 or any(k < 1 or k % 2 == 0 for k in self.kernel):
            raise ValueError(f"kernel must be two odd sizes, got {self.kernel}")
        if not self.dilations or min(min(d) for d in self.dilations) < 1:
            raise ValueError("dilations must be a non-empty list of positive (F1, F2) pairs")
        if self.filters < 1 or self.ratio < 1:
            raise ValueError("filters and ratio must be >= 1")
        if not (self.floor > 0 and self.gain > 0 and self.calibration > 0):
            raise ValueError("floor, gain and calibration must be positive")

    @property
    def echo_like(self):
        """True for the Echo methods (Anti-Echo goes through flip), False for NUS."""
        return self.method.endswith("-echo")

    def to_dict(self):
        out = asdict(self)
        out["kernel"], out["dilations"] = list(self.kernel), [list(d) for d in self.dilations]
        return out

    @classmethod
    def from_dict(cls, values):
        return cls(**{k: v for k, v in values.items() if k in cls.__dataclass_fields__})


@keras.saving.register_keras_serializable(package="mrai")
class SigmaNet(keras.Model):
    """inputs (measured, mu), each (B, F1, F2) real spectra -> sigma (B, F1, F2), float32."""

    def __init__(self, config=None, **kwargs):
        super().__init__(**kwargs)
        self.sigma_config = config if isinstance(config, SigmaConfig) else \
            SigmaConfig.from_dict(config or {})
        c = self.sigma_config
        self.trunk = Stage(c.filters, c.kernel, c.dilations, c.ratio, "linear", name="trunk")

    @property
    def channels(self):
        return 5 if self.sigma_config.echo_like else 3

    def build(self, input_shape=None):
        self.trunk.build((None, None, None, self.channels))
        head = self.trunk.head
        head.bias.assign(ops.ones_like(head.bias))  # sigma starts near floor + gain, not 0
        self.built = True

    def call(self, inputs):
        measured, mu = (ops.cast(x, "float32") for x in inputs)
        scale = ops.max(ops.abs(mu), axis=(1, 2), keepdims=True) + 1e-30
        m, u = measured / scale, mu / scale
        channels = [u, m, u - m]
        if self.sigma_config.echo_like:
            re, im = veops.quadrature(m)
            channels += [im, ops.sqrt(re * re + im * im + 1e-12)]
        x = ops.cast(self.trunk(ops.stack(channels, axis=-1))[..., 0], "float32")
        c = self.sigma_config
        return scale * (c.calibration * (c.floor + c.gain * ops.relu(x)))

    def get_config(self):
        return {"config": self.sigma_config.to_dict(), "name": self.name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def build_sigma(config=None, precision=None, **overrides):
    """A built :class:`SigmaNet`; ``precision`` as for :func:`mrai.nn.model.build_wnn`."""
    from mrai.nn.model import dtype_policy

    if config is None:
        config = SigmaConfig(**overrides)
    elif overrides:
        config = SigmaConfig.from_dict({**config.to_dict(), **overrides})
    with dtype_policy(precision):
        model = SigmaNet(config, dtype="float32")
    model.build()
    return model


def nll_loss(y_true, sigma):
    """Gaussian NLL per point, (y - mu)^2 / (2 sigma^2) + log sigma, averaged; ``y_true`` stacks
    the truth y and the reconstruction mu on its last axis (B, F1, F2, 2)."""
    y, mu = y_true[..., 0], y_true[..., 1]
    sigma = ops.cast(sigma, "float32")
    return ops.mean(ops.square(y - mu) / (2.0 * ops.square(sigma)) + ops.log(sigma))
