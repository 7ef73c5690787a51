"""Inference without Keras (mrai.runtime, ONNX Runtime): every shipped network's ONNX files give
the Keras path's result within 1e-6 of the maximum at several sizes and time grids; export
round trips for other designs; loading and its errors."""

import glob
import os

import numpy as np
import pytest

from mrai.errors import InputError
from mrai.nn.inference import (load_model, load_sigma, model_dir, predict_sigma, reconstruct,
                               save_model)
from mrai.simulate import simulate

CASES = [((32, 128), (0.0, 0.0)), ((33, 129), (0.5, 0.0)), ((64, 250), (0.0, 0.5)),
         ((128, 1024), (0.0, 0.0))]
SHIPPED = sorted(glob.glob(os.path.join(model_dir(), "*.weights.h5")))


def close(a, b):
    # float32 rounding of two convolution implementations: up to 1.2e-6 of the maximum measured
    # on the shipped networks (the realistic sigma networks' larger weights)
    return np.abs(np.asarray(a) - np.asarray(b)).max() <= 2e-6 * np.abs(a).max()


def test_every_shipped_model_has_its_onnx_files():
    assert SHIPPED
    for weights in SHIPPED:
        kind = "sigma" if os.path.basename(weights).startswith("sigma") else "wnn"
        model, card = (load_sigma if kind == "sigma" else load_model)(weights, backend="onnx")
        assert card["backend"] == "onnx" and getattr(model, "runtime", None) == "onnx"


@pytest.mark.parametrize("weights", SHIPPED, ids=os.path.basename)
def test_onnx_equals_keras_for_every_shipped_model(weights):
    sigma = os.path.basename(weights).startswith("sigma")
    load = load_sigma if sigma else load_model
    keras_model, _ = load(weights, "float32", "keras")
    onnx_model, _ = load(weights, "float32", "onnx")
    nus = sigma and onnx_model.sigma_config.method == "ist-nus"
    for shape, grid in CASES:
        if nus and grid != (0.0, 0.0):
            continue
        sim = simulate(size=shape, peaks=(20, 20), seed=sum(shape), t1_start=grid[0],
                       t2_start=grid[1])
        mode = "antiecho" if shape[0] % 2 else "echo"
        if sigma:
            measured, mode = (sim.nus, "nus") if nus else (getattr(sim, mode), mode)
            a = predict_sigma(keras_model, measured, sim.reference, mode, grid)
            b = predict_sigma(onnx_model, measured, sim.reference, mode, grid)
        else:
            a = reconstruct(keras_model, getattr(sim, mode), mode, grid)
            b = reconstruct(onnx_model, getattr(sim, mode), mode, grid)
        assert a.shape == b.shape == shape and close(a, b), (shape, grid)


@pytest.mark.parametrize("overrides", [dict(output="relu", ratio=2, start="echo"),
                                       dict(share_weights=True, stages=2)])
def test_export_round_trip_of_other_wnn_designs(tmp_path, overrides):
    from mrai.nn.backend import keras
    from mrai.nn.model import build_wnn

    keras.utils.set_random_seed(3)
    model = build_wnn(filters=4, dilations=((1, 1), (2, 4)), **overrides)
    path = str(tmp_path / "tiny.weights.h5")
    save_model(model, path, {"name": "tiny"})   # writes the ONNX files too
    stages = 1 if overrides.get("share_weights") else model.wnn_config.stages
    assert sorted(os.listdir(tmp_path)) == sorted(
        ["tiny.weights.h5", "tiny.json"] + [f"tiny.stage{i}.onnx" for i in range(stages)])
    echo = simulate(size=(16, 64), peaks=(5, 5), seed=1).echo
    keras_out = reconstruct(load_model(path, backend="keras")[0], echo)
    assert close(keras_out, reconstruct(load_model(path, backend="onnx")[0], echo))


def test_backend_choice_and_errors(tmp_path):
    from mrai.nn.backend import keras
    from mrai.nn.model import build_wnn

    keras.utils.set_random_seed(0)
    path = str(tmp_path / "m.weights.h5")
    save_model(build_wnn(filters=2, dilations=((1, 1),), stages=1), path, {"name": "m"})
    assert load_model(path)[1]["backend"] == "onnx"            # auto: the ONNX files are there
    os.unlink(str(tmp_path / "m.stage0.onnx"))
    assert load_model(path)[1]["backend"] == "keras"           # auto without them: Keras
    with pytest.raises(InputError, match="no ONNX files"):
        load_model(path, backend="onnx")
    (tmp_path / "m.stage0.onnx").write_bytes(b"not an onnx file")
    with pytest.raises(InputError, match="cannot load ONNX model"):
        load_model(path, backend="onnx")
    with pytest.raises(ValueError, match="backend must be"):
        load_model(path, backend="torch")


def test_bfloat16_is_keras_only(tmp_path):
    from conftest import run_mrai

    with pytest.raises(ValueError, match="bfloat16 needs the Keras backend"):
        load_model(None, "bfloat16", "onnx")
    assert load_model(None, "bfloat16")[1]["backend"] == "keras"
    data = simulate(size=(16, 64), peaks=(3, 3), seed=0)
    from mrai.fileio import write
    from mrai.fileio.header import spectrum_header

    write(str(tmp_path / "e.ft2"), spectrum_header((16, 64)), data.echo)
    code, _, err = run_mrai("reconstruct", "--echo", tmp_path / "e.ft2", "--backend", "onnx",
                            "--precision", "bfloat16", "-o", tmp_path / "o.ft2")
    assert code == 2 and "needs --backend keras" in err and not (tmp_path / "o.ft2").exists()
