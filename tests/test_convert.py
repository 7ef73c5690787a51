"""mrai convert: raw Bruker/Varian 2D data to NMRPipe time-domain data, Echo/Anti-Echo halves."""

import os

import numpy as np
import pytest
from nmrglue.process import pipe_proc as pp

import rawdata
from conftest import SHARED, run_mrai
from mrai.fileio import read
from mrai.fileio.convert import to_pipe
from mrai.fileio.raw import read_raw
from mrai.physics import antiecho_part, echo_part, flip
from mrai.physics.quadrature import detect_quadrature

def states_spectrum(dic, data, f1_phase=(0.0, 0.0), c1=0.5):
    """Standard States processing with nmrglue (cosine bell, zero fill, FT, real parts) —
    independent of mrai's own processing, to check what convert writes."""
    dic, data = dict(dic), np.array(data)
    dic, data = pp.sp(dic, data, off=0.5, end=0.98, pow=2, c=0.5)
    dic, data = pp.zf(dic, data, auto=True)
    dic, data = pp.ft(dic, data, auto=True)
    dic, data = pp.di(dic, data)
    dic, data = pp.tp(dic, data)
    dic, data = pp.sp(dic, data, off=0.5, end=0.98, pow=2, c=c1)
    dic, data = pp.zf(dic, data, auto=True)
    dic, data = pp.ft(dic, data, auto=True)
    dic, data = pp.ps(dic, data, p0=f1_phase[0], p1=f1_phase[1])
    dic, data = pp.di(dic, data)
    dic, data = pp.tp(dic, data)
    return dic, np.asarray(data, dtype=np.float64)


def corr(a, b):
    a, b = a - a.mean(), b - b.mean()
    return float((a * b).sum() / np.sqrt((a * a).sum() * (b * b).sum()))


def peak_ppm(dic, spectrum):
    """(F1 ppm, F2 ppm) of the largest point."""
    import nmrglue as ng

    i, j = np.unravel_index(np.argmax(spectrum), spectrum.shape)
    return ng.pipe.make_uc(dic, spectrum, dim=0).ppm(i), ng.pipe.make_uc(dic, spectrum,
                                                                          dim=1).ppm(j)


def expected_ppm(f1, f2):
    return (rawdata.CAR[0] + f1 * rawdata.SW[0] / rawdata.OBS[0],
            rawdata.CAR[1] + f2 * rawdata.SW[1] / rawdata.OBS[1])


@pytest.fixture(scope="module")
def bruker_ea(tmp_path_factory):
    return rawdata.write_bruker(str(tmp_path_factory.mktemp("raw") / "ea"), fnmode=6)


@pytest.fixture(scope="module")
def varian_rk(tmp_path_factory):
    return rawdata.write_varian(str(tmp_path_factory.mktemp("raw") / "rk"))


@pytest.mark.parametrize("maker", ["bruker_ea", "varian_rk"])
def test_full_spectrum_peaks_at_their_ppm(maker, request):
    dic, data = to_pipe(read_raw(request.getfixturevalue(maker)))
    assert dic["FDF1QUADFLAG"] == 0 and dic["FD2DPHASE"] == 2 and data.shape == (64, 256)
    dic, spectrum = states_spectrum(dic, data)
    f1, f2 = peak_ppm(dic, spectrum)
    e1, e2 = expected_ppm(*rawdata.PEAKS[0][:2])
    assert abs(f1 - e1) < 0.5 * rawdata.SW[0] / rawdata.OBS[0] / 64  # within a point
    assert abs(f2 - e2) < rawdata.SW[1] / rawdata.OBS[1] / 512


@pytest.mark.parametrize("maker", ["bruker_ea", "varian_rk"])
def test_kept_halves_are_the_echo_and_antiecho_parts(maker, request):
    raw = read_raw(request.getfixturevalue(maker))
    _, full = states_spectrum(*to_pipe(raw, keep="both"))
    _, echo = states_spectrum(*to_pipe(raw, keep="echo"))
    _, anti = states_spectrum(*to_pipe(raw, keep="antiecho"))
    np.testing.assert_allclose(echo + anti, full, atol=1e-5 * np.abs(full).max())
    assert corr(echo, echo_part(full)) > 0.999
    assert corr(anti, antiecho_part(full)) > 0.999
    assert corr(echo, antiecho_part(full)) < 0.5
    # swapping the pair mirrors F1: the Echo half becomes the mirrored Anti-Echo half
    _, swapped = states_spectrum(*to_pipe(raw, keep="echo", swap=True))
    assert corr(swapped, flip(anti)) > 0.999


