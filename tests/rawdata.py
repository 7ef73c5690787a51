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
