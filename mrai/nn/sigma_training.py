"""Training the sigma networks with the Gaussian NLL on simulated spectra (docs/conventions.md),
through the shared loop of :func:`mrai.nn.training.fit` (checkpoints, resume, one log line per
epoch). Validation: mean NLL, coverage of the 95 % band and pSQ / true RMSD on a fixed held-out
set reconstructed by the method itself.
"""

from mrai.nn.backend import keras
import numpy as np

from mrai.metrics import quality
from mrai.nn.sigma import SigmaConfig, build_sigma, training_loss
from mrai.nn.sigma_data import reconstructor, sigma_batch, sigma_inputs, sigma_set, solve_entry
from mrai.nn.devices import data_parallel, training_devices
from mrai.nn.training import VALIDATION_SIZE, fit, saved_setup
from mrai.uncertainty import coverage, gaussian_nll, psq

VALIDATION_SEED = 20240612
CALIBRATION_SEED = 20240613
CALIBRATION_COUNT = 32


def validation_set(method, recipe, count, reconstruct, size=VALIDATION_SIZE):
    """The fixed held-out set: (measured, mu, reference) stacks, independent of the seed."""
    rng = np.random.default_rng(VALIDATION_SEED)
    return sigma_set(method, recipe, rng, size, count, reconstruct)


def predict(model, measured, mu, batch_size=4, inputs=None):
    """sigma for stacks of (measured, mu), in batches; numpy float32. ``inputs``: the model's
    inputs when already at hand (:func:`mrai.nn.sigma_data.sigma_inputs`)."""
    inputs = inputs or sigma_inputs(measured, mu, model.sigma_config.holdout)
    out = [np.asarray(model(tuple(x[i:i + batch_size] for x in inputs)))
           for i in range(0, len(mu), batch_size)]
    return np.concatenate(out).astype(np.float32)


def describe_calibration(scores):
    """The log text of a validation dict of :func:`calibration`."""
    return (f"NLL {scores['nll']:.3f} coverage {scores['coverage']:.3f} "
            f"pSQ/RMSD {scores['psq_ratio']:.2f}")


def calibration(sigma, mu, reference):
    """Per-set means of the NLL, the 95 % band's coverage and pSQ / true RMSD."""
    rows = [(gaussian_nll(r, u, s), coverage(r, u, s), psq(u, s) / quality(u, r)["rmsd"])
            for s, u, r in zip(sigma, mu, reference)]
    nll, cover, ratio = (float(np.mean(v)) for v in zip(*rows))
    return {"nll": nll, "coverage": cover, "psq_ratio": ratio}


def train_sigma(config, recipe, schedule, checkpoint_dir, wnn=None, resume=False, log=print,
                workers=1, deadline=None, held_out=None, devices=1):
    """Train the sigma network of ``config.method``; ``wnn`` is the loaded WNN whose errors a
    'wnn-echo' network describes. ``deadline``: see :func:`mrai.nn.training.fit` (the state has
    ``stopped`` true when it stopped training); ``held_out``: the validation set when already
    made (:func:`validation_set`); ``devices``: see :func:`mrai.nn.training.train`. Returns
    (model, state)."""
    devices = training_devices(devices, schedule.batch_size)
    keras.utils.set_random_seed(schedule.seed)
    config = SigmaConfig.from_dict({**config.to_dict(), "calibration": 1.0})  # fitted after
    with data_parallel(devices):
        model = build_sigma(config, schedule.precision)
        reconstruct = reconstructor(config.method, wnn)
        setup = {"config": config.to_dict(), "recipe": recipe.to_dict(),
                 "schedule": schedule.to_dict()}
        measured, mu, reference = held_out or validation_set(config.method, recipe,
                                                             schedule.validation, reconstruct)
        inputs = sigma_inputs(measured, mu, config.holdout)  # once, not every epoch
        return fit(model, training_loss(config), schedule, setup, checkpoint_dir,
                   lambda i: sigma_batch(config.method, recipe, schedule.seed, i,
                                         schedule.batch_size, reconstruct, schedule.steps,
                                         config.holdout),
                   lambda m: calibration(predict(m, measured, mu, inputs=inputs), mu,
                                         reference),
                   describe_calibration,
                   normalise=saved_setup(SigmaConfig),
                   resume=resume, log=log, workers=workers, deadline=deadline,
                   devices=len(devices))


