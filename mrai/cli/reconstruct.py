"""``mrai reconstruct``: pure-absorption spectra from Echo-only, Anti-Echo-only or NUS spectra."""

import sys

import click

from mrai.cli.options import (input_options, nus_schedule, output_options, resolve_input,
                              resolve_output, say)
from mrai.errors import InputError
from mrai.fileio.pipe import PipeReader, check_writable
from mrai.fileio.schedule import schedule_record
from mrai.methods.ist import DEFAULTS, ist
from mrai.physics.halfdwell import is_half_dwell
from mrai.planes import f1_size, map_planes, require_real_spectrum

METHODS = ("wnn", "ist")


@click.command("reconstruct")
@input_options
@output_options
@click.option("--echo", is_flag=True, help="The input is an Echo-only (P-type) spectrum.")
@click.option("--antiecho", is_flag=True, help="The input is an Anti-Echo-only (N-type) spectrum.")
@click.option("--nus", "schedule_path", metavar="SCHEDULE",
              help="The input is a NUS spectrum; SCHEDULE is a file of sampled t1 indices "
                   "(0-based, one per line), or 'header' for the schedule mrai degrade recorded.")
@click.option("--method", type=click.Choice(METHODS),
              help="Reconstruction method [wnn for Echo/Anti-Echo, ist for NUS].")
@click.option("--model", "model_path", type=click.Path(dir_okay=False), metavar="WEIGHTS",
              help="WNN weights (.weights.h5 with its .json card beside it) [the shipped "
                   "model].")
@click.option("--precision", type=click.Choice(("auto", "float32", "bfloat16")),
              help="WNN arithmetic: auto takes bfloat16 convolutions on CPUs that compute "
                   "them natively (AMX or AVX512-BF16), float32 elsewhere [auto].")
@click.option("--sigma", "sigma_path", type=click.Path(dir_okay=False), metavar="PATH",
              help="Also write the per-point sigma of the reconstruction (NMRPipe) there.")
@click.option("--sigma-model", type=click.Path(dir_okay=False), metavar="WEIGHTS",
              help="Sigma network weights for --sigma [the shipped one for the method].")
@click.option("--iterations", type=click.IntRange(1, 100000), metavar="N",
              help="IST iterations (default: 100 for Echo/Anti-Echo, 50 for NUS).")
@click.option("--final-threshold", type=click.FloatRange(0, 1, min_open=True), metavar="F",
              help="IST final threshold as a fraction of the input maximum "
                   "(default: 5e-4 for Echo/Anti-Echo, 1e-3 for NUS).")
