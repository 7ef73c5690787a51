"""F2 phase of real spectra (mrai.physics.phase) and the reconstruction of unphased Echo-only and
Anti-Echo-only spectra (mrai.reconstruction: phase taken off first, put back after)."""

import numpy as np
import pytest

from mrai import reconstruction
from mrai.metrics import quality
from mrai.physics import degrade
from mrai.physics.phase import projection_phase, rotate_f2
from mrai.process.autophase import looks_unphased
from mrai.simulate import simulate


@pytest.fixture(scope="module")
def spectrum():
    """A phased simulated spectrum, 64 x 512, 60 positive peaks."""
    return simulate(size=(64, 512), peaks=(60, 60), noise=1e-3, seed=3,
                    negative_fraction=0.0).reference.astype(np.float32)


def _inner(s):
    """All but the t2 = 0 point of each row (which a real spectrum cannot rotate)."""
    v = np.fft.ifft(s, axis=1)
    v[:, 0] = 0
    return np.fft.fft(v, axis=1).real


def test_rotate_f2_round_trip_and_commutes_with_the_split(spectrum):
    scale = np.abs(spectrum).max()
    for p1, tolerance in ((0.0, 1e-5), (360.0, 1e-4), (30.0, 0.05)):
        there = rotate_f2(spectrum, 50.0, p1)
        assert there.dtype == np.float32
        assert quality(there, spectrum)["r"] < 0.9                 # it did rotate
        back = rotate_f2(there, -50.0, -p1)
        assert np.abs(_inner(back) - _inner(spectrum)).max() < tolerance * scale, p1
    # a zero-order F2 phase commutes with the Echo / Anti-Echo split (both act on the signs of t2)
    for mode in ("echo", "antiecho"):
        a = degrade(rotate_f2(spectrum, 35.0), mode)
        b = rotate_f2(degrade(spectrum, mode), 35.0)
        assert np.abs(_inner(a) - _inner(b)).max() < 1e-5 * scale


@pytest.mark.parametrize("p0,p1", [(40.0, 0.0), (-70.0, 0.0), (25.0, 90.0)])
def test_projection_phase_takes_off_most_of_a_phase_error(spectrum, p0, p1):
    """The estimate from the F2 projection leaves part of the error on these crowded simulated
    spectra (the t2 = 0 point's lost imaginary part reads as a baseline), but most goes."""
    unphased = rotate_f2(spectrum, p0, p1)       # an F2 phase error (P0, P1)
    x = np.arange(spectrum.shape[1]) / spectrum.shape[1]
    applied = np.abs(p0 + p1 * x).mean()
    for mode in ("echo", "antiecho"):
        found = projection_phase(degrade(unphased, mode))
        error = (found[0] + found[1] * x) - (p0 + p1 * x)
        error = (error + 180.0) % 360.0 - 180.0
        assert np.abs(error).mean() < 0.5 * applied, (mode, found)
    found = projection_phase(degrade(spectrum, "echo"))
    assert np.abs(found[0] + found[1] * x).mean() < 10.0


def test_unphased_echo_is_reconstructed_phased_and_its_phase_put_back(spectrum):
    unphased = rotate_f2(spectrum, 60.0)
    for mode in ("echo", "antiecho"):
        measured = degrade(unphased, mode)
        assert looks_unphased(measured).unphased
        assert reconstruction.input_phase(measured, mode) is not None
        rephased = reconstruction.reconstruct(measured, mode, "ist", iterations=40)
        plain = reconstruction.reconstruct(measured, mode, "ist", iterations=40, rephase=False)
        phased = reconstruction.reconstruct(degrade(spectrum, mode), mode, "ist", iterations=40)
        r = quality(rephased, unphased)["r"]
        assert r > quality(plain, unphased)["r"] + 0.05
        assert r > quality(phased, spectrum)["r"] - 0.07     # most of the way to phased input
        # the measured part is kept exactly
        assert np.abs(degrade(rephased, mode) - measured).max() < 1e-4 * np.abs(measured).max()


def test_phased_input_is_left_alone(spectrum):
    measured = degrade(spectrum, "echo")
    assert reconstruction.input_phase(measured, "echo") is None
    a = reconstruction.reconstruct(measured, "echo", "ist", iterations=10)
    b = reconstruction.reconstruct(measured, "echo", "ist", iterations=10, rephase=False)
    assert np.array_equal(a, b)
    assert reconstruction.input_phase(measured, "nus") is None


def test_cli_says_what_it_did_with_an_unphased_input(tmp_path, spectrum):
    from conftest import run_mrai

    from mrai.fileio import provenance, read, write
    from mrai.fileio.header import spectrum_header

    path = tmp_path / "echo.ft2"
    write(str(path), spectrum_header(spectrum.shape), degrade(rotate_f2(spectrum, 60.0), "echo"))
    code, _, err = run_mrai("reconstruct", "--echo", "--method", "ist", "--iterations", "5",
                            path, "-o", tmp_path / "a.ft2")
    assert code == 0, err
    assert "reconstructed phased" in err and "P0" in err
    dic, _ = read(str(tmp_path / "a.ft2"))
    assert provenance(dic)["phase"] == "auto"
    code, _, err = run_mrai("reconstruct", "--echo", "--method", "ist", "--iterations", "5",
                            "--phase", "off", path, "-o", tmp_path / "b.ft2")
    assert code == 0, err
    assert "the methods expect absorptive peaks" in err and "reconstructed phased" not in err
    assert "phase" not in provenance(read(str(tmp_path / "b.ft2"))[0])
