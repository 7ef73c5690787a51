"""NUS schedule files (text, one 0-based t1 index per line; '#' starts a comment) and the compact
hexadecimal form mrai records in NMRPipe headers."""

import re

import numpy as np

from mrai.errors import InputError
from mrai.limits import MAX_POINTS, check_text_size, whole_number
from mrai.output import atomic_write_bytes, check_writable, temp_holding


def read_schedule(path):
    """Integer array of the indices in a schedule file (order kept; checked later against a
    spectrum with :func:`mrai.physics.nus.validate_schedule`)."""
    check_text_size(path, "schedule file")
    try:
        with open(path, encoding="utf-8") as fh:
            lines = fh.read().splitlines()
    except FileNotFoundError:
        raise InputError("no such schedule file", path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot be read as a schedule ({exc})", path) from None
    values = []
    for number, line in enumerate(lines, 1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        first = text.split()[0]
        try:
            value = int(first)
        except ValueError:
            raise InputError(f"line {number}: {first!r} is not an integer t1 index", path) from None
        if abs(value) > MAX_POINTS:
            raise InputError(f"line {number}: t1 index {value} is beyond the {MAX_POINTS} points "
                             "mrai takes in a dimension (docs/conventions.md#limits)", path)
        values.append(value)
    if not values:
        raise InputError("the NUS schedule is empty", path)
    return np.asarray(values, dtype=np.int64)


def schedule_bytes(schedule):
    """The text of a schedule file for ``schedule``, encoded: one index a line."""
    return "".join(f"{int(i)}\n" for i in schedule).encode()


def write_schedule(path, schedule, overwrite=False, commit=None):
    """Write a schedule file atomically; with ``commit`` (a :class:`mrai.output.Commit`), only
    its complete temporary file is made and added to it, to go in place with the command's other
    outputs (all or none)."""
    if commit is None:
        atomic_write_bytes(path, schedule_bytes(schedule), overwrite=overwrite)
        return
    check_writable(path, overwrite)
    commit.add(temp_holding(path, schedule_bytes(schedule)), path, overwrite)


_HEX = re.compile(r"[0-9a-fA-F]+")


def schedule_to_hex(schedule, n):
    """Hexadecimal bit mask of a schedule over ``n`` t1 points (bit i set: index i sampled)."""
    bits = np.zeros(n, dtype=bool)
    bits[np.asarray(schedule)] = True
    value = int("".join("1" if b else "0" for b in bits[::-1]), 2)
    return f"{value:0{(n + 3) // 4}x}"


def schedule_from_hex(text, n):
    """Inverse of :func:`schedule_to_hex`; ValueError unless ``text`` is hexadecimal with at most
    the (n + 3) // 4 digits of ``n`` points, 1 <= n <= mrai.limits.MAX_POINTS."""
    given, n = n, whole_number(n)
    if n is None or not 1 <= n <= MAX_POINTS:
        raise ValueError(f"n={str(given)[:20]}: the number of t1 points must be a whole number "
                         f"in 1..{MAX_POINTS}")
    if not _HEX.fullmatch(text) or len(text) > (n + 3) // 4:
        raise ValueError(f"{text[:20]!r} is not a bit mask of {n} points (hexadecimal, "
                         f"at most {(n + 3) // 4} digits)")
    bits = bin(int(text, 16))[2:][::-1]
    if len(bits) > n:
        raise ValueError(f"the bit mask names points beyond its {n}")
    return np.flatnonzero(np.frombuffer(bits.encode(), dtype=np.uint8) == ord("1")) \
        .astype(np.int64)


def schedule_record(schedule, n0):
    """Header record of a schedule over the (n0 + 1) // 2 t1 points of an F1 size n0: ``n`` and, when
    it fits the 160-byte comment field, the bit mask ``sched`` (None otherwise)."""
    n = (int(n0) + 1) // 2   # mrai.physics.nus.t1_half
    return {"n": n, "sched": schedule_to_hex(schedule, n) if n <= 256 else None}


def recorded_schedule(dic, name=None):
    """The NUS schedule mrai recorded in a header (mrai degrade --nus, mrai reconstruct --nus):
    the t1 indices; InputError naming ``name`` when there is none."""
    from mrai.fileio.header import provenance

    record = provenance(dic) or {}
    if "sched" not in record or "n" not in record:
        raise InputError("no NUS schedule recorded in the header; give --nus SCHEDULE_FILE",
                         name)
    try:
        return schedule_from_hex(record["sched"], record["n"])
    except ValueError as exc:
        raise InputError(f"the NUS schedule recorded in the header is unusable ({exc}); give "
                         "--nus SCHEDULE_FILE", name) from None
