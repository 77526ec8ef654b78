/*
 * exec.c — execve(): replace the calling process's program.
 *
 * Steps (everything before "the point of no return" can still fail and
 * leave the caller untouched):
 *   1. copy argv and envp into the kernel
 *   2. open the file; a "#!" script restarts with its interpreter
 *   3. build a new address space: the ELF's PT_LOAD segments (mapped from
 *      the page cache, copy-on-write), bss, the interpreter if PT_INTERP,
 *      the stack with argc/argv/envp/auxv, the sigreturn trampoline
 *   --- point of no return ---
 *   4. switch to it; other threads die; close-on-exec descriptors close;
 *      caught signals reset to default; a vfork parent is released
 *   5. the trap frame is reset to start at the entry point
 *
 * Layer: fs (the file layer, as Linux's fs/exec.c). Called by the execve
 * and execveat system calls (kern/syscall.tbl); calls the open and read
 * paths (fs/file.c, fs/namei.c), kern/vm.c for the new address space,
 * fs/fdtable.h for close-on-exec, and the process and signal code below.
 *
 * Locks: none held on entry. The old address space is torn down after the
 * other threads are gone; proc_lock and mm->lock are taken inside the
 * calls that need them.
 */
#include "kern/exec.h"
#include "kern/elf.h"
#include "kern/task.h"
#include "kern/cred.h"
#include "kern/posix_timers.h"
#include "kern/vm.h"
#include "kern/mm.h"
#include "kern/uio.h"
#include "kern/param.h"
#include "kern/printk.h"
#include "kern/ptrace.h"
#include "fs/fs_abi.h"
#include "fs/inode.h"
#include "fs/dentry.h"
#include "fs/mount.h"
#include "fs/file.h"
#include "fs/namei.h"
#include "fs/fdtable.h"
#include "fs/perm.h"
#include "fs/devfs.h"
#include "arch/riscv/vdso/vdso.h"
#include <string.h>

/* auxv types */
#define AT_NULL 0
#define AT_PHDR 3
#define AT_PHENT 4
#define AT_PHNUM 5
#define AT_PAGESZ 6
#define AT_BASE 7
#define AT_FLAGS 8
#define AT_ENTRY 9
#define AT_UID 11
#define AT_EUID 12
#define AT_GID 13
#define AT_EGID 14
#define AT_PLATFORM 15
#define AT_HWCAP 16
#define AT_CLKTCK 17
#define AT_SECURE 23
#define AT_RANDOM 25
#define AT_EXECFN 31
#define AT_SYSINFO_EHDR 33
#define AT_MINSIGSTKSZ 51

/* rv64imafdc: one bit per extension letter */
#define HWCAP_RV64GC ((1 << ('I' - 'A')) | (1 << ('M' - 'A')) | (1 << ('A' - 'A')) | \
                      (1 << ('F' - 'A')) | (1 << ('D' - 'A')) | (1 << ('C' - 'A')))

#define STACK_INITIAL (128 * 1024)

/* argv and envp strings, packed one after another, NUL separated. */
struct exec_args {
  char *buf;
  size_t len, cap;
  int argc, envc;
};

static int args_append(struct exec_args *a, const char *s, size_t n)
{
  if (a->len + n + 1 > ARG_MAX || a->argc + a->envc >= MAX_ARG_STRINGS)
    return -E2BIG;
  while (a->len + n + 1 > a->cap) {
    size_t cap = a->cap ? a->cap * 2 : 4096;
    char *nb = kmalloc(cap);
    if (!nb)
      return -ENOMEM;
    if (a->buf) {
      memcpy(nb, a->buf, a->len);
      kfree(a->buf);
    }
    a->buf = nb;
    a->cap = cap;
  }
  memcpy(a->buf + a->len, s, n);
  a->buf[a->len + n] = 0;
  a->len += n + 1;
  return 0;
}

static void args_free(struct exec_args *a)
{
  kfree(a->buf);
  a->buf = NULL;
}

