"""The mrai command line, run as a user runs it (subprocess): outputs, streams, bad input."""

import json
import os
import select
import shutil
import subprocess
import sys

import numpy as np
import pytest

from conftest import MALT1, ROOT, header_3d, run_mrai, shared_file, write_invalid_spectra
from mrai.fileio import provenance, read, write
from mrai.fileio.header import HEADER_BYTES, spectrum_header
from mrai.fileio.schedule import read_schedule, schedule_from_hex
from mrai.physics import antiecho_part, echo_part, nus_degrade
from test_physics import literal_parts


def assert_bad(code, out, err, *needles):
    """Exit 2, one 'mrai: error:' line on stderr holding ``needles``, nothing on stdout."""
    assert code == 2, err
    assert out == b""
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("mrai: error:"), err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in err


def test_info_text_and_json(small_file):
    code, out, err = run_mrai("info", small_file)
    assert code == 0 and err == ""
    text = out.decode()
    assert "2D, 64 x 256 points" in text and "15N" in text and "frequency" in text
    code, out, _ = run_mrai("info", "--json", small_file)
    info = json.loads(out)
    assert [a["points"] for a in info["axes"]] == [64, 256]
    assert info["axes"][1]["ppm_range"][0] > info["axes"][1]["ppm_range"][1]


def test_simulate_files_and_overwrite(tmp_path):
    args = ("simulate", "-o", tmp_path / "r.ft2", "--echo", tmp_path / "e.ft2", "--antiecho",
            tmp_path / "a.ft2", "--size", "32x128", "--peaks", "12", "--seed", "4")
    code, out, err = run_mrai(*args)
    assert code == 0 and out == b"" and "32 x 128" in err
    _, ref = read(str(tmp_path / "r.ft2"))
    _, echo = read(str(tmp_path / "e.ft2"))
    _, anti = read(str(tmp_path / "a.ft2"))
    assert np.allclose(echo + anti, ref, atol=1e-5 * np.abs(ref).max())
    assert np.allclose(echo, echo_part(ref), atol=1e-5 * np.abs(ref).max())
    before = (tmp_path / "e.ft2").read_bytes()
    assert_bad(*run_mrai(*args[:-1], "5"), "exists", "-ov")
    assert (tmp_path / "e.ft2").read_bytes() == before
    code, _, _ = run_mrai(*args[:-1], "5", "-ov")
    assert code == 0 and (tmp_path / "e.ft2").read_bytes() != before
    code, out, _ = run_mrai("simulate", "--size", "32x128", "--peaks", "3")  # stdout: a pipe
    assert code == 0 and len(out) == HEADER_BYTES + 4 * 32 * 128


def test_degrade_file_and_stream_agree(tmp_path, small_file):
    _, ref = read(str(small_file))
    code, _, err = run_mrai("degrade", "--echo", small_file, "-o", tmp_path / "e.ft2")
    assert code == 0 and "echo" in err
    dic, echo = read(str(tmp_path / "e.ft2"))
    assert np.array_equal(echo, echo_part(ref))
    assert provenance(dic)["command"] == "degrade" and provenance(dic)["mode"] == "echo"
    code, out, _ = run_mrai("degrade", "--antiecho", stdin=small_file.read_bytes())
    assert code == 0
    (tmp_path / "a.ft2").write_bytes(out)
    assert np.array_equal(read(str(tmp_path / "a.ft2"))[1], antiecho_part(ref))
    code, _, _ = run_mrai("degrade", "--echo", "-in", small_file, "-out", tmp_path / "e2.ft2")
    assert code == 0 and (tmp_path / "e2.ft2").read_bytes() == (tmp_path / "e.ft2").read_bytes()


def test_degrade_transposed_input(tmp_path, small):
    dic = spectrum_header((64, 256))
    dic.update(FDTRANSPOSED=1.0, FDDIMORDER1=1.0, FDDIMORDER2=2.0, FDSIZE=64.0, FDSPECNUM=256.0)
    write(str(tmp_path / "t.ft2"), dic, small.reference.T.copy())
    code, _, err = run_mrai("degrade", "--echo", tmp_path / "t.ft2", "-o", tmp_path / "e.ft2")
    assert code == 0, err
    assert np.array_equal(read(str(tmp_path / "e.ft2"))[1], echo_part(small.reference).T)


def test_degrade_nus_schedules(tmp_path, small_file):
    _, ref = read(str(small_file))
    code, _, err = run_mrai("degrade", "--nus", "0.5", "--seed", "3", "--schedule-out",
                            tmp_path / "s.txt", small_file, "-o", tmp_path / "n.ft2")
    assert code == 0, err
    schedule = read_schedule(str(tmp_path / "s.txt"))
    assert len(schedule) == 16  # half of the 32 acquired t1 points
    dic, nus = read(str(tmp_path / "n.ft2"))
    assert np.array_equal(nus, nus_degrade(ref, schedule))
    record = provenance(dic)
    assert np.array_equal(schedule_from_hex(record["sched"], int(record["n"])), schedule)
    (tmp_path / "mine.txt").write_text("0\n1\n2\n5\n9\n")
    code, _, err = run_mrai("degrade", "--schedule", tmp_path / "mine.txt", small_file,
                            "-o", tmp_path / "m.ft2")
    assert code == 0, err
    assert np.array_equal(read(str(tmp_path / "m.ft2"))[1], nus_degrade(ref, [0, 1, 2, 5, 9]))


