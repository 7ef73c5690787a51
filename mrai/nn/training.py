"""Training the WNN on simulated spectra, with checkpoints that let CPU training resume.

Epoch ``e`` sees batches ``e * steps .. (e + 1) * steps - 1`` of the seeded stream
(:func:`mrai.nn.data.batch`), so a resumed run sees exactly the batches an uninterrupted one
would. A checkpoint (weights, optimizer state, history) is written after every epoch into the
checkpoint folder; :func:`train` picks it up when ``resume`` is true.
"""

import json
import os
import time
from dataclasses import asdict, dataclass

import numpy as np

from mrai.metrics import quality
from mrai.nn.backend import keras
from mrai.nn.config import WNNConfig
from mrai.nn.data import TrainingRecipe, batch, sample
from mrai.nn.devices import device_description, gpus, training_precision
from mrai.nn.inference import predict
from mrai.nn.model import build_wnn
from mrai.output import atomic_write_bytes

DEFAULT_CONFIG = {"stages": 3, "start": "ist"}
VALIDATION_SEED = 20240611
VALIDATION_SIZE = (128, 1024)


@dataclass
class Schedule:
    """Optimisation settings: ``epochs`` x ``steps`` batches of ``batch_size``; Adam with a cosine
    learning-rate decay from ``learning_rate`` to ``learning_rate * final_lr``; the stages
    compute in ``precision`` (weights float32; 'float16' adds loss scaling). ``init`` names the
    weights training starts from (a ``.weights.h5`` path or a shipped model's name, same
    config; '' starts from random weights drawn with ``seed``), so a model can be trained in
    phases, each phase's card naming its parent."""

    epochs: int = 40
    steps: int = 100
    batch_size: int = 4
    learning_rate: float = 1e-3
    final_lr: float = 0.05
    seed: int = 0
    validation: int = 16
    precision: str = "float32"
    init: str = ""

    def __post_init__(self):
        if self.precision not in ("float32", "bfloat16", "float16"):
            raise ValueError(f"precision must be float32, bfloat16 or float16, not "
                             f"{self.precision!r}")

    def to_dict(self):
        return asdict(self)


class StreamBatches(keras.utils.PyDataset):
    """Batches ``offset .. offset + steps - 1`` of a seeded stream: ``make(index)`` gives one."""

    def __init__(self, make, steps, offset=0, workers=1):
        super().__init__(workers=workers, use_multiprocessing=False)
        self.make, self.steps, self.offset = make, steps, offset

    def __len__(self):
        return self.steps

    def __getitem__(self, index):
        return self.make(self.offset + index)


def validation_set(recipe, count, size=VALIDATION_SIZE):
    """The fixed held-out set: ``count`` (echo, reference) pairs, independent of the seed."""
    rng = np.random.default_rng(VALIDATION_SEED)
    triples = [sample(recipe, rng, size) for _ in range(count)]
    return np.stack([t[0] for t in triples]), np.stack([t[2] for t in triples])


def evaluate(model, echo, reference):
    """Mean r, RMSD (docs/conventions.md#metrics) and MSE of the model over a set."""
    recon = predict(model, echo)
    scores = [quality(p, r) for p, r in zip(recon, reference)]
    return {"r": float(np.mean([s["r"] for s in scores])),
            "rmsd": float(np.mean([s["rmsd"] for s in scores])),
            "mse": float(np.mean((recon - reference) ** 2))}


def use_accelerators():
    """Data parallelism over several GPUs (JAX's distribution API); returns the number of GPUs.
    (Mixed precision is the schedule's ``precision``.)"""
    count = len(gpus())
    if count > 1 and keras.backend.backend() == "jax":
        keras.distribution.set_distribution(keras.distribution.DataParallel())
    return count


class Checkpoint:
    """weights, optimizer variables and a JSON state in one folder, each written atomically."""

    def __init__(self, folder):
        self.folder = folder
        self.weights = os.path.join(folder, "checkpoint.weights.h5")
        self.optimizer = os.path.join(folder, "optimizer.npz")
        self.state = os.path.join(folder, "state.json")

    def exists(self):
        return all(os.path.exists(p) for p in (self.weights, self.optimizer, self.state))

    def save(self, model, optimizer, state):
        os.makedirs(self.folder, exist_ok=True)
        from mrai.nn.models import weights_only

        tmp = self.weights + ".tmp.weights.h5"
        weights_only(model).save_weights(tmp)
        os.replace(tmp, self.weights)
        tmp = self.optimizer + ".tmp.npz"
        np.savez(tmp, *[np.asarray(v) for v in optimizer.variables])
        os.replace(tmp, self.optimizer)
        atomic_write_bytes(self.state, json.dumps(state, indent=1).encode(), overwrite=True)

    def load(self, model, optimizer):
        with open(self.state) as fh:
            state = json.load(fh)
        from mrai.nn.models import weights_only

        plain = weights_only(model)
        plain.load_weights(self.weights)
        model.set_weights(plain.get_weights())
        optimizer.build(model.trainable_variables)
        with np.load(self.optimizer) as saved:
            values = [saved[f"arr_{i}"] for i in range(len(saved.files))]
        if len(values) != len(optimizer.variables):
            raise ValueError(f"checkpoint in {self.folder} does not match this model")
        for variable, value in zip(optimizer.variables, values):
            variable.assign(value)
        return state


