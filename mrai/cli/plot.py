"""``mrai plot``: figures of spectra, reconstructions and their per-point sigma (PNG or PDF).

Options shared by the subcommands: ``--region F1A:F1B,F2A:F2B`` in ppm (or ``--region-points``
in 0-based points, inclusive; either part may be left empty for the whole axis), ``--levels N``,
``--floor FRACTION`` or ``--level-list A,B,..`` for contours, ``--plane N`` (1-based) to pick one
plane of 3D data. A bad value is one ``mrai: error:`` line and exit code 2.
"""

import click

from mrai.cli.options import say
from mrai.errors import InputError, OutputError


@click.group("plot")
def command():
    """Figures of 2D spectra and reconstructions with their per-point sigma.

    Inputs are real NMRPipe spectra (F1 rows, F2 columns, transposed files turned back); 3D
    data: one plane, chosen with --plane N. Axes are in ppm (nucleus from the header label,
    ppm decreasing to the right and upward) when the header gives spectral widths, else in
    0-based points. Each subcommand writes one figure, -o FILE.png or FILE.pdf.
    """


def _option_error(option, text, why):
    return InputError(f"{text!r} {why}", option)


def _number(option, text, kind=float):
    try:
        return kind(text)
    except ValueError:
        raise _option_error(option, text, f"is not {'an integer' if kind is int else 'a number'}"
                            ) from None


def parse_region(text, option="--region"):
    """'F1A:F1B,F2A:F2B' -> ((F1A, F1B) or None, (F2A, F2B) or None); an empty part is the
    whole axis."""
    if text is None:
        return None
    parts = text.split(",")
    if len(parts) != 2:
        raise _option_error(option, text, "is not F1A:F1B,F2A:F2B (e.g. 105:130,6.5:10; "
                                          "leave a part empty for the whole axis: ,6.5:10)")
    region = []
    for part in parts:
        if not part.strip():
            region.append(None)
            continue
        ends = part.split(":")
        if len(ends) != 2:
            raise _option_error(option, text, f"has {part!r} where A:B is needed")
        kind = int if option == "--region-points" else float
        region.append(tuple(_number(option, v.strip(), kind) for v in ends))
    return tuple(region)


def _region_callback(ctx, param, value):
    return parse_region(value, param.opts[0])


def _positive_int(ctx, param, value):
    if value is None:
        return None
    number = _number(param.opts[0], value, int)
    if number < 1:
        raise _option_error(param.opts[0], value, "must be at least 1")
    return number


def _fraction(ctx, param, value):
    if value is None:
        return None
    number = _number(param.opts[0], value)
    if not 0 < number < 1:
        raise _option_error(param.opts[0], value, "is a fraction of the maximum, between 0 "
                                                  "and 1 (e.g. 0.02)")
    return number


def _choice(*choices):
    """A callback taking one of ``choices`` (any case), as one ``mrai: error:`` line if not."""
    def parse(ctx, param, value):
        if value is None or value.lower() in choices:
            return value if value is None else value.lower()
        raise _option_error(param.opts[0], value, f"is not one of {', '.join(choices)}")
    return parse


def _level_list(ctx, param, value):
    if value is None:
        return None
    levels = [_number(param.opts[0], v.strip()) for v in value.split(",") if v.strip()]
    if not levels or min(levels) <= 0 or any(b <= a for a, b in zip(levels, levels[1:])):
        raise _option_error(param.opts[0], value, "is not a list of positive increasing "
                                                  "levels, e.g. 2e3,4e3,8e3")
    return levels


def region_options(function):
    function = click.option(
        "--region-points", "region_points", metavar="F1A:F1B,F2A:F2B",
        callback=_region_callback,
        help="The region in 0-based point indices (inclusive), e.g. 20:120,300:900.")(function)
    return click.option(
        "--region", metavar="F1A:F1B,F2A:F2B", callback=_region_callback,
        help="The region to draw in ppm, F1 then F2, either order, e.g. 105:130,6.5:10; "
             "leave a part empty for the whole axis (,6.5:10). Default: everything.")(function)


def level_options(function):
    function = click.option(
        "--level-list", metavar="A,B,..", callback=_level_list,
        help="Explicit positive contour levels in spectrum units (negatives drawn at the "
             "same levels negated); replaces --levels and --floor.")(function)
    function = click.option(
        "--floor", metavar="FRACTION", callback=_fraction,
        help="Lowest contour level as a fraction of the maximum (default: 3 % of the maximum "
             "or 5 noise sigmas, whichever is higher).")(function)
    return click.option(
        "--levels", "level_count", metavar="N", callback=_positive_int,
        help="Number of contour levels, geometric from the lowest to the maximum (default: "
             "ratio 1.4).")(function)


def plane_option(function):
    return click.option("--plane", metavar="N", callback=_positive_int,
                        help="The plane of 3D data to draw, 1-based (required for 3D data)."
                        )(function)


