"""``mrai convert``: a Bruker or Varian 2D data set to an NMRPipe time-domain data set."""

import math

import click

from mrai.cli.options import output_options, resolve_output, say


def _finite(ctx, param, value):
    """Refuse NaN and infinite values of a number option (they would go into the header)."""
    if value is not None and not math.isfinite(value):
        raise click.BadParameter(f"{value} is not a finite number")
    return value


@click.command("convert")
@click.argument("folder", metavar="DIR", type=click.Path(file_okay=False))
@output_options
@click.option("--keep", type=click.Choice(("both", "echo", "antiecho")), default="both",
              show_default=True,
              help="both: the usual States data; echo / antiecho: that coherence half alone, "
                   "so that States processing gives the Echo or Anti-Echo spectrum.")
@click.option("--vendor", type=click.Choice(("auto", "bruker", "varian")), default="auto",
              show_default=True, help="Data format (auto: from the files in DIR).")
@click.option("--mode", type=click.Choice(("auto", "echo-antiecho", "states", "states-tppi")),
              default="auto", show_default=True,
              help="Indirect quadrature (auto: Bruker FnMODE, Varian f1coef, else the data).")
@click.option("--swap", is_flag=True,
              help="Exchange the two FIDs of each Echo/Anti-Echo pair (mirrors F1), for pulse "
                   "programs that record them in the other order.")
@click.option("--conj", "conjugate", is_flag=True,
              help="Conjugate the FIDs (reverses F2), for data stored in the other F2 sense.")
@click.option("--f1180", type=click.Choice(("auto", "yes", "no")), default="auto",
              show_default=True,
              help="Whether t1 starts at half a dwell (auto: Varian f1180; recorded as the F1 "
                   "phases -90 / 180 that mrai process applies).")
@click.option("--phases", type=click.Choice(("stored", "zero")), default="stored",
              show_default=True,
              help="Phase correction written into the header for mrai process: stored (the "
                   "phases saved with DIR: Bruker pdata/1 procs/proc2s PHC0/PHC1, Varian procpar "
                   "rp/lp/rp1/lp1, in nmrPipe's convention) or zero. Half-dwell (f1180) data "
                   "keep F1 P1 180 either way.")
@click.option("--xcar", type=float, metavar="PPM", callback=_finite,
              help="F2 carrier (ppm), overriding DIR's.")
@click.option("--ycar", type=float, metavar="PPM", callback=_finite,
              help="F1 carrier (ppm), overriding DIR's.")
@click.option("--yobs", type=click.FloatRange(0, min_open=True), metavar="MHZ", callback=_finite,
              help="F1 observe frequency (MHz), overriding DIR's.")
@click.option("--schedule-out", metavar="FILE",
              help="For a NUS data set (nuslist in DIR): write its schedule (0-based t1 "
                   "indices) for mrai reconstruct --nus.")
def command(folder, out_path, overwrite, keep, vendor, mode, swap, conjugate, f1180, phases, xcar,
            ycar, yobs, schedule_out):
    """Convert the raw 2D data set in DIR (Bruker ser + acqus/acqu2s, or Varian fid +
    procpar) to NMRPipe time-domain data: F2 complex, F1 States (cosine and sine rows).

    Bruker: digital filter removed; FnMODE 6 (Echo-Antiecho), 4 (States) and 5 (States-TPPI).
    Varian/Agilent: a phase = 1, 2 array, Rance-Kay or States (f1coef, else detected from the
    data); F2 conjugated; f1180 recorded as F1 phases -90 / 180. A nuslist in DIR makes a NUS
    data set on the full t1 grid (unsampled increments zero). The phases stored with DIR go
    into the header (--phases), so that mrai process applies them; standard error says which.
    Writes standard output when no -o is given.
    """
    from mrai.fileio.convert import header_phases, resolve_quadrature, to_pipe
    from mrai.fileio.header import stamp
    from mrai.fileio.pipe import write
    from mrai.output import Commit, check_writable
    from mrai.fileio.raw import read_raw
    from mrai.fileio.schedule import schedule_record, write_schedule

    target = resolve_output(out_path)
    if schedule_out:
        check_writable(schedule_out, overwrite)
    raw = read_raw(folder, vendor)
    quadrature, decided = resolve_quadrature(raw, mode)
    if raw.schedule is None and schedule_out:
        raise click.UsageError("--schedule-out is for NUS data sets (a nuslist in DIR)")
    half_dwell = None if f1180 == "auto" else f1180 == "yes"
    dic, data = to_pipe(raw, keep=keep, mode=mode, swap=swap, xcar=xcar, ycar=ycar, yobs=yobs,
                        conjugate=conjugate, half_dwell=half_dwell, phases=phases)
    applied, how, notes = header_phases(raw, phases, half_dwell, swap, conjugate)
    record = {"keep": keep, "quad": quadrature, "swap": "y" if swap else None,
              "conj": "y" if conjugate else None}
    if raw.schedule is not None:
        record.update(mode="nus", points=len(raw.schedule),
                      **schedule_record(raw.schedule, int(dic["FDSPECNUM"])))
    try:
        dic = stamp(dic, "convert", **record)
    except ValueError:
        dic = stamp(dic, "convert", **{**record, "sched": None})
    # the data set and its schedule go in place together (all or none); the schedule's
    # temporary file is made first, before anything goes to standard output
    commit = Commit()
    try:
        if schedule_out:
            write_schedule(schedule_out, raw.schedule, overwrite=overwrite, commit=commit)
        write(target, dic, data, overwrite=overwrite, commit=commit)
    except BaseException:
        commit.discard()
        raise
    commit.run()
    nus = f", NUS {len(raw.schedule)} of {int(dic['FDSPECNUM']) // 2} increments" \
        if raw.schedule is not None else ""
    say(f"mrai convert: {folder}: {raw.increments} increments x {data.shape[1]} complex points, "
        f"{quadrature} ({decided}){nus}, kept {keep}" + (", pairs swapped" if swap else ""))
    say(f"mrai convert: phases F2 P0 {applied['F2'][0]:.2f} P1 {applied['F2'][1]:.2f}, "
        f"F1 P0 {applied['F1'][0]:.2f} P1 {applied['F1'][1]:.2f} ({how})"
        + "".join(f"; {note}" for note in notes))
