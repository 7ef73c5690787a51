"""ONNX Runtime sessions for the networks' trunks, on every core of the CPU."""

import os

import numpy as np


def available():
    """True when ONNX Runtime can be imported."""
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


class Trunk:
    """One ONNX graph (mrai.nn.export.stage_graph): NCHW float32 in, NCHW float32 out."""

    def __init__(self, path, threads=None):
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = int(threads or os.cpu_count() or 1)
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.path = path
        self.session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])

    def __call__(self, channels):
        """Channel-last stack (B, F1, F2, C) -> (B, F1, F2, outputs), float32."""
        x = np.ascontiguousarray(np.moveaxis(np.asarray(channels, np.float32), -1, 1))
        out = self.session.run(["output"], {"input": x})[0]
        return np.moveaxis(out, 1, -1)
