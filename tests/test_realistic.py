"""The realistic simulator (mrai.simulate.artefacts and the recipe that draws it): each part
against a known answer, the split into what the Echo determines and what it cannot, and the
plain recipe's stream unchanged."""

import numpy as np
import pytest

from mrai.nn.data import RECIPES, TrainingRecipe, batch, realistic_recipe, recipe_named
from mrai.nn.config import WNNConfig
from mrai.physics import antiecho_part, echo_part, grid_part
from mrai.simulate import SimulationSettings, sine_bell, simulate
from mrai.simulate.artefacts import (baseline, perturbations, solvent_ridge, split_products,
                                     window)

SIZE = (64, 256)


def test_windows_have_their_formulas():
    assert np.allclose(window(50, ("sp", 0.4, 0.95, 1.5)), sine_bell(50, 0.4, 0.95, 1.5))
    em = window(11, ("em", 2.0))
    assert em[0] == 1.0 and em[-1] == pytest.approx(np.exp(-2.0))
    gm = window(11, ("gm", 1.0, 2.0))
    assert gm[-1] == pytest.approx(np.exp(1.0 - 4.0)) and gm[5] == pytest.approx(np.exp(0.5 - 1))
    with pytest.raises(ValueError, match="unknown window kind"):
        window(8, ("xx", 1.0))
    with pytest.raises(ValueError, match="a window is"):
        SimulationSettings(size=SIZE, windows=(("em",), ("sp", 0.5, 1, 2)))
    with pytest.raises(ValueError, match="one window per dimension"):
        SimulationSettings(size=SIZE, windows=(("em", 1.0),))


@pytest.mark.parametrize("field,value,message", [
    ("amplitude_scale", "cubic", "amplitude_scale"),
    ("broad_fraction", 1.5, "broad_fraction must be in 0..1"),
    ("t1_noise", -0.1, "t1_noise must be finite"),
    ("solvent", float("nan"), "solvent must be finite"),
])
def test_settings_refuse_bad_realistic_values(field, value, message):
    with pytest.raises(ValueError, match=message):
        SimulationSettings(size=SIZE, **{field: value})


def test_realistic_parts_off_by_default_and_plain_stream_unchanged():
    assert not SimulationSettings().realistic
    assert not TrainingRecipe().realistic and realistic_recipe().realistic
    assert set(RECIPES) == {"plain", "realistic"}
    with pytest.raises(ValueError, match="unknown recipe"):
        recipe_named("fancy")
    # a card written before the realistic fields existed reads as the plain recipe
    old = {k: v for k, v in TrainingRecipe().to_dict().items() if k in
           ("sizes", "peaks", "noise", "window_off", "window_end", "window_pow")}
    assert not TrainingRecipe.from_dict(old).realistic
    assert TrainingRecipe.from_dict(realistic_recipe().to_dict()).realistic
    config = WNNConfig.from_dict({"start": "echo", "stages": 1})
    a = batch(TrainingRecipe(sizes=(SIZE,)), 5, 0, 1, config)
    b = batch(TrainingRecipe.from_dict(TrainingRecipe(sizes=(SIZE,)).to_dict()), 5, 0, 1,
              config)
    assert np.array_equal(a[0], b[0])


def test_parts_add_up_and_are_seeded():
    recipe = realistic_recipe()
    for seed in range(6):
        settings = recipe.settings(np.random.default_rng(seed), SIZE)
        assert settings.realistic
        a, b = simulate(settings, seed=seed), simulate(settings, seed=seed)
        assert np.array_equal(a.reference, b.reference)
        top = np.abs(a.reference).max()
        assert np.isfinite(a.reference).all()
        assert np.abs(a.echo / (1 + settings.imbalance) + a.antiecho / (1 - settings.imbalance)
                      - a.reference).max() < 1e-5 * top


def test_half_dwell_realistic_parts_split_exactly():
    s = simulate(size=SIZE, peaks=20, seed=2, t1_start=0.5, t1_noise=0.02, solvent=0.01,
                 baseline=0.002, windows=(("em", 1.0), ("sp", 0.4, 0.98, 2)))
    top = np.abs(s.reference).max()
    assert np.abs(s.echo + s.antiecho - s.reference).max() < 1e-5 * top
    noise = s.reference - s.clean
    # the noise (with the unknowable parts) is split by the half-dwell grid's mask
    assert np.abs(grid_part(noise, "echo", (0.5, 0.0)) + grid_part(noise, "antiecho", (0.5, 0.0))
                  - noise).max() < 1e-5 * top


