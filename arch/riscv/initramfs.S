/*
 * initramfs.S — the initramfs cpio archive, linked into the kernel image.
 *
 * Layer: arch (data only: _initramfs_start/_end), read by kmain at boot.
 * No locks.
 */
  .section .initramfs, "a"
  .balign 4096  /* file data page-aligned in the archive is page-aligned in memory (fs/initramfs.c) */
  .incbin INITRAMFS_FILE
