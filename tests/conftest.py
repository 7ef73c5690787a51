import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from mrai.fileio import write
from mrai.fileio.header import spectrum_header
from mrai.simulate import simulate

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
MALT1 = SHARED / "malt1_trosy" / "malt1_trosy.ft2"
PEAKIPY_3D = SHARED / "peakipy_proteinL_15N_hsqc_pseudo3d_ft2" / "test1.ft2"


def shared_file(path):
    if not path.exists():
        pytest.skip(f"{path} not present (../shared is absent)")
    return path


def run_mrai(*args, stdin=None, cwd=None):
    """Run the real ``mrai`` command line in a subprocess: (returncode, stdout bytes, stderr str)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-m", "mrai", *map(str, args)], input=stdin,
                          capture_output=True, cwd=cwd, env=env, timeout=300)
    return proc.returncode, proc.stdout, proc.stderr.decode()


def header_3d(size, nplanes):
    """A 3D stream header whose planes are real (F1, F2) spectra of ``size``."""
    dic = spectrum_header(size)
    dic.update(FDDIMCOUNT=3.0, FDF3SIZE=float(nplanes), FDPIPEFLAG=1.0, FDF3FTFLAG=0.0,
               FDF3QUADFLAG=1.0, FDF3TDSIZE=float(nplanes), FDF3LABEL="Z")
    return dic


@pytest.fixture
def small():
    """A small simulated data set (64 x 256)."""
    return simulate(seed=7, size=(64, 256), peaks=25)


@pytest.fixture
def small_file(tmp_path, small):
    path = tmp_path / "ref.ft2"
    write(str(path), spectrum_header((64, 256)), small.reference)
    return path


@pytest.fixture
def stack3d():
    return np.stack([simulate(seed=s, size=(32, 128), peaks=10).reference for s in range(3)])


def write_invalid_spectra(folder):
    """Spectra a 2D method must refuse: {'tiny': .. (6 x 32, below the methods' 8 x 8),
    'complex': .., 'time': ..} paths."""
    paths = {name: folder / f"{name}.ft2" for name in ("tiny", "complex", "time")}
    write(str(paths["tiny"]), spectrum_header((6, 32)), np.ones((6, 32), np.float32))
    cplx = spectrum_header((16, 32))
    cplx.update(FDF2QUADFLAG=0.0, FDQUADFLAG=0.0)
    write(str(paths["complex"]), cplx, np.ones((16, 32), np.complex64))
    fid = spectrum_header((16, 32))
    fid.update(FDF2FTFLAG=0.0)
    write(str(paths["time"]), fid, np.ones((16, 32), np.float32))
    return paths
