#!/bin/sh
# smoke.sh — `make test-qemu-smoke` as part of `make test`.
exec "$(dirname "$0")/../../scripts/smoke.sh"
