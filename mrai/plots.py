"""Figures of spectra and reconstructions with their per-point uncertainty sigma (matplotlib).

Conventions: a spectrum is a real 2D array oriented (F1, F2) = (rows, columns) as NMRPipe stores
it, in the spectrum's intensity units; sigma is one standard deviation per point, same shape and
units. With an nmrglue pipe header ``dic`` whose two axes are frequency domain (with SW and OBS),
axes are in ppm: F2 on x decreasing to the right, F1 on y decreasing upward; otherwise they are
0-based point indices in the same orientation (point 0 left / at the bottom). Smax and the signal
points are :mod:`mrai.uncertainty.scores`' (|mu| / Smax > 0.01); the 95 % band is mu +- 1.96 sigma.

Every function returns a :class:`matplotlib.figure.Figure` drawn on an Agg canvas, without pyplot
or its global state; :func:`save` writes it as PNG or PDF.
"""

import io
import os
from dataclasses import dataclass

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from scipy.ndimage import maximum_filter

from mrai.fileio._nmrglue import pipe as ng_pipe
from mrai.fileio.header import axis_field
from mrai.fileio.pipe import atomic_write_bytes, check_writable
from mrai.uncertainty.scores import Z95, signal_points, smax

FORMATS = {".png": "png", ".pdf": "pdf"}
DPI = 150
LEVEL_FLOOR = 0.03     # lowest default contour level, as a fraction of max |spectrum|
NOISE_FLOOR = 5.0      # ... or this many robust noise standard deviations, whichever is higher
LEVEL_FACTOR = 1.4     # ratio of successive default contour levels
COLOURS = {"positive": "tab:blue", "negative": "tab:red", "reference": "tab:gray",
           "mu": "tab:blue", "error": "tab:red"}


@dataclass(frozen=True)
class Axis:
    """Coordinates of one spectrum axis: ``values`` per point, ``name`` (e.g. 'F2 1H') and
    ``unit`` ('ppm', or 'point' for 0-based indices)."""

    values: np.ndarray
    name: str
    unit: str

    @property
    def label(self):
        return f"{self.name} ({self.unit})"

    def at(self, index):
        """Text for the coordinate of point ``index``, e.g. 'F1 15N 118.25 ppm'."""
        if self.unit == "ppm":
            return f"{self.name} {self.values[index]:.2f} ppm"
        return f"{self.name} point {index}"


def spectrum_axes(dic, shape):
    """(F1 :class:`Axis`, F2 :class:`Axis`) of a (F1, F2) spectrum of ``shape``: ppm when ``dic``
    gives both axes as frequency domain with positive SW and OBS, else point indices."""
    scales = _ppm_axes(dic, shape) if dic is not None else None
    return scales or tuple(Axis(np.arange(n, dtype=float), f"F{k}", "point")
                           for k, n in zip((1, 2), shape))


def _ppm_axes(dic, shape):
    """ppm axes from the header (nmrglue's make_uc, from FDORIG as ``mrai info``), or None."""
    try:
        transposed = dic.get("FDTRANSPOSED", 0) == 1
        stored = shape[::-1] if transposed else shape
        dummy = np.broadcast_to(np.float32(0), stored)  # make_uc reads only the shape
        out = []
        for dim in (0, 1):
            code = int(dic["FDDIMORDER"][1 - dim])
            if axis_field(dic, code, "FTFLAG") != 1 or not (axis_field(dic, code, "SW") > 0
                                                            and axis_field(dic, code, "OBS") > 0):
                return None
            ppm = ng_pipe.make_uc(dic, dummy, dim).ppm_scale()
            if len(ppm) != stored[dim]:
                return None
            label = str(axis_field(dic, code, "LABEL") or "").strip()
            out.append(Axis(np.asarray(ppm, float), f"F{code} {label}".strip(), "ppm"))
    except (KeyError, TypeError, ValueError, IndexError):
        return None
    return tuple(out[::-1]) if transposed else tuple(out)


def _spectra(**arrays):
    """The named arrays (None passed through) as float64, checked: real, 2D, finite, one shape,
    and sigma (if named) non-negative. Raises ValueError naming the array."""
    out, first = [], None
    for name, value in arrays.items():
        if value is None:
            out.append(None)
            continue
        value = np.asarray(value)
        if np.iscomplexobj(value):
            raise ValueError(f"{name} is complex; a real spectrum is needed")
        value = value.astype(np.float64)
        if value.ndim != 2 or value.size == 0:
            raise ValueError(f"{name} has shape {value.shape}; a 2D spectrum (F1, F2) is needed")
        if first and value.shape != first[1].shape:
            raise ValueError(f"{name} has shape {value.shape} where {first[0]} has "
                             f"{first[1].shape}")
        if not np.isfinite(value).all():
            raise ValueError(f"{name} contains NaN or infinite values")
        if name == "sigma" and value.min() < 0:
            raise ValueError(f"sigma has negative values (min {value.min():g}); "
                             "it is a standard deviation")
        first = first or (name, value)
        out.append(value)
    return out


