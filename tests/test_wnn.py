"""The WNN: Virtual-Echo ops against numpy, data consistency, symmetry, scale invariance,
training (the loss falls, checkpoints resume), model files and their errors, backends."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from conftest import ROOT, run_mrai

keras = pytest.importorskip("keras")

from mrai.errors import InputError  # noqa: E402
from mrai.methods.projection import Projection  # noqa: E402
from mrai.physics.grid import split_weights  # noqa: E402
from mrai.metrics import quality  # noqa: E402
from mrai.nn import ops as veops  # noqa: E402
from mrai.nn.config import WNNConfig  # noqa: E402
from mrai.nn.data import TrainingRecipe, batch  # noqa: E402
from mrai.nn.layers import wrap_pad  # noqa: E402
from mrai.nn.inference import default_model, load_model, reconstruct, save_model  # noqa: E402
from mrai.nn.model import build_wnn  # noqa: E402
from mrai.nn.training import Schedule, train  # noqa: E402
from mrai.physics.echo import antiecho_part, echo_mask, echo_part, flip  # noqa: E402
from mrai.simulate import simulate  # noqa: E402

TINY = dict(filters=4, dilations=((1, 1), (2, 2), (4, 4)), stages=2, start="echo")


@pytest.fixture(scope="module")
def tiny():
    keras.utils.set_random_seed(1)
    return build_wnn(**TINY)


@pytest.fixture(scope="module")
def spectrum():
    return simulate(size=(32, 128), peaks=(12, 12), seed=5)


@pytest.fixture
def tiny_file(tmp_path, tiny):
    path = str(tmp_path / "tiny.weights.h5")
    save_model(tiny, path, {"name": "tiny"})
    return path


@pytest.mark.parametrize("shape", [(4, 8), (6, 10), (32, 128), (64, 34)])
def test_support_weights_match_numpy_projection(shape):
    full = np.asarray(veops.support_weights(*shape))
    assert np.array_equal(full, split_weights(shape))
    # the symmetrised quadrant mask
    mask = echo_mask(shape)
    mirrored = np.roll(mask[::-1, ::-1], (1, 1), axis=(0, 1))
    assert np.array_equal(full, (mask + mirrored) / 2)
    assert np.array_equal(full, full[np.r_[0, shape[0] - 1:0:-1]][:, np.r_[0, shape[1] - 1:0:-1]])


@pytest.mark.parametrize("pads", [((1, 1), (1, 1)), ((1, 2), (3, 0)), ((0, 0), (5, 5))])
def test_wrap_pad_is_numpy_wrap_padding(pads):
    x = np.random.default_rng(0).normal(size=(2, 6, 10, 3)).astype(np.float32)
    padded = np.asarray(wrap_pad(keras.ops.convert_to_tensor(x), *pads))
    assert np.array_equal(padded, np.pad(x, ((0, 0), pads[0], pads[1], (0, 0)), mode="wrap"))


def test_quadrature_real_part_is_the_echo_spectrum(spectrum):
    re, im = veops.quadrature(spectrum.echo[None])
    re, im = np.asarray(re)[0], np.asarray(im)[0]
    n0, n1 = spectrum.echo.shape
    inner = np.ones_like(re, dtype=bool)
    assert np.abs(re - spectrum.echo).max() < 0.02 * np.abs(spectrum.echo).max()
    # the imaginary part is what the real part hides: it changes the magnitude, not the data
    assert np.abs(im).max() > 0.2 * np.abs(re).max() and inner.all()


def test_output_shape_and_exact_data_consistency(tiny, spectrum):
    out = reconstruct(tiny, spectrum.echo, "echo")
    assert out.shape == spectrum.echo.shape and out.dtype == np.float32
    measured = Projection(out.shape, "echo")(out)
    assert np.abs(measured - spectrum.echo).max() < 1e-5 * np.abs(spectrum.echo).max()


def test_antiecho_is_the_mirrored_echo_problem(tiny, spectrum):
    s = spectrum.reference
    anti = reconstruct(tiny, antiecho_part(s), "antiecho")
    mirrored = flip(reconstruct(tiny, echo_part(flip(s)), "echo"))
    assert np.allclose(anti, mirrored, atol=1e-6 * np.abs(s).max())
    measured = Projection(s.shape, "antiecho")(anti)
    assert np.abs(measured - antiecho_part(s)).max() < 1e-5 * np.abs(s).max()


def test_scale_invariance(tiny, spectrum):
    a = reconstruct(tiny, spectrum.echo, "echo")
    b = reconstruct(tiny, 1000.0 * spectrum.echo, "echo")
    assert np.allclose(b, 1000.0 * a, rtol=1e-4, atol=1e-3 * np.abs(b).max())


@pytest.mark.parametrize("shape", [(8, 8), (16, 200), (130, 66)])
def test_any_even_size_works(tiny, shape):
    s = simulate(size=shape, peaks=(3, 3), seed=2)
    out = reconstruct(tiny, s.echo, "echo")
    assert out.shape == shape and np.isfinite(out).all()


def test_config_checks_and_receptive_field():
    assert WNNConfig(kernel=(3, 3), dilations=((1, 1), (2, 4))).receptive_field == (7, 11)
    with pytest.raises(ValueError, match="odd"):
        WNNConfig(kernel=(2, 3))
    with pytest.raises(ValueError, match="output"):
        WNNConfig(output="sigmoid")
    assert WNNConfig.from_dict(WNNConfig(stages=5).to_dict()) == WNNConfig(stages=5)


def test_relu_output_and_proportional_module_build():
    model = build_wnn(**{**TINY, "output": "relu", "ratio": 2})
    relus = [c.activation for c in model.stages[0].convs]
    assert relus == [None, "relu", "relu"]  # conv-conv-ReLU, and the last trunk layer
    assert model.stages[0].head.filters == 2
    assert model(np.ones((1, 8, 16), np.float32)).shape == (1, 8, 16)


def test_training_stream_is_seeded():
    recipe, config = TrainingRecipe(sizes=((16, 64),)), WNNConfig(**TINY)
    (a, ra), (b, rb) = batch(recipe, 3, 7, 2, config), batch(recipe, 3, 7, 2, config)
    assert np.array_equal(a, b) and np.array_equal(ra, rb)
    assert not np.array_equal(a, batch(recipe, 3, 8, 2, config)[0])
    assert np.abs(ra).max(axis=(1, 2)) == pytest.approx([1, 1], abs=0.05)


def test_training_lowers_the_loss_and_resumes(tmp_path):
    config = WNNConfig(**TINY)
    recipe = TrainingRecipe(sizes=((16, 64),), peaks=(300, 3000))
    schedule = Schedule(epochs=4, steps=6, batch_size=4, learning_rate=1e-2, validation=4)
    lines = []
    model, state = train(config, recipe, schedule, str(tmp_path / "ck"), log=lines.append)
    losses = [h["loss"] for h in state["history"]]
    assert len(losses) == 4 and losses[-1] < 0.7 * losses[0]
    assert "epoch 4/4" in lines[-1]
    more = Schedule(**{**schedule.to_dict(), "epochs": 5})
    with pytest.raises(ValueError, match="schedule"):
        train(config, recipe, more, str(tmp_path / "ck"), resume=True, log=lines.append)


def test_resume_continues_the_same_run(tmp_path):
    config = WNNConfig(**TINY)
    recipe = TrainingRecipe(sizes=((16, 64),))
    schedule = Schedule(epochs=2, steps=2, batch_size=2, validation=2)
    folder = str(tmp_path / "ck")
    train(config, recipe, Schedule(**{**schedule.to_dict(), "epochs": 2}), folder, log=id)
    state = json.load(open(os.path.join(folder, "state.json")))
    assert state["epoch"] == 2
    lines = []
    _, resumed = train(config, recipe, schedule, folder, resume=True, log=lines.append)
    assert lines == ["resuming after epoch 2 of 2"] and resumed["history"] == state["history"]


def test_bfloat16_training_lowers_the_loss_and_old_checkpoints_resume(tmp_path):
    config = WNNConfig(**TINY)
    recipe = TrainingRecipe(sizes=((16, 64),))
    schedule = Schedule(epochs=3, steps=4, batch_size=2, validation=2, precision="bfloat16",
                        learning_rate=3e-3)
    folder = str(tmp_path / "ck")
    model, state = train(config, recipe, Schedule(**{**schedule.to_dict(), "epochs": 3}),
                         folder, log=id)
    losses = [h["loss"] for h in state["history"]]
    assert losses[-1] < losses[0] and model.stages[0].compute_dtype == "bfloat16"
    # a checkpoint written before the precision field existed resumes as float32
    path = os.path.join(folder, "state.json")
    old = json.load(open(path))
    del old["schedule"]["precision"]
    json.dump(old, open(path, "w"))
    lines = []
    plain = Schedule(**{**schedule.to_dict(), "precision": "float32"})
    train(config, recipe, plain, folder, resume=True, log=lines.append)
    assert lines == ["resuming after epoch 3 of 3"]
    with pytest.raises(ValueError, match="precision must be"):
        Schedule(precision="int8")


def test_model_round_trip(tiny, tiny_file, spectrum):
    model, card = load_model(tiny_file, backend="keras")
    assert card["name"] == "tiny" and card["config"]["filters"] == 4
    assert np.array_equal(reconstruct(model, spectrum.echo), reconstruct(tiny, spectrum.echo))
    fast, card = load_model(tiny_file)  # the ONNX files save_model wrote beside the weights
    assert card["backend"] == "onnx"
    a, b = reconstruct(fast, spectrum.echo), reconstruct(tiny, spectrum.echo)
    assert np.abs(a - b).max() <= 1e-6 * np.abs(b).max()


def test_bfloat16_inference_stays_close_and_consistent(tiny_file, spectrum):
    exact, card = load_model(tiny_file, "float32")
    fast, card16 = load_model(tiny_file, "bfloat16")
    assert card["precision"] == "float32" and card16["precision"] == "bfloat16"
    a, b = reconstruct(exact, spectrum.echo), reconstruct(fast, spectrum.echo)
    assert b.dtype == np.float32 and not np.array_equal(a, b)
    assert np.abs(a - b).max() < 0.02 * np.abs(a).max()
    measured = Projection(b.shape, "echo")(b)  # data consistency stays float32 and exact
    assert np.abs(measured - spectrum.echo).max() < 1e-5 * np.abs(spectrum.echo).max()
    assert keras.config.dtype_policy().name == "float32"  # the global policy is left alone


def test_inference_precision_choice():
    from mrai.nn.devices import inference_precision, native_bfloat16

    assert native_bfloat16({"avx2", "amx_bf16"}) and native_bfloat16({"avx512_bf16"})
    assert not native_bfloat16({"avx2", "avx512f"}) and not native_bfloat16(set())
    assert inference_precision("float32") == "float32"
    assert inference_precision("auto") in ("float32", "bfloat16")
    with pytest.raises(ValueError, match="precision must be one of"):
        inference_precision("float16")


def test_emulated_precision_is_named_before_training(tmp_path):
    from mrai.nn.devices import emulated_precision, gpus

    assert emulated_precision("float32") is None
    if not gpus():
        assert "bfloat16 is emulated" in emulated_precision("bfloat16", {"avx2", "avx512f"})
        assert emulated_precision("bfloat16", {"avx2", "amx_bf16"}) is None
        assert "float16 is emulated" in emulated_precision("float16", {"avx512_bf16"})
        code, _, err = run_mrai("train", "wnn", "-o", str(tmp_path / "m"), "--epochs", "1",
                                "--steps", "1", "--batch-size", "1", "--validation", "1",
                                "--filters", "2", "--stages", "1", "--dilations", "1,1",
                                "--size", "16x64", "--start", "echo", "--precision", "float16")
        assert code == 0, err
        assert err.splitlines()[0] == ("mrai train wnn: warning: "
                                       + emulated_precision("float16"))


def test_model_file_errors(tmp_path, tiny_file):
    with pytest.raises(InputError, match="not found"):
        load_model(str(tmp_path / "none.weights.h5"))
    corrupt = tmp_path / "corrupt.weights.h5"
    corrupt.write_bytes(b"\x89HDF\r\n" + os.urandom(300))
    (tmp_path / "corrupt.json").write_text(open(tiny_file[:-11] + ".json").read())
    with pytest.raises(InputError, match="cannot load weights"):
        load_model(str(corrupt))
    os.unlink(tiny_file[:-11] + ".json")
    with pytest.raises(InputError, match="card not found"):
        load_model(tiny_file)
    bad_card = tmp_path / "other.weights.h5"
    bad_card.write_bytes(open(corrupt, "rb").read())
    (tmp_path / "other.json").write_text("{\"kind\": \"sigma\"}")
    with pytest.raises(InputError, match="not an mrai WNN model card"):
        load_model(str(bad_card))


def test_reconstruct_cli_with_a_model(tmp_path, tiny_file, small_file):
    out = tmp_path / "out.ft2"
    code, _, err = run_mrai("reconstruct", "--echo", small_file, "--model", tiny_file,
                            "-o", str(out))
    assert code == 0, err
    from mrai.fileio import pipe
    from mrai.fileio.header import provenance
    dic, data = pipe.read(str(out))
    assert provenance(dic)["method"] == "wnn" and provenance(dic)["model"] == "tiny"
    assert provenance(dic)["precision"] in ("float32", "bfloat16")
    assert data.shape == pipe.read(small_file)[1].shape
    code, _, err = run_mrai("reconstruct", "--echo", small_file, "--model",
                            str(tmp_path / "missing.weights.h5"), "-o", str(tmp_path / "x"))
    assert code == 2 and "model weights not found" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "x").exists()
    code, _, err = run_mrai("reconstruct", "--nus", "header", "--method", "wnn", small_file)
    assert code == 2 and "use --method ist for NUS" in err
    code, _, err = run_mrai("reconstruct", "--echo", "--method", "ist", "--precision",
                            "float32", small_file)
    assert code == 2 and "--precision is not for --method ist" in err


def test_shipped_model_beats_the_twisted_input_and_ist():
    from mrai.methods.ist import ist

    model, card = load_model()
    assert card["name"] == "wnn-echo" and os.path.exists(default_model())
    s = simulate(size=(128, 512), acquired=(64, 236), peaks=(60, 60), noise=1e-3, seed=11)
    wnn = quality(reconstruct(model, s.echo), s.reference)
    twisted = quality(2 * s.echo, s.reference)
    assert wnn["r"] > 0.98 and wnn["r"] > twisted["r"] + 0.1
    assert wnn["rmsd"] < quality(ist(s.echo, "echo"), s.reference)["rmsd"]


BACKEND_SCRIPT = """
import sys, numpy as np
from mrai.nn.inference import load_model, reconstruct
model, _ = load_model(sys.argv[1])
x = np.load(sys.argv[2])
np.save(sys.argv[3], reconstruct(model, x))
"""


def _installed_backends():
    import importlib.util
    return [b for b, module in (("tensorflow", "tensorflow"), ("jax", "jax"), ("torch", "torch"))
            if importlib.util.find_spec(module) is not None]


@pytest.mark.parametrize("backend", _installed_backends())
def test_every_installed_backend_gives_the_same_reconstruction(backend, tmp_path, tiny,
                                                               tiny_file, spectrum):
    np.save(tmp_path / "x.npy", spectrum.echo)
    env = {**os.environ, "KERAS_BACKEND": backend}
    subprocess.run([sys.executable, "-c", BACKEND_SCRIPT, tiny_file, str(tmp_path / "x.npy"),
                    str(tmp_path / "y.npy")], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    expected = reconstruct(tiny, spectrum.echo)
    assert np.allclose(np.load(tmp_path / "y.npy"), expected,
                       atol=1e-4 * np.abs(expected).max())


def test_reconstruct_cli_3d_stream_plane_by_plane(tmp_path, tiny, tiny_file, stack3d):
    from conftest import header_3d
    from mrai.fileio import read, write

    write(str(tmp_path / "s.ft3"), header_3d((32, 128), 3), stack3d)
    code, echo, err = run_mrai("degrade", "--echo", stdin=(tmp_path / "s.ft3").read_bytes())
    assert code == 0, err
    code, out, err = run_mrai("reconstruct", "--echo", "--model", tiny_file, "--precision",
                             "float32", stdin=echo)
    assert code == 0, err
    (tmp_path / "o.ft3").write_bytes(out)
    got = read(str(tmp_path / "o.ft3"))[1]
    expected = np.stack([reconstruct(tiny, echo_part(p)) for p in stack3d])
    assert got.shape == (3, 32, 128)
    assert np.allclose(got, expected, atol=1e-5 * np.abs(expected).max())


def test_same_seed_same_training(tmp_path):
    """What `mrai train wnn --card` relies on: a seed fixes the stream, initial weights and so
    the result."""
    config, recipe = WNNConfig(**TINY), TrainingRecipe(sizes=((16, 64),))
    schedule = Schedule(epochs=2, steps=3, batch_size=2, validation=3, seed=4)
    runs = [train(config, recipe, schedule, str(tmp_path / f"ck{i}"), log=id)[1]["history"]
            for i in range(2)]
    assert runs[0][-1]["mse"] == pytest.approx(runs[1][-1]["mse"], rel=1e-3)
    other = Schedule(**{**schedule.to_dict(), "seed": 5})
    third = train(config, recipe, other, str(tmp_path / "ck2"), log=id)[1]["history"]
    assert third[-1]["mse"] != pytest.approx(runs[0][-1]["mse"], rel=1e-3)


def test_train_cli_writes_weights_and_card(tmp_path):
    prefix = str(tmp_path / "m")
    args = ("train", "wnn", "-o", prefix, "--epochs", "2", "--steps", "2", "--batch-size", "2",
            "--validation", "2", "--filters", "3", "--stages", "1", "--dilations", "1,1 2,2",
            "--size", "16x64", "--start", "echo", "--seed", "3")
    code, out, err = run_mrai(*args)
    assert code == 0 and out == b"", err
    assert "epoch 2/2" in err and "wrote" in err
    card = json.load(open(prefix + ".json"))
    assert card["config"]["dilations"] == [[1, 1], [2, 2]] and card["schedule"]["seed"] == 3
    assert card["recipe"]["sizes"] == [[16, 64]] and card["steps"] == 4
    assert {"r", "rmsd", "loss"} <= set(card["validation"]) and len(card["history"]) == 2
    assert card["backend"] and card["device"] and card["commit"]
    from mrai.nn.devices import training_precision
    assert card["schedule"]["precision"] == training_precision("auto")  # the default: auto
    model, _ = load_model(prefix + ".weights.h5", backend="keras")
    assert model.count_params() == card["parameters"]
    assert load_model(prefix + ".weights.h5")[1]["backend"] == "onnx"  # written beside it
    code, _, err = run_mrai(*args)
    assert code == 2 and "exists" in err and "-ov" in err
    code, _, err = run_mrai("train", "wnn", "-o", prefix + "2", "--dilations", "1;2")
    assert code == 2 and "pairs" in err


def test_several_sample_sizes_train_one_size_per_epoch(tmp_path):
    recipe, config = TrainingRecipe(sizes=((16, 64), (32, 128))), WNNConfig(**TINY)
    shapes = {batch(recipe, 0, i, 1, config, steps=3)[1].shape[1:] for i in range(3)}
    assert len(shapes) == 1  # one size within an epoch
    epochs = {batch(recipe, 0, 3 * e, 1, config, steps=3)[1].shape[1:] for e in range(8)}
    assert epochs == {(16, 64), (32, 128)}
    schedule = Schedule(epochs=4, steps=2, batch_size=2, validation=2)
    _, state = train(config, recipe, schedule, str(tmp_path / "ck"), log=id)
    assert state["epoch"] == 4


def test_training_starts_from_given_weights(tmp_path):
    config = WNNConfig(**TINY)
    recipe = TrainingRecipe(sizes=((16, 64),))
    first, _ = train(config, recipe, Schedule(epochs=1, steps=2, batch_size=2, validation=2),
                     str(tmp_path / "a"), log=id)
    parent = str(tmp_path / "parent.weights.h5")
    from mrai.nn.inference import weights_only

    weights_only(first).save_weights(parent)
    lines = []
    child, _ = train(config, recipe, Schedule(epochs=1, steps=1, batch_size=2, validation=2,
                                              learning_rate=1e-9, init=parent),
                     str(tmp_path / "b"), log=lines.append)
    assert lines[0] == f"starting from the weights of {parent}"
    for a, b in zip(first.get_weights(), child.get_weights()):
        np.testing.assert_allclose(a, b, atol=1e-5)
    with pytest.raises(Exception, match="weights not found"):
        train(config, recipe, Schedule(epochs=1, steps=1, batch_size=2, validation=2,
                                       init="no-such-model"), str(tmp_path / "c"), log=id)


def test_model_cards_name_only_this_projects_commit(tmp_path):
    """An installed copy can sit inside another repository (pyenv is a git checkout): the card
    must not record that repository's commit."""
    import subprocess

    from conftest import ROOT
    from mrai.nn.card import git_commit

    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    assert len(git_commit(str(ROOT)).split("+")[0]) == 40
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    assert git_commit(str(tmp_path)) == "unknown"
