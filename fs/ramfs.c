/*
 * ramfs.c — a file system that lives entirely in memory: the root file
 * system (filled from the initramfs), tmpfs (/tmp) and devtmpfs (/dev).
 *
 * There is no storage behind it: the dentry cache is the directory tree,
 * and the page cache holds the file data. Nothing is evicted. Also the
 * unnamed shmem files (MAP_SHARED|MAP_ANONYMOUS, SysV shm, memfd) and
 * their seals.
 *
 * Layer: fs, a file system (fs/ramfs.h). Below: fs/super.c, the dentry
 * cache, fs/pagecache.c and fs/filemap.c; above: the VFS core's calls
 * through inode_ops/file_ops, fs/devfs.c, memfd and shm users.
 *
 * Locks: the VFS holds a directory's inode lock around its operations;
 * ino->lock guards size and seals; the per-mount counts are atomic.
 */
#include "fs/fs_abi.h"
#include "fs/inode.h"
#include "fs/dentry.h"
#include "fs/mount.h"
#include "fs/file.h"
#include "fs/perm.h"
#include "fs/ramfs.h"
#include "fs/fsops.h"
#include "fs/filemap.h"
#include "kern/vm.h"
#include "kern/pipe.h"
#include "fs/xattr.h"
#include "kern/mm.h"
#include "kern/cred.h"
#include "kern/user_namespace.h"
#include "kern/errno.h"
#include "kern/printk.h"
#include <string.h>
#include <stdlib.h>

#define RAMFS_MAGIC 0x858458f6
#define TMPFS_MAGIC 0x01021994

static const struct inode_ops ramfs_dir_iops;
static const struct inode_ops ramfs_file_iops;
static const struct file_ops ramfs_dir_fops;
static const struct file_ops ramfs_file_fops;

/*
 * tmpfs's inode count (Linux's shmem_reserve_inode/shmem_free_inode): every
 * inode of a ramfs-family super block is counted in sb->nr_inodes, and so
 * is every extra hard link to a non-directory (each pins a dentry that
 * cannot be dropped while the name exists); with a limit (nr_inodes=, half
 * of RAM's pages by default) the one past it is ENOSPC.
 */
static int reserve_inode(struct super_block *sb)
{
  uint64_t max = READ_ONCE(sb->max_inodes);
  if (__atomic_add_fetch(&sb->nr_inodes, 1, __ATOMIC_RELAXED) <= max || !max)
    return 0;
  __atomic_sub_fetch(&sb->nr_inodes, 1, __ATOMIC_RELAXED);
  return -ENOSPC;
}

static void free_inode(struct super_block *sb)
{
  __atomic_sub_fetch(&sb->nr_inodes, 1, __ATOMIC_RELAXED);
}

static void ramfs_evict(struct inode *ino)
{
  if (ino->sb)
    free_inode(ino->sb);
  if (S_ISLNK(ino->mode))
    kfree(ino->priv);
  else if (S_ISFIFO(ino->mode))
    fifo_inode_evict(ino);
}

/* Extended attributes live in memory with the inode (fs/xattr.c). */
#define RAMFS_XATTR_OPS \
  .getxattr = simple_xattr_get, .setxattr = simple_xattr_set, .listxattr = simple_xattr_list

static const struct inode_ops ramfs_file_iops = {
  .evict = ramfs_evict,
  RAMFS_XATTR_OPS,
};

static int ramfs_readlink(struct inode *ino, char *buf, size_t size)
{
  size_t n = MIN(strlen(ino->priv), size);
  memcpy(buf, ino->priv, n);
  return (int)n;
}

static const struct inode_ops ramfs_symlink_iops = {
  .readlink = ramfs_readlink,
  .evict = ramfs_evict,
  RAMFS_XATTR_OPS,
};

/*
 * A new inode of sb (counted: see reserve_inode). Returns it with one
 * reference, or ERR_PTR(-ENOSPC) past the inode limit, ERR_PTR(-ENOMEM).
 */
