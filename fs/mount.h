/*
 * mount.h — file system types, superblocks, mounts and paths (a mount and
 * a dentry: a place in the whole tree): fs/super.c makes and unmakes
 * them, fs/mount.c moves them, fs/vfs.c references paths. A VFS header (fs/vfs.c
 * draws the VFS).
 *
 * Layer: fs, the VFS core. A file system registers a struct fs_type and
 * fills struct super_ops; fs/namei.c crosses mounts with follow_mounts.
 *
 * Locks: mount_lock guards the mount list and the tree's shape; a mount's
 * and a superblock's reference counts as each structure says.
 */
#ifndef KITE_MOUNT_H
#define KITE_MOUNT_H

#include "fs/dentry.h"
#include "kern/nsproxy.h"

/* ---- superblock and mounts ---- */
struct statfs64 {
  uint64_t f_type, f_bsize, f_blocks, f_bfree, f_bavail, f_files, f_ffree;
  int32_t f_fsid[2];
  uint64_t f_namelen, f_frsize, f_flags, f_spare[4];
};

struct super_ops {
  int (*statfs)(struct super_block *sb, struct statfs64 *st);
  int (*sync)(struct super_block *sb);
  void (*put_super)(struct super_block *sb);
  /* mount(MS_REMOUNT) switching between read-only and read-write
   * (read_only: the new state); NULL: the flag alone decides. 0 or -errno,
   * the file system unchanged on an error. */
  int (*remount)(struct super_block *sb, bool read_only);
};

struct super_block {
  const struct fs_type *type;
  const struct super_ops *ops;
  struct dentry *root;
  dev_t dev;
  uint32_t flags;               /* MS_RDONLY ... */
  uint64_t magic;
  ino_t next_ino;               /* for file systems that number inodes themselves */
  void *priv;
  int refcount;                 /* mounts using it */
  /* Memory-only file systems (tmpfs): pages of file data and inodes in
   * use, and their limits (0: none). Atomics; charged by the page cache
   * and ramfs (fs/ramfs.c: "size=" and "nr_inodes=", half of RAM by
   * default, as Linux's tmpfs). */
  uint64_t max_pages, nr_pages;
  uint64_t max_inodes, nr_inodes;
  bool shmem;                   /* tmpfs and the kernel's shared-memory files: their
                                   pages are charged to nr_pages and count as Shmem */
  /* The user namespace that owns it (Linux's s_user_ns): the one whose
   * CAP_SYS_ADMIN it was mounted with, which may remount it, and whose
   * set-user-ID bits and device files count. NULL: the initial one. A
   * reference, dropped when the last mount goes (fs/super.c). */
  struct user_namespace *user_ns;
};

#define MS_RDONLY 1
#define MS_NOSUID 2
#define MS_NODEV 4
#define MS_NOEXEC 8
#define MS_REMOUNT 32
#define MS_BIND 4096
#define MS_MOVE 8192
#define MS_REC 16384
#define MS_SYNCHRONOUS 16
#define MS_MANDLOCK 64
#define MS_NOSYMFOLLOW 256
#define MS_NOATIME 1024
#define MS_NODIRATIME 2048
#define MS_UNBINDABLE (1 << 17)
#define MS_PRIVATE (1 << 18)
#define MS_SLAVE (1 << 19)
#define MS_SHARED (1 << 20)
#define MS_RELATIME (1 << 21)
#define MS_STRICTATIME (1 << 24)
#define MNT_FORCE 1
#define MNT_DETACH 2

struct fs_type {
  const char *name;
  /* Build a superblock for `source` (device path or name) with options. */
  int (*mount)(const struct fs_type *type, const char *source, uint32_t flags,
               const char *data, struct super_block **sbp);
  bool needs_device;
  bool exportable;      /* file handles may name its files (Linux's s_export_op) */
  bool keeps_owners;    /* stores each file's uid, gid and mode: new files get the
                           creator's (fs/perm.c inode_init_owner) */
  uint32_t iflags_mask; /* inode flags FS_IOC_SETFLAGS may set (0: the ioctl is ENOTTY) */
  /* Linux's FS_USERNS_MOUNT: the user namespace that will own a new
   * superblock (tmpfs: the caller's; proc: its PID namespace's owner;
   * mqueue: its IPC namespace's owner), in which the mounter needs
   * CAP_SYS_ADMIN. NULL: only CAP_SYS_ADMIN in the initial namespace
   * mounts it. */
  struct user_namespace *(*userns_mount)(void);
  /* Linux's SB_I_USERNS_VISIBLE (proc, sysfs): a new one may be mounted
   * in a user namespace only where one is already fully visible
   * (fs/super.c, mount_too_revealing). */
  bool userns_visible;
};

