/*
 * devtree.c — read the device tree OpenSBI hands us (with libfdt, built
 * from Debian's source: see docs/boot.md). Nothing about the machine is
 * assumed: memory, reserved ranges, the command line, the UART, the PLIC,
 * the RTC, the virtio slots and the timer frequency all come from here.
 *
 * Layer: core. Below: libfdt (built from Debian's source), arch/riscv
 * (the direct map). Above: kmain, which calls devtree_parse once on the
 * boot hart; everything else reads boot_info. No locks (boot only).
 */
#include "kern/devtree.h"
#include "kern/printk.h"
#include "arch/riscv/riscv.h"
#include <libfdt.h>
#include <string.h>

struct boot_info boot_info;

/* Read a cells-wide big-endian number. */
static uint64_t read_cells(const fdt32_t *p, int cells)
{
  uint64_t v = 0;
  for (int i = 0; i < cells; i++)
    v = (v << 32) | fdt32_to_cpu(p[i]);
  return v;
}

/* First (address, size) of a node's reg, using its parent's cell sizes. */
static int node_reg(const void *fdt, int node, uint64_t *addr, uint64_t *size)
{
  int parent = fdt_parent_offset(fdt, node);
  int ac = fdt_address_cells(fdt, parent), sc = fdt_size_cells(fdt, parent);
  int len;
  const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
  if (!reg || ac < 1 || len < (int)((ac + sc) * sizeof(fdt32_t)))
    return -1;
  *addr = read_cells(reg, ac);
  *size = sc ? read_cells(reg + ac, sc) : 0;
  return 0;
}

static int node_irq(const void *fdt, int node)
{
  int len;
  const fdt32_t *p = fdt_getprop(fdt, node, "interrupts", &len);
  return p && len >= 4 ? (int)fdt32_to_cpu(p[0]) : -1;
}

static void add_reserved(paddr_t start, paddr_t end)
{
  struct boot_info *bi = &boot_info;
  if (bi->nreserved < MAX_RESERVED && end > start) {
    bi->reserved[bi->nreserved][0] = start;
    bi->reserved[bi->nreserved][1] = end;
    bi->nreserved++;
  }
}

static void parse_memory(const void *fdt)
{
  int node;
  fdt_for_each_subnode(node, fdt, 0) {
    const char *type = fdt_getprop(fdt, node, "device_type", NULL);
    if (!type || strcmp(type, "memory"))
      continue;
    uint64_t a, s;
    if (node_reg(fdt, node, &a, &s) == 0 && s > boot_info.ram_size) {
      boot_info.ram_start = a;
      boot_info.ram_size = s;
    }
  }
  /* /memreserve/ entries and /reserved-memory children */
  int n = fdt_num_mem_rsv(fdt);
  for (int i = 0; i < n; i++) {
    uint64_t a, s;
    if (fdt_get_mem_rsv(fdt, i, &a, &s) == 0)
      add_reserved(a, a + s);
  }
  int rm = fdt_path_offset(fdt, "/reserved-memory");
  if (rm >= 0) {
    fdt_for_each_subnode(node, fdt, rm) {
      uint64_t a, s;
      if (node_reg(fdt, node, &a, &s) == 0)
        add_reserved(a, a + s);
    }
  }
}

static void parse_cpus(const void *fdt, uint64_t hartid)
{
  int cpus = fdt_path_offset(fdt, "/cpus");
  if (cpus < 0)
    return;
  int len;
  const fdt32_t *tb = fdt_getprop(fdt, cpus, "timebase-frequency", &len);
  if (tb)
    boot_info.timebase = read_cells(tb, len / 4);
  int node;
  boot_info.nharts = 1;
  boot_info.hartid[0] = hartid;
  fdt_for_each_subnode(node, fdt, cpus) {
    uint64_t a, s;
    const char *type = fdt_getprop(fdt, node, "device_type", NULL);
    const char *status = fdt_getprop(fdt, node, "status", NULL);
    if (!type || strcmp(type, "cpu") || node_reg(fdt, node, &a, &s))
      continue;
    if (a != hartid && (!status || !strcmp(status, "okay")) && boot_info.nharts < NCPU)
      boot_info.hartid[boot_info.nharts++] = a;
    if (a != hartid)
      continue;
    const char *isa = fdt_getprop(fdt, node, "riscv,isa", NULL);
    if (isa) {
      strlcpy(boot_info.isa, isa, sizeof(boot_info.isa));
      boot_info.has_sstc = strstr(isa, "sstc") != NULL;
    }
    /* Newer trees list extensions separately. */
    const char *ext = fdt_getprop(fdt, node, "riscv,isa-extensions", &len);
    for (int off = 0; ext && off < len; off += strlen(ext + off) + 1)
      if (!strcmp(ext + off, "sstc"))
        boot_info.has_sstc = true;
  }
}

/* The PLIC context whose target is this hart's S-mode (irq 9). */
static int plic_context_for_hart(const void *fdt, int plic, uint64_t hartid)
{
  int len;
  const fdt32_t *ie = fdt_getprop(fdt, plic, "interrupts-extended", &len);
  if (!ie)
    return -1;
  int n = len / 8; /* pairs (phandle, irq) */
  for (int ctx = 0; ctx < n; ctx++) {
    uint32_t phandle = fdt32_to_cpu(ie[2 * ctx]);
    uint32_t irq = fdt32_to_cpu(ie[2 * ctx + 1]);
    if (irq != IRQ_S_EXT)
      continue;
    int intc = fdt_node_offset_by_phandle(fdt, phandle);
    int cpu = intc >= 0 ? fdt_parent_offset(fdt, intc) : -1;
    uint64_t a, s;
    if (cpu >= 0 && node_reg(fdt, cpu, &a, &s) == 0 && a == hartid)
      return ctx;
  }
  return -1;
}

