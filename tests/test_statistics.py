"""mrai.simulate.statistics: known answers on spectra built for them (white and coloured noise,
Lorentzians of known width, a ridge and a baseline offset of known size)."""

import numpy as np
import pytest

from mrai.simulate import simulate
from mrai.simulate import statistics as st

SHAPE = (128, 512)


def white(shape=SHAPE, sigma=1.0, seed=0):
    return sigma * np.random.default_rng(seed).standard_normal(shape)


def confined(shape=SHAPE, fraction=(1.0, 1.0), seed=0):
    """Unit-std real noise whose Virtual Echo fills |t| < fraction of each positive time half
    (flat inside): white where the fraction is 1."""
    rng = np.random.default_rng(seed)
    z = rng.standard_normal(shape) + 1j * rng.standard_normal(shape)
    for axis, (n, f) in enumerate(zip(shape, fraction)):
        j = np.arange(n)
        keep = np.minimum(j, n - j) < f * n / 2
        z = z * (keep[:, None] if axis == 0 else keep[None, :])
    x = np.fft.fft2(z).real
    return x / x.std()


def lorentzian(n, centre, gamma):
    """A periodic Lorentzian of half width ``gamma`` points (full width at half height
    2 gamma), height 1 at ``centre``, cut to 0 beyond 4 gamma (an apodized line falls faster
    than a Lorentzian; a bare one's tails would stay far above the noise of these tests across
    the whole spectrum, bumps on them counting as peaks)."""
    d = (np.arange(n) - centre + n / 2) % n - n / 2
    return np.where(np.abs(d) <= 4 * gamma, 1.0 / (1.0 + (d / gamma) ** 2), 0.0)


def peaks_spectrum(peaks, shape=SHAPE, noise=0.0, seed=1):
    """Sum of 2D Lorentzians (row, col, height, gamma1, gamma2) plus white noise."""
    s = white(shape, noise, seed) if noise else np.zeros(shape)
    for row, col, height, g1, g2 in peaks:
        s += height * np.outer(lorentzian(shape[0], row, g1), lorentzian(shape[1], col, g2))
    return s


def test_white_noise_has_no_colour():
    s = white()
    for axis in (0, 1):
        colour = st.noise_colour(s, axis)
        assert abs(colour["lag1"]) < 0.02
        assert 0.9 < colour["outer_inner"] < 1.1
        assert 0.9 < colour["extent95"] <= 1.0
    assert st.noise_level(s) == pytest.approx(1.0, rel=0.03)


def test_noise_in_early_times_is_coloured_along_its_axis_only():
    # t2 noise only at |t2| < 0.5 of its half (data zero filled to four times its points)
    s = confined(fraction=(1.0, 0.5))
    t1, t2 = st.noise_colour(s, 0), st.noise_colour(s, 1)
    assert abs(t1["lag1"]) < 0.03 and 0.9 < t1["outer_inner"] < 1.1
    # flat over |t| < n / 4: lag-1 autocorrelation mean(cos(2 pi t / n)) = sin(pi/2)/(pi/2)
    assert t2["lag1"] == pytest.approx(2 / np.pi, abs=0.03)
    assert abs(t2["outer_inner"]) < 0.03
    assert 0.4 < t2["extent95"] <= 0.5


def test_sine_bell_coloured_noise_as_the_simulator_makes_it():
    sim = simulate(size=SHAPE, peaks=0, noise=1e-3, seed=3)
    for axis in (0, 1):
        colour = st.noise_colour(sim.reference, axis)
        assert 0.55 < colour["lag1"] < 0.75
        assert 0.05 < colour["outer_inner"] < 0.15
        assert 0.5 < colour["extent95"] < 0.65


