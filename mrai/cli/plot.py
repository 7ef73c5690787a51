"""``mrai plot``: figures of spectra, reconstructions and their per-point sigma (PNG or PDF)."""

import click

from mrai.cli.options import say
from mrai.errors import InputError, OutputError


@click.group("plot")
def command():
    """Figures of 2D spectra and reconstructions with their per-point sigma.

    Inputs are real 2D NMRPipe spectra (F1 rows, F2 columns, transposed files turned back);
    axes are in ppm when the header gives spectral widths, else in points. Each subcommand
    writes one figure, -o FILE.png or FILE.pdf.
    """


def figure_output(function):
    function = click.option("-ov", "--overwrite", is_flag=True,
                            help="Replace an existing output file.")(function)
    return click.option("-o", "-out", "--out", "out_path", required=True,
                        metavar="FILE.png|FILE.pdf", help="The figure to write.")(function)


def _plots(out_path, overwrite):
    """The plots module, once the output is known to be writable with a known format (checked
    before any input is read). matplotlib is imported here, not when mrai starts."""
    from mrai import plots
    from mrai.fileio.pipe import check_writable

    try:
        plots.figure_format(out_path)
    except ValueError as exc:
        raise OutputError(str(exc)) from None
    check_writable(out_path, overwrite)
    return plots


def _spectrum(path):
    """(header, real (F1, F2) float32 array) of a 2D NMRPipe spectrum, checked."""
    import numpy as np

    from mrai.fileio.pipe import PipeReader
    from mrai.planes import check_plane, require_real_spectrum

    reader = PipeReader(path)
    dimensions = int(reader.dic["FDDIMCOUNT"])
    if dimensions != 2:
        raise InputError(f"{dimensions}D data; plots take a 2D spectrum"
                         + (" (extract one plane first)" if dimensions > 2 else ""), reader.name)
    require_real_spectrum(reader.dic, reader.name)
    plane = reader.read_all()
    plane = plane.T if reader.dic["FDTRANSPOSED"] == 1 else plane
    check_plane(plane, reader.name, minimum=2)
    return reader.dic, np.ascontiguousarray(plane, dtype=np.float32)


def _spectra(*paths):
    """The header of the first path and the arrays of all (None for a path not given), which
    must have one shape."""
    loaded = [_spectrum(p) if p is not None else (None, None) for p in paths]
    shape = loaded[0][1].shape
    for path, (_, data) in zip(paths, loaded):
        if data is not None and data.shape != shape:
            raise InputError(f"{data.shape[0]} x {data.shape[1]} points where {paths[0]} has "
                             f"{shape[0]} x {shape[1]}", path)
    return loaded[0][0], [data for _, data in loaded]


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
@click.option("--reference", metavar="REF", help="A spectrum to overlay (same size), in grey.")
@click.option("--title", metavar="TEXT", help="Figure title (default: the contour levels).")
@figure_output
def contour_command(spectrum_path, reference, title, out_path, overwrite):
    """Contour plot of SPECTRUM, REF overlaid.

    Positive levels blue, negative red, REF grey: a geometric series of ratio 1.4 from 3 % of
    the maximum (or 5 noise sigmas) up."""
    plots = _plots(out_path, overwrite)
    dic, (spectrum, ref) = _spectra(spectrum_path, reference)
    _draw_and_save(plots, lambda: plots.contour(spectrum, dic, reference=ref, title=title),
                   out_path, overwrite, "contour")


def _parse_peak(ctx, param, values):
    peaks = []
    for text in values:
        try:
            row, col = (int(v) for v in text.split(","))
        except ValueError:
            raise click.BadParameter(f"{text!r} is not of the form ROW,COL, e.g. 12,340") from None
        peaks.append((row, col))
    return peaks or None


@command.command("slices")
@click.argument("recon_path", metavar="RECON")
@click.option("--sigma", "sigma_path", required=True, metavar="SIGMA",
              help="Per-point standard deviation of RECON (same size).")
@click.option("--reference", metavar="REF",
              help="The true spectrum: drawn, with the error REF - RECON against 1.96 sigma.")
@click.option("--peak", "peaks", multiple=True, metavar="ROW,COL", callback=_parse_peak,
              help="A peak to slice through, 0-based point indices (row F1, column F2); "
                   "repeat for more (default: the --count highest separated maxima).")
@click.option("--count", default=4, show_default=True, type=click.IntRange(min=1),
              help="Number of peaks found when no --peak is given.")
@click.option("--axis", type=click.Choice(["f1", "f2"], case_sensitive=False), default="f2",
              show_default=True, help="Slice along F2 (the peak's row) or F1 (its column).")
@figure_output
def slices_command(recon_path, sigma_path, reference, peaks, count, axis, out_path, overwrite):
    """1D slices of RECON through peaks, with the 95 % band.

    One panel per peak: RECON, the band RECON +- 1.96 SIGMA, and with --reference the
    reference and the error REF - RECON (offset below) against +- 1.96 SIGMA."""
    plots = _plots(out_path, overwrite)
    dic, (mu, sigma, ref) = _spectra(recon_path, sigma_path, reference)
    axis = axis.lower()
    _draw_and_save(plots, lambda: plots.slices(mu, sigma, dic, reference=ref, peaks=peaks,
                                               count=count, axis=axis),
                   out_path, overwrite, "slices")


@command.command("box")
@click.option("--entry", "entries", multiple=True, required=True, nargs=3,
              metavar="LABEL RECON SIGMA",
              help="A reconstruction and its sigma, one box labelled LABEL; repeat for more.")
@figure_output
def box_command(entries, out_path, overwrite):
    """Box plot of sigma / Smax, one box per --entry.

    sigma / Smax over each reconstruction's signal points (|RECON| / Smax > 0.01, Smax the
    maximum of RECON): median, quartiles, whiskers at the 5th and 95th percentiles, mean."""
    plots = _plots(out_path, overwrite)
    arrays = [(label, *_spectra(recon, sigma)[1]) for label, recon, sigma in entries]
    _draw_and_save(plots, lambda: plots.sigma_box(arrays), out_path, overwrite, "box",
                   f" ({len(arrays)} entries)")