def test_3d_series_and_stream_plane_by_plane(tmp_path, stack3d):
    write(str(tmp_path / "s%03d.ft3"), header_3d((32, 128), 3), stack3d)
    code, _, err = run_mrai("degrade", "--echo", tmp_path / "s%03d.ft3",
                            "-o", tmp_path / "e%03d.ft3")
    assert code == 0, err
    expected = np.stack([echo_part(p) for p in stack3d])
    assert np.array_equal(read(str(tmp_path / "e%03d.ft3"))[1], expected)
    write(str(tmp_path / "s.ft3"), header_3d((32, 128), 3), stack3d)
    code, out, _ = run_mrai("degrade", "--echo", stdin=(tmp_path / "s.ft3").read_bytes())
    assert code == 0
    (tmp_path / "o.ft3").write_bytes(out)
    assert np.array_equal(read(str(tmp_path / "o.ft3"))[1], expected)


def test_3d_stream_output_starts_before_input_ends(tmp_path, stack3d):
    """Plane 1 comes out while planes 2 and 3 have not been sent: bounded-memory streaming."""
    write(str(tmp_path / "s.ft3"), header_3d((32, 128), 3), stack3d)
    raw = (tmp_path / "s.ft3").read_bytes()
    plane = 4 * 32 * 128
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "mrai", "degrade", "--echo"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env)
    try:
        proc.stdin.write(raw[:HEADER_BYTES + plane])
        proc.stdin.flush()
        got = b""
        while len(got) < HEADER_BYTES + plane:
            ready, _, _ = select.select([proc.stdout], [], [], 60)
            assert ready, "no output for the first plane before the rest was sent"
            got += os.read(proc.stdout.fileno(), HEADER_BYTES + plane - len(got))
        first = np.frombuffer(got[HEADER_BYTES:], dtype="<f4").reshape(32, 128)
        assert np.array_equal(first, echo_part(stack3d[0]))
        proc.stdin.write(raw[HEADER_BYTES + plane:])
        proc.stdin.close()
        rest = proc.stdout.read()
        assert proc.wait(60) == 0 and len(rest) == 2 * plane
    finally:
        proc.kill()


def test_malt1_degrade_matches_definition(tmp_path):
    path = shared_file(MALT1)
    code, _, err = run_mrai("degrade", "--echo", path, "-o", tmp_path / "e.ft2")
    assert code == 0, err
    code, _, err = run_mrai("degrade", "--antiecho", path, "-o", tmp_path / "a.ft2")
    assert code == 0, err
    _, s = read(str(path))
    _, e = read(str(tmp_path / "e.ft2"))
    _, a = read(str(tmp_path / "a.ft2"))
    le, la = literal_parts(s)
    scale = np.abs(s).max()
    eps = np.finfo(np.float32).eps
    assert np.abs(e - le).max() < 10 * eps * scale
    assert np.abs(a - la).max() < 10 * eps * scale
    assert np.abs(e + a - s).max() < 10 * eps * scale


@pytest.mark.skipif(shutil.which("nmrPype") is None, reason="nmrPype (pip nmrpype) not installed")
def test_pipeline_with_nmrpype(tmp_path, small_file):
    """nmrPype -in X -fn NULL | mrai degrade --echo | nmrPype -fn ZF == the file route."""
    piped = tmp_path / "piped.ft2"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    mrai = f"{sys.executable} -m mrai"
    subprocess.run(f"nmrPype -in {small_file} -fn NULL | {mrai} degrade --echo | "
                   f"nmrPype -fn ZF > {piped}", shell=True, check=True, env=env, timeout=300)
    subprocess.run(f"{mrai} degrade --echo {small_file} -o {tmp_path / 'e.ft2'} && "
                   f"nmrPype -in {tmp_path / 'e.ft2'} -fn ZF -out {tmp_path / 'file.ft2'}",
                   shell=True, check=True, env=env, timeout=300)
    a = np.fromfile(piped, dtype="<f4")
    b = np.fromfile(tmp_path / "file.ft2", dtype="<f4")
    assert a.size == b.size > HEADER_BYTES // 4 + 64 * 256
    differ = set(np.nonzero(a != b)[0])
    assert differ <= {75}  # FDPIPECOUNT: nmrPype counts the stages it passed through
    _, ref = read(str(small_file))
    zf = b[512:].reshape(64, -1)
    assert np.array_equal(zf[:, :256], echo_part(ref)) or np.allclose(
        zf[:, :256], echo_part(ref), atol=1e-6 * np.abs(ref).max())


# ---- bad input: one line on stderr, exit 2, nothing written -----------------------------

