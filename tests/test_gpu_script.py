"""The prepared GPU run (scripts/gpu) on the CPU with its tiny plan, and what it rests on:
`mrai train --time-limit` (stops between steps, checkpoints, resumes exactly) and `--recipe`."""

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tarfile

import numpy as np
import pytest

from conftest import ROOT, run_mrai

keras = pytest.importorskip("keras")

from mrai.nn.config import WNNConfig  # noqa: E402
from mrai.nn.data import TrainingRecipe, recipe_named  # noqa: E402
from mrai.nn.training import Schedule, train, training_settings  # noqa: E402

GPU = ROOT / "scripts" / "gpu"


def as_json(recipe, sizes):
    """A recipe's dict with ``sizes`` as a card holds it (JSON lists)."""
    return json.loads(json.dumps({**recipe.to_dict(), "sizes": sizes}))
TINY = dict(filters=3, dilations=((1, 1), (2, 2)), stages=1, start="echo")
# the device machine has no TensorFlow: the run's subprocesses get none either
NO_TENSORFLOW = """
import sys

class NoTensorFlow:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in ("tensorflow", "tf_keras"):
            raise ModuleNotFoundError(f"No module named {name!r} (as on the GPU machine)",
                                      name=name)
        return None

sys.meta_path.insert(0, NoTensorFlow())
"""


def test_time_limit_stops_between_steps_and_resumes_exactly(tmp_path):
    """A deadline already passed trains one step per call and checkpoints inside the epoch;
    the calls together give the weights and history of one uninterrupted run."""
    config, recipe = WNNConfig(**TINY), TrainingRecipe(sizes=((16, 64),))
    schedule = Schedule(epochs=2, steps=2, batch_size=2, validation=2, seed=3,
                        precision="float32")
    folder = str(tmp_path / "stopped")
    steps = []
    for call in range(3):
        lines = []
        _, state = train(config, recipe, schedule, folder, resume=True, log=lines.append,
                         deadline=0.0)
        assert state["stopped"] and "stopped by the time limit" in lines[-1]
        saved = json.load(open(os.path.join(folder, "state.json")))
        steps.append((saved["epoch"], saved["step"]))
    assert steps == [(0, 1), (1, 0), (1, 1)]  # the epoch's validation ends the second call
    lines = []
    model, state = train(config, recipe, schedule, folder, resume=True, log=lines.append)
    assert lines[0] == "resuming after step 1 of 2 of epoch 2 of 2" and "stopped" not in state
    whole, reference = train(config, recipe, schedule, str(tmp_path / "whole"), log=id)
    assert [h["loss"] for h in state["history"]] == \
        pytest.approx([h["loss"] for h in reference["history"]], rel=1e-6)
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), whole.get_weights()))


def test_time_limit_must_be_positive():
    """(The command-line stop and resume, the message and the recipe in the card are checked
    through the prepared run below.)"""
    code, _, err = run_mrai("train", "wnn", "-o", "x", "--time-limit", "0")
    assert code == 2 and "--time-limit" in err


def test_recipe_settings():
    card = ROOT / "models" / "wnn-echo.json"
    shipped = json.load(open(card))["recipe"]
    _, recipe, _ = training_settings("wnn", str(card))
    assert recipe.to_dict() == TrainingRecipe.from_dict(shipped).to_dict()  # the card's
    _, recipe, _ = training_settings("wnn", str(card), {"recipe": "realistic"})
    assert recipe.to_dict() == {**recipe_named("realistic").to_dict(), "sizes": [[128, 1024]]}
    _, recipe, _ = training_settings("wnn", str(card), {"recipe": "plain",
                                                        "sizes": ((16, 64),)})
    assert recipe.to_dict() == {**TrainingRecipe().to_dict(), "sizes": [[16, 64]]}
    _, recipe, _ = training_settings("wnn")
    assert recipe.to_dict() == recipe_named("plain").to_dict()
    with pytest.raises(ValueError, match="unknown recipe"):
        training_settings("wnn", options={"recipe": "nonsense"})


def test_gpu_plan_stages_are_valid_commands():
    """Every stage of the device plan parses as its `mrai train` command and its settings
    resolve (cards, shipped weights to start from, recipe), without training."""
    from mrai.cli.train import command
    from mrai.nn.models import resolve_weights

    plans = json.load(open(GPU / "plan.json"))
    for plan in (plans["gpu"], plans["tiny"]):
        names = [s["name"] for s in plan["stages"]]
        assert len(names) == len(set(names)) and len(names) <= 6  # tars + log + status <= 8
        for stage in plan["stages"]:
            assert stage.get("wnn") in (None, *names[:names.index(stage["name"])])
            sub = command.commands[stage["train"]]
            ctx = sub.make_context(stage["train"], ["-o", "x", *stage["args"]])
            options = dict(ctx.params)
            for key in ("out", "overwrite", "checkpoint_dir", "resume", "real_spectrum",
                        "region", "name", "workers", "time_limit", "wnn_path", "card_file"):
                options.pop(key, None)
            _, _, schedule = training_settings(
                "wnn" if stage["train"] == "wnn" else "sigma", ctx.params["card_file"], options)
            if schedule.init:
                resolve_weights(schedule.init)
    gpu = plans["gpu"]
    for stage in gpu["stages"]:  # every stage can start inside one command's budget
        assert gpu["min_minutes"] + stage["finish_minutes"] + gpu["reserve_minutes"] \
            < gpu["budget_minutes"] <= 9.5


