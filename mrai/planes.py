"""Plane-by-plane processing of NMRPipe data sets with the checks every 2D method needs.

A 2D method sees each plane as a real spectrum oriented (F1, F2) = (rows, columns): planes of
transposed data (FDTRANSPOSED 1) are transposed on the way in and back on the way out.
"""

from collections import deque
from dataclasses import dataclass, field

import numpy as np

from mrai.errors import InputError, MraiError
from mrai.fileio.header import axis_codes, axis_field, plane_codes, stamp  # noqa: F401
from mrai.fileio.pipe import PipeReader, PipeWriter, is_template, series_paths
from mrai.methods.table import MIN_SIZE
from mrai.output import Commit, check_paths, check_writable


def require_2d(dic, name):
    """Refuse 1D data."""
    if dic["FDDIMCOUNT"] < 2:
        raise InputError("1D data, where a 2D spectrum (or 3D planes) is needed", name)


def require_real_spectrum(dic, name):
    """Refuse data that are not real and frequency-domain along both plane axes."""
    require_2d(dic, name)
    for code in axis_codes(dic):
        label = axis_field(dic, code, "LABEL") or f"F{code}"
        if axis_field(dic, code, "FTFLAG") != 1:
            raise InputError(f"axis {label} is in the time domain; a spectrum (frequency domain "
                             "in both dimensions) is needed", name)
        if axis_field(dic, code, "QUADFLAG") != 1:
            raise InputError(f"axis {label} is complex; a real spectrum is needed (NMRPipe: "
                             "-di to delete imaginaries)", name)


def plane_shape(reader):
    """(F1, F2) size of the planes :func:`spectrum_planes` gives for ``reader``."""
    rows, cols = reader.layout.plane_shape
    return (cols, rows) if reader.dic["FDTRANSPOSED"] == 1 else (rows, cols)


def f1_size(reader):
    """Number of F1 points of the (F1, F2) planes ``reader`` gives."""
    return plane_shape(reader)[0]


def plane_grid(dic):
    """(start, off) of the planes' (rows, columns) time grids from the header's first-order
    phases (mrai.physics.grid.grid_starts): the exact grid start of each (0 or 0.5 dwell) and
    how far the phases lie off it, in dwells."""
    from mrai.physics.grid import grid_starts

    return grid_starts(dic, plane_codes(dic))


def check_plane(plane, name, index=None, minimum=MIN_SIZE):
    """Refuse a plane with NaN/Inf values or fewer than ``minimum`` points in a dimension (any
    size above, odd or even, is taken)."""
    where = f"plane {index + 1}: " if index is not None else ""
    n0, n1 = plane.shape
    if n0 < minimum or n1 < minimum:
        raise InputError(f"{where}size {n0} x {n1} is too small (at least {minimum} points "
                         "in each dimension)", name)
    if not np.isfinite(plane).all():
        raise InputError(f"{where}contains NaN or infinite values", name)


def spectrum_planes(reader):
    """Yield checked real (F1, F2) float32 planes of ``reader`` (a :class:`PipeReader`)."""
    require_real_spectrum(reader.dic, reader.name)
    transposed = reader.dic["FDTRANSPOSED"] == 1
    for index, plane in enumerate(reader.planes()):
        plane = plane.T if transposed else plane
        check_plane(plane, reader.name, index if reader.layout.nplanes > 1 else None)
        yield np.ascontiguousarray(plane, dtype=np.float32)


def map_planes(source, target, function, command, overwrite=False, side=None, executor=None,
               first=None, progress=None, **record):
    """Apply ``function`` ((F1, F2) float32 plane -> same) to every plane of ``source`` and write
    ``target``, stamping the header with ``command`` and ``record``. Returns the planes count.

    ``side``: (path, record) of a second output written alongside (e.g. sigma); ``function``
    then returns (plane, side plane). The outputs are put in place together when every plane is
    written (all or none, mrai.output.Commit); two outputs on one file are refused before
    anything is written. ``executor``, ``first``, ``progress``: as :func:`map_files` takes
    them."""
    reader = source if isinstance(source, PipeReader) else PipeReader(source)
    outputs = [(target, stamp(reader.dic, command, **record))]
    if side is not None:
        outputs.append((side[0], stamp(reader.dic, command, **side[1])))
    return map_files([Job(reader, function, outputs, first)], overwrite, executor,
                     progress)[0]


@dataclass
class Job:
    """One data set for :func:`map_files`: ``function`` maps each checked (F1, F2) plane of
    ``source`` (a :class:`PipeReader` or what it opens) to a plane for each of ``outputs``
    ((target, header) pairs: a path, a plane-series template or '-'), as one array for one
    output, else a tuple whose first items are the outputs' planes (further items, and the
    whole value, go to ``collect(index, value)``). ``first(plane)``: called here with the first
    plane before any is computed (a warning about the input); ``prepare(index, plane)``: the
    argument ``function`` gets for a plane, made here (default: the plane)."""

    source: object
    function: object
    outputs: list = field(default_factory=list)
    first: object = None
    collect: object = None
    prepare: object = None


class PlaneFailed(MraiError):
    """A plane's computation failed on an executor with an error other than bad input (a
    lost worker retried too often, an internal error): exit code 1, the plane named."""

    exit_code = 1


