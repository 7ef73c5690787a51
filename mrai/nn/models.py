"""The networks' files: where the shipped models are, loading a WNN or a sigma network (the
Keras model, or the ONNX files through mrai.runtime) with its card, and saving one (weights,
card and ONNX files). Running them is mrai.nn.inference.

The default model is ``models/wnn-echo.weights.h5`` (installed as package data of
``mrai.models``) with its card ``models/wnn-echo.json``.
"""

import os

from mrai.errors import InputError
from mrai.nn.card import card_path, read_card

DEFAULT_NAME = "wnn-echo"


def model_dir():
    """The folder of the shipped models: the installed ``mrai.models`` package data (the
    top-level models/ folder of a source checkout)."""
    import importlib.util

    spec = importlib.util.find_spec("mrai.models")
    if spec is not None and spec.submodule_search_locations:
        return list(spec.submodule_search_locations)[0]
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return os.path.join(os.path.dirname(package), "models")


def default_model():
    """Path of the shipped Echo WNN weights."""
    return os.path.join(model_dir(), DEFAULT_NAME + ".weights.h5")


def resolve_weights(name):
    """A weights file from a path or a shipped model's name ('wnn-echo' ->
    models/wnn-echo.weights.h5); InputError when neither exists."""
    if os.path.isfile(name):
        return name
    shipped = os.path.join(model_dir(), name if name.endswith(".weights.h5")
                           else name + ".weights.h5")
    if os.path.isfile(shipped):
        return shipped
    raise InputError("weights not found (neither a file nor a shipped model's name)", name)


BACKENDS = ("auto", "onnx", "keras")


def load_model(path=None, precision="float32", backend="auto"):
    """A WNN with the weights at ``path`` (default: the shipped model) and its card.

    ``backend``: 'onnx' runs the network's trunks in ONNX Runtime and the rest in numpy
    (mrai.runtime; the ONNX files beside the weights, no TensorFlow), 'keras' builds the Keras
    model, 'auto' takes 'onnx' when ONNX Runtime and the files are there. ``precision`` (Keras
    only): 'float32', 'bfloat16' (convolutions in bfloat16, weights, data consistency and output
    in float32) or 'auto' (see :func:`mrai.nn.devices.inference_precision`); ONNX computes in
    float32. ``card['precision']`` and ``card['backend']`` say what was chosen.
    Returns (model, card). Missing, truncated or mismatched files give an InputError that says
    which file and why.
    """
    return _load(path or default_model(), "wnn", precision, backend)


def _onnx_files(path, kind, card):
    """The ONNX files of a weights file when ONNX Runtime can run them, else None."""
    from mrai.nn.export import onnx_paths
    from mrai.runtime import available

    if kind == "wnn":
        config = card.get("config", {})
        stages = 1 if config.get("share_weights") else int(config.get("stages", 3))
        paths = onnx_paths(path, stages)
    else:
        paths = onnx_paths(path)
    return paths if available() and all(os.path.isfile(p) for p in paths) else None


def _load(path, kind, precision, backend="auto"):
    """(model, card) of ``kind`` ('wnn' or 'sigma') from a weights file and its card."""
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, not {backend!r}")
    if not os.path.isfile(path):
        raise InputError(f"{'sigma ' if kind == 'sigma' else ''}model weights not found", path)
    card = read_card(card_path(path), kind)
    if precision == "bfloat16":
        if backend == "onnx":
            raise ValueError("bfloat16 needs the Keras backend (ONNX Runtime computes in "
                             "float32)")
        backend = "keras"
    if backend != "keras":
        files = _onnx_files(path, kind, card)
        if files is not None:
            return _load_onnx(files, kind, card)
        if backend == "onnx":
            raise InputError("no ONNX files beside the weights, or ONNX Runtime is not "
                             "installed (mrai train and scripts/export_onnx.py write them)",
                             path)
    try:
        from mrai.nn.devices import inference_precision  # imports Keras
    except ImportError:
        raise InputError("this model has no ONNX files and Keras is not installed (pip "
                         "install 'mrai[train]')", path) from None
    precision = inference_precision(precision)
    try:
        if kind == "wnn":
            from mrai.nn.config import WNNConfig
            from mrai.nn.model import build_wnn

            model = build_wnn(WNNConfig.from_dict(card["config"]), precision)
        else:
            from mrai.nn.sigma import SigmaConfig, build_sigma

            model = build_sigma(SigmaConfig.from_dict(card["config"]), precision)
    except (TypeError, ValueError) as exc:
        raise InputError(f"model card has an invalid config ({exc})", card_path(path)) from None
    try:
        model.load_weights(path)
    except Exception as exc:  # h5py/Keras raise many types for corrupt or mismatched files
        raise InputError(f"cannot load weights ({type(exc).__name__}: {exc})".strip(),
                         path) from None
    return model, {**card, "precision": precision, "backend": "keras"}


