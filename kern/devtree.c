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

/*
 * The tree is read in one walk, node after node in the blob's order
 * (fdt_next_node, which also gives each node's depth). A node's meaning
 * depends on where it is — a cpu is a child of /cpus, a "reg" is written
 * in the cell sizes its parent declares — so the walk keeps, for each
 * depth, the node there. libfdt's own searches
 * (fdt_parent_offset, fdt_node_offset_by_compatible, ..._by_phandle) each
 * rescan the blob from its start: one per device cost more than all the
 * rest of the boot before the page allocator (docs/boot.md).
 */
#define DT_MAX_DEPTH 16

struct dt_walk {
  const void *fdt;
  int node[DT_MAX_DEPTH];        /* the current node (at depth d) and its ancestors */
  int cpus, reserved_memory;     /* /cpus and /reserved-memory, or -1 */
  int cpu_index;                 /* the cpu node at depth 2: its index in boot_info.hartid, or -1 */
  int plic;                      /* the PLIC node, or -1 */
  /* The phandle of each hart's interrupt controller (a child of its cpu
   * node), by index in boot_info.hartid: the PLIC names its contexts by it. */
  uint32_t hart_intc[NCPU];
};

/* Read a cells-wide big-endian number. */
static uint64_t read_cells(const fdt32_t *p, int cells)
{
  uint64_t v = 0;
  for (int i = 0; i < cells; i++)
    v = (v << 32) | fdt32_to_cpu(p[i]);
  return v;
}

/* First (address, size) of the reg of the node at depth (> 0), in the cell
 * sizes its parent declares. The parent's #address-cells and #size-cells
 * are read here, for the few nodes whose reg is wanted: read for every
 * node of the walk, they were half of its 1.0 M guest instructions. */
