/*
 * reboot.h — powering the machine off (kern/reboot.c).
 *
 * Layer: core. A higher layer that must act before the power goes
 * registers a power-off hook (kmain registers the file systems' write-back,
 * fs/vfs.c: vfs_shutdown); reboot(2), init's death and a failed start of
 * init all end in kernel_power_off().
 */
#ifndef KITE_REBOOT_H
#define KITE_REBOOT_H

#include "kern/types.h"
#include "kern/list.h"

struct power_off_hook {
  void (*fn)(void);             /* may sleep; runs on the powering-off hart */
  struct list_head link;        /* in the hook list (kern/reboot.c) */
};

/* Run h->fn at power-off, after the hooks registered before it. At boot,
 * before a second hart runs; h stays registered for good. */
void power_off_hook_register(struct power_off_hook *h);

/* Run every power-off hook, then power off through SBI. status is a wait
 * status: QEMU exits with the exit code, or 128+signal. Never returns. */
void kernel_power_off(int status) NORETURN;

#endif
