"""Planes and data sets on a Dask cluster (dask.distributed): a LocalCluster of worker
processes started for a run, or an existing cluster (a workstation's, or SLURM/PBS jobs started
by dask-jobqueue), as an executor for mrai.planes.map_files and map_planes.

    from mrai.distributed import cluster
    from mrai.planes import map_planes
    from mrai.reconstruction import PlaneTask
    from mrai.methods import table

    task = PlaneTask.make(table.entry("ist", "echo")).pinned()
    with cluster(workers=4) as executor:
        map_planes("echo%03d.ft3", "recon%03d.ft3", task, "reconstruct", executor=executor)

The results equal those made in one process, plane for plane, and come in plane order: each
plane is computed by the same code on the same float32 data, on 1 thread per worker (ONNX
Runtime through $MRAI_THREADS, BLAS and OpenMP through their variables), and written in order as
it comes back. At most ``window`` planes are in flight (read and not yet written): memory stays
bounded and a stream on standard output leaves plane by plane. A task carries the model's path,
not the model: each worker builds it once (mrai.reconstruction's per-process cache). Bad input
in a plane is reported at once, naming the plane; other exceptions are retried (``retries``),
and the planes of a worker that died are given to another by the scheduler (up to its
``distributed.scheduler.allowed-failures``, 3 by default, then the run fails naming the plane).

dask is imported only when a cluster is asked for: without one mrai neither needs nor loads it
(``pip install 'mrai[dask]'`` brings it). docs/scale.md has the whole story.
"""

import contextlib
import math
import os
import time
from collections import deque

from mrai.errors import MraiError

WORKER_ENVIRONMENT = {"MRAI_THREADS": "1", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
                      "MKL_NUM_THREADS": "1"}
"""The environment of the workers a LocalCluster starts: one thread each for ONNX Runtime
(mrai.runtime.session), OpenMP and BLAS, as the worker runs one plane at a time."""

LOCAL_CONFIG = {
    # Dask starts workers with MALLOC_TRIM_THRESHOLD_=65536, which fixes glibc's mmap threshold
    # at 128 KiB: every plane-sized temporary is then mapped and faulted in afresh, and CS-IST
    # ran 3-4 times slower (the WNN 12 % slower) than in one process (scripts/bench_dask.py)
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
    # the statistical profiler samples every worker thread every 10 ms, and the event loops
    # tick every 20 ms: 5 % of a core per process while idle, taken from the planes
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "500ms",
    "distributed.admin.system-monitor.interval": "2s",
}
"""The Dask configuration of the LocalCluster :func:`cluster` starts (docs/scale.md says how
to give an existing cluster the same)."""

RETRIES = 2        # further tries of a plane whose computation raised (not bad input)
CONNECT_TIMEOUT = 10   # seconds to reach a scheduler


class ClusterError(MraiError):
    """No cluster: dask.distributed is not installed, or the scheduler cannot be reached
    (exit code 2)."""


class DaskPlanes:
    """An executor for mrai.planes: ``map(calls)`` submits ``function(argument)`` for each
    (function, argument) of ``calls`` to the cluster of ``client`` and yields the results in
    order, with at most ``window`` planes in flight (default: twice the cluster's threads,
    looked at again every second, as a cluster may grow or shrink); ``retries``: further tries
    of a task that raised."""

    def __init__(self, client, window=None, retries=RETRIES):
        self.client = client
        self.fixed = None if window is None else max(1, int(window))
        self.retries = int(retries)
        self._threads, self._checked = 1, -math.inf

    @property
    def threads(self):
        """The cluster's threads (at least 1), at most a second old."""
        now = time.monotonic()
        if now - self._checked >= 1:
            self._threads = max(1, sum(self.client.nthreads().values()))
            self._checked = now
        return self._threads

    @property
    def window(self):
        return self.fixed or 2 * self.threads

    def map(self, calls):
        pending = deque()
        try:
            for function, argument in calls:
                pending.append(self.client.submit(_run, function, argument, pure=False,
                                                  retries=self.retries))
                while pending and (pending[0].done() or len(pending) >= self.window):
                    yield _take(pending)
            while pending:
                yield _take(pending)
        finally:
            if pending:
                self.client.cancel(list(pending))


def _take(pending):
    future = pending.popleft()
    try:
        return future.result()
    finally:
        future.release()


def _run(function, argument):
    """A task on a worker: one thread for each library that would take every core, unless the
    worker's environment says otherwise."""
    for name, value in WORKER_ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    return function(argument)


def dask_setup(worker):
    """A LocalCluster worker's start (a Dask preload): SIGINT from the terminal (Ctrl-C, sent
    to every process of the group) is left to mrai, which stops the cluster; the worker would
    otherwise print a traceback as it goes."""
    import signal
    import threading

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextlib.contextmanager
def cluster(workers=None, scheduler=None, window=None, retries=RETRIES):
    """A :class:`DaskPlanes` executor for the ``with`` block: on a LocalCluster of ``workers``
    processes of 1 thread each on this machine (started here, closed after), or on the cluster
    whose scheduler is at ``scheduler`` (an address such as tcp://10.0.0.5:8786, or a
    scheduler file's path ending in .json)."""
    if (workers is None) == (scheduler is None):
        raise ValueError("give workers or scheduler, one of them")
    try:
        import dask
        from distributed import Client, LocalCluster
    except ImportError:
        raise ClusterError("--workers and --scheduler need dask.distributed (pip install "
                           "'mrai[dask]')") from None
    with contextlib.ExitStack() as stack:
        if scheduler is not None:
            try:
                if str(scheduler).endswith(".json"):
                    if not os.path.isfile(scheduler):   # Dask would wait for it forever
                        raise ClusterError(f"{scheduler}: no such scheduler file")
                    client = Client(scheduler_file=str(scheduler), timeout=CONNECT_TIMEOUT,
                                    set_as_default=False)
                else:
                    client = Client(str(scheduler), timeout=CONNECT_TIMEOUT,
                                    set_as_default=False)
            except (OSError, ValueError, TypeError) as exc:
                raise ClusterError(f"cannot reach the Dask scheduler at {scheduler} "
                                   f"({type(exc).__name__}: {exc})") from None
            stack.callback(client.close)   # no workers yet: the planes wait for them
        else:
            workers = int(workers)
            if workers < 1:
                raise ValueError("workers must be 1 or more")
            stack.enter_context(dask.config.set(LOCAL_CONFIG))
            local = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                 host="127.0.0.1", dashboard_address=None,
                                 silence_logs=50, memory_limit=0,
                                 # no dashboard; the scheduler's HTTP routes on a free port
                                 scheduler_kwargs={"dashboard": False,
                                                   "dashboard_address": "127.0.0.1:0"},
                                 env=dict(WORKER_ENVIRONMENT), preload=[__name__])
            stack.callback(local.close)
            client = Client(local, set_as_default=False)
            stack.callback(client.close)
        yield DaskPlanes(client, window, retries)
