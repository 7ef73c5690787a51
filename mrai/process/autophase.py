"""Automatic phase correction of 2D spectra, and a check that a spectrum looks phased.

Both work on the phase of each strong peak, measured as the phase of the complex spectrum summed
over a small box around the peak top. Summed over the box, the dispersive part of a line
(antisymmetric about its centre) cancels and the absorptive part does not, whether the line is
plain or phase-twisted, and wherever the top falls between grid points; so the box sum's phase
is the line's phase error. Phases are taken modulo 180 degrees (doubled angles), so peaks of
either sign (edited HSQC) count alike, and the overall sign is then chosen to make the
spectrum's peaks positive on the whole.

- :func:`autophase` (``mrai process --autophase``): nmrPipe phases (P0, P1) for F2, and P0 for
  F1 of data holding both coherence halves (F1 P1 stays the header's: 0, or 180 for
  half-dwell data, the t1 grid that the Echo / Anti-Echo split relies on), fitted as a
  straight line in frequency to the peak phases of the hypercomplex spectrum (processed as the default recipe does, without its phase
  correction). In the F1-real part of that spectrum a peak's box sum has the F2 phase alone, for
  full, Echo-only and Anti-Echo-only data alike (the phase-twisted Echo line is
  exp(i (phi1 + phi2)) L1 L2; the header's F1 phase makes phi1 zero), which is the F2
  spectrum of the first t1 point, the row the F1 twist leaves alone. F1 of Echo-only
  (Anti-Echo-only) data cannot be phased on its own: a P-type signal depends only on
  phi1 + phi2. There the header's F1 phases are kept (0, or -90 / 180 for half-dwell data).
- :func:`looks_unphased`: for a real 2D spectrum (rows F1, columns F2), the complex spectrum along
  each axis in turn is rebuilt from the real one (the time domain of a zero-filled spectrum is
  zero in its second half, so keeping the first half, doubled, restores the imaginary part);
  the peak phases then show an F2 (and for full spectra F1) phase error. For an Echo-only
  spectrum both rebuilt spectra are its complex Echo spectrum, whose peak phases are
  phi1 + phi2, zero when phased, so the twist alone is not taken for a phase error.
"""

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import maximum_filter

from mrai.physics.phase import analytic, carrier_columns
from mrai.physics.scale import exponent, scaled

#: peaks used at most (the strongest local maxima)
PEAKS = 40
#: weakest peak used, as a fraction of the strongest
FLOOR = 0.05
#: phase error (degrees: the straight line fitted to the peak phases, its weighted mean |value|
#: at the peaks) above which a spectrum looks unphased. Phased spectra measure 0-3 degrees
#: (simulated, also Echo-only and half-dwell ones) and 9-13 (a measured 45 kDa TROSY); an F2
#: error of 30 degrees measures 19-26
THRESHOLD = 16.0


@dataclass(frozen=True)
class PhaseCheck:
    """What :func:`looks_unphased` found. ``unphased``: True when the peaks are not absorptive;
    ``reason``: one line saying why (or that they are); ``f2``, ``f1``: weighted mean absolute
    peak phase along each axis in degrees (modulo 180; NaN when not measured); ``peaks``: how
    many peaks were measured. Unpacks as ``unphased, reason = looks_unphased(spectrum)``."""

    unphased: bool
    reason: str
    f2: float = float("nan")
    f1: float = float("nan")
    peaks: int = 0

    def __iter__(self):
        return iter((self.unphased, self.reason))

    def __bool__(self):
        return bool(self.unphased)


