"""``mrai degrade``: the corrupted input a reconstruction starts from, made from a good spectrum."""

import click

from mrai.cli.options import input_options, output_options, resolve_input, resolve_output, say
from mrai.errors import InputError


@click.command("degrade")
@input_options
@output_options
@click.option("--echo", is_flag=True, help="Keep the Echo (P-type) part.")
@click.option("--antiecho", is_flag=True, help="Keep the Anti-Echo (N-type) part.")
@click.option("--nus", "fraction", type=click.FloatRange(0, 1, min_open=True), metavar="FRACTION",
              help="Non-uniform sampling of t1 at this fraction (Poisson-gap schedule).")
@click.option("--schedule", "schedule_in", metavar="FILE",
              help="With --nus: use this schedule file instead of drawing one.")
@click.option("--schedule-out", metavar="FILE", help="With --nus: write the schedule used.")
@click.option("--seed", default=0, show_default=True, type=click.IntRange(0),
              help="Seed of the Poisson-gap schedule.")
def command(input_path, in_path, out_path, overwrite, echo, antiecho, fraction, schedule_in,
            schedule_out, seed):
    """Make an Echo-only, Anti-Echo-only or NUS spectrum from a real 2D spectrum.

    Echo and Anti-Echo follow the Virtual-Echo quadrant convention (docs/conventions.md), so
    Echo + Anti-Echo equals the input; a spectrum whose t1 starts at half a dwell (F1 P1 180 in
    its header, f1180; likewise t2) is split on its own time grid. Any size, odd or even. NUS keeps the sampled t1 rows of the Virtual Echo (and
    their mirrors); the schedule holds 0-based t1 indices. 3D data are processed plane by plane.
    """
    from mrai.fileio.pipe import PipeReader
    from mrai.output import check_writable
    from mrai.fileio.schedule import read_schedule, schedule_record
    from mrai.methods import table
    from mrai.physics import degrade, validate_schedule
    from mrai.planes import map_planes, plane_grid, require_real_spectrum
    from mrai.simulate import poisson_gap, schedule_size

    mode = "echo" if echo else "antiecho" if antiecho else None
    if echo + antiecho + (fraction is not None or schedule_in is not None) != 1:
        raise click.UsageError("choose exactly one of --echo, --antiecho, --nus FRACTION")
    if mode is not None and (schedule_out or schedule_in):
        raise click.UsageError("--schedule and --schedule-out go with --nus")
    reader = PipeReader(resolve_input(input_path, in_path))
    target = resolve_output(out_path)
    require_real_spectrum(reader.dic, reader.name)
    start, off = plane_grid(reader.dic)
    if mode is not None:
        e = table.entry(None, mode)
        count = map_planes(reader, target, lambda p: degrade(p, mode, start=start),
                           "degrade", overwrite=overwrite, **table.record(e, start, off, method=None))
        say(f"mrai degrade: {mode} part of {count} plane(s) from {reader.name}"
            + (f" ({table.grid_label(start)}, from the header's first-order phases)"
               if any(start) else ""))
        return
    if any(start):
        raise InputError(f"{table.grid_label(start)} (the header's first-order phases): NUS is "
                         "handled on time grids starting at 0 only", reader.name)
    n0, points = _t1_points(reader)
    if schedule_in:
        try:
            schedule = validate_schedule(read_schedule(schedule_in), n0)
        except ValueError as exc:
            raise InputError(str(exc), schedule_in) from None
    else:
        schedule = poisson_gap(points, schedule_size(points, fraction), seed=seed)
    record = dict(mode="nus", points=len(schedule), seed=None if schedule_in else seed,
                  **schedule_record(schedule, n0))
    if schedule_out:
        check_writable(schedule_out, overwrite)
        count = _nus_with_schedule(reader, target, schedule, record, schedule_out, overwrite)
    else:
        count = map_planes(reader, target, lambda p: degrade(p, "nus", schedule), "degrade",
                           overwrite=overwrite, **record)
    say(f"mrai degrade: NUS {len(schedule)} of {points} t1 points, {count} plane(s) "
        f"from {reader.name}")


def _nus_with_schedule(reader, target, schedule, record, schedule_out, overwrite):
    """mrai.planes.map_planes for NUS with --schedule-out: the spectrum and the schedule file
    go in place together, one mrai.output.Commit (all or none). The schedule's temporary file
    is made first, before any plane goes to standard output. Returns the planes count."""
    import numpy as np

    from mrai.fileio.header import stamp
    from mrai.fileio.pipe import PipeWriter
    from mrai.fileio.schedule import write_schedule
    from mrai.output import Commit
    from mrai.physics import degrade
    from mrai.planes import spectrum_planes

    transposed = reader.dic["FDTRANSPOSED"] == 1
    planes = spectrum_planes(reader)
    first = next(planes)  # read and check before anything is written
    commit, writer = Commit(), None
    try:
        write_schedule(schedule_out, schedule, overwrite=overwrite, commit=commit)
        writer = PipeWriter(target, stamp(reader.dic, "degrade", **record),
                            nplanes=reader.layout.nplanes, overwrite=overwrite)
        for plane in _chain(first, planes):
            out = np.asarray(degrade(plane, "nus", schedule), dtype=np.float32)
            writer.write(out.T if transposed else out)
        writer.finish(commit)
    except BaseException:
        if writer is not None:
            writer.abort()
        commit.discard()
        raise
    commit.run()
    return reader.layout.nplanes


def _chain(first, rest):
    yield first
    yield from rest


def _t1_points(reader):
    """F1 spectrum size n0 and the t1 points a schedule draws from: the acquired points
    (FDF1TDSIZE) when the header gives them, else the t1 half, (n0 + 1) // 2."""
    from mrai.fileio.header import axis_codes, axis_field
    from mrai.limits import whole_number
    from mrai.physics.nus import t1_half
    from mrai.planes import f1_size

    dic = reader.dic
    n0 = f1_size(reader)
    code = axis_codes(dic)[1 if dic["FDTRANSPOSED"] == 1 else 0]
    acquired = whole_number(axis_field(dic, code, "TDSIZE")) or 0
    half = t1_half(n0)
    return n0, acquired if 2 <= acquired <= half else half
