"""Training the WNN on simulated spectra, with checkpoints that let CPU training resume.

Epoch ``e`` sees batches ``e * steps .. (e + 1) * steps - 1`` of the seeded stream
(:func:`mrai.nn.data.batch`), in an order drawn from Python's ``random`` (:func:`epoch_order`,
whose state the checkpoint keeps), so a resumed run sees exactly the batches an uninterrupted one
would, in the same order. A checkpoint (weights, optimizer state, history) is written after every epoch into the
checkpoint folder; :func:`train` picks it up when ``resume`` is true. With a ``deadline``
(a :func:`time.monotonic` time) training stops between steps when the next one would end after
it, and checkpoints where it stopped (the step inside the epoch too), so that a resumed run
continues with the batch it would have trained next.
"""

import json
import os
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass

import numpy as np

from mrai.errors import InputError
from mrai.metrics import quality
from mrai.nn.backend import keras
from mrai.nn.config import WNNConfig
from mrai.nn.data import TrainingRecipe, batch, sample
from mrai.nn.devices import (data_parallel, device_description, training_devices,
                             training_precision)
from mrai.nn.inference import predict
from mrai.nn.model import build_wnn
from mrai.output import Commit, temp_beside, temp_holding

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


class TimeLimit(keras.callbacks.Callback):
    """Stops ``model.fit`` between steps when the next step and what must follow it (a
    checkpoint; the epoch's validation after its last step) would end after ``deadline`` (a
    :func:`time.monotonic` time). Each step is assumed to take as long as the last one did; at
    least one step runs. ``ran`` counts the steps done, ``step_s`` is the last one's seconds."""

    def __init__(self, deadline, steps, save_s=0.0, epoch_end_s=0.0):
        super().__init__()
        self.deadline, self.steps = deadline, steps
        self.save_s, self.epoch_end_s = save_s, epoch_end_s
        self.ran, self.step_s, self.last = 0, 0.0, time.monotonic()

    def on_train_begin(self, logs=None):
        self.last = time.monotonic()

    def on_train_batch_end(self, batch, logs=None):
        now = time.monotonic()
        self.step_s, self.last = now - self.last, now
        self.ran += 1
        left = self.steps - self.ran
        if left and not fits(self.deadline, now, self.step_s + self.save_s
                             + (self.epoch_end_s if left == 1 else 0.0)):
            self.model.stop_training = True


def fits(deadline, now, seconds):
    """Whether work of ``seconds`` begun at ``now`` ends by ``deadline`` (None: no limit)."""
    return deadline is None or now + seconds <= deadline


class StreamBatches(keras.utils.PyDataset):
    """Batches ``indices`` of a seeded stream, in that order: ``make(index)`` gives one. With
    ``workers`` > 1, that many threads make the next batches ahead of the network. (Keras's own
    workers are not used: under JAX its prefetching queue, started once to peek at the first
    batch, made the first epoch of a process differ with the number of workers.)"""

    def __init__(self, make, indices, workers=1):
        super().__init__()
        self.make, self.indices, self.threads = make, list(indices), workers
        self.pool = ThreadPoolExecutor(workers) if workers > 1 else None
        self.futures, self.lock = {}, threading.Lock()
        self.waited = 0.0  # seconds the network waited for batches (made inline: all of it)

    def __len__(self):
        return len(self.indices)

    def __getitem__(self, position):
        clock = time.perf_counter()
        try:
            if self.pool is None:
                return self.make(self.indices[position])
            with self.lock:
                for ahead in range(position, min(position + self.threads + 1,
                                                 len(self.indices))):
                    if ahead not in self.futures:
                        self.futures[ahead] = self.pool.submit(self.make, self.indices[ahead])
                for old in [k for k in self.futures if k < position - 2]:  # peeks look back
                    del self.futures[old]
                future = self.futures[position]
            return future.result()
        finally:
            self.waited += time.perf_counter() - clock

    def close(self):
        """Drop the batches made ahead (a time-limit stop leaves some); running ones finish."""
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.futures.clear()


def epoch_order(steps):
    """The order in which an epoch visits its batches: the shuffle ``model.fit(shuffle=True)``
    would draw from Python's ``random`` (seeded by keras.utils.set_random_seed), drawn here so
    that a checkpoint can keep it (and the generator's state after it) and a run stopped inside
    an epoch continues in the same order; the networks trained before, by fit's own shuffle,
    come out the same."""
    order = list(range(steps))
    random.shuffle(order)
    return order


def python_random_state(saved=None):
    """Python's ``random`` state (or ``saved``, one of random.getstate()) as JSON-able lists
    (a checkpoint's 'random')."""
    version, internal, gauss = saved or random.getstate()
    return [version, list(internal), gauss]


