"""Seeded random 2D spectra: pure-absorption references and their Echo, Anti-Echo and NUS forms.

Every peak is a 2D Lorentzian, separable in t1 and t2. Each dimension is built as NMRPipe would
process it: the decaying complex exponential over the acquired points, a sine-bell window
(NMRPipe SP: sin(pi*off + pi*(end - off)*i/(N - 1))**pow), first point halved, zero fill to the
spectrum size, FT, small phase error, stored with the highest frequency first. The pure-absorption
(States) spectrum is sum_k a_k Re(L1_k) Re(L2_k), one matrix product. Noise is white in the
Virtual-Echo domain, shaped by the same windows, so it is coloured as in a processed spectrum.

Units: frequencies in fractions of the spectral width (-0.5..0.5); decays in e-folds over the
acquired time of that dimension; noise as the noise standard deviation over max |clean spectrum|;
time starts (``t1_start``, ``t2_start``) in dwells; phases in degrees.

Stored orientation: index j of a dimension of n points holds the frequency
nu(j) = (n - 1 - n // 2 - j) / n (fractions of the spectral width; highest first; for even n this
is nmrPipe's axis rolled by one point, nmrPipe's being (n // 2 - j) / n; for odd n the two agree).

Time offsets. With ``start`` = s dwells the samples of a dimension are at t = (k + s) dt,
k = 0 .. acquired - 1 (no first-point halving unless s == 0), and the processed line is phase
corrected exactly, by exp(-2 pi i nu(j) s), so that peaks are absorptive: the linear phase nmrPipe's
PS applies. nmrPipe's PS multiplies stored point i of n by exp(+i (P0 + P1 i / n)) (degrees), on
its axis nu(i) = (n // 2 - i) / n, so the correction of a start s is P1 = +360 s and
P0 = -360 s (n // 2) / n (= -180 s for even n): f1180 (s = 1/2) is P0 -90, P1 180
(:meth:`SimulationSettings.phases`; checked against nmrglue's FT and PS in tests/test_simulate.py).

Echo and Anti-Echo. Per peak, with complex processed lines L1 (F1) and L2 (F2), the reference is
Re(L1) Re(L2), the Echo-only spectrum (processed from the P-type FIDs alone) 0.5 Re(L1 L2) and the
Anti-Echo-only one 0.5 Re(conj(L1) L2); they add up to the reference for any start. With both
starts 0 the parts are taken by the Virtual-Echo quadrant mask (mrai.physics.echo_part), which for
peaks without phase errors is the same to round-off (it differs on the shared t = 0 lines by
the per-peak phase errors), and stays so for reproducibility of seeded data. With any other start
the clean parts are the exact line products above and the noise is split by the mask of the
nearest exactly separable time grid (start 0 or 1/2 modulo one dwell, :func:`grid_start`;
mrai.physics.grid_part), exact for starts 0 and 1/2 (f1180: the half-dwell split,
mrai.physics.half_dwell_part).
"""

from dataclasses import asdict, dataclass, field

import numpy as np
import scipy.fft as sfft

from mrai.physics.echo import antiecho_part, echo_part
from mrai.physics.grid import grid_part
from mrai.physics.nus import nus_degrade
from mrai.simulate.artefacts import (baseline, check_window, perturbations, solvent_ridge,
                                     split_products, window)
from mrai.simulate.schedules import poisson_gap, schedule_size


