"""NMRPipe-style input/output options shared by the commands.

Input: a positional path or ``-in PATH``; standard input when neither is given (refused when it
is a terminal). Output: ``-o PATH`` / ``-out PATH``; standard output when absent (refused when it
is a terminal). ``-ov`` / ``--overwrite`` allows replacing an existing file.
"""

import contextlib
import os
import sys

import click

from mrai.errors import InputError, OutputError

STDIO = "-"  # as mrai.fileio.pipe.STDIO; the commands' modules import nothing heavy when loaded


def input_options(function):
    function = click.option("-in", "--in", "in_path", metavar="PATH",
                            help="Input NMRPipe data (file, plane series spec%03d.ft3, or - "
                                 "for standard input).")(function)
    return click.argument("input_path", required=False, metavar="[IN]")(function)


def inputs_options(function):
    """As :func:`input_options`, for commands that take several inputs (IN...): the value is
    None (none given), one path, or a tuple of paths (:func:`resolve_inputs`)."""
    function = click.option("-in", "--in", "in_path", metavar="PATH",
                            help="Input NMRPipe data (file, plane series spec%03d.ft3, or - "
                                 "for standard input).")(function)
    return click.argument("input_path", nargs=-1, metavar="[IN]...",
                          callback=lambda ctx, param, value: (None if not value else value[0]
                                                              if len(value) == 1 else value)
                          )(function)


def cluster_options(function):
    """--workers N and --scheduler ADDRESS: the planes (and data sets) on a Dask cluster
    (mrai.distributed, :func:`plane_executor`)."""
    function = click.option("--scheduler", metavar="ADDRESS",
                            help="Compute the planes on the Dask cluster whose scheduler is at "
                                 "ADDRESS (tcp://HOST:PORT, or a scheduler file .json); "
                                 "docs/scale.md.")(function)
    return click.option("--workers", type=click.IntRange(1, 1024), metavar="N",
                        help="Compute the planes (of every input) on N worker processes started "
                             "for the run (a dask.distributed LocalCluster, 1 thread each; pip "
                             "install 'mrai[dask]'); same results, in plane order.")(function)


def plane_executor(workers, scheduler):
    """A context manager giving the executor for mrai.planes.map_files: None (this process, one
    plane after another) without --workers and --scheduler, which leaves dask unimported."""
    if workers is not None and scheduler is not None:
        raise click.UsageError("give --workers N or --scheduler ADDRESS, not both")
    if workers is None and scheduler is None:
        return contextlib.nullcontext()
    from mrai.distributed import cluster

    return cluster(workers=workers, scheduler=scheduler)


class PlaneProgress:
    """Progress of planes computed on a cluster: the click progress bar on a terminal, else one
    line per plane on standard error; ``plane(name, index, count)`` as each is written."""

    def __init__(self, command, total):
        self.command, self.total, self.done, self.bar = command, total, 0, None

    def __enter__(self):
        if sys.stderr.isatty():
            self.bar = click.progressbar(length=self.total, label="planes", file=sys.stderr)
            self.bar.__enter__()
        return self

    def plane(self, name, index, count):
        self.done += 1
        if self.bar is not None:
            self.bar.update(1)
        else:
            say(f"mrai {self.command}: {name}: plane {index + 1} of {count}"
                + (f" ({self.done} of {self.total} in all)" if count != self.total else ""))

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.__exit__(*exc)
        return False


def resolve_inputs(input_path, in_path):
    """The sources to read: one or more paths, or ['-'] for standard input."""
    if isinstance(input_path, tuple):
        if in_path:
            raise click.UsageError("give the inputs as IN... or one as -in, not both")
        if STDIO in input_path:
            raise click.UsageError("standard input (-) is an input of its own, not one of "
                                   "several")
        return list(input_path)
    return [resolve_input(input_path, in_path)]


def output_targets(path, sources, option="-o"):
    """The output of each source for ``option``'s ``path``: an existing folder takes each
    output under its input's name (a plane series under its template); else ``path`` itself,
    for one input (several need a folder). None for ``path`` None, except that -o left out
    is standard output."""
    if path not in (None, STDIO) and os.path.isdir(path):
        if STDIO in sources:
            raise click.UsageError(f"{option} {path} is a folder, where outputs take their "
                                   "inputs' names; standard input has none: give a file")
        return [os.path.join(path, os.path.basename(str(s))) for s in sources]
    if len(sources) > 1:
        raise click.UsageError(f"several inputs need {option} FOLDER (an existing folder): "
                               "each output takes its input's name there")
    if option == "-o":
        return [resolve_output(path)]
    return [path]


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
