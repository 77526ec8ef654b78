/*
 * lockdep.c — the lock-order checker (debug builds: make LOCKDEP=1).
 *
 * Layer: under kern/spinlock.c and the mutexes in kern/sched.c, which
 * call it on every acquire and release. It proves the order written in
 * kern/spinlock.h at run time, in the spirit of Linux's lockdep, kept
 * small:
 *
 *  - Locks are grouped in classes by name and kind (spinlock or mutex):
 *    all inodes' mutexes are one class "inode", each wait queue
 *    declaration its own ("&p->child_wait": wait_queue_init() names the
 *    queue after its argument).
 *  - Each hart keeps the stack of spinlocks it holds, each task the stack
 *    of mutexes it holds (a mutex holder may sleep and move).
 *  - Taking a lock of class B while holding one of class A records the
 *    edge A -> B (with the stack where it was first seen). If B already
 *    reaches A through recorded edges, the two orders can deadlock: the
 *    checker prints the cycle with both stacks, once per new edge.
 *  - Interrupt handlers run only when this hart holds no spinlock
 *    (spinlock.c), and ignore the interrupted task's mutexes.
 *  - Two locks of the same class nested (a parent and a child inode, two
 *    futex buckets) are not checked: their order comes from another rule
 *    (address, tree order), written where they are taken.
 *  - Contention is counted per class (spinlocks found held, turns spun):
 *    /proc/lockdep lists it after the edges.
 *
 * Locks: ld_lock, a bare test-and-set lock outside the checker, taken
 * with interrupts deferred (every caller is inside push_off).
 */
#include "kern/lockdep.h"
#include "kern/spinlock.h"
#include "kern/cpu.h"
#include "kern/task.h"
#include "kern/printk.h"
#include "arch/riscv/riscv.h"
#include <string.h>

#ifdef CONFIG_LOCKDEP

#define LD_CLASSES 512
#define LD_EDGES 4096
#define LD_STACK 8

struct ld_class {
  const char *name;
  bool mutex;
  uint64_t waits, loops;  /* contention: acquisitions that found it held, turns spun */
};

struct ld_edge {
  uint16_t from, to;
  uint64_t stack[LD_STACK];
};

static volatile uint32_t ld_lock;
static struct ld_class classes[LD_CLASSES]; /* [0] unused: 0 means "not looked up" */
static int nclasses = 1;
static uint64_t adj[LD_CLASSES][LD_CLASSES / 64]; /* adj[a] bit b: edge a -> b */
static struct ld_edge edges[LD_EDGES];
static int nedges;
static bool overflow_reported;
uint64_t lockdep_cycles; /* cycles reported (tests read it from /proc/lockdep) */

static void ld_acquire_raw(void)
{
  while (__atomic_exchange_n(&ld_lock, 1, __ATOMIC_ACQUIRE))
    ;
}

static void ld_release_raw(void)
{
  __atomic_store_n(&ld_lock, 0, __ATOMIC_RELEASE);
}

/* Return addresses of the callers, by the frame-pointer chain (s0). */
static void save_stack(uint64_t *out)
{
  uint64_t fp;
  asm volatile("mv %0, s0" : "=r"(fp));
  uint64_t lo = fp, hi = fp + KSTACK_PAGES * PAGE_SIZE;
  int n = 0;
  while (n < LD_STACK && fp >= lo && fp <= hi && (fp & 7) == 0) {
    uint64_t ra = ((uint64_t *)fp)[-1];
    uint64_t next = ((uint64_t *)fp)[-2];
    if (ra < DIRECT_MAP_BASE)
      break;
    out[n++] = ra;
    if (next <= fp)
      break;
    fp = next;
  }
  while (n < LD_STACK)
    out[n++] = 0;
}

static void print_stack(const uint64_t *st)
{
  for (int i = 0; i < LD_STACK && st[i]; i++)
    printk(LOG_CRIT, "      [<%016lx>]", (unsigned long)st[i]);
}