struct inode *ramfs_new_inode(struct super_block *sb, mode_t mode, dev_t dev)
{
  int r = reserve_inode(sb);
  if (r)
    return ERR_PTR(r);
  struct inode *ino = inode_alloc(sb, mode);
  if (!ino) {
    free_inode(sb);
    return ERR_PTR(-ENOMEM);
  }
  ino->rdev = dev;
  if (sb->shmem)
    ino->seals = F_SEAL_SEAL; /* as Linux's shmem inodes: only a memfd may be sealed */
  switch (mode & S_IFMT) {
  case S_IFDIR:
    ino->iop = &ramfs_dir_iops;
    ino->fop = &ramfs_dir_fops;
    ino->nlink = 2;
    break;
  case S_IFREG:
    ino->iop = &ramfs_file_iops;
    ino->fop = &ramfs_file_fops;
    break;
  case S_IFLNK:
    ino->iop = &ramfs_symlink_iops;
    break;
  default:              /* devices, fifos, sockets: their fops come at open */
    ino->iop = &ramfs_file_iops;
    ino->fop = NULL;
    if (S_ISFIFO(mode))
      ino->fop = &fifo_fops;
  }
  return ino;
}

static int ramfs_lookup(struct inode *dir, struct dentry *d)
{
  (void)dir;
  (void)d;
  return 0; /* every existing name is already in the dentry cache */
}

static int ramfs_mknod(struct inode *dir, struct dentry *d, mode_t mode, dev_t dev)
{
  struct inode *ino = ramfs_new_inode(dir->sb, mode, dev);
  if (IS_ERR(ino))
    return PTR_ERR(ino);
  d_instantiate(d, ino);
  inode_touch(dir, true);
  return 0;
}

static int ramfs_create(struct inode *dir, struct dentry *d, mode_t mode)
{
  return ramfs_mknod(dir, d, (mode & 07777) | S_IFREG, 0);
}

/* O_TMPFILE: a regular file in no directory (nlink 0) on the unhashed dentry d. */
static int ramfs_tmpfile(struct inode *dir, struct dentry *d, mode_t mode)
{
  struct inode *ino = ramfs_new_inode(dir->sb, (mode & 07777) | S_IFREG, 0);
  if (IS_ERR(ino))
    return PTR_ERR(ino);
  ino->nlink = 0;
  d_instantiate(d, ino);
  return 0;
}

static int ramfs_mkdir(struct inode *dir, struct dentry *d, mode_t mode)
{
  int r = ramfs_mknod(dir, d, (mode & 07777) | S_IFDIR, 0);
  if (r == 0)
    dir->nlink++;
  return r;
}

static int ramfs_symlink(struct inode *dir, struct dentry *d, const char *target)
{
  struct inode *ino = ramfs_new_inode(dir->sb, S_IFLNK | 0777, 0);
  if (IS_ERR(ino))
    return PTR_ERR(ino);
  ino->priv = kstrdup(target);
  if (!ino->priv) {
    iput(ino);
    return -ENOMEM;
  }
  ino->size = strlen(target);
  d_instantiate(d, ino);
  inode_touch(dir, true);
  return 0;
}

static int ramfs_link(struct dentry *old, struct inode *dir, struct dentry *d)
{
  struct inode *ino = old->inode;
  int r = ino->nlink ? reserve_inode(ino->sb) : 0; /* (an O_TMPFILE file's first name: its own) */
  if (r)
    return r;
  iget(ino);
  ino->nlink++;
  inode_touch(ino, false);
  d_instantiate(d, ino);
  inode_touch(dir, true);
  return 0;
}

static int ramfs_unlink(struct inode *dir, struct dentry *d)
{
  struct inode *ino = d->inode;
  if (ino->nlink > 1 && !S_ISDIR(ino->mode))
    free_inode(ino->sb); /* the link's; the inode's own goes at evict */
  ino->nlink--;
  inode_touch(ino, false);
  inode_touch(dir, true);
  d_delete(d);
  return 0;
}

/* Does directory dentry d have children that exist? */
static bool dir_has_entries(struct dentry *d)
{
  bool any = false;
  spin_lock(&dcache_lock);
  struct dentry *c;
  list_for_each_entry(c, &d->children, sibling)
    if (c->inode && !c->unlinked)
      any = true;
  spin_unlock(&dcache_lock);
  return any;
}

static int ramfs_rmdir(struct inode *dir, struct dentry *d)
{
  if (dir_has_entries(d))
    return -ENOTEMPTY;
  d->inode->nlink = 0;
  dir->nlink--;
  inode_touch(dir, true);
  d_delete(d);
  return 0;
}

