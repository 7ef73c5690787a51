"""Sigma networks: a per-point standard deviation for a reconstruction (docs/conventions.md).

A WNN-style trunk (periodic dilated convolutions, :class:`mrai.nn.layers.Stage`) sees the
method's measured input (the Echo or NUS spectrum) and its reconstruction mu, and gives
sigma = Smax * calibration * (floor + gain * ReLU(x)) at every point: the ReLU output layer keeps
sigma at or above the floor (relative to Smax = max |mu|, so the network is scale invariant);
``calibration`` is one number fitted after training so that the 95 % band holds 95 % of the
points of a simulated calibration set (:func:`mrai.nn.sigma_training.calibrate`).

With ``noise_scale`` the network also works in units of the spectrum's own noise level N (a
robust estimate from mu, :func:`noise_level`): it sees asinh(mu / N), asinh((mu - measured) / N)
and log10(N / Smax) as extra channels, and sigma gains a second ReLU part in units of N,
sigma = Smax * calibration * (floor + gain * ReLU(x1)) + calibration * N * ReLU(x2). Errors that
scale with the noise (the unmeasured noise of NUS rows) then need no fine structure at 1e-3 of
Smax, which a network cannot resolve at its working precision; sigma then starts at the noise
level (the head's biases 0 and 1) rather than at 0.01 Smax. With ``sampling`` (NUS methods)
it also sees the sampled fraction of the t1 points, found from the measured data itself
(:func:`sampled_fraction`): IST's NUS errors shrink several-fold from 30 % to 70 % sampling, and a
convolution cannot see that in the frequency domain; with ``t1_points`` it also sees log2 of
the acquired t1 points, since at one fraction IST's errors also shrink as that number grows
(:func:`t1_sampling`); with ``holdout`` it takes a third input, the hold-out estimate H of
IST's error per F2 column (mrai.uncertainty.holdout: rows left out of the schedule,
reconstructed from the rest), sees asinh(H / N) and log10(rms H / N) and gains a sigma part
in units of rms H, so that sigma follows how well IST did on this very spectrum. With ``column`` (needs ``noise_scale``) it
sees the signal level of each F2 column, asinh(rms over F1 of mu / N) (:func:`column_level`):
artefacts run along F1 and grow with the signal in their column, which for 256 t1 rows lies
mostly outside the trunk's 65-row reach. With ``ridge`` (needs ``noise_scale``) it sees the
F1 ridge level R of each F2 column of the reconstruction (:func:`ridge_level`: how much more
the column spreads along F1 than the spectrum's typical column, robust to its peaks) as
asinh(R / N) and gains a sigma part in units of R: a ridge of t1 noise or solvent has an
unmeasured half as strong as its measured one, which no method can fill in. Trained with
the Gaussian negative log-likelihood (:func:`nll_loss`) against the simulated truth. One model
per method (``METHODS``); Anti-Echo spectra go through ``flip`` like Echo ones.
"""

from mrai.metrics import SIGNAL_THRESHOLD as SIGNAL_LEVEL  # signal points (docs/conventions.md)
from mrai.nn import ops as veops
from mrai.nn.backend import keras
from mrai.nn.layers import Stage
from mrai.nn.sigma_config import METHODS, SigmaConfig  # noqa: F401  (Keras-free, re-exported)
from mrai.physics.nus import SAMPLED_ENERGY

ops = keras.ops


