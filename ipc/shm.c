/*
 * shm.c — System V shared memory: shmget, shmat, shmdt, shmctl and
 * /proc/sysvipc/shm (Linux's ipc/shm.c).
 *
 * A segment's memory is an unnamed tmpfs file (shmem_file_create, as for
 * MAP_SHARED|MAP_ANONYMOUS): shmat maps that file MAP_SHARED, so every
 * process attached sees the same page-cache pages, and fork and munmap
 * need nothing special. The regions' operations (shm_vm_ops, set by the
 * file's mmap) count the mappings (open/close from kern/vm.c, under
 * mm->lock) and fault pages in as any file mapping does: that count is
 * shm_nattch, as on Linux, where a mapping split by mprotect counts
 * twice. Each mapping also holds the segment's IPC namespace, so an
 * attached segment stays after the last task has left its namespace. IPC_RMID of an attached segment marks it SHM_DEST and makes its
 * key private; the last detach (munmap, exit, exec) frees it.
 *
 * Layer: ipc, over ipc/util.c, fs/ramfs.c (shmem_file_create),
 * fs/filemap.c (the fault path) and kern/vm.c (vm_mmap, the regions);
 * called by the shm* system calls.
 *
 * Locks: the namespace's shm_ids.lock (ipc/ipc.h); mm->lock is taken
 * before it, never after.
 */
#include "ipc/ipc.h"
#include "fs/inode.h"
#include "fs/file.h"
#include "fs/ramfs.h"
#include "fs/filemap.h"
#include "kern/cred.h"
#include "kern/task.h"
#include "kern/pid_namespace.h"
#include "kern/cpu.h"
#include "kern/mm.h"
#include "kern/vm.h"
#include "kern/errno.h"
#include <string.h>

struct shm_seg {
  struct ipc_perm_k perm;       /* first: ipc_ids entries point here */
  uint64_t segsz;
  int64_t atime, dtime, ctime;
  pid_t cpid, lpid;
  unsigned long nattch;         /* mappings of `file` */
  int pins;                     /* shmat between its checks and its mapping */
  struct file *file;            /* the pages; file->priv is this segment */
  struct ipc_namespace *ns;     /* the namespace it is in (not referenced: its
                                   last reference removes the segment) */
};

static const struct file_ops shm_fops;

struct shmid64_ds_u {
  struct ipc64_perm_u shm_perm;
  uint64_t shm_segsz;
  int64_t shm_atime, shm_dtime, shm_ctime;
  int32_t shm_cpid, shm_lpid;
  uint64_t shm_nattch, unused4, unused5;
};

struct shminfo64_u {
  uint64_t shmmax, shmmin, shmmni, shmseg, shmall, unused[4];
};

struct shm_info_u {
  int32_t used_ids, pad;
  uint64_t shm_tot, shm_rss, shm_swp, swap_attempts, swap_successes;
};

static uint64_t seg_pages(const struct shm_seg *s)
{
  return (s->segsz + PAGE_SIZE - 1) / PAGE_SIZE;
}

/* Free a removed segment nobody maps any more (its shm_ids.lock held). */
static void shm_destroy(struct shm_seg *s)
{
  ipc_remove(&s->ns->shm_ids, &s->perm);
  s->ns->shm_tot -= seg_pages(s);
  s->file->priv = NULL;
  fput(s->file); /* the pages go with the file's last reference */
  kfree(s);
}

static void shm_maybe_destroy(struct shm_seg *s)
{
  if ((s->perm.mode & SHM_DEST) && s->nattch == 0 && s->pins == 0)
    shm_destroy(s);
}

/*
 * ---- the regions' operations (kern/vm.c calls them, mm->lock held) ----
 * A region is made by shmat (which pins the segment) or copied from one
 * (fork, a split), so the segment lives while they run: file->priv is
 * read without the lock, to find the namespace whose lock to take.
 */

static void shm_vm_open(struct vma *v)
{
  filemap_vm_open(v);
  struct shm_seg *s = READ_ONCE(v->file->priv);
  if (!s)
    return;
  ipc_ns_get(s->ns);
  mutex_lock(&s->ns->shm_ids.lock);
  s->nattch++;
  s->atime = ipc_now();
  s->lpid = current->proc->pid;
  mutex_unlock(&s->ns->shm_ids.lock);
}