def fit(model, loss, schedule, setup, checkpoint_dir, make_batch, score, describe,
        normalise=lambda state: state, resume=False, log=print, workers=1):
    """The training loop every network shares: Adam with a cosine decay, one checkpoint per
    epoch, resume. ``setup`` (config, recipe, schedule as dicts) must match a resumed checkpoint
    (``normalise(saved setup)`` fills fields added since); ``make_batch(index)`` gives batch
    ``index`` of the seeded stream; ``score(model)`` the validation dict that ``describe`` turns
    into the log line. Returns (model, state)."""
    total = schedule.epochs * schedule.steps
    lr = keras.optimizers.schedules.CosineDecay(schedule.learning_rate, total,
                                                alpha=schedule.final_lr)
    optimizer = keras.optimizers.Adam(lr)
    if schedule.precision == "float16":
        optimizer = keras.optimizers.LossScaleOptimizer(optimizer)
    model.compile(optimizer=optimizer, loss=loss)
    checkpoint = Checkpoint(checkpoint_dir)
    state = {**setup, "epoch": 0, "history": [], "wall_s": 0.0}
    if resume and checkpoint.exists():
        state = checkpoint.load(model, optimizer)
        saved = normalise({k: state[k] for k in setup})
        mismatch = [k for k in setup if json.dumps(saved[k]) != json.dumps(setup[k])]
        if mismatch:
            raise ValueError(f"the checkpoint in {checkpoint_dir} was made with other "
                             f"{', '.join(mismatch)}; use another folder or the same settings")
        log(f"resuming after epoch {state['epoch']} of {schedule.epochs}")
    elif schedule.init:
        from mrai.nn.models import resolve_weights, weights_only

        plain = weights_only(model)
        path = resolve_weights(schedule.init)
        try:
            plain.load_weights(path)
        except Exception as exc:
            raise ValueError(f"cannot start from {path}: {type(exc).__name__}: {exc}") from None
        model.set_weights(plain.get_weights())
        log(f"starting from the weights of {path}")
    backend, device = device_description()
    state.update(backend=backend, device=device)
    for epoch in range(state["epoch"], schedule.epochs):
        start = time.perf_counter()
        data = StreamBatches(make_batch, schedule.steps, offset=epoch * schedule.steps,
                             workers=workers)
        history = model.fit(data, epochs=1, verbose=0)
        scores = score(model)
        seconds = time.perf_counter() - start
        entry = {"epoch": epoch + 1, "loss": float(history.history["loss"][-1]), **scores,
                 "seconds": round(seconds, 1)}
        state["history"].append(entry)
        state["epoch"], state["wall_s"] = epoch + 1, state["wall_s"] + seconds
        checkpoint.save(model, optimizer, state)
        log(f"epoch {epoch + 1}/{schedule.epochs}: loss {entry['loss']:.3g}, validation "
            f"{describe(scores)}, {seconds:.0f} s")
    return model, state


def train(config, recipe, schedule, checkpoint_dir, resume=False, log=print, workers=1):
    """Train a WNN; returns (model, state) where state holds the history and timings.

    ``log(str)`` receives one line per epoch. With ``resume`` a checkpoint in
    ``checkpoint_dir`` is continued (its config, recipe and schedule must match).
    """
    use_accelerators()
    keras.utils.set_random_seed(schedule.seed)
    model = build_wnn(config, schedule.precision)
    setup = {"config": config.to_dict(), "recipe": recipe.to_dict(),
             "schedule": schedule.to_dict()}
    val_echo, val_ref = validation_set(recipe, schedule.validation)
    return fit(model, "mse", schedule, setup, checkpoint_dir,
               lambda i: batch(recipe, schedule.seed, i, schedule.batch_size, config,
                                schedule.steps),
               lambda m: evaluate(m, val_echo, val_ref),
               lambda s: f"r {s['r']:.4f} RMSD {s['rmsd']:.4f}",
               normalise=lambda saved: {
                   "config": WNNConfig.from_dict(saved["config"]).to_dict(),
                   "recipe": TrainingRecipe.from_dict(saved["recipe"]).to_dict(),
                   "schedule": Schedule(**saved["schedule"]).to_dict()},
               resume=resume, log=log, workers=workers)