def restore_python_random(saved):
    version, internal, gauss = saved
    random.setstate((version, tuple(internal), gauss))


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


class Checkpoint:
    """weights, optimizer variables and a JSON state in one folder, each written atomically."""

    def __init__(self, folder):
        self.folder = folder
        self.weights = os.path.join(folder, "checkpoint.weights.h5")
        self.optimizer = os.path.join(folder, "optimizer.npz")
        self.state = os.path.join(folder, "state.json")

    def exists(self):
        return all(os.path.exists(p) for p in (self.weights, self.optimizer, self.state))

    def save(self, model, optimizer, state, inside_epoch=False):
        """Write the checkpoint, with Python's ``random`` state for the shuffles to come. The
        float32 copy the weights are saved from draws Keras's default seeds from it; a save
        ``inside_epoch`` (a time-limit stop), which an uninterrupted run does not make, leaves
        it as it was, so that a resumed run draws what the uninterrupted one would."""
        os.makedirs(self.folder, exist_ok=True)
        from mrai.nn.models import weights_only

        before = random.getstate() if inside_epoch else None
        # the three files go in place together (all or none), each from a temporary file
        # beside it named as mrai names them (removed on a signal, or as stale by a later run)
        commit = Commit()
        try:
            temp, fh = temp_beside(self.weights, ".weights.h5")  # Keras wants that ending
            commit.add(temp, self.weights, overwrite=True)
            fh.close()
            weights_only(model).save_weights(temp)
            temp, fh = temp_beside(self.optimizer)
            commit.add(temp, self.optimizer, overwrite=True)
            with fh:
                np.savez(fh, *[np.asarray(v) for v in optimizer.variables])
            state = {**state, "random": python_random_state(before)}
            commit.add(temp_holding(self.state, json.dumps(state, indent=1).encode()),
                       self.state, overwrite=True)
        except BaseException:
            commit.discard()
            raise
        commit.run()
        if before is not None:
            random.setstate(before)

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
        if state.get("random"):  # the shuffles of the epochs to come (older checkpoints: none)
            restore_python_random(state.pop("random"))
        return state


def fit(model, loss, schedule, setup, checkpoint_dir, make_batch, score, describe,
        normalise=lambda state: state, resume=False, log=print, workers=1, deadline=None,
        devices=1):
    """The training loop every network shares: Adam with a cosine decay, one checkpoint per
    epoch, resume. ``setup`` (config, recipe, schedule as dicts) must match a resumed checkpoint
    (``normalise(saved setup)`` fills fields added since); ``make_batch(index)`` gives batch
    ``index`` of the seeded stream; ``score(model)`` the validation dict that ``describe`` turns
    into the log line. ``deadline`` (a :func:`time.monotonic` time, or None) stops training
    between steps when the next step would end after it (:class:`TimeLimit`; at least one step
    runs), with a checkpoint of where it stopped; the returned state then has ``stopped``
    true. ``devices``: the number of devices the model was built to train on in parallel
    (:func:`mrai.nn.devices.data_parallel`, around this call), recorded in the state; with
    several, each epoch's line also says how long the network waited for simulated batches.
    Returns (model, state)."""
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
        if state.get("step"):
            log(f"resuming after step {state['step']} of {schedule.steps} of epoch "
                f"{state['epoch'] + 1} of {schedule.epochs}")
        else:
            log(f"resuming after epoch {state['epoch']} of {schedule.epochs}")
    elif schedule.init:
        from mrai.nn.models import grown_weights, resolve_weights, weights_only

        plain = weights_only(model)
        path = resolve_weights(schedule.init)
        try:
            plain.load_weights(path)
            weights, how = plain.get_weights(), ""
        except Exception as exc:
            weights, how = grown_weights(plain, path), " (grown by its new parts)"
            if weights is None:
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
                raise InputError(f"cannot start from these weights: they are not a network "
                                 f"of this kind, size and options, nor one it can grow from "
                                 f"({type(exc).__name__}: {first})", path) from None
        model.set_weights(weights)
        log(f"starting from the weights of {path}{how}")
    backend, device = device_description()
    state.update(backend=backend, device=device, devices=devices)
    if devices > 1:
        log(f"data parallel on {devices} devices: {schedule.batch_size // devices} spectra of "
            f"each batch of {schedule.batch_size} per device")
    step_s = score_s = save_s = 0.0  # the last step, validation and checkpoint took, seconds
    trained = False                  # whether this call has trained a step (at least one runs)
    for epoch in range(state["epoch"], schedule.epochs):
        done = state.get("step") or 0  # steps of this epoch trained before a time-limit stop
        left = schedule.steps - done
        if trained and not fits(deadline, time.monotonic(),
                                step_s + save_s + (score_s if left == 1 else 0.0)):
            return model, stop(state, schedule, log)
        start = time.perf_counter()
        if not done:
            state["order"] = epoch_order(schedule.steps)
        first = epoch * schedule.steps
        data = StreamBatches(make_batch, [first + i for i in state["order"][done:]],
                             workers=workers)
        limit = None if deadline is None else TimeLimit(deadline, left, save_s, score_s)
        try:
            history = model.fit(data, epochs=1, verbose=0, shuffle=False,
                                callbacks=[limit] if limit else None)
        finally:
            data.close()
        ran, waited = (limit.ran if limit else left), data.waited
        step_s, trained = (limit.step_s if limit else step_s), True
        partial = state.get("partial") or {"loss_sum": 0.0, "seconds": 0.0}
        loss = float(history.history["loss"][-1])  # the mean over the steps it ran
        loss_sum = partial["loss_sum"] + loss * ran
        if done + ran < schedule.steps:  # stopped by the time limit inside the epoch
            seconds = time.perf_counter() - start
            state.update(step=done + ran, wall_s=state["wall_s"] + seconds,
                         partial={"loss_sum": loss_sum,
                                  "seconds": partial["seconds"] + seconds})
            checkpoint.save(model, optimizer, state, inside_epoch=True)
            return model, stop(state, schedule, log)
        clock = time.perf_counter()
        scores = score(model)
        score_s = time.perf_counter() - clock
        seconds = time.perf_counter() - start
        entry = {"epoch": epoch + 1, "loss": loss_sum / schedule.steps if done else loss,
                 **scores,
                 "seconds": round(partial["seconds"] + seconds, 1)}
        state["history"].append(entry)
        state["epoch"], state["wall_s"] = epoch + 1, state["wall_s"] + seconds
        state["step"], state["partial"], state["order"] = 0, None, None
        clock = time.perf_counter()
        checkpoint.save(model, optimizer, state)
        save_s = time.perf_counter() - clock
        log(f"epoch {epoch + 1}/{schedule.epochs}: loss {entry['loss']:.3g}, validation "
            f"{describe(scores)}, {entry['seconds']:.0f} s{waiting(waited, seconds, devices)}")
    return model, state