static int ramfs_rename(struct inode *odir, struct dentry *od, struct inode *ndir,
                        struct dentry *nd, unsigned flags)
{
  struct inode *src = od->inode, *dst = nd->inode;
  if ((flags & RENAME_EXCHANGE) && !dst)
    return -ENOENT;
  if (dst && !(flags & RENAME_EXCHANGE)) {
    if (flags & RENAME_NOREPLACE)
      return -EEXIST;
    if (S_ISDIR(dst->mode) && !S_ISDIR(src->mode))
      return -EISDIR;
    if (!S_ISDIR(dst->mode) && S_ISDIR(src->mode))
      return -ENOTDIR;
    if (S_ISDIR(dst->mode) && dir_has_entries(nd))
      return -ENOTEMPTY;
  }
  if (dst && !(flags & RENAME_EXCHANGE) && dst->nlink > 1 && !S_ISDIR(dst->mode))
    free_inode(dst->sb); /* the replaced name's link, as ramfs_unlink */
  /* The dentry tree is the file system: the bookkeeping is the rename. */
  vfs_rename_update(odir, od, ndir, nd, flags);
  return 0;
}

static const struct inode_ops ramfs_dir_iops = {
  .lookup = ramfs_lookup,
  .create = ramfs_create,
  .mkdir = ramfs_mkdir,
  .mknod = ramfs_mknod,
  .tmpfile = ramfs_tmpfile,
  .symlink = ramfs_symlink,
  .link = ramfs_link,
  .unlink = ramfs_unlink,
  .rmdir = ramfs_rmdir,
  .rename = ramfs_rename,
  .evict = ramfs_evict,
  RAMFS_XATTR_OPS,
};

static const struct file_ops ramfs_dir_fops = {
  .llseek = counter_llseek,
  .iterate = dcache_readdir,
};

/*
 * Mappings of a memory-only file (Linux's shmem_mmap): the page cache's
 * operations, plus the count of shared mappings that may write
 * (inode->mmap_writable), which F_SEAL_WRITE needs to be zero and then
 * holds at -1. A write-sealed file takes no shared writable mapping
 * (EPERM) and its shared read-only ones may never become writable
 * (VMA_NOMAYWRITE: mprotect says EACCES). Called with mm->lock held.
 */
static bool shmem_counts_writable(const struct vma *v)
{
  return (v->flags & VMA_SHARED) && !(v->flags & VMA_NOMAYWRITE) && file_writable(v->file);
}

static void shmem_vm_open(struct vma *v)
{
  filemap_vm_open(v);
  if (v->flags & VMA_WCOUNTED) /* shmem_mmap took this region's count */
    v->flags &= ~VMA_WCOUNTED;
  else if (shmem_counts_writable(v)) /* a copy or a piece of a counted region */
    __atomic_add_fetch(&v->file->inode->mmap_writable, 1, __ATOMIC_RELAXED);
}

static void shmem_vm_close(struct vma *v)
{
  if (shmem_counts_writable(v))
    inode_unmap_writable(v->file->inode);
  filemap_vm_close(v);
}

static const struct vm_operations shmem_vm_ops = {
  .open = shmem_vm_open,
  .close = shmem_vm_close,
  .fault = filemap_fault,
  .fault_cached = filemap_fault_cached,
  .msync_hold = filemap_msync_hold,
  .msync = filemap_msync,
};

static int shmem_mmap(struct file *f, struct vma *v)
{
  struct inode *ino = f->inode;
  if ((v->flags & VMA_SHARED) && (READ_ONCE(ino->seals) & F_SEALS_WRITE)) {
    if (v->prot & PROT_WRITE)
      return -EPERM;
    v->flags |= VMA_NOMAYWRITE;
  }
  if (shmem_counts_writable(v)) { /* taken now, so F_SEAL_WRITE cannot slip in before open */
    if (!inode_map_writable(ino))
      return -EPERM;
    v->flags |= VMA_WCOUNTED;
  }
  v->ops = &shmem_vm_ops;
  return 0;
}

static const struct file_ops ramfs_file_fops = {
  .read = generic_file_read,
  .write = generic_file_write,
  .llseek = generic_llseek,
  .mmap = shmem_mmap,
  .fsync = generic_file_fsync,
};

static unsigned type_of(mode_t mode)
{
  return (mode & S_IFMT) >> 12;
}

/*
 * Directory listing from the dentry cache: position 0 is ".", 1 is "..",
 * n >= 2 is the (n-2)th existing child.
 */
