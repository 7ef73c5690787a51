"""Bruker 2D raw data (``ser`` with ``acqus`` and ``acqu2s``) through nmrglue.

The digital filter of DQD/DSP data is removed (nmrglue ``rm_dig_filter``: the whole points of its
group delay, taken from GRPDLY or DECIM/DSPFVS), which also drops the filter's points at the end
of each FID. The indirect acquisition mode is read from FnMODE of acqu2s: 6 Echo-Antiecho, 4 States,
5 States-TPPI; others (QF, QSEQ, TPPI, undefined) are refused. For FnMODE 6 the two FIDs of an
increment are the two coherence-selected signals; with TopSpin's convention the second one is the
P-type (Echo) signal in the reference F1 direction (checked on measured 15N and 13C HSQCs:
`docs/raw.md`). A ``nuslist`` file beside ``ser`` marks a NUS data set: ``ser`` then holds the
sampled increments only, in the list's order.

Stored phases. TopSpin keeps the phases of the processed spectrum in ``pdata/1/procs`` (F2) and
``pdata/1/proc2s`` (F1) as PHC0/PHC1. They are converted to nmrPipe's PS convention for the data
as read here (:func:`nmrpipe_phases`), which TopSpin-processed spectra check to r >= 0.998
(`docs/raw.md`):

- TopSpin applies -(PHC0 + PHC1 x) in nmrPipe's terms (x = 0 .. 1 from the left, highest
  frequency, edge) on the FID whose whole group delay G was removed, the delay itself undone by
  -360 G x. Here the m = floor(G) whole points are removed (a circular shift, which is the
  linear phase 180 m - 360 m x), so the data need
  P0 = -PHC0 - 180 m, P1 = -(PHC1 + 360 (G - m)) in F2 (checked with m = floor(G) and
  m = round(G) on the same measured set, which differ by one point: both phase it);
- F1 (no digital filter): P0 = -PHC0, P1 = -PHC1;
- Echo-Antiecho (FnMODE 6): TopSpin's combination of the pair is a quarter turn away in F2 from
  the States rows made here, so F2 gets P0 + 90 (measured on a 15N seHSQC: `docs/raw.md`).
"""

import os
import warnings

import numpy as np

from mrai.errors import InputError
from mrai.limits import MAX_POINTS, check_count, check_number, check_plane, whole_number
from mrai.fileio.rawdata import RawData, check_pairs, read_nuslist, require_files

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
            check_parameters(folder)
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
    mode = whole_number(dic["acqu2s"].get("FnMODE", 0))
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
    header = _pipe_header(udic, data, schedule, int(dic["acqu2s"].get("TD", 0)), folder)
    phases, source = stored_phases(folder, dic["acqus"], mode)
    return RawData(dic=header, rows=data.astype(np.complex64), quadrature=FNMODES[mode],
                   p_index=1, schedule=schedule, source=folder, phases=phases,
                   phase_source=source)


def _parameter_file(folder, names):
    import nmrglue as ng

    name = next((n for n in names if os.path.exists(os.path.join(folder, n))), names[0])
    return name, ng.bruker.read_jcamp(os.path.join(folder, name))


def check_parameters(folder):
    """InputError naming the file and parameter for a value of acqus or acqu2s that is not a
    usable number: TD (points per FID, FIDs) outside 2..mrai.limits.MAX_POINTS, a spectral width
    (SW_h, SW), frequency (SFO1, BF1) that is not positive and finite, an offset (O1) that is not
    finite, DECIM, DSPFVS, DTYPA, BYTORDA or FnMODE that is not a whole number, GRPDLY that is
    not finite or not inside the FID."""
    for names, direct in ((("acqus", "acqu"), True), (("acqu2s", "acqu2"), False)):
        name, params = _parameter_file(folder, names)
        where = f"{folder}/{name}"
        td = check_count(params.get("TD"), "TD", 2, MAX_POINTS, where)
        for key in ("SW_h", "SW", "SFO1", "BF1"):
            if key in params:
                check_number(params[key], key, 0.0, 1e9, where, low_open=True)
        if "O1" in params:
            check_number(params["O1"], "O1", -1e12, 1e12, where)
        for key in ("DSPFVS", "DTYPA", "BYTORDA") if direct else ("FnMODE",):
            if key in params:
                check_count(params[key], key, -1, 1 << 16, where)
        if direct and "DECIM" in params:
            check_number(params["DECIM"], "DECIM", 0.0, 1e6, where)
        if direct and "GRPDLY" in params:
            grpdly = check_number(params["GRPDLY"], "GRPDLY", -1e12, 1e12, where)
            if grpdly >= td // 2:
                raise InputError(f"GRPDLY is {grpdly:g} points, beyond the {td // 2} complex "
                                 "points of an FID (TD)", where)


