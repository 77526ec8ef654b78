#!/bin/sh
# docs.sh — the generated docs match the code they describe.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
fail=0
tmp=$(mktemp)
"$top/scripts/gen-syscall-doc.sh" > "$tmp"
if cmp -s "$tmp" "$top/docs/syscalls.md"; then
  echo "PASS: docs/syscalls.md matches kern/syscall.tbl"
else
  echo "FAIL: docs/syscalls.md is stale: run scripts/gen-syscall-doc.sh > docs/syscalls.md"
  diff "$top/docs/syscalls.md" "$tmp" | head -20
  fail=1
fi
rm -f "$tmp"
for page in overview boot memory traps tasks; do
  if [ -s "$top/docs/$page.md" ]; then echo "PASS: docs/$page.md exists"; else echo "FAIL: docs/$page.md missing"; fail=1; fi
done
# The README names the two commands first.
first=$(grep -m2 -o 'make \(run\|test\)' "$top/README.md" | tr '\n' ' ')
if [ "$first" = "make run make test " ]; then echo "PASS: README starts with make run and make test"; else
  echo "FAIL: README does not start with the two commands (found: $first)"; fail=1; fi
exit $fail
