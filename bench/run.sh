#!/bin/sh
# bench/run.sh — benchmarks on Kite and on the reference Linux, side by side
# (see bench/bench.py; `bench/run.sh smp`: several harts, bench/smp.py).
# Not part of `make test`: numbers are reported, CI never fails on them.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/setup-host.sh" bench
make -s -C "$top" all
# bench/run.sh smp [scaling|micro|all]: several harts (bench/smp.py)
if [ "${1:-}" = smp ]; then shift; exec python3 "$top/bench/smp.py" "$@"; fi
exec python3 "$top/bench/bench.py" "$@"
