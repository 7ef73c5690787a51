"""The public API: read and write NMRPipe data, simulate, reconstruct, score and measure, on numpy
arrays and nmrglue-style header dicts. ``import mrai`` gives these names (loaded when first
used, so the import stays cheap).

Spectra are real 2D float arrays as NMRPipe stores them: rows F1 (indirect), columns F2
(direct), no fftshift, any size from 8 x 8 (docs/conventions.md).

Examples
--------
>>> import mrai
>>> data = mrai.simulate(size=(64, 256), peaks=30, seed=0)
>>> recon = mrai.reconstruct(data.echo, "echo", method="ist")
>>> round(mrai.quality(recon, data.reference)["r"], 2)
0.99
"""

from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence, Tuple

import numpy as np

__all__ = ["read", "write", "simulate", "reconstruct", "score", "quality"]


def read(path: str) -> Tuple[dict, np.ndarray]:
    """Read an NMRPipe file (2D, or every plane of 3D data).

    Parameters
    ----------
    path : str
        The file; '-' for standard input.

    Returns
    -------
    dic : dict
        The NMRPipe header, as nmrglue gives it.
    data : numpy.ndarray
        The data, float32 (complex64 for complex data), in NMRPipe's stored orientation.

    Examples
    --------
    >>> import os, tempfile, mrai
    >>> folder = tempfile.mkdtemp()
    >>> data = mrai.simulate(size=(16, 32), peaks=3, seed=1)
    >>> mrai.write(os.path.join(folder, "s.ft2"), data.header, data.reference)
    >>> dic, spectrum = mrai.read(os.path.join(folder, "s.ft2"))
    >>> spectrum.shape, int(dic["FDDIMCOUNT"])
    ((16, 32), 2)
    """
    from mrai.fileio import read as read_pipe

    return read_pipe(path)


def write(path: str, dic: Mapping[str, Any], data: np.ndarray, overwrite: bool = False) -> None:
    """Write NMRPipe data atomically; an existing file is replaced only with ``overwrite``.

    Parameters
    ----------
    path : str
        The file; '-' for standard output.
    dic : mapping
        The NMRPipe header (e.g. from :func:`read`, or ``SimulatedSpectrum.header``).
    data : numpy.ndarray
        The data in NMRPipe's stored orientation.
    overwrite : bool
        Replace an existing file.
    """
    from mrai.fileio import write as write_pipe

    write_pipe(path, dict(dic), data, overwrite=overwrite)


def simulate(size: Sequence[int] = (256, 2048), peaks: int = 300, noise: float = 1e-3,
             seed: Optional[int] = None, t1_start: float = 0.0, t2_start: float = 0.0,
             **settings: Any):
    """A seeded random HSQC-like spectrum and its Echo, Anti-Echo and NUS forms.

    Parameters
    ----------
    size : (int, int)
        Points (F1, F2), from 8 each.
    peaks : int
        Number of 2D Lorentzian peaks.
    noise : float
        Noise standard deviation as a fraction of the largest peak.
    seed : int, optional
        The same seed gives the same spectra.
    t1_start, t2_start : float
        Time of the first sample of each dimension in dwells (0.5 for f1180).
    **settings
        Other fields of :class:`mrai.simulate.SimulationSettings` (linewidths, windows, ...).

    Returns
    -------
    mrai.simulate.SimulatedSpectrum
        ``.reference`` (pure absorption), ``.echo``, ``.antiecho``, ``.nus`` with
        ``.schedule``, all float32 (F1, F2); ``.header``: an NMRPipe header for them.

    Examples
    --------
    >>> import mrai
    >>> data = mrai.simulate(size=(32, 128), peaks=10, seed=0)
    >>> data.echo.shape, data.echo.dtype.name
    ((32, 128), 'float32')
    """
    from mrai.simulate import spectrum

    return spectrum(size, peaks, noise, seed, t1_start, t2_start, **settings)


def _grid(header: Optional[Mapping[str, Any]], start: Optional[Sequence[float]]):
    """The (t1, t2) grid starts: ``start`` when given, else from the header's phases."""
    if start is not None:
        return tuple(float(s) for s in start)
    if header is None:
        return (0.0, 0.0)
    from mrai.physics.grid import grid_starts

    return grid_starts(header)[0]


