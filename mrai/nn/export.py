"""ONNX files of the networks' convolutional trunks, for inference without Keras (mrai.runtime).

Each :class:`mrai.nn.layers.Stage` becomes one ONNX graph, built directly with the onnx package
from the layer's weights (no converter): for every dilated convolution a periodic ``Pad``
(mode 'wrap', opset 19), a 'valid' ``Conv`` and, where the stage has one, a ``Relu``; then the
1 x 1 output convolution (with its ReLU and the difference of its two channels for a 'relu'
output). Tensors are NCHW: input (batch, channels, F1, F2), output (batch, outputs, F1, F2),
batch and sizes free. Everything else a network does (normalisation, input features, the IST
first estimate, data consistency, the sigma head) is numpy in mrai.runtime.

A WNN with weights PREFIX.weights.h5 gets PREFIX.stage0.onnx, PREFIX.stage1.onnx, ... (one per
stage with its own weights); a sigma network gets PREFIX.onnx.
"""

import os

import numpy as np

OPSET = 19


def onnx_paths(weights, stages=None):
    """The ONNX files beside a weights file: one per WNN stage (``stages`` given) or one for a
    sigma network's trunk."""
    base = weights[:-len(".weights.h5")] if weights.endswith(".weights.h5") \
        else os.path.splitext(weights)[0]
    if stages is None:
        return [base + ".onnx"]
    return [f"{base}.stage{i}.onnx" for i in range(stages)]


def stage_graph(stage, name="stage"):
    """An onnx ModelProto computing Keras ``stage`` (a built Stage) on NCHW float32 input."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    nodes, inits = [], []
    x = "input"
    channels = None
    for i, conv in enumerate(stage.convs):
        kernel, bias = (np.asarray(w, dtype=np.float32) for w in conv.conv.get_weights())
        channels = channels or kernel.shape[2]
        (b0, a0), (b1, a1) = conv.pads
        pads = f"{name}_pads{i}"
        inits += [numpy_helper.from_array(np.array([0, 0, b0, b1, 0, 0, a0, a1], np.int64),
                                          pads),
                  numpy_helper.from_array(kernel.transpose(3, 2, 0, 1).copy(), f"{name}_w{i}"),
                  numpy_helper.from_array(bias, f"{name}_b{i}")]
        nodes.append(helper.make_node("Pad", [x, pads], [f"{name}_p{i}"], mode="wrap"))
        nodes.append(helper.make_node("Conv", [f"{name}_p{i}", f"{name}_w{i}", f"{name}_b{i}"],
                                      [f"{name}_c{i}"], dilations=list(conv.dilation_rate),
                                      kernel_shape=list(conv.kernel_size)))
        x = f"{name}_c{i}"
        if conv.activation == "relu":
            nodes.append(helper.make_node("Relu", [x], [f"{name}_r{i}"]))
            x = f"{name}_r{i}"
    kernel, bias = (np.asarray(w, dtype=np.float32) for w in stage.head.get_weights())
    inits += [numpy_helper.from_array(kernel.transpose(3, 2, 0, 1).copy(), f"{name}_wh"),
              numpy_helper.from_array(bias, f"{name}_bh")]
    nodes.append(helper.make_node("Conv", [x, f"{name}_wh", f"{name}_bh"], [f"{name}_h"],
                                  kernel_shape=[1, 1]))
    out = f"{name}_h"
    if stage.output_kind == "relu":
        nodes.append(helper.make_node("Relu", [out], [f"{name}_hr"]))
        for part, (lo, hi) in (("pos", (0, 1)), ("neg", (1, 2))):
            starts = numpy_helper.from_array(np.array([lo], np.int64), f"{name}_{part}_s")
            ends = numpy_helper.from_array(np.array([hi], np.int64), f"{name}_{part}_e")
            axes = numpy_helper.from_array(np.array([1], np.int64), f"{name}_{part}_a")
            inits += [starts, ends, axes]
            nodes.append(helper.make_node("Slice", [f"{name}_hr", starts.name, ends.name,
                                                    axes.name], [f"{name}_{part}"]))
        nodes.append(helper.make_node("Sub", [f"{name}_pos", f"{name}_neg"], [f"{name}_d"]))
        out = f"{name}_d"
    nodes.append(helper.make_node("Identity", [out], ["output"]))
    outputs = 1 if stage.output_kind == "relu" else stage.n_outputs
    graph = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info("input", TensorProto.FLOAT,
                                       ["batch", channels, "f1", "f2"])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT,
                                       ["batch", outputs, "f1", "f2"])],
        inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="mrai")
    model.ir_version = 9
    onnx.checker.check_model(model)
    return model


def export_onnx(model, weights, overwrite=False):
    """Write the ONNX files of ``model`` (a WNN or a sigma network) beside ``weights``,
    atomically; returns their paths."""
    from mrai.output import atomic_write_bytes

    if hasattr(model, "sigma_config"):
        stages, paths = [model.trunk], onnx_paths(weights)
    else:
        stages = model.stages
        paths = onnx_paths(weights, len(stages))
    for i, (stage, path) in enumerate(zip(stages, paths)):
        graph = stage_graph(stage, name=f"stage{i}")
        atomic_write_bytes(path, graph.SerializeToString(), overwrite=overwrite)
    return paths
