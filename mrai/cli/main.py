"""The ``mrai`` command: a click group, and error handling that keeps messages on stderr.

Each command lives in its own module, imported only when that command runs (or shows its own
help): ``mrai --help`` lists the commands from :data:`COMMANDS` without importing any of them,
and ``mrai info`` imports neither TensorFlow nor the modules of the other commands.
"""

import os
import signal
import sys
import threading


def _early_abort(signum, frame):
    """SIGINT, SIGTERM or SIGHUP while mrai starts (nothing written yet): one line, no
    traceback."""
    name = "" if signum == signal.SIGINT else f" ({signal.Signals(signum).name})"
    try:
        os.write(2, f"mrai: aborted{name}\n".encode())
    finally:
        os._exit(128 + signum)


_HANDLED_NAMES = ("SIGINT", "SIGTERM", "SIGHUP")
_EARLY = {}
if threading.current_thread() is threading.main_thread():
    for _name in _HANDLED_NAMES:
        _signum = getattr(signal, _name, None)
        if _signum is not None and signal.getsignal(_signum) not in (signal.SIG_IGN, None):
            _EARLY[_signum] = signal.signal(_signum, _early_abort)

import errno  # noqa: E402  (after the handlers: these imports are the slow part of starting)
import functools  # noqa: E402
import importlib  # noqa: E402

import click  # noqa: E402

from mrai.version import __version__  # noqa: E402
from mrai.errors import MraiError  # noqa: E402

for _signum, _old in _EARLY.items():  # main() installs the handlers a run uses
    signal.signal(_signum, _old)
_HANDLED = tuple(getattr(signal, name) for name in _HANDLED_NAMES if hasattr(signal, name))

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
            _guard(module.command, OUTPUT_PARAMETERS.get(name, {}))
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
    Exit codes: 0 success, 2 bad input or usage, 1 internal error or failed write (a full
    disk), 141 (quietly) when the reader of standard output closed it early, 130 / 129 / 143
    on SIGINT / SIGHUP / SIGTERM.
    """


class Terminated(BaseException):
    """SIGTERM or SIGHUP arrived: unwinds like KeyboardInterrupt (outputs abort on the way)."""

    def __init__(self, signum):
        super().__init__(signum)
        self.signum = signum


def _terminate(signum, frame):
    raise Terminated(signum)


def _signal_name(signum):
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


def _install_signals():
    """SIGINT raises KeyboardInterrupt, SIGTERM and SIGHUP :class:`Terminated`, except where
    the parent set them to be ignored (nohup, background jobs); returns what to restore."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    previous = {}
    for signum in _HANDLED:
        if signal.getsignal(signum) is signal.SIG_IGN:
            continue
        handler = signal.default_int_handler if signum == signal.SIGINT else _terminate
        previous[signum] = signal.signal(signum, handler)
    return previous


def _restore_signals(previous):
    for signum, handler in previous.items():
        signal.signal(signum, handler if handler is not None else signal.SIG_DFL)


# the options naming files each command writes (its outputs), as {parameter name: suffixes}:
# a train PREFIX names PREFIX.weights.h5 and PREFIX.json. Every other parameter naming an
# existing file is an input. tests/test_outputs.py checks that these parameters exist.
OUTPUT_PARAMETERS = {
    "convert": {"out_path": ("",), "schedule_out": ("",)},
    "degrade": {"out_path": ("",), "schedule_out": ("",)},
    "process": {"out_path": ("",)},
    "reconstruct": {"out_path": ("",), "sigma_path": ("",)},
    "score": {"sigma_out": ("",)},
    "simulate": {"out_path": ("",), "echo_path": ("",), "anti_path": ("",)},
    "plot": {"out_path": ("",)},
    "train": {"out": (".weights.h5", ".json")},
}
_STDIN_PARAMETERS = ("input_path", "in_path")


def _guard(command, outputs):
    """Wrap the callback of ``command`` (and of its subcommands) with the check that no two of
    its outputs name one file and none names an input (mrai.output.check_paths), made before
    the command reads or writes anything."""
    for sub in getattr(command, "commands", {}).values():
        _guard(sub, outputs)
    callback = command.callback
    if callback is None or getattr(callback, "_mrai_guarded", False):
        return
    labels = {param.name: _label(param) for param in command.params}

    @functools.wraps(callback)
    def checked(*args, **kwargs):
        from mrai.output import check_paths

        outs, ins = [], []
        for name, value in kwargs.items():
            if name in outputs:
                if value is None and name == "out_path":
                    value = "-"   # -o left out: standard output
                if value == "-":
                    outs.append((labels.get(name, name), value))
                elif value is not None:
                    outs += [(labels.get(name, name), f"{value}{suffix}")
                             for suffix in outputs[name]]
            else:
                ins += [(labels.get(name, name), v) for v in _strings(value)]
        reads_stdin = (any(name in kwargs for name in _STDIN_PARAMETERS)
                       and all(kwargs.get(name) in (None, "-") for name in _STDIN_PARAMETERS))
        check_paths(outs, ins, stdin=reads_stdin)
        return callback(*args, **kwargs)

    checked._mrai_guarded = True
    command.callback = checked