def _figure(width, height):
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def contour_levels(spectrum, factor=LEVEL_FACTOR):
    """Positive contour levels (spectrum units), a geometric series of ratio ``factor`` from
    max(3 % of max|spectrum|, 5 robust noise sigmas) up to max|spectrum|. The robust noise sigma
    is 1.4826 x the median absolute deviation."""
    (spectrum,) = _spectra(spectrum=spectrum)
    top = float(np.abs(spectrum).max())
    if top == 0:
        raise ValueError("spectrum is zero everywhere: nothing to contour")
    noise = 1.4826 * float(np.median(np.abs(spectrum - np.median(spectrum))))
    start = min(max(LEVEL_FLOOR * top, NOISE_FLOOR * noise), top / factor)
    count = int(np.floor(np.log(top / start) / np.log(factor) + 1e-9)) + 1
    return start * factor ** np.arange(count)


def _checked_levels(levels):
    levels = np.asarray(levels, dtype=float)
    if levels.ndim != 1 or levels.size == 0 or not np.all(np.isfinite(levels)) \
            or levels.min() <= 0 or np.any(np.diff(levels) <= 0):
        raise ValueError("levels must be positive, finite and increasing")
    return levels


def _orient(ax, f1, f2):
    """Label the axes and set F2 (x) decreasing to the right, F1 (y) decreasing upward in ppm."""
    ax.set_xlabel(f2.label)
    ax.set_ylabel(f1.label)
    ax.set_xlim(f2.values[0], f2.values[-1])
    ax.set_ylim(f1.values[0], f1.values[-1])


def contour(spectrum, dic=None, reference=None, levels=None, title=None):
    """Contour plot of a 2D (F1, F2) spectrum: positive levels blue, negative (the same levels
    negated) red, an optional ``reference`` (same shape) overlaid in grey at the same levels
    (negative dashed).
    ``levels``: positive increasing levels in spectrum units (default :func:`contour_levels`)."""
    spectrum, reference = _spectra(spectrum=spectrum, reference=reference)
    levels = contour_levels(spectrum) if levels is None else _checked_levels(levels)
    f1, f2 = spectrum_axes(dic, spectrum.shape)
    fig = _figure(7.0, 5.0)
    ax = fig.add_subplot()
    handles = _contours(ax, f1, f2, spectrum, levels, "spectrum",
                        (COLOURS["positive"], COLOURS["negative"]))
    if reference is not None:
        handles += _contours(ax, f1, f2, reference, levels, "reference",
                             (COLOURS["reference"],) * 2, ("solid", "dashed"))
    _orient(ax, f1, f2)
    ax.legend(handles=handles, loc="upper left", fontsize="small")
    ax.set_title(title or f"{len(levels)} levels from {levels[0]:.3g}, factor "
                 f"{levels[1] / levels[0] if len(levels) > 1 else LEVEL_FACTOR:.2g}")
    return fig


def _contours(ax, f1, f2, data, levels, name, colours, styles=("solid", "solid")):
    """Draw the positive and the negative contours of ``data`` (those that exist, each sign with
    its colour and line style); legend handles for what was drawn."""
    handles = []
    for sign, colour, style, suffix in zip((1, -1), colours, styles, (" +", " \u2212")):
        if (sign * data).max() < levels[0]:
            continue
        ax.contour(f2.values, f1.values, sign * data, levels=levels, colors=colour,
                   linewidths=0.6, linestyles=style)
        handles.append(Line2D([], [], color=colour, linestyle=style, linewidth=1,
                              label=name + suffix))
    return handles


