"""Plane-by-plane processing of NMRPipe data sets with the checks every 2D method needs.

A 2D method sees each plane as a real spectrum oriented (F1, F2) = (rows, columns): planes of
transposed data (FDTRANSPOSED 1) are transposed on the way in and back on the way out.
"""

import numpy as np

from mrai.errors import InputError
from mrai.fileio.header import axis_codes, axis_field, plane_codes, stamp  # noqa: F401
from mrai.fileio.pipe import PipeReader, PipeWriter
from mrai.methods.table import MIN_SIZE
from mrai.output import Commit, check_paths


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


def map_planes(source, target, function, command, overwrite=False, side=None, **record):
    """Apply ``function`` ((F1, F2) float32 plane -> same) to every plane of ``source`` and write
    ``target``, stamping the header with ``command`` and ``record``. Returns the planes count.

    ``side``: (path, record) of a second output written alongside (e.g. sigma); ``function``
    then returns (plane, side plane). The outputs are put in place together when every plane is
    written (all or none, mrai.output.Commit); two outputs on one file are refused before
    anything is written."""
    reader = source if isinstance(source, PipeReader) else PipeReader(source)
    dic = stamp(reader.dic, command, **record)
    transposed = reader.dic["FDTRANSPOSED"] == 1
    planes = spectrum_planes(reader)
    first = next(planes)  # read and check before anything is written
    writers = []
    try:
        writers.append(PipeWriter(target, dic, nplanes=reader.layout.nplanes,
                                  overwrite=overwrite))
        if side is not None:
            writers.append(PipeWriter(side[0], stamp(reader.dic, command, **side[1]),
                                      nplanes=reader.layout.nplanes, overwrite=overwrite))
            check_paths([("the output", target), ("the second output", side[0])])
        for plane in _chain(first, planes):
            outs = function(plane) if side is not None else (function(plane),)
            for writer, out in zip(writers, outs):
                out = np.asarray(out, dtype=np.float32)
                writer.write(out.T if transposed else out)
        commit = Commit()
        for writer in sorted(writers, key=lambda w: not w.to_stdout):  # the stream first
            writer.finish(commit)
    except BaseException:
        for writer in writers:
            writer.abort()
        raise
    commit.run()
    return reader.layout.nplanes


def _chain(first, rest):
    yield first
    yield from rest
