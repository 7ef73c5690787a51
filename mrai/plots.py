"""Figures of spectra and reconstructions with their per-point uncertainty sigma (matplotlib).

Conventions: a spectrum is a real 2D array oriented (F1, F2) = (rows, columns) as NMRPipe stores
it, in the spectrum's intensity units; sigma is one standard deviation per point, same shape and
units. With an nmrglue pipe header ``dic`` whose two axes are frequency domain (with SW and OBS),
axes are in ppm: F2 on x decreasing to the right, F1 on y decreasing upward; otherwise they are
0-based point indices in the same orientation (point 0 left / at the bottom). Axis names carry
the nucleus from the header label (e.g. 'F2 ¹H (ppm)'). Smax and the signal points are
:mod:`mrai.uncertainty.scores`' (|mu| / Smax > 0.01); the 95 % band is mu +- 1.96 sigma.

A ``region`` is ((F1 a, F1 b), (F2 a, F2 b)), either pair None for the whole axis, in ppm
(``region_unit='ppm'``, the default; in either order) or in 0-based point indices
(``region_unit='point'``, inclusive). The figure's axis limits are the region (clipped to the
spectrum), ppm decreasing as NMR spectra are drawn.

Every function returns a :class:`matplotlib.figure.Figure` drawn on an Agg canvas, without pyplot
or its global state; :func:`save` writes it as PNG or PDF.
"""

import io
import os
import re
from dataclasses import dataclass

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from scipy.ndimage import maximum_filter

from mrai.fileio._nmrglue import pipe as ng_pipe
from mrai.fileio.header import axis_field
from mrai.output import atomic_write_bytes, check_writable
from mrai.uncertainty.scores import Z95, signal_points, smax

FORMATS = {".png": "png", ".pdf": "pdf"}
DPI = 150
LEVEL_FLOOR = 0.03     # lowest default contour level, as a fraction of max |spectrum|
NOISE_FLOOR = 5.0      # ... or this many robust noise standard deviations, whichever is higher
LEVEL_FACTOR = 1.4     # ratio of successive default contour levels
WINDOW = 64            # default width of a slice, points around the peak
COLOURS = {"positive": "tab:blue", "negative": "tab:red", "reference": "0.70",
           "reference negative": "#e8a0a0", "mu": "tab:blue", "error": "tab:red"}
SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


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
            label = nucleus(str(axis_field(dic, code, "LABEL") or ""))
            out.append(Axis(np.asarray(ppm, float), f"F{code} {label}".strip(), "ppm"))
    except (KeyError, TypeError, ValueError, IndexError):
        return None
    return tuple(out[::-1]) if transposed else tuple(out)


def nucleus(label):
    """A header label with its isotope number as a superscript ('15N' -> '¹⁵N'); other labels
    unchanged."""
    label = label.strip()
    match = re.fullmatch(r"(\d{1,3})([A-Z][a-z]?)", label)
    return match[1].translate(SUPERSCRIPT) + match[2] if match else label


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


def contour_levels(spectrum, factor=LEVEL_FACTOR, count=None, floor=None):
    """Positive contour levels (spectrum units), a geometric series from a lowest level up to
    max|spectrum|. The lowest level is ``floor`` x max|spectrum| when given, else max(3 % of
    max|spectrum|, 5 robust noise sigmas) (1.4826 x the median absolute deviation). With
    ``count``: that many levels, the ratio chosen so that the next one up would be the maximum;
    without: ratio ``factor`` up to the maximum."""
    (spectrum,) = _spectra(spectrum=spectrum)
    top = float(np.abs(spectrum).max())
    if top == 0:
        raise ValueError("spectrum is zero everywhere: nothing to contour")
    if floor is not None:
        if not 0 < floor < 1:
            raise ValueError(f"the lowest level is a fraction of the maximum between 0 and 1, "
                             f"not {floor:g}")
        start = floor * top
    else:
        noise = 1.4826 * float(np.median(np.abs(spectrum - np.median(spectrum))))
        start = min(max(LEVEL_FLOOR * top, NOISE_FLOOR * noise), top / factor)
    if count is not None:
        if count < 1:
            raise ValueError(f"the number of levels must be at least 1, not {count}")
        return start * (top / start) ** (np.arange(count) / count)
    count = int(np.floor(np.log(top / start) / np.log(factor) + 1e-9)) + 1
    return start * factor ** np.arange(count)


