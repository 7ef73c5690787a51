"""Echo/Anti-Echo parts, flip, NUS and quadrature conversions against independent computations."""

import numpy as np
import pytest

from mrai.physics import (antiecho_part, echo_antiecho_to_states, echo_part, flip, nus_degrade,
                          nus_row_mask, states_to_echo_antiecho, validate_schedule)


def literal_parts(s):
    """science.md section 2 written out literally, in float64."""
    v = np.fft.ifft(np.fft.ifft(np.asarray(s, dtype=np.float64), axis=0), axis=1)
    n0, n1 = s.shape
    h0, h1 = n0 // 2, n1 // 2
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