/* Append the strings of a user vector (NULL-terminated array of pointers). */
static int copy_user_strings(struct exec_args *a, uaddr_t vec, int *count)
{
  if (!vec)
    return 0;
  char *tmp = kmalloc(PAGE_SIZE * 2);
  if (!tmp)
    return -ENOMEM;
  int r = 0;
  for (;;) {
    uint64_t p;
    if ((r = get_user_u64(&p, vec)))
      break;
    if (!p)
      break;
    long n = copyinstr(tmp, p, PAGE_SIZE * 2);
    if (n == -ENAMETOOLONG) {
      r = -E2BIG;
      break;
    }
    if (n < 0) {
      r = (int)n;
      break;
    }
    if ((r = args_append(a, tmp, n)))
      break;
    (*count)++;
    vec += 8;
  }
  kfree(tmp);
  return r;
}

/* Skip n strings in a packed buffer. */
static const char *skip_strings(const char *s, int n)
{
  while (n--)
    s += strlen(s) + 1;
  return s;
}

struct elf_image {
  Elf64_Ehdr eh;
  Elf64_Phdr ph[ELF_MAX_PHNUM];
};

static int read_elf(struct file *f, struct elf_image *img)
{
  ssize_t n = kernel_read(f, &img->eh, sizeof(img->eh), 0);
  if (n < 0)
    return (int)n;
  int r = elf_check_header(&img->eh, f->inode->size);
  if (r)
    return r;
  size_t phsize = (size_t)img->eh.e_phnum * sizeof(Elf64_Phdr);
  n = kernel_read(f, img->ph, phsize, img->eh.e_phoff);
  if (n != (ssize_t)phsize)
    return -EIO;
  return elf_check_phdrs(&img->eh, img->ph, f->inode->size, USER_TOP);
}

static uint32_t prot_of(uint32_t pflags)
{
  return (pflags & PF_R ? PROT_READ : 0) | (pflags & PF_W ? PROT_WRITE : 0) |
         (pflags & PF_X ? PROT_EXEC : 0);
}

/*
 * Map the PT_LOAD segments of img (file f) at `bias`. Sets *brk to the
 * end of the highest segment.
 */
static int map_segments(struct mm *mm, struct file *f, struct elf_image *img, uint64_t bias,
                        uint64_t *brk)
{
  uint64_t high = 0;
  for (int i = 0; i < img->eh.e_phnum; i++) {
    Elf64_Phdr *p = &img->ph[i];
    if (p->p_type != PT_LOAD || p->p_memsz == 0)
      continue;
    uint32_t prot = prot_of(p->p_flags);
    uint64_t va = p->p_vaddr + bias;
    uint64_t start = PGROUNDDOWN(va);
    uint64_t file_end = va + p->p_filesz;
    uint64_t mem_end = va + p->p_memsz;
    long r;
    if (p->p_filesz > 0) {
      r = vm_mmap(mm, start, PGROUNDUP(file_end) - start, prot, MAP_PRIVATE | MAP_FIXED, f,
                  PGROUNDDOWN(p->p_offset));
      if (r < 0)
        return (int)r;
      /* The page holding the end of the file data: bytes past it belong to
       * bss and must read as zeros, so it gets a private copy. */
      if ((file_end & (PAGE_SIZE - 1)) && mem_end > file_end) {
        struct page *pg = alloc_page();
        if (!pg)
          return -ENOMEM;
        page_set_use(pg, PU_ANON);
        uint64_t pstart = PGROUNDDOWN(file_end);
        uint64_t from = MAX(pstart, va);
        ssize_t n = kernel_read(f, (char *)page_to_kva(pg) + (from - pstart), file_end - from,
                                p->p_offset + (from - va));
        if (n != (ssize_t)(file_end - from)) {
          put_page(pg);
          return n < 0 ? (int)n : -EIO;
        }
        if (from > pstart) {
          /* part of this page before the segment: also file data */
          n = kernel_read(f, page_to_kva(pg), from - pstart, p->p_offset - (va - pstart));
          (void)n;
        }
        if ((r = vm_install_private_page(mm, pstart, pg))) {
          put_page(pg);
          return (int)r;
        }
      }
    }
    uint64_t anon_start = p->p_filesz ? PGROUNDUP(file_end) : start;
    if (PGROUNDUP(mem_end) > anon_start) {
      r = vm_mmap(mm, anon_start, PGROUNDUP(mem_end) - anon_start, prot,
                  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL, 0);
      if (r < 0)
        return (int)r;
    }
    if (mem_end > high)
      high = mem_end;
  }
  *brk = PGROUNDUP(high);
  return 0;
}

