#!/bin/sh
# build-linux-ref.sh — the reference Linux kernel for bench/: Debian's
# linux-source-6.1, allnoconfig plus the fragment below (the options the test
# groups and bench/ touch), built once per fragment and cached. Prints the path of the Image.
set -eu
"$(dirname "$0")/setup-host.sh" bench >&2
cache=${KITE_CACHE:-$HOME/.cache/kite}
mkdir -p "$cache"
work=$cache/linux-ref
mkdir -p "$work"
cd "$work"
# One build at a time: parallel tests and benchmarks may all ask for it.
exec 9> "$work/.lock"
flock 9
deb=$(ls linux-source-6.1_*.deb 2>/dev/null | head -1 || true)
if [ -z "$deb" ]; then
  echo "build-linux-ref: downloading linux-source-6.1 (about 140 MB)" >&2
  apt-get download linux-source-6.1 >&2 || { echo "build-linux-ref: apt-get download failed" >&2; exit 1; }
  deb=$(ls linux-source-6.1_*.deb | head -1)
fi
ver=$(echo "$deb" | sed 's/linux-source-6.1_\(.*\)_all.deb/\1/')
if [ ! -d "src-$ver" ]; then
  echo "build-linux-ref: unpacking $deb" >&2
  rm -rf x && mkdir x && dpkg -x "$deb" x
  tarball=$(ls x/usr/src/linux-source-6.1*.tar.xz)
  mkdir -p "src-$ver.tmp" && tar -xf "$tarball" -C "src-$ver.tmp" --strip-components=1
  mv "src-$ver.tmp" "src-$ver"
  rm -rf x
fi
cd "src-$ver"
cat > kite-ref.config <<'CFG'
CONFIG_NONPORTABLE=y
CONFIG_64BIT=y
CONFIG_MMU=y
CONFIG_SOC_VIRT=y
CONFIG_SMP=y
CONFIG_FPU=y
CONFIG_RISCV_ISA_C=y
CONFIG_CC_OPTIMIZE_FOR_PERFORMANCE=y
CONFIG_EXPERT=y
CONFIG_BASE_FULL=y
CONFIG_MULTIUSER=y
CONFIG_PRINTK=y
CONFIG_EPOLL=y
CONFIG_SIGNALFD=y
CONFIG_TIMERFD=y
CONFIG_EVENTFD=y
CONFIG_FUTEX=y
CONFIG_SHMEM=y
CONFIG_POSIX_TIMERS=y
CONFIG_FILE_LOCKING=y
CONFIG_HIGH_RES_TIMERS=y
CONFIG_HZ_250=y
CONFIG_PREEMPT_NONE=y
CONFIG_SLUB=y
CONFIG_BLK_DEV_INITRD=y
CONFIG_RD_GZIP=y
CONFIG_BINFMT_ELF=y
CONFIG_BINFMT_SCRIPT=y
CONFIG_BLOCK=y
CONFIG_BLK_DEV=y
CONFIG_VIRTIO_BLK=y
CONFIG_NET=y
CONFIG_INET=y
CONFIG_IPV6=y
CONFIG_UNIX=y
CONFIG_NETDEVICES=y
CONFIG_NET_CORE=y
CONFIG_VIRTIO_NET=y
CONFIG_VIRTIO_MENU=y
CONFIG_VIRTIO_MMIO=y
CONFIG_TTY=y
CONFIG_SERIAL_8250=y
CONFIG_SERIAL_8250_CONSOLE=y
CONFIG_SERIAL_OF_PLATFORM=y
CONFIG_SERIAL_EARLYCON=y
CONFIG_DEVTMPFS=y
CONFIG_DEVTMPFS_MOUNT=y
CONFIG_PROC_FS=y
CONFIG_SYSFS=y
CONFIG_TMPFS=y
CONFIG_MSDOS_FS=y
CONFIG_VFAT_FS=y
CONFIG_NLS=y
CONFIG_NLS_CODEPAGE_437=y
CONFIG_NLS_ISO8859_1=y
CONFIG_NLS_UTF8=y
CONFIG_FAT_DEFAULT_UTF8=y
CONFIG_RTC_CLASS=y
CONFIG_RTC_DRV_GOLDFISH=y
CONFIG_RTC_INTF_DEV=y
CONFIG_RTC_INTF_PROC=y
CONFIG_RTC_INTF_SYSFS=y
CONFIG_RTC_HCTOSYS=y
CONFIG_RTC_HCTOSYS_DEVICE="rtc0"
CONFIG_GOLDFISH=y
CONFIG_SYSVIPC=y
CONFIG_POSIX_MQUEUE=y
CONFIG_EXT4_FS=y
CONFIG_EXT4_FS_POSIX_ACL=y
CONFIG_EXT4_FS_SECURITY=y
CONFIG_JBD2=y
CONFIG_FSNOTIFY=y
CONFIG_INOTIFY_USER=y
CONFIG_AIO=y
CONFIG_TMPFS_XATTR=y
CONFIG_TMPFS_POSIX_ACL=y
CONFIG_FHANDLE=y
CONFIG_PARTITION_ADVANCED=y
CONFIG_MSDOS_PARTITION=y
CONFIG_EFI_PARTITION=y
CONFIG_BLK_DEV_LOOP=y
CONFIG_CROSS_MEMORY_ATTACH=y
CONFIG_ADVISE_SYSCALLS=y
CONFIG_MEMBARRIER=y
CONFIG_KCMP=y
CONFIG_CHECKPOINT_RESTORE=y
CONFIG_RSEQ=y
CONFIG_SYSCTL=y
CONFIG_PROC_SYSCTL=y
CONFIG_UNIX98_PTYS=y
CONFIG_NAMESPACES=y
CONFIG_UTS_NS=y
CONFIG_IPC_NS=y
CONFIG_PID_NS=y
CONFIG_USER_NS=y
CONFIG_MODULES=n
CONFIG_PCI=n
CONFIG_EFI=n
CFG
# The cached Image is keyed by the source version and this fragment.
out=$work/Image-$ver-$(md5sum < kite-ref.config | cut -c1-8)
if [ -f "$out" ]; then echo "$out"; exit 0; fi
if [ ! -f .config ] || ! cmp -s kite-ref.config .kite-ref.config.used; then
  echo "build-linux-ref: configuring" >&2
  make ARCH=riscv CROSS_COMPILE=riscv64-linux-gnu- KCONFIG_ALLCONFIG=kite-ref.config allnoconfig >/dev/null
  cp kite-ref.config .kite-ref.config.used
fi
echo "build-linux-ref: building Image (several minutes on 2 cores)" >&2
make ARCH=riscv CROSS_COMPILE=riscv64-linux-gnu- -j"$(nproc)" Image > build.log 2>&1 || { tail -30 build.log >&2; exit 1; }
cp arch/riscv/boot/Image "$out"
echo "$out"