static void shm_vm_close(struct vma *v)
{
  struct shm_seg *s = READ_ONCE(v->file->priv);
  if (s) {
    struct ipc_namespace *ns = s->ns;
    mutex_lock(&ns->shm_ids.lock);
    s->nattch--;
    s->dtime = ipc_now();
    s->lpid = current && current->proc ? current->proc->pid : 0;
    shm_maybe_destroy(s);
    mutex_unlock(&ns->shm_ids.lock);
    ipc_ns_put(ns); /* the last one removes whatever the namespace still has */
  }
  filemap_vm_close(v);
}

static const struct vm_operations shm_vm_ops = {
  .open = shm_vm_open,
  .close = shm_vm_close,
  .fault = filemap_fault,
  .fault_cached = filemap_fault_cached,
  .msync_hold = filemap_msync_hold,
  .msync = filemap_msync,
};

/*
 * Mapping the segment's file (shmat, or remap_file_pages mapping it again,
 * mm->lock held). A segment already freed is EINVAL, as Linux's
 * __shm_open finds its id gone: remap_file_pages over the last attachment
 * of a removed segment unmaps it first (kern/mmap.c), freeing it.
 */
static int shm_mmap(struct file *f, struct vma *v)
{
  /* (this task's own munmap cleared it, or a pin or mapping keeps it) */
  if (!READ_ONCE(f->priv))
    return -EINVAL;
  v->ops = &shm_vm_ops;
  return 0;
}

static const struct file_ops shm_fops = {
  .mmap = shm_mmap,
};

/* ---- shmget ---- */

static int shm_check(struct ipc_perm_k *p, uint64_t size)
{
  struct shm_seg *s = (struct shm_seg *)p;
  return size > s->segsz ? -EINVAL : 0;
}

static int shm_create(int32_t key, int flags, uint64_t size)
{
  struct ipc_namespace *ns = current_ipc();
  if (size < SHMMIN || size > ns->limits.shm_ctlmax)
    return -EINVAL;
  uint64_t pages = (size + PAGE_SIZE - 1) / PAGE_SIZE;
  if (ns->shm_tot + pages < ns->shm_tot || ns->shm_tot + pages > ns->limits.shm_ctlall)
    return -ENOSPC;
  if (size > (1ULL << 40))
    return -ENOMEM; /* more than the address space could ever hold */
  struct shm_seg *s = kzalloc(sizeof(*s));
  if (!s)
    return -ENOMEM;
  struct file *f = shmem_file_create(pages * PAGE_SIZE);
  if (IS_ERR(f)) {
    kfree(s);
    return (int)PTR_ERR(f);
  }
  f->fop = &shm_fops;
  f->priv = s;
  const struct cred *c = current_cred();
  f->inode->uid = c->euid;
  f->inode->gid = c->egid;
  s->file = f;
  s->perm.key = key;
  s->perm.mode = flags & 0777;
  s->segsz = size;
  s->ctime = ipc_now();
  s->cpid = current->proc->pid;
  s->ns = ns;
  int r = ipc_add(&ns->shm_ids, &s->perm, ns->limits.shm_ctlmni);
  if (r) {
    f->priv = NULL;
    fput(f);
    kfree(s);
    return r;
  }
  ns->shm_tot += pages;
  return s->perm.id;
}

long sys_shmget(int32_t key, size_t size, int flags)
{
  static const struct ipc_get_ops ops = { shm_check, shm_create };
  struct ipc_ids *ids = &current_ipc()->shm_ids;
  mutex_lock(&ids->lock);
  long r = ipc_get(ids, key, flags, size, &ops);
  mutex_unlock(&ids->lock);
  return r;
}

/* ---- shmat / shmdt ---- */

long sys_shmat(int shmid, uaddr_t addr, int flags)
{
  if (shmid < 0)
    return -EINVAL;
  if (addr) {
    if (addr & (SHMLBA - 1)) {
      if (!(flags & SHM_RND))
        return -EINVAL;
      addr &= ~(uaddr_t)(SHMLBA - 1);
      if (!addr && (flags & SHM_REMAP))
        return -EINVAL;
    }
  } else if (flags & SHM_REMAP) {
    return -EINVAL;
  }
  uint32_t prot = PROT_READ;
  int acc = 0444;
  if (!(flags & SHM_RDONLY)) {
    prot |= PROT_WRITE;
    acc |= 0222;
  }
  if (flags & SHM_EXEC) {
    prot |= PROT_EXEC;
    acc |= 0111;
  }
  struct ipc_ids *ids = &current_ipc()->shm_ids;
  mutex_lock(&ids->lock);
  struct shm_seg *s = (struct shm_seg *)ipc_find_id(ids, shmid);
  long r = 0;
  if (!s)
    r = -EINVAL;
  else if (ipcperms(&s->perm, acc))
    r = -EACCES;
  if (r) {
    mutex_unlock(&ids->lock);
    return r;
  }
  s->pins++;
  struct file *f = s->file;
  fget(f);
  uint64_t len = seg_pages(s) * PAGE_SIZE;
  mutex_unlock(&ids->lock);

  uint32_t mapflags = MAP_SHARED;
  if (addr)
    mapflags |= (flags & SHM_REMAP) ? MAP_FIXED : MAP_FIXED_NOREPLACE;
  r = vm_mmap(current->mm, addr, len, prot, mapflags, f, 0);
  if (r == -EEXIST)
    r = -EINVAL; /* the range is taken and SHM_REMAP was not given */

  mutex_lock(&ids->lock);
  s->pins--;
  shm_maybe_destroy(s);
  mutex_unlock(&ids->lock);
  fput(f);
  return r;
}