def real_metrics(model, path, region):
    """r and RMSD of Echo and Anti-Echo reconstructions of the real spectrum at ``path``."""
    from mrai.fileio.pipe import read
    from mrai.metrics import f2_region
    from mrai.nn.inference import reconstruct
    from mrai.physics.echo import part

    _, spectrum = read(path)
    spectrum = np.asarray(spectrum, dtype=np.float32)
    crop = f2_region(*region) if region else None
    out = {"spectrum": os.path.basename(path), "f2_points": list(region) if region else "all"}
    for mode in ("echo", "antiecho"):
        recon = reconstruct(model, part(spectrum, mode), mode)
        out[mode] = {k: v for k, v in quality(recon, spectrum, crop).items() if k != "points"}
    return out


def training_card(model, kind, name, task, config, recipe, schedule, state, commit):
    """The model card of a finished training (what ``--card`` needs to train it again, and
    what the training gave)."""
    from mrai.nn.card import CARD_VERSION

    card = {"kind": kind, "card_version": CARD_VERSION, "name": name, "task": task,
            "config": config.to_dict(), "recipe": recipe.to_dict(),
            "schedule": schedule.to_dict(), "parameters": int(model.count_params())}
    if hasattr(config, "receptive_field"):
        card["receptive_field"] = list(config.receptive_field)
    return {**card, "epochs": state["epoch"], "steps": state["epoch"] * schedule.steps,
            "wall_s": round(state["wall_s"], 1), "backend": state["backend"],
            "device": state["device"], "validation": state["history"][-1],
            "history": state["history"], "commit": commit, "keras": keras.version()}


def run_training(config, recipe, schedule, checkpoint_dir, weights, resume=False,
                 overwrite=False, real_spectrum=None, region=None, name="wnn", log=print,
                 workers=1):
    """Train, then write ``weights`` and the model card beside it; returns the card."""
    from mrai.nn.card import git_commit
    from mrai.nn.models import save_model

    commit = git_commit()  # the code that trains, before anything else changes
    model, state = train(config, recipe, schedule, checkpoint_dir, resume=resume, log=log,
                         workers=workers)
    card = training_card(model, "wnn", name,
                         "Echo-only spectrum -> pure absorption (Anti-Echo through flip)",
                         config, recipe, schedule, state, commit)
    if real_spectrum:
        log(f"scoring Echo and Anti-Echo of {real_spectrum}")
        card["real"] = real_metrics(model, real_spectrum, region)
    save_model(model, weights, card, overwrite=overwrite)
    return card


def training_settings(kind, card_file=None, options=None):
    """(config, recipe, schedule) for ``kind`` 'wnn' or 'sigma' from the defaults, a model card
    (``card_file``; mrai.nn.card) and explicit ``options`` (the command's option names: filters,
    dilations, stages, ratio, output, start, method, noise_scale, sampling, column,
    signal_weight, t1_points, holdout; sizes; epochs, steps, batch_size, learning_rate, seed,
    validation, init, precision), each later one winning. KeyError when a sigma network's
    method is given nowhere; TypeError or ValueError for invalid settings."""
    from mrai.nn.card import read_card
    from mrai.nn.sigma_config import SigmaConfig

    options = options or {}
    config, recipe, schedule = (dict(DEFAULT_CONFIG) if kind == "wnn" else {}), {}, {}
    if card_file:
        card = read_card(card_file, kind)
        config, recipe, schedule = card["config"], card["recipe"], card["schedule"]
    for key in ("filters", "dilations", "stages", "ratio", "output", "start", "method",
                "noise_scale", "sampling", "column", "signal_weight", "t1_points", "holdout"):
        if options.get(key) is not None:
            config[key] = options[key]
    if kind == "sigma" and "method" not in config:
        raise KeyError("method")
    if options.get("sizes"):
        recipe["sizes"] = options["sizes"]
    for key in ("epochs", "steps", "batch_size", "learning_rate", "seed", "validation", "init"):
        if options.get(key) is not None:
            schedule[key] = options[key]
    if options.get("precision") or not card_file:
        schedule["precision"] = training_precision(options.get("precision") or "auto")
    config = WNNConfig.from_dict(config) if kind == "wnn" else SigmaConfig.from_dict(config)
    return config, TrainingRecipe.from_dict(recipe), Schedule(**schedule)
