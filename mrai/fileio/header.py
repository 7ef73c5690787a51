"""The NMRPipe header: parsing and checking it, the data layout it describes, provenance stamps.

A header is 512 float32 words. mrai keeps it as nmrglue's dictionary (``FDSIZE``, ``FDF2SW``, ...)
plus the raw words under :data:`RAW_KEY`, so that writing a file back keeps every word, including
those nmrglue has no name for. Only the words named in the dictionary are taken from it on writing.
"""

from dataclasses import dataclass

import numpy as np

from mrai.version import __version__
from mrai.errors import InputError
from mrai.fileio._nmrglue import fileiobase
from mrai.fileio._nmrglue import pipe as ng_pipe

HEADER_FLOATS = 512
HEADER_BYTES = 4 * HEADER_FLOATS
RAW_KEY = "mrai_fdata"
BYTEORDER_KEY = "mrai_byteorder"  # numpy dtype of the data words as stored: '<f4' or '>f4'
COMMENT_BYTES = 160
_STAMP_PREFIX = "mrai "
_FLTORDER_INDEX = 2  # FDFLTORDER holds 2.345 in the writer's byte order
_FLTORDER = 2.345


def parse_header(raw, source=None):
    """Header dictionary from the first 2048 bytes of an NMRPipe file or stream.

    Raises :class:`InputError` naming ``source`` when the bytes are not an NMRPipe header.
    """
    if len(raw) == 0:
        raise InputError("empty: no NMRPipe data", source)
    if len(raw) < HEADER_BYTES:
        raise InputError(
            f"not an NMRPipe file: {len(raw)} bytes, shorter than the {HEADER_BYTES}-byte header",
            source)
    words = order = None
    for order in ("<f4", ">f4"):
        candidate = np.frombuffer(raw[:HEADER_BYTES], dtype=order)
        if abs(float(candidate[_FLTORDER_INDEX]) - _FLTORDER) < 1e-5:
            words = candidate.astype(np.float32)
            break
    if words is None:
        raise InputError("not an NMRPipe file (byte-order word FDFLTORDER is not 2.345)", source)
    if words[0] != 0:
        raise InputError("not an NMRPipe file (magic word FDMAGIC is not 0)", source)
    dic = ng_pipe.fdata2dic(words)
    if dic["FDDIMCOUNT"] not in (1.0, 2.0, 3.0, 4.0):
        raise InputError(f"not an NMRPipe file (FDDIMCOUNT is {dic['FDDIMCOUNT']:g})", source)
    if dic["FDSIZE"] < 1 or (dic["FDDIMCOUNT"] > 1 and dic["FDSPECNUM"] < 1):
        raise InputError("NMRPipe header gives an empty data size", source)
    dic[RAW_KEY] = words
    dic[BYTEORDER_KEY] = order
    return dic


def encode_header(dic):
    """The 512 float32 header words for ``dic``: its raw words, with every named field applied."""
    named = ng_pipe.dic2fdata(dic)
    raw = dic.get(RAW_KEY)
    if raw is None:
        return named
    words = np.array(raw, dtype=np.float32, copy=True)
    for index in _named_indices():
        words[index] = named[index]
    return words


def _named_indices():
    indices = {int(i) for i in ng_pipe.fdata_dic.values()}
    for start, stop in ((16, 24), (286, 294), (297, 352), (464, 472)):  # the text fields
        indices.update(range(start, stop))
    return sorted(indices)


