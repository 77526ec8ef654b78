/*
 * tty.c — terminals: their life (tty_init, references), controlling
 * terminals and sessions, the ioctls, hang-up, and /dev/tty. See tty.h.
 * The line discipline and the read/write/poll every terminal shares are
 * in n_tty.c.
 *
 * The kinds of terminal live beside it: console.c (the serial console)
 * and pty.c (pseudo-terminals). They differ only in their tty_driver:
 * where output goes and how much room it has, and what opening and
 * closing a file means.
 *
 * Layer: drivers, over the core (processes, signals: kern/). Locks:
 * tty->lock (spinlock) guards a tty's state; proc_lock is taken before it
 * where a session and its terminal change together.
 */
#include "drivers/tty.h"
#include "drivers/tty_ioctl.h"
#include "fs/fs_abi.h"
#include "fs/inode.h"
#include "fs/file.h"
#include "drivers/chrdev.h"
#include "kern/task.h"
#include "kern/mm.h"
#include "kern/poll.h"
#include "kern/uio.h"
#include "kern/vm.h"
#include "kern/printk.h"
#include "kern/proc_resource.h"
#include <string.h>

const struct ktermios tty_std_termios = {
  .c_iflag = ICRNL | IXON,
  .c_oflag = OPOST | ONLCR,
  .c_cflag = B38400 | CS8 | CREAD,
  .c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN,
  .c_cc = {
    [VINTR] = 3,     /* ^C */
    [VQUIT] = 28,    /* ^\ */
    [VERASE] = 127,  /* DEL */
    [VKILL] = 21,    /* ^U */
    [VEOF] = 4,      /* ^D */
    [VMIN] = 1,
    [VSTART] = 17,   /* ^Q */
    [VSTOP] = 19,    /* ^S */
    [VSUSP] = 26,    /* ^Z */
    [VREPRINT] = 18, /* ^R */
    [VDISCARD] = 15, /* ^O */
    [VWERASE] = 23,  /* ^W */
    [VLNEXT] = 22,   /* ^V */
  },
};

/* Set up a tty (its memory zeroed) of the given kind. The caller holds
 * the one reference it starts with. */
void tty_init(struct tty *tty, const struct tty_driver *driver, const struct ktermios *termios,
              dev_t dev)
{
  tty->driver = driver;
  tty->dev = dev;
  tty->refcount = 1;
  spin_init(&tty->lock, "tty");
  tty->termios = *termios;
  wait_queue_init(&tty->wq);
  mutex_init(&tty->read_lock, "tty-read");
  mutex_init(&tty->write_lock, "tty-write");
}

void tty_get(struct tty *tty)
{
  __atomic_add_fetch(&tty->refcount, 1, __ATOMIC_RELAXED);
}

/*
 * Take a reference only while the tty still has one: a lookup that finds
 * the tty in a table (pty.c's ptys[]) may find it after the last
 * tty_put() and before destroy() takes it out. The count never climbs
 * back from 0, so such a lookup must fail. The caller keeps the memory
 * alive by other means (pty.c: the table lock, which destroy() takes
 * before it frees).
 */
bool tty_get_unless_zero(struct tty *tty)
{
  int n = __atomic_load_n(&tty->refcount, __ATOMIC_RELAXED);
  while (n > 0)
    if (__atomic_compare_exchange_n(&tty->refcount, &n, n + 1, false, __ATOMIC_ACQUIRE,
                                    __ATOMIC_RELAXED))
      return true;
  return false;
}

/* Drop a reference; the last one lets the driver free the tty. No locks held. */
void tty_put(struct tty *tty)
{
  if (__atomic_sub_fetch(&tty->refcount, 1, __ATOMIC_ACQ_REL) == 0 && tty->driver->destroy)
    tty->driver->destroy(tty);
}

dev_t tty_devnum(struct tty *tty)
{
  return tty->dev;
}

/* ---- controlling terminals ---- */

/*
 * Make tty the controlling terminal of p's session, if p leads a session
 * without one and tty belongs to no session and has not hung up. The
 * checks are made under proc_lock and tty->lock, where they are set:
 * checked outside, two racing opens could both pass, and the second
 * would overwrite p->ctty (leaking a reference, so a pty is never freed)
 * or give one tty two sessions. Returns 0 or -EPERM. The caller holds a
 * reference (an open file).
 */
