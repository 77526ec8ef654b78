/*
 * vfs.h — the virtual file system: inodes, dentries, mounts, files. Each
 * object has its header; this one only gathers them, and names the files
 * that make up the VFS. New code includes the headers it uses (fs/ and
 * net/ do); this umbrella stays for the files of kern/, drivers/ and ipc/
 * that still include it, and goes when they no longer do.
 *
 *   fs/fs_abi.h     the constants of the file ABI (S_IF*, O_*, AT_*, ...)
 *   fs/inode.h      struct inode, inode_ops; fs/vfs.c
 *   fs/dentry.h     struct dentry, the dentry cache; fs/dcache.c
 *   fs/mount.h      fs_type, super_block, mount, path; fs/super.c, mount.c
 *   fs/file.h       struct file, file_ops; fs/file.c, generic operations
 *   fs/pagecache.h  the pages of a file; fs/pagecache.c
 *   fs/namei.h      the path walk, opening by name, fs_context; fs/namei.c
 *   fs/mqueue.h     the message-queue file system's start-up; fs/mqueue.c
 *
 * Layer: fs, the VFS core. Its files, top to bottom:
 *   fs/sys_*.c      syscalls: fetch and check arguments
 *   fs/namei.c      path walk: names -> (mount, dentry)
 *   fs/vfs.c        inodes and paths; fs/dcache.c dentries; fs/super.c
 *                   file system types, superblocks, mounts
 *   fs/file.c       open files and descriptor tables
 *   fs/pagecache.c  file pages (read, write, mmap all go through it)
 *   fs/ramfs.c, devfs.c, procfs.c, fat32 ...  the file systems
 *
 * Dentries form an in-memory tree of names (the dentry cache). For ramfs
 * the tree *is* the file system; disk file systems fill it on lookup.
 * A dentry's `mounted` count says another file system is mounted on it;
 * the walk crosses into the mount whose mountpoint it is (so the deepest
 * mount on a path wins — the longest-prefix rule, docs/lessons.md L8).
 *
 * Lock order: inode->lock of a parent before a child's; rename takes the
 * global rename_lock first. dcache_lock (spinlock) protects dentry
 * children lists and reference counts; mount_lock protects the mount list.
 */
#ifndef KITE_VFS_H
#define KITE_VFS_H

#include "fs/fs_abi.h"
#include "fs/inode.h"
#include "fs/dentry.h"
#include "fs/mount.h"
#include "fs/file.h"
#include "fs/pagecache.h"
#include "fs/namei.h"
#include "fs/mqueue.h"

#endif
