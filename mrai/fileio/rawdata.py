"""The one form raw spectrometer data (Bruker, Varian/Agilent) are read into: :class:`RawData`,
and the checks the readers (mrai.fileio.bruker, mrai.fileio.varian) share.

A raw 2D data set holds, per t1 increment, two complex FIDs (t2 points each). What the two
are is its ``quadrature``:

- 'echo-antiecho': the two coherence-selected signals of gradient-selected data (Bruker FnMODE 6,
  Varian Rance-Kay phase arrays). ``p_index`` says which FID of each pair is the P-type (Echo)
  signal, exp(+i W1 t1) in the reference F1 direction (docs/conventions.md); the other is N-type.
- 'states' and 'states-tppi': the cosine and sine modulated FIDs (States-TPPI also alternates the
  sign of every other increment).

``rows`` is complex (2 * increments, t2 points), the pair of increment k in rows 2k and 2k + 1,
already in the orientation the processing expects (Bruker digital filter removed, Varian F2
conjugated). ``dic`` is the NMRPipe header of a 2D time-domain data set with F2 complex and F1
complex States (what ``bruk2pipe``/``var2pipe`` write), from nmrglue's converter; ``schedule``
holds the sampled t1 increments (0-based) of a NUS data set whose ``rows`` hold only those.

``phases``: the phase correction stored with the data (Bruker pdata/1 procs and proc2s, Varian
procpar rp, lp, rp1, lp1), converted to nmrPipe's PS convention for ``rows`` as they are here:
``{'F2': (P0, P1), 'F1': (P0, P1)}`` in degrees, a dimension absent when nothing is stored for
it; None when nothing is. ``phase_source`` says where they came from.
"""

import os
import warnings
from dataclasses import dataclass, field

import numpy as np

from mrai.errors import InputError
from mrai.limits import MAX_POINTS, check_text_size

QUADRATURES = ("echo-antiecho", "states", "states-tppi")


@dataclass
class RawData:
    dic: dict
    rows: np.ndarray
    quadrature: str
    p_index: int = 1
    half_dwell: bool = False
    schedule: np.ndarray = None
    source: str = ""
    notes: list = field(default_factory=list)
    phases: dict = None
    phase_source: str = ""

    @property
    def increments(self):
        """Recorded t1 increments (the sampled ones for NUS)."""
        return self.rows.shape[0] // 2


def require_files(folder, names, what):
    """InputError unless every file in ``names`` exists in ``folder``."""
    missing = [n for n in names if not os.path.exists(os.path.join(folder, n))]
    if missing:
        raise InputError(f"{what}: missing {', '.join(missing)}", folder)


def check_pairs(rows, folder):
    """InputError for an odd number of FIDs or non-finite data."""
    if rows.ndim != 2:
        raise InputError(f"a 2D data set is needed, these data have {rows.ndim} dimension(s)",
                         folder)
    if rows.shape[0] % 2:
        raise InputError(f"{rows.shape[0]} FIDs: an Echo/Anti-Echo or States data set has two "
                         "per t1 increment (an even number)", folder)
    if not np.all(np.isfinite(rows)):
        raise InputError("the FIDs hold NaN or infinite values", folder)


def read_nuslist(path, increments, folder):
    """0-based sampled t1 increments from a nuslist file (one per line), checked."""
    check_text_size(path, "nuslist")
    try:
        with warnings.catch_warnings():   # an empty file: numpy warns, mrai says so below
            warnings.simplefilter("ignore", UserWarning)
            values = np.loadtxt(path, dtype=np.int64, ndmin=1)
    except (ValueError, OverflowError):
        raise InputError("nuslist is not a list of whole numbers", path) from None
    if values.size == 0:
        raise InputError("nuslist is empty", path)
    if values.ndim != 1:
        raise InputError("nuslist is not a list of whole numbers, one per line", path)
    if len(values) and values.max() >= MAX_POINTS // 2:
        raise InputError(f"nuslist entry {int(values.max())} is beyond the {MAX_POINTS // 2} "
                         "increments mrai takes (docs/conventions.md#limits)", path)
    if len(values) != increments:
        raise InputError(f"nuslist has {len(values)} entries but the data hold {increments} "
                         "increments", folder)
    if values.min() < 0 or len(np.unique(values)) != len(values):
        raise InputError("nuslist entries must be distinct non-negative indices", path)
    return values
