"""The one table of reconstruction methods: which method serves which mode, with its checks, its
solver, its header record and its sigma network.

Modes: 'echo' and 'antiecho' (a phase-twisted spectrum made from one coherence half alone) and
'nus' (t1 sampled non-uniformly). Methods: 'wnn' (the network, mrai.nn) and 'ist' (CS-IST,
mrai.methods.ist). Every entry also says on which time grids it works: a dimension whose first
sample is at t = 0 or at half a dwell (f1180) splits exactly (mrai.physics.grid); Echo and
Anti-Echo work on all four combinations, NUS on t1 and t2 from 0 only.

The command line (reconstruct, score), the demo, the sigma networks' training data and the
benchmarks read this table; adding a method or mode means an entry here and the method's own
module.
"""

from dataclasses import dataclass

import numpy as np

from mrai.physics.grid import STARTS

MODES = ("echo", "antiecho", "nus")
METHODS = ("wnn", "ist")
MIN_SIZE = 8            # smallest size (points) in either dimension a method takes
ALL_GRIDS = tuple((a, b) for a in STARTS for b in STARTS)
ORIGIN = (0.0, 0.0)
# the WNN was trained on t1 and t2 from 0; with one dimension from half a dwell it reaches the
# same quality, with both it loses (simulated Echo r 0.979 against IST's 0.994,
# scripts/bench_reach.py), so that grid is left to IST
WNN_GRIDS = ((0.0, 0.0), (0.5, 0.0), (0.0, 0.5))


@dataclass(frozen=True)
class Entry:
    """One method for one mode."""

    method: str         # 'wnn' or 'ist'
    mode: str           # 'echo', 'antiecho' or 'nus'
    sigma: str          # the name of its sigma network (models/sigma-NAME.weights.h5)
    default: bool       # the method used for the mode when none is named
    grids: tuple        # the (t1, t2) grid starts it handles, in dwells
    options: tuple      # the solver's keyword options

    @property
    def name(self):
        """'wnn-echo', 'ist-antiecho', 'ist-nus', ..."""
        return f"{self.method}-{self.mode}"


ENTRIES = (
    Entry("ist", "echo", "ist-echo", False, ALL_GRIDS, ("iterations", "final_threshold")),
    Entry("ist", "antiecho", "ist-echo", False, ALL_GRIDS, ("iterations", "final_threshold")),
    Entry("ist", "nus", "ist-nus", True, (ORIGIN,), ("iterations", "final_threshold")),
    Entry("wnn", "echo", "wnn-echo", True, WNN_GRIDS, ("model", "precision", "backend")),
    Entry("wnn", "antiecho", "wnn-echo", True, WNN_GRIDS, ("model", "precision", "backend")),
)
SIGMA_NETWORKS = ("wnn-echo", "ist-echo", "ist-nus")  # every Entry.sigma (a test checks)


