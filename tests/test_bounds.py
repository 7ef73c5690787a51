"""Issue 20, points 1, 3 and 4: every input value bounded before it sizes an allocation or a loop
(one line, exit 2), numerics that cannot overflow, and text from files treated as data
(docs/conventions.md#limits). Each case of the issue's list has a test here: command-line runs
for the rule as the user sees it, library calls with known answers for the rest."""

import json
import math
import os
import shutil
import time

import numpy as np
import pytest

import rawdata
from conftest import ROOT, run_mrai
from mrai.errors import InputError
from mrai.fileio import provenance, read, stamp, write
from mrai.fileio.header import HEADER_BYTES, parse_header, quote_value, spectrum_header
from mrai.fileio.pipe import series_paths
from mrai.fileio.raw import read_raw
from mrai.fileio.schedule import recorded_schedule, schedule_from_hex, schedule_to_hex
from mrai.fileio.summary import format_description
from mrai.limits import MAX_PLANE_POINTS, MAX_POINTS, check_count, printable
from mrai.metrics import f2_region
from mrai.nn.card import read_card
from mrai.physics import degrade, echo_part, nus_degrade
from mrai.process import process
from mrai.simulate import simulate
from mrai.uncertainty import psq, sigma_summary

def assert_bad(code, out, err, *needles):
    """Exit 2, one 'mrai: error:' line, nothing on stdout, no traceback."""
    assert code == 2, err
    assert out == b""
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("mrai: error: "), err
    assert "Traceback" not in err and "internal error" not in err
    for needle in needles:
        assert needle in err, err


def header_words(dic):
    from mrai.fileio.header import encode_header

    return encode_header(dic)


def mutated(path, target, **fields):
    """Copy the NMRPipe file ``path`` to ``target`` with header words (by nmrglue name) or the
    comment replaced."""
    from nmrglue.fileio.pipe import fdata_dic

    raw = bytearray(path.read_bytes())
    words = np.frombuffer(bytes(raw[:HEADER_BYTES]), "<f4").copy()
    for name, value in fields.items():
        if name == "FDCOMMENT":
            text = value.encode() if isinstance(value, str) else value
            words[312:352] = np.frombuffer(text[:160].ljust(160, b"\0"), "<f4")
        elif name == "FDF1LABEL":
            words[18:20] = np.frombuffer(value.encode()[:8].ljust(8, b"\0"), "<f4")
        else:
            words[int(fdata_dic[name])] = value
    raw[:HEADER_BYTES] = words.tobytes()
    target.write_bytes(bytes(raw))
    return target


@pytest.fixture(scope="module")
def spectra(tmp_path_factory):
    """A 32 x 128 spectrum, its Echo part, and files of them."""
    folder = tmp_path_factory.mktemp("bounds")
    data = simulate(seed=5, size=(32, 128), peaks=12)
    paths = {}
    for name in ("reference", "echo"):
        paths[name] = folder / f"{name}.ft2"
        write(str(paths[name]), spectrum_header((32, 128)), getattr(data, name))
    return data, paths, folder


# ---- 1. headers ---------------------------------------------------------------------------

def test_fdsize_1e9_on_stdin_is_refused_before_allocating(spectra):
    _, paths, folder = spectra
    big = mutated(paths["reference"], folder / "big.ft2", FDSIZE=1e9)
    code, out, err = run_mrai("info", stdin=big.read_bytes())
    assert_bad(code, out, err, "FDSIZE is 1000000000", "docs/conventions.md#limits")


@pytest.mark.parametrize("fields, needle", [
    ({"FDSIZE": math.nan}, "FDSIZE is nan"), ({"FDSIZE": math.inf}, "FDSIZE is inf"),
    ({"FDSPECNUM": math.inf}, "FDSPECNUM is inf"), ({"FDSIZE": 2.5}, "not a whole number"),
    ({"FDDIMORDER2": math.nan}, "FDDIMORDER2"),
    ({"FDSPECNUM": 1e6}, f"exceeds the {MAX_PLANE_POINTS} points"),
    ({"FDDIMCOUNT": 3.0, "FDPIPEFLAG": 1.0, "FDF3SIZE": 1e6}, "FDF3SIZE is 1000000,"),
    ({"FDTRANSPOSED": -824566.0}, "FDTRANSPOSED is -824566, not 0 or 1"),
    ({"FDTRANSPOSED": math.nan}, "FDTRANSPOSED is nan"), ({"FDTRANSPOSED": 2.0}, "not 0 or 1"),
])
def test_hostile_header_sizes(spectra, fields, needle):
    _, paths, _ = spectra
    raw = bytearray(paths["reference"].read_bytes()[:HEADER_BYTES])
    words = np.frombuffer(bytes(raw), "<f4").copy()
    from nmrglue.fileio.pipe import fdata_dic

    for name, value in fields.items():
        words[int(fdata_dic[name])] = value
    with pytest.raises(InputError, match=needle):
        parse_header(words.tobytes(), "x.ft2")


