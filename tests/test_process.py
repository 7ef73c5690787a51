"""mrai process: NMRPipe-style processing of 2D time-domain data (library, recipes, CLI)."""

import re

import numpy as np
import nmrglue as ng
import pytest
from nmrglue.fileio.fileiobase import create_blank_udic
from nmrglue.process import pipe_proc as pp

from conftest import run_mrai
from test_cli import assert_bad
from mrai.errors import InputError
from mrai.fileio import provenance, read, write
from mrai.fileio.header import HEADER_BYTES, spectrum_header
from mrai.process import Coord, check_input, default_recipe, format_recipe, parse_recipe, process

SW, OBS, CAR = (2000.0, 8000.0), (60.8, 600.1), (118.0, 4.7)  # (F1, F2): Hz, MHz, ppm
# peak offsets from the carriers in Hz (F1, F2), on the grid of the default zero fill (31.25 Hz)
PEAKS = ((312.5, -1000.0), (-500.0, 1500.0))


def fid_header(n1, n2, f1_complex=True):
    """Header of 2D time-domain data as bruk2pipe writes it: F2 n2 complex points, F1 n1
    complex (States) points, or n1 real (TPPI) points."""
    udic = create_blank_udic(2)
    for axis, size, is_complex, encoding, label in (
            (0, 2 * n1 if f1_complex else n1, f1_complex, "states" if f1_complex else "tppi",
             "15N"), (1, n2, True, "direct", "1H")):
        udic[axis].update(size=size, complex=is_complex, encoding=encoding, sw=SW[axis],
                          obs=OBS[axis], car=CAR[axis] * OBS[axis], label=label, time=True,
                          freq=False)
    return ng.pipe.create_dic(udic)


def states_fid(n1=32, n2=128, peaks=PEAKS, **fields):
    """(dic, data): damped complex exponentials along t2, States cos / sin rows along t1."""
    dic = fid_header(n1, n2)
    dic.update(fields)
    t1, t2 = np.arange(n1) / SW[0], np.arange(n2) / SW[1]
    data = np.zeros((2 * n1, n2), np.complex128)
    for f1, f2 in peaks:
        direct = np.exp(2j * np.pi * f2 * t2 - 25 * t2)
        decay = np.exp(-15 * t1)
        data[0::2] += np.outer(np.cos(2 * np.pi * f1 * t1) * decay, direct)
        data[1::2] += np.outer(np.sin(2 * np.pi * f1 * t1) * decay, direct)
    return dic, data.astype(np.complex64)


@pytest.fixture
def fid_file(tmp_path):
    path = tmp_path / "t.fid"
    write(str(path), *states_fid())
    return path


def expected_points(dic, spectrum, peaks=PEAKS):
    """(row, column) of each peak from the header, as NMRPipe's axis calibration gives it."""
    uc1, uc2 = (ng.pipe.make_uc(dic, spectrum, dim) for dim in (0, 1))
    return [(uc1.f(CAR[0] * OBS[0] + f1, "hz"), uc2.f(CAR[1] * OBS[1] + f2, "hz"))
            for f1, f2 in peaks]


def is_local_max(spectrum, row, col, reach=3):
    window = spectrum[max(row - reach, 0):row + reach + 1, max(col - reach, 0):col + reach + 1]
    return spectrum[row, col] == window.max()


# ---- the library -----------------------------------------------------------------------------

def test_default_recipe_puts_peaks_where_the_header_says():
    dic, fid = states_fid()
    out, spectrum = process(dic, fid)
    assert spectrum.shape == (64, 256) and spectrum.dtype == np.float32
    for row, col in expected_points(out, spectrum):
        assert abs(row - round(row)) < 1e-3 and abs(col - round(col)) < 1e-3  # on the grid
        assert is_local_max(spectrum, round(row), round(col))
        assert spectrum[round(row), round(col)] > 0.5 * spectrum.max()


def test_zero_phase_line_is_pure_absorption():
    dic, fid = states_fid(peaks=PEAKS[:1])
    out, spectrum = process(dic, fid)
    row, col = (round(v) for v in expected_points(out, spectrum, PEAKS[:1])[0])
    peak = spectrum[row, col]
    assert peak == spectrum.max() > 0
    for line, at in ((spectrum[row], col), (spectrum[:, col], row)):
        left, right = line[at - 6:at][::-1], line[at + 1:at + 7]
        assert np.allclose(left, right, atol=1e-3 * peak)  # symmetric about the peak
        assert line.min() > -0.05 * peak  # no dispersive (negative) lobe


def test_default_recipe_text_and_header_fields():
    dic, fid = states_fid(FDF2P0=-20.0, FDF1P0=-90.0, FDF1P1=180.0)
    recipe = format_recipe(default_recipe(dic)).splitlines()
    assert recipe == ["SP -off 0.5 -end 0.98 -pow 2 -c 0.5", "ZF -auto", "FT",
                      "PS -p0 -20 -p1 0 -di", "TP",
                      "SP -off 0.5 -end 0.98 -pow 2 -c 1", "ZF -auto", "FT",
                      "PS -p0 -90 -p1 180 -di", "TP"]  # half-dwell F1: first point unscaled
    out, spectrum = process(dic, fid)
    expected = {
        "FDF2FTFLAG": 1, "FDF1FTFLAG": 1, "FDF2QUADFLAG": 1, "FDF1QUADFLAG": 1, "FDQUADFLAG": 1,
        "FDTRANSPOSED": 0, "FDDIMORDER1": 2, "FDDIMORDER2": 1, "FDSIZE": 256, "FDSPECNUM": 64,
        "FDF2FTSIZE": 256, "FDF1FTSIZE": 64, "FDF2ZF": -256, "FDF1ZF": -64,
        "FDF2CENTER": 129, "FDF1CENTER": 33, "FDF2TDSIZE": 128, "FDF1TDSIZE": 32,
        "FDF2APOD": 128, "FDF1APOD": 32, "FDF2APODCODE": 1, "FDF2APODQ1": 0.5,
        "FDF2APODQ2": 0.98, "FDF2APODQ3": 2, "FDF2C1": -0.5, "FDF1C1": 0.0,
        "FDF2P0": -20, "FDF1P0": -90, "FDF1P1": 180}
    assert {k: out[k] for k in expected} == pytest.approx(expected)
    for code, size in ((2, 256), (1, 64)):  # ORIG: the last point's frequency (Hz)
        car, obs, sw, center = (out[f"FDF{code}{k}"] for k in ("CAR", "OBS", "SW", "CENTER"))
        assert out[f"FDF{code}ORIG"] == pytest.approx(car * obs - sw * (size - center) / size)
    assert spectrum.shape == (64, 256)


