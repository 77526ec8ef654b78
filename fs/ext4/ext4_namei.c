/*
 * ext4_namei.c — operations on names: create (files, directories, device
 * nodes, fifos, sockets), symlink and readlink, link, unlink and rmdir,
 * rename (with RENAME_NOREPLACE and RENAME_EXCHANGE).
 *
 * Layer: ext4 core (see ext4.h). Below: ext4_dir.c (entries),
 * ext4_alloc.c (inodes), ext4_inode.c (nodes, orphans). Above: the VFS
 * glue, which has already checked permissions, "." and "..", and that a
 * directory is not moved into itself.
 *
 * Locks: every function takes fs->lock. Each operation is one transaction,
 * so a crash leaves it done or not done. An inode losing its last name
 * while in use goes on the orphan list in the same transaction; its blocks
 * are freed when its last reference goes (ext4_node_put).
 *
 * Link counts with dir_nlink (as Linux): a directory with more than 64999
 * subdirectories shows 1, and stays 1 while it has that many or more.
 */
#include "fs/ext4/ext4_int.h"

#define CREDITS 32

static int check_new_name(const char *name, size_t len)
{
  if (len == 0)
    return -ENOENT;
  if (len > EXT4_NAME_LEN)
    return -ENAMETOOLONG;
  if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'))
    return -EEXIST;
  for (size_t i = 0; i < len; i++)
    if (name[i] == '/' || name[i] == 0)
      return -EINVAL;
  return 0;
}

static bool is_dx(struct ext4_fs *fs, struct ext4_node *dir)
{
  return (dir->flags & EXT4_INDEX_FL) && (fs->compat & EXT4_COMPAT_DIR_INDEX);
}

/* One more subdirectory in dir. */
static void dir_inc(struct ext4_fs *fs, struct ext4_node *dir)
{
  dir->links++;
  if (is_dx(fs, dir) && (dir->links >= EXT4_LINK_MAX || dir->links == 2)) {
    dir->links = 1;
    if (!(fs->sb.s_feature_ro_compat & EXT4_RO_COMPAT_DIR_NLINK)) {
      fs->sb.s_feature_ro_compat |= EXT4_RO_COMPAT_DIR_NLINK;
      fs->ro_compat = fs->sb.s_feature_ro_compat;
      fs->sb_dirty = true;
    }
  }
}

static void dir_dec(struct ext4_node *dir)
{
  if (dir->links > 2)
    dir->links--;
}

static void touch(struct ext4_node *n, bool modify)
{
  ext4_now(&n->ctime);
  if (modify)
    n->mtime = n->ctime;
}

/* Common checks for an operation adding a name to dir. */
static int begin_add(struct ext4_fs *fs, struct ext4_node *dir, const char *name, size_t len)
{
  int err = check_new_name(name, len);
  if (err)
    return err;
  if (fs->read_only)
    return -EROFS;
  if (!ext4_is_dir(dir))
    return -ENOTDIR;
  if (dir->links == 0 || dir->freed)
    return -ENOENT;
  struct ext4_dir_hit hit;
  err = ext4_dir_find(fs, dir, name, len, &hit);
  if (err == 0)
    return -EEXIST;
  return err == -ENOENT ? 0 : err;
}

/* A new inode (referenced, not yet named) of the given mode. */
static int new_inode(struct ext4_fs *fs, struct ext4_node *dir, uint32_t mode, uint32_t uid,
                     uint32_t gid, struct ext4_node **out)
{
  uint32_t ino = 0;
  bool is_dir = (mode & 0170000) == 0040000;
  int err = ext4_alloc_inode(fs, dir->ino, is_dir, &ino);
  if (err)
    return err;
  err = ext4_node_new(fs, ino, mode, uid, gid, out);
  if (err) {
    ext4_free_inode(fs, ino, is_dir);
    return err;
  }
  (*out)->links = 1;
  uint32_t t = mode & 0170000;
  if ((fs->incompat & EXT4_INCOMPAT_EXTENTS) && (t == 0100000 || t == 0040000))
    ext4_ext_init(fs, *out);
  return 0;
}

/* Undo new_inode after a failure: the node goes, and its inode with it. */
static void drop_new(struct ext4_fs *fs, struct ext4_node *n)
{
  n->links = 0;
  ext4_node_put_locked(fs, n);
}