def test_transpose_flag_neither_0_nor_1_on_the_command_line(spectra, fid):
    """FDTRANSPOSED -824566 (scripts/fuzz.py): nmrglue's shape rules know 0 and 1 only, so mrai
    process made a spectrum its own header disagreed with (exit 1); now one line, exit 2."""
    _, paths, folder = spectra
    dic, data = fid
    write(str(folder / "fid.fid"), dic, data)
    bad = mutated(folder / "fid.fid", folder / "tp.fid", FDTRANSPOSED=-824566.0)
    code, out, err = run_mrai("process", bad, "-o", folder / "tp.ft2")
    assert_bad(code, out, err, "tp.fid", "FDTRANSPOSED is -824566, not 0 or 1")
    assert not (folder / "tp.ft2").exists()


def test_infinite_word_in_complex_data_is_one_line(spectra, fid):
    """An Inf data word in complex time-domain data (scripts/fuzz.py): decoding made it NaN
    through 1j * Inf with numpy's RuntimeWarning on stderr before the error; now the error
    alone, and complex planes decode without arithmetic (bit for bit as before otherwise)."""
    from mrai.fileio.header import decode_plane, layout

    _, _, folder = spectra
    dic, data = fid
    write(str(folder / "inf.fid"), dic, data)
    raw = bytearray((folder / "inf.fid").read_bytes())
    raw[HEADER_BYTES + 40:HEADER_BYTES + 44] = np.float32(np.inf).tobytes()
    (folder / "inf.fid").write_bytes(bytes(raw))
    code, out, err = run_mrai("process", folder / "inf.fid", "-o", folder / "inf.ft2")
    assert_bad(code, out, err, "inf.fid", "NaN or infinite")
    assert not (folder / "inf.ft2").exists()
    lay = layout(dic)
    words = np.random.default_rng(1).standard_normal(lay.plane_floats).astype(np.float32)
    half = lay.row_floats // 2
    rows = words.reshape(lay.rows, lay.row_floats)
    expected = (rows[:, :half] + 1j * rows[:, half:]).astype(np.complex64)
    assert np.array_equal(decode_plane(words, lay).view(np.float32), expected.view(np.float32))


def test_header_nan_size_on_the_command_line(spectra):
    _, paths, folder = spectra
    bad = mutated(paths["reference"], folder / "nan.ft2", FDSIZE=math.nan)
    assert_bad(*run_mrai("info", bad), "nan.ft2", "FDSIZE is nan")


def test_unused_header_words_may_hold_anything(spectra):
    from mrai.fileio.pipe import PipeReader
    from mrai.fileio.summary import describe

    _, paths, folder = spectra
    odd = mutated(paths["reference"], folder / "odd.ft2", FDDIMORDER3=math.nan,
                  FDDIMORDER4=math.inf, FDF2TDSIZE=math.nan)
    info = describe(PipeReader(str(odd)))
    assert [a["points"] for a in info["axes"]] == [32, 128]
    assert info["axes"][1]["acquired_points"] is None


def test_header_text_that_is_not_utf8_is_read():
    dic = spectrum_header((8, 8))
    words = header_words(dic)
    words[312:314] = np.frombuffer(b"ab\xff\xfeok\0\0", "<f4")
    parsed = parse_header(words.tobytes())
    assert parsed["FDCOMMENT"].startswith("ab") and "ok" in parsed["FDCOMMENT"]


# ---- 1. schedules and the schedule recorded in a header -----------------------------------

