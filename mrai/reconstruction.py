"""Running the methods of mrai.methods.table: a ready solver for an entry, reconstruction of a
spectrum with the mode's method for its time grid, and the sigma of a reconstruction from the
entry's sigma network. This module sits above the methods' own modules (mrai.methods.ist, the
WNN in mrai.nn and mrai.runtime) and the uncertainty statistics, and imports them when used.
"""

from dataclasses import dataclass

import numpy as np

from mrai.methods.table import ORIGIN, Entry, check, choose, foreign_options
from mrai.physics.scale import safely
from mrai.uncertainty.scores import sigma_summary


@dataclass
class Solver:
    """A ready method: ``solve(plane, progress=None)`` reconstructs one (F1, F2) plane;
    ``fields`` are its header record fields, ``label`` says what it is in a log line and
    ``steps`` how many progress steps one plane takes (``progress(n)`` is called with each)."""

    entry: Entry
    solve: object
    fields: dict
    label: str
    steps: int


def solver(e, schedule=None, start=ORIGIN, model=None, precision=None, iterations=None,
           final_threshold=None, backend=None):
    """A :class:`Solver` for entry ``e``. ``model``: WNN weights path (None: the shipped model;
    a loaded (model, card) pair is taken as it is); ``precision``: 'auto', 'float32' or
    'bfloat16' (WNN); ``backend``: 'auto', 'onnx' or 'keras' (WNN, mrai.nn.inference.load_model;
    bfloat16 is Keras only; ignored by methods without a network); ``iterations``,
    ``final_threshold``: IST (None: its defaults for the mode); ``schedule``: t1 indices for
    'nus'."""
    start = tuple(float(s) for s in start)
    given = {"model": model, "precision": precision, "iterations": iterations,
             "final_threshold": final_threshold}
    unused = foreign_options(e, given)
    if unused:
        raise ValueError(f"{', '.join(unused)} {'is' if len(unused) == 1 else 'are'} not for "
                         f"the {e.method} method")
    if e.mode == "nus" and schedule is None:
        raise ValueError("NUS reconstruction needs the schedule")
    if e.method == "wnn":
        return _wnn_solver(e, start, model, precision or "auto", backend or "auto")
    return _ist_solver(e, schedule, start, iterations, final_threshold)


def _wnn_solver(e, start, model, precision, backend):
    from mrai.nn.inference import reconstruct
    from mrai.nn.models import load_model

    network, card = model if isinstance(model, tuple) else load_model(model, precision, backend)

    def solve(plane, progress=None):
        out = safely(lambda x: reconstruct(network, x, e.mode, start),
                     np.asarray(plane, dtype=np.float32), what="the reconstruction")
        if progress is not None:
            progress(1)
        return out
    name = str(card.get("name", "wnn"))
    runtime = card.get("backend", "keras")
    return Solver(e, solve, {"model": name[:40], "precision": card["precision"],
                             "backend": runtime},
                  f"wnn {e.mode} (model {name}, {runtime}, {card['precision']})", 1)


def _ist_solver(e, schedule, start, iterations, final_threshold):
    from mrai.methods.ist import DEFAULTS, ist

    iterations = int(iterations or DEFAULTS[e.mode][0])
    final_threshold = float(final_threshold or DEFAULTS[e.mode][1])

    def solve(plane, progress=None):
        return ist(plane, e.mode, schedule, iterations, final_threshold, start=start,
                   progress=(lambda i: progress(1)) if progress is not None else None)
    return Solver(e, solve, {"iter": iterations, "final": f"{final_threshold:g}"},
                  f"ist {e.mode}, {iterations} iterations", iterations)


def reconstruct(measured, mode, method=None, schedule=None, start=ORIGIN, model=None,
                backend=None, **options):
    """Reconstruct the real 2D spectrum ``measured`` (F1, F2; Echo-only, Anti-Echo-only or NUS
    per ``mode``) with ``method`` (None: the mode's default for the grid, :func:`choose`).
    ``start``: the first sample of t1 and t2 in dwells, as the header's phases say (P1 / 360);
    each is taken to the nearest exact grid (0 or half a dwell). ``backend`` and ``options``:
    see :func:`solver`. Returns float32 of the same shape whose measured part equals the
    input."""
    from mrai.physics.grid import nearest_start

    grid = tuple(nearest_start(s)[0] for s in start)
    e, _ = choose(method, mode, grid, dict(options, model=model))
    x = np.asarray(measured, dtype=np.float32)
    if x.ndim != 2:
        raise ValueError(f"a 2D spectrum is needed, got shape {x.shape}")
    problem = check(e, x.shape, grid)
    if problem:
        raise ValueError(problem)
    return solver(e, schedule, grid, model, backend=backend, **options).solve(x)


def sigma_for(e, sigma_net, recon, measured=None, schedule=None, start=ORIGIN, region=None):
    """(sigma, summary) of a reconstruction by entry ``e`` from the loaded sigma network of
    ``e.sigma`` (:func:`assess`)."""
    return assess(sigma_net, recon, e.mode, measured, schedule, region, start)


def measured_input(recon, mode, schedule=None, start=ORIGIN):
    """What the measurement gave, recovered from an exactly consistent reconstruction: its
    Echo or Anti-Echo part on its time grid, or for NUS the reconstruction with the unsampled
    t1 rows of its Virtual Echo set to zero, given the schedule."""
    from mrai.physics import degrade

    return degrade(np.asarray(recon, dtype=np.float32), mode, schedule, start) \
        .astype(np.float32)


def assess(model, recon, mode, measured=None, schedule=None, region=None, start=ORIGIN):
    """(sigma, summary) for the 2D reconstruction ``recon`` with the sigma network ``model``
    (mrai.nn.inference.load_sigma); ``measured`` defaults to :func:`measured_input`;
    ``summary`` is mrai.uncertainty.sigma_summary (pSQ, mean and median sigma/Smax) over
    ``region``; ``start``: the (t1, t2) time grid starts, in dwells (0 or 0.5 each)."""
    from mrai.nn.inference import predict_sigma

    recon = np.asarray(recon, dtype=np.float32)
    if measured is None:
        measured = measured_input(recon, mode, schedule, start)
    sigma = safely(lambda m, u: predict_sigma(model, m, u, mode, start),
                   np.asarray(measured, dtype=np.float32), recon, what="sigma")
    return sigma, sigma_summary(recon, sigma, region)
