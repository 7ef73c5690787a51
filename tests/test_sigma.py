"""Uncertainty: the NLL, pSQ and coverage statistics against hand computations, the sigma
network (ReLU floor, scale invariance, Anti-Echo through flip), its training and model files."""

import json
import os
import math

import numpy as np
import pytest

from conftest import run_mrai

from mrai.uncertainty import coverage, gaussian_nll, psq, sigma_summary, signal_points

keras = pytest.importorskip("keras")

from mrai.errors import InputError  # noqa: E402
from mrai.nn.data import TrainingRecipe  # noqa: E402
from mrai.nn.inference import load_sigma, predict_sigma, save_model  # noqa: E402
from mrai.nn.sigma import (SigmaConfig, build_sigma, column_level, nll_loss, noise_level,  # noqa: E402
                           ridge_level, sampled_fraction, t1_sampling)
from mrai.nn.sigma_data import reconstructor, sigma_batch  # noqa: E402
from mrai.nn.sigma_training import train_sigma  # noqa: E402
from mrai.nn.training import Schedule  # noqa: E402
from mrai.physics import antiecho_part, echo_part, flip, nus_degrade  # noqa: E402
from mrai.simulate import simulate  # noqa: E402

TINY = dict(filters=4, dilations=((1, 1), (2, 2)))


def test_gaussian_nll_by_hand():
    y, mu, sigma = np.array([1.0, 2.0]), np.array([0.0, 2.0]), np.array([1.0, 2.0])
    assert gaussian_nll(y, mu, sigma) == pytest.approx((0.5 + 0.0 + 0.0 + math.log(2)) / 2)
    with pytest.raises(ValueError, match="positive"):
        gaussian_nll(y, mu, np.zeros(2))


def test_keras_nll_loss_equals_numpy():
    rng = np.random.default_rng(0)
    y, mu = rng.normal(size=(2, 4, 6)), rng.normal(size=(2, 4, 6))
    sigma = rng.uniform(0.1, 2, size=(2, 4, 6))
    got = float(nll_loss(np.stack([y, mu], -1).astype("float32"), sigma.astype("float32")))
    assert got == pytest.approx(gaussian_nll(y, mu, sigma), rel=1e-5)


def test_signal_weighted_nll_by_hand():
    # one spectrum of 4 points: mu = [1, 0.5, 0.005, 0]; signal points (|mu| > 0.01 max) 0 and 1
    mu = np.array([[[1.0, 0.5, 0.005, 0.0]]], "float32")
    y = np.array([[[0.0, 0.5, 1.0, 0.0]]], "float32")
    sigma = np.array([[[1.0, 1.0, 1.0, math.e]]], "float32")
    per_point = np.array([0.5, 0.0, (0.995 ** 2) / 2, 1.0])
    y_true = np.stack([y, mu], -1)
    assert float(nll_loss(y_true, sigma)) == pytest.approx(per_point.mean(), rel=1e-5)
    expected = 0.75 * per_point.mean() + 0.25 * per_point[:2].mean()
    assert float(nll_loss(y_true, sigma, 0.25)) == pytest.approx(expected, rel=1e-5)
    with pytest.raises(ValueError, match="signal_weight"):
        SigmaConfig(signal_weight=1.5)
    # the metric's points: |y| or |mu| above 0.01 max y (max y = 1): points 0, 1 and 2
    expected = 0.75 * per_point.mean() + 0.25 * per_point[:3].mean()
    assert float(nll_loss(y_true, sigma, 0.25, "metric")) == pytest.approx(expected, rel=1e-5)
    with pytest.raises(ValueError, match="loss_points"):
        SigmaConfig(loss_points="all")


def test_psq_and_sigma_summary_by_hand():
    mu = np.array([[10.0, 5.0, 0.05, -2.0]])           # Smax 10: signal points 10, 5, -2
    sigma = np.array([[0.1, 0.2, 50.0, 0.4]])          # the 0.05 point is not signal
    assert signal_points(mu).tolist() == [[True, True, False, True]]
    assert psq(mu, sigma) == pytest.approx(math.sqrt((0.01**2 + 0.02**2 + 0.04**2) / 3))
    summary = sigma_summary(mu, sigma)
    assert summary["mean"] == pytest.approx(0.07 / 3) and summary["median"] == pytest.approx(0.02)
    assert summary["points"] == 3


