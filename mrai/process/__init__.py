"""NMRPipe-style processing of 2D time-domain data into spectra, with nmrPipe's own headers.

A recipe is a list of nmrPipe functions written as after ``nmrPipe -fn`` (see
:mod:`mrai.process.recipe`): SP, GM, EM, ZF, FT, PS, EXT, BASE, TP (YTP), DI, SOL, LP, MED,
CS, REV. nmrglue's ``pipe_proc`` does the work; :mod:`mrai.process.functions` lists where its
headers are corrected to what nmrPipe writes. Without a recipe, :func:`default_recipe` reads
one from the header. :func:`mrai.process.ucsf.write_ucsf` writes a real 2D spectrum as UCSF
(Sparky).

    from mrai.fileio import read, write
    from mrai.process import process
    dic, fid = read("test.fid")                   # F2 complex, F1 States (as bruk2pipe writes)
    dic, spectrum = process(dic, fid)             # the default recipe
    dic, spectrum = process(dic, fid, "EM -lb 5\\nZF -size 2048\\nFT\\nPS -p0 -115 -di\\nTP\\n"
                                      "SP -off 0.5 -pow 2 -c 0.5\\nZF -auto\\nFT\\nPS -di\\nTP")
    write("test.ft2", dic, spectrum)
"""

import copy

import numpy as np

from mrai.errors import InputError
from mrai.limits import MAX_PLANE_POINTS
from mrai.fileio._nmrglue import pipe_proc as pp
from mrai.process.default import default_recipe
from mrai.process.functions import StepError, apply, plane_field
from mrai.process.recipe import (Coord, Step, as_steps, format_recipe, parse_recipe,
                                 supported_functions)

__all__ = ["process", "check_input", "default_recipe", "parse_recipe", "as_steps", "format_recipe",
           "Step", "Coord", "supported_functions"]


def process(dic, data, recipe=None, source=None):
    """Apply ``recipe`` to one 2D data set; returns the new ``(dic, data)``.

    ``dic``, ``data``: an NMRPipe header dictionary and its data as nmrglue (or
    :func:`mrai.fileio.read`) gives them: a plane of rows x points, complex along X when X is
    complex, or one such plane stacked on a first axis (3D data holding a single plane).
    ``recipe``: recipe text, lines, or :class:`Step` objects; None for :func:`default_recipe`.
    Neither input is changed. Raises :class:`InputError` (naming ``source`` and the step) for
    1D data, more than one plane, NaN/Inf values, or a step that does not fit the data.
    """
    stacked = np.ndim(data) == 3
    check_input(dic, np.shape(data)[0] if stacked else 1, source)
    plane = np.array(data[0] if stacked else data)
    if not np.isfinite(plane).all():
        raise InputError("contains NaN or infinite values", source)
    out = copy.deepcopy(dic)
    steps = default_recipe(dic) if recipe is None else as_steps(recipe)
    for index, step in enumerate(steps, start=1):
        where = f"step {index} ({step.text})"
        try:
            with np.errstate(all="ignore"):   # overflow shows as NaN/Inf, refused below
                out, plane = apply(out, plane, step)
        except StepError as exc:
            raise InputError(f"{where}: {exc}", source) from None
        except (ArithmeticError, IndexError, KeyError, TypeError, ValueError,
                np.linalg.LinAlgError) as exc:
            raise InputError(f"{where}: cannot be applied to these data ({type(exc).__name__}: "
                             f"{exc})", source) from None
        if np.size(plane) * (2 if np.iscomplexobj(plane) else 1) > MAX_PLANE_POINTS:
            raise InputError(f"{where}: the result exceeds the {MAX_PLANE_POINTS} points mrai "
                             "takes in one plane (docs/conventions.md#limits)", source)
        if not np.isfinite(plane).all():
            raise InputError(f"{where}: gives NaN or infinite values from finite data (a flag "
                             "value out of range, or values too large to transform)", source)
    out = pp.update_minmax(out, plane)
    return out, plane[np.newaxis] if stacked else plane


def check_input(dic, planes=1, source=None, processed_ok=True):
    """Refuse what :func:`process` cannot take: 1D data, 3D/4D data of more than one plane, and
    (unless ``processed_ok``) data already in the frequency domain along both plane axes."""
    if dic["FDDIMCOUNT"] < 2:
        raise InputError("1D data; processing needs 2D time-domain data", source)
    if planes > 1:
        raise InputError(f"{int(dic['FDDIMCOUNT'])}D data of {planes} planes: 3D time-domain "
                         "processing is not supported", source)
    if not processed_ok and all(plane_field(dic, axis, "FTFLAG") == 1 for axis in (1, 2)):
        raise InputError("already processed: frequency domain in both dimensions "
                         "(process needs time-domain data)", source)

