#!/bin/sh
# kite-test: smp
# smoke.sh — `make test-qemu-smoke` as part of `make test`.
exec "$(dirname "$0")/../../scripts/smoke.sh"
