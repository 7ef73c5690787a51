#!/usr/bin/env bash
# scripts/gpu/run.sh OUTDIR [STAGE...]: the prepared training run on a lent GPU machine
# (scripts/gpu/README.md). Installs the carried wheels (.whl, from scripts/gpu/fetch_wheels.sh)
# into /tmp/site and nothing else, trains with Keras on JAX, and leaves in OUTDIR one tar per
# stage (checkpoint, or the finished network), run.log and status.json.
#
# Environment: PYTHON (python3), KERAS_BACKEND (jax), MRAI_GPU_WHEELS (.whl; empty: install
# nothing), MRAI_GPU_SITE (/tmp/site), MRAI_GPU_PLAN (gpu), MRAI_GPU_STATE (gpu-run.ckpt),
# MRAI_GPU_MINUTES (the plan's budget).
set -u
export MRAI_GPU_T0=${MRAI_GPU_T0:-$(date +%s)}   # the budget counts from here
if [ $# -lt 1 ]; then
    echo "usage: scripts/gpu/run.sh OUTDIR [STAGE...]" >&2
    exit 2
fi
mkdir -p "$1" || exit 1
OUTDIR=$(cd "$1" && pwd)
shift
cd "$(dirname "$0")/../.." || exit 1               # the repository root
PY=${PYTHON:-python3}
WHEELS=${MRAI_GPU_WHEELS-.whl}
SITE=${MRAI_GPU_SITE:-/tmp/site}
if [ -n "$WHEELS" ] && ls "$WHEELS"/*.whl >/dev/null 2>&1; then
    "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
        --target "$SITE" "$WHEELS"/*.whl || { echo "run.sh: installing $WHEELS failed" >&2; exit 1; }
    export PYTHONPATH="$SITE${PYTHONPATH:+:$PYTHONPATH}"
elif [ -n "$WHEELS" ]; then
    echo "run.sh: no wheels in $WHEELS (scripts/gpu/fetch_wheels.sh; carry .whl): using what is installed" >&2
fi
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"   # mrai from this tree
export KERAS_BACKEND=${KERAS_BACKEND:-jax}
export PYTHONUNBUFFERED=1 TF_CPP_MIN_LOG_LEVEL=3
# what the stages will use, in its own process (the GPU is free again when it ends)
"$PY" - <<'EOF' 2>&1 | tee -a "$OUTDIR/run.log"
import importlib, os, platform
import keras
line = [f"python {platform.python_version()}", f"keras {keras.__version__} on {keras.backend.backend()}"]
for name in ("jax", "numpy", "scipy", "h5py", "nmrglue", "onnx", "onnxruntime"):
    try:
        line.append(f"{name} {importlib.import_module(name).__version__}")
    except ImportError:
        line.append(f"{name} absent")
if keras.backend.backend() == "jax":
    import jax
    line.append(f"devices {[d.device_kind for d in jax.devices()]}")
print("run.sh: " + ", ".join(line) + f"; {os.cpu_count()} cores")
EOF
[ "${PIPESTATUS[0]}" -eq 0 ] || { echo "run.sh: Keras does not import (see above)" >&2; exit 1; }
exec "$PY" scripts/gpu/run.py "$OUTDIR" "$@"
