#!/usr/bin/env bash
# Walk-through: make a spectrum, build its Echo-only and NUS inputs, inspect them, stream
# through mrai between nmrPipe-style stages, and reconstruct. Runs anywhere mrai is installed; the nmrPype stage
# runs only when nmrPype (pip install nmrpype gemmi) is present.
set -euo pipefail
work=${1:-mrai-example}
mkdir -p "$work" && cd "$work"

# 1. A simulated 1H-15N HSQC-like spectrum and its Echo-only and Anti-Echo-only versions.
mrai simulate -o ref.ft2 --echo echo.ft2 --antiecho anti.ft2 --peaks 300 --seed 1 -ov
mrai info ref.ft2

# 2. The same Echo made from the reference by the Virtual-Echo quadrant mask, in a stream.
mrai degrade --echo < ref.ft2 > echo_stream.ft2

# 3. 50 % Poisson-gap NUS of t1, with the schedule written out.
mrai degrade --nus 0.5 --seed 2 --schedule-out nus.sched ref.ft2 -o nus.ft2 -ov
mrai info nus.ft2 | tail -1

# 4. Inside an NMRPipe pipeline.
if command -v nmrPype >/dev/null; then
    nmrPype -in ref.ft2 -fn NULL | mrai degrade --echo | nmrPype -fn NULL -out echo_pipe.ft2 -ov
    echo "nmrPype pipeline wrote echo_pipe.ft2"
fi

# 5. Reconstruct: the shipped WNN (the default) from Echo and from Anti-Echo, and CS-IST, then
#    score each against the reference (r and RMSD, docs/conventions.md#metrics).
mrai reconstruct --echo echo.ft2 -o echo_wnn.ft2 -ov
mrai reconstruct --antiecho anti.ft2 -o anti_wnn.ft2 -ov
mrai reconstruct --echo --method ist echo.ft2 -o echo_ist.ft2 -ov
python - <<'PY'
from mrai.fileio import read
from mrai.metrics import quality
ref = read("ref.ft2")[1]
for name in ("echo", "echo_wnn", "anti_wnn", "echo_ist"):
    q = quality(read(f"{name}.ft2")[1], ref)
    print(f"{name:<10} r {q['r']:.4f}  RMSD {q['rmsd']:.4f}")
PY