def looks_unphased(spectrum, threshold=THRESHOLD, max_peaks=PEAKS):
    """Whether a real 2D spectrum (rows F1, columns F2, nmrPipe order) looks unphased.

    Cheap (a few FFTs of the spectrum; well under 0.1 s for 256 x 2048) and robust to
    phase-twisted Echo-only and Anti-Echo-only spectra: their twist is not a phase error. A
    spectrum is flagged when the phase error along F2 or along F1 exceeds ``threshold``
    degrees: the peak phases of its strongest peaks (each measured modulo 180 degrees on the
    box sum around its top, so negative peaks count as phased) are fitted by a straight line in
    frequency (P0 + P1 x, |P1| <= 360), whose weighted mean absolute value at the peaks is the
    error; single odd peaks (overlaps, artefacts) hardly move it. A spectrum with no clear
    peaks, or too small to judge, is not flagged (``reason`` says so). Returns a
    :class:`PhaseCheck`, which unpacks as ``(unphased, reason)``.
    """
    s = np.asarray(spectrum)
    if s.ndim != 2 or min(s.shape) < 8 or not np.isfinite(s).all():
        return PhaseCheck(False, "not judged: a finite 2D spectrum of at least 8 x 8 points is "
                                 "needed")
    s = s.astype(np.float32 if s.dtype == np.float32 else np.float64, copy=False)
    s = scaled(s, exponent(s))  # the check is scale free; near float32's maximum FFTs overflow
    rows, cols = _peak_tops(np.abs(s), max_peaks)
    if len(rows) < 3:
        return PhaseCheck(False, "not judged: fewer than 3 peaks stand out from the noise",
                          peaks=len(rows))
    box = _box(s.shape)
    errors = []
    for axis, positions in ((1, cols / s.shape[1]), (0, rows / s.shape[0])):
        sums = _box_sums(analytic(s, axis), rows, cols, box)
        p0, p1 = fit_linear_phase(positions, sums, max_p1=360.0)
        errors.append(_mean_abs_phase(np.abs(sums) * np.exp(1j * np.radians(p0 + p1 * positions))))
    f2, f1 = errors
    worst = max(f2, f1)
    if worst > threshold:
        axes = " and ".join(name for name, e in (("F2", f2), ("F1", f1)) if e > threshold)
        reason = (f"looks unphased: the phases of its {len(rows)} strongest peaks are "
                  f"{f2:.0f} degrees (F2) and {f1:.0f} degrees (F1) from absorption on average; "
                  f"phase {axes} (mrai convert keeps the stored phases; mrai process "
                  "--autophase, or PS -p0 -p1 in the recipe)")
        return PhaseCheck(True, reason, f2, f1, len(rows))
    return PhaseCheck(False, f"phased: the {len(rows)} strongest peaks are within {worst:.0f} "
                             "degrees of absorption on average", f2, f1, len(rows))