/* Where the program header table is in memory (for AT_PHDR). */
static uint64_t phdr_address(struct elf_image *img, uint64_t bias)
{
  for (int i = 0; i < img->eh.e_phnum; i++)
    if (img->ph[i].p_type == PT_PHDR)
      return img->ph[i].p_vaddr + bias;
  for (int i = 0; i < img->eh.e_phnum; i++) {
    Elf64_Phdr *p = &img->ph[i];
    if (p->p_type == PT_LOAD && p->p_offset <= img->eh.e_phoff &&
        img->eh.e_phoff < p->p_offset + p->p_filesz)
      return p->p_vaddr + bias + (img->eh.e_phoff - p->p_offset);
  }
  return 0;
}

/* Load the dynamic linker (an ET_DYN) wherever there is room. */
static int load_interp(struct mm *mm, const char *path, uint64_t *entry, uint64_t *base)
{
  struct file *f;
  int r = kernel_open(path, O_RDONLY | O_EXEC_OPEN, 0, &f);
  if (r)
    return r == -ENOENT ? -ENOENT : r;
  struct elf_image *img = kmalloc(sizeof(*img));
  if (!img) {
    fput(f);
    return -ENOMEM;
  }
  r = read_elf(f, img);
  if (r)
    goto out;
  uint64_t lo, hi, brk;
  elf_load_span(&img->eh, img->ph, &lo, &hi);
  uint64_t bias = 0;
  if (img->eh.e_type == ET_DYN) {
    long addr = vm_mmap(mm, 0, hi - lo, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, NULL, 0);
    if (addr < 0) {
      r = (int)addr;
      goto out;
    }
    bias = addr - lo;
  }
  r = map_segments(mm, f, img, bias, &brk);
  *entry = img->eh.e_entry + bias;
  *base = bias + lo;
out:
  kfree(img);
  fput(f);
  return r;
}

/*
 * Build the initial stack: strings and random bytes at the top, then
 * (growing down) auxv, envp[], argv[], argc. Returns the initial sp.
 */
static long build_stack(struct mm *mm, struct exec_args *a, const char *execfn,
                        const uint64_t *aux, int naux)
{
  uaddr_t top = USER_STACK_TOP;
  uaddr_t sp = top;
  /* strings */
  sp -= a->len;
  uaddr_t strings = sp;
  if (copyout_mm(mm, strings, a->buf, a->len))
    return -EFAULT;
  size_t fnlen = strlen(execfn) + 1;
  sp -= fnlen;
  uaddr_t execfn_addr = sp;
  if (copyout_mm(mm, execfn_addr, execfn, fnlen))
    return -EFAULT;
  sp -= 8;
  uaddr_t platform = sp;
  if (copyout_mm(mm, platform, "riscv64", 8))
    return -EFAULT;
  sp -= 16;
  uaddr_t random = sp;
  uint8_t rnd[16];
  random_bytes(rnd, sizeof(rnd));
  if (copyout_mm(mm, random, rnd, 16))
    return -EFAULT;
  sp &= ~15UL;

  /* vectors: argc, argv[argc+1], envp[envc+1], auxv pairs */
  size_t nwords = 1 + (a->argc + 1) + (a->envc + 1) + (naux + 6) * 2;
  sp -= nwords * 8;
  sp &= ~15UL;
  uint64_t *vec = kmalloc(nwords * 8);
  if (!vec)
    return -ENOMEM;
  size_t k = 0;
  vec[k++] = a->argc;
  uaddr_t s = strings;
  for (int i = 0; i < a->argc + a->envc; i++) {
    if (i == a->argc)
      vec[k++] = 0;
    vec[k++] = s;
    s += strlen(a->buf + (s - strings)) + 1;
  }
  if (a->argc + a->envc == a->argc)
    vec[k++] = 0; /* argv terminator when there is no envp */
  vec[k++] = 0;   /* envp terminator */
  for (int i = 0; i < naux; i++) {
    vec[k++] = aux[2 * i];
    vec[k++] = aux[2 * i + 1];
  }
  vec[k++] = AT_RANDOM;
  vec[k++] = random;
  vec[k++] = AT_PLATFORM;
  vec[k++] = platform;
  vec[k++] = AT_EXECFN;
  vec[k++] = execfn_addr;
  vec[k++] = AT_NULL;
  vec[k++] = 0;
  int r = copyout_mm(mm, sp, vec, k * 8);
  kfree(vec);
  if (r)
    return r;
  mm->arg_start = strings;
  mm->env_start = (uaddr_t)(strings + (skip_strings(a->buf, a->argc) - a->buf));
  mm->arg_end = mm->env_start;
  mm->env_end = strings + a->len;
  return (long)sp;
}

