/*
 * devpts.h — the devpts file system (fs/devpts.c): /dev/pts, one node per
 * pseudo-terminal slave. drivers/pty.c adds a node when a pty is made and
 * removes it when the pty's master closes.
 *
 * Layer: fs. kmain calls devpts_init; the pty driver (drivers/, below)
 * reaches the node functions only through struct pty_fs_ops
 * (drivers/tty.h), which devpts_init hands it. Calls the dentry cache and
 * fs/super.c.
 *
 * Locks: the node functions take the /dev/pts root's inode lock: call
 * them with no inode lock held.
 */
#ifndef KITE_DEVPTS_H
#define KITE_DEVPTS_H

#include "kern/types.h"

#include "drivers/tty.h"  /* PTY_SLAVE_MAJOR */

/* At boot: register "devpts", make its one instance (the root and the
 * ptmx node) and hand the pty driver its pty_fs_ops. Panics when out of
 * memory. */
void devpts_init(void);
/* Add /dev/pts/<index> (device 136:index, the owner and mode of the mount
 * options): 0, -EEXIST if it is there, -ENOMEM. */
int devpts_add_node(int index);
/* Remove /dev/pts/<index> if present; files open on it keep working (the
 * inode lives while they do). */
void devpts_remove_node(int index);

#endif