@pytest.mark.parametrize("fnmode", [4, 5])
def test_states_and_states_tppi_give_the_echo_antiecho_spectrum(tmp_path, bruker_ea, fnmode):
    _, reference = states_spectrum(*to_pipe(read_raw(bruker_ea)))
    raw = read_raw(rawdata.write_bruker(str(tmp_path / "s"), fnmode=fnmode))
    assert raw.quadrature == ("states" if fnmode == 4 else "states-tppi")
    _, spectrum = states_spectrum(*to_pipe(raw))
    assert corr(spectrum, reference) > 0.99999
    _, echo = states_spectrum(*to_pipe(raw, keep="echo"))
    assert corr(echo, echo_part(reference)) > 0.999


def test_quadrature_is_detected_from_the_data(bruker_ea, varian_rk, tmp_path):
    assert read_raw(varian_rk).quadrature is None  # f1coef empty: the data decide
    assert detect_quadrature(read_raw(varian_rk).rows)[0] == "echo-antiecho"
    assert detect_quadrature(read_raw(bruker_ea).rows)[0] == "echo-antiecho"
    states = read_raw(rawdata.write_bruker(str(tmp_path / "s"), fnmode=4))
    assert detect_quadrature(states.rows)[0] == "states"


def test_varian_half_dwell_is_recorded_as_f1_phase(tmp_path):
    raw = read_raw(rawdata.write_varian(str(tmp_path / "v"), f1180=True))
    assert raw.half_dwell and (raw.dic["FDF1P0"], raw.dic["FDF1P1"]) == (-90.0, 180.0)
    dic, spectrum = states_spectrum(*to_pipe(raw), f1_phase=(-90.0, 180.0), c1=1.0)
    f1, _ = peak_ppm(dic, spectrum)
    assert abs(f1 - expected_ppm(*rawdata.PEAKS[0][:2])[0]) < rawdata.SW[0] / rawdata.OBS[0] / 64
    # the half-dwell phase correction leaves the peak absorptive: its row is symmetric
    i, j = np.unravel_index(np.argmax(spectrum), spectrum.shape)
    column = spectrum[:, j] / spectrum[i, j]
    assert column.min() > -0.15


def test_overrides_conjugate_f2_and_set_half_dwell(bruker_ea, tmp_path):
    raw = read_raw(bruker_ea)
    _, plain = to_pipe(raw)
    dic, conj = to_pipe(raw, conjugate=True, half_dwell=True)
    assert (dic["FDF1P0"], dic["FDF1P1"]) == (-90.0, 180.0)
    _, spectrum = states_spectrum(dic, conj)
    _, reference = states_spectrum(*to_pipe(raw))
    mirrored = np.roll(reference[:, ::-1], 1, axis=1)  # F2 reversed
    assert corr(spectrum, mirrored) > 0.99
    assert to_pipe(raw, half_dwell=False)[0]["FDF1P1"] == 0.0
    states = read_raw(rawdata.write_bruker(str(tmp_path / "s"), fnmode=4))
    _, spectrum = states_spectrum(*to_pipe(states, conjugate=True))
    assert corr(spectrum, mirrored) > 0.99


def test_nus_list_puts_increments_on_the_full_grid(tmp_path):
    nuslist = [0, 1, 3, 6, 10, 15, 21, 28]
    folder = rawdata.write_bruker(str(tmp_path / "nus"), nuslist=nuslist)
    full = read_raw(rawdata.write_bruker(str(tmp_path / "all")))
    raw = read_raw(folder)
    np.testing.assert_array_equal(raw.schedule, nuslist)
    dic, data = to_pipe(raw)
    _, reference = to_pipe(full)
    assert data.shape == reference.shape == (64, 256)
    sampled = np.zeros(64, bool)
    sampled[np.repeat(2 * np.asarray(nuslist), 2) + np.tile([0, 1], len(nuslist))] = True
    np.testing.assert_allclose(data[sampled], reference[sampled], rtol=1e-5, atol=1e-3)
    assert not data[~sampled].any()