def test_schedule_entry_beyond_int64(spectra, tmp_path):
    _, paths, _ = spectra
    (tmp_path / "s.txt").write_text("0\n99999999999999999999999\n")
    assert_bad(*run_mrai("degrade", "--schedule", tmp_path / "s.txt", paths["reference"],
                         "-o", tmp_path / "n.ft2"), "s.txt", "line 2", "beyond")
    assert not (tmp_path / "n.ft2").exists()


@pytest.mark.parametrize("comment, needle", [
    ("mrai 0.1 degrade mode=nus n=1000000000000 sched=7", "n=1000000000000"),
    ("mrai 0.1 degrade mode=nus n=16 sched=zz", "'zz' is not a bit mask"),
    ("mrai 0.1 degrade mode=nus n=4 sched=ffff", "at most 1 digits"),
    ("mrai 0.1 degrade mode=nus n=nan sched=1", "n=nan"),
])
def test_recorded_schedule_bounded(comment, needle):
    dic = dict(spectrum_header((32, 128)), FDCOMMENT=comment)
    start = time.perf_counter()
    with pytest.raises(InputError, match=needle):
        recorded_schedule(dic, "r.ft2")
    assert time.perf_counter() - start < 1.0


def test_recorded_schedule_hours_long_loop_is_refused_by_the_commands(spectra, tmp_path):
    _, paths, _ = spectra
    hostile = mutated(paths["reference"], tmp_path / "h.ft2",
                      FDCOMMENT="mrai 0.1 reconstruct method=ist mode=nus n=1000000000000 "
                                "sched=7")
    assert_bad(*run_mrai("score", hostile), "h.ft2", "recorded in the header is unusable")
    assert_bad(*run_mrai("reconstruct", "--nus", "header", hostile, "-o", tmp_path / "o.ft2"),
               "n=1000000000000")
    assert not (tmp_path / "o.ft2").exists()


def test_schedule_hex_round_trip_at_the_limit():
    rng = np.random.default_rng(0)
    schedule = np.sort(rng.choice(4096, 300, replace=False))
    assert np.array_equal(schedule_from_hex(schedule_to_hex(schedule, 4096), 4096), schedule)
    assert list(schedule_from_hex("8", 4)) == [3]
    with pytest.raises(ValueError):
        schedule_from_hex("1", MAX_POINTS + 1)


# ---- 1. plane-series templates ------------------------------------------------------------

@pytest.mark.parametrize("template", ["r%n.ft3", "r%d%d.ft3", "r%%.ft3", "r%0999999d.ft3",
                                      "r%s.ft3"])
def test_bad_output_templates(spectra, tmp_path, template):
    _, paths, _ = spectra
    assert_bad(*run_mrai("degrade", "--echo", paths["reference"], "-o", tmp_path / template),
               "integer field")
    assert os.listdir(tmp_path) == []


def test_series_paths():
    assert series_paths("p%03d.ft3", 3) == ["p001.ft3", "p002.ft3", "p003.ft3"]
    assert series_paths("100%%_%d.ft3", 2) == ["100%_1.ft3", "100%_2.ft3"]
    with pytest.raises(InputError, match="number of planes"):
        series_paths("p%d.ft3", 10 ** 9)


# ---- 1. score --region --------------------------------------------------------------------

def test_region_refused_or_right(spectra):
    data, _, _ = spectra
    from mrai.cli.options import parse_region

    for text in ("900:10", "0:128", "1:129", "-5:10"):
        with pytest.raises(InputError, match="--region"):
            parse_region(text, 128)
    assert parse_region("1:128", 128) == (1, 128) and parse_region("all", 128) is None
    with pytest.raises(ValueError):
        f2_region(0, 128)
    mu, sigma = data.reference, np.full(data.reference.shape, 0.01, np.float32)
    assert psq(mu, sigma, f2_region(1, 128)) == pytest.approx(psq(mu, sigma))


def test_score_region_on_the_command_line(spectra, tmp_path):
    _, paths, _ = spectra
    code, _, err = run_mrai("reconstruct", "--echo", "--method", "ist", "--iterations", "5",
                            paths["echo"], "-o", tmp_path / "r.ft2")
    assert code == 0, err
    for region in ("900:10", "0:128"):
        assert_bad(*run_mrai("score", "--region", region, tmp_path / "r.ft2"), "--region")
    code, whole, err = run_mrai("score", "--json", tmp_path / "r.ft2")
    assert code == 0, err
    code, region, err = run_mrai("score", "--json", "--region", "1:128", tmp_path / "r.ft2")
    assert code == 0, err
    assert json.loads(region)["planes"][0]["psq"] == json.loads(whole)["planes"][0]["psq"]