def _checked_levels(levels):
    levels = np.asarray(levels, dtype=float)
    if levels.ndim != 1 or levels.size == 0 or not np.all(np.isfinite(levels)) \
            or levels.min() <= 0 or np.any(np.diff(levels) <= 0):
        raise ValueError("levels must be positive, finite and increasing")
    return levels


def _limits(axis, bounds, unit):
    """(index slice, (left, right) limits) of ``axis`` for the region ``bounds`` of one axis
    (a pair in ``unit`` 'ppm' or 'point', or None for the whole axis). The slice keeps one point
    beyond each end so contours reach the frame; limits run in the axis' own direction."""
    values, n = axis.values, len(axis.values)
    if bounds is None:
        return slice(None), (values[0], values[-1])
    if unit == "point":
        for index in bounds:
            if not (float(index).is_integer() and 0 <= index < n):
                raise ValueError(f"{axis.name} point {index:g} is outside 0 to {n - 1} "
                                 "(0-based point indices)")
        bounds = [values[int(i)] for i in bounds]
    elif unit != "ppm":
        raise ValueError(f"region unit must be 'ppm' or 'point', not {unit!r}")
    elif axis.unit != "ppm":
        raise ValueError(f"{axis.name} has no ppm scale (the header gives no spectral width); "
                         "give the region in points")
    low, high = sorted(float(b) for b in bounds)
    first, last = sorted((float(values[0]), float(values[-1])))
    if low == high:
        raise ValueError(f"{axis.name} region {low:g}:{high:g} {axis.unit} is empty")
    if high < first or low > last:
        raise ValueError(f"{axis.name} region {low:g}:{high:g} {axis.unit} is outside the "
                         f"spectrum ({first:.4g} to {last:.4g} {axis.unit})")
    low, high = max(low, first), min(high, last)
    step = abs(float(values[1] - values[0])) if n > 1 else 0.0
    tolerance = 1e-6 * step
    inside = np.nonzero((values >= low - tolerance) & (values <= high + tolerance))[0]
    if inside.size:
        first, last = int(inside.min()) - 1, int(inside.max()) + 1
    else:  # a region narrower than a point's spacing: the points around it
        nearest = int(np.argmin(np.abs(values - (low + high) / 2)))
        first, last = nearest - 1, nearest + 1
    cut = slice(max(first, 0), min(last, n - 1) + 1)
    return cut, ((high, low) if values[0] > values[-1] else (low, high))


def _region(f1, f2, region, unit):
    """(rows slice, columns slice, F1 limits, F2 limits) of ``region`` (see the module help)."""
    if region is None:
        region = (None, None)
    try:
        b1, b2 = region
    except (TypeError, ValueError):
        raise ValueError("region is ((F1 a, F1 b), (F2 a, F2 b))") from None
    rows, y = _limits(f1, b1, unit)
    cols, x = _limits(f2, b2, unit)
    return rows, cols, y, x


def _cut(axis, part):
    return Axis(axis.values[part], axis.name, axis.unit)


def _frame(ax, f1, f2, ylim, xlim):
    """Label the axes and set the limits: F2 (x) decreasing to the right, F1 (y) decreasing
    upward in ppm (points: increasing)."""
    ax.set_xlabel(f2.label)
    ax.set_ylabel(f1.label)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)


