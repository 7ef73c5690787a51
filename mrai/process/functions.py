"""The nmrPipe functions of a recipe, done by ``nmrglue.process.pipe_proc``, headers as nmrPipe.

Each function works on the X axis (the last axis, the dimension FDDIMORDER1) of one plane held
as nmrglue holds it: rows x points, complex when X is complex, Y real and imaginary rows
interleaved when Y is complex. Sizes are complex points for complex data, as nmrPipe counts.

Where nmrglue's header differs from nmrPipe's, it is corrected here:

- sizes and data types (after every step, from the data and the fdatap.h rules): FDSIZE,
  FDSPECNUM (complex rows when X is real and Y complex), FDSLICECOUNT, the X axis QUADFLAG and
  FDQUADFLAG. nmrglue's DI halves FDSPECNUM whenever FD2DPHASE is States, even when Y is
  already real, and not when the transposed F1 is made real while F2 (Y) is complex; FT of
  real data without -real left QUADFLAG real;
- ZF of real time-domain data (TPPI, sequential): CENTER and ORIG count the complex points the
  FT will give (half), as nmrPipe does; nmrglue counted the real points;
- FT -auto: modes from FDF?AQSIGN as fdatap.h defines it (16 = negate only); nmrglue also sign
  alternated for 16;
- TP: nmrPipe's default -auto (hypercomplex when both axes are complex); nmrglue's default
  dropped the imaginaries of X then;
- EXT: only X is extracted, and the Y dimension's header is kept (nmrglue rewrote Y's CENTER,
  APOD, TDSIZE, ORIG, and halved a complex frequency-domain Y's SW); X1/XN count from the
  first point of the full spectrum when the data were already extracted;
- BASE: done here as nmrglue does it, except that a node's window is clamped to the data
  (nmrglue's wraps around before the first point and averages nothing: NaN);
- LP: -before replaces the first -pred points (nmrglue's meaning); nmrglue's -pred default
  compares the wrong argument and predicts one point; here it is the vector's size after the
  data (doubling it, as nmrPipe) and 1 point before; nmrglue writes X's APOD and TDSIZE as the
  new size, nmrPipe keeps them (the points acquired), so they are kept;
- REV, CS: the ppm calibration changes only with -sw, as nmrPipe's flag says (nmrglue's REV
  changes it by default);
- SOL: nmrglue's low-pass filter, done here with nmrglue's code (its -fs 1 calls
  scipy.signal.boxcar, gone from SciPy); MED: nmrglue's median baseline (nmrglue notes that
  nmrPipe's MED is a different algorithm), on real data only.
"""

import numpy as np

from mrai.limits import MAX_LP_ORDER, MAX_PLANE_POINTS, MAX_POINTS, MAX_ZF_DOUBLINGS
from mrai.fileio._nmrglue import pipe as ng_pipe
from mrai.fileio._nmrglue import pipe_proc as pp

_APODIZE = ("c", "start", "size", "inv", "one")
_Y_FIELDS = ("CENTER", "APOD", "TDSIZE", "ORIG", "SW", "X1", "XN")


class StepError(ValueError):
    """A step that cannot be applied to the data it is given (the message says why)."""


def apply(dic, data, step):
    """``(dic, data)`` after ``step`` (a :class:`~mrai.process.recipe.Step`); ``dic`` is
    changed in place, as nmrglue does."""
    dic, data = _FUNCTIONS[step.name](dic, data, step.args)
    if step.args.get("di"):
        dic, data = pp.di(dic, data)
    return sync_sizes(dic, data), data


def axis_code(dic, position):
    """NMRPipe dimension code of plane axis ``position`` (1 = X, 2 = Y)."""
    return int(dic[f"FDDIMORDER{position}"])


def plane_field(dic, position, name):
    """Header field ``name`` (e.g. 'FTFLAG') of plane axis ``position`` (1 = X, 2 = Y)."""
    return dic[f"FDF{axis_code(dic, position)}{name}"]


def _set_field(dic, position, name, value):
    dic[f"FDF{axis_code(dic, position)}{name}"] = float(value)