# ---- 1. recipes ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def fid(tmp_path_factory):
    """2D time-domain data as mrai convert writes them: 32 increments x 256 complex points."""
    from mrai.fileio.convert import to_pipe

    return to_pipe(read_raw(rawdata.write_bruker(str(tmp_path_factory.mktemp("raw") / "b"))))


@pytest.mark.parametrize("step, needle", [
    ("PS -p0 nan", "-p0 needs a number"), ("EM -lb inf", "-lb needs a number"),
    ("EXT -x1 5000 -xn 6000", "outside the data"), ("EXT -x1 5000", "outside the data"),
    ("ZF -size -5", "ZF -size"), ("ZF -size 2000000000", "an integer within"),
    ("ZF -zf 40", "doublings"), ("ZF -pad -3", "ZF -pad"),
    ("ZF -size 1000000", "would exceed"), ("LP -pred 1000000", "would exceed"),
    ("BASE -nl 1 99999", "-nl node 99999 lies outside"), ("BASE -nl 1 100 -nw -2", "-nw"),
    ("EM -lb -1e308", "NaN or infinite"), ("SP -start 0", "-start"),
    ("EXT -round 0 -x1 3 -xn 10", "-round"), ("CS -rs 1e999", "-rs needs a location"),
    ("LP -ord 200", "at most 64"), ("SOL -fl 1048576", "-fl"),
    ("FT; DI; MED -nw -1", "MED needs -nw"),
])
def test_recipe_values_bounded(fid, step, needle):
    dic, data = fid
    with pytest.raises(InputError, match=needle):
        process(dic, data, step, "t.fid")


def test_recipe_step_count_bounded():
    from mrai.process import parse_recipe

    with pytest.raises(InputError, match="more than the 1000 steps"):
        parse_recipe("FT\n" * 1001, "r.txt")


def test_recipe_regions_still_clamp_partly_outside(fid):
    dic, data = fid
    _, out = process(dic, data, "EXT -x1 101 -xn 913")   # nmrPipe's habit: the end is clamped
    assert out.shape == (64, 156)
    _, out = process(dic, data, "ZF -size 300")
    assert out.shape == (64, 300) and np.isfinite(out).all()


def test_recipe_bad_values_on_the_command_line(fid, tmp_path):
    dic, data = fid
    write(str(tmp_path / "t.fid"), dic, data)
    for step in ("PS -p0 nan", "EXT -x1 5000 -xn 6000", "ZF -size 2000000000"):
        assert_bad(*run_mrai("process", tmp_path / "t.fid", "--fn", step, "-o",
                             tmp_path / "o.ft2"))
    assert not (tmp_path / "o.ft2").exists()


# ---- 1. raw parameters and nuslists -------------------------------------------------------

def _edit(folder, name, key, value):
    path = os.path.join(folder, name)
    lines = open(path).read().splitlines()
    lines = [f"##${key}= {value}" if line.startswith(f"##${key}=") else line for line in lines]
    if not any(line.startswith(f"##${key}=") for line in lines):
        lines.insert(1, f"##${key}= {value}")
    open(path, "w").write("\n".join(lines) + "\n")


@pytest.mark.parametrize("name, key, value, needle", [
    ("acqus", "TD", "0", "TD is 0"), ("acqus", "TD", "-1024", "TD is -1024"),
    ("acqu2s", "TD", "0", "TD is 0"), ("acqus", "TD", "1e10", "TD is 10000000000"),
    ("acqus", "SW_h", "0", "SW_h is 0"), ("acqu2s", "SW_h", "0", "SW_h is 0"),
    ("acqu2s", "FnMODE", "xyz", "FnMODE"), ("acqus", "GRPDLY", "abc", "GRPDLY"),
    ("acqus", "GRPDLY", "1e12", "GRPDLY"), ("acqus", "SFO1", "nan", "SFO1"),
    ("acqus", "DECIM", "abc", "DECIM"),
])
def test_bruker_parameters_bounded(tmp_path, name, key, value, needle):
    folder = rawdata.write_bruker(str(tmp_path / "b"))
    _edit(folder, name, key, value)
    with pytest.raises(InputError, match=needle):
        read_raw(folder)


