"""The ``mrai`` command: a click group, and error handling that keeps messages on stderr."""

import os
import sys

import click

from mrai import __version__
from mrai.errors import MraiError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mrai")
def cli():
    """AI reconstruction for NMR spectra, NMRPipe style.

    Commands read NMRPipe data from a file or standard input and write NMRPipe data to a file or
    standard output, so they can sit between nmrPipe stages. Messages go to standard error only.
    Exit codes: 0 success, 2 bad input or usage, 1 internal error.
    """


def _register():
    from mrai.cli import (convert, degrade, demo, info, plot, process, reconstruct, score,
                          simulate, train)

    for module in (info, convert, process, simulate, degrade, reconstruct, score, train, demo,
                   plot):
        cli.add_command(module.command)


_register()


def main(argv=None):
    """Console entry point: run the CLI, turning errors into one line on stderr and an exit code."""
    try:
        cli.main(args=argv, prog_name="mrai", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return 2
    except click.exceptions.Abort:
        click.echo("mrai: aborted", err=True)
        return 130
    except MraiError as exc:
        click.echo(f"mrai: error: {exc}", err=True)
        return exc.exit_code
    except BrokenPipeError:
        _silence_stdout()
        return 1
    except KeyboardInterrupt:
        click.echo("mrai: interrupted", err=True)
        return 130
    except Exception as exc:  # internal error: one line, traceback only on request
        if os.environ.get("MRAI_DEBUG"):
            raise
        click.echo(f"mrai: internal error: {type(exc).__name__}: {exc} "
                   "(set MRAI_DEBUG=1 for the traceback)", err=True)
        return 1
    return 0


def _silence_stdout():
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except OSError:
        pass


def entry():
    code = main()
    if "tensorflow" in sys.modules:
        _exit_now(code)
    sys.exit(code)


def _exit_now(code):
    """Exit without the interpreter's teardown, which takes TensorFlow about a second; every
    output was already written and closed (atomically), so only the streams need flushing."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)
