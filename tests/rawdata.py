"""Small synthetic Bruker-like and Varian-like raw 2D data sets for the tests (made here,
written with nmrglue, so no measured data are copied into the project).

Each peak is (f1, f2, amplitude): frequencies as fractions of the spectral width from the
carrier (positive: higher frequency, higher ppm). P-type FIDs are exp(+2 pi i f1 k)
exp(2 pi i f2 j), N-type exp(-2 pi i f1 k) exp(2 pi i f2 j), both decaying.
"""

import os

import numpy as np

PEAKS = ((0.21, 0.13, 1.0), (-0.17, -0.24, 0.6), (0.05, 0.31, 0.4))
SW = (2000.0, 8000.0)     # Hz (F1, F2)
OBS = (60.8, 600.0)       # MHz
CAR = (118.0, 4.7)        # ppm


def coherences(increments=32, points=256, peaks=PEAKS, half_dwell=False):
    """(P, N): complex (increments, points) P-type and N-type FIDs."""
    k = np.arange(increments)[:, None] + (0.5 if half_dwell else 0.0)
    j = np.arange(points)[None, :]
    p = np.zeros((increments, points), complex)
    n = np.zeros_like(p)
    for f1, f2, a in peaks:
        t2 = np.exp(2j * np.pi * f2 * j - 3.0 * j / points)
        decay = np.exp(-1.5 * k / increments)
        p += a * np.exp(2j * np.pi * f1 * k) * decay * t2
        n += a * np.exp(-2j * np.pi * f1 * k) * decay * t2
    return p, n


def _jcamp(td, sw_h, sfo1, o1, nucleus, **extra):
    bf1 = sfo1 - o1 * 1e-6
    return {"TD": td, "SW_h": sw_h, "SW": sw_h / sfo1, "SFO1": sfo1, "BF1": bf1, "O1": o1,
            "NUC1": nucleus, "_coreheader": [], "_comments": [], **extra}


def write_bruker(folder, fnmode=6, increments=32, points=256, peaks=PEAKS, fids=None,
                 nuslist=None):
    """A Bruker 2D data set (ser, acqus, acqu2s) in ``folder``; FnMODE 6 pairs are
    (N, P) as TopSpin's Echo-Antiecho convention has them. ``fids`` overrides the stored FIDs
    (complex (rows, points)); ``nuslist`` keeps only those increments and writes the list."""
    import nmrglue as ng

    p, n = coherences(increments, points, peaks)
    if fids is None:
        if fnmode == 6:
            first, second = n, p
        else:
            first, second = (p + n) / 2, (p - n) / 2j
            if fnmode == 5:
                sign = np.where(np.arange(increments) % 2, -1, 1)[:, None]
                first, second = first * sign, second * sign
        fids = np.empty((2 * increments, points), complex)
        fids[0::2], fids[1::2] = first, second
        if nuslist is not None:
            fids = np.concatenate([fids[2 * i:2 * i + 2] for i in nuslist])
    scale = 1e6 / np.abs(fids).max()
    obs1 = OBS[1] * (1 + 0e-6)
    acqus = _jcamp(2 * points, SW[1], obs1, CAR[1] * OBS[1], "1H", BYTORDA=0, DTYPA=0,
                   DECIM=1, DSPFVS=0, GRPDLY=-1, AQ_mod=3)
    acqu2s = _jcamp(2 * increments, SW[0], OBS[0], CAR[0] * OBS[0], "15N", FnMODE=fnmode)
    dic = {"acqus": acqus, "acqu2s": acqu2s}
    os.makedirs(folder, exist_ok=True)
    ng.bruker.write(folder, dic, np.round(fids * scale).astype(np.complex128),
                    write_prog=False, overwrite=True)
    if nuslist is not None:
        np.savetxt(os.path.join(folder, "nuslist"), np.asarray(nuslist), fmt="%d")
    return folder


def write_varian(folder, increments=32, points=256, peaks=PEAKS, phases=("1", "2"),
                 f1180=False, fids=None):
    """A Varian 2D data set (fid, procpar) with a Rance-Kay phase = 1, 2 array: rows
    (phase 1, phase 2) per increment hold conj(P), -conj(N) (Varian's F2 sense)."""
    import nmrglue as ng

    p, n = coherences(increments, points, peaks, half_dwell=f1180)
    if fids is None:
        fids = np.empty((2 * increments, points), complex)
        fids[0::2], fids[1::2] = np.conj(p), -np.conj(n)
    reffrq = OBS[1] / (1 + CAR[1] * 1e-6)
    values = {"sw": SW[1], "sw1": SW[0], "np": 2 * points, "ni": increments,
              "sfrq": OBS[1], "reffrq": reffrq, "dfrq": 150.9, "dn": "C13",
              "dfrq2": reffrq * 0.101329118 * (1 + CAR[0] * 1e-6), "dn2": "N15", "tn": "H1",
              "phase": list(phases), "array": "phase", "f1coef": "",
              "f1180": "y" if f1180 else "n", "arraydim": 2 * increments}
    procpar = {}
    for name, value in values.items():
        items = value if isinstance(value, list) else [value]
        text = all(isinstance(v, str) for v in items) and name != "phase"
        procpar[name] = {"name": name, "basictype": "2" if text else "1",
                         "subtype": "1", "maxvalue": "1e9", "minvalue": "-1e9",
                         "stepsize": "0", "Ggroup": "2", "Dgroup": "1", "protection": "0",
                         "active": "1", "intptr": "64", "values": [str(v) for v in items],
                         "enumerable": "0"}
    dic = _varian_dic(fids)
    dic["procpar"] = procpar
    os.makedirs(folder, exist_ok=True)
    ng.varian.write(folder, dic, (fids * 1e3).astype(np.complex64), overwrite=True)
    return folder


def _varian_dic(fids):
    import nmrglue as ng
    from nmrglue.fileio.fileiobase import create_blank_udic

    udic = create_blank_udic(2)
    udic[0].update(size=fids.shape[0], complex=True, encoding="states")
    udic[1].update(size=fids.shape[1], complex=True, encoding="direct")
    return ng.varian.create_dic(udic)
