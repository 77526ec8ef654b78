/*
 * uaccess.c — reaching user memory from the kernel.
 *
 * Kite never lets the kernel touch a user address directly (no SUM bit):
 * each page is looked up in the process's page table — faulting it in,
 * or breaking copy-on-write, exactly as a user access would — and copied
 * through the kernel's direct map of physical memory. A bad address gives
 * -EFAULT, never a kernel fault. On this QEMU it is also much faster than
 * toggling SUM, which flushes the whole translation cache
 * (docs/reference-linux.md).
 *
 * Layer: core. Below: kern/vm.c (walking and faulting the page table),
 * arch/riscv (the direct map). Above: every system call that copies.
 * Locks: mm->lock (a mutex) only while a page is found or faulted in; the
 * copy itself holds a page reference, no lock. Never call with a spinlock
 * held (it may sleep).
 */
#include "kern/vm.h"
#include "kern/mm.h"
#include "kern/task.h"
#include "kern/errno.h"
#include "kern/uio.h"
#include "kern/syscall.h"   /* copy_path */
#include <string.h>

/*
 * The page mapped at va in mm, present and accessible for reading (or
 * writing), with a reference held. NULL if the access would fault.
 */
struct page *user_page_get(struct mm *mm, uaddr_t va, bool write)
{
  if (!mm || va >= USER_TOP)
    return NULL;
  mutex_lock(&mm->lock);
  for (int attempt = 0; attempt < 2; attempt++) {
    pte_t *pte = pt_walk(mm->root, va, false);
    if (pte && (*pte & PTE_V) && (*pte & PTE_U) && (*pte & PTE_R) && (!write || (*pte & PTE_W))) {
      paddr_t pa = PTE_TO_PA(*pte);
      if (!pa_is_ram(pa))
        break;
      struct page *p = pa_to_page(pa);
      get_page(p);
      mutex_unlock(&mm->lock);
      return p;
    }
    if (attempt == 0 && fault_locked_for_uaccess(mm, va, write ? FAULT_WRITE : FAULT_READ) != 0)
      break;
  }
  mutex_unlock(&mm->lock);
  return NULL;
}

bool access_ok(uaddr_t addr, size_t n)
{
  return n <= USER_TOP && addr <= USER_TOP - n;
}

/*
 * Copy between a kernel buffer and n bytes of user memory in mm, page by
 * page, stopping at the first page that cannot be reached. Returns the
 * number of bytes copied.
 */
static size_t copy_user_mm(struct mm *mm, char *k, uaddr_t u, size_t n, bool to_user)
{
  size_t done = 0;
  while (done < n) {
    size_t off = u & (PAGE_SIZE - 1);
    size_t chunk = MIN(n - done, PAGE_SIZE - off);
    struct page *p = user_page_get(mm, u, to_user);
    if (!p)
      break;
    char *kva = (char *)page_to_kva(p) + off;
    if (to_user)
      memcpy(kva, k + done, chunk);
    else
      memcpy(k + done, kva, chunk);
    put_page(p);
    done += chunk;
    u += chunk;
  }
  return done;
}

int copyin_mm(struct mm *mm, void *dst, uaddr_t src, size_t n)
{
  return copy_user_mm(mm, dst, src, n, false) == n ? 0 : -EFAULT;
}

int copyout_mm(struct mm *mm, uaddr_t dst, const void *src, size_t n)
{
  return copy_user_mm(mm, (char *)src, dst, n, true) == n ? 0 : -EFAULT;
}

size_t copyin_part(void *dst, uaddr_t src, size_t n)
{
  return copy_user_mm(current->mm, dst, src, n, false);
}

size_t copyout_part(uaddr_t dst, const void *src, size_t n)
{
  return copy_user_mm(current->mm, (char *)src, dst, n, true);
}

int copyin(void *dst, uaddr_t src, size_t n)
{
  return copyin_mm(current->mm, dst, src, n);
}

int copyout(uaddr_t dst, const void *src, size_t n)
{
  return copyout_mm(current->mm, dst, src, n);
}

int clear_user(uaddr_t dst, size_t n)
{
  while (n > 0) {
    size_t off = dst & (PAGE_SIZE - 1);
    size_t chunk = MIN(n, PAGE_SIZE - off);
    struct page *p = user_page_get(current->mm, dst, true);
    if (!p)
      return -EFAULT;
    memset((char *)page_to_kva(p) + off, 0, chunk);
    put_page(p);
    dst += chunk;
    n -= chunk;
  }
  return 0;
}

/*
 * Copy a NUL-terminated string of at most max bytes (including the NUL).
 * Returns its length, -EFAULT, or -ENAMETOOLONG if no NUL within max.
 */
long copyinstr(char *dst, uaddr_t src, size_t max)
{
  size_t len = 0;
  while (len < max) {
    size_t off = src & (PAGE_SIZE - 1);
    size_t chunk = MIN(max - len, PAGE_SIZE - off);
    struct page *p = user_page_get(current->mm, src, false);
    if (!p)
      return -EFAULT;
    const char *s = (const char *)page_to_kva(p) + off;
    const char *nul = memchr(s, 0, chunk);
    size_t take = nul ? (size_t)(nul - s) + 1 : chunk;
    memcpy(dst + len, s, take);
    put_page(p);
    if (nul)
      return (long)(len + take - 1);
    len += take;
    src += take;
  }
  return -ENAMETOOLONG;
}

