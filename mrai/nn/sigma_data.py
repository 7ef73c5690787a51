"""Training data for the sigma networks: simulated truth, the method's measured input and the
method's reconstruction mu, seeded by (seed, batch index) like the WNN's stream.

Each sample is normalised by the maximum of its (noisy) reference, which is the truth y of the
NLL: the reference-based RMSD that pSQ predicts is measured against such a spectrum. NUS samples
draw a sine-weighted Poisson-gap schedule over the acquired t1 points at a fraction in
``NUS_FRACTIONS``.
"""

import numpy as np

from mrai.methods import table
from mrai.methods.ist import ist
from mrai.nn.data import draw_size
from mrai.nn.inference import predict, reconstruct, sigma_inputs  # noqa: F401 (re-exported)
from mrai.physics.nus import nus_degrade
from mrai.simulate import poisson_gap, schedule_size, simulate

NUS_FRACTIONS = (0.3, 0.7)


def sigma_sample(method, recipe, rng, size):
    """(measured, reference, schedule or None) for one simulated spectrum, float32, normalised."""
    settings = recipe.settings(rng, size)
    sim = simulate(settings, seed=rng.integers(2**32))
    scale = np.float32(max(float(np.abs(sim.reference).max()), 1e-20))
    reference = (sim.reference / scale).astype(np.float32)
    if table.for_sigma(method)[0].mode != "nus":
        return (sim.echo / scale).astype(np.float32), reference, None
    n = settings.acquired[0]
    schedule = poisson_gap(n, schedule_size(n, rng.uniform(*NUS_FRACTIONS)),
                           seed=int(rng.integers(2**32)))
    return nus_degrade(reference, schedule).astype(np.float32), reference, schedule


def reconstructor(method, wnn=None):
    """f(measured stack, schedules) -> mu stack: the method whose errors the sigma network
    ``method`` describes (its first entry in mrai.methods.table, Echo before Anti-Echo), on
    time grids from 0. 'wnn-echo' needs ``wnn``, a loaded WNN (mrai.nn.inference.load_model),
    which runs in batches."""
    e = table.for_sigma(method)[0]
    if e.method == "wnn":
        if wnn is None:
            raise ValueError(f"the {e.sigma} sigma network needs the WNN it describes (a "
                             "loaded WNN, mrai.nn.inference.load_model)")
        return lambda measured, schedules: predict(wnn, measured)
    return lambda measured, schedules: np.stack(
        [solve_entry(e, m, s) for m, s in zip(measured, schedules)]).astype(np.float32)


def solve_entry(e, measured, schedule=None, wnn=None):
    """The reconstruction of one measured spectrum by table entry ``e`` with its defaults, on
    time grids from 0 (training data and the card's real-spectrum figures; the command line
    and the library go through mrai.reconstruction)."""
    if e.method == "wnn":
        return reconstruct(wnn, measured, e.mode)
    return ist(measured, e.mode, schedule)


def sigma_set(method, recipe, rng, size, count, reconstruct):
    """(measured, mu, reference) stacks of ``count`` samples of ``size``."""
    triples = [sigma_sample(method, recipe, rng, size) for _ in range(count)]
    measured = np.stack([t[0] for t in triples])
    reference = np.stack([t[1] for t in triples])
    return measured, reconstruct(measured, [t[2] for t in triples]), reference


def sigma_batch(method, recipe, seed, index, batch_size, reconstruct, steps=None,
                holdout=False):
    """Batch ``index`` of the stream with ``seed``: (inputs, y_true), inputs as
    :func:`sigma_inputs` gives them and y_true the reference and mu stacked on the last axis,
    as :func:`mrai.nn.sigma.nll_loss` takes them."""
    rng = np.random.default_rng([int(seed), int(index)])
    size = draw_size(recipe, rng, seed, index, steps)
    measured, mu, reference = sigma_set(method, recipe, rng, size, batch_size, reconstruct)
    return sigma_inputs(measured, mu, holdout), np.stack([reference, mu], axis=-1)