/*
 * shmdt: unmap the attach that starts at addr — the first shared-memory
 * mapping at or above addr whose offset says it begins there, and the
 * pieces of the same segment after it (mprotect may have split it).
 */
long sys_shmdt(uaddr_t addr)
{
  if (addr & (PAGE_SIZE - 1))
    return -EINVAL;
  struct mm *mm = current->mm;
  struct { uaddr_t start, end; } ranges[16];
  int n = 0;
  mutex_lock(&mm->lock);
  struct vma *v = find_vma(mm, addr);
  struct file *seg = NULL;
  uint64_t size = 0;
  for (; v && &v->link != &mm->vmas; v = list_next_entry(v, link)) {
    if (v->file && v->file->fop == &shm_fops && (v->start - addr) / PAGE_SIZE == v->pgoff) {
      seg = v->file;
      size = v->file->inode->size;
      break;
    }
  }
  for (; seg && &v->link != &mm->vmas && v->end - addr <= size && n < 16; v = list_next_entry(v, link))
    if (v->file == seg && (v->start - addr) / PAGE_SIZE == v->pgoff)
      ranges[n].start = v->start, ranges[n++].end = v->end;
  mutex_unlock(&mm->lock);
  if (!seg)
    return -EINVAL;
  for (int i = 0; i < n; i++)
    vm_munmap(mm, ranges[i].start, ranges[i].end - ranges[i].start);
  return 0;
}

/* ---- shmctl ---- */

static void fill_ds(const struct shm_seg *s, struct shmid64_ds_u *ds)
{
  memset(ds, 0, sizeof(*ds));
  ipc_fill_perm(&s->perm, &ds->shm_perm);
  ds->shm_segsz = s->segsz;
  ds->shm_atime = s->atime;
  ds->shm_dtime = s->dtime;
  ds->shm_ctime = s->ctime;
  ds->shm_cpid = pid_vnr_stored(s->cpid); /* in the caller's pid namespace */
  ds->shm_lpid = pid_vnr_stored(s->lpid);
  ds->shm_nattch = s->nattch;
}

static long shm_info(int cmd, uaddr_t buf)
{
  struct ipc_namespace *ns = current_ipc();
  struct ipc_ids *ids = &ns->shm_ids;
  long max;
  mutex_lock(&ids->lock);
  max = ids->max_idx < 0 ? 0 : ids->max_idx;
  if (cmd == IPC_INFO) {
    struct shminfo64_u info = { .shmmax = ns->limits.shm_ctlmax, .shmmin = SHMMIN,
                                .shmmni = ns->limits.shm_ctlmni, .shmseg = SHMMNI_DEFAULT,
                                .shmall = ns->limits.shm_ctlall };
    mutex_unlock(&ids->lock);
    return copyout(buf, &info, sizeof(info)) ? -EFAULT : max;
  }
  struct shm_info_u info = { .used_ids = ids->in_use, .shm_tot = ns->shm_tot };
  for (int i = 0; i <= ids->max_idx; i++) {
    struct shm_seg *s = (struct shm_seg *)ipc_find_index(ids, i);
    if (s)
      info.shm_rss += s->file->inode->pages.nrpages;
  }
  mutex_unlock(&ids->lock);
  return copyout(buf, &info, sizeof(info)) ? -EFAULT : max;
}

static long shm_stat(int shmid, int cmd, uaddr_t buf)
{
  struct shmid64_ds_u ds;
  struct ipc_ids *ids = &current_ipc()->shm_ids;
  mutex_lock(&ids->lock);
  struct shm_seg *s = (struct shm_seg *)(cmd == IPC_STAT ? ipc_find_id(ids, shmid)
                                                         : ipc_find_index(ids, shmid));
  long r = 0;
  if (!s)
    r = -EINVAL;
  else if (cmd != SHM_STAT_ANY && ipcperms(&s->perm, 0444))
    r = -EACCES;
  else {
    fill_ds(s, &ds);
    r = cmd == IPC_STAT ? 0 : s->perm.id;
  }
  mutex_unlock(&ids->lock);
  if (r < 0)
    return r;
  return copyout(buf, &ds, sizeof(ds)) ? -EFAULT : r;
}

