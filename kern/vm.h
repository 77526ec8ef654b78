/*
 * vm.h — user address spaces: struct mm, its regions (VMAs), page faults,
 * and the page-table primitives (arch/riscv/pgtable.c).
 *
 * An address space is a page table plus a sorted list of regions. A region
 * says what may be there (protection, anonymous or a file at an offset,
 * private or shared); the page table says what is there now. Pages arrive
 * lazily, on the first fault; fork shares private pages copy-on-write.
 *
 * Lock order: inode->lock > mm->lock > page-cache lock > fs metadata locks.
 * copyin()/copyout() take mm->lock only to find (or fault in) a page, and
 * hold a page reference, not the lock, while copying.
 *
 * Layer: core (kern/vm.c, kern/mmap.c, kern/tlb.c). Below:
 * arch/riscv/pgtable.c (PTEs), kern/page_alloc.c. Above: fs/ sets
 * vma->ops (struct vm_operations) for a file mapping, so the fault path
 * never names the page cache; fs/exec.c builds a new mm.
 */
#ifndef KITE_VM_H
#define KITE_VM_H

#include "kern/types.h"
#include "kern/param.h"
#include "kern/list.h"
#include "kern/wait.h"
#include "arch/riscv/riscv.h"

struct file;
struct page;
struct inode;

#define PROT_NONE 0
#define PROT_READ 1
#define PROT_WRITE 2
#define PROT_EXEC 4

#define MAP_SHARED 0x01
#define MAP_PRIVATE 0x02
#define MAP_SHARED_VALIDATE 0x03
#define MAP_TYPE 0x0f
#define MAP_FIXED 0x10
#define MAP_ANONYMOUS 0x20
#define MAP_NORESERVE 0x4000
#define MAP_GROWSDOWN 0x0100
#define MAP_DENYWRITE 0x0800
#define MAP_EXECUTABLE 0x1000
#define MAP_LOCKED 0x2000
#define MAP_POPULATE 0x8000
#define MAP_NONBLOCK 0x10000
#define MAP_STACK 0x20000
#define MAP_HUGETLB 0x40000
#define MAP_FIXED_NOREPLACE 0x100000

/* vma->flags */
#define VMA_SHARED 0x01     /* writes reach the file / other mappers */
#define VMA_STACK 0x02      /* the main stack: grows down on faults */
#define VMA_HEAP 0x04       /* the brk heap */
#define VMA_VDSO 0x08       /* the kernel's sigreturn/vdso page */
#define VMA_LOCKED 0x10     /* mlock: kept resident (not inherited by fork) */
#define VMA_NOMAYWRITE 0x20 /* shared, of a write-sealed file: mprotect may not add PROT_WRITE */
#define VMA_WCOUNTED 0x40   /* (between a file's mmap and ops->open) its count is taken: fs/ramfs.c */

struct vma;
struct page;

/*
 * What a file-backed region does with its file (Linux's vm_operations_struct).
 * The file's own mmap operation (file_ops.mmap, Linux's f_op->mmap) sets
 * v->ops when the first region is made; kern/vm.c then calls only these,
 * never a file or page-cache function by name (fs/filemap.c has the
 * generic ones, over the page cache). All but msync run with mm->lock held.
 */
struct vm_operations {
  /* A region over v->file was made: mmap, fork's copy, a split, mremap's
   * move. Take the region's reference on the file (and count the mapping,
   * if the object counts them: System V shared memory). */
  void (*open)(struct vma *v);
  /* Region v goes away: drop what open took. */
  void (*close)(struct vma *v);
  /* The page of the file at page index `index` for a fault in v,
   * referenced (the caller maps or copies it, then puts it); a page of a
   * writable shared mapping is marked dirty. ERR_PTR(-ENXIO) past the end
   * of the file or on a read error (SIGBUS), ERR_PTR(-ENOMEM). May sleep. */
  struct page *(*fault)(struct vma *v, uint64_t index);
  /* Fault-around (optional): the page at `index` only if it is cached and
   * up to date, referenced; else NULL. Never reads or sleeps on I/O. */
  struct page *(*fault_cached)(struct vma *v, uint64_t index);
  /* msync: msync_hold(v), under mm->lock, returns what to write back,
   * referenced (NULL: nothing); msync(held), after mm->lock is dropped,
   * writes it back and drops that reference. */
  void *(*msync_hold)(struct vma *v);
  void (*msync)(void *held);
};

