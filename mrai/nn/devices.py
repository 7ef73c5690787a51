"""What the Keras backend computes on: GPUs, the CPU's native number formats, the precision WNN
inference uses on this machine, and the devices training runs on in parallel
(``mrai train --devices``)."""

import contextlib
import os
import platform

from mrai.nn.backend import keras

PRECISIONS = ("auto", "float32", "bfloat16")
TRAINING_PRECISIONS = ("auto", "float32", "bfloat16", "float16")


def gpus():
    """Names of the GPUs the Keras backend sees (empty on a CPU machine)."""
    backend = keras.backend.backend()
    try:
        if backend == "jax":
            import jax
            return [d.device_kind for d in jax.devices() if d.platform == "gpu"]
        if backend == "tensorflow":
            import tensorflow as tf
            return [d.name for d in tf.config.list_physical_devices("GPU")]
        if backend == "torch":
            import torch
            return [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    except Exception:  # a device query must never stop training
        pass
    return []


def device_description():
    """(backend, device) this process computes on, e.g. ('jax', 'gpu: NVIDIA H100 x1')."""
    found = gpus()
    if found:
        return keras.backend.backend(), f"gpu: {found[0]} x{len(found)}"
    return keras.backend.backend(), f"cpu: {platform.processor() or platform.machine()} " \
                                    f"x{os.cpu_count()}"


def cpu_flags(path="/proc/cpuinfo"):
    """The CPU feature flags (Linux); empty where they cannot be read."""
    try:
        with open(path) as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def native_bfloat16(flags=None):
    """True when the CPU multiplies bfloat16 in hardware (x86 AMX-BF16 or AVX512-BF16)."""
    flags = cpu_flags() if flags is None else flags
    return bool({"amx_bf16", "avx512_bf16"} & flags)


def inference_precision(precision="auto"):
    """'float32' or 'bfloat16' for the WNN's convolutions. 'auto' takes bfloat16 on a CPU that
    computes it natively under TensorFlow (about a third faster, same r and RMSD on MALT1 to
    four digits, scripts/bench_wnn.py), float32 everywhere else. Data consistency, the
    normalisation and the output stay float32 in both."""
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}, not {precision!r}")
    if precision != "auto":
        return precision
    if keras.backend.backend() == "tensorflow" and not gpus() and native_bfloat16():
        return "bfloat16"
    return "float32"


def training_precision(precision="auto"):
    """'float32', 'bfloat16' or 'float16' (mixed: float32 weights) for training. 'auto' takes
    float16 on a GPU, bfloat16 on a CPU that computes it natively under TensorFlow (a training
    step about twice as fast as float32 on the 2-core AMX machines here), float32 elsewhere."""
    if precision not in TRAINING_PRECISIONS:
        raise ValueError(f"precision must be one of {', '.join(TRAINING_PRECISIONS)}, "
                         f"not {precision!r}")
    if precision != "auto":
        return precision
    if gpus():
        return "float16"
    return inference_precision("auto")


def emulated_precision(precision, flags=None):
    """Why training in ``precision`` would be slow here, or None: on a CPU (no GPU) bfloat16
    without AVX512-BF16 / AMX-BF16, and float16 on any CPU, are emulated, several times slower
    than float32 (scripts/bench_train_step.py measures it)."""
    if precision not in ("bfloat16", "float16") or gpus():
        return None
    if precision == "bfloat16" and native_bfloat16(flags):
        return None
    return (f"{precision} is emulated on this CPU (no native {precision} arithmetic), so training "
            "runs several times slower than in float32: give --precision float32 (or auto) "
            "unless the card's precision must be kept")


def visible_devices():
    """Names of the devices the Keras backend can train on: its accelerators (GPUs, TPUs), or
    its CPU devices when it has none ('gpu:0', 'cpu:1', ...; under JAX,
    XLA_FLAGS=--xla_force_host_platform_device_count=N makes N CPU devices)."""
    backend = keras.backend.backend()
    if backend == "jax":
        return list(keras.distribution.list_devices())
    if backend == "tensorflow":
        import tensorflow as tf

        found = tf.config.list_logical_devices("GPU") or tf.config.list_logical_devices("CPU")
        return [d.name for d in found]
    return ["cpu:0"]


def training_devices(devices=1, batch_size=None):
    """The devices ``mrai train --devices`` trains on: ``devices`` is a count, 'all' (every
    visible device, :func:`visible_devices`) or a list of their names. ValueError, with the
    reason in one line, when there are fewer devices than asked for, when several are asked for
    on a backend without data parallelism here (torch), or when ``batch_size`` (the global
    batch, split evenly) is not divisible by their number."""
    def split(count):
        if batch_size is not None and batch_size % count:
            raise ValueError(f"a batch of {batch_size} spectra does not split evenly over "
                             f"{count} devices: give a batch size divisible by {count}")

    if isinstance(devices, (list, tuple)):
        split(len(devices))
        return list(devices)
    if devices in (1, "1", None):
        return visible_devices()[:1]
    count = None if devices == "all" else int(devices)
    if count is not None:
        if count < 1:
            raise ValueError(f"{count} devices: give 1 or more, or 'all'")
        split(count)
    backend = keras.backend.backend()
    if backend not in ("jax", "tensorflow"):
        if count is None:  # all it can: one
            return visible_devices()[:1]
        raise ValueError(f"training on several devices needs KERAS_BACKEND=jax (or "
                         f"tensorflow); the {backend} backend trains on one device")
    visible = visible_devices()
    if count is None:
        split(len(visible))
        return visible
    if count > len(visible):
        raise ValueError(f"{count} devices asked for, the {backend} backend sees "
                         f"{len(visible)} ({', '.join(visible)})")
    return visible[:count]


@contextlib.contextmanager
def data_parallel(devices):
    """Models built, compiled and trained inside replicate their weights over ``devices``
    (names, :func:`training_devices`) and split every batch evenly between them, the gradients
    summed over all of them: under JAX Keras's distribution API (DataParallel, one program over
    the global batch), under TensorFlow its MirroredStrategy. One device (or none given): nothing
    changes."""
    devices = list(devices or ())
    if len(devices) < 2:
        yield
        return
    backend = keras.backend.backend()
    if backend == "jax":
        with keras.distribution.DataParallel(devices=devices).scope():
            yield
    elif backend == "tensorflow":
        import tensorflow as tf

        with tf.distribute.MirroredStrategy(devices).scope():
            yield
    else:
        raise ValueError(f"training on several devices needs KERAS_BACKEND=jax (or "
                         f"tensorflow), not {backend}")
