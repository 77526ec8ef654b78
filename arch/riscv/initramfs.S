/* initramfs.S — the initramfs cpio archive, linked into the kernel image. */
  .section .initramfs, "a"
  .balign 4
  .incbin INITRAMFS_FILE