int dcache_readdir(struct file *f, struct dir_context *ctx)
{
  struct dentry *dir = f->path.dentry;
  if (ctx->pos == 0) {
    if (!ctx->actor(ctx, ".", 1, dir->inode->ino, DT_DIR))
      return 0;
    ctx->pos = 1;
  }
  if (ctx->pos == 1) {
    struct inode *pi = dir->parent->inode;
    if (!ctx->actor(ctx, "..", 2, pi ? pi->ino : dir->inode->ino, DT_DIR))
      return 0;
    ctx->pos = 2;
  }
  off_t n = 2;
  spin_lock(&dcache_lock);
  struct dentry *c;
  list_for_each_entry(c, &dir->children, sibling) {
    if (!c->inode || c->unlinked)
      continue;
    if (n++ < ctx->pos)
      continue;
    /* The actor copies to user memory, which may sleep: drop the lock,
     * holding a reference on c so it stays in the list. */
    c->refcount++;
    spin_unlock(&dcache_lock);
    bool more = ctx->actor(ctx, c->name, strlen(c->name), c->inode->ino, type_of(c->inode->mode));
    spin_lock(&dcache_lock);
    c->refcount--;
    if (!more)
      break;
    ctx->pos = n;
  }
  spin_unlock(&dcache_lock);
  return 0;
}

static int ramfs_statfs(struct super_block *sb, struct statfs64 *st)
{
  st->f_type = sb->magic;
  st->f_bsize = PAGE_SIZE;
  uint64_t max = READ_ONCE(sb->max_pages), used = READ_ONCE(sb->nr_pages);
  if (max) { /* tmpfs: its size limit */
    st->f_blocks = max;
    st->f_bfree = st->f_bavail = used < max ? max - used : 0;
  } else { /* ramfs: all of memory */
    st->f_blocks = nr_total_pages();
    st->f_bfree = st->f_bavail = nr_free_pages();
  }
  uint64_t imax = READ_ONCE(sb->max_inodes), iused = READ_ONCE(sb->nr_inodes);
  if (imax) { /* tmpfs: its inode limit, as Linux's shmem_statfs */
    st->f_files = imax;
    st->f_ffree = iused < imax ? imax - iused : 0;
  } else {
    st->f_files = 1 << 20;
    st->f_ffree = (1 << 20) - sb->next_ino;
  }
  st->f_namelen = NAME_MAX;
  return 0;
}

static const struct super_ops ramfs_sops = {
  .statfs = ramfs_statfs,
};

/*
 * A number with an optional k, m or g suffix (Linux's memparse) or, where
 * `percent_of` is not 0, a % of it (tmpfs's size=50%). -1 if it does not parse.
 */
static int64_t parse_amount(const char *v, uint64_t percent_of)
{
  char *end;
  uint64_t n = strtoul(v, &end, 0);
  if (end == v)
    return -1;
  switch (*end) {
  case 'k': case 'K': n <<= 10; end++; break;
  case 'm': case 'M': n <<= 20; end++; break;
  case 'g': case 'G': n <<= 30; end++; break;
  case '%':
    if (!percent_of)
      return -1;
    n = percent_of / 100 * n;
    end++;
    break;
  default: break;
  }
  return *end ? -1 : (int64_t)n;
}

/* What the mount options say about the root directory. */
struct ramfs_root_options {
  mode_t mode;
  uid_t uid;
  gid_t gid;
};

/*
 * Mount options, comma-separated. tmpfs (and devtmpfs, which is one)
 * knows Linux tmpfs's: size= (bytes, k/m/g or % of RAM), nr_blocks=,
 * nr_inodes=, mode=, uid=, gid=, huge=, mpol=, inode32, inode64 — and
 * refuses any other with EINVAL, as Linux does. ramfs takes mode= and
 * ignores the rest, as Linux's ramfs does. huge=, mpol=, inode32 and
 * inode64 are accepted and have no effect here.
 */