static int set_ctty(struct tty *tty, struct process *p)
{
  int r = -EPERM;
  tty_get(tty); /* p->ctty's, dropped again if p does not get it */
  spin_lock(&proc_lock);
  spin_lock(&tty->lock);
  if (p->sid == p->pid && !p->ctty && tty->session == 0 && !tty->hung_up) {
    p->ctty = tty;
    tty->session = p->sid;
    tty->pgrp = p->pgid;
    r = 0;
  }
  spin_unlock(&tty->lock);
  spin_unlock(&proc_lock);
  if (r)
    tty_put(tty);
  return r;
}

/* p lets go of its controlling terminal; the caller gets its reference. */
static struct tty *take_ctty(struct process *p)
{
  spin_lock(&proc_lock);
  struct tty *tty = p->ctty;
  p->ctty = NULL;
  spin_unlock(&proc_lock);
  return tty;
}

/*
 * The session loses tty: every process that has it as controlling
 * terminal lets go, and the tty has no session or foreground group. The
 * caller holds a reference of its own.
 */
static void detach_session(struct tty *tty)
{
  int refs = 0;
  spin_lock(&proc_lock);
  struct process *p;
  list_for_each_entry(p, &all_processes, all_link) {
    if (p->ctty == tty) {
      p->ctty = NULL;
      refs++;
    }
  }
  spin_lock(&tty->lock);
  tty->session = 0;
  tty->pgrp = 0;
  spin_unlock(&tty->lock);
  spin_unlock(&proc_lock);
  while (refs-- > 0)
    tty_put(tty);
}

/*
 * A session leader opening a terminal without O_NOCTTY acquires it if
 * neither has one yet (Linux's tty_open_proc_set_tty); set_ctty checks.
 * /dev/console (5:1) is opened as if O_NOCTTY, as on Linux: the console is
 * never a controlling terminal by opening it (the same line opened as
 * /dev/ttyS0, or TIOCSCTTY, can be).
 */
static void maybe_acquire(struct tty *tty, struct file *f)
{
  if (f->inode && S_ISCHR(f->inode->mode) && f->inode->rdev == MKDEV(5, 1))
    return;
  if (!(f->flags & O_NOCTTY))
    (void)set_ctty(tty, current->proc);
}

/*
 * The hangup of a terminal (the pty master went away): its files read 0
 * and fail writes; the session leader gets SIGHUP and SIGCONT and the
 * session loses the terminal. The leader remembers the foreground group,
 * which gets SIGHUP when the leader exits (Linux's tty_old_pgrp).
 */
static void hangup_session(struct tty *tty);

void tty_hangup(struct tty *tty)
{
  spin_lock(&tty->lock);
  tty->hung_up = true;
  spin_unlock(&tty->lock);
  wake_up_events(&tty->wq, POLLIN | POLLOUT | POLLERR | POLLHUP);
  hangup_session(tty);
}

/* The caller's controlling terminal, referenced (tty_put), or NULL.
 * Takes proc_lock (process->ctty is its). */
static struct tty *current_ctty_get(void)
{
  spin_lock(&proc_lock);
  struct tty *tty = current->proc->ctty;
  if (tty)
    tty_get(tty);
  spin_unlock(&proc_lock);
  return tty;
}

/*
 * vhangup(2) of the caller's controlling terminal, for its session only:
 * the session leader gets SIGHUP and SIGCONT and the session loses the
 * terminal. Linux also revokes the terminal's open files (they read 0 and
 * fail writes, while new opens work); Kite keeps no per-file hangup state,
 * so the files stay usable. No terminal: nothing to do.
 */
void tty_vhangup_self(void)
{
  struct tty *tty = current_ctty_get();
  if (!tty)
    return;
  hangup_session(tty);
  tty_put(tty);
}

/* The session of tty loses it; its leader hears SIGHUP and SIGCONT. */
static void hangup_session(struct tty *tty)
{
  spin_lock(&tty->lock);
  pid_t sid = tty->session, pgrp = tty->pgrp;
  spin_unlock(&tty->lock);
  if (sid <= 0)
    return;
  spin_lock(&proc_lock);
  struct process *leader = find_process(sid);
  if (leader && !leader->zombie) {
    leader->tty_old_pgrp = pgrp;
    process_get(leader);
  } else {
    leader = NULL;
  }
  spin_unlock(&proc_lock);
  detach_session(tty);
  if (leader) {
    send_signal_process(leader, SIGHUP, NULL);
    send_signal_process(leader, SIGCONT, NULL);
    process_put(leader);
  }
}