def test_cli_writes_time_domain_file_and_nus_schedule(tmp_path):
    folder = rawdata.write_bruker(str(tmp_path / "nus"), nuslist=[0, 2, 3, 7])
    out, schedule = tmp_path / "nus.fid", tmp_path / "nus.txt"
    code, _, err = run_mrai("convert", folder, "-o", out, "--schedule-out", schedule,
                            "--keep", "echo")
    assert code == 0, err
    assert "NUS 4 of 32 increments" in err and "kept echo" in err
    assert schedule.read_text().split() == ["0", "2", "3", "7"]
    dic, data = read(str(out))
    assert dic["FDF1TDSIZE"] == 32 and data.shape == (64, 256)
    assert "convert" in dic["FDCOMMENT"] and "keep=echo" in dic["FDCOMMENT"]
    code, _, err = run_mrai("convert", folder, "-o", out)
    assert code == 2 and "exists" in err


def test_cli_streams_to_stdout(tmp_path):
    folder = rawdata.write_varian(str(tmp_path / "v"))
    code, out, _ = run_mrai("convert", folder, "--ycar", "120.5")
    assert code == 0
    from mrai.fileio.header import parse_header

    dic = parse_header(out[:2048])
    assert dic["FDF1CAR"] == pytest.approx(120.5) and dic["FDF2QUADFLAG"] == 0


@pytest.mark.parametrize("damage, message", [
    ("no-acqus", "missing acqus"),
    ("no-procpar", "neither a Bruker"),
    ("tppi", "FnMODE 3 (TPPI) is not supported"),
    ("odd", "an even number"),
    ("nus-mismatch", "nuslist has 3 entries"),
    ("truncated-ser", "truncated, or not this experiment's ser"),
    ("truncated-fid", "its header says"),
])
def test_bad_raw_data_one_message_exit_2(tmp_path, damage, message):
    folder = str(tmp_path / "bad")
    if damage == "no-acqus":
        rawdata.write_bruker(folder)
        os.remove(os.path.join(folder, "acqus"))
    elif damage == "no-procpar":
        rawdata.write_varian(folder)
        os.remove(os.path.join(folder, "procpar"))
    elif damage == "tppi":
        rawdata.write_bruker(folder, fnmode=3)
    elif damage == "odd":
        p, _ = rawdata.coherences(7, 64)
        rawdata.write_varian(folder, increments=7, points=64, fids=np.concatenate([p, p[:6]]))
    elif damage == "truncated-ser":
        rawdata.write_bruker(folder)
        ser = os.path.join(folder, "ser")
        os.truncate(ser, os.path.getsize(ser) - 100)
    elif damage == "truncated-fid":
        rawdata.write_varian(folder)
        fid = os.path.join(folder, "fid")
        os.truncate(fid, os.path.getsize(fid) - 100)
    else:
        rawdata.write_bruker(folder, nuslist=[0, 1, 2, 3])
        with open(os.path.join(folder, "nuslist"), "w") as fh:
            fh.write("0\n1\n2\n")
    out = tmp_path / "out.fid"
    code, _, err = run_mrai("convert", folder, "-o", out)
    assert code == 2
    assert message in err and err.count("\n") == 1, err
    assert not out.exists()


# measured data sets: skip when ../shared is absent ------------------------------------------

def shared(name):
    path = str(SHARED / name)
    if not os.path.isdir(path):
        pytest.skip(f"{name} not in ../shared/data")
    return path


@pytest.mark.parametrize("name", ["penguins_noah_15N_seHSQC_EA", "spectrochempy_exam2d_HC_EA"])
def test_measured_bruker_echo_antiecho_halves(name):
    raw = read_raw(shared(name))
    assert raw.quadrature == "echo-antiecho"
    assert detect_quadrature(raw.rows)[0] == "echo-antiecho"
    _, full = states_spectrum(*to_pipe(raw))
    _, echo = states_spectrum(*to_pipe(raw, keep="echo"))
    _, anti = states_spectrum(*to_pipe(raw, keep="antiecho"))
    assert corr(echo, echo_part(full)) >= 0.999
    assert corr(anti, antiecho_part(full)) >= 0.999


