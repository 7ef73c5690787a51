"""Bruker 2D raw data (``ser`` with ``acqus`` and ``acqu2s``) through nmrglue.

The digital filter of DQD/DSP data is removed (nmrglue ``remove_digital_filter``, its group
delay taken from GRPDLY or DECIM/DSPFVS), which also drops the filter's points at the end of
each FID. The indirect acquisition mode is read from FnMODE of acqu2s: 6 Echo-Antiecho, 4 States,
5 States-TPPI; others (QF, QSEQ, TPPI, undefined) are refused. For FnMODE 6 the two FIDs of an
increment are the two coherence-selected signals; with TopSpin's convention the second one is the
P-type (Echo) signal in the reference F1 direction (checked on measured 15N and 13C HSQCs:
`docs/raw.md`). A ``nuslist`` file beside ``ser`` marks a NUS data set: ``ser`` then holds the
sampled increments only, in the list's order.
"""

import os
import warnings

import numpy as np

from mrai.errors import InputError
from mrai.fileio.raw import RawData, check_pairs, read_nuslist, require_files

FNMODES = {4: "states", 5: "states-tppi", 6: "echo-antiecho"}
FNMODE_NAMES = {0: "undefined", 1: "QF", 2: "QSEQ", 3: "TPPI", 4: "States",
                5: "States-TPPI", 6: "Echo-Antiecho"}


def read_bruker(folder):
    """:class:`RawData` of a Bruker 2D data set; InputError for missing files, unknown
    FnMODE, an odd number of FIDs, or data that do not fit the parameters."""
    import nmrglue as ng

    require_files(folder, ("acqus", "ser"), "not a Bruker 2D data set")
    if not any(os.path.exists(os.path.join(folder, f)) for f in ("acqu2s", "acqu2")):
        raise InputError("not a Bruker 2D data set: missing acqu2s (parameters of the indirect "
                         "dimension)", folder)
    nuslist = os.path.join(folder, "nuslist")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            shape = _nus_shape(folder, nuslist)
            if shape is None:
                _check_ser_size(folder)
            dic, data = ng.bruker.read(folder, read_pulseprogram=False, read_procs=False,
                                       shape=shape, cplex=True if shape else None)
    except InputError:
        raise
    except Exception as exc:  # nmrglue raises many kinds for unreadable parameter files
        raise InputError(f"cannot read the Bruker data ({type(exc).__name__}: {exc})",
                         folder) from None
    if "acqu2s" not in dic:
        raise InputError("not a Bruker 2D data set: acqu2s could not be read", folder)
    mode = int(dic["acqu2s"].get("FnMODE", 0))
    if mode not in FNMODES:
        raise InputError(f"indirect acquisition mode FnMODE {mode} "
                         f"({FNMODE_NAMES.get(mode, 'unknown')}) is not supported: "
                         "Echo-Antiecho (6), States (4) and States-TPPI (5) are", folder)
    data = np.asarray(data)
    check_pairs(data, folder)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = _remove_digital_filter(dic, data, folder)
        udic = ng.bruker.guess_udic(dic, data)
    schedule = None
    if os.path.exists(nuslist):
        schedule = read_nuslist(nuslist, data.shape[0] // 2, folder)
    header = _pipe_header(udic, data, schedule, int(dic["acqu2s"].get("TD", 0)))
    return RawData(dic=header, rows=data.astype(np.complex64), quadrature=FNMODES[mode],
                   p_index=1, schedule=schedule, source=folder)


def _remove_digital_filter(dic, data, folder):
    """Data without the DSP group delay; unchanged for analogue-filtered data (no DECIM, or
    DECIM 1 with no GRPDLY)."""
    import nmrglue as ng

    acqus = dic["acqus"]
    if float(acqus.get("GRPDLY", -1)) <= 0 and float(acqus.get("DECIM", 1)) <= 1:
        return data
    try:
        return ng.bruker.remove_digital_filter(dic, data)
    except (KeyError, ValueError) as exc:
        raise InputError(f"cannot remove the digital filter ({exc}); acqus needs GRPDLY, or "
                         "DECIM and DSPFVS", folder) from None


def _fid_layout(folder):
    """(complex points per stored FID, bytes per complex point) of ``ser``: FIDs of TD/2
    complex points (int32 pairs, or float64 pairs for DTYPA 2) padded to 1 KiB blocks."""
    import nmrglue as ng

    acqus = ng.bruker.read_jcamp(os.path.join(folder, "acqus"))
    size = 16 if int(acqus.get("DTYPA", 0)) == 2 else 8
    block = 1024 // size
    return -(-(int(acqus["TD"]) // 2) // block) * block, size


def _nus_shape(folder, nuslist):
    """The (FIDs, points) shape of a NUS ``ser`` (sampled increments only); None otherwise."""
    if not os.path.exists(nuslist):
        return None
    points, size = _fid_layout(folder)
    return (os.path.getsize(os.path.join(folder, "ser")) // (size * points), points)


def _check_ser_size(folder):
    """InputError when ``ser`` is shorter than the TD of acqu2s FIDs that the parameters
    describe (a truncated copy, or another experiment's ser)."""
    import nmrglue as ng

    name = "acqu2s" if os.path.exists(os.path.join(folder, "acqu2s")) else "acqu2"
    fids = int(ng.bruker.read_jcamp(os.path.join(folder, name)).get("TD", 0))
    points, size = _fid_layout(folder)
    need, have = fids * points * size, os.path.getsize(os.path.join(folder, "ser"))
    if have < need:
        raise InputError(f"ser holds {have} bytes, the parameters need {need} ({fids} FIDs of "
                         f"{points} complex points): truncated, or not this experiment's ser",
                         folder)


def _pipe_header(udic, data, schedule, td1):
    """NMRPipe time-domain header (F2 complex, F1 complex States) of the full t1 grid (TD of
    acqu2s, which counts both FIDs of every increment, for NUS data)."""
    import nmrglue as ng

    udic[0].update(encoding="states", complex=True)
    if schedule is not None:
        udic[0]["size"] = max(td1 - td1 % 2, 2 * (int(schedule.max()) + 1))
    converter = ng.convert.converter()
    converter.from_bruker({}, np.zeros((udic[0]["size"], data.shape[1]), np.complex64), udic)
    dic, _ = converter.to_pipe()
    return dic
