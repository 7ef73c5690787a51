"""The method table: every method x mode x size parity x time grid it claims, against simulated
truth, with the shipped networks; the pairs it does not serve give their reasons."""

import numpy as np
import pytest

from mrai import reconstruction
from mrai.methods import table
from mrai.metrics import quality
from mrai.physics import degrade
from mrai.simulate import simulate

SHAPES = [(32, 128), (33, 128), (32, 129), (33, 129)]   # every size parity
GRIDS = [(0.0, 0.0), (0.5, 0.0), (0.5, 0.5)]            # from 0, t1 or both from half a dwell


@pytest.fixture(scope="module")
def networks():
    """The shipped WNN and sigma networks, loaded once."""
    from mrai.nn.inference import default_sigma_model, load_model, load_sigma

    return load_model(None, "float32"), {name: load_sigma(default_sigma_model(name))[0]
                                         for name in table.SIGMA_NETWORKS}


def test_table_covers_every_method_and_mode():
    pairs = {(e.method, e.mode) for e in table.ENTRIES}
    assert len(pairs) == len(table.ENTRIES)
    for method in table.METHODS:
        for mode in table.MODES:
            if (method, mode) in pairs:
                assert table.entry(method, mode).name == f"{method}-{mode}"
            else:
                with pytest.raises(ValueError, match="use --method ist"):
                    table.entry(method, mode)
    for mode in table.MODES:  # one default per mode
        assert sum(e.default for e in table.ENTRIES if e.mode == mode) == 1
        assert table.entry(None, mode).default
    assert set(table.SIGMA_NETWORKS) == {e.sigma for e in table.ENTRIES}
    assert [e.mode for e in table.for_sigma("ist-echo")] == ["echo", "antiecho"]
    with pytest.raises(ValueError, match="mode must be"):
        table.entry("ist", "states")
    with pytest.raises(ValueError, match="sigma network must be"):
        table.for_sigma("wnn-nus")


def test_checks_say_why():
    e = table.entry("ist", "nus")
    assert "too small" in table.check(e, (6, 64))
    assert "starting at 0 only" in table.check(e, (64, 64), (0.5, 0.0))
    assert table.choose(None, "echo", (0.5, 0.0)) == (table.entry("wnn", "echo"), None)
    assert table.check(table.entry("ist", "echo"), (9, 9), (0.5, 0.5)) is None
    assert "use --method ist" in table.check(table.entry("wnn", "echo"), (9, 9), (0.5, 0.5))
    with pytest.raises(ValueError, match="not for the ist method"):
        reconstruction.solver(table.entry("ist", "echo"), model="x.weights.h5")
    with pytest.raises(ValueError, match="needs the schedule"):
        reconstruction.solver(e)
    record = table.record(table.entry("wnn", "echo"), (0.5, 0.0), (0.0, 0.07), model="m")
    assert record == {"method": "wnn", "mode": "echo", "t1start": "0.5", "t2off": "0.07",
                      "model": "m"}


@pytest.mark.parametrize("grid", GRIDS)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("name", [e.name for e in table.ENTRIES])
def test_every_entry_at_every_size_parity_and_grid(networks, name, shape, grid):
    (wnn, card), sigmas = networks
    e = next(x for x in table.ENTRIES if x.name == name)
    sim = simulate(size=shape, peaks=(12, 12), seed=sum(shape), noise=1e-3,
                   t1_start=grid[0], t2_start=grid[1])
    schedule = sim.schedule if e.mode == "nus" else None
    if grid not in e.grids:
        assert table.check(e, shape, grid) is not None
        with pytest.raises(ValueError, match="starting at 0 only|use --method ist"):
            reconstruction.reconstruct(sim.nus, e.mode, e.method, schedule, grid)
        if e.mode != "nus":  # no method named: the grid's method, IST
            assert table.choose(None, e.mode, grid)[0].method == "ist"
            assert "IST reconstructs it" in table.choose(None, e.mode, grid)[1]
        return
    measured = {"echo": sim.echo, "antiecho": sim.antiecho, "nus": sim.nus}[e.mode]
    out = reconstruction.reconstruct(measured, e.mode, e.method, schedule, grid,
                            model=(wnn, card) if e.method == "wnn" else None)
    assert out.shape == shape and out.dtype == np.float32 and np.isfinite(out).all()
    # the measured part is kept exactly
    again = degrade(out, e.mode, schedule, start=grid)
    assert np.abs(again - measured).max() < 1e-4 * np.abs(measured).max()
    raw = quality(2 * measured if e.mode != "nus" else measured, sim.reference)["r"]
    r = quality(out, sim.reference)["r"]
    assert r > max(raw, 0.9), (r, raw)
    # its sigma network gives a positive sigma of the same shape on the same grid
    sigma, summary = reconstruction.sigma_for(e, sigmas[e.sigma], out, measured, schedule, grid)
    assert sigma.shape == shape and (sigma > 0).all() and summary["psq"] > 0


