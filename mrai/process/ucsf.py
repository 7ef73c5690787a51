"""UCSF (Sparky) output of a real 2D spectrum, written by ``nmrglue.fileio.sparky``.

Only what UCSF holds is written: a 2D spectrum, real, in the frequency domain in both
dimensions. Each axis keeps its nucleus, observe frequency, spectral width and ppm calibration
(the carrier is placed so that every point has the ppm NMRPipe's header gives it, extracted
spectra included). The file is written to a temporary file beside the target and put in place
when complete (:mod:`mrai.output`); an existing file is replaced only with ``overwrite``.
"""

import os
import tempfile

import numpy as np

from mrai.errors import InputError


def check_ucsf(dic, data, source=None):
    """Raise :class:`InputError` saying why ``(dic, data)`` cannot be written as UCSF."""
    if int(dic["FDDIMCOUNT"]) != 2 or np.ndim(np.squeeze(data)) != 2:
        raise InputError("UCSF output is for 2D spectra", source)
    codes = [int(dic[f"FDDIMORDER{position}"]) for position in (1, 2)]
    for code in codes:
        if dic[f"FDF{code}FTFLAG"] != 1:
            raise InputError("UCSF output holds spectra; this data set is time-domain along "
                             f"F{code}", source)
    for code in codes:
        if dic[f"FDF{code}QUADFLAG"] != 1:
            raise InputError(f"UCSF output holds real data; F{code} is complex (end the "
                             "recipe with -di)", source)
    if np.iscomplexobj(data):
        raise InputError("UCSF output holds real data; this spectrum is complex (end the "
                         "recipe with -di)", source)


def to_sparky(dic, data):
    """``(sparky_dic, data)``: the Sparky header for the real 2D spectrum ``(dic, data)``."""
    from nmrglue.fileio import pipe, sparky

    data = np.asarray(np.squeeze(data), dtype=np.float32)
    udic = pipe.guess_udic(dic, data)
    for axis in (0, 1):
        pipe_uc = pipe.make_uc(dic, data, dim=axis)
        udic[axis]["size"] = data.shape[axis]
        udic[axis]["complex"] = False
        udic[axis]["time"], udic[axis]["freq"] = False, True
        # Sparky puts the carrier at point size/2 (0-based); put it where NMRPipe's ppm lie
        probe = sparky.make_uc({f"w{axis + 1}": {"npoints": data.shape[axis],
                                                 "spectral_width": udic[axis]["sw"],
                                                 "spectrometer_freq": udic[axis]["obs"],
                                                 "xmtr_freq": 0.0}}, data, dim=axis)
        udic[axis]["car"] = pipe_uc.hz(0) - probe.hz(0)
    return sparky.create_dic(udic), data


def write_ucsf(target, dic, data, overwrite=False, source=None):
    """Write the real 2D spectrum ``(dic, data)`` (an NMRPipe header and its data) as UCSF to
    ``target`` (a path, or '-' for standard output), atomically: nmrglue writes a temporary
    file beside the target (:func:`mrai.output.temp_beside`), put in place when complete
    (:func:`mrai.output.place`; a new name is created exclusively)."""
    from nmrglue.fileio import sparky

    from mrai.fileio.pipe import STDIO
    from mrai.output import (check_writable, discard, place, temp_beside, write_failure,
                             write_stdout)

    check_ucsf(dic, data, source)
    sparky_dic, values = to_sparky(dic, data)
    if target == STDIO:
        with tempfile.TemporaryDirectory(prefix="mrai-ucsf-") as temp:
            path = os.path.join(temp, "out.ucsf")
            sparky.write(path, sparky_dic, values, overwrite=True)
            with open(path, "rb") as fh:
                blob = fh.read()
        write_stdout(blob)
        return
    check_writable(target, overwrite)
    temp_path, fh = temp_beside(target)
    try:
        fh.close()
        try:
            sparky.write(temp_path, sparky_dic, values, overwrite=True)
        except OSError as exc:
            raise write_failure(target, exc) from None
    except BaseException:
        discard(temp_path)
        raise
    place(temp_path, target, overwrite)
