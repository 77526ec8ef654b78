/*
 * sys_mm.c — memory system calls (mechanisms in kern/vm.c).
 */
#include "kern/syscall.h"
#include "kern/task.h"
#include "kern/vm.h"
#include "kern/cpu.h"
#include "kern/mm.h"
#include "fs/vfs.h"
#include "fs/fdtable.h"
#include "fs/ramfs.h"

long sys_brk(uaddr_t addr)
{
  return (long)vm_brk(current->mm, addr);
}

/*
 * mmap's checks in Linux's order (riscv_sys_mmap, ksys_mmap_pgoff,
 * do_mmap): the offset's alignment (EINVAL); the descriptor (EBADF); the
 * length (EINVAL if 0, ENOMEM if it wraps when rounded up); the page
 * offset — the offset shifted arithmetically, as Linux does — plus the
 * pages must not wrap (EOVERFLOW: any negative offset whose range reaches
 * past -1); then the file (ENODEV, EOVERFLOW past OFF_MAX, EACCES).
 * Protection bits other than read, write and execute are ignored, as on
 * Linux.
 */
long sys_mmap(uaddr_t addr, size_t len, int prot, int flags, int fd, off_t offset)
{
  if (offset & (PAGE_SIZE - 1))
    return -EINVAL;
  prot &= PROT_READ | PROT_WRITE | PROT_EXEC;
  struct file *f = NULL;
  if (!(flags & MAP_ANONYMOUS) && !(f = fd_get(fd)))
    return -EBADF;
  long r = -EINVAL;
  if (len == 0)
    goto out;
  r = -ENOMEM;
  if (PGROUNDUP(len) == 0)
    goto out;
  uint64_t pgoff = (uint64_t)(offset >> PAGE_SHIFT), pages = PGROUNDUP(len) >> PAGE_SHIFT;
  r = -EOVERFLOW;
  if (pgoff + pages < pgoff)
    goto out;
  int type = flags & MAP_TYPE;
  if (f) {
    r = -ENODEV;
    if (!f->inode || (!S_ISREG(f->inode->mode) && !S_ISBLK(f->inode->mode)))
      goto out;
    /* Linux's file_mmap_ok: the mapped range must end within OFF_MAX. */
    r = -EOVERFLOW;
    if ((uint64_t)offset > (uint64_t)OFF_MAX || len > (uint64_t)OFF_MAX - (uint64_t)offset)
      goto out;
    r = -EACCES;
    if (!file_readable(f) ||
        ((type == MAP_SHARED || type == MAP_SHARED_VALIDATE) && (prot & PROT_WRITE) && !file_writable(f)))
      goto out;
  } else if (type != MAP_PRIVATE) {
    /* Shared anonymous memory is an unnamed in-memory file, so a forked
     * child shares the very same pages. */
    f = shmem_file_create(PGROUNDUP(len));
    if (IS_ERR(f)) {
      r = PTR_ERR(f);
      f = NULL;
      goto out;
    }
    offset = 0;
  } else {
    offset = 0; /* private anonymous memory has no offset */
  }
  r = vm_mmap(current->mm, addr, len, prot, flags, f, offset);
out:
  if (f)
    fput(f);
  return r;
}

long sys_munmap(uaddr_t addr, size_t len)
{
  return vm_munmap(current->mm, addr, len);
}

long sys_mprotect(uaddr_t addr, size_t len, int prot)
{
  return vm_mprotect(current->mm, addr, len, prot);
}

long sys_mremap(uaddr_t old, size_t oldlen, size_t newlen, int flags, uaddr_t newaddr)
{
  return vm_mremap(current->mm, old, oldlen, newlen, flags, newaddr);
}

#define MADV_NORMAL 0
#define MADV_RANDOM 1
#define MADV_SEQUENTIAL 2
#define MADV_WILLNEED 3
#define MADV_DONTNEED 4
#define MADV_FREE 8
#define MADV_REMOVE 9
#define MADV_DONTFORK 10
#define MADV_DOFORK 11
#define MADV_HUGEPAGE 14
#define MADV_NOHUGEPAGE 15

static long range_mapped(uaddr_t addr, size_t len);
static bool range_private_anon(uaddr_t addr, size_t len);