def test_noise_level_ignores_peaks():
    peaks = [(20, 100, 50.0, 2, 4), (70, 300, -30.0, 3, 5), (100, 450, 80.0, 2, 3)]
    s = peaks_spectrum(peaks, noise=0.1)
    mask = st.noise_mask(s)
    assert not mask[20, 100] and not mask[70, 300]
    assert st.noise_level(s, mask) == pytest.approx(0.1, rel=0.05)
    stats = st.statistics(s)
    assert stats["noise"] == pytest.approx(0.1 / np.abs(s).max(), rel=0.05)


@pytest.mark.parametrize("gamma1,gamma2", [(2.0, 5.0), (1.5, 8.0), (3.0, 3.0)])
def test_lorentzian_width(gamma1, gamma2):
    peaks = [(30, 100, 1.0, gamma1, gamma2), (90, 380, 0.5, gamma1, gamma2)]
    s = peaks_spectrum(peaks, noise=1e-3)
    rows, cols, heights = st.find_peaks(s, st.noise_level(s))
    assert sorted(zip(rows.tolist(), cols.tolist())) == [(30, 100), (90, 380)]
    assert heights[0] == pytest.approx(1.0, abs=4e-3)
    for axis, gamma in ((0, gamma1), (1, gamma2)):
        widths = st.half_widths(s, rows, cols, axis, 1e-3)
        # exact for a Lorentzian whose top is a sample, up to the noise
        assert widths == pytest.approx(2 * gamma, rel=0.01)


def test_overlapping_peak_has_no_width_on_that_axis():
    # a second, higher peak 6 points along F2 from the first: the first one's F2 profile
    # rises into it before falling to half height; along F1 both are isolated
    s = peaks_spectrum([(40, 200, 1.0, 2.0, 4.0), (40, 206, 2.0, 2.0, 4.0)], noise=1e-4)
    widths = st.half_widths(s, np.array([40]), np.array([200]), 1, 1e-4)
    assert np.isnan(widths[0])
    assert st.half_widths(s, np.array([40]), np.array([200]), 0, 1e-4)[0] == \
        pytest.approx(4.0, rel=0.1)


def test_peak_heights_counts_and_signs():
    peaks = [(10, 50, 1.0, 2, 3), (40, 150, 0.5, 2, 3), (70, 250, -0.25, 2, 3),
             (100, 350, 0.125, 2, 3)]
    s = peaks_spectrum(peaks, noise=1e-3)
    stats = st.statistics(s)
    assert stats["peaks"] == 4
    assert stats["peaks_per_full"] == pytest.approx(4 * 256 * 2048 / s.size)
    assert stats["negative_peaks"] == 0.25
    assert stats["height_q50"] == pytest.approx(np.quantile([1, 0.5, 0.25, 0.125], 0.5),
                                                rel=1e-2)
    assert stats["width_f1_q50"] == pytest.approx(4.0, rel=0.05)
    assert stats["width_f2_q50"] == pytest.approx(6.0, rel=0.05)
    # weak peaks below the threshold are not peaks
    rows, _, _ = st.find_peaks(s, 0.2, threshold=1.0)
    assert rows.size == 3


def test_lorentzian_width_off_grid():
    # the top between two samples: the sampled top is below the true height, so the width
    # comes out a little wide (under 10 % for a half point off and gamma 2)
    s = peaks_spectrum([(40.5, 200.3, 1.0, 2.0, 4.0)], noise=1e-4)
    rows, cols, _ = st.find_peaks(s, 1e-4)
    assert rows.size == 1
    assert st.half_widths(s, rows, cols, 0)[0] == pytest.approx(4.0, rel=0.1)
    assert st.half_widths(s, rows, cols, 1)[0] == pytest.approx(8.0, rel=0.05)


