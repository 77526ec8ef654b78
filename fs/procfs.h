/* procfs.h — the /proc file system (fs/procfs.c). */
#ifndef KITE_PROCFS_H
#define KITE_PROCFS_H
void procfs_init(void);
#endif