/*
 * p's last thread exited. It lets go of its terminal; if it led the
 * session, the foreground group gets SIGHUP and the session loses the
 * terminal (Linux's disassociate_ctty(1)).
 */
void tty_process_exit(struct process *p)
{
  spin_lock(&proc_lock);
  pid_t old_pgrp = p->tty_old_pgrp;
  p->tty_old_pgrp = 0;
  spin_unlock(&proc_lock);
  struct tty *tty = take_ctty(p);
  bool leader = p->sid == p->pid;
  if (tty) {
    pid_t fg = READ_ONCE(tty->pgrp);
    if (leader && READ_ONCE(tty->session) == p->sid) {
      detach_session(tty);
      if (fg > 0)
        kill_pgrp(fg, SIGHUP, NULL);
    }
    tty_put(tty);
  } else if (leader && old_pgrp > 0) {
    kill_pgrp(old_pgrp, SIGHUP, NULL);
    kill_pgrp(old_pgrp, SIGCONT, NULL);
  }
}

/* clone (proc_lock held): the new process is in the caller's session and
 * has its controlling terminal. */
static void tty_fork_locked(struct process *p)
{
  p->ctty = current->proc->ctty;
  if (p->ctty)
    tty_get(p->ctty);
}

/* The controlling terminal, as clone and exit see it (kern/proc_resource.h):
 * the process layer keeps process->ctty but never names a tty function. */
static const struct proc_resource tty_proc_resource = {
  .name = "ctty",
  .fork_locked = tty_fork_locked,
  .exit_process = tty_process_exit,
};

void ctty_init(void)
{
  proc_resource_register(PROC_RES_TTY, &tty_proc_resource);
}

/* p lets go of its terminal; the session keeps it (TIOCNOTTY). */
static void leave_session(struct process *p)
{
  struct tty *tty = take_ctty(p);
  if (tty)
    tty_put(tty);
}

/* Attach a newly opened file to tty (a driver's open calls this). */
int tty_file_open(struct tty *tty, struct file *f)
{
  if (tty->driver->open) {
    int r = tty->driver->open(tty, f);
    if (r)
      return r;
  }
  tty_get(tty);
  f->priv = tty;
  f->fop = tty->driver->fops;
  maybe_acquire(tty, f);
  return 0;
}

void tty_release(struct file *f)
{
  struct tty *tty = f->priv;
  if (!tty)
    return;
  if (tty->driver->close)
    tty->driver->close(tty, f);
  tty_put(tty);
}

/* ---- ioctls ---- */

/* TIOCSPGRP's last step: pgrp must exist in the caller's session
 * (ESRCH if it does not exist, EPERM if it is another session's). */
static int tty_set_pgrp(struct tty *tty, pid_t pgrp)
{
  spin_lock(&proc_lock);
  int r = pgrp_in_session(pgrp, current->proc->sid);
  if (r == 0) {
    spin_lock(&tty->lock);
    tty->pgrp = pgrp;
    spin_unlock(&tty->lock);
  }
  spin_unlock(&proc_lock);
  return r;
}

/* The old struct termio seen through the new termios, as Linux's
 * kernel_termios_to_user_termio. */
static void termios_to_termio(const struct ktermios *t, struct termio *o)
{
  memset(o, 0, sizeof(*o));
  o->c_iflag = (uint16_t)t->c_iflag;
  o->c_oflag = (uint16_t)t->c_oflag;
  o->c_cflag = (uint16_t)t->c_cflag;
  o->c_lflag = (uint16_t)t->c_lflag;
  o->c_line = t->c_line;
  memcpy(o->c_cc, t->c_cc, NCC);
}

/* A struct termio sets the low 16 bits of each flag and the first NCC
 * control characters; the rest of the termios stays (Linux's
 * user_termio_to_kernel_termios). */
static void termio_into_termios(const struct termio *o, struct ktermios *t)
{
  t->c_iflag = (t->c_iflag & 0xffff0000u) | o->c_iflag;
  t->c_oflag = (t->c_oflag & 0xffff0000u) | o->c_oflag;
  t->c_cflag = (t->c_cflag & 0xffff0000u) | o->c_cflag;
  t->c_lflag = (t->c_lflag & 0xffff0000u) | o->c_lflag;
  t->c_line = o->c_line;
  memcpy(t->c_cc, o->c_cc, NCC);
}