/* The class of a lock (ld_lock held). */
static int class_of(const char *name, bool mutex, uint16_t *cache)
{
  if (*cache)
    return *cache;
  if (!name)
    name = "?";
  for (int i = 1; i < nclasses; i++)
    if (classes[i].mutex == mutex && strcmp(classes[i].name, name) == 0)
      return *cache = (uint16_t)i;
  if (nclasses == LD_CLASSES)
    return 0;
  classes[nclasses].name = name;
  classes[nclasses].mutex = mutex;
  return *cache = (uint16_t)nclasses++;
}

static bool has_edge(int a, int b)
{
  return adj[a][b / 64] & (1UL << (b % 64));
}

static struct ld_edge *find_edge(int a, int b)
{
  for (int i = 0; i < nedges; i++)
    if (edges[i].from == a && edges[i].to == b)
      return &edges[i];
  return NULL;
}

/* Depth-first search from `from` for `to`; fills path[] (classes after from). */
static bool reaches(int from, int to, int *path, int *len, int depth, uint64_t *seen)
{
  if (depth > 32)
    return false;
  seen[from / 64] |= 1UL << (from % 64);
  for (int w = 0; w < LD_CLASSES / 64; w++) {
    uint64_t bits = adj[from][w];
    while (bits) {
      int b = w * 64 + __builtin_ctzl(bits);
      bits &= bits - 1;
      if (b == to || (!(seen[b / 64] & (1UL << (b % 64))) && reaches(b, to, path, len, depth + 1, seen))) {
        path[depth] = b;
        if (b == to)
          *len = depth + 1;
        return true;
      }
    }
  }
  return false;
}

static const char *kind(int c)
{
  return classes[c].mutex ? "mutex" : "spinlock";
}

/* Holding class a, taking class b: record a -> b, report a cycle (ld_lock held). */
static void add_edge(int a, int b, const uint64_t *stack)
{
  if (a == b || !a || !b || has_edge(a, b))
    return;
  uint64_t seen[LD_CLASSES / 64] = { 0 };
  int path[34], len = 0;
  if (reaches(b, a, path, &len, 0, seen)) {
    lockdep_cycles++;
    struct task *t = current;
    printk(LOG_CRIT, "lockdep: lock-order cycle: %s %s taken while holding %s %s "
           "(hart %d, task %d %s)", kind(b), classes[b].name, kind(a), classes[a].name,
           mycpu()->id, t->tid, t->comm);
    printk(LOG_CRIT, "  this order, %s -> %s, here:", classes[a].name, classes[b].name);
    print_stack(stack);
    printk(LOG_CRIT, "  the opposite order was seen before:");
    int prev = b;
    for (int i = 0; i < len; i++) {
      struct ld_edge *e = find_edge(prev, path[i]);
      printk(LOG_CRIT, "    %s -> %s first at:", classes[prev].name, classes[path[i]].name);
      if (e)
        print_stack(e->stack);
      prev = path[i];
    }
  }
  adj[a][b / 64] |= 1UL << (b % 64);
  if (nedges < LD_EDGES) {
    struct ld_edge *e = &edges[nedges++];
    e->from = (uint16_t)a;
    e->to = (uint16_t)b;
    memcpy(e->stack, stack, sizeof(e->stack));
  } else if (!overflow_reported) {
    overflow_reported = true;
    printk(LOG_WARNING, "lockdep: edge table full; stacks no longer kept");
  }
}

/*
 * About to take lock `name` (a mutex if `mutex`): check it against every
 * lock held and push it. Interrupts are deferred (push_off) by the caller
 * for spinlocks; mutexes are taken in process context.
 */
