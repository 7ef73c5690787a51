"""Recipes: ordered nmrPipe processing steps, written as after ``nmrPipe -fn``.

One step per line (``;`` also separates steps on a line), e.g.::

    SP -off 0.5 -end 0.98 -pow 2 -c 0.5   # a comment
    ZF -auto
    FT
    PS -p0 -115 -p1 0 -di
    EXT -x1 10.5ppm -xn 6ppm -sw
    TP

Blank lines and ``#`` comments are allowed. Function names are case-insensitive. Every function
takes ``-di`` (delete imaginaries afterwards, as nmrPipe's own ``-di``) and ``-verb``
(ignored). Coordinates (EXT ``-x1`` ``-xn``, BASE ``-nl``) are points (1-based, the default
unit, or a negative integer counting from the last point as NMRPipe does) or a number with a
unit label and no space: ``pts``, ``Hz``, ``ppm``, ``%``. An unknown function or flag, a
missing or malformed value gives an :class:`~mrai.errors.InputError` naming the line.

The functions and flags (:data:`FLAGS`), nmrPipe's meaning unless noted:

- SP (SINE) -off -end -pow, GM -g1 -g2 -g3, EM -lb; each with -c -start -size -inv -one;
- ZF -zf N | -pad N | -size N, -auto, -mid, -inv; FT -auto -real -inv -alt -neg (plain FT
  ignores FDF?AQSIGN; -auto reads it); PS -p0 -p1 (degrees) -inv -hdr; DI;
- EXT -x1 -xn | -left | -right | -mid, -pow2, -round N: X only; the sweep width and ppm
  calibration are always adjusted, -sw or not;
- BASE -nl NODES -nw N -first -last: nmrglue's linear baseline through the node points (the
  mean over node +- nw); nmrglue has no POLY, so POLY is refused;
- TP (YTP, XY2YX) -hyper | -nohyper | -auto (the default);
- SOL -fl N -fs 1|2|3 -head N (-mode 1 only: the low-pass filter, nmrglue's only mode);
- LP -pred N -x1 N -xn N -ord N, -f | -b | -fb, -after | -before, -fix | -nofix,
  -ps90-180 | -ps0-0: nmrglue's LP (its TLS filter, so values differ somewhat from nmrPipe's);
  -pred defaults to the vector's size (doubling it) after the data, 1 point before;
- MED -nw N -sf N -sigma S: nmrglue's median baseline (Friedrichs 1995, as nmrglue);
- CS -rs N | -ls N -neg -sw: a shift in points, or with a unit (5ppm, 300Hz, 2%), rounded to
  whole points; REV -sw (-sw: adjust the ppm calibration, as nmrPipe).

:func:`split_fn_args` reads steps written as on nmrPipe's command line
(``-fn EXT -x1 101 -xn 913``) out of a list of arguments.
"""

import math
import re
from dataclasses import dataclass, field

from mrai.errors import InputError
from mrai.limits import MAX_POINTS, MAX_STEPS

NUMBER, INTEGER, SWITCH, COORD, COORDS = "number", "integer", "switch", "coord", "coords"

_APODIZE = {"c": NUMBER, "start": INTEGER, "size": INTEGER, "inv": SWITCH, "one": SWITCH}
_TRANSPOSE = {"hyper": SWITCH, "nohyper": SWITCH, "auto": SWITCH}

