"""Seeded NUS schedules of the indirect dimension."""

import math

import numpy as np


def schedule_size(n, fraction):
    """Points sampled out of ``n`` at ``fraction`` (0 < fraction <= 1), at least 2."""
    if not 0 < fraction <= 1:
        raise ValueError(f"NUS fraction must be in (0, 1], got {fraction}")
    return int(min(n, max(2, round(fraction * n))))


def poisson_gap(n, count, seed=None):
    """Sine-weighted Poisson-gap schedule: ``count`` sorted t1 indices out of ``0..n-1``.

    Gaps between sampled points are Poisson distributed with a mean that grows as
    sin(pi/2 * t / n) (Hyberts, Takeuchi and Wagner 2010): dense at short t1, sparse at long t1.
    Index 0 is always sampled. The same ``seed`` gives the same schedule.
    """
    if not 1 <= count <= n:
        raise ValueError(f"cannot sample {count} of {n} points")
    if count == n:
        return np.arange(n)
    rng = np.random.default_rng(seed)
    lam = n / count - 1.0
    weights = np.sin((np.arange(n) + 0.5) / (n + 1) * math.pi / 2)
    for _ in range(20000):
        picks, i = [], 0
        while i < n:
            picks.append(i)
            i += 1 + rng.poisson(lam * weights[i])
        if len(picks) == count:
            return np.asarray(picks)
        lam = lam * 1.02 if len(picks) > count else lam / 1.02
    raise RuntimeError(f"no Poisson-gap schedule of {count} of {n} points found")  # pragma: no cover
