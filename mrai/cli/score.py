"""``mrai score``: the reference-free quality score pSQ of a reconstruction from its per-point
sigma (docs/conventions.md#uncertainty-sigma-nll-and-psq)."""

import json

import click

from mrai.cli.options import input_options, nus_schedule, parse_region, resolve_input, say
from mrai.errors import InputError
from mrai.limits import printable
from mrai.fileio.header import provenance, stamp
from mrai.fileio.pipe import PipeReader, PipeWriter
from mrai.output import check_writable
from mrai.metrics import f2_region
from mrai import reconstruction
from mrai.methods import table
from mrai.planes import plane_grid, plane_shape, spectrum_planes


@click.command("score")
@input_options
@click.option("--method", type=click.Choice(table.METHODS),
              help="Method that made the reconstruction [from the header of mrai outputs].")
@click.option("--echo", "mode", flag_value="echo", help="It was reconstructed from Echo data.")
@click.option("--antiecho", "mode", flag_value="antiecho",
              help="It was reconstructed from Anti-Echo data.")
@click.option("--nus", "schedule_path", metavar="SCHEDULE",
              help="It was reconstructed from NUS data with this schedule file ('header': the "
                   "schedule mrai recorded).")
@click.option("--input", "measured_path", type=click.Path(dir_okay=False), metavar="MEASURED",
              help="The measured (Echo, Anti-Echo or NUS) spectrum [recovered from the "
                   "reconstruction, whose measured part mrai keeps exactly].")
@click.option("--sigma-model", type=click.Path(dir_okay=False), metavar="WEIGHTS",
              help="Sigma network weights [the shipped one for the method].")
@click.option("--backend", type=click.Choice(("auto", "onnx", "keras")), default="auto",
              show_default=True, help="Where the sigma network runs: onnx (ONNX Runtime, no "
                                      "TensorFlow), keras, or auto (onnx when its file ships).")
@click.option("--sigma-out", type=click.Path(dir_okay=False), metavar="PATH",
              help="Also write sigma as an NMRPipe spectrum.")
@click.option("-ov", "--overwrite", is_flag=True, help="Replace an existing --sigma-out file.")
@click.option("--region", default="all", show_default=True, metavar="FIRST:LAST",
              help="F2 points (1-based, inclusive) the statistics use; 'all' for every point.")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
def command(input_path, in_path, method, mode, schedule_path, measured_path, sigma_model,
            backend, sigma_out, overwrite, region, as_json):
    """Predict the RMSD of a reconstruction without a reference (pSQ) from the per-point sigma
    of the method's sigma network; also the mean and median of sigma/Smax over the signal
    points. The scores go to standard output, one line per plane (JSON with --json)."""
    reader = PipeReader(resolve_input(input_path, in_path))
    e = _entry(reader, method, mode, schedule_path)
    method, mode, name = e.method, e.mode, e.sigma
    start, _ = plane_grid(reader.dic)
    problem = table.check(e, plane_shape(reader), start)
    if problem:
        raise InputError(problem, reader.name)
    schedule = nus_schedule(reader, schedule_path or "header") if mode == "nus" else None
    measured = _measured(measured_path, reader)
    if sigma_out:
        check_writable(sigma_out, overwrite)
    bounds = parse_region(region, plane_shape(reader)[1])
    crop = f2_region(*bounds) if bounds else None
    from mrai.nn.models import default_sigma_model, load_sigma

    model, card = load_sigma(sigma_model or default_sigma_model(name), "auto", backend)
    rows, sigmas = [], []
    for index, recon in enumerate(spectrum_planes(reader)):
        given = next(measured) if measured is not None else None
        if given is not None and given.shape != recon.shape:
            raise InputError(f"the measured spectrum is {given.shape[0]} x {given.shape[1]}, "
                             f"the reconstruction {recon.shape[0]} x {recon.shape[1]}",
                             measured_path)
        try:
            sigma, summary = reconstruction.sigma_for(e, model, recon, given, schedule, start,
                                                      crop)
        except InputError as exc:
            where = f"plane {index + 1}: " if reader.layout.nplanes > 1 else ""
            raise InputError(f"{where}{exc}", reader.name) from None
        rows.append({"plane": index + 1, **summary})
        if sigma_out:
            sigmas.append(sigma)
    if sigma_out:
        _write_sigma(sigma_out, reader, sigmas, card, overwrite)
    report = {"file": reader.name, "method": method, "mode": mode,
              "sigma_model": card.get("name"), "region": region, "planes": rows}
    click.echo(json.dumps(report, indent=2) if as_json else printable(_format(report), True))


def _entry(reader, method, mode, schedule_path):
    """The table entry of the reconstruction: from the options, else from mrai's header."""
    if schedule_path is not None:
        if mode:
            raise click.UsageError("give one of --echo, --antiecho, --nus SCHEDULE")
        mode = "nus"
    record = provenance(reader.dic) or {}
    made_here = record.get("method") in table.METHODS and record.get("mode") in table.MODES
    method = method or (record["method"] if made_here else None)
    mode = mode or (record["mode"] if made_here else None)
    if method is None or mode is None:
        raise InputError("not an mrai reconstruction (no method and mode in its header); give "
                         "--method wnn|ist and one of --echo, --antiecho, --nus SCHEDULE",
                         reader.name)
    try:
        return table.entry(method, mode)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None


def _measured(path, reader):
    if path is None:
        return None
    given = PipeReader(path)
    if given.layout.nplanes != reader.layout.nplanes:
        raise InputError(f"{given.layout.nplanes} plane(s) where the reconstruction has "
                         f"{reader.layout.nplanes}", path)
    return spectrum_planes(given)


def _write_sigma(path, reader, sigmas, card, overwrite):
    dic = stamp(reader.dic, "score", output="sigma", model=str(card.get("name"))[:40])
    transposed = reader.dic["FDTRANSPOSED"] == 1
    with PipeWriter(path, dic, nplanes=len(sigmas), overwrite=overwrite) as writer:
        for sigma in sigmas:
            writer.write(sigma.T if transposed else sigma)
    say(f"mrai score: wrote sigma to {path}")


def _format(report):
    head = (f"{report['file']}: {report['method']} {report['mode']}, sigma model "
            f"{report['sigma_model']}" + ("" if report["region"] == "all"
                                          else f", F2 points {report['region']}"))
    lines = [head]
    for row in report["planes"]:
        where = f"plane {row['plane']}: " if len(report["planes"]) > 1 else ""
        lines.append(f"{where}pSQ (predicted RMSD) {row['psq']:.4f}, sigma/Smax mean "
                     f"{row['mean']:.4f} median {row['median']:.4f} ({row['points']} signal "
                     f"points)")
    return "\n".join(lines)
