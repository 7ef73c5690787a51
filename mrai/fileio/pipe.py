"""Read and write NMRPipe data sets plane by plane: files, plane series and streams.

Sources and targets are named the NMRPipe way:

- ``spec.ft2``: one file (a 1D or 2D spectrum, or a 3D/4D data set in stream format);
- ``spec%03d.ft3``: a plane series, one file per plane, numbered from 1;
- ``-`` or ``None``: standard input / standard output in NMRPipe stream format.

Planes are decoded as nmrglue decodes them (see :mod:`mrai.fileio.header`). Memory stays bounded
by one plane for plane-by-plane work. Files are written atomically: to a temporary file beside the
target, renamed into place only when everything was written; nothing is left behind on failure.
Every header written gets FDMIN/FDMAX and FDDISPMIN/FDDISPMAX from the data (FDSCALEFLAG 1),
except a multi-plane stream on standard output, whose header leaves before its data
(FDSCALEFLAG 0 then says the range is unknown).
"""

import os
import re
import sys

import numpy as np

from mrai.errors import InputError
from mrai.limits import MAX_PLANES, check_count
from mrai.fileio._nmrglue import pipe as ng_pipe
from mrai.fileio.header import (BYTEORDER_KEY, HEADER_BYTES, decode_plane, encode_header, encode_plane,
                                layout, parse_header)
from mrai.output import (Commit, check_writable, discard, flush_stdout, temp_beside,
                         write_stdout, write_temp)

STDIO = "-"


def is_template(name):
    """True for a plane-series name such as ``spec%03d.ft3``."""
    return isinstance(name, str) and "%" in name


def _display(name):
    return "standard input" if name in (None, STDIO) else str(name)


_CHUNK = 1 << 24  # bytes asked of a stream at a time: a short stream allocates only what came


def _read_exactly(stream, nbytes):
    data = bytearray()
    while len(data) < nbytes:
        chunk = stream.read(min(nbytes - len(data), _CHUNK))
        if not chunk:
            break
        data += chunk
    return data


_FIELD = re.compile(r"%[-#0 +]*(\d{0,2})[diouxX]")


def series_paths(template, count):
    """The ``count`` file names of a plane series named by ``template`` (planes numbered from
    1). InputError unless the template holds exactly one integer field such as ``%03d`` (width
    up to 99; ``%%`` for a literal %) and ``count`` is within mrai.limits."""
    bare = template.replace("%%", "")
    if len(_FIELD.findall(bare)) != 1 or bare.count("%") != 1:
        raise InputError("a plane-series name needs exactly one integer field such as %03d "
                         "(and %% for a literal %)", template)
    count = check_count(count, "the number of planes", 1, MAX_PLANES, template)
    return [template % (k + 1) for k in range(count)]


