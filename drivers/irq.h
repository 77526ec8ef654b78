/*
 * irq.h — external interrupts through the PLIC.
 *
 * A driver registers a handler for its interrupt number (from the device
 * tree). Handlers run in interrupt context with interrupts off: they
 * acknowledge the device and wake a task; real work happens in that task.
 *
 * Layer: drivers (drivers/plic.c). Below: arch/riscv (the direct map,
 * mycpu). Above: the device drivers that register handlers, and
 * arch/riscv/trap.c, which calls irq_handle_external. Locks: none; the
 * handler table is written at boot, before the source is enabled.
 */
#ifndef KITE_IRQ_H
#define KITE_IRQ_H

#include "kern/types.h"

typedef void (*irq_handler_t)(int irq, void *arg);

/* Boot: the PLIC's registers are at physical base (ndev sources). */
void plic_init(paddr_t base, int ndev);
/* On each hart as it comes up: its S-mode context is hart_context; with
 * devices (the boot hart) enable every source that has a handler, else
 * none, so every device interrupt goes to the boot hart. */
void plic_init_hart(int hart_context, bool devices);
/* Call fn(irq, arg) for interrupt source irq (from the device tree), on
 * the boot hart, in interrupt context. Returns 0, or -1 for a bad number
 * or no PLIC. Boot only (before the device can interrupt). */
int irq_register(int irq, irq_handler_t fn, void *arg);
/* The trap handler's external interrupt: claim each pending source, run
 * its handler, complete it. Interrupt context, interrupts off. */
void irq_handle_external(void);

#endif