ADKINS_RECIPE = """SP -off 0.5 -end 1.0 -pow 2 -c 0.5; ZF -size 2048; FT; PS -p0 -135 -p1 0 -di
EXT -left -sw; TP; SP -off 0.5 -end 1.0 -pow 1 -c 1.0; ZF -size 256; FT; PS -p0 -90 -p1 180 -di
TP"""


def test_measured_varian_matches_the_authors_spectrum():
    from scipy.ndimage import maximum_filter

    from mrai.process import parse_recipe, process

    folder = shared("adkins_varian_15N_hsqc_RK")
    raw = read_raw(os.path.join(folder, "varian_sample.fid"))
    assert raw.half_dwell and detect_quadrature(raw.rows)[0] == "echo-antiecho"
    dic, data = to_pipe(raw, xcar=4.821, ycar=119.042)
    dic, ours = process(dic, data, parse_recipe(ADKINS_RECIPE))
    author_dic, author = read(os.path.join(folder, "nmrpipe_sample.ft2"))
    assert ours.shape == author.shape
    for key in ("FDF1ORIG", "FDF2ORIG", "FDF1SW", "FDF2SW", "FDF1CENTER", "FDF2CENTER"):
        assert dic[key] == pytest.approx(author_dic[key], rel=1e-5), key
    assert corr(ours[:, :-24], author[:, :-24]) > 0.98  # the last columns: a DC artefact
    local = (author == maximum_filter(author, size=5)) & (author > 0)
    rows, cols = np.nonzero(local)
    top = np.argsort(author[rows, cols])[::-1][:30]
    for i, j in zip(rows[top], cols[top]):  # each of the author's 30 largest peaks is ours
        window = ours[max(i - 1, 0):i + 2, max(j - 1, 0):j + 2]
        assert window.max() == ours[max(i - 3, 0):i + 4, max(j - 3, 0):j + 4].max()


def test_raw_to_score_as_one_shell_pipeline(tmp_path):
    """mrai simulate --bruker makes a raw set; convert | process | reconstruct | score run as
    one pipeline through standard input and output (IST and a tiny sigma network keep it fast)."""
    import subprocess
    import sys

    from conftest import ROOT
    from mrai.metrics import quality
    from mrai.nn.inference import save_model
    from mrai.nn.sigma import SigmaConfig, build_sigma

    code, _, err = run_mrai("simulate", "-o", tmp_path / "ref.ft2", "--size", "64x512",
                            "--peaks", "40", "--bruker", tmp_path / "raw", "--seed", "2")
    assert code == 0, err
    sigma = str(tmp_path / "sigma.weights.h5")
    save_model(build_sigma(SigmaConfig(method="ist-echo", filters=4,
                                       dilations=((1, 1), (2, 2)))), sigma, {"name": "tiny"})
    mrai = f"{sys.executable} -m mrai"
    steps = [f"{mrai} convert raw --keep echo", f"{mrai} process",
             f"{mrai} reconstruct --echo --method ist", "tee recon.ft2",
             f"{mrai} score --json --sigma-model {sigma}"]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run(" | ".join(steps), shell=True, cwd=tmp_path, capture_output=True,
                          env=env, timeout=300, executable="/bin/bash")
    assert proc.returncode == 0, proc.stderr.decode()
    import json

    report = json.loads(proc.stdout)
    assert report["method"] == "ist" and report["planes"][0]["psq"] > 0
    _, full, _ = run_mrai("convert", tmp_path / "raw")
    _, processed, _ = run_mrai("process", stdin=full)
    (tmp_path / "full.ft2").write_bytes(processed)
    recon, reference = read(str(tmp_path / "recon.ft2"))[1], read(str(tmp_path / "full.ft2"))[1]
    assert quality(recon, reference)["r"] > quality(echo_part(reference), reference)["r"] + 0.1


