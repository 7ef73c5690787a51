"""Small Bruker-like and Varian-like raw 2D data sets for the tests, made with
:mod:`mrai.simulate.raw` from a few known peaks (no measured data are copied into the project).

Each peak is (f1, f2, amplitude): frequencies as fractions of the spectral width from the
carrier (positive: higher frequency, higher ppm).
"""

import numpy as np

from mrai.simulate import raw

PEAKS = ((0.21, 0.13, 1.0), (-0.17, -0.24, 0.6), (0.05, 0.31, 0.4))
SW = (2000.0, 8000.0)     # Hz (F1, F2)
OBS = (60.8, 600.0)       # MHz
CAR = (118.0, 4.7)        # ppm
AXES = dict(sw=SW, obs=OBS, car=CAR)


def coherences(increments=32, points=256, peaks=PEAKS, half_dwell=False):
    """(P, N): complex (increments, points) P-type and N-type FIDs of ``peaks``."""
    f1, f2, amplitude = (np.array(v, float) for v in zip(*peaks))
    table = dict(amplitude=amplitude, freq1=f1, freq2=f2, decay1=np.full(len(f1), 1.5),
                 decay2=np.full(len(f1), 3.0), phase1=0 * f1, phase2=0 * f1)
    return raw.coherences(table, (increments, points), half_dwell)


def write_bruker(folder, fnmode=6, increments=32, points=256, nuslist=None):
    return raw.write_bruker(folder, *coherences(increments, points), fnmode=fnmode,
                            nuslist=nuslist, nuclei=("15N", "1H"), overwrite=True, **AXES)


def write_varian(folder, increments=32, points=256, f1180=False, fids=None):
    p, n = coherences(increments, points, half_dwell=f1180)
    return raw.write_varian(folder, p, n, f1180=f1180, fids=fids, overwrite=True, **AXES)


def random_peaks(count=16, seed=3):
    """``count`` peaks spread over both spectral widths (fractions kept off the edges and the
    carriers), amplitudes 0.3 .. 1."""
    rng = np.random.default_rng(seed)
    f1 = rng.uniform(-0.42, 0.42, count)
    f2 = rng.uniform(0.06, 0.44, count) * rng.choice([-1, 1], count)
    return tuple(zip(f1, f2, rng.uniform(0.3, 1.0, count)))


def phase_errors(peaks, f2=(0.0, 0.0), f1=(0.0, 0.0)):
    """Per-peak phase errors (radians: F2, F1) that the nmrPipe corrections ``f2`` and ``f1``
    ((P0, P1) degrees, phase P0 + P1 x at the fraction x = 0.5 - f of the axis from its
    first, highest-frequency, point) undo."""
    out = []
    for axis, (p0, p1) in ((1, f2), (0, f1)):
        x = 0.5 - np.array([peak[axis] for peak in peaks])
        out.append(-np.radians(p0 + p1 * x))
    return out


def phased_coherences(increments=32, points=256, peaks=PEAKS, f2=(0.0, 0.0), f1=(0.0, 0.0),
                      half_dwell=False):
    """(P, N) of ``peaks`` with the phase errors that the nmrPipe phases ``f2`` and ``f1`` correct:
    P carries exp(i (phi2 + phi1)), N exp(i (phi2 - phi1)) (an F1 phase error turns the two
    coherences opposite ways)."""
    f1_freq, f2_freq, amplitude = (np.array(v, float) for v in zip(*peaks))
    phi2, phi1 = phase_errors(peaks, f2, f1)
    table = dict(amplitude=amplitude, freq1=f1_freq, freq2=f2_freq,
                 decay1=np.full(len(f1_freq), 1.5), decay2=np.full(len(f1_freq), 3.0),
                 phase1=0 * f1_freq, phase2=phi2)
    p, _ = raw.coherences({**table, "phase2": phi2 + phi1}, (increments, points), half_dwell)
    _, n = raw.coherences({**table, "phase2": phi2 - phi1}, (increments, points), half_dwell)
    return p, n


def write_bruker_phased(folder, f2=(0.0, 0.0), f1=(0.0, 0.0), store=True, increments=32,
                        points=256, peaks=PEAKS, fnmode=6):
    """A Bruker Echo-Antiecho (or States) data set whose peaks need the nmrPipe phases ``f2`` and
    ``f1``; with ``store``, pdata/1 procs and proc2s hold the TopSpin PHC0/PHC1 that mrai convert
    turns into them (no digital filter here: F2 P0 = -PHC0 (+ 90 for FnMODE 6), P1 = -PHC1;
    F1 P0 = -PHC0, P1 = -PHC1)."""
    import os

    import nmrglue as ng

    p, n = phased_coherences(increments, points, peaks, f2, f1)
    raw.write_bruker(folder, p, n, fnmode=fnmode, nuclei=("15N", "1H"), overwrite=True, **AXES)
    if store:
        pdata = os.path.join(folder, "pdata", "1")
        os.makedirs(pdata, exist_ok=True)
        offset = 90.0 if fnmode == 6 else 0.0
        for name, (p0, p1), extra in (("procs", f2, offset), ("proc2s", f1, 0.0)):
            dic = {"PHC0": -(p0 - extra), "PHC1": -p1, "SI": 1024, "_coreheader": [],
                   "_comments": []}
            ng.bruker.write_jcamp(dic, os.path.join(pdata, name), overwrite=True)
    return folder


def write_varian_phased(folder, f2=(0.0, 0.0), f1=(0.0, 0.0), store=True, increments=32,
                        points=256, peaks=PEAKS, f1180=False):
    """A Varian Rance-Kay data set whose peaks need the nmrPipe phases ``f2`` and ``f1`` (F1 on
    top of the half-dwell -90 / 180 for ``f1180``); with ``store``, procpar holds the rp, lp,
    rp1, lp1 that mrai convert turns into them (F2 P0 = -(rp + lp), P1 = lp; F1 P0 = rp1 + lp1,
    P1 = -lp1)."""
    import os

    import nmrglue as ng

    p, n = phased_coherences(increments, points, peaks, f2, f1, half_dwell=f1180)
    raw.write_varian(folder, p, n, f1180=f1180, overwrite=True, **AXES)
    if store:
        path = os.path.join(folder, "procpar")
        procpar = ng.varian.read_procpar(path)
        stored_f1 = (f1[0] - 90.0, f1[1] + 180.0) if f1180 else f1
        values = {"rp": -f2[0] - f2[1], "lp": f2[1],
                  "rp1": stored_f1[0] + stored_f1[1], "lp1": -stored_f1[1]}
        for name, value in values.items():
            procpar[name] = raw._procpar_entry(name, float(value))
        ng.varian.write_procpar(path, procpar, overwrite=True)
    return folder
