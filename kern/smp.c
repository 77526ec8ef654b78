/*
 * smp.c — several harts: starting the secondary harts, inter-processor
 * interrupts (IPIs), remote fences, and stopping the others on a panic.
 *
 * Layer: beside kern/sched.c (which decides whom to wake), over the SBI
 * calls in arch/riscv/sbi.c (HSM, IPI, RFENCE). The boot hart runs kmain;
 * at its end smp_boot_secondaries() starts every other hart the device
 * tree lists, one at a time, each on its own idle task's stack, at the
 * physical address kmain passes in (arch/riscv/entry.S: secondary_entry →
 * secondary_main in kern/main.c, which sets the hart's trap vector and
 * interrupt controller up — the entry layer's business — and then calls
 * smp_hart_may_join() and smp_hart_online() here). This file names none
 * of those: the layer above hands the entry point down. A hart is given
 * the next logical id only once it is up, so logical ids are always
 * 0 .. ncpu-1 whatever the hart ids are.
 *
 * IPIs: the sender sets reason bits in the target's cpu->ipi_pending
 * (atomically) and raises its supervisor software interrupt through SBI;
 * the target's trap handler takes the bits (smp_handle_ipi). Even with no
 * bit set, the interrupt itself ends the target's wfi and sends a task in
 * user mode through prepare_return_to_user (signals, rescheduling).
 *
 * Locks: none. ncpu and cpu->online only grow, written by the boot hart.
 */
#include "kern/cpu.h"
#include "kern/task.h"
#include "kern/devtree.h"
#include "kern/printk.h"
#include "arch/riscv/riscv.h"
#include "arch/riscv/sbi.h"
#include <string.h>

STATIC_ASSERT(DIRECT_MAP_BASE == DIRECT_MAP_BASE_ASM);
STATIC_ASSERT(NCPU <= 32); /* cpumask_t, and a spinlock's waiters word */

int ncpu = 1;

/* Where a starting hart finds its stack and task (entry.S reads it). */
struct hart_boot {
  uint64_t sp, tp;
};
static struct hart_boot hart_boot[NCPU];
/* The hart being started (entry.S reads it with the MMU off). */
struct hart_boot *volatile smp_starting_hart;
static bool abandoned[NCPU]; /* started too slowly: must not join if it comes up late */

cpumask_t cpu_online_mask(void)
{
  int n = READ_ONCE(ncpu);
  return n >= 64 ? ~(cpumask_t)0 : ((cpumask_t)1 << n) - 1;
}

/* maxcpus=N (or nosmp) on the command line caps the harts used. */
static int max_cpus_from_cmdline(void)
{
  const char *s = boot_info.bootargs;
  for (const char *p = s; (p = strstr(p, "maxcpus=")); p++)
    if (p == s || p[-1] == ' ') {
      int n = 0;
      for (p += 8; *p >= '0' && *p <= '9'; p++)
        n = n * 10 + (*p - '0');
      return n < 1 ? 1 : n;
    }
  for (const char *p = s; (p = strstr(p, "nosmp")); p++)
    if ((p == s || p[-1] == ' ') && (p[5] == 0 || p[5] == ' '))
      return 1;
  return NCPU;
}

/*
 * A secondary hart, in its first C code (tp is its idle task, the MMU is
 * on): may it join? Not if the boot hart gave up waiting for it (it must
 * then stay out of everything) or if it is not the hart its slot was
 * started for. The caller parks the hart when this says no.
 */
bool smp_hart_may_join(uint64_t hartid)
{
  struct cpu *c = mycpu();
  return !READ_ONCE(abandoned[c->id]) && c->hartid == hartid;
}

/* This secondary hart is ready (traps, interrupts, tick): the boot hart,
 * spinning in smp_boot_secondaries, may count it. */
void smp_hart_online(void)
{
  __atomic_store_n(&mycpu()->online, true, __ATOMIC_RELEASE);
}

/* Start every other hart the device tree lists (boot hart, end of kmain),
 * each at physical address entry_pa (arch/riscv/entry.S: secondary_entry). */