def test_half_dwell_echo_only_spectrum_is_the_half_dwell_echo_part(tmp_path):
    """f1180 data: the processed Echo-only (Anti-Echo-only) spectrum equals the half-dwell Echo
    (Anti-Echo) part of the processed full spectrum, which the plain quadrant mask misses;
    degrade finds the half dwell in the header; reconstruct (the WNN, IST, with sigma) and score
    work on it on that grid."""
    from mrai.physics import half_dwell_part

    folder = rawdata.write_varian(str(tmp_path / "v"), f1180=True)
    spectra = {}
    for keep in ("both", "echo", "antiecho"):
        code, fid, err = run_mrai("convert", folder, "--keep", keep)
        assert code == 0, err
        code, spectra[keep], err = run_mrai("process", stdin=fid)
        assert code == 0, err
    (tmp_path / "full.ft2").write_bytes(spectra["both"])
    dic, full = read(str(tmp_path / "full.ft2"))
    assert dic["FDF1P1"] == 180.0
    full = np.asarray(full, np.float64)
    for keep, standard in (("echo", echo_part), ("antiecho", antiecho_part)):
        (tmp_path / f"{keep}.ft2").write_bytes(spectra[keep])
        half = np.asarray(read(str(tmp_path / f"{keep}.ft2"))[1], np.float64)
        assert corr(half, half_dwell_part(full, keep)) > 0.99999
        assert corr(half, standard(full)) < 0.995
        code, degraded, err = run_mrai("degrade", f"--{keep}", tmp_path / "full.ft2")
        assert code == 0 and "half a dwell" in err, err
        (tmp_path / "d.ft2").write_bytes(degraded)
        assert np.allclose(read(str(tmp_path / "d.ft2"))[1], half_dwell_part(full, keep),
                           atol=1e-5 * np.abs(full).max())
    echo = np.asarray(read(str(tmp_path / "echo.ft2"))[1], np.float64)
    for method in ("wnn", "ist"):
        code, recon, err = run_mrai("reconstruct", "--echo", "--method", method,
                                    tmp_path / "echo.ft2", "--sigma", tmp_path / f"s{method}.ft2")
        assert code == 0 and "t1 from half a dwell" in err, err
        (tmp_path / "r.ft2").write_bytes(recon)
        out = np.asarray(read(str(tmp_path / "r.ft2"))[1], np.float64)
        assert corr(out, full) > corr(echo, full) + 0.05
        assert np.allclose(half_dwell_part(out, "echo"), echo, atol=1e-4 * np.abs(echo).max())
        assert (read(str(tmp_path / f"s{method}.ft2"))[1] > 0).all()
        code, report, err = run_mrai("score", tmp_path / "r.ft2")
        assert code == 0 and b"pSQ" in report, err


# stored phases -----------------------------------------------------------------------------

F2_ERROR, F1_ERROR = (-70.0, 45.0), (30.0, -20.0)   # nmrPipe phases the peaks need


def _processed(dic, data):
    from mrai.process import process

    return np.asarray(process(dic, data)[1], dtype=np.float64)


@pytest.fixture(scope="module")
def unphased_reference(tmp_path_factory):
    """The default-recipe spectrum of the test peaks without phase errors."""
    folder = rawdata.write_bruker_phased(str(tmp_path_factory.mktemp("raw") / "ref"),
                                         store=False, peaks=rawdata.random_peaks())
    return _processed(*to_pipe(read_raw(folder)))


