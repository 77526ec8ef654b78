/*
 * plic.c — the RISC-V Platform-Level Interrupt Controller.
 *
 * Every source gets priority 1. Device interrupts are routed to the boot
 * hart only: its S-mode context enables the sources that have handlers,
 * the other harts' contexts enable none. So a handler never runs on two
 * harts at once, and the network stack's interrupt path keeps one owner
 * (docs/smp.md). On an external interrupt we claim the source, run its
 * handler and complete it.
 *
 * Layer: drivers. Below: arch/riscv (the direct map), kern/cpu.h (the
 * hart's logical id). Above: the drivers that register handlers
 * (uart.c, virtio.c), and arch/riscv/trap.c (irq_handle_external) and
 * kern/main.c (plic_init_hart) that call in. Locks: none: the handler
 * table is written at boot before a source is enabled, and each hart uses
 * only its own context.
 */
#include "drivers/irq.h"
#include "kern/printk.h"
#include "kern/cpu.h"
#include "kern/task.h"
#include "arch/riscv/riscv.h"

#define PLIC_MAX_IRQ 128
#define PLIC_PRIORITY(irq) (0x0 + 4 * (irq))
#define PLIC_ENABLE(ctx) (0x2000 + 0x80 * (ctx))
#define PLIC_THRESHOLD(ctx) (0x200000 + 0x1000 * (ctx))
#define PLIC_CLAIM(ctx) (0x200004 + 0x1000 * (ctx))

static volatile uint8_t *plic;
static int hart_ctx[NCPU];

static struct {
  irq_handler_t fn;
  void *arg;
} handlers[PLIC_MAX_IRQ];

static inline volatile uint32_t *reg(uint64_t off)
{
  return (volatile uint32_t *)(plic + off);
}

void plic_init(paddr_t base, int ndev)
{
  (void)ndev;
  plic = pa_to_kva(base);
}

/*
 * Called on each hart: hart_context is the PLIC context of its S-mode.
 * With devices, the hart takes every registered source (the boot hart);
 * without, none.
 */
void plic_init_hart(int hart_context, bool devices)
{
  if (!plic)
    return;
  hart_ctx[mycpu()->id] = hart_context;
  *reg(PLIC_THRESHOLD(hart_context)) = 0;
  for (int irq = 1; irq < PLIC_MAX_IRQ; irq++) {
    volatile uint32_t *en = reg(PLIC_ENABLE(hart_context) + 4 * (irq / 32));
    if (devices && handlers[irq].fn)
      *en |= 1u << (irq % 32);
    else
      *en &= ~(1u << (irq % 32));
  }
}

int irq_register(int irq, irq_handler_t fn, void *arg)
{
  if (irq <= 0 || irq >= PLIC_MAX_IRQ || !plic)
    return -1;
  handlers[irq].fn = fn;
  handlers[irq].arg = arg;
  *reg(PLIC_PRIORITY(irq)) = 1;
  int ctx = hart_ctx[0]; /* the boot hart's */
  *reg(PLIC_ENABLE(ctx) + 4 * (irq / 32)) |= 1u << (irq % 32);
  return 0;
}

void irq_handle_external(void)
{
  int ctx = hart_ctx[mycpu()->id];
  for (;;) {
    uint32_t irq = *reg(PLIC_CLAIM(ctx));
    if (irq == 0)
      break;
    if (irq < PLIC_MAX_IRQ && handlers[irq].fn)
      handlers[irq].fn((int)irq, handlers[irq].arg);
    *reg(PLIC_CLAIM(ctx)) = irq;
  }
}
