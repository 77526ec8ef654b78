/*
 * vdso_image.S — the vDSO (arch/riscv/vdso/, built by the Makefile as a
 * small shared library) linked into the kernel image, page aligned, so its
 * pages can be mapped into every process as they are.
 *
 * Layer: arch (data only). Read by kern/vm.c, which maps the pages into
 * each new address space (exec). No locks.
 */
  .section .rodata.vdso, "a"
  .balign 4096
  .globl vdso_image_start, vdso_image_end
vdso_image_start:
  .incbin VDSO_FILE
vdso_image_end:
  .balign 4096