def _label(param):
    opts = [opt for opt in getattr(param, "opts", ()) if opt.startswith("-")]
    return opts[0] if opts else param.human_readable_name.strip("[]")


def _strings(value):
    if isinstance(value, (str, os.PathLike)):
        yield os.fspath(value)
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from _strings(item)


def main(argv=None):
    """Console entry point: run the CLI, turning errors into one line on stderr and an exit code
    (README, 'Outputs, signals and exit status'): 0 success; 2 bad input or usage; 1 an
    internal error or a failed write (a full disk); 141, quietly, when the reader of standard
    output closed it early; 130 on SIGINT, 128 + n on SIGTERM and SIGHUP, temporary files
    removed."""
    from mrai import output

    previous = _install_signals()
    try:
        with output.checked_stdout():
            return _run(argv, output)
    finally:
        _restore_signals(previous)


def _run(argv, output):
    try:
        try:
            # click's Command.main without its own handling of KeyboardInterrupt (an empty
            # line) and EPIPE (exit 1): those are decided here, as for every other error
            args = sys.argv[1:] if argv is None else list(argv)
            with cli.make_context("mrai", args) as ctx:
                cli.invoke(ctx)
            code = 0
        except click.exceptions.Exit as exc:
            code = exc.exit_code
        output.flush_stdout()
        return code
    except (output.StdoutClosed, BrokenPipeError):
        output.silence_stdout()
        return EXIT_READER_GONE
    except output.WriteError as exc:
        output.silence_stdout()
        _say(f"mrai: error: {exc}")
        return exc.exit_code
    except click.ClickException as exc:
        if isinstance(exc, getattr(click.exceptions, "NoArgsIsHelpError", ())):
            exc.show()   # a bare group (mrai, mrai train): its help
            return 2
        _say(f"mrai: error: {_usage_line(exc)}")
        return 2
    except (click.exceptions.Abort, KeyboardInterrupt):
        output.remove_temps()
        _say("mrai: aborted")
        return 130
    except Terminated as exc:
        output.remove_temps()
        _say(f"mrai: aborted ({_signal_name(exc.signum)})")
        return 128 + exc.signum
    except MraiError as exc:
        _say(f"mrai: error: {exc}")
        return exc.exit_code
    except OSError as exc:
        if exc.errno not in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG) or \
                os.environ.get("MRAI_DEBUG"):
            return _internal(exc)
        _say(f"mrai: error: {f'{exc.filename}: ' if exc.filename else ''}{exc.strerror}")
        return 1
    except Exception as exc:  # internal error: one line, traceback only on request
        return _internal(exc)


def _usage_line(exc):
    """click's usage error (or other ClickException) as the text of one line: its message and,
    for a usage error, where the command's help is (click itself prints three lines)."""
    text = " ".join(exc.format_message().split())
    ctx = getattr(exc, "ctx", None)
    if isinstance(exc, click.UsageError) and ctx is not None:
        text += f" (see '{ctx.command_path} --help')"
    return text


def _internal(exc):
    if os.environ.get("MRAI_DEBUG"):
        raise exc
    _say(f"mrai: internal error: {type(exc).__name__}: {exc} (set MRAI_DEBUG=1 for the "
         "traceback)")
    return 1


def _say(line):
    """One line on standard error, which may itself be gone (a closed terminal after SIGHUP);
    control characters (a newline or a terminal escape in a file name or a header value) are
    escaped, so it stays one line and cannot act on a terminal."""
    from mrai.limits import printable

    try:
        click.echo(printable(line), err=True)
    except (OSError, ValueError):
        pass


EXIT_READER_GONE = 141   # 128 + SIGPIPE, what the shell reports for a C tool killed by SIGPIPE


def entry():
    try:
        code = main()
    except KeyboardInterrupt:  # a signal as main returned, its outputs already in place
        code = 130
    except Terminated as exc:
        code = 128 + exc.signum
    for signum in _HANDLED:  # the work is done: a late signal does not turn it into a traceback
        try:
            signal.signal(signum, signal.SIG_IGN)
        except (OSError, ValueError):
            pass
    if "tensorflow" in sys.modules:
        _exit_now(code)
    sys.exit(code)


def _exit_now(code):
    """Exit without the interpreter's teardown, which takes TensorFlow about a second; every
    output was already written, put in place and flushed (standard output included), so only
    the streams need flushing."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)