long sys_madvise(uaddr_t addr, size_t len, int advice)
{
  if (addr & (PAGE_SIZE - 1))
    return -EINVAL;
  if (len == 0)
    return 0;
  long r = range_mapped(addr, len);
  switch (advice) {
  case MADV_FREE:
    if (r)
      return r;
    if (!range_private_anon(addr, len))
      return -EINVAL; /* MADV_FREE is for private anonymous memory only */
    return vm_madvise_dontneed(current->mm, addr, len);
  case MADV_DONTNEED:
    if (r)
      return r;
    return vm_madvise_dontneed(current->mm, addr, len);
  case MADV_NORMAL:
  case MADV_RANDOM:
  case MADV_SEQUENTIAL:
  case MADV_WILLNEED:
  case MADV_DONTFORK:
  case MADV_DOFORK:
  case MADV_HUGEPAGE:
  case MADV_NOHUGEPAGE:
  case 12: /* MADV_MERGEABLE */
  case 13: /* MADV_UNMERGEABLE */
  case 16: /* MADV_DONTDUMP */
  case 17: /* MADV_DODUMP */
    return r; /* advice only (see docs/syscalls.md); the range must be mapped */
  default:
    return -EINVAL;
  }
}

#define MS_ASYNC 1
#define MS_INVALIDATE 2
#define MS_SYNC 4

long sys_msync(uaddr_t addr, size_t len, int flags)
{
  if (flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC))
    return -EINVAL;
  if ((flags & MS_ASYNC) && (flags & MS_SYNC))
    return -EINVAL;
  return vm_msync(current->mm, addr, len, flags);
}

/* Is every region in [addr, addr+len) private anonymous memory? */
static bool range_private_anon(uaddr_t addr, size_t len)
{
  struct mm *mm = current->mm;
  bool ok = true;
  mutex_lock(&mm->lock);
  for (struct vma *v = find_vma(mm, addr); v && v->start < addr + len;
       v = v->link.next != &mm->vmas ? list_entry(v->link.next, struct vma, link) : NULL)
    if (v->file || (v->flags & VMA_SHARED))
      ok = false;
  mutex_unlock(&mm->lock);
  return ok;
}

/* Check that [addr, addr+len) is mapped (mlock, madvise): 0 or -ENOMEM. */
static long range_mapped(uaddr_t addr, size_t len)
{
  struct mm *mm = current->mm;
  uaddr_t start = PGROUNDDOWN(addr), end = PGROUNDUP(addr + len);
  if (end < start)
    return -EINVAL;
  mutex_lock(&mm->lock);
  uaddr_t cur = start;
  long r = 0;
  while (cur < end) {
    struct vma *v = find_vma(mm, cur);
    if (!v || v->start > cur) {
      r = -ENOMEM;
      break;
    }
    cur = v->end;
  }
  mutex_unlock(&mm->lock);
  return r;
}

long sys_mlock(uaddr_t addr, size_t len) { return range_mapped(addr, len); }

/* mlock2: mlock, or with MLOCK_ONFAULT "as pages are touched" — the same
 * here, where nothing is ever paged out. */
long sys_mlock2(uaddr_t addr, size_t len, unsigned int flags)
{
  if (flags & ~1u /* MLOCK_ONFAULT */)
    return -EINVAL;
  return range_mapped(addr, len);
}
long sys_munlock(uaddr_t addr, size_t len) { return range_mapped(addr, len); }
long sys_mlockall(int flags) { return (flags & ~7) || !flags ? -EINVAL : 0; }
long sys_munlockall(void) { return 0; }

long sys_mincore(uaddr_t addr, size_t len, uaddr_t vec)
{
  if (addr & (PAGE_SIZE - 1))
    return -EINVAL;
  long r = range_mapped(addr, len);
  if (r)
    return r;
  struct mm *mm = current->mm;
  size_t pages = PGROUNDUP(len) / PAGE_SIZE;
  for (size_t i = 0; i < pages; i++) {
    mutex_lock(&mm->lock);
    pte_t *pte = pt_walk(mm->root, addr + i * PAGE_SIZE, false);
    uint8_t in = pte && pte_present(*pte);
    mutex_unlock(&mm->lock);
    if (copyout(vec + i, &in, 1))
      return -EFAULT;
  }
  return 0;
}

/* Make instruction fetches see data just written (JITs, dynamic loaders). */
long sys_riscv_flush_icache(uaddr_t start, uaddr_t end, uint64_t flags)
{
  (void)start;
  (void)end;
  if (flags & ~1UL) /* SYS_RISCV_FLUSH_ICACHE_LOCAL */
    return -EINVAL;
  /* Every hart, even with the LOCAL flag: this thread may move to
   * another hart at any time (Linux keeps a stale-hart mask instead). */
  smp_fence_i_all();
  return 0;
}