def test_coverage_by_hand():
    reference = np.array([10.0, 5.0, 3.0, 1.0, 0.0])  # the last point is not in the metric
    mu = reference + np.array([0.1, -0.5, 0.3, 2.0, 0.0])
    sigma = np.full(5, 0.2)                            # band 0.392: 0.1 and 0.3 inside
    assert coverage(reference, mu, sigma) == pytest.approx(2 / 4)
    assert coverage(reference, mu, sigma, z=10.0) == 1.0


@pytest.fixture(scope="module")
def spectrum():
    return simulate(size=(32, 128), peaks=(10, 10), seed=3)


@pytest.mark.parametrize("method,noise_scale",
                         [("ist-echo", False), ("ist-nus", False), ("ist-nus", True),
                          ("wnn-echo", True)])
def test_sigma_floor_scale_invariance(method, noise_scale, spectrum):
    model = build_sigma(SigmaConfig(method=method, noise_scale=noise_scale, **TINY))
    measured, mu = spectrum.echo[None], spectrum.reference[None]
    sigma = np.asarray(model((measured, mu)))
    smax = np.abs(mu).max()
    assert sigma.shape == mu.shape and (sigma >= 1e-4 * smax * (1 - 1e-6)).all()
    scaled = np.asarray(model((1000 * measured, 1000 * mu)))
    assert np.allclose(scaled, 1000 * sigma, rtol=1e-4)
    head = model.trunk.head
    head.bias.assign(-1e4 * np.ones(head.bias.shape, "float32"))  # ReLU off everywhere
    assert np.allclose(np.asarray(model((measured, mu))), 1e-4 * smax, rtol=1e-5)


def test_noise_level_of_white_noise_and_of_noise_scaled_sigma(spectrum):
    rng = np.random.default_rng(4)
    noise = rng.normal(0.0, 0.25, size=(3, 64, 512)).astype("float32")
    assert np.allclose(np.asarray(noise_level(noise)).ravel(), 0.25, rtol=0.03)
    peaks = spectrum.clean / np.abs(spectrum.clean).max()
    with_peaks = float(np.asarray(noise_level(peaks[None] + 0.01 * noise[0, :32, :128]))[0, 0, 0])
    assert 0.0025 < with_peaks < 0.0025 * 1.3  # 10 peaks on 32 x 128 points: within 30 %
    model = build_sigma(SigmaConfig(method="ist-nus", noise_scale=True, **TINY))
    head = model.trunk.head  # only the noise part on, at ReLU(x2) = 1: sigma = N
    head.bias.assign(np.array([-1e4, 1.0], "float32"))
    head.kernel.assign(np.zeros(head.kernel.shape, "float32"))
    mu = peaks + 0.01 * noise[0, :32, :128]
    sigma = np.asarray(model((mu[None], mu[None])))[0]
    expected = 1e-4 * np.abs(mu).max() + np.asarray(noise_level(mu[None]))[0, 0, 0]
    assert np.allclose(sigma, expected, rtol=1e-4)


def test_sampled_fraction_is_found_from_the_nus_data(spectrum):
    schedule = np.array([0, 1, 2, 4, 7, 9])  # 6 of the t1 points 0..9
    measured = nus_degrade(spectrum.reference, schedule)
    assert np.allclose(np.asarray(sampled_fraction(measured[None])).ravel(), 0.6, rtol=1e-6)
    full = np.asarray(sampled_fraction(spectrum.reference[None])).ravel()[0]
    assert full == pytest.approx(1.0)  # every t1 point sampled
    model = build_sigma(SigmaConfig(method="ist-nus", sampling=True, **TINY))
    assert model.channels == 4 and np.asarray(model((measured[None], measured[None]))).min() > 0
    with pytest.raises(ValueError, match="NUS method only"):
        SigmaConfig(method="ist-echo", sampling=True)


