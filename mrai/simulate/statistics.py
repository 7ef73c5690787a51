"""Simple statistics of a real 2D spectrum, to compare simulated spectra with measured ones.

Every function takes a real 2D spectrum as mrai stores it (rows F1, columns F2, NMRPipe order,
no fftshift) and plain numpy arrays; nothing here depends on how the spectrum was made, so the
same numbers describe a measured spectrum and a simulated one (``scripts/compare_simulator.py``
prints them side by side; the realistic simulator's ranges are set from them).

Units. Intensities are given relative to the spectrum's largest absolute value, ``max |S|``
(the simulator's noise setting is the noise standard deviation over max |clean spectrum|), or
relative to the noise level (the ridge and baseline statistics); widths in points of the stored
spectrum (so they depend on the zero filling as well as on the line width); time-domain
quantities in fractions of the positive time half of the dimension, whose |t| runs from 0 to
n / 2 points (m acquired complex points of a spectrum of n real points fill |t| < 2 m / n of
it: all of it for the usual zero filling to twice the acquired points, m = n / 2; its Virtual
Echo holds the data at negative times as well); autocorrelations are dimensionless, -1 .. 1.

What is measured (:func:`statistics` gathers it all):

- noise: the robust standard deviation (1.4826 x the median absolute deviation from the median)
  of the points away from peaks (:func:`noise_mask`: points more than ``threshold`` x the noise
  from the noise median, grown by a few points, are left out; iterated);
- noise colour along t1 (F1, axis 0) and t2 (F2, axis 1): the autocorrelation of the noise
  points along that axis, from pairs of noise points only (:func:`noise_autocorrelation`), its
  lag-1 value (0 for white noise, which flat-weighted data filling the time half give; about
  0.65 for a sine-squared bell from 0.5 pi over the whole half; near 1 when the noise fills
  only early times), and the noise power over time that it implies (its Fourier transform):
  the ratio of the noise power in the outer half of the time domain (|t| from 1/2 to 1 of the
  positive half) to the inner half (1 for white noise, about 0.1 for that sine-squared bell,
  0 for data filling less than the inner half), and the |t| below which 95 % of it lies
  (0.95 white, about 0.56 for the bell, below 2 m / n always);
- peaks: local maxima of |S| (3 x 5 points, periodic) above ``peak_threshold`` x the noise
  (:func:`local_maxima`, counted as 'maxima'), less the side lobes: those below a quarter of
  the largest |S| within 16 points along F1 or 32 along F2 and those below ``peak_threshold``
  x their column's robust spread along F1 (:func:`find_peaks`: truncation wiggles of strong
  lines, bumps on their flanks and beside them, bumps of t1 noise); their heights |S| / max |S| (quantiles), the share of negative ones, the
  count (also scaled to a 256 x 2048 spectrum's area, as mrai.nn.data.TrainingRecipe counts
  peaks), and their full widths at half height in points along F1 and F2 (:func:`half_widths`,
  the two half-height crossings interpolated, exact for a Lorentzian sampled at its top; peaks
  whose profile rises again, an overlap, before reaching half height are left out);
- the fraction of points with |S| > 0.01 max |S| (the points the RMSD metric uses);
- ridges (t1 noise): per F2 column the robust standard deviation along F1, over the noise
  (:func:`ridge_strength`; 1 for a column of plain noise, more with t1 noise); its maximum,
  99th percentile and median over the columns;
- baseline offsets: the median of each F1 row (along F2) and of each F2 column (along F1), over
  the noise (:func:`baseline_offsets`); the largest and the rms |median| of each.
"""

import numpy as np
from scipy import ndimage

MAD_TO_STD = 1.4826            # std of a Gaussian / its median absolute deviation
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
FULL_AREA = 256 * 2048         # the area peak counts are scaled to (mrai.nn.data.FULL_AREA)


def robust_std(values, axis=None):
    """1.4826 x the median absolute deviation from the median (the standard deviation for
    Gaussian values, unmoved by a minority of outliers), in the values' units."""
    x = np.asarray(values, dtype=np.float64)
    med = np.median(x, axis=axis, keepdims=True)
    return MAD_TO_STD * np.median(np.abs(x - med), axis=axis)


def _as_spectrum(spectrum):
    s = np.asarray(spectrum, dtype=np.float64)
    if s.ndim != 2:
        raise ValueError(f"a 2D spectrum is needed, got shape {s.shape}")
    if not np.isfinite(s).all():
        raise ValueError("the spectrum has NaN or Inf values")
    return s


def scale(spectrum):
    """max |S|, the unit of the relative statistics (1 for an all-zero spectrum)."""
    top = float(np.abs(np.asarray(spectrum)).max())
    return top if top > 0 else 1.0


