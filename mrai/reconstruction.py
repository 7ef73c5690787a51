"""Running the methods of mrai.methods.table: a ready solver for an entry, reconstruction of a
spectrum with the mode's method for its time grid, and the sigma of a reconstruction from the
entry's sigma network. This module sits above the methods' own modules (mrai.methods.ist, the
WNN in mrai.nn and mrai.runtime) and the uncertainty statistics, and imports them when used.
"""

import os
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace

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
                backend=None, rephase=True, **options):
    """Reconstruct the real 2D spectrum ``measured`` (F1, F2; Echo-only, Anti-Echo-only or NUS
    per ``mode``) with ``method`` (None: the mode's default for the grid, :func:`choose`).
    ``start``: the first sample of t1 and t2 in dwells, as the header's phases say (P1 / 360);
    each is taken to the nearest exact grid (0 or half a dwell). ``rephase``: an Echo-only or
    Anti-Echo-only input that looks unphased is reconstructed phased and its phase put back
    (:func:`input_phase`, :func:`solve_phased`). ``backend`` and ``options``: see
    :func:`solver`. Returns float32 of the same shape whose measured part equals the input."""
    from mrai.physics.grid import nearest_start

    grid = tuple(nearest_start(s)[0] for s in start)
    e, _ = choose(method, mode, grid, dict(options, model=model))
    x = np.asarray(measured, dtype=np.float32)
    if x.ndim != 2:
        raise ValueError(f"a 2D spectrum is needed, got shape {x.shape}")
    problem = check(e, x.shape, grid)
    if problem:
        raise ValueError(problem)
    run = solver(e, schedule, grid, model, backend=backend, **options)
    return solve_phased(run.solve, x, e.mode, grid, input_phase(x, e.mode) if rephase else None)


def input_phase(plane, mode):
    """(P0, P1), degrees: the F2 phase error of an Echo-only or Anti-Echo-only ``plane`` that
    looks unphased (mrai.process.autophase.looks_unphased), from its F2 projection
    (mrai.physics.phase.projection_phase); None when it looks phased, is not judged, or is
    NUS (whose peaks are not twisted: phase it as any spectrum)."""
    if mode not in ("echo", "antiecho"):
        return None
    from mrai.physics.phase import projection_phase
    from mrai.process.autophase import looks_unphased

    if not looks_unphased(plane).unphased:
        return None
    return projection_phase(plane)


def solve_phased(solve, plane, mode, start, phase, progress=None, sigma=None):
    """``solve(plane, progress)`` on ``plane`` phased: with ``phase`` (P0, P1) not None, the
    plane is phased along F2 by (-P0, -P1) first and the reconstruction by (P0, P1) after, then
    made exactly consistent with ``plane`` again (its measured part put back: the rotation
    cannot restore the t2 = 0 point of each row). All of the phase the input's twist carries is
    put on F2: right when its F1 phase is (one coherence half fixes only the sum of the two).
    ``sigma(recon, measured)``, when given, is computed on the phased pair (the networks know
    absorptive spectra) and (reconstruction, sigma) returned; else the reconstruction."""
    from mrai.methods.projection import Projection
    from mrai.physics.phase import rotate_f2

    x = plane if phase is None else rotate_f2(plane, -phase[0], -phase[1])
    out = solve(x, progress)
    extra = sigma(out, x) if sigma is not None else None
    if phase is not None:
        out = rotate_f2(out, *phase)
        p = Projection(out.shape, mode, start=start)
        out = (out + p.on_support(p.complete(plane) - out)).astype(np.float32)
    return out if sigma is None else (out, extra)


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


# -- tasks: what a process needs to run a method on planes, small and picklable -------------

_BUILT = OrderedDict()   # (kind, path, precision, backend) -> a loaded network, in this process
_KEEP = 4                # networks kept, the most recently used
_LOCK = threading.Lock()
_COUNT = [0]


def _built(key, build):
    """``build()`` made once per process for ``key`` and kept (the :data:`_KEEP` latest)."""
    with _LOCK:
        if key in _BUILT:
            _BUILT.move_to_end(key)
            return _BUILT[key]
        value = _BUILT[key] = build()
        _COUNT[0] += 1
        while len(_BUILT) > _KEEP:
            _BUILT.popitem(last=False)
        return value


def builds():
    """How many networks this process has loaded for tasks (a worker of a cluster loads each
    network once, whatever the number of planes and data sets)."""
    return _COUNT[0]


