#!/bin/sh
# layers.sh — the kernel's files form layers (docs/overview.md, "Layers"):
# no call from a lower layer into a higher one, no loop of files within a
# layer, no source file over 800 lines, except those docs/overview.md lists
# with their reasons. Reads the objects of the kernel build ($KITE_BUILD).
# Then the contracts (scripts/check-contracts.py): every file opens with a
# comment naming its layer, every function a header declares has a comment
# above it — enforced for the directories listed in that script.
top=$(cd "$(dirname "$0")/../.." && pwd)
fail=0
python3 "$top/scripts/check-layers.py" "${KITE_BUILD:-$top/build}" || fail=1
python3 "$top/scripts/check-contracts.py" || fail=1
exit $fail
