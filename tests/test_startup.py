"""What the command line imports, in subprocesses as a user runs it: help and light commands
import nothing heavy; the network commands work with TensorFlow and Keras absent."""

import json
import os
import subprocess
import sys

import click
import numpy as np
import pytest

from conftest import ROOT
from mrai.cli.main import COMMANDS
from mrai.fileio import read
from mrai.metrics import quality

HEAVY = {"tensorflow", "keras", "onnxruntime", "nmrglue", "scipy.signal", "matplotlib"}
NETWORK = {"tensorflow", "keras"}
# what only `pip install ".[train]"` brings: absent from a default install
TRAIN_ONLY = ("tensorflow", "keras", "tf_keras", "onnx", "h5py")

# run `python -m mrai ARGS` (mrai/__main__.py calls the console entry mrai.cli.main:entry), then
# write the exit code and the imported modules to the JSON file named first
PROBE = """
import json, runpy, sys
out, args = sys.argv[1], sys.argv[2:]
sys.argv = ["mrai", *args]
code = 0
try:
    runpy.run_module("mrai", run_name="__main__", alter_sys=True)
except SystemExit as exc:
    code = exc.code
with open(out, "w") as fh:
    json.dump({"code": code, "modules": sorted(sys.modules)}, fh)
"""

# the packages only mrai[train] brings made unimportable, as in a default install
BLOCKER = """
import runpy, sys

class Absent:
    names = set(%r)

    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in self.names:
            raise ModuleNotFoundError(f"No module named {name!r} (blocked by the test)",
                                      name=name)
        return None

sys.meta_path.insert(0, Absent())
""" % (TRAIN_ONLY,)
# `python -m mrai ARGS` behind the blocker
BLOCKED = BLOCKER + """
sys.argv = ["mrai", *sys.argv[1:]]
runpy.run_module("mrai", run_name="__main__", alter_sys=True)
"""


def _env():
    return dict(os.environ, PYTHONPATH=str(ROOT))


def probe(tmp_path, *args):
    """(exit code, set of imported modules, stdout, stderr) of ``mrai ARGS``."""
    out = tmp_path / f"probe{len(list(tmp_path.glob('probe*')))}.json"
    proc = subprocess.run([sys.executable, "-c", PROBE, str(out), *map(str, args)],
                          capture_output=True, text=True, cwd=tmp_path, env=_env(), timeout=300)
    assert out.exists(), f"mrai {' '.join(map(str, args))} did not finish: {proc.stderr}"
    result = json.loads(out.read_text())
    return result["code"], set(result["modules"]), proc.stdout, proc.stderr


def run_blocked(cwd, *args):
    proc = subprocess.run([sys.executable, "-c", BLOCKED, *map(str, args)], capture_output=True,
                          text=True, cwd=cwd, env=_env(), timeout=600)
    return proc.returncode, proc.stdout, proc.stderr