def find_peaks(mu, count=4):
    """The ``count`` highest positive local maxima of ``mu`` (3 x 3 neighbourhood) that are well
    separated: no two closer than 1/16 of the size in both F1 and F2 (at least 2 points).
    Returns a list of 0-based (row, column) indices, highest first; the position of max |mu|
    when there is no positive maximum."""
    (mu,) = _spectra(mu=mu)
    if count < 1:
        raise ValueError(f"count must be at least 1, not {count}")
    gap = [max(2, n // 16) for n in mu.shape]
    maxima = (mu == maximum_filter(mu, size=3, mode="nearest")) & (mu > 0)
    rows, cols = np.nonzero(maxima)
    chosen = []
    for k in np.argsort(-mu[rows, cols], kind="stable"):
        r, c = int(rows[k]), int(cols[k])
        if all(abs(r - r0) >= gap[0] or abs(c - c0) >= gap[1] for r0, c0 in chosen):
            chosen.append((r, c))
            if len(chosen) == count:
                break
    return chosen or [tuple(int(i) for i in np.unravel_index(np.argmax(np.abs(mu)), mu.shape))]


def _checked_peaks(peaks, shape):
    out = []
    for peak in peaks:
        try:
            r, c = (int(i) for i in peak)
        except (TypeError, ValueError):
            raise ValueError(f"peak {peak!r} is not a (row, column) pair of integers") from None
        if not (0 <= r < shape[0] and 0 <= c < shape[1]):
            raise ValueError(f"peak ({r}, {c}) is outside the {shape[0]} x {shape[1]} spectrum "
                             "(0-based row, column)")
        out.append((r, c))
    if not out:
        raise ValueError("no peaks given")
    return out


def slices(mu, sigma, dic=None, reference=None, peaks=None, count=4, axis="f2"):
    """1D slices of a reconstruction ``mu`` through peaks, one panel per peak, with the shaded 95 %
    band mu +- 1.96 sigma. With a ``reference``: the reference, and below the slice the true error
    (reference - mu), offset, against its +-1.96 sigma band. ``peaks``: 0-based (row, column)
    indices (default :func:`find_peaks` (mu, count)); ``axis`` 'f2' plots along the peak's row
    (F2), 'f1' along its column (F1). Intensities in spectrum units."""
    mu, sigma, reference = _spectra(mu=mu, sigma=sigma, reference=reference)
    if axis not in ("f1", "f2"):
        raise ValueError(f"axis must be 'f1' or 'f2', not {axis!r}")
    peaks = find_peaks(mu, count) if peaks is None else _checked_peaks(peaks, mu.shape)
    f1, f2 = spectrum_axes(dic, mu.shape)
    along, across = (f2, f1) if axis == "f2" else (f1, f2)
    fig = _figure(7.0, 0.4 + 2.2 * len(peaks))
    for ax, (row, col) in zip(fig.subplots(len(peaks), 1, squeeze=False)[:, 0], peaks):
        index, at, fixed = ((row, slice(None)), col, row) if axis == "f2" else \
            ((slice(None), col), row, col)
        _slice_panel(ax, along.values, mu[index], sigma[index],
                     None if reference is None else reference[index])
        ax.axvline(along.values[at], color="k", linestyle=":", linewidth=0.8)
        ax.set_xlim(along.values[0], along.values[-1])
        ax.set_title(f"{across.at(fixed)}; peak at {along.at(at)}", fontsize="small")
        ax.set_ylabel("intensity")
    ax.set_xlabel(along.label)
    fig.axes[0].legend(loc="upper right", fontsize="x-small")
    return fig


def _slice_panel(ax, x, mu, sigma, reference):
    """mu and its 95 % band; with a reference, the reference and the offset error trace."""
    band = Z95 * sigma
    ax.fill_between(x, mu - band, mu + band, color=COLOURS["mu"], alpha=0.3, linewidth=0,
                    label="mu \u00b1 1.96 sigma")
    ax.plot(x, mu, color=COLOURS["mu"], linewidth=1, label="mu (reconstruction)")
    if reference is None:
        return
    ax.plot(x, reference, color="k", linewidth=0.8, label="reference")
    span = max(mu.max(), reference.max()) - min(mu.min(), reference.min())
    offset = min((mu - band).min(), reference.min()) - band.max() - 0.05 * span
    ax.fill_between(x, offset - band, offset + band, color=COLOURS["error"], alpha=0.2,
                    linewidth=0, label="\u00b1 1.96 sigma (offset)")
    ax.plot(x, offset + reference - mu, color=COLOURS["error"], linewidth=0.8,
            label="reference \u2212 mu (offset)")


def sigma_box(entries):
    """Box plot of sigma / Smax over each reconstruction's signal points, one box per entry
    (the MR-Ai figure 2c): median line, quartile box, whiskers at the 5th and 95th percentiles,
    mean as a triangle. ``entries``: a list of (label, mu, sigma)."""
    if not entries:
        raise ValueError("no entries to plot")
    labels, ratios = [], []
    for label, mu, sigma in entries:
        try:
            mu, sigma = _spectra(mu=mu, sigma=sigma)
        except ValueError as exc:
            raise ValueError(f"entry {label!r}: {exc}") from None
        keep = signal_points(mu)
        labels.append(str(label))
        ratios.append(sigma[keep] / smax(mu))
    fig = _figure(1.5 + 1.1 * len(entries), 4.5)
    ax = fig.add_subplot()
    positions = np.arange(1, len(entries) + 1)
    ax.boxplot(ratios, positions=positions, whis=(5, 95), showfliers=False, showmeans=True)
    ax.set_xticks(positions, labels)
    ax.set_ylabel("sigma / Smax")
    ax.set_title("sigma over signal points (|mu| / Smax > 0.01)", fontsize="small")
    return fig


def figure_format(path):
    """'png' or 'pdf' from the extension of ``path``; ValueError for anything else."""
    extension = os.path.splitext(str(path))[1].lower()
    if extension not in FORMATS:
        what = f"extension {extension!r}" if extension else "no extension"
        raise ValueError(f"{path}: unknown figure format ({what}); name the file .png or .pdf")
    return FORMATS[extension]


def save(fig, path, overwrite=False):
    """Write ``fig`` to ``path`` (.png at 150 dpi, or .pdf) atomically; an existing file is
    refused (OutputError) unless ``overwrite``."""
    fmt = figure_format(path)
    check_writable(str(path), overwrite)  # before rendering
    buffer = io.BytesIO()
    fig.savefig(buffer, format=fmt, dpi=DPI)
    atomic_write_bytes(str(path), buffer.getvalue(), overwrite=overwrite)
