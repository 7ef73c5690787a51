"""The NMRPipe header: parsing and checking it, the data layout it describes, provenance stamps.

A header is 512 float32 words. mrai keeps it as nmrglue's dictionary (``FDSIZE``, ``FDF2SW``, ...)
plus the raw words under :data:`RAW_KEY`, so that writing a file back keeps every word, including
those nmrglue has no name for. Only the words named in the dictionary are taken from it on writing.
"""

import re
from dataclasses import dataclass

import numpy as np

from mrai.version import __version__
from mrai.errors import InputError
from mrai.limits import MAX_PLANES, MAX_POINTS, check_count, check_plane
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
    dic = _fields(words)
    if dic["FDDIMCOUNT"] not in (1.0, 2.0, 3.0, 4.0):
        raise InputError(f"not an NMRPipe file (FDDIMCOUNT is {dic['FDDIMCOUNT']:g})", source)
    if dic["FDSIZE"] < 1 or (dic["FDDIMCOUNT"] > 1 and dic["FDSPECNUM"] < 1):
        raise InputError("NMRPipe header gives an empty data size", source)
    check_sizes(dic, source)
    dic[RAW_KEY] = words
    dic[BYTEORDER_KEY] = order
    return dic


_TEXT_FIELDS = {"FDF2LABEL": (16, 18), "FDF1LABEL": (18, 20), "FDF3LABEL": (20, 22),
                "FDF4LABEL": (22, 24), "FDSRCNAME": (286, 290), "FDUSERNAME": (290, 294),
                "FDTITLE": (297, 312), "FDCOMMENT": (312, 352), "FDOPERNAME": (464, 472)}


def _fields(words):
    """nmrglue's header dictionary of ``words``; text fields that are not UTF-8 are decoded
    with replacement characters instead of failing."""
    try:
        return ng_pipe.fdata2dic(words)
    except UnicodeDecodeError:
        blank = np.array(words, dtype=np.float32, copy=True)
        texts = {}
        for name, (start, stop) in _TEXT_FIELDS.items():
            texts[name] = blank[start:stop].tobytes().decode("utf-8", "replace").strip("\x00")
            blank[start:stop] = 0
        dic = ng_pipe.fdata2dic(blank)
        dic.update(texts)
        return dic


def check_sizes(dic, source=None):
    """InputError unless the header's sizes are whole numbers within mrai.limits (FDSIZE,
    FDSPECNUM, FDF3SIZE and FDF4SIZE, the plane they describe, the dimension order and the
    transpose flag FDTRANSPOSED, 0 or 1): checked
    before anything is allocated or counted from them."""
    ndim = int(dic["FDDIMCOUNT"])
    for position in range(1, ndim + 1):
        if dic[f"FDDIMORDER{position}"] not in (1.0, 2.0, 3.0, 4.0):
            raise InputError(f"NMRPipe header: FDDIMORDER{position} is "
                             f"{dic[f'FDDIMORDER{position}']:g}, not a dimension 1..4", source)
    if ndim > 1 and dic["FDTRANSPOSED"] not in (0.0, 1.0):
        # a flag: nmrglue's shape rules know 0 and 1 only, and give other values a data size
        # that disagrees with the planes
        raise InputError(f"NMRPipe header: FDTRANSPOSED is {dic['FDTRANSPOSED']:g}, not 0 or 1",
                         source)
    check_count(dic["FDSIZE"], "NMRPipe header FDSIZE", 1, MAX_POINTS, source)
    if ndim > 1:
        check_count(dic["FDSPECNUM"], "NMRPipe header FDSPECNUM", 1, MAX_POINTS, source)
    planes = 1
    stream = dic["FDPIPEFLAG"] != 0
    for code in (3, 4)[:max(ndim - 2, 0)]:
        planes *= check_count(dic[f"FDF{code}SIZE"], f"NMRPipe header FDF{code}SIZE",
                              1 if stream else 0, MAX_PLANES, source) or 1
    if planes > MAX_PLANES:
        raise InputError(f"NMRPipe header gives {planes} planes, more than the {MAX_PLANES} "
                         "mrai takes (docs/conventions.md#limits)", source)
    lay = layout(dic)
    check_plane(lay.rows, lay.row_floats, "NMRPipe header: a plane", source)


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
        words = plane
        plane = np.empty((lay.rows, half), np.complex64)   # no arithmetic: Inf stays Inf
        plane.real, plane.imag = words[:, :half], words[:, half:]
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

    Values are quoted (:func:`quote_value`: spaces, ``=``, ``%``, quotes, control and non-ASCII
    characters as %XX), so that no value, a model card's name say, can add a key or end the
    record; model names (:data:`NAME_KEYS`) are cut to 40 characters as quoted, and further
    (to 12) where the whole record would not fit the 160-byte comment field otherwise. Raises
    ValueError when it still does not fit, or for a key that is not a plain word.
    """
    for key in fields:
        if not _KEY.fullmatch(key):
            raise ValueError(f"provenance key {key!r} is not a plain word")
    names = any(k in NAME_KEYS and v is not None for k, v in fields.items())
    limit = NAME_CHARS
    while True:
        words = [f"{_STAMP_PREFIX}{__version__}", command]
        for key, value in fields.items():
            if value is None:
                continue
            quoted = _cut(str(value), limit) if key in NAME_KEYS else quote_value(value)
            words.append(f"{key}={quoted}")
        text = " ".join(words)
        # a long record cuts the model names further, down to NAME_MIN characters
        if len(text.encode()) <= COMMENT_BYTES - 1 or limit <= NAME_MIN or not names:
            break
        limit -= 1
    if len(text.encode()) > COMMENT_BYTES - 1:
        raise ValueError(f"provenance record longer than {COMMENT_BYTES - 1} bytes: {text!r}")
    out = dict(dic)
    out["FDCOMMENT"] = text
    return out


_KEY = re.compile(r"[A-Za-z0-9_]+")
_UNSAFE = re.compile(r"[^!#$&()*+,\-./0-9:;<>?@A-Z\[\]^_`a-z{|}~]")


NAME_KEYS = ("model", "sigma")   # model card names: free text from a file, cut to fit
NAME_CHARS = 40
NAME_MIN = 12


def _cut(text, limit):
    """quote_value of the longest start of ``text`` whose quoted form has at most ``limit``
    characters."""
    quoted = quote_value(text)
    while len(quoted) > limit:
        text = text[:-1]
        quoted = quote_value(text)
    return quoted


def quote_value(value):
    """``str(value)`` with every character outside printable ASCII, and space, ``=``, ``%``,
    quotes and backslash, written as %XX of its UTF-8 bytes (:func:`unquote_value` undoes it)."""
    return _UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group(0).encode()), str(value))


def unquote_value(text):
    """The value :func:`quote_value` quoted (a lone % that starts no %XX stays as it is, as in
    records written before quoting)."""
    from urllib.parse import unquote

    return unquote(text, errors="replace") if "%" in text else text


def provenance(dic):
    """What mrai recorded in the header: ``{'version', 'command', key: value...}`` or None.
    Values are unquoted (:func:`quote_value`); a word may not replace the version or the
    command."""
    text = dic.get("FDCOMMENT", "")
    if not text.startswith(_STAMP_PREFIX):
        return None
    words = text.split()
    if len(words) < 3:
        return None
    record = {"version": words[1], "command": words[2]}
    for word in words[3:]:
        key, _, value = word.partition("=")
        if key not in ("version", "command"):
            record[key] = unquote_value(value)
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
