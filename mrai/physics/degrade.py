"""The corrupted inputs that reconstruction starts from, made from a good spectrum."""

from mrai.physics.echo import MODES, part
from mrai.physics.nus import nus_degrade


def degrade(spectrum, mode, schedule=None):
    """``mode`` 'echo' or 'antiecho': that part of ``spectrum``; 'nus': ``spectrum`` sampled at
    ``schedule`` (t1 indices of the non-negative t1 half)."""
    if mode in MODES:
        return part(spectrum, mode)
    if mode == "nus":
        if schedule is None:
            raise ValueError("NUS degradation needs a schedule")
        return nus_degrade(spectrum, schedule)
    raise ValueError(f"unknown degradation {mode!r}")
