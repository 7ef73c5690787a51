#!/usr/bin/env python
"""Planes on Dask (mrai.distributed): the throughput of a plane series reconstructed in this
process and on LocalClusters of 1 and 2 worker processes, the cluster's overhead per plane,
and how many workers a larger 3D data set needs for a deadline.

    python scripts/bench_dask.py                        # 64 planes of 128 x 1024, IST and WNN
    python scripts/bench_dask.py --planes 16 --methods ist --workers 1 2 4

For each method it times mrai.planes.map_planes over a simulated Echo-only 3D data set (one
stream file) written to a file: here, one plane after another with every core (what `mrai
reconstruct` does without --workers), and with N workers of 1 thread each (`--workers N`),
after the cluster started and each worker built the method once (the start is printed on its
own). It checks that the outputs equal the serial one (IST bit for bit, the WNN within 1e-6
of the maximum), prints the throughput ratios (N workers over 1 worker: the scaling; over
the serial run: the gain for a user), the cluster's overhead per plane (wall time per plane on
1 worker less the compute time the worker measured; and a plane sent and returned unchanged),
and from the measured per-plane compute time the workers a --target-planes data set needs to
finish within --deadline seconds (at the measured efficiency of the largest cluster, cluster
start excluded). The load average is printed at the start and the end: run it on a quiet
machine.
"""

import argparse
import math
import os
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from mrai.distributed import cluster  # noqa: E402
from mrai.fileio import read, write  # noqa: E402
from mrai.fileio.header import spectrum_header  # noqa: E402
from mrai.methods import table  # noqa: E402
from mrai.physics import echo_part  # noqa: E402
from mrai.planes import map_planes  # noqa: E402
from mrai.reconstruction import PlaneTask  # noqa: E402
from mrai.simulate import simulate  # noqa: E402


class Timed:
    """A plane function that also keeps, on the Dask worker running it, its compute time."""

    def __init__(self, function):
        self.function = function

    def __call__(self, plane):
        from distributed import get_worker

        start = time.perf_counter()
        out = self.function(plane)
        worker = get_worker()
        worker.mrai_seconds = getattr(worker, "mrai_seconds", []) + [time.perf_counter() - start]
        return out


def _collect(dask_worker):
    seconds, dask_worker.mrai_seconds = getattr(dask_worker, "mrai_seconds", []), []
    return seconds


def identity(plane):
    return plane


def header_3d(size, nplanes):
    dic = spectrum_header(size)
    dic.update(FDDIMCOUNT=3.0, FDF3SIZE=float(nplanes), FDPIPEFLAG=1.0, FDF3FTFLAG=0.0,
               FDF3QUADFLAG=1.0, FDF3TDSIZE=float(nplanes), FDF3LABEL="Z")
    return dic


def make_data(folder, planes, size, seed):
    start = time.perf_counter()
    stack = np.stack([echo_part(simulate(seed=seed + k, size=size, peaks=40).reference)
                      for k in range(planes)]).astype(np.float32)
    path = os.path.join(folder, "echo.ft3")
    write(path, header_3d(size, planes), stack)
    print(f"data: {planes} planes of {size[0]} x {size[1]} ({stack.nbytes / 2**20:.0f} MiB), "
          f"simulated in {time.perf_counter() - start:.1f} s")
    return path


def run(source, target, task, executor=None):
    start = time.perf_counter()
    map_planes(source, target, task, "reconstruct", overwrite=True, executor=executor)
    return time.perf_counter() - start


def warm(executor, task, plane, count):
    """Each worker builds the task's method before the timing (a few planes, in flight
    together, so that every worker takes one)."""
    list(executor.map((Timed(task), plane) for _ in range(count)))
    executor.client.run(_collect)


