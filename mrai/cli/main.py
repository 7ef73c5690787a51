"""The ``mrai`` command: a click group, and error handling that keeps messages on stderr.

Each command lives in its own module, imported only when that command runs (or shows its own
help): ``mrai --help`` lists the commands from :data:`COMMANDS` without importing any of them,
and ``mrai info`` imports neither TensorFlow nor the modules of the other commands.
"""

import importlib
import os
import sys

import click

from mrai.version import __version__
from mrai.errors import MraiError

# name: (module in mrai.cli, the first sentence of its help, which `mrai --help` shows;
# tests/test_startup.py checks that it is the command's own)
COMMANDS = {
    "convert": ("convert", "Convert the raw 2D data set in DIR (Bruker ser + acqus/acqu2s, or "
                           "Varian fid + procpar) to NMRPipe time-domain data: F2 complex, F1 "
                           "States (cosine and sine rows)."),
    "degrade": ("degrade", "Make an Echo-only, Anti-Echo-only or NUS spectrum from a real 2D "
                           "spectrum."),
    "demo": ("demo", "Simulate a spectrum, make its Echo, Anti-Echo and NUS inputs, write them to "
                     "OUTDIR (default ./mrai-demo) and print a summary of their quality against "
                     "the reference (r and RMSD, docs/conventions.md#metrics)."),
    "info": ("info", "Describe an NMRPipe data set: sizes, domains, nuclei, spectral widths, ppm "
                     "ranges, and what made it."),
    "plot": ("plot", "Figures of 2D spectra and reconstructions with their per-point sigma."),
    "process": ("process", "Process 2D time-domain NMRPipe data (F2 complex, F1 States, as "
                           "bruk2pipe and var2pipe write it) into a real spectrum, with nmrPipe's "
                           "functions and header; with --fn or --recipe, also a spectrum (e.g."),
    "reconstruct": ("reconstruct", "Reconstruct a pure-absorption 2D spectrum from an Echo-only, "
                                   "Anti-Echo-only or NUS spectrum, of any size."),
    "score": ("score", "Predict the RMSD of a reconstruction without a reference (pSQ) from the "
                       "per-point sigma of the method's sigma network; also the mean and median "
                       "of sigma/Smax over the signal points."),
    "simulate": ("simulate", "Simulate a 2D HSQC-like spectrum (pure absorption) with NMRPipe "
                             "headers."),
    "train": ("train", "Train networks on simulated spectra (no data set needed)."),
}


class LazyGroup(click.Group):
    """A group whose commands are imported from their modules when first asked for."""

    def list_commands(self, ctx):
        return sorted(set(COMMANDS) | set(self.commands))

    def get_command(self, ctx, name):
        if name not in self.commands and name in COMMANDS:
            module = importlib.import_module(f"mrai.cli.{COMMANDS[name][0]}")
            self.add_command(module.command, name)
        return self.commands.get(name)

    def format_commands(self, ctx, formatter):
        """The command list, from :data:`COMMANDS`: no command module is imported for it."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = []
        for name in names:
            if name in self.commands or name not in COMMANDS:
                command = self.get_command(ctx, name)
                if command is None or command.hidden:
                    continue
                rows.append((name, command.get_short_help_str(limit)))
            else:
                rows.append((name, click.utils.make_default_short_help(COMMANDS[name][1], limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mrai")
def cli():
    """AI reconstruction for NMR spectra, NMRPipe style.

    Commands read NMRPipe data from a file or standard input and write NMRPipe data to a file or
    standard output, so they can sit between nmrPipe stages. Messages go to standard error only.
    Exit codes: 0 success, 2 bad input or usage, 1 internal error.
    """


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