static int node_reg(const struct dt_walk *w, int depth, uint64_t *addr, uint64_t *size)
{
  int ac = fdt_address_cells(w->fdt, w->node[depth - 1]);
  int sc = fdt_size_cells(w->fdt, w->node[depth - 1]);
  int len;
  const fdt32_t *reg = fdt_getprop(w->fdt, w->node[depth], "reg", &len);
  if (!reg || ac < 1 || sc < 0 || len < (int)((ac + sc) * sizeof(fdt32_t)))
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

/* Is the node's name `name`, with or without a unit address ("cpus", "cpus@0")? */
static bool name_is(const void *fdt, int node, const char *name)
{
  const char *n = fdt_get_name(fdt, node, NULL);
  size_t len = strlen(name);
  return n && strncmp(n, name, len) == 0 && (n[len] == 0 || n[len] == '@');
}

static bool prop_is(const void *fdt, int node, const char *prop, const char *value)
{
  const char *v = fdt_getprop(fdt, node, prop, NULL);
  return v && strcmp(v, value) == 0;
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

/* A child of the root with device_type "memory": the largest one is RAM. */
static void visit_memory(const struct dt_walk *w)
{
  uint64_t a, s;
  if (node_reg(w, 1, &a, &s) == 0 && s > boot_info.ram_size) {
    boot_info.ram_start = a;
    boot_info.ram_size = s;
  }
}

/* /cpus: the timer frequency. */
static void visit_cpus(const struct dt_walk *w)
{
  int len;
  const fdt32_t *tb = fdt_getprop(w->fdt, w->node[1], "timebase-frequency", &len);
  if (tb)
    boot_info.timebase = read_cells(tb, len / 4);
}

/* A child of /cpus. The boot hart is boot_info.hartid[0] (devtree_parse
 * put it there), the others usable ones follow; only the boot hart's ISA
 * string is kept. Sets w->cpu_index for the node's children. */
static void visit_cpu(struct dt_walk *w, uint64_t hartid)
{
  const void *fdt = w->fdt;
  int node = w->node[2], len;
  uint64_t a, s;
  w->cpu_index = -1;
  if (!prop_is(fdt, node, "device_type", "cpu") || node_reg(w, 2, &a, &s))
    return;
  if (a != hartid) {
    const char *status = fdt_getprop(fdt, node, "status", NULL);
    if ((!status || !strcmp(status, "okay")) && boot_info.nharts < NCPU) {
      w->cpu_index = boot_info.nharts;
      boot_info.hartid[boot_info.nharts++] = a;
    }
    return;
  }
  w->cpu_index = 0;
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

/* A node with a "compatible" list: the devices Kite drives. The first
 * UART, PLIC, RTC and test device in the tree are used; every virtio-mmio
 * slot is kept, sorted by address so slot 0 is 0x10001000. */
static void visit_device(struct dt_walk *w, int depth, const char *compat, int len)
{
  struct boot_info *bi = &boot_info;
  const void *fdt = w->fdt;
  int node = w->node[depth];
  uint64_t a, s;
  if (node_reg(w, depth, &a, &s))
    return;
  if (!bi->uart_base && fdt_stringlist_contains(compat, len, "ns16550a")) {
    bi->uart_base = a;
    bi->uart_irq = node_irq(fdt, node);
    const fdt32_t *rs = fdt_getprop(fdt, node, "reg-shift", NULL);
    bi->uart_reg_shift = rs ? (int)fdt32_to_cpu(rs[0]) : 0;
  } else if (w->plic < 0 && (fdt_stringlist_contains(compat, len, "riscv,plic0") ||
                             fdt_stringlist_contains(compat, len, "sifive,plic-1.0.0"))) {
    w->plic = node;
    bi->plic_base = a;
    const fdt32_t *nd = fdt_getprop(fdt, node, "riscv,ndev", NULL);
    bi->plic_ndev = nd ? (int)fdt32_to_cpu(nd[0]) : 0;
  } else if (!bi->rtc_base && fdt_stringlist_contains(compat, len, "google,goldfish-rtc")) {
    bi->rtc_base = a;
    bi->rtc_irq = node_irq(fdt, node);
  } else if (!bi->test_base && fdt_stringlist_contains(compat, len, "sifive,test0")) {
    bi->test_base = a;
  } else if (bi->nvirtio < MAX_VIRTIO && fdt_stringlist_contains(compat, len, "virtio,mmio")) {
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

/* A property of /chosen holding one address, 32 or 64 bits wide; 0 if absent. */
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

/* /chosen: the command line, and the initramfs a boot loader loaded for us
 * (linux,initrd-start/end), reserved until fs_init has unpacked it. */
static void visit_chosen(const void *fdt, int chosen)
{
  const char *args = fdt_getprop(fdt, chosen, "bootargs", NULL);
  if (args)
    strlcpy(boot_info.bootargs, args, sizeof(boot_info.bootargs));
  uint64_t start = chosen_addr(fdt, chosen, "linux,initrd-start");
  uint64_t end = chosen_addr(fdt, chosen, "linux,initrd-end");
  if (!start || end <= start)
    return;
  boot_info.initrd_start = start;
  boot_info.initrd_end = end;
  add_reserved(PGROUNDDOWN(start), PGROUNDUP(end));
}

/* The node at depth in the walk: what it is follows from where it is. */
static void visit(struct dt_walk *w, int depth, uint64_t hartid)
{
  const void *fdt = w->fdt;
  int node = w->node[depth], len;
  if (depth == 1) {
    if (name_is(fdt, node, "cpus")) {
      w->cpus = node;
      visit_cpus(w);
    } else if (name_is(fdt, node, "reserved-memory"))
      w->reserved_memory = node;
    else if (name_is(fdt, node, "chosen"))
      visit_chosen(fdt, node);
    else if (prop_is(fdt, node, "device_type", "memory"))
      visit_memory(w);
  } else if (depth == 2 && w->node[1] == w->reserved_memory) {
    uint64_t a, s;
    if (node_reg(w, 2, &a, &s) == 0)
      add_reserved(a, a + s);
  } else if (depth == 2 && w->node[1] == w->cpus) {
    visit_cpu(w, hartid);
  } else if (depth == 3 && w->node[1] == w->cpus && w->cpu_index >= 0) {
    uint32_t phandle = fdt_get_phandle(fdt, node);  /* the hart's interrupt controller */
    if (phandle)
      w->hart_intc[w->cpu_index] = phandle;
  }
  const char *compat = fdt_getprop(fdt, node, "compatible", &len);
  if (compat && depth > 0)
    visit_device(w, depth, compat, len);
}

/* The PLIC context whose target is the S-mode (irq 9) of the hart with
 * interrupt controller intc: interrupts-extended lists one (phandle, irq)
 * pair per context. -1 if none. */
static int plic_context_of(const void *fdt, int plic, uint32_t intc)
{
  int len;
  const fdt32_t *ie = fdt_getprop(fdt, plic, "interrupts-extended", &len);
  for (int ctx = 0; ie && intc && ctx < len / 8; ctx++)
    if (fdt32_to_cpu(ie[2 * ctx]) == intc && fdt32_to_cpu(ie[2 * ctx + 1]) == IRQ_S_EXT)
      return ctx;
  return -1;
}

/* Every hart's PLIC context, once the walk has seen the harts and the PLIC
 * (QEMU's numbering, 2 * hartid + 1, where the tree does not say). */
static void find_plic_contexts(const struct dt_walk *w)
{
  struct boot_info *bi = &boot_info;
  if (w->plic < 0)
    return;
  for (int i = 0; i < bi->nharts; i++) {
    int ctx = plic_context_of(w->fdt, w->plic, w->hart_intc[i]);
    bi->hart_plic_context[i] = ctx >= 0 ? ctx : 2 * (int)bi->hartid[i] + 1;
  }
  bi->plic_context = bi->hart_plic_context[0];
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
  bi->nharts = 1;
  bi->hartid[0] = hartid;
  add_reserved(PGROUNDDOWN(dtb_pa), PGROUNDUP(dtb_pa + bi->dtb_size));
  /* /memreserve/ entries (the /reserved-memory children come in the walk) */
  int n = fdt_num_mem_rsv(fdt);
  for (int i = 0; i < n; i++) {
    uint64_t a, s;
    if (fdt_get_mem_rsv(fdt, i, &a, &s) == 0)
      add_reserved(a, a + s);
  }
  struct dt_walk w = { .fdt = fdt, .cpus = -1, .reserved_memory = -1, .cpu_index = -1, .plic = -1 };
  int depth = 0;  /* the root; fdt_next_node gives -1 past its end */
  for (int node = 0; node >= 0 && depth >= 0; node = fdt_next_node(fdt, node, &depth)) {
    if (depth >= DT_MAX_DEPTH)
      continue;
    w.node[depth] = node;
    visit(&w, depth, hartid);
  }
  find_plic_contexts(&w);
  return 0;
}
