"""``mrai reconstruct``: pure-absorption spectra from Echo-only, Anti-Echo-only or NUS spectra."""

import sys

import click

from mrai.cli.options import (PlaneProgress, cluster_options, inputs_options, nus_schedule,
                              output_options, output_targets, plane_executor, resolve_inputs,
                              say)
from mrai.errors import InputError
from mrai.fileio.pipe import PipeReader
from mrai.fileio.schedule import schedule_record
from mrai.output import check_paths
from mrai.reconstruction import PlaneTask
from mrai.methods import table
from mrai.planes import (Job, check_output, f1_size, map_files, plane_grid, plane_shape,
                         require_real_spectrum, stamp)


@click.command("reconstruct")
@inputs_options
@output_options
@click.option("--echo", is_flag=True, help="The input is an Echo-only (P-type) spectrum.")
@click.option("--antiecho", is_flag=True, help="The input is an Anti-Echo-only (N-type) spectrum.")
@click.option("--nus", "schedule_path", metavar="SCHEDULE",
              help="The input is a NUS spectrum; SCHEDULE is a file of sampled t1 indices "
                   "(0-based, one per line), or 'header' for the schedule mrai degrade recorded.")
@click.option("--method", type=click.Choice(table.METHODS),
              help="Reconstruction method [wnn for Echo/Anti-Echo, ist for NUS].")
@click.option("--model", "model_path", type=click.Path(dir_okay=False), metavar="WEIGHTS",
              help="WNN weights (.weights.h5 with its .json card beside it) [the shipped "
                   "model].")
@click.option("--precision", type=click.Choice(("auto", "float32", "bfloat16")),
              help="WNN arithmetic: auto takes bfloat16 convolutions on CPUs that compute "
                   "them natively (AMX or AVX512-BF16), float32 elsewhere [auto].")
@click.option("--backend", type=click.Choice(("auto", "onnx", "keras")),
              help="Where the networks run: onnx (ONNX Runtime, no TensorFlow), keras, or auto: "
                   "onnx when its files ship with the model [auto].")
@click.option("--phase", "phase", type=click.Choice(("auto", "off")), default="auto",
              show_default=True,
              help="auto: an Echo/Anti-Echo input that looks unphased is reconstructed phased "
                   "(the phase of its F2 projection taken off first and put back after, all "
                   "on F2: one coherence half cannot tell F1's share), said on stderr; off: "
                   "reconstructed as it is.")
@click.option("--sigma", "sigma_path", type=click.Path(), metavar="PATH",
              help="Also write the per-point sigma of the reconstruction (NMRPipe) there (a "
                   "folder: under the input's name).")
@click.option("--sigma-model", type=click.Path(dir_okay=False), metavar="WEIGHTS",
              help="Sigma network weights for --sigma [the shipped one for the method].")
@click.option("--iterations", type=click.IntRange(1, 100000), metavar="N",
              help="IST iterations (default: 100 for Echo/Anti-Echo, 50 for NUS).")
@click.option("--final-threshold", type=click.FloatRange(0, 1, min_open=True), metavar="F",
              help="IST final threshold as a fraction of the input maximum "
                   "(default: 5e-4 for Echo/Anti-Echo, 1e-3 for NUS).")
@cluster_options
def command(input_path, in_path, out_path, overwrite, echo, antiecho, schedule_path, method,
            model_path, precision, backend, phase, sigma_path, sigma_model, iterations,
            final_threshold, workers, scheduler):
    """Reconstruct a pure-absorption 2D spectrum from an Echo-only, Anti-Echo-only or NUS
    spectrum, of any size. 3D data: every plane in turn. The measured part of the input is kept
    exactly. The time grids come from the header's first-order phases: F1 P1 180 (f1180) is t1
    from half a dwell; other phases are taken to the nearest exact grid, with a warning when
    far from it. Several inputs go to -o FOLDER (and --sigma FOLDER), each under its own name;
    --workers N or --scheduler ADDRESS computes the planes on a Dask cluster (docs/scale.md)."""
    if echo + antiecho + (schedule_path is not None) != 1:
        raise click.UsageError("choose exactly one of --echo, --antiecho, --nus SCHEDULE")
    if backend == "onnx" and precision == "bfloat16":
        raise click.UsageError("--precision bfloat16 needs --backend keras (ONNX Runtime "
                               "computes in float32)")
    mode = "echo" if echo else "antiecho" if antiecho else "nus"
    try:
        e = table.entry(method, mode)
        if sigma_model and not sigma_path:
            raise ValueError("--sigma-model goes with --sigma PATH")
        options = dict(model=model_path, precision=precision, iterations=iterations,
                       final_threshold=final_threshold)
        wrong = [f"--{k.replace('_', '-')}" for k in table.foreign_options(e, options)]
        if wrong:
            raise ValueError(f"{' and '.join(wrong)} {'is' if len(wrong) == 1 else 'are'} not "
                             f"for --method {e.method}")
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    sources = resolve_inputs(input_path, in_path)
    executor_context = plane_executor(workers, scheduler)
    targets = output_targets(out_path, sources)
    sigmas = (output_targets(sigma_path, sources, "--sigma") if sigma_path
              else [None] * len(sources))
    plans = [_plan(PipeReader(source), mode, method, options, schedule_path, backend,
                   sigma_model, target, sigma, overwrite, phase == "auto")
             for source, target, sigma in zip(sources, targets, sigmas)]
    if len(plans) > 1 or sigma_path:
        check_paths([("-o", p["target"]) for p in plans]
                    + [("--sigma", p["sigma"]) for p in plans if p["sigma"]],
                    [("IN", source) for source in sources])
    with executor_context as executor:
        if executor is None:
            total = sum(p["reader"].layout.nplanes * p["run"].steps for p in plans)
            with _progress(total) as bar:
                jobs = [_job(p, _serial(p["task"], bar.update)) for p in plans]
                counts = map_files(jobs, overwrite)
        else:
            total = sum(p["reader"].layout.nplanes for p in plans)
            with PlaneProgress("reconstruct", total) as progress:
                jobs = [_job(p, p["task"].pinned()) for p in plans]
                counts = map_files(jobs, overwrite, executor, progress.plane)
    for p, count in zip(plans, counts):
        say(f"mrai reconstruct: {p['run'].label}, {count} plane(s) from {p['reader'].name}"
            + (f" ({table.grid_label(p['start'])})" if any(p["start"]) else "")
            + (f"; sigma in {p['sigma']}" if p["sigma"] else ""))