/* Parse "#!interp [arg]" from the first line of a script. */
static int parse_shebang(const char *buf, size_t n, char *interp, size_t isz, char *arg, size_t asz)
{
  size_t i = 2, end = 2;
  while (end < n && buf[end] != '\n')
    end++;
  if (end == n && n >= 256)
    return -ENOEXEC; /* line too long */
  while (i < end && (buf[i] == ' ' || buf[i] == '\t'))
    i++;
  size_t s = i;
  while (i < end && buf[i] != ' ' && buf[i] != '\t')
    i++;
  if (i == s || i - s >= isz)
    return -ENOEXEC;
  memcpy(interp, buf + s, i - s);
  interp[i - s] = 0;
  while (i < end && (buf[i] == ' ' || buf[i] == '\t'))
    i++;
  size_t ae = end;
  while (ae > i && (buf[ae - 1] == ' ' || buf[ae - 1] == '\t' || buf[ae - 1] == '\r'))
    ae--;
  if (ae - i >= asz)
    return -ENOEXEC;
  memcpy(arg, buf + i, ae - i);
  arg[ae - i] = 0;
  return 0;
}

/* Replace the script path in args: [interp, arg?, script, argv[1..], envp]. */
static int args_for_script(struct exec_args *a, const char *interp, const char *arg,
                           const char *script)
{
  struct exec_args n = { 0 };
  int r = args_append(&n, interp, strlen(interp));
  n.argc = 1;
  if (!r && arg[0]) {
    r = args_append(&n, arg, strlen(arg));
    n.argc++;
  }
  if (!r) {
    r = args_append(&n, script, strlen(script));
    n.argc++;
  }
  const char *rest = a->argc > 0 ? skip_strings(a->buf, 1) : a->buf;
  size_t restlen = a->len - (rest - a->buf);
  if (!r) {
    if (n.len + restlen > ARG_MAX) {
      r = -E2BIG;
    } else {
      for (const char *s = rest; s < a->buf + a->len; s += strlen(s) + 1)
        if ((r = args_append(&n, s, strlen(s))))
          break;
    }
  }
  if (r) {
    args_free(&n);
    return r;
  }
  n.argc += a->argc > 0 ? a->argc - 1 : 0;
  n.envc = a->envc;
  args_free(a);
  *a = n;
  return 0;
}

/* The part after the point of no return: make `mm` the current program. */
static void exec_commit(struct mm *mm, const char *path, uint64_t entry, uint64_t sp)
{
  struct task *t = current;
  exec_kill_other_threads();
  /* Other harts read t->mm and t->files under proc_lock (procfs): swap
   * them under it, drop the old ones after. */
  spin_lock(&proc_lock);
  struct mm *old = t->mm;
  t->mm = mm;
  spin_unlock(&proc_lock);
  vm_switch(mm);
  if (old) {
    process_note_maxrss(t->proc, old); /* the peak outlives the program (getrusage) */
    mm_put(old);
  }

  if (__atomic_load_n(&t->files->refcount, __ATOMIC_ACQUIRE) > 1) {
    struct files *copy = files_copy(t->files);
    if (copy) {
      spin_lock(&proc_lock);
      struct files *shared = t->files;
      t->files = copy;
      spin_unlock(&proc_lock);
      files_put(shared);
    }
  }
  files_close_on_exec(t->files);
  signal_exec_reset(t);
  posix_timers_exec(t->proc);  /* POSIX timers do not survive exec; itimers do */
  const char *base = strrchr(path, '/');
  set_task_comm(t, base ? base + 1 : path);
  t->clear_child_tid = 0;
  t->robust_list = 0;

  struct trapframe *tf = t->tf;
  uint64_t ktp = tf->kernel_tp;
  memset(tf, 0, sizeof(*tf));
  tf->kernel_tp = ktp;
  tf->epc = entry;
  tf->sp = sp;
  memset(&t->fp, 0, sizeof(t->fp));
  fpu_restore(&t->fp);
  t->fp_live = true;
  vfork_release(t->proc);
  t->proc->did_exec = true;
}

