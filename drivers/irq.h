/*
 * irq.h — external interrupts through the PLIC.
 *
 * A driver registers a handler for its interrupt number (from the device
 * tree). Handlers run in interrupt context with interrupts off: they
 * acknowledge the device and wake a task; real work happens in that task.
 */
#ifndef KITE_IRQ_H
#define KITE_IRQ_H

#include "kern/types.h"

typedef void (*irq_handler_t)(int irq, void *arg);

void plic_init(paddr_t base, int ndev);
void plic_init_hart(int hart_context, bool devices);
int irq_register(int irq, irq_handler_t fn, void *arg);
void irq_handle_external(void);

#endif
