/*
 * reboot.c — powering the machine off.
 *
 * Layer: core, over arch/riscv/sbi.c (the SBI system reset). Callers:
 * reboot(2) (kern/sys_misc.c), the death of init (kern/process.c) and a
 * failed start of init (kern/main.c). What must happen first in higher
 * layers — the file systems write back and shut down, so the disk is
 * clean even after `poweroff -f` — is a registered hook (Linux's reboot
 * notifier chain), so this file names no function above it.
 *
 * Locks: none. Hooks are registered at boot, before a second hart runs,
 * and only read afterwards.
 */
#include "kern/reboot.h"
#include "arch/riscv/sbi.h"

static struct list_head power_off_hooks = LIST_HEAD_INIT(power_off_hooks);

void power_off_hook_register(struct power_off_hook *h)
{
  list_add_tail(&h->link, &power_off_hooks);
}

void kernel_power_off(int status)
{
  struct power_off_hook *h;
  list_for_each_entry(h, &power_off_hooks, link)
    h->fn();
  int code = (status & 0x7f) ? 128 + (status & 0x7f) : (status >> 8) & 0xff;
  sbi_shutdown(code);
}
