"""``mrai score``: the reference-free quality score pSQ of a reconstruction from its per-point
sigma (docs/conventions.md#uncertainty-sigma-nll-and-psq)."""

import json

import click

from mrai.cli.options import (PlaneProgress, cluster_options, inputs_options, nus_schedule,
                              output_targets, parse_region, plane_executor, resolve_inputs, say)
from mrai.errors import InputError
from mrai.limits import printable
from mrai.fileio.header import provenance, stamp
from mrai.fileio.pipe import PipeReader
from mrai.output import check_paths
from mrai.reconstruction import SigmaTask
from mrai.methods import table
from mrai.planes import Job, check_output, map_files, plane_grid, plane_shape, spectrum_planes


@click.command("score")
@inputs_options
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
@click.option("--sigma-out", type=click.Path(), metavar="PATH",
              help="Also write sigma as an NMRPipe spectrum (a folder: under the input's "
                   "name).")
@click.option("-ov", "--overwrite", is_flag=True, help="Replace an existing --sigma-out file.")
@click.option("--region", default="all", show_default=True, metavar="FIRST:LAST",
              help="F2 points (1-based, inclusive) the statistics use; 'all' for every point.")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@cluster_options
def command(input_path, in_path, method, mode, schedule_path, measured_path, sigma_model,
            backend, sigma_out, overwrite, region, as_json, workers, scheduler):
    """Predict the RMSD of a reconstruction without a reference (pSQ) from the per-point sigma
    of the method's sigma network; also the mean and median of sigma/Smax over the signal
    points. The scores go to standard output, one line per plane (JSON with --json; a list for
    several inputs). --workers N or --scheduler ADDRESS computes the planes on a Dask cluster
    (docs/scale.md)."""
    sources = resolve_inputs(input_path, in_path)
    if measured_path and len(sources) > 1:
        raise click.UsageError("--input MEASURED goes with one reconstruction")
    executor_context = plane_executor(workers, scheduler)
    sigmas = (output_targets(sigma_out, sources, "--sigma-out") if sigma_out
              else [None] * len(sources))
    plans = [_plan(PipeReader(source), method, mode, schedule_path, measured_path, sigma_model,
                   backend, target, overwrite, region)
             for source, target in zip(sources, sigmas)]
    if len(plans) > 1 and sigma_out:
        check_paths([("--sigma-out", p["target"]) for p in plans],
                    [("IN", source) for source in sources])
    with executor_context as executor:
        if executor is None:
            map_files([_job(p, _serial(p)) for p in plans], overwrite)
        else:
            total = sum(p["reader"].layout.nplanes for p in plans)
            with PlaneProgress("score", total) as progress:
                map_files([_job(p, p["task"].pinned()) for p in plans], overwrite, executor,
                          progress.plane)
    reports = []
    for p in plans:
        if p["target"]:
            say(f"mrai score: wrote sigma to {p['target']}")
        e = p["task"].entry
        reports.append({"file": p["reader"].name, "method": e.method, "mode": e.mode,
                        "sigma_model": p["card"].get("name"), "region": region,
                        "planes": p["rows"]})
    if as_json:
        click.echo(json.dumps(reports[0] if len(reports) == 1 else reports, indent=2))
    else:
        click.echo(printable("\n".join(_format(report) for report in reports), True))


def _plan(reader, method, mode, schedule_path, measured_path, sigma_model, backend, target,
          overwrite, region):
    """What scoring one reconstruction takes, checked before any plane is computed."""
    e = _entry(reader, method, mode, schedule_path)
    start, _ = plane_grid(reader.dic)
    problem = table.check(e, plane_shape(reader), start)
    if problem:
        raise InputError(problem, reader.name)
    schedule = nus_schedule(reader, schedule_path or "header") if e.mode == "nus" else None
    measured = _measured(measured_path, reader)
    if target:
        check_output(target, reader.layout.nplanes, overwrite)
    bounds = parse_region(region, plane_shape(reader)[1])
    task = SigmaTask.make(e, schedule, start, bounds, sigma_model, backend, keep=bool(target))
    card = task.network()[1]
    outputs = []
    if target:
        outputs.append((target, stamp(reader.dic, "score", output="sigma",
                                      model=str(card.get("name"))[:40])))

    def prepare(index, recon):
        given = next(measured) if measured is not None else None
        if given is not None and given.shape != recon.shape:
            raise InputError(f"the measured spectrum is {given.shape[0]} x {given.shape[1]}, "
                             f"the reconstruction {recon.shape[0]} x {recon.shape[1]}",
                             measured_path)
        return recon, given
    return dict(reader=reader, task=task, card=card, target=target, outputs=outputs,
                prepare=prepare, rows=[])


def _job(plan, function):
    rows = plan["rows"]
    return Job(plan["reader"], function, plan["outputs"], prepare=plan["prepare"],
               collect=lambda index, value: rows.append({"plane": index + 1, **value[1]}))


def _serial(plan):
    """The task here, its bad input named with the plane."""
    task, reader = plan["task"], plan["reader"]
    count = iter(range(reader.layout.nplanes))

    def run(pair):
        index = next(count)
        try:
            return task(pair)
        except InputError as exc:
            where = f"plane {index + 1}: " if reader.layout.nplanes > 1 else ""
            raise InputError(f"{where}{exc}", reader.name) from None
    return run


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
