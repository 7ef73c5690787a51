"""Varian/Agilent 2D raw data (``fid`` with ``procpar``) through nmrglue.

The indirect dimension is recorded as a ``phase`` array (1, 2) per increment: Rance-Kay
Echo/Anti-Echo for gradient-selected sensitivity-enhanced sequences, or States. ``f1coef`` says
which when it is set (Rance-Kay: '1 0 -1 0 0 1 0 1' and its variants; States: '1 0 0 0 0 0 -1 0'
and the like); when it is empty the data tell (:func:`mrai.physics.quadrature.detect_quadrature`).
Varian FIDs are conjugated as read (F2 reversal); after that the phase = 1 FID of a Rance-Kay
pair is the P-type (Echo) signal in the reference F1 direction, and minus the phase = 2 FID the
N-type one (as f1coef '1 0 -1 0 0 1 0 1' combines them; checked against the author-processed
spectrum of a measured 15N HSQC: `docs/raw.md`). ``f1180 = 'y'`` (t1 starting at half a dwell) is recorded in the header as the F1
phase correction it needs (FDF1P0 -90, FDF1P1 180).

Stored phases: ``rp``, ``lp`` (F2) and ``rp1``, ``lp1`` (F1), which VnmrJ applies as
rp + lp (1 - x) (x = 0 .. 1 from the left, highest-frequency, edge: the first-order phase pivots
on the right edge). The F1 rows are used as they are stored, so nmrPipe's F1 phases are
P0 = rp1 + lp1, P1 = -lp1 (the f1180 phases rp1 90, lp1 -180 become P0 -90, P1 180); F2 is
conjugated as read, which negates and mirrors its phase: P0 = -(rp + lp), P1 = lp
(:func:`nmrpipe_phases`). Half-dwell data need F1 P1 180: stored F1 phases with another
first-order term are not used for them (``mrai.fileio.convert.header_phases``). Measured data
could not confirm this convention: the one measured Varian set holds phases that do not phase
it (`docs/raw.md`).

Referencing: F2 carrier in ppm from ``sfrq`` and ``reffrq`` (the 1H 0 ppm frequency); F1 from
the indirect channel's frequency (``dfrq2`` when ``dn2`` is 15N, else ``dfrq``) and the IUPAC
frequency ratio of its nucleus. ``mrai convert --xcar/--ycar/--yobs`` override them.
"""

import os
import struct
import warnings

import numpy as np

from mrai.errors import InputError
from mrai.limits import MAX_POINTS, check_count, check_number
from mrai.fileio.rawdata import RawData, check_pairs, require_files

XI = {"H1": 1.0, "C13": 0.251449530, "N15": 0.101329118, "P31": 0.404808636,
      "H2": 0.153506088, "F19": 0.940940080}
LABELS = {"H1": "1H", "C13": "13C", "N15": "15N", "P31": "31P", "H2": "2H", "F19": "19F"}


def _value(pp, name, default=None, kind=float):
    try:
        value = kind(pp[name]["values"][0])
    except (KeyError, IndexError, ValueError, TypeError):
        if default is None:
            raise InputError(f"procpar has no usable '{name}'") from None
        return default
    if kind is float:
        return check_number(value, f"procpar '{name}'", 0.0, 1e12, low_open=True)
    return value


def _check_fid_size(path, folder):
    """InputError when the fid file's 32-byte file header is not consistent (blocks of ntraces
    traces of np values of ebytes bytes, 2 or 4 or 8, and nbheaders block headers of 28 bytes,
    within mrai.limits) or the file is shorter than it says (nblocks blocks of bbytes bytes):
    a truncated copy, or a header that would make the reader allocate or loop without end."""
    with open(path, "rb") as fh:
        head = fh.read(32)
    if len(head) < 32:
        raise InputError(f"fid holds {len(head)} bytes, shorter than its 32-byte file header",
                         folder)
    nblocks, ntraces, npoints, ebytes, tbytes, bbytes, _, _, nbheaders = \
        struct.unpack(">iiiiiihhi", head)
    where = f"{folder}: fid file header"
    check_count(nblocks, "nblocks", 1, MAX_POINTS, where)
    check_count(ntraces, "ntraces", 1, MAX_POINTS, where)
    check_count(npoints, "np", 2, MAX_POINTS, where)
    check_count(nbheaders, "nbheaders", 0, 16, where)
    if ebytes not in (2, 4, 8) or tbytes != npoints * ebytes or \
            bbytes != ntraces * tbytes + 28 * nbheaders:
        raise InputError(f"fid file header is not consistent (np {npoints}, ebytes {ebytes}, "
                         f"tbytes {tbytes}, ntraces {ntraces}, nbheaders {nbheaders}, bbytes "
                         f"{bbytes})", folder)
    need, have = 32 + nblocks * bbytes, os.path.getsize(path)
    if have < need:
        raise InputError(f"fid holds {have} bytes, its header says {need} ({nblocks} blocks of "
                         f"{bbytes} bytes): truncated", folder)


