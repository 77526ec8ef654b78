/*
 * sys_mm.c — memory system calls (mechanisms in kern/vm.c).
 *
 * Layer: syscalls. Below: kern/mmap.c and kern/vm.c (the mechanisms),
 * kern/uaccess.c. Locks: mm->lock (a mutex) is taken by the mechanisms,
 * and here only where a call checks the range itself first
 * (remap_file_pages, and the range checks of mlock's family).
 */
#include "kern/syscall.h"
#include "kern/task.h"
#include "kern/cred.h"
#include "kern/vm.h"
#include "kern/cpu.h"
#include "kern/mm.h"
#include "fs/fs_abi.h"
#include "fs/inode.h"
#include "fs/file.h"
#include "fs/pagecache.h"
#include "fs/fdtable.h"
#include "fs/ramfs.h"

long sys_brk(uaddr_t addr)
{
  return (long)vm_brk(current->mm, addr);
}

/* The flags MAP_SHARED_VALIDATE knows (Linux's LEGACY_MAP_MASK). */
#define MAP_UNINITIALIZED 0x4000000
#define LEGACY_MAP_MASK (MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_DENYWRITE | \
                         MAP_EXECUTABLE | MAP_UNINITIALIZED | MAP_GROWSDOWN | MAP_LOCKED |    \
                         MAP_NORESERVE | MAP_POPULATE | MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB | \
                         MAP_FIXED_NOREPLACE)

/* /dev/zero maps as anonymous memory (shared: an unnamed tmpfs file). */
static bool is_dev_zero(struct file *f)
{
  return f->inode && S_ISCHR(f->inode->mode) && f->inode->rdev == MKDEV(1, 5);
}