struct mount {
  struct mount *parent;         /* NULL for the root mount */
  struct dentry *mountpoint;    /* in parent */
  struct dentry *root;
  struct super_block *sb;
  char *source;
  uint32_t flags;
  struct list_head link;        /* mount_list, in mount order */
  int refcount;
  int id;                       /* /proc/<pid>/mountinfo's mount id */
  int release_on_last_put;      /* lazily detached while in use: the last path_put
                                   lets its file system go (fs/super.c) */
  bool anon;                    /* detached and owned by a file (fsmount, open_tree's
                                   clone): on no list until move_mount attaches it;
                                   under mount_lock */
  struct mnt_namespace *ns;     /* the namespace whose tree holds it; NULL when it is
                                   detached or unmounted, or hung below a detached
                                   mount (open_tree's recursive clone: on mount_list,
                                   receiving no propagation) (mount_lock) */
  /* Propagation (fs/pnode.c, docs/vfs.md "Mount propagation"; mount_lock): */
  int group_id;                 /* its peer group (mountinfo's shared:N); 0: not shared */
  int master;                   /* the peer group it is a slave of (master:N); 0: none */
  bool unbindable;              /* MS_UNBINDABLE: a bind of it is EINVAL */
  bool doomed;                  /* marked by the unmount under way (namespace_mutex) */
  /* Locked mounts (Linux's MNT_LOCKED, MNT_LOCK_*): a copy made for a
   * less privileged user namespace (fs/mnt_ns.c) may not be unmounted,
   * moved or bound apart from what is below it (locked: it hides what
   * is under it), nor have the flags in locked_flags (MS_RDONLY,
   * MS_NOSUID, MS_NODEV, MS_NOEXEC) cleared or its atime setting
   * changed (locked_atime). Set when the copy is made, before anyone
   * sees it; read under mount_lock or by the namespace's own callers. */
  bool locked;
  bool locked_atime;
  uint32_t locked_flags;
};

/*
 * A mount namespace (Linux's struct mnt_namespace; fs/mnt_ns.c): a tree of
 * mounts of its own. Every attached mount is on mount_list and names its
 * namespace (mount.ns); a copy (clone or unshare with CLONE_NEWNS) has a
 * new struct mount for each of the old tree's, hung at the same dentries
 * of the copied parents, so a walk, which looks only for mounts whose
 * parent is the mount it is on, never leaves its namespace.
 */
struct mnt_namespace {
  struct ns_common ns;          /* type CLONE_NEWNS; its release takes the tree down */
  struct mount *root;           /* the top of the tree (no parent); fixed for life */
};

struct path {
  struct mount *mnt;
  struct dentry *dentry;
};

/* ---- fs/vfs.c: paths ---- */
/* Take a reference to both the dentry and the mount of p (either may be
 * NULL). path_put drops both; a path returned by a lookup is referenced and
 * the caller must path_put it. No lock may be held that dput forbids. */
void path_get(struct path *p);
void path_put(struct path *p);
/* ---- fs/super.c ---- */
/* Make a file system type mountable by name (boot). 0, or -ENOMEM when the
 * table (MAX_FS_TYPES) is full. */
int register_fs(const struct fs_type *type);
/*
 * mount(2) on target, a path the caller has looked up and keeps its
 * reference to: MS_REMOUNT, MS_MOVE, MS_BIND, or a new mount of fstype from
 * source (a block device path for disk file systems; a device already
 * mounted shares its superblock), or a propagation type (MS_SHARED ...;
 * fs/pnode.c). A mount under a shared mount is replayed on its peers and
 * slaves (fs/pnode.c). Returns 0 or -ENOTDIR, -ENODEV (unknown type), -EBUSY,
 * -EINVAL (also: target in another mount namespace), the file system's error. Takes mount_lock inside;
 * call with no locks held (the file system reads its device).
 */
