/*
 * unix_msg.c — AF_UNIX names and messages: bound names (a path's socket
 * inode or an abstract name) and finding the socket bound to one; the
 * messages that carry data between sockets and their receive queues.
 *
 * Layer: net, the bottom of the AF_UNIX files: net/unix.c (connections)
 * and net/unix_io.c (the data path) use it; it uses only net/unix_gc.c's
 * lock and counters and the file system's path lookup.
 *
 * Locks: unix_lock (net/unix_priv.h) guards names, queues and the socket
 * list; each function says whether it expects it held. Path lookups and
 * frees that may iput happen without it.
 */
#include "net/socket.h"
#include "kern/task.h"
#include "kern/cred.h"
#include "kern/mm.h"
#include "kern/vm.h"
#include "kern/uio.h"
#include "kern/poll.h"
#include "kern/errno.h"
#include "kern/param.h"
#include "kern/printk.h"
#include "fs/fs_abi.h"
#include "fs/inode.h"
#include "fs/dentry.h"
#include "fs/mount.h"
#include "fs/file.h"
#include "fs/namei.h"
#include "fs/fdtable.h"
#include "fs/fsops.h"
#include <string.h>

#include "net/unix_priv.h"

struct wait_queue unix_space_wq = WAIT_QUEUE_INIT(unix_space_wq);  /* room appeared */

/* SCM_CREDENTIALS by default: the real ids (scm_send). */
static void current_ucred(struct ucred *c)
{
  const struct cred *cr = current_cred();
  c->pid = current->proc->pid;
  c->uid = cr->uid;
  c->gid = cr->gid;
}

/* ---- names ---- */

void unix_addr_get(struct unix_addr *a)
{
  if (a)
    a->refs++;
}

/* Drop a name reference; returns the inode to iput (outside unix_lock). */
struct inode *unix_addr_put_locked(struct unix_addr *a)
{
  if (!a || --a->refs > 0)
    return NULL;
  struct inode *ino = a->inode;
  kfree(a);
  return ino;
}

static bool addr_is_abstract(const struct unix_addr *a)
{
  return a->len > 2 && a->sun.sun_path[0] == 0;
}

/* Parse a user sockaddr_un: *path gets a NUL-terminated path, or *abstract
 * the name bytes with *alen their count (including the leading NUL). */
int unix_parse_sun(const struct sockaddr_storage *ss, int len, struct sockaddr_un *sun,
                   int *namelen)
{
  if (len < (int)sizeof(uint16_t) || len > (int)sizeof(struct sockaddr_un))
    return -EINVAL;
  if (ss->ss_family != AF_UNIX)
    return -EINVAL;
  memset(sun, 0, sizeof(*sun));
  memcpy(sun, ss, len);
  *namelen = len - 2;
  if (*namelen > 0 && sun->sun_path[0] != 0) {
    /* a path: up to the first NUL */
    *namelen = (int)strnlen(sun->sun_path, *namelen);
    if (*namelen >= UNIX_PATH_MAX)
      return -EINVAL;
    sun->sun_path[*namelen] = 0;
  }
  return 0;
}

/* Can u be reached by its name as a `type` socket? (type < 0: any).
 * Only the socket that called bind() owns the name: accepted connections
 * share their listener's name but cannot be found by it. */
static bool name_target(struct unix_sock *u, int type)
{
  if (!u->bound)
    return false;
  if (type < 0)
    return true;
  return u->type == type && (type == SOCK_DGRAM || u->state == US_LISTEN);
}

/* The socket bound to this abstract name. unix_lock held. */
struct unix_sock *unix_find_abstract(const char *name, int len, int type)
{
  struct unix_sock *u;
  list_for_each_entry(u, &unix_all, all_link) {
    struct unix_addr *a = u->addr;
    if (a && addr_is_abstract(a) && a->len - 2 == len && memcmp(a->sun.sun_path, name, len) == 0 &&
        name_target(u, type))
      return u;
  }
  return NULL;
}

/* The socket bound to this socket file. unix_lock held. */
static struct unix_sock *find_inode(struct inode *ino, int type)
{
  struct unix_sock *u;
  list_for_each_entry(u, &unix_all, all_link)
    if (u->addr && u->addr->inode == ino && name_target(u, type))
      return u;
  return NULL;
}

/*
 * Resolve a destination name. For paths the file system walk happens
 * here (it may sleep); *ino gets the referenced inode (iput it later).
 * Then, under unix_lock, unix_find_target() matches it.
 */
int unix_resolve_name(const struct sockaddr_storage *ss, int len, struct sockaddr_un *sun,
                      int *namelen, struct inode **ino)
{
  *ino = NULL;
  int r = unix_parse_sun(ss, len, sun, namelen);
  if (r)
    return r;
  if (*namelen == 0)
    return -EINVAL;
  if (sun->sun_path[0] == 0)
    return 0;  /* abstract */
  struct path p;
  r = path_lookup(AT_FDCWD, sun->sun_path, LOOKUP_FOLLOW, &p);
  if (r)
    return r;
  struct inode *i = p.dentry->inode;
  if (!i || !S_ISSOCK(i->mode)) {
    path_put(&p);
    return -ECONNREFUSED;
  }
  iget(i);
  path_put(&p);
  *ino = i;
  return 0;
}

struct unix_sock *unix_find_target(const struct sockaddr_un *sun, int namelen,
                                   struct inode *ino, int type)
{
  if (ino)
    return find_inode(ino, type);
  return unix_find_abstract(sun->sun_path, namelen, type);
}

/* ---- messages ---- */

struct unix_msg *unix_msg_alloc(size_t len)
{
  struct unix_msg *m = kmalloc(sizeof(*m) + (len ? len : 1));
  if (!m)
    return NULL;
  memset(m, 0, sizeof(*m));
  m->len = len;
  current_ucred(&m->cred);
  return m;
}

/* Free a message (not on any queue): its name reference and files. No lock held. */
void unix_msg_free(struct unix_msg *m)
{
  if (m->nfiles)
    __atomic_sub_fetch(&unix_msgs_with_files, 1, __ATOMIC_RELAXED);
  for (int i = 0; i < m->nfiles; i++)
    fput(m->files[i]);
  kfree(m->files);
  if (m->from) {
    spin_lock(&unix_lock);
    struct inode *ino = unix_addr_put_locked(m->from);
    spin_unlock(&unix_lock);
    if (ino)
      iput(ino);
  }
  kfree(m);
}

/* Append to u's receive queue. unix_lock held. */
void unix_queue_msg(struct unix_sock *u, struct unix_msg *m)
{
  m->next = NULL;
  if (u->rx_tail)
    u->rx_tail->next = m;
  else
    u->rx_head = m;
  u->rx_tail = m;
  u->rx_bytes += m->len;
  u->rx_count++;
}

bool unix_has_room(struct unix_sock *r, size_t want)
{
  if (is_stream(r))
    return r->rx_bytes + MIN(want, (size_t)UNIX_MSG_MAX) <= UNIX_STREAM_LIMIT || r->rx_bytes == 0;
  return r->rx_count < UNIX_DGRAM_QLEN;
}
