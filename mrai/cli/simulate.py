"""``mrai simulate``: a random 2D spectrum and its Echo / Anti-Echo forms."""

import click

from mrai.cli.options import output_options, parse_size, resolve_output, say


@click.command("simulate")
@output_options
@click.option("--echo", "echo_path", metavar="PATH", help="Also write the Echo-only spectrum.")
@click.option("--antiecho", "anti_path", metavar="PATH",
              help="Also write the Anti-Echo-only spectrum.")
@click.option("--size", default="256x2048", show_default=True,
              help="Spectrum points, F1xF2 (any sizes from 8).")
@click.option("--peaks", default=300, show_default=True, type=click.IntRange(0, 100000),
              help="Number of peaks.")
@click.option("--noise", default=1e-3, show_default=True, type=click.FloatRange(0),
              help="Noise standard deviation as a fraction of the largest peak.")
@click.option("--imbalance", default=0.0, show_default=True, type=click.FloatRange(-0.5, 0.5),
              help="Echo/Anti-Echo amplitude imbalance (Echo x (1+e), Anti-Echo x (1-e)).")
@click.option("--t1-start", default=0.0, show_default=True, type=float, metavar="DWELLS",
              help="Time of the first t1 sample in dwells (0.5: f1180, F1 P0 -90 P1 180); the "
                   "header records the phases that correct it.")
@click.option("--t2-start", default=0.0, show_default=True, type=float, metavar="DWELLS",
              help="Time of the first t2 sample in dwells (a delay; F2 P1 = 360 x it).")
@click.option("--seed", default=0, show_default=True, type=int, help="Random seed.")
@click.option("--bruker", "bruker_dir", metavar="DIR",
              help="Also write the same peaks as a raw Bruker Echo-Antiecho data set (ser, "
                   "acqus, acqu2s) in DIR, for mrai convert.")
@click.option("--varian", "varian_dir", metavar="DIR",
              help="Also write them as a raw Varian Rance-Kay data set (fid, procpar) in DIR.")
def command(out_path, overwrite, echo_path, anti_path, size, peaks, noise, imbalance, t1_start,
            t2_start, seed, bruker_dir, varian_dir):
    """Simulate a 2D HSQC-like spectrum (pure absorption) with NMRPipe headers.

    Writes the reference spectrum to -o (or standard output) and, on request, its Echo-only and
    Anti-Echo-only versions (the spectra the P-type or N-type data alone give) for testing
    reconstruction. --t1-start / --t2-start put the first sample at a delay (f1180: 0.5), with
    the first-order phases that correct it in the header. --bruker and
    --varian write the same peaks as raw time-domain data (the acquired points of the spectrum,
    white noise of --noise times the largest FID point), so that mrai convert and mrai process
    can be tried on data the project makes.
    """
    from mrai.errors import InputError
    from mrai.fileio.header import spectrum_header, stamp
    from mrai.limits import MAX_POINTS, check_count, check_number, check_plane
    from mrai.fileio.pipe import PipeWriter
    from mrai.output import Commit, check_writable
    from mrai.simulate import SimulationSettings, simulate

    size = check_plane(*parse_size(size), what="--size")
    check_count(seed, "--seed", 0, 2 ** 63 - 1)
    check_number(noise, "--noise", 0, 1e6)   # a finite spectrum: noise x the largest peak
    check_number(imbalance, "--imbalance", -0.5, 0.5)
    check_number(t1_start, "--t1-start", -MAX_POINTS, MAX_POINTS)
    check_number(t2_start, "--t2-start", -MAX_POINTS, MAX_POINTS)
    try:
        settings = SimulationSettings(size=size, peaks=peaks, noise=noise, imbalance=imbalance,
                                      t1_start=t1_start, t2_start=t2_start)
    except ValueError as exc:
        raise InputError(f"simulate: {exc}") from None
    target = resolve_output(out_path)
    extras = [(p, m) for p, m in ((echo_path, "echo"), (anti_path, "antiecho")) if p]
    for path, _ in extras:
        check_writable(path, overwrite)
    data = simulate(settings, seed=seed)
    if (bruker_dir or varian_dir) and (t1_start or t2_start):
        raise click.UsageError("--bruker and --varian write data starting at t = 0: leave out "
                               "--t1-start and --t2-start")
    header = spectrum_header(size, acquired=settings.acquired)
    for axis, (p0, p1) in settings.phases().items():
        header[f"FD{axis}P0"], header[f"FD{axis}P1"] = float(p0), float(p1)
    record = dict(seed=seed, peaks=peaks, noise=f"{noise:g}", imbalance=f"{imbalance:g}",
                  t1start=f"{t1_start:g}" if t1_start else None,
                  t2start=f"{t2_start:g}" if t2_start else None)
    if bruker_dir or varian_dir:
        _check_raw_folders(bruker_dir, varian_dir, overwrite)
    # the spectra go in place together (all or none), standard output last of all
    outputs = [(path, mode) for path, mode in extras] + [(target, "reference")]
    writers, commit = [], Commit()
    try:
        for path, mode in outputs:
            spectrum = data.reference if mode == "reference" else getattr(data, mode)
            writer = PipeWriter(path, stamp(header, "simulate", mode=mode, **record),
                                overwrite=overwrite)
            writers.append(writer)
            writer.write(spectrum)
        for writer in writers:
            writer.finish(commit)
        commit.run()
    except BaseException:
        for writer in writers:
            writer.abort()
        commit.discard()
        raise
    if bruker_dir or varian_dir:
        _write_raw(data, settings, bruker_dir, varian_dir, seed, overwrite)
    say(f"mrai simulate: {size[0]} x {size[1]} points, {peaks} peaks, seed {seed}")


def _check_raw_folders(bruker_dir, varian_dir, overwrite):
    """Refuse a raw data set folder that exists and is not empty (without -ov), before
    anything is written."""
    import os

    from mrai.errors import OutputError

    for folder in (bruker_dir, varian_dir):
        if folder and os.path.exists(folder) and (not os.path.isdir(folder) or os.listdir(folder)) \
                and not overwrite:
            raise OutputError(f"{folder}: exists and is not empty (use -ov to overwrite)")


def _write_raw(data, settings, bruker_dir, varian_dir, seed, overwrite):
    """The simulated peaks as raw Bruker and/or Varian data sets."""
    import numpy as np

    from mrai.simulate import raw

    _check_raw_folders(bruker_dir, varian_dir, overwrite)
    p, n = raw.add_noise(*raw.coherences(data.peaks, settings.acquired), settings.noise,
                         np.random.default_rng([seed, 1]))
    if bruker_dir:
        raw.write_bruker(bruker_dir, p, n, overwrite=True)
        say(f"mrai simulate: raw Bruker Echo-Antiecho data set in {bruker_dir}")
    if varian_dir:
        raw.write_varian(varian_dir, p, n, overwrite=True)
        say(f"mrai simulate: raw Varian Rance-Kay data set in {varian_dir}")
