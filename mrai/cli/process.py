"""``mrai process``: a real 2D spectrum from 2D time-domain data, with nmrPipe's functions."""

import hashlib

import click

from mrai.cli.options import (STDIO, input_options, output_options, resolve_input,
                              resolve_output, say)
from mrai.errors import InputError


class _NmrPipeCommand(click.Command):
    """A command that also reads steps as nmrPipe's command line writes them (``-fn EXT -x1 101
    -xn 913``), as --fn options, and reports an unknown option in one line."""

    def parse_args(self, ctx, args):
        from mrai.process.recipe import fn_args

        own = {opt for param in self.params for opt in getattr(param, "opts", ())
               if opt.startswith("-") and not opt.startswith("--")} | {"-h"}
        try:
            return super().parse_args(ctx, fn_args(args, own))
        except click.NoSuchOption as exc:
            word = next((arg for arg in args if arg.startswith(exc.option_name) and
                         arg not in own), exc.option_name)
            raise InputError(f"no such option {word} for mrai process (nmrPipe "
                             "function flags follow -fn NAME, e.g. -fn EXT -x1 101 -xn 913; "
                             "see mrai process -h)") from None


@click.command("process", cls=_NmrPipeCommand)
@input_options
@output_options
@click.option("--recipe", "recipe_file", metavar="FILE",
              help="Apply the steps in FILE: one nmrPipe function with its flags per line, as "
                   "after 'nmrPipe -fn' (# comments allowed).")
@click.option("--fn", "fn_steps", multiple=True, metavar="'STEP'",
              help="Apply this step, e.g. 'SP -off 0.5 -end 0.98 -pow 2 -c 0.5' (repeatable, "
                   "applied in order; ';' separates steps). nmrPipe's spelling works too: "
                   "-fn SP -off 0.5 -end 0.98 -pow 2 -c 0.5 (no quotes; repeatable).")
@click.option("--f2", "f2_steps", metavar="'STEPS'",
              help="Use these ';'-separated steps for F2 in the default recipe ('' for none).")
@click.option("--f1", "f1_steps", metavar="'STEPS'",
              help="Use these ';'-separated steps for F1 in the default recipe, between the two "
                   "TPs ('' for none).")
@click.option("--autophase", type=click.Choice(("auto", "f2", "both")), is_flag=False,
              flag_value="auto", default=None,
              help="Phase the default recipe's spectrum automatically, for data without stored "
                   "phases: F2 always, F1 too for data holding both coherence halves (auto; "
                   "Echo-only or Anti-Echo-only data, as mrai convert --keep echo/antiecho "
                   "records, keep the header's F1 phases), or say f2 / both. The phases found "
                   "replace the header's PS values (--show prints them).")
@click.option("--format", "out_format", type=click.Choice(("pipe", "ucsf")), default="pipe",
              show_default=True,
              help="Output format: NMRPipe, or UCSF (Sparky) for a real 2D spectrum (refused "
                   "for time-domain or complex results).")
