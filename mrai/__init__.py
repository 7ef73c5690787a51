"""mrai: AI reconstruction for everyday NMR processing.

The public API (:mod:`mrai.api`, loaded when first used so that ``import mrai`` stays cheap)::

    import mrai
    data = mrai.simulate(seed=0)                       # a seeded random 256 x 2048 spectrum
    recon = mrai.reconstruct(data.echo, "echo")        # the shipped WNN (ONNX Runtime)
    mrai.quality(recon, data.reference)                # {'r': ..., 'rmsd': ..., 'points': ...}
    mrai.score(recon, "echo")                          # pSQ and the per-point sigma
    dic, spectrum = mrai.read("spectrum.ft2"); mrai.write("out.ft2", dic, recon)

The package is laid out in the order data flows through it:

- :mod:`mrai.fileio`   NMRPipe files and streams, raw Bruker and Varian data, atomic output
- :mod:`mrai.process`  nmrPipe-style processing
- :mod:`mrai.physics`  Echo / Anti-Echo parts, time grids, flip, NUS masks, quadrature
- :mod:`mrai.simulate` seeded random 2D spectra and Poisson-gap schedules
- :mod:`mrai.methods`  IST and the table of methods (which method serves which mode)
- :mod:`mrai.nn`       the networks in Keras (training, export); :mod:`mrai.runtime` runs them
                       without Keras
- :mod:`mrai.uncertainty` sigma, pSQ, coverage; :mod:`mrai.metrics` r and RMSD
- :mod:`mrai.cli`      the ``mrai`` command, a thin layer over the above

Importing :mod:`mrai` is cheap, and so is the command line: each command imports what it uses
when it runs (tests/test_startup.py).
"""

from mrai.version import __version__

__all__ = ["read", "write", "simulate", "reconstruct", "score", "quality", "__version__"]


def __getattr__(name):
    if name in __all__:
        from mrai import api

        return getattr(api, name)
    raise AttributeError(f"module 'mrai' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
