/*
 * namei.h — names: the path walk (fs/namei.c), openat2's restrictions,
 * opening by name, a system call's path argument, and the per-task file
 * system context (root, cwd, umask). A VFS header (fs/vfs.c
 * draws the VFS).
 *
 * Layer: fs, the VFS core. The system calls (fs/sys_*.c) and the kernel's
 * own opens call these; the walk calls the dentry cache, the file
 * systems' lookup and follow_mounts.
 *
 * Locks: the walk takes and drops each directory's inode lock in turn:
 * call with none held. fs_context->lock (a spinlock) guards root and cwd.
 */
#ifndef KITE_NAMEI_H
#define KITE_NAMEI_H

#include "fs/file.h"

#define LOOKUP_FOLLOW 0x1       /* follow a trailing symlink */
#define LOOKUP_DIRECTORY 0x2    /* the result must be a directory */
#define LOOKUP_EMPTY 0x4        /* an empty path names the dirfd itself */
/* openat2's RESOLVE_* (<linux/openat2.h>) */
#define RESOLVE_NO_XDEV 0x01       /* cross no mount point (down, up, or by a link) */
#define RESOLVE_NO_MAGICLINKS 0x02 /* follow no /proc/<pid>/fd-style magic link */
#define RESOLVE_NO_SYMLINKS 0x04   /* follow no symlink at all */
#define RESOLVE_BENEATH 0x08       /* never leave the starting directory */
#define RESOLVE_IN_ROOT 0x10       /* the starting directory is "/" for this walk */
#define RESOLVE_CACHED 0x20        /* only what the dentry cache holds, else EAGAIN */
#define RESOLVE_ALL 0x3f
/*
 * The rules openat2 puts on every walk of one call: resolve_begin sets
 * current->resolve for the call's duration (fs/namei.c consults it at
 * each step), resolve_end clears it.
 */
struct resolve_scope {
  uint64_t resolve;            /* RESOLVE_* */
  struct path root;            /* BENEATH, IN_ROOT: the starting directory (referenced) */
};
/* Start openat2's rules for this task's walks: 0, or -EBADF / -ENOTDIR
 * for a bad dirfd (BENEATH, IN_ROOT take a reference to the starting
 * directory into s). resolve_end drops it and clears the rules; call it
 * once for every successful resolve_begin. No locks held. */
int resolve_begin(struct resolve_scope *s, int dirfd, uint64_t resolve);
void resolve_end(struct resolve_scope *s);
/*
 * The path walk: resolve path (relative to dirfd, or AT_FDCWD; absolute
 * paths from the process root) into *out, referenced (path_put it).
 * Returns 0 or -ENOENT, -ENOTDIR, -ELOOP, -ENAMETOOLONG, -EACCES (search
 * permission), -EBADF (dirfd). path is a kernel string (copy it in first).
 * Takes and drops each directory's inode lock in turn; call with none held.
 */
int path_lookup(int dirfd, const char *path, unsigned flags, struct path *out);
/* Look up one name in directory dir, whose inode lock the caller holds:
 * the child, referenced (negative if the name does not exist), or ERR_PTR. */
struct dentry *vfs_lookup_locked(struct dentry *dir, const char *name, size_t len);
/* path_lookup from *start (the caller's reference, kept) instead of a dirfd;
 * start is not used (may be NULL) when path is absolute. */
int path_lookup_at(const struct path *start, const char *path, unsigned flags, struct path *out);
/* A system call's path argument copied in: a PATH_MAX buffer (kfree it),
 * or NULL with *err = -ENOMEM, -EFAULT or -ENAMETOOLONG (Linux's getname). */
char *user_path_copy(uaddr_t upath, long *err);
/* Two path arguments copied in, ua first (linkat, renameat2, symlinkat):
 * 0 with *a and *b to kfree, or user_path_copy's error with neither
 * allocated. No locks. */
long user_two_paths(uaddr_t ua, uaddr_t ub, char **a, char **b);
/* path_lookup of a user path for the *at() calls: flags outside allowed
 * are -EINVAL; AT_SYMLINK_NOFOLLOW and AT_EMPTY_PATH become lookup flags.
 * *p referenced on success (path_put it); no locks held on entry or exit. */
long user_path_at(int dirfd, uaddr_t upath, int flags, int allowed, struct path *p);
/* Walk all but the last component: *parent (referenced: path_put it) and
 * the last name into last (lastsize bytes). 0 or -ENOENT, -ENOTDIR,
 * -ENAMETOOLONG, -ENOMEM, -EXDEV (openat2's rules), the walk's errors. No
 * locks held; the caller locks the parent to use the name. */
int path_parent(int dirfd, const char *path, struct path *parent, char *last, size_t lastsize);
int path_parent_at(const struct path *start, const char *path, struct path *parent, char *last,
                   size_t lastsize);
/* openat(2) without the descriptor: resolve (creating with O_CREAT),
 * check permissions, truncate, open. *out is a new file with one reference
 * (fput it, or fd_install it). Returns 0 or -errno as openat(2) does. No
 * locks held (takes the directory's inode lock to create). */
int vfs_open(int dirfd, const char *path, int flags, mode_t mode, struct file **out);
/* vfs_open of an object already found (open_by_handle_at): the caller's
 * reference to p passes to it; the checks and errors of openat after its
 * walk (ELOOP for a symlink, EISDIR, permissions ...). O_CREAT is ignored. */
int vfs_open_path(struct path *p, int flags, struct file **out);
/* Open the object at p (takes its own reference to p; the caller keeps
 * its own): a new file with one reference, or ERR_PTR. */
struct file *file_open_path(struct path *p, int flags);
/* vfs_open from the kernel, relative to the calling task's cwd and root:
 * as vfs_open. */
int kernel_open(const char *path, int flags, mode_t mode, struct file **out);


/* ---- per-task file-system context (CLONE_FS shares it) ---- */
struct fs_context {
  int refcount;             /* atomic */
  struct spinlock lock;     /* protects root and cwd */
  struct path root, cwd;
  mode_t umask;
};
/* Hand clone and exit the fs context (kern/proc_resource.h: a new task
 * copies or, with CLONE_FS, shares its creator's; an exiting one drops
 * its reference). kmain, once, before the first process. */
void fs_context_init(void);
/* A new context (root and cwd unset, umask 022, one reference), or NULL. */
struct fs_context *fs_context_alloc(void);
/* A copy of old (fork without CLONE_FS): referenced root and cwd, same
 * umask, one reference; NULL when out of memory. Takes old->lock. */
struct fs_context *fs_context_copy(struct fs_context *old);
/* Drop a reference; the last one puts root and cwd (no spin lock held). */
void fs_context_put(struct fs_context *fs);
/* chdir from the kernel (the initramfs unpack): the calling task's cwd
 * becomes the directory path names; no permission check. 0 or the walk's
 * errors (-ENOENT, -ENOTDIR, ...). No locks held (takes fs->lock). */
int kernel_chdir(const char *path);
/* The calling task's working directory, referenced into *p (path_put it). */
void cwd_get(struct path *p);

#endif
