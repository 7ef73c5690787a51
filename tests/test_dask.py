"""Planes on a real dask.distributed LocalCluster of 2 worker processes (mrai.distributed):
the same results as one process, in plane order, through files, plane series, several inputs
and streams; a killed worker's planes redone; a bad plane one clear error with nothing
written; the model built once per worker; a bounded number of planes in flight; and no dask
without --workers/--scheduler."""

import os
import signal
import threading
import time

import numpy as np
import pytest

pytest.importorskip("distributed")

from conftest import header_3d, run_mrai  # noqa: E402
from mrai import reconstruction  # noqa: E402
from mrai.distributed import DaskPlanes, cluster  # noqa: E402
from mrai.errors import InputError  # noqa: E402
from mrai.fileio import read, write  # noqa: E402
from mrai.fileio.header import HEADER_BYTES  # noqa: E402
from mrai.methods import table  # noqa: E402
from mrai.physics import echo_part  # noqa: E402
from mrai.planes import PlaneFailed, map_planes  # noqa: E402
from mrai.reconstruction import PlaneTask  # noqa: E402
from mrai.simulate import simulate  # noqa: E402

SIZE = (32, 128)
PLANES = 6


@pytest.fixture(scope="module")
def executor():
    with cluster(workers=2) as planes:
        yield planes


@pytest.fixture(scope="module")
def series(tmp_path_factory):
    """A simulated 3D Echo-only data set: (folder, its planes), written as a plane series
    e%03d.ft3 and as one stream file e.ft3."""
    folder = tmp_path_factory.mktemp("dask")
    planes = np.stack([echo_part(simulate(seed=s, size=SIZE, peaks=10).reference)
                       for s in range(PLANES)]).astype(np.float32)
    write(str(folder / "e%03d.ft3"), header_3d(SIZE, PLANES), planes)
    write(str(folder / "e.ft3"), header_3d(SIZE, PLANES), planes)
    return folder, planes


def leftovers(folder):
    return sorted(name for name in os.listdir(folder) if name.startswith("."))


def test_series_equals_serial(executor, series, tmp_path):
    """IST bit for bit; the WNN and its sigma within 1e-6 of the maximum; each worker builds
    the network once for all its planes."""
    folder, _ = series
    ist = PlaneTask.make(table.entry("ist", "echo"), iterations=30)
    map_planes(str(folder / "e%03d.ft3"), str(tmp_path / "s%03d.ft3"), ist, "reconstruct")
    map_planes(str(folder / "e%03d.ft3"), str(tmp_path / "p%03d.ft3"), ist.pinned(),
               "reconstruct", executor=executor)
    serial, parallel = read(str(tmp_path / "s%03d.ft3"))[1], read(str(tmp_path / "p%03d.ft3"))[1]
    assert serial.shape == (PLANES,) + SIZE
    assert np.array_equal(serial, parallel)

    wnn = PlaneTask.make(table.entry("wnn", "echo"), sigma=True)
    before = executor.client.run(reconstruction.builds)
    for name, run in (("s", None), ("p", executor)):
        map_planes(str(folder / "e.ft3"), str(tmp_path / f"w{name}.ft3"),
                   wnn if run is None else wnn.pinned(), "reconstruct", executor=run,
                   side=(str(tmp_path / f"sigma{name}.ft3"), {"output": "sigma"}))
    for kind in ("w", "sigma"):
        a, b = read(str(tmp_path / f"{kind}s.ft3"))[1], read(str(tmp_path / f"{kind}p.ft3"))[1]
        assert np.abs(a - b).max() <= 1e-6 * np.abs(a).max(), kind
    after = executor.client.run(reconstruction.builds)
    assert all(after[w] - before[w] <= 2 for w in after)   # the WNN and the sigma network
    assert sum(after[w] - before[w] for w in after) >= 2   # for all their planes


def test_planes_in_flight_are_bounded(executor):
    """No more than the window is read ahead of the plane being written."""
    pulled = []

    def calls():
        for k in range(12):
            pulled.append(k)
            yield abs, -k
    results = []
    for value in executor.map(calls()):
        results.append((value, len(pulled)))
    assert [v for v, _ in results] == list(range(12))
    assert executor.window == 4
    assert all(n - v <= executor.window for v, n in results)