def waiting(waited, seconds, devices):
    """With several devices, what an epoch's line adds: the seconds the network waited for
    simulated batches, and a hint when that was more than a fifth of the epoch."""
    if devices < 2:
        return ""
    hint = "; more --workers would keep the devices busy" if waited > 0.2 * seconds else ""
    return f" ({waited:.0f} s waiting for simulated batches{hint})"


def stop(state, schedule, log):
    """The state of a run the time limit stopped (checkpoint written), with ``stopped`` set."""
    where = (f"step {state['step']} of {schedule.steps} of epoch {state['epoch'] + 1}"
             if state.get("step") else f"epoch {state['epoch']}")
    log(f"stopped by the time limit after {where} of {schedule.epochs}; checkpoint written")
    return {**state, "stopped": True}


def train(config, recipe, schedule, checkpoint_dir, resume=False, log=print, workers=1,
          deadline=None, devices=1):
    """Train a WNN; returns (model, state) where state holds the history and timings.

    ``log(str)`` receives one line per epoch. With ``resume`` a checkpoint in
    ``checkpoint_dir`` is continued (its config, recipe and schedule must match). ``deadline``:
    see :func:`fit` (the state has ``stopped`` true when it stopped training). ``devices``: a
    count, 'all' or device names (:func:`mrai.nn.devices.training_devices`) to train on in
    parallel, each batch split evenly between them; the result equals one device's up to float
    rounding, and a checkpoint resumes on any number of devices.
    """
    devices = training_devices(devices, schedule.batch_size)
    keras.utils.set_random_seed(schedule.seed)
    with data_parallel(devices):
        model = build_wnn(config, schedule.precision)
        setup = {"config": config.to_dict(), "recipe": recipe.to_dict(),
                 "schedule": schedule.to_dict()}
        val_echo, val_ref = validation_set(recipe, schedule.validation)
        return fit(model, "mse", schedule, setup, checkpoint_dir,
                   lambda i: batch(recipe, schedule.seed, i, schedule.batch_size, config,
                                   schedule.steps),
                   lambda m: evaluate(m, val_echo, val_ref),
                   lambda s: f"r {s['r']:.4f} RMSD {s['rmsd']:.4f}",
                   normalise=saved_setup(WNNConfig),
                   resume=resume, log=log, workers=workers, deadline=deadline,
                   devices=len(devices))