/* TCSETS/TCSETSW/TCSETSF, and TCSETA/TCSETAW/TCSETAF with a struct termio.
 * Output is never queued (flush_ioctl), so the W forms wait for nothing. */
static int set_termios(struct tty *tty, unsigned cmd, uint64_t arg)
{
  bool old = cmd == TCSETA || cmd == TCSETAW || cmd == TCSETAF;
  struct ktermios t;
  struct termio o;
  if (old ? copyin(&o, arg, sizeof(o)) : copyin(&t, arg, sizeof(t)))
    return -EFAULT;
  int r = tty_job_control_check(tty, SIGTTOU);
  if (r)
    return r;
  spin_lock(&tty->lock);
  if (old) {
    t = tty->termios;
    termio_into_termios(&o, &t);
  }
  if (cmd == TCSETSF || cmd == TCSETAF)
    tty_flush_input(tty);
  bool was_canon = tty->termios.c_lflag & ICANON;
  bool canon = t.c_lflag & ICANON;
  tty->termios = t;
  if (was_canon && !canon)
    tty->line_end = tty->head; /* the partial line becomes readable */
  if (was_canon != canon)
    tty_input_room_changed(tty); /* tty_receive_room() counts differently */
  if (!(t.c_iflag & IXON) && tty->stopped)
    tty_start_output(tty);
  spin_unlock(&tty->lock);
  wake_up(&tty->wq);
  return 0;
}

/* A new window size: the foreground group hears of a change (SIGWINCH). */
static int set_winsize(struct tty *tty, uint64_t arg)
{
  struct winsize ws;
  if (copyin(&ws, arg, sizeof(ws)))
    return -EFAULT;
  spin_lock(&tty->lock);
  bool changed = memcmp(&ws, &tty->winsize, sizeof(ws)) != 0;
  tty->winsize = ws;
  pid_t pgrp = tty->pgrp;
  spin_unlock(&tty->lock);
  if (changed && pgrp > 0)
    kill_pgrp(pgrp, SIGWINCH, NULL);
  return 0;
}

/* TIOCSCTTY: the caller, a session leader, takes tty as its terminal.
 * With arg 1 it may take it from another session (root may: Kite has no
 * other user). */
static int set_ctty_ioctl(struct tty *tty, uint64_t arg)
{
  struct process *p = current->proc;
  bool leader = p->sid == p->pid;
  if (leader && READ_ONCE(tty->session) == p->sid)
    return 0;
  if (!leader || READ_ONCE(p->ctty))
    return -EPERM;
  if (READ_ONCE(tty->session)) {
    if (arg != 1)
      return -EPERM;
    detach_session(tty);
  }
  /* Checked again under the locks: another open may have come first. */
  return set_ctty(tty, p);
}

/* TIOCNOTTY: the caller lets go of its terminal. A session leader takes
 * the session with it: the foreground group gets SIGHUP and SIGCONT. */
static int drop_ctty_ioctl(struct tty *tty)
{
  struct process *p = current->proc;
  if (p->ctty != tty)
    return -ENOTTY;
  if (p->sid != p->pid) {
    leave_session(p);
    return 0;
  }
  pid_t fg = READ_ONCE(tty->pgrp);
  detach_session(tty);
  if (fg > 0) {
    kill_pgrp(fg, SIGHUP, NULL);
    kill_pgrp(fg, SIGCONT, NULL);
  }
  return 0;
}

/*
 * The terminal-mode ioctls. Through the pty master they act on the slave
 * (`via_master`), and the "is it your controlling terminal?" checks that
 * guard the slave do not apply — as Linux's tty_mode_ioctl and tty_ioctl.
 */