int get_user_u32(uint32_t *v, uaddr_t addr) { return copyin(v, addr, 4); }
int put_user_u32(uaddr_t addr, uint32_t v) { return copyout(addr, &v, 4); }
int get_user_u64(uint64_t *v, uaddr_t addr) { return copyin(v, addr, 8); }
int put_user_u64(uaddr_t addr, uint64_t v) { return copyout(addr, &v, 8); }

/* Compare-and-exchange a 32-bit user word (for futexes). */
int user_cmpxchg_u32(uaddr_t addr, uint32_t expect, uint32_t newval, uint32_t *old)
{
  if (addr & 3)
    return -EINVAL;
  struct page *p = user_page_get(current->mm, addr, true);
  if (!p)
    return -EFAULT;
  uint32_t *w = (uint32_t *)((char *)page_to_kva(p) + (addr & (PAGE_SIZE - 1)));
  uint32_t e = expect;
  __atomic_compare_exchange_n(w, &e, newval, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
  *old = e;
  put_page(p);
  return 0;
}

/* ---- uio ---- */

void uio_init_user(struct uio *u, uaddr_t buf, size_t len)
{
  len = MIN(len, MAX_RW_COUNT);
  u->bad = !access_ok(buf, len);
  u->one.base = buf;
  u->one.len = len;
  u->iov = &u->one;
  u->iovcnt = 1;
  u->resid = len;
  u->kernel = false;
}

long uio_import_user_iovec(uaddr_t uiov, size_t n, struct uio *u, struct kiovec **iov_out)
{
  struct kiovec *iov = kmalloc(sizeof(*iov) * (n ? n : 1));
  if (!iov)
    return -ENOMEM;
  if (n && copyin(iov, uiov, sizeof(*iov) * n)) {
    kfree(iov);
    return -EFAULT;
  }
  size_t total = 0;
  for (size_t i = 0; i < n; i++) {
    if ((int64_t)iov[i].len < 0) {
      kfree(iov);
      return -EINVAL;
    }
    if (!access_ok(iov[i].base, iov[i].len)) { /* Linux's __import_iovec */
      kfree(iov);
      return -EFAULT;
    }
    if (total + iov[i].len > MAX_RW_COUNT)
      iov[i].len = MAX_RW_COUNT - total;
    total += iov[i].len;
  }
  u->iov = iov;
  u->iovcnt = (int)n;
  u->resid = total;
  u->kernel = false;
  u->bad = false;
  *iov_out = iov;
  return 0;
}

void uio_init_kernel(struct uio *u, void *buf, size_t len)
{
  u->one.base = (uint64_t)buf;
  u->one.len = len;
  u->iov = &u->one;
  u->iovcnt = 1;
  u->resid = len;
  u->kernel = true;
  u->bad = false;
}

static void uio_skip_empty(struct uio *u)
{
  while (u->iovcnt > 0 && u->iov->len == 0) {
    u->iov++;
    u->iovcnt--;
  }
}

void uio_advance(struct uio *u, size_t n)
{
  while (n > 0 && u->iovcnt > 0) {
    uio_skip_empty(u);
    if (u->iovcnt == 0)
      break;
    size_t k = MIN(n, u->iov->len);
    u->iov->base += k;
    u->iov->len -= k;
    u->resid -= k;
    n -= k;
  }
}

/* Move n bytes between kbuf and the uio. to_uio: kernel -> uio. */
static long uio_move(struct uio *u, void *kbuf, size_t n, bool to_uio)
{
  size_t done = 0;
  char *k = kbuf;
  n = MIN(n, u->resid);
  while (done < n) {
    uio_skip_empty(u);
    if (u->iovcnt == 0)
      break;
    size_t chunk = MIN(n - done, u->iov->len), got = chunk;
    if (u->kernel) {
      if (to_uio)
        memcpy((void *)u->iov->base, k + done, chunk);
      else
        memcpy(k + done, (void *)u->iov->base, chunk);
    } else if (to_uio) {
      got = copyout_part(u->iov->base, k + done, chunk);
    } else {
      got = copyin_part(k + done, u->iov->base, chunk);
    }
    u->iov->base += got;
    u->iov->len -= got;
    u->resid -= got;
    done += got;
    if (got < chunk)
      return done ? (long)done : -EFAULT;
  }
  return (long)done;
}

long uio_copy_to(struct uio *u, const void *kbuf, size_t n)
{
  return uio_move(u, (void *)kbuf, n, true);
}

long uio_copy_from(struct uio *u, void *kbuf, size_t n)
{
  return uio_move(u, kbuf, n, false);
}

long uio_zero(struct uio *u, size_t n)
{
  static const char zeros[256];
  size_t done = 0;
  while (done < n) {
    long r = uio_copy_to(u, zeros, MIN(n - done, sizeof(zeros)));
    if (r <= 0)
      return done ? (long)done : r;
    done += r;
    if ((size_t)r < MIN(n - done + r, sizeof(zeros)))
      break;
  }
  return (long)done;
}

long copy_path(char *dst, uaddr_t src)
{
  return copyinstr(dst, src, PATH_MAX);
}
