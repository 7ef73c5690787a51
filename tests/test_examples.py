"""The raw-data walk-through (examples/raw_pipeline.sh) runs end to end: simulated Bruker raw
data -> convert -> process (with a recipe file given as its third argument) -> reconstruct ->
score, step by step and as one stream, and the reconstruction is close to the spectrum processed
from both halves."""

import os
import re
import shutil
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

RECIPE = """# differs from the default in the F2 window end (0.99), so the output shows it was used
SP -off 0.5 -end 0.99 -pow 2 -c 0.5
ZF -auto
FT
PS -p0 0 -p1 0 -di
TP
SP -off 0.5 -end 0.98 -pow 2 -c 0.5
ZF -auto
FT
PS -p0 0 -p1 0 -di
TP
"""


@pytest.mark.skipif(shutil.which("mrai") is None, reason="the mrai command is not installed")
def test_raw_pipeline_example(tmp_path):
    recipe = tmp_path / "recipe.txt"
    recipe.write_text(RECIPE)
    run = subprocess.run(["bash", os.path.join(ROOT, "examples", "raw_pipeline.sh"), "",
                          str(tmp_path / "work"), str(recipe)],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    output = run.stdout + run.stderr
    assert "SP -off 0.5 -end 0.99 -pow 2 -c 0.5" in output
    scores = {name: (float(r), float(rmsd)) for name, r, rmsd in
              re.findall(r"^(\w+)\s+r ([\d.]+)\s+RMSD ([\d.]+)$", run.stdout, re.M)}
    assert set(scores) == {"echo", "recon", "recon_stream"}
    assert scores["echo"][0] < 0.8                  # the twisted Echo-only spectrum
    assert scores["recon"][0] > 0.99 and scores["recon"][1] < 0.01
    assert scores["recon_stream"] == scores["recon"]  # the stream gives the same spectrum
    assert len(re.findall(r"pSQ \(predicted RMSD\) [\d.]+", output)) == 2
