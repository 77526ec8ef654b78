/*
 * uart.h — the ns16550a console UART (drivers/uart.c).
 *
 * Layer: drivers. Below: kern/printk.c (it becomes the console output),
 * drivers/plic.c (its receive interrupt). Above: drivers/console.c, whose
 * tty it feeds. Locks: none of its own; output is serialised by
 * printk's console_lock.
 */
#ifndef KITE_UART_H
#define KITE_UART_H
#include "kern/types.h"
/* Boot, once: the port is at physical base, registers 1 << reg_shift
 * bytes apart, receive interrupt irq (<= 0: none, input is polled once).
 * Sets 8N1 with FIFOs, makes it the console output, sets up the console
 * tty and drains what was typed during boot into it. */
void uart_init(paddr_t base, int reg_shift, int irq);
#endif
