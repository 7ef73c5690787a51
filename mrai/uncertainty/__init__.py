"""Uncertainty: per-point sigma of a reconstruction and what follows from it (science.md
section 6). ``scores`` holds the numpy statistics (NLL, pSQ, coverage); the sigma networks
themselves are Keras models in :mod:`mrai.nn.sigma`."""

from mrai.uncertainty.scores import (SIGNAL_LEVEL, Z95, coverage, gaussian_nll, psq,
                                     sigma_summary, signal_points)

__all__ = ["SIGNAL_LEVEL", "Z95", "coverage", "gaussian_nll", "psq", "sigma_summary",
           "signal_points"]
