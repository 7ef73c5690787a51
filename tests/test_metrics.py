import numpy as np
import pytest

from mrai.metrics import f2_region, quality


def test_identical_and_hand_computed():
    ref = np.zeros((4, 6))
    ref[1, 2], ref[2, 3] = 2.0, 1.0
    q = quality(ref, ref)
    assert q["r"] == pytest.approx(1.0) and q["rmsd"] == 0 and q["points"] == 2
    rec = ref.copy()
    rec[1, 2], rec[0, 0] = 1.0, 0.5        # normalised by max(ref) = 2: 0.5 and 0.25
    q = quality(rec, ref)
    # points kept: (1,2): rec .5 ref 1; (2,3): .5/.5; (0,0): .25/0
    p, r = np.array([0.5, 0.5, 0.25]), np.array([1.0, 0.5, 0.0])
    assert q["points"] == 3
    assert q["rmsd"] == pytest.approx(np.sqrt(np.mean((p - r) ** 2)))
    assert q["r"] == pytest.approx(np.corrcoef(p, r)[0, 1])


def test_region_is_one_based_inclusive():
    ref = np.zeros((2, 10))
    ref[0, 4], ref[1, 3] = 1.0, 0.5
    rec = ref.copy()
    rec[0, 9] = 5.0   # outside F2 points 2..6
    assert quality(rec, ref, region=f2_region(2, 6))["rmsd"] == 0
    assert f2_region(100, 800)[1] == slice(99, 800)


def test_shape_mismatch():
    with pytest.raises(ValueError, match="shapes differ"):
        quality(np.zeros((2, 2)), np.ones((2, 3)))
