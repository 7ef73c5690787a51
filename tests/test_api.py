"""The public API (mrai.api): its docstring examples run as doctests, the walk-through in
examples/library_use.py runs on the API alone, and ``import mrai`` stays cheap."""

import doctest
import subprocess
import sys

from conftest import ROOT


def test_docstring_examples_run():
    import mrai.api

    result = doctest.testmod(mrai.api, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 10 and result.failed == 0


def test_the_one_liner_and_a_cheap_import():
    code = ("import sys, mrai; heavy = {'numpy', 'nmrglue', 'onnxruntime', 'keras'} & "
            "set(sys.modules); r = mrai.reconstruct(mrai.simulate(seed=0).echo, 'echo'); "
            "print(sorted(heavy), r.shape, mrai.quality(r, mrai.simulate(seed=0).reference)['r'])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=True).stdout.split()
    assert out[0] == "[]" and out[1:3] == ["(256,", "2048)"] and float(out[3]) > 0.99


def test_library_example_runs(tmp_path):
    proc = subprocess.run([sys.executable, str(ROOT / "examples" / "library_use.py"),
                           str(tmp_path)], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    rows = [line.split() for line in proc.stdout.splitlines() if " from " in line]
    assert len(rows) == 3 and all(float(row[-3]) > 0.99 for row in rows)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ist_echo.ft2", "ist_nus.ft2",
                                                          "wnn_echo.ft2"]


def test_reconstruct_hands_a_grid_the_wnn_does_not_serve_to_ist():
    """t1 and t2 from half a dwell: no method named, the backend option given as always, IST
    reconstructs it (the WNN is refused there by name)."""
    import pytest

    import mrai

    data = mrai.simulate(size=(32, 128), peaks=10, seed=2, t1_start=0.5, t2_start=0.5)
    recon = mrai.reconstruct(data.echo, "echo", header=data.header, backend="onnx")
    assert mrai.quality(recon, data.reference)["r"] > 0.95
    with pytest.raises(ValueError, match="use --method ist"):
        mrai.reconstruct(data.echo, "echo", method="wnn", header=data.header)
