"""NMRPipe I/O: exact round trips of files, plane series and streams; headers; schedules."""

import io

import nmrglue as ng
import numpy as np
import pytest

from conftest import MALT1, PEAKIPY_3D, header_3d, shared_file
from mrai.errors import InputError, OutputError
from mrai.fileio import PipeReader, provenance, read, stamp, write
from mrai.fileio.header import HEADER_BYTES, spectrum_header
from mrai.fileio.schedule import read_schedule, schedule_from_hex, schedule_to_hex, write_schedule

RANGE_WORDS = [247, 248, 250, 251, 252]  # FDMAX FDMIN FDDISPMAX FDDISPMIN FDSCALEFLAG


def words(path):
    return np.fromfile(path, dtype="<f4")


def test_2d_round_trip_exact_and_header_kept(tmp_path, small):
    path = tmp_path / "a.ft2"
    write(str(path), spectrum_header((64, 256)), small.reference)
    dic, data = read(str(path))
    assert data.dtype == np.float32 and np.array_equal(data, small.reference)
    again = tmp_path / "b.ft2"
    write(str(again), dic, data)
    a, b = words(path), words(again)
    assert np.array_equal(a, b)
    assert dic["FDMAX"] == data.max() and dic["FDMIN"] == data.min() and dic["FDSCALEFLAG"] == 1
    # nmrglue reads what we write
    assert np.array_equal(ng.pipe.read(str(path))[1], small.reference)


def test_unknown_header_words_are_kept(tmp_path, small):
    path = tmp_path / "a.ft2"
    write(str(path), spectrum_header((64, 256)), small.reference)
    raw = words(path)
    raw[400] = 123.5  # a word nmrglue has no name for
    raw.tofile(path)
    dic, data = read(str(path))
    out = tmp_path / "b.ft2"
    write(str(out), stamp(dic, "test"), data)
    assert words(out)[400] == 123.5


def test_big_endian_file_is_read(tmp_path, small):
    path = tmp_path / "le.ft2"
    write(str(path), spectrum_header((64, 256)), small.reference)
    big = tmp_path / "be.ft2"
    words(path).astype(">f4").tofile(big)
    assert np.array_equal(read(str(big))[1], small.reference)


def test_complex_time_domain_round_trip(tmp_path):
    dic = spectrum_header((8, 16))
    dic.update(FDF2QUADFLAG=0.0, FDF2FTFLAG=0.0, FDQUADFLAG=0.0, FDSIZE=16.0)
    rng = np.random.default_rng(1)
    data = (rng.standard_normal((8, 16)) + 1j * rng.standard_normal((8, 16))).astype(np.complex64)
    write(str(tmp_path / "t.fid"), dic, data)
    back = read(str(tmp_path / "t.fid"))[1]
    assert back.dtype == np.complex64 and np.array_equal(back, data)
    assert np.array_equal(ng.pipe.read(str(tmp_path / "t.fid"))[1], data)


def test_3d_stream_file_and_series_round_trips(tmp_path, stack3d):
    dic = header_3d((32, 128), 3)
    write(str(tmp_path / "s.ft3"), dic, stack3d)
    d1, back = read(str(tmp_path / "s.ft3"))
    assert back.shape == (3, 32, 128) and np.array_equal(back, stack3d)
    assert np.array_equal(ng.pipe.read(str(tmp_path / "s.ft3"))[1], stack3d)
    template = str(tmp_path / "plane%03d.ft3")
    write(template, d1, back)
    assert (tmp_path / "plane003.ft3").exists() and not (tmp_path / "plane004.ft3").exists()
    d2, series = read(template)
    assert np.array_equal(series, stack3d) and d2["FDPIPEFLAG"] == 0
    write(str(tmp_path / "again.ft3"), d2, series)
    assert np.array_equal(words(tmp_path / "s.ft3"), words(tmp_path / "again.ft3"))


def test_stream_object_reads_planes_lazily(tmp_path, stack3d):
    write(str(tmp_path / "s.ft3"), header_3d((32, 128), 3), stack3d)
    raw = (tmp_path / "s.ft3").read_bytes()
    reader = PipeReader(io.BytesIO(raw))
    planes = reader.planes()
    assert np.array_equal(next(planes), stack3d[0])
    assert np.array_equal(np.stack([stack3d[0]] + list(planes)), stack3d)


def test_truncated_stream_reported_at_missing_plane(tmp_path, stack3d):
    write(str(tmp_path / "s.ft3"), header_3d((32, 128), 3), stack3d)
    raw = (tmp_path / "s.ft3").read_bytes()[:-100]
    reader = PipeReader(io.BytesIO(raw))
    with pytest.raises(InputError, match="truncated NMRPipe data: plane 3 of 3"):
        list(reader.planes())