int ext4_create(struct ext4_fs *fs, struct ext4_node *dir, const char *name, size_t len,
                uint32_t mode, uint64_t rdev, uint32_t uid, uint32_t gid, struct ext4_node **out)
{
  ext4_env_lock(fs->lock);
  bool is_dir = (mode & 0170000) == 0040000;
  int err = begin_add(fs, dir, name, len);
  if (!err && is_dir && !is_dx(fs, dir) && dir->links >= EXT4_LINK_MAX)
    err = -EMLINK;
  if (!err)
    err = ext4_tx_begin(fs, CREDITS);
  if (err) {
    ext4_env_unlock(fs->lock);
    return err;
  }
  struct ext4_node *n = NULL;
  err = new_inode(fs, dir, mode, uid, gid, &n);
  if (!err) {
    uint32_t t = mode & 0170000;
    if (t == 0020000 || t == 0060000) {
      uint32_t *ib = ext4_iblock(n);
      uint32_t ma = (uint32_t)((rdev >> 8) & 0xfff), mi = (uint32_t)((rdev & 0xff) | ((rdev >> 12) & 0xfff00));
      if (ma < 256 && mi < 256)
        ib[0] = ma << 8 | mi;            /* the old 16-bit encoding */
      else
        ib[1] = (mi & 0xff) | (ma << 8) | ((mi & ~0xffu) << 12);
    }
    if (is_dir) {
      n->links = 2;
      err = ext4_dir_init(fs, n, dir->ino);
    }
    if (!err)
      err = ext4_inode_write(fs, n);
    if (!err)
      err = ext4_dir_add(fs, dir, name, len, n->ino, ext4_mode_to_ft(mode));
    if (err) {
      drop_new(fs, n);
      n = NULL;
    }
  }
  if (!err) {
    if (is_dir)
      dir_inc(fs, dir);
    touch(dir, true);
    err = ext4_inode_write(fs, dir);
  }
  err = ext4_tx_end(fs, err);
  if (!err)
    *out = n;
  else if (n)
    ext4_node_put_locked(fs, n);
  ext4_env_unlock(fs->lock);
  return err;
}

int ext4_symlink(struct ext4_fs *fs, struct ext4_node *dir, const char *name, size_t len,
                 const char *target, uint32_t uid, uint32_t gid, struct ext4_node **out)
{
  size_t tlen = strlen(target);
  if (tlen == 0)
    return -ENOENT;
  if (tlen > EXT4_MAX_SYMLINK || tlen >= fs->block_size)
    return -ENAMETOOLONG;
  ext4_env_lock(fs->lock);
  int err = begin_add(fs, dir, name, len);
  if (!err)
    err = ext4_tx_begin(fs, CREDITS);
  if (err) {
    ext4_env_unlock(fs->lock);
    return err;
  }
  struct ext4_node *n = NULL;
  err = new_inode(fs, dir, 0120777, uid, gid, &n);
  if (!err) {
    n->size = tlen;
    if (tlen <= EXT4_FAST_SYMLINK_MAX) {
      memcpy(ext4_iblock(n), target, tlen);  /* a fast symlink: in the inode */
    } else {
      if (fs->incompat & EXT4_INCOMPAT_EXTENTS)
        ext4_ext_init(fs, n);
      uint64_t pblk;
      uint32_t got;
      err = ext4_map_alloc(fs, n, 0, 1, false, &pblk, &got);
      struct ext4_buf *b = err ? NULL : ext4_bzero(fs, pblk, &err);
      if (b) {
        memcpy(ext4_bdata(b), target, tlen);
        err = ext4_bdirty(fs, b, pblk);
        ext4_brelse(b);
      }
    }
    if (!err)
      err = ext4_inode_write(fs, n);
    if (!err)
      err = ext4_dir_add(fs, dir, name, len, n->ino, EXT4_FT_SYMLINK);
    if (err) {
      drop_new(fs, n);
      n = NULL;
    }
  }
  if (!err) {
    touch(dir, true);
    err = ext4_inode_write(fs, dir);
  }
  err = ext4_tx_end(fs, err);
  if (!err)
    *out = n;
  else if (n)
    ext4_node_put_locked(fs, n);
  ext4_env_unlock(fs->lock);
  return err;
}

int ext4_readlink(struct ext4_fs *fs, struct ext4_node *n, char *buf, size_t size)
{
  ext4_env_lock(fs->lock);
  int err = 0;
  size_t len = (size_t)MIN(n->size, (uint64_t)EXT4_MAX_SYMLINK);
  if (!ext4_is_lnk(n)) {
    err = -EINVAL;
  } else if (n->flags & EXT4_INLINE_DATA_FL) {
    err = ext4_inline_read(fs, n, 0, buf, MIN(len, size));
  } else if (!ext4_has_blocks(fs, n)) {
    if (len > 60)
      err = ext4_corrupt(fs, "fast symlink longer than its inode", n->ino);
    else
      memcpy(buf, ext4_iblock(n), MIN(len, size));
  } else if (len > fs->block_size) {
    err = ext4_corrupt(fs, "symlink longer than a block", n->ino);
  } else {
    uint8_t *tmp = ext4_env_zalloc(fs->block_size);
    err = tmp ? ext4_read_locked(fs, n, 0, tmp, fs->block_size) : -ENOMEM;
    if (!err)
      memcpy(buf, tmp, MIN(len, size));
    ext4_env_free(tmp);
  }
  ext4_env_unlock(fs->lock);
  if (err)
    return err;
  len = MIN(len, size);
  if (len < size)
    buf[len] = 0;  /* NUL-terminated when there is room, as readlink(2) is not */
  return (int)len;
}