/*
 * mmap's checks in Linux's order (riscv_sys_mmap, ksys_mmap_pgoff,
 * do_mmap): the offset's alignment (EINVAL); the descriptor (EBADF); the
 * length (EINVAL if 0, ENOMEM if it wraps when rounded up); the page
 * offset — the offset shifted arithmetically, as Linux does — plus the
 * pages must not wrap (EOVERFLOW: any negative offset whose range reaches
 * past -1); MAP_LOCKED without a memlock allowance (EPERM); then the file
 * (EOVERFLOW past OFF_MAX, the map type: EINVAL, or EOPNOTSUPP for flags
 * MAP_SHARED_VALIDATE does not know; EACCES; ENODEV for what cannot be
 * mapped). /dev/zero maps as anonymous memory.
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
  r = -EPERM;
  if ((flags & MAP_LOCKED) && rlimit_cur(RLIMIT_MEMLOCK) == 0 && !capable(CAP_IPC_LOCK))
    goto out;
  int type = flags & MAP_TYPE;
  if (f) {
    /* Linux's file_mmap_ok: the mapped range must end within OFF_MAX. */
    r = -EOVERFLOW;
    if ((uint64_t)offset > (uint64_t)OFF_MAX || len > (uint64_t)OFF_MAX - (uint64_t)offset)
      goto out;
    /* the type first, then what the open file allows, then the file kind */
    r = -EINVAL;
    if (type != MAP_SHARED && type != MAP_PRIVATE && type != MAP_SHARED_VALIDATE)
      goto out;
    r = -EOPNOTSUPP;
    if (type == MAP_SHARED_VALIDATE && (flags & ~LEGACY_MAP_MASK))
      goto out;
    r = -EACCES;
    if (!file_readable(f) ||
        ((type == MAP_SHARED || type == MAP_SHARED_VALIDATE) && (prot & PROT_WRITE) && !file_writable(f)))
      goto out;
    r = -ENODEV;
    if (!f->inode || (!S_ISREG(f->inode->mode) && !S_ISBLK(f->inode->mode) && !is_dev_zero(f)))
      goto out;
    if (is_dev_zero(f)) {
      bool writable = file_writable(f);
      fput(f);
      f = NULL;
      if (type == MAP_PRIVATE) {
        flags |= MAP_ANONYMOUS;
        offset = 0;
      } else {
        f = shmem_file_create(PGROUNDUP(len));
        if (IS_ERR(f)) {
          r = PTR_ERR(f);
          f = NULL;
          goto out;
        }
        if (!writable)
          f->flags = O_RDONLY; /* mprotect(PROT_WRITE) stays refused, as on Linux */
        offset = 0;
      }
    }
  } else if (type != MAP_PRIVATE && type != MAP_SHARED && type != MAP_SHARED_VALIDATE) {
    r = -EINVAL;
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

/*
 * remap_file_pages, as Linux has emulated it since 3.16: the pages
 * [start, start+size) of a shared file mapping are mapped again from page
 * pgoff of the same file (a new mapping over them, MAP_FIXED, populated),
 * with the mapping's own protection. The range must lie in one shared
 * file mapping, or in neighbouring ones of the same file and flags; prot
 * must be 0. Every refusal is EINVAL, as on Linux.
 */
long sys_remap_file_pages(uaddr_t start, size_t size, int prot, size_t pgoff, int flags)
{
  if (prot)
    return -EINVAL;
  start &= ~(uaddr_t)(PAGE_SIZE - 1);
  size &= ~(size_t)(PAGE_SIZE - 1);
  if (start + size <= start || pgoff + (size >> PAGE_SHIFT) < pgoff)
    return -EINVAL;
  struct mm *mm = current->mm;
  mutex_lock(&mm->lock);
  struct vma *v = find_vma(mm, start);
  if (!v || v->start > start || !v->file || !(v->flags & VMA_SHARED)) {
    mutex_unlock(&mm->lock);
    return -EINVAL;
  }
  for (struct vma *w = v; w->end < start + size;) {
    struct vma *next = w->link.next != &mm->vmas ? list_entry(w->link.next, struct vma, link) : NULL;
    if (!next || next->start != w->end || next->file != v->file || next->flags != v->flags) {
      mutex_unlock(&mm->lock);
      return -EINVAL;
    }
    w = next;
  }
  struct file *f = v->file;
  fget(f);
  uint32_t mapflags = MAP_SHARED | MAP_FIXED | MAP_POPULATE | (flags & MAP_NONBLOCK);
  if (v->flags & VMA_LOCKED)
    mapflags |= MAP_LOCKED;
  uint32_t vprot = v->prot;
  mutex_unlock(&mm->lock);
  long r = vm_mmap(mm, start, size, vprot, mapflags, f, (uint64_t)pgoff << PAGE_SHIFT);
  fput(f);
  return r < 0 ? r : 0;
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
static bool range_locked(uaddr_t addr, size_t len);

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
    if (!range_private_anon(addr, len) || range_locked(addr, len))
      return -EINVAL; /* MADV_FREE is for private anonymous memory only */
    return vm_madvise_dontneed(current->mm, addr, len);
  case MADV_DONTNEED:
    if (r)
      return r;
    if (range_locked(addr, len))
      return -EINVAL; /* mlocked pages are not dropped (Linux's madvise_dontneed_free_valid_vma) */
    return vm_madvise_dontneed(current->mm, addr, len);
  case MADV_NORMAL:
  case MADV_RANDOM:
  case MADV_SEQUENTIAL:
  case MADV_WILLNEED:
  case MADV_DONTFORK:
  case MADV_DOFORK:
  case MADV_HUGEPAGE:
  case MADV_NOHUGEPAGE:
  case 16: /* MADV_DONTDUMP */
  case 17: /* MADV_DODUMP */
    return r; /* advice only (see docs/syscalls.md); the range must be mapped */
  default:
    return -EINVAL; /* also MADV_MERGEABLE/UNMERGEABLE: no KSM, as Linux without CONFIG_KSM */
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
  struct vma *v;
  for_each_vma_in(mm, v, addr, addr + len)
    if (v->file || (v->flags & VMA_SHARED))
      ok = false;
  mutex_unlock(&mm->lock);
  return ok;
}

/* Is any region in [addr, addr+len) mlocked? */
static bool range_locked(uaddr_t addr, size_t len)
{
  struct mm *mm = current->mm;
  bool locked = false;
  mutex_lock(&mm->lock);
  struct vma *v;
  for_each_vma_in(mm, v, addr, addr + len)
    if (v->flags & VMA_LOCKED)
      locked = true;
  mutex_unlock(&mm->lock);
  return locked;
}

/* mlockall/munlockall: every region, one at a time (there are holes between them). */
static long mlock_mapped(struct mm *mm, bool lock, bool onfault)
{
  uaddr_t cur = 0;
  for (;;) {
    mutex_lock(&mm->lock);
    struct vma *v = find_vma(mm, cur);
    uaddr_t s = v ? v->start : 0, e = v ? v->end : 0;
    bool vdso = v && (v->flags & VMA_VDSO);
    mutex_unlock(&mm->lock);
    if (!v)
      return 0;
    if (!vdso)
      vm_mlock(mm, s, e - s, lock, onfault);
    cur = e;
  }
}

/* Check that [addr, addr+len) is mapped (mlock, madvise): 0 or -ENOMEM. */
static long range_mapped(uaddr_t addr, size_t len)
{
  struct mm *mm = current->mm;
  uaddr_t start = PGROUNDDOWN(addr), end = PGROUNDUP(addr + len);
  if (end < start)
    return -EINVAL;
  mutex_lock(&mm->lock);
  long r = vma_range_mapped(mm, start, end) ? 0 : -ENOMEM;
  mutex_unlock(&mm->lock);
  return r;
}

/* ---- mlock (Linux's mm/mlock.c rules; the locking itself is kern/vm.c) ---- */

#define MLOCK_ONFAULT 1
#define MCL_CURRENT 1
#define MCL_FUTURE 2
#define MCL_ONFAULT 4

/* can_do_mlock: a non-zero RLIMIT_MEMLOCK or CAP_IPC_LOCK. */
static bool can_do_mlock(void)
{
  return rlimit_cur(RLIMIT_MEMLOCK) != 0 || capable(CAP_IPC_LOCK);
}

static long do_mlock(uaddr_t addr, size_t len, bool onfault)
{
  if (!can_do_mlock())
    return -EPERM;
  struct mm *mm = current->mm;
  uaddr_t start = PGROUNDDOWN(addr);
  uint64_t size = PGROUNDUP(len + (addr - start));
  if (!capable(CAP_IPC_LOCK)) {
    uint64_t limit = rlimit_cur(RLIMIT_MEMLOCK);
    uint64_t locked = vm_locked_bytes(mm, 0, UINT64_MAX) + size;
    if (locked > limit)
      locked -= vm_locked_bytes(mm, start, start + size); /* already counted */
    if (locked > limit)
      return -ENOMEM;
  }
  return vm_mlock(mm, start, size, true, onfault);
}

long sys_mlock(uaddr_t addr, size_t len) { return do_mlock(addr, len, false); }

long sys_mlock2(uaddr_t addr, size_t len, int flags)
{
  if (flags & ~MLOCK_ONFAULT)
    return -EINVAL;
  return do_mlock(addr, len, flags & MLOCK_ONFAULT);
}

long sys_munlock(uaddr_t addr, size_t len)
{
  uaddr_t start = PGROUNDDOWN(addr);
  return vm_mlock(current->mm, start, PGROUNDUP(len + (addr - start)), false, false);
}

long sys_mlockall(int flags)
{
  if (!flags || (flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) || flags == MCL_ONFAULT)
    return -EINVAL;
  if (!can_do_mlock())
    return -EPERM;
  struct mm *mm = current->mm;
  if ((flags & MCL_CURRENT) && !capable(CAP_IPC_LOCK) && mm->total_vm > rlimit_cur(RLIMIT_MEMLOCK))
    return -ENOMEM;
  mm->lock_future = flags & MCL_FUTURE;
  mm->lock_future_onfault = flags & MCL_ONFAULT;
  return (flags & MCL_CURRENT) ? mlock_mapped(mm, true, flags & MCL_ONFAULT) : 0;
}

long sys_munlockall(void)
{
  struct mm *mm = current->mm;
  mm->lock_future = mm->lock_future_onfault = false;
  return mlock_mapped(mm, false, false);
}

long sys_mincore(uaddr_t addr, size_t len, uaddr_t vec)
{
  if (addr & (PAGE_SIZE - 1))
    return -EINVAL;
  if (addr + len < addr)
    return -ENOMEM;
  long r = range_mapped(addr, len);
  if (r)
    return r;
  struct mm *mm = current->mm;
  size_t pages = PGROUNDUP(len) / PAGE_SIZE;
  for (size_t i = 0; i < pages; i++) {
    uaddr_t va = addr + i * PAGE_SIZE;
    mutex_lock(&mm->lock);
    pte_t *pte = pt_walk(mm->root, va, false);
    uint8_t in = pte && pte_present(*pte);
    /* a file page not mapped here may still be in the page cache (another
     * process touched or locked it): Linux's mincore reports that too */
    struct vma *v = in ? NULL : find_vma(mm, va);
    if (v && v->start <= va && v->file && v->file->inode) {
      struct page *pg = page_cache_peek(v->file->inode, v->pgoff + (va - v->start) / PAGE_SIZE);
      if (pg) {
        in = 1;
        put_page(pg);
      }
    }
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