def test_bruker_odd_values_that_are_not_sizes(tmp_path):
    folder = rawdata.write_bruker(str(tmp_path / "b"))
    _edit(folder, "acqus", "NUC1", "inf")        # a nucleus read as a number stays a label
    os.makedirs(os.path.join(folder, "pdata", "1"))
    with open(os.path.join(folder, "pdata", "1", "procs"), "w") as fh:
        fh.write("##$PHC0= nan\n##$PHC1= 3\n##END=\n")
    raw = read_raw(folder)
    assert raw.dic["FDF2LABEL"] == "inf" and raw.phases is None   # NaN phases are not used
    _edit(folder, "acqu2s", "SW", "inf")
    with pytest.raises(InputError, match="SW is inf"):
        read_raw(folder)


def test_bruker_parameters_on_the_command_line(tmp_path):
    folder = rawdata.write_bruker(str(tmp_path / "b"))
    _edit(folder, "acqus", "GRPDLY", "1e12")
    assert_bad(*run_mrai("convert", folder, "-o", tmp_path / "o.fid"), "acqus", "GRPDLY")
    assert not (tmp_path / "o.fid").exists()


def test_nuslist_entry_of_3000000_is_refused_before_allocating(tmp_path):
    nuslist = [0, 2, 3, 5, 7, 8, 11, 13, 15, 17, 20, 22, 25, 27, 29, 31]
    folder = rawdata.write_bruker(str(tmp_path / "n"), nuslist=nuslist)
    for big, needle in ((3000000, "beyond the"), (300000, "exceeds the"),
                        ("99999999999999999999999", "whole numbers")):
        with open(os.path.join(folder, "nuslist"), "w") as fh:
            fh.write("\n".join(map(str, nuslist[:-1] + [big])) + "\n")
        with pytest.raises(InputError, match=needle):
            read_raw(folder)


def test_empty_nuslist_is_one_line(tmp_path):
    """An empty nuslist (scripts/fuzz.py): numpy's warning printed two more lines before the
    error; now the error alone."""
    folder = rawdata.write_bruker(str(tmp_path / "n"), nuslist=[0, 2, 3, 5, 7, 8, 11, 13])
    for text in ("", "\n\n", "# no entries\n"):
        with open(os.path.join(folder, "nuslist"), "w") as fh:
            fh.write(text)
        assert_bad(*run_mrai("convert", folder, "-o", tmp_path / "o.fid"), "nuslist is empty")
    assert not (tmp_path / "o.fid").exists()


def test_varian_parameters_bounded(tmp_path):
    folder = rawdata.write_varian(str(tmp_path / "v"))
    path = os.path.join(folder, "procpar")
    lines = open(path).read().split("\n")
    index = next(i for i, line in enumerate(lines) if line.startswith("sw "))
    lines[index + 1] = "1 nan"
    open(path, "w").write("\n".join(lines))
    with pytest.raises(InputError, match="'sw' is nan"):
        read_raw(folder)


# ---- 1. model cards -----------------------------------------------------------------------

def _card(tmp_path, name="c", **config):
    card = json.loads((ROOT / "models" / "wnn-echo.json").read_text())
    card["config"].update(config)
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(card))
    return path


def test_card_sizes_bounded(tmp_path):
    with pytest.raises(InputError, match="filters is 100000"):
        read_card(str(_card(tmp_path, filters=100000)))
    with pytest.raises(InputError, match="dilations"):
        read_card(str(_card(tmp_path, dilations=[[1, 1]] * 1000)))
    with pytest.raises(InputError, match="kernel"):
        read_card(str(_card(tmp_path, kernel=[3, 1e9])))
    (tmp_path / "deep.json").write_text("[" * 100000 + "]" * 100000)
    with pytest.raises(InputError, match="nested"):
        read_card(str(tmp_path / "deep.json"))
    nested = 1
    for _ in range(40):
        nested = [nested]
    deep = {"kind": "wnn", "config": {}, "x": nested}
    (tmp_path / "deep2.json").write_text(json.dumps(deep))
    with pytest.raises(InputError, match="nested more than"):
        read_card(str(tmp_path / "deep2.json"))
    assert read_card(str(ROOT / "models" / "wnn-echo.json"))["config"]["filters"] == 32