def test_ext_in_ppm_keeps_the_calibration():
    dic, fid = states_fid()
    full_dic, full = process(dic, fid)
    recipe = format_recipe(default_recipe(dic)).replace(
        "-di\nTP", "-di\nEXT -x1 10ppm -xn 2.5ppm -sw\nTP", 1)  # after F2's PS
    out, spectrum = process(dic, fid, recipe)
    uc = ng.pipe.make_uc(full_dic, full, 1)
    first, last = round(uc.f(10, "ppm")) + 1, round(uc.f(2.5, "ppm")) + 1  # 1-based
    assert (out["FDF2X1"], out["FDF2XN"]) == (first, last)
    assert spectrum.shape == (64, last - first + 1) and out["FDSIZE"] == last - first + 1
    assert out["FDF2SW"] == pytest.approx(full_dic["FDF2SW"] * spectrum.shape[1] / 256)
    assert np.array_equal(spectrum, full[:, first - 1:last])
    for (row, col), (row_full, col_full) in zip(expected_points(out, spectrum),
                                                expected_points(full_dic, full)):
        assert (row, col + first - 1) == pytest.approx((row_full, col_full), abs=1e-3)
    assert {k: out[k] for k in ("FDF1SW", "FDF1CENTER", "FDF1ORIG", "FDF1APOD")} == \
        {k: full_dic[k] for k in ("FDF1SW", "FDF1CENTER", "FDF1ORIG", "FDF1APOD")}
    again, _ = process(out, spectrum, "EXT -x1 11 -xn -5")  # X1/XN count in the full spectrum
    assert (again["FDF2X1"], again["FDF2XN"]) == (first + 10, last - 5)


def test_process_equals_nmrglue_pipe_proc():
    dic, fid = states_fid()
    recipe = """# F2
    EM -lb 10 -c 0.5
    ZF -size 200 ; FT
    PS -p0 20 -p1 -10 -di
    EXT -x1 20 -xn 180 -sw
    TP   # F1
    GM -g1 5 -g2 10 -g3 0.2
    ZF -auto
    FT
    PS -p0 -5 -p1 0 -di
    YTP
    """
    out, spectrum = process(dic, fid, recipe)
    d, a = dict(dic), fid.copy()
    d, a = pp.em(d, a, lb=10, c=0.5)
    d, a = pp.zf(d, a, size=200)
    d, a = pp.ft(d, a)
    d, a = pp.di(*pp.ps(d, a, p0=20, p1=-10))
    d, a = pp.ext(d, a, x1=20, xn=180)
    d, a = pp.tp(d, a, auto=True)
    d, a = pp.gm(d, a, g1=5, g2=10, g3=0.2)
    d, a = pp.zf(d, a, auto=True)
    d, a = pp.ft(d, a)
    d, a = pp.di(*pp.ps(d, a, p0=-5, p1=0))
    d, a = pp.tp(d, a, auto=True)
    assert np.array_equal(spectrum, a)
    fields = [f"FDF{c}{k}" for c in (1, 2) for k in (
        "FTFLAG", "QUADFLAG", "CENTER", "ORIG", "SW", "FTSIZE", "ZF", "APODCODE", "APODQ1",
        "APODQ2", "APODQ3", "C1", "P0", "P1", "X1", "XN")] + ["FDSIZE", "FDSPECNUM",
                                                              "FDTRANSPOSED", "FDQUADFLAG"]
    assert {k: out[k] for k in fields} == {k: d[k] for k in fields}
    assert fid.dtype == np.complex64 and np.array_equal(fid, states_fid()[1])  # input unchanged


def test_hypercomplex_transpose_and_base():
    dic, fid = states_fid()
    out, spectrum = process(dic, fid)
    default = format_recipe(default_recipe(dic))
    hyper = default.replace("-di\nTP", "\nTP", 1) + "DI\n"  # F2 imaginaries kept through TP
    assert np.array_equal(process(dic, fid, hyper)[1], spectrum)
    ramp = np.add.outer(np.arange(64.0), 0.1 * np.arange(256.0)).astype(np.float32)
    _, flat = process(out, ramp, "BASE -nl 10% 50% -first -last")
    assert np.abs(flat).max() < 1e-3
    _, edges = process(out, ramp, "BASE -nl 10% 50% -nw 2 -first -last")  # windows clamped
    assert np.abs(edges).max() <= 0.11
    noisy = ramp + np.random.default_rng(1).normal(size=ramp.shape).astype(np.float32)
    _, mine = process(out, noisy, "BASE -nl 10 100 200 -nw 3")
    assert np.allclose(mine, pp.base(dict(out), noisy.copy(), nl=[10, 100, 200], nw=3)[1],
                       atol=1e-4)


