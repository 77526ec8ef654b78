/*
 * pnode.c — mount propagation (shared subtrees), as Linux's fs/pnode.c:
 * peer groups, masters and slaves, and which mounts a mount or an
 * unmount is replayed on (docs/vfs.md, "Mount propagation").
 *
 * Every mount has three propagation fields (struct mount, fs/mount.h):
 * group_id, its peer group (0: not shared), master, the peer group it is
 * a slave of (0: none), and unbindable. A peer group is simply the set
 * of mounts with the same group_id, in any namespace; ids are the
 * smallest unused, from 1, as Linux's IDA hands them out. An event
 * under a mount of group G goes to every other member of G and to
 * every slave of G, then on to the peers and slaves of a slave that is
 * itself shared, and never back up to a master.
 *
 * Layer: fs, the VFS core's helper. Everything here works on mount_list
 * with mount_lock held and allocates nothing: fs/super.c makes the
 * copies and hangs them, fs/mnt_ns.c copies the fields into a new
 * namespace, fs/proc_mounts.c prints them.
 */
#include "fs/fs_abi.h"
#include "fs/dentry.h"
#include "fs/mount.h"
#include "fs/pnode.h"

/* Is group id g used by a mount on the list? (mount_lock) */
static bool group_used_locked(int g)
{
  struct mount *m;
  list_for_each_entry(m, &mount_list, link)
    if (m->group_id == g || m->master == g)
      return true;
  return false;
}

int pnode_new_group_locked(void)
{
  int g = 1;
  while (group_used_locked(g))
    g++;
  return g;
}

/* Does another mount on the list belong to m's peer group? (mount_lock) */
static bool has_peers_locked(struct mount *m)
{
  struct mount *p;
  list_for_each_entry(p, &mount_list, link)
    if (p != m && p->group_id == m->group_id)
      return true;
  return false;
}

/*
 * m stops being shared (Linux's do_make_slave, first half): with peers
 * left the group lives on and m's slaves, which are the group's, stay;
 * as the group's last member its slaves move up to m's own master (or
 * become private when m has none).
 */
static void leave_group_locked(struct mount *m)
{
  int g = m->group_id;
  if (!g)
    return;
  m->group_id = 0;
  if (has_peers_locked(m))
    return;
  struct mount *s;
  list_for_each_entry(s, &mount_list, link)
    if (s->master == g)
      s->master = m->master;
}

void pnode_set_type_locked(struct mount *m, uint32_t type)
{
  if (type == MS_SHARED) {
    if (!m->group_id)
      m->group_id = pnode_new_group_locked();
    m->unbindable = false;
    return;
  }
  int g = m->group_id;
  bool peers = g && has_peers_locked(m);
  leave_group_locked(m);
  if (type == MS_SLAVE) {
    if (peers)
      m->master = g;            /* a slave of the group it was in */
    return;                     /* else: stays a slave of its master, if any */
  }
  m->master = 0;
  m->unbindable = type == MS_UNBINDABLE;
}

void pnode_unmounted_locked(struct mount *m)
{
  leave_group_locked(m);
  m->master = 0;
}

/* Is m already in a[0..n)? */
static bool listed(struct mount **a, int n, struct mount *m)
{
  for (int i = 0; i < n; i++)
    if (a[i] == m)
      return true;
  return false;
}

/* Append m to out (if there is room; the count goes on regardless). */
static int push(struct mount **out, int n, int max, struct mount *m)
{
  if (n < max)
    out[n] = m;
  return n + 1;
}

/* Add every member of group g but skip (and those listed) to out. */
static int push_group(struct mount **out, int n, int max, int g, struct mount *skip)
{
  struct mount *r;
  list_for_each_entry(r, &mount_list, link)
    if (r->group_id == g && r != skip && r->ns && !listed(out, n < max ? n : max, r))
      n = push(out, n, max, r);
  return n;
}

