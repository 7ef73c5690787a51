"""Training data for the WNN: simulated spectra drawn on the fly, seeded by (seed, batch index).

:class:`TrainingRecipe` says how widely the simulator is randomised. Peak counts are given for a
256 x 2048 spectrum and scaled with the sample area, so that smaller training samples have the
peak density of full-size spectra. Each sample is normalised by the maximum of its reference.
Echo/Anti-Echo imbalance is not drawn: an Echo-only input carries one half only, so an imbalance
only rescales it, and the network is scale invariant by construction.
"""

from dataclasses import asdict, dataclass

import numpy as np

from mrai.methods.ist import ist
from mrai.methods.projection import Projection
from mrai.simulate.spectra import SimulationSettings, simulate

FULL_AREA = 256 * 2048


@dataclass
class TrainingRecipe:
    sizes: tuple = ((64, 512),)          # sample sizes (F1, F2); one per epoch, drawn
    peaks: tuple = (30, 5000)            # peak count range for 256 x 2048, log-uniform
    acquired1: tuple = (0.35, 0.5)       # acquired t1 points / F1 size
    acquired2: tuple = (0.3, 0.5)        # acquired t2 points / F2 size
    decay1: tuple = (0.05, 2.0)          # e-folds over acquired t1
    decay2: tuple = (0.5, 8.0)           # e-folds over acquired t2
    noise: tuple = (1e-4, 2e-2)          # noise std / max, log-uniform
    phase_deg: float = 2.0
    negative_fraction: tuple = (0.0, 0.3)
    window_off: tuple = (0.35, 0.5)
    window_end: tuple = (0.9, 1.0)
    window_pow: tuple = (1.0, 2.0)
    # the realistic simulator (mrai.simulate.artefacts, docs/simulator.md); all off by default,
    # so that the cards of the networks trained before it read as they were trained
    window_kinds: tuple = (1.0, 0.0, 0.0)   # chance of an SP, EM, GM window, per dimension
    em_lb: tuple = (0.5, 4.0)               # EM line broadening, e-folds over the acquired time
    gm_g1: tuple = (0.0, 2.0)               # GM inverse exponential, e-folds
    gm_g2: tuple = (0.5, 2.5)               # GM Gaussian, e-folds
    log_amplitudes: float = 0.0             # chance of log-uniform peak heights ...
    dynamic_range: tuple = (30.0, 3000.0)   # ... from 1 / this (drawn log-uniform) up to 1
    broad_fraction: tuple = (0.0, 0.0)      # share of exchange-broadened peaks
    coupling_chance: float = 0.0            # chance of a spectrum with F1 doublets (13C-13C)
    coupling_fraction: tuple = (0.3, 1.0)   # share of its peaks that are split
    global_phase_deg: float = 0.0           # residual zero-order phase error scale, degrees
    t1_noise: tuple = (0.0, 0.0)            # relative t1 perturbation, log-uniform
    solvent_chance: float = 0.0             # chance of a solvent ridge ...
    solvent: tuple = (2e-3, 5e-2)           # ... of this std / max (log-uniform)
    baseline: tuple = (0.0, 0.0)            # smooth baseline, largest value / max
    carrier_chance: float = 0.0             # chance of a ridge at the F2 carrier (DC offset) ...
    carrier: tuple = (2e-3, 3e-2)           # ... of this std / max (log-uniform)
    imbalance: tuple = (0.0, 0.0)           # Echo / Anti-Echo imbalance
    region1: tuple = (1.0, 1.0)             # share of the F1 width the peaks fill, ...
    region2: tuple = (1.0, 1.0)             # ... and of F2 (a random box; 1: all of it)

    def __post_init__(self):
        self.sizes = tuple(tuple(int(n) for n in s) for s in self.sizes)

    def to_dict(self):
        out = asdict(self)
        out["sizes"] = [list(s) for s in self.sizes]
        return out

    @classmethod
    def from_dict(cls, values):
        return cls(**{k: v for k, v in values.items() if k in cls.__dataclass_fields__})

    def settings(self, rng, size):
        """One :class:`SimulationSettings` drawn from the recipe for a sample of ``size``."""
        n0, n1 = size
        lo, hi = np.log(self.peaks[0]), np.log(self.peaks[1])
        density = np.exp(rng.uniform(lo, hi)) / FULL_AREA
        k = max(1, int(round(density * n0 * n1)))
        acq = (max(2, int(n0 * rng.uniform(*self.acquired1))),
               max(2, int(n1 * rng.uniform(*self.acquired2))))
        settings = SimulationSettings(
            size=size, acquired=acq, peaks=(k, k), decay1=self.decay1, decay2=self.decay2,
            noise=float(np.exp(rng.uniform(*np.log(self.noise)))), phase_deg=self.phase_deg,
            negative_fraction=float(rng.uniform(*self.negative_fraction)),
            window=(rng.uniform(*self.window_off), rng.uniform(*self.window_end),
                    rng.uniform(*self.window_pow)))
        if self.realistic:
            self._realistic(rng, settings)
        return settings

    @property
    def realistic(self):
        """Whether the recipe draws any part of the realistic simulator."""
        plain = TrainingRecipe()
        return any(np.ravel(getattr(self, name)).tolist() != np.ravel(getattr(plain, name)).tolist()
                   for name in REALISTIC_FIELDS)

    def _window(self, rng):
        kind = rng.choice(3, p=np.asarray(self.window_kinds) / np.sum(self.window_kinds))
        if kind == 0:
            return ("sp", rng.uniform(*self.window_off), rng.uniform(*self.window_end),
                    rng.uniform(*self.window_pow))
        if kind == 1:
            return ("em", rng.uniform(*self.em_lb))
        return ("gm", rng.uniform(*self.gm_g1), rng.uniform(*self.gm_g2))

    def _realistic(self, rng, settings):
        """Draw the realistic parts into ``settings`` (after the plain draws, so that a plain
        recipe's stream is unchanged)."""
        settings.windows = (self._window(rng), self._window(rng))
        if rng.random() < self.log_amplitudes:
            settings.amplitude_scale = "log"
            settings.amplitude = (1.0 / _log_uniform(rng, self.dynamic_range), 1.0)
        settings.broad_fraction = float(rng.uniform(*self.broad_fraction))
        if rng.random() < self.coupling_chance:
            settings.coupling_fraction = float(rng.uniform(*self.coupling_fraction))
        settings.global_phase_deg = float(self.global_phase_deg)
        if self.t1_noise[1] > 0:
            settings.t1_noise = _log_uniform(rng, self.t1_noise)
            settings.t1_noise_shared = float(rng.uniform(0, 1))
        if rng.random() < self.solvent_chance:
            settings.solvent = _log_uniform(rng, self.solvent)
            settings.solvent_shared = float(rng.uniform(0, 1))
        settings.baseline = float(rng.uniform(*self.baseline))
        if rng.random() < self.carrier_chance:
            settings.carrier = _log_uniform(rng, self.carrier)
        settings.imbalance = float(rng.uniform(*self.imbalance))
        settings.freq1 = _box(rng, settings.freq1, self.region1)
        settings.freq2 = _box(rng, settings.freq2, self.region2)
        settings.__post_init__()


