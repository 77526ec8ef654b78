/*
 * sys_cpu.c — system calls about the hart and how a task runs on it:
 * riscv_hwprobe (what the hart implements), membarrier and personality.
 * System-call layer over kern/devtree.c (the ISA string) and the task.
 * (The scheduling calls are in kern/sys_sched.c.)
 */
#include "kern/syscall.h"
#include "kern/task.h"
#include "kern/vm.h"
#include "kern/mm.h"
#include "kern/param.h"
#include "kern/devtree.h"
#include "kern/time.h"
#include "arch/riscv/sbi.h"
#include <string.h>

/* ---- riscv_hwprobe ---- */

#define HWPROBE_KEY_MVENDORID 0
#define HWPROBE_KEY_MARCHID 1
#define HWPROBE_KEY_MIMPID 2
#define HWPROBE_KEY_BASE_BEHAVIOR 3
#define HWPROBE_BASE_BEHAVIOR_IMA (1ULL << 0)
#define HWPROBE_KEY_IMA_EXT_0 4
#define HWPROBE_KEY_CPUPERF_0 5
#define HWPROBE_MISALIGNED_UNKNOWN 0
#define HWPROBE_KEY_ZICBOZ_BLOCK_SIZE 6
#define HWPROBE_KEY_HIGHEST_VIRT_ADDRESS 7
#define HWPROBE_KEY_TIME_CSR_FREQ 8
#define HWPROBE_KEY_MISALIGNED_SCALAR_PERF 9
#define HWPROBE_WHICH_CPUS 1

/* IMA_EXT_0 bits for the extensions a hart may name in its ISA string. */
static const struct { const char *name; uint64_t bit; } ima_ext0[] = {
  { "zba", 1ULL << 3 }, { "zbb", 1ULL << 4 }, { "zbs", 1ULL << 5 }, { "zicboz", 1ULL << 6 },
  { "zbc", 1ULL << 7 }, { "zbkb", 1ULL << 8 }, { "zbkc", 1ULL << 9 }, { "zbkx", 1ULL << 10 },
  { "zknd", 1ULL << 11 }, { "zkne", 1ULL << 12 }, { "zknh", 1ULL << 13 }, { "zksed", 1ULL << 14 },
  { "zksh", 1ULL << 15 }, { "zkt", 1ULL << 16 }, { "zfh", 1ULL << 27 }, { "zfhmin", 1ULL << 28 },
  { "zihintntl", 1ULL << 29 }, { "zfa", 1ULL << 32 }, { "ztso", 1ULL << 33 }, { "zacas", 1ULL << 34 },
  { "zicond", 1ULL << 35 }, { "zihintpause", 1ULL << 36 },
};

/* Does the boot hart's ISA string ("rv64imafdc_zba_zbb...") name ext? */
static bool isa_has(const char *ext)
{
  const char *isa = boot_info.isa;
  if (strlen(ext) == 1) { /* a single-letter extension, before the first '_' */
    for (const char *c = isa + 4; *c && *c != '_'; c++)
      if (*c == ext[0])
        return true;
    return false;
  }
  size_t n = strlen(ext);
  for (const char *s = strchr(isa, '_'); s; s = strchr(s + 1, '_'))
    if (strncmp(s + 1, ext, n) == 0 && (s[1 + n] == '_' || s[1 + n] == 0))
      return true;
  return false;
}

static uint64_t ima_ext_0(void)
{
  uint64_t v = 0;
  if (isa_has("f") && isa_has("d"))
    v |= 1ULL << 0; /* IMA_FD */
  if (isa_has("c"))
    v |= 1ULL << 1;
  if (isa_has("v"))
    v |= 1ULL << 2;
  for (size_t i = 0; i < ARRAY_SIZE(ima_ext0); i++)
    if (isa_has(ima_ext0[i].name))
      v |= ima_ext0[i].bit;
  return v;
}

static uint64_t sbi_base_value(long fid)
{
  struct sbiret r = sbi_ecall(0x10 /* BASE */, fid, 0, 0, 0);
  return r.error ? 0 : (uint64_t)r.value;
}

/* The value of one key, or false for a key Kite does not know. */
static bool hwprobe_value(int64_t key, uint64_t *v)
{
  switch (key) {
  case HWPROBE_KEY_MVENDORID: *v = sbi_base_value(4); return true;
  case HWPROBE_KEY_MARCHID: *v = sbi_base_value(5); return true;
  case HWPROBE_KEY_MIMPID: *v = sbi_base_value(6); return true;
  case HWPROBE_KEY_BASE_BEHAVIOR: *v = HWPROBE_BASE_BEHAVIOR_IMA; return true;
  case HWPROBE_KEY_IMA_EXT_0: *v = ima_ext_0(); return true;
  case HWPROBE_KEY_CPUPERF_0:
  case HWPROBE_KEY_MISALIGNED_SCALAR_PERF:
    *v = HWPROBE_MISALIGNED_UNKNOWN; /* never measured */
    return true;
  case HWPROBE_KEY_ZICBOZ_BLOCK_SIZE: *v = 0; return isa_has("zicboz");
  case HWPROBE_KEY_HIGHEST_VIRT_ADDRESS: *v = USER_TRAMPOLINE + PAGE_SIZE - 1; return true;
  case HWPROBE_KEY_TIME_CSR_FREQ: *v = timebase_hz; return true;
  default: return false;
  }
}