static int parse_options(struct super_block *sb, bool tmpfs, const char *data,
                         struct ramfs_root_options *root)
{
  char opt[128];
  while (data && *data) {
    size_t len = 0;
    while (data[len] && data[len] != ',')
      len++;
    if (len >= sizeof(opt))
      return -EINVAL;
    memcpy(opt, data, len);
    opt[len] = 0;
    data += len + (data[len] == ',');
    if (!opt[0])
      continue;
    char *val = strchr(opt, '=');
    if (val)
      *val++ = 0;
    int64_t n;
    if (strcmp(opt, "mode") == 0 && val) {
      root->mode = (mode_t)strtoul(val, NULL, 8) & 07777;
    } else if (!tmpfs) {
      continue;
    } else if (strcmp(opt, "size") == 0 && val &&
               (n = parse_amount(val, nr_total_pages() * PAGE_SIZE)) >= 0) {
      sb->max_pages = DIV_ROUND_UP((uint64_t)n, PAGE_SIZE);
    } else if (strcmp(opt, "nr_blocks") == 0 && val) {
      sb->max_pages = strtoul(val, NULL, 0); /* in pages */
    } else if (strcmp(opt, "nr_inodes") == 0 && val && (n = parse_amount(val, 0)) >= 0) {
      sb->max_inodes = (uint64_t)n;
    } else if (strcmp(opt, "uid") == 0 && val && (n = parse_amount(val, 0)) >= 0 &&
               n <= UINT32_MAX - 1) {
      /* the mounter's namespace's numbers (Linux: fc->user_ns) */
      if ((root->uid = make_kuid(current_user_ns(), (uid_t)n)) == (uid_t)-1)
        return -EINVAL;
    } else if (strcmp(opt, "gid") == 0 && val && (n = parse_amount(val, 0)) >= 0 &&
               n <= UINT32_MAX - 1) {
      if ((root->gid = make_kgid(current_user_ns(), (gid_t)n)) == (gid_t)-1)
        return -EINVAL;
    } else if ((strcmp(opt, "huge") == 0 || strcmp(opt, "mpol") == 0) && val) {
      continue;
    } else if (!val && (strcmp(opt, "inode32") == 0 || strcmp(opt, "inode64") == 0)) {
      continue;
    } else {
      return -EINVAL;
    }
  }
  return 0;
}

static int ramfs_mount(const struct fs_type *type, const char *source, uint32_t flags,
                       const char *data, struct super_block **sbp)
{
  (void)source;
  (void)flags;
  struct super_block *sb = sb_alloc(type);
  if (!sb)
    return -ENOMEM;
  sb->ops = &ramfs_sops;
  bool tmpfs = strcmp(type->name, "ramfs") != 0;
  sb->magic = tmpfs ? TMPFS_MAGIC : RAMFS_MAGIC;
  sb->shmem = tmpfs;
  if (tmpfs) { /* Linux's tmpfs defaults: half of RAM, an inode per two pages of it */
    sb->max_pages = nr_total_pages() / 2;
    sb->max_inodes = nr_total_pages() / 2;
  }
  /*
   * tmpfs roots are world-writable and sticky (/tmp), as Linux's default
   * mode=1777, and belong to whoever mounts them unless uid=/gid= say otherwise.
   */
  struct ramfs_root_options opts = {
    .mode = strcmp(type->name, "tmpfs") == 0 ? 01777 : 0755,
    .uid = current_cred()->fsuid,
    .gid = current_cred()->fsgid,
  };
  int r = parse_options(sb, tmpfs, data, &opts);
  struct inode *root = r ? NULL : ramfs_new_inode(sb, S_IFDIR | opts.mode, 0);
  if (IS_ERR(root)) {
    r = PTR_ERR(root);
    root = NULL;
  }
  if (root) {
    root->uid = opts.uid;
    root->gid = opts.gid;
  }
  struct dentry *d = root ? dentry_alloc(NULL, "/", 1) : NULL;
  if (!d) {
    if (root)
      iput(root);
    kfree(sb);
    return r ? r : -ENOMEM;
  }
  d->sb = sb;
  d_instantiate(d, root);
  sb->root = d;
  *sbp = sb;
  return 0;
}

/* chattr flags tmpfs keeps (Linux's SHMEM_FL_USER_MODIFIABLE) */
#define RAMFS_IFLAGS (FS_IMMUTABLE_FL | FS_APPEND_FL | FS_NODUMP_FL | FS_NOATIME_FL)
/* ramfs and tmpfs may be mounted by the root of a user namespace, and
 * are owned by it (Linux's FS_USERNS_MOUNT; fs/mount_userns.c) */
static const struct fs_type ramfs_type = { .name = "ramfs", .mount = ramfs_mount, .keeps_owners = true,
                                           .userns_mount = current_user_ns };
static const struct fs_type tmpfs_type = { .name = "tmpfs", .mount = ramfs_mount, .keeps_owners = true,
                                           .iflags_mask = RAMFS_IFLAGS, .exportable = true,
                                           .userns_mount = current_user_ns };
static const struct fs_type devtmpfs_type = { .name = "devtmpfs", .mount = ramfs_mount,
                                              .keeps_owners = true, .exportable = true };