@dataclass(frozen=True)
class PlaneTask:
    """Reconstruction of (F1, F2) planes by entry ``entry``, as a small picklable value for
    worker processes (mrai.distributed): calling it on a plane gives the reconstruction, or
    (reconstruction, sigma) with ``sigma``. The networks are loaded once per process from their
    paths and kept (for every task with the same model), never sent with a plane.
    ``options``: the :func:`solver` options as (name, value) pairs (the WNN's weights path
    ``model`` among them); ``sigma_model``: the sigma weights (None: the shipped ones, as
    installed where the task runs); ``rephase``: an Echo-only or Anti-Echo-only plane that looks
    unphased is reconstructed phased, its phase put back (:func:`solve_phased`)."""

    entry: Entry
    schedule: tuple = None
    start: tuple = ORIGIN
    options: tuple = ()
    backend: str = None
    sigma: bool = False
    sigma_model: str = None
    sigma_precision: str = "auto"
    sigma_backend: str = None
    rephase: bool = True

    @classmethod
    def make(cls, e, schedule=None, start=ORIGIN, backend=None, sigma=False, sigma_model=None,
             rephase=True, **options):
        """The task for entry ``e``; ``options`` as :func:`solver` takes them (None left
        out); weights paths are made absolute, for workers elsewhere."""
        if options.get("model") is not None and not isinstance(options["model"], tuple):
            options["model"] = os.path.abspath(options["model"])
        return cls(e, None if schedule is None else tuple(int(i) for i in schedule),
                   tuple(float(s) for s in start),
                   tuple(sorted((k, v) for k, v in options.items() if v is not None)),
                   backend, bool(sigma), sigma_model and os.path.abspath(sigma_model), "auto",
                   backend, bool(rephase))

    def _network_key(self):
        options = dict(self.options)
        return ("wnn", options.get("model"), options.get("precision") or "auto",
                self.backend or "auto")

    def _sigma_key(self):
        from mrai.nn.models import default_sigma_model

        return ("sigma", self.sigma_model or default_sigma_model(self.entry.sigma),
                self.sigma_precision, self.sigma_backend or "auto")

    def network(self):
        """This process's (WNN, card) for a WNN task (loaded on first use), else None."""
        if self.entry.method != "wnn":
            return None
        from mrai.nn.models import load_model

        key = self._network_key()
        return _built(key, lambda: load_model(*key[1:]))

    def sigma_network(self):
        """This process's (sigma network, card) (loaded on first use)."""
        from mrai.nn.models import load_sigma

        key = self._sigma_key()
        return _built(key, lambda: load_sigma(*key[1:]))

    def solver(self):
        """A :class:`Solver` for the task, with this process's network."""
        options = dict(self.options)
        if self.entry.method == "wnn":
            options["model"] = self.network()
        return solver(self.entry, self._schedule(), self.start, backend=self.backend,
                      **options)

    def pinned(self):
        """The task with what this process chose for 'auto' (the networks' precision and
        backend) made explicit, so that other processes (on other machines) choose the same;
        here it shares the networks already loaded."""
        task = self
        if self.entry.method == "wnn":
            network = self.network()
            options = dict(self.options, precision=network[1]["precision"])
            task = replace(task, options=tuple(sorted(options.items())),
                           backend=network[1].get("backend", self.backend))
            _share(task._network_key(), network)
        if self.sigma:
            network = self.sigma_network()
            task = replace(task, sigma_precision=network[1]["precision"],
                           sigma_backend=network[1].get("backend", self.sigma_backend))
            _share(task._sigma_key(), network)
        return task

    def _schedule(self):
        return None if self.schedule is None else np.asarray(self.schedule, dtype=np.int64)

    def solve(self, plane, progress=None):
        """The reconstruction of ``plane`` (and its sigma with ``sigma``); ``progress(n)`` as
        :class:`Solver` calls it."""
        phase = input_phase(plane, self.entry.mode) if self.rephase else None
        return solve_phased(self.solver().solve, plane, self.entry.mode, self.start, phase,
                            progress, self._sigma if self.sigma else None)

    def _sigma(self, recon, measured):
        return sigma_for(self.entry, self.sigma_network()[0], recon, measured, self._schedule(),
                         self.start)[0]

    def __call__(self, plane):
        return self.solve(plane)


def _share(key, value):
    """Keep ``value`` under a second ``key`` too (a pinned task's name for a loaded network)."""
    with _LOCK:
        _BUILT.setdefault(key, value)


@dataclass(frozen=True)
class SigmaTask:
    """The sigma of reconstructions by entry ``entry`` and its summary (:func:`assess`), as a
    small picklable value for worker processes: calling it on (reconstruction, measured or
    None) gives (sigma or None (without ``keep``), summary). ``region``: (first, last) F2
    points of the summary (mrai.metrics.f2_region) or None; ``model``: the sigma weights (None:
    the shipped one for the entry)."""

    entry: Entry
    schedule: tuple = None
    start: tuple = ORIGIN
    region: tuple = None
    model: str = None
    backend: str = "auto"
    precision: str = "auto"
    keep: bool = False

    @classmethod
    def make(cls, e, schedule=None, start=ORIGIN, region=None, model=None, backend="auto",
             keep=False):
        return cls(e, None if schedule is None else tuple(int(i) for i in schedule),
                   tuple(float(s) for s in start), None if region is None else tuple(region),
                   model and os.path.abspath(model), backend or "auto", "auto", bool(keep))

    def _key(self):
        from mrai.nn.models import default_sigma_model

        return ("sigma", self.model or default_sigma_model(self.entry.sigma), self.precision,
                self.backend)

    def network(self):
        """This process's (sigma network, card) (loaded on first use)."""
        from mrai.nn.models import load_sigma

        key = self._key()
        return _built(key, lambda: load_sigma(*key[1:]))

    def pinned(self):
        """The task with the precision and backend this process chose made explicit (see
        :meth:`PlaneTask.pinned`)."""
        network = self.network()
        task = replace(self, precision=network[1]["precision"],
                       backend=network[1].get("backend", self.backend))
        _share(task._key(), network)
        return task

    def __call__(self, pair):
        from mrai.metrics import f2_region

        recon, measured = pair
        crop = f2_region(*self.region) if self.region else None
        schedule = None if self.schedule is None else np.asarray(self.schedule, np.int64)
        sigma, summary = sigma_for(self.entry, self.network()[0], recon, measured, schedule,
                                   self.start, crop)
        return (sigma if self.keep else None), summary
