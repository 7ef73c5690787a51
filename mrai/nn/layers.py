"""Keras layers of the WNN: periodic dilated convolutions, one cascade stage, data consistency.

All in keras.ops, so the same code runs under TensorFlow, JAX or PyTorch. Tensors are
channels-last batches (B, F1, F2, C); spectra without a channel axis are (B, F1, F2).
"""

from mrai.nn.backend import keras

from mrai.nn import ops as veops

ops = keras.ops


def wrap_pad(x, pad0, pad1):
    """Periodic padding of axes 1 and 2 of (B, F1, F2, C) by (before, after) pairs; any size.

    One gather over the flattened plane: a single copy of the tensor instead of one per axis
    (the padding is a third of a dilated convolution's cost on a CPU).
    """
    if not any(pad0) and not any(pad1):
        return x
    shape = ops.shape(x)
    n0, n1 = shape[1], shape[2]
    rows = ops.mod(ops.arange(-pad0[0], n0 + pad0[1]), n0)
    cols = ops.mod(ops.arange(-pad1[0], n1 + pad1[1]), n1)
    index = ops.reshape(rows[:, None] * n1 + cols[None, :], (-1,))
    channels = x.shape[-1]
    flat = ops.take(ops.reshape(x, (-1, n0 * n1, channels)), index, axis=1)
    return ops.reshape(flat, (-1, n0 + pad0[0] + pad0[1], n1 + pad1[0] + pad1[1], channels))


@keras.saving.register_keras_serializable(package="mrai")
class WrapConv2D(keras.layers.Layer):
    """Conv2D over a periodic plane: circular ('wrap') padding, then a 'valid' convolution, so
    the output has the input's size and no edge effects (the spectrum is periodic)."""

    def __init__(self, filters, kernel_size, dilation_rate=(1, 1), activation=None, **kwargs):
        super().__init__(**kwargs)
        self.filters = int(filters)
        self.kernel_size = tuple(int(k) for k in kernel_size)
        self.dilation_rate = tuple(int(d) for d in dilation_rate)
        self.activation = activation
        self.conv = keras.layers.Conv2D(self.filters, self.kernel_size, padding="valid",
                                        dilation_rate=self.dilation_rate, activation=activation,
                                        name="conv")
        self.pads = tuple(((d * (k - 1)) // 2, d * (k - 1) - (d * (k - 1)) // 2)
                          for k, d in zip(self.kernel_size, self.dilation_rate))

    def build(self, input_shape):
        self.conv.build((None, None, None, input_shape[-1]))

    def call(self, x):
        return self.conv(wrap_pad(x, *self.pads))

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.filters)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters,
                "kernel_size": self.kernel_size, "dilation_rate": self.dilation_rate,
                "activation": self.activation}


@keras.saving.register_keras_serializable(package="mrai")
class Stage(keras.layers.Layer):
    """One cascade stage: dilated periodic convolutions (ReLU after every ``ratio``-th) and an
    output layer giving a correction to the current estimate (channel-last (B, F1, F2, 1));
    ``outputs`` > 1 gives that many linear output channels (the sigma networks' two parts)."""

    def __init__(self, filters, kernel, dilations, ratio=1, output="linear", outputs=1,
                 **kwargs):
        super().__init__(**kwargs)
        self.n_outputs = int(outputs)
        if output != "linear" and self.n_outputs != 1:
            raise ValueError("only a linear output layer gives several output channels")
        self.filters, self.kernel, self.ratio, self.output_kind = int(filters), tuple(kernel), \
            int(ratio), output
        self.dilations = tuple(tuple(d) for d in dilations)
        n = len(self.dilations)
        self.convs = [WrapConv2D(self.filters, self.kernel, d,
                                 activation="relu" if (i + 1) % self.ratio == 0 or i == n - 1
                                 else None, name=f"conv{i}")
                      for i, d in enumerate(self.dilations)]
        self.head = keras.layers.Conv2D(self.n_outputs if output == "linear" else 2, 1,
                                        name="head",
                                        activation=None if output == "linear" else "relu")

    def build(self, input_shape):
        channels = input_shape[-1]
        for conv in self.convs:
            conv.build((None, None, None, channels))
            channels = self.filters
        self.head.build((None, None, None, channels))

    def call(self, x):
        for conv in self.convs:
            x = conv(x)
        x = self.head(x)
        if self.output_kind == "relu":  # ReLU output layer: positive minus negative part
            x = x[..., :1] - x[..., 1:]
        return x

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "kernel": self.kernel,
                "dilations": self.dilations, "ratio": self.ratio, "output": self.output_kind,
                "outputs": self.n_outputs}