class Slow:
    """A plane function that takes ``seconds`` and records nothing: for the killed worker."""

    def __init__(self, seconds):
        self.seconds = seconds

    def __call__(self, plane):
        time.sleep(self.seconds)
        return plane * 2


def test_killed_worker_planes_are_redone(executor, series, tmp_path):
    folder, planes = series
    pids = executor.client.run(os.getpid)
    killed = []

    def progress(name, index, count):
        if index == 0 and not killed:   # a plane is out: kill the worker busy with another
            victim = max(pids.values())
            os.kill(victim, signal.SIGKILL)
            killed.append(victim)
    map_planes(str(folder / "e.ft3"), str(tmp_path / "k.ft3"), Slow(0.5), "slow",
               executor=executor, progress=progress)
    assert killed
    assert np.array_equal(read(str(tmp_path / "k.ft3"))[1], planes * 2)
    executor.client.wait_for_workers(2, timeout=60)   # the nanny starts it again


class FailOn:
    """Bad input on plane ``k`` (0-based), as a method refusing it would raise."""

    def __init__(self, k):
        self.k = k

    def __call__(self, plane):
        if abs(float(plane.sum()) - self.k) < 0.5:
            raise InputError("the reconstruction does not fit the float32 range")
        return plane


def test_bad_plane_on_a_worker_writes_nothing(executor, tmp_path):
    planes = np.stack([np.full(SIZE, k / np.prod(SIZE), np.float32) for k in range(PLANES)])
    write(str(tmp_path / "in.ft3"), header_3d(SIZE, PLANES), planes)
    with pytest.raises(InputError, match=r"in\.ft3: plane 4: the reconstruction does not fit"):
        map_planes(str(tmp_path / "in.ft3"), str(tmp_path / "o%03d.ft3"), FailOn(3), "fail",
                   executor=executor)
    assert sorted(os.listdir(tmp_path)) == ["in.ft3"]


def test_internal_failure_names_the_plane(executor, tmp_path):
    planes = np.zeros((3,) + SIZE, np.float32)
    write(str(tmp_path / "z.ft3"), header_3d(SIZE, 3), planes)
    with pytest.raises(PlaneFailed, match=r"z\.ft3: plane 1: ZeroDivisionError"):
        map_planes(str(tmp_path / "z.ft3"), str(tmp_path / "o.ft3"), _divide, "fail",
                   executor=DaskPlanes(executor.client, retries=0))
    assert sorted(os.listdir(tmp_path)) == ["z.ft3"]


