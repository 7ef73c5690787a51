"""``mrai train wnn`` and ``mrai train sigma``: train networks on simulated spectra; each writes
weights and a model card."""

import os
import time

import click

from mrai.cli.options import parse_region, parse_size, say
from mrai.errors import InputError
from mrai.methods.table import SIGMA_NETWORKS


@click.group("train")
def command():
    """Train networks on simulated spectra (no data set needed)."""


def _deadline(minutes):
    """The time.monotonic() time at which --time-limit MINUTES ends, counted from now (the
    start of the command; None without a limit)."""
    return None if minutes is None else time.monotonic() + 60.0 * minutes


def _stopped(kind, minutes, checkpoint):
    say(f"mrai train {kind}: stopped by the time limit ({minutes:g} min); the checkpoint is in "
        f"{checkpoint}: run the same command with --resume to continue (no weights written "
        f"yet)")


def _sizes(ctx, param, values):
    """--size values as (rows, columns), each from 8 x 8 and within one plane's limits
    (mrai.limits), refused before anything is imported or simulated."""
    from mrai.limits import check_plane

    sizes = []
    for text in values:
        rows, columns = check_plane(*parse_size(text), what="--size")
        if min(rows, columns) < 8:
            raise InputError(f"--size {text}: training spectra have at least 8 x 8 points")
        sizes.append((rows, columns))
    return tuple(sizes) or None


def _dilations(ctx, param, text):
    if text is None:
        return None
    try:
        pairs = [tuple(int(v) for v in item.split(",")) for item in text.split()]
        assert pairs and all(len(p) == 2 for p in pairs)
    except (ValueError, AssertionError):
        raise click.BadParameter("give (F1,F2) pairs separated by spaces, e.g. '1,1 1,2 2,4'")
    from mrai.limits import CARD_BOUNDS, MAX_DILATIONS

    low, high = CARD_BOUNDS["dilations"]
    if len(pairs) > MAX_DILATIONS:
        raise InputError(f"--dilations: {len(pairs)} convolutions, more than the "
                         f"{MAX_DILATIONS} mrai takes")
    for pair in pairs:
        if not all(low <= v <= high for v in pair):
            raise InputError(f"--dilations: {pair[0]},{pair[1]} is outside {low}..{high}")
    return pairs


def _device_count(ctx, param, text):
    """--devices: a count from 1, or 'all'."""
    if text.strip().lower() == "all":
        return "all"
    try:
        count = int(text)
    except ValueError:
        count = 0
    if count < 1:
        raise click.BadParameter(f"{text!r}: give a number of devices from 1, or 'all'")
    return count


def _devices(devices, schedule):
    """The device names --devices asks for, checked against the backend's devices and the
    batch size (split evenly between them) before training starts."""
    from mrai.nn.devices import training_devices

    try:
        return training_devices(devices, schedule.batch_size)
    except ValueError as exc:
        raise InputError(f"--devices {devices}: {exc}") from None