struct vma {
  struct list_head link;    /* in mm->vmas, sorted by start */
  uaddr_t start, end;       /* [start, end), page aligned */
  uint32_t prot;            /* PROT_* */
  uint32_t flags;           /* VMA_* */
  struct file *file;        /* NULL for anonymous memory */
  const struct vm_operations *ops; /* with a file: what to do with it (never NULL then) */
  uint64_t pgoff;           /* file offset of `start`, in pages */
};

/*
 * The program an mm runs (fs/exec.c makes it, kern/vm.c counts the mms
 * holding it): while one does, the file may not be opened for writing
 * (ETXTBSY, Linux's mm->exe_file with deny_write_access).
 */
struct mm_exe {
  int refcount;                       /* atomic: the mms holding it */
  struct file *file;                  /* referenced, writes denied */
  void (*release)(struct mm_exe *e);  /* the last mm let go: allow writes, drop the file, free e */
};

struct mm {
  int refcount;             /* atomic */
  uint64_t cpus_active;     /* harts whose satp holds this mm (cpumask_t; atomic:
                               set and cleared by each hart in vm_switch) */
  struct mutex lock;        /* protects everything below and the page table */
  pagetable_t root;         /* Sv39 root page table */
  uint64_t satp;
  uint16_t asid;            /* its ASID in satp, 0 if none (kern/tlb.h) */
  uint64_t tlb_gen;         /* atomic: bumped by every flush of this mm */
  uint64_t hart_gen[NCPU];  /* tlb_gen when hart i last flushed this ASID (hart i only) */
  struct list_head vmas;
  int nr_vmas;
  uint64_t total_vm;        /* bytes mapped, for RLIMIT_AS */
  uint64_t rss;             /* present user PTEs (pages), the resident size */
  uint64_t hiwater_rss;     /* rss before its last drop (unmap_pages): with rss,
                               the peak (mm_peak_rss_pages), as Linux's hiwater_rss */
  uaddr_t brk_start, brk;   /* the heap: [brk_start, brk) */
  uaddr_t mmap_base;        /* mmap allocates top-down below this */
  uaddr_t stack_top;
  uaddr_t arg_start, arg_end, env_start, env_end;  /* for /proc/<pid>/cmdline */
  char exe_path[256];       /* for /proc/<pid>/exe */
  struct mm_exe *exe;       /* the running program: no one may write it (ETXTBSY); NULL if none */
  bool lock_future;         /* mlockall(MCL_FUTURE): new mappings are locked */
  bool lock_future_onfault;
  uint32_t membarrier_state; /* membarrier registrations (kern/sys_cpu.c); fresh at exec */
};

/* Fault access kinds. */
#define FAULT_READ 1
#define FAULT_WRITE 2
#define FAULT_EXEC 4

/* Where things go in a fresh address space. */
#define USER_STACK_TOP 0x3fffff0000UL   /* below the vDSO and trampoline pages */
#define USER_TRAMPOLINE 0x3ffffff000UL  /* sigreturn code (kern/signal.c) */
#define USER_MMAP_BASE 0x3f00000000UL   /* mmap grows down from here */
#define ELF_ET_DYN_BASE 0x2aaaaab000UL  /* where PIE programs are placed */
/* Linux's vm.mmap_min_addr on riscv64: no address below it is chosen for a
 * mapping, and a fixed mapping below it needs CAP_SYS_RAWIO (EPERM) — root
 * has it, so a static program linked at 0x1000 loads for root. */
#define MMAP_MIN_ADDR 0x1000UL

/* arch/riscv/pgtable.c */
extern pagetable_t kernel_pagetable;
extern uint64_t kernel_satp;            /* satp value of kernel_pagetable */
/* Adopt the boot page table as the kernel's (dropping the identity map) and
 * remember the allocator for table pages (zeroed; arch/ does not name
 * kern/page_alloc.c). Once, on the boot hart, before any pt_* call. */
