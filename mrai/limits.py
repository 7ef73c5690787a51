"""Bounds on the input values that size an allocation or a loop, in one place, and text from
files made safe to print (docs/conventions.md#limits).

Every reader checks a value against these numbers before it sizes anything: NMRPipe headers
(FDSIZE, FDSPECNUM, FDF3SIZE, FDF4SIZE), NUS schedules and the schedules recorded in headers,
Bruker nuslists and parameters (TD), recipes (ZF, LP, EXT, BASE), model cards and plane-series
templates. A value out of range is an :class:`~mrai.errors.InputError` (exit 2), never a
MemoryError or an hour-long loop.

The sizes follow from memory. The largest plane, :data:`MAX_PLANE_POINTS` points, is 256 MiB
as float32 and 512 MiB as complex64; CS-IST needs about 40 bytes per point (2.7 GB for it) and
the untiled WNN about 0.8 KB per point, so that the largest spectra measured (1024 x 4096, 4 Mi
points) stay 16 times below it. One dimension holds at most :data:`MAX_POINTS` points (1D
spectra of 256 Ki points and more exist; 2D planes are limited by their total).
"""

import math
import re

from mrai.errors import InputError

MAX_POINTS = 1 << 20          # points (stored words) along one dimension: 1,048,576
MAX_PLANE_POINTS = 1 << 26    # points in one plane (rows x stored words): 67,108,864
MAX_PLANES = 1 << 16          # planes of a 3D/4D data set: 65,536 (a 256 x 256 4D set)
MAX_STEPS = 1000              # steps in one processing recipe
MAX_ZF_DOUBLINGS = 20         # ZF -zf N doubles the size N times
MAX_LP_ORDER = 64             # LP -ord: its fit costs the cube of the order per row
MAX_CARD_BYTES = 16 << 20     # a model card (JSON) file
MAX_TEXT_BYTES = 16 << 20     # a schedule, nuslist or recipe file
MAX_CARD_DEPTH = 32           # nesting of a model card's JSON
# a model card's network config: {field: (lowest, highest)}
CARD_BOUNDS = {"filters": (1, 1024), "stages": (1, 64), "ratio": (1, 64),
               "start_iterations": (0, 10000), "kernel": (1, 63), "dilations": (1, 4096)}
MAX_DILATIONS = 256           # convolutions in one trunk


def check_count(value, what, lowest=1, highest=MAX_POINTS, source=None):
    """``value`` as an int when it is a whole number in lowest..highest; InputError (naming
    ``what`` and ``source``) for anything else: NaN, infinite, fractional, out of range."""
    number = whole_number(value)
    if number is None:
        raise InputError(f"{what} is {_shown(value)}, not a whole number", source)
    if not lowest <= number <= highest:
        raise InputError(f"{what} is {number}, outside {lowest}..{highest}"
                         + (" (the most mrai takes: docs/conventions.md#limits)"
                            if number > highest else ""), source)
    return number


def whole_number(value):
    """``value`` as an int when it is a finite whole number (int, float, or a numeric string);
    None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    if not math.isfinite(number) or number != int(number):
        return None
    return int(number)


def check_number(value, what, lowest=-math.inf, highest=math.inf, source=None, low_open=False):
    """``value`` as a finite float in lowest..highest (above lowest when ``low_open``);
    InputError for NaN, infinities, text and values out of range."""
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise InputError(f"{what} is {_shown(value)}, not a number", source) from None
    if not math.isfinite(number):
        raise InputError(f"{what} is {_shown(value)}, not a finite number", source)
    if number < lowest or number > highest or (low_open and number == lowest):
        low = f"above {lowest:g}" if low_open else f"at least {lowest:g}"
        where = low if highest == math.inf else f"in {lowest:g}..{highest:g}" if not low_open \
            else f"{low} and at most {highest:g}"
        raise InputError(f"{what} is {number:g}; it must be {where}", source)
    return number


def check_plane(rows, points, what="plane", source=None):
    """InputError when a plane of ``rows`` x ``points`` (stored words) exceeds the limits."""
    rows = check_count(rows, f"{what}: rows", 1, MAX_POINTS, source)
    points = check_count(points, f"{what}: points per row", 1, MAX_POINTS, source)
    if rows * points > MAX_PLANE_POINTS:
        raise InputError(f"{what} of {rows} x {points} points exceeds the {MAX_PLANE_POINTS} "
                         "points mrai takes in one plane (docs/conventions.md#limits)", source)
    return rows, points


def check_text_size(path, what="text file"):
    """InputError when the file at ``path`` is larger than :data:`MAX_TEXT_BYTES` (checked
    before it is read whole); missing files are left to the reader."""
    import os

    try:
        size = os.path.getsize(path)
    except OSError:
        return
    if size > MAX_TEXT_BYTES:
        raise InputError(f"{size} bytes: larger than the {MAX_TEXT_BYTES >> 20} MiB a {what} "
                         "may be (docs/conventions.md#limits)", path)


def _shown(value):
    return printable(repr(value) if isinstance(value, str) else str(value))[:40]


# ---- text from files ---------------------------------------------------------------------

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_ALL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def printable(text, lines=False):
    """``text`` with control characters (terminal escape sequences, carriage returns, C1
    codes, line separators) written as Python escapes (``\\x1b``), so that text read from a file
    cannot act on a terminal. ``lines``: keep newlines and tabs (multi-line messages)."""
    pattern = _CONTROL if lines else _CONTROL_ALL
    return pattern.sub(_escape, str(text))


def _escape(match):
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
