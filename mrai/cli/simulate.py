"""``mrai simulate``: a random 2D spectrum and its Echo / Anti-Echo forms."""

import click

from mrai.cli.options import output_options, parse_size, resolve_output, say
from mrai.fileio.header import spectrum_header, stamp
from mrai.fileio.pipe import check_writable, write
from mrai.simulate import SimulationSettings, simulate


@click.command("simulate")
@output_options
@click.option("--echo", "echo_path", metavar="PATH", help="Also write the Echo-only spectrum.")
@click.option("--antiecho", "anti_path", metavar="PATH",
              help="Also write the Anti-Echo-only spectrum.")
@click.option("--size", default="256x2048", show_default=True,
              help="Spectrum points, F1xF2 (even numbers).")
@click.option("--peaks", default=300, show_default=True, type=click.IntRange(0, 100000),
              help="Number of peaks.")
@click.option("--noise", default=1e-3, show_default=True, type=click.FloatRange(0),
              help="Noise standard deviation as a fraction of the largest peak.")
@click.option("--imbalance", default=0.0, show_default=True, type=click.FloatRange(-0.5, 0.5),
              help="Echo/Anti-Echo amplitude imbalance (Echo x (1+e), Anti-Echo x (1-e)).")
@click.option("--seed", default=0, show_default=True, type=int, help="Random seed.")
@click.option("--bruker", "bruker_dir", metavar="DIR",
              help="Also write the same peaks as a raw Bruker Echo-Antiecho data set (ser, "
                   "acqus, acqu2s) in DIR, for mrai convert.")
@click.option("--varian", "varian_dir", metavar="DIR",
              help="Also write them as a raw Varian Rance-Kay data set (fid, procpar) in DIR.")
def command(out_path, overwrite, echo_path, anti_path, size, peaks, noise, imbalance, seed,
            bruker_dir, varian_dir):
    """Simulate a 2D HSQC-like spectrum (pure absorption) with NMRPipe headers.

    Writes the reference spectrum to -o (or standard output) and, on request, its Echo-only and
    Anti-Echo-only versions (science.md convention) for testing reconstruction. --bruker and
    --varian write the same peaks as raw time-domain data (the acquired points of the spectrum,
    white noise of --noise times the largest FID point), so that mrai convert and mrai process
    can be tried on data the project makes.
    """
    size = parse_size(size)
    try:
        settings = SimulationSettings(size=size, peaks=peaks, noise=noise, imbalance=imbalance)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    target = resolve_output(out_path)
    extras = [(p, m) for p, m in ((echo_path, "echo"), (anti_path, "antiecho")) if p]
    for path, _ in extras:
        check_writable(path, overwrite)
    data = simulate(settings, seed=seed)
    header = spectrum_header(size, acquired=settings.acquired)
    record = dict(seed=seed, peaks=peaks, noise=f"{noise:g}", imbalance=f"{imbalance:g}")
    for path, mode in extras:
        write(path, stamp(header, "simulate", mode=mode, **record), getattr(data, mode),
              overwrite=overwrite)
    write(target, stamp(header, "simulate", mode="reference", **record), data.reference,
          overwrite=overwrite)
    if bruker_dir or varian_dir:
        _write_raw(data, settings, bruker_dir, varian_dir, seed, overwrite)
    say(f"mrai simulate: {size[0]} x {size[1]} points, {peaks} peaks, seed {seed}")


def _write_raw(data, settings, bruker_dir, varian_dir, seed, overwrite):
    """The simulated peaks as raw Bruker and/or Varian data sets."""
    import os

    import numpy as np

    from mrai.errors import OutputError
    from mrai.simulate import raw

    for folder in (bruker_dir, varian_dir):
        if folder and os.path.exists(folder) and os.listdir(folder) and not overwrite:
            raise OutputError(f"{folder}: exists and is not empty (use -ov to overwrite)")
    p, n = raw.add_noise(*raw.coherences(data.peaks, settings.acquired), settings.noise,
                         np.random.default_rng([seed, 1]))
    if bruker_dir:
        raw.write_bruker(bruker_dir, p, n, overwrite=True)
        say(f"mrai simulate: raw Bruker Echo-Antiecho data set in {bruker_dir}")
    if varian_dir:
        raw.write_varian(varian_dir, p, n, overwrite=True)
        say(f"mrai simulate: raw Varian Rance-Kay data set in {varian_dir}")