def group_delay(acqus):
    """The digital filter's group delay G (points) that :func:`_remove_digital_filter` works
    with (0 for analogue-filtered data): GRPDLY, else nmrglue's table for DECIM and DSPFVS
    (0 for DSPFVS >= 14 without GRPDLY, as nmrglue takes it)."""
    import nmrglue as ng

    grpdly = float(acqus.get("GRPDLY", -1))
    if grpdly <= 0 and float(acqus.get("DECIM", 1)) <= 1:
        return 0.0
    if grpdly > 0:
        return grpdly
    dspfvs, decim = int(acqus.get("DSPFVS", 0)), int(acqus.get("DECIM", 1))
    if dspfvs >= 14:
        return 0.0
    try:
        return float(ng.fileio.bruker.bruker_dsp_table[dspfvs][decim])
    except KeyError:
        return 0.0


def nmrpipe_phases(phc, group=0.0, fnmode=4, dimension="F2"):
    """nmrPipe (P0, P1) in degrees for TopSpin's (PHC0, PHC1) of the data as read here (see the
    module docstring): F2 with the group delay ``group`` (points) of which the whole points
    (:func:`whole_points`) were removed, plus a quarter turn for Echo-Antiecho (FnMODE 6); F1 the
    plain negation."""
    phc0, phc1 = (float(v) for v in phc)
    if dimension == "F1":
        return wrap_phase(-phc0), -phc1
    whole = whole_points(group)
    p0 = -phc0 - 180.0 * whole + (90.0 if int(fnmode) == 6 else 0.0)
    return wrap_phase(p0), -(phc1 + 360.0 * (group - whole))


def wrap_phase(p0):
    """A zero-order phase in degrees brought into [-180, 180)."""
    return float((float(p0) + 180.0) % 360.0 - 180.0)


def stored_phases(folder, acqus, fnmode):
    """({'F2': (P0, P1), 'F1': (P0, P1)}, where they came from) from pdata/1 procs and proc2s
    (each dimension present only when its file holds PHC0 and PHC1); (None, '') without them."""
    import nmrglue as ng

    phases, said = {}, []
    for dimension, name in (("F2", "procs"), ("F1", "proc2s")):
        path = os.path.join(folder, "pdata", "1", name)
        if not os.path.exists(path):
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                procs = ng.bruker.read_jcamp(path)
            phc = (float(procs["PHC0"]), float(procs["PHC1"]))
        except (KeyError, ValueError, OSError, TypeError):
            continue
        if not all(np.isfinite(phc)):
            continue
        phases[dimension] = nmrpipe_phases(phc, group_delay(acqus), fnmode, dimension)
        said.append(f"{name} PHC0 {phc[0]:g} PHC1 {phc[1]:g}")
    if not phases:
        return None, ""
    return phases, "pdata/1 " + ", ".join(said)


def _remove_digital_filter(dic, data, folder):
    """Data without the DSP group delay G: its whole points removed (nmrglue, truncating G, as
    its ``remove_digital_filter`` does; this also drops the filter's points at the end); the
    rest of G, 0 <= G - floor(G) < 1, is left to the phase correction (:func:`nmrpipe_phases`).
    Unchanged for analogue-filtered data (no DECIM, or DECIM 1 with no GRPDLY)."""
    import nmrglue as ng

    acqus = dic["acqus"]
    if float(acqus.get("GRPDLY", -1)) <= 0 and float(acqus.get("DECIM", 1)) <= 1:
        return data
    try:
        whole = whole_points(group_delay(acqus))
        if whole == 0:
            return data
        return ng.bruker.rm_dig_filter(data, int(acqus["DECIM"]), int(acqus["DSPFVS"]),
                                       grpdly=float(whole), truncate_grpdly=True)
    except (KeyError, ValueError) as exc:
        raise InputError(f"cannot remove the digital filter ({exc}); acqus needs GRPDLY, or "
                         "DECIM and DSPFVS", folder) from None


def whole_points(group):
    """The whole points of a group delay of ``group`` points that are removed (floor(G), as
    nmrglue removes them; rounding instead was tried: it leaves zero-phase spectra closer to
    phased but splits the measured sets into Echo and Anti-Echo parts slightly less exactly,
    r 0.99952 instead of 0.99985)."""
    return int(np.floor(float(group)))


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


def _pipe_header(udic, data, schedule, td1, source=None):
    """NMRPipe time-domain header (F2 complex, F1 complex States) of the full t1 grid (TD of
    acqu2s, which counts both FIDs of every increment, for NUS data)."""
    import nmrglue as ng

    udic[0].update(encoding="states", complex=True)
    if schedule is not None:
        udic[0]["size"] = max(td1 - td1 % 2, 2 * (int(schedule.max()) + 1))
    check_plane(udic[0]["size"], 2 * data.shape[1], "the t1 grid of FIDs", source)
    for axis in (0, 1):   # a nucleus read as a number (NUC1= inf) is still a label
        udic[axis]["label"] = str(udic[axis]["label"])
    converter = ng.convert.converter()
    converter.from_bruker({}, np.zeros((udic[0]["size"], data.shape[1]), np.complex64), udic)
    dic, _ = converter.to_pipe()
    return dic