int do_mount(const char *source, struct path *target, const char *fstype, uint32_t flags,
             const char *data);
/* umount2(2) of the mount whose root is target (caller's reference, kept):
 * -EINVAL if target is not a mount's root or not in the caller's mount
 * namespace, -EBUSY for the namespace's root, or if in use or something is
 * mounted below (unless MNT_DETACH, which takes the whole tree away), or
 * if a copy it propagates to is in use. Under a shared mount the
 * unmount is replayed on the peers and slaves (fs/pnode.c). No locks
 * held. */
int do_umount(struct path *target, int flags);
/* The registered file system type called name, or NULL. No locks. */
const struct fs_type *fs_type_find(const char *name);
/* The superblock a new mount of t from source gets: shared with a mount
 * of the same block device, else made by the file system from flags
 * (MS_RDONLY ...) and data (its option string). *sbp not referenced yet
 * (a mount takes the reference). 0, -EBUSY (the device is mounted with
 * another type), the file system's error. No locks held (it reads the
 * device). */
int sb_for_mount(const struct fs_type *t, const char *source, uint32_t flags, const char *data,
                 struct super_block **sbp);
/* A new mount of sb at root (referenced here), attached nowhere and owned
 * by its caller (m->anon): fsmount and open_tree's clones. Takes a
 * reference to sb (mount_lock). NULL when out of memory. */
struct mount *mount_detached(struct super_block *sb, struct dentry *root, const char *source,
                             uint32_t flags);
/* The owner of a detached mount lets it go: if it is still detached its
 * file system goes as on unmount, at the last path_put into it. Takes
 * mount_lock; process context (it syncs the file system). */
void mount_drop_detached(struct mount *m);
/* At boot: mount fstype as the root ("rootfs"). 0, -ENODEV, -ENOMEM. */
int mount_root(const char *fstype);
/* Step down through the mounts stacked on p, in place: the references p
 * held move to the new (mount, root) pair. Takes mount_lock. */
void follow_mounts(struct path *p);
/* The initial mount namespace's root mount (not referenced: it is never
 * unmounted). */
struct mount *root_mount(void);
/* statfs(2) of the file system p is on (the caller holds a reference to
 * p): 0 or the file system's error. No locks held. */
int vfs_statfs(struct path *p, struct statfs64 *st);
/* At boot (kmain, before any file is made): the pseudo mount below, on
 * which files without a name get their dentries (fs/vfs.c). Panics when
 * out of memory. */
void vfs_init(void);
/* Files without a name (pipes, sockets, epoll ...) reached through a magic
 * link get a dentry of their own, named name, on a pseudo mount outside
 * the tree: *out, referenced (path_put it; the dentry goes with its last
 * reference and takes a reference of its own to ino). 0 or -ENOMEM. */
int vfs_pseudo_path(struct inode *ino, const char *name, struct path *out);
/* Is p on that pseudo mount (a file without a name)? No locks. */
bool path_is_pseudo(const struct path *p);
/* Call fn for every mount, in mount order, with mount_lock held: fn must
 * not sleep or take a lock ranked above it. */
void mounts_for_each(void (*fn)(struct mount *m, void *arg), void *arg);
/* The last path into a lazily detached mount was put (path_put): its file
 * system goes now unless mounted again meanwhile (fs/super.c). No
 * spinlock held. */
void mount_release_detached(struct mount *m);
/* Guards mount_list (every mount, in mount order) and each mount's parent
 * and mount point: a leaf spinlock (fs/super.c defines both). */
extern struct spinlock mount_lock;
extern struct list_head mount_list;
/* Take top and every mount below it off the tree at once, as a lazy
 * unmount does; top may be a namespace's root (a namespace going away).
 * Mounts still in use keep their file system until their last path_put.
 * No locks held; process context (a file system may sync). */
void umount_tree(struct mount *top);
/* namespace_mutex (Linux's namespace_sem): one change of the tree's shape
 * at a time (mount, bind, move, unmount, propagation, namespace copy,
 * a detached tree's end). Taken before mount_lock; sleeps. */
void namespace_lock(void);
void namespace_unlock(void);
/* Hang m on (parent, mp), on top of what is mounted there, in parent's
 * namespace (mount_lock held; takes a reference to mp). */
