"""The measured spectra as mrai makes them, for the benchmarks and the simulator comparison.

    import realdata                     # the scripts run with scripts/ on sys.path
    for spec in realdata.spectra():     # or realdata.spectra(["malt1", "adkins"], data=DIR)
        name, header, spectrum = spec[:3]
        spec.region, spec.start         # the F2 region of a published comparison; time grid

Each is a :class:`RealSpectrum`: the name, its NMRPipe header, the real 2D spectrum (float32,
rows F1, columns F2, the whole width as it is stored or processed), the region of the published
comparison where there is one (an index for mrai.metrics.quality, else None), the (t1, t2) time
grid starts the header's phases give (mrai.physics.grid.grid_starts: 0 or half a dwell) and how
far the phases lie off them (dwells), and a line saying what was done. ``DATA`` is the folder of
measured sets described in docs/conventions.md ("Measured spectra used for benchmarks"; on the
development machines ../shared/data beside the repository, else $MRAI_DATA or ``data=``); a set
that is not there is skipped with a note on standard error.

| name | data | as mrai makes it | size |
|---|---|---|---|
| malt1 | malt1_trosy/malt1_trosy.ft2 | read as it is; region F2 points 100..800 (the MR-Ai comparison) | 256 x 2048 |
| penguins | penguins_noah_15N_seHSQC_EA (Bruker, Echo/Anti-Echo) | convert (both halves, stored phases), default recipe | 256 x 1024 |
| adkins | adkins_varian_15N_hsqc_RK/varian_sample.fid (Varian, Rance-Kay, t1 from half a dwell) | convert; its stored phases leave it unphased, so --autophase | 256 x 2048 |
| spectrochempy | spectrochempy_exam2d_HC_EA (Bruker edited 13C HSQC, negative peaks, no stored phases) | convert, --autophase | 256 x 1024 |
| fidnet | fidnet_methyl_13C_hsqc_pipe_fid/test.fid (methyl 13C HSQC, States, NMRPipe time domain, no phases) | default recipe, --autophase | 512 x 2048 |
| adkins-pipe | adkins_varian_15N_hsqc_RK/nmrpipe_sample.ft2 (the author's nmrPipe processing, F2 extracted to the left half) | read as it is | 256 x 1024 |
| peakipy | peakipy_proteinL_15N_hsqc_pseudo3d_ft2/test1.ft2, first plane (pseudo-3D, F2 extracted) | read as it is | 256 x 546 |

Raw sets go through the library as `mrai convert DIR | mrai process [--autophase]` do:
mrai.fileio.raw.read_raw, mrai.fileio.convert.to_pipe (keep both halves, stored phases),
mrai.process.process with mrai.process.default_recipe. Where the header holds no phases at all
(nothing stored: spectrochempy, and fidnet, whose zero phases give negative peaks) or the
result looks unphased (mrai.process.autophase.looks_unphased: adkins), the phases come from
mrai.process.autophase.autophase instead, as `mrai process --autophase` does. The processed
spectra are cached as NMRPipe files in ``CACHE`` ($MRAI_CACHE, else ``mrai-realdata`` in the
system's temporary folder), keyed by the raw files' names, sizes and times and by this module's
recipe version, so repeated runs read them back in milliseconds.

The two extracted sets (adkins-pipe, peakipy) are not periodic in F2: their Echo / Anti-Echo
parts are still defined and add up to them, but no acquisition gives such a part.
"""

import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import NamedTuple

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
RECIPE_VERSION = 3       # bump when the way a raw set is made changes (invalidates the cache)


class RealSpectrum(NamedTuple):
    name: str
    header: dict
    spectrum: np.ndarray     # float32 (F1, F2), whole width
    region: object           # index of the published comparison's region, or None
    start: tuple             # (t1, t2) grid starts, dwells (0 or 0.5)
    off: tuple               # how far the header's phases lie off those grids, dwells
    source: str              # what was read and done


