"""Raw 2D data (:class:`mrai.fileio.raw.RawData`) to an NMRPipe time-domain data set.

The result is what ``bruk2pipe``/``var2pipe`` write for States data: F2 complex, F1 complex with
the cosine and sine FIDs of each increment in alternate rows (FD2DPHASE 2, FDF1QUADFLAG 0), so
that standard States processing (``mrai process`` or nmrPipe's SP/ZF/FT/PS in both dimensions)
gives the full spectrum (``keep='both'``) or its Echo or Anti-Echo part (science.md section 2)
for ``keep='echo'`` / ``'antiecho'``. A NUS data set is put on the full t1 grid, the unsampled
increments zero, which is how ``mrai reconstruct --nus`` expects NUS spectra.
"""

import numpy as np

from mrai.errors import InputError
from mrai.physics.quadrature import detect_quadrature, pairs_to_states


def resolve_quadrature(raw, mode="auto"):
    """The quadrature to use: ``mode`` when given, the parameters' when they say, else what the
    data show. Returns (quadrature, how it was decided)."""
    if mode != "auto":
        return mode, "given"
    if raw.quadrature is not None:
        return raw.quadrature, "parameters"
    found, direct, mirrored = detect_quadrature(raw.rows)
    return found, f"data (FID pair correlation {direct:.2f} as is, {mirrored:.2f} mirrored)"


def to_pipe(raw, keep="both", mode="auto", swap=False, xcar=None, ycar=None, yobs=None,
            conjugate=False, half_dwell=None):
    """(dic, data) of the NMRPipe time-domain data set for ``raw``.

    ``swap`` exchanges the roles of the two FIDs of an Echo/Anti-Echo pair (mirrors F1) for
    data whose pulse program records them in the other order; ``xcar``/``ycar`` (ppm) and
    ``yobs`` (MHz) override the referencing read from the parameters; ``conjugate`` reverses
    F2 (for data stored in the other F2 sense than the reader assumes); ``half_dwell`` (True or
    False; None: as read) sets whether t1 starts at half a dwell, recorded as the F1 phases
    -90 / 180 that the default processing applies.
    """
    quadrature, _ = resolve_quadrature(raw, mode)
    if keep != "both" and quadrature not in ("echo-antiecho", "states", "states-tppi"):
        raise InputError(f"cannot keep the {keep} half of {quadrature} data", raw.source)
    # conjugating an Echo/Anti-Echo pair also makes P look like N: exchange them to keep F1
    p_index = 1 - raw.p_index if swap != conjugate else raw.p_index
    rows = np.conj(raw.rows) if conjugate else raw.rows
    states = pairs_to_states(rows, quadrature, p_index, keep)
    dic = dict(raw.dic)
    if half_dwell is not None and half_dwell != raw.half_dwell:
        dic["FDF1P0"], dic["FDF1P1"] = (-90.0, 180.0) if half_dwell else (0.0, 0.0)
    if raw.schedule is not None:
        full = np.zeros((int(dic["FDSPECNUM"]), states.shape[1]), dtype=states.dtype)
        for row, increment in enumerate(raw.schedule):
            full[2 * increment:2 * increment + 2] = states[2 * row:2 * row + 2]
        states = full
    if yobs is not None:
        dic["FDF1OBS"] = float(yobs)
    for axis, car in (("F2", xcar), ("F1", ycar)):
        if car is not None:
            dic[f"FD{axis}CAR"] = float(car)
    for axis in ("F1", "F2"):  # NMRPipe's origin: the frequency of the last point
        size = dic["FDSPECNUM"] / 2 if axis == "F1" else dic["FDSIZE"]
        center = dic[f"FD{axis}CENTER"]
        dic[f"FD{axis}ORIG"] = (dic[f"FD{axis}CAR"] * dic[f"FD{axis}OBS"]
                                - dic[f"FD{axis}SW"] * (size - center) / size)
    return dic, states.astype(np.complex64)