def test_bad_missing_and_not_nmrpipe(tmp_path):
    assert_bad(*run_mrai("degrade", "--echo", tmp_path / "no.ft2", "-o", tmp_path / "o.ft2"),
               "no.ft2", "no such file")
    (tmp_path / "text.ft2").write_text("not a spectrum\n" * 200)
    assert_bad(*run_mrai("info", tmp_path / "text.ft2"), "text.ft2", "not an NMRPipe file")
    assert_bad(*run_mrai("degrade", "--echo", stdin=b""), "standard input", "empty")
    assert not (tmp_path / "o.ft2").exists()


def test_bad_truncated(tmp_path, small_file):
    (tmp_path / "cut.ft2").write_bytes(small_file.read_bytes()[:-1000])
    assert_bad(*run_mrai("degrade", "--echo", tmp_path / "cut.ft2", "-o", tmp_path / "o.ft2"),
               "cut.ft2", "truncated")
    assert_bad(*run_mrai("degrade", "--echo", stdin=small_file.read_bytes()[:-1000]),
               "truncated")
    assert not (tmp_path / "o.ft2").exists()


def test_bad_1d_nan_odd_and_time_domain(tmp_path):
    one = spectrum_header((1, 128))
    one.update(FDDIMCOUNT=1.0, FDSPECNUM=1.0)
    write(str(tmp_path / "one.ft1"), one, np.ones(128, np.float32))
    assert_bad(*run_mrai("degrade", "--echo", tmp_path / "one.ft1", "-o", tmp_path / "o.ft2"),
               "1D data")
    data = np.ones((16, 32), np.float32)
    data[3, 4] = np.nan
    write(str(tmp_path / "nan.ft2"), spectrum_header((16, 32)), data)
    assert_bad(*run_mrai("degrade", "--echo", tmp_path / "nan.ft2", "-o", tmp_path / "o.ft2"),
               "NaN")
    bad = write_invalid_spectra(tmp_path)
    for name, needle in (("tiny", "6 x 32 is too small"), ("time", "time domain"),
                         ("complex", "complex")):
        assert_bad(*run_mrai("degrade", "--echo", bad[name], "-o", tmp_path / "o.ft2"), needle)
    assert not (tmp_path / "o.ft2").exists()


def test_bad_existing_output_untouched(tmp_path, small_file):
    out = tmp_path / "o.ft2"
    out.write_bytes(b"precious")
    assert_bad(*run_mrai("degrade", "--echo", small_file, "-o", out), "exists", "-ov")
    assert out.read_bytes() == b"precious"
    (tmp_path / "s.txt").write_text("keep\n")
    assert_bad(*run_mrai("degrade", "--nus", "0.5", "--schedule-out", tmp_path / "s.txt",
                         small_file, "-o", tmp_path / "n.ft2"), "s.txt", "exists")
    assert not (tmp_path / "n.ft2").exists() and (tmp_path / "s.txt").read_text() == "keep\n"


@pytest.mark.parametrize("content, needle", [
    ("0\n1\n40\n", "outside 0..31"), ("0\n2\n2\n", "more than once"), ("\n", "empty"),
])
def test_bad_schedules(tmp_path, small_file, content, needle):
    (tmp_path / "s.txt").write_text(content)
    assert_bad(*run_mrai("degrade", "--schedule", tmp_path / "s.txt", small_file,
                         "-o", tmp_path / "n.ft2"), "s.txt", needle)
    assert not (tmp_path / "n.ft2").exists()


def test_usage_errors():
    code, _, err = run_mrai("degrade", "--echo", "--antiecho")
    assert code == 2 and err.startswith("mrai: error: ") and err.count("\n") == 1
    assert "Traceback" not in err
    code, _, err = run_mrai("degrade", "--echo", "--nus", "0.5")
    assert code == 2 and "exactly one" in err


def test_demo(tmp_path):
    code, out, err = run_mrai("demo", tmp_path / "demo")
    assert code == 0 and out == b"", err
    for name in ("reference", "echo", "antiecho", "nus50"):
        assert (tmp_path / "demo" / f"{name}.ft2").exists()
    rows = [line.split() for line in err.splitlines() if line.startswith(("echo", "anti", "nus"))]
    assert [(r[0], r[1]) for r in rows] == [
        ("echo", "none"), ("echo", "ist"), ("echo", "wnn"),
        ("antiecho", "none"), ("antiecho", "ist"), ("antiecho", "wnn"),
        ("nus50", "none"), ("nus50", "ist")]
    raw = {r[0]: r for r in rows if r[1] == "none"}
    for row in rows:
        if row[1] != "none":  # each method repairs its input
            assert float(row[2]) > 0.99 and float(row[3]) < float(raw[row[0]][3]) / 2
        else:
            assert 0.3 < float(row[2]) < 0.9
    for name in ("echo_ist", "echo_wnn", "antiecho_wnn", "nus50_ist"):
        assert (tmp_path / "demo" / f"{name}.ft2").exists()
    assert (tmp_path / "demo" / "contour.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    shipped = os.path.exists(os.path.join(ROOT, "models", "sigma-ist-echo.weights.h5"))
    assert (tmp_path / "demo" / "echo_ist_sigma.ft2").exists() == shipped
    assert ("no sigma networks shipped yet" in err) == (not shipped)
    assert_bad(*run_mrai("demo", tmp_path / "demo"), "exists")
