"""Real spectra as users hold them, through the real command line: MALT1 extracted to an odd
width, and the penguins raw set with no hand phasing (skipped when ../shared is absent)."""

import json

import numpy as np
import pytest

from conftest import MALT1, SHARED, run_mrai, shared_file
from mrai.fileio import read
from mrai.metrics import quality


def _read(path):
    return np.asarray(read(str(path))[1], dtype=np.float64)


def _odd_width_run(tmp_path, method):
    """MALT1 through process --fn 'EXT -x1 101 -xn 913' (813 columns), and whole; both
    degraded to Echo and reconstructed by ``method``. Returns the folder's file names."""
    malt1 = shared_file(MALT1)
    wide = tmp_path / "wide.ft2"
    code, _, err = run_mrai("process", malt1, "--fn", "EXT -x1 101 -xn 913", "-o", wide)
    assert code == 0, err
    assert _read(wide).shape == (256, 813)
    for name, source in (("odd", wide), ("whole", malt1)):
        code, _, err = run_mrai("degrade", "--echo", source, "-o", tmp_path / f"{name}_e.ft2")
        assert code == 0, err
        code, _, err = run_mrai("reconstruct", "--echo", "--method", method,
                                tmp_path / f"{name}_e.ft2", "-o", tmp_path / f"{name}_r.ft2")
        assert code == 0, err
    return malt1, wide


def _psq(path, *options):
    code, report, err = run_mrai("score", "--json", path, *options)
    assert code == 0, err
    return json.loads(report)["planes"][0]["psq"]


@pytest.mark.parametrize("method", ["wnn", "ist"])
def test_malt1_extracted_to_an_odd_width(tmp_path, method):
    """The odd width serves as the even one does: r within 0.003 of the same columns cut from
    the whole-width reconstruction, and score's pSQ on the 813 columns within 5 % of the
    whole-width reconstruction scored on those columns (--region 101:913)."""
    malt1, wide = _odd_width_run(tmp_path, method)
    reference, whole = _read(malt1), _read(tmp_path / "whole_r.ft2")
    odd = quality(_read(tmp_path / "odd_r.ft2"), _read(wide))
    cut = quality(whole[:, 100:913], reference[:, 100:913])
    assert abs(odd["r"] - cut["r"]) < 0.003, (odd, cut)
    psq, psq_cut = _psq(tmp_path / "odd_r.ft2"), _psq(tmp_path / "whole_r.ft2", "--region",
                                                       "101:913")
    assert abs(psq / psq_cut - 1) < 0.05, (psq, psq_cut)


@pytest.mark.parametrize("method", ["wnn", "ist"])
def test_malt1_odd_width_psq_in_the_band(tmp_path, method):
    """pSQ within 0.8-1.25 of the true RMSD on the 813 columns (issue 16's band)."""
    _, wide = _odd_width_run(tmp_path, method)
    odd = quality(_read(tmp_path / "odd_r.ft2"), _read(wide))
    psq = _psq(tmp_path / "odd_r.ft2")
    print(f"{method}: pSQ {psq:.5f} true RMSD {odd['rmsd']:.5f} ratio {psq / odd['rmsd']:.3f}")
    assert 0.8 < psq / odd["rmsd"] < 1.25, (psq, odd["rmsd"])


def test_penguins_reconstructs_without_hand_phasing(tmp_path):
    """The Bruker set converted with its stored phases and the default recipe: its Echo part
    reconstructed by the WNN at r >= 0.96 over the whole width."""
    folder = shared_file(SHARED / "penguins_noah_15N_seHSQC_EA")
    code, fid, err = run_mrai("convert", folder)
    assert code == 0 and "stored" in err, err
    code, spectrum, err = run_mrai("process", stdin=fid)
    assert code == 0, err
    (tmp_path / "full.ft2").write_bytes(spectrum)
    code, _, err = run_mrai("degrade", "--echo", tmp_path / "full.ft2", "-o", tmp_path / "e.ft2")
    assert code == 0, err
    code, _, err = run_mrai("reconstruct", "--echo", tmp_path / "e.ft2", "-o", tmp_path / "r.ft2")
    assert code == 0 and "looks unphased" not in err, err
    assert quality(_read(tmp_path / "r.ft2"), _read(tmp_path / "full.ft2"))["r"] >= 0.96