def contour(spectrum, dic=None, reference=None, levels=None, title=None, region=None,
            region_unit="ppm", layout="overlay", count=None, floor=None, name="spectrum",
            reference_name="reference"):
    """Contour plot of a 2D (F1, F2) spectrum: positive levels blue, negative (the same levels
    negated) red. An optional ``reference`` (same shape) at the same levels: with ``layout``
    'overlay', drawn beneath in wide light grey (negative light red) so the spectrum's thin
    lines stay visible on it; with 'side', in its own panel to the right, same axes.
    ``levels``: positive increasing levels in spectrum units (default :func:`contour_levels`
    with ``count`` and ``floor``, from the whole spectrum). ``region``: see the module help.
    ``name``, ``reference_name``: legend and panel labels."""
    spectrum, reference = _spectra(spectrum=spectrum, reference=reference)
    if layout not in ("overlay", "side"):
        raise ValueError(f"layout must be 'overlay' or 'side', not {layout!r}")
    if levels is None:
        levels = contour_levels(spectrum, count=count, floor=floor)
    else:
        levels = _checked_levels(levels)
    f1, f2 = spectrum_axes(dic, spectrum.shape)
    rows, cols, ylim, xlim = _region(f1, f2, region, region_unit)
    g1, g2 = _cut(f1, rows), _cut(f2, cols)
    top = float(np.abs(spectrum).max())
    caption = title or (f"{len(levels)} levels from {levels[0]:.3g} "
                        f"({levels[0] / top:.3g} of max), factor "
                        f"{levels[1] / levels[0] if len(levels) > 1 else LEVEL_FACTOR:.3g}")
    colours = (COLOURS["positive"], COLOURS["negative"])
    if reference is not None and layout == "side":
        fig = _figure(11.0, 5.0)
        left, right = fig.subplots(1, 2, sharex=True, sharey=True)
        _contours(left, g1, g2, spectrum[rows, cols], levels, name, colours)
        _contours(right, g1, g2, reference[rows, cols], levels, reference_name, colours)
        for ax, label in ((left, name), (right, reference_name)):
            _frame(ax, f1, f2, ylim, xlim)
            ax.set_title(label)
        right.set_ylabel("")
        fig.suptitle(caption)
        return fig
    fig = _figure(7.0, 5.5)
    ax = fig.add_subplot()
    handles = _contours(ax, g1, g2, spectrum[rows, cols], levels, name, colours, zorder=3)
    if reference is not None:
        handles += _contours(ax, g1, g2, reference[rows, cols], levels, reference_name,
                             (COLOURS["reference"], COLOURS["reference negative"]),
                             width=2.4, zorder=1)
    _frame(ax, f1, f2, ylim, xlim)
    ax.legend(handles=handles, loc="upper left", framealpha=0.9)
    ax.set_title(caption)
    return fig


def _contours(ax, f1, f2, data, levels, name, colours, width=0.7, zorder=2):
    """Draw the positive and the negative contours of ``data`` (those that exist, each sign with
    its colour); legend handles for what was drawn."""
    handles = []
    for sign, colour, suffix in zip((1, -1), colours, (" +", " \u2212")):
        if data.size == 0 or (sign * data).max() < levels[0]:
            continue
        ax.contour(f2.values, f1.values, sign * data, levels=levels, colors=colour,
                   linewidths=width, linestyles="solid", zorder=zorder)
        handles.append(Line2D([], [], color=colour, linewidth=max(width, 1.2),
                              label=name + suffix))
    return handles


def sigma_map(mu, sigma, dic=None, region=None, region_unit="ppm", levels=None, count=None,
              floor=None, title=None):
    """Map of sigma / Smax of a reconstruction ``mu`` (colour image, scale bar), with mu's
    positive contours in thin black lines (levels as :func:`contour`) so peaks can be found.
    ``region``: see the module help."""
    mu, sigma = _spectra(mu=mu, sigma=sigma)
    levels = contour_levels(mu, count=count, floor=floor) if levels is None \
        else _checked_levels(levels)
    f1, f2 = spectrum_axes(dic, mu.shape)
    rows, cols, ylim, xlim = _region(f1, f2, region, region_unit)
    g1, g2 = _cut(f1, rows), _cut(f2, cols)
    ratio = sigma[rows, cols] / smax(mu)
    fig = _figure(7.5, 5.5)
    ax = fig.add_subplot()
    image = ax.pcolormesh(g2.values, g1.values, ratio, shading="nearest", cmap="viridis",
                          vmin=0, rasterized=True)
    fig.colorbar(image, ax=ax, label="\u03c3 / Smax")
    part = mu[rows, cols]
    if part.max() >= levels[0]:
        ax.contour(g2.values, g1.values, part, levels=levels, colors="k", linewidths=0.5)
    _frame(ax, f1, f2, ylim, xlim)
    ax.set_title(title or f"\u03c3 / Smax (Smax {smax(mu):.4g}); black: reconstruction contours")
    return fig


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