def test_importing_the_cli_imports_nothing_heavy():
    code = ("import sys; import mrai.cli.main; "
            f"print(sorted(set(sys.modules) & {HEAVY!r}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                         env=_env(), check=True).stdout
    assert out.strip() == "[]"


def test_help_lists_every_command_without_importing_them(tmp_path):
    code, modules, out, _ = probe(tmp_path, "--help")
    assert code == 0
    assert modules & HEAVY == set()
    assert not {f"mrai.cli.{name}" for name in COMMANDS} & modules  # the list needs no module
    listed = out.split("Commands:")[1].split()
    assert all(name in listed for name in COMMANDS)


@pytest.mark.parametrize("args", [[name, "--help"] for name in COMMANDS]
                         + [["plot", "contour", "--help"], ["plot", "slices", "--help"],
                            ["train", "wnn", "--help"], ["train", "sigma", "--help"]],
                         ids=lambda args: " ".join(args))
def test_command_help_imports_nothing_heavy(tmp_path, args):
    code, modules, out, _ = probe(tmp_path, *args)
    assert code == 0
    assert out.startswith(f"Usage: mrai {' '.join(args[:-1])} ")
    assert modules & HEAVY == set()


def test_command_list_is_the_commands_own_help():
    """`mrai --help` shows COMMANDS' sentences: each must be what its command would show, and
    every command module must be listed."""
    import importlib

    modules = {p.stem for p in (ROOT / "mrai" / "cli").glob("*.py")} - {"__init__", "main",
                                                                      "options"}
    assert {module for module, _ in COMMANDS.values()} == modules
    for name, (module, sentence) in COMMANDS.items():
        command = importlib.import_module(f"mrai.cli.{module}").command
        assert command.name == name
        for limit in (45, 56, 200):
            assert click.utils.make_default_short_help(sentence, limit) == \
                command.get_short_help_str(limit), (name, limit)


@pytest.fixture(scope="module")
def simulated(tmp_path_factory):
    """A small simulated spectrum: folder with r.ft2 (reference) and e.ft2 (its Echo part)."""
    folder = tmp_path_factory.mktemp("startup")
    proc = subprocess.run([sys.executable, "-m", "mrai", "simulate", "--size", "64x256",
                           "--echo", "e.ft2", "-o", "r.ft2"], cwd=folder, env=_env(),
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return folder


def test_light_commands_import_only_what_they_use(tmp_path, simulated):
    e, r = simulated / "e.ft2", simulated / "r.ft2"
    code, modules, out, _ = probe(tmp_path, "info", e)
    assert code == 0 and "64" in out and "256" in out
    assert modules & HEAVY == set()  # the header through nmrglue.fileio.pipe alone
    for args in (["degrade", "--echo", r, "-o", tmp_path / "d.ft2"],
                 ["reconstruct", "--echo", "--method", "ist", e, "-o", tmp_path / "i.ft2"]):
        code, modules, _, err = probe(tmp_path, *args)
        assert code == 0, err
        assert modules & HEAVY == set(), args[0]
    assert quality(read(str(tmp_path / "i.ft2"))[1], read(str(r))[1])["r"] > 0.9
    code, modules, _, err = probe(tmp_path, "plot", "contour", e, "-o", tmp_path / "c.png")
    assert code == 0, err
    assert (tmp_path / "c.png").stat().st_size > 1000
    assert "matplotlib" in modules and not modules & (HEAVY - {"matplotlib"})


def test_nmrglue_imported_after_the_light_header_code_is_whole(tmp_path, small_file):
    """mrai reads headers with nmrglue.fileio.pipe alone; a later `import nmrglue` is still the
    whole package, and reads the file as mrai does."""
    code = f"""
import sys
from mrai.fileio import read
dic, data = read({str(small_file)!r})
assert "nmrglue" not in sys.modules and "scipy.signal" not in sys.modules
import nmrglue as ng
from nmrglue.process import pipe_proc
from nmrglue.fileio.fileiobase import create_blank_udic
ndic, ndata = ng.pipe.read({str(small_file)!r})
assert (ndata == data).all() and ndic["FDSIZE"] == dic["FDSIZE"]
assert ng.fileio.fileiobase.unit_conversion and ng.pipe.fdata2dic and ng.bruker.read
assert pipe_proc.ft and ng.proc_base.fft and "scipy.signal" in sys.modules
print("ok")
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=tmp_path, env=_env())
    assert out.stdout.strip() == "ok", out.stderr


def test_network_commands_work_without_tensorflow(simulated):
    """reconstruct (the default WNN), reconstruct --sigma and score, with the packages only
    mrai[train] brings unimportable (as in a default install)."""
    folder = simulated
    reference = read(str(folder / "r.ft2"))[1]
    rc, _, err = run_blocked(folder, "reconstruct", "--echo", "e.ft2", "-o", "w.ft2", "-ov")
    assert rc == 0, err
    assert quality(read(str(folder / "w.ft2"))[1], reference)["r"] > 0.9
    rc, _, err = run_blocked(folder, "reconstruct", "--echo", "e.ft2", "-o", "ws.ft2",
                             "--sigma", "s.ft2", "-ov")
    assert rc == 0, err
    recon, sigma = read(str(folder / "ws.ft2"))[1], read(str(folder / "s.ft2"))[1]
    assert quality(recon, reference)["r"] > 0.9
    assert sigma.shape == recon.shape and np.isfinite(sigma).all() and (sigma > 0).all()
    rc, out, err = run_blocked(folder, "score", "ws.ft2", "--json")
    assert rc == 0, err
    plane = json.loads(out)["planes"][0]
    assert 0 < plane["psq"] < 0.1 and plane["points"] > 100


def test_demo_works_without_tensorflow(tmp_path):
    """The README's first set-up command, `pip install . && mrai demo`: no TensorFlow there."""
    rc, _, err = run_blocked(tmp_path, "demo", "out")
    assert rc == 0, err
    rows = {tuple(line.split()[:2]): line.split()[2:] for line in err.splitlines()
            if line.split()[:1] in (["echo"], ["antiecho"], ["nus50"])}
    assert float(rows[("echo", "wnn")][0]) > 0.99 and float(rows[("echo", "ist")][0]) > 0.99
    assert (tmp_path / "out" / "echo_wnn_sigma.ft2").exists()


def test_the_blocker_blocks():
    for name in TRAIN_ONLY:
        proc = subprocess.run([sys.executable, "-c", BLOCKER + f"import {name}"],
                              capture_output=True, text=True, env=_env())
        assert proc.returncode == 1 and "blocked by the test" in proc.stderr, name
