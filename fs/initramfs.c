/*
 * initramfs.c — unpack the cpio archive linked into the kernel image into
 * the root file system (a ramfs) at boot.
 *
 * Layer: fs. kmain calls initramfs_unpack once the root is mounted; it
 * parses with kern/cpio.c and makes each entry through fs/fsops.c, the
 * path walk and file writes (fs/file.c), as a process would.
 *
 * Like a process extracting an archive with `cd`, it works inside the
 * directory of the entry at hand: a cpio archive lists a directory before
 * what is in it, so most entries are in the directory of the one before,
 * and each is made by its last name alone instead of walking its whole
 * path from the root twice (to make it, then to set its time). That
 * halved the unpack's cost (docs/boot.md).
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
#include "fs/pagecache.h"
#include "kern/cpio.h"
#include "kern/mm.h"
#include "kern/printk.h"
#include "kern/task.h"
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
  size_t pages_given; /* file pages taken from the archive in place */
  bool in_place;      /* the archive's pages may become its files' */
  struct hardlink *seen;
  /* The cwd is the directory of an earlier entry: its name, the first
   * dir_len bytes of that entry's (in the archive, relative to the root;
   * none for the root), valid if in_dir. */
  bool in_dir;
  const char *dir;
  size_t dir_len;
};

/*
 * Make the directory of name (relative to the root) the cwd, unless it is
 * already, and point *last at name's last component. 0 or kernel_chdir's
 * error (the directory is not there: the archive listed it later or not
 * at all).
 */
static int enter_parent(struct unpack_stats *st, const char *name, const char **last)
{
  const char *slash = strrchr(name, '/');
  size_t len = slash ? (size_t)(slash - name) : 0;
  *last = slash ? slash + 1 : name;
  if (st->in_dir && len == st->dir_len && memcmp(st->dir, name, len) == 0)
    return 0;
  if (len >= PATH_MAX - 1)
    return -ENAMETOOLONG;
  char path[PATH_MAX];
  snprintf(path, sizeof(path), "/%.*s", (int)len, name);
  st->in_dir = false;
  int r = kernel_chdir(path);
  if (r)
    return r;
  st->dir = name;
  st->dir_len = len;
  st->in_dir = true;
  return 0;
}

/* The first name of e's file (an absolute path) if one was made already;
 * else remember e's, name (relative to the root). */
static const char *first_name(struct unpack_stats *st, const struct cpio_entry *e, const char *name)
{
  for (struct hardlink *h = st->seen; h; h = h->next)
    if (h->ino == e->ino && h->dev_major == e->dev_major && h->dev_minor == e->dev_minor &&
        h->mode == e->mode)
      return h->path;
  struct hardlink *h = kmalloc(sizeof(*h) + strlen(name) + 2);
  if (h) {
    h->ino = e->ino;
    h->dev_major = e->dev_major;
    h->dev_minor = e->dev_minor;
    h->mode = e->mode;
    h->path[0] = '/';
    strcpy(h->path + 1, name);
    h->next = st->seen;
    st->seen = h;
  }
  return NULL;
}

/*
 * In place: the whole pages of e's data become the file's pages, with no
 * copy, when the data starts on a page boundary (scripts/mkinitramfs.sh
 * aligns the data of every file of a page or more). Returns the bytes
 * given; the caller copies the rest (the last, partial page). A page the
 * cache refused is left in *kept, still holding data the caller copies:
 * the caller drops it afterwards.
 */
static size_t give_pages(struct inode *ino, const struct cpio_entry *e, struct page **kept)
{
  const char *data = e->data;
  if ((uintptr_t)data & (PAGE_SIZE - 1))
    return 0;
  size_t done = 0;
  for (; done + PAGE_SIZE <= e->size; done += PAGE_SIZE) {
    struct page *p = page_adopt_reserved(kva_to_pa(data + done), PU_FILE);
    if (!p)
      break;
    if (page_cache_give(ino, done / PAGE_SIZE, p)) {
      *kept = p;
      break;
    }
  }
  return done;
}

/* A regular file, named name (relative to the root), last in the cwd: a
 * new one, or another name of one made before. */
