/*
 * user_namespace.c — user namespaces (kern/user_namespace.h): the id maps
 * and their translation, capabilities relative to a namespace, making and
 * joining a namespace, and the text of /proc/<pid>/{uid,gid,projid}_map
 * and setgroups (Linux's kernel/user_namespace.c and the cap_capable of
 * security/commoncap.c; docs/namespaces.md, "User namespaces").
 *
 * Layer: core, beside kern/cred.c. Users: kern/cred.c (capable),
 * kern/sys_cred.c, kern/nsproxy.c, kern/process.c (clone), fs/procfs,
 * fs/nsfs.c, fs/sys_stat.c. Locks: userns_lock (a leaf) for the writes of
 * a map or of the setgroups flag; readers take none.
 */
#include "kern/user_namespace.h"
#include "kern/cred.h"
#include "kern/task.h"
#include "kern/mm.h"
#include "kern/errno.h"
#include "kern/spinlock.h"
#include "kern/param.h"
#include "kern/clone.h"
#include <string.h>
#include <stdlib.h>
#include <ctype.h>

static void user_ns_release(struct ns_common *ns);

/* The initial namespace: every id maps to itself (0 0 4294967295). */
struct user_namespace init_user_ns = {
  .ns = { .type = CLONE_NEWUSER, .inum = 0xEFFFFFFDU, .refcount = 1 },
  .uid_map = { .nr_extents = 1, .inl = { { 0, 0, 4294967295U } }, .ext = init_user_ns.uid_map.inl },
  .gid_map = { .nr_extents = 1, .inl = { { 0, 0, 4294967295U } }, .ext = init_user_ns.gid_map.inl },
  .projid_map = { .nr_extents = 1, .inl = { { 0, 0, 4294967295U } }, .ext = init_user_ns.projid_map.inl },
  .flags = USERNS_SETGROUPS_ALLOWED,
};

int max_user_namespaces = NPROC_DEFAULT / 2; /* Linux: half the task limit */
static int nr_user_namespaces;               /* atomic: besides the initial one */
static struct spinlock userns_lock = SPINLOCK_INIT("userns");

struct user_namespace *current_user_ns(void)
{
  return current_cred()->user_ns;
}

void get_user_ns(struct user_namespace *ns)
{
  ns_get(&ns->ns);
}

void put_user_ns(struct user_namespace *ns)
{
  ns_put(&ns->ns);
}

static void user_ns_release(struct ns_common *c)
{
  struct user_namespace *ns = to_user_ns(c);
  struct uid_gid_map *maps[] = { &ns->uid_map, &ns->gid_map, &ns->projid_map };
  for (int i = 0; i < 3; i++)
    if (maps[i]->ext && maps[i]->ext != maps[i]->inl)
      kfree(maps[i]->ext);
  struct user_namespace *parent = ns->parent;
  kfree(ns);
  __atomic_sub_fetch(&nr_user_namespaces, 1, __ATOMIC_RELAXED);
  put_user_ns(parent);
}

/* ---- the maps ---- */

/* The extents of map, and how many (0 while it is not written). */
static uint32_t map_extents(const struct uid_gid_map *map, const struct uid_gid_extent **e)
{
  uint32_t n = __atomic_load_n(&map->nr_extents, __ATOMIC_ACQUIRE);
  *e = map->ext;
  return n;
}

/* The kernel id of ids id .. id+count-1 of the namespace, or -1. */
static uint32_t map_id_range_down(const struct uid_gid_map *map, uint32_t id, uint32_t count)
{
  const struct uid_gid_extent *e;
  uint32_t n = map_extents(map, &e);
  uint32_t last = id + count - 1;
  for (uint32_t i = 0; i < n; i++)
    if (id >= e[i].first && last <= e[i].first + e[i].count - 1 && last >= id)
      return id - e[i].first + e[i].lower_first;
  return (uint32_t)-1;
}

static uint32_t map_id_up(const struct uid_gid_map *map, uint32_t kid)
{
  const struct uid_gid_extent *e;
  uint32_t n = map_extents(map, &e);
  for (uint32_t i = 0; i < n; i++)
    if (kid >= e[i].lower_first && kid <= e[i].lower_first + e[i].count - 1)
      return kid - e[i].lower_first + e[i].first;
  return (uint32_t)-1;
}

