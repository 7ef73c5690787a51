"""scripts/realdata.py, scripts/bench_sigma.py and scripts/compare_simulator.py on data made here
(a small simulated Bruker set stands in for a measured one): names, skipping absent sets, the
cache, time grids and regions, the real-spectrum rows of the sigma benchmark, the simulator
comparison's table and JSON."""

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from mrai.fileio import write
from mrai.simulate import simulate

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

import realdata  # noqa: E402


def test_names():
    assert realdata.parse_names("all") == realdata.NAMES
    assert realdata.parse_names("default") == realdata.NAMES
    assert realdata.parse_names("default", realdata.WHOLE) == realdata.WHOLE
    assert realdata.parse_names("none") == ()
    assert realdata.parse_names(" malt1, adkins ") == ("malt1", "adkins")
    with pytest.raises(ValueError, match="unknown real spectra nope"):
        realdata.parse_names("malt1,nope")
    assert set(realdata.WHOLE) <= set(realdata.NAMES)


def test_absent_sets_are_skipped(tmp_path):
    notes = []
    assert list(realdata.spectra(data=tmp_path, note=notes.append)) == []
    assert len(notes) == len(realdata.NAMES) and all("skipped" in n for n in notes)
    with pytest.raises(ValueError, match="unknown"):
        realdata.load("nope", tmp_path)


def test_from_file_reads_grid_and_region(tmp_path):
    sim = simulate(size=(32, 128), peaks=5, seed=1, t1_start=0.5)
    path = tmp_path / "malt1_like.ft2"
    write(str(path), sim.header, sim.reference)
    spec = realdata.from_file(path)
    assert spec.name == "malt1_like.ft2" and spec.start == (0.5, 0.0)
    assert spec.region is not None and spec.spectrum.dtype == np.float32
    np.testing.assert_array_equal(spec.spectrum, sim.reference)
    name, header, spectrum = spec[:3]
    assert header["FDF1P1"] == 180.0


def test_raw_set_converted_processed_and_cached(tmp_path, monkeypatch):
    import rawdata as fake

    data = tmp_path / "data"
    fake.write_bruker(data / realdata.SETS["penguins"][0], increments=32, points=256)
    monkeypatch.setenv("MRAI_CACHE", str(tmp_path / "cache"))
    first = realdata.load("penguins", data)
    assert "converted" in first.source and "(cached)" not in first.source
    assert first.spectrum.ndim == 2 and first.spectrum.dtype == np.float32
    assert first.start == (0.0, 0.0)
    assert len(list((tmp_path / "cache").glob("penguins-*.ft2"))) == 1
    again = realdata.load("penguins", data)
    assert again.source.endswith("(cached)")
    np.testing.assert_array_equal(again.spectrum, first.spectrum)
    fresh = realdata.load("penguins", data, cache=False)
    np.testing.assert_array_equal(fresh.spectrum, first.spectrum)


def test_malt1_when_present():
    path = realdata.default_data() / realdata.SETS["malt1"][0]
    if not path.exists():
        pytest.skip(f"{path} not present (../shared is absent)")
    spec = realdata.load("malt1")
    assert spec.spectrum.shape == (256, 2048) and spec.start == (0.0, 0.0)
    assert spec.spectrum[spec.region].shape == (256, 701)


def test_bench_sigma_real_rows_on_a_half_dwell_grid():
    import bench_sigma
    from mrai.metrics import f2_region
    from mrai.nn.inference import default_sigma_model, load_sigma

    sim = simulate(size=(64, 256), peaks=20, noise=2e-3, seed=3, t1_start=0.5)
    spec = realdata.RealSpectrum("sim", sim.header, sim.reference, f2_region(20, 200),
                                 (0.5, 0.0), (0.0, 0.0), "simulated")
    sigmas = {name: load_sigma(default_sigma_model(name), "auto")[0]
              for name in ("ist-echo", "ist-nus")}
    notes = []
    rows = bench_sigma.real(sigmas, None, spec, note=notes.append)
    # NUS is not served on a half-dwell t1 grid: skipped with a note
    assert len(notes) == 1 and "nus" in notes[0]
    assert [(r["case"], r["region"]) for r in rows] == [
        ("echo", "whole"), ("echo", "F2 20..200"), ("antiecho", "whole"),
        ("antiecho", "F2 20..200")]
    for r in rows:
        assert 0 <= r["coverage"] <= 1 and r["psq"] > 0 and r["rmsd"] > 0
        assert r["ratio"] == pytest.approx(r["psq"] / r["rmsd"])
    assert bench_sigma.rho(rows) == pytest.approx(bench_sigma.rho(rows))
    assert np.isnan(bench_sigma.rho(rows[:2]))


def test_compare_simulator_table_and_json(tmp_path, capsys):
    import compare_simulator
    from mrai.simulate.statistics import DESCRIPTIONS

    out = tmp_path / "stats.json"
    compare_simulator.main(["--spectra", "none", "--recipes", "plain", "--seeds", "2",
                            "--size", "64x512", "--json", str(out)])
    text = capsys.readouterr().out
    lines = text.splitlines()
    assert "plain med" in lines[1] and "plain range" in lines[1]
    for key in DESCRIPTIONS:
        assert any(line.startswith(key + " ") for line in lines), key
    doc = json.loads(out.read_text())
    assert doc["real"] == {} and doc["size"] == [64, 512]
    plain = doc["recipes"]["plain"]
    assert [row["seed"] for row in plain["per_seed"]] == [0, 1]
    values = [row["statistics"]["noise"] for row in plain["per_seed"]]
    assert plain["median"]["noise"] == pytest.approx(np.median(values))
    assert plain["min"]["noise"] == pytest.approx(min(values))
    with pytest.raises(SystemExit):
        compare_simulator.main(["--recipes", "nope"])


def test_compare_wnn_scores_every_method_on_each_part(tmp_path, monkeypatch, capsys):
    import compare_wnn
    import rawdata as fake
    from mrai.methods.ist import ist
    from mrai.metrics import quality
    from mrai.physics import degrade

    data = tmp_path / "data"
    fake.write_bruker(data / realdata.SETS["penguins"][0], increments=32, points=256)
    monkeypatch.setenv("MRAI_CACHE", str(tmp_path / "cache"))
    compare_wnn.main(["--data", str(data), "--spectra", "penguins", "--recipes", ""])
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split() == ["case", "IST", "wnn-echo"]
    spec = realdata.load("penguins", data)
    for mode, line in zip(("echo", "antiecho"), lines[2:4]):
        assert line.startswith(f"penguins {mode} whole")
        cells = line.split()[3:5]
        ist_r, ist_rmsd = (float(x) for x in cells[0].split("/"))
        q = quality(ist(degrade(spec.spectrum, mode, start=spec.start), mode,
                        start=spec.start), spec.spectrum)
        assert ist_r == pytest.approx(q["r"], abs=1e-4)
        assert ist_rmsd == pytest.approx(q["rmsd"], abs=1e-4)
        wnn_r = float(cells[1].split("/")[0])
        assert line.endswith("best " + ("IST" if ist_r > wnn_r else "wnn-echo"))
    assert lines[4].startswith("measured, whole width (mean r)")