void mount_hang_locked(struct mount *m, struct mount *parent, struct dentry *mp);
/* A mount no one has seen (never hung, or a copy left over) goes: its
 * superblock reference, and the file system if that was the last. No
 * locks held. */
void mount_free_unhung(struct mount *m);
/* Set propagation type (one of MS_SHARED ...) on top, and with recursive
 * on every mount below it (namespace_mutex and mount_lock held). */
void mount_set_propagation_locked(struct mount *top, uint32_t type, bool recursive);
/* ---- fs/super.c: mounts in user namespaces ---- */
/* Linux's may_mount: CAP_SYS_ADMIN in the user namespace that owns the
 * caller's mount namespace — what mount, umount, pivot_root and the new
 * mount API ask first. */
bool may_mount(void);
/* The user namespace that owns sb (never NULL). */
struct user_namespace *sb_user_ns(const struct super_block *sb);
/* Can m's flags become flags (MS_*: a remount, mount_setattr) without
 * clearing a locked one or changing a locked atime setting? (Linux's
 * can_change_locked_flags) */
bool mount_flags_may_change(const struct mount *m, uint32_t flags);
/* Lock m as Linux's lock_mnt_tree locks each mount of a copy made for a
 * less privileged user namespace: its flags as they are, and m itself. */
void mount_lock_copy(struct mount *m);
/* A copy c[0..n) of a tree just hung by propagation: if its namespace
 * has another owner than the caller's, lock it as mount_lock_copy does,
 * but for c[0] itself, which may be unmounted (Linux's
 * attach_recursive_mnt). mount_lock held. */
void mount_lock_propagated(struct mount **c, int n);
/* Is p's mount read-only (its own flag or its file system's)? */
static inline bool mnt_readonly(const struct mount *m)
{
  return ((m->flags | m->sb->flags) & MS_RDONLY) != 0;
}
/* Are set-user-ID bits on m honoured for current (Linux's mnt_may_suid):
 * not MS_NOSUID, m in the caller's mount namespace, and m's file system
 * owned by the caller's user namespace or one above it. */
bool mnt_may_suid(const struct mount *m);
/* May device files on m be opened (Linux's may_open_dev): not MS_NODEV,
 * and m's file system owned by the initial user namespace. */
bool mnt_may_open_dev(const struct mount *m);
/* Linux's mount_capable: may the caller make a new superblock of type t
 * (CAP_SYS_ADMIN in the namespace t->userns_mount names, else in the
 * initial one)? 0 or -EPERM; *owner: the namespace that will own it
 * (NULL: the initial one), for sb_set_owner. */
int mount_capable(const struct fs_type *t, struct user_namespace **owner);
/* A superblock just made (no mount yet) is owned by owner (NULL: the
 * initial namespace; takes a reference). */
void sb_set_owner(struct super_block *sb, struct user_namespace *owner);
/* Linux's mount_too_revealing for the new mount nm (not hung yet): 0, or
 * -EPERM for a proc or sysfs mount in a mount namespace owned below the
 * initial user namespace where none is fully visible. May lock nm's
 * read-only and atime flags as the visible one's. Takes mount_lock. */
int mount_too_revealing(struct mount *nm);

/* ---- fs/mnt_ns.c: mount namespaces ---- */
/* Boot (kmain, right after mount_root): root is the first mount; it heads
 * the initial mount namespace, which is handed to kern/nsproxy.c. */
void mnt_ns_init(struct mount *root);
/* The mount namespace the calling task is in (not referenced: the task's
 * nsproxy holds it; NULL before mnt_ns_init). No lock. */
static inline struct mnt_namespace *current_mnt_namespace(void)
{
  struct ns_common *ns = current_mnt_ns();
  return ns ? container_of(ns, struct mnt_namespace, ns) : NULL;
}
/* Is m attached in the caller's namespace (Linux's check_mnt)? A racy read
 * of m->ns unless mount_lock is held. */