uid_t make_kuid(struct user_namespace *ns, uid_t uid) { return map_id_range_down(&ns->uid_map, uid, 1); }
gid_t make_kgid(struct user_namespace *ns, gid_t gid) { return map_id_range_down(&ns->gid_map, gid, 1); }
uid_t from_kuid(struct user_namespace *ns, uid_t kuid) { return map_id_up(&ns->uid_map, kuid); }
gid_t from_kgid(struct user_namespace *ns, gid_t kgid) { return map_id_up(&ns->gid_map, kgid); }

uid_t from_kuid_munged(struct user_namespace *ns, uid_t kuid)
{
  uid_t u = from_kuid(ns, kuid);
  return u == (uid_t)-1 ? OVERFLOW_UID : u;
}

gid_t from_kgid_munged(struct user_namespace *ns, gid_t kgid)
{
  gid_t g = from_kgid(ns, kgid);
  return g == (gid_t)-1 ? OVERFLOW_GID : g;
}

/* ---- capabilities ---- */

bool cred_ns_capable(const struct cred *c, struct user_namespace *ns, int cap)
{
  if (!cap_valid(cap))
    return false;
  for (;;) {
    if (ns == c->user_ns)
      return c->cap_effective & CAP_TO_MASK(cap);
    if (ns->level <= c->user_ns->level)
      return false; /* not below the cred's namespace */
    if (ns->parent == c->user_ns && ns->owner == c->euid)
      return true;  /* the owner of a child namespace has everything there */
    ns = ns->parent;
  }
}

bool ns_capable(struct user_namespace *ns, int cap)
{
  return cred_ns_capable(current_cred(), ns, cap);
}

bool userns_within(struct user_namespace *ns, struct user_namespace *ancestor)
{
  while (ns->level > ancestor->level)
    ns = ns->parent;
  return ns == ancestor;
}

bool userns_may_setgroups(struct user_namespace *ns)
{
  return __atomic_load_n(&ns->gid_map.nr_extents, __ATOMIC_ACQUIRE) != 0 &&
         (READ_ONCE(ns->flags) & USERNS_SETGROUPS_ALLOWED);
}

/* ---- making and joining ---- */

/* A cred in namespace ns has every capability there (set_cred_user_ns). */
static void cred_enter_ns(struct cred *new, struct user_namespace *ns)
{
  new->user_ns = ns;
  new->securebits = 0;
  new->cap_inheritable = 0;
  new->cap_ambient = 0;
  new->cap_permitted = new->cap_effective = new->cap_bset = CAP_FULL_SET;
}

int create_user_ns(struct cred *new, bool chrooted)
{
  struct user_namespace *parent = new->user_ns;
  if (parent->level > MAX_USER_NS_LEVEL)
    return -ENOSPC;
  if (__atomic_add_fetch(&nr_user_namespaces, 1, __ATOMIC_RELAXED) > READ_ONCE(max_user_namespaces)) {
    __atomic_sub_fetch(&nr_user_namespaces, 1, __ATOMIC_RELAXED);
    return -ENOSPC;
  }
  int err = -EPERM;
  if (chrooted || !kuid_has_mapping(parent, new->euid) || !kgid_has_mapping(parent, new->egid))
    goto fail;
  err = -ENOMEM;
  struct user_namespace *ns = kzalloc(sizeof(*ns));
  if (!ns)
    goto fail;
  ns->ns = (struct ns_common){ .type = CLONE_NEWUSER, .inum = ns_alloc_inum(), .refcount = 1,
                               .parent = &parent->ns, .release = user_ns_release };
  ns->parent = parent; /* takes over new's reference */
  ns->level = parent->level + 1;
  ns->owner = new->euid;
  ns->group = new->egid;
  ns->flags = READ_ONCE(parent->flags);
  ns->uid_map.ext = ns->uid_map.inl;
  ns->gid_map.ext = ns->gid_map.inl;
  ns->projid_map.ext = ns->projid_map.inl;
  cred_enter_ns(new, ns);
  return 0;
fail:
  __atomic_sub_fetch(&nr_user_namespaces, 1, __ATOMIC_RELAXED);
  return err;
}

