/*
 * tty.h — terminals: the line discipline between a serial port and the
 * programs reading and writing it.
 *
 * Input: the driver hands received bytes to tty_receive() (interrupt
 * context). In canonical mode (ICANON) bytes collect into lines the user
 * can edit (erase, kill) and a read returns a whole line; otherwise reads
 * return bytes as they come. ISIG turns ^C, ^\ and ^Z into SIGINT, SIGQUIT
 * and SIGTSTP for the foreground process group. ECHO echoes.
 * Output: a write(2) goes out whole (one writer at a time), with \n turned
 * into \r\n when OPOST|ONLCR.
 */
#ifndef KITE_TTY_H
#define KITE_TTY_H

#include "kern/types.h"
#include "kern/wait.h"
#include "kern/param.h"

#define NCCS 19
struct ktermios {                 /* Linux's kernel struct termios (TCGETS) */
  uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
  uint8_t c_line;
  uint8_t c_cc[NCCS];
};
STATIC_ASSERT(sizeof(struct ktermios) == 36);

struct winsize {
  uint16_t ws_row, ws_col, ws_xpixel, ws_ypixel;
};

struct tty {
  struct spinlock lock;           /* protects all fields below */
  const char *name;
  struct ktermios termios;
  struct winsize winsize;
  pid_t pgrp;                     /* foreground process group */
  pid_t session;                  /* session it controls, 0 if none */

  /* input ring: [tail, head) holds bytes; [tail, line_end) is readable in
   * canonical mode; [line_end, head) is the line being edited */
  uint8_t in[TTY_INPUT_SIZE];
  uint8_t in_eol[TTY_INPUT_SIZE]; /* 1: ends a line, 2: EOF marker (not data) */
  uint32_t head, tail, line_end;
  struct wait_queue read_wq;
  struct wait_queue write_wq;

  struct mutex write_lock;        /* one write(2) at a time: output stays whole */
  void (*output)(const char *s, size_t n);  /* driver: write bytes out */
  dev_t dev;
};

struct file;
extern struct tty *console_tty;

struct tty *tty_create(const char *name, void (*output)(const char *, size_t), dev_t dev);
void tty_receive(struct tty *tty, const uint8_t *buf, size_t n); /* interrupt context */
void tty_register_devices(void);
struct tty *tty_from_file(struct file *f);
void tty_session_leave(pid_t sid); /* the session leader exited */
void console_write_raw_locked(struct tty *tty, const char *s, size_t n);
bool file_is_tty(struct file *f);

#endif
