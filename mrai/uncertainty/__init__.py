"""Uncertainty: per-point sigma of a reconstruction and what follows from it
(docs/conventions.md). ``scores`` holds the numpy statistics (NLL, pSQ, coverage), ``holdout``
IST's hold-out estimate of its NUS error; the networks are in :mod:`mrai.nn.sigma` (Keras) and
:mod:`mrai.runtime`, and :func:`mrai.reconstruction.assess` applies one to a reconstruction."""

from mrai.uncertainty.scores import (SIGNAL_LEVEL, Z95, coverage, gaussian_nll, psq,
                                     sigma_summary, signal_points)

__all__ = ["SIGNAL_LEVEL", "Z95", "coverage", "gaussian_nll", "psq", "sigma_summary",
           "signal_points"]