@pytest.mark.parametrize("content, message", [
    (b"", "empty"),
    (b"hello world\n" * 300, "not an NMRPipe file"),
    (b"\0" * 100, "shorter than the 2048-byte header"),
])
def test_not_nmrpipe(tmp_path, content, message):
    path = tmp_path / "bad.ft2"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        read(str(path))


def test_truncated_and_oversized_files(tmp_path, small_file):
    raw = small_file.read_bytes()
    (tmp_path / "short.ft2").write_bytes(raw[:-4])
    with pytest.raises(InputError, match="truncated NMRPipe file"):
        read(str(tmp_path / "short.ft2"))
    (tmp_path / "long.ft2").write_bytes(raw + b"\0" * 8)
    with pytest.raises(InputError, match="8 bytes more data than the header describes"):
        read(str(tmp_path / "long.ft2"))


def test_missing_file_and_missing_plane(tmp_path, stack3d):
    with pytest.raises(InputError, match="no such file"):
        read(str(tmp_path / "nothing.ft2"))
    template = str(tmp_path / "p%03d.ft3")
    write(template, header_3d((32, 128), 3), stack3d)
    (tmp_path / "p002.ft3").unlink()
    with pytest.raises(InputError, match="plane file .*p002.ft3 of 3 is missing"):
        read(template)


def test_writer_refuses_existing_and_is_atomic(tmp_path, small, small_file):
    before = small_file.read_bytes()
    with pytest.raises(OutputError, match="exists"):
        write(str(small_file), spectrum_header((64, 256)), small.echo)
    assert small_file.read_bytes() == before
    with pytest.raises(ValueError):  # wrong plane shape: nothing written, no temp left
        write(str(small_file), spectrum_header((64, 256)), small.echo[:10], overwrite=True)
    assert small_file.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ref.ft2"]
    write(str(small_file), spectrum_header((64, 256)), small.echo, overwrite=True)
    assert np.array_equal(read(str(small_file))[1], small.echo)


def test_provenance_stamp_round_trip(tmp_path, small):
    dic = stamp(spectrum_header((64, 256)), "degrade", mode="nus", seed=3)
    write(str(tmp_path / "a.ft2"), dic, small.reference)
    record = provenance(read(str(tmp_path / "a.ft2"))[0])
    assert record["command"] == "degrade" and record["mode"] == "nus" and record["seed"] == "3"
    assert provenance(spectrum_header((8, 8))) is None
    with pytest.raises(ValueError, match="longer than 159 bytes"):
        stamp(dic, "x", text="y" * 200)
    # the longest reconstruction record (both grids off, a 40-character model name, Keras
    # bfloat16) fits by cutting the model name further
    fields = dict(method="wnn", mode="antiecho", t1start="0.5", t1off="0.12", t2off="0.12",
                  model="m" * 50, precision="bfloat16", backend="keras", phase="auto")
    record = provenance(stamp(dic, "reconstruct", **fields))
    assert record["phase"] == "auto" and 12 <= len(record["model"]) < 40
    assert record["model"] == "m" * len(record["model"])


def test_schedule_files_and_hex(tmp_path):
    schedule = np.array([0, 1, 3, 7, 20, 63])
    write_schedule(str(tmp_path / "s.txt"), schedule)
    assert np.array_equal(read_schedule(str(tmp_path / "s.txt")), schedule)
    assert np.array_equal(schedule_from_hex(schedule_to_hex(schedule, 64), 64), schedule)
    (tmp_path / "bad.txt").write_text("0\n1\nx\n")
    with pytest.raises(InputError, match="line 3: 'x' is not an integer"):
        read_schedule(str(tmp_path / "bad.txt"))
    (tmp_path / "empty.txt").write_text("# nothing\n\n")
    with pytest.raises(InputError, match="empty"):
        read_schedule(str(tmp_path / "empty.txt"))


def test_shared_2d_and_3d_round_trips(tmp_path):
    for path, name in ((shared_file(MALT1), "m.ft2"), (shared_file(PEAKIPY_3D), "p.ft3")):
        dic, data = read(str(path))
        assert np.array_equal(data, ng.pipe.read(str(path))[1])
        write(str(tmp_path / name), dic, data)
        diff = np.nonzero(words(path) != words(tmp_path / name))[0]
        assert set(diff) <= set(RANGE_WORDS)
        assert np.array_equal(read(str(tmp_path / name))[1], data)