def test_half_dwell_wnn_reaches_its_quality_at_t1_from_zero(networks):
    """Same peaks, t1 from 0 or from half a dwell: the WNN (grid-aware data consistency, no
    retraining) reconstructs both equally well."""
    (wnn, card), _ = networks
    scores = {}
    for grid in ((0.0, 0.0), (0.5, 0.0)):
        r = []
        for seed in range(3):
            sim = simulate(size=(64, 256), peaks=(40, 40), seed=seed, noise=2e-3,
                           t1_start=grid[0])
            r.append(quality(reconstruction.reconstruct(sim.echo, "echo", "wnn", start=grid,
                                               model=(wnn, card)), sim.reference)["r"])
        scores[grid] = np.mean(r)
    assert scores[(0.5, 0.0)] > 0.99 and abs(scores[(0.5, 0.0)] - scores[(0.0, 0.0)]) < 0.005


def test_cli_odd_size_half_dwell_pipeline(tmp_path):
    """simulate (63 x 129, t1 from half a dwell) -> reconstruct (WNN and IST) -> score -> info,
    through the real command line: the header's phases say the grid, nothing falls back."""
    from conftest import run_mrai

    from mrai.fileio import read
    from mrai.fileio.header import provenance

    ref, echo = tmp_path / "ref.ft2", tmp_path / "echo.ft2"
    code, _, err = run_mrai("simulate", "--size", "63x129", "--peaks", "20", "--t1-start", "0.5",
                            "--echo", echo, "-o", ref)
    assert code == 0, err
    dic, reference = read(str(ref))
    assert (dic["FDF1P0"], dic["FDF1P1"]) == (pytest.approx(-360 * 0.5 * 31 / 63), 180.0)
    code, _, err = run_mrai("degrade", "--echo", ref, "-o", tmp_path / "again.ft2")
    assert code == 0 and "half a dwell" in err
    # the simulator's Echo is made from P-type lines and noise, degrade splits the total: the
    # same to the noise's t2 = 0 column
    again = read(str(tmp_path / "again.ft2"))[1]
    assert np.abs(again - read(str(echo))[1]).max() < 1e-3 * np.abs(reference).max()
    for method in ("wnn", "ist"):
        out = tmp_path / f"{method}.ft2"
        code, _, err = run_mrai("reconstruct", "--echo", "--method", method, echo, "-o", out)
        assert code == 0 and "t1 from half a dwell" in err, err
        dic, recon = read(str(out))
        assert provenance(dic)["t1start"] == "0.5" and recon.shape == (63, 129)
        assert quality(recon, reference)["r"] > 0.98
        code, report, err = run_mrai("score", "--json", out)
        assert code == 0, err
        assert '"psq"' in report.decode()
    code, report, _ = run_mrai("info", tmp_path / "wnn.ft2")
    assert "F1: P0 -88.5714 P1 180" in report.decode() and "split as from half a dwell" in \
        report.decode()
    code, _, err = run_mrai("degrade", "--nus", "0.5", ref, "-o", tmp_path / "nus.ft2")
    assert code == 2 and "NUS is handled on time grids starting at 0 only" in err
    assert not (tmp_path / "nus.ft2").exists()


def test_cli_warns_off_grid(tmp_path):
    from conftest import run_mrai

    echo = tmp_path / "echo.ft2"
    assert run_mrai("simulate", "--size", "32x128", "--peaks", "10", "--t1-start", "0.15",
                    "--echo", echo, "-o", tmp_path / "ref.ft2")[0] == 0
    code, _, err = run_mrai("reconstruct", "--echo", "--method", "ist", echo, "-o",
                            tmp_path / "out.ft2")
    assert code == 0 and "warning" in err and "0.15 dwell off the nearest grid" in err


def test_cli_warns_when_the_input_looks_unphased(tmp_path):
    from conftest import run_mrai

    from mrai.fileio import write
    from mrai.fileio.header import spectrum_header

    sim = simulate(size=(64, 256), peaks=(30, 30), seed=4)
    for phase, warned in ((0.0, False), (60.0, True)):
        # an F2 phase error of ``phase`` degrees, through the complex F2 spectrum
        t = np.fft.ifft(sim.echo.astype(np.float64), axis=1)
        t[:, 129:] = 0
        t[:, 1:128] *= 2
        echo = (np.fft.fft(t, axis=1) * np.exp(1j * np.deg2rad(phase))).real.astype(np.float32)
        path = tmp_path / f"echo{phase:g}.ft2"
        write(str(path), spectrum_header((64, 256)), echo)
        code, _, err = run_mrai("reconstruct", "--echo", "--method", "ist", path, "-o",
                                tmp_path / f"out{phase:g}.ft2")
        assert code == 0, err
        assert ("looks unphased" in err) == warned, err