def slices(mu, sigma, dic=None, reference=None, peaks=None, count=4, axis="f2", window=WINDOW,
           window_ppm=None):
    """1D slices of a reconstruction ``mu`` through peaks, one panel per peak, with the shaded 95 %
    band mu +- 1.96 sigma. With a ``reference``: the reference, and below the slice the true error
    (reference - mu), offset, against its +-1.96 sigma band. ``peaks``: 0-based (row, column)
    indices (default :func:`find_peaks` (mu, count)); ``axis`` 'f2' plots along the peak's row
    (F2), 'f1' along its column (F1). Each panel shows ``window`` points centred on the peak
    (None or 0: the whole axis), or ``window_ppm`` ppm when given. Intensities in spectrum
    units."""
    mu, sigma, reference = _spectra(mu=mu, sigma=sigma, reference=reference)
    if axis not in ("f1", "f2"):
        raise ValueError(f"axis must be 'f1' or 'f2', not {axis!r}")
    peaks = find_peaks(mu, count) if peaks is None else _checked_peaks(peaks, mu.shape)
    f1, f2 = spectrum_axes(dic, mu.shape)
    along, across = (f2, f1) if axis == "f2" else (f1, f2)
    if window_ppm is not None and not (window_ppm > 0 and along.unit == "ppm"):
        raise ValueError("a window in ppm needs a positive width and a ppm scale in the header"
                         if along.unit == "ppm" else
                         f"{along.name} has no ppm scale; give the window in points")
    if window and window < 2:
        raise ValueError(f"a slice window is at least 2 points, not {window}")
    fig = _figure(7.0, 1.0 + 2.3 * len(peaks))
    for ax, (row, col) in zip(fig.subplots(len(peaks), 1, squeeze=False)[:, 0], peaks):
        index, at, fixed = ((row, slice(None)), col, row) if axis == "f2" else \
            ((slice(None), col), row, col)
        part = _slice_window(along, at, window, window_ppm)
        x = along.values[part]
        _slice_panel(ax, x, mu[index][part], sigma[index][part],
                     None if reference is None else reference[index][part])
        ax.axvline(along.values[at], color="k", linestyle=":", linewidth=0.8)
        ax.set_xlim(x[0], x[-1])
        ax.set_title(f"{across.at(fixed)}: peak at {along.at(at)}")
        ax.set_ylabel("intensity")
    ax.set_xlabel(along.label)
    handles, labels = fig.axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside upper center", ncols=min(len(labels), 3),
               fontsize="small")
    return fig


def _slice_window(axis, at, window, window_ppm):
    """Index slice of ``axis`` around point ``at``: ``window`` points, or ``window_ppm`` ppm."""
    n = len(axis.values)
    if window_ppm is not None:
        centre = axis.values[at]
        inside = np.nonzero(np.abs(axis.values - centre) <= window_ppm / 2)[0]
        return slice(int(inside.min()), int(inside.max()) + 1)
    if not window or window >= n:
        return slice(None)
    start = min(max(at - window // 2, 0), n - window)
    return slice(start, start + window)


def _slice_panel(ax, x, mu, sigma, reference):
    """mu and its 95 % band; with a reference, the reference and the offset error trace."""
    band = Z95 * sigma
    ax.fill_between(x, mu - band, mu + band, color=COLOURS["mu"], alpha=0.3, linewidth=0,
                    label="\u03bc \u00b1 1.96\u03c3 (95 % band)")
    ax.plot(x, mu, color=COLOURS["mu"], linewidth=1.2, label="\u03bc, reconstruction")
    if reference is None:
        return
    ax.plot(x, reference, color="k", linewidth=0.9, linestyle="--", label="reference")
    span = max(mu.max(), reference.max()) - min(mu.min(), reference.min())
    offset = min((mu - band).min(), reference.min()) - band.max() - 0.05 * span
    ax.fill_between(x, offset - band, offset + band, color=COLOURS["error"], alpha=0.2,
                    linewidth=0, label="\u00b1 1.96\u03c3 (offset)")
    ax.plot(x, offset + reference - mu, color=COLOURS["error"], linewidth=0.9,
            label="reference \u2212 \u03bc (offset)")


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
    fig = _figure(2.5 + 1.2 * len(entries), 4.8)
    ax = fig.add_subplot()
    positions = np.arange(1, len(entries) + 1)
    ax.boxplot(ratios, positions=positions, whis=(5, 95), showfliers=False, showmeans=True,
               medianprops=dict(color="tab:orange", linewidth=1.5),
               meanprops=dict(marker="^", markerfacecolor="tab:green",
                              markeredgecolor="tab:green"))
    ax.set_xticks(positions, labels)
    ax.set_ylim(bottom=0)
    ax.set_ylabel("\u03c3 / Smax")
    ax.grid(axis="y", color="0.9")
    ax.set_axisbelow(True)
    ax.legend(handles=[Line2D([], [], color="tab:orange", linewidth=1.5, label="median"),
                       Line2D([], [], color="tab:green", marker="^", linestyle="none",
                              label="mean"),
                       Line2D([], [], color="k", linewidth=1,
                              label="box: quartiles; whiskers: 5th\u201395th percentile")],
              loc="upper right", fontsize="small")
    ax.set_title("\u03c3 / Smax over signal points (|\u03bc| / Smax > 0.01)")
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
