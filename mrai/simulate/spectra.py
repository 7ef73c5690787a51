"""Seeded random 2D spectra: pure-absorption references and their Echo, Anti-Echo and NUS forms.

Every peak is a 2D Lorentzian, separable in t1 and t2. Each dimension is built as NMRPipe would
process it: the decaying complex exponential over the acquired points, a sine-bell window
(NMRPipe SP: sin(pi*off + pi*(end - off)*i/(N - 1))**pow), first point halved, zero fill to the
spectrum size, FT, small phase error, stored with the highest frequency first. The pure-absorption
(States) spectrum is sum_k a_k Re(L1_k) Re(L2_k), one matrix product. Noise is white in the
Virtual-Echo domain, shaped by the same windows, so it is coloured as in a processed spectrum.

Units: frequencies in fractions of the spectral width (-0.5..0.5); decays in e-folds over the
acquired time of that dimension; noise as the noise standard deviation over max |clean spectrum|.
"""

from dataclasses import asdict, dataclass, field

import numpy as np
import scipy.fft as sfft

from mrai.physics.echo import antiecho_part, echo_part
from mrai.physics.nus import nus_degrade
from mrai.simulate.schedules import poisson_gap, schedule_size


@dataclass
class SimulationSettings:
    """What :func:`simulate` draws from. Ranges are (low, high) for uniform draws."""

    size: tuple = (256, 2048)          # spectrum points (F1, F2), even
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

    def __post_init__(self):
        self.size = tuple(int(n) for n in self.size)
        if len(self.size) != 2 or any(n < 4 or n % 2 for n in self.size):
            raise ValueError(f"spectrum size must be two even numbers >= 4, got {self.size}")
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

    def to_dict(self):
        return asdict(self)


@dataclass
class SimulatedSpectrum:
    """A simulated data set; all spectra float32 (F1, F2).

    reference: pure absorption with noise, what ideal full processing gives (the target);
    clean: the same without noise; full: the measured full spectrum, with the Echo/Anti-Echo
    imbalance (equal to reference when it is 0); echo, antiecho: the Echo-only and
    Anti-Echo-only spectra; nus: ``full`` sampled at ``schedule`` (t1 indices);
    peaks: the drawn parameters, one array entry per peak.
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


def sine_bell(n, off=0.5, end=0.98, power=2.0):
    """NMRPipe SP window over ``n`` points."""
    i = np.arange(n)
    return np.sin(np.pi * off + np.pi * (end - off) * i / max(n - 1, 1)) ** power


def _uniform(rng, bounds, n):
    lo, hi = bounds if np.ndim(bounds) else (bounds, bounds)
    return rng.uniform(lo, hi, n)


def _lines(n_spec, n_acq, freqs, decays, phases, window):
    """Complex 1D spectra (n_spec, K) of K decaying exponentials, processed NMRPipe-style."""
    t = np.arange(n_acq, dtype=np.float64)[:, None]
    fid = np.exp(t * (2j * np.pi * freqs[None, :] - decays[None, :] / n_acq))
    fid *= window[:, None]
    fid[0] *= 0.5
    spec = sfft.fft(fid.astype(np.complex64), n=n_spec, axis=0, workers=-1)
    spec = sfft.fftshift(spec, axes=0)[::-1]
    return spec * np.exp(1j * phases[None, :]).astype(np.complex64)


def _noise(shape, acquired, windows, rng):
    """Unit-std real noise spectrum, coloured as processing colours white time-domain noise."""
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


def simulate(settings=None, seed=None, **overrides):
    """Draw one random data set. ``settings`` (or keyword overrides of its fields) and ``seed``
    fix everything: the same seed gives the same spectra. Returns :class:`SimulatedSpectrum`."""
    if settings is None:
        settings = SimulationSettings(**overrides)
    elif overrides:
        settings = SimulationSettings(**{**settings.to_dict(), **overrides})
    rng = np.random.default_rng(seed)
    (n0, n1), (m0, m1) = settings.size, settings.acquired
    k = int(rng.integers(settings.peaks[0], settings.peaks[1] + 1))
    amp = _uniform(rng, settings.amplitude, k)
    amp[rng.random(k) < settings.negative_fraction] *= -1
    peaks = dict(amplitude=amp,
                 freq1=_uniform(rng, settings.freq1, k), freq2=_uniform(rng, settings.freq2, k),
                 decay1=_uniform(rng, settings.decay1, k), decay2=_uniform(rng, settings.decay2, k),
                 phase1=np.deg2rad(rng.normal(0, settings.phase_deg, k)),
                 phase2=np.deg2rad(rng.normal(0, settings.phase_deg, k)))
    w0, w1 = sine_bell(m0, *settings.window), sine_bell(m1, *settings.window)
    l1 = _lines(n0, m0, peaks["freq1"], peaks["decay1"], peaks["phase1"], w0).real
    l2 = _lines(n1, m1, peaks["freq2"], peaks["decay2"], peaks["phase2"], w1).real
    clean = (l1 * amp.astype(np.float32)) @ l2.T
    scale = float(np.abs(clean).max()) if k else 1.0
    noise = _noise((n0, n1), (m0, m1), (w0, w1), rng) * (settings.noise * scale)
    reference = (clean + noise).astype(np.float32)
    echo, antiecho = echo_part(reference), antiecho_part(reference)
    e = settings.imbalance
    full = reference + np.float32(e) * (echo - antiecho)
    schedule = poisson_gap(m0, schedule_size(m0, settings.nus_fraction), seed=rng.integers(2**32))
    return SimulatedSpectrum(reference=reference, clean=clean.astype(np.float32), full=full,
                             echo=(1 + e) * echo, antiecho=(1 - e) * antiecho,
                             nus=nus_degrade(full, schedule), schedule=schedule,
                             settings=settings, peaks=peaks)