static long shm_set_rmid_lock(int shmid, int cmd, uaddr_t buf)
{
  struct shmid64_ds_u ds;
  if (cmd == IPC_SET && copyin(&ds, buf, sizeof(ds)))
    return -EFAULT;
  struct ipc_ids *ids = &current_ipc()->shm_ids;
  mutex_lock(&ids->lock);
  struct shm_seg *s = (struct shm_seg *)ipc_find_id(ids, shmid);
  long r = 0;
  if (!s) {
    r = -EINVAL;
  } else if (cmd == SHM_LOCK || cmd == SHM_UNLOCK) {
    const struct cred *c = current_cred();
    if (!capable(CAP_IPC_LOCK)) {
      if (c->euid != s->perm.uid && c->euid != s->perm.cuid)
        r = -EPERM;
      else if (cmd == SHM_LOCK && rlimit_cur(RLIMIT_MEMLOCK) == 0)
        r = -EPERM;
    }
    if (!r) {
      if (cmd == SHM_LOCK)
        s->perm.mode |= SHM_LOCKED;
      else
        s->perm.mode &= ~SHM_LOCKED;
    }
  } else if ((r = ipc_owner_check(&s->perm))) {
  } else if (cmd == IPC_SET) {
    ipc_set_perm(&s->perm, &ds.shm_perm);
    s->ctime = ipc_now();
  } else { /* IPC_RMID */
    s->perm.mode |= SHM_DEST;
    s->perm.key = IPC_PRIVATE; /* no longer found by key */
    shm_maybe_destroy(s);
  }
  mutex_unlock(&ids->lock);
  return r;
}

long sys_shmctl(int shmid, int cmd, uaddr_t buf)
{
  cmd = ipc_strip_version(cmd);
  if (cmd < 0 || shmid < 0)
    return -EINVAL;
  switch (cmd) {
  case IPC_INFO:
  case SHM_INFO:
    return shm_info(cmd, buf);
  case IPC_STAT:
  case SHM_STAT:
  case SHM_STAT_ANY:
    return shm_stat(shmid, cmd, buf);
  case IPC_SET:
  case IPC_RMID:
  case SHM_LOCK:
  case SHM_UNLOCK:
    return shm_set_rmid_lock(shmid, cmd, buf);
  default:
    return -EINVAL;
  }
}

/* ---- /proc/sysvipc/shm ---- */

void shm_proc_show(ipc_print_fn pr, void *ctx)
{
  pr(ctx, "       key      shmid perms                  size  cpid  lpid nattch   uid   gid  cuid  "
          "cgid      atime      dtime      ctime                   rss                  swap\n");
  struct ipc_ids *ids = &current_ipc()->shm_ids;
  mutex_lock(&ids->lock);
  for (int i = 0; i <= ids->max_idx; i++) {
    struct shm_seg *s = (struct shm_seg *)ipc_find_index(ids, i);
    if (!s)
      continue;
    pr(ctx, "%10d %10d  %4o %21lu %5u %5u  %5lu %5u %5u %5u %5u %10ld %10ld %10ld %21lu %21lu\n",
       s->perm.key, s->perm.id, s->perm.mode, (unsigned long)s->segsz, pid_vnr_stored(s->cpid),
       pid_vnr_stored(s->lpid), s->nattch, s->perm.uid, s->perm.gid, s->perm.cuid, s->perm.cgid, (long)s->atime,
       (long)s->dtime, (long)s->ctime, (unsigned long)(s->file->inode->pages.nrpages * PAGE_SIZE),
       0UL);
  }
  mutex_unlock(&ids->lock);
}

/*
 * The namespace's last reference is gone: no mapping is left (each holds
 * one), so every segment is freed, as Linux's shm_exit_ns.
 */
void shm_exit_ns(struct ipc_namespace *ns)
{
  mutex_lock(&ns->shm_ids.lock);
  for (int i = ns->shm_ids.max_idx; i >= 0; i--) {
    struct shm_seg *s = (struct shm_seg *)ipc_find_index(&ns->shm_ids, i);
    if (s)
      shm_destroy(s);
  }
  mutex_unlock(&ns->shm_ids.lock);
}