def _divide(plane):
    return plane * (1 // int(plane.sum()))


def test_cli_several_inputs_and_the_stream(series, tmp_path):
    """mrai reconstruct --workers 2 on two inputs into a folder, and as a stream (standard
    input to standard output): the serial run's bytes; one progress line per plane."""
    folder, _ = series
    (tmp_path / "serial").mkdir()
    (tmp_path / "dask").mkdir()
    inputs = [folder / "e.ft3", folder / "e%03d.ft3"]
    args = ("reconstruct", "--echo", "--method", "ist", "--iterations", "10", *inputs)
    code, _, err = run_mrai(*args, "-o", tmp_path / "serial")
    assert code == 0, err
    code, _, err = run_mrai(*args, "-o", tmp_path / "dask", "--workers", "2")
    assert code == 0, err
    assert err.count(": plane ") == 2 * PLANES and "Traceback" not in err
    for name in ["e.ft3"] + [f"e{k:03d}.ft3" for k in range(1, PLANES + 1)]:
        assert (tmp_path / "dask" / name).read_bytes() == \
            (tmp_path / "serial" / name).read_bytes(), name
    stream = (folder / "e.ft3").read_bytes()
    code, parallel, err = run_mrai(*args[:-2], "--workers", "2", stdin=stream)
    assert code == 0, err
    serial = (tmp_path / "serial" / "e.ft3").read_bytes()   # the stream's header has no range
    assert len(parallel) == len(serial) and parallel[HEADER_BYTES:] == serial[HEADER_BYTES:]


def test_cli_bad_plane_one_error_nothing_written(series, tmp_path):
    _, planes = series
    bad = planes.copy()
    bad[3, 5, 7] = np.nan
    write(str(tmp_path / "bad.ft3"), header_3d(SIZE, PLANES), bad)
    code, out, err = run_mrai("reconstruct", "--echo", "--method", "ist", "--iterations", "10",
                              tmp_path / "bad.ft3", "-o", tmp_path / "o%03d.ft3", "--workers",
                              "2")
    errors = [line for line in err.splitlines() if line.startswith("mrai: error:")]
    assert code == 2 and out == b""
    assert errors == ["mrai: error: " + f"{tmp_path / 'bad.ft3'}: plane 4: contains NaN or "
                      "infinite values"], err
    assert all(line.startswith("mrai reconstruct:") for line in err.splitlines()
               if line not in errors), err
    assert sorted(os.listdir(tmp_path)) == ["bad.ft3"]


def test_cli_usage(tmp_path, series):
    folder, _ = series
    code, _, err = run_mrai("reconstruct", "--echo", folder / "e.ft3", "--workers", "2",
                            "--scheduler", "tcp://127.0.0.1:1", "-o", tmp_path / "o.ft3")
    assert code == 2 and "not both" in err
    code, _, err = run_mrai("reconstruct", "--echo", folder / "e.ft3", folder / "e%03d.ft3",
                            "-o", tmp_path / "o.ft3")
    assert code == 2 and "FOLDER" in err
    code, _, err = run_mrai("score", folder / "e.ft3", "--method", "ist", "--echo",
                            "--scheduler", tmp_path / "no.json")
    assert code == 2 and err.strip() == f"mrai: error: {tmp_path / 'no.json'}: no such " \
        "scheduler file", err
    assert not (tmp_path / "o.ft3").exists()


def test_no_dask_without_workers(tmp_path, series):
    """Without --workers or --scheduler nothing imports dask (start-up time)."""
    from test_startup import probe

    folder, _ = series
    code, modules, _, err = probe(tmp_path, "reconstruct", "--echo", "--method", "ist",
                                  "--iterations", "5", folder / "e.ft3", "-o", tmp_path / "o.ft3")
    assert code == 0, err
    assert not {m for m in modules if m.partition(".")[0] in ("dask", "distributed")}
    code, modules, _, _ = probe(tmp_path, "score", "--help")
    assert code == 0 and "distributed" not in modules


def test_threads_of_sessions_and_ffts(monkeypatch):
    from mrai.physics.threads import fft_workers
    from mrai.runtime.session import session_threads

    monkeypatch.setenv("MRAI_THREADS", "1")
    assert session_threads() == 1 and fft_workers() == 1
    monkeypatch.setenv("MRAI_THREADS", "many")
    with pytest.raises(ValueError, match="MRAI_THREADS"):
        fft_workers()
    monkeypatch.delenv("MRAI_THREADS")
    assert session_threads() == (os.cpu_count() or 1) and fft_workers() == -1


def test_score_on_the_cluster(executor, series, tmp_path):
    """mrai score's per-plane work on the cluster: the same summaries and sigma as here."""
    from mrai.planes import Job, map_files
    from mrai.reconstruction import SigmaTask

    folder, planes = series
    recon = tmp_path / "r.ft3"
    map_planes(str(folder / "e.ft3"), str(recon), PlaneTask.make(table.entry("wnn", "echo")),
               "reconstruct", method="wnn", mode="echo")
    task = SigmaTask.make(table.entry("wnn", "echo"), keep=True)
    rows = {"s": [], "p": []}
    for name, run, function in (("s", None, task), ("p", executor, task.pinned())):
        job = Job(str(recon), function, [(str(tmp_path / f"{name}.ft3"),
                                          header_3d(SIZE, PLANES))],
                  prepare=lambda index, plane: (plane, None),
                  collect=lambda index, value, out=rows[name]: out.append(value[1]))
        map_files([job], executor=run)
    a, b = read(str(tmp_path / "s.ft3"))[1], read(str(tmp_path / "p.ft3"))[1]
    assert np.abs(a - b).max() <= 1e-6 * np.abs(a).max()
    assert [r["points"] for r in rows["s"]] == [r["points"] for r in rows["p"]]
    assert np.allclose([r["psq"] for r in rows["s"]], [r["psq"] for r in rows["p"]], rtol=1e-5)


def test_the_cache_loads_once_across_threads():
    """Two threads asking for one model load it once; a pinned task shares it."""
    task = PlaneTask.make(table.entry("wnn", "echo"))
    got = []
    threads = [threading.Thread(target=lambda: got.append(task.network())) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got[0] is got[1]
    assert task.pinned().network() is got[0]
