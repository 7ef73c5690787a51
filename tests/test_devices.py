"""`mrai train --devices`: data-parallel training on several devices (Keras's distribution API
under JAX, here on virtual CPU devices) gives the weights of one device; the option's checks."""

import importlib.util
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from conftest import ROOT, run_mrai

keras = pytest.importorskip("keras")

# JAX alone, as on the GPU machine: Keras's set_random_seed would otherwise import TensorFlow too
# (about 10 s of each run)
NO_TENSORFLOW = """
import sys

class NoTensorFlow:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in ("tensorflow", "tf_keras"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, NoTensorFlow())
"""
# a tiny WNN for two steps of a global batch of 2 (one spectrum per device on two)
TINY = ["--epochs", "1", "--steps", "2", "--batch-size", "2", "--validation", "1",
        "--filters", "3", "--stages", "1", "--dilations", "1,1 2,2", "--size", "16x64",
        "--start", "echo", "--seed", "3", "--precision", "float32"]


def weights(path):
    """Every array of a .weights.h5 file, by its path inside the file."""
    import h5py

    found = {}
    with h5py.File(path) as f:
        f.visititems(lambda name, item: found.__setitem__(name, item[()])
                     if isinstance(item, h5py.Dataset) else None)
    return found


def test_devices_option_and_its_checks():
    from mrai.nn.devices import training_devices, visible_devices

    assert len(training_devices(1, batch_size=3)) == 1  # the default: no check of the batch
    with pytest.raises(ValueError, match="a batch of 4 spectra does not split evenly over 3 "
                                         "devices: give a batch size divisible by 3"):
        training_devices(3, batch_size=4)
    seen = len(visible_devices())
    with pytest.raises(ValueError, match=f"{seen + 1} devices asked for, the "
                                         f"{keras.backend.backend()} backend sees {seen}"):
        training_devices(seen + 1)
    assert training_devices("all", batch_size=seen) == visible_devices()
    for text in ("0", "x", "-2"):
        code, _, err = run_mrai("train", "wnn", "-o", "x", "--devices", text)
        assert code == 2 and "--devices" in err and "'all'" in err, err


@pytest.mark.skipif(importlib.util.find_spec("jax") is None, reason="jax not installed")
def test_two_virtual_devices_train_the_weights_of_one(tmp_path):
    """`mrai train wnn --devices 2` on two virtual JAX CPU devices: the same seed and global
    batch give the one-device weights within 1e-5 (float rounding); a batch that does not split
    over the devices is one line and exit 2, before anything trains."""
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "sitecustomize.py").write_text(NO_TENSORFLOW)
    env = {**os.environ, "KERAS_BACKEND": "jax",
           "PYTHONPATH": os.pathsep.join([str(tmp_path / "site"), str(ROOT)]),
           "XLA_FLAGS": "--xla_force_host_platform_device_count=2"}

    def start(*args):
        return subprocess.Popen([sys.executable, "-m", "mrai", "train", "wnn", *args], env=env,
                                cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)

    # the three at once: two cores here, and most of each is JAX compiling
    runs = {"one": start("-o", "one", *TINY),
            "two": start("-o", "two", *TINY, "--devices", "2"),
            "odd": start("-o", "odd", *TINY, "--batch-size", "4", "--devices", "3")}
    done = {name: (proc.wait(timeout=300), *proc.communicate()) for name, proc in runs.items()}
    code, out, err = done["odd"]
    assert code == 2 and out == "", err
    assert err.strip().splitlines() == [
        "mrai: error: --devices 3: a batch of 4 spectra does not split evenly over 3 devices: "
        "give a batch size divisible by 3"]
    assert not (tmp_path / "odd.weights.h5").exists()
    for name in ("one", "two"):
        assert done[name][0] == 0, done[name][2][-3000:]
    assert "data parallel on 2 devices: 1 spectra of each batch of 2 per device" in done["two"][2]
    assert "data parallel" not in done["one"][2]
    one, two = weights(tmp_path / "one.weights.h5"), weights(tmp_path / "two.weights.h5")
    assert one and sorted(one) == sorted(two)
    assert max(float(np.abs(one[k] - two[k]).max()) for k in one) <= 1e-5
    cards = {name: json.load(open(tmp_path / f"{name}.json")) for name in ("one", "two")}
    assert cards["one"]["devices"] == 1 and cards["two"]["devices"] == 2
    assert cards["two"]["backend"] == "jax" and cards["two"]["schedule"] == \
        cards["one"]["schedule"]  # the device count is no training setting: --card repeats it
    assert cards["two"]["history"][0]["loss"] == pytest.approx(cards["one"]["history"][0]["loss"],
                                                               rel=1e-5)


TF_LOSS = """
import json, sys
import numpy as np
import tensorflow as tf

cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
from mrai.nn.devices import data_parallel, training_devices
from mrai.nn.sigma import nll_loss

rng = np.random.default_rng(1)
y = rng.normal(size=(4, 8, 16)).astype(np.float32)
y[:, 2, 3] = 30.0  # a peak in each spectrum
y[0, 5, 5] = 60.0  # and the first has one more: the devices' signal counts differ
mu = (y + 0.3 * rng.normal(size=y.shape)).astype(np.float32)
y_true = np.stack([y, mu], axis=-1)
sigma = np.abs(rng.normal(size=y.shape)).astype(np.float32) + 0.1
devices = training_devices(2, batch_size=4)
out = {}
for weight, points in ((0.0, "signal"), (0.5, "signal"), (0.7, "metric")):
    one = float(nll_loss(y_true, sigma, weight, points))
    with data_parallel(devices):
        strategy = tf.distribute.get_strategy()
        data = strategy.experimental_distribute_dataset(
            tf.data.Dataset.from_tensor_slices((y_true, sigma)).batch(4))
        parts = strategy.run(lambda t, s: nll_loss(t, s, weight, points), args=next(iter(data)))
        total = float(strategy.reduce("SUM", parts, axis=None))
        alone = [float(nll_loss(y_true[i:i + 2], sigma[i:i + 2], weight, points)) for i in (0, 2)]
    out[f"{weight} {points}"] = [one, total, float(np.mean(alone))]
print(json.dumps(out))
"""


def test_sigma_loss_on_several_tensorflow_devices_is_the_whole_batch_loss(tmp_path):
    """Under TensorFlow's MirroredStrategy (two logical CPU devices) Keras sums the devices'
    gradients of a loss that is one number: the sigma loss gives each device its part of the
    whole batch's loss, the signal points counted over both, and the parts add up to the
    one-device loss (a mean of the devices' own losses would not)."""
    pytest.importorskip("tensorflow")
    env = {**os.environ, "KERAS_BACKEND": "tensorflow", "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", TF_LOSS], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    found = json.loads(proc.stdout.strip().splitlines()[-1])
    for case, (one, total, alone) in found.items():
        assert total == pytest.approx(one, rel=1e-6), case
    assert found["0.5 signal"][2] != pytest.approx(found["0.5 signal"][0], rel=1e-3)