def test_f1_already_real_keeps_the_rows():
    """F1 already a real spectrum: only F2 is processed, and FDSPECNUM stays the row count
    (nmrglue's DI alone would halve it, FD2DPHASE being States)."""
    dic, fid = states_fid()
    dic.update(FDF1FTFLAG=1.0, FDF1QUADFLAG=1.0, FDSPECNUM=64.0)
    assert len(default_recipe(dic)) == 4  # F2 only, no TP
    out, spectrum = process(dic, fid)  # 64 rows, each a complex F2 FID
    assert spectrum.shape == (64, 256) and spectrum.dtype == np.float32
    assert (out["FDSPECNUM"], out["FDSLICECOUNT"], out["FDQUADFLAG"]) == (64, 64, 1)


def test_tppi_f1_gets_a_real_ft():
    n1, n2 = 64, 128
    dic = fid_header(n1, n2, f1_complex=False)
    k, t2 = np.arange(n1), np.arange(n2) / SW[1]
    t1 = np.cos(2 * np.pi * (SW[0] / 2 - 312.5) * k / (2 * SW[0])) * np.exp(-10 * k / SW[0])
    fid = np.outer(t1, np.exp(2j * np.pi * -1000.0 * t2 - 25 * t2)).astype(np.complex64)
    assert "FT -real" in format_recipe(default_recipe(dic)).splitlines()
    out, spectrum = process(dic, fid)
    assert spectrum.shape == (64, 256) and spectrum.dtype == np.float32
    assert (out["FDF1FTSIZE"], out["FDF1CENTER"], out["FDSPECNUM"]) == (128, 33, 64)
    row, col = expected_points(out, spectrum, PEAKS[:1])[0]
    assert is_local_max(spectrum, round(row), round(col))


def test_single_plane_3d_and_refusals():
    dic, fid = states_fid()
    flat_dic, flat = process(dic, fid)
    dic3 = dict(dic, FDDIMCOUNT=3.0, FDF3SIZE=1.0, FDPIPEFLAG=1.0, FDF3QUADFLAG=1.0)
    out, stacked = process(dic3, fid[np.newaxis])
    assert stacked.shape == (1,) + flat.shape and np.array_equal(stacked[0], flat)
    with pytest.raises(InputError, match="3D time-domain processing is not supported"):
        process(dic3, np.stack([fid, fid]))
    with pytest.raises(InputError, match="1D"):
        check_input(dict(dic, FDDIMCOUNT=1.0))
    with pytest.raises(InputError, match="already processed"):
        check_input(flat_dic, processed_ok=False)
    bad = fid.copy()
    bad[3, 5] = np.nan
    with pytest.raises(InputError, match="x.fid: contains NaN"):
        process(dic, bad, source="x.fid")
    with pytest.raises(InputError, match=r"step 2 \(PS -p0 3\): PS needs complex data"):
        process(dic, fid, "FT -di; PS -p0 3")


def test_ft_auto_follows_aqsign():
    dic, fid = states_fid()
    for sign, modes in ((0, ""), (2, "-alt"), (16, "-neg"), (18, "-alt -neg")):
        signed = dict(dic, FDF2AQSIGN=float(sign))
        _, auto = process(signed, fid, "FT -auto")
        _, explicit = process(signed, fid, f"FT {modes}")
        assert np.array_equal(auto, explicit), sign


# ---- recipes ------------------------------------------------------------------------------------

def test_parse_recipe_lines_comments_units():
    steps = parse_recipe("""
        # a comment line

        sp -off 0.5 -end 0.98 -pow 2 -c 0.5   # trailing comment
        ZF -auto; FT -alt -neg
        EXT -x1 10.5ppm -xn -4 -sw
        BASE -nl 1 20% 4000Hz -nw 2 -first
        YTP -hyper
        """)
    assert [s.name for s in steps] == ["SP", "ZF", "FT", "EXT", "BASE", "TP"]
    assert steps[0].args == {"off": 0.5, "end": 0.98, "pow": 2.0, "c": 0.5}
    assert steps[0].line == 4 and steps[0].text == "sp -off 0.5 -end 0.98 -pow 2 -c 0.5"
    assert steps[1].line == steps[2].line == 5 and steps[2].args == {"alt": True, "neg": True}
    assert steps[3].args == {"x1": Coord(10.5, "ppm"), "xn": Coord(-4.0), "sw": True}
    assert steps[4].args == {"nl": [Coord(1), Coord(20, "%"), Coord(4000, "hz")], "nw": 2,
                             "first": True}


@pytest.mark.parametrize("text, needles", [
    ("FT\nFOO -x 1", ["line 2", "unknown function 'FOO'", "FOO -x 1"]),
    ("SP -off 0.5 -bogus 3", ["line 1", "unknown flag -bogus for SP", "-off"]),
    ("ZF\n\nZF -size", ["line 3", "-size needs an integer"]),
    ("PS -p0 abc", ["-p0 needs a number", "'abc'"]),
    ("FT 3", ["unexpected '3'"]),
    ("EXT -x1 10ppx", ["-x1 needs a location"]),
    ("POLY -auto -ord 1", ["POLY is not supported", "BASE"]),
])
def test_parse_recipe_errors_name_the_line(text, needles):
    with pytest.raises(InputError) as info:
        parse_recipe(text, "r.txt")
    assert str(info.value).startswith("r.txt: ")
    for needle in needles:
        assert needle in str(info.value)


# ---- nmrPype (a Python nmrPipe) -------------------------------------------------------------