def command(input_path, in_path, out_path, overwrite, echo, antiecho, schedule_path, method,
            model_path, precision, sigma_path, sigma_model, iterations, final_threshold):
    """Reconstruct a pure-absorption 2D spectrum from an Echo-only, Anti-Echo-only or NUS
    spectrum. 3D data: every plane in turn. The measured part of the input is kept exactly."""
    if echo + antiecho + (schedule_path is not None) != 1:
        raise click.UsageError("choose exactly one of --echo, --antiecho, --nus SCHEDULE")
    mode = "echo" if echo else "antiecho" if antiecho else "nus"
    chosen, method = method, method or ("ist" if mode == "nus" else "wnn")
    if method == "wnn" and mode == "nus":
        raise click.UsageError("the WNN reconstructs Echo and Anti-Echo spectra; use "
                               "--method ist for NUS")
    if method == "ist" and (model_path or precision):
        raise click.UsageError("--model and --precision are for --method wnn")
    if method == "wnn" and (iterations or final_threshold):
        raise click.UsageError("--iterations and --final-threshold are for --method ist")
    if sigma_model and not sigma_path:
        raise click.UsageError("--sigma-model goes with --sigma PATH")
    reader = PipeReader(resolve_input(input_path, in_path))
    require_real_spectrum(reader.dic, reader.name)
    half_dwell = mode != "nus" and is_half_dwell(reader.dic)
    if half_dwell:
        method = _half_dwell_method(reader, chosen, sigma_path)
    schedule = nus_schedule(reader, schedule_path) if mode == "nus" else None
    target = resolve_output(out_path)
    if sigma_path:
        check_writable(sigma_path, overwrite)
    if method == "wnn":
        solve, record, label, steps = _wnn(mode, model_path, precision or "auto")
    else:
        iterations = iterations or DEFAULTS[mode][0]
        final_threshold = final_threshold or DEFAULTS[mode][1]
        record = dict(method=method, mode=mode, iter=iterations, final=f"{final_threshold:g}")
        if half_dwell:
            record["f1180"] = "y"
        if schedule is not None:
            record.update(points=len(schedule), **schedule_record(schedule, f1_size(reader)))
        label, steps = f"ist {mode}, {iterations} iterations", iterations

        def solve(plane, bar):
            return ist(plane, mode, schedule, iterations, final_threshold,
                       progress=lambda i: bar.update(1), half_dwell=half_dwell)
    side = None
    if sigma_path:
        sigma_net, sigma_card = _sigma_model(sigma_model, method, mode)
        side = (sigma_path, dict(method=method, mode=mode, output="sigma",
                                 sigma=str(sigma_card.get("name"))[:40]))
    with _progress(reader.layout.nplanes * steps) as bar:
        def plane(x):
            out = solve(x, bar)
            if side is None:
                return out
            from mrai.uncertainty import assess

            return out, assess(sigma_net, out, mode, x, schedule)[0]
        count = map_planes(reader, target, plane, "reconstruct", overwrite=overwrite,
                           side=side, **record)
    say(f"mrai reconstruct: {label}, {count} plane(s) from {reader.name}"
        + (f"; sigma in {sigma_path}" if sigma_path else ""))


def _half_dwell_method(reader, chosen, sigma_path):
    """The method for a spectrum whose t1 starts at half a dwell (F1 P1 180 in its header):
    IST, whose Echo/Anti-Echo projection handles it (mrai.physics.halfdwell); the WNN and the
    sigma networks are trained on t1 starting at 0."""
    if chosen == "wnn" or sigma_path:
        raise InputError("its t1 starts at half a dwell (F1 P1 180 in the header, f1180): the "
                         "WNN and the sigma networks are trained on t1 starting at 0; use "
                         "--method ist without --sigma (or process without the half-dwell "
                         "phase, F1 PS -p0 P0 -p1 0)", reader.name)
    if chosen is None:
        say(f"mrai reconstruct: {reader.name}: t1 starts at half a dwell (F1 P1 180): "
            "reconstructing with IST (the WNN is trained on t1 starting at 0)")
    return "ist"


def _wnn(mode, model_path, precision):
    """(solve(plane, bar), header record, log label, progress steps per plane) for the WNN."""
    from mrai.nn.inference import load_model, reconstruct

    model, card = load_model(model_path, precision)

    def solve(plane, bar):
        out = reconstruct(model, plane, mode)
        bar.update(1)
        return out
    record = dict(method="wnn", mode=mode, model=str(card.get("name", "wnn"))[:40],
                  precision=card["precision"])
    return solve, record, (f"wnn {mode} (model {card.get('name', model_path)}, "
                           f"{card['precision']})"), 1


def _sigma_model(path, method, mode):
    from mrai.nn.inference import default_sigma_model, load_sigma
    from mrai.uncertainty import sigma_method

    return load_sigma(path or default_sigma_model(sigma_method(method, mode)), "auto")


class _progress:
    """A progress bar on stderr when stderr is a terminal; nothing otherwise."""

    def __init__(self, total):
        self.total = total
        self.bar = None

    def __enter__(self):
        if sys.stderr.isatty():
            self.bar = click.progressbar(length=self.total, label="reconstructing",
                                         file=sys.stderr)
            self.bar.__enter__()
        return self

    def update(self, n):
        if self.bar is not None:
            self.bar.update(n)

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.__exit__(*exc)
        return False