REALISTIC_FIELDS = ("window_kinds", "log_amplitudes", "broad_fraction", "coupling_chance",
                    "global_phase_deg", "t1_noise", "solvent_chance", "baseline", "imbalance",
                    "region1", "region2", "carrier_chance")


def _box(rng, bounds, share):
    """A random sub-range of ``bounds`` whose width is a share drawn from ``share``."""
    lo, hi = bounds
    width = (hi - lo) * rng.uniform(*share)
    start = rng.uniform(lo, hi - width)
    return (float(start), float(start + width))


def _log_uniform(rng, bounds):
    lo, hi = bounds
    return float(np.exp(rng.uniform(np.log(lo), np.log(hi))))


def sample(recipe, rng, size):
    """(echo, target, reference), float32, normalised by max |reference|.

    reference is the noisy pure-absorption spectrum; target is what can be known of it: the
    clean spectrum plus the noise on the measured Virtual-Echo points (the noise of the missing
    half cannot be predicted, and leaving it in the target would only add variance to the loss).
    """
    sim = simulate(recipe.settings(rng, size), seed=rng.integers(2**32))
    scale = np.float32(max(float(np.abs(sim.reference).max()), 1e-20))
    noise = sim.reference - sim.clean
    target = sim.clean + Projection(size, "echo").on_support(noise)
    return sim.echo / scale, target.astype(np.float32) / scale, sim.reference / scale