def test_perturbed_parts_are_the_p_and_n_contributions():
    """The mean perturbation gives Echo 0.5 Re(L1m L2) and Anti-Echo 0.5 Re(conj(L1m) L2), the
    two halves of a peak measured with that t1 series (the product form of the peak model);
    the half-difference gives Echo +0.5 Re(L1d L2) and Anti-Echo -0.5 Re(conj(L1d) L2): halves
    of opposite sign, which no peak model predicts from the Echo."""
    rng = np.random.default_rng(0)
    n0, n1, m0, m1 = 64, 128, 32, 64
    fid1 = np.exp(np.arange(m0) * (2j * np.pi * 0.1 - 1.0 / m0)) * sine_bell(m0)
    fid2 = np.exp(np.arange(m1) * (2j * np.pi * -0.2 - 2.0 / m1)) * sine_bell(m1)

    def line(values, n):
        v = values.astype(complex)
        v[0] *= 0.5
        return np.flip(np.fft.fftshift(np.fft.fft(v, n)))[:, None]

    mean, diff = perturbations(m0, 0.1, 0.3, rng)
    mean[0] = diff[0] = 0.0     # the mask splits a complex t = 0 line otherwise (conventions)
    l1m, l1d, l2 = line(fid1 * mean, n0), line(fid1 * diff, n0), line(fid2, n1)
    known, unknown = split_products(l1m, l1d, l2)
    tol = 1e-9 * np.abs(known).max()
    assert np.allclose(echo_part(known), 0.5 * (l1m @ l2.T).real, atol=tol)
    assert np.allclose(antiecho_part(known), 0.5 * (np.conj(l1m) @ l2.T).real, atol=tol)
    tol = 0.03 * np.abs(unknown).max()     # the mask shares the t2 = 0 line between halves
    assert np.allclose(echo_part(unknown), 0.5 * (l1d @ l2.T).real, atol=tol)
    assert np.allclose(antiecho_part(unknown), -0.5 * (np.conj(l1d) @ l2.T).real, atol=tol)


def test_perturbation_correlation():
    rng = np.random.default_rng(1)
    mean, diff = perturbations(200000, 0.1, 1.0, rng)
    assert np.abs(diff).max() == 0 and np.std(mean) == pytest.approx(0.1, rel=0.01)
    mean, diff = perturbations(200000, 0.1, 0.0, rng)   # independent: equal shares
    assert np.std(mean) == pytest.approx(0.1 / np.sqrt(2), rel=0.01)
    assert np.std(diff) == pytest.approx(0.1 / np.sqrt(2), rel=0.01)


def test_solvent_ridge_and_baseline_levels():
    rng = np.random.default_rng(2)
    w = (sine_bell(32), sine_bell(128))
    known, unknown = solvent_ridge((64, 256), (32, 128), w, 0.05, 0.02, 20.0, 0.3, 0.5, rng)
    ridge = known + unknown
    column = int(np.argmax(np.std(ridge, axis=0)))
    assert np.std(ridge[:, column]) == pytest.approx(0.05, rel=0.05)
    assert abs(column - (256 // 2 - 1 - round(0.02 * 256))) <= 3   # at its F2 position
    b = baseline((64, 256), 0.003, rng)
    assert np.abs(b).max() == pytest.approx(0.003)
    assert np.abs(np.diff(b, 2, axis=1)).max() < 1e-5                  # smooth


def test_f1_doublet_splitting():
    j = 0.0625
    s = simulate(size=(128, 128), acquired=(64, 64), peaks=1, amplitude=1.0, freq1=0.0,
                 freq2=0.1, decay1=0.2, decay2=0.5, noise=0.0, phase_deg=0.0,
                 coupling_fraction=1.0, coupling1=(j, j))
    column = s.clean[:, np.argmax(np.abs(s.clean).max(axis=0))]
    tops = np.argsort(column)[-2:]
    assert abs(abs(int(tops[0]) - int(tops[1])) - j * 128) <= 1


def test_log_amplitudes_span_the_dynamic_range():
    s = simulate(size=SIZE, peaks=2000, amplitude=(1e-3, 1.0), amplitude_scale="log",
                 noise=0.0, seed=0)
    a = s.peaks["amplitude"]
    assert a.min() >= 1e-3 and a.max() <= 1.0
    assert np.median(np.log10(a)) == pytest.approx(-1.5, abs=0.1)


def test_t1_noise_makes_ridges_at_peak_columns():
    quiet = simulate(size=(128, 512), peaks=5, noise=1e-4, seed=4, t1_noise=0.0,
                     windows=(("sp", 0.5, 0.98, 2), ("sp", 0.5, 0.98, 2)))
    noisy = simulate(size=(128, 512), peaks=5, noise=1e-4, seed=4, t1_noise=0.05,
                     windows=(("sp", 0.5, 0.98, 2), ("sp", 0.5, 0.98, 2)))
    column = int(np.argmax(np.abs(quiet.clean).max(axis=0)))
    far = slice(0, 128)
    assert np.std((noisy.reference - quiet.reference)[far, column]) > \
        20 * np.std(quiet.reference - quiet.clean)


def test_carrier_ridge_sits_at_zero_frequency():
    s = simulate(size=(64, 256), peaks=0, noise=0.0, carrier=0.02, seed=3)
    ridge = s.reference
    column = int(np.argmax(np.std(ridge, axis=0)))
    assert abs(column - (256 - 1 - 256 // 2)) <= 2        # frequency 0 in the stored order
    assert np.std(ridge[:, column]) == pytest.approx(0.02, rel=1e-3)