void ramfs_init(void)
{
  register_fs(&ramfs_type);
  register_fs(&tmpfs_type);
  register_fs(&devtmpfs_type);
}

/*
 * An unnamed in-memory file of `size` bytes: the backing object of
 * MAP_SHARED|MAP_ANONYMOUS mappings (so fork()ed processes share pages)
 * and of memfd_create().
 */
struct file *shmem_file_create(size_t size)
{
  static struct super_block *shm_sb;
  if (!shm_sb) {
    shm_sb = sb_alloc(&tmpfs_type); /* Linux's internal shm mount: no limits */
    if (!shm_sb)
      return ERR_PTR(-ENOMEM);
    shm_sb->magic = TMPFS_MAGIC;
    shm_sb->shmem = true;
  }
  struct inode *ino = ramfs_new_inode(shm_sb, S_IFREG | 0600, 0);
  if (IS_ERR(ino))
    return ERR_PTR(PTR_ERR(ino));
  ino->size = size;
  struct file *f = file_alloc();
  if (!f) {
    iput(ino);
    return ERR_PTR(-ENOMEM);
  }
  f->inode = ino;
  f->fop = ino->fop;
  f->flags = O_RDWR;
  return f;
}

/*
 * A memfd's inode is mode 0777, as Linux's (so fexecve can run one); it
 * takes seals only if created with MFD_ALLOW_SEALING (allow_sealing). Its
 * path is "memfd:NAME" on the pseudo mount, already unlinked, so that
 * /proc/PID/fd and maps show "/memfd:NAME (deleted)" as Linux's do.
 */
struct file *memfd_file_create(const char *name, bool allow_sealing)
{
  struct file *f = shmem_file_create(0);
  if (IS_ERR(f))
    return f;
  f->inode->mode = S_IFREG | 0777;
  if (allow_sealing)
    f->inode->seals = 0;
  char dname[NAME_MAX + 1];
  snprintf(dname, sizeof(dname), "memfd:%s", name);
  int r = vfs_pseudo_path(f->inode, dname, &f->path);
  if (r < 0) {
    fput(f);
    return ERR_PTR(r);
  }
  f->path.dentry->unlinked = true;
  iput(f->inode);  /* the file's reference is the dentry's now (fput: path_put) */
  return f;
}

/* ---- file seals: fcntl F_ADD_SEALS and F_GET_SEALS (Linux's mm/memfd.c) ---- */

#define F_ALL_SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)

/* Does f's file keep seals (a regular tmpfs file or memfd)? */
static bool file_sealable(const struct file *f)
{
  return f->inode && S_ISREG(f->inode->mode) && f->inode->sb && f->inode->sb->shmem;
}

/*
 * Add seals to f's file (arg: F_SEAL_* bits), in Linux's order: EPERM for
 * a descriptor not open for writing, EINVAL for unknown bits or a file
 * that keeps no seals, EPERM once F_SEAL_SEAL is set, EBUSY for
 * F_SEAL_WRITE while a shared mapping may write. Enforced by
 * generic_file_write, vfs_truncate, memory_fallocate and vm_mmap.
 */
static long add_seals(struct file *f, uint64_t arg)
{
  if (arg > UINT32_MAX)
    return -EINVAL;
  if (!file_writable(f))
    return -EPERM;
  if (arg & ~(uint64_t)F_ALL_SEALS)
    return -EINVAL;
  if (!file_sealable(f))
    return -EINVAL;
  struct inode *ino = f->inode;
  long r = 0;
  mutex_lock(&ino->lock);
  if (ino->seals & F_SEAL_SEAL) {
    r = -EPERM;
  } else if ((arg & F_SEAL_WRITE) && !(ino->seals & F_SEAL_WRITE)) {
    int none = 0; /* no shared mapping may write: deny any from now on */
    if (!__atomic_compare_exchange_n(&ino->mmap_writable, &none, -1, false, __ATOMIC_ACQ_REL,
                                     __ATOMIC_RELAXED))
      r = -EBUSY;
  }
  if (!r)
    ino->seals |= (uint32_t)arg;
  mutex_unlock(&ino->lock);
  return r;
}

long memfd_fcntl(struct file *f, int cmd, uint64_t arg)
{
  if (cmd == F_ADD_SEALS)
    return add_seals(f, arg);
  return file_sealable(f) ? (long)READ_ONCE(f->inode->seals) : -EINVAL;
}