# name -> (path under DATA, kind, what it is)
SETS = {
    "malt1": ("malt1_trosy/malt1_trosy.ft2", "pipe", "MALT1 1H-15N TROSY, processed"),
    "penguins": ("penguins_noah_15N_seHSQC_EA", "raw", "Bruker 1H-15N seHSQC, Echo/Anti-Echo"),
    "adkins": ("adkins_varian_15N_hsqc_RK/varian_sample.fid", "raw",
               "Varian 1H-15N HSQC, Rance-Kay, f1180"),
    "spectrochempy": ("spectrochempy_exam2d_HC_EA", "raw",
                      "Bruker edited 1H-13C HSQC, Echo/Anti-Echo"),
    "fidnet": ("fidnet_methyl_13C_hsqc_pipe_fid/test.fid", "pipe-fid",
               "methyl 1H-13C HSQC, States, NMRPipe time domain"),
    "adkins-pipe": ("adkins_varian_15N_hsqc_RK/nmrpipe_sample.ft2", "pipe",
                    "adkins as its author processed it (nmrPipe, EXT -left)"),
    "peakipy": ("peakipy_proteinL_15N_hsqc_pseudo3d_ft2/test1.ft2", "pipe",
                "protein L 1H-15N HSQC, pseudo-3D plane 1, processed"),
}
NAMES = tuple(SETS)
#: the sets measured and processed whole (not extracted in F2), with their own time grids
WHOLE = ("malt1", "penguins", "adkins", "spectrochempy", "fidnet")
#: the published comparison's region (docs/conventions.md, "Metrics")
REGIONS = {"malt1": (100, 800)}


def default_data():
    """$MRAI_DATA, else ../shared/data beside the repository."""
    return Path(os.environ.get("MRAI_DATA") or ROOT.parent / "shared" / "data")


def cache_dir():
    """$MRAI_CACHE, else mrai-realdata in the system's temporary folder (made when needed)."""
    path = Path(os.environ.get("MRAI_CACHE") or Path(tempfile.gettempdir()) / "mrai-realdata")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _fingerprint(path):
    """A key of the files under ``path`` (names, sizes, modification times) and the recipe."""
    files = sorted(p for p in Path(path).rglob("*") if p.is_file()) if Path(path).is_dir() \
        else [Path(path)]
    parts = [f"{p.relative_to(path) if Path(path).is_dir() else p.name}:{p.stat().st_size}:"
             f"{int(p.stat().st_mtime)}" for p in files]
    from mrai.version import __version__

    text = json.dumps([RECIPE_VERSION, __version__, parts])
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def _process(dic, fid):
    """(header, spectrum, how): the default recipe with the header's phases, or with
    autophase's (mrai process --autophase) where the header has none (all zero: nothing was
    stored, and the sign of the peaks is not known either) or they leave the spectrum
    unphased."""
    from mrai.process import default_recipe, process
    from mrai.process.autophase import autophase, looks_unphased

    header, spectrum = process(dic, fid, default_recipe(dic))
    spectrum = np.asarray(spectrum, dtype=np.float32)
    stored = any(float(dic.get(f"FDF{code}P{k}", 0.0) or 0.0) for code in (1, 2) for k in (0, 1))
    if stored and not looks_unphased(spectrum).unphased:
        return header, spectrum, "default recipe with the header's phases"
    phases = autophase(dic, fid)
    fixed = phases.header(dic)
    header, spectrum = process(fixed, fid, default_recipe(fixed))
    return header, np.asarray(spectrum, dtype=np.float32), \
        f"default recipe, --autophase: {phases.describe()}"


def read_spectrum(path):
    """(header, spectrum, how) of a processed NMRPipe file: a 2D spectrum as it is, or the
    first plane of 3D data."""
    from mrai.fileio import read

    dic, data = read(str(path))
    data = np.asarray(data)
    how = "read as it is"
    if data.ndim == 3:
        data, how = data[0], "read as it is, plane 1"
    if data.ndim != 2 or np.iscomplexobj(data):
        raise ValueError(f"{path}: not a real 2D spectrum (shape {data.shape}, {data.dtype})")
    return dic, np.asarray(data, dtype=np.float32), how


