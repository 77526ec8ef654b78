#!/bin/sh
# check-kernel.sh KERNEL.elf — build-time checks on the kernel image.
#  1. It must fit below the DTB that OpenSBI's fw_jump places 32 MiB above
#     the kernel (0x82200000): the image and its .bss end below that.
#  2. The kernel must not use floating-point registers outside the code
#     that saves and restores user FP state (fpu.S): user FP registers stay
#     live while in the kernel.
set -eu
elf=$1
CROSS=${CROSS:-riscv64-linux-gnu-}
end=$(${CROSS}nm "$elf" | awk '$3 == "_kernel_end" { print $1 }')
start=$(${CROSS}nm "$elf" | awk '$3 == "_kernel_start" { print $1 }')
# (The low 12 hex digits: dash's arithmetic stops at INT64_MAX, and a
# kernel address 0xffffffc0... would be taken as that, for both ends.)
size=$(( 0x$(echo "$end" | tail -c 13) - 0x$(echo "$start" | tail -c 13) ))
limit=$(( 32 * 1024 * 1024 ))
if [ "$size" -ge "$limit" ]; then
  echo "check-kernel: image is $size bytes, over the 32 MiB fw_jump limit" >&2
  exit 1
fi
# objdump lines are "address:<TAB>bytes<TAB>mnemonic operands": look at the
# mnemonic only (instruction bytes like "faddfce3" are not an fadd).
fp=$(${CROSS}objdump -d "$elf" | awk -F'\t' '
  /^[0-9a-f]+ <.*>:$/ { split($0, w, " "); fn = w[2] }
  NF >= 3 && $3 ~ /^(fld|fsd|flw|fsw|fmv|fcvt|fadd|fsub|fmul|fdiv|fsqrt|fmadd|fmsub|fnmadd|fnmsub|fsgnj|fmin|fmax|feq|flt|fle|fclass|frcsr|fscsr|fsrm|frrm|fsflags|frflags)/ {
    if (fn != "<fpu_save>:" && fn != "<fpu_restore>:") print fn
  }' | sort -u)
if [ -n "$fp" ]; then
  echo "check-kernel: floating-point instructions in kernel functions: $fp" >&2
  exit 1
fi
# 3. System calls in kern/syscall.tbl whose handler is not linked answer
#    ENOSYS (their subsystem was left out of this build): say which.
top=$(cd "$(dirname "$0")/.." && pwd)
have=$(${CROSS}nm "$elf" | awk '$2 == "T" && $3 ~ /^sys_/ { print substr($3, 5) }' | sort)
missing=$(awk -F'\t' '!/^#/ && NF >= 3 && $3 !~ /^enosys/ { print $2 }' "$top/kern/syscall.tbl" | sort | comm -23 - /dev/fd/3 3<<EOT
$have
EOT
)
if [ -n "$missing" ]; then
  echo "  note: not in this build (ENOSYS): $(echo $missing)"
fi
