"""Echo/Anti-Echo parts, flip, NUS and quadrature conversions against independent computations."""

import numpy as np
import pytest

from mrai.physics import (antiecho_part, echo_antiecho_to_states, echo_part, flip, grid_part,
                          grid_starts, nus_degrade, nus_row_mask, states_to_echo_antiecho,
                          validate_schedule)
from mrai.physics.grid import nearest_start


def literal_parts(s):
    """docs/conventions.md#echo-and-anti-echo-parts written out literally, in float64."""
    v = np.fft.ifft(np.fft.ifft(np.asarray(s, dtype=np.float64), axis=0), axis=1)
    n0, n1 = s.shape
    h0, h1 = (n0 + 1) // 2, (n1 + 1) // 2   # odd n: positive times 1 .. (n - 1) / 2
    v[0, :] *= 0.5
    v[:, 0] *= 0.5
    v[0, 0] *= 2
    ve, va = v.copy(), v.copy()
    ve[1:h0, h1:] = 0
    ve[h0:, 1:h1] = 0
    va[1:h0, 1:h1] = 0
    va[h0:, h1:] = 0
    back = lambda x: np.fft.fft(np.fft.fft(x, axis=0), axis=1).real
    return back(ve), back(va)


def test_parts_match_definition_and_sum(small):
    s = small.reference
    e, a = echo_part(s), antiecho_part(s)
    le, la = literal_parts(s)
    scale = np.abs(s).max()
    assert e.dtype == np.float32
    assert np.abs(e - le).max() < 1e-6 * scale
    assert np.abs(a - la).max() < 1e-6 * scale
    assert np.abs(e + a - s).max() < 1e-6 * scale
    e64 = echo_part(s.astype(np.float64))
    assert e64.dtype == np.float64 and np.abs(e64 - le).max() < 1e-12 * scale


def single_peak_data(n0=64, n1=128, f1=0.13, f2=-0.21, r1=2.0, r2=4.0):
    """States spectrum and P-type / N-type processed spectra of one peak, built by hand."""
    m0, m1 = n0 // 2, n1 // 2
    t1, t2 = np.arange(m0), np.arange(m1)
    x1 = np.exp(2j * np.pi * f1 * t1 - r1 * t1 / m0)
    x2 = np.exp(2j * np.pi * f2 * t2 - r2 * t2 / m1)
    x1[0] *= 0.5
    x2[0] *= 0.5
    c1, c2 = np.fft.fft(x1, n0), np.fft.fft(x2, n1)
    states = np.outer(c1.real, c2.real)           # pure absorption A1 A2
    p_type = np.fft.fft2(np.outer(x1, x2), (n0, n1)).real          # exp(+i w1 t1)
    n_type = np.fft.fft2(np.outer(x1.conj(), x2), (n0, n1)).real   # exp(-i w1 t1)
    return states, p_type, n_type


def test_echo_is_p_type_and_antiecho_is_n_type():
    states, p_type, n_type = single_peak_data()
    scale = np.abs(states).max()
    assert np.abs(echo_part(states) - p_type / 2).max() < 1e-10 * scale
    # N-type data land at -W1 as acquired; the F1 mirror (flip) of their spectrum is Anti-Echo
    assert np.abs(antiecho_part(states) - flip(n_type) / 2).max() < 1e-10 * scale
    # twisted: the Echo alone has negative lobes of a sizeable fraction of the peak
    assert p_type.min() < -0.2 * p_type.max()


def test_flip_definition_involution_and_symmetry(small):
    s = small.reference.astype(np.float64)
    literal = np.fft.fft(np.conj(np.fft.ifft(s, axis=0)), axis=0).real
    assert np.allclose(flip(s), literal, atol=1e-9 * np.abs(s).max())
    assert np.array_equal(flip(flip(s)), s)
    assert np.allclose(echo_part(flip(s)), flip(antiecho_part(s)), atol=1e-9 * np.abs(s).max())


def test_nus_mask_and_full_schedule():
    mask = nus_row_mask([0, 1, 5], 16)
    assert np.nonzero(mask)[0].tolist() == [0, 1, 5, 11, 15]
    states, _, _ = single_peak_data()
    full = nus_degrade(states, np.arange(32))  # every acquired point: nothing lost
    assert np.allclose(full, states, atol=1e-10 * np.abs(states).max())
    sparse = nus_degrade(states, np.arange(0, 32, 2))
    v = np.fft.ifft2(sparse)
    assert np.abs(v[1]).max() < 1e-12 and np.abs(v[63]).max() < 1e-12  # row 1 and its mirror
    assert np.abs(v[2]).max() > 1e-6


@pytest.mark.parametrize("schedule, message", [
    ([], "empty"), ([0, 3, 3], "appears more than once"), ([0, 8], "outside 0..7"),
    ([-1, 2], "outside 0..7"),
])
def test_bad_schedules(schedule, message):
    with pytest.raises(ValueError, match=message):
        validate_schedule(np.array(schedule, dtype=int), 16)