def test_acquired_t1_points_are_found_from_the_nus_data(spectrum):
    schedule = np.array([0, 1, 2, 4, 7, 9])  # the last sampled t1 point is 9: 10 acquired
    fraction, points = (np.asarray(v).ravel()[0] for v in
                        t1_sampling(nus_degrade(spectrum.reference, schedule)[None]))
    assert (fraction, points) == (pytest.approx(0.6), pytest.approx(10.0))
    acquired = spectrum.settings.acquired[0]
    assert np.asarray(t1_sampling(spectrum.reference[None])[1]).ravel()[0] == acquired
    model = build_sigma(SigmaConfig(method="ist-nus", t1_points=True, **TINY))
    assert model.channels == 4 and np.asarray(model((spectrum.reference[None],) * 2)).min() > 0
    with pytest.raises(ValueError, match="NUS method only"):
        SigmaConfig(method="wnn-echo", t1_points=True)


def test_column_level_channel(spectrum):
    x = np.zeros((1, 4, 3), "float32")
    x[0, :, 1] = [3.0, -4.0, 0.0, 0.0]                 # rms over F1: 2.5
    x[0, 0, 2] = 2.0                                   # rms 1
    assert np.allclose(np.asarray(column_level(x)), [[[0.0, 2.5, 1.0]]])
    with pytest.raises(ValueError, match="column needs noise_scale"):
        SigmaConfig(method="ist-nus", column=True)
    config = SigmaConfig(method="ist-nus", noise_scale=True, sampling=True, column=True, **TINY)
    model = build_sigma(config)
    assert model.channels == 8
    assert SigmaConfig.from_dict(config.to_dict()).column is True
    measured = nus_degrade(spectrum.reference, np.array([0, 1, 3, 6, 9]))
    mu = spectrum.reference
    sigma = np.asarray(model((measured[None], mu[None])))
    assert np.allclose(np.asarray(model((1000 * measured[None], 1000 * mu[None]))),
                       1000 * sigma, rtol=1e-4)       # scale invariant with the channel
    smax_part, noise_part = (np.asarray(p) for p in model.parts((measured[None], mu[None])))
    assert (smax_part >= 1e-4).all() and (noise_part >= 0).all()
    assert np.allclose(np.abs(mu).max() * (smax_part + noise_part), sigma, rtol=1e-5)


def test_ridge_level_finds_ridges_not_peaks():
    from mrai.runtime.sigma import ridge_level as numpy_ridge_level

    x = np.random.default_rng(0).normal(size=(1, 512, 16)).astype("float32")  # noise std 1
    x[0, :, 3] *= 3.0                        # a ridge: spread 3, sqrt(9 - 1) beyond the typical
    x[0, 100:104, 5] += 100.0                # a peak: raises the column's rms, not its MAD
    level = np.asarray(ridge_level(x))
    assert level.shape == (1, 1, 16)
    assert level[0, 0, 3] == pytest.approx(np.sqrt(8.0), rel=0.1)
    assert np.delete(level[0, 0], 3).max() < 0.5
    assert np.allclose(numpy_ridge_level(x), level, atol=1e-5)
    assert np.asarray(column_level(x))[0, 0, 5] > 8.0    # the rms column level is not robust
    with pytest.raises(ValueError, match="ridge needs noise_scale"):
        SigmaConfig(method="wnn-echo", ridge=True)