def test_scripts_are_valid_bash():
    for name in ("run.sh", "fetch_wheels.sh"):
        subprocess.run(["bash", "-n", str(GPU / name)], check=True)


def _run(out, state, env, script="run.sh"):
    """One call of the prepared run (run.sh, or its Python part run.py as run.sh calls it);
    its OUTDIR must fit the device's $OUT, and its tars become the next call's state."""
    cmd = ["bash", str(GPU / "run.sh")] if script == "run.sh" else \
        [sys.executable, str(GPU / "run.py")]
    if script != "run.sh":  # what run.sh sets
        env = {**env, "PYTHONPATH": os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])}
    proc = subprocess.run([*cmd, str(out)], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    files = sorted(os.listdir(out))
    assert len(files) <= 8 and all(os.path.isfile(os.path.join(out, f)) for f in files)
    for f in files:
        if f.endswith(".tar"):
            shutil.copy(os.path.join(out, f), state)
    return json.load(open(os.path.join(out, "status.json"))), proc.stdout


def test_gpu_run_script_trains_stops_resumes_and_brings_home(tmp_path):
    backend = "jax" if importlib.util.find_spec("jax") else "tensorflow"
    state = tmp_path / "state"
    state.mkdir()
    env = {**os.environ, "MRAI_GPU_PLAN": "tiny", "MRAI_GPU_STATE": str(state),
           "MRAI_GPU_WHEELS": "", "PYTHON": sys.executable, "KERAS_BACKEND": backend,
           "PYTHONUNBUFFERED": "1"}
    if backend == "jax":
        (tmp_path / "site").mkdir()
        (tmp_path / "site" / "sitecustomize.py").write_text(NO_TENSORFLOW)
        env["PYTHONPATH"] = os.pathsep.join([str(tmp_path / "site"),
                                             env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    # first call: every stage stops by its time limit after one step, checkpoint in its tar
    status, log = _run(tmp_path / "out1", state, {**env, "MRAI_GPU_TIME_LIMIT": "0.0001"})
    assert "run.sh: python" in log  # what it found installed
    assert "--devices all" in log   # every visible device (here one CPU device)
    assert {s["state"] for s in status.values()} == {"training"}, log
    assert {s["devices"] for s in status.values()} == {1}
    assert status["wnn-echo"]["step"] == 1 and status["wnn-echo"]["epoch"] == 0
    assert "mrai train wnn: stopped by the time limit (0.0001 min)" in log
    assert "run the same command with --resume" in log
    with tarfile.open(state / "wnn-echo.tar") as tar:
        assert sorted(tar.getnames()) == ["wnn-echo/ckpt/checkpoint.weights.h5",
                                          "wnn-echo/ckpt/optimizer.npz",
                                          "wnn-echo/ckpt/state.json"]
    # second call: both resume from the carried tars and finish
    status, log = _run(tmp_path / "out2", state, env, "run.py")
    assert "resuming after step 1 of 2 of epoch 1 of 2" in log
    assert {s["state"] for s in status.values()} == {"finished"}, log
    # home: the finished networks, flat, loaded under this process's backend (TensorFlow)
    home = tmp_path / "home"
    proc = subprocess.run([sys.executable, str(GPU / "run.py"), "--home", str(home)], cwd=ROOT,
                          env={**os.environ, "MRAI_GPU_PLAN": "tiny",
                               "MRAI_GPU_STATE": str(state)},
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    from mrai.nn.models import load_model, load_sigma
    from mrai.simulate import simulate

    model, card = load_model(str(home / "wnn-echo.weights.h5"), backend="keras")
    assert card["backend"] == "keras" and json.load(open(home / "wnn-echo.json"))["backend"] \
        == backend
    assert [h["epoch"] for h in card["history"]] == [1, 2] and card["steps"] == 4
    assert card["devices"] == 1
    assert card["recipe"] == as_json(recipe_named("realistic"), [[16, 64]])
    from mrai.nn.inference import reconstruct

    echo = simulate(size=(32, 128), peaks=(10, 10), seed=1).echo
    onnx_model, onnx_card = load_model(str(home / "wnn-echo.weights.h5"))  # written there
    assert onnx_card["backend"] == "onnx"
    a, b = reconstruct(model, echo), reconstruct(onnx_model, echo)
    assert np.abs(a - b).max() <= 1e-4 * np.abs(a).max()
    sigma, sigma_card = load_sigma(str(home / "sigma-ist-echo.weights.h5"), backend="keras")
    assert sigma_card["config"]["method"] == "ist-echo" and sigma_card["epochs"] == 1
