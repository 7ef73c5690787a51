"""``mrai info``: what a data set holds."""

import json
import math

import click

from mrai.cli.options import input_options, resolve_input


@click.command("info")
@input_options
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def command(input_path, in_path, as_json):
    """Describe an NMRPipe data set: sizes, domains, nuclei, spectral widths, ppm ranges, and
    what made it. The report goes to standard output."""
    from mrai.fileio.pipe import PipeReader
    from mrai.fileio.summary import describe, format_description

    reader = PipeReader(resolve_input(input_path, in_path))
    info = describe(reader)
    for _ in reader.planes():  # read to the end: a truncated stream is reported
        pass
    click.echo(json.dumps(_finite(info), indent=2) if as_json else format_description(info))


def _finite(value):
    """``value`` with NaN and infinite numbers (a header may hold them) as None, so that the
    JSON is valid (json.dumps escapes the control characters of strings)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(item) for item in value]
    return value