def test_ridge_part_of_sigma(spectrum, tmp_path):
    """The ridge option adds one channel and a sigma part in units of the ridge level of mu; a
    network grown from one without it (mrai.nn.models.grown_weights, as --init does) starts as
    the old network plus calibration x Smax x that level; ONNX equals Keras."""
    from mrai.nn.models import grown_weights

    keras.utils.set_random_seed(1)
    plain = build_sigma(SigmaConfig(method="ist-echo", noise_scale=True, column=True, **TINY))
    path = str(tmp_path / "plain.weights.h5")
    save_model(plain, path, {"name": "plain"})
    config = SigmaConfig(method="ist-echo", noise_scale=True, column=True, ridge=True, **TINY)
    grown = build_sigma(config)
    assert grown.channels == plain.channels + 1
    grown.set_weights(grown_weights(grown, path))
    rng = np.random.default_rng(2)
    mu = spectrum.reference.copy()
    smax = np.abs(mu).max()
    mu[:, 20] += 0.05 * smax * rng.normal(size=mu.shape[0]).astype("float32")
    measured = echo_part(mu)
    smax = np.abs(mu).max()
    ridge = np.asarray(ridge_level((mu / smax)[None]))[0]
    assert ridge[0, 20] > 0.03 and np.median(ridge) < 0.01
    before = predict_sigma(plain, measured, mu, "echo")
    after = predict_sigma(grown, measured, mu, "echo")
    assert np.allclose(after, before + smax * ridge, rtol=1e-4, atol=1e-6 * smax)
    other = build_sigma(SigmaConfig(method="ist-echo", noise_scale=True, ridge=True, **TINY))
    assert grown_weights(other, path) is None     # column dropped: not a growth
    out = str(tmp_path / "grown.weights.h5")
    save_model(grown, out, {"name": "grown"})
    onnx = predict_sigma(load_sigma(out, backend="onnx")[0], measured, mu, "echo")
    keras_path = predict_sigma(load_sigma(out, backend="keras")[0], measured, mu, "echo")
    assert np.abs(onnx - keras_path).max() <= 2e-6 * np.abs(keras_path).max()


def test_antiecho_sigma_is_the_mirrored_echo_problem(spectrum):
    model = build_sigma(SigmaConfig(method="ist-echo", **TINY))
    s = spectrum.reference
    mu = s + 0.01 * np.random.default_rng(1).normal(size=s.shape).astype("float32")
    anti = predict_sigma(model, antiecho_part(s), mu, "antiecho")
    mirrored = flip(predict_sigma(model, echo_part(flip(s)), flip(mu), "echo"))
    assert np.allclose(anti, mirrored, rtol=1e-5)


def test_sigma_batches_are_seeded_and_consistent():
    recipe = TrainingRecipe(sizes=((16, 64),))
    rec = reconstructor("ist-nus")
    (m1, mu1), y1 = sigma_batch("ist-nus", recipe, 0, 3, 2, rec)
    (m2, mu2), y2 = sigma_batch("ist-nus", recipe, 0, 3, 2, rec)
    assert np.array_equal(m1, m2) and np.array_equal(y1, y2) and y1.shape == (2, 16, 64, 2)
    assert np.array_equal(y1[..., 1], mu1)
    with pytest.raises(ValueError, match="needs the WNN"):
        reconstructor("wnn-echo")


def test_training_lowers_the_nll_and_the_model_round_trips(tmp_path, spectrum):
    config = SigmaConfig(method="ist-echo", **TINY)
    schedule = Schedule(epochs=3, steps=4, batch_size=2, validation=2, learning_rate=3e-3)
    model, state = train_sigma(config, TrainingRecipe(sizes=((16, 64),)), schedule,
                               str(tmp_path / "ck"), log=id)
    history = state["history"]
    assert history[-1]["loss"] < history[0]["loss"]
    assert {"nll", "coverage", "psq_ratio"} <= set(history[-1])
    path = str(tmp_path / "s.weights.h5")
    save_model(model, path, {"name": "s"})
    loaded, card = load_sigma(path, backend="keras")
    assert card["kind"] == "sigma" and card["config"]["method"] == "ist-echo"
    args = (spectrum.echo, spectrum.reference)
    assert np.array_equal(predict_sigma(loaded, *args), predict_sigma(model, *args))
    fast, card = load_sigma(path)  # the ONNX file save_model wrote beside the weights
    a, b = predict_sigma(fast, *args), predict_sigma(model, *args)
    assert card["backend"] == "onnx" and np.abs(a - b).max() <= 1e-6 * np.abs(b).max()
    with pytest.raises(InputError, match="not found"):
        load_sigma(str(tmp_path / "none.weights.h5"))
    (tmp_path / "s.json").write_text(json.dumps({"kind": "wnn", "config": {}}))
    with pytest.raises(InputError, match="not an mrai sigma model card"):
        load_sigma(path)