def _plan(reader, mode, method, options, schedule_path, backend, sigma_model, target, sigma,
          overwrite, rephase=True):
    """What reconstructing one input takes, checked before any plane is computed: its entry,
    task (with its solver built here, for the header), record and outputs."""
    require_real_spectrum(reader.dic, reader.name)
    start, off = plane_grid(reader.dic)
    e, note = table.choose(method, mode, start, options)  # the grid's method when none is named
    if note:
        say(f"mrai reconstruct: {reader.name}: {note}")
    problem = table.check(e, plane_shape(reader), start)
    if problem:
        raise InputError(problem, reader.name)
    warn_grid(reader.name, start, off)
    schedule = nus_schedule(reader, schedule_path) if mode == "nus" else None
    nplanes = reader.layout.nplanes
    check_output(target, nplanes, overwrite)
    if sigma:
        check_output(sigma, nplanes, overwrite)
    rephase = rephase and mode != "nus"
    task = PlaneTask.make(e, schedule, start, backend=backend, sigma=bool(sigma),
                          sigma_model=sigma_model, rephase=rephase,
                          **{k: v for k, v in options.items() if k in e.options})
    run = task.solver()
    record = table.record(e, start, off, **run.fields)
    if rephase:
        record["phase"] = "auto"
    if schedule is not None:
        record.update(points=len(schedule), **schedule_record(schedule, f1_size(reader)))
    outputs = [(target, stamp(reader.dic, "reconstruct", **record))]
    if sigma:
        card = task.sigma_network()[1]
        outputs.append((sigma, stamp(reader.dic, "reconstruct",
                                     **dict(table.record(e, start, off), output="sigma",
                                            sigma=str(card.get("name"))[:40]))))
    return dict(reader=reader, mode=mode, start=start, task=task, run=run, target=target,
                sigma=sigma, outputs=outputs, rephase=rephase)


def _job(plan, function):
    name, mode, rephase = plan["reader"].name, plan["mode"], plan["rephase"]
    return Job(plan["reader"], function, plan["outputs"],
               first=lambda x: warn_unphased(name, x, mode, rephase))


def _serial(task, update):
    """The task here, its solver's progress on the bar."""
    return lambda plane: task.solve(plane, update)


OFF_GRID = 0.03   # dwells (11 degrees of P1) off the nearest exact grid before a warning


def warn_grid(name, start, off):
    """A warning on stderr when the header's first-order phases put a time grid between the
    exact ones (the split into Echo and Anti-Echo parts is then approximate)."""
    for axis, (s, o) in enumerate(zip(start, off)):
        if o > OFF_GRID:
            say(f"mrai reconstruct: warning: {name}: the F{axis + 1} first-order phase puts "
                f"the first t{axis + 1} sample {o:.2f} dwell off the nearest grid the methods "
                f"split exactly ({'half a dwell' if s else 't = 0'}); the reconstruction "
                "assumes that grid and loses quality (docs/conventions.md)")


def warn_unphased(name, plane, mode, rephase=False):
    """A warning on stderr when the input (its first plane) looks unphased, saying what is done
    about it (``rephase``: the phase found, mrai.reconstruction.input_phase)."""
    if mode == "nus":
        return
    from mrai.process.autophase import looks_unphased
    from mrai.reconstruction import input_phase

    unphased, reason = looks_unphased(plane)
    if not unphased:
        return
    if rephase:
        p0, p1 = input_phase(plane, mode)
        say(f"mrai reconstruct: warning: {name}: {reason}; reconstructed phased: the phase of "
            f"its F2 projection (P0 {p0:.0f}, P1 {p1:.0f} degrees, each plane its own) taken "
            "off first and put back after, all on F2, F1 taken as phased (--phase off: as it "
            "is)")
    else:
        say(f"mrai reconstruct: warning: {name}: {reason}; the methods expect absorptive peaks")


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

    def update(self, n=1):
        if self.bar is not None:
            self.bar.update(n)

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.__exit__(*exc)
        return False