def reconstruct(spectrum: np.ndarray, mode: str, method: Optional[str] = None,
                header: Optional[Mapping[str, Any]] = None,
                schedule: Optional[Sequence[int]] = None,
                start: Optional[Sequence[float]] = None, model: Optional[str] = None,
                backend: str = "auto", **options: Any) -> np.ndarray:
    """Reconstruct a pure-absorption spectrum from an Echo-only, Anti-Echo-only or NUS one.

    Parameters
    ----------
    spectrum : numpy.ndarray
        The measured real 2D spectrum (F1, F2).
    mode : {'echo', 'antiecho', 'nus'}
        What it holds.
    method : {'wnn', 'ist'}, optional
        The mode's default when None: the WNN for Echo and Anti-Echo, IST for NUS (IST also
        where the WNN does not serve the time grid; mrai.methods.table).
    header : mapping, optional
        Its NMRPipe header: the first-order phases say the time grids (F1 P1 180: t1 from half
        a dwell).
    schedule : sequence of int, optional
        NUS: the sampled t1 indices (0-based, of the non-negative t1 half).
    start : (float, float), optional
        The (t1, t2) first-sample times in dwells, instead of the header's.
    model : str, optional
        WNN weights (the shipped model when None).
    backend : {'auto', 'onnx', 'keras'}
        Where the network runs (ONNX Runtime needs no TensorFlow).
    **options
        ``iterations``, ``final_threshold`` (IST), ``precision`` (WNN on Keras).

    Returns
    -------
    numpy.ndarray
        float32, the input's shape; its measured part equals the input.

    Examples
    --------
    >>> import mrai
    >>> data = mrai.simulate(size=(64, 256), peaks=20, seed=3)
    >>> recon = mrai.reconstruct(data.echo, "echo")            # the shipped WNN
    >>> bool(mrai.quality(recon, data.reference)["r"] > 0.99)
    True
    >>> nus = mrai.reconstruct(data.nus, "nus", schedule=data.schedule)
    >>> bool(mrai.quality(nus, data.reference)["r"] > 0.99)
    True
    """
    from mrai import reconstruction

    return reconstruction.reconstruct(spectrum, mode, method, schedule, _grid(header, start),
                                      model, backend, **options)


def score(recon: np.ndarray, mode: str, method: str = "wnn",
          measured: Optional[np.ndarray] = None, schedule: Optional[Sequence[int]] = None,
          header: Optional[Mapping[str, Any]] = None, start: Optional[Sequence[float]] = None,
          sigma_model: Optional[str] = None, backend: str = "auto") -> dict:
    """pSQ, the RMSD of a reconstruction predicted without a reference, and its per-point sigma.

    Parameters
    ----------
    recon : numpy.ndarray
        The reconstruction (F1, F2).
    mode : {'echo', 'antiecho', 'nus'}
        What it was reconstructed from.
    method : {'wnn', 'ist'}
        The method that made it.
    measured : numpy.ndarray, optional
        The measured spectrum (recovered from ``recon``, whose measured part mrai keeps
        exactly, when None).
    schedule : sequence of int, optional
        NUS: the sampled t1 indices.
    header, start
        The time grids, as for :func:`reconstruct`.
    sigma_model : str, optional
        Sigma network weights (the method's shipped one when None).
    backend : {'auto', 'onnx', 'keras'}
        Where the sigma network runs.

    Returns
    -------
    dict
        ``psq`` (predicted RMSD relative to the maximum), ``mean`` and ``median`` of sigma/Smax
        over the signal points, ``points`` (their number) and ``sigma`` (the per-point standard
        deviation, the shape of ``recon``).

    Examples
    --------
    >>> import mrai
    >>> data = mrai.simulate(size=(64, 256), peaks=20, seed=3)
    >>> recon = mrai.reconstruct(data.echo, "echo", method="ist")
    >>> result = mrai.score(recon, "echo", method="ist")
    >>> result["sigma"].shape, bool(0 < result["psq"] < 0.1)
    ((64, 256), True)
    """
    from mrai import reconstruction
    from mrai.methods import table
    from mrai.nn.models import default_sigma_model, load_sigma

    e = table.entry(method, mode)
    network, _ = load_sigma(sigma_model or default_sigma_model(e.sigma), "auto", backend)
    sigma, summary = reconstruction.sigma_for(e, network, np.asarray(recon, np.float32), measured,
                                     schedule, _grid(header, start))
    return {**summary, "sigma": sigma}


def quality(recon: np.ndarray, reference: np.ndarray, region: Any = None) -> dict:
    """r and RMSD of a reconstruction against a reference (both divided by the reference's
    maximum, over the points where either exceeds 0.01 of it; docs/conventions.md).

    Examples
    --------
    >>> import numpy as np, mrai
    >>> x = np.zeros((8, 8)); x[2, 3], x[5, 1] = 1.0, 0.5
    >>> mrai.quality(0.9 * x, x)
    {'r': 1.0, 'rmsd': 0.079..., 'points': 2}
    """
    from mrai.metrics import quality as measure

    return measure(recon, reference, region)
