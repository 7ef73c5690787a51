"""The one table of reconstruction methods: which method serves which mode, with its checks, its
solver, its header record and its sigma network.

Modes: 'echo' and 'antiecho' (a phase-twisted spectrum made from one coherence half alone) and
'nus' (t1 sampled non-uniformly). Methods: 'wnn' (the network, mrai.nn) and 'ist' (CS-IST,
mrai.methods.ist). Every entry also says on which time grids it works: a dimension whose first
sample is at t = 0 or at half a dwell (f1180) splits exactly (mrai.physics.grid); Echo and
Anti-Echo work on all four combinations, NUS on t1 and t2 from 0 only.

The command line (reconstruct, score), the demo, the sigma networks' training data and the
benchmarks read this table; running an entry (its solver, its sigma) is mrai.reconstruction,
which sits above the methods' own modules. Adding a method or mode means an entry here, its
solver there and the method's own module.
"""

from dataclasses import dataclass

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
    Entry("wnn", "echo", "wnn-echo", True, WNN_GRIDS, ("model", "precision")),
    Entry("wnn", "antiecho", "wnn-echo", True, WNN_GRIDS, ("model", "precision")),
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


def foreign_options(e, options):
    """The names of the ``options`` (a dict; None values count as not given) that entry ``e``'s
    solver does not take."""
    return [k for k, v in options.items() if v is not None and k not in e.options]


def choose(method, mode, start=ORIGIN, options=None):
    """(entry, note): the entry of ``method`` for ``mode``; with no method named, the mode's
    default, or, when that does not serve the time grid ``start`` and none of the ``options``
    given (a dict) is its own, the first entry that does, with a note that says why (None
    otherwise)."""
    e = entry(method, mode)
    start = tuple(float(s) for s in start)
    own = any(v is not None and k in e.options for k, v in (options or {}).items())
    if method is not None or start in e.grids or own:
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