def test_side_lobes_and_ridge_bumps_are_not_peaks():
    shape = SHAPE
    s = white(shape, 1e-3, seed=8)
    d = np.arange(shape[0]) - 40
    line = np.sinc(d / 2.0)                       # a truncated line: lobes of 22 %, 13 %, ...
    s[:, 100] += line
    s[:, 101] += 0.6 * line
    s[:, 99] += 0.6 * line
    s[90, 300] += 0.05                            # a weak peak on its own: a peak
    s[:, 400] += 0.004 * np.random.default_rng(9).standard_normal(shape[0])   # a ridge
    maxima = st.local_maxima(s, 1e-3)
    assert maxima[:, 100].sum() > 4                # the lobes are local maxima ...
    assert maxima[:, 400].sum() > 0                # and so are bumps of the ridge
    rows, cols, _ = st.find_peaks(s, 1e-3)
    assert sorted(zip(rows.tolist(), cols.tolist())) == [(40, 100), (90, 300)]


def test_fraction_above_one_percent():
    s = np.zeros(SHAPE)
    s[:16, :64] = 0.5               # 1/64 of the points
    s[100, 100] = 1.0
    s[101, 100] = 0.009             # below 1 %
    assert st.statistics(s)["above_1pc"] == pytest.approx((16 * 64 + 1) / s.size)


def test_ridge_of_known_strength_is_found():
    s = white(seed=4)
    rng = np.random.default_rng(5)
    s[:, 200] += 4.0 * rng.standard_normal(SHAPE[0])     # t1 noise: std sqrt(1 + 16)
    s[:, 300] += 2.0 * rng.standard_normal(SHAPE[0])     # sqrt(5)
    ridge = st.ridge_strength(s, st.noise_level(s))
    assert int(np.argmax(ridge)) == 200
    assert ridge[200] == pytest.approx(np.sqrt(17), rel=0.2)
    assert ridge[300] == pytest.approx(np.sqrt(5), rel=0.2)
    assert np.median(ridge) == pytest.approx(1.0, abs=0.05)
    stats = st.statistics(s)
    assert stats["ridge_max"] == pytest.approx(ridge.max(), rel=0.05)
    assert stats["ridge_median"] == pytest.approx(1.0, abs=0.05)


def test_baseline_offset_of_known_size_is_found():
    s = white(seed=6)
    s[30] += 3.0          # one F1 row lifted by 3 noise levels
    s[:, 77] -= 2.0       # one F2 column lowered by 2
    rows, cols = st.baseline_offsets(s, 1.0)
    assert int(np.argmax(np.abs(rows))) == 30 and rows[30] == pytest.approx(3.0, abs=0.2)
    assert int(np.argmax(np.abs(cols))) == 77 and cols[77] == pytest.approx(-2.0, abs=0.3)
    stats = st.statistics(s)
    assert stats["baseline_rows_max"] == pytest.approx(3.0, rel=0.1)
    assert stats["baseline_cols_max"] == pytest.approx(2.0, rel=0.15)
    clean = st.statistics(white(seed=7))
    assert clean["baseline_rows_max"] < 0.3 and clean["baseline_cols_max"] < 0.6


def test_simulated_spectrum_statistics():
    sim = simulate(size=(128, 1024), peaks=60, noise=2e-3, seed=2)
    stats = st.statistics(sim.reference)
    assert set(stats) == set(st.DESCRIPTIONS)
    # the simulator's noise is std / max |clean|
    assert stats["noise"] == pytest.approx(2e-3, rel=0.1)
    assert 40 <= stats["peaks"] <= 70     # a few double tops of broad peaks
    assert stats["negative_peaks"] == 0
    assert stats["ridge_median"] == pytest.approx(1.0, abs=0.15)
    assert stats["baseline_rows_max"] < 1.0
    # relative statistics do not depend on the spectrum's scale
    scaled = st.statistics(sim.reference * 1000.0)
    for key in stats:
        assert scaled[key] == pytest.approx(stats[key], rel=1e-6, abs=1e-9, nan_ok=True), key


def test_bad_input():
    with pytest.raises(ValueError, match="2D"):
        st.statistics(np.zeros(16))
    bad = white()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        st.statistics(bad)