def entry(method, mode):
    """The :class:`Entry` of ``method`` (None: the mode's default) for ``mode``; ValueError with
    the reason for a pair that does not exist."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    if method is not None and method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, not {method!r}")
    for e in ENTRIES:
        if e.mode == mode and (e.method == method or (method is None and e.default)):
            return e
    served = " or ".join(e.method for e in ENTRIES if e.mode == mode)
    raise ValueError(f"the {method.upper()} does not reconstruct {mode_label(mode)} spectra; "
                     f"use --method {served} for {mode_label(mode)}")


def choose(method, mode, start=ORIGIN):
    """(entry, note): the entry of ``method`` for ``mode``; with no method named, the mode's
    default, or, when that does not serve the time grid ``start``, the first entry that does,
    with a note that says why (None otherwise)."""
    e = entry(method, mode)
    start = tuple(float(s) for s in start)
    if method is not None or start in e.grids:
        return e, None
    for other in ENTRIES:
        if other.mode == mode and start in other.grids:
            return other, (f"{grid_label(start)}: the {e.method.upper()} does not serve this "
                           f"grid well, so {other.method.upper()} reconstructs it "
                           "(docs/conventions.md)")
    return e, None


def for_sigma(name):
    """The entries a sigma network serves, Echo first ('ist-echo' -> ist echo, ist antiecho)."""
    found = tuple(e for e in ENTRIES if e.sigma == name)
    if not found:
        raise ValueError(f"sigma network must be one of {', '.join(SIGMA_NETWORKS)}, "
                         f"not {name!r}")
    return found


def mode_label(mode):
    return {"echo": "Echo", "antiecho": "Anti-Echo", "nus": "NUS"}[mode]


def grid_label(start):
    """'t1 and t2 from 0', 't1 from half a dwell', ... for messages."""
    half = [f"t{i + 1}" for i, s in enumerate(start) if float(s) == 0.5]
    return f"{' and '.join(half)} from half a dwell" if half else "t1 and t2 from 0"


def check(e, shape, start=ORIGIN):
    """Why ``e`` cannot reconstruct a spectrum of ``shape`` on the grid ``start`` (a message),
    or None when it can."""
    n0, n1 = (int(n) for n in shape)
    if n0 < MIN_SIZE or n1 < MIN_SIZE:
        return f"size {n0} x {n1} is too small (at least {MIN_SIZE} points in each dimension)"
    start = tuple(float(s) for s in start)
    if start not in e.grids:
        if e.mode == "nus":
            return (f"{grid_label(start)}: NUS reconstruction is defined on time grids starting "
                    "at 0 only (the unsampled t1 rows of a NUS spectrum are found on that grid)")
        return (f"{grid_label(start)}: the {e.method.upper()} does not serve this grid (it was "
                f"trained on grids from 0 and loses quality with both dimensions from half a "
                f"dwell); use --method ist")
    return None


def record(e, start=ORIGIN, off=(0.0, 0.0), **fields):
    """The header record of a reconstruction (mrai.fileio.header.stamp's fields): method, mode,
    the time grids assumed (t1start / t2start when half a dwell; t1off / t2off, in dwells, when
    the header's phases lay off that grid) and the solver's own fields."""
    out = {"method": e.method, "mode": e.mode}
    for i, (s, o) in enumerate(zip(start, off)):
        if float(s):
            out[f"t{i + 1}start"] = f"{float(s):g}"
        if o >= 0.005:
            out[f"t{i + 1}off"] = f"{o:.2f}"
    out.update(fields)
    return out


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
    bfloat16 is Keras only); ``iterations``, ``final_threshold``: IST (None: its defaults for the
    mode); ``schedule``: t1 indices for 'nus'."""
    start = tuple(float(s) for s in start)
    given = {"model": model, "precision": precision, "iterations": iterations,
             "final_threshold": final_threshold, "backend": backend}
    unused = [k for k, v in given.items() if v is not None and k not in e.options]
    if unused:
        raise ValueError(f"{', '.join(unused)} {'is' if len(unused) == 1 else 'are'} not for "
                         f"the {e.method} method")
    if e.mode == "nus" and schedule is None:
        raise ValueError("NUS reconstruction needs the schedule")
    if e.method == "wnn":
        return _wnn_solver(e, start, model, precision or "auto", backend or "auto")
    return _ist_solver(e, schedule, start, iterations, final_threshold)


def _wnn_solver(e, start, model, precision, backend):
    from mrai.nn.inference import load_model, reconstruct

    network, card = model if isinstance(model, tuple) else load_model(model, precision, backend)

    def solve(plane, progress=None):
        out = reconstruct(network, plane, e.mode, start)
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
                **options):
    """Reconstruct the real 2D spectrum ``measured`` (F1, F2; Echo-only, Anti-Echo-only or NUS
    per ``mode``) with ``method`` (None: the mode's default for the grid, :func:`choose`). ``start``: the first sample of t1
    and t2 in dwells, as the header's phases say (P1 / 360); each is taken to the nearest exact
    grid (0 or half a dwell). ``options``: see :func:`solver`. Returns float32 of the same
    shape whose measured part equals the input."""
    from mrai.physics.grid import nearest_start

    grid = tuple(nearest_start(s)[0] for s in start)
    e, _ = choose(method, mode, grid)
    x = np.asarray(measured, dtype=np.float32)
    if x.ndim != 2:
        raise ValueError(f"a 2D spectrum is needed, got shape {x.shape}")
    problem = check(e, x.shape, grid)
    if problem:
        raise ValueError(problem)
    return solver(e, schedule, grid, model, **options).solve(x)


def sigma_for(e, sigma_net, recon, measured=None, schedule=None, start=ORIGIN, region=None):
    """(sigma, summary) of a reconstruction by entry ``e`` from the loaded sigma network of
    ``e.sigma`` (mrai.uncertainty.assess)."""
    from mrai.uncertainty import assess

    return assess(sigma_net, recon, e.mode, measured, schedule, region, start)


def batch_solver(e, model=None):
    """f(stack (N, F1, F2), schedules) -> reconstructions (N, F1, F2) float32, for training
    data and benchmarks on simulated spectra (time grids from 0). ``model``: a loaded WNN for
    the 'wnn' entries (run in batches, as training does)."""
    if e.method == "wnn":
        if model is None:
            raise ValueError(f"the {e.sigma} sigma network needs the WNN it describes (a "
                             "loaded WNN, mrai.nn.inference.load_model)")
        from mrai.nn.training import predict

        return lambda stack, schedules: predict(model, stack)

    def solve(stack, schedules):
        return np.stack([solver(e, s).solve(x) for x, s in zip(stack, schedules)]) \
            .astype(np.float32)
    return solve


NUS_CASE = 0.5   # the real-spectrum NUS case: 50 % Poisson-gap over the t1 half (seed 0)


def real_cases(sigma, spectrum, start=ORIGIN):
    """The test cases a full real spectrum gives the entries of sigma network ``sigma``:
    [(label, entry, measured, schedule)], Echo and Anti-Echo parts for the Echo networks, a
    50 % Poisson-gap NUS spectrum (seed 0, over the t1 half) for the NUS one."""
    from mrai.physics import degrade
    from mrai.physics.nus import t1_half
    from mrai.simulate import poisson_gap, schedule_size

    cases = []
    for e in for_sigma(sigma):
        if e.mode == "nus":
            n = t1_half(spectrum.shape[0])
            schedule = poisson_gap(n, schedule_size(n, NUS_CASE), seed=0)
            cases.append((f"nus{round(100 * NUS_CASE)}", e,
                          degrade(spectrum, "nus", schedule), schedule))
        else:
            cases.append((e.mode, e, degrade(spectrum, e.mode, start=start), None))
    return cases