static inline bool check_mnt(const struct mount *m)
{
  return READ_ONCE(m->ns) == current_mnt_namespace();
}
/* ---- fs/mount.c: reshaping the tree ---- */
/* mount(MS_MOVE) and move_mount(2): re-hang the mount whose root is from
 * (with everything below it) on to, or hang a detached one (fsmount's,
 * open_tree's clone: m->anon, with what is below it) there for the first
 * time, replayed on the receivers of to's mount (attach_tree). -EINVAL if
 * from is no mount's root or is a namespace's root, either end is outside
 * the caller's mount namespace, from's parent is shared (MS_SHARED), or
 * to's mount is shared and the tree holds an unbindable mount,
 * -ENOENT for a removed target, -EINVAL for a directory moved onto a
 * file (or the reverse), -ELOOP for a move below itself. The caller holds
 * references to both paths (kept); takes namespace_mutex, then mount_lock. */
int do_move_mount(struct path *from, struct path *to);
/* move_mount(MOVE_MOUNT_SET_GROUP), Linux's do_set_group (5.15): to's
 * mount joins the peer group of from's and becomes a slave of its master,
 * as from is. -EINVAL if either mount is unmounted or outside the
 * caller's tree and detached trees, either path is not a mount's root,
 * they are of different file systems, to's root is not at or below
 * from's, to is shared or a slave already, or from is neither. The
 * caller holds references to both paths (kept) and has checked
 * CAP_SYS_ADMIN; takes namespace_mutex, then mount_lock. */
int mount_set_group(struct path *from, struct path *to);
/* What attach_tree is given (fs/mount.c). */
enum tree_kind {
  TREE_NEW,       /* new mounts, none hung: t[0] detached, the others linked to
                     their parents by parent and mountpoint (not referenced) */
  TREE_DETACHED,  /* t[0] detached (fsmount's, open_tree's clone), the rest hung below it */
  TREE_MOVE,      /* an attached tree: t[0] leaves its mount point */
};
/*
 * Hang the tree t[0..n) (t[0] its top, each parent before its children)
 * at target and replay it on every receiver of target's mount: a copy of
 * the whole tree on the same mount point of each receiver that sees it
 * (Linux's attach_recursive_mnt, fs/pnode.c for the roles). Under a
 * shared target every mount of t becomes shared (a new group unless it
 * has one). namespace_mutex held; takes mount_lock. 0, or -ENOMEM with
 * nothing changed.
 */
int attach_tree(struct mount **t, int n, struct path *target, enum tree_kind kind);
/* mount(MS_BIND [| MS_REC]) of the path source on target: a copy of the
 * mount there (with MS_REC of every mount below it too, less unbindable
 * ones and what is below them), peers of shared originals, slaves of a
 * slave's master. -EINVAL for an unbindable source or one outside the
 * caller's tree (detached, another namespace's), a lookup's error,
 * -ENOMEM. No locks held. */
int mount_bind(const char *source, struct path *target, uint32_t flags);
/* open_tree(OPEN_TREE_CLONE [| AT_RECURSIVE]): *out, a detached copy of
 * the mount at p rooted at p's dentry (recursive: with the mounts below,
 * hung under it, in no namespace), roles as a bind's. -EINVAL (p outside
 * the caller's tree, or unbindable), -ENOMEM. No locks held. */
int mount_clone_tree(const struct path *p, bool recursive, struct mount **out);
/* pivot_root(2): the mount at new_root becomes the caller's root (hung
 * where the current root mount was), the current root mount moves to
 * put_old, at or under new_root. -EINVAL (also for a shared mount, or one
 * outside the caller's namespace), -EBUSY, -ENOENT as Linux checks them,
 * in Linux's order. The caller holds references to both
 * (kept); takes the caller's fs->lock, then mount_lock. */
int do_pivot_root(struct path *new_root, struct path *put_old);
/* sync(2): write back every mounted file system; 0 or the first error.
 * Process context, no locks held. */
int sync_all(void);
/* syncfs(2): write back one file system (sb->ops->sync); 0 or its error. */
int sync_fs(struct super_block *sb);
/* Before power-off: write back every file system and shut it down as an
 * unmount would (the disk is clean even after poweroff -f). */
void vfs_shutdown(void);
/* A new superblock of type with an anonymous device number (0:n; a disk
 * file system sets its block device's), not referenced yet (a mount takes
 * the reference). NULL when out of memory. */
struct super_block *sb_alloc(const struct fs_type *type);

#endif
