/*
 * user_namespace.h — user namespaces (Linux's include/linux/user_namespace.h
 * and uidgid.h; docs/namespaces.md, "User namespaces", and
 * docs/credentials.md).
 *
 * A user namespace maps ids to the kernel's ids. The kernel keeps one id
 * space (the initial namespace's numbers: a "kuid"), and every cred, inode
 * and IPC object holds kuids; a system call translates an id at the
 * boundary: make_kuid(ns, uid) for one coming in (INVALID_UID when the
 * namespace has no mapping for it), from_kuid_munged(ns, kuid) for one
 * going out (the overflow id 65534 when it has none). The namespace is
 * the caller's (current_user_ns()).
 *
 * A namespace has a parent, a level (the initial one 0; a parent at level
 * 32 may still have a child, no deeper), an owner (the creator's
 * effective kuid and kgid) and three maps written once through
 * /proc/<pid>/{uid,gid,projid}_map. An extent maps `count` ids from
 * `first` to the kernel ids from `lower_first` (the writer's ids in the
 * parent, translated to kernel ids when the map is written, as Linux).
 *
 * Capabilities are relative to a namespace: a cred's sets are what it has
 * in its own namespace (cred->user_ns), and it has every capability in a
 * namespace below its own that its euid owns (or whose ancestor it owns).
 * ns_capable(ns, cap) asks that; capable(cap) is ns_capable(&init_user_ns).
 *
 * Layer: core, beside kern/cred.c. Above: kern/sys_cred.c, kern/nsproxy.c,
 * fs/procfs (the map files), fs/nsfs.c, fs/sys_stat.c. Locks: userns_lock
 * serialises the map and setgroups writes; a map is read without a lock
 * (nr_extents is published after its extents, and never changes again).
 */
#ifndef KITE_USER_NAMESPACE_H
#define KITE_USER_NAMESPACE_H

#include "kern/nsproxy.h"

struct cred;

#define UID_GID_MAP_MAX_EXTENTS 340   /* Linux's limit of lines per map */
#define UID_GID_MAP_INLINE 5          /* extents kept in the namespace itself */
#define MAX_USER_NS_LEVEL 32          /* the deepest parent level (clone: ENOSPC past it) */
#define OVERFLOW_UID 65534            /* /proc/sys/kernel/overflowuid */
#define OVERFLOW_GID 65534
#define USERNS_SETGROUPS_ALLOWED 1u

struct uid_gid_extent {
  uint32_t first;        /* first id in the namespace */
  uint32_t lower_first;  /* the kernel id it maps to */
  uint32_t count;
};

struct uid_gid_map {
  uint32_t nr_extents;   /* 0 until written; published (release) after the extents */
  struct uid_gid_extent inl[UID_GID_MAP_INLINE];
  struct uid_gid_extent *ext;  /* inl, or kmalloc'd for more than UID_GID_MAP_INLINE */
};

struct user_namespace {
  struct ns_common ns;          /* ns.parent: &parent->ns; ns.owner NULL */
  struct user_namespace *parent;/* referenced; NULL for the initial one */
  int level;
  uid_t owner;                  /* kuid of the creator's euid */
  gid_t group;                  /* kgid of the creator's egid */
  struct uid_gid_map uid_map, gid_map, projid_map; /* userns_lock for writes */
  unsigned flags;               /* USERNS_SETGROUPS_ALLOWED; userns_lock */
};

extern struct user_namespace init_user_ns;

/* The user namespace an ns_common of type CLONE_NEWUSER is part of. */
static inline struct user_namespace *to_user_ns(struct ns_common *ns)
{
  return container_of(ns, struct user_namespace, ns);
}

/* The namespace current acts in (its cred's; not referenced). */
struct user_namespace *current_user_ns(void);
void get_user_ns(struct user_namespace *ns);
void put_user_ns(struct user_namespace *ns);

/* Ids in and out: INVALID_UID / INVALID_GID (-1) when unmapped. */
uid_t make_kuid(struct user_namespace *ns, uid_t uid);
gid_t make_kgid(struct user_namespace *ns, gid_t gid);
uid_t from_kuid(struct user_namespace *ns, uid_t kuid);
gid_t from_kgid(struct user_namespace *ns, gid_t kgid);
/* ... or the overflow id when unmapped. */
uid_t from_kuid_munged(struct user_namespace *ns, uid_t kuid);
gid_t from_kgid_munged(struct user_namespace *ns, gid_t kgid);
static inline bool kuid_has_mapping(struct user_namespace *ns, uid_t kuid)
{
  return from_kuid(ns, kuid) != (uid_t)-1;
}
static inline bool kgid_has_mapping(struct user_namespace *ns, gid_t kgid)
{
  return from_kgid(ns, kgid) != (gid_t)-1;
}

/* Has cred c capability cap in namespace ns (its own sets if ns is its
 * namespace; all of them if it owns ns or an ancestor of ns below its own)? */
bool cred_ns_capable(const struct cred *c, struct user_namespace *ns, int cap);
bool ns_capable(struct user_namespace *ns, int cap);
/* Is ns the namespace ancestor or below it (Linux's in_userns)? */
bool userns_within(struct user_namespace *ns, struct user_namespace *ancestor);
/* May the callers of ns use setgroups (its gid map written, not "deny")? */
bool userns_may_setgroups(struct user_namespace *ns);

/* clone/unshare(CLONE_NEWUSER): new (a prepared, uncommitted cred) moves
 * to a new namespace below its own, owned by its euid and egid, with
 * every capability there. 0, -EPERM (chrooted, or the owner unmapped in
 * the parent), -ENOSPC (too deep, or max_user_namespaces), -ENOMEM. */
int create_user_ns(struct cred *new, bool chrooted);
/* clone: with CLONE_NEWUSER (after clone's flag checks, EINVAL), the
 * child's cred in a new namespace into *out (referenced); else *out is
 * NULL. 0 or -errno, as create_user_ns. */
int clone_user_ns(uint64_t flags, struct cred **out);
/* setns to ns: 0 or -errno (Linux's userns_install); commits the cred. */
int userns_install(struct user_namespace *ns, bool fs_shared);
/* userns_install's checks and new cred, left for the caller to commit or
 * abort (setns with a pidfd changes every kind or none). */
int userns_prepare(struct user_namespace *ns, bool fs_shared, struct cred **out);

/* /proc/sys/user/max_user_namespaces. */
extern int max_user_namespaces;

/* /proc/<pid>/{uid,gid,projid}_map and setgroups, for the namespace ns of
 * the process, as the caller sees it (lines through pr). */
enum userns_map { USERNS_UID_MAP, USERNS_GID_MAP, USERNS_PROJID_MAP };
typedef void (*userns_print_fn)(void *ctx, const char *fmt, ...);
void userns_map_show(struct user_namespace *ns, enum userns_map which, userns_print_fn pr, void *ctx);
void userns_setgroups_show(struct user_namespace *ns, userns_print_fn pr, void *ctx);
/* A write of buf (len bytes, NUL-terminated) to such a file: len or -errno. */
long userns_map_write(struct user_namespace *ns, enum userns_map which, char *buf, size_t len,
                      const struct cred *opener);
long userns_setgroups_write(struct user_namespace *ns, char *buf, size_t len);

#endif
