/*
 * syscall.h — system call dispatch (layer 3 of trap handling).
 *
 * The table is generated from kern/syscall.tbl. Each handler is
 * sys_<name>(typed arguments) returning a value or a negative errno.
 */
#ifndef KITE_SYSCALL_H
#define KITE_SYSCALL_H

#include "kern/types.h"
#include "kern/errno.h"

#define NR_SYSCALLS 512

struct syscall_entry {
  const char *name;
  long (*fn)(const uint64_t *args);
};

extern const struct syscall_entry syscall_table[NR_SYSCALLS];

struct trapframe;
void syscall_dispatch(struct trapframe *tf);
void syscall_restart_check(struct trapframe *tf);
long do_sigreturn(void);

/* Copy a path argument into a kernel buffer of PATH_MAX bytes: its length,
 * or -EFAULT, -ENAMETOOLONG (kern/uaccess.c, so that fs/ may use it). */
long copy_path(char *dst, uaddr_t src);

#endif