def _common(function):
    """The options every training shares: output, card, checkpoints, schedule, evaluation."""
    options = [
        click.option("-o", "--out", "out", required=True, metavar="PREFIX",
                     help="Writes PREFIX.weights.h5 and the model card PREFIX.json."),
        click.option("-ov", "--overwrite", is_flag=True, help="Replace existing PREFIX files."),
        click.option("--card", "card_file", type=click.Path(exists=True, dir_okay=False),
                     help="Take every setting from this model card (to train a shipped model "
                          "again); options given explicitly still override it."),
        click.option("--checkpoint", "checkpoint_dir", metavar="DIR",
                     help="Checkpoint folder, written after every epoch (default: "
                          "PREFIX.ckpt)."),
        click.option("--resume", is_flag=True, help="Continue from the checkpoint in the folder."),
        click.option("--epochs", type=click.IntRange(1), help="Epochs [40]."),
        click.option("--steps", type=click.IntRange(1), help="Batches per epoch [100]."),
        click.option("--batch-size", type=click.IntRange(1), help="Spectra per batch [4]."),
        click.option("--lr", "learning_rate", type=click.FloatRange(0, min_open=True),
                     help="Initial learning rate (Adam, cosine decay) [1e-3]."),
        click.option("--seed", type=int, help="Seed of the simulated training stream [0]."),
        click.option("--validation", type=click.IntRange(1), help="Held-out spectra [16]."),
        click.option("--init", metavar="WEIGHTS",
                     help="Start from these weights (a .weights.h5 with the same config, or a "
                          "shipped model's name) instead of random ones [the card's]."),
        click.option("--precision", type=click.Choice(("auto", "float32", "bfloat16",
                                                       "float16")),
                     help="Arithmetic of the convolutions (weights stay float32): auto takes "
                          "float16 on a GPU, bfloat16 on a CPU that computes it natively, "
                          "float32 elsewhere [auto; with --card, the card's]."),
        click.option("--size", "sizes", multiple=True, callback=_sizes, metavar="ROWSxCOLS",
                     help="Training sample size; repeat for several [64x512]."),
        click.option("--filters", type=click.IntRange(1), help="Filters per convolution [32]."),
        click.option("--dilations", callback=_dilations, metavar="'D1,D2 ...'",
                     help="Dilation (F1,F2) of each convolution of a stage."),
        click.option("--ratio", type=click.IntRange(1), help="Convolutions per ReLU [1]."),
        click.option("--evaluate", "real_spectrum",
                     type=click.Path(exists=True, dir_okay=False),
                     help="A real full 2D spectrum (NMRPipe) reconstructed and scored at the "
                          "end; the metrics go into the card."),
        click.option("--region", default="100:800", show_default=True, metavar="FIRST:LAST",
                     help="F2 points (1-based, inclusive) scored on the --evaluate spectrum; "
                          "'all' for the whole spectrum."),
        click.option("--name", default=None, help="Model name in the card [PREFIX's file name]."),
        click.option("--workers", type=click.IntRange(1), default=1, show_default=True,
                     help="Threads simulating training batches ahead of the network (the "
                          "batches are seeded by index, so the result does not change)."),
        click.option("--devices", default="1", show_default=True, callback=_device_count,
                     metavar="N|all",
                     help="Train data parallel on N devices (the backend's GPUs, else its CPU "
                          "devices), or on all of them: each batch is split evenly between "
                          "them (--batch-size divisible by N), the result equals one device's "
                          "up to float rounding. Several need KERAS_BACKEND=jax (or "
                          "tensorflow; docs/wnn.md, 'Several devices')."),
        click.option("--recipe", metavar="NAME",
                     help="Simulator recipe by name (mrai.nn.data.RECIPES: plain, realistic); "
                          "with --card the card's sample sizes stay [the card's; else plain]."),
        click.option("--time-limit", "time_limit", type=click.FloatRange(0, min_open=True),
                     metavar="MINUTES",
                     help="Stop training between steps when the next one would end after "
                          "MINUTES from the start of the command (at least one step runs), "
                          "write the checkpoint and exit 0 without weights; the same command "
                          "with --resume continues exactly. Weights and card are written when "
                          "the schedule completes (that final part is not limited)."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


@command.command("wnn")
@_common
@click.option("--stages", type=click.IntRange(1), help="Cascade stages [3].")
@click.option("--output", type=click.Choice(("linear", "relu")), help="Output layer [linear].")
@click.option("--start", type=click.Choice(("echo", "ist")),
              help="First estimate: the Echo spectrum or a short IST run [ist].")
def wnn(out, overwrite, card_file, checkpoint_dir, resume, real_spectrum, region, name,
        workers, time_limit, devices, **options):
    """Train the Echo WNN on spectra simulated on the fly; progress on stderr, one line per
    epoch; a checkpoint after every epoch (--resume continues it)."""
    deadline = _deadline(time_limit)
    from mrai.output import check_writable

    weights, card_out = out + ".weights.h5", out + ".json"
    for path in (weights, card_out):
        check_writable(path, overwrite)
    region = parse_region(region)
    settings = _settings(card_file, options, "wnn")
    devices = _devices(devices, settings[2])
    from mrai.nn.training import run_training

    checkpoint = checkpoint_dir or out + ".ckpt"
    card = run_training(*settings, checkpoint, weights, resume=resume, overwrite=overwrite,
                        real_spectrum=real_spectrum, region=region,
                        name=name or os.path.basename(out), log=say, workers=workers,
                        deadline=deadline, devices=devices)
    if card is None:
        return _stopped("wnn", time_limit, checkpoint)
    say(f"mrai train wnn: wrote {weights} and {card_out} "
        f"({card['wall_s'] / 60:.1f} min, validation r {card['validation']['r']:.4f})")


@command.command("sigma")
@click.option("--method", type=click.Choice(SIGMA_NETWORKS),
              help="The reconstruction method whose errors the network describes (required "
                   "unless --card gives it).")
@click.option("--wnn", "wnn_path", type=click.Path(dir_okay=False), metavar="WEIGHTS",
              help="For wnn-echo: the WNN it describes [the shipped model].")
@click.option("--noise-scale/--no-noise-scale", "noise_scale", default=None,
              help="Noise-level input channels and a sigma part in units of the spectrum's "
                   "noise (mrai.nn.sigma) [off; with --card, the card's].")
@click.option("--sampling/--no-sampling", default=None,
              help="ist-nus: the sampled fraction of t1, found from the data, as an input "
                   "(mrai.nn.sigma) [off; with --card, the card's].")
@click.option("--t1-points/--no-t1-points", "t1_points", default=None,
              help="ist-nus: log2 of the acquired t1 points, found from the data, as an input "
                   "(mrai.nn.sigma) [off; with --card, the card's].")
@click.option("--holdout/--no-holdout", default=None,
              help="ist-nus: IST's hold-out error estimate (sampled rows left out and "
                   "reconstructed; needs --noise-scale; mrai.uncertainty.holdout) as an input "
                   "and a sigma part [off; with --card, the card's].")
@click.option("--column/--no-column", default=None,
              help="The signal level of each F2 column, in noise units, as an input (needs "
                   "--noise-scale; mrai.nn.sigma) [off; with --card, the card's].")
@click.option("--ridge/--no-ridge", default=None,
              help="The F1 ridge level of each F2 column (t1 noise, solvent), in noise units, "
                   "as an input and a sigma part in its units (needs --noise-scale; "
                   "mrai.nn.sigma.ridge_level) [off; with --card, the card's].")
@click.option("--signal-weight", type=click.FloatRange(0, 1), default=None,
              help="Share of the loss on the signal points, where pSQ and the band's coverage "
                   "are judged (mrai.nn.sigma.nll_loss) [0; with --card, the card's].")
@_common
def sigma(out, overwrite, card_file, checkpoint_dir, resume, real_spectrum, region, name,
          workers, time_limit, devices, method, wnn_path, noise_scale, sampling, t1_points,
          holdout, column, ridge, signal_weight, **options):
    """Train a sigma network (Gaussian NLL, ReLU output) for one method's reconstructions on
    spectra simulated on the fly; one line per epoch on stderr; a checkpoint after every epoch
    (--resume continues it)."""
    deadline = _deadline(time_limit)
    from mrai.output import check_writable

    weights, card_out = out + ".weights.h5", out + ".json"
    for path in (weights, card_out):
        check_writable(path, overwrite)
    options.update(method=method, noise_scale=noise_scale, sampling=sampling, column=column,
                   signal_weight=signal_weight, t1_points=t1_points, holdout=holdout,
                   ridge=ridge)
    settings = _settings(card_file, options, "sigma")
    devices = _devices(devices, settings[2])
    from mrai.nn.sigma_training import run_sigma_training

    checkpoint = checkpoint_dir or out + ".ckpt"
    card = run_sigma_training(*settings, checkpoint, weights, wnn_path, resume=resume,
                              overwrite=overwrite, real_spectrum=real_spectrum,
                              region=parse_region(region), name=name or os.path.basename(out),
                              log=say, workers=workers, deadline=deadline, devices=devices)
    if card is None:
        return _stopped("sigma", time_limit, checkpoint)
    v = card.get("calibrated_validation", card["validation"])
    say(f"mrai train sigma: wrote {weights} and {card_out} ({card['wall_s'] / 60:.1f} min, "
        f"calibrated validation coverage {v['coverage']:.3f}, pSQ/RMSD {v['psq_ratio']:.2f})")


def _settings(card_file, options, kind):
    """(config, recipe, schedule) from defaults, a card, and explicit options, in that order
    (mrai.nn.training.training_settings), with its complaints as this command's errors."""
    from mrai.limits import CARD_BOUNDS, check_count
    from mrai.nn.training import training_settings

    for key, (low, high) in CARD_BOUNDS.items():   # before any network is built
        if options.get(key) is not None and key != "dilations":
            check_count(options[key], f"--{key}", low, high)
    try:
        settings = training_settings(kind, card_file, options)
    except KeyError as exc:  # the one setting a sigma network cannot go without
        raise click.UsageError(f"give --method {'|'.join(SIGMA_NETWORKS)} (or --card)") \
            from exc
    except (TypeError, ValueError) as exc:
        raise InputError(f"invalid training settings: {exc}",
                         card_file or f"mrai train {kind}") from None
    from mrai.nn.devices import emulated_precision

    slow = emulated_precision(settings[2].precision)
    if slow:
        say(f"mrai train {kind}: warning: {slow}")
    return settings
