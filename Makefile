# Kite — top-level Makefile.
#
#   make / make all     build the kernel ELF `kernel-rv` (the OSComp contract)
#   make run            boot Kite in QEMU to a busybox shell (SMP=4: on 4 harts;
#                       APPEND='...' kernel command line, EXTRA=<dir> added to
#                       the initramfs, DISK=<img>, DISK2=<img>, NET=1)
#   make test           run every test; ends with "N passed, M failed"
#   make fuzz           the system-call fuzzer for FUZZ_TIME seconds (default
#                       600; FUZZ_SEED=n replays a run)
#   make oscomp         build an OSComp-shaped test disk from Debian's programs,
#                       boot kernel-rv under the judge's QEMU command with it and
#                       print the scoreboard (LINUX=1: the reference Linux too;
#                       TESTSUITE=<dir>: the official suite's checkout instead;
#                       FS=vfat|ext4; docs/oscomp.md)
#   make ltp LTP=<dir>  build LTP's syscalls tests from your own LTP checkout,
#                       run them on Kite (LINUX=1: and on the reference Linux)
#                       and write the per-test table (LTP_LIBC=glibc|musl,
#                       LTP_ONLY="a b": just those, LTP_OUT=<dir>: results
#                       there, not build/ltp-<libc>; optional, docs/ltp.md)
#   make test-qemu-smoke  boot non-interactively and run the smoke programs
#   make stress         the race stress on 4 harts for 5 minutes (SMP=,
#                       SMP_STRESS_SECONDS=, STRESS_LOCKDEP=1 for the debug
#                       kernel with the lock-order checker)
#   make debug          boot halted, waiting for gdb-multiarch (see README)
#
# Every target installs what it needs first (scripts/setup-host.sh) and
# builds third-party code from Debian source packages into a cache outside
# the tree ($(KITE_CACHE), default ~/.cache/kite).

BUILD ?= build
# One spelling for the build directory: the test scripts pass it absolute
# ($KITE_BUILD), `make` alone relative; dependency files written under one
# spelling do not match targets named with the other, which left stale
# objects behind (an LTO type-mismatch warning and a misbuilt kernel).
override BUILD := $(abspath $(BUILD))
KERNEL_OUT ?= kernel-rv
export KITE_CACHE ?= $(HOME)/.cache/kite
# Scripts and tests find the build through these (so several trees of
# builds can coexist: make BUILD=build/mine KERNEL_OUT=build/mine/kernel-rv).
export KITE_BUILD := $(abspath $(BUILD))
export KERNEL := $(abspath $(KERNEL_OUT))
CROSS ?= riscv64-linux-gnu-
CC := $(CROSS)gcc
OBJCOPY := $(CROSS)objcopy
OBJDUMP := $(CROSS)objdump
NM := $(CROSS)nm
Q ?= @

.SECONDEXPANSION:

# Goals that need no toolchain or third-party code.
NO_SETUP_GOALS := clean distclean help
ifneq ($(filter-out $(NO_SETUP_GOALS),$(or $(MAKECMDGOALS),all)),)
  $(shell mkdir -p $(BUILD))
  SETUP_STATUS := $(shell scripts/prepare-third-party.sh $(BUILD)/third-party.mk >&2 && echo ok)
  ifneq ($(SETUP_STATUS),ok)
    $(error set-up failed (see the messages above))
  endif
  include $(BUILD)/third-party.mk
endif

# ---- the kernel ----