static int unpack_file(struct unpack_stats *st, const struct cpio_entry *e, const char *name,
                       const char *last)
{
  int flags = O_WRONLY | O_CREAT | O_TRUNC;
  const char *first = e->nlink > 1 ? first_name(st, e, name) : NULL;
  if (first) {
    do_unlinkat(AT_FDCWD, last, 0); /* (a name from an earlier archive) */
    int r = do_linkat(AT_FDCWD, first, AT_FDCWD, last, 0);
    if (r)
      return r;
    st->hardlinks++;
    if (!e->size)
      return 0;
    flags = O_WRONLY; /* the data of the whole group comes with this name */
  }
  struct file *f;
  int r = kernel_open(last, flags, e->mode & 07777, &f);
  if (r)
    return r;
  struct page *kept = NULL;
  size_t done = st->in_place ? give_pages(f->inode, e, &kept) : 0;
  if (done < e->size) { /* the rest, or all of it: copied */
    ssize_t n = kernel_write(f, (const char *)e->data + done, e->size - done, (off_t)done);
    if (n != (ssize_t)(e->size - done))
      r = n < 0 ? (int)n : -EIO;
  }
  if (kept)
    put_page(kept);
  st->pages_given += done / PAGE_SIZE;
  fput(f);
  st->files++;
  return r;
}

/* Keep the archive's modification time (as Linux's initramfs does) on
 * the entry itself (a symlink, not its target): last is in the cwd, just
 * made, so its dentry is in the cache; a path walk for it was a fifth of
 * the unpack (docs/boot.md). */
static void set_mtime(const char *last, uint32_t mtime)
{
  struct dentry *d = dentry_lookup_child(current->fs->cwd.dentry, last, strlen(last));
  if (!d)
    return;
  struct inode *ino = d->inode;
  if (ino) {
    ino->mtime.tv_sec = ino->atime.tv_sec = ino->ctime.tv_sec = mtime;
    ino->mtime.tv_nsec = ino->atime.tv_nsec = ino->ctime.tv_nsec = 0;
  }
  dput(d);
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
  const char *last;
  int r = enter_parent(st, name, &last);
  if (r) {
    pr_err("initramfs: /%s: error %d", name, r);
    return 0;
  }
  mode_t mode = e->mode;
  switch (mode & S_IFMT) {
  case S_IFDIR:
    r = do_mkdirat(AT_FDCWD, last, mode & 07777);
    if (r == -EEXIST)
      r = 0;
    st->dirs++;
    break;
  case S_IFREG:
    r = unpack_file(st, e, name, last);
    break;
  case S_IFLNK: {
    char *target = kmalloc(e->size + 1);
    if (!target)
      return -ENOMEM;
    memcpy(target, e->data, e->size);
    target[e->size] = 0;
    r = do_symlinkat(target, AT_FDCWD, last);
    kfree(target);
    st->links++;
    break;
  }
  case S_IFCHR:
  case S_IFBLK:
  case S_IFIFO:
  case S_IFSOCK:
    r = do_mknodat(AT_FDCWD, last, mode, MKDEV(e->rdev_major, e->rdev_minor));
    st->nodes++;
    break;
  default:
    pr_warn("initramfs: /%s: unknown file type %o", name, mode);
  }
  if (r && r != -EEXIST)
    pr_err("initramfs: /%s: error %d", name, r);
  else
    set_mtime(last, e->mtime);
  return 0;
}

int initramfs_unpack(const void *buf, size_t len, bool in_place)
{
  struct unpack_stats st = { .in_place = in_place };
  int r = cpio_parse(buf, len, unpack_entry, &st);
  if (r)
    pr_err("initramfs: malformed archive (%d)", r);
  if (kernel_chdir("/"))   /* back where kmain left the cwd */
    panic("initramfs: no root directory");
  pr_info("initramfs: %d files, %d directories, %d symlinks, %d device nodes, %d hard links (%lu KiB, %lu KiB in place)",
          st.files, st.dirs, st.links, st.nodes, st.hardlinks, (unsigned long)(len >> 10),
          (unsigned long)(st.pages_given * (PAGE_SIZE >> 10)));
  while (st.seen) {
    struct hardlink *h = st.seen;
    st.seen = h->next;
    kfree(h);
  }
  return r;
}
