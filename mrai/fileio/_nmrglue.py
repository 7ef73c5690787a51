"""nmrglue's modules, loaded when first used and no more of nmrglue than is used.

``import nmrglue`` (and so ``from nmrglue.fileio import pipe``: a submodule import runs its
packages' ``__init__`` first) imports all of nmrglue, ``nmrglue.process`` and with it
``scipy.signal`` and ``scipy.stats``: about 0.65 s on a 2 GHz EPYC, 2 s on slower machines. The
NMRPipe header and data code mrai needs, ``nmrglue.fileio.pipe``, needs only numpy and its two
siblings ``fileiobase`` and ``table`` (2 ms).

:data:`pipe` and :data:`fileiobase` are those modules: while nmrglue is not imported they are
loaded on their own (:func:`_light`), under stand-in parent packages that are taken out of
``sys.modules`` again, with everything else the load added under ``nmrglue``, so that a later
``import nmrglue`` anywhere runs nmrglue as usual and is not affected (it makes its own copies of
the three modules). Once nmrglue is imported, they are nmrglue's own. :data:`pipe_proc` imports
``nmrglue.process.pipe_proc`` (all of nmrglue) on its first use.
"""

import importlib
import importlib.machinery
import importlib.util
import os
import sys
import threading
import types

_LOCK = threading.Lock()
_LIGHT = {}


def _light(name):
    """The module ``nmrglue.fileio.<name>``, without importing the rest of nmrglue."""
    full = f"nmrglue.fileio.{name}"
    if "nmrglue" in sys.modules or full in sys.modules:
        return importlib.import_module(full)
    with _LOCK:
        if name not in _LIGHT:
            try:
                _LIGHT.update(_load_light())
            except Exception:  # an nmrglue laid out differently: import it the usual way
                return importlib.import_module(full)
        return _LIGHT[name]


def _load_light():
    """{'pipe': module, 'fileiobase': module} loaded under stand-in ``nmrglue`` and
    ``nmrglue.fileio`` packages; ``sys.modules`` is left as it was as far as nmrglue goes."""
    spec = importlib.util.find_spec("nmrglue")  # finds the package without running it
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("nmrglue is not installed")
    root = list(spec.submodule_search_locations)[0]
    before = set(sys.modules)
    stubs = {}
    for package, folder in (("nmrglue", root), ("nmrglue.fileio", os.path.join(root, "fileio"))):
        module = types.ModuleType(package)
        module.__path__ = [folder]
        module.__spec__ = importlib.machinery.ModuleSpec(package, None, is_package=True)
        module.__spec__.submodule_search_locations = [folder]
        stubs[package] = module
    try:
        sys.modules.update(stubs)
        return {name: importlib.import_module(f"nmrglue.fileio.{name}")
                for name in ("pipe", "fileiobase")}
    finally:
        for key in set(sys.modules) - before:
            if key == "nmrglue" or key.startswith("nmrglue."):
                del sys.modules[key]


class _LazyModule(types.ModuleType):
    """A module whose attributes come from ``load()``, called at the first attribute access."""

    def __init__(self, name, load):
        super().__init__(name)
        object.__setattr__(self, "_load", load)

    def __getattr__(self, attribute):
        return getattr(self._load(), attribute)


pipe = _LazyModule("nmrglue.fileio.pipe", lambda: _light("pipe"))
fileiobase = _LazyModule("nmrglue.fileio.fileiobase", lambda: _light("fileiobase"))
pipe_proc = _LazyModule("nmrglue.process.pipe_proc",
                        lambda: importlib.import_module("nmrglue.process.pipe_proc"))