def sync_sizes(dic, data):
    """Size and data-type fields from the data, by the fdatap.h rules."""
    x_complex = np.iscomplexobj(data)
    _set_field(dic, 1, "QUADFLAG", 0 if x_complex else 1)
    rows = data.shape[-2]
    y_complex = plane_field(dic, 2, "QUADFLAG") != 1
    dic["FDSIZE"] = float(data.shape[-1])
    dic["FDSPECNUM"] = float(rows // 2 if y_complex and not x_complex else rows)
    dic["FDSLICECOUNT"] = dic["FDSPECNUM"]
    dims = range(1, int(dic["FDDIMCOUNT"]) + 1)
    dic["FDQUADFLAG"] = float(all(dic[f"FDF{d}QUADFLAG"] == 1 for d in dims))
    return dic


def ft_modes(dic, position=1):
    """FT modes for plane axis ``position`` (1 = X) read from the header, as nmrPipe's FT -auto:
    inverse for frequency-domain data, real for real data, sign alternation and negation from
    AQSIGN (fdatap.h: 1, 2 alternate; 16 negate; 17, 18 both)."""
    if plane_field(dic, position, "FTFLAG") == 1:
        return {"inv": True}
    sign = int(plane_field(dic, position, "AQSIGN"))
    return {"real": plane_field(dic, position, "QUADFLAG") == 1, "alt": sign % 16 in (1, 2),
            "neg": sign >= 16}


def _pick(args, names):
    return {name: args[name] for name in names if name in args}


def _window(data, args):
    """Refuse an apodization window (-start, -size, 1-based points) outside the data."""
    size = data.shape[-1]
    start = args.get("start", 1)
    if not 1 <= start <= size or not 1 <= args.get("size", 1) <= size:
        raise StepError(f"-start and -size must lie within the {size} points of the data")


def _sp(dic, data, args):
    _window(data, args)
    return pp.sp(dic, data, **_pick(args, ("off", "end", "pow") + _APODIZE))


def _gm(dic, data, args):
    _window(data, args)
    return pp.gm(dic, data, **_pick(args, ("g1", "g2", "g3") + _APODIZE))


def _em(dic, data, args):
    _window(data, args)
    return pp.em(dic, data, **_pick(args, ("lb",) + _APODIZE))


def fits(data, points, rows=None):
    """StepError when ``rows`` (default: the data's) x ``points`` X points (complex points for
    complex data) exceed mrai.limits: checked before a step makes the data bigger."""
    rows = data.shape[-2] if rows is None else rows
    words = points * (2 if np.iscomplexobj(data) else 1)
    if words > MAX_POINTS or rows * words > MAX_PLANE_POINTS:
        raise StepError(f"the result, {rows} rows of {points} points, would exceed what mrai "
                        f"takes ({MAX_POINTS} points in a row, {MAX_PLANE_POINTS} in a plane: "
                        "docs/conventions.md#limits)")


def zf_size(data, args):
    """The X size ZF gives (nmrglue's rules: -zf doublings, -pad, -size, then -auto to a power
    of two; never smaller than the data), after checking the flags."""
    size = data.shape[-1]
    if args.get("inv"):
        return size
    doublings = args.get("zf", 1)
    if not 0 <= doublings <= MAX_ZF_DOUBLINGS:
        raise StepError(f"ZF -zf counts doublings: 0..{MAX_ZF_DOUBLINGS}")
    new = size * 2 ** doublings
    if "pad" in args:
        if args["pad"] < 0:
            raise StepError("ZF -pad adds points: 0 or more")
        new = size + args["pad"]
    if "size" in args:
        if args["size"] < 1:
            raise StepError("ZF -size is the size to fill to: 1 or more")
        new = args["size"]
    new = max(new, size)
    if args.get("auto"):
        new = 1 << (int(new) - 1).bit_length()
    return int(new)


def _zf(dic, data, args):
    fits(data, zf_size(data, args))
    dic, data = pp.zf(dic, data, **_pick(args, ("zf", "pad", "size", "auto", "mid", "inv")))
    if plane_field(dic, 1, "FTFLAG") != 1 and not np.iscomplexobj(data):
        _calibrate(dic, data.shape[-1] / 2)  # the complex points a real FT will give
    return dic, data


def _calibrate(dic, points):
    """X's CENTER (point of the carrier, 1-based) and ORIG (frequency of the last point, Hz)
    for a spectrum of ``points`` points."""
    center = points / 2 + 1
    carrier = plane_field(dic, 1, "CAR") * plane_field(dic, 1, "OBS")
    _set_field(dic, 1, "CENTER", center)
    _set_field(dic, 1, "ORIG", carrier - plane_field(dic, 1, "SW") * (points - center) / points)


def _ft(dic, data, args):
    modes = ft_modes(dic) if args.get("auto") else _pick(args, ("real", "inv", "alt", "neg"))
    return pp.ft(dic, data, **modes)


def _ps(dic, data, args):
    if not np.iscomplexobj(data):
        raise StepError("PS needs complex data (X is real; phase before -di)")
    return pp.ps(dic, data, **_pick(args, ("p0", "p1", "inv", "hdr")))


def _ext(dic, data, args):
    kept = {name: plane_field(dic, 2, name) for name in _Y_FIELDS}
    first_old = plane_field(dic, 1, "X1") if plane_field(dic, 1, "XN") else 1
    if args.get("round", 1) < 1:
        raise StepError("EXT -round needs 1 or more")
    bounds = {key: _point(dic, data, args[key], f"-{key}") for key in ("x1", "xn")
              if key in args}
    ends = [round(_exact_point(dic, data, args[key])) if key in args else default
            for key, default in (("x1", 1), ("xn", data.shape[-1]))]
    if len(bounds) == 2:
        ends.sort()
    if ends[1] < 1 or ends[0] > data.shape[-1]:
        raise StepError(f"the region to extract lies outside the data (points 1.."
                        f"{data.shape[-1]})")
    if len(bounds) == 2 and bounds["x1"] > bounds["xn"]:
        bounds = {"x1": bounds["xn"], "xn": bounds["x1"]}
    options = _pick(args, ("left", "right", "mid", "pow2", "round"))
    dic, data = pp.ext(dic, data, **bounds, **options)
    if data.shape[-1] == 0:
        raise StepError("the region to extract holds no points")
    if plane_field(dic, 1, "FTFLAG") == 1:
        _set_field(dic, 1, "X1", plane_field(dic, 1, "X1") + first_old - 1)
        _set_field(dic, 1, "XN", plane_field(dic, 1, "X1") + data.shape[-1] - 1)
    for name, value in kept.items():
        _set_field(dic, 2, name, value)
    return dic, data


def _point(dic, data, coord, flag="a location", strict=False):
    """1-based X point of a :class:`~mrai.process.recipe.Coord` (a negative point counts from
    the last one), rounded, taken to the nearest end of the data when beyond it; ``strict``:
    StepError instead when it lies outside the data."""
    size = data.shape[-1]
    point = _exact_point(dic, data, coord)
    if not np.isfinite(point):
        raise StepError(f"{flag} {coord.value:g}{coord.unit} is not a location in these data")
    if strict and not 1 <= round(point) <= size:
        unit = "" if coord.unit == "pts" else coord.unit
        raise StepError(f"{flag} {coord.value:g}{unit} lies outside the {size} points of the "
                        "data")
    return min(max(int(round(point)), 1), size)


def _exact_point(dic, data, coord):
    """The 1-based X point of a Coord, unrounded and not limited to the data."""
    if coord.unit == "pts":
        return data.shape[-1] + coord.value if coord.value < 0 else coord.value
    uc = ng_pipe.make_uc(dic, data, dim=-1)
    return uc.f(coord.value, coord.unit) + 1


def _base(dic, data, args):
    """nmrglue's BASE (a straight line between the levels of successive nodes, nothing outside
    the first and last nodes), with each level the mean over node +- nw clamped to the data:
    nmrglue's window wraps around before the first point."""
    size, width = data.shape[-1], args.get("nw", 0)
    if width < 0:
        raise StepError("BASE -nw is a half width in points: 0 or more")
    ends = ([1] if args.get("first") else []) + ([size] if args.get("last") else [])
    nodes = sorted({_point(dic, data, c, "-nl node", strict=True) for c in args.get("nl", [])}
                   | set(ends))
    if len(nodes) < 2:
        raise StepError("BASE needs at least two nodes (-nl, -first, -last)")
    starts = [n - 1 for n in nodes]  # 0-based
    levels = [data[..., max(i - width, 0):i + width + 1].mean(axis=-1) for i in starts]
    baseline = np.zeros_like(data)
    for a, b, level_a, level_b in zip(starts, starts[1:], levels, levels[1:]):
        weight = np.linspace(0.0, 1.0, b - a + 1)
        baseline[..., a:b + 1] = np.multiply.outer(level_a, 1 - weight) + \
            np.multiply.outer(level_b, weight)
    return pp.update_minmax(dic, data - baseline), data - baseline


def _tp(dic, data, args):
    modes = _pick(args, ("hyper", "nohyper")) or {"auto": True}
    return pp.tp(dic, data, **modes)


def _di(dic, data, args):
    return pp.di(dic, data)


def _sol(dic, data, args):
    if args.get("mode", 1) != 1:
        raise StepError("SOL -mode 1 (low-pass filter) is the only mode nmrglue has")
    shape = args.get("fs", 1)
    if shape not in (1, 2, 3):
        raise StepError("SOL -fs is 1 (boxcar), 2 (sine) or 3 (sine squared)")
    length, head = args.get("fl", 16), args.get("head", 0)
    if not 1 <= length <= data.shape[-1] or not 0 <= head < data.shape[-1]:
        raise StepError("SOL needs -fl >= 1 and -head within the data")
    from nmrglue.process import proc_bl  # loaded with pipe_proc, which a step has used by now

    width = 2 * length + 1                  # as nmrglue's pp.sol
    window = np.cos(np.pi * np.linspace(-0.5, 0.5, width))
    window = {1: np.ones(width), 2: window, 3: window ** 2}[shape]
    data = np.array(data)
    data[..., head:] = proc_bl.sol_general(data[..., head:], window, w=width)
    return pp.update_minmax(dic, data), data


def _lp(dic, data, args):
    modes = [mode for mode in ("f", "b", "fb") if args.get(mode)]
    if len(modes) > 1 or (args.get("before") and args.get("after")) or \
            (args.get("ps90-180") and args.get("ps0-0")):
        raise StepError("LP takes one of -f/-b/-fb, of -after/-before, of -ps90-180/-ps0-0")
    if not np.iscomplexobj(data):
        raise StepError("LP needs complex data along X")
    size = data.shape[-1]
    append = "before" if args.get("before") else "after"
    pred = args.get("pred", size if append == "after" else 1)
    first, last = args.get("x1", 1), args.get("xn", size)
    order = args.get("ord", 8)
    if pred < 1 or not 1 <= first < last <= size or not 1 <= order < last - first + 1:
        raise StepError(f"LP needs -pred >= 1, 1 <= -x1 < -xn <= {size} and an order below "
                        "the points used")
    if order > MAX_LP_ORDER:
        raise StepError(f"LP -ord {order}: at most {MAX_LP_ORDER} (the fit's cost grows as the "
                        "cube of the order: docs/conventions.md#limits)")
    fits(data, size + pred if append == "after" else size)
    mirror = "90-180" if args.get("ps90-180") else "0-0" if args.get("ps0-0") else None
    kept = {name: plane_field(dic, 1, name) for name in ("APOD", "TDSIZE")}
    # nmrglue reads x1/xn only when they are not "default"
    try:
        dic, data = pp.lp(dic, np.array(data), pred=pred, x1=first, xn=last + 1, ord=order,
                          mode=modes[0] if modes else "f", append=append, mirror=mirror,
                          fix_mode="on", bad_roots=None if args.get("nofix") else "auto")
    except (ArithmeticError, TypeError, ValueError, np.linalg.LinAlgError) as exc:
        raise StepError(f"nmrglue's LP failed on these data ({type(exc).__name__}: {exc}); "
                        "try another -ord, -f or -b") from None
    for name, value in kept.items():
        _set_field(dic, 1, name, value)
    return dic, data


def _med(dic, data, args):
    if np.iscomplexobj(data):
        raise StepError("MED works on real data (use -di on the step before)")
    if not 1 <= args.get("nw", 24) <= data.shape[-1] or not 1 <= args.get("sf", 16) <= \
            data.shape[-1]:
        raise StepError(f"MED needs -nw and -sf within 1..{data.shape[-1]} (the points)")
    return pp.med(dic, np.array(data), nw=args.get("nw", 24), sf=args.get("sf", 16),
                  sigma=args.get("sigma", 5.0))


def _cs(dic, data, args):
    if ("rs" in args) == ("ls" in args):
        raise StepError("CS takes -rs N or -ls N (points)")
    direction = "rs" if "rs" in args else "ls"
    points = int(round(_distance(dic, data, args[direction])))
    return pp.cs(dic, np.array(data), direction, pts=points, neg=bool(args.get("neg")),
                 sw=bool(args.get("sw")))


def _distance(dic, data, coord):
    """A distance along X in points, from a :class:`~mrai.process.recipe.Coord` (a shift, not
    a location: 5ppm is the width of 5 ppm)."""
    size = data.shape[-1]
    per_hz = size / plane_field(dic, 1, "SW")
    scale = {"pts": 1.0, "hz": per_hz, "ppm": per_hz * plane_field(dic, 1, "OBS"),
             "%": size / 100.0}[coord.unit]
    return coord.value * scale


def _rev(dic, data, args):
    return pp.rev(dic, np.array(data), sw=bool(args.get("sw")))


_FUNCTIONS = {"SP": _sp, "GM": _gm, "EM": _em, "ZF": _zf, "FT": _ft, "PS": _ps, "EXT": _ext,
              "BASE": _base, "TP": _tp, "DI": _di, "SOL": _sol, "LP": _lp, "MED": _med, "CS": _cs,
              "REV": _rev}
