/*
 * filemap.h — mapping files into address spaces (fs/filemap.c): the
 * generic vm_operations over the page cache (Linux's mm/filemap.c).
 *
 * A file kind that can be mapped sets file_ops.mmap; generic_file_mmap
 * (declared with the other generic file operations in fs/file.h) gives the
 * region these operations. A kind that counts its mappings (System V
 * shared memory, ipc/shm.c) wraps filemap_vm_open/close in its own table
 * and uses the rest as they are.
 *
 * Layer: fs, between kern/vm.c (which calls these only through vma->ops,
 * struct vm_operations, never by name) and the page cache below.
 *
 * Locks: the fault and open/close hooks run with the address space's
 * mm->lock held; the page cache's lock ranks below it.
 */
#ifndef KITE_FILEMAP_H
#define KITE_FILEMAP_H

#include "kern/types.h"

struct vma;
struct page;
struct vm_operations;

/* Take / drop region v's reference on v->file (mm->lock held). */
void filemap_vm_open(struct vma *v);
void filemap_vm_close(struct vma *v);
/* The page-cache page at index for a fault in v, referenced; dirty if v
 * is shared and writable. ERR_PTR(-ENXIO) past the end of the file (not
 * for a shared character device) or when it cannot be read;
 * ERR_PTR(-ENOMEM). mm->lock held; may sleep. */
struct page *filemap_fault(struct vma *v, uint64_t index);
/* The page at index if it is in the page cache, up to date and inside the
 * file, referenced; else NULL (fault-around: nothing is read). */
struct page *filemap_fault_cached(struct vma *v, uint64_t index);
/* msync: hold v->file (mm->lock held) / write its pages back and drop it. */
void *filemap_msync_hold(struct vma *v);
void filemap_msync(void *held);

/* The five above, as one table: what generic_file_mmap installs. */
extern const struct vm_operations generic_file_vm_ops;

#endif
