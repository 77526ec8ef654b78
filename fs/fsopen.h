/*
 * fsopen.h — the new mount API's objects (Linux 5.2's): a file system
 * configuration behind an anonymous descriptor (fsopen, fspick) that
 * collects a source and options (fsconfig) and makes a superblock
 * (FSCONFIG_CMD_CREATE) or changes one (FSCONFIG_CMD_RECONFIGURE); a
 * detached mount behind an O_PATH descriptor (fsmount, open_tree's clone)
 * that move_mount attaches. fs/fsopen.c implements them; the system calls
 * are fs/sys_fsmount.c.
 *
 * Layer: fs, beside the VFS core: built on fs/super.c (sb_for_mount,
 * mount_detached, mount_drop_detached), fs/mount.c (the tree) and
 * fs/anon_inodes.c. Nothing below calls it.
 *
 * Locks: each configuration has a mutex (Linux's uapi_mutex), taken by
 * every fsconfig and fsmount and held across the file system's mount (it
 * may read a disk): no spinlock is held when it is taken.
 */
#ifndef KITE_FSOPEN_H
#define KITE_FSOPEN_H

#include "fs/mount.h"

struct file;
struct fs_config;

/* fsconfig's commands (Linux's enum fsconfig_command) */
#define FSCONFIG_SET_FLAG 0
#define FSCONFIG_SET_STRING 1
#define FSCONFIG_SET_BINARY 2
#define FSCONFIG_SET_PATH 3
#define FSCONFIG_SET_PATH_EMPTY 4
#define FSCONFIG_SET_FD 5
#define FSCONFIG_CMD_CREATE 6
#define FSCONFIG_CMD_RECONFIGURE 7

/* One fsconfig parameter, copied in: key, and a string value for
 * FSCONFIG_SET_STRING (NULL for the other kinds, whose path or file the
 * system call has checked). */
struct fs_param {
  int cmd;
  const char *key;
  const char *string;
};

/*
 * A configuration file for a new file system of type t (fsopen): O_RDWR,
 * one reference (fd_install it, or fput it). Reading it answers ENODATA
 * (Kite keeps no messages). NULL when out of memory.
 */
struct file *fs_config_open(const struct fs_type *t);
/* A configuration file for reconfiguring the file system mounted at p
 * (fspick; p is a mount's root, the caller's reference kept). NULL when
 * out of memory. */
struct file *fs_config_pick(const struct path *p);
/* The configuration behind f, or NULL if f is not one (the caller holds
 * a reference to f). No locks. */
struct fs_config *fs_config_of(struct file *f);
/*
 * fsconfig on fc: a parameter (the superblock flags ro, rw, sync, async,
 * dirsync, lazytime, nolazytime, mand, nomand; "source"; anything else is
 * added to the file system's option string, at most a page), or a
 * command. 0, or Linux's errors: EBUSY (wrong phase), EINVAL (a second
 * source, a comma in an option, options over a page, a non-string value
 * for an option the file system parses), EPERM, the file system's mount
 * error (then fc has failed: EBUSY from then on). Takes fc's mutex; may
 * sleep.
 */
int fs_config_apply(struct fs_config *fc, const struct fs_param *p);
/*
 * fsmount: the superblock fc made becomes a detached mount with the
 * mount flags mnt_flags (MS_*), behind a new O_PATH file that owns it
 * (*out: one reference). 0, -EINVAL (nothing created), -EBUSY (already
 * mounted, or failed), -ENOMEM. Takes fc's mutex.
 */
int fs_config_mount(struct fs_config *fc, uint32_t mnt_flags, struct file **out);
/*
 * open_tree(OPEN_TREE_CLONE [| AT_RECURSIVE]): a detached copy of the
 * mount at p (its root p's dentry; recursive: with the mounts below it,
 * less unbindable ones — fs/mount.c's mount_clone_tree) behind a new
 * O_PATH file that owns it (*out). 0, -EINVAL (p is on no mount of the
 * tree, or unbindable), -ENOMEM. No locks held.
 */
int mount_clone_file(const struct path *p, bool recursive, struct file **out);
/*
 * mount_setattr: clear then set mount flags (MS_*) on the mount whose
 * root is p, and with recursive on every mount below it; prop (0, or one
 * of MS_SHARED, MS_SLAVE, MS_PRIVATE, MS_UNBINDABLE) changes their
 * propagation as mount(2) does. 0, -EINVAL (p is not a mount's root, or
 * the mount is outside the tree). Takes namespace_mutex, then mount_lock.
 */
int mount_change_flags(const struct path *p, uint32_t clr, uint32_t set, uint32_t prop,
                       bool recursive);

#endif
