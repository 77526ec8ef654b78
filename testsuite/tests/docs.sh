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
# Every ENOSYS row says why (the status column of kern/syscall.tbl).
noreason=$(grep -c '| ENOSYS | (no reason' "$tmp")
if [ "$noreason" -eq 0 ]; then echo "PASS: docs/syscalls.md gives a reason for every ENOSYS row"
else echo "FAIL: docs/syscalls.md: $noreason ENOSYS rows without a reason (add enosys rows to kern/syscall.tbl)"; grep '| ENOSYS | (no reason' "$tmp" | head; fail=1; fi
# ... and the reason is one, not a placeholder ("not yet", "planned", "undecided").
vague=$(grep -cE '\| ENOSYS \| (not yet|planned|undecided|todo)[^|]{0,20} \|' "$tmp")
if [ "$vague" -eq 0 ]; then echo "PASS: docs/syscalls.md: no ENOSYS row gives a placeholder for a reason"
else echo "FAIL: docs/syscalls.md: $vague ENOSYS rows give a placeholder, not a reason"; grep -E '\| ENOSYS \| (not yet|planned|undecided|todo)[^|]{0,20} \|' "$tmp" | head; fail=1; fi
rm -f "$tmp"
# Every page the overview links to exists.
for page in $(sed -n 's/^| \[[^]]*\](\([a-z0-9_-]*\.md\)).*/\1/p' "$top/docs/overview.md"); do
  if [ -s "$top/docs/$page" ]; then echo "PASS: docs/$page exists"; else echo "FAIL: docs/$page (linked from overview.md) missing"; fail=1; fi
done
# Subsystem pages have seven sections (goals ... benchmark plan); reference pages
# (marked "<!-- reference page" on their first line) and the index pages do not.
for f in "$top"/docs/*.md; do
  case $(basename "$f") in overview.md|syscalls.md|storage-tests.md) continue ;; esac
  head -1 "$f" | grep -q '^<!-- reference page' && continue
  missing=
  for h in "Goals" "Design" "Key data structures" "Flow" "Risks and trade-offs" "Test points" "Benchmark plan"; do
    grep -q "^## $h" "$f" || missing="$missing, $h"
  done
  if [ -z "$missing" ]; then echo "PASS: docs/$(basename "$f") has the seven sections"
  else echo "FAIL: docs/$(basename "$f") lacks sections: ${missing#, }"; fail=1; fi
done
# The README names the two commands first.
first=$(grep -m2 -o 'make \(run\|test\)' "$top/README.md" | tr '\n' ' ')
if [ "$first" = "make run make test " ]; then echo "PASS: README starts with make run and make test"; else
  echo "FAIL: README does not start with the two commands (found: $first)"; fail=1; fi
exit $fail
