"""mrai: AI reconstruction for everyday NMR processing.

The package is laid out in the order data flows through it:

- :mod:`mrai.fileio`   NMRPipe files and streams (nmrglue's pipe module), atomic output
- :mod:`mrai.physics`  Echo / Anti-Echo parts, flip, NUS masks, States <-> P/N conversion
- :mod:`mrai.simulate` seeded random 2D spectra and Poisson-gap schedules
- :mod:`mrai.metrics`  the reference-based quality numbers (science.md section 7)
- :mod:`mrai.cli`      the ``mrai`` command, a thin layer over the above

Importing :mod:`mrai` is cheap, and so is the command line: each command imports what it uses
when it runs (tests/test_startup.py).
"""

__version__ = "0.1.0"