static void parse_devices(const void *fdt, uint64_t hartid)
{
  struct boot_info *bi = &boot_info;
  int node;
  uint64_t a, s;
  node = fdt_node_offset_by_compatible(fdt, -1, "ns16550a");
  if (node >= 0 && node_reg(fdt, node, &a, &s) == 0) {
    bi->uart_base = a;
    bi->uart_irq = node_irq(fdt, node);
    int len;
    const fdt32_t *rs = fdt_getprop(fdt, node, "reg-shift", &len);
    bi->uart_reg_shift = rs ? (int)fdt32_to_cpu(rs[0]) : 0;
  }
  node = fdt_node_offset_by_compatible(fdt, -1, "riscv,plic0");
  if (node < 0)
    node = fdt_node_offset_by_compatible(fdt, -1, "sifive,plic-1.0.0");
  if (node >= 0 && node_reg(fdt, node, &a, &s) == 0) {
    bi->plic_base = a;
    int len;
    const fdt32_t *nd = fdt_getprop(fdt, node, "riscv,ndev", &len);
    bi->plic_ndev = nd ? (int)fdt32_to_cpu(nd[0]) : 0;
    bi->plic_context = plic_context_for_hart(fdt, node, hartid);
    if (bi->plic_context < 0)
      bi->plic_context = 2 * (int)hartid + 1;
    for (int i = 0; i < bi->nharts; i++) {
      int ctx = plic_context_for_hart(fdt, node, bi->hartid[i]);
      bi->hart_plic_context[i] = ctx >= 0 ? ctx : 2 * (int)bi->hartid[i] + 1;
    }
  }
  node = fdt_node_offset_by_compatible(fdt, -1, "google,goldfish-rtc");
  if (node >= 0 && node_reg(fdt, node, &a, &s) == 0) {
    bi->rtc_base = a;
    bi->rtc_irq = node_irq(fdt, node);
  }
  node = fdt_node_offset_by_compatible(fdt, -1, "sifive,test0");
  if (node >= 0 && node_reg(fdt, node, &a, &s) == 0)
    bi->test_base = a;
  /* virtio-mmio slots, sorted by address so slot 0 is 0x10001000 */
  for (node = fdt_node_offset_by_compatible(fdt, -1, "virtio,mmio"); node >= 0;
       node = fdt_node_offset_by_compatible(fdt, node, "virtio,mmio")) {
    if (bi->nvirtio >= MAX_VIRTIO || node_reg(fdt, node, &a, &s))
      continue;
    int i = bi->nvirtio++;
    while (i > 0 && bi->virtio_base[i - 1] > a) {
      bi->virtio_base[i] = bi->virtio_base[i - 1];
      bi->virtio_irq[i] = bi->virtio_irq[i - 1];
      i--;
    }
    bi->virtio_base[i] = a;
    bi->virtio_irq[i] = node_irq(fdt, node);
  }
}

/* A /chosen property holding one address, 32 or 64 bits wide; 0 if absent. */
static uint64_t chosen_addr(const void *fdt, int chosen, const char *name)
{
  int len;
  const fdt32_t *v = fdt_getprop(fdt, chosen, name, &len);
  if (!v)
    return 0;
  if (len == 8)
    return ((uint64_t)fdt32_to_cpu(v[0]) << 32) | fdt32_to_cpu(v[1]);
  return len == 4 ? fdt32_to_cpu(v[0]) : 0;
}

/* The initramfs a boot loader loaded for us (linux,initrd-start/end):
 * reserved until fs_init has unpacked it. */
static void parse_initrd(const void *fdt, int chosen)
{
  uint64_t start = chosen_addr(fdt, chosen, "linux,initrd-start");
  uint64_t end = chosen_addr(fdt, chosen, "linux,initrd-end");
  if (!start || end <= start)
    return;
  boot_info.initrd_start = start;
  boot_info.initrd_end = end;
  add_reserved(PGROUNDDOWN(start), PGROUNDUP(end));
}

int devtree_parse(paddr_t dtb_pa, uint64_t hartid)
{
  const void *fdt = pa_to_kva(dtb_pa);
  if (fdt_check_header(fdt) != 0)
    return -1;
  struct boot_info *bi = &boot_info;
  bi->dtb_pa = dtb_pa;
  bi->dtb_size = fdt_totalsize(fdt);
  bi->boot_hartid = hartid;
  add_reserved(PGROUNDDOWN(dtb_pa), PGROUNDUP(dtb_pa + bi->dtb_size));
  parse_memory(fdt);
  parse_cpus(fdt, hartid);
  parse_devices(fdt, hartid);
  int chosen = fdt_path_offset(fdt, "/chosen");
  if (chosen >= 0) {
    const char *args = fdt_getprop(fdt, chosen, "bootargs", NULL);
    if (args)
      strlcpy(bi->bootargs, args, sizeof(bi->bootargs));
    parse_initrd(fdt, chosen);
  }
  return 0;
}