NMRPYPE_F2 = [("SP -off 0.5 -end 0.98 -pow 2 -c 0.5", "SP",
               dict(sp_off=0.5, sp_end=0.98, sp_pow=2.0, sp_c=0.5)),
              ("ZF -size 256", "ZF", dict(zf_size=256)), ("FT", "FT", {}),
              ("PS -p0 30 -p1 0", "PS", dict(ps_p0=30.0, ps_p1=0.0)), ("DI", "DI", {})]
NMRPYPE_2D = NMRPYPE_F2 + [("TP", "TP", {})] + NMRPYPE_F2[:4] + [("DI", "DI", {}), ("TP", "TP", {})]


@pytest.mark.parametrize("steps", [NMRPYPE_F2, NMRPYPE_2D], ids=["F2", "2D"])
def test_matches_nmrpype(fid_file, steps):
    nmrpype = pytest.importorskip("nmrPype")
    frame = nmrpype.DataFrame(str(fid_file))
    for text, name, args in steps:
        try:
            frame.runFunc(name, args)
        except Exception as exc:  # nmrPype 1.0.9 cannot run TP on 2D data, for one
            pytest.skip(f"nmrPype cannot run {text}: {exc}")
    dic, fid = read(str(fid_file))
    out, spectrum = process(dic, fid, [text for text, _, _ in steps])
    theirs = np.asarray(frame.array)
    assert theirs.shape == spectrum.shape
    assert np.corrcoef(theirs.ravel(), spectrum.ravel())[0, 1] >= 0.9999
    fields = ["FDSIZE", "FDSPECNUM", "FDQUADFLAG", "FDF2QUADFLAG", "FDF1QUADFLAG", "FDF2FTFLAG",
              "FDF1FTFLAG", "FDF2CENTER", "FDF2ORIG", "FDF2ZF", "FDF2FTSIZE", "FDF2APODCODE",
              "FDF2APODQ1", "FDF2APODQ2", "FDF2APODQ3", "FDF2P0", "FDF2P1", "FDTRANSPOSED"]
    assert {k: out[k] for k in fields} == pytest.approx({k: frame.header[k] for k in fields})


# ---- the command line --------------------------------------------------------------------------

def test_cli_file_stream_show_and_provenance(tmp_path, fid_file):
    code, out, err = run_mrai("process", fid_file, "-o", tmp_path / "a.ft2")
    assert code == 0 and out == b"" and "10 steps, 64 rows of 256 real points" in err, err
    dic, spectrum = read(str(tmp_path / "a.ft2"))
    fid_dic, fid = read(str(fid_file))
    expected_dic, expected = fid_dic, process(fid_dic, fid)[1]
    assert np.array_equal(spectrum, expected)
    assert dic["FDF1FTFLAG"] == dic["FDF2FTFLAG"] == 1 and dic["FDQUADFLAG"] == 1
    assert provenance(dic)["command"] == "process" and provenance(dic)["recipe"] == "default"
    code, out, _ = run_mrai("process", stdin=fid_file.read_bytes())  # stdin -> stdout
    assert code == 0 and len(out) == HEADER_BYTES + 4 * spectrum.size
    (tmp_path / "s.ft2").write_bytes(out)
    assert np.array_equal(read(str(tmp_path / "s.ft2"))[1], expected)
    code, out, err = run_mrai("process", "-in", fid_file, "--show")
    assert code == 0 and out == b""
    assert err.splitlines()[1:] == format_recipe(default_recipe(expected_dic)).splitlines()


def test_cli_recipe_file_fn_and_dimension_parts(tmp_path, fid_file):
    steps = ["EM -lb 5 -c 0.5", "ZF -size 256", "FT", "PS -p0 10 -p1 0 -di", "TP",
             "SP -off 0.5 -pow 2 -c 0.5", "ZF -auto", "FT", "PS -p0 0 -p1 0 -di", "TP"]
    (tmp_path / "r.txt").write_text("# my recipe\n" + "\n".join(steps) + "\n")
    code, _, err = run_mrai("process", fid_file, "--recipe", tmp_path / "r.txt",
                            "-o", tmp_path / "r.ft2")
    assert code == 0, err
    fn_args = [arg for step in steps for arg in ("--fn", step)]
    code, _, err = run_mrai("process", fid_file, *fn_args, "-o", tmp_path / "f.ft2")
    assert code == 0, err
    parts = ("--f2", "; ".join(steps[:4]), "--f1", "; ".join(steps[5:9]))
    code, _, err = run_mrai("process", fid_file, *parts, "-o", tmp_path / "p.ft2")
    assert code == 0, err
    dic, expected = process(*read(str(fid_file)), steps)
    for name in ("r", "f", "p"):
        assert np.array_equal(read(str(tmp_path / f"{name}.ft2"))[1], expected), name
    record = provenance(read(str(tmp_path / "f.ft2"))[0])
    assert record["steps"] == "10" and "recipe" not in record  # too long for the comment
    code, _, err = run_mrai("process", fid_file, "--fn", "FT; DI", "-o", tmp_path / "s.ft2")
    assert code == 0 and provenance(read(str(tmp_path / "s.ft2"))[0])["recipe"] == "FT;DI", err


