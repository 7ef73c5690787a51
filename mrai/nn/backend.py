"""Keras, imported quietly: every module of mrai.nn that needs Keras imports it from here.

TensorFlow prints start-up notices (oneDNN, CUDA drivers) from C++ straight onto stderr, where
mrai keeps one line per message. They are silenced while Keras is imported and the backend's
devices start; Python errors still surface. Set MRAI_DEBUG=1 to see them.
"""

import contextlib
import os
import sys


@contextlib.contextmanager
def _quiet_stderr():
    if os.environ.get("MRAI_DEBUG"):
        yield
        return
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no real stderr (embedded use): nothing to silence
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


with _quiet_stderr():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras

    keras.ops.convert_to_numpy(keras.ops.zeros((1,)))  # start the devices now, quietly

__all__ = ["keras"]