def _load_onnx(files, kind, card):
    """(runtime model, card) from the ONNX files of a network."""
    from mrai.runtime import RuntimeSigma, RuntimeWNN

    try:
        if kind == "wnn":
            from mrai.nn.config import WNNConfig

            model = RuntimeWNN(WNNConfig.from_dict(card["config"]), card, files)
        else:
            from mrai.nn.sigma_config import SigmaConfig

            model = RuntimeSigma(SigmaConfig.from_dict(card["config"]), card, files[0])
    except (TypeError, ValueError, KeyError) as exc:
        raise InputError(f"model card has an invalid config ({exc})", files[0]) from None
    except Exception as exc:  # ONNX Runtime raises its own types for corrupt files
        raise InputError(f"cannot load ONNX model ({type(exc).__name__}: {exc})".strip(),
                         files[0]) from None
    return model, {**card, "precision": "float32", "backend": "onnx"}


def weights_only(model):
    """A float32 copy of ``model`` without optimizer, so its weights file holds the network
    alone (a WNN or a sigma network)."""
    if getattr(model, "optimizer", None) is None:
        return model
    if hasattr(model, "sigma_config"):
        from mrai.nn.sigma import build_sigma

        copy = build_sigma(model.sigma_config, "float32")
    else:
        from mrai.nn.model import build_wnn

        copy = build_wnn(model.wnn_config, "float32")
    copy.set_weights(model.get_weights())
    return copy


GROWN_OPTIONS = ("ridge",)  # sigma options whose inputs and outputs come last (mrai.nn.sigma)


def grown_weights(model, path):
    """Weights for the sigma network ``model`` from the smaller one at ``path`` (its card beside
    it) that lacks only options of GROWN_OPTIONS, whose input channels and outputs are the
    network's last: every array of the old network at the start of the new one's, kernels
    padded with zeros (the new inputs and outputs start silent), biases beyond it at the new
    network's starting values. The new network then starts as the old one plus the new parts'
    starting terms. None when ``model`` is not such a growth of that network."""
    import numpy as np

    config = getattr(model, "sigma_config", None)
    if config is None:
        return None
    try:
        old, _ = load_sigma(path, "float32", "keras")
    except InputError:
        return None
    a, b = old.sigma_config.to_dict(), config.to_dict()
    differ = {k for k in b if a.get(k) != b[k]} - {"calibration"}
    if not differ or not differ <= set(GROWN_OPTIONS) or any(a.get(k) for k in differ):
        return None
    out = []
    for w_old, w_new in zip(old.get_weights(), model.get_weights()):
        if w_old.ndim != w_new.ndim or any(o > n for o, n in zip(w_old.shape, w_new.shape)):
            return None
        w = w_new.copy() if w_new.ndim == 1 else np.zeros_like(w_new)
        w[tuple(slice(0, k) for k in w_old.shape)] = w_old
        out.append(w)
    return out


def save_model(model, weights, card, overwrite=False):
    """Write ``weights`` (.weights.h5), the card and the ONNX files of the network
    (mrai.nn.export, when the onnx package is installed) beside it, atomically; ``card`` is a
    dict (its 'kind' and 'config' are filled in from the model)."""
    import json
    import tempfile

    from mrai.output import Commit, check_writable, discard, temp_beside, write_temp

    if not weights.endswith(".weights.h5"):
        raise ValueError("weights files end in .weights.h5")
    config = getattr(model, "sigma_config", None) or model.wnn_config
    card = {"kind": "sigma" if hasattr(model, "sigma_config") else "wnn", **card,
            "config": config.to_dict()}
    for path in (weights, card_path(weights)):
        check_writable(path, overwrite)
    # Keras writes only to names ending in .weights.h5: a private folder first, then the bytes
    # into a temporary file beside the target, put in place with the card (all or none)
    with tempfile.TemporaryDirectory(prefix="mrai-weights-") as folder:
        scratch = os.path.join(folder, "model.weights.h5")
        weights_only(model).save_weights(scratch)
        with open(scratch, "rb") as fh:
            blob = fh.read()
    commit, temps = Commit(), []
    try:
        for path, data in ((weights, blob),
                           (card_path(weights), (json.dumps(card, indent=1) + "\n").encode())):
            temp_path, fh = temp_beside(path)
            temps.append(temp_path)
            with fh:
                write_temp(fh, data, path)
            commit.add(temp_path, path, overwrite)
        commit.run()
    except BaseException:
        for temp_path in temps:
            discard(temp_path)
        raise
    try:
        from mrai.nn.export import export_onnx

        export_onnx(model, weights, overwrite=True)  # beside the weights: mrai.runtime
    except ImportError:  # the onnx package (pip install 'mrai[train]') is missing
        pass


def default_sigma_model(method):
    """Path of the shipped sigma network for ``method`` ('wnn-echo', 'ist-echo', 'ist-nus')."""
    return os.path.join(model_dir(), f"sigma-{method}.weights.h5")


def load_sigma(path, precision="float32", backend="auto"):
    """A sigma network with the weights at ``path`` and its card: (model, card), with the
    same backends, checks and messages as :func:`load_model`."""
    return _load(path, "sigma", precision, backend)
