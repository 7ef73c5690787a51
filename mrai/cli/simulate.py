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
def command(out_path, overwrite, echo_path, anti_path, size, peaks, noise, imbalance, seed):
    """Simulate a 2D HSQC-like spectrum (pure absorption) with NMRPipe headers.

    Writes the reference spectrum to -o (or standard output) and, on request, its Echo-only and
    Anti-Echo-only versions (science.md convention) for testing reconstruction.
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
    say(f"mrai simulate: {size[0]} x {size[1]} points, {peaks} peaks, seed {seed}")