def test_card_with_huge_filters_on_the_command_line(spectra, tmp_path):
    _, paths, _ = spectra
    _card(tmp_path, "m", filters=100000)
    shutil.copy(ROOT / "models" / "wnn-echo.weights.h5", tmp_path / "m.weights.h5")
    assert_bad(*run_mrai("reconstruct", "--echo", paths["echo"], "--model",
                         tmp_path / "m.weights.h5", "-o", tmp_path / "o.ft2"), "filters")


# ---- 3. numerics --------------------------------------------------------------------------

def _near_max(x):
    """``x`` times the power of two that brings its largest magnitude into [1.7e38, 3.4e38)
    (exact)."""
    return np.ldexp(x, 128 - int(np.frexp(np.abs(x).max())[1]))


def test_degrade_near_float32_max_is_exact(spectra):
    data, _, _ = spectra
    ref = data.reference.astype(np.float32)
    big = _near_max(ref)
    k = int(np.frexp(big.max())[1] - np.frexp(ref.max())[1])
    assert np.isfinite(big).all() and np.abs(big).max() > 1.7e38
    for mode, start in (("echo", (0.0, 0.0)), ("antiecho", (0.5, 0.0)), ("echo", (0.5, 0.5))):
        out = degrade(big, mode, start=start)
        assert np.array_equal(out, np.ldexp(degrade(ref, mode, start=start), k))
    out = nus_degrade(big, [0, 1, 3, 6, 10])
    assert np.array_equal(out, np.ldexp(nus_degrade(ref, [0, 1, 3, 6, 10]), k))


def test_reconstructions_near_float32_max(spectra):
    from mrai.methods.ist import ist
    from mrai.reconstruction import reconstruct

    data, _, _ = spectra
    echo = data.echo.astype(np.float32)
    big = np.ldexp(echo, 126 - int(np.frexp(np.abs(echo).max())[1]))   # about 8.5e37
    k = int(np.frexp(np.abs(big).max())[1] - np.frexp(np.abs(echo).max())[1])
    assert np.array_equal(ist(big, "echo", iterations=20),
                          np.ldexp(ist(echo, "echo", iterations=20), k))
    wnn = reconstruct(big, "echo", "wnn")
    assert np.isfinite(wnn).all()
    np.testing.assert_allclose(wnn, np.ldexp(reconstruct(echo, "echo", "wnn"), k),
                               rtol=1e-5, atol=1e-5 * np.abs(wnn).max())
    with pytest.raises(InputError, match="does not fit"):   # the result itself is too large
        ist(np.ldexp(echo, 128 - int(np.frexp(np.abs(echo).max())[1])) * np.float32(1.9),
            "echo", iterations=5)


def test_degrade_and_reconstruct_near_max_on_the_command_line(spectra, tmp_path):
    data, _, _ = spectra
    write(str(tmp_path / "big.ft2"), spectrum_header((32, 128)), _near_max(data.reference))
    code, _, err = run_mrai("degrade", "--echo", tmp_path / "big.ft2", "-o", tmp_path / "e.ft2")
    assert code == 0, err
    for method in ("wnn", "ist"):
        code, _, err = run_mrai("reconstruct", "--echo", "--method", method, tmp_path / "e.ft2",
                                "-o", tmp_path / f"{method}.ft2")
        assert code == 0, err
        out = read(str(tmp_path / f"{method}.ft2"))[1]
        assert np.isfinite(out).all() and np.abs(out).max() > 1e37
    assert np.isfinite(read(str(tmp_path / "e.ft2"))[1]).all()


def test_all_zero_and_constant_spectra():
    from mrai.methods.ist import ist
    from mrai.reconstruction import reconstruct

    zero = np.zeros((16, 32), np.float32)
    assert not echo_part(zero).any() and not ist(zero, "echo").any()
    assert not reconstruct(zero, "echo", "wnn").any()
    with pytest.raises(InputError, match="zero everywhere"):
        sigma_summary(zero, np.ones_like(zero))
    flat = np.full((16, 32), 3.0, np.float32)
    assert sigma_summary(flat, np.full_like(flat, 0.3))["psq"] == pytest.approx(0.1)


