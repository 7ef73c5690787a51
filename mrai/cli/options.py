"""NMRPipe-style input/output options shared by the commands.

Input: a positional path or ``-in PATH``; standard input when neither is given (refused when it
is a terminal). Output: ``-o PATH`` / ``-out PATH``; standard output when absent (refused when it
is a terminal). ``-ov`` / ``--overwrite`` allows replacing an existing file.
"""

import sys

import click

from mrai.errors import InputError, OutputError

STDIO = "-"  # as mrai.fileio.pipe.STDIO; the commands' modules import nothing heavy when loaded


def input_options(function):
    function = click.option("-in", "--in", "in_path", metavar="PATH",
                            help="Input NMRPipe data (file, plane series spec%03d.ft3, or - "
                                 "for standard input).")(function)
    return click.argument("input_path", required=False, metavar="[IN]")(function)


def output_options(function):
    function = click.option("-ov", "--overwrite", is_flag=True,
                            help="Replace existing output files.")(function)
    return click.option("-o", "-out", "--out", "out_path", metavar="PATH",
                        help="Output (file, plane series, or - for standard output; "
                             "default: standard output).")(function)


def resolve_input(input_path, in_path):
    """The source to read: a path, or '-' for standard input."""
    if input_path and in_path:
        raise click.UsageError("give the input once: as IN or as -in, not both")
    source = input_path or in_path
    if source in (None, STDIO):
        if sys.stdin is None or sys.stdin.isatty():
            raise InputError("no input: give a file (IN or -in PATH) or pipe an NMRPipe stream "
                             "into standard input")
        return STDIO
    return source


def resolve_output(out_path):
    """The target to write: a path, or '-' for standard output."""
    if out_path in (None, STDIO):
        if sys.stdout is None or sys.stdout.isatty():
            raise OutputError("no output: give -o PATH or redirect standard output to a pipe "
                              "or file")
        return STDIO
    return out_path


def parse_size(text):
    """'256x2048' -> (256, 2048)."""
    try:
        parts = tuple(int(v) for v in text.lower().split("x"))
    except ValueError:
        parts = ()
    if len(parts) != 2:
        raise click.BadParameter(f"{text!r} is not of the form ROWSxCOLUMNS, e.g. 256x2048")
    return parts


def say(message):
    """A message for the user: always on standard error, with control characters (from file
    names or file contents) escaped (mrai.limits.printable)."""
    from mrai.limits import printable

    click.echo(printable(message, lines=True), err=True)


def parse_region(text, size=None):
    """--region FIRST:LAST (1-based, inclusive F2 points, as NMRPipe's EXT counts) -> (first,
    last); 'all' -> None. Refused unless 1 <= FIRST <= LAST (<= ``size``, the F2 points, when
    given)."""
    if text == "all":
        return None
    try:
        first, last = (int(v) for v in text.split(":"))
    except ValueError:
        raise click.BadParameter(f"{text!r} is not FIRST:LAST or 'all'",
                                 param_hint="--region") from None
    if not 1 <= first <= last:
        raise InputError(f"--region {text}: the F2 points count from 1, and FIRST <= LAST "
                         "(e.g. 100:800)")
    if size is not None and last > size:
        raise InputError(f"--region {text} goes beyond the {size} F2 points of the data")
    return first, last


def nus_schedule(reader, path):
    """The validated NUS schedule for ``reader``'s spectrum: from a schedule file, or
    ``'header'`` for the one mrai recorded in its header."""
    from mrai.fileio.schedule import read_schedule, recorded_schedule
    from mrai.physics import validate_schedule
    from mrai.planes import f1_size

    n0 = f1_size(reader)
    if path == "header":
        values, source = recorded_schedule(reader.dic, reader.name), reader.name
    else:
        values, source = read_schedule(path), path
    try:
        return validate_schedule(values, n0)
    except ValueError as exc:
        raise InputError(str(exc), source) from None