FLAGS = {
    "SP": {"off": NUMBER, "end": NUMBER, "pow": NUMBER, **_APODIZE},
    "GM": {"g1": NUMBER, "g2": NUMBER, "g3": NUMBER, **_APODIZE},
    "EM": {"lb": NUMBER, **_APODIZE},
    "ZF": {"zf": INTEGER, "pad": INTEGER, "size": INTEGER, "auto": SWITCH, "mid": SWITCH,
           "inv": SWITCH},
    "FT": {"auto": SWITCH, "real": SWITCH, "inv": SWITCH, "alt": SWITCH, "neg": SWITCH},
    "PS": {"p0": NUMBER, "p1": NUMBER, "inv": SWITCH, "hdr": SWITCH},
    "EXT": {"x1": COORD, "xn": COORD, "left": SWITCH, "right": SWITCH, "mid": SWITCH,
            "pow2": SWITCH, "round": INTEGER, "sw": SWITCH},
    "BASE": {"nl": COORDS, "nw": INTEGER, "first": SWITCH, "last": SWITCH},
    "TP": _TRANSPOSE,
    "DI": {},
    "SOL": {"mode": INTEGER, "fl": INTEGER, "fs": INTEGER, "head": INTEGER},
    "LP": {"pred": INTEGER, "x1": INTEGER, "xn": INTEGER, "ord": INTEGER, "f": SWITCH,
           "b": SWITCH, "fb": SWITCH, "before": SWITCH, "after": SWITCH, "nofix": SWITCH,
           "fix": SWITCH, "ps90-180": SWITCH, "ps0-0": SWITCH},
    "MED": {"nw": INTEGER, "sf": INTEGER, "sigma": NUMBER},
    "CS": {"rs": COORD, "ls": COORD, "neg": SWITCH, "sw": SWITCH},
    "REV": {"sw": SWITCH},
}
ALIASES = {"YTP": "TP", "XY2YX": "TP", "SINE": "SP"}
UNSUPPORTED = {"POLY": "nmrglue has no POLY; use BASE -nl NODES [-nw N] for a baseline"}
COMMON = {"di": SWITCH, "verb": SWITCH}  # flags every function takes (-verb: ignored)

_FLAG = re.compile(r"^-[A-Za-z]")
_COORD = re.compile(r"^([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)(pts?|hz|ppm|%)?$", re.I)


@dataclass(frozen=True)
class Coord:
    """A location along the X axis: ``value`` in ``unit`` ('pts', 'hz', 'ppm' or '%')."""

    value: float
    unit: str = "pts"


@dataclass(frozen=True)
class Step:
    """One nmrPipe function: canonical ``name``, ``args`` {flag without '-': value}, the
    ``text`` it was written as and its 1-based ``line`` in the recipe."""

    name: str
    args: dict = field(default_factory=dict)
    text: str = ""
    line: int = 0


def parse_recipe(text, source=None):
    """The steps written in ``text`` (a string, or lines), in order.

    ``source`` names the recipe in error messages (a file name, ``--fn``...).
    """
    lines = text.splitlines() if isinstance(text, str) else list(text)
    steps = []
    for number, line in enumerate(lines, start=1):
        for part in line.split("#", 1)[0].split(";"):
            if part.strip():
                if len(steps) == MAX_STEPS:
                    raise InputError(f"line {number}: more than the {MAX_STEPS} steps a recipe "
                                     "may hold (docs/conventions.md#limits)", source)
                steps.append(parse_step(part, number, source))
    return steps


def as_steps(recipe, source=None):
    """Steps from recipe text, lines of text, or steps (returned as a list)."""
    if isinstance(recipe, str) or all(isinstance(item, str) for item in recipe):
        return parse_recipe(recipe, source)
    return list(recipe)


def parse_step(text, line=0, source=None):
    """One step from its text, e.g. ``'PS -p0 -115 -p1 0 -di'``."""
    text = " ".join(text.split())
    tokens = text.split()

    def fail(problem):
        where = f"line {line}: " if line else ""
        raise InputError(f"{where}{problem}: {text!r}", source)

    name = ALIASES.get(tokens[0].upper(), tokens[0].upper())
    if name in UNSUPPORTED:
        fail(f"{name} is not supported ({UNSUPPORTED[name]})")
    if name not in FLAGS:
        fail(f"unknown function {tokens[0]!r} (supported: {' '.join(supported_functions())})")
    kinds = {**FLAGS[name], **COMMON}
    args, rest = {}, tokens[1:]
    while rest:
        flag = rest.pop(0)
        kind = kinds.get(flag[1:]) if _FLAG.match(flag) else None
        if kind is None:
            problem = f"unknown flag {flag} for {name}" if _FLAG.match(flag) else \
                f"unexpected {flag!r} (a value without a flag)"
            fail(f"{problem}; {name} takes {' '.join('-' + f for f in kinds)}")
        values = _take_values(rest, kind)
        try:
            args[flag[1:]] = _convert(values, kind)
        except ValueError:
            fail(f"{flag} needs {_NEEDS[kind]}, not {' '.join(values) or 'nothing'!r}")
    return Step(name, args, text, line)


