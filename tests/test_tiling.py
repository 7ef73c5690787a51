"""Tiled trunks (mrai.runtime.tiling): the margins are the trunks' receptive half-widths, the plan
keeps a tile within its budget, and a spectrum run in overlapping tiles gives its untiled result
within 1e-5 of the maximum (bit for bit for the ONNX trunks here): a periodic stencil of known
reach, the shipped WNN and sigma networks in ONNX Runtime on odd sizes, half-dwell grids,
Anti-Echo and NUS, batches, and the Keras path's tiled twin. Small tile budgets are forced so
that small spectra are split."""

import numpy as np
import pytest

from mrai.nn.config import WNNConfig
from mrai.nn.inference import (default_sigma_model, load_model, load_sigma, predict_sigma,
                               reconstruct, sigma_inputs)
from mrai.nn.sigma_config import SigmaConfig
from mrai.runtime import tiling
from mrai.runtime.tiling import margins, plan, tiled
from mrai.simulate import simulate


def close(a, b, tol=1e-5):
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape
    return np.abs(a - b).max() <= tol * np.abs(b).max()


def stencil(margin, channels, outputs, seed=0):
    """A channel-last periodic linear stencil reaching exactly ``margin`` points on each side:
    a trunk whose receptive half-widths are known, and cheap."""
    rng = np.random.default_rng(seed)
    offsets = [(0, 0), (margin[0], 0), (-margin[0], 0), (0, margin[1]), (0, -margin[1]),
               (margin[0], -margin[1])]
    weights = rng.standard_normal((len(offsets), channels, outputs)).astype(np.float32)

    def run(x):
        out = np.zeros(x.shape[:3] + (outputs,), np.float32)
        for (a, b), w in zip(offsets, weights):
            out += np.roll(x, (a, b), axis=(1, 2)) @ w
        return out
    return run


