/*
 * console.c — the serial console as a terminal: /dev/console and
 * /dev/ttyS0.
 *
 * One kind of tty (tty.h): output goes to console_write() (the UART, in
 * step with kernel messages), which never fills up; input comes from the
 * UART's receive interrupt (drivers/uart.c calls tty_receive()). The line
 * discipline and the file operations are tty.c's.
 *
 * Layer: drivers. Below: drivers/tty.c and n_tty.c (the shared line
 * discipline), kern/printk.c (console_write), drivers/chrdev.c (the device
 * numbers 5:1 and 4:64). Above: drivers/uart.c feeds it input; fs/devfs.c
 * makes the nodes. Locks: the tty's own (tty->lock, its read and write
 * mutexes); console output is serialised by printk's console_lock.
 */
#include "drivers/tty.h"
#include "fs/fs_abi.h"
#include "fs/inode.h"
#include "fs/file.h"
#include "drivers/chrdev.h"
#include "kern/printk.h"

static struct tty console;
struct tty *console_tty;

static size_t console_tty_write(struct tty *tty, const char *buf, size_t n)
{
  (void)tty;
  console_write(buf, n);
  return n;
}

static size_t console_write_room(struct tty *tty)
{
  (void)tty;
  return SIZE_MAX; /* polled output: always room */
}

static int console_open(struct inode *ino, struct file *f)
{
  (void)ino;
  return tty_file_open(console_tty, f);
}

static const struct file_ops console_fops = {
  .open = console_open,
  .read = tty_read,
  .write = tty_write,
  .poll = tty_poll,
  .ioctl = tty_ioctl,
  .release = tty_release,
};

static const struct tty_driver console_driver = {
  .fops = &console_fops,
  .write = console_tty_write,
  .write_room = console_write_room,
};

/* Make the console's tty and its device files (called once the UART is up). */
void console_tty_init(void)
{
  struct ktermios t = tty_std_termios;
  t.c_iflag |= IMAXBEL | IUTF8;
  tty_init(&console, &console_driver, &t, MKDEV(5, 1));
  console.winsize.ws_row = 24;
  console.winsize.ws_col = 80;
  console_tty = &console;
  chrdev_register(MKDEV(5, 1), "console", &console_fops);
  chrdev_register(MKDEV(4, 64), "ttyS0", &console_fops);
}