def read_varian(folder):
    """:class:`RawData` of a Varian/Agilent 2D data set with a (1, 2) phase array."""
    import nmrglue as ng

    require_files(folder, ("procpar", "fid"), "not a Varian/Agilent data set")
    _check_fid_size(os.path.join(folder, "fid"), folder)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import contextlib
            import io

            with contextlib.redirect_stdout(io.StringIO()):  # nmrglue prints the shape
                dic, data = ng.varian.read(folder)
    except Exception as exc:
        raise InputError(f"cannot read the Varian data ({type(exc).__name__}: {exc})",
                         folder) from None
    pp = dic["procpar"]
    phases = [v.strip() for v in pp.get("phase", {}).get("values", [])]
    if phases != ["1", "2"]:
        raise InputError(f"phase array {phases or 'absent'}: a 2D Echo/Anti-Echo or States data "
                         "set has phase = 1, 2", folder)
    data = np.asarray(data)
    check_pairs(data, folder)
    try:
        header = _pipe_header(pp, data)
    except InputError as exc:
        raise InputError(str(exc), folder) from None
    rows = np.conj(data).astype(np.complex64)
    rows[1::2] *= -1  # Rance-Kay: the N-type signal is minus the phase = 2 FID
    coef = " ".join(pp.get("f1coef", {}).get("values", [""])[0].split())
    quadrature = _from_f1coef(coef)
    notes = [f"f1coef '{coef}'" if coef else "f1coef empty"]
    half = _value(pp, "f1180", "n", str).strip().lower() == "y"
    if half:
        header["FDF1P0"], header["FDF1P1"] = -90.0, 180.0
    phases, phase_source = stored_phases(pp)
    return RawData(dic=header, rows=rows, quadrature=quadrature, p_index=0, half_dwell=half,
                   source=folder, notes=notes, phases=phases, phase_source=phase_source)


def nmrpipe_phases(rp, lp, dimension="F2"):
    """nmrPipe (P0, P1) in degrees for VnmrJ's (rp, lp) of the data as read here: F1 as stored
    (P0 = rp + lp, P1 = -lp), F2 conjugated (P0 = -(rp + lp), P1 = lp); see the module
    docstring."""
    rp, lp = float(rp), float(lp)
    p0 = rp + lp
    if dimension == "F2":
        return _wrap(-p0), lp
    return _wrap(p0), -lp


def _wrap(p0):
    return float((p0 + 180.0) % 360.0 - 180.0)


def stored_phases(pp):
    """({'F2': (P0, P1), 'F1': (P0, P1)}, where they came from) from procpar's rp, lp, rp1 and
    lp1 (a dimension present when both its values are); (None, '') when neither is."""
    phases, said = {}, []
    for dimension, (zero, first) in (("F2", ("rp", "lp")), ("F1", ("rp1", "lp1"))):
        try:
            values = [float(pp[name]["values"][0]) for name in (zero, first)]
        except (KeyError, IndexError, ValueError, TypeError):
            continue
        if not all(np.isfinite(values)):
            continue
        phases[dimension] = nmrpipe_phases(*values, dimension=dimension)
        said.append(f"{zero} {values[0]:g} {first} {values[1]:g}")
    if not phases:
        return None, ""
    return phases, "procpar " + ", ".join(said)


def _from_f1coef(coef):
    """'echo-antiecho', 'states' or None (decide from the data) from Varian's f1coef."""
    values = coef.split()
    if len(values) != 8:
        return None
    pattern = [float(v) for v in values]
    real_row, imag_row = pattern[:4], pattern[4:]
    if real_row[0] and real_row[2] and imag_row[1] and imag_row[3]:
        return "echo-antiecho"  # each row mixes both FIDs of an increment: Rance-Kay
    return "states"


def _pipe_header(pp, data):
    import nmrglue as ng
    from nmrglue.fileio.fileiobase import create_blank_udic

    udic = create_blank_udic(2)
    sfrq = _value(pp, "sfrq")
    reffrq = _value(pp, "reffrq", sfrq / (1 + 4.7e-6))
    dn2 = _value(pp, "dn2", "", str).strip()
    channel = "dfrq2" if dn2 == "N15" else "dfrq"
    nucleus = _value(pp, "dn2" if channel == "dfrq2" else "dn", "", str).strip()
    obs1 = _value(pp, channel)
    zero1 = reffrq * XI.get(nucleus, obs1 / sfrq)
    axes = ((data.shape[0], _value(pp, "sw1"), obs1, (obs1 - zero1) / zero1 * 1e6,
             LABELS.get(nucleus, nucleus or "F1"), "states"),
            (data.shape[1], _value(pp, "sw"), sfrq, (sfrq - reffrq) / reffrq * 1e6,
             LABELS.get(_value(pp, "tn", "H1", str).strip(), "1H"), "direct"))
    for axis, (size, sw, obs, car_ppm, label, encoding) in enumerate(axes):
        udic[axis].update(size=int(size), complex=True, encoding=encoding, sw=sw, obs=obs,
                          car=car_ppm * obs, label=label, time=True, freq=False)
    converter = ng.convert.converter()
    converter.from_varian({}, np.zeros(data.shape, np.complex64), udic)
    dic, _ = converter.to_pipe()
    return dic