int ext4_link(struct ext4_fs *fs, struct ext4_node *dir, const char *name, size_t len,
              struct ext4_node *n)
{
  ext4_env_lock(fs->lock);
  int err = begin_add(fs, dir, name, len);
  if (!err && ext4_is_dir(n))
    err = -EPERM;
  else if (!err && (n->links == 0 || n->freed))
    err = -ENOENT;
  else if (!err && n->links >= EXT4_LINK_MAX)
    err = -EMLINK;
  if (!err)
    err = ext4_tx_begin(fs, CREDITS);
  if (err) {
    ext4_env_unlock(fs->lock);
    return err;
  }
  err = ext4_dir_add(fs, dir, name, len, n->ino, ext4_mode_to_ft(n->mode));
  if (!err) {
    n->links++;
    touch(n, false);
    touch(dir, true);
    err = ext4_inode_write(fs, n);
    if (!err)
      err = ext4_inode_write(fs, dir);
  }
  err = ext4_tx_end(fs, err);
  ext4_env_unlock(fs->lock);
  return err;
}

/* n lost a name (a directory: its only one). */
static int drop_link(struct ext4_fs *fs, struct ext4_node *n)
{
  if (ext4_is_dir(n))
    n->links = 0;
  else if (n->links)
    n->links--;
  touch(n, false);
  int err = n->links == 0 ? ext4_orphan_add(fs, n) : 0;
  return err ? err : ext4_inode_write(fs, n);
}