def _make(name, path, kind):
    """(header, spectrum, how) of one set, from its files."""
    from mrai.fileio import read

    if kind == "pipe":
        return read_spectrum(path)
    if kind == "pipe-fid":
        dic, fid = read(str(path))
        header, spectrum, how = _process(dic, fid)
        return header, spectrum, how
    from mrai.fileio.convert import to_pipe
    from mrai.fileio.raw import read_raw

    dic, fid = to_pipe(read_raw(str(path)), keep="both")
    header, spectrum, how = _process(dic, fid)
    return header, spectrum, f"converted (both halves, stored phases into the header), {how}"


def _cached(name, path, kind, cache=True):
    """:func:`_make`, through the cache for the sets that are processed here."""
    from mrai.fileio import read, write

    if kind == "pipe" or not cache:
        return _make(name, path, kind)
    folder = cache_dir()
    key = _fingerprint(path)
    target = folder / f"{name}-{key}.ft2"
    note = folder / f"{name}-{key}.txt"
    if target.exists() and note.exists():
        dic, data = read(str(target))
        return dic, np.asarray(data, dtype=np.float32), note.read_text().strip() + " (cached)"
    header, spectrum, how = _make(name, path, kind)
    write(str(target), header, spectrum, overwrite=True)
    note.write_text(how + "\n")
    return header, spectrum, how


def _finish(name, header, spectrum, region, source):
    from mrai.fileio.header import plane_codes
    from mrai.physics.grid import grid_starts

    start, off = grid_starts(header, plane_codes(header))
    return RealSpectrum(name, header, spectrum, region, tuple(start), tuple(off), source)


def from_file(path, name=None):
    """A :class:`RealSpectrum` of any processed NMRPipe file (2D, or the first plane of 3D),
    named by its file name; MALT1's region when the name says malt1."""
    from mrai.metrics import f2_region

    name = name or Path(path).name
    header, spectrum, how = read_spectrum(path)
    region = f2_region(*REGIONS["malt1"]) if "malt1" in Path(path).name.lower() else None
    return _finish(name, header, spectrum, region, f"{path}, {how}")


def load(name, data=None, cache=True):
    """The :class:`RealSpectrum` ``name`` (one of :data:`NAMES`) from ``data`` (default
    :func:`default_data`); FileNotFoundError when its files are not there."""
    from mrai.metrics import f2_region

    if name not in SETS:
        raise ValueError(f"unknown real spectrum {name!r}; known: {', '.join(NAMES)}")
    sub, kind, what = SETS[name]
    path = Path(data or default_data()) / sub
    if not path.exists():
        raise FileNotFoundError(f"{path} not found")
    header, spectrum, how = _cached(name, path, kind, cache)
    region = f2_region(*REGIONS[name]) if name in REGIONS else None
    return _finish(name, header, spectrum, region, f"{what}: {sub}, {how}")


def spectra(names=None, data=None, cache=True, note=None):
    """Yield the :class:`RealSpectrum` of each of ``names`` (default all of :data:`NAMES`)
    whose files are in ``data``; a missing one is skipped with a line to ``note`` (default
    standard error)."""
    note = note or (lambda text: print(text, file=sys.stderr))
    for name in NAMES if names is None else names:
        try:
            yield load(name, data, cache)
        except FileNotFoundError as error:
            note(f"note: {name} skipped: {error}")


def parse_names(text, default=NAMES):
    """Comma-separated names (or 'all', 'none' or 'default': ``default``) as a tuple,
    checked."""
    text = (text or "default").strip().lower()
    if text == "all":
        return NAMES
    if text == "default":
        return tuple(default)
    if text == "none":
        return ()
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    bad = [n for n in names if n not in SETS]
    if bad:
        raise ValueError(f"unknown real spectra {', '.join(bad)}; known: {', '.join(NAMES)}")
    return names


if __name__ == "__main__":
    for spec in spectra():
        s = spec.spectrum
        print(f"{spec.name:<14}{s.shape[0]:>5} x {s.shape[1]:<6} grid {spec.start} "
              f"(off {spec.off[0]:.3f}, {spec.off[1]:.3f}) {spec.source}")
