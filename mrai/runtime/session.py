"""ONNX Runtime sessions for the networks' trunks, on every core of the CPU (or $MRAI_THREADS
threads: :func:`session_threads`), run over large spectra in overlapping tiles
(mrai.runtime.tiling)."""

import os

import numpy as np

from mrai.physics.threads import threads
from mrai.runtime.tiling import stacked, tiled


def available():
    """True when ONNX Runtime can be imported."""
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def session_threads():
    """Threads for a session: $MRAI_THREADS when set (mrai.physics.threads), else every core."""
    return threads() or os.cpu_count() or 1


class Trunk:
    """One ONNX graph (mrai.nn.export.stage_graph): NCHW float32 in, NCHW float32 out.

    ``margin``: the trunk's receptive half-widths (F1, F2) (mrai.runtime.tiling.margins); with
    it, spectra larger than a tile run tile by tile (None: always whole). Each run hands its
    working memory back when it ends (arena shrinkage, no memory pattern), so that the several
    sessions of a cascade do not each keep the memory of their largest run: without it the
    three WNN trunks held 2.3 GB each on a 1024 x 4096 spectrum."""

    def __init__(self, path, threads=None, margin=None):
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = int(threads or session_threads())
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.enable_mem_pattern = False   # a block per run that the arena would then keep
        self.path, self.margin = path, margin
        self.session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
        self.run_options = ort.RunOptions()
        self.run_options.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")

    def __call__(self, channels, budget=None):
        """Channel-last stack (B, F1, F2, C), or a list of C channels each broadcastable to
        (B, F1, F2), -> (B, F1, F2, outputs), float32; in tiles of at most ``budget`` points
        (None: mrai.runtime.tiling.tile_points()) when it has a margin."""
        if self.margin is None:
            return self.run(stacked(channels))
        return tiled(self.run, channels, self.margin, budget)

    def run(self, x):
        """The graph on one channel-last stack, whole."""
        x = np.ascontiguousarray(np.moveaxis(np.asarray(x, np.float32), -1, 1))
        out = self.session.run(["output"], {"input": x}, self.run_options)[0]
        return np.moveaxis(out, 1, -1)
