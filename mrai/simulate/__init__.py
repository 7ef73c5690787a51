"""Simulated spectra for tests, demos, benchmarks and training; seeded NUS schedules."""

from mrai.simulate.schedules import poisson_gap, schedule_size
from mrai.simulate.spectra import (SimulatedSpectrum, SimulationSettings, sine_bell, simulate,
                                   spectrum)

__all__ = ["simulate", "spectrum", "SimulationSettings", "SimulatedSpectrum", "sine_bell", "poisson_gap",
           "schedule_size"]


class _CallablePackage(type(__import__("sys"))):
    """``mrai.simulate`` is this package and, called, :func:`spectrum` (the public API's
    ``mrai.simulate(seed=0)``), whether or not the package was imported first."""

    def __call__(self, *args, **kwargs):
        return spectrum(*args, **kwargs)


__import__("sys").modules[__name__].__class__ = _CallablePackage
