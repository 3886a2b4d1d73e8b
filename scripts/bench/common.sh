# Shared by the scripts/bench-* drivers (sourced, not run): builds the release binary, finds the
# reference Python, prints the machine line, measures programs and runs them under load.
#
#   bench_setup NEEDS       build dscript (or use $DSCRIPT_BIN), pick $python (from $BENCH_PYTHON, else
#                           /work/venv-ref/bin/python, else python3) that can `import NEEDS`
#   bench_machine THREADS   print what runs: dscript --version's lines, PyTorch's configuration,
#                           the load average
#   measure CMD...          run CMD; print its last output line and its peak RSS in MiB
#   ratio A B, best A B, most A B
#   start_load / stop_load  one busy process per core beside the benchmark (BENCH_LOAD_PROCS overrides)
#
# An OPENBLAS_CORETYPE in the environment (this project's sandboxes set Haswell) is dropped, so the
# figures are what a new user gets: dscript picks OpenBLAS's kernels itself. PyTorch does not read it.

bench_setup() {
    cd "$(dirname "${BASH_SOURCE[0]}")/../.."
    if [[ -n "${DSCRIPT_BIN:-}" ]]; then
        dscript=$DSCRIPT_BIN
    else
        swift build -c release --product dscript >/dev/null
        dscript=.build/release/dscript
    fi
    python=${BENCH_PYTHON:-}
    if [[ -z "$python" && -x /work/venv-ref/bin/python ]]; then python=/work/venv-ref/bin/python; fi
    python=${python:-python3}
    if [[ -n "${1:-}" ]] && ! "$python" -c "import $1" 2>/dev/null; then
        echo "error: $python cannot import $1 (set BENCH_PYTHON)" >&2
        exit 1
    fi
    trap stop_load EXIT
}

# Sourcing this file drops the environment's OPENBLAS_CORETYPE (see above); bench_machine says so.
if [[ -n "${OPENBLAS_CORETYPE:-}" ]]; then
    dropped_coretype=$OPENBLAS_CORETYPE
    unset OPENBLAS_CORETYPE
fi

bench_machine() {
    local threads=$1
    echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
    "$dscript" --threads "$threads" --version | sed 's/^/  /'
    if [[ -n "${dropped_coretype:-}" ]]; then
        echo "  (OPENBLAS_CORETYPE=$dropped_coretype from the environment is unset for these runs)"
    fi
    "$python" - "$threads" <<'PY' 2>/dev/null || true
import sys
try:
    import torch
except ImportError:
    sys.exit()
torch.set_num_threads(int(sys.argv[1]))
print(f"  pytorch: {torch.__version__}, CPU capability {torch.backends.cpu.get_cpu_capability()}, "
      f"MKL {torch.backends.mkl.is_available()}, oneDNN {torch.backends.mkldnn.is_available()}, "
      f"{torch.get_num_threads()} threads")
PY
}

# Runs a command; prints its last output line and its peak RSS in MiB (getrusage of the child).
measure() {
    "$python" - "$@" <<'PY'
import resource, subprocess, sys
out = subprocess.run(sys.argv[1:], check=True, capture_output=True, text=True).stdout.strip().splitlines()
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(out[-1] if out else "?", f"{rss:.0f}")
PY
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print "?"; else printf "%.2f", a / b }'; }
best() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b + 0 < a + 0) print b; else print a }'; }
most() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b + 0 > a + 0) print b; else print a }'; }
# Percent of `peak` GFLOP/s reached by `gflop` GFLOP in `ms` milliseconds.
percent_of_peak() { awk -v f="$1" -v ms="$2" -v p="$3" 'BEGIN { if (ms + 0 == 0 || p + 0 == 0) print "?"; else printf "%.0f%%", 100 * f / (ms / 1000) / p }'; }

load_pids=()
start_load() {
    local procs=${BENCH_LOAD_PROCS:-$(nproc)}
    for ((i = 0; i < procs; i++)); do
        sh -c 'while :; do :; done' &
        load_pids+=($!)
    done
    sleep 0.5
}
stop_load() {
    if ((${#load_pids[@]})); then
        kill "${load_pids[@]}" 2>/dev/null || true
        wait "${load_pids[@]}" 2>/dev/null || true
        load_pids=()
    fi
}
