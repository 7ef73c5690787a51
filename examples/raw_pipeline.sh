#!/usr/bin/env bash
# Walk-through: from raw spectrometer data to a reconstructed, scored spectrum, one command per
# stage and then as one stream. The raw data are made here (mrai simulate --bruker writes the
# peaks of a simulated HSQC as a Bruker Echo-Antiecho data set); give a Bruker or Varian
# experiment folder as $1 to run the same steps on measured data, the work folder as $2, and a
# processing recipe file as $3. Measured data need their phase correction, and the WNN expects
# phased absorption peaks (an unphased spectrum is reconstructed badly and its sigma is too
# small): `mrai convert` writes the phases stored with the data (Bruker pdata, Varian procpar)
# into the header, which the default recipe applies; for data without stored phases add
# `--autophase` to `mrai process` of the full data, or write a recipe as
# `mrai process echo.fid --show` prints it, with your PS -p0 -p1.
set -euo pipefail
absolute() { echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; }
raw=${1:-}
if [ -n "$raw" ]; then raw=$(absolute "$raw"); fi
recipe=()
if [ -n "${3:-}" ]; then recipe=(--recipe "$(absolute "$3")"); fi
work=${2:-mrai-raw-example}
mkdir -p "$work" && cd "$work"
if [ -z "$raw" ]; then
    mrai simulate -o truth.ft2 --size 128x1024 --peaks 150 --seed 4 --bruker raw -ov
    raw=raw
fi

# 1. Raw -> NMRPipe time domain: both halves (the usual States data) and the Echo half alone.
mrai convert "$raw" -o full.fid -ov
mrai convert "$raw" --keep echo -o echo.fid -ov
mrai info echo.fid

# 2. Process both the same way (the default recipe; --show prints it, --recipe FILE or --fn
#    'STEP' ... replace it). Do not EXT F2 before reconstructing: extract afterwards.
mrai process echo.fid --show "${recipe[@]}"
mrai process full.fid -o full.ft2 -ov "${recipe[@]}"
mrai process echo.fid -o echo.ft2 -ov "${recipe[@]}"

# 3. Reconstruct the pure-absorption spectrum from the Echo half, with its sigma, and score it.
mrai reconstruct --echo echo.ft2 -o recon.ft2 --sigma sigma.ft2 -ov
mrai score recon.ft2

# 4. The same as one stream, raw data in, scores out.
mrai convert "$raw" --keep echo | mrai process "${recipe[@]}" | mrai reconstruct --echo | tee recon_stream.ft2 \
    | mrai score

# 5. How close the reconstruction is to the spectrum processed from both halves.
python - <<'PY'
from mrai.fileio import read
from mrai.metrics import quality
full = read("full.ft2")[1]
for name in ("echo", "recon", "recon_stream"):
    q = quality(read(f"{name}.ft2")[1], full)
    print(f"{name:<13} r {q['r']:.4f}  RMSD {q['rmsd']:.4f}")
PY