@pytest.mark.parametrize("vendor, fnmode", [("bruker", 6), ("bruker", 4), ("varian", None)])
def test_stored_phases_reach_the_header_and_phase_the_spectrum(tmp_path, unphased_reference,
                                                               vendor, fnmode):
    from mrai.process.autophase import looks_unphased

    peaks = rawdata.random_peaks()
    if vendor == "bruker":
        folder = rawdata.write_bruker_phased(str(tmp_path / "b"), F2_ERROR, F1_ERROR,
                                             peaks=peaks, fnmode=fnmode)
    else:
        folder = rawdata.write_varian_phased(str(tmp_path / "v"), F2_ERROR, F1_ERROR,
                                             peaks=peaks)
    raw = read_raw(folder)
    assert raw.phase_source.startswith("pdata/1 procs" if vendor == "bruker" else "procpar rp")
    dic, data = to_pipe(raw)
    for axis, (p0, p1) in (("F2", F2_ERROR), ("F1", F1_ERROR)):
        assert dic[f"FD{axis}P0"] == pytest.approx(p0, abs=1e-3)
        assert dic[f"FD{axis}P1"] == pytest.approx(p1, abs=1e-3)
    phased = _processed(dic, data)
    zero = _processed(*to_pipe(raw, phases="zero"))
    assert corr(phased, unphased_reference) > 0.998
    assert corr(zero, unphased_reference) < 0.95
    assert not looks_unphased(phased).unphased and looks_unphased(zero).unphased


def test_conj_and_swap_carry_the_stored_phases(tmp_path):
    """--conj mirrors F2 and --swap F1: the stored phases follow the mirrored spectrum."""
    folder = rawdata.write_bruker_phased(str(tmp_path / "b"), F2_ERROR, F1_ERROR,
                                         peaks=rawdata.random_peaks())
    raw = read_raw(folder)
    plain = _processed(*to_pipe(raw))
    conj = _processed(*to_pipe(raw, conjugate=True))
    assert corr(conj, np.roll(plain[:, ::-1], 1, axis=1)) > 0.99
    swapped = _processed(*to_pipe(raw, swap=True))
    assert corr(swapped, flip(plain)) > 0.99


def test_half_dwell_keeps_f1_p1_180_with_stored_phases(tmp_path):
    from mrai.fileio.convert import header_phases

    peaks = rawdata.random_peaks()
    folder = rawdata.write_varian_phased(str(tmp_path / "v"), F2_ERROR, (20.0, 0.0),
                                         peaks=peaks, f1180=True)
    raw = read_raw(folder)
    assert raw.half_dwell
    phases, how, notes = header_phases(raw)
    assert phases["F1"] == (pytest.approx(-70.0), 180.0) and not notes  # -90 + 20, P1 180
    assert "half-dwell" in how
    assert header_phases(raw, "zero")[0]["F1"] == (-90.0, 180.0)
    # stored F1 phases whose P1 is not 180 cannot be those of half-dwell data: -90 / 180
    raw.phases = {**raw.phases, "F1": (90.0, 90.0)}
    phases, _, notes = header_phases(raw)
    assert phases["F1"] == (-90.0, 180.0) and "not used" in notes[0]
    # --f1180 no: never P1 180
    raw.phases = {**raw.phases, "F1": (-70.0, 180.0)}
    raw.half_dwell = False
    phases, _, notes = header_phases(raw, half_dwell=False)
    assert phases["F1"] == (0.0, 0.0) and "--f1180 no" in notes[0]


def test_cli_phases_option_and_message(tmp_path):
    folder = rawdata.write_bruker_phased(str(tmp_path / "b"), F2_ERROR, F1_ERROR)
    out = tmp_path / "s.fid"
    code, _, err = run_mrai("convert", folder, "-o", out)
    assert code == 0, err
    assert "phases F2 P0 -70.00 P1 45.00, F1 P0 30.00 P1 -20.00 (stored: pdata/1 procs" in err
    assert read(str(out))[0]["FDF2P0"] == pytest.approx(-70.0)
    code, _, err = run_mrai("convert", folder, "-o", out, "-ov", "--phases", "zero")
    assert code == 0 and "(zero (--phases zero))" in err, err
    dic = read(str(out))[0]
    assert [dic[f"FDF{c}P{k}"] for c in (2, 1) for k in (0, 1)] == [0.0] * 4
    code, _, err = run_mrai("convert", rawdata.write_bruker(str(tmp_path / "plain")), "-o",
                            tmp_path / "p.fid")
    assert code == 0 and "none stored: zero (mrai process --autophase" in err, err


def _negative_near_peaks(spectrum, level=0.05):
    """Negative intensity as a fraction of all intensity, over the points near the peaks (within
    3 points of where |S| exceeds ``level`` x its maximum): 0 for pure positive absorption."""
    from scipy.ndimage import binary_dilation

    near = binary_dilation(np.abs(spectrum) > level * np.abs(spectrum).max(), iterations=3)
    values = spectrum[near]
    return float(-values[values < 0].sum() / np.abs(values).sum())


