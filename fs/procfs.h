/* procfs.h — the /proc file system (fs/procfs.c). */
#ifndef KITE_PROCFS_H
#define KITE_PROCFS_H
#include "kern/types.h"
void procfs_init(void);
struct file;
/* The pid of the /proc/<pid> directory f is open on, 0 if it is not one. */
pid_t procfs_dir_pid(struct file *f);
#endif
