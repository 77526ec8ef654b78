/*
 * initramfs.c — unpack the cpio archive linked into the kernel image into
 * the root file system (a ramfs) at boot.
 *
 * Layer: fs. kmain calls initramfs_unpack once the root is mounted; it
 * parses with kern/cpio.c and makes each entry through fs/fsops.c, the
 * path walk and file writes (fs/file.c), as a process would.
 *
 * Locks: none of its own; it runs alone at boot, taking the locks of the
 * operations it calls.
 */
#include "fs/fs_abi.h"
#include "fs/inode.h"
#include "fs/dentry.h"
#include "fs/mount.h"
#include "fs/file.h"
#include "fs/namei.h"
#include "fs/fsops.h"
#include "kern/cpio.h"
#include "kern/mm.h"
#include "kern/printk.h"
#include "kern/errno.h"
#include <string.h>

/* A file that has more names to come (nlink > 1): cpio stores the data
 * with its last name, and each name after the first is made a hard link
 * to the first (Linux's initramfs does the same). */
struct hardlink {
  struct hardlink *next;
  uint32_t ino, dev_major, dev_minor, mode;
  char path[];
};

struct unpack_stats {
  int files, dirs, links, nodes, hardlinks;
  struct hardlink *seen;
};

/* The first name of e's file if one was made already; else remember e's. */
static const char *first_name(struct unpack_stats *st, const struct cpio_entry *e, const char *path)
{
  for (struct hardlink *h = st->seen; h; h = h->next)
    if (h->ino == e->ino && h->dev_major == e->dev_major && h->dev_minor == e->dev_minor &&
        h->mode == e->mode)
      return h->path;
  struct hardlink *h = kmalloc(sizeof(*h) + strlen(path) + 1);
  if (h) {
    h->ino = e->ino;
    h->dev_major = e->dev_major;
    h->dev_minor = e->dev_minor;
    h->mode = e->mode;
    strcpy(h->path, path);
    h->next = st->seen;
    st->seen = h;
  }
  return NULL;
}

/* A regular file: a new one, or another name of one made before. */
static int unpack_file(struct unpack_stats *st, const struct cpio_entry *e, const char *path)
{
  int flags = O_WRONLY | O_CREAT | O_TRUNC;
  const char *first = e->nlink > 1 ? first_name(st, e, path) : NULL;
  if (first) {
    do_unlinkat(AT_FDCWD, path, 0); /* (a name from an earlier archive) */
    int r = do_linkat(AT_FDCWD, first, AT_FDCWD, path, 0);
    if (r)
      return r;
    st->hardlinks++;
    if (!e->size)
      return 0;
    flags = O_WRONLY; /* the data of the whole group comes with this name */
  }
  struct file *f;
  int r = kernel_open(path, flags, e->mode & 07777, &f);
  if (r)
    return r;
  if (e->size) {
    ssize_t n = kernel_write(f, e->data, e->size, 0);
    if (n != (ssize_t)e->size)
      r = n < 0 ? (int)n : -EIO;
  }
  fput(f);
  st->files++;
  return r;
}

/* Keep the archive's modification time (as Linux's initramfs does). */
static void set_mtime(const char *path, uint32_t mtime)
{
  struct path p;
  if (path_lookup(AT_FDCWD, path, 0, &p))
    return;
  struct inode *ino = p.dentry->inode;
  ino->mtime.tv_sec = ino->atime.tv_sec = ino->ctime.tv_sec = mtime;
  ino->mtime.tv_nsec = ino->atime.tv_nsec = ino->ctime.tv_nsec = 0;
  path_put(&p);
}

static int unpack_entry(const struct cpio_entry *e, void *arg)
{
  struct unpack_stats *st = arg;
  const char *name = e->name;
  while (name[0] == '.' && name[1] == '/')
    name += 2;
  while (name[0] == '/')
    name++;
  if (name[0] == 0 || !strcmp(name, "."))
    return 0;
  char path[PATH_MAX];
  snprintf(path, sizeof(path), "/%s", name);
  mode_t mode = e->mode;
  int r = 0;
  switch (mode & S_IFMT) {
  case S_IFDIR:
    r = do_mkdirat(AT_FDCWD, path, mode & 07777);
    if (r == -EEXIST)
      r = 0;
    st->dirs++;
    break;
  case S_IFREG:
    r = unpack_file(st, e, path);
    break;
  case S_IFLNK: {
    char *target = kmalloc(e->size + 1);
    if (!target)
      return -ENOMEM;
    memcpy(target, e->data, e->size);
    target[e->size] = 0;
    r = do_symlinkat(target, AT_FDCWD, path);
    kfree(target);
    st->links++;
    break;
  }
  case S_IFCHR:
  case S_IFBLK:
  case S_IFIFO:
  case S_IFSOCK:
    r = do_mknodat(AT_FDCWD, path, mode, MKDEV(e->rdev_major, e->rdev_minor));
    st->nodes++;
    break;
  default:
    pr_warn("initramfs: %s: unknown file type %o", path, mode);
  }
  if (r && r != -EEXIST)
    pr_err("initramfs: %s: error %d", path, r);
  else
    set_mtime(path, e->mtime);
  return 0;
}

int initramfs_unpack(const void *buf, size_t len)
{
  struct unpack_stats st = { 0 };
  int r = cpio_parse(buf, len, unpack_entry, &st);
  if (r)
    pr_err("initramfs: malformed archive (%d)", r);
  pr_info("initramfs: %d files, %d directories, %d symlinks, %d device nodes, %d hard links (%lu KiB)",
          st.files, st.dirs, st.links, st.nodes, st.hardlinks, (unsigned long)(len >> 10));
  while (st.seen) {
    struct hardlink *h = st.seen;
    st.seen = h->next;
    kfree(h);
  }
  return r;
}
