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
/* Boot, as soon as the device tree is read (an "earlycon"): the port is
 * at physical base, registers 1 << reg_shift bytes apart. Sets 8N1 with
 * FIFOs (interrupts off) and makes it the console output, in place of
 * the firmware's SBI call per character. */
void uart_early_init(paddr_t base, int reg_shift);
/* Boot, once, when interrupts can be routed: uart_early_init if it was
 * not called, then the console tty; receive interrupt irq (<= 0: none,
 * input is polled once); drains what was typed during boot into it. */
void uart_init(paddr_t base, int reg_shift, int irq);
#endif
