"""Simulated spectra for tests, demos, benchmarks and training; seeded NUS schedules."""

from mrai.simulate.schedules import poisson_gap, schedule_size
from mrai.simulate.spectra import SimulatedSpectrum, SimulationSettings, sine_bell, simulate

__all__ = ["simulate", "SimulationSettings", "SimulatedSpectrum", "sine_bell", "poisson_gap",
           "schedule_size"]
