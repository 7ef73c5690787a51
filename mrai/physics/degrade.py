"""The corrupted inputs that reconstruction starts from, made from a good spectrum."""

from mrai.physics.echo import MODES, part
from mrai.physics.halfdwell import half_dwell_part
from mrai.physics.nus import nus_degrade


def degrade(spectrum, mode, schedule=None, half_dwell=False):
    """``mode`` 'echo' or 'antiecho': that part of ``spectrum`` (``half_dwell``: of a spectrum
    whose t1 starts at half a dwell); 'nus': ``spectrum`` sampled at ``schedule`` (t1 indices
    of the non-negative t1 half)."""
    if mode in MODES:
        return half_dwell_part(spectrum, mode) if half_dwell else part(spectrum, mode)
    if half_dwell:
        raise ValueError("half-dwell spectra are handled for Echo and Anti-Echo only")
    if mode == "nus":
        if schedule is None:
            raise ValueError("NUS degradation needs a schedule")
        return nus_degrade(spectrum, schedule)
    raise ValueError(f"unknown degradation {mode!r}")