def test_cli_refusals(tmp_path, fid_file):
    (tmp_path / "out.ft2").write_bytes(b"keep")
    assert_bad(*run_mrai("process", fid_file, "-o", tmp_path / "out.ft2"), "exists", "-ov")
    assert (tmp_path / "out.ft2").read_bytes() == b"keep"
    write(str(tmp_path / "spec.ft2"), spectrum_header((16, 32)), np.ones((16, 32), np.float32))
    assert_bad(*run_mrai("process", tmp_path / "spec.ft2", "-o", tmp_path / "o.ft2"),
               "spec.ft2", "already processed")
    code, _, err = run_mrai("process", tmp_path / "spec.ft2", "--fn", "EXT -left -sw",
                            "-o", tmp_path / "left.ft2")      # given steps may take a spectrum
    assert code == 0, err
    left_dic, left = read(str(tmp_path / "left.ft2"))
    assert left.shape == (16, 16) and left_dic["FDF2SW"] == pytest.approx(
        spectrum_header((16, 32))["FDF2SW"] / 2)
    (tmp_path / "r.txt").write_text("SP -off 0.5\nZF -sise 5\n")
    assert_bad(*run_mrai("process", fid_file, "--recipe", tmp_path / "r.txt",
                        "-o", tmp_path / "o.ft2"), "r.txt: line 2", "unknown flag -sise")
    assert not (tmp_path / "o.ft2").exists()


# ---- automatic phasing and the phase check ---------------------------------------------------

AUTO_F2 = (-70.0, 45.0)    # nmrPipe phases the simulated peaks need
AUTO_F1 = (30.0, 0.0)


def _phase_off(found, truth, x):
    """Largest difference (degrees, modulo 360) between two phase lines at positions x."""
    diff = (found[0] + found[1] * x) - (truth[0] + truth[1] * x)
    return float(np.abs((diff + 180.0) % 360.0 - 180.0).max())


def _peak_positions(peaks):
    f1, f2, _ = (np.array(v) for v in zip(*peaks))
    return 0.5 - f2, 0.5 - f1


@pytest.mark.parametrize("keep, vendor", [("both", "bruker"), ("echo", "bruker"),
                                          ("antiecho", "bruker"), ("echo", "varian-f1180")])
def test_autophase_recovers_known_phases(tmp_path, keep, vendor):
    """Simulated raw data whose peaks need known phases, converted with zero phases: autophase
    finds F2 (and for both halves F1) within a few degrees at every peak; Echo-only and
    Anti-Echo-only data keep the header's F1 (0, or -90 / 180 for f1180)."""
    import rawdata
    from mrai.fileio.convert import to_pipe
    from mrai.fileio.header import stamp
    from mrai.fileio.raw import read_raw
    from mrai.process.autophase import autophase

    peaks = rawdata.random_peaks()
    f1_truth = AUTO_F1 if keep == "both" else (0.0, 0.0)
    if vendor == "bruker":
        folder = rawdata.write_bruker_phased(str(tmp_path / "b"), AUTO_F2, f1_truth, store=False,
                                             increments=64, points=512, peaks=peaks)
    else:
        folder = rawdata.write_varian_phased(str(tmp_path / "v"), AUTO_F2, f1_truth, store=False,
                                             increments=64, points=512, peaks=peaks, f1180=True)
    dic, data = to_pipe(read_raw(folder), keep=keep, phases="zero")
    dic = stamp(dic, "convert", keep=keep)
    found = autophase(dic, data)
    assert found == autophase(dic, data)  # deterministic
    x2, x1 = _peak_positions(peaks)
    header_f1 = (dic["FDF1P0"], dic["FDF1P1"])
    if keep == "both":
        assert found.f1_fitted
        # (F2 + 180, F1 + 180) is the same correction: compare modulo that
        flips = [(found.f2, found.f1), ((found.f2[0] + 180, found.f2[1]),
                                        (found.f1[0] + 180, found.f1[1]))]
        assert min(max(_phase_off(f2, AUTO_F2, x2), _phase_off(f1, f1_truth, x1))
                   for f2, f1 in flips) < 6.0
    else:
        assert not found.f1_fitted and found.f1 == header_f1
        assert header_f1 == ((-90.0, 180.0) if vendor != "bruker" else (0.0, 0.0))
        assert _phase_off(found.f2, AUTO_F2, x2) < 6.0


def test_cli_autophase(tmp_path):
    import rawdata

    folder = rawdata.write_bruker_phased(str(tmp_path / "b"), AUTO_F2, AUTO_F1, store=False,
                                         increments=64, points=512, peaks=rawdata.random_peaks())
    fid = tmp_path / "t.fid"
    code, _, err = run_mrai("convert", folder, "-o", fid)
    assert code == 0, err
    code, _, err = run_mrai("process", fid, "--autophase", "--show")
    assert code == 0 and "--autophase F2 P0" in err and "(F1 fitted;" in err, err
    shown = re.findall(r"PS -p0 (\S+) -p1 (\S+) -di", err)
    assert len(shown) == 2 and shown[0] != ("0", "0")
    out = tmp_path / "t.ft2"
    code, _, err = run_mrai("process", fid, "--autophase", "-o", out)
    assert code == 0, err
    dic, spectrum = read(str(out))
    assert (dic["FDF2P0"], dic["FDF2P1"]) == pytest.approx(tuple(float(v) for v in shown[0]),
                                                           abs=1e-3)
    from mrai.process.autophase import looks_unphased

    assert not looks_unphased(spectrum).unphased
    code, _, err = run_mrai("convert", folder, "--keep", "echo", "-o", tmp_path / "e.fid")
    code, _, err = run_mrai("process", tmp_path / "e.fid", "--autophase", "--show")
    assert code == 0 and "F1 the header's" in err, err
    code, _, err = run_mrai("process", fid, "--autophase", "both", "--show")
    assert code == 0 and "(F1 fitted;" in err, err
    code, _, err = run_mrai("process", fid, "--autophase", "--fn", "FT")
    assert code == 2 and "--autophase phases the default recipe" in err