void smp_boot_secondaries(paddr_t entry_pa)
{
  int max = max_cpus_from_cmdline();
  if (max > NCPU)
    max = NCPU;
  bool hsm = sbi_probe_extension(SBI_EXT_HSM) && sbi_probe_extension(SBI_EXT_IPI) &&
             sbi_probe_extension(SBI_EXT_RFENCE);
  if (boot_info.nharts > 1 && !hsm) {
    pr_warn("smp: SBI lacks HSM, IPI or RFENCE: running on the boot hart only");
    return;
  }
  for (int i = 1; i < boot_info.nharts && ncpu < max; i++) {
    int id = ncpu;
    struct cpu *c = &cpus[id];
    c->id = id;
    c->hartid = boot_info.hartid[i];
    c->plic_context = boot_info.hart_plic_context[i];
    struct task *idle = sched_idle_task_create(c);
    if (!idle) {
      pr_warn("smp: no memory for hart %lu's idle task", (unsigned long)c->hartid);
      break;
    }
    hart_boot[id].sp = (uint64_t)idle->tf; /* the stack grows down from the (unused) frame */
    hart_boot[id].tp = (uint64_t)idle;
    smp_starting_hart = &hart_boot[id];
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    long e = sbi_hart_start(c->hartid, entry_pa, (unsigned long)&hart_boot[id]);
    if (e) {
      pr_warn("smp: hart %lu did not start (SBI error %ld)", (unsigned long)c->hartid, e);
      continue; /* the idle task stays allocated; the slot is reused */
    }
    /* Under QEMU's TCG a hart is a host thread: on a busy host it may wait
     * seconds for a core (and the debug build is slower still). A hart
     * that never comes only costs this wait, once, at boot. */
    uint64_t deadline = time_monotonic_ns() + SMP_HART_START_WAIT_NS;
    while (!__atomic_load_n(&c->online, __ATOMIC_ACQUIRE) && time_monotonic_ns() < deadline)
      ;
    if (!__atomic_load_n(&c->online, __ATOMIC_ACQUIRE)) {
      abandoned[id] = true;
      __atomic_thread_fence(__ATOMIC_SEQ_CST);
      pr_warn("smp: hart %lu started but did not come up", (unsigned long)c->hartid);
      break; /* its cpu slot may still be touched: use no more */
    }
    WRITE_ONCE(ncpu, id + 1);
  }
  pr_info("smp: %d hart%s online (boot hart %lu)", ncpu, ncpu > 1 ? "s" : "",
          (unsigned long)cpus[0].hartid);
}

/*
 * Call fn once per group of harts in mask, as SBI wants them: a 64-bit
 * mask of hart ids relative to a base hart id.
 */
static void for_each_hart_group(cpumask_t mask, void (*fn)(unsigned long hmask, unsigned long base,
                                                           void *arg), void *arg)
{
  while (mask) {
    uint64_t base = UINT64_MAX;
    for (int i = 0; i < NCPU; i++)
      if ((mask & cpumask_of(i)) && cpus[i].hartid < base)
        base = cpus[i].hartid;
    unsigned long hmask = 0;
    for (int i = 0; i < NCPU; i++) {
      if ((mask & cpumask_of(i)) && cpus[i].hartid - base < 64) {
        hmask |= 1UL << (cpus[i].hartid - base);
        mask &= ~cpumask_of(i);
      }
    }
    fn(hmask, base, arg);
  }
}

static void ipi_group(unsigned long hmask, unsigned long base, void *arg)
{
  (void)arg;
  sbi_send_ipi(hmask, base);
}

/* Interrupt the harts in mask with the given IPI_* reasons (0: just interrupt). */
void smp_send_ipi(cpumask_t mask, uint32_t reason)
{
  mask &= cpu_online_mask();
  for (int i = 0; i < NCPU; i++)
    if (mask & cpumask_of(i))
      __atomic_fetch_or(&cpus[i].ipi_pending, reason, __ATOMIC_RELEASE);
  /* What the sender stored before (a queued signal, a queued task) is
   * visible to the target before it can take the interrupt. */
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
  struct cpu *self = mycpu();
  if (mask & cpumask_of(self->id)) {
    csr_set(sip, 1UL << IRQ_S_SOFT); /* S-mode may raise its own soft interrupt */
    mask &= ~cpumask_of(self->id);
  }
  if (mask)
    for_each_hart_group(mask, ipi_group, NULL);
}

/* The supervisor software interrupt: an IPI arrived (interrupt context). */
void smp_handle_ipi(void)
{
  csr_clear(sip, 1UL << IRQ_S_SOFT);
  struct cpu *c = mycpu();
  uint32_t r = __atomic_exchange_n(&c->ipi_pending, 0, __ATOMIC_ACQUIRE);
  if (r & IPI_STOP) {
    intr_off();
    for (;;)
      wfi();
  }
  if (r & IPI_RESCHED)
    c->need_resched = true;
  if (r & IPI_PREEMPT)
    c->woke_task = true;
}

/* A panic: the other harts stop where they are. */
void smp_stop_others(void)
{
  struct cpu *self = mycpu();
  smp_send_ipi(cpu_online_mask() & ~cpumask_of(self->id), IPI_STOP);
}

struct fence_args {
  uint64_t start, size;
};

static void sfence_group(unsigned long hmask, unsigned long base, void *arg)
{
  struct fence_args *a = arg;
  sbi_remote_sfence_vma(hmask, base, a->start, a->size);
}

/* sfence.vma on the harts in mask (not this one); returns when they are done. */
void smp_remote_sfence_vma(cpumask_t mask, uint64_t start, uint64_t size)
{
  struct fence_args a = { start, size };
  mask &= cpu_online_mask() & ~cpumask_of(mycpu()->id);
  if (mask)
    for_each_hart_group(mask, sfence_group, &a);
}

static void fence_i_group(unsigned long hmask, unsigned long base, void *arg)
{
  (void)arg;
  sbi_remote_fence_i(hmask, base);
}

/* fence.i here and on every other hart. */
void smp_fence_i_all(void)
{
  asm volatile("fence.i" ::: "memory");
  cpumask_t others = cpu_online_mask() & ~cpumask_of(mycpu()->id);
  if (others)
    for_each_hart_group(others, fence_i_group, NULL);
}