def bench_method(method, source, folder, workers, planes):
    e = table.entry(method, "echo")
    task = PlaneTask.make(e)
    plane = read(source)[1][0]
    task.solve(plane)   # built here before the timing, as workers build theirs before theirs
    serial_path = os.path.join(folder, f"{method}-serial.ft3")
    serial = run(source, serial_path, task)
    reference = read(serial_path)[1]
    print(f"\n{method}: {task.solver().label}")
    print(f"  serial (this process, {os.cpu_count()} cores): {serial:7.2f} s, "
          f"{serial / planes:6.3f} s/plane")
    rows = {}
    pinned = task.pinned()
    for n in workers:
        start = time.perf_counter()
        with cluster(workers=n) as executor:
            started = time.perf_counter() - start
            warm(executor, pinned, plane, 2 * n)
            path = os.path.join(folder, f"{method}-{n}.ft3")
            wall = run(source, path, Timed(pinned), executor)
            seconds = [s for w in executor.client.run(_collect).values() for s in w]
            noop = None
            if n == max(workers):
                noop = run(source, os.path.join(folder, "noop.ft3"), identity, executor)
        out = read(path)[1]
        diff = float(np.abs(out - reference).max() / np.abs(reference).max())
        same = np.array_equal(out, reference)
        compute = float(np.mean(seconds))
        rows[n] = dict(wall=wall, compute=compute, started=started, noop=noop)
        print(f"  {n} worker(s): {wall:7.2f} s, {wall / planes:6.3f} s/plane (compute "
              f"{compute:.3f} s/plane on a worker; cluster start {started:.1f} s); "
              f"{'equal bit for bit' if same else f'max difference {diff:.1e} of the max'}")
        if (method == "ist" and not same) or diff > 1e-6:
            print("  ERROR: differs from the serial run")
    one = rows[min(workers)]
    per_plane_1 = one["wall"] / planes
    overhead = per_plane_1 - one["compute"]
    print(f"  cluster overhead per plane: {overhead * 1e3:.0f} ms on {min(workers)} worker(s) "
          f"(wall per plane less the worker's compute)")
    most = max(workers)
    if rows[most]["noop"] is not None:
        print(f"  a plane sent and returned unchanged ({most} workers): "
              f"{rows[most]['noop'] / planes * 1e3:.0f} ms/plane")
    for n in workers:
        if n != min(workers):
            print(f"  throughput {n} workers / {min(workers)}: "
                  f"{one['wall'] / rows[n]['wall']:.2f}x; / serial: "
                  f"{serial / rows[n]['wall']:.2f}x")
    return dict(serial=serial, rows=rows, planes=planes)


def extrapolate(method, result, target_planes, deadline):
    rows, planes = result["rows"], result["planes"]
    most = max(rows)
    compute = rows[min(rows)]["compute"]
    efficiency = (compute * planes / most) / rows[most]["wall"]
    needed = math.ceil(target_planes * compute / (efficiency * deadline))
    print(f"  {method}: {compute:.3f} s/plane of compute on one worker, efficiency "
          f"{efficiency:.2f} on {most} workers -> {needed} worker{'s' if needed > 1 else ''} "
          f"(1 core each) for "
          f"{target_planes} planes in {deadline:g} s ({target_planes * compute / needed:.0f} s "
          f"of compute each), cluster start excluded (here {rows[most]['started']:.1f} s)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--planes", type=int, default=64)
    parser.add_argument("--size", default="128x1024", help="plane size, F1xF2")
    parser.add_argument("--methods", nargs="+", default=["ist", "wnn"], choices=["ist", "wnn"])
    parser.add_argument("--workers", nargs="+", type=int, default=[1, 2])
    parser.add_argument("--target-planes", type=int, default=256)
    parser.add_argument("--deadline", type=float, default=60.0, help="seconds")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    size = tuple(int(v) for v in args.size.lower().split("x"))
    print(f"load average at the start: {' '.join(f'{v:.2f}' for v in os.getloadavg())} "
          f"({os.cpu_count()} cores)")
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        source = make_data(folder, args.planes, size, args.seed)
        for method in args.methods:
            results[method] = bench_method(method, source, folder, sorted(args.workers),
                                           args.planes)
    print(f"\nextrapolation to a {args.target_planes}-plane 3D data set of {size[0]} x "
          f"{size[1]} planes:")
    for method, result in results.items():
        extrapolate(method, result, args.target_planes, args.deadline)
    print(f"load average at the end: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
