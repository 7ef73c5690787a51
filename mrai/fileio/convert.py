"""Raw 2D data (:class:`mrai.fileio.raw.RawData`) to an NMRPipe time-domain data set.

The result is what ``bruk2pipe``/``var2pipe`` write for States data: F2 complex, F1 complex with
the cosine and sine FIDs of each increment in alternate rows (FD2DPHASE 2, FDF1QUADFLAG 0), so
that standard States processing (``mrai process`` or nmrPipe's SP/ZF/FT/PS in both dimensions)
gives the full spectrum (``keep='both'``) or its Echo or Anti-Echo part (docs/conventions.md)
for ``keep='echo'`` / ``'antiecho'``. A NUS data set is put on the full t1 grid, the unsampled
increments zero, which is how ``mrai reconstruct --nus`` expects NUS spectra.

Phases: the header gets the phase correction the default processing applies (FDF2P0/FDF2P1,
FDF1P0/FDF1P1), by default the one stored with the raw data (:func:`header_phases`).
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


PHASES = ("stored", "zero")
HALF_DWELL = (-90.0, 180.0)


def _mirrored(phase):
    """The phase correction of a spectrum mirrored along that axis (conjugated: F2 reversed by
    --conj, or F1 by exchanging an Echo/Anti-Echo pair): P(x) -> -P(1 - x)."""
    p0, p1 = phase
    return (float((-(p0 + p1) + 180.0) % 360.0 - 180.0), float(p1))


def header_phases(raw, phases="stored", half_dwell=None, swap=False, conjugate=False):
    """The header phases for ``raw``: ({'F2': (P0, P1), 'F1': (P0, P1)}, how, notes).

    ``phases``: 'stored' (those the raw data keep, :attr:`RawData.phases`, zero for a dimension
    that has none) or 'zero'. ``half_dwell`` (None: as read) puts F1 on the half-dwell
    correction: P1 180 with the stored P0 when the stored F1 phases already have P1 180, else
    -90 / 180 (the f1180 phases; P1 180 marks half-dwell data everywhere in mrai, so it is
    never written for data said not to be). ``swap`` and ``conjugate`` mirror F1 and F2 (see
    :func:`to_pipe`), and with them the stored phases. ``how`` says where the phases came from;
    ``notes`` list stored phases that were not used, and why.
    """
    if phases not in PHASES:
        raise ValueError(f"phases must be one of {PHASES}, not {phases!r}")
    half = raw.half_dwell if half_dwell is None else bool(half_dwell)
    stored = dict(raw.phases or {}) if phases == "stored" else {}
    if conjugate and "F2" in stored:
        stored["F2"] = _mirrored(stored["F2"])
    if swap and "F1" in stored:
        stored["F1"] = _mirrored(stored["F1"])
    out = {"F2": tuple(stored.get("F2", (0.0, 0.0))), "F1": tuple(stored.get("F1", (0.0, 0.0)))}
    notes = []
    f1_half = abs(out["F1"][1] - HALF_DWELL[1]) < 0.5
    if half and not f1_half:
        if "F1" in stored:
            notes.append(f"stored F1 phases P0 {out['F1'][0]:g} P1 {out['F1'][1]:g} not used: "
                         "t1 starts at half a dwell, which needs F1 P1 180")
        out["F1"] = HALF_DWELL
    elif half:
        out["F1"] = (out["F1"][0], HALF_DWELL[1])
    elif f1_half and half_dwell is False:
        notes.append(f"stored F1 phases P0 {out['F1'][0]:g} P1 {out['F1'][1]:g} not used: "
                     "P1 180 says t1 starts at half a dwell, which --f1180 no denies")
        out["F1"] = (0.0, 0.0)
    if phases == "zero":
        how = "zero (--phases zero)"
    elif stored:
        how = f"stored: {raw.phase_source}" if raw.phase_source else "stored"
    else:
        how = "none stored: zero (mrai process --autophase can phase the spectrum)"
    if half:
        how += "; F1 half-dwell (f1180)"
    return out, how, notes


def to_pipe(raw, keep="both", mode="auto", swap=False, xcar=None, ycar=None, yobs=None,
            conjugate=False, half_dwell=None, phases="stored"):
    """(dic, data) of the NMRPipe time-domain data set for ``raw``.

    ``swap`` exchanges the roles of the two FIDs of an Echo/Anti-Echo pair (mirrors F1) for
    data whose pulse program records them in the other order; ``xcar``/``ycar`` (ppm) and
    ``yobs`` (MHz) override the referencing read from the parameters; ``conjugate`` reverses
    F2 (for data stored in the other F2 sense than the reader assumes); ``half_dwell`` (True or
    False; None: as read) sets whether t1 starts at half a dwell, recorded as the F1 phases
    -90 / 180 that the default processing applies; ``phases`` ('stored' or 'zero') which phase
    correction the header gets (:func:`header_phases`).
    """
    quadrature, _ = resolve_quadrature(raw, mode)
    if keep != "both" and quadrature not in ("echo-antiecho", "states", "states-tppi"):
        raise InputError(f"cannot keep the {keep} half of {quadrature} data", raw.source)
    # conjugating an Echo/Anti-Echo pair also makes P look like N: exchange them to keep F1
    p_index = 1 - raw.p_index if swap != conjugate else raw.p_index
    rows = np.conj(raw.rows) if conjugate else raw.rows
    states = pairs_to_states(rows, quadrature, p_index, keep)
    dic = dict(raw.dic)
    applied, _, _ = header_phases(raw, phases, half_dwell, swap, conjugate)
    for axis, (p0, p1) in applied.items():
        dic[f"FD{axis}P0"], dic[f"FD{axis}P1"] = float(p0), float(p1)
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