@dataclass
class SimulationSettings:
    """What :func:`simulate` draws from. Ranges are (low, high) for uniform draws.

    ``t1_start``, ``t2_start``: time of the first sample of t1 / t2, in dwells (0: the usual
    t = 0 start with the first point halved; 0.5: f1180, half a dwell; small values: a delay
    that a first-order phase corrects). The processed spectrum is phase corrected for it, with
    the nmrPipe phases that :meth:`phases` gives. Any finite value is accepted (negative: the
    first sample before t = 0, as a negative P1 implies).
    """

    size: tuple = (256, 2048)          # spectrum points (F1, F2), each >= 8, odd or even
    acquired: tuple = None             # complex time points (t1, t2); default size / 2
    peaks: tuple = (300, 300)          # peak count range
    amplitude: tuple = (0.05, 1.0)     # peak amplitude range
    negative_fraction: float = 0.0     # share of negative peaks (edited spectra)
    freq1: tuple = (-0.49, 0.49)       # F1 frequencies, fractions of the spectral width
    freq2: tuple = (-0.49, 0.49)
    decay1: tuple = (0.1, 1.5)         # t1 decay, e-folds over the acquired t1
    decay2: tuple = (1.0, 6.0)         # t2 decay, e-folds over the acquired t2
    phase_deg: float = 1.0             # standard deviation of per-peak phase errors, degrees
    noise: float = 1e-3                # noise std / max |clean spectrum|
    imbalance: float = 0.0             # Echo scaled by (1 + imbalance), Anti-Echo by (1 - it)
    window: tuple = (0.5, 0.98, 2.0)   # sine bell (off, end, pow), both dimensions
    nus_fraction: float = 0.5          # NUS sampling fraction of the acquired t1 points
    t1_start: float = 0.0              # first t1 sample at t1_start dwells (0.5: f1180)
    t2_start: float = 0.0              # first t2 sample at t2_start dwells
    # the realistic simulator's parts (mrai.simulate.artefacts); all off by default
    windows: tuple = None              # per dimension ('sp', off, end, pow) | ('em', lb) |
                                       # ('gm', g1, g2); None: the sine bell ``window`` in both
    amplitude_scale: str = "linear"    # 'log': amplitudes log-uniform over ``amplitude``
    broad_fraction: float = 0.0        # share of broadened (exchange) peaks
    broad_factor: tuple = (3.0, 10.0)  # their decay multiplier range (both dimensions)
    coupling_fraction: float = 0.0     # share of peaks split into an in-phase F1 doublet
    coupling1: tuple = (0.004, 0.015)  # its splitting J, fractions of the F1 spectral width
    global_phase_deg: float = 0.0      # std of a zero-order phase error per dimension, degrees
    t1_noise: float = 0.0              # std of the relative t1 perturbation per increment
    t1_noise_shared: float = 0.5       # its correlation between P- and N-type data
    solvent: float = 0.0               # solvent ridge std along F1 (strongest column) / max
    solvent_freq2: tuple = (-0.06, 0.06)   # solvent F2 position range, fractions of the width
    solvent_decay2: tuple = (10.0, 60.0)   # its t2 decay range, e-folds over the acquired t2
    solvent_shared: float = 0.0        # correlation of its P- and N-type t1 series
    baseline: float = 0.0              # largest value of a smooth baseline / max
    carrier: float = 0.0               # ridge at the F2 carrier from a DC offset of the FIDs
    #                                    random per t1 increment: its std along F1 / max

    def __post_init__(self):
        self.size = tuple(int(n) for n in self.size)
        if len(self.size) != 2 or any(n < 8 for n in self.size):
            raise ValueError(f"spectrum size must be two numbers >= 8, got {self.size}")
        if self.acquired is None:
            self.acquired = tuple(n // 2 for n in self.size)
        self.acquired = tuple(int(n) for n in self.acquired)
        if any(a < 2 or a > n for a, n in zip(self.acquired, self.size)):
            raise ValueError(f"acquired points {self.acquired} must be in 2..size {self.size}")
        if isinstance(self.peaks, (int, np.integer)):
            self.peaks = (int(self.peaks), int(self.peaks))
        if min(self.peaks) < 0:
            raise ValueError("peak count must be >= 0")
        if self.noise < 0:
            raise ValueError("noise must be >= 0")
        self.t1_start, self.t2_start = float(self.t1_start), float(self.t2_start)
        if not (np.isfinite(self.t1_start) and np.isfinite(self.t2_start)):
            raise ValueError(f"time starts must be finite, got {self.t1_start}, {self.t2_start}")
        if self.windows is not None:
            if len(self.windows) != 2:
                raise ValueError("windows must give one window per dimension (F1, F2)")
            self.windows = tuple(check_window(w) for w in self.windows)
        if self.amplitude_scale not in ("linear", "log"):
            raise ValueError(f"amplitude_scale must be 'linear' or 'log', not "
                             f"{self.amplitude_scale!r}")
        if self.amplitude_scale == "log" and min(self.amplitude) <= 0:
            raise ValueError("log-uniform amplitudes need a positive range")
        for name in ("broad_fraction", "coupling_fraction", "t1_noise_shared", "solvent_shared"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be in 0..1, got {getattr(self, name)}")
        for name in ("t1_noise", "solvent", "baseline", "global_phase_deg", "carrier"):
            value = getattr(self, name)
            if not (np.isfinite(value) and value >= 0):
                raise ValueError(f"{name} must be finite and >= 0, got {value}")

    @property
    def realistic(self):
        """Whether any part of the realistic simulator is on."""
        return (self.windows is not None or self.amplitude_scale != "linear"
                or self.broad_fraction > 0 or self.coupling_fraction > 0
                or self.global_phase_deg > 0 or self.t1_noise > 0 or self.solvent > 0
                or self.baseline > 0 or self.carrier > 0)

    @property
    def starts(self):
        """(t1_start, t2_start) in dwells."""
        return (self.t1_start, self.t2_start)

    def phases(self):
        """The nmrPipe phase correction (degrees) of each dimension that makes the peaks of data
        whose first sample is at ``start`` dwells absorptive: ``{'F1': (P0, P1), 'F2': (P0, P1)}``
        with P1 = 360 start and P0 = -360 start (n // 2) / n (-180 start for even n), nmrPipe's
        PS convention (module docstring). t1_start 0.5 gives F1 (-90.0, 180.0) for even sizes;
        start 0 gives (0.0, 0.0)."""
        return {axis: _nmrpipe_phases(n, start)
                for axis, n, start in zip(("F1", "F2"), self.size, self.starts)}

    def to_dict(self):
        return asdict(self)


def _nmrpipe_phases(n, start):
    if start == 0:
        return (0.0, 0.0)
    return (float(-360.0 * start * (n // 2) / n), float(360.0 * start))


def grid_start(start):
    """The exactly separable time-grid start (0.0 or 0.5 dwells) nearest ``start`` modulo one
    dwell (ties go to 0): the grid whose Echo / Anti-Echo mask splits the noise."""
    frac = float(start) % 1.0
    return 0.5 if 0.25 < frac < 0.75 else 0.0


def frequencies(n):
    """Frequency of each stored index of a dimension of ``n`` points, in fractions of the
    spectral width (highest first): (n - 1 - n // 2 - j) / n."""
    return (n - 1 - n // 2 - np.arange(n)) / n


@dataclass
class SimulatedSpectrum:
    """A simulated data set; all spectra float32 (F1, F2).

    reference: pure absorption with noise, what ideal full processing gives (the target);
    clean: the same without noise; full: the measured full spectrum, with the Echo/Anti-Echo
    imbalance (equal to reference when it is 0); echo, antiecho: the Echo-only and
    Anti-Echo-only spectra (with imbalance 0, ``echo + antiecho == reference`` to float32
    round-off); nus: ``full`` sampled at ``schedule`` (t1 indices) by
    mrai.physics.nus_degrade, which assumes t1 starts at 0: with a non-zero ``t1_start`` it is
    computed the same way but is not a physical NUS spectrum; peaks: the drawn parameters, one
    array entry per peak. ``settings.phases()`` gives the nmrPipe phases of the data, and
    ``header`` an NMRPipe header for its spectra that records them.
    """

    reference: np.ndarray
    clean: np.ndarray
    full: np.ndarray
    echo: np.ndarray
    antiecho: np.ndarray
    nus: np.ndarray
    schedule: np.ndarray
    settings: SimulationSettings
    peaks: dict = field(default_factory=dict)

    @property
    def header(self):
        """An NMRPipe header for these spectra (a 900 MHz 1H-15N HSQC's widths), with the
        acquired points and the first-order phases of their time grids."""
        from mrai.fileio.header import spectrum_header

        header = spectrum_header(self.settings.size, acquired=self.settings.acquired)
        for axis, (p0, p1) in self.settings.phases().items():
            header[f"FD{axis}P0"], header[f"FD{axis}P1"] = float(p0), float(p1)
        return header


def sine_bell(n, off=0.5, end=0.98, power=2.0):
    """NMRPipe SP window over ``n`` points."""
    i = np.arange(n)
    return np.sin(np.pi * off + np.pi * (end - off) * i / max(n - 1, 1)) ** power


def _uniform(rng, bounds, n):
    lo, hi = bounds if np.ndim(bounds) else (bounds, bounds)
    return rng.uniform(lo, hi, n)


def _correction(n, start):
    """exp(-2 pi i nu(j) start), the exact phase correction of a first sample at ``start``
    dwells, over the stored indices (complex64, shape (n,))."""
    return np.exp(-2j * np.pi * frequencies(n) * start).astype(np.complex64)


def _transform(x, n, start, axis):
    """Process complex time-domain data along ``axis`` (samples at (k + start) dwells, window and
    first-point scaling already applied): zero fill to ``n``, FT, stored orientation, phase
    correction of the start. Complex64."""
    spec = sfft.fft(x.astype(np.complex64, copy=False), n=n, axis=axis, workers=-1)
    spec = np.flip(sfft.fftshift(spec, axes=axis), axis=axis)
    if start != 0:
        shape = [1] * spec.ndim
        shape[axis] = n
        spec = spec * _correction(n, start).reshape(shape)
    return spec


def _lines(n_spec, n_acq, freqs, decays, phases, window, start=0.0, couplings=None):
    """Complex 1D spectra (n_spec, K) of K decaying exponentials, processed NMRPipe-style.

    Samples at t = (k + start) dwells, k < n_acq; ``window`` (n_acq,) multiplies them (complex
    where it carries a t1 perturbation); ``couplings`` (K,) split each line into an in-phase
    doublet J apart (fractions of the spectral width: cos(pi J t)); first point halved only
    for start 0; phase corrected for the start (absorptive); then the per-peak phase errors
    ``phases`` (radians)."""
    t = np.arange(n_acq, dtype=np.float64)[:, None]
    if start != 0:
        t = t + start
    fid = np.exp(t * (2j * np.pi * freqs[None, :] - decays[None, :] / n_acq))
    if couplings is not None:
        fid *= np.cos(np.pi * couplings[None, :] * t)
    fid = fid * window[:n_acq, None]
    if start == 0:
        fid[0] *= 0.5
    spec = _transform(fid, n_spec, start, axis=0)
    return spec * np.exp(1j * phases[None, :]).astype(np.complex64)


def _noise_shifted(shape, acquired, windows, starts, rng):
    """Unit-std real noise spectrum for data whose samples start at ``starts`` (dwells): white
    complex time-domain noise on the P-type and on the N-type FIDs, windowed (first point halved
    where a start is 0), processed and phase corrected as the signal is; the real part of the
    sum. For starts 0 or 1/2 it is white on the (half-dwell shifted) Virtual Echo grid."""
    (m0, m1), (s0, s1) = acquired, starts
    weights = []
    for m, w, start in zip(acquired, windows, starts):
        v = np.array(w[:m], dtype=np.float64)
        if start == 0:
            v[0] *= 0.5
        weights.append(v)
    wt = weights[0][:, None] * weights[1][None, :]
    total = np.zeros(shape, dtype=np.float64)
    for coherence in ("P", "N"):
        z = (rng.standard_normal((m0, m1)) + 1j * rng.standard_normal((m0, m1))) * wt
        line2 = _transform(z, shape[1], s1, axis=1)      # t2 > 0 for both coherences
        if coherence == "N":                              # t1 < 0: conj along t1
            line2 = np.conj(line2)
        total += _transform(line2, shape[0], s0, axis=0).real
    return (total / max(float(total.std()), 1e-30)).astype(np.float32)


def _noise(shape, acquired, windows, rng):
    """Unit-std real noise spectrum, coloured as processing colours white time-domain noise
    (both starts 0)."""
    weights = []
    for n, m, w in zip(shape, acquired, windows):
        full = np.zeros(n)
        full[:m] = w
        full[n - m + 1:] = w[1:][::-1]
        weights.append(full)
    z = rng.standard_normal(shape) + 1j * rng.standard_normal(shape)
    z *= weights[0][:, None] * weights[1][None, :]
    noise = sfft.fft2(z.astype(np.complex64), workers=-1).real
    return noise / max(float(noise.std()), 1e-30)


def spectrum(size=(256, 2048), peaks=300, noise=1e-3, seed=None, t1_start=0.0, t2_start=0.0,
             **settings):
    """:func:`simulate` with the common settings as keywords (the public API's
    ``mrai.simulate``): ``size`` (F1, F2), ``peaks``, ``noise`` (std / largest peak), ``seed``,
    ``t1_start`` / ``t2_start`` (dwells) and any other :class:`SimulationSettings` field."""
    values = SimulationSettings(size=tuple(size), peaks=peaks, noise=noise, t1_start=t1_start,
                                t2_start=t2_start, **settings)
    return simulate(values, seed=seed)


def simulate(settings=None, seed=None, **overrides):
    """Draw one random data set. ``settings`` (or keyword overrides of its fields) and ``seed``
    fix everything: the same seed gives the same spectra (and the same peaks whatever the time
    starts). With both starts 0 and the realistic parts off the output is bit for bit what it
    was before starts and those parts existed. Returns :class:`SimulatedSpectrum`.

    Realistic parts (mrai.simulate.artefacts): what the Echo part determines (couplings, broad
    lines, windows, phase errors, the baseline, the shared half of t1 noise and solvent) joins
    ``clean``; what it cannot tell (the P/N-independent half of t1 noise and solvent) joins the
    noise, ``reference - clean``."""
    if settings is None:
        settings = SimulationSettings(**overrides)
    elif overrides:
        settings = SimulationSettings(**{**settings.to_dict(), **overrides})
    rng = np.random.default_rng(seed)
    (n0, n1), (m0, m1) = settings.size, settings.acquired
    k = int(rng.integers(settings.peaks[0], settings.peaks[1] + 1))
    if settings.amplitude_scale == "log":
        amp = np.exp(_uniform(rng, np.log(settings.amplitude), k))
    else:
        amp = _uniform(rng, settings.amplitude, k)
    amp[rng.random(k) < settings.negative_fraction] *= -1
    peaks = dict(amplitude=amp,
                 freq1=_uniform(rng, settings.freq1, k), freq2=_uniform(rng, settings.freq2, k),
                 decay1=_uniform(rng, settings.decay1, k), decay2=_uniform(rng, settings.decay2, k),
                 phase1=np.deg2rad(rng.normal(0, settings.phase_deg, k)),
                 phase2=np.deg2rad(rng.normal(0, settings.phase_deg, k)))
    if settings.realistic:
        return _simulate_realistic(settings, rng, k, peaks)
    w0, w1 = sine_bell(m0, *settings.window), sine_bell(m1, *settings.window)
    s0, s1 = settings.starts
    if s0 == 0 and s1 == 0:    # the original construction, bit for bit
        l1 = _lines(n0, m0, peaks["freq1"], peaks["decay1"], peaks["phase1"], w0).real
        l2 = _lines(n1, m1, peaks["freq2"], peaks["decay2"], peaks["phase2"], w1).real
        clean = (l1 * amp.astype(np.float32)) @ l2.T
        scale = float(np.abs(clean).max()) if k else 1.0
        noise = _noise((n0, n1), (m0, m1), (w0, w1), rng) * (settings.noise * scale)
        reference = (clean + noise).astype(np.float32)
        echo, antiecho = echo_part(reference), antiecho_part(reference)
    else:
        c1 = _lines(n0, m0, peaks["freq1"], peaks["decay1"], peaks["phase1"], w0, s0)
        c2 = _lines(n1, m1, peaks["freq2"], peaks["decay2"], peaks["phase2"], w1, s1)
        a1 = c1 * amp.astype(np.float32)
        clean = a1.real @ c2.real.T                       # Re(L1) Re(L2)
        twist = (a1.imag @ c2.imag.T).astype(np.float64)  # Im(L1) Im(L2)
        scale = float(np.abs(clean).max()) if k else 1.0
        noise = _noise_shifted((n0, n1), (m0, m1), (w0, w1), (s0, s1), rng)
        noise = noise * np.float32(settings.noise * scale)
        reference = (clean + noise).astype(np.float32)
        grid = (grid_start(s0), grid_start(s1))
        echo_noise = grid_part(noise, "echo", grid).astype(np.float64)
        echo = (0.5 * (clean.astype(np.float64) - twist) + echo_noise).astype(np.float32)
        antiecho = reference - echo                      # 0.5 Re(conj(L1) L2) + the rest
    return _finish(settings, rng, peaks, reference, clean, echo, antiecho)


def _finish(settings, rng, peaks, reference, clean, echo, antiecho):
    """Imbalance, the NUS schedule and the result."""
    e = settings.imbalance
    full = reference + np.float32(e) * (echo - antiecho)
    m0 = settings.acquired[0]
    schedule = poisson_gap(m0, schedule_size(m0, settings.nus_fraction), seed=rng.integers(2**32))
    return SimulatedSpectrum(reference=reference, clean=clean.astype(np.float32), full=full,
                             echo=(1 + e) * echo, antiecho=(1 - e) * antiecho,
                             nus=nus_degrade(full, schedule), schedule=schedule,
                             settings=settings, peaks=peaks)


def _simulate_realistic(settings, rng, k, peaks):
    """:func:`simulate` with the realistic parts on (peaks already drawn)."""
    (n0, n1), (m0, m1) = settings.size, settings.acquired
    s0, s1 = settings.starts
    amp = peaks["amplitude"]
    if settings.windows is None:
        w0, w1 = sine_bell(m0, *settings.window), sine_bell(m1, *settings.window)
    else:
        w0, w1 = window(m0, settings.windows[0]), window(m1, settings.windows[1])
    broad = rng.random(k) < settings.broad_fraction
    factor = np.where(broad, _uniform(rng, settings.broad_factor, k), 1.0)
    peaks["decay1"], peaks["decay2"] = peaks["decay1"] * factor, peaks["decay2"] * factor
    coupled = rng.random(k) < settings.coupling_fraction
    peaks["coupling1"] = np.where(coupled, _uniform(rng, settings.coupling1, k), 0.0)
    offsets = np.deg2rad(rng.normal(0, settings.global_phase_deg, 2))
    peaks["phase1"], peaks["phase2"] = peaks["phase1"] + offsets[0], peaks["phase2"] + offsets[1]
    args1 = (peaks["freq1"], peaks["decay1"], peaks["phase1"])
    c1 = _lines(n0, m0, *args1, w0, s0, peaks["coupling1"]) * amp
    c2 = _lines(n1, m1, peaks["freq2"], peaks["decay2"], peaks["phase2"], w1, s1)
    clean = c1.real @ c2.real.T
    twist = c1.imag @ c2.imag.T
    scale = float(np.abs(clean).max()) if k else 1.0
    known = np.zeros((n0, n1))
    unknown = np.zeros((n0, n1))
    if settings.t1_noise > 0 and k:
        mean, diff = perturbations(m0, settings.t1_noise, settings.t1_noise_shared, rng)
        l1m = _lines(n0, m0, *args1, w0 * mean, s0, peaks["coupling1"]) * amp
        l1d = _lines(n0, m0, *args1, w0 * diff, s0, peaks["coupling1"]) * amp
        a, b = split_products(l1m, l1d, c2)
        known += a
        unknown += b
    if settings.solvent > 0:
        a, b = solvent_ridge((n0, n1), (m0, m1), (w0, w1), settings.solvent * scale,
                             _uniform(rng, settings.solvent_freq2, 1)[0],
                             _uniform(rng, settings.solvent_decay2, 1)[0],
                             rng.uniform(-np.pi, np.pi), settings.solvent_shared, rng)
        known += a
        unknown += b
    if settings.carrier > 0:
        a, b = solvent_ridge((n0, n1), (m0, m1), (w0, w1), settings.carrier * scale, 0.0, 0.0,
                             rng.uniform(-np.pi, np.pi), rng.uniform(0, 1), rng)
        known += a
        unknown += b
    if settings.baseline > 0:
        known += baseline((n0, n1), settings.baseline * scale, rng)
    if s0 == 0 and s1 == 0:
        noise = _noise((n0, n1), (m0, m1), (w0, w1), rng) * (settings.noise * scale)
    else:
        noise = _noise_shifted((n0, n1), (m0, m1), (w0, w1), (s0, s1), rng)
        noise = noise * (settings.noise * scale)
    noise = noise + unknown
    clean_all = clean + known
    reference = (clean_all + noise).astype(np.float32)
    if s0 == 0 and s1 == 0:
        echo = echo_part(reference)
    else:
        grid = (grid_start(s0), grid_start(s1))
        echo = 0.5 * (clean - twist) + grid_part(known + noise, "echo", grid)
        echo = echo.astype(np.float32)
    antiecho = reference - echo
    return _finish(settings, rng, peaks, reference, clean_all, echo, antiecho)