def test_margins_are_the_receptive_half_widths():
    for kernel, dilations in [((3, 3), WNNConfig().dilations), ((3, 5), ((1, 1), (2, 3))),
                              ((5, 3), ((4, 1),)), ((1, 3), ((7, 2), (1, 1)))]:
        rf = WNNConfig(kernel=kernel, dilations=dilations).receptive_field
        assert margins(kernel, dilations) == tuple((r - 1) // 2 for r in rf)
    assert margins(WNNConfig().kernel, WNNConfig().dilations) == (32, 63)   # 65 x 127
    sigma = SigmaConfig()
    assert margins(sigma.kernel, sigma.dilations) == (32, 63)


def test_plan_keeps_tiles_within_the_budget():
    margin = (32, 63)
    assert plan((256, 2048), margin, None) == (1, 1)
    assert plan((256, 2048), margin, 256 * 2048) == (1, 1)   # fits: one tile, as untiled
    for shape in [(1024, 4096), (1024, 2048), (2048, 4096), (4096, 8192), (129, 16385),
                  (16385, 129), (333, 777)]:
        for budget in (2 ** 16, 2 ** 18, 2 ** 20):
            k1, k2 = plan(shape, margin, budget)
            t1 = shape[0] if k1 == 1 else -(-shape[0] // k1) + 2 * margin[0]
            t2 = shape[1] if k2 == 1 else -(-shape[1] // k2) + 2 * margin[1]
            if shape[0] * shape[1] > budget:
                assert (k1, k2) != (1, 1)
            assert (k1 == 1 or t1 < shape[0]) and (k2 == 1 or t2 < shape[1])
            if t1 * t2 > budget:   # none fits: the smallest tiles
                assert t1 * t2 == min(
                    a * b for _, a in tiling._extents(shape[0], margin[0])
                    for _, b in tiling._extents(shape[1], margin[1]))
    assert plan((1024, 4096), margin, 2 ** 20) == (1, 5)   # the default on 1024 x 4096


@pytest.mark.parametrize("shape", [(1, 40, 90, 3), (2, 41, 97, 3), (3, 17, 13, 2),
                                   (1, 200, 31, 1)])
@pytest.mark.parametrize("budget", [None, 10 ** 9, 2000, 600, 50])
def test_tiles_of_a_periodic_stencil_equal_the_whole(shape, budget):
    margin = (3, 7)
    run = stencil(margin, shape[-1], 2)
    x = np.random.default_rng(1).standard_normal(shape).astype(np.float32)
    whole = run(x)
    out = tiled(run, x, margin, budget if budget is not None else 10 ** 9)
    assert out.shape == whole.shape and np.array_equal(out, whole)


@pytest.mark.parametrize("budget", [10 ** 9, 900, 50])
def test_channel_lists_with_constants_are_stacked_tile_by_tile(budget):
    """Channels given as a list, constants per spectrum (B, 1, 1) and per column (B, 1, F2)
    among them (the sigma networks' inputs), equal their whole stack, tiled or not."""
    rng = np.random.default_rng(4)
    shape = (2, 37, 83)
    channels = [rng.standard_normal(shape).astype(np.float32),
                rng.standard_normal((2, 1, 1)).astype(np.float32),
                rng.standard_normal((2, 1, 83)).astype(np.float32)]
    whole = np.stack([np.broadcast_to(c, shape) for c in channels], axis=-1)
    assert np.array_equal(tiling.stacked(channels), whole)
    run = stencil((3, 7), 3, 2)
    assert np.array_equal(tiled(run, channels, (3, 7), budget), run(whole))


def test_one_tile_is_the_untiled_call_itself():
    calls = []

    def run(x):
        calls.append(x)
        return x[..., :1]
    x = np.ones((1, 8, 16, 2), np.float32)
    out = tiled(run, x, (2, 2), 8 * 16)
    assert len(calls) == 1 and calls[0] is x and out.base is x
    calls.clear()
    batch = np.ones((4, 8, 16, 2), np.float32)
    tiled(run, batch, (2, 2), 2 * 8 * 16)   # a batch too large runs two spectra at a time
    assert [len(c) for c in calls] == [2, 2]


@pytest.fixture(scope="module")
def wnn():
    return load_model(backend="onnx")[0]


@pytest.mark.parametrize("shape,grid,mode,budget", [
    ((96, 1500), (0.0, 0.0), "echo", 2 ** 16),       # 3 tiles along F2
    ((161, 651), (0.5, 0.0), "antiecho", 40000),     # odd sizes, half-dwell t1
    ((300, 257), (0.0, 0.5), "echo", 160 * 257),     # tiles along F1, half-dwell t2
])
def test_shipped_wnn_tiled_equals_untiled(wnn, monkeypatch, shape, grid, mode, budget):
    sim = simulate(size=shape, peaks=(20, 20), seed=sum(shape), t1_start=grid[0],
                   t2_start=grid[1])
    k = plan(shape, wnn.margin, budget)
    assert k != (1, 1)
    monkeypatch.setattr(tiling, "TILE_POINTS", None)
    whole = reconstruct(wnn, getattr(sim, mode), mode, grid)
    monkeypatch.setattr(tiling, "TILE_POINTS", budget)
    assert close(reconstruct(wnn, getattr(sim, mode), mode, grid), whole)


def test_tiles_along_both_axes_and_batches(wnn, monkeypatch):
    """The shipped trunk on a batch of random stacks, in 2 x 3 tiles one spectrum at a time."""
    trunk = wnn.trunks[0]
    x = np.random.default_rng(2).standard_normal((2, 161, 651, 4)).astype(np.float32)
    whole = np.array(trunk(x, budget=10 ** 9))
    monkeypatch.setattr(tiling, "plan", lambda shape, margin, budget: (2, 3))
    assert close(trunk(x, budget=60000), whole)


def test_environment_sets_the_budget(wnn, monkeypatch):
    monkeypatch.setenv(tiling.ENVIRONMENT, "0")
    assert tiling.tile_points() is None
    monkeypatch.setenv(tiling.ENVIRONMENT, "5000")
    assert tiling.tile_points() == 5000
    monkeypatch.delenv(tiling.ENVIRONMENT)
    assert tiling.tile_points() == tiling.TILE_POINTS


@pytest.mark.parametrize("method", ["wnn-echo", "ist-echo", "ist-nus"])
def test_shipped_sigma_tiled_equals_untiled(monkeypatch, method):
    model = load_sigma(default_sigma_model(method), backend="onnx")[0]
    shape, budget = (131, 1001), 60000
    nus = method == "ist-nus"
    grid = (0.0, 0.0) if nus else (0.5, 0.0)
    sim = simulate(size=shape, peaks=(20, 20), seed=5, t1_start=grid[0])
    measured = sim.nus if nus else sim.echo
    assert plan(shape, model.margin, budget) != (1, 1)
    if nus:   # the hold-out estimate (two IST runs) once for both
        inputs = sigma_inputs(measured[None], sim.reference[None], True)
        monkeypatch.setattr(tiling, "TILE_POINTS", None)
        whole = model(inputs, grid=grid)
        monkeypatch.setattr(tiling, "TILE_POINTS", budget)
        assert close(model(inputs, grid=grid), whole)
        return
    monkeypatch.setattr(tiling, "TILE_POINTS", None)
    whole = predict_sigma(model, measured, sim.reference, "echo", grid)
    monkeypatch.setattr(tiling, "TILE_POINTS", budget)
    assert close(predict_sigma(model, measured, sim.reference, "echo", grid), whole)


def test_keras_models_run_tiled_beyond_one_tile(monkeypatch):
    """A Keras model on a spectrum larger than a tile runs as its numpy twin with its own
    stages tiled: equal to the whole Keras model within 1e-5 of the maximum."""
    pytest.importorskip("keras")
    from mrai.nn.inference import tiled_model

    shape, grid, budget = (96, 1100), (0.5, 0.0), 2 ** 16
    sim = simulate(size=shape, peaks=(20, 20), seed=3, t1_start=grid[0])
    model = load_model(backend="keras")[0]
    sigma = load_sigma(default_sigma_model("wnn-echo"), backend="keras")[0]
    monkeypatch.setattr(tiling, "TILE_POINTS", None)
    assert tiled_model(model, shape) is model
    whole = reconstruct(model, sim.echo, "echo", grid)
    whole_sigma = predict_sigma(sigma, sim.echo, whole, "echo", grid)
    monkeypatch.setattr(tiling, "TILE_POINTS", budget)
    twin = tiled_model(model, shape)
    assert twin is not model and twin.runtime == "keras"
    assert tiled_model(model, (64, 256)) is model   # fits one tile: the Keras model itself
    assert close(reconstruct(model, sim.echo, "echo", grid), whole)
    assert close(predict_sigma(sigma, sim.echo, whole, "echo", grid), whole_sigma)