int clone_user_ns(uint64_t flags, struct cred **out)
{
  *out = NULL;
  if (!(flags & CLONE_NEWUSER))
    return 0;
  int err = ns_clone_flags_check(flags);
  if (err)
    return err;
  struct cred *new = prepare_creds();
  if (!new)
    return -ENOMEM;
  if ((err = create_user_ns(new, current_chrooted()))) {
    abort_creds(new);
    return err;
  }
  *out = new;
  return 0;
}

/* The checks of setns into ns and the cred it would give, not committed
 * (Linux's userns_install on a prepared nsset): 0 and *out, or -errno. */
int userns_prepare(struct user_namespace *ns, bool fs_shared, struct cred **out)
{
  if (ns == current_user_ns())
    return -EINVAL;
  if (READ_ONCE(current->proc->nr_threads) > 1 || fs_shared)
    return -EINVAL; /* threads share a namespace, and so do sharers of a root */
  if (!ns_capable(ns, CAP_SYS_ADMIN))
    return -EPERM;
  struct cred *new = prepare_creds();
  if (!new)
    return -ENOMEM;
  put_user_ns(new->user_ns);
  get_user_ns(ns);
  cred_enter_ns(new, ns);
  *out = new;
  return 0;
}

int userns_install(struct user_namespace *ns, bool fs_shared)
{
  struct cred *new;
  int r = userns_prepare(ns, fs_shared, &new);
  if (!r)
    commit_creds(new);
  return r;
}

/* ---- /proc/<pid>/{uid,gid,projid}_map and setgroups ---- */

static struct uid_gid_map *map_of(struct user_namespace *ns, enum userns_map which)
{
  return which == USERNS_UID_MAP ? &ns->uid_map : which == USERNS_GID_MAP ? &ns->gid_map : &ns->projid_map;
}

/* The lower ids are shown in the reader's namespace, or in the parent
 * when the reader is in ns itself (Linux's uid_m_show). */
void userns_map_show(struct user_namespace *ns, enum userns_map which, userns_print_fn pr, void *ctx)
{
  struct user_namespace *lower_ns = current_user_ns();
  if (lower_ns == ns && ns->parent)
    lower_ns = ns->parent;
  const struct uid_gid_extent *e;
  uint32_t n = map_extents(map_of(ns, which), &e);
  for (uint32_t i = 0; i < n; i++) {
    uint32_t lower = map_id_up(map_of(lower_ns, which), e[i].lower_first);
    pr(ctx, "%10u %10u %10u\n", e[i].first, lower, e[i].count);
  }
}

void userns_setgroups_show(struct user_namespace *ns, userns_print_fn pr, void *ctx)
{
  pr(ctx, "%s\n", (READ_ONCE(ns->flags) & USERNS_SETGROUPS_ALLOWED) ? "allow" : "deny");
}

static char *skip_spaces(char *s)
{
  while (isspace((unsigned char)*s))
    s++;
  return s;
}

static bool overlaps(const struct uid_gid_extent *e, uint32_t n, const struct uid_gid_extent *x)
{
  uint32_t ul = x->first + x->count - 1, ll = x->lower_first + x->count - 1;
  for (uint32_t i = 0; i < n; i++) {
    if (e[i].first <= ul && e[i].first + e[i].count - 1 >= x->first)
      return true;
    if (e[i].lower_first <= ll && e[i].lower_first + e[i].count - 1 >= x->lower_first)
      return true;
  }
  return false;
}

/* Parse "first lower count" lines into e (room for the maximum): the
 * number of extents, or -EINVAL (Linux's map_write parser). */
static long parse_map(char *buf, struct uid_gid_extent *e)
{
  uint32_t n = 0;
  char *next;
  for (char *pos = buf; pos; pos = next) {
    if ((next = strchr(pos, '\n'))) {
      *next++ = 0;
      if (!*next)
        next = NULL;
    }
    uint32_t v[3];
    for (int i = 0; i < 3; i++) {
      pos = skip_spaces(pos);
      if (*pos == '+' || *pos == '-')
        return -EINVAL; /* digits only, as Linux's simple_strtoul reads them */
      v[i] = (uint32_t)strtoul(pos, &pos, 10);
      if (i < 2 ? !isspace((unsigned char)*pos) : (*pos && !isspace((unsigned char)*pos)))
        return -EINVAL;
    }
    if (*skip_spaces(pos))
      return -EINVAL;
    struct uid_gid_extent x = { v[0], v[1], v[2] };
    if (x.first == (uint32_t)-1 || x.lower_first == (uint32_t)-1)
      return -EINVAL;
    if (x.first + x.count <= x.first || x.lower_first + x.count <= x.lower_first)
      return -EINVAL; /* empty, or wraps */
    if (overlaps(e, n, &x))
      return -EINVAL;
    if (n + 1 == UID_GID_MAP_MAX_EXTENTS && next)
      return -EINVAL;
    e[n++] = x;
  }
  return n;
}

