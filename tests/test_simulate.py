"""Simulator: seeding, peak positions, noise level, imbalance, schedules."""

import numpy as np
import pytest

from mrai.physics import antiecho_part, echo_part, nus_degrade
from mrai.simulate import SimulationSettings, poisson_gap, schedule_size, simulate


def test_seeded_and_consistent():
    a = simulate(seed=3, size=(64, 256), peaks=40)
    b = simulate(seed=3, size=(64, 256), peaks=40)
    c = simulate(seed=4, size=(64, 256), peaks=40)
    assert np.array_equal(a.reference, b.reference) and np.array_equal(a.schedule, b.schedule)
    assert not np.array_equal(a.reference, c.reference)
    assert a.reference.dtype == np.float32 and a.reference.shape == (64, 256)
    scale = np.abs(a.reference).max()
    assert np.abs(a.echo + a.antiecho - a.reference).max() < 1e-5 * scale
    assert np.allclose(a.nus, nus_degrade(a.reference, a.schedule), atol=1e-5 * scale)


def test_single_peak_position_and_shape():
    n0, n1, f1, f2 = 64, 256, 0.125, -0.25
    s = simulate(seed=0, size=(n0, n1), peaks=1, amplitude=1.0, freq1=f1, freq2=f2,
                 noise=0.0, phase_deg=0.0)
    row, col = np.unravel_index(np.argmax(s.reference), s.reference.shape)
    assert (row, col) == (n0 // 2 - 1 - round(f1 * n0), n1 // 2 - 1 - round(f2 * n1))
    assert s.reference.min() > -0.05 * s.reference.max()    # pure absorption
    assert s.echo.min() < -0.1 * s.echo.max()                # twisted


def test_noise_level_and_negative_peaks():
    s = simulate(seed=1, size=(128, 512), peaks=30, noise=0.01)
    measured = (s.reference - s.clean).std() / np.abs(s.clean).max()
    assert measured == pytest.approx(0.01, rel=1e-3)
    neg = simulate(seed=1, size=(64, 256), peaks=20, negative_fraction=1.0, noise=0.0)
    assert neg.clean.min() < 0 and neg.clean.max() < 0.05 * -neg.clean.min()


def test_imbalance():
    e = 0.08
    s = simulate(seed=2, size=(64, 256), peaks=20, imbalance=e)
    scale = np.abs(s.reference).max()
    assert np.allclose(s.echo, (1 + e) * echo_part(s.reference), atol=1e-5 * scale)
    assert np.allclose(s.antiecho, (1 - e) * antiecho_part(s.reference), atol=1e-5 * scale)
    assert np.allclose(s.full, s.reference + e * (echo_part(s.reference)
                                                  - antiecho_part(s.reference)), atol=1e-5 * scale)


def test_settings_validation():
    with pytest.raises(ValueError, match="even"):
        SimulationSettings(size=(63, 256))
    assert SimulationSettings(size=(64, 256)).acquired == (32, 128)


def test_poisson_gap():
    a = poisson_gap(128, 64, seed=5)
    assert len(a) == 64 and a[0] == 0 and np.all(np.diff(a) > 0) and a[-1] < 128
    assert np.array_equal(a, poisson_gap(128, 64, seed=5))
    assert not np.array_equal(a, poisson_gap(128, 64, seed=6))
    gaps = np.diff(a)
    assert gaps[: len(gaps) // 2].mean() < gaps[len(gaps) // 2:].mean()  # denser at short t1
    assert np.array_equal(poisson_gap(10, 10), np.arange(10))
    assert schedule_size(128, 0.5) == 64
    with pytest.raises(ValueError):
        schedule_size(128, 0)
