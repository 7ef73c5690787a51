"""Scaling before the arithmetic, so that no finite input overflows (docs/conventions.md#limits).

The Echo/Anti-Echo split, NUS, CS-IST and the networks are linear in the spectrum or normalise
it, so they are computed on the spectrum scaled by a power of two that brings its largest
magnitude into [0.5, 1), and the result is scaled back. Powers of two are exact in floating
point: for spectra of ordinary magnitude the result is bit for bit the unscaled one; near the
float32 maximum (3.4e38) the sums of the FFTs no longer overflow to Inf and NaN. A result that
does not fit float32 after all is an InputError, never Inf written out.
"""

import numpy as np

from mrai.errors import InputError


SAFE = 2.0 ** 32   # below this magnitude no sum of 2**40 float32 terms, nor of their squares,
#                    overflows: such arrays need no scaling


def exponent(*arrays):
    """The power of two e such that the largest magnitude of ``arrays`` times 2**-e lies in
    [0.5, 1), when it is at least :data:`SAFE`; else 0 (no scaling needed). None when the
    arrays hold NaN or Inf."""
    top = max((float(np.max(np.abs(a))) if np.size(a) else 0.0) for a in arrays)
    if not np.isfinite(top):
        return None
    return int(np.frexp(top)[1]) if top >= SAFE else 0


def scaled(array, e):
    """``array`` times 2**-e, exactly (the dtype kept; complex arrays part by part); ``array``
    itself for e 0 or None."""
    a = np.asarray(array)
    if not e:
        return a
    if np.iscomplexobj(a):
        return (np.ldexp(a.real, -e) + 1j * np.ldexp(a.imag, -e)).astype(a.dtype)
    return np.ldexp(a, -e) if a.dtype.kind == "f" else np.ldexp(a.astype(np.float64), -e)


def restored(array, e, what="the result"):
    """``array`` times 2**e; InputError when that leaves the range of its dtype (values
    beyond float32's 3.4e38 would be written as Inf)."""
    a = np.asarray(array)
    if not e:
        return a
    with np.errstate(over="ignore"):
        a = scaled(a, -e)
    if not np.isfinite(a).all():
        raise InputError(f"{what} does not fit the {a.dtype} range (values beyond "
                         f"{float(np.finfo(a.dtype).max):.3g}): scale the input down")
    return a


def safely(function, *arrays, what="the result"):
    """``function(*arrays)`` computed on the arrays scaled by one power of two (:func:`exponent`)
    and scaled back (:func:`restored`), for functions linear in the data (or normalising
    it). Arrays below :data:`SAFE` in magnitude are not scaled (nothing can overflow); arrays
    holding NaN or Inf are passed through as they are."""
    e = exponent(*arrays)
    if not e:
        return function(*arrays)
    return restored(function(*(scaled(a, e) for a in arrays)), e, what)