/*
 * riscv_hwprobe(pairs, count, cpusetsize, cpus, flags): fill each
 * {key, value} pair for the harts in `cpus` (all of them when cpus is NULL
 * and cpusetsize 0); an unknown key comes back as -1 with value 0. Every
 * hart Kite runs on is the boot hart's twin (one ISA string). Linux 6.4's
 * interface; flags must be 0 (the WHICH_CPUS query, 6.10, is EINVAL).
 */
long sys_riscv_hwprobe(uaddr_t upairs, size_t count, size_t cpusetsize, uaddr_t ucpus, unsigned int flags)
{
  if (flags)
    return -EINVAL;
  if (cpusetsize || ucpus) {
    uint8_t set[NCPU / 8 + 1];
    memset(set, 0, sizeof(set));
    size_t n = MIN(cpusetsize, sizeof(set));
    if (copyin(set, ucpus, n))
      return -EFAULT;
    if (!(set[0] & 1)) /* hart 0 is the one that is online in every Kite */
      return -EINVAL;
  }
  for (size_t i = 0; i < count; i++) {
    int64_t key;
    uint64_t value = 0;
    uaddr_t at = upairs + i * 16;
    if (copyin(&key, at, 8))
      return -EFAULT;
    if (!hwprobe_value(key, &value)) {
      key = -1;
      value = 0;
    }
    if (copyout(at, &key, 8) || copyout(at + 8, &value, 8))
      return -EFAULT;
  }
  return 0;
}

/* ---- membarrier ---- */

#define MEMBARRIER_CMD_QUERY 0
#define MEMBARRIER_CMD_GLOBAL 1
#define MEMBARRIER_CMD_GLOBAL_EXPEDITED 2
#define MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED 4
#define MEMBARRIER_CMD_PRIVATE_EXPEDITED 8
#define MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED 16
#define MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE 32
#define MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE 64
#define MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ 128
#define MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_RSEQ 256
#define MEMBARRIER_CMD_FLAG_CPU 1
#define MEMBARRIER_SUPPORTED                                                                     \
  (MEMBARRIER_CMD_GLOBAL | MEMBARRIER_CMD_GLOBAL_EXPEDITED | MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED | \
   MEMBARRIER_CMD_PRIVATE_EXPEDITED | MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED)

/*
 * A full memory barrier on every hart running a thread of ... any (global)
 * or this (private) address space. Kite runs on one hart, where a fence
 * here and the one every context switch implies are that barrier; with
 * several harts this must interrupt the others (an IPI running a fence).
 */
static void barrier_everywhere(void)
{
  __sync_synchronize();
}

/*
 * membarrier, as Linux 6.1 on riscv64 without rseq: the global and private
 * expedited commands (private ones need the process to have registered),
 * no SYNC_CORE (riscv64 Linux 6.1 has none) and no RSEQ (Kite has no
 * rseq): those are EINVAL, as there.
 */
long sys_membarrier(int cmd, unsigned int flags, int cpu_id)
{
  (void)cpu_id;
  if (cmd == MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ ? flags & ~MEMBARRIER_CMD_FLAG_CPU : flags)
    return -EINVAL;
  struct mm *mm = current->mm;
  switch (cmd) {
  case MEMBARRIER_CMD_QUERY:
    return MEMBARRIER_SUPPORTED;
  case MEMBARRIER_CMD_GLOBAL:
  case MEMBARRIER_CMD_GLOBAL_EXPEDITED:
    barrier_everywhere();
    return 0;
  case MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED:
    __atomic_or_fetch(&mm->membarrier_state, MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED, __ATOMIC_RELAXED);
    return 0;
  case MEMBARRIER_CMD_PRIVATE_EXPEDITED:
    if (!(READ_ONCE(mm->membarrier_state) & MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED))
      return -EPERM;
    barrier_everywhere();
    return 0;
  case MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED:
    __atomic_or_fetch(&mm->membarrier_state, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, __ATOMIC_RELAXED);
    return 0;
  default:
    return -EINVAL;
  }
}

/* ---- personality ---- */

/*
 * personality(2): the execution domain and its flags, per task, inherited
 * by clone and kept across exec. Any value is accepted (Linux's
 * set_personality takes it as given); 0xffffffff only asks. Of the flags
 * Kite acts on STICKY_TIMEOUTS (fs/poll.c: ppoll, pselect6 leave the
 * timeout as given) and no other: it never randomises the address space
 * (so ADDR_NO_RANDOMIZE holds anyway) and maps exactly what is asked.
 */
long sys_personality(unsigned int persona)
{
  unsigned int old = current->personality;
  if (persona != 0xffffffffu)
    current->personality = persona;
  return old;
}
