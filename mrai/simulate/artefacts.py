"""What real spectra have beyond Lorentzian peaks under one sine bell: the realistic simulator's
parts (docs/simulator.md gives the ranges and how they were measured).

Units as in mrai.simulate.spectra: times in dwells (index k of the acquired points), windows
over the acquired points, frequencies in fractions of the spectral width, amplitudes relative to
the largest clean peak-only value of the spectrum (``scale``).

Knowable and unknowable parts. An artefact made in the time domain reaches the P-type (Echo)
and the N-type (Anti-Echo) data through t1 perturbations eps_P(t1) and eps_N(t1). Their mean
(eps_P + eps_N) / 2 makes a spectrum whose Virtual Echo is symmetric, Re(L1) Re(L2), which the
Echo part determines (it joins the clean spectrum: a reconstruction can know it); their
half-difference (eps_P - eps_N) / 2 gives -Im(L1) Im(L2), whose Echo and Anti-Echo halves are
opposite, so that the Echo part cannot tell it (it joins the noise, as the unmeasured noise
does: mrai.nn.data's target leaves it out where the Echo does not see it).

- :func:`window`: NMRPipe-like windows SP (sine bell), EM (exponential) and GM (Lorentz to
  Gauss) over the acquired points.
- t1 noise (:func:`t1_noise`): a complex relative perturbation per t1 increment, common to all
  peaks (spectrometer instability), which spreads every peak along F1 into a ridge as strong as
  the peak times the perturbation.
- Solvent (:func:`solvent_ridge`): the residual water line, broad and partly dispersive in F2
  near the carrier, random from one t1 increment to the next: a ridge along F1.
- Baseline (:func:`baseline`): a smooth offset, quadratic along F2 and linear along F1.
"""

import numpy as np
import scipy.fft as sfft

WINDOW_KINDS = ("sp", "em", "gm")


def window(n, spec):
    """Window over ``n`` acquired points, float64: ``spec`` = ('sp', off, end, pow): NMRPipe SP,
    sin(pi off + pi (end - off) i / (n - 1)) ** pow; ('em', lb): exp(-lb x); ('gm', g1, g2):
    exp(g1 x - (g2 x) ** 2), with x = i / (n - 1) the fraction of the acquired time and lb, g1,
    g2 in e-folds over it (NMRPipe's EM and GM in these units)."""
    kind, *p = spec
    x = np.arange(n) / max(n - 1, 1)
    if kind == "sp":
        off, end, power = p
        return np.sin(np.pi * off + np.pi * (end - off) * x) ** power
    if kind == "em":
        return np.exp(-p[0] * x)
    if kind == "gm":
        return np.exp(p[0] * x - (p[1] * x) ** 2)
    raise ValueError(f"unknown window kind {kind!r}; known: {', '.join(WINDOW_KINDS)}")


def check_window(spec):
    """``spec`` as a tuple (kind, floats...) with the right number of parameters, or ValueError."""
    spec = tuple(spec)
    counts = {"sp": 3, "em": 1, "gm": 2}
    if not spec or spec[0] not in counts or len(spec) != counts[spec[0]] + 1:
        raise ValueError(f"a window is ('sp', off, end, pow), ('em', lb) or ('gm', g1, g2), "
                         f"got {spec!r}")
    values = tuple(float(v) for v in spec[1:])
    if not all(np.isfinite(values)):
        raise ValueError(f"window parameters must be finite, got {spec!r}")
    return (spec[0],) + values


def perturbations(m, level, shared, rng):
    """(mean, half-difference) of the P- and N-type t1 perturbations, complex (m,): eps_P and
    eps_N each of standard deviation ``level`` per increment, correlated with coefficient
    ``shared`` (1: the same on both, all knowable; 0: independent)."""
    def draw():
        return (rng.standard_normal(m) + 1j * rng.standard_normal(m)) / np.sqrt(2)
    common, own_p, own_n = draw(), draw(), draw()
    a, b = np.sqrt(shared), np.sqrt(1.0 - shared)
    eps_p = level * (a * common + b * own_p)
    eps_n = level * (a * common + b * own_n)
    return 0.5 * (eps_p + eps_n), 0.5 * (eps_p - eps_n)


def split_products(l1_mean, l1_diff, l2):
    """(knowable, unknowable) real spectra of per-peak F1 lines made with the mean and the
    half-difference of the perturbations (complex (F1, K), amplitudes applied) and F2 lines
    (complex (F2, K)): Re(L1m) Re(L2) and -Im(L1d) Im(L2)."""
    return l1_mean.real @ l2.real.T, -(l1_diff.imag @ l2.imag.T)


def _axis_line(n, values, start_halved=True):
    """Zero fill ``values`` (complex, over the acquired points, first point halved when
    ``start_halved``) to ``n``, FT, stored orientation (highest frequency first)."""
    v = np.array(values, dtype=np.complex128)
    if start_halved:
        v[0] *= 0.5
    spec = sfft.fft(v, n=n)
    return np.flip(sfft.fftshift(spec))


def solvent_ridge(size, acquired, windows, level, freq2, decay2, phase, shared, rng):
    """(knowable, unknowable) parts of a residual solvent ridge, float64 (F1, F2): an F2 line at
    ``freq2`` (fractions of the width) decaying by ``decay2`` e-folds over the acquired t2, with
    zero-order phase ``phase`` (radians: a dispersive share), times a t1 series that is random
    per increment (white, complex) and windowed like the data. Scaled so that the whole ridge's
    standard deviation along F1, in its strongest column, is ``level``."""
    (n0, n1), (m0, m1) = size, acquired
    t2 = np.arange(m1)
    fid2 = np.exp(t2 * (2j * np.pi * freq2 - decay2 / m1)) * windows[1][:m1] * np.exp(1j * phase)
    l2 = _axis_line(n1, fid2)[:, None]
    mean, diff = perturbations(m0, 1.0, shared, rng)
    w0 = windows[0][:m0]
    l1m = _axis_line(n0, mean * w0)[:, None]
    l1d = _axis_line(n0, diff * w0)[:, None]
    known, unknown = split_products(l1m, l1d, l2)
    spread = float(np.std(known + unknown, axis=0).max())
    factor = level / max(spread, 1e-30)
    return known * factor, unknown * factor


def baseline(size, level, rng):
    """A smooth baseline, float64 (F1, F2): (c0 + c1 x + c2 (2 x^2 - 1)) (1 + d y) with x, y in
    -1..1 along F2 and F1 and the coefficients standard normal, scaled so that its largest
    absolute value is ``level``."""
    n0, n1 = size
    x = np.linspace(-1.0, 1.0, n1)
    y = np.linspace(-1.0, 1.0, n0)
    c = rng.standard_normal(3)
    d = rng.standard_normal()
    b = np.outer(1.0 + 0.5 * d * y, c[0] + c[1] * x + c[2] * (2 * x ** 2 - 1))
    return b * (level / max(float(np.abs(b).max()), 1e-30))