/* Linux's new_idmap_permitted: one id mapped to the opener's own euid (or
 * egid, setgroups denied) by the namespace's owner, or CAP_SETUID /
 * CAP_SETGID over the parent held by both the writer and the opener
 * (cap -1: the projid map, always). */
static bool idmap_permitted(struct user_namespace *ns, int cap, const struct uid_gid_extent *e, uint32_t n,
                            const struct cred *c)
{
  if (n == 1 && e[0].count == 1 && ns->owner == c->euid) {
    if (cap == CAP_SETUID && make_kuid(ns->parent, e[0].lower_first) == c->euid)
      return true;
    if (cap == CAP_SETGID && !(ns->flags & USERNS_SETGROUPS_ALLOWED) &&
        make_kgid(ns->parent, e[0].lower_first) == c->egid)
      return true;
  }
  if (cap < 0)
    return true;
  return ns_capable(ns->parent, cap) && cred_ns_capable(c, ns->parent, cap);
}

long userns_map_write(struct user_namespace *ns, enum userns_map which, char *buf, size_t len,
                      const struct cred *opener)
{
  struct user_namespace *me = opener->user_ns; /* Linux: the opener's (seq_user_ns) */
  if (!ns->parent || (me != ns && me != ns->parent))
    return -EPERM;
  int cap = which == USERNS_UID_MAP ? CAP_SETUID : which == USERNS_GID_MAP ? CAP_SETGID : -1;
  struct uid_gid_map *map = map_of(ns, which), *parent_map = map_of(ns->parent, which);
  struct uid_gid_extent *e = kmalloc(UID_GID_MAP_MAX_EXTENTS * sizeof(*e));
  if (!e)
    return -ENOMEM;
  long r = -EPERM;
  spin_lock(&userns_lock);
  if (map->nr_extents != 0)
    goto out; /* written once */
  if (cap >= 0 && !cred_ns_capable(opener, ns, CAP_SYS_ADMIN))
    goto out;
  long n = parse_map(buf, e);
  r = n < 0 ? n : -EINVAL;
  if (n <= 0)
    goto out;
  r = -EPERM;
  if (!idmap_permitted(ns, cap, e, (uint32_t)n, opener))
    goto out;
  for (long i = 0; i < n; i++) { /* the parent's ids to kernel ids */
    uint32_t k = map_id_range_down(parent_map, e[i].lower_first, e[i].count);
    if (k == (uint32_t)-1)
      goto out;
    e[i].lower_first = k;
  }
  if (n <= UID_GID_MAP_INLINE) {
    memcpy(map->inl, e, (size_t)n * sizeof(*e));
  } else {
    map->ext = e; /* kept: freed with the namespace */
    e = NULL;
  }
  __atomic_store_n(&map->nr_extents, (uint32_t)n, __ATOMIC_RELEASE);
  r = (long)len;
out:
  spin_unlock(&userns_lock);
  kfree(e);
  return r;
}

long userns_setgroups_write(struct user_namespace *ns, char *buf, size_t len)
{
  bool allow;
  char *pos = buf;
  if (strncmp(pos, "allow", 5) == 0) {
    allow = true;
    pos += 5;
  } else if (strncmp(pos, "deny", 4) == 0) {
    allow = false;
    pos += 4;
  } else {
    return -EINVAL;
  }
  if (*skip_spaces(pos))
    return -EINVAL;
  long r = -EPERM;
  spin_lock(&userns_lock);
  if (allow) {
    if (!(ns->flags & USERNS_SETGROUPS_ALLOWED))
      goto out; /* "deny" is for good */
  } else {
    if (ns->gid_map.nr_extents != 0)
      goto out; /* too late once the gid map is written */
    WRITE_ONCE(ns->flags, ns->flags & ~USERNS_SETGROUPS_ALLOWED);
  }
  r = (long)len;
out:
  spin_unlock(&userns_lock);
  return r;
}