# Optional subsystems: FAT32 (fs/fat/), ext4 (fs/ext4/) and the network
# stack (net/, with lwIP). All are built by default; `make WITH_NET=` leaves
# one out (its system calls then answer ENOSYS), which is how a subsystem
# under construction is kept out of everyone else's build.
WITH_FAT ?= 1
WITH_EXT4 ?= 1
WITH_NET ?= 1
export WITH_FAT WITH_EXT4 WITH_NET
KERNEL_SRCS := \
  arch/riscv/entry.S arch/riscv/bootpt.S arch/riscv/trapvec.S arch/riscv/swtch.S arch/riscv/fpu.S arch/riscv/trap.c arch/riscv/sbi.c arch/riscv/pgtable.c \
  $(wildcard kern/*.c) $(wildcard fs/*.c) $(if $(WITH_FAT),$(wildcard fs/fat/*.c)) $(wildcard ipc/*.c) \
  $(if $(WITH_EXT4),$(wildcard fs/ext4/*.c)) \
  $(wildcard drivers/*.c drivers/*/*.c) $(if $(WITH_NET),$(wildcard net/*.c))

LIBFDT_SRCS := fdt.c fdt_ro.c fdt_wip.c fdt_sw.c fdt_rw.c fdt_strerror.c fdt_addresses.c

GCC_INCLUDE := $(shell $(CC) -print-file-name=include 2>/dev/null)
KCFLAGS := -march=rv64gc -mabi=lp64d -mcmodel=medany -ffreestanding -nostdinc \
  -isystem $(GCC_INCLUDE) -I. -Ikern/libc -I$(LIBFDT_DIR) -I$(BUILD) \
  -O2 -g -flto=auto -std=gnu11 -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers \
  -fno-pie -fno-stack-protector -fno-omit-frame-pointer -fno-common -fno-strict-aliasing \
  -MMD -MP
# Mistakes that compile with only a warning but break at run time: a function
# used without its header returns a truncated int, a pointer passed as the
# wrong type. Splitting headers makes them easy to introduce; make them errors.
KCFLAGS += -Werror=implicit-function-declaration -Werror=implicit-int -Werror=int-conversion \
  -Werror=incompatible-pointer-types -Werror=return-type
# LOCKDEP=1: a debug kernel with the lock-order checker (kern/lockdep.c);
# build it in its own directory, e.g. make LOCKDEP=1 BUILD=build/lockdep.
ifdef LOCKDEP
  KCFLAGS += -DCONFIG_LOCKDEP
endif
# The device tree comes from the firmware, which the kernel trusts anyway:
# devtree_parse checks its header once (fdt_check_header's magic and
# version), and libfdt skips its per-access bounds checks
# (FDT_ASSUME_SANE | FDT_ASSUME_FRIENDLY: a third of the boot's device tree
# walk, docs/boot.md).
LIBFDT_CFLAGS := $(KCFLAGS) -Wno-sign-compare -Wno-cast-function-type -DFDT_ASSUME_MASK=0x5
# The kernel's compiler flags (libfdt's: the kernel's and a few more),
# rewritten only when they change. Every kernel
# object (kernel/, libfdt/, lwip/) depends on it, so a changed flag rebuilds
# them all: an object left from older flags would go into the LTO link as it
# is (one -mno-relax object turns linker relaxation off for the whole kernel).
KCFLAGS_STAMP := $(BUILD)/kcflags
KLDFLAGS := -nostdlib -no-pie -Wl,--build-id=none -Wl,-T,arch/riscv/linker.ld

KOBJS := $(patsubst %,$(BUILD)/kernel/%.o,$(basename $(KERNEL_SRCS))) \
  $(BUILD)/kernel/syscall_table.o $(BUILD)/kernel/initramfs.o $(BUILD)/kernel/vdso_image.o
LIBFDT_OBJS := $(patsubst %.c,$(BUILD)/libfdt/%.o,$(LIBFDT_SRCS))

.PHONY: all run test test-qemu-smoke stress fuzz debug clean distclean help oscomp ltp FORCE
all: $(KERNEL_OUT)

$(KERNEL_OUT): $(BUILD)/kernel.elf
	$(Q)cp $< $@
	$(Q)echo "  kernel-rv ($$(stat -c %s $@) bytes)"

$(BUILD)/kernel.elf: $(KOBJS) $(LIBFDT_OBJS) $$(EXTRA_KOBJS) arch/riscv/linker.ld scripts/check-kernel.sh
	$(Q)echo "  LD      $@"
	$(Q)$(CC) $(KCFLAGS) $(KLDFLAGS) -o $@ $(KOBJS) $(LIBFDT_OBJS) $(EXTRA_KOBJS) -lgcc
	$(Q)scripts/check-kernel.sh $@

$(KCFLAGS_STAMP): FORCE
	$(Q)mkdir -p $(BUILD)
	$(Q)echo '$(LIBFDT_CFLAGS)' | cmp -s - $@ || echo '$(LIBFDT_CFLAGS)' > $@

$(BUILD)/kernel/%.o: %.c $(KCFLAGS_STAMP)
	$(Q)mkdir -p $(dir $@)
	$(Q)echo "  CC      $<"
	$(Q)$(CC) $(KCFLAGS) -c -o $@ $<

$(BUILD)/kernel/%.o: %.S $(KCFLAGS_STAMP)
	$(Q)mkdir -p $(dir $@)
	$(Q)echo "  AS      $<"
	$(Q)$(CC) $(KCFLAGS) -D__ASSEMBLY__ -c -o $@ $<

$(BUILD)/libfdt/%.o: $(LIBFDT_DIR)/%.c $(KCFLAGS_STAMP)
	$(Q)mkdir -p $(dir $@)
	$(Q)echo "  CC      libfdt/$(notdir $<)"
	$(Q)$(CC) $(LIBFDT_CFLAGS) -c -o $@ $<

# The system call table is data: kern/syscall.tbl -> C.
$(BUILD)/syscall_table.c: kern/syscall.tbl scripts/gen-syscalls.awk
	$(Q)awk -f scripts/gen-syscalls.awk $< > $@
$(BUILD)/kernel/syscall_table.o: $(BUILD)/syscall_table.c
	$(Q)mkdir -p $(dir $@)
	$(Q)echo "  CC      $<"
	$(Q)$(CC) $(KCFLAGS) -c -o $@ $<

# ---- the vDSO: a tiny shared library mapped into every process ----

VDSO_CFLAGS := -march=rv64gc -mabi=lp64d -O2 -fPIC -shared -nostdlib -fno-stack-protector \
  -fno-asynchronous-unwind-tables -Wall -Wl,-T,arch/riscv/vdso/vdso.lds -Wl,--hash-style=both \
  -Wl,-soname=linux-vdso.so.1 -Wl,--build-id=none -Wl,--no-undefined
$(BUILD)/vdso.so: arch/riscv/vdso/vdso.c arch/riscv/vdso/vdso.h arch/riscv/vdso/vdso.lds
	$(Q)echo "  VDSO    $@"
	$(Q)$(CC) $(VDSO_CFLAGS) -o $@.dbg $<
	$(Q)$(CROSS)objcopy --strip-all $@.dbg $@
	$(Q)test $$(stat -c %s $@) -le 12288 || { echo "vDSO larger than 3 pages" >&2; exit 1; }
$(BUILD)/kernel/vdso_image.o: arch/riscv/vdso_image.S $(BUILD)/vdso.so
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(KCFLAGS) -D__ASSEMBLY__ -DVDSO_FILE='"$(BUILD)/vdso.so"' -c -o $@ $<

# ---- the initramfs (busybox, musl's loader, /init, smoke programs, EXTRA) ----

MUSL_CC := $(MUSL_DIR)/bin/musl-gcc
UCFLAGS := -O2 -g -Wall
SMOKE_SRCS := $(wildcard testsuite/smoke/*.c)
SMOKE_BINS := $(patsubst testsuite/smoke/%.c,$(BUILD)/smoke/%,$(SMOKE_SRCS)) $(BUILD)/smoke/hello_dynamic

$(BUILD)/smoke/%: testsuite/smoke/%.c
	$(Q)mkdir -p $(dir $@)
	$(Q)echo "  MUSLCC  $<"
	$(Q)$(MUSL_CC) -static $(UCFLAGS) -o $@ $<
$(BUILD)/smoke/hello_dynamic: testsuite/smoke/hello.c
	$(Q)mkdir -p $(dir $@)
	$(Q)echo "  MUSLCC  $< (dynamic)"
	$(Q)$(MUSL_CC) $(UCFLAGS) -o $@ $<

# Rebuilt every time (EXTRA may have changed) but replaced only if different.
$(BUILD)/initramfs.cpio: FORCE $(SMOKE_BINS)
	$(Q)BUSYBOX=$(BUSYBOX_BIN) APPLETS=$(BUSYBOX_APPLETS) MUSL=$(MUSL_DIR) \
	  SMOKE="$(BUILD)/smoke" EXTRA="$(EXTRA)" scripts/mkinitramfs.sh $@

$(BUILD)/kernel/initramfs.o: arch/riscv/initramfs.S $(BUILD)/initramfs.cpio
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(KCFLAGS) -D__ASSEMBLY__ -DINITRAMFS_FILE='"$(BUILD)/initramfs.cpio"' -c -o $@ $<

# ---- running ----

run: $(KERNEL_OUT)
	$(Q)scripts/run-qemu.sh

debug: $(KERNEL_OUT)
	$(Q)DEBUG=1 scripts/run-qemu.sh

test-qemu-smoke: $(KERNEL_OUT)
	$(Q)scripts/smoke.sh

test: $(KERNEL_OUT)
	$(Q)scripts/test.sh

stress: $(KERNEL_OUT)
	$(Q)SMP_STRESS_SECONDS=$${SMP_STRESS_SECONDS:-300} STRESS_LOCKDEP=$${STRESS_LOCKDEP:-0} \
	  testsuite/tests/smp.sh

# The system-call fuzzer for FUZZ_TIME seconds (FUZZ_SEED replays a run).
FUZZ_TIME ?= 600
fuzz: $(KERNEL_OUT)
	$(Q)FUZZ_SECONDS=$(FUZZ_TIME) $(if $(FUZZ_SEED),FUZZ_SEED=$(FUZZ_SEED)) testsuite/tests/fuzz.sh

oscomp: $(KERNEL_OUT)
	$(Q)scripts/oscomp/run.py $(if $(LINUX),--linux) $(if $(TESTSUITE),--testsuite $(TESTSUITE)) \
	  $(if $(RECORD),--record-baselines)

LTP_LIBC ?= glibc
LTP_OUT ?= $(BUILD)/ltp-$(LTP_LIBC)
ltp: $(KERNEL_OUT)
	$(Q)test -n "$(LTP)" || { echo "make ltp: LTP=<an LTP source checkout> (docs/ltp.md)"; exit 1; }
	$(Q)dir=$$(testsuite/ltp/build.sh "$(LTP)" $(BUILD)/ltp/$(LTP_LIBC) $(LTP_LIBC)) && \
	  python3 testsuite/ltp/ltp.py run --ltp "$$dir" --system $(if $(LINUX),both,kite) \
	    $(if $(LTP_ONLY),--only "$(LTP_ONLY)") --out $(LTP_OUT) && \
	  python3 testsuite/ltp/ltp.py table --out $(LTP_OUT) > $(LTP_OUT)/table.md && \
	  echo "table: $(LTP_OUT)/table.md"

clean:
	rm -rf $(BUILD) kernel-rv

distclean: clean
	rm -rf $(KITE_CACHE)

help:
	@sed -n '1,/^$$/p' Makefile

# Subsystems with their own build rules (e.g. lwIP for net/) add objects to
# EXTRA_KOBJS and flags to KCFLAGS here.
ifdef WITH_NET
-include net/net.mk
endif

-include $(shell find $(BUILD)/kernel $(BUILD)/libfdt $(BUILD)/lwip -name '*.d' -type f 2>/dev/null)
