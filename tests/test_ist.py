"""CS-IST: convergence on simulated spectra with known answers, exact data consistency, flip
symmetry, the real-FFT projection, and the reconstruct command's bad inputs."""

import numpy as np
import pytest

from conftest import run_mrai, write_invalid_spectra
from mrai.fileio import provenance, read, write
from mrai.fileio.header import spectrum_header
from mrai.methods.ist import ist, thresholds
from mrai.methods.projection import Projection
from mrai.metrics import quality
from mrai.physics import antiecho_part, echo_part, flip, nus_degrade
from mrai.simulate import simulate
from test_cli import assert_bad


@pytest.fixture(scope="module")
def data():
    return simulate(seed=11, size=(64, 512), peaks=40)


def test_projection_equals_definitions(data):
    s = data.reference
    scale = np.abs(s).max()
    assert np.abs(Projection(s.shape, "echo")(s) - echo_part(s)).max() < 1e-6 * scale
    assert np.abs(Projection(s.shape, "antiecho")(s) - antiecho_part(s)).max() < 1e-6 * scale
    sched = data.schedule
    assert np.abs(Projection(s.shape, "nus", sched)(s) - nus_degrade(s, sched)).max() < 1e-6 * scale


@pytest.mark.parametrize("mode", ["echo", "antiecho", "nus"])
def test_converges_and_keeps_measured_part(data, mode):
    measured = {"echo": data.echo, "antiecho": data.antiecho, "nus": data.nus}[mode]
    sched = data.schedule if mode == "nus" else None
    out = ist(measured, mode, sched)
    before, after = quality(measured, data.reference), quality(out, data.reference)
    assert before["r"] < 0.9 and after["r"] > 0.99 and after["rmsd"] < before["rmsd"] / 3
    keep = {"echo": echo_part, "antiecho": antiecho_part,
            "nus": lambda x: nus_degrade(x, sched)}[mode]
    assert np.abs(keep(out) - measured).max() < 1e-5 * np.abs(measured).max()
    assert out.dtype == np.float32 and out.shape == measured.shape


def test_more_iterations_help_then_settle(data):
    r = [quality(ist(data.echo, "echo", iterations=n), data.reference)["r"] for n in (3, 20, 100)]
    assert r[0] < r[1] < r[2]


def test_antiecho_is_the_flipped_echo_problem(data):
    direct = ist(data.antiecho, "antiecho", iterations=30)
    via_flip = flip(ist(flip(data.antiecho), "echo", iterations=30))
    assert np.array_equal(direct, via_flip)


def test_threshold_schedule():
    t = thresholds(2.0, 5, 1e-2)
    assert t[0] == 2.0 and t[-1] == pytest.approx(0.02) and np.all(np.diff(t) < 0)
    assert np.allclose(t[1:] / t[:-1], t[1] / t[0])
    with pytest.raises(ValueError):
        thresholds(1.0, 0, 1e-3)


def test_cli_reconstruct_echo_and_nus(tmp_path, data):
    header = spectrum_header((64, 512))
    write(str(tmp_path / "ref.ft2"), header, data.reference)
    code, _, err = run_mrai("degrade", "--echo", tmp_path / "ref.ft2", "-o", tmp_path / "e.ft2")
    assert code == 0, err
    code, _, err = run_mrai("reconstruct", "--echo", "--method", "ist", tmp_path / "e.ft2",
                            "-o", tmp_path / "r.ft2")
    assert code == 0, err
    dic, out = read(str(tmp_path / "r.ft2"))
    assert np.array_equal(out, ist(read(str(tmp_path / "e.ft2"))[1], "echo"))
    record = provenance(dic)
    assert (record["command"], record["method"], record["mode"]) == ("reconstruct", "ist", "echo")
    code, _, err = run_mrai("degrade", "--nus", "0.5", "--schedule-out", tmp_path / "s.txt",
                            tmp_path / "ref.ft2", "-o", tmp_path / "n.ft2")
    assert code == 0, err
    for schedule in (tmp_path / "s.txt", "header"):
        code, _, err = run_mrai("reconstruct", "--nus", schedule, tmp_path / "n.ft2",
                                "-o", tmp_path / "rn.ft2", "-ov")
        assert code == 0, err
        assert quality(read(str(tmp_path / "rn.ft2"))[1], data.reference)["r"] > 0.995


def test_cli_reconstruct_3d_stream(tmp_path):
    from conftest import header_3d
    planes = np.stack([simulate(seed=s, size=(32, 128), peaks=8).reference for s in range(2)])
    write(str(tmp_path / "s.ft3"), header_3d((32, 128), 2), planes)
    code, echo, _ = run_mrai("degrade", "--echo", stdin=(tmp_path / "s.ft3").read_bytes())
    code, out, err = run_mrai("reconstruct", "--echo", "--method", "ist", "--iterations", "20",
                              stdin=echo)
    assert code == 0, err
    (tmp_path / "o.ft3").write_bytes(out)
    got = read(str(tmp_path / "o.ft3"))[1]
    expected = np.stack([ist(echo_part(p), "echo", iterations=20) for p in planes])
    assert np.allclose(got, expected, atol=1e-6 * np.abs(expected).max())


@pytest.mark.parametrize("content, needle", [
    ("0\n1\n40\n", "outside 0..31"), ("0\n2\n2\n", "more than once"), ("", "empty"),
])
def test_cli_bad_schedules(tmp_path, small_file, content, needle):
    (tmp_path / "s.txt").write_text(content)
    assert_bad(*run_mrai("reconstruct", "--nus", tmp_path / "s.txt", small_file,
                         "-o", tmp_path / "o.ft2"), needle)
    assert not (tmp_path / "o.ft2").exists()


def test_cli_bad_spectra(tmp_path, small_file):
    assert_bad(*run_mrai("reconstruct", "--nus", "header", small_file, "-o", tmp_path / "o.ft2"),
               "no NUS schedule recorded")
    bad = write_invalid_spectra(tmp_path)
    for name, needle in (("tiny", "too small"), ("time", "time domain"), ("complex", "complex")):
        assert_bad(*run_mrai("reconstruct", "--echo", bad[name], "-o", tmp_path / "o.ft2"),
                   needle)
    assert not (tmp_path / "o.ft2").exists()
    code, _, err = run_mrai("reconstruct", "--echo", "--antiecho", small_file)
    assert code == 2 and "exactly one" in err