def noise_mask(spectrum, threshold=5.0, grow=(2, 4), iterations=4):
    """Boolean mask (F1, F2), True at the points taken as noise.

    Starting from all points, the noise is estimated (:func:`robust_std` of the masked points
    and their median), points further than ``threshold`` noise levels from that median are
    taken as signal, the signal region is grown by ``grow`` = (F1, F2) points each way
    (periodically, as the spectrum is periodic) to take in the flanks of peaks, and the noise
    is estimated again, ``iterations`` times.
    """
    s = _as_spectrum(spectrum)
    mask = np.ones(s.shape, dtype=bool)
    size = (2 * int(grow[0]) + 1, 2 * int(grow[1]) + 1)
    for _ in range(int(iterations)):
        values = s[mask]
        centre = float(np.median(values))
        sigma = float(robust_std(values))
        if not sigma > 0:
            break
        signal = np.abs(s - centre) > threshold * sigma
        signal = ndimage.maximum_filter(signal.astype(np.uint8), size=size, mode="wrap") > 0
        new = ~signal
        if new.sum() < max(16, s.size // 20) or np.array_equal(new, mask):
            if new.sum() >= max(16, s.size // 20):
                mask = new
            break
        mask = new
    return mask


def noise_level(spectrum, mask=None):
    """The robust noise standard deviation (spectrum units) of the points of ``mask``
    (default :func:`noise_mask`)."""
    s = _as_spectrum(spectrum)
    mask = noise_mask(s) if mask is None else mask
    return float(robust_std(s[mask]))


def noise_autocorrelation(spectrum, axis, mask=None):
    """The autocorrelation of the noise along ``axis`` (0: F1, 1: F2) at every lag 0 .. n - 1
    (periodic; lag n - k is lag -k), from the pairs of points that are both noise
    (``mask``, default :func:`noise_mask`), the noise median removed first. 1 at lag 0."""
    s = _as_spectrum(spectrum)
    mask = noise_mask(s) if mask is None else np.asarray(mask, dtype=bool)
    m = mask.astype(np.float64)
    x = (s - np.median(s[mask])) * m
    other = 1 - axis
    fx = np.fft.fft(x, axis=axis)
    fm = np.fft.fft(m, axis=axis)
    products = np.fft.ifft(np.abs(fx) ** 2, axis=axis).real.sum(axis=other)
    pairs = np.fft.ifft(np.abs(fm) ** 2, axis=axis).real.sum(axis=other)
    ac = products / np.maximum(pairs, 1.0)
    return ac / ac[0] if ac[0] > 0 else ac


def noise_colour(spectrum, axis, mask=None):
    """How the noise along ``axis`` (0: t1/F1, 1: t2/F2) is coloured:
    ``{'lag1': lag-1 autocorrelation (dimensionless; 0 white), 'outer_inner': noise power at
    |t| in the outer half of the positive time half over that in the inner half (1 white,
    0 for noise at |t| < 1/2 only), 'extent95': the |t| (fraction of the positive time half,
    0..1) below which 95 % of the noise power lies (0.95 white)}``. The time-domain power is
    the Fourier transform of :func:`noise_autocorrelation` (Wiener-Khinchin); its estimate
    scatters about the truth by a few % of its mean, and is summed as it is (not clipped at 0,
    which would bias the sums)."""
    ac = noise_autocorrelation(spectrum, axis, mask)
    n = ac.size
    power = np.fft.fft(ac).real
    j = np.arange(n)
    t = np.minimum(j, n - j) / (n / 2.0)          # |t|, fraction of the positive half
    inner = power[t < 0.5].sum()
    outer = power[t >= 0.5].sum()
    order = np.argsort(t, kind="stable")
    cumulative = np.cumsum(power[order])
    total = cumulative[-1]
    extent = float(t[order][np.argmax(cumulative >= 0.95 * total)]) if total > 0 else np.nan
    return {"lag1": float(ac[1]) if n > 1 else np.nan,
            "outer_inner": float(outer / inner) if inner > 0 else np.nan,
            "extent95": extent}


def local_maxima(spectrum, noise, threshold=10.0, box=(3, 5)):
    """Boolean mask (F1, F2) of the points where |S| is the largest of its ``box`` (F1 x F2
    points, periodic) neighbourhood and exceeds ``threshold`` x ``noise`` (spectrum units)."""
    a = np.abs(_as_spectrum(spectrum))
    top = ndimage.maximum_filter(a, size=box, mode="wrap")
    return (a == top) & (a > threshold * noise)


def find_peaks(spectrum, noise, threshold=10.0, box=(3, 5), reach=(16, 32), lobe=0.25):
    """(rows, cols, heights) of the peaks: the :func:`local_maxima` that are not side lobes of
    a stronger peak, i.e. whose |S| is at least ``lobe`` times the largest |S| within
    ``reach`` = (F1, F2) points along their column and their row (periodic). Truncation wiggles
    of strong lines (sinc side lobes, a few % of the line at SNR in the thousands), noise
    bumps on their flanks and t1-noise bumps beside them are not counted; nor is a genuinely
    weaker peak that close to a four times stronger one. The threshold applies to the
    column's own robust spread along F1 as well, where that exceeds ``noise`` (bumps of t1
    noise along a ridge are not peaks). Heights are the signed values S there, in spectrum
    units, largest |S| first."""
    s = _as_spectrum(spectrum)
    a = np.abs(s)
    keep = local_maxima(s, noise, threshold, box)
    keep &= a > threshold * robust_std(s, axis=0)[None, :]
    along_f1 = ndimage.maximum_filter(a, size=(2 * int(reach[0]) + 1, 1), mode="wrap")
    along_f2 = ndimage.maximum_filter(a, size=(1, 2 * int(reach[1]) + 1), mode="wrap")
    keep &= (a >= lobe * along_f1) & (a >= lobe * along_f2)
    rows, cols = np.nonzero(keep)
    heights = s[rows, cols]
    order = np.argsort(-np.abs(heights), kind="stable")
    return rows[order], cols[order], heights[order]


def _crossing(profile, tolerance):
    """Distance (points) from index 0 of each row of ``profile`` (heights normalised to 1 at
    index 0) to where it first falls below 0.5, interpolated between the points either side
    linearly in sqrt(1 / p - 1) (exact for a Lorentzian sampled at its top; linearly in p where
    the second point is not positive); NaN when it rises more
    than ``tolerance`` above its running minimum first (another peak) or never falls."""
    below = profile < 0.5
    first = np.where(below.any(axis=1), below.argmax(axis=1), -1)
    running = np.minimum.accumulate(profile, axis=1)
    rise = profile - running > tolerance[:, None]
    out = np.full(profile.shape[0], np.nan)
    for i, j in enumerate(first):
        if j <= 0 or rise[i, :j + 1].any():
            continue
        a, b = profile[i, j - 1], profile[i, j]
        if b > 0:       # sqrt(1 / p - 1) is linear in the distance for a Lorentzian
            qa, qb = np.sqrt(max(1.0 / a - 1.0, 0.0)), np.sqrt(1.0 / b - 1.0)
            out[i] = (j - 1) + (1.0 - qa) / (qb - qa)
        else:
            out[i] = (j - 1) + (a - 0.5) / (a - b)
    return out


def half_widths(spectrum, rows, cols, axis, noise=0.0, reach=64):
    """Full width at half height (points along ``axis``: 0 F1, 1 F2) of the peaks at (rows,
    cols): the two half-height crossings of the profile through the peak's top along that axis
    (periodic), each interpolated between the points around it (:func:`_crossing`: exact for a
    Lorentzian whose top is a sample), added. NaN for a peak
    whose profile, on either side, rises again by more than 3 noise levels (or 5 % of its
    height, whichever is more) before reaching half height (an overlapping peak), or does not
    reach it within ``reach`` points."""
    s = _as_spectrum(spectrum)
    rows, cols = np.asarray(rows, dtype=int), np.asarray(cols, dtype=int)
    if rows.size == 0:
        return np.zeros(0)
    n = s.shape[axis]
    reach = int(min(reach, n // 2))
    offsets = np.arange(reach + 1)
    centre = rows if axis == 0 else cols
    heights = s[rows, cols]
    tolerance = np.maximum(0.05, 3.0 * noise / np.abs(heights))
    sides = []
    for sign in (1, -1):
        index = (centre[:, None] + sign * offsets[None, :]) % n
        if axis == 0:
            profile = s[index, cols[:, None]]
        else:
            profile = s[rows[:, None], index]
        sides.append(_crossing(profile / heights[:, None], tolerance))
    return sides[0] + sides[1]


def ridge_strength(spectrum, noise):
    """Per F2 column, the robust standard deviation of the column along F1 over ``noise``
    (spectrum units): about 1 for a column of plain noise (a column's few peaks hardly move the
    median-based spread), more where t1 noise or artefacts run along F1. Shape (F2,)."""
    s = _as_spectrum(spectrum)
    return robust_std(s, axis=0) / noise


def baseline_offsets(spectrum, noise):
    """(rows, columns): the median of each F1 row (taken along F2) and of each F2 column
    (along F1), over ``noise``: a flat baseline gives values near 0 (a row of plain noise
    has a median within about 1.25 / sqrt(F2 points) noise levels of 0)."""
    s = _as_spectrum(spectrum)
    return np.median(s, axis=1) / noise, np.median(s, axis=0) / noise


def _quantiles(values, prefix):
    v = np.asarray(values, dtype=np.float64)
    v = v[np.isfinite(v)]
    return {f"{prefix}_q{round(100 * q):02d}": float(np.quantile(v, q)) if v.size else np.nan
            for q in QUANTILES}


def statistics(spectrum, threshold=5.0, peak_threshold=10.0):
    """Every statistic of the module docstring for one real 2D spectrum (F1, F2), as a flat
    dict of floats (units in the names' descriptions in :data:`DESCRIPTIONS`)."""
    s = _as_spectrum(spectrum)
    top = scale(s)
    mask = noise_mask(s, threshold)
    noise = max(noise_level(s, mask), 1e-30 * top)
    out = {"size_f1": float(s.shape[0]), "size_f2": float(s.shape[1]),
           "noise": noise / top, "noise_points": float(mask.mean())}
    for axis, name in ((0, "t1"), (1, "t2")):
        colour = noise_colour(s, axis, mask)
        out.update({f"{name}_{key}": value for key, value in colour.items()})
    out["maxima"] = float(local_maxima(s, noise, peak_threshold).sum())
    rows, cols, heights = find_peaks(s, noise, peak_threshold)
    out["peaks"] = float(rows.size)
    out["peaks_per_full"] = rows.size * FULL_AREA / s.size
    out["negative_peaks"] = float(np.mean(heights < 0)) if rows.size else np.nan
    out.update(_quantiles(np.abs(heights) / top, "height"))
    for axis, name in ((0, "f1"), (1, "f2")):
        widths = half_widths(s, rows, cols, axis, noise)
        out.update(_quantiles(widths, f"width_{name}"))
        out[f"width_{name}_measured"] = float(np.isfinite(widths).sum())
    out["above_1pc"] = float(np.mean(np.abs(s) > 0.01 * top))
    ridge = ridge_strength(s, noise)
    out.update({"ridge_max": float(ridge.max()), "ridge_p99": float(np.quantile(ridge, 0.99)),
                "ridge_median": float(np.median(ridge))})
    row_base, col_base = baseline_offsets(s, noise)
    out.update({"baseline_rows_max": float(np.abs(row_base).max()),
                "baseline_rows_rms": float(np.sqrt(np.mean(row_base ** 2))),
                "baseline_cols_max": float(np.abs(col_base).max()),
                "baseline_cols_rms": float(np.sqrt(np.mean(col_base ** 2)))})
    return out


DESCRIPTIONS = {
    "size_f1": "F1 points",
    "size_f2": "F2 points",
    "noise": "robust noise std / max |S|",
    "noise_points": "share of points taken as noise",
    "t1_lag1": "noise autocorrelation at lag 1 along F1",
    "t1_outer_inner": "t1 noise power, outer / inner half of |t|",
    "t1_extent95": "|t1| (of its half) holding 95 % of noise power",
    "t2_lag1": "noise autocorrelation at lag 1 along F2",
    "t2_outer_inner": "t2 noise power, outer / inner half of |t|",
    "t2_extent95": "|t2| (of its half) holding 95 % of noise power",
    "maxima": "local maxima of |S| > 10 noise (3 x 5 points)",
    "peaks": "those not side lobes (>= 1/4 of |S| within 16 F1, 32 F2) or on ridges",
    "peaks_per_full": "peaks scaled to 256 x 2048 points",
    "negative_peaks": "share of negative peaks",
    **{f"height_q{round(100 * q):02d}": f"peak height / max |S|, {round(100 * q)} % quantile"
       for q in QUANTILES},
    **{f"width_{a}_q{round(100 * q):02d}": f"{a.upper()} half-height width (points), "
       f"{round(100 * q)} % quantile" for a in ("f1", "f2") for q in QUANTILES},
    "width_f1_measured": "peaks with an F1 width (isolated)",
    "width_f2_measured": "peaks with an F2 width (isolated)",
    "above_1pc": "share of points with |S| > 0.01 max |S|",
    "ridge_max": "largest column robust std along F1 / noise",
    "ridge_p99": "99 % quantile of that over the columns",
    "ridge_median": "median of that over the columns",
    "baseline_rows_max": "largest |median of an F1 row| / noise",
    "baseline_rows_rms": "rms of the row medians / noise",
    "baseline_cols_max": "largest |median of an F2 column| / noise",
    "baseline_cols_rms": "rms of the column medians / noise",
}
