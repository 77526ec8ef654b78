#!/bin/sh
# layers.sh — the kernel's files form layers (docs/overview.md, "Layers"):
# no call from a lower layer into a higher one, no loop of files within a
# layer, no source file over 800 lines, except those docs/overview.md lists
# with their reasons. Reads the objects of the kernel build ($KITE_BUILD).
top=$(cd "$(dirname "$0")/../.." && pwd)
exec python3 "$top/scripts/check-layers.py" "${KITE_BUILD:-$top/build}"
