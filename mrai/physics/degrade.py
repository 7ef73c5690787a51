"""The corrupted inputs that reconstruction starts from, made from a good spectrum."""

from mrai.physics.echo import MODES, part
from mrai.physics.nus import nus_degrade


def degrade(spectrum, mode, schedule=None, start=(0.0, 0.0)):
    """``mode`` 'echo' or 'antiecho': that part of ``spectrum``, whose (t1, t2) time grids start
    at ``start`` dwells (0 or 0.5 each; (0.5, 0) for f1180 data); 'nus': ``spectrum`` sampled at
    ``schedule`` (t1 indices of the non-negative t1 half)."""
    if mode in MODES:
        return part(spectrum, mode, start)
    if tuple(float(x) for x in start) != (0.0, 0.0):
        raise ValueError("NUS is handled for time grids starting at 0 only")
    if mode == "nus":
        if schedule is None:
            raise ValueError("NUS degradation needs a schedule")
        return nus_degrade(spectrum, schedule)
    raise ValueError(f"unknown degradation {mode!r}")