def figure_output(function):
    function = click.option("-ov", "--overwrite", is_flag=True,
                            help="Replace an existing output file.")(function)
    return click.option("-o", "-out", "--out", "out_path", required=True,
                        metavar="FILE.png|FILE.pdf", help="The figure to write.")(function)


def _region(region, region_points):
    """(region, unit) from --region / --region-points."""
    if region is not None and region_points is not None:
        raise InputError("give --region (ppm) or --region-points, not both")
    return (region_points, "point") if region_points is not None else (region, "ppm")


def _levels(count, floor, level_list):
    if level_list is not None and (count is not None or floor is not None):
        raise InputError("--level-list gives the levels: leave out --levels and --floor")
    return dict(levels=level_list, count=count, floor=floor)


def _plots(out_path, overwrite):
    """The plots module, once the output is known to be writable with a known format (checked
    before any input is read). matplotlib is imported here, not when mrai starts."""
    from mrai import plots
    from mrai.output import check_writable

    try:
        plots.figure_format(out_path)
    except ValueError as exc:
        raise OutputError(str(exc)) from None
    check_writable(out_path, overwrite)
    return plots


def read_plane(path, plane=None):
    """(header, real (F1, F2) float32 array) of a 2D NMRPipe spectrum, or of plane ``plane``
    (1-based) of 3D data, checked."""
    import itertools

    import numpy as np

    from mrai.fileio.pipe import PipeReader
    from mrai.planes import check_plane, require_real_spectrum

    reader = PipeReader(path)
    dimensions = int(reader.dic["FDDIMCOUNT"])
    count = reader.layout.nplanes
    if dimensions < 2:
        raise InputError("1D data; plots take a 2D spectrum or a plane of 3D data", reader.name)
    if count > 1 and plane is None:
        raise InputError(f"{dimensions}D data with {count} planes; choose one with --plane N "
                         f"(1 to {count})", reader.name)
    if plane is not None and plane > count:
        raise InputError(f"--plane {plane}: the data have {count} plane(s)", reader.name)
    require_real_spectrum(reader.dic, reader.name)
    data = next(itertools.islice(reader.planes(), (plane or 1) - 1, None))
    data = data.T if reader.dic["FDTRANSPOSED"] == 1 else data
    check_plane(data, reader.name, minimum=2)
    return reader.dic, np.ascontiguousarray(data, dtype=np.float32)


def _spectra(*paths, plane=None):
    """The header of the first path and the arrays of all (None for a path not given), which
    must have one shape."""
    loaded = [read_plane(p, plane) if p is not None else (None, None) for p in paths]
    shape = loaded[0][1].shape
    for path, (_, data) in zip(paths, loaded):
        if data is not None and data.shape != shape:
            raise InputError(f"{data.shape[0]} x {data.shape[1]} points where {paths[0]} has "
                             f"{shape[0]} x {shape[1]}", path)
    return loaded[0][0], [data for _, data in loaded]


def _name(path):
    import os

    return os.path.basename(str(path))


def _draw_and_save(plots, draw, out_path, overwrite, name, detail=""):
    """Draw the figure (the library's ValueError is bad input), save it, confirm on stderr."""
    try:
        fig = draw()
    except ValueError as exc:
        raise InputError(str(exc)) from None
    plots.save(fig, out_path, overwrite=overwrite)
    say(f"mrai plot {name}: wrote {out_path}{detail}")


@command.command("contour")
@click.argument("spectrum_path", metavar="SPECTRUM")
@click.option("--reference", metavar="REF", help="A spectrum to compare (same size).")
@click.option("--layout", metavar="overlay|side", callback=_choice("overlay", "side"),
              default="overlay", show_default=True,
              help="REF beneath SPECTRUM in wide light grey, or in its own panel beside it.")
@click.option("--title", metavar="TEXT", help="Figure title (default: the contour levels).")
@region_options
@level_options
@plane_option
@figure_output
def contour_command(spectrum_path, reference, layout, title, region, region_points,
                    level_count, floor, level_list, plane, out_path, overwrite):
    """Contour plot of SPECTRUM, REF beneath or beside it.

    Positive levels blue, negative red (the same levels negated): by default a geometric series
    of ratio 1.4 from 3 % of the maximum (or 5 noise sigmas) up; --levels, --floor and
    --level-list change it. With --layout overlay REF is drawn first, in wide light grey
    (negative: light red), so SPECTRUM's thin lines show on top of it."""
    region, unit = _region(region, region_points)
    levels = _levels(level_count, floor, level_list)
    plots = _plots(out_path, overwrite)
    dic, (spectrum, ref) = _spectra(spectrum_path, reference, plane=plane)
    _draw_and_save(plots, lambda: plots.contour(
        spectrum, dic, reference=ref, title=title, region=region, region_unit=unit,
        layout=layout, name=_name(spectrum_path),
        reference_name=_name(reference) if reference else "reference", **levels),
        out_path, overwrite, "contour")


