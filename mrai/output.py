"""Output safety, for every file mrai writes (spectra, schedules, plots, models, cards): never
replace an existing file without overwrite, and write atomically (a temporary file beside the
target, then a rename), so a failure leaves no partial file."""

import os
import tempfile

from mrai.errors import OutputError


def check_writable(path, overwrite):
    """Raise :class:`OutputError` when ``path`` exists and ``overwrite`` is false, or its folder
    does not exist."""
    if os.path.isdir(path):
        raise OutputError(f"{path}: is a folder")
    if os.path.exists(path) and not overwrite:
        raise OutputError(f"{path}: exists (use -ov / --overwrite to replace it)")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise OutputError(f"{path}: folder {folder} does not exist")


def temp_beside(path):
    """A new temporary file in the folder of ``path``, with the mode a plain open() would give:
    (its path, an open binary file)."""
    folder, base = os.path.split(os.path.abspath(path))
    fd, temp_path = tempfile.mkstemp(prefix=f".{base}.", suffix=".part", dir=folder)
    os.chmod(temp_path, 0o666 & ~_umask())  # the mode a plain open() would give
    return temp_path, os.fdopen(fd, "w+b")


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_bytes(path, data, overwrite=False):
    """Write ``data`` (bytes) to ``path`` atomically, refusing an existing file without
    ``overwrite``."""
    check_writable(path, overwrite)
    temp_path, fh = temp_beside(path)
    try:
        with fh:
            fh.write(data)
        os.replace(temp_path, path)
    except BaseException:
        if os.path.exists(temp_path):
            os.unlink(temp_path)
        raise
