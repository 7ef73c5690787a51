"""Uncertainty: per-point sigma of a reconstruction and what follows from it
(docs/conventions.md). ``scores`` holds the numpy statistics (NLL, pSQ, coverage); ``assess``
applies a sigma network to a reconstruction; the networks themselves are Keras models in
:mod:`mrai.nn.sigma` (imported only when used)."""

from mrai.uncertainty.assess import assess, measured_input, sigma_method
from mrai.uncertainty.scores import (SIGNAL_LEVEL, Z95, coverage, gaussian_nll, psq,
                                     sigma_summary, signal_points)

__all__ = ["assess", "measured_input", "sigma_method", "SIGNAL_LEVEL", "Z95", "coverage", "gaussian_nll", "psq", "sigma_summary",
           "signal_points"]