def map_files(jobs, overwrite=False, executor=None, progress=None):
    """Run every :class:`Job` of ``jobs`` plane by plane, in order, and write their outputs;
    returns the planes count of each.

    Each data set's first plane is read and checked before its outputs are opened; every output
    of every job is put in place together when all planes are written (all or none,
    mrai.output.Commit), a stream on standard output leaving plane by plane, in order.
    ``executor``: None computes here, one plane after another; else an object whose
    ``map(calls)`` yields ``function(argument)`` for an iterable of (function, argument) pairs,
    in their order, computing a bounded number ahead (mrai.distributed.DaskPlanes): the
    functions must then be picklable (mrai.reconstruction.PlaneTask), and a failure is raised
    naming its plane and data set (bad input: :class:`InputError`, exit 2; else
    :class:`PlaneFailed`). ``progress(name, index, count)``: called as each plane is written."""
    readers = [job.source if isinstance(job.source, PipeReader) else PipeReader(job.source)
               for job in jobs]
    writers = []        # every writer opened, for abort
    opened = {}         # job index -> its writers
    commit = Commit()

    def calls():
        for j, (job, reader) in enumerate(zip(jobs, readers)):
            nplanes = reader.layout.nplanes
            for index, plane in enumerate(spectrum_planes(reader)):
                if index == 0:
                    opened[j] = _open(job, reader, overwrite, writers)
                    if job.first is not None:
                        job.first(plane)
                where = f"plane {index + 1}: " if nplanes > 1 else ""
                argument = plane if job.prepare is None else job.prepare(index, plane)
                yield job.function, argument, reader.name, where

    results = apply(calls(), executor)
    try:
        for j, (job, reader) in enumerate(zip(jobs, readers)):
            transposed = reader.dic["FDTRANSPOSED"] == 1
            nplanes = reader.layout.nplanes
            for index in range(nplanes):
                value = next(results)
                outs = value if isinstance(value, tuple) else (value,)
                for writer, out in zip(opened[j], outs):
                    out = np.asarray(out, dtype=np.float32)
                    writer.write(out.T if transposed else out)
                if job.collect is not None:
                    job.collect(index, value)
                if progress is not None:
                    progress(reader.name, index, nplanes)
            for writer in sorted(opened[j], key=lambda w: not w.to_stdout):  # the stream first
                writer.finish(commit)
    except BaseException:
        for writer in writers:
            writer.abort()
        commit.discard()
        raise
    finally:
        results.close()   # on an executor: the planes still in flight are cancelled
    commit.run()
    return [reader.layout.nplanes for reader in readers]


def check_output(target, nplanes, overwrite=False):
    """Refuse (OutputError) an output ``target`` of ``nplanes`` planes that cannot be written,
    as :class:`PipeWriter` would, before any work: a file, each file of a plane series, or
    nothing to check for standard output."""
    if target in (None, "-"):
        return
    for path in series_paths(target, nplanes) if is_template(target) else [target]:
        check_writable(path, overwrite)


def _open(job, reader, overwrite, writers):
    """The writers of ``job``'s outputs (added to ``writers`` as they open)."""
    mine = []
    for target, dic in job.outputs:
        mine.append(PipeWriter(target, dic, nplanes=reader.layout.nplanes, overwrite=overwrite))
        writers.append(mine[-1])
    if len(job.outputs) == 2:
        check_paths([("the output", job.outputs[0][0]), ("the second output",
                                                         job.outputs[1][0])])
    return mine


def apply(calls, executor=None):
    """Yield ``function(argument)`` for each (function, argument, name, where) of ``calls``, in
    order: here one after another (errors raised as they are), or on ``executor`` (see
    :func:`map_files`), a failure then raised as an error naming the data set (``name``) and
    the plane (``where``, e.g. 'plane 3: ')."""
    if executor is None:
        for function, argument, _, _ in calls:
            yield function(argument)
        return
    labels = deque()

    def sent():
        try:
            for function, argument, name, where in calls:
                labels.append((name, where))
                yield _Guarded(function), argument
        except Exception as exc:   # reading or checking the input: passed on as it is
            raise _Reading(exc) from exc

    results = executor.map(sent())
    try:
        while True:
            try:
                value = next(results)
            except StopIteration:
                return
            except _Reading as wrapped:
                raise wrapped.error from None
            except Exception as exc:
                if not labels:
                    raise
                name, where = labels[0]
                raise PlaneFailed(f"{name}: {where}{type(exc).__name__}: {exc}") from exc
            name, where = labels.popleft()
            if isinstance(value, _Failure):
                raise InputError(f"{where}{value.message}", name)
            yield value
    finally:
        results.close()


class _Reading(Exception):
    def __init__(self, error):
        super().__init__(str(error))
        self.error = error


class _Failure:
    """What :class:`_Guarded` returns for bad input: the message, not raised, so that an
    executor does not retry it."""

    def __init__(self, message):
        self.message = message


class _Guarded:
    """``function`` for an executor: bad input (MraiError) comes back as a :class:`_Failure`
    value, which is not retried; other exceptions are raised (an executor may retry them)."""

    def __init__(self, function):
        self.function = function

    def __call__(self, argument):
        try:
            return self.function(argument)
        except MraiError as exc:
            return _Failure(str(exc))