def test_all_zero_spectrum_scores_with_a_clear_error(tmp_path):
    dic = stamp(spectrum_header((16, 32)), "reconstruct", method="ist", mode="echo")
    write(str(tmp_path / "z.ft2"), dic, np.zeros((16, 32), np.float32))
    code, out, err = run_mrai("score", tmp_path / "z.ft2")
    assert_bad(code, out, err, "zero everywhere")
    assert "Warning" not in err and "nan" not in err


# ---- 4. text from files -------------------------------------------------------------------

def test_info_escapes_control_characters(spectra):
    from mrai.fileio.pipe import PipeReader
    from mrai.fileio.summary import describe

    _, paths, folder = spectra
    path = mutated(paths["reference"], folder / "esc.ft2",
                   FDCOMMENT="mrai 0.1 degrade mode=echo x=\x1b[2J\x1b[H\x07",
                   FDF1LABEL="\x1b[31m")
    text = format_description(describe(PipeReader(str(path))))
    assert "\x1b" not in text and "\x07" not in text
    assert "\\x1b[31m" in text and "%1B" in text
    code, out, err = run_mrai("info", "--json", path)
    assert code == 0 and b"\x1b" not in out and "\\u001b" in out.decode()


def test_printable():
    assert printable("a\x1b[2Jb\rc\x9b\u2028") == "a\\x1b[2Jb\\x0dc\\x9b\\u2028"
    assert printable("two\nlines\tok", lines=True) == "two\nlines\tok"


def test_provenance_values_cannot_add_keys():
    name = "x method=ist mode=antiecho"
    dic = stamp(spectrum_header((8, 8)), "reconstruct", method="wnn", mode="echo", model=name)
    record = provenance(dic)
    assert record["method"] == "wnn" and record["mode"] == "echo" and record["model"] == name
    assert " method=ist" not in dic["FDCOMMENT"]
    for value in ("a b", "k=v", "100%", "é\x1b", "%41"):
        assert provenance(stamp(dic, "t", v=value))["v"] == value
        assert quote_value(value).isascii() and " " not in quote_value(value)
    long = stamp(dic, "t", model="é" * 100)["FDCOMMENT"]    # names are cut to fit
    assert len(long.split("model=")[1]) <= 40
    # records written before quoting read as they did
    old = {"FDCOMMENT": "mrai 0.1 process recipe=BASE,-nl,10%,50%;FT command=x"}
    assert provenance(old) == {"version": "0.1", "command": "process",
                               "recipe": "BASE,-nl,10%,50%;FT"}


def test_card_name_cannot_change_what_score_uses(spectra, tmp_path):
    _, paths, _ = spectra
    card = json.loads((ROOT / "models" / "wnn-echo.json").read_text())
    card["name"] = "x method=ist mode=antiecho"
    (tmp_path / "evil.json").write_text(json.dumps(card))
    for suffix in (".weights.h5", ".stage0.onnx", ".stage1.onnx", ".stage2.onnx"):
        shutil.copy(ROOT / "models" / f"wnn-echo{suffix}", tmp_path / f"evil{suffix}")
    code, _, err = run_mrai("reconstruct", "--echo", paths["echo"], "--model",
                            tmp_path / "evil.weights.h5", "-o", tmp_path / "r.ft2")
    assert code == 0, err
    record = provenance(read(str(tmp_path / "r.ft2"))[0])
    assert record["method"] == "wnn" and record["mode"] == "echo"
    assert record["model"] == "x method=ist mode=antiecho"
    code, out, err = run_mrai("score", "--json", tmp_path / "r.ft2")
    assert code == 0, err
    report = json.loads(out)
    assert (report["method"], report["mode"], report["sigma_model"]) == \
        ("wnn", "echo", "sigma-wnn-echo")


def test_check_count():
    assert check_count("12", "x") == 12 and check_count(7.0, "x") == 7
    for bad in (math.nan, math.inf, "abc", 2.5, None, True, MAX_POINTS + 1, 0):
        with pytest.raises(InputError):
            check_count(bad, "x")


