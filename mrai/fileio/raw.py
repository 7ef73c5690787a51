"""Raw spectrometer data (Bruker, Varian/Agilent) read into one form, :class:`RawData`
(mrai.fileio.rawdata, which also says what its fields hold): :func:`read_raw` picks the reader.
"""

import os

from mrai.errors import InputError
from mrai.fileio.bruker import read_bruker
from mrai.fileio.rawdata import (QUADRATURES, RawData, check_pairs, read_nuslist,  # noqa: F401
                                 require_files)
from mrai.fileio.varian import read_varian


def read_raw(folder, vendor="auto"):
    """Read a Bruker (ser + acqus/acqu2s) or Varian/Agilent (fid + procpar) 2D data set.

    ``vendor``: 'auto' (from the files present), 'bruker' or 'varian'. Raises InputError
    naming the folder and what is missing or unsupported.
    """
    if not os.path.isdir(folder):
        raise InputError("not a folder (give the experiment folder of a Bruker or Varian data "
                         "set)", folder)
    if vendor == "auto":
        if os.path.exists(os.path.join(folder, "procpar")):
            vendor = "varian"
        elif any(os.path.exists(os.path.join(folder, f)) for f in ("acqus", "ser")):
            vendor = "bruker"
        else:
            raise InputError("neither a Bruker data set (acqus, ser) nor a Varian one (procpar, "
                             "fid)", folder)
    if vendor == "bruker":
        return read_bruker(folder)
    if vendor == "varian":
        return read_varian(folder)
    raise ValueError(f"vendor must be auto, bruker or varian, not {vendor!r}")