def _box(shape):
    """Half widths (rows, columns) of the box summed around a peak top."""
    return max(1, shape[0] // 64), max(2, shape[1] // 128)


def _peak_tops(magnitude, count, floor=FLOOR):
    """(rows, cols) of the ``count`` strongest local maxima above ``floor`` x the largest, and
    above the noise (10 x the median magnitude: about 7 noise standard deviations), away
    from the F2 carrier column (where the
    t2 = 0 offset of the FIDs leaves a ridge that is no peak)."""
    band = carrier_columns(magnitude.shape[1])
    size = (2 * max(1, magnitude.shape[0] // 64) + 1, 2 * band + 1)
    tops = magnitude == maximum_filter(magnitude, size=size, mode="wrap")
    centre = magnitude.shape[1] // 2
    tops[:, max(centre - band, 0):centre + band + 1] = False
    level = max(floor * float(magnitude.max()), 10.0 * float(np.median(magnitude)))
    tops &= magnitude > level
    rows, cols = np.nonzero(tops)
    order = np.argsort(magnitude[rows, cols])[::-1][:count]
    return rows[order], cols[order]


def _box_sums(z, rows, cols, box):
    """Sum of complex ``z`` over the box around each (row, col), wrapping at the edges."""
    h1, h2 = box
    r = (rows[:, None] + np.arange(-h1, h1 + 1)[None, :]) % z.shape[0]
    c = (cols[:, None] + np.arange(-h2, h2 + 1)[None, :]) % z.shape[1]
    return z[r[:, :, None], c[:, None, :]].sum(axis=(1, 2))


def _mean_abs_phase(sums):
    """Weighted mean of |phase| modulo 180 (folded into [0, 90]) in degrees, weights |sum|."""
    weights = np.abs(sums)
    if weights.sum() == 0:
        return 0.0
    phase = np.degrees(np.angle(sums))
    folded = np.abs((phase + 90.0) % 180.0 - 90.0)
    return float((weights * folded).sum() / weights.sum())


# ---- automatic phasing ---------------------------------------------------------------------

def fit_linear_phase(positions, sums, max_p1=720.0, fit_p1=True, sign_sums=None):
    """(P0, P1) in degrees such that phase(x) = P0 + P1 x fits the phases of the complex box
    sums ``sums`` at fractional positions ``positions`` (0 .. 1 from the first point) modulo 180
    degrees, weighted by their magnitude; the 180-degree choice then makes the summed real part
    of ``sign_sums`` (default ``sums``) positive. P1 is searched over +-``max_p1`` (0 when
    ``fit_p1`` is false or the peaks span less than a tenth of the axis). Deterministic (a
    grid, then a finer one)."""
    x = np.asarray(positions, dtype=np.float64)
    z = np.asarray(sums, dtype=np.complex128)
    signs = z if sign_sums is None else np.asarray(sign_sums, dtype=np.complex128)
    if len(z) == 0 or not np.abs(z).sum() or not np.isfinite(z).all():
        return 0.0, 0.0
    weights = np.abs(z)
    doubled = weights * np.exp(2j * np.angle(z))

    def strength(p1):
        return np.abs((doubled[None, :] * np.exp(-2j * np.radians(np.outer(p1, x)))).sum(axis=1))

    p1 = 0.0
    if fit_p1 and len(z) >= 3 and np.ptp(x) >= 0.1:
        # the smallest |P1| whose fit is within 0.5 % of the best (peaks over part of the axis
        # pin P1 down only loosely)
        grid = np.arange(-max_p1, max_p1 + 1e-9, 2.0)
        values = strength(grid)
        good = grid[values >= 0.995 * values.max()]
        p1 = float(good[np.argmin(np.abs(good))])
        fine = p1 + np.arange(-2.0, 2.0 + 1e-9, 0.05)
        p1 = float(fine[np.argmax(strength(fine))])
    p0 = float(np.degrees(np.angle((doubled * np.exp(-2j * np.radians(p1 * x))).sum())) / 2)
    corrected = signs * np.exp(-1j * np.radians(p0 + p1 * x))
    if corrected.real.sum() < 0:
        p0 += 180.0
    return float((p0 + 180.0) % 360.0 - 180.0), p1


@dataclass(frozen=True)
class AutoPhases:
    """Result of :func:`autophase`: nmrPipe PS phases (P0, P1) for ``f2`` and ``f1`` (degrees),
    whether F1 was fitted (``f1_fitted``; else the header's F1 phases) and how many peaks
    were used."""

    f2: tuple
    f1: tuple
    f1_fitted: bool
    peaks: int

    def header(self, dic):
        """A copy of header ``dic`` with these phases as FDF2P0/FDF2P1 and FDF1P0/FDF1P1 (what
        the default recipe applies)."""
        out = dict(dic)
        for code, (p0, p1) in ((2, self.f2), (1, self.f1)):
            out[f"FDF{code}P0"], out[f"FDF{code}P1"] = float(p0), float(p1)
        return out

    def describe(self):
        """One line: the phases and how they were found."""
        how = "fitted" if self.f1_fitted else "the header's (one coherence half: F1 cannot " \
                                               "be phased from it)"
        return (f"F2 P0 {self.f2[0]:.1f} P1 {self.f2[1]:.1f}, F1 P0 {self.f1[0]:.1f} "
                f"P1 {self.f1[1]:.1f} (F1 {how}; {self.peaks} peaks)")


def autophase(dic, data, dims="auto", max_peaks=PEAKS):
    """Phases for 2D time-domain data (as :func:`mrai.process.process` takes it) that make the
    default recipe's spectrum absorptive: an :class:`AutoPhases`.

    ``dims``: 'f2' (F1 keeps the header's phases), 'both', or 'auto': 'both' unless the header
    says the data hold one coherence half (mrai convert --keep echo / antiecho), which is
    phase-twisted, so that F1 cannot be phased from it. Deterministic.
    """
    from mrai.fileio.header import provenance
    from mrai.process import process
    from mrai.process.default import default_recipe
    from mrai.process.functions import axis_code, plane_field

    if dims not in ("auto", "f2", "both"):
        raise ValueError(f"dims must be auto, f2 or both, not {dims!r}")
    if dims == "auto":
        keep = (provenance(dic) or {}).get("keep", "both")
        dims = "f2" if keep in ("echo", "antiecho") else "both"
    header = {code: (float(dic.get(f"FDF{code}P0", 0.0)), float(dic.get(f"FDF{code}P1", 0.0)))
              for code in (1, 2)}
    if axis_code(dic, 1) != 2 or any(plane_field(dic, position, "FTFLAG") == 1 or
                                     plane_field(dic, position, "QUADFLAG") == 1
                                     for position in (1, 2)):
        raise ValueError("autophase needs 2D time-domain data, F2 complex along X and F1 "
                         "complex (States), as mrai convert writes it")
    # the default recipe, F2 unphased and both dimensions kept complex (hypercomplex)
    steps = default_recipe(dic, {2: _unphased(dic, 1), 1: _f1_kept(dic)})
    _, spectrum = process(dic, data, steps)
    spectrum = np.asarray(spectrum)
    spectrum = scaled(spectrum, exponent(spectrum))  # phases are scale free; squares overflow
    real_f1, imag_f1 = spectrum[0::2], spectrum[1::2]          # F1 real / imaginary, complex F2
    power = np.abs(real_f1) ** 2 + np.abs(imag_f1) ** 2
    rows, cols = _peak_tops(np.sqrt(power), max_peaks)
    box = _box(real_f1.shape)
    n1, n2 = real_f1.shape
    real_sums = _box_sums(real_f1, rows, cols, box)
    fitted = dims == "both" and len(rows) > 0
    if fitted:
        # both halves: u = R + iI has phase phi2 + phi1, v = R - iI phi2 - phi1, so u v gives
        # 2 phi2 whatever the F1 phase
        imag_sums = _box_sums(imag_f1, rows, cols, box)
        f2_sums = np.sqrt((real_sums + 1j * imag_sums) * (real_sums - 1j * imag_sums))
    else:
        f2_sums = real_sums
    p0, p1 = fit_linear_phase(cols / n2, f2_sums, sign_sums=real_sums)
    f2 = (-p0, -p1)
    f1 = header[1]
    if fitted:
        ramp = np.exp(1j * np.radians(f2[0] + f2[1] * np.arange(n2) / n2))[None, :]
        f1_complex = (real_f1 * ramp).real + 1j * (imag_f1 * ramp).real
        f1_sums = _box_sums(f1_complex, rows, cols, box)
        # F1 P0 only: the header's F1 P1 says where t1 starts (0, or 180 for half-dwell data),
        # which the Echo / Anti-Echo split relies on; F1 has no filter delay to correct
        q0, q1 = fit_linear_phase(rows / n1, f1_sums, fit_p1=False)
        f1 = (float((header[1][0] - q0 + 180.0) % 360.0 - 180.0), header[1][1] - q1)
    return AutoPhases(f2=(float((f2[0] + 180.0) % 360.0 - 180.0), float(f2[1])),
                      f1=(float(f1[0]), float(f1[1])), f1_fitted=fitted, peaks=int(len(rows)))


def _unphased(dic, position):
    """The default steps of plane axis ``position`` without their phase correction and -di."""
    from mrai.process.default import dimension_steps

    lines = dimension_steps(dic, position).splitlines()
    return "\n".join(line for line in lines if not line.startswith("PS"))


def _f1_kept(dic):
    """The default F1 steps with the header's F1 phases, imaginaries kept."""
    from mrai.process.default import dimension_steps

    lines = dimension_steps(dic, 2).splitlines()
    return "\n".join(line.replace(" -di", "") for line in lines)