def _with_phase(spectrum, axis, p0, p1=0.0):
    """``spectrum`` with a phase error P0 + P1 x along ``axis`` (through its complex form)."""
    from mrai.process.autophase import analytic

    n = spectrum.shape[axis]
    ramp = np.exp(1j * np.radians(p0 + p1 * np.arange(n) / n))
    ramp = ramp[None, :] if axis == 1 else ramp[:, None]
    return (analytic(spectrum, axis) * ramp).real


@pytest.fixture(scope="module")
def simulated_parts():
    from mrai.simulate import simulate

    sim = simulate(size=(128, 1024), peaks=100, seed=1)
    half = simulate(size=(128, 1024), peaks=100, seed=2, t1_start=0.5)
    return {"reference": sim.reference, "echo": sim.echo, "antiecho": sim.antiecho,
            "half-dwell echo": half.echo}


def test_looks_unphased_passes_phased_and_twisted_spectra(simulated_parts):
    from mrai.process.autophase import looks_unphased

    for name, spectrum in simulated_parts.items():
        check = looks_unphased(spectrum)
        unphased, reason = check  # unpacks as (bool, reason)
        assert not unphased and reason.startswith("phased"), (name, reason)
        assert check.peaks > 10 and check.f2 < 5 and check.f1 < 5, (name, check)
        assert not looks_unphased(-spectrum).unphased  # negative peaks are phased too


@pytest.mark.parametrize("error", [30.0, 60.0, 90.0, -45.0])
def test_looks_unphased_flags_an_f2_phase_error(simulated_parts, error):
    from mrai.process.autophase import looks_unphased

    for name, spectrum in simulated_parts.items():
        unphased, reason = looks_unphased(_with_phase(spectrum, 1, error))
        assert unphased and "F2" in reason and "--autophase" in reason, (name, reason)


def test_looks_unphased_flags_f1_and_first_order_errors(simulated_parts):
    from mrai.process.autophase import looks_unphased

    reference = simulated_parts["reference"]
    check = looks_unphased(_with_phase(reference, 0, 45.0))
    assert check.unphased and check.f1 > 16 > check.f2
    assert looks_unphased(_with_phase(reference, 1, -60.0, 120.0)).unphased


def test_looks_unphased_is_cheap_and_refuses_to_guess(monkeypatch):
    """Cheap by construction: one analytic signal per axis (two FFT pairs of the spectrum) and
    at most PEAKS peak tops, whatever the spectrum holds; counted, not timed."""
    from mrai.process import autophase
    from mrai.process.autophase import looks_unphased
    from mrai.simulate import simulate

    calls = []
    real = autophase.analytic
    monkeypatch.setattr(autophase, "analytic", lambda s, axis: calls.append(axis) or real(s, axis))
    spectrum = simulate(size=(256, 2048), peaks=150, seed=5).reference
    check = looks_unphased(spectrum)
    assert not check.unphased and sorted(calls) == [0, 1]
    assert 3 <= check.peaks <= autophase.PEAKS
    noise = np.random.default_rng(0).standard_normal((64, 256))
    assert not looks_unphased(noise).unphased
    assert looks_unphased(np.ones((4, 4))).reason.startswith("not judged")


# ---- nmrPipe's -fn spelling, the steps SOL LP MED CS REV, UCSF output ------------------------

def test_fn_args_rewrites_nmrpipe_steps():
    from mrai.process.recipe import fn_args

    own = {"-in", "-o", "-out", "-ov"}
    assert fn_args(["-fn", "EXT", "-x1", "101", "-xn", "913"]) == ["--fn", "EXT -x1 101 -xn 913"]
    assert fn_args(["in.fid", "-fn", "PS", "-p0", "-90", "-p1", "0", "-di", "--fn", "TP",
                    "-fn", "BASE", "-nl", "1", "5%", "-nw", "3", "x.ft2", "-out", "o", "-ov"],
                   own) == ["in.fid", "--fn", "PS -p0 -90 -p1 0 -di", "--fn", "TP", "--fn",
                            "BASE -nl 1 5% -nw 3", "x.ft2", "-out", "o", "-ov"]
    # SP's -off and -one are SP's flags, not -o; an unknown flag keeps its values for the error
    assert fn_args(["-fn", "SP", "-off", "0.5", "-one", "-o", "x"], own) == \
        ["--fn", "SP -off 0.5 -one", "-o", "x"]
    assert fn_args(["-fn", "EXT", "-x11", "5", "-o", "x"], own) == ["--fn", "EXT -x11 5", "-o", "x"]
    with pytest.raises(InputError, match="-fn needs a function name"):
        fn_args(["x.ft2", "-fn"])


def _noisy_fid(seed=0):
    dic, fid = states_fid()
    rng = np.random.default_rng(seed)
    noise = rng.standard_normal(fid.shape) + 1j * rng.standard_normal(fid.shape)
    return dic, (fid + 0.01 * noise).astype(np.complex64)


def _nmrglue(function, dic, data, *args, **kwargs):
    import copy
    return function(copy.deepcopy(dic), np.array(data), *args, **kwargs)