int pnode_receivers_locked(struct mount *src, struct mount **out, int max)
{
  if (!src->group_id)
    return 0;                   /* private, or only a slave: nothing goes out */
  int n = push_group(out, 0, max, src->group_id, src);
  /* breadth first: each group's slaves (with their own peers) after it */
  for (int i = -1; i < n && i < max; i++) {
    int g = i < 0 ? src->group_id : out[i]->group_id;
    bool seen = !g || (i >= 0 && g == src->group_id);
    for (int j = 0; j < i && !seen; j++)
      seen = out[j]->group_id == g;
    if (seen)
      continue;                 /* no group, or its slaves are listed already */
    struct mount *r;
    list_for_each_entry(r, &mount_list, link) {
      if (r->master != g || r == src || !r->ns || listed(out, n < max ? n : max, r))
        continue;
      n = push(out, n, max, r);
      if (r->group_id)
        n = push_group(out, n, max, r->group_id, src);
    }
  }
  return n;
}

bool pnode_sees_locked(struct mount *r, struct dentry *mp)
{
  spin_lock(&dcache_lock);
  struct dentry *d = mp;
  while (d != r->root && d->parent != d)
    d = d->parent;
  bool in = d == r->root;
  spin_unlock(&dcache_lock);
  return in;
}

/* The group of the copy made for a receiver in group g, before copies[i]
 * (0: none made). */
static int copy_group(struct mount **rcv, struct mount **copies, int i, int g)
{
  for (int j = 0; j < i; j++)
    if (copies[j] && rcv[j]->group_id == g)
      return copies[j]->group_id;
  return 0;
}

void pnode_copy_role_locked(struct mount *m, struct mount *src, struct mount **rcv,
                            struct mount **copies, int i)
{
  struct mount *r = rcv[i], *c = copies[i];
  if (r->group_id == src->group_id) {
    c->group_id = m->group_id;  /* on a peer: a peer of m */
    return;
  }
  /* on a slave: a slave of the copy its master got (or of m) */
  int master = r->master == src->group_id ? 0 : copy_group(rcv, copies, i, r->master);
  c->master = master ? master : m->group_id;
  if (r->group_id) {            /* a shared slave: its peers' copies are peers */
    int g = copy_group(rcv, copies, i, r->group_id);
    c->group_id = g ? g : pnode_new_group_locked();
  }
}

/* Has c no children but doomed ones? (mount_lock) */
static bool only_doomed_below_locked(struct mount *c)
{
  struct mount *k;
  list_for_each_entry(k, &mount_list, link)
    if (k->parent == c && !k->doomed)
      return false;
  return true;
}

/* The most recent mount on (parent, mp), or NULL (mount_lock). */
static struct mount *child_on_locked(struct mount *parent, struct dentry *mp)
{
  struct mount *k, *found = NULL;
  list_for_each_entry(k, &mount_list, link)
    if (k->parent == parent && k->mountpoint == mp)
      found = k;
  return found;
}

/* Mark, for the doomed mount x, the mount on the same mount point of
 * each receiver of x's parent that has nothing but doomed mounts below
 * it. True if one was marked. */
static bool mark_copies_of_locked(struct mount *x)
{
  bool marked = false;
  struct mount *r;
  list_for_each_entry(r, &mount_list, link) {
    if (r == x->parent || !r->ns || !pnode_receives_locked(r, x->parent->group_id))
      continue;
    struct mount *c = child_on_locked(r, x->mountpoint);
    if (c && !c->doomed && only_doomed_below_locked(c)) {
      c->doomed = true;
      marked = true;
    }
  }
  return marked;
}

void pnode_mark_umounts_locked(void)
{
  for (bool changed = true; changed;) {
    changed = false;
    struct mount *x;
    list_for_each_entry(x, &mount_list, link)
      if (x->doomed && x->parent && x->parent->group_id)
        changed |= mark_copies_of_locked(x);
  }
}

int pnode_group_master_locked(int g)
{
  struct mount *m;
  list_for_each_entry(m, &mount_list, link)
    if (m->group_id == g)
      return m->master;
  return 0;
}

bool pnode_receives_locked(struct mount *r, int g)
{
  if (!g)
    return false;
  if (r->group_id == g)
    return true;
  int depth = 0;
  for (int h = r->master; h && depth < MAX_PROPAGATION_DEPTH; h = pnode_group_master_locked(h), depth++)
    if (h == g)
      return true;
  return false;
}
