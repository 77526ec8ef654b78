/* uart.h — the ns16550a console UART (drivers/uart.c). */
#ifndef KITE_UART_H
#define KITE_UART_H
#include "kern/types.h"
void uart_init(paddr_t base, int reg_shift, int irq);
#endif