def test_new_steps_equal_nmrglue():
    from nmrglue.process import proc_bl

    dic, fid = _noisy_fid()
    for text, theirs in (
            ("CS -rs 5 -neg", lambda d, x: _nmrglue(pp.cs, d, x, "rs", pts=5, neg=True)),
            ("CS -ls 3", lambda d, x: _nmrglue(pp.cs, d, x, "ls", pts=3)),
            ("REV", lambda d, x: _nmrglue(pp.rev, d, x, sw=False)),
            ("SOL -fl 8 -fs 2 -head 1", lambda d, x: _nmrglue(pp.sol, d, x, fl=8, fs=2, head=1)),
            ("SOL -fs 3", lambda d, x: _nmrglue(pp.sol, d, x, fl=16, fs=3)),
            ("LP -ord 6", lambda d, x: _nmrglue(pp.lp, d, x, pred=128, ord=6)),
            ("LP -b -pred 20 -x1 2 -xn 100 -ord 4",
             lambda d, x: _nmrglue(pp.lp, d, x, pred=20, x1=2, xn=101, ord=4, mode="b")),
            ("LP -fb -ord 4", lambda d, x: _nmrglue(pp.lp, d, x, pred=128, ord=4, mode="fb"))):
        out, ours = process(dic, fid, [text])
        their_dic, expected = theirs(dic, fid)
        assert ours.shape == expected.shape and np.allclose(ours, expected, atol=1e-5), text
        assert out["FDSIZE"] == ours.shape[-1] and out["FDF2CENTER"] == their_dic["FDF2CENTER"]
    out, ours = process(dic, fid, ["LP -ord 6"])
    assert ours.shape == (64, 256) and out["FDF2TDSIZE"] == out["FDF2APOD"] == 128  # acquired
    # SOL -fs 1 (boxcar): nmrglue's pp.sol calls scipy.signal.boxcar, gone from SciPy
    out, ours = process(dic, fid, ["SOL -fl 4 -head 2"])
    expected = np.array(fid)
    expected[..., 2:] = proc_bl.sol_general(expected[..., 2:], np.ones(9), w=9)
    assert np.allclose(ours, expected, atol=1e-6)
    # MED on the real spectrum; REV -sw and CS -sw move the calibration as nmrglue does
    spec_dic, spectrum = process(dic, fid, ["ZF -auto", "FT", "PS -p0 0 -di"])
    out, ours = process(spec_dic, spectrum, ["MED -nw 12 -sf 8 -sigma 3"])
    assert np.allclose(ours, _nmrglue(pp.med, spec_dic, spectrum, nw=12, sf=8, sigma=3)[1],
                       atol=1e-4)
    for text, theirs in (("REV -sw", lambda d, x: _nmrglue(pp.rev, d, x, sw=True)),
                         ("CS -rs 7 -sw", lambda d, x: _nmrglue(pp.cs, d, x, "rs", 7, sw=True))):
        out, ours = process(spec_dic, spectrum, [text])
        their_dic, expected = theirs(spec_dic, spectrum)
        assert np.array_equal(ours, expected), text
        assert (out["FDF2CENTER"], out["FDF2ORIG"]) == (their_dic["FDF2CENTER"],
                                                        their_dic["FDF2ORIG"]), text
    assert process(spec_dic, spectrum, ["REV"])[0]["FDF2ORIG"] == spec_dic["FDF2ORIG"]


def test_new_steps_known_answers_and_refusals():
    dic, fid = _noisy_fid()
    line = np.arange(8, dtype=np.float32)[np.newaxis].repeat(2, axis=0)
    header = spectrum_header((2, 8))
    assert np.array_equal(process(header, line, ["REV"])[1], line[:, ::-1])
    assert np.array_equal(process(header, line, ["CS -rs 2"])[1], np.roll(line, 2, axis=-1))
    assert np.array_equal(process(header, line, ["CS -ls 1 -verb"])[1], np.roll(line, -1, -1))
    # a shift with a unit is that width in points: 25% of 8 points, SW/OBS ppm is all 8
    assert np.array_equal(process(header, line, ["CS -rs 25%"])[1], np.roll(line, 2, axis=-1))
    width = header["FDF2SW"] / header["FDF2OBS"]
    assert np.array_equal(process(header, line, [f"CS -ls {3 * width / 8}ppm"])[1],
                          np.roll(line, -3, axis=-1))
    assert np.array_equal(process(header, line, [f"CS -ls {header['FDF2SW'] / 8}Hz"])[1],
                          np.roll(line, -1, axis=-1))
    # SOL removes a constant (on-resonance solvent) and keeps a fast oscillation
    flat = np.full((2, 64), 3.0 + 1.0j, np.complex64)
    assert np.abs(process(fid_header(1, 64), flat, ["SOL -fl 4 -head 0"])[1][:, 8:-8]).max() < 1e-5
    # LP continues a damped exponential it was given
    t = np.arange(64)
    signal = np.exp((2j * np.pi * 0.1 - 0.02) * t)[np.newaxis].repeat(2, axis=0)
    predicted = process(fid_header(1, 32), signal[:, :32].astype(np.complex64),
                        ["LP -pred 32 -ord 2"])[1]
    assert np.allclose(predicted, signal, atol=1e-3)
    for text, needle in (("SOL -mode 2", "only mode"), ("SOL -fs 4", "-fs is 1"),
                         ("CS", "-rs N or -ls N"), ("LP -f -b", "one of"),
                         ("LP -x1 50 -xn 20", "-x1 < -xn"), ("MED", "real data")):
        with pytest.raises(InputError, match=re.escape(needle)):
            process(dic, fid, [text])
    with pytest.raises(InputError, match="LP needs complex"):
        process(header, line, ["LP"])


@pytest.fixture
def sim_file(tmp_path):
    path = tmp_path / "sim.ft2"
    code, _, err = run_mrai("simulate", "--size", "64x256", "-o", path)
    assert code == 0, err
    return path