def first_estimates(echo, config, grid=(0.0, 0.0)):
    """The network's first estimates for a stack of Echo spectra (None when it starts from
    the Echo spectrum itself); ``grid``: the (t1, t2) time grid starts (mrai.physics.grid)."""
    if config.start == "echo":
        return None
    return np.stack([ist(e, "echo", iterations=config.start_iterations, start=grid)
                     for e in echo])


def inputs(echo, config, grid=(0.0, 0.0)):
    """What the model takes for a stack of Echo spectra: echo, or (echo, first estimate)."""
    first = first_estimates(echo, config, grid)
    return echo if first is None else (echo, first)


def draw_size(recipe, rng, seed, index, steps=None):
    """The sample size of batch ``index``: with several sizes, one per epoch of ``steps``
    batches, drawn from (seed, epoch), since a TensorFlow data stream keeps the shape of its
    first batch. ``rng`` gives one draw either way, so that the rest of a batch's stream does
    not depend on how many sizes there are."""
    pick = int(rng.integers(len(recipe.sizes)))
    if len(recipe.sizes) > 1 and steps:
        epoch = np.random.default_rng([int(seed), int(index) // int(steps), 1])
        pick = int(epoch.random() * len(recipe.sizes))
    return recipe.sizes[pick]


def batch(recipe, seed, index, batch_size, config, steps=None):
    """Batch ``index`` of the stream with ``seed``: (model inputs, reference (B, F1, F2))."""
    rng = np.random.default_rng([int(seed), int(index)])
    size = draw_size(recipe, rng, seed, index, steps)
    pairs = [sample(recipe, rng, size) for _ in range(batch_size)]
    echo = np.stack([p[0] for p in pairs])
    return inputs(echo, config), np.stack([p[1] for p in pairs])


def realistic_recipe():
    """The recipe of the realistic simulator: the plain recipe's peaks and noise plus the
    artefacts of real spectra, with ranges measured on the real spectra of the project's
    benchmark (docs/simulator.md says how; scripts/compare_simulator.py compares them)."""
    return TrainingRecipe(
        window_kinds=(0.7, 0.2, 0.1), log_amplitudes=0.5, dynamic_range=(30.0, 3000.0),
        broad_fraction=(0.0, 0.15), coupling_chance=0.25, coupling_fraction=(0.3, 1.0),
        global_phase_deg=3.0, t1_noise=(3e-3, 6e-2), solvent_chance=0.6,
        solvent=(2e-3, 5e-2), baseline=(0.0, 3e-3), imbalance=(-0.03, 0.03),
        region1=(0.4, 1.0), region2=(0.25, 1.0), carrier_chance=0.3, carrier=(2e-3, 3e-2))


RECIPES = {"plain": TrainingRecipe, "realistic": realistic_recipe}


def recipe_named(name):
    """A :class:`TrainingRecipe` by name: 'plain' (Lorentzian peaks, one window family; the
    recipe of the networks shipped before the realistic simulator) or 'realistic'."""
    try:
        return RECIPES[name]()
    except KeyError:
        raise ValueError(f"unknown recipe {name!r}; known: {', '.join(RECIPES)}") from None
