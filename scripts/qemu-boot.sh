#!/bin/sh
# qemu-boot.sh TIMEOUT OUTFILE [run-qemu.sh environment...] — boot Kite
# non-interactively (stdin from $INPUT or /dev/null), capture the console
# into OUTFILE, and exit with QEMU's status (124 on timeout). No host
# ports are forwarded unless the environment given sets HOSTFWD.
set -u
t=$1; out=$2; shift 2
here=$(cd "$(dirname "$0")" && pwd)
env HOSTFWD= "$@" /usr/bin/timeout -k 5 "$t" "$here/run-qemu.sh" < "${INPUT:-/dev/null}" > "$out" 2>&1