int ext4_unlink(struct ext4_fs *fs, struct ext4_node *dir, const char *name, size_t len, bool rmdir)
{
  ext4_env_lock(fs->lock);
  struct ext4_dir_hit hit;
  struct ext4_node *n = NULL;
  int err = fs->read_only ? -EROFS : !ext4_is_dir(dir) ? -ENOTDIR : 0;
  if (!err && ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.')))
    err = rmdir ? -ENOTEMPTY : -EISDIR;
  if (!err)
    err = ext4_dir_find(fs, dir, name, len, &hit);
  if (!err)
    err = ext4_node_get_locked(fs, hit.ino, &n);
  if (!err && rmdir && !ext4_is_dir(n))
    err = -ENOTDIR;
  if (!err && !rmdir && ext4_is_dir(n))
    err = -EISDIR;
  if (!err && rmdir) {
    int e = ext4_dir_empty(fs, n);
    err = e < 0 ? e : e == 0 ? -ENOTEMPTY : 0;
  }
  if (!err)
    err = ext4_tx_begin(fs, CREDITS);
  if (!err) {
    err = ext4_dir_remove(fs, dir, &hit);
    if (!err)
      err = drop_link(fs, n);
    if (!err) {
      if (rmdir)
        dir_dec(dir);
      touch(dir, true);
      err = ext4_inode_write(fs, dir);
    }
    err = ext4_tx_end(fs, err);
  }
  if (n)
    ext4_node_put_locked(fs, n);  /* frees it if nothing else holds it */
  ext4_env_unlock(fs->lock);
  return err;
}

/* Exchange two names (RENAME_EXCHANGE): each entry points at the other's inode. */
static int exchange(struct ext4_fs *fs, struct ext4_node *odir, struct ext4_dir_hit *oh,
                    struct ext4_node *src, struct ext4_node *ndir, struct ext4_dir_hit *nh,
                    struct ext4_node *dst)
{
  int err = ext4_dir_retarget(fs, odir, oh, dst->ino, ext4_mode_to_ft(dst->mode));
  if (!err)
    err = ext4_dir_retarget(fs, ndir, nh, src->ino, ext4_mode_to_ft(src->mode));
  if (!err && odir != ndir) {
    if (ext4_is_dir(src))
      err = ext4_dir_set_parent(fs, src, ndir->ino);
    if (!err && ext4_is_dir(dst))
      err = ext4_dir_set_parent(fs, dst, odir->ino);
    if (ext4_is_dir(src) && !ext4_is_dir(dst)) {
      dir_dec(odir);
      dir_inc(fs, ndir);
    } else if (!ext4_is_dir(src) && ext4_is_dir(dst)) {
      dir_dec(ndir);
      dir_inc(fs, odir);
    }
  }
  touch(src, false);
  touch(dst, false);
  if (!err)
    err = ext4_inode_write(fs, src);
  if (!err)
    err = ext4_inode_write(fs, dst);
  return err;
}

/* Move src's name to nname in ndir, replacing dst (if any). */
static int move(struct ext4_fs *fs, struct ext4_node *odir, const char *oname, size_t olen,
                struct ext4_node *src, struct ext4_node *ndir, const char *nname, size_t nlen,
                struct ext4_dir_hit *nh, struct ext4_node *dst)
{
  int err;
  if (dst) {
    err = ext4_dir_retarget(fs, ndir, nh, src->ino, ext4_mode_to_ft(src->mode));
    if (!err)
      err = drop_link(fs, dst);
    if (!err && ext4_is_dir(dst))
      dir_dec(ndir);
  } else {
    err = ext4_dir_add(fs, ndir, nname, nlen, src->ino, ext4_mode_to_ft(src->mode));
  }
  /* Adding may have split the old entry's block: find it again. */
  struct ext4_dir_hit oh;
  if (!err)
    err = ext4_dir_find(fs, odir, oname, olen, &oh);
  if (!err && oh.ino != src->ino)
    err = ext4_corrupt(fs, "rename source changed", oh.ino);
  if (!err)
    err = ext4_dir_remove(fs, odir, &oh);
  if (!err && ext4_is_dir(src) && odir != ndir) {
    err = ext4_dir_set_parent(fs, src, ndir->ino);
    dir_dec(odir);
    dir_inc(fs, ndir);
  }
  touch(src, false);
  if (!err)
    err = ext4_inode_write(fs, src);
  return err;
}

int ext4_rename(struct ext4_fs *fs, struct ext4_node *odir, const char *oname, size_t olen,
                struct ext4_node *ndir, const char *nname, size_t nlen, unsigned flags)
{
  ext4_env_lock(fs->lock);
  struct ext4_dir_hit oh, nh;
  struct ext4_node *src = NULL, *dst = NULL;
  int err = fs->read_only ? -EROFS : 0;
  if (!err && (flags & EXT4_RENAME_NOREPLACE) && (flags & EXT4_RENAME_EXCHANGE))
    err = -EINVAL;
  if (!err && (!ext4_is_dir(odir) || !ext4_is_dir(ndir)))
    err = -ENOTDIR;
  if (!err)
    err = check_new_name(nname, nlen);
  if (!err && (ndir->links == 0 || ndir->freed))
    err = -ENOENT;
  if (!err)
    err = ext4_dir_find(fs, odir, oname, olen, &oh);
  if (!err)
    err = ext4_node_get_locked(fs, oh.ino, &src);
  if (!err) {
    int r = ext4_dir_find(fs, ndir, nname, nlen, &nh);
    if (r == 0)
      r = ext4_node_get_locked(fs, nh.ino, &dst);
    else if (r == -ENOENT)
      r = 0;
    err = r;
  }
  if (!err && dst && (flags & EXT4_RENAME_NOREPLACE))
    err = -EEXIST;
  if (!err && !dst && (flags & EXT4_RENAME_EXCHANGE))
    err = -ENOENT;
  if (!err && dst && !(flags & EXT4_RENAME_EXCHANGE)) {
    if (ext4_is_dir(src) && !ext4_is_dir(dst))
      err = -ENOTDIR;
    else if (!ext4_is_dir(src) && ext4_is_dir(dst))
      err = -EISDIR;
    else if (ext4_is_dir(dst)) {
      int e = ext4_dir_empty(fs, dst);
      err = e < 0 ? e : e == 0 ? -ENOTEMPTY : 0;
    }
  }
  if (!err && ext4_is_dir(src) && odir != ndir && !is_dx(fs, ndir) && ndir->links >= EXT4_LINK_MAX &&
      !(dst && ext4_is_dir(dst)))
    err = -EMLINK;
  bool same = !err && dst == src;  /* two names of one inode: nothing to do */
  if (!err && !same)
    err = ext4_tx_begin(fs, CREDITS * 2);
  if (!err && !same) {
    if (flags & EXT4_RENAME_EXCHANGE)
      err = exchange(fs, odir, &oh, src, ndir, &nh, dst);
    else
      err = move(fs, odir, oname, olen, src, ndir, nname, nlen, &nh, dst);
    touch(odir, true);
    touch(ndir, true);
    if (!err)
      err = ext4_inode_write(fs, odir);
    if (!err && ndir != odir)
      err = ext4_inode_write(fs, ndir);
    err = ext4_tx_end(fs, err);
  }
  if (dst)
    ext4_node_put_locked(fs, dst);
  if (src)
    ext4_node_put_locked(fs, src);
  ext4_env_unlock(fs->lock);
  return err;
}
