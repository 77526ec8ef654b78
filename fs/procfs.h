/*
 * procfs.h — the /proc file system (fs/procfs.c): what the rest of the
 * kernel calls. The generators of its files are private to fs/proc_*.c
 * (fs/proc_internal.h).
 *
 * Layer: fs, a file system under the VFS core. kmain registers it;
 * kern/pidfd.c asks procfs_dir_process (pidfd_send_signal to a /proc/<pid> fd).
 *
 * Locks: none held across these calls.
 */
#ifndef KITE_PROCFS_H
#define KITE_PROCFS_H
#include "kern/types.h"
/* At boot: register the "proc" file system type (a superblock per mount,
 * showing the pid namespace of the task that mounts it). */
void procfs_init(void);
struct file;
struct process;
/* Is f open on a directory /proc/<pid>? If so, *pp is the process it was
 * made for, referenced (process_put it), or NULL when that process is gone
 * — even if its pid names another one since (Linux's tgid_pidfd_to_pid
 * holds the struct pid). Takes proc_lock. */
bool procfs_dir_process(struct file *f, struct process **pp);
#endif
