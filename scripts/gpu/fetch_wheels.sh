#!/usr/bin/env bash
# scripts/gpu/fetch_wheels.sh: run HERE (a machine with pip access), not on the GPU machine.
# Downloads into .whl/ (git-ignored; carried to the device machine by the run call) the wheels
# for CPython 3.12 on x86-64 Linux that the lent GPU machine lacks for mrai train on JAX
# (scripts/gpu/README.md). Its image already has JAX (with CUDA), numpy, scipy, matplotlib,
# click, rich, absl-py, ml-dtypes, h5py, packaging, typing-extensions, onnx and onnxruntime;
# missing are Keras 3 and its namex and optree, and nmrglue (mrai's NMRPipe I/O). The versions
# are the ones the CPU tests run with; keep one version of each in .whl (two stop the install).
set -eu
cd "$(dirname "$0")/../.."
WHEELS=(keras==3.15.1 namex==0.1.0 optree==0.20.0 nmrglue==0.12)
PLATFORMS=(manylinux_2_28_x86_64 manylinux_2_27_x86_64 manylinux_2_17_x86_64
           manylinux2014_x86_64 manylinux1_x86_64)
mkdir -p .whl
for spec in "${WHEELS[@]}"; do
    name=${spec%%==*}
    version=${spec#*==}
    # other versions of the same package (a wheel's name spells '-' as '_')
    for old in .whl/"${name//-/_}"-*.whl; do
        [ -e "$old" ] || continue
        case "$old" in .whl/"${name//-/_}-$version"-*) ;; *) rm -v "$old" ;; esac
    done
    python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 \
        --implementation cp $(printf -- '--platform %s ' "${PLATFORMS[@]}") -d .whl "$spec"
done
# what they need, for a look against the device's packages (scripts/gpu/README.md)
for w in .whl/*.whl; do
    echo "$(basename "$w"): $(unzip -p "$w" '*.dist-info/METADATA' | grep '^Requires-Dist' \
        | grep -v 'extra ==' | sed 's/Requires-Dist: //' | tr '\n' ' ')"
done
du -ch .whl/*.whl | tail -1