def _parse_peak(ctx, param, values):
    peaks = []
    for text in values:
        try:
            row, col = (int(v) for v in text.split(","))
        except ValueError:
            raise _option_error("--peak", text, "is not of the form ROW,COL, e.g. 12,340"
                                ) from None
        peaks.append((row, col))
    return peaks or None


def _window(ctx, param, value):
    if value is None:
        return None
    if param.opts[0] == "--window-ppm":
        number = _number("--window-ppm", value)
        if not number > 0:
            raise _option_error("--window-ppm", value, "must be a positive width in ppm")
        return number
    number = _number("--window", value, int)
    if number == 1 or number < 0:
        raise _option_error("--window", value, "must be 0 (the whole axis) or at least 2 points")
    return number


@command.command("slices")
@click.argument("recon_path", metavar="RECON")
@click.option("--sigma", "sigma_path", required=True, metavar="SIGMA",
              help="Per-point standard deviation of RECON (same size).")
@click.option("--reference", metavar="REF",
              help="The true spectrum: drawn, with the error REF - RECON against 1.96 sigma.")
@click.option("--peak", "peaks", multiple=True, metavar="ROW,COL", callback=_parse_peak,
              help="A peak to slice through, 0-based point indices (row F1, column F2); "
                   "repeat for more (default: the --count highest separated maxima).")
@click.option("--count", default="4", show_default=True, metavar="N", callback=_positive_int,
              help="Number of peaks found when no --peak is given.")
@click.option("--axis", metavar="f1|f2", callback=_choice("f1", "f2"), default="f2",
              show_default=True, help="Slice along F2 (the peak's row) or F1 (its column).")
@click.option("--window", metavar="POINTS", callback=_window,
              help="Points shown around each peak (default 64; 0: the whole axis).")
@click.option("--window-ppm", metavar="PPM", callback=_window,
              help="Width shown around each peak in ppm, instead of --window.")
@plane_option
@figure_output
def slices_command(recon_path, sigma_path, reference, peaks, count, axis, window, window_ppm,
                   plane, out_path, overwrite):
    """1D slices of RECON through peaks, with the 95 % band.

    One panel per peak, zoomed around it: RECON, the band RECON +- 1.96 SIGMA, and with
    --reference the reference (dashed) and the error REF - RECON (offset below) against
    +- 1.96 SIGMA."""
    if window is not None and window_ppm is not None:
        raise InputError("give --window (points) or --window-ppm, not both")
    plots = _plots(out_path, overwrite)
    dic, (mu, sigma, ref) = _spectra(recon_path, sigma_path, reference, plane=plane)
    _draw_and_save(plots, lambda: plots.slices(
        mu, sigma, dic, reference=ref, peaks=peaks, count=count, axis=axis,
        window=plots.WINDOW if window is None else window, window_ppm=window_ppm),
        out_path, overwrite, "slices")


@command.command("sigma")
@click.argument("recon_path", metavar="RECON")
@click.option("--sigma", "sigma_path", required=True, metavar="SIGMA",
              help="Per-point standard deviation of RECON (same size).")
@click.option("--title", metavar="TEXT", help="Figure title.")
@region_options
@level_options
@plane_option
@figure_output
def sigma_command(recon_path, sigma_path, title, region, region_points, level_count, floor,
                  level_list, plane, out_path, overwrite):
    """Map of SIGMA / Smax with RECON's contours.

    SIGMA divided by Smax (the maximum of RECON) as a colour image with a scale bar; RECON's
    positive contours (levels as for contour) in thin black lines."""
    region, unit = _region(region, region_points)
    levels = _levels(level_count, floor, level_list)
    plots = _plots(out_path, overwrite)
    dic, (mu, sigma) = _spectra(recon_path, sigma_path, plane=plane)
    _draw_and_save(plots, lambda: plots.sigma_map(mu, sigma, dic, region=region,
                                                  region_unit=unit, title=title, **levels),
                   out_path, overwrite, "sigma")


@command.command("box")
@click.option("--entry", "entries", multiple=True, required=True, nargs=3,
              metavar="LABEL RECON SIGMA",
              help="A reconstruction and its sigma, one box labelled LABEL; repeat for more.")
@plane_option
@figure_output
def box_command(entries, plane, out_path, overwrite):
    """Box plot of sigma / Smax, one box per --entry.

    sigma / Smax over each reconstruction's signal points (|RECON| / Smax > 0.01, Smax the
    maximum of RECON): median, quartiles, whiskers at the 5th and 95th percentiles, mean."""
    plots = _plots(out_path, overwrite)
    arrays = [(label, *_spectra(recon, sigma, plane=plane)[1]) for label, recon, sigma in entries]
    _draw_and_save(plots, lambda: plots.sigma_box(arrays), out_path, overwrite, "box",
                   f" ({len(arrays)} entries)")