@dataclass(frozen=True)
class Layout:
    """How the data after a header is laid out.

    rows: rows in one plane; row_floats: float32 words per stored row (twice the points when the
    X axis is complex: real points, then imaginary); nplanes: planes in the data set (1 for 1D and
    2D data and for one file of a plane series).
    """

    rows: int
    row_floats: int
    complex_x: bool
    nplanes: int

    @property
    def plane_floats(self):
        return self.rows * self.row_floats

    @property
    def plane_bytes(self):
        return 4 * self.plane_floats

    @property
    def plane_shape(self):
        """Shape of a decoded plane (complex points along X when complex_x)."""
        return (self.rows, self.row_floats // 2 if self.complex_x else self.row_floats)


def layout(dic, nplanes=None):
    """The :class:`Layout` of the data described by ``dic`` (nmrglue's reading of the header).

    ``nplanes`` overrides the plane count (plane series count their files).
    """
    shape = ng_pipe.find_shape(dic)
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    if len(shape) == 1:
        rows, row_floats = 1, shape[0]
    else:
        rows, row_floats = shape[-2], shape[-1]
    if nplanes is None:
        nplanes = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
    if dic["FDDIMCOUNT"] == 1:
        complex_x = dic["FDF2QUADFLAG"] != 1
    elif dic["FDTRANSPOSED"] == 1:
        complex_x = dic["FDF1QUADFLAG"] != 1
    else:
        complex_x = dic["FDF2QUADFLAG"] != 1
    return Layout(rows=int(rows), row_floats=int(row_floats), complex_x=bool(complex_x),
                  nplanes=int(nplanes))


def decode_plane(floats, lay):
    """A plane as nmrglue gives it: float32 (rows, points) or complex64 for a complex X axis."""
    plane = np.asarray(floats, dtype=np.float32).reshape(lay.rows, lay.row_floats)
    if lay.complex_x:
        half = lay.row_floats // 2
        plane = (plane[:, :half] + 1j * plane[:, half:]).astype(np.complex64)
    return plane


def encode_plane(plane, lay):
    """The float32 words of a plane, the inverse of :func:`decode_plane`."""
    plane = np.asarray(plane)
    if plane.shape != lay.plane_shape:
        raise ValueError(f"plane of shape {plane.shape} where the header gives {lay.plane_shape}")
    if lay.complex_x:
        plane = np.concatenate((plane.real, plane.imag), axis=-1)
    elif np.iscomplexobj(plane):
        raise ValueError("complex plane where the header gives a real X axis")
    return np.ascontiguousarray(plane, dtype=np.float32)


def axis_codes(dic):
    """NMRPipe dimension codes (1..4) of a plane's (Y, X) axes: rows, then columns."""
    return int(dic["FDDIMORDER2"]), int(dic["FDDIMORDER1"])


def axis_field(dic, code, field):
    """Header field for the axis with NMRPipe dimension code ``code``, e.g. ``SW`` -> FDF2SW."""
    return dic[f"FDF{code}{field}"]


def plane_codes(dic):
    """NMRPipe dimension codes of the (rows, columns) of a data set's planes as mrai's 2D
    methods see them (mrai.planes.spectrum_planes): F1, F2 for a 2D spectrum, whether or not
    it is stored transposed."""
    rows, cols = axis_codes(dic)
    return (cols, rows) if dic["FDTRANSPOSED"] == 1 else (rows, cols)


def stamp(dic, command, **fields):
    """A copy of ``dic`` whose FDCOMMENT records what mrai made (``mrai VERSION COMMAND k=v ...``).

    Raises ValueError when the record does not fit the 160-byte comment field.
    """
    text = " ".join([f"{_STAMP_PREFIX}{__version__}", command]
                    + [f"{key}={value}" for key, value in fields.items() if value is not None])
    if len(text.encode()) > COMMENT_BYTES - 1:
        raise ValueError(f"provenance record longer than {COMMENT_BYTES - 1} bytes: {text!r}")
    out = dict(dic)
    out["FDCOMMENT"] = text
    return out


def provenance(dic):
    """What mrai recorded in the header: ``{'version', 'command', key: value...}`` or None."""
    text = dic.get("FDCOMMENT", "")
    if not text.startswith(_STAMP_PREFIX):
        return None
    words = text.split()
    if len(words) < 3:
        return None
    record = {"version": words[1], "command": words[2]}
    for word in words[3:]:
        key, _, value = word.partition("=")
        record[key] = value
    return record


def spectrum_header(size, sw=(3283.0, 10869.6), obs=(91.21, 900.13), car=(118.0, 4.7),
                    labels=("15N", "1H"), acquired=None):
    """Header of a real 2D spectrum of ``size`` = (F1, F2) points, frequency domain in both.

    sw in Hz, obs in MHz, car in ppm, each given as (F1, F2); acquired = complex time points
    (FDF1TDSIZE, FDF2TDSIZE). Defaults: a 900 MHz 1H-15N HSQC.
    """
    udic = fileiobase.create_blank_udic(2)
    for axis in (0, 1):
        udic[axis].update(size=int(size[axis]), complex=False, encoding="states", sw=sw[axis],
                          obs=obs[axis], car=car[axis] * obs[axis], label=labels[axis],
                          time=False, freq=True)
    dic = ng_pipe.create_dic(udic)
    for axis, code in ((0, 1), (1, 2)):
        dic[f"FDF{code}FTSIZE"] = float(size[axis])
        points = float(acquired[axis] if acquired else size[axis] // 2)
        dic[f"FDF{code}TDSIZE"] = dic[f"FDF{code}APOD"] = points
    return dic