def test_cli_nmrpipe_fn_spelling(tmp_path, sim_file):
    sim_dic, sim = read(str(sim_file))
    code, _, err = run_mrai("process", sim_file, "-fn", "EXT", "-x1", "101", "-xn", "913",
                            "-out", tmp_path / "e.ft2")
    assert code == 0, err
    expected = process(sim_dic, sim, ["EXT -x1 101 -xn 913"])[1]
    assert expected.shape == (64, 156)
    assert np.array_equal(read(str(tmp_path / "e.ft2"))[1], expected)
    # several -fn, mixed with --fn in order, -in / -ov, and standard input / output
    args = ("-fn", "EXT", "-x1", "11", "-xn", "200", "-sw", "--fn", "CS -rs 3",
            "-fn", "REV", "-sw", "-fn", "SP", "-off", "0.5", "-one")
    steps = ["EXT -x1 11 -xn 200 -sw", "CS -rs 3", "REV -sw", "SP -off 0.5 -one"]
    (tmp_path / "m.ft2").write_bytes(b"old")
    code, _, err = run_mrai("process", "-in", sim_file, *args, "-out", tmp_path / "m.ft2", "-ov")
    assert code == 0 and "4 steps" in err, err
    dic, expected = process(sim_dic, sim, steps)
    out_dic, out = read(str(tmp_path / "m.ft2"))
    assert np.array_equal(out, expected) and out_dic["FDF2ORIG"] == pytest.approx(dic["FDF2ORIG"])
    code, out, err = run_mrai("process", *args, stdin=sim_file.read_bytes())
    assert code == 0 and len(out) == HEADER_BYTES + 4 * expected.size, err
    code, _, err = run_mrai("process", sim_file, *args, "--show")
    assert code == 0 and err.splitlines() == steps
    # bad flags: one line, exit 2, nothing written
    for bad, needles in ((("-fn", "EXT", "-x11", "5"), ("unknown flag -x11 for EXT",)),
                         (("-x1", "101"), ("no such option -x1", "-fn NAME")),
                         (("-fn",), ("-fn needs a function name",)),
                         (("-fn", "FOO", "-x", "1"), ("unknown function 'FOO'",)),
                         (("-fn", "LP", "-ord"), ("-ord needs an integer",))):
        assert_bad(*run_mrai("process", sim_file, *bad, "-o", tmp_path / "bad.ft2"), *needles)
    assert not (tmp_path / "bad.ft2").exists()


def test_malt1_nmrpipe_spelling(tmp_path):
    from conftest import MALT1, shared_file

    malt1 = shared_file(MALT1)
    code, _, err = run_mrai("process", malt1, "-fn", "EXT", "-x1", "101", "-xn", "913",
                            "-o", tmp_path / "a.ft2")
    assert code == 0, err
    code, _, err = run_mrai("process", malt1, "--fn", "EXT -x1 101 -xn 913",
                            "-o", tmp_path / "b.ft2")
    assert code == 0, err
    a, b = read(str(tmp_path / "a.ft2")), read(str(tmp_path / "b.ft2"))
    assert a[1].shape == (256, 813) and np.array_equal(a[1], b[1])
    code, _, err = run_mrai("process", malt1, "-fn", "EXT", "-x1", "101", "-xn", "913",
                            "--format", "ucsf", "-o", tmp_path / "a.ucsf")
    assert code == 0, err
    assert np.array_equal(ng.sparky.read(str(tmp_path / "a.ucsf"))[1], a[1])


def test_cli_ucsf_round_trip_and_refusals(tmp_path, sim_file, fid_file):
    target = tmp_path / "s.ucsf"
    code, _, err = run_mrai("process", sim_file, "-fn", "EXT", "-x1", "20", "-xn", "180",
                            "--format", "ucsf", "-o", target)
    assert code == 0, err
    pipe_dic, expected = process(*read(str(sim_file)), ["EXT -x1 20 -xn 180"])
    sparky_dic, data = ng.sparky.read(str(target))
    assert np.array_equal(data, expected)
    for axis, key in ((0, "w1"), (1, "w2")):
        pipe_uc, sparky_uc = (ng.pipe.make_uc(pipe_dic, expected, axis),
                              ng.sparky.make_uc(sparky_dic, data, axis))
        for point in (0, expected.shape[axis] - 1):
            assert sparky_uc.ppm(point) == pytest.approx(pipe_uc.ppm(point), abs=1e-5)
    assert sparky_dic["w1"]["nucleus"] == "15N" and sparky_dic["w2"]["nucleus"] == "1H"
    code, out, err = run_mrai("process", "--fn", "REV", "--format", "ucsf",
                              stdin=sim_file.read_bytes())
    assert code == 0 and out[:10] == b"UCSF NMR\x00\x00", err
    # never overwritten without -ov; with it, replaced
    assert_bad(*run_mrai("process", sim_file, "--fn", "REV", "--format", "ucsf", "-o", target),
               "exists", "-ov")
    assert np.array_equal(ng.sparky.read(str(target))[1], expected)
    code, _, err = run_mrai("process", sim_file, "--fn", "REV", "--format", "ucsf", "-o", target,
                            "-ov")
    assert code == 0, err
    assert np.array_equal(ng.sparky.read(str(target))[1], read(str(sim_file))[1][..., ::-1])
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    # what UCSF cannot hold
    assert_bad(*run_mrai("process", fid_file, "--fn", "EM -lb 5", "--format", "ucsf",
                         "-o", tmp_path / "t.ucsf"), "time-domain")
    assert_bad(*run_mrai("process", fid_file, "--fn", "FT; TP; FT; TP", "--format", "ucsf",
                         "-o", tmp_path / "c.ucsf"), "complex")
    assert not (tmp_path / "t.ucsf").exists() and not (tmp_path / "c.ucsf").exists()
