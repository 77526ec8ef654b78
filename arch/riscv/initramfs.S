/*
 * initramfs.S — the initramfs cpio archive, linked into the kernel image.
 *
 * Layer: arch (data only: _initramfs_start/_end), read by kmain at boot.
 * No locks.
 */
  .section .initramfs, "a"
  .balign 4
  .incbin INITRAMFS_FILE