def test_calibration_sets_the_band_coverage(tmp_path):
    from mrai.nn.sigma_training import calibrate, calibration, predict

    recipe = TrainingRecipe(sizes=((16, 64),))
    config = SigmaConfig(method="ist-echo", **TINY)
    model, _ = train_sigma(config, recipe, Schedule(epochs=1, steps=2, batch_size=2,
                                                    validation=2), str(tmp_path / "ck"), log=id)
    reconstruct = reconstructor("ist-echo")
    for target in (0.95, 0.8):
        factor = calibrate(model, recipe, reconstruct, target=target, count=6, size=(32, 64))
        assert model.sigma_config.calibration == factor > 0
        rng = np.random.default_rng(20240613)  # the calibration set
        from mrai.nn.sigma_data import sigma_set

        measured, mu, reference = sigma_set("ist-echo", recipe, rng, (32, 64), 6, reconstruct)
        covered = calibration(predict(model, measured, mu), mu, reference)["coverage"]
        assert covered == pytest.approx(target, abs=0.03)
    with pytest.raises(ValueError, match="calibration"):
        SigmaConfig(calibration=0)


def test_train_sigma_cli(tmp_path):
    prefix = str(tmp_path / "sig")
    args = ("train", "sigma", "--method", "ist-nus", "--epochs", "1", "--steps", "3",
            "--batch-size", "2", "--validation", "2", "--filters", "3", "--dilations",
            "1,1 2,2", "--size", "16x64")
    code, out, err = run_mrai(*args, "-o", prefix)
    assert code == 0 and out == b"", err
    code, _, err = run_mrai(*args, "-o", prefix + "2", "--workers", "3")  # threads: same stream
    assert code == 0, err
    one, three = (load_sigma(p + ".weights.h5", backend="keras")[0].get_weights()
                  for p in (prefix, prefix + "2"))
    assert all(np.array_equal(a, b) for a, b in zip(one, three))
    card = json.load(open(prefix + ".json"))
    assert card["kind"] == "sigma" and card["config"]["method"] == "ist-nus"
    assert card["name"] == "sig" and 0 <= card["validation"]["coverage"] <= 1
    assert card["config"]["calibration"] > 0 and "calibrated_validation" in card
    assert "calibration: sigma x" in err
    code, _, err = run_mrai("train", "sigma", "-o", str(tmp_path / "x"))
    assert code == 2 and "--method" in err


@pytest.fixture(scope="module")
def sigma_files(tmp_path_factory):
    """Tiny untrained sigma networks for IST Echo and NUS, saved as model files."""
    folder = tmp_path_factory.mktemp("sigma")
    paths = {}
    for method in ("ist-echo", "ist-nus"):
        keras.utils.set_random_seed(0)
        paths[method] = str(folder / f"sigma-{method}.weights.h5")
        save_model(build_sigma(SigmaConfig(method=method, **TINY)), paths[method],
                   {"name": f"tiny-{method}"})
    return paths


def test_reconstruct_with_sigma_and_score_it(tmp_path, sigma_files):
    from mrai.fileio import read, write
    from mrai.fileio.header import provenance, spectrum_header

    sim = simulate(size=(32, 128), peaks=(8, 8), seed=4)
    write(str(tmp_path / "echo.ft2"), spectrum_header(sim.echo.shape), sim.echo)
    recon, sigma = tmp_path / "recon.ft2", tmp_path / "sigma.ft2"
    code, _, err = run_mrai("reconstruct", "--echo", "--method", "ist", tmp_path / "echo.ft2",
                            "-o", recon, "--sigma", sigma, "--sigma-model",
                            sigma_files["ist-echo"])
    assert code == 0, err
    dic, s = read(str(sigma))
    mu = read(str(recon))[1]
    assert provenance(dic)["output"] == "sigma" and s.shape == mu.shape and (s > 0).all()
    code, out, err = run_mrai("score", recon, "--sigma-model", sigma_files["ist-echo"],
                              "--json", "--sigma-out", tmp_path / "again.ft2")
    assert code == 0, err
    report = json.loads(out)
    assert report["method"] == "ist" and report["mode"] == "echo"
    again = read(str(tmp_path / "again.ft2"))[1]
    assert np.allclose(again, s, rtol=1e-5)  # the same sigma from the reconstruction alone
    assert report["planes"][0]["psq"] == pytest.approx(psq(mu, s), rel=1e-5)
    code, out, err = run_mrai("score", recon, "--sigma-model", sigma_files["ist-echo"])
    assert code == 0 and b"pSQ (predicted RMSD)" in out and err == ""
    code, _, err = run_mrai("score", recon, "--sigma-model", sigma_files["ist-echo"],
                            "--sigma-out", tmp_path / "again.ft2")
    assert code == 2 and "exists" in err
    # a spectrum made elsewhere: the method and the data it came from must be given
    code, _, err = run_mrai("score", tmp_path / "echo.ft2", "--sigma-model",
                            sigma_files["ist-echo"])
    assert code == 2 and "--method wnn|ist" in err and len(err.strip().splitlines()) == 1
    code, out, err = run_mrai("score", tmp_path / "echo.ft2", "--method", "ist", "--echo",
                              "--sigma-model", sigma_files["ist-echo"])
    assert code == 0, err


