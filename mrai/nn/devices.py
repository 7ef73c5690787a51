"""What the Keras backend computes on: GPUs, the CPU's native number formats, and the
precision WNN inference uses on this machine."""

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
