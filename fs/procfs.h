/*
 * procfs.h — the /proc file system (fs/procfs.c): what the rest of the
 * kernel calls. The generators of its files are private to fs/proc_*.c
 * (fs/proc_internal.h).
 *
 * Layer: fs, a file system under the VFS core. kmain registers it;
 * kern/pidfd.c asks procfs_dir_pid (pidfd_open of a /proc/<pid> fd).
 *
 * Locks: none held across these calls.
 */
#ifndef KITE_PROCFS_H
#define KITE_PROCFS_H
#include "kern/types.h"
/* At boot: register the "proc" file system type (one superblock, made at
 * the first mount, which every mount of "proc" shows). */
void procfs_init(void);
struct file;
/* The pid of the /proc/<pid> directory f is open on, 0 if it is not one. */
pid_t procfs_dir_pid(struct file *f);
#endif