def calibrate(model, recipe, reconstruct, target=0.95, count=CALIBRATION_COUNT,
              size=VALIDATION_SIZE):
    """Fit the sigma multiplier so that the 95 % band holds ``target`` of the metric's points,
    averaged over a simulated calibration set (its own seed, apart from the training stream and
    the validation set); sets ``model.sigma_config.calibration`` and returns it."""
    method = model.sigma_config.method
    rng = np.random.default_rng(CALIBRATION_SEED)
    measured, mu, reference = sigma_set(method, recipe, rng, size, count, reconstruct)
    model.sigma_config.calibration = 1.0
    sigma = predict(model, measured, mu)

    def mean_coverage(k):
        return np.mean([coverage(r, u, k * s) for s, u, r in zip(sigma, mu, reference)])

    low, high = 1e-2, 1e2
    for _ in range(40):  # coverage rises with k: bisection in log k
        k = np.sqrt(low * high)
        low, high = (k, high) if mean_coverage(k) < target else (low, k)
    model.sigma_config.calibration = float(np.sqrt(low * high))
    return model.sigma_config.calibration


def real_calibration(model, method, wnn, path, region):
    """Coverage, pSQ and true RMSD of the method's reconstructions of the real full spectrum at
    ``path``: the cases mrai.methods.table.real_cases gives (Echo and Anti-Echo for the Echo
    methods, 50 % Poisson-gap NUS for 'ist-nus')."""
    import os

    from mrai.fileio.pipe import read
    from mrai.methods import table
    from mrai.metrics import f2_region
    from mrai.nn.inference import predict_sigma

    _, spectrum = read(path)
    spectrum = np.asarray(spectrum, dtype=np.float32)
    crop = f2_region(*region) if region else None
    out = {"spectrum": os.path.basename(path), "f2_points": list(region) if region else "all"}
    for case, e, measured, schedule in table.real_cases(method, spectrum):
        mu = solve_entry(e, measured, schedule, wnn)
        sigma = predict_sigma(model, measured, mu, e.mode)
        rmsd = quality(mu, spectrum, crop)["rmsd"]
        out[case] = {"coverage": coverage(spectrum, mu, sigma, region=crop),
                     "psq": psq(mu, sigma, crop), "rmsd": rmsd,
                     "psq_ratio": psq(mu, sigma, crop) / rmsd}
    return out


def sigma_task(method):
    """'sigma of IST Echo/Anti-Echo reconstructions' etc. for a sigma network's card."""
    from mrai.methods import table

    entries = table.for_sigma(method)
    modes = "/".join(table.mode_label(e.mode) for e in entries)
    return f"sigma of {entries[0].method.upper()} {modes} reconstructions"


def run_sigma_training(config, recipe, schedule, checkpoint_dir, weights, wnn_path=None,
                       resume=False, overwrite=False, real_spectrum=None, region=None,
                       name=None, log=print, workers=1, deadline=None, devices=1):
    """Train the sigma network of ``config.method``, then write ``weights`` and its card;
    'wnn-echo' describes the WNN at ``wnn_path`` (default: the shipped one). Returns the card,
    or None when ``deadline`` (:func:`mrai.nn.training.fit`) stopped training first: then only
    the checkpoint is written, and the same call with ``resume`` continues it. ``devices``: see
    :func:`mrai.nn.training.train`."""
    from mrai.nn.card import git_commit
    from mrai.nn.models import load_model, save_model
    from mrai.nn.training import onnx_note, training_card

    commit = git_commit()
    wnn = wnn_card = None
    if config.method == "wnn-echo":
        wnn, wnn_card = load_model(wnn_path, "float32", "keras")  # as trained
    reconstruct = reconstructor(config.method, wnn)
    held_out = validation_set(config.method, recipe, schedule.validation, reconstruct)
    model, state = train_sigma(config, recipe, schedule, checkpoint_dir, wnn, resume=resume,
                               log=log, workers=workers, deadline=deadline, held_out=held_out,
                               devices=devices)
    if state.get("stopped"):
        return None
    factor = calibrate(model, recipe, reconstruct, count=2 * schedule.validation)
    measured, mu, reference = held_out
    calibrated = calibration(predict(model, measured, mu), mu, reference)
    log(f"calibration: sigma x {factor:.3f}; validation {describe_calibration(calibrated)}")
    config = model.sigma_config
    task = sigma_task(config.method)
    card = training_card(model, "sigma", name or f"sigma-{config.method}", task, config,
                         recipe, schedule, state, commit)
    card["calibrated_validation"] = calibrated
    if wnn_card is not None:
        card["wnn"] = {"name": wnn_card.get("name"), "commit": wnn_card.get("commit")}
    if real_spectrum:
        log(f"scoring sigma on {real_spectrum}")
        card["real"] = real_calibration(model, config.method, wnn, real_spectrum, region)
    save_model(model, weights, card, overwrite=overwrite)
    onnx_note(weights, log)
    return card