_NEEDS = {NUMBER: "a number", INTEGER: f"an integer within -{MAX_POINTS}..{MAX_POINTS}",
          COORD: "a location (e.g. 100, 8.5ppm)", COORDS: "one or more locations"}


def _take_values(rest, kind):
    if kind == SWITCH:
        return []
    if kind == COORDS:
        count = next((i for i, token in enumerate(rest) if _FLAG.match(token)), len(rest))
    else:
        count = 1 if rest and not _FLAG.match(rest[0]) else 0
    taken = rest[:count]
    del rest[:count]
    return taken


def _convert(values, kind):
    if kind == SWITCH:
        return True
    if not values:
        raise ValueError("no value")
    if kind == NUMBER:
        return _finite(float(values[0]))
    if kind == INTEGER:
        value = int(values[0])
        if abs(value) > MAX_POINTS:
            raise ValueError(values[0])
        return value
    coords = [_coord(v) for v in values]
    return coords if kind == COORDS else coords[0]


def _finite(value):
    if not math.isfinite(value):
        raise ValueError(value)
    return value


def _coord(token):
    match = _COORD.match(token)
    if match is None:
        raise ValueError(token)
    unit = (match.group(2) or "pts").lower()
    return Coord(_finite(float(match.group(1))), "pts" if unit == "pt" else unit)


def fn_args(args, own=(), option="--fn"):
    """``args`` (command-line words) with each step written as on nmrPipe's command line,
    ``-fn NAME`` and that function's flags and values, replaced by ``option`` and the step's text
    (``['-fn', 'EXT', '-x1', '101', '-xn', '913']`` -> ``['--fn', 'EXT -x1 101 -xn 913']``);
    the other words keep their places.

    A step ends at the next ``-fn``, at a word starting ``--``, at one of the command's own
    options ``own`` (e.g. ``-in``, ``-out``, ``-ov``) that is not a flag of the function, or at
    a word that is neither a flag nor a flag's value (an input path, say). A flag the function
    does not take stays in the step with the words after it that are not flags, so that
    :func:`parse_step` names it.
    """
    args, out, index = list(args), [], 0
    while index < len(args):
        word = args[index]
        if word == "--":
            out.extend(args[index:])
            break
        if word != "-fn":
            out.append(word)
            index += 1
            continue
        if index + 1 >= len(args) or _FLAG.match(args[index + 1]):
            raise InputError("-fn needs a function name after it, e.g. -fn EXT -x1 101 -xn 913")
        words, index = [args[index + 1]], index + 2
        name = ALIASES.get(words[0].upper(), words[0].upper())
        kinds = {**FLAGS.get(name, {}), **COMMON}
        while index < len(args):
            word = args[index]
            if word == "-fn" or word.startswith("--") or not _FLAG.match(word) or \
                    (word in own and word[1:] not in kinds):
                break
            count = _count_values(args[index + 1:], kinds.get(word[1:]))
            words.extend(args[index:index + 1 + count])
            index += 1 + count
        out.extend((option, " ".join(words)))
    return out


def _count_values(rest, kind):
    """How many of the words ``rest`` are the values of a flag of ``kind`` (None: unknown)."""
    if kind == SWITCH:
        return 0
    if kind in (NUMBER, INTEGER, COORD):
        return 1 if rest and not _FLAG.match(rest[0]) else 0
    test = _COORD.match if kind == COORDS else (lambda word: not _FLAG.match(word))
    return next((i for i, word in enumerate(rest) if not test(word)), len(rest))


def supported_functions():
    """Function names a recipe may use, aliases included."""
    return sorted(FLAGS) + sorted(ALIASES)


def format_recipe(steps):
    """The recipe as text, one step per line (parseable by :func:`parse_recipe`)."""
    return "".join(f"{step.text}\n" for step in steps)