void lockdep_acquire(const char *name, int flags, uint16_t *cache)
{
  struct cpu *c = mycpu();
  struct task *t = current;
  bool mutex = flags & LD_MUTEX;
  int cls;
  push_off();
  if (c->ld_busy) {
    /* The checker's own printk (klog_lock, console_lock), with ld_lock
     * held: push the class if it is known, check nothing. */
    cls = *cache;
    pop_off();
    if (!cls)
      return;
    goto push;
  }
  if (flags & LD_TRY) { /* a trylock cannot wait: only held */
    ld_acquire_raw();
    cls = class_of(name, mutex, cache);
    ld_release_raw();
    pop_off();
    goto push;
  }
  c->ld_busy = true;
  ld_acquire_raw();
  cls = class_of(name, mutex, cache);
  uint64_t stack[LD_STACK];
  bool fresh = false;
  for (int i = 0; i < c->ld_nspin && !fresh; i++)
    fresh = !has_edge(c->ld_spin[i], cls) && c->ld_spin[i] != cls;
  if (!c->in_irq)
    for (int i = 0; i < t->ld_nmutex && !fresh; i++)
      fresh = !has_edge(t->ld_mutex[i], cls) && t->ld_mutex[i] != cls;
  if (fresh) {
    save_stack(stack);
    for (int i = 0; i < c->ld_nspin; i++)
      add_edge(c->ld_spin[i], cls, stack);
    if (!c->in_irq)
      for (int i = 0; i < t->ld_nmutex; i++)
        add_edge(t->ld_mutex[i], cls, stack);
  }
  ld_release_raw();
  c->ld_busy = false;
  pop_off();
push:
  push_off();
  if (mutex) {
    if (t->ld_nmutex < LOCKDEP_HELD)
      t->ld_mutex[t->ld_nmutex++] = (uint16_t)cls;
  } else if (c->ld_nspin < LOCKDEP_HELD) {
    c->ld_spin[c->ld_nspin++] = (uint16_t)cls;
  }
  pop_off();
}

/*
 * The i-th recorded edge, for /proc/lockdep: false past the last. Names
 * of mutex classes come back with `mutex ` in front of them.
 */
bool lockdep_edge(int i, const char **from, bool *from_mutex, const char **to, bool *to_mutex)
{
  if (i < 0 || i >= READ_ONCE(nedges))
    return false;
  struct ld_edge *e = &edges[i];
  *from = classes[e->from].name;
  *from_mutex = classes[e->from].mutex;
  *to = classes[e->to].name;
  *to_mutex = classes[e->to].mutex;
  return true;
}

/*
 * Boot option lockdep_selftest: take two locks of our own in one order,
 * then in the other, and check that the checker reported the cycle (the
 * report itself is printed like any other, stacks included).
 */
void lockdep_selftest(void)
{
  static struct spinlock a = SPINLOCK_INIT("selftest-a"), b = SPINLOCK_INIT("selftest-b");
  uint64_t before = lockdep_cycles;
  spin_lock(&a);
  spin_lock(&b);
  spin_unlock(&b);
  spin_unlock(&a);
  spin_lock(&b);
  spin_lock(&a);
  spin_unlock(&a);
  spin_unlock(&b);
  bool ok = lockdep_cycles == before + 1;
  lockdep_cycles = before; /* the planted cycle is not a finding */
  printk(LOG_CRIT, "lockdep: self-test %s", ok ? "passed (the cycle above was planted)" : "FAILED");
}

/* A spinlock of this class was found held and taken after `loops` turns. */
void lockdep_contended(uint16_t *cache, uint64_t loops)
{
  int cls = *cache;
  if (!cls)
    return;
  __atomic_add_fetch(&classes[cls].waits, 1, __ATOMIC_RELAXED);
  __atomic_add_fetch(&classes[cls].loops, loops, __ATOMIC_RELAXED);
}

/* Contention of class i, for /proc/lockdep: false past the last. */
bool lockdep_class_stat(int i, const char **name, bool *mutex, uint64_t *waits, uint64_t *loops)
{
  if (i < 1 || i >= READ_ONCE(nclasses))
    return false;
  *name = classes[i].name;
  *mutex = classes[i].mutex;
  *waits = READ_ONCE(classes[i].waits);
  *loops = READ_ONCE(classes[i].loops);
  return true;
}

/* Drop the most recent hold of this lock's class. */
void lockdep_release(bool mutex, uint16_t *cache)
{
  int cls = *cache;
  if (!cls)
    return;
  uint16_t *held = mutex ? current->ld_mutex : mycpu()->ld_spin;
  int *n = mutex ? &current->ld_nmutex : &mycpu()->ld_nspin;
  push_off();
  for (int i = *n - 1; i >= 0; i--) {
    if (held[i] == cls) {
      memmove(&held[i], &held[i + 1], (size_t)(*n - i - 1) * sizeof(held[0]));
      (*n)--;
      break;
    }
  }
  pop_off();
}

#endif