def test_nus_schedule_travels_from_degrade_to_score(tmp_path, sigma_files):
    from mrai.fileio import write
    from mrai.fileio.header import spectrum_header

    sim = simulate(size=(32, 128), peaks=(8, 8), seed=6)
    write(str(tmp_path / "ref.ft2"), spectrum_header(sim.reference.shape), sim.reference)
    code, _, err = run_mrai("degrade", "--nus", "0.5", tmp_path / "ref.ft2", "-o",
                            tmp_path / "nus.ft2")
    assert code == 0, err
    code, _, err = run_mrai("reconstruct", "--nus", "header", tmp_path / "nus.ft2", "-o",
                            tmp_path / "recon.ft2")
    assert code == 0, err
    code, out, err = run_mrai("score", tmp_path / "recon.ft2", "--json", "--sigma-model",
                              sigma_files["ist-nus"])
    assert code == 0, err
    assert json.loads(out)["mode"] == "nus" and json.loads(out)["planes"][0]["psq"] > 0


def test_demo_scores_reconstructions_that_have_a_sigma_network(tmp_path, sigma_files):
    import os

    from mrai.demo import format_rows, run_demo

    folder = os.path.dirname(sigma_files["ist-echo"])
    out = tmp_path / "demo"
    lines = []
    rows = run_demo(str(out), size=(32, 128), peaks=8, sigma_dir=folder, log=lines.append)
    with_sigma = {(r["input"], r["method"]) for r in rows if "psq" in r}
    assert with_sigma == {("echo", "ist"), ("antiecho", "ist"), ("nus50", "ist")}
    for name in ("echo_ist_sigma.ft2", "nus50_ist_sigma.ft2", "contour.png", "slices.png",
                 "sigma_box.png", "sigma_map.png"):
        assert (out / name).exists(), name
    assert not (out / "echo_wnn_sigma.ft2").exists()  # no wnn-echo network in the folder
    assert all(0 <= r["coverage"] <= 1 and r["psq"] > 0 for r in rows if "psq" in r)
    table = format_rows(rows)
    assert "pSQ" in table.splitlines()[0] and len(table.splitlines()) == len(rows) + 1


def test_holdout_error_tracks_the_true_ist_error():
    from mrai.methods.ist import ist
    from mrai.physics import sampled_schedule
    from mrai.simulate import poisson_gap, schedule_size
    from mrai.uncertainty.holdout import holdout_error

    sim = simulate(size=(128, 512), peaks=(100, 100), noise=0.003, seed=1)
    reference = sim.reference / np.abs(sim.reference).max()
    n = sim.settings.acquired[0]
    schedule = poisson_gap(n, schedule_size(n, 0.5), seed=0)
    measured = nus_degrade(reference, schedule)
    assert np.array_equal(sampled_schedule(measured), np.sort(schedule))
    held = holdout_error(measured)
    assert held.shape == (512,) and held.dtype == np.float32
    true = np.sqrt(np.mean((ist(measured, "nus", schedule) - reference) ** 2, axis=0))
    ratio = np.sqrt(np.mean(held ** 2)) / np.sqrt(np.mean(true ** 2))
    assert 0.5 < ratio < 2.5  # the right size on this spectrum
    assert np.corrcoef(held, true)[0, 1] > 0.4  # and larger in the columns that err more
    assert np.array_equal(holdout_error(measured, schedule), held)  # the schedule found = given
    assert not holdout_error(reference).any()  # every t1 point sampled: nothing to fill
    assert not holdout_error(nus_degrade(reference, [0, 3, 5])).any()  # too few rows to leave out


