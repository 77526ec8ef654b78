/*
 * printk.c — formatted output, the kernel log ring and the console.
 *
 * The ring holds the text dmesg shows, one record per line, in Linux's
 * "<level>[seconds.micros] message" shape. A message is formatted into a
 * local buffer first, then appended to the ring and (maybe) the console
 * under one lock, so lines from different harts never interleave.
 *
 * Layer: core. Below: the console write function a driver registers
 * (drivers/uart.c; SBI before that), kern/time.c (timestamps). Above:
 * everyone; syslog(2) (kern/sys_misc.c) reads the ring.
 * Locks: klog_lock guards the ring and console_lock the console output;
 * both are leaves, so printk may be called holding any lock and from
 * interrupt context.
 */
#include "kern/printk.h"
#include "kern/cpu.h"
#include "kern/spinlock.h"
#include "kern/time.h"
#include "kern/param.h"
#include "arch/riscv/sbi.h"
#include "arch/riscv/riscv.h"
#include <string.h>

int console_loglevel = LOG_NOTICE; /* the boot's summary lines (printk.h) */
static bool loglevel_from_cmdline;

static struct spinlock klog_lock = SPINLOCK_INIT("klog");
static char klog_buf[KLOG_SIZE];
static size_t klog_head; /* total bytes ever written; ring index = head % size */
static size_t klog_tail; /* first byte still in the ring (after clears/overwrites) */

/* Early console: through OpenSBI until the UART driver takes over. */
static void sbi_console_write(const char *s, size_t n)
{
  for (size_t i = 0; i < n; i++)
    sbi_console_putchar(s[i]);
}

static void (*console_output)(const char *s, size_t n) = sbi_console_write;
static struct spinlock console_lock = SPINLOCK_INIT("console");

void console_set_output(void (*write)(const char *s, size_t n))
{
  console_output = write;
}

/* Write bytes to the console as they are, whole: no other console_write
 * interleaves. Line-end translation is the caller's (tty layer, printk). */
void console_write(const char *s, size_t n)
{
  spin_lock(&console_lock);
  console_output(s, n);
  spin_unlock(&console_lock);
}

static void klog_append(const char *s, size_t n)
{
  for (size_t i = 0; i < n; i++)
    klog_buf[(klog_head + i) % KLOG_SIZE] = s[i];
  klog_head += n;
  if (klog_head - klog_tail > KLOG_SIZE)
    klog_tail = klog_head - KLOG_SIZE;
}

void vprintk(int level, const char *fmt, va_list ap)
{
  char line[512];
  uint64_t us = time_monotonic_ns() / 1000;
  int hdr = snprintf(line, sizeof(line), "<%d>[%5lu.%06lu] ", level,
                     (unsigned long)(us / 1000000), (unsigned long)(us % 1000000));
  int len = vsnprintf(line + hdr, sizeof(line) - hdr - 1, fmt, ap);
  size_t n = hdr + MIN((size_t)len, sizeof(line) - hdr - 2);
  if (n == 0 || line[n - 1] != '\n')
    line[n++] = '\n';

  spin_lock(&klog_lock);
  klog_append(line, n);
  spin_unlock(&klog_lock);
  if (level <= console_loglevel) {
    /* The console shows it without "<N>", with \r\n line ends. */
    char out[sizeof(line) + 16];
    size_t m = 0;
    for (size_t i = 3; i < n && m < sizeof(out) - 2; i++) {
      if (line[i] == '\n')
        out[m++] = '\r';
      out[m++] = line[i];
    }
    console_write(out, m);
  }
}

void printk(int level, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vprintk(level, fmt, ap);
  va_end(ap);
}

void panic(const char *fmt, ...)
{
  char msg[256];
  va_list ap;
  intr_off();
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  console_loglevel = LOG_DEBUG;
  printk(LOG_EMERG, "kernel panic: %s", msg);
  smp_stop_others();
  sbi_shutdown(1);
  for (;;)
    wfi();
}

/* The first user program is about to run: from now on keep the console quiet. */
void printk_user_started(void)
{
  if (!loglevel_from_cmdline)
    console_loglevel = LOG_CRIT;
}

void printk_parse_cmdline(const char *cmdline)
{
  const char *p = strstr(cmdline, "loglevel=");
  if (p && (p == cmdline || p[-1] == ' ')) {
    console_loglevel = p[9] - '0';
    loglevel_from_cmdline = true;
  } else if ((p = strstr(cmdline, "quiet")) && (p == cmdline || p[-1] == ' ')) {
    console_loglevel = LOG_CRIT;
  }
}

size_t klog_size(void)
{
  spin_lock(&klog_lock);
  size_t n = klog_head - klog_tail;
  spin_unlock(&klog_lock);
  return n;
}