void pgtable_init(void *(*alloc_pages)(unsigned order),
                  void (*free_pages)(void *va, unsigned order));
/* A new user root table sharing the kernel half; NULL when out of memory. */
pagetable_t pt_create_user(void);
/* Free a user root and its intermediate tables (its leaves already unmapped). */
void pt_destroy(pagetable_t root);
/* The level-0 PTE for user va in root, creating intermediate tables if alloc;
 * NULL if va is not a user address, a table is missing (!alloc) or out of
 * memory. Caller holds the mm's lock (or owns the table). */
pte_t *pt_walk(pagetable_t root, uaddr_t va, bool alloc);
/* PTE permission bits for PROT_* (always user, accessed, dirty). */
uint64_t pte_flags_for_prot(uint32_t prot);

/* kern/tlb.c: load mm's table on this hart (NULL: the kernel's), keeping
 * mm->cpus_active exact. Interrupts off or the hart otherwise pinned. */
void vm_switch(struct mm *mm);

/* ---- kern/vm.c, kern/mmap.c: address spaces (mm->lock, a mutex, guards
 * the region list and the page table; each function takes it unless it
 * says otherwise, so none may be called with a spinlock held) ---- */
/* A new, empty address space (the kernel half of the page table only),
 * one reference; or fork's copy of old: the same regions, private pages
 * copy-on-write in both, shared ones shared (takes old->lock). NULL when
 * out of memory. */
struct mm *mm_create(void);
struct mm *mm_fork(struct mm *old);
/* Take / drop a reference; the last mm_put unmaps everything, frees the
 * page table and its ASID, and drops the program (mm->exe). */
void mm_get(struct mm *mm);
void mm_put(struct mm *mm);
/* mm runs e (a new reference on it; NULL: none); the old one is dropped,
 * and released if it was the last. mm->lock held or mm private. */
void mm_set_exe(struct mm *mm, struct mm_exe *e);
/* The first region that ends above addr (it may start above it, too), or
 * NULL. mm->lock held; the region is valid while it is. */
struct vma *find_vma(struct mm *mm, uaddr_t addr);
/* The region after v in mm, or NULL. mm->lock held. */
struct vma *vma_next(struct mm *mm, struct vma *v);
/* Each region v of mm that overlaps [from, to), in address order (the
 * first may start below from, the last end above to). mm->lock held;
 * the body may change v's fields but not the list. */
#define for_each_vma_in(mm, v, from, to) \
  for ((v) = find_vma((mm), (from)); (v) && (v)->start < (to); (v) = vma_next((mm), (v)))
/* Is every page of [start, end) in some region (no holes)? mm->lock held. */
bool vma_range_mapped(struct mm *mm, uaddr_t start, uaddr_t end);
/* A page fault at addr (access: read, write or exec): 0 when the access
 * can be retried; -EFAULT (no region), -EACCES (the region forbids it),
 * -ENXIO (past the end of a mapped file), -ENOMEM. handle_page_fault
 * takes mm->lock; the _for_uaccess form expects it held (kern/uaccess.c).
 * A file region's fault goes through vma->ops (may read the file). */
int handle_page_fault(struct mm *mm, uaddr_t addr, int access);
int fault_locked_for_uaccess(struct mm *mm, uaddr_t addr, int access);
/* mmap, munmap, mprotect, mlock/munlock, mremap, madvise(MADV_DONTNEED),
 * msync on mm, with Linux's checks in Linux's order: vm_mmap returns the
 * address or -errno (-EINVAL, -ENOMEM, -ENODEV, -EACCES, -EPERM), the
 * others 0 or -errno (vm_mremap the new address). file (mmap) is
 * referenced by the new region through its mmap operation. A change to
 * present pages flushes every hart's TLB before their pages are freed. */
long vm_mmap(struct mm *mm, uaddr_t addr, size_t len, uint32_t prot, uint32_t mapflags,
             struct file *file, uint64_t offset);