def test_holdout_network_takes_the_estimate_as_a_third_input(spectrum):
    config = SigmaConfig(method="ist-nus", noise_scale=True, holdout=True, **TINY)
    model = build_sigma(config)
    assert model.channels == 8
    measured = nus_degrade(spectrum.reference, [0, 1, 2, 4, 5, 7, 9])
    mu = spectrum.reference
    (m, u, h), y = sigma_batch("ist-nus", TrainingRecipe(sizes=((32, 128),)), 0, 1, 2,
                               reconstructor("ist-nus"), holdout=True)
    assert h.shape == (2, 1, 128) and h.min() >= 0 and y.shape == (2, 32, 128, 2)
    sigma = predict_sigma(model, measured, mu, "nus")
    assert sigma.shape == mu.shape and sigma.min() > 0
    with pytest.raises(ValueError, match="hold-out"):
        model((measured[None], mu[None]))
    with pytest.raises(ValueError, match="NUS method only, with noise_scale"):
        SigmaConfig(method="ist-nus", holdout=True)


def test_shipped_cards_name_parents_that_are_shipped_with_the_same_design():
    """`mrai train ... --card` retrains a shipped model only if its --init parent ships too."""
    from mrai.nn.card import read_card
    from mrai.nn.config import WNNConfig
    from mrai.nn.inference import model_dir, resolve_weights

    folder = model_dir()
    cards = [name for name in os.listdir(folder) if name.endswith(".json")]
    parents = 0
    for name in cards:
        card = json.load(open(os.path.join(folder, name)))
        init = card.get("schedule", {}).get("init")
        if not init:
            continue
        parents += 1
        parent = read_card(resolve_weights(init)[:-len(".weights.h5")] + ".json", card["kind"])
        config = SigmaConfig if card["kind"] == "sigma" else WNNConfig

        def design(c):  # what shapes the weights (a sigma parent may describe another method)
            return {k: v for k, v in config.from_dict(c["config"]).to_dict().items()
                    if k not in ("calibration", "method")}

        assert design(parent) == design(card), name
    assert parents >= 2  # wnn-echo from wnn-echo-base, sigma-wnn-echo from sigma-ist-echo


def test_ridge_option_on_top_of_a_card():
    """`mrai train sigma --card C --ridge` keeps the card's options and adds the ridge."""
    from mrai.nn.inference import model_dir
    from mrai.nn.training import training_settings

    card = os.path.join(model_dir(), "sigma-ist-echo.json")
    plain, _, _ = training_settings("sigma", card)
    config, _, _ = training_settings("sigma", card, {"ridge": True})
    assert config.ridge and config.noise_scale == plain.noise_scale
    assert {**config.to_dict(), "ridge": plain.ridge} == plain.to_dict()


def test_init_from_weights_it_cannot_grow_from(tmp_path):
    """--init with another kind of network: one error line naming the file, exit 2, nothing
    written."""
    from mrai.nn.inference import model_dir

    wnn = os.path.join(model_dir(), "wnn-echo.weights.h5")
    code, _, err = run_mrai("train", "sigma", "--method", "ist-echo", "--noise-scale", "--ridge",
                            "--init", wnn, "--filters", "4", "--dilations", "1,1 2,2",
                            "--size", "16x64", "--epochs", "1", "--steps", "1",
                            "--validation", "1", "-o", tmp_path / "s")
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and wnn in lines[0] and "cannot start from these weights" in lines[0]
    assert not [p for p in os.listdir(tmp_path) if p.startswith("s.")], os.listdir(tmp_path)