long do_execve(const char *path, uaddr_t uargv, uaddr_t uenvp)
{
  struct exec_args a = { 0 };
  int r = copy_user_strings(&a, uargv, &a.argc);
  /* An empty argv gets "" as argv[0], as Linux 5.18 and later do. */
  if (!r && a.argc == 0 && !(r = args_append(&a, "", 0)))
    a.argc = 1;
  if (!r)
    r = copy_user_strings(&a, uenvp, &a.envc);
  if (r) {
    args_free(&a);
    return r;
  }
  r = kernel_execve_args(path, &a);
  args_free(&a);
  return r;
}

/* The last mm running the program let go of it: writes are allowed again. */
static void exe_release(struct mm_exe *e)
{
  __atomic_sub_fetch(&e->file->inode->deny_writers, 1, __ATOMIC_RELAXED);
  fput(e->file);
  kfree(e);
}

/* The program file of a new mm (kern/vm.h: struct mm_exe): from now on f
 * cannot be opened for writing (ETXTBSY). No mm holds it yet (mm_set_exe
 * counts them). NULL when out of memory. */
static struct mm_exe *exe_create(struct file *f)
{
  struct mm_exe *e = kzalloc(sizeof(*e));
  if (!e)
    return NULL;
  fget(f);
  __atomic_add_fetch(&f->inode->deny_writers, 1, __ATOMIC_RELAXED);
  e->file = f;
  e->release = exe_release;
  return e;
}

/*
 * Exec `filename` with arguments already in the kernel. `first`, if not
 * NULL, is the program already open (execveat; a reference the caller
 * gives us); `no_script` says a script could not be reopened by the name
 * its interpreter would be given (a close-on-exec descriptor): ENOENT.
 */