def saved_setup(config_class):
    """The ``normalise`` of :func:`fit` for a checkpoint's saved setup: its config (of
    ``config_class``), recipe and schedule with the fields added since they were saved."""
    return lambda saved: {
        "config": config_class.from_dict(saved["config"]).to_dict(),
        "recipe": TrainingRecipe.from_dict(saved["recipe"]).to_dict(),
        "schedule": Schedule(**saved["schedule"]).to_dict()}


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
            "device": state["device"], "devices": state.get("devices", 1),
            "validation": state["history"][-1],
            "history": state["history"], "commit": commit, "keras": keras.version()}


def run_training(config, recipe, schedule, checkpoint_dir, weights, resume=False,
                 overwrite=False, real_spectrum=None, region=None, name="wnn", log=print,
                 workers=1, deadline=None, devices=1):
    """Train, then write ``weights`` and the model card beside it; returns the card, or None
    when ``deadline`` (:func:`fit`) stopped training first: then only the checkpoint is
    written, and the same call with ``resume`` continues it. ``devices``: see :func:`train`."""
    from mrai.nn.card import git_commit
    from mrai.nn.models import save_model

    commit = git_commit()  # the code that trains, before anything else changes
    model, state = train(config, recipe, schedule, checkpoint_dir, resume=resume, log=log,
                         workers=workers, deadline=deadline, devices=devices)
    if state.get("stopped"):
        return None
    card = training_card(model, "wnn", name,
                         "Echo-only spectrum -> pure absorption (Anti-Echo through flip)",
                         config, recipe, schedule, state, commit)
    if real_spectrum:
        log(f"scoring Echo and Anti-Echo of {real_spectrum}")
        card["real"] = real_metrics(model, real_spectrum, region)
    save_model(model, weights, card, overwrite=overwrite)
    onnx_note(weights, log)
    return card


def onnx_note(weights, log):
    """Say so when save_model wrote no ONNX files because the onnx package is missing."""
    import importlib

    try:
        importlib.import_module("onnx")
    except ImportError:
        log(f"the onnx package is not installed: no ONNX files beside {weights} (python "
            f"scripts/export_onnx.py {weights} writes them where it is)")


def training_settings(kind, card_file=None, options=None):
    """(config, recipe, schedule) for ``kind`` 'wnn' or 'sigma' from the defaults, a model card
    (``card_file``; mrai.nn.card) and explicit ``options`` (the command's option names: filters,
    dilations, stages, ratio, output, start, method, noise_scale, sampling, column,
    signal_weight, t1_points, holdout, ridge; recipe, sizes; epochs, steps, batch_size,
    learning_rate, seed, validation, init, precision), each later one winning. ``recipe`` names the simulator
    recipe (mrai.nn.data.RECIPES; default: the card's, else 'plain'); with a card, the card's
    sample sizes stay unless ``sizes`` are given. KeyError when a sigma network's method is
    given nowhere; TypeError or ValueError for invalid settings (an unknown recipe too)."""
    from mrai.nn.card import read_card
    from mrai.nn.data import recipe_named
    from mrai.nn.sigma_config import SigmaConfig

    options = options or {}
    config, recipe, schedule = (dict(DEFAULT_CONFIG) if kind == "wnn" else {}), {}, {}
    if card_file:
        card = read_card(card_file, kind)
        config, recipe, schedule = card["config"], card["recipe"], card["schedule"]
    for key in ("filters", "dilations", "stages", "ratio", "output", "start", "method",
                "noise_scale", "sampling", "column", "signal_weight", "t1_points", "holdout",
                "ridge"):
        if options.get(key) is not None:
            config[key] = options[key]
    if kind == "sigma" and "method" not in config:
        raise KeyError("method")
    if options.get("recipe") or not card_file:
        named = recipe_named(options.get("recipe") or "plain").to_dict()
        if recipe.get("sizes"):  # the card's sample sizes: part of its schedule
            named["sizes"] = recipe["sizes"]
        recipe = named
    if options.get("sizes"):
        recipe["sizes"] = options["sizes"]
    for key in ("epochs", "steps", "batch_size", "learning_rate", "seed", "validation", "init"):
        if options.get(key) is not None:
            schedule[key] = options[key]
    if options.get("precision") or not card_file:
        schedule["precision"] = training_precision(options.get("precision") or "auto")
    config = WNNConfig.from_dict(config) if kind == "wnn" else SigmaConfig.from_dict(config)
    return config, TrainingRecipe.from_dict(recipe), Schedule(**schedule)
