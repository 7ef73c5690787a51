import subprocess
import sys

from conftest import ROOT


def test_cli_does_not_import_tensorflow():
    """Commands without a network must not pay TensorFlow's import time."""
    code = ("import sys; from mrai.cli.main import cli; import mrai.fileio, mrai.physics, "
            "mrai.simulate, mrai.metrics, mrai.demo; "
            "print(sorted(m for m in ('tensorflow', 'keras') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=True).stdout
    assert out.strip() == "[]"