@keras.saving.register_keras_serializable(package="mrai")
class SigmaNet(keras.Model):
    """inputs (measured, mu), each (B, F1, F2) real spectra (with ``holdout`` also the hold-out
    error (B, 1, F2)) -> sigma (B, F1, F2), float32."""

    def __init__(self, config=None, **kwargs):
        super().__init__(**kwargs)
        self.sigma_config = config if isinstance(config, SigmaConfig) else \
            SigmaConfig.from_dict(config or {})
        c = self.sigma_config
        self.trunk = Stage(c.filters, c.kernel, c.dilations, c.ratio, "linear",
                           outputs=1 + int(c.noise_scale) + int(c.holdout) + int(c.ridge),
                           name="trunk")

    @property
    def channels(self):
        c = self.sigma_config
        return (5 if c.echo_like else 3) + (3 if c.noise_scale else 0) + int(c.sampling) + \
            int(c.column) + int(c.t1_points) + 2 * int(c.holdout) + int(c.ridge)

    def build(self, input_shape=None):
        self.trunk.build((None, None, None, self.channels))
        head = self.trunk.head
        if self.sigma_config.noise_scale:  # sigma starts at floor + N (+ H + R)
            c = self.sigma_config
            start = [0.0, 1.0] + [1.0] * int(c.holdout) + [1.0] * int(c.ridge)
            head.bias.assign(ops.convert_to_tensor(start, head.bias.dtype))
        else:  # sigma starts near floor + gain, not 0
            head.bias.assign(ops.ones(head.bias.shape, head.bias.dtype))
        self.built = True

    def parts(self, inputs, grid=veops.ORIGIN):
        """(Smax part, noise part) of sigma / Smax before calibration, each (B, F1, F2):
        floor + gain ReLU(x1) and N ReLU(x2) + H ReLU(x3) (zero without ``noise_scale``; the
        H term with ``holdout``); sigma is Smax * calibration * (their sum). ``inputs`` is
        (measured, mu), with ``holdout`` (measured, mu, hold-out error (B, 1, F2),
        mrai.uncertainty.holdout). ``grid``: where the (t1, t2) time grids start, in dwells (0 or
        0.5 each, mrai.nn.ops)."""
        grid = tuple(float(g) for g in grid)
        measured, mu = (ops.cast(x, "float32") for x in inputs[:2])
        scale = ops.max(ops.abs(mu), axis=(1, 2), keepdims=True) + 1e-30
        m, u = measured / scale, mu / scale
        channels = [u, m, u - m]
        if self.sigma_config.echo_like:
            re, im = veops.quadrature(m, grid)
            channels += [im, ops.sqrt(re * re + im * im + 1e-12)]
        c = self.sigma_config
        if c.noise_scale:
            noise = ops.maximum(noise_level(u), NOISE_MIN)  # relative to Smax, (B, 1, 1)
            channels += [ops.arcsinh(u / noise), ops.arcsinh((u - m) / noise),
                         ops.zeros_like(u) + ops.log10(noise) + 2.5]
        if c.sampling or c.t1_points:
            fraction, points = t1_sampling(measured)
        if c.sampling:
            channels.append(ops.zeros_like(u) + fraction - 0.5)
        if c.t1_points:
            channels.append(ops.zeros_like(u) + ops.log2(points) - 6.0)
        if c.column:
            channels.append(ops.zeros_like(u) + ops.arcsinh(column_level(u) / noise))
        if c.holdout:
            if len(inputs) < 3:
                raise ValueError("this sigma network also takes the hold-out error estimate")
            held = ops.cast(inputs[2], "float32") / scale  # (B, 1, F2), relative to Smax
            whole = ops.sqrt(ops.mean(ops.square(held), axis=2, keepdims=True))  # (B, 1, 1)
            channels += [ops.zeros_like(u) + ops.arcsinh(held / noise),
                         ops.zeros_like(u) + ops.log10(ops.maximum(whole, NOISE_MIN) / noise)]
        if c.ridge:
            # of mu, not of the measured spectrum: the twisted tails of Echo peaks along F1 would
            # raise every crowded column's spread (MALT1's peak region 3-5 N, from mu 1-2 N)
            ridge = ridge_level(u)  # relative to Smax, (B, 1, F2)
            channels.append(ops.zeros_like(u) + ops.arcsinh(ridge / noise))
        x = ops.cast(self.trunk(ops.stack(channels, axis=-1)), "float32")
        smax_part = c.floor + c.gain * ops.relu(x[..., 0])
        noise_part = noise * ops.relu(x[..., 1]) if c.noise_scale else ops.zeros_like(smax_part)
        if c.holdout:
            noise_part = noise_part + whole * ops.relu(x[..., 2])
        if c.ridge:
            noise_part = noise_part + ridge * ops.relu(x[..., -1])
        return smax_part, noise_part

    def call(self, inputs, grid=veops.ORIGIN):
        smax_part, noise_part = self.parts(inputs, grid)
        scale = ops.max(ops.abs(ops.cast(inputs[1], "float32")), axis=(1, 2), keepdims=True)
        return (scale + 1e-30) * (self.sigma_config.calibration * (smax_part + noise_part))

    def get_config(self):
        return {"config": self.sigma_config.to_dict(), "name": self.name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


NOISE_MIN = 1e-6   # lowest noise level / Smax that noise_level gives the network


def noise_level(x):
    """Robust noise standard deviation of a stack of spectra (B, F1, F2), shape (B, 1, 1): the
    median absolute difference of neighbouring F2 points / (0.6745 sqrt 2), which smooth peaks
    hardly touch; exact in expectation for white Gaussian noise."""
    d = ops.abs(x[:, :, 1:] - x[:, :, :-1])
    return ops.reshape(ops.median(ops.reshape(d, (ops.shape(d)[0], -1)), axis=1),
                       (-1, 1, 1)) / (0.6745 * 2**0.5)


def column_level(x):
    """The signal level of each F2 column of a stack of spectra (B, F1, F2), shape (B, 1, F2):
    the root mean square over F1. NUS (and Echo) artefacts run along F1, so a point's error
    grows with the signal in its column, most of which lies outside a convolution's reach."""
    return ops.sqrt(ops.mean(ops.square(x), axis=1, keepdims=True))


MAD_SCALE = 1.4826  # standard deviation / median absolute deviation of Gaussian noise


def ridge_level(x):
    """The F1 ridge level of each F2 column of a stack of spectra (B, F1, F2), shape (B, 1, F2),
    in the units of ``x``: the robust spread of the column along F1 (MAD_SCALE times its median
    absolute deviation, which a column's few peaks hardly move) beyond the spread of the typical
    column (the median over F2; mostly noise): sqrt(max(spread^2 - typical^2, 0)). A ridge of
    t1 noise or solvent along F1 raises it; peaks, smooth baselines and white noise do not.
    A method sees only the measured half of such a ridge; the other half, as strong, is an
    error it cannot know, far outside the trunk's 65-row reach."""
    centre = ops.median(x, axis=1, keepdims=True)
    spread = MAD_SCALE * ops.median(ops.abs(x - centre), axis=1, keepdims=True)
    typical = ops.median(spread, axis=2, keepdims=True)
    return ops.sqrt(ops.maximum(ops.square(spread) - ops.square(typical), 0.0))


def t1_sampling(measured):
    """(sampled fraction, acquired t1 points) of a stack of NUS spectra (B, F1, F2), each shape
    (B, 1, 1), found from the data: t1 rows of the non-negative half whose F1 time domain carries
    energy (unsampled rows are exactly zero, mrai.physics.nus), counted up to the last sampled
    row, which for a schedule that reaches the end of acquisition (Poisson-gap) is the acquired
    t1 size. IST's NUS errors shrink several-fold from 30 % to 70 % sampling, and at a given
    fraction they shrink as the acquired t1 points grow (64 F1 rows to 256 in training); a
    convolution in the frequency domain sees neither."""
    x = ops.transpose(ops.cast(measured, "float32"), (0, 2, 1))  # (B, F2, F1)
    re, im = ops.fft((x, ops.zeros_like(x)))
    energy = ops.sum(re * re + im * im, axis=1)  # (B, F1), symmetric in t1
    half = energy[:, : (ops.shape(energy)[1] + 1) // 2]  # mrai.physics.nus.t1_half
    sampled = ops.cast(half > SAMPLED_ENERGY * ops.max(half, axis=1, keepdims=True), "float32")
    index = ops.cast(ops.arange(ops.shape(half)[1]), "float32") + 1.0
    last = ops.maximum(ops.max(sampled * index, axis=1), 1.0)
    return (ops.reshape(ops.sum(sampled, axis=1) / last, (-1, 1, 1)),
            ops.reshape(last, (-1, 1, 1)))


def sampled_fraction(measured):
    """The sampled fraction of the t1 points of a stack of NUS spectra, shape (B, 1, 1)
    (:func:`t1_sampling`)."""
    return t1_sampling(measured)[0]


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


def nll_loss(y_true, sigma, signal_weight=0.0, points="signal"):
    """Gaussian NLL per point, (y - mu)^2 / (2 sigma^2) + log sigma, averaged; ``y_true`` stacks
    the truth y and the reconstruction mu on its last axis (B, F1, F2, 2).

    With ``signal_weight`` w > 0 the loss is (1 - w) * (mean over all points) + w * (mean over
    the signal points of each spectrum): noise points, most of a spectrum, otherwise decide
    nearly all of the loss. ``points`` 'signal': |mu| > 0.01 max |mu| (where pSQ is summed);
    'metric': |y| > 0.01 max y or |mu| > 0.01 max y, the points on which the RMSD and the
    band's coverage are judged. These include the noise peaks of y above 0.01, whose error (the
    noise the method could not see) is larger than the noise's own spread: a sigma that is to
    cover them must learn where such points arise (noise-dominated regions, ridges).

    The signal mean is one ratio over the whole batch. Trained on several devices under
    TensorFlow (MirroredStrategy, mrai.nn.devices.data_parallel: each device computes this on
    its share of the batch and their gradients are summed) each device gives its part of the
    whole batch's loss, the signal points counted over all of them (:func:`_replicas`), so the
    loss and its gradient are those of one device."""
    y, mu = y_true[..., 0], y_true[..., 1]
    sigma = ops.cast(sigma, "float32")
    nll = ops.square(y - mu) / (2.0 * ops.square(sigma)) + ops.log(sigma)
    replicas = _replicas()
    if not signal_weight:
        return ops.mean(nll) if replicas is None else \
            ops.mean(nll) / float(replicas.num_replicas_in_sync)
    if points == "metric":
        top = ops.max(y, axis=(1, 2), keepdims=True)
        signal = ops.cast(ops.logical_or(ops.abs(y) > SIGNAL_LEVEL * top,
                                         ops.abs(mu) > SIGNAL_LEVEL * top), "float32")
    else:
        peak = ops.max(ops.abs(mu), axis=(1, 2), keepdims=True)
        signal = ops.cast(ops.abs(mu) > SIGNAL_LEVEL * peak, "float32")
    if replicas is not None:  # this device's part of the whole batch's loss
        import tensorflow as tf

        count = replicas.all_reduce(tf.distribute.ReduceOp.SUM, ops.sum(signal))
        on_signal = ops.sum(nll * signal) / ops.maximum(count, 1.0)
        return (1.0 - signal_weight) * ops.mean(nll) / float(replicas.num_replicas_in_sync) \
            + signal_weight * on_signal
    on_signal = ops.sum(nll * signal) / ops.maximum(ops.sum(signal), 1.0)
    return (1.0 - signal_weight) * ops.mean(nll) + signal_weight * on_signal


def _replicas():
    """The replica context of a TensorFlow MirroredStrategy step on several devices, else None
    (one device; JAX, whose data parallelism computes the loss as one program over the whole
    batch). Keras sums the replicas' gradients of a loss that is one number, as this one is,
    without dividing by their count."""
    if keras.backend.backend() != "tensorflow":
        return None
    import tensorflow as tf

    context = tf.distribute.get_replica_context()
    if context is None or context.num_replicas_in_sync < 2:
        return None
    return context


def training_loss(config):
    """The loss :func:`nll_loss` with the config's signal weight, for Keras' compile."""
    weight, points = float(config.signal_weight), config.loss_points
    return lambda y_true, sigma: nll_loss(y_true, sigma, weight, points)
