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
        return SimulationSettings(
            size=size, acquired=acq, peaks=(k, k), decay1=self.decay1, decay2=self.decay2,
            noise=float(np.exp(rng.uniform(*np.log(self.noise)))), phase_deg=self.phase_deg,
            negative_fraction=float(rng.uniform(*self.negative_fraction)),
            window=(rng.uniform(*self.window_off), rng.uniform(*self.window_end),
                    rng.uniform(*self.window_pow)))


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
    """The recipe of the realistic simulator (artefacts of real spectra; docs/simulator.md)."""
    return TrainingRecipe()     # filled in with the artefact ranges below


RECIPES = {"plain": TrainingRecipe, "realistic": realistic_recipe}


def recipe_named(name):
    """A :class:`TrainingRecipe` by name: 'plain' (Lorentzian peaks, one window family; the
    recipe of the networks shipped before the realistic simulator) or 'realistic'."""
    try:
        return RECIPES[name]()
    except KeyError:
        raise ValueError(f"unknown recipe {name!r}; known: {', '.join(RECIPES)}") from None
