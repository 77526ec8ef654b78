/*
 * fhandle.c — file handles: name_to_handle_at and open_by_handle_at
 * (Linux's fs/fhandle.c and the generic export operations).
 *
 * A handle names a file without a path: Kite's is Linux's FILEID_INO32_GEN
 * (the inode number and its generation, two 32-bit words), or for an inode
 * number past 32 bits FILEID_INO64_GEN (64-bit number, then generation).
 * The generation is unique among the inodes made since boot (fs/vfs.c),
 * or the one ext4 keeps on disk, so a handle of a deleted file does not
 * open another file that got its number: ESTALE. Decoding searches the
 * dentry cache below the root of the mount the caller names (a file of a
 * memory file system is always there; a disk file system's file is there
 * once something looked it up since the mount). Only file systems that say
 * so (fs_type.exportable: tmpfs, devtmpfs, ext2/3/4) give handles; the
 * others are EOPNOTSUPP, as Linux's without export operations.
 *
 * Layer: system calls over the VFS (fs/namei.c's walk and vfs_open_path,
 * fs/dcache.c's d_find_ino). Locks: none of its own; the dcache search
 * takes dcache_lock.
 */
#include "fs/fs_abi.h"
#include "fs/inode.h"
#include "fs/dentry.h"
#include "fs/mount.h"
#include "fs/file.h"
#include "fs/namei.h"
#include "fs/fdtable.h"
#include "kern/task.h"
#include "kern/cred.h"
#include "kern/vm.h"
#include "kern/mm.h"
#include <string.h>

#define MAX_HANDLE_SZ 128
#define FILEID_INO32_GEN 1
#define FILEID_INO64_GEN 0x81
#define FILEID_INVALID 0xff

/* struct file_handle's fixed part; f_handle[handle_bytes] follows */
struct file_handle_hdr {
  uint32_t handle_bytes;
  int32_t handle_type;
};

/* Encode ino into words (room for max of them): the type, with *len set to
 * the words used — or FILEID_INVALID with *len the words needed. */
static int encode_fh(struct inode *ino, uint32_t *words, int max, int *len)
{
  bool wide = ino->ino > 0xffffffffULL;
  *len = wide ? 3 : 2;
  if (max < *len)
    return FILEID_INVALID;
  words[0] = (uint32_t)ino->ino;
  if (wide) {
    words[1] = (uint32_t)(ino->ino >> 32);
    words[2] = ino->generation;
    return FILEID_INO64_GEN;
  }
  words[1] = ino->generation;
  return FILEID_INO32_GEN;
}

/*
 * name_to_handle_at(dirfd, path, handle, mount_id, flags): the handle of
 * the file path names (a trailing symlink itself unless AT_SYMLINK_FOLLOW;
 * AT_EMPTY_PATH: dirfd's) and the id of its mount (mountinfo's first
 * field). A handle_bytes too small: EOVERFLOW, with the size needed (and
 * the mount id) written back. Linux's order of errors.
 */
long sys_name_to_handle_at(int dirfd, uaddr_t upath, uaddr_t uhandle, uaddr_t umnt_id, int flags)
{
  if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
    return -EINVAL;
  long err;
  char *path = user_path_copy(upath, &err);
  if (!path)
    return err;
  struct path p;
  unsigned lf = ((flags & AT_SYMLINK_FOLLOW) ? LOOKUP_FOLLOW : 0) | ((flags & AT_EMPTY_PATH) ? LOOKUP_EMPTY : 0);
  long r = path_lookup(dirfd, path, lf, &p);
  kfree(path);
  if (r)
    return r;
  struct file_handle_hdr h;
  uint32_t words[MAX_HANDLE_SZ / 4];
  int len;
  if (!p.mnt->sb->type || !p.mnt->sb->type->exportable) {
    r = -EOPNOTSUPP;
    goto out;
  }
  if (copyin(&h, uhandle, sizeof(h))) {
    r = -EFAULT;
    goto out;
  }
  if (h.handle_bytes > MAX_HANDLE_SZ) {
    r = -EINVAL;
    goto out;
  }
  int type = encode_fh(p.dentry->inode, words, (int)(h.handle_bytes / 4), &len);
  uint32_t need = (uint32_t)len * 4;
  r = type == FILEID_INVALID ? -EOVERFLOW : 0;
  h.handle_bytes = need;
  h.handle_type = type;
  int id = p.mnt->id;
  if (copyout(umnt_id, &id, sizeof(id)) || copyout(uhandle, &h, sizeof(h)) ||
      (!r && copyout(uhandle + sizeof(h), words, need)))
    r = -EFAULT;
out:
  path_put(&p);
  return r;
}

/* The mount a handle is decoded in: dirfd's (AT_FDCWD: the working
 * directory's), referenced into *p (path_put it); 0 or -EBADF. */
static long handle_mount(int dirfd, struct path *p)
{
  if (dirfd == AT_FDCWD) {
    cwd_get(p);
    return 0;
  }
  struct file *f = fd_get(dirfd);
  if (!f)
    return -EBADF;
  *p = f->path;
  path_get(p);
  fput(f);
  return 0;
}

/* Copy in and decode the handle at uhandle within dirfd's mount: the file
 * it names, referenced into *out. -EFAULT, -EINVAL (size 0 or over
 * MAX_HANDLE_SZ), -EBADF, -ESTALE (not a handle of this mount's files, or
 * the file is gone), as Linux's handle_to_path. */
static long handle_to_path(int dirfd, uaddr_t uhandle, struct path *out)
{
  struct file_handle_hdr h;
  uint32_t w[MAX_HANDLE_SZ / 4];
  if (copyin(&h, uhandle, sizeof(h)))
    return -EFAULT;
  if (h.handle_bytes > MAX_HANDLE_SZ || h.handle_bytes == 0)
    return -EINVAL;
  if (copyin(w, uhandle + sizeof(h), h.handle_bytes))
    return -EFAULT;
  struct path m;
  long r = handle_mount(dirfd, &m);
  if (r)
    return r;
  ino_t ino = 0;
  uint32_t gen = 0;
  r = -ESTALE;
  if (h.handle_type == FILEID_INO32_GEN && h.handle_bytes >= 8) {
    ino = w[0];
    gen = w[1];
  } else if (h.handle_type == FILEID_INO64_GEN && h.handle_bytes >= 12) {
    ino = w[0] | (ino_t)w[1] << 32;
    gen = w[2];
  }
  struct dentry *d = NULL;
  if (ino && m.mnt->sb->type && m.mnt->sb->type->exportable)
    d = d_find_ino(m.mnt->root, ino, gen);
  if (d) {
    out->mnt = m.mnt;
    out->dentry = d;
    path_get(out);
    dput(d);
    r = 0;
  }
  path_put(&m);
  return r;
}

/*
 * open_by_handle_at(dirfd, handle, flags): open the file a handle names,
 * within the mount of dirfd, as openat would open it (a symlink: ELOOP;
 * permissions checked). Needs CAP_DAC_READ_SEARCH (the walk's search
 * permissions are skipped).
 */
long sys_open_by_handle_at(int dirfd, uaddr_t uhandle, int flags)
{
  if (!capable(CAP_DAC_READ_SEARCH))
    return -EPERM;
  struct path p;
  long r = handle_to_path(dirfd, uhandle, &p);
  if (r)
    return r;
  struct file *f;
  r = vfs_open_path(&p, flags & O_USER_FLAGS, &f);
  if (r)
    return r;
  return fd_install_opened(f, flags);
}