static int terminal_ioctl(struct tty *tty, unsigned cmd, uint64_t arg, bool via_master)
{
  struct process *p = current->proc;
  bool ours = via_master || p->ctty == tty;
  switch (cmd) {
  case TCGETS: {
    spin_lock(&tty->lock);
    struct ktermios t = tty->termios;
    spin_unlock(&tty->lock);
    return copyout(arg, &t, sizeof(t));
  }
  case TCGETA: {
    struct termio o;
    spin_lock(&tty->lock);
    termios_to_termio(&tty->termios, &o);
    spin_unlock(&tty->lock);
    return copyout(arg, &o, sizeof(o));
  }
  case TCSETS:
  case TCSETSW:
  case TCSETSF:
  case TCSETA:
  case TCSETAW:
  case TCSETAF:
    return set_termios(tty, cmd, arg);
  case TIOCGWINSZ: {
    spin_lock(&tty->lock);
    struct winsize ws = tty->winsize;
    spin_unlock(&tty->lock);
    return copyout(arg, &ws, sizeof(ws));
  }
  case TIOCSWINSZ:
    return set_winsize(tty, arg);
  case TIOCGPGRP: {
    if (!ours)
      return -ENOTTY;
    uint32_t pg = (uint32_t)READ_ONCE(tty->pgrp);
    return copyout(arg, &pg, 4);
  }
  case TIOCSPGRP: {
    int r = tty_job_control_check(tty, SIGTTOU);
    if (r)
      return r;
    uint32_t pg;
    if (copyin(&pg, arg, 4))
      return -EFAULT;
    if ((int32_t)pg < 0)
      return -EINVAL;
    if (p->ctty != tty || READ_ONCE(tty->session) != p->sid)
      return -ENOTTY;
    return tty_set_pgrp(tty, (pid_t)pg);
  }
  case TIOCGSID: {
    pid_t sid = READ_ONCE(tty->session);
    if (!ours || sid == 0)
      return -ENOTTY;
    uint32_t s = (uint32_t)sid;
    return copyout(arg, &s, 4);
  }
  case TIOCSCTTY:
    return set_ctty_ioctl(tty, arg);
  default:
    return -ENOTTY;
  }
}

int tty_ioctl_via_master(struct tty *tty, unsigned cmd, uint64_t arg)
{
  return terminal_ioctl(tty, cmd, arg, true);
}

/* TCXONC: stop or start output, or send STOP/START to the other end. */
static int flow_ioctl(struct tty *tty, uint64_t arg)
{
  int r = tty_job_control_check(tty, SIGTTOU);
  if (r)
    return r;
  spin_lock(&tty->lock);
  char c = 0;
  switch (arg) {
  case TCOOFF:
    tty->stopped = true;
    break;
  case TCOON:
    tty_start_output(tty);
    break;
  case TCIOFF:
    c = (char)tty->termios.c_cc[VSTOP];
    break;
  case TCION:
    c = (char)tty->termios.c_cc[VSTART];
    break;
  default:
    r = -EINVAL;
  }
  if (c)
    tty->driver->write(tty, &c, 1);
  spin_unlock(&tty->lock);
  return r;
}

/* TCFLSH: output is never queued in a tty (the console writes at once, a
 * pty slave's output is already the master's input), so only input can be
 * flushed. */
static int flush_ioctl(struct tty *tty, uint64_t arg)
{
  int r = tty_job_control_check(tty, SIGTTOU);
  if (r)
    return r;
  if (arg != TCIFLUSH && arg != TCOFLUSH && arg != TCIOFLUSH)
    return -EINVAL;
  if (arg != TCOFLUSH) {
    spin_lock(&tty->lock);
    tty_flush_input(tty);
    spin_unlock(&tty->lock);
  }
  return 0;
}

int tty_ioctl(struct file *f, unsigned cmd, uint64_t arg)
{
  struct tty *tty = f->priv;
  if (READ_ONCE(tty->hung_up))
    return cmd == TIOCSPGRP ? -ENOTTY : -EIO;
  switch (cmd) {
  case TIOCNOTTY:
    return drop_ctty_ioctl(tty);
  case FIONREAD: {
    uint32_t n = (uint32_t)tty_readable(tty);
    return copyout(arg, &n, 4);
  }
  case TIOCOUTQ: {
    uint32_t n = 0; /* nothing is ever queued for output (see flush_ioctl) */
    return copyout(arg, &n, 4);
  }
  case TCSBRK:
  case TCSBRKP:
    return 0; /* tcdrain: nothing queued; neither kind can send a break */
  case TCXONC:
    return flow_ioctl(tty, arg);
  case TCFLSH:
    return flush_ioctl(tty, arg);
  default:
    return terminal_ioctl(tty, cmd, arg, false);
  }
}

/* ---- /dev/tty: the caller's controlling terminal ---- */

static int devtty_open(struct inode *ino, struct file *f)
{
  (void)ino;
  struct tty *tty = current_ctty_get();
  if (!tty)
    return -ENXIO;
  int r = tty_file_open(tty, f);
  tty_put(tty);
  return r;
}

static const struct file_ops devtty_fops = {
  .open = devtty_open,
};

void tty_register_devices(void)
{
  chrdev_register(MKDEV(5, 0), "tty", &devtty_fops);
}