def test_measured_penguins_stored_phases_make_it_absorptive():
    """TopSpin's PHC0/PHC1 of the measured Bruker 15N seHSQC (pdata/1) reach the header in
    nmrPipe's convention (group delay 67.987: 67 points removed, 0.987 by P1) and phase the
    default recipe's spectrum: its peaks are absorptive (little negative intensity; no phase
    offset in F2 or F1 does better by more than a trace)."""
    from mrai.process.autophase import looks_unphased

    raw = read_raw(shared("penguins_noah_15N_seHSQC_EA"))
    dic, data = to_pipe(raw)
    expected = {"FDF2P0": 35.04918 - 180 * 67 + 90 + 360 * 33,  # -PHC0 - 180 m + 90, wrapped
                "FDF2P1": -(60.03529 + 360 * (67.9872589111328 - 67)),
                "FDF1P0": -162.4632, "FDF1P1": -31.8}
    for key, value in expected.items():
        assert dic[key] == pytest.approx(value, abs=1e-3), key
    phased = _processed(dic, data)
    zero = _processed(*to_pipe(raw, phases="zero"))
    assert _negative_near_peaks(phased) < 0.15 < 0.25 < _negative_near_peaks(zero)
    assert not looks_unphased(phased) and looks_unphased(zero)
    best = min(_negative_near_peaks(_processed({**dic, "FDF2P0": dic["FDF2P0"] + d2,
                                                    "FDF1P0": dic["FDF1P0"] + d1}, data))
               for d2 in (-20, 0, 20) for d1 in (-20, 0, 20))
    assert _negative_near_peaks(phased) < best + 0.01


def test_measured_spectrochempy_has_no_stored_phases_and_autophase_phases_it():
    from mrai.process.autophase import autophase, looks_unphased

    raw = read_raw(shared("spectrochempy_exam2d_HC_EA"))
    assert raw.phases is None
    dic, data = to_pipe(raw)
    assert [dic[f"FDF{c}P{k}"] for c in (2, 1) for k in (0, 1)] == [0.0] * 4
    assert looks_unphased(_processed(dic, data)).unphased
    found = autophase(dic, data)
    assert not looks_unphased(_processed(found.header(dic), data)).unphased


def test_measured_varian_stored_phases():
    """adkins (Varian, f1180): procpar's rp 59.16, lp 0, rp1 180, lp1 -90. F1 keeps the
    half-dwell -90 / 180 (rp1/lp1 give P1 90, which half-dwell data cannot have; the author's
    spectrum has -90 / 180 too). F2 gets -(rp + lp) = -59.16, which does not phase this set:
    the author's -135 (and autophase) do (docs/raw.md)."""
    from mrai.fileio.convert import header_phases
    from mrai.process.autophase import autophase, looks_unphased

    folder = shared("adkins_varian_15N_hsqc_RK")
    raw = read_raw(os.path.join(folder, "varian_sample.fid"))
    phases, how, notes = header_phases(raw)
    assert phases["F2"] == (pytest.approx(-59.1573919536), 0.0)
    assert phases["F1"] == (-90.0, 180.0) and "rp1 180 lp1 -90" in how and notes
    dic, data = to_pipe(raw)
    author_dic, _ = read(os.path.join(folder, "nmrpipe_sample.ft2"))
    assert (author_dic["FDF1P0"], author_dic["FDF1P1"]) == (dic["FDF1P0"], dic["FDF1P1"])
    stored = _processed(dic, data)
    author = _processed({**dic, "FDF2P0": -135.0}, data)
    found = autophase(dic, data)
    auto = _processed(found.header(dic), data)
    assert looks_unphased(stored).unphased
    assert not looks_unphased(author).unphased and not looks_unphased(auto).unphased
    assert _negative_near_peaks(auto) < _negative_near_peaks(author) + 0.02
    assert _negative_near_peaks(author) < 0.5 * _negative_near_peaks(stored)
