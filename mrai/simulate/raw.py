"""Raw spectrometer data sets made from simulated peaks: a Bruker Echo-Antiecho (or States)
``ser`` with ``acqus``/``acqu2s``, or a Varian Rance-Kay ``fid`` with ``procpar``, written with
nmrglue, so that ``mrai convert`` and the whole raw-to-reconstruction pipeline can be tried and
tested without measured data.

Conventions (those ``mrai convert`` reads, :mod:`mrai.fileio.bruker` and
:mod:`mrai.fileio.varian`): P-type FIDs exp(+2 pi i f1 k) exp(2 pi i f2 j), N-type
exp(-2 pi i f1 k) exp(2 pi i f2 j), f as a fraction of the spectral width from the carrier
(positive: higher ppm). Bruker FnMODE 6 stores (N, P) per increment; Varian stores
(conj P, -conj N) per increment (phase = 1, 2).
"""

import contextlib
import io
import os

import numpy as np

IUPAC_15N = 0.101329118


def coherences(peaks, acquired, half_dwell=False):
    """(P, N): complex (t1 increments, t2 points) FIDs of ``peaks`` (the dict of
    :class:`mrai.simulate.SimulatedSpectrum`: amplitude, freq1, freq2, decay1, decay2 in e-folds
    over the acquired time, phase1, phase2 in radians) over ``acquired`` = (t1, t2) points."""
    k = np.arange(acquired[0])[:, None] + (0.5 if half_dwell else 0.0)
    j = np.arange(acquired[1])[:, None]
    a = np.asarray(peaks["amplitude"]) * np.exp(1j * (np.asarray(peaks["phase1"])
                                                       + np.asarray(peaks["phase2"])))
    t2 = np.exp(j * (2j * np.pi * peaks["freq2"] - peaks["decay2"] / acquired[1]))
    decay = np.exp(-k * peaks["decay1"] / acquired[0])
    turn = 2j * np.pi * k * peaks["freq1"]
    p = (np.exp(turn) * decay * a) @ t2.T
    n = (np.exp(-turn) * decay * a) @ t2.T
    return p.astype(np.complex128), n.astype(np.complex128)


def add_noise(p, n, level, rng):
    """P and N with white complex noise of std ``level`` x max |P|."""
    std = level * float(np.abs(p).max() or 1.0)

    def noise():
        return std * (rng.standard_normal(p.shape) + 1j * rng.standard_normal(p.shape))

    return p + noise(), n + noise()


def _jcamp(td, sw_h, sfo1, car_ppm, nucleus, **extra):
    bf1 = sfo1 / (1 + car_ppm * 1e-6)
    return {"TD": int(td), "SW_h": sw_h, "SW": sw_h / sfo1, "SFO1": sfo1, "BF1": bf1,
            "O1": (sfo1 - bf1) * 1e6, "NUC1": nucleus, "_coreheader": [], "_comments": [],
            **extra}


def write_bruker(folder, p, n, sw=(3283.0, 10869.6), obs=(91.21, 900.13), car=(118.0, 4.7),
                 nuclei=("15N", "1H"), fnmode=6, nuslist=None, overwrite=False):
    """A Bruker 2D data set in ``folder`` from P and N (increments, points): FnMODE 6 pairs
    (N, P), 4 States (cos, sin), 5 States-TPPI; ``nuslist`` keeps only those increments (in
    that order) and writes the list. Integer data (DTYPA 0), no digital filter."""
    import nmrglue as ng

    if fnmode == 6:
        first, second = n, p
    elif fnmode in (4, 5):
        first, second = (p + n) / 2, (p - n) / 2j
        if fnmode == 5:
            sign = np.where(np.arange(p.shape[0]) % 2, -1, 1)[:, None]
            first, second = first * sign, second * sign
    else:
        first, second = p, n
    fids = np.empty((2 * p.shape[0], p.shape[1]), complex)
    fids[0::2], fids[1::2] = first, second
    if nuslist is not None:
        fids = np.concatenate([fids[2 * i:2 * i + 2] for i in nuslist])
    fids *= 1e6 / max(float(np.abs(fids).max()), 1e-30)
    dic = {"acqus": _jcamp(2 * p.shape[1], sw[1], obs[1], car[1], nuclei[1], BYTORDA=0,
                           DTYPA=0, DECIM=1, DSPFVS=0, GRPDLY=-1, AQ_mod=3),
           "acqu2s": _jcamp(2 * p.shape[0], sw[0], obs[0], car[0], nuclei[0],
                            FnMODE=int(fnmode))}
    os.makedirs(folder, exist_ok=True)
    ng.bruker.write(folder, dic, np.round(fids), write_prog=False, overwrite=overwrite)
    if nuslist is not None:
        np.savetxt(os.path.join(folder, "nuslist"), np.asarray(nuslist), fmt="%d")
    return folder


def write_varian(folder, p, n, sw=(3283.0, 10869.6), obs=(91.21, 900.13), car=(118.0, 4.7),
                 f1180=False, fids=None, overwrite=False):
    """A Varian 2D 1H-15N data set (fid, procpar) in ``folder`` with a Rance-Kay phase = 1, 2
    array: per increment conj(P), -conj(N). ``fids`` (rows, points) overrides the stored FIDs.
    ``car`` (ppm) sets ``reffrq`` and the 15N channel frequency ``dfrq2``."""
    import nmrglue as ng
    from nmrglue.fileio.fileiobase import create_blank_udic

    if fids is None:
        fids = np.empty((2 * p.shape[0], p.shape[1]), complex)
        fids[0::2], fids[1::2] = np.conj(p), -np.conj(n)
    reffrq = obs[1] / (1 + car[1] * 1e-6)
    values = {"sw": sw[1], "sw1": sw[0], "np": 2 * fids.shape[1], "ni": fids.shape[0] // 2,
              "sfrq": obs[1], "reffrq": reffrq, "dfrq": obs[1] * 0.2514, "dn": "C13",
              "dfrq2": reffrq * IUPAC_15N * (1 + car[0] * 1e-6), "dn2": "N15", "tn": "H1",
              "phase": ["1", "2"], "array": "phase", "f1coef": "",
              "f1180": "y" if f1180 else "n", "arraydim": fids.shape[0]}
    procpar = {name: _procpar_entry(name, value) for name, value in values.items()}
    udic = create_blank_udic(2)
    udic[0].update(size=fids.shape[0], complex=True, encoding="states")
    udic[1].update(size=fids.shape[1], complex=True, encoding="direct")
    dic = ng.varian.create_dic(udic)
    dic["procpar"] = procpar
    os.makedirs(folder, exist_ok=True)
    scaled = fids * 1e3 / max(float(np.abs(fids).max()), 1e-30)
    with contextlib.redirect_stdout(io.StringIO()):
        ng.varian.write(folder, dic, scaled.astype(np.complex64), overwrite=overwrite)
    return folder


def _procpar_entry(name, value):
    items = value if isinstance(value, list) else [value]
    text = isinstance(items[0], str) and name != "phase"
    return {"name": name, "basictype": "2" if text else "1", "subtype": "2" if text else "1",
            "maxvalue": "1e9", "minvalue": "-1e9", "stepsize": "0", "Ggroup": "2",
            "Dgroup": "1", "protection": "0", "active": "1", "intptr": "64",
            "values": [str(v) for v in items], "enumerable": "0"}
