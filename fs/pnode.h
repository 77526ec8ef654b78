/*
 * pnode.h — mount propagation (fs/pnode.c): peer groups, slaves, and the
 * mounts an event is replayed on. Layer: fs, the VFS core's helper.
 * Every function here is called with mount_lock held and neither sleeps
 * nor allocates.
 */
#ifndef KITE_PNODE_H
#define KITE_PNODE_H

#include "fs/mount.h"

/* How long a chain of masters pnode_receives_locked follows (a guard:
 * a chain is as long as the slaves-of-slaves someone set up). */
#define MAX_PROPAGATION_DEPTH 32

/* The smallest peer group id no mount on the list uses (from 1). */
int pnode_new_group_locked(void);
/* mount(MS_SHARED | MS_SLAVE | MS_PRIVATE | MS_UNBINDABLE) on m alone
 * (Linux's change_mnt_propagation): shared gets a new group unless m has
 * one; slave makes a shared m a slave of its old group (its own slaves go
 * to the group's other members or, as its last one, to m's master);
 * private and unbindable leave group and master. */
void pnode_set_type_locked(struct mount *m, uint32_t type);
/* m was taken off the tree: it is private from now on (its slaves move
 * as pnode_set_type_locked's do). */
void pnode_unmounted_locked(struct mount *m);
/* The mounts a mount or unmount under src is replayed on: src's peers,
 * then the slaves of each group reached (with their peers), masters
 * before their slaves; never src, nor a mount in no namespace (hung
 * below open_tree's detached clone). Fills out[0..max) and returns how many
 * there are (more than max: the caller retries with room for every
 * mount on the list). */
int pnode_receivers_locked(struct mount *src, struct mount **out, int max);
/* Is dentry mp inside mount r (at or below its root)? Takes dcache_lock
 * (after mount_lock). */
bool pnode_sees_locked(struct mount *r, struct dentry *mp);
/* The propagation fields of copies[i], m's copy for receiver rcv[i] of
 * src (pnode_receivers_locked's order; earlier copies already hung, NULL
 * for receivers that do not see the mount point): a peer of m on a peer
 * of src; on a slave, a slave of m's group (or of the copy its master got)
 * and, if the slave is shared, shared with the copies on its peers. */
void pnode_copy_role_locked(struct mount *m, struct mount *src, struct mount **rcv,
                            struct mount **copies, int i);
/* The unmount under way marked its mounts (mount.doomed): mark also, for
 * each marked mount under a shared parent, the mount on the same mount
 * point of every receiver of that parent that has only marked mounts
 * below it (Linux's propagate_umount). */
void pnode_mark_umounts_locked(void);
/* The master of peer group g (0: none, or no such group). */
int pnode_group_master_locked(int g);
/* Does an event under a mount of group g reach mount r (r a member of g,
 * or a slave of g through any chain of masters)? False for g == 0. */
bool pnode_receives_locked(struct mount *r, int g);

#endif
