/*
 * devtree.h — what Kite learns from the device tree at boot.
 *
 * Layer: core (kern/devtree.c, over libfdt). Filled once by kmain on the
 * boot hart before anything else runs; read-only afterwards, so no lock.
 * Its readers: kern/main.c (bring-up), kern/page_alloc.c (RAM and the
 * reserved ranges), kern/smp.c (the harts), drivers/ (device addresses).
 */
#ifndef KITE_DEVTREE_H
#define KITE_DEVTREE_H

#include "kern/types.h"
#include "kern/param.h"

#define MAX_RESERVED 16
#define MAX_VIRTIO 8

struct boot_info {
  paddr_t dtb_pa;
  uint64_t dtb_size;
  paddr_t ram_start;
  uint64_t ram_size;
  paddr_t reserved[MAX_RESERVED][2];  /* [start, end) */
  int nreserved;
  char bootargs[1024];
  uint64_t timebase;
  bool has_sstc;
  paddr_t uart_base;
  int uart_irq;
  int uart_reg_shift;
  paddr_t plic_base;
  int plic_ndev;
  int plic_context;                   /* S-mode context of the boot hart */
  paddr_t rtc_base;
  int rtc_irq;
  paddr_t virtio_base[MAX_VIRTIO];
  int virtio_irq[MAX_VIRTIO];
  int nvirtio;
  paddr_t test_base;                  /* sifive,test power-off device */
  uint64_t boot_hartid;
  char isa[128];
  paddr_t initrd_start, initrd_end;   /* an initramfs the boot loader placed (QEMU -initrd) */
  /* Every usable hart (device_type "cpu", status okay), the boot hart
   * first; at most NCPU. Hart ids are whatever the tree says: they need
   * not start at 0 nor be contiguous. */
  int nharts;
  uint64_t hartid[NCPU];
  int hart_plic_context[NCPU];        /* S-mode PLIC context of each (-1: none) */
};

extern struct boot_info boot_info;
/* Fill boot_info from the device tree blob at physical dtb_pa (the boot
 * hart is hartid): RAM, reserved ranges (the blob and the initrd among
 * them), harts, the timebase, devices, bootargs. Returns 0, or -1 if the
 * blob is not a valid device tree (kmain panics). Boot hart, once. */
int devtree_parse(paddr_t dtb_pa, uint64_t hartid);

#endif