int vm_munmap(struct mm *mm, uaddr_t addr, size_t len);
int vm_mprotect(struct mm *mm, uaddr_t addr, size_t len, uint32_t prot);
int vm_mlock(struct mm *mm, uaddr_t addr, size_t len, bool lock, bool onfault);
/* Bytes in mlocked regions within [start, end) (VmLck, RLIMIT_MEMLOCK). */
uint64_t vm_locked_bytes(struct mm *mm, uaddr_t start, uaddr_t end);
/* brk: the new end of the heap, or the old one if it cannot move (brk
 * never fails with an errno). */
uaddr_t vm_brk(struct mm *mm, uaddr_t newbrk);
/* exec: map the sigreturn trampoline page, and the vDSO with its data
 * page (at VDSO_TEXT_ADDR, AT_SYSINFO_EHDR), into a new mm: 0 or -ENOMEM. */
int vm_map_trampoline(struct mm *mm);
int vm_map_vdso(struct mm *mm);
/* The ELF loader: put the filled private page p (the caller's reference
 * moves to the page table) at va, inside a region, with its protection:
 * 0, -EFAULT if va is in no region, -ENOMEM. */
int vm_install_private_page(struct mm *mm, uaddr_t va, struct page *p);
long vm_mremap(struct mm *mm, uaddr_t old, size_t oldlen, size_t newlen, int flags, uaddr_t newaddr);
int vm_madvise_dontneed(struct mm *mm, uaddr_t addr, size_t len);
/* msync: write back shared file pages in the range (after mm->lock is
 * dropped): 0, -ENOMEM for a hole, -EBUSY to invalidate mlocked pages. */
int vm_msync(struct mm *mm, uaddr_t addr, size_t len, int flags);
/* Resident pages of mm (/proc/<pid>/stat, statm; a snapshot). */
uint64_t mm_rss_pages(struct mm *mm);
/* The most pages mm has had resident (getrusage's ru_maxrss, VmHWM).
 * Takes mm->lock. */
uint64_t mm_peak_rss_pages(struct mm *mm);

/* kern/uaccess.c — all user memory access goes through these. */
int copyin(void *dst, uaddr_t src, size_t n);          /* 0 or -EFAULT */
int copyout(uaddr_t dst, const void *src, size_t n);   /* 0 or -EFAULT */
long copyinstr(char *dst, uaddr_t src, size_t max);    /* length, -EFAULT, -ENAMETOOLONG */
/* Zero n bytes of user memory at dst: 0 or -EFAULT (some may be zeroed). */
int clear_user(uaddr_t dst, size_t n);
/* Linux's access_ok: is [addr, addr+n) below the top of user space?
 * (Nothing about what is mapped.) Checked before anything blocks. */
bool access_ok(uaddr_t addr, size_t n);
/* Copy as much as can be reached, page by page: returns bytes copied
 * (Linux's copy_from_user/copy_to_user, which return the bytes not copied). */
size_t copyin_part(void *dst, uaddr_t src, size_t n);
size_t copyout_part(uaddr_t dst, const void *src, size_t n);
/* copyin/copyout through another address space (process_vm_readv,
 * ptrace-style access; the caller holds a reference to mm): 0 or -EFAULT. */
int copyin_mm(struct mm *mm, void *dst, uaddr_t src, size_t n);
int copyout_mm(struct mm *mm, uaddr_t dst, const void *src, size_t n);
/* One aligned user word in or out: 0 or -EFAULT. */
int get_user_u32(uint32_t *v, uaddr_t addr);
int put_user_u32(uaddr_t addr, uint32_t v);
int get_user_u64(uint64_t *v, uaddr_t addr);
int put_user_u64(uaddr_t addr, uint64_t v);
/* The page mapped at va in mm, faulted in and accessible for reading (or
 * writing: copy-on-write broken), referenced (put_page); NULL if the
 * access would fault. Takes mm->lock. */
struct page *user_page_get(struct mm *mm, uaddr_t va, bool write);
/* Atomic ops on a user word (futex): returns 0 or -EFAULT. */
int user_cmpxchg_u32(uaddr_t addr, uint32_t expect, uint32_t newval, uint32_t *old);

#endif
