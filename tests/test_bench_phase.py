"""scripts/bench_phase.py --quick: the table has a row per offset and mode, and IST on t1 from 0
recovers the spectrum (r > 0.9, above the raw Echo's r)."""

import os
import subprocess
import sys

SCRIPT = os.path.join(os.path.dirname(__file__), os.pardir, "scripts", "bench_phase.py")


def _rows(text):
    rows = []
    for line in text.splitlines():
        fields = line.split()
        try:
            t1, t2 = float(fields[0]), float(fields[1])
        except (IndexError, ValueError):
            continue
        rows.append(dict(t1=t1, t2=t2, mode=fields[5],
                         values=[float(v) for v in fields[6:] if not v.startswith("(")
                                 and not v.endswith(")")]))
    return rows


def test_quick_table():
    proc = subprocess.run([sys.executable, SCRIPT, "--quick", "--methods", "ist,wnn"],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    head = [line for line in proc.stdout.splitlines() if "input r" in line]
    assert head and "IST r" in head[0] and "WNN r" in head[0]
    rows = _rows(proc.stdout)
    expected = {(t1, t2, mode) for t1 in (0.0, 0.1, 0.5) for t2 in (0.0, 0.28)
                for mode in ("echo", "antiecho")}
    assert {(r["t1"], r["t2"], r["mode"]) for r in rows} == expected
    assert len(rows) == len(expected)
    for row in rows:
        if (row["t1"], row["t2"]) == (0.5, 0.28):  # both grids half a dwell: the WNN is not used
            input_r, ist_r, ist_rmsd = row["values"]
            assert 0 < input_r < 1 and 0 < ist_rmsd < 1
            continue
        input_r, ist_r, ist_rmsd, wnn_r, wnn_rmsd = row["values"]
        assert 0 < input_r < 1 and 0 < ist_rmsd < 1 and 0 < wnn_rmsd < 1
        if row["t1"] == 0.0:
            assert ist_r > 0.9 and ist_r > input_r + 0.1
