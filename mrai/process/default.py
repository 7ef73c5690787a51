"""The recipe used when none is given, read from the data's header.

For each plane axis still in the time domain, X (F2 for data as converted) first::

    SP -off 0.5 -end 0.98 -pow 2 -c C     # cosine-squared bell, first point scaled by C
    ZF -auto                              # double, then round up to a power of two
    FT [-real] [-alt] [-neg]              # modes from the header, as FT -auto chooses them
    PS -p0 P0 -p1 P1 -di                  # phases FDF?P0/FDF?P1 (0 when unset); keep reals

with ``TP`` before and after the Y axis's part, so the result has the input's orientation.
C is 0.5, or 1.0 for an indirect dimension whose header phases say its first point is at half a
dwell (the f1180 convention: FDF?P1 = 180 or -180, usually with P0 = -90). FT is plain for
complex (States) data with FDF?AQSIGN 0. An axis already in the frequency domain gets nothing,
or DI when it is still complex; an F1 of arrayed (pseudo-2D) data (FD2DPHASE 4) is not
transformed.
"""

from mrai.process.functions import axis_code, ft_modes, plane_field
from mrai.process.recipe import as_steps, parse_recipe

APODIZE = "SP -off 0.5 -end 0.98 -pow 2"
_ARRAY_PHASE = 4  # FD2DPHASE of arrayed (pseudo-nD) data


def default_recipe(dic, replace=None):
    """The default steps for data with header ``dic``.

    ``replace``: {dimension code: steps (recipe text or Step list)} to use instead of the
    default part for that dimension, e.g. ``{2: 'EM -lb 5; ZF; FT; PS -p0 30 -di'}``; an empty
    part leaves that dimension as it is (no TP either for Y).
    """
    replace = replace or {}
    parts = []
    for position in (1, 2):
        code = axis_code(dic, position)
        parts.append(as_steps(replace[code], f"F{code} steps") if code in replace else
                     parse_recipe(dimension_steps(dic, position), "default recipe"))
    x_part, y_part = parts
    return x_part + (_transposed(y_part) if y_part else [])


def _transposed(steps):
    tp = parse_recipe("TP")
    return tp + steps + tp


def dimension_steps(dic, position):
    """Default recipe text for plane axis ``position`` (1 = X, 2 = Y); '' when it needs none."""
    if plane_field(dic, position, "FTFLAG") == 1:
        return "" if plane_field(dic, position, "QUADFLAG") == 1 else "DI"
    if position == 2 and dic["FD2DPHASE"] == _ARRAY_PHASE:
        return ""
    code = axis_code(dic, position)
    p0, p1 = plane_field(dic, position, "P0"), plane_field(dic, position, "P1")
    first = 1.0 if code != 2 and round(abs(p1)) == 180 else 0.5
    return "\n".join([f"{APODIZE} -c {first:g}", "ZF -auto", ft_step(dic, position),
                      f"PS -p0 {p0:g} -p1 {p1:g} -di"])


def ft_step(dic, position):
    """The FT step for time-domain axis ``position`` with the modes FT -auto would choose spelled
    out (a real transform for real data, alternation and negation from FDF?AQSIGN)."""
    modes = ft_modes(dic, position)
    return " ".join(["FT"] + [f"-{mode}" for mode in ("real", "alt", "neg") if modes[mode]])