class PipeReader:
    """An NMRPipe data set opened for reading plane by plane.

    ``source`` is a path, a plane-series template, ``'-'``/None for standard input, or a binary
    file object. Attributes: ``dic`` (header dictionary), ``layout`` (:class:`Layout`), ``name``.
    The header and, for files, the data size are checked on opening; a truncated stream is
    reported when the missing plane is reached.
    """

    def __init__(self, source=None):
        self.name = _display(source)
        self._stream = None
        self._files = None
        if source is None or source == STDIO:
            self._open_stream(sys.stdin.buffer)
        elif hasattr(source, "read"):
            self.name = getattr(source, "name", "stream")
            self._open_stream(source)
        elif is_template(source):
            self._open_series(str(source))
        else:
            self._open_file(str(source))

    def _open_stream(self, stream):
        self._stream = stream
        self.dic = parse_header(_read_exactly(stream, HEADER_BYTES), self.name)
        self.layout = layout(self.dic)

    def _open_file(self, path):
        self.dic = _header_of(path)
        self.layout = layout(self.dic)
        _check_size(path, self.layout.nplanes * self.layout.plane_bytes)
        self._files = [path]

    def _open_series(self, template):
        first = series_paths(template, 1)[0]
        self.dic = _header_of(first)
        if self.dic["FDDIMCOUNT"] != 3:
            raise InputError("plane series are read for 3D data only; "
                             f"{first} has FDDIMCOUNT {self.dic['FDDIMCOUNT']:g}", template)
        try:
            nplanes = ng_pipe.pipe_3d(template).shape[0]
        except (ArithmeticError, KeyError, TypeError, ValueError, IndexError):
            raise InputError(f"{first}: its header does not give the number of planes (FDF3 "
                             "sizes)", template) from None
        self._files = series_paths(template, nplanes)
        self.layout = layout(self.dic, nplanes=nplanes)
        for path in self._files:
            if not os.path.exists(path):
                raise InputError(f"plane file {path} of {nplanes} is missing", template)
            _check_size(path, self.layout.plane_bytes)

    def planes(self):
        """Yield the planes in order (each a new numpy array)."""
        lay = self.layout
        if self._stream is not None:
            for k in range(lay.nplanes):
                raw = _read_exactly(self._stream, lay.plane_bytes)
                if len(raw) < lay.plane_bytes:
                    raise InputError(
                        f"truncated NMRPipe data: plane {k + 1} of {lay.nplanes} has "
                        f"{len(raw)} of {lay.plane_bytes} bytes", self.name)
                yield decode_plane(self._words(raw), lay)
            return
        per_file = lay.nplanes if len(self._files) == 1 else 1
        for path in self._files:
            with open(path, "rb") as fh:
                fh.seek(HEADER_BYTES)
                for _ in range(per_file):
                    yield decode_plane(self._words(fh.read(lay.plane_bytes)), lay)

    def _words(self, raw):
        return np.frombuffer(raw, dtype=self.dic[BYTEORDER_KEY]).astype(np.float32)

    def read_all(self):
        """All data: one plane for 1D/2D data, else planes stacked on a new first axis."""
        planes = list(self.planes())
        if self.layout.nplanes == 1 and self.dic["FDDIMCOUNT"] <= 2:
            return planes[0][0] if self.dic["FDDIMCOUNT"] == 1 else planes[0]
        return np.stack(planes)


def _header_of(path):
    try:
        with open(path, "rb") as fh:
            raw = fh.read(HEADER_BYTES)
    except FileNotFoundError:
        raise InputError("no such file", path) from None
    except IsADirectoryError:
        raise InputError("is a folder, not an NMRPipe file", path) from None
    except OSError as exc:
        raise InputError(f"cannot be read ({exc.strerror})", path) from None
    return parse_header(raw, path)


def _check_size(path, data_bytes):
    have = os.path.getsize(path) - HEADER_BYTES
    if have < data_bytes:
        raise InputError(f"truncated NMRPipe file: {have} data bytes where the header gives "
                         f"{data_bytes}", path)
    if have > data_bytes:
        raise InputError(f"{have - data_bytes} bytes more data than the header describes", path)


