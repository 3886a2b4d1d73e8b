#!/bin/sh
# Times .safetensors reading and writing (F32 and F16, 64 Mi parameters each) with the real
# Sources/DSEngine/Formats code compiled as SwiftPM's release build does (-O, whole module).
# Usage: scripts/bench-formats/run.sh [PYTHON]   (PYTHON with numpy and safetensors makes the inputs;
# default /work/venv-ref/bin/python). Run it on a quiet machine: it measures wall-clock time.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
python=${1:-/work/venv-ref/bin/python}
# The machine, as every benchmark prints it (the release dscript's configuration when it is built).
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
"$root/.build/release/dscript" --version 2>/dev/null | sed 's/^/  /' || grep -m1 "model name" /proc/cpuinfo
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$python" -c "
import numpy as np
from safetensors.numpy import save_file
x = np.random.default_rng(0).standard_normal((64, 1024, 1024))
save_file({'big': x.astype(np.float32)}, '$out/big_f32.safetensors')
save_file({'big': x.astype(np.float16)}, '$out/big_f16.safetensors')
"
swiftc -O -wmo "$root"/Sources/DSEngine/Formats/*.swift "$here/TensorStub.swift" "$here/main.swift" -o "$out/bench-formats"
BENCH_OUT="$out" "$out/bench-formats" "$out/big_f32.safetensors" "$out/big_f16.safetensors"