def test_states_echo_antiecho_conversions():
    rng = np.random.default_rng(0)
    cos = rng.standard_normal((6, 5)) + 1j * rng.standard_normal((6, 5))
    sin = rng.standard_normal((6, 5)) + 1j * rng.standard_normal((6, 5))
    p, n = states_to_echo_antiecho(cos, sin)
    assert np.allclose(p, cos + 1j * sin) and np.allclose(n, cos - 1j * sin)
    c2, s2 = echo_antiecho_to_states(p, n)
    assert np.allclose(c2, cos) and np.allclose(s2, sin)
    inter = np.empty((12, 5), complex)
    inter[0::2], inter[1::2] = cos, sin
    pn = states_to_echo_antiecho(inter, interleaved=True)
    assert np.allclose(pn[0::2], p) and np.allclose(pn[1::2], n)
    assert np.allclose(echo_antiecho_to_states(pn, interleaved=True), inter)
    # States cos(W t1), sin(W t1) give P = exp(+i W t1) and N = exp(-i W t1)
    t = np.arange(8)
    sig = np.exp(0.3j * t)[:, None] * np.ones((1, 3))
    p, n = states_to_echo_antiecho(sig.real.astype(complex), sig.imag.astype(complex))
    assert np.allclose(p, sig) and np.allclose(n, sig.conj())


def processed_line(n, f0, decay, start):
    """A complex 1D line processed NMRPipe-style and stored highest frequency first: samples at
    t = (k + start) dwells over n // 2 points (first point halved for start 0), zero fill to n,
    FT, the first-order phase a start needs (P1 = 360 start), so that its real part absorbs."""
    t = np.arange(n // 2) + start
    fid = np.exp((2j * np.pi * f0 - decay) * t)
    if start == 0:
        fid[0] *= 0.5
    x = np.fft.fft(fid, n) * np.exp(-2j * np.pi * start * np.fft.fftfreq(n))
    return np.fft.fftshift(x)[::-1]


@pytest.mark.parametrize("shape", [(16, 16), (15, 17), (9, 32), (32, 33)])
@pytest.mark.parametrize("start", [(0.0, 0.0), (0.5, 0.0), (0.0, 0.5), (0.5, 0.5)])
def test_parts_are_p_and_n_type_on_every_grid_and_size(shape, start):
    """Per peak with processed lines L1, L2 the full spectrum is Re L1 Re L2 and the P-type
    (Echo) spectrum 0.5 Re(L1 L2): the split gives it exactly, odd sizes and half-dwell grids
    (t1 or t2 starting at half a dwell) included; the two parts add up to the spectrum."""
    rng = np.random.default_rng(sum(shape))
    full = p_type = n_type = 0
    for _ in range(3):
        l1 = processed_line(shape[0], rng.uniform(-0.4, 0.4), 0.05, start[0])
        l2 = processed_line(shape[1], rng.uniform(-0.4, 0.4), 0.05, start[1])
        full = full + np.outer(l1.real, l2.real)
        p_type = p_type + 0.5 * np.outer(l1, l2).real
        n_type = n_type + 0.5 * np.outer(np.conj(l1), l2).real
    scale = np.abs(full).max()
    echo, anti = grid_part(full, "echo", start), grid_part(full, "antiecho", start)
    assert np.abs(echo - p_type).max() < 1e-12 * scale
    assert np.abs(anti - n_type).max() < 1e-12 * scale
    assert np.abs(echo + anti - full).max() < 1e-12 * scale
    if start == (0.0, 0.0):
        assert np.abs(echo_part(full) - p_type).max() < 1e-12 * scale


@pytest.mark.parametrize("shape", [(9, 11), (63, 128), (64, 101), (8, 8)])
def test_parts_of_odd_sizes_follow_the_definition(shape):
    s = np.random.default_rng(3).standard_normal(shape)
    le, la = literal_parts(s)
    assert np.abs(echo_part(s) - le).max() < 1e-12 and np.abs(antiecho_part(s) - la).max() < 1e-12
    if shape[0] % 2:  # no Nyquist row: flip maps the parts onto each other exactly
        assert np.allclose(echo_part(flip(s)), flip(antiecho_part(s)), atol=1e-12)


@pytest.mark.parametrize("p1, start, off", [(0, 0.0, 0.0), (180, 0.5, 0.0), (-180, 0.5, 0.0),
                                            (-25, 0.0, 25 / 360), (-101, 0.5, 0.5 - 101 / 360),
                                            (100, 0.5, 0.5 - 100 / 360), (360, 0.0, 0.0)])
def test_grid_start_nearest_the_header_phase(p1, start, off):
    assert nearest_start(p1 / 360)[0] == start
    assert abs(nearest_start(p1 / 360)[1] - off) < 1e-12
    starts, offs = grid_starts({"FDF1P1": float(p1), "FDF2P1": 0.0})
    assert starts == (start, 0.0) and abs(offs[0] - off) < 1e-12


def test_odd_f1_nus_schedule_covers_the_non_negative_half():
    s = np.random.default_rng(4).standard_normal((9, 16))
    assert validate_schedule([0, 4], 9).tolist() == [0, 4]
    with pytest.raises(ValueError, match="outside 0..4"):
        validate_schedule([5], 9)
    assert nus_row_mask([4], 9).tolist() == [False] * 4 + [True, True] + [False] * 3
    assert np.allclose(nus_degrade(s, range(5)), s)
