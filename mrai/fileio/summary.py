"""A readable summary of an NMRPipe header: what ``mrai info`` prints."""

from mrai.fileio._nmrglue import fileiobase
from mrai.fileio.header import axis_field, provenance, quote_value
from mrai.limits import printable, whole_number


def describe(reader):
    """Dictionary describing the data set opened by ``reader`` (a PipeReader).

    Axes are listed outermost first (planes, rows, columns); points are complex points for a
    complex axis; ppm ranges are given for frequency-domain axes (first point, last point).
    """
    dic, lay = reader.dic, reader.layout
    ndim = int(dic["FDDIMCOUNT"])
    codes = [int(c) for c in dic["FDDIMORDER"][:ndim]][::-1]
    sizes = {1: [lay.plane_shape[1]], 2: [lay.rows, lay.plane_shape[1]]}.get(ndim)
    if sizes is None:
        outer = [lay.nplanes] if ndim == 3 else [int(dic["FDF4SIZE"]), int(dic["FDF3SIZE"])]
        sizes = outer + [lay.rows, lay.plane_shape[1]]
    axes = []
    for position, (code, stored) in enumerate(zip(codes, sizes)):
        is_complex = axis_field(dic, code, "QUADFLAG") != 1
        points = stored // 2 if is_complex and position < ndim - 1 else stored
        axis = {
            "axis": f"F{code}", "label": axis_field(dic, code, "LABEL"), "points": int(points),
            "type": "complex" if is_complex else "real",
            "domain": "frequency" if axis_field(dic, code, "FTFLAG") == 1 else "time",
            "sw_hz": float(axis_field(dic, code, "SW")), "obs_mhz": float(axis_field(dic, code, "OBS")),
            "car_ppm": float(axis_field(dic, code, "CAR")),
            "acquired_points": whole_number(axis_field(dic, code, "TDSIZE")),
        }
        if axis["domain"] == "frequency" and points > 1:
            sw, obs = axis["sw_hz"] or 1.0, axis["obs_mhz"] or 1.0
            car = axis_field(dic, code, "ORIG") + sw / 2.0 - sw / points
            uc = fileiobase.unit_conversion(points, is_complex, sw, obs, car)
            axis["ppm_range"] = [round(v, 4) for v in uc.ppm_limits()]
        axes.append(axis)
    return {"name": reader.name, "dimensions": ndim, "planes": lay.nplanes,
            "transposed": bool(dic["FDTRANSPOSED"] == 1), "axes": axes,
            "time_grids": time_grids(dic) if ndim >= 2 else None,
            "made_by": provenance(dic), "comment": dic.get("FDCOMMENT", "")}


def time_grids(dic):
    """For the two plane axes: the header's phases (P0, P1, degrees), the first-sample time
    they imply (P1 / 360 dwells), the exact grid the methods assume (0 or half a dwell) and how
    far off it the phases lie (mrai.physics.grid)."""
    from mrai.physics.grid import delay_from_phase, nearest_start
    from mrai.fileio.header import plane_codes

    out = []
    for code in plane_codes(dic):
        p0, p1 = float(axis_field(dic, code, "P0")), float(axis_field(dic, code, "P1"))
        start, off = nearest_start(delay_from_phase(p1))
        out.append({"axis": f"F{code}", "p0": p0, "p1": p1, "delay": delay_from_phase(p1),
                    "assumed_start": start, "off": off})
    return out


def format_description(info):
    """Plain-text table of :func:`describe`'s dictionary; text from the file (its name, labels,
    the provenance record) with control characters escaped (mrai.limits.printable)."""
    shape = " x ".join(str(a["points"]) for a in info["axes"])
    lines = [f"file         {printable(info['name'])}",
             f"dimensions   {info['dimensions']}D, {shape} points, {info['planes']} plane(s)"
             + (", transposed" if info["transposed"] else ""),
             f"{'axis':<5}{'label':<8}{'points':>7}  {'type':<8}{'domain':<10}{'SW (Hz)':>11}"
             f"{'OBS (MHz)':>11}  ppm range"]
    for a in info["axes"]:
        ppm = ("{:.3f} .. {:.3f}".format(*a["ppm_range"]) if "ppm_range" in a else "-")
        lines.append(f"{a['axis']:<5}{printable(a['label']) or '-':<8}{a['points']:>7}  "
                     f"{a['type']:<8}"
                     f"{a['domain']:<10}{a['sw_hz']:>11.2f}{a['obs_mhz']:>11.3f}  {ppm}")
    for g in info.get("time_grids") or []:
        where = "half a dwell" if g["assumed_start"] else "0"
        lines.append(f"time grid    {g['axis']}: P0 {g['p0']:g} P1 {g['p1']:g}, first sample at "
                     f"{g['delay']:.3g} dwell; split as from {where}"
                     + (f" ({g['off']:.2f} dwell off)" if g["off"] >= 0.005 else " (exact)"))
    made = info["made_by"]
    if made:
        extra = " ".join(f"{k}={quote_value(v)}" for k, v in made.items()
                         if k not in ("version", "command"))
        lines.append(printable(f"made by      mrai {made['version']} {made['command']} "
                               f"{extra}".rstrip()))
    else:
        lines.append("made by      not recorded (not an mrai output)")
    return "\n".join(lines)