size_t klog_read_all(char *buf, size_t n, bool clear)
{
  spin_lock(&klog_lock);
  size_t avail = klog_head - klog_tail;
  size_t start = klog_tail;
  if (avail > n) /* keep the newest n bytes */
    start = klog_head - n, avail = n;
  for (size_t i = 0; i < avail; i++)
    buf[i] = klog_buf[(start + i) % KLOG_SIZE];
  if (clear)
    klog_tail = klog_head;
  spin_unlock(&klog_lock);
  return avail;
}

void klog_clear(void)
{
  spin_lock(&klog_lock);
  klog_tail = klog_head;
  spin_unlock(&klog_lock);
}

/* ---- vsnprintf: %d %i %u %x %X %o %p %s %c %%, flags - 0 #, width, precision,
 *      length modifiers l ll z h hh ---- */

struct outbuf {
  char *buf;
  size_t size, len;
};

static void out_char(struct outbuf *o, char c)
{
  if (o->len + 1 < o->size)
    o->buf[o->len] = c;
  o->len++;
}

static void out_pad(struct outbuf *o, char c, int n)
{
  while (n-- > 0)
    out_char(o, c);
}

static void out_number(struct outbuf *o, uint64_t v, bool neg, int base, bool upper,
                       int width, bool zero, bool left)
{
  char tmp[24];
  const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  int n = 0;
  do {
    tmp[n++] = digits[v % base];
    v /= base;
  } while (v);
  int len = n + (neg ? 1 : 0);
  if (!left && !zero)
    out_pad(o, ' ', width - len);
  if (neg)
    out_char(o, '-');
  if (!left && zero)
    out_pad(o, '0', width - len);
  while (n)
    out_char(o, tmp[--n]);
  if (left)
    out_pad(o, ' ', width - len);
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
  struct outbuf o = { buf, size, 0 };
  for (; *fmt; fmt++) {
    if (*fmt != '%') {
      out_char(&o, *fmt);
      continue;
    }
    fmt++;
    bool left = false, zero = false, alt = false;
    for (;; fmt++) {
      if (*fmt == '-')
        left = true;
      else if (*fmt == '0')
        zero = true;
      else if (*fmt == '#')
        alt = true;
      else
        break;
    }
    int width = 0, prec = -1;
    if (*fmt == '*') {
      width = va_arg(ap, int);
      fmt++;
    } else {
      while (*fmt >= '0' && *fmt <= '9')
        width = width * 10 + (*fmt++ - '0');
    }
    if (*fmt == '.') {
      fmt++;
      prec = 0;
      if (*fmt == '*') {
        prec = va_arg(ap, int);
        fmt++;
      } else {
        while (*fmt >= '0' && *fmt <= '9')
          prec = prec * 10 + (*fmt++ - '0');
      }
    }
    int lng = 0; /* 0 int, 1 long, 2 long long, -1 short, -2 char */
    for (;; fmt++) {
      if (*fmt == 'l' || *fmt == 'z' || *fmt == 't')
        lng++;
      else if (*fmt == 'h')
        lng--;
      else
        break;
    }
    char c = *fmt;
    if (!c)
      break;
    switch (c) {
    case 'd':
    case 'i': {
      int64_t v = lng > 0 ? va_arg(ap, int64_t) : va_arg(ap, int);
      if (lng == -1) v = (short)v;
      if (lng <= -2) v = (signed char)v;
      out_number(&o, v < 0 ? -(uint64_t)v : (uint64_t)v, v < 0, 10, false, width, zero, left);
      break;
    }
    case 'u':
    case 'x':
    case 'X':
    case 'o': {
      uint64_t v = lng > 0 ? va_arg(ap, uint64_t) : va_arg(ap, unsigned int);
      if (lng == -1) v = (unsigned short)v;
      if (lng <= -2) v = (unsigned char)v;
      int base = c == 'u' ? 10 : c == 'o' ? 8 : 16;
      if (alt && base == 16 && v) {
        out_char(&o, '0');
        out_char(&o, c);
        width -= 2;
      } else if (alt && base == 8 && v) {
        out_char(&o, '0');
        width--;
      }
      out_number(&o, v, false, base, c == 'X', width, zero, left);
      break;
    }
    case 'p':
      out_char(&o, '0');
      out_char(&o, 'x');
      out_number(&o, (uint64_t)va_arg(ap, void *), false, 16, false, width, zero, left);
      break;
    case 'c':
      out_char(&o, (char)va_arg(ap, int));
      break;
    case 's': {
      const char *s = va_arg(ap, const char *);
      if (!s)
        s = "(null)";
      int len = prec >= 0 ? (int)strnlen(s, prec) : (int)strlen(s);
      if (!left)
        out_pad(&o, ' ', width - len);
      for (int i = 0; i < len; i++)
        out_char(&o, s[i]);
      if (left)
        out_pad(&o, ' ', width - len);
      break;
    }
    case '%':
      out_char(&o, '%');
      break;
    default:
      out_char(&o, '%');
      out_char(&o, c);
    }
  }
  if (o.size)
    o.buf[o.len < o.size ? o.len : o.size - 1] = 0;
  return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, size, fmt, ap);
  va_end(ap);
  return n;
}
