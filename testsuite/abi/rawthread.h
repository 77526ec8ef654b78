/*
 * rawthread.h — bare threads for the ABI tests (testsuite/abi): the raw
 * riscv64 clone (flags, newsp, ptid, tls, ctid) behind a tiny assembly
 * trampoline, stacks and TLS areas, and waiting for CHILD_CLEARTID. User
 * space. A bare thread has no C library thread set-up: the code it runs
 * must use raw system calls and plain memory only (no errno, no stdio).
 */
#ifndef ABI_RAWTHREAD_H
#define ABI_RAWTHREAD_H
#include "check.h"
#include <sched.h>

#ifndef FUTEX_WAIT
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#endif

/*
 * abi_clone(flags, stack_top, ptid, tls, ctid, fn, arg): clone; in the
 * child (running on stack_top) call fn(arg), then SYS_exit with its
 * result. Returns the raw clone result in the parent.
 */
long abi_clone(unsigned long flags, void *stack, volatile int *ptid, void *tls, volatile int *ctid,
               int (*fn)(void *), void *arg);
__asm__(".text\n"
        ".globl abi_clone\n"
        ".type abi_clone, @function\n"
        "abi_clone:\n"
        "  addi a1, a1, -16\n"
        "  sd a5, 0(a1)\n"
        "  sd a6, 8(a1)\n"
        "  li a7, 220\n" /* SYS_clone */
        "  ecall\n"
        "  bnez a0, 1f\n"
        "  ld t0, 0(sp)\n"
        "  ld a0, 8(sp)\n"
        "  jalr t0\n"
        "  li a7, 93\n" /* SYS_exit */
        "  ecall\n"
        "1:\n"
        "  ret\n"
        ".size abi_clone, .-abi_clone\n");

#define STACK_SIZE (64 * 1024)
static char stacks[8][STACK_SIZE] __attribute__((aligned(16), unused));
static char tls_area[8][256] __attribute__((aligned(16), unused));

/* What pthread_create asks for, less PARENT_SETTID (whose pointer the
 * tests give only where they check it). */
#define THREAD_FLAGS                                                                                          \
  (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM | CLONE_SETTLS |          \
   CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID)
#ifndef CLONE_DETACHED
#define CLONE_DETACHED 0x00400000
#endif

static ABI_UNUSED long read_tp(void)
{
  long tp;
  __asm__ volatile("mv %0, tp" : "=r"(tp));
  return tp;
}

static ABI_UNUSED void tsleep(long ms)
{
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  raw2(SYS_nanosleep, &ts, 0);
}

/* wait_cleared: wait (futex) until *ctid is 0, at most ms milliseconds. */
static ABI_UNUSED int wait_cleared(volatile int *ctid, long ms)
{
  long long end = now_ns() + ms * 1000000LL;
  while (*ctid != 0) {
    int v = *ctid;
    if (v == 0)
      break;
    struct timespec ts = {0, 10 * 1000 * 1000};
    raw6(SYS_futex, (long)ctid, FUTEX_WAIT, v, (long)&ts, 0, 0);
    if (now_ns() > end)
      return 0;
  }
  return 1;
}

#endif