static int execve_file(const char *filename, struct file *first, bool no_script, struct exec_args *a)
{
  pid_t old_tid = current->tid; /* PTRACE_EVENT_EXEC's message */
  char *path = kstrdup(filename);
  struct elf_image *img = kmalloc(sizeof(*img));
  char *interp = kmalloc(PATH_MAX), *sarg = kmalloc(256);
  struct mm *mm = NULL;
  struct file *f = NULL;
  struct exec_creds ec = { NULL, false };
  int r = -ENOMEM;
  if (!path || !img || !interp || !sarg)
    goto out;

  for (int depth = 0;; depth++) {
    if (first) {
      f = first;
      first = NULL;
    } else if ((r = kernel_open(path, O_RDONLY | O_EXEC_OPEN, 0, &f))) {
      goto out;
    }
    struct inode *ino = f->inode;
    if (!S_ISREG(ino->mode) || !(ino->mode & 0111) || (f->path.mnt && (f->path.mnt->flags & MS_NOEXEC))) {
      r = -EACCES;
      goto out;
    }
    char head[256];
    ssize_t n = kernel_read(f, head, sizeof(head), 0);
    if (n < 0) {
      r = (int)n;
      goto out;
    }
    if (n >= 2 && head[0] == '#' && head[1] == '!') {
      if (depth >= INTERP_DEPTH_MAX) {
        r = -ELOOP;
        goto out;
      }
      if ((r = parse_shebang(head, n, interp, PATH_MAX, sarg, 256)))
        goto out;
      if (no_script) {
        r = -ENOENT;
        goto out;
      }
      if ((r = args_for_script(a, interp, sarg, path)))
        goto out;
      fput(f);
      f = NULL;
      kfree(path);
      path = kstrdup(interp);
      if (!path) {
        r = -ENOMEM;
        goto out;
      }
      continue;
    }
    break;
  }

  if (READ_ONCE(f->inode->open_writers) > 0) {
    r = -ETXTBSY; /* someone is writing the program */
    goto out;
  }
  if ((r = read_elf(f, img)))
    goto out;
  /* The identity the program will run with (set-user/group-ID bits,
   * which do not count on a nosuid mount — nor on another mount
   * namespace's, nor on a file system a user namespace the caller is not
   * in owns — nor under a tracer without
   * CAP_SYS_PTRACE: Linux's LSM_UNSAFE_PTRACE). */
  bool nosuid = (f->path.mnt && !mnt_may_suid(f->path.mnt)) || ptrace_exec_unsafe();
  if ((r = exec_prepare_creds(&ec, f->inode, nosuid)))
    goto out;
  mm = mm_create();
  if (!mm) {
    r = -ENOMEM;
    goto out;
  }
  uint64_t lo, hi, bias = 0, brk;
  elf_load_span(&img->eh, img->ph, &lo, &hi);
  if (img->eh.e_type == ET_DYN)
    bias = ELF_ET_DYN_BASE - lo;
  if ((r = map_segments(mm, f, img, bias, &brk)))
    goto out;
  mm->brk_start = mm->brk = brk;

  uint64_t entry = img->eh.e_entry + bias, interp_base = 0;
  for (int i = 0; i < img->eh.e_phnum; i++) {
    Elf64_Phdr *p = &img->ph[i];
    if (p->p_type != PT_INTERP)
      continue;
    ssize_t n = kernel_read(f, interp, p->p_filesz, p->p_offset);
    if (n != (ssize_t)p->p_filesz) {
      r = -EIO;
      goto out;
    }
    interp[p->p_filesz - 1] = 0;
    if ((r = load_interp(mm, interp, &entry, &interp_base)))
      goto out;
  }

  long sr = vm_mmap(mm, USER_STACK_TOP - STACK_INITIAL, STACK_INITIAL, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_GROWSDOWN, NULL, 0);
  if (sr < 0 || (r = vm_map_trampoline(mm)) || (r = vm_map_vdso(mm))) {
    r = sr < 0 ? (int)sr : r;
    goto out;
  }
  mm->stack_top = USER_STACK_TOP;
  uint64_t aux[] = {
    AT_PHDR, phdr_address(img, bias), AT_PHENT, sizeof(Elf64_Phdr),
    AT_PHNUM, img->eh.e_phnum, AT_PAGESZ, PAGE_SIZE,
    AT_BASE, interp_base, AT_FLAGS, 0,
    AT_ENTRY, img->eh.e_entry + bias, AT_UID, ec.new->uid,
    AT_EUID, ec.new->euid, AT_GID, ec.new->gid,
    AT_EGID, ec.new->egid, AT_HWCAP, HWCAP_RV64GC,
    AT_CLKTCK, 100, AT_SECURE, ec.secureexec,
    AT_MINSIGSTKSZ, 2048, AT_SYSINFO_EHDR, VDSO_TEXT_ADDR,
  };
  long sp = build_stack(mm, a, filename, aux, ARRAY_SIZE(aux) / 2);
  if (sp < 0) {
    r = (int)sp;
    goto out;
  }
  if (f->path.dentry) /* (a memfd has no name: the one it was run by) */
    path_to_string(&f->path, &current->fs->root, mm->exe_path, sizeof(mm->exe_path));
  else
    strlcpy(mm->exe_path, filename, sizeof(mm->exe_path));
  struct mm_exe *exe = exe_create(f);
  if (!exe) {
    r = -ENOMEM;
    goto out;
  }
  mm_set_exe(mm, exe);

  /* --- the point of no return --- */
  exec_commit(mm, filename, entry, (uint64_t)sp);
  exec_commit_creds(&ec);
  mm = NULL;
  r = 0;
out:
  if (ec.new)
    abort_creds(ec.new);
  if (mm)
    mm_put(mm);
  if (f)
    fput(f);
  if (first)
    fput(first);
  kfree(path);
  kfree(img);
  kfree(interp);
  kfree(sarg);
  if (r == 0)
    ptrace_exec(old_tid); /* a tracer's exec stop, or SIGTRAP (kern/ptrace.c) */
  return r;
}

