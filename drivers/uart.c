/*
 * uart.c — the ns16550a serial port (QEMU virt's console).
 *
 * Output is polled: the emulated port is ready at once, and polling keeps
 * kernel messages working even with interrupts off. Input is interrupt
 * driven: the receive interrupt drains the FIFO into the console tty.
 *
 * Layer: drivers. Below: kern/printk.c (console_set_output),
 * drivers/plic.c (irq_register), arch/riscv (the direct map). Above:
 * drivers/console.c's tty, which gets the typed bytes (tty_receive), and
 * kmain (uart_early_init once the device tree is read, uart_init). Locks:
 * none of its own: output is polled under
 * printk's console_lock, input is drained in the interrupt handler, which
 * runs on the boot hart only.
 */
#include "drivers/uart.h"
#include "drivers/irq.h"
#include "drivers/tty.h"
#include "kern/printk.h"
#include "arch/riscv/riscv.h"

#define RBR 0 /* receive buffer (read) */
#define THR 0 /* transmit holding (write) */
#define IER 1 /* interrupt enable */
#define FCR 2 /* FIFO control */
#define LCR 3 /* line control */
#define LSR 5 /* line status */
#define LSR_DR 0x01
#define LSR_THRE 0x20

static volatile uint8_t *uart;
static int reg_shift;

static inline uint8_t uart_read(int r) { return uart[r << reg_shift]; }
static inline void uart_write_reg(int r, uint8_t v) { uart[r << reg_shift] = v; }

/*
 * Console output: bytes as they are (the tty layer did any \n -> \r\n).
 * The FIFOs are on (uart_early_init), so THRE means the whole transmit
 * FIFO is empty: up to TX_FIFO bytes go in after one look at LSR, as
 * Linux's 8250 driver fills its FIFO (serial8250_tx_chars). Under QEMU
 * every access to the port leaves the translated code and takes QEMU's
 * global lock: one LSR read per byte was half of the boot's console cost.
 */
#define TX_FIFO 16 /* a 16550A's transmit FIFO */

static void uart_output(const char *s, size_t n)
{
  while (n > 0) {
    while (!(uart_read(LSR) & LSR_THRE))
      ;
    size_t k = MIN(n, (size_t)TX_FIFO);
    for (size_t i = 0; i < k; i++)
      uart_write_reg(THR, (uint8_t)s[i]);
    s += k;
    n -= k;
  }
}

static void uart_interrupt(int irq, void *arg)
{
  (void)irq;
  (void)arg;
  uint8_t buf[32];
  for (;;) {
    size_t n = 0;
    while (n < sizeof(buf) && (uart_read(LSR) & LSR_DR))
      buf[n++] = uart_read(RBR);
    if (n == 0)
      break;
    if (console_tty)
      tty_receive(console_tty, buf, n);
  }
}

void uart_early_init(paddr_t base, int shift)
{
  uart = pa_to_kva(base);
  reg_shift = shift;
  uart_write_reg(IER, 0x00);
  uart_write_reg(LCR, 0x03); /* 8N1 */
  uart_write_reg(FCR, 0x01); /* enable FIFOs, keeping bytes typed ahead */
  console_set_output(uart_output);
}

void uart_init(paddr_t base, int shift, int irq)
{
  if (!uart)
    uart_early_init(base, shift);
  console_tty_init();
  if (irq > 0 && irq_register(irq, uart_interrupt, NULL) == 0)
    uart_write_reg(IER, 0x01); /* receive-data interrupt */
  uart_interrupt(irq, NULL);   /* anything that arrived during boot */
}