@click.option("--show", is_flag=True, help="Print the recipe to standard error and exit.")
def command(input_path, in_path, out_path, overwrite, recipe_file, fn_steps, f2_steps, f1_steps,
            autophase, out_format, show):
    """Process 2D time-domain NMRPipe data (F2 complex, F1 States, as bruk2pipe and var2pipe
    write it) into a real spectrum, with nmrPipe's functions and header; with --fn or --recipe,
    also a spectrum (e.g. --fn 'EXT -left -sw' after a reconstruction).

    The recipe is the default one read from the header (--show prints it; --f2/--f1 replace
    one dimension's part), or the steps of --recipe FILE or of the --fn options in order.
    Functions: SP, GM, EM, ZF, FT, PS, EXT, BASE, TP (YTP), DI, SOL, LP, MED, CS, REV, each
    with nmrPipe's flags and -di. Steps may be written as on nmrPipe's command line, without
    quotes, as many as wanted: mrai process in.ft2 -fn EXT -x1 101 -xn 913 -fn REV -sw -out
    out.ft2. --autophase finds the default recipe's phases from the data. --format ucsf
    writes a real 2D spectrum as UCSF (Sparky).
    """
    from mrai.fileio.pipe import PipeReader, write
    from mrai.output import check_writable
    from mrai.process import check_input, default_recipe, format_recipe, process

    given = _given_recipe(recipe_file, fn_steps)
    parts = _dimension_parts(f2_steps, f1_steps, given)
    if autophase and given is not None:
        raise click.UsageError("--autophase phases the default recipe; with --recipe or --fn "
                               "give the PS values there")
    if show and given is not None:
        say(format_recipe(given).rstrip())
        return
    reader = PipeReader(resolve_input(input_path, in_path))
    # the default recipe transforms time-domain data; given steps (EXT after a reconstruction,
    # say) may work on a spectrum, as nmrPipe's functions do
    check_input(reader.dic, reader.layout.nplanes, reader.name, processed_ok=given is not None)
    dic, data = reader.dic, None
    if autophase:
        dic, data = _autophased(reader, autophase)
    steps = given if given is not None else default_recipe(dic, parts)
    if show:
        source = "" if given is not None else \
            "; PS phases found by --autophase" if autophase else \
            "; PS phases from the header (FDF2P0/P1, FDF1P0/P1: mrai convert writes those " \
            "stored with the raw data)"
        say(f"# mrai process recipe for {reader.name}{source}\n{format_recipe(steps).rstrip()}")
        return
    target = resolve_output(out_path)
    if target != STDIO:
        check_writable(target, overwrite)
    dic, data = process(dic, reader.read_all() if data is None else data, steps, reader.name)
    is_default = given is None and not parts
    if out_format == "ucsf":
        from mrai.process.ucsf import write_ucsf

        write_ucsf(target, dic, data, overwrite=overwrite, source=reader.name)
    else:
        write(target, _stamped(dic, steps, is_default), data, overwrite=overwrite)
    rows, points = data.shape[-2:]
    kind = "complex" if data.dtype.kind == "c" else "real"
    say(f"mrai process: {len(steps)} steps, {rows} rows of {points} {kind} points from "
        f"{reader.name}")


def _autophased(reader, dims):
    """(header with the phases :func:`mrai.process.autophase.autophase` finds, data)."""
    from mrai.process.autophase import autophase

    data = reader.read_all()
    try:
        found = autophase(reader.dic, data[0] if data.ndim == 3 else data, dims)
    except ValueError as exc:
        raise InputError(f"--autophase: {exc}", reader.name) from None
    say(f"mrai process: --autophase {found.describe()}")
    return found.header(reader.dic), data


def _given_recipe(recipe_file, fn_steps):
    """Steps from --recipe FILE or the --fn options; None when neither is given."""
    from mrai.process import parse_recipe

    if recipe_file and fn_steps:
        raise click.UsageError("give the steps once: --recipe FILE or --fn options, not both")
    if not fn_steps and recipe_file is None:
        return None
    source = recipe_file or "--fn"
    steps = parse_recipe(_read_text(recipe_file) if recipe_file else list(fn_steps), source)
    if not steps:
        raise InputError("no steps given", source)
    return steps


def _read_text(path):
    from mrai.limits import check_text_size

    check_text_size(path, "recipe file")
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    except FileNotFoundError:
        raise InputError("no such recipe file", path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot be read as a recipe ({exc})", path) from None


def _dimension_parts(f2_steps, f1_steps, given):
    """{dimension code: steps} from --f2/--f1, which only go with the default recipe."""
    from mrai.process import as_steps

    parts = {code: as_steps(text, f"--f{code}") for code, text in ((2, f2_steps), (1, f1_steps))
             if text is not None}
    if parts and given is not None:
        raise click.UsageError("--f2/--f1 change the default recipe; with --recipe or --fn "
                               "give all the steps there")
    return parts


def _stamped(dic, steps, is_default):
    """``dic`` stamped with the recipe: step count and a hash of its text, and the recipe itself
    (spaces as commas, steps ';'-separated; 'default' for the default) when it fits."""
    from mrai.fileio.header import stamp

    text = ";".join(step.text for step in steps)
    record = {"steps": len(steps), "sha": hashlib.sha256(text.encode()).hexdigest()[:8]}
    compact = "default" if is_default else text.replace(" ", ",")
    try:
        return stamp(dic, "process", recipe=compact if compact.isascii() else None, **record)
    except ValueError:
        return stamp(dic, "process", **record)