/* Exec with arguments already in the kernel (also used to start init). */
int kernel_execve_args(const char *filename, struct exec_args *a)
{
  return execve_file(filename, NULL, false, a);
}

/*
 * execveat(dirfd, path, argv, envp, flags): execve of path relative to
 * dirfd, or with AT_EMPTY_PATH of dirfd's own file (fexecve, a memfd
 * too); AT_SYMLINK_NOFOLLOW refuses a final symlink (ELOOP). As Linux,
 * the program's name (AT_EXECFN, its comm) is "/dev/fd/N" or
 * "/dev/fd/N/path" when it was found through a descriptor, and a script
 * run through a close-on-exec one is ENOENT: its interpreter could not
 * open it by that name.
 */
long do_execveat(int dirfd, const char *path, uaddr_t uargv, uaddr_t uenvp, int flags)
{
  if (!path[0] && !(flags & AT_EMPTY_PATH))
    return -ENOENT; /* (the name is looked at before the flags) */
  if (flags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
    return -EINVAL;
  struct file *f = NULL;
  if (!path[0]) {
    f = fd_get_raw(dirfd);
    if (!f)
      return -EBADF;
    if (!f->inode || (f->flags & O_PATH && !f->path.dentry)) {
      fput(f);
      return -EACCES;
    }
    if (!f->fop || !f->fop->read) { /* an O_PATH descriptor: open the file itself */
      struct file *g = f->path.dentry ? file_open_path(&f->path, O_RDONLY) : ERR_PTR(-EACCES);
      fput(f);
      if (IS_ERR(g))
        return PTR_ERR(g);
      f = g;
    }
  } else {
    struct path p;
    int r = path_lookup(dirfd, path, (flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW, &p);
    if (r)
      return r;
    if (S_ISLNK(p.dentry->inode->mode)) {
      path_put(&p);
      return -ELOOP;
    }
    f = file_open_path(&p, O_RDONLY);
    path_put(&p);
    if (IS_ERR(f))
      return PTR_ERR(f);
  }
  if (!S_ISREG(f->inode->mode) || !(f->inode->mode & 0111) ||
      (f->path.mnt && (f->path.mnt->flags & MS_NOEXEC))) {
    fput(f);
    return -EACCES;
  }
  int pr = inode_permission(f->inode, MAY_EXEC);
  if (pr) {
    fput(f);
    return pr;
  }
  char *name = kmalloc(PATH_MAX);
  if (!name) {
    fput(f);
    return -ENOMEM;
  }
  bool by_fd = dirfd != AT_FDCWD && path[0] != '/';
  if (!by_fd)
    strlcpy(name, path, PATH_MAX);
  else if (!path[0])
    snprintf(name, PATH_MAX, "/dev/fd/%d", dirfd);
  else
    snprintf(name, PATH_MAX, "/dev/fd/%d/%s", dirfd, path);
  struct exec_args a = { 0 };
  int r = copy_user_strings(&a, uargv, &a.argc);
  if (!r)
    r = copy_user_strings(&a, uenvp, &a.envc);
  if (!r)
    r = execve_file(name, f, by_fd && fd_get_cloexec(dirfd) > 0, &a);
  else
    fput(f);
  args_free(&a);
  kfree(name);
  return r;
}

/* Start a user program from a kernel thread: argv given as a NULL-terminated array. */
int kernel_execve(const char *path, const char *const argv[], const char *const envp[])
{
  struct exec_args a = { 0 };
  int r = 0;
  for (int i = 0; argv[i] && !r; i++, a.argc++)
    r = args_append(&a, argv[i], strlen(argv[i]));
  for (int i = 0; envp[i] && !r; i++, a.envc++)
    r = args_append(&a, envp[i], strlen(envp[i]));
  if (!r)
    r = kernel_execve_args(path, &a);
  args_free(&a);
  return r;
}