def test_number_options_finite(spectra, tmp_path):
    _, paths, _ = spectra
    folder = rawdata.write_bruker(str(tmp_path / "b"))
    for args in (("convert", folder, "--xcar", "nan"), ("convert", folder, "--yobs", "inf"),
                 ("degrade", "--nus", "0.5", "--seed", "-1", paths["reference"])):
        code, out, err = run_mrai(*args, "-o", tmp_path / "o")
        assert code == 2 and out == b"" and "Traceback" not in err and "internal" not in err
        assert not (tmp_path / "o").exists()


def test_text_files_bounded_before_they_are_read(tmp_path, fid):
    from mrai.fileio.schedule import read_schedule
    from mrai.limits import MAX_TEXT_BYTES

    big = tmp_path / "big.txt"
    with open(big, "wb") as fh:
        fh.truncate(MAX_TEXT_BYTES + 1)
    with pytest.raises(InputError, match="larger than the 16 MiB"):
        read_schedule(str(big))
    dic, data = fid
    write(str(tmp_path / "t.fid"), dic, data)
    assert_bad(*run_mrai("process", tmp_path / "t.fid", "--recipe", big, "-o",
                         tmp_path / "o.ft2"), "16 MiB")


@pytest.mark.parametrize("index, value", [(8, 2 ** 31 - 1), (0, -1), (2, 2 ** 31 - 1), (3, 3)])
def test_varian_fid_header_bounded(tmp_path, index, value):
    import struct

    folder = rawdata.write_varian(str(tmp_path / "v"))
    path = os.path.join(folder, "fid")
    raw = bytearray(open(path, "rb").read())
    fields = list(struct.unpack(">iiiiiihhi", raw[:32]))
    fields[index] = value          # nbheaders, nblocks, np, ebytes
    raw[:32] = struct.pack(">iiiiiihhi", *fields)
    open(path, "wb").write(bytes(raw))
    start = time.perf_counter()
    with pytest.raises(InputError, match="fid"):
        read_raw(folder)
    assert time.perf_counter() - start < 5


# ---- the rule for bad options: one line (found by scripts/fuzz.py) ------------------------

@pytest.mark.parametrize("args, needle", [
    (["demo", "out", "--seed", "nan"], "'--seed': 'nan' is not a valid integer"),
    (["simulate", "-o", "x.ft2", "--peaks", "100000000"], "'--peaks'"),
    (["train", "wnn", "-o", "p", "--lr", "0"], "'--lr'"),
    (["degrade", "--echo", "--antiecho"], "choose exactly one"),
    (["degrade", "--bogus"], "No such option"),
    (["bogus"], "No such command"),
    (["convert"], "Missing argument 'DIR'"),
])
def test_usage_errors_are_one_line(tmp_path, args, needle):
    """click's usage errors (a bad option value, an unknown option or command, a missing
    argument) are one 'mrai: error:' line with where the help is, exit 2, nothing written;
    click itself prints three lines."""
    code, out, err = run_mrai(*args, cwd=tmp_path)
    assert_bad(code, out, err, needle, "--help')")
    assert os.listdir(tmp_path) == []


def test_bare_group_still_shows_its_help(tmp_path):
    code, _, err = run_mrai("train", cwd=tmp_path)
    assert code == 2 and err.startswith("Usage: mrai train ") and "Commands:" in err


def test_error_lines_escape_control_characters(tmp_path):
    """A file name with a newline and a terminal escape in an error message: still one line,
    the escape written out, not sent to the terminal."""
    code, out, err = run_mrai("info", "a\x1b[2Jb\nc.ft2", cwd=tmp_path)
    assert_bad(code, out, err, "a\\x1b[2Jb\\x0ac.ft2: no such file")
    assert "\x1b" not in err


def test_demo_refuses_a_file_as_outdir_and_a_negative_seed(tmp_path):
    (tmp_path / "file.txt").write_bytes(b"x")
    assert_bad(*run_mrai("demo", "file.txt", cwd=tmp_path), "file.txt: is not a folder")
    assert_bad(*run_mrai("demo", "out", "--seed", "-1", cwd=tmp_path), "--seed is -1")
    assert sorted(os.listdir(tmp_path)) == ["file.txt"]
    assert (tmp_path / "file.txt").read_bytes() == b"x"