class PipeWriter:
    """An NMRPipe data set written plane by plane; use as a context manager.

    ``target``: a path, a plane-series template, or ``'-'``/None for standard output.
    ``dic``: the header to write (its layout must match the planes); ``nplanes``: how many
    planes will come. Existing files are refused unless ``overwrite``; only regular files are
    replaced (:mod:`mrai.output`). On leaving the ``with`` block normally the output is
    committed, every file of a plane series together (all or none); on an exception, or when the
    commit itself fails, nothing is left behind. Standard output is written and flushed to the
    last byte (:func:`mrai.output.write_stdout`).
    """

    def __init__(self, target, dic, nplanes=1, overwrite=False):
        self.name = "standard output" if target in (None, STDIO) else str(target)
        self.dic = dict(dic)
        self.nplanes = int(nplanes)
        self.layout = layout(self.dic, nplanes=self.nplanes)
        self.overwrite = bool(overwrite)
        self._count = 0
        self._lo, self._hi = np.inf, -np.inf
        self._temps = []   # (temp path, open file or None), one per output file
        if target in (None, STDIO):
            self._kind, self.paths = "stdout", []
        elif is_template(target):
            self._kind = "series"
            self.paths = series_paths(target, self.nplanes)
        else:
            self._kind, self.paths = "file", [str(target)]
        for path in self.paths:
            check_writable(path, overwrite)
        if self._kind == "series":
            self.dic["FDPIPEFLAG"] = 0.0
        elif self.dic["FDDIMCOUNT"] > 2:
            self.dic["FDPIPEFLAG"] = 1.0

    @property
    def to_stdout(self):
        return self._kind == "stdout"

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.close()
        else:
            self.abort()
        return False

    def write(self, plane):
        """Write the next plane (shape and type as the header's layout gives)."""
        if self._count >= self.nplanes:
            raise ValueError(f"more than the {self.nplanes} planes announced")
        words = encode_plane(plane, self.layout)
        if words.size:
            self._lo = min(self._lo, float(words.min()))
            self._hi = max(self._hi, float(words.max()))
        if self._kind == "stdout":
            if self._count == 0:
                known = self.nplanes == 1
                write_stdout(encode_header(self._ranged(known)).tobytes())
            write_stdout(words.tobytes())
        elif self._kind == "file":
            if self._count == 0:
                self._temps.append(temp_beside(self.paths[0]))
                write_temp(self._temps[0][1], bytes(HEADER_BYTES), self.paths[0])
            write_temp(self._temps[0][1], words.tobytes(), self.paths[0])
        else:
            path = self.paths[self._count]
            temp_path, fh = temp_beside(path)
            self._temps.append((temp_path, None))
            with fh:   # closed at once: a long series keeps no file open
                write_temp(fh, bytes(HEADER_BYTES), path)
                write_temp(fh, words.tobytes(), path)
        self._count += 1

    def _ranged(self, known):
        dic = dict(self.dic)
        if known:
            dic.update(FDMIN=self._lo, FDMAX=self._hi, FDDISPMIN=self._lo, FDDISPMAX=self._hi,
                       FDSCALEFLAG=1.0)
        else:
            dic["FDSCALEFLAG"] = 0.0
        return dic

    def finish(self, commit):
        """Complete the output without putting it in place: check the plane count, flush
        standard output, write the final headers and add the temporary files to ``commit``
        (a :class:`mrai.output.Commit`), which puts them in place (with other outputs' files,
        all or none). Anything failing here removes them."""
        try:
            if self._count != self.nplanes:
                raise ValueError(f"{self._count} planes written of the {self.nplanes} announced")
            if self._kind == "stdout":
                flush_stdout()
                return
            header = encode_header(self._ranged(True)).tobytes()
            for (temp_path, fh), path in zip(self._temps, self.paths):
                fh = fh or open(temp_path, "r+b")
                with fh:
                    fh.seek(0)
                    write_temp(fh, header, path)
        except BaseException:
            self.abort()
            raise
        for (temp_path, _), path in zip(self._temps, self.paths):
            commit.add(temp_path, path, self.overwrite)
        self._temps = []

    def close(self):
        """Commit: check the plane count, write final headers, put the file(s) in place (a
        plane series all or none); on any failure nothing is left behind."""
        commit = Commit()
        self.finish(commit)
        commit.run()

    def abort(self):
        """Discard everything written so far (temporary files are removed)."""
        temps, self._temps = self._temps, []
        for temp_path, fh in temps:
            if fh is not None:
                try:
                    fh.close()
                except OSError:
                    pass
            discard(temp_path)


def read(source):
    """Read a whole NMRPipe data set: ``(dic, data)`` as nmrglue would return it.

    ``data`` is 1D or 2D for 1D/2D data, and 3D (planes first) for 3D/4D data sets.
    """
    reader = PipeReader(source)
    return reader.dic, reader.read_all()


def write(target, dic, data, overwrite=False, commit=None):
    """Write ``data`` (one plane, or planes stacked on the first axis) with header ``dic``.
    ``commit``: a :class:`mrai.output.Commit` that the complete temporary file(s) are added to,
    to go in place with other outputs (all or none), instead of being put in place now (standard
    output is written and flushed either way)."""
    data = np.asarray(data)
    planes = data[np.newaxis] if data.ndim <= 2 else data.reshape((-1,) + data.shape[-2:])
    if data.ndim == 1:
        planes = data[np.newaxis, np.newaxis]
    writer = PipeWriter(target, dic, nplanes=len(planes), overwrite=overwrite)
    try:
        for plane in planes:
            writer.write(plane)
        if commit is None:
            writer.close()
        else:
            writer.finish(commit)
    except BaseException:
        writer.abort()
        raise
