/*
 * tty.c — the terminal line discipline, the file operations every kind of
 * terminal shares, /dev/tty, and controlling terminals. See tty.h.
 *
 * The kinds of terminal live beside it: console.c (the serial console)
 * and pty.c (pseudo-terminals). They differ only in their tty_driver:
 * where output goes and how much room it has, and what opening and
 * closing a file means.
 */
#include "drivers/tty.h"
#include "drivers/tty_ioctl.h"
#include "fs/vfs.h"
#include "drivers/chrdev.h"
#include "kern/task.h"
#include "kern/mm.h"
#include "kern/poll.h"
#include "kern/uio.h"
#include "kern/vm.h"
#include "kern/printk.h"
#include <string.h>

/* in_eol[] marks */
#define EOL_LINE 1
#define EOL_EOF 2

/* A newline may go out as \r\n: a writer waits for this much room. */
#define OUTPUT_MIN_ROOM 2

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

/* ---- input: the line discipline ---- */

#define RING(i) ((i) % TTY_INPUT_SIZE)

/* Is c the (enabled) control character cc[idx]? A 0 entry is disabled. */
static bool is_cc(const struct ktermios *t, uint8_t c, int idx)
{
  return c != 0 && c == t->c_cc[idx];
}

/* Echo bytes (tty->lock held). What the driver has no room for is lost. */
static void echo(struct tty *tty, const char *s, size_t n)
{
  if (tty->termios.c_lflag & ECHO)
    tty->driver->write(tty, s, n);
}

static void echo_char(struct tty *tty, uint8_t c)
{
  struct ktermios *t = &tty->termios;
  bool onlcr = (t->c_oflag & OPOST) && (t->c_oflag & ONLCR);
  if (!(t->c_lflag & ECHO)) {
    if (c == '\n' && (t->c_lflag & ECHONL) && (t->c_lflag & ICANON))
      tty->driver->write(tty, onlcr ? "\r\n" : "\n", onlcr ? 2 : 1);
    return;
  }
  if (c == '\n') {
    echo(tty, onlcr ? "\r\n" : "\n", onlcr ? 2 : 1);
  } else if (c < 32 && c != '\t' && (t->c_lflag & ECHOCTL)) {
    char buf[2] = { '^', (char)(c + 64) };
    echo(tty, buf, 2);
  } else {
    char ch = (char)c;
    echo(tty, &ch, 1);
  }
}

static void erase_one(struct tty *tty)
{
  if (tty->head == tty->line_end)
    return;
  uint8_t c = tty->in[RING(tty->head - 1)];
  tty->head--;
  if ((tty->termios.c_lflag & ECHO) && (tty->termios.c_lflag & ECHOE)) {
    int width = (c < 32 && (tty->termios.c_lflag & ECHOCTL)) ? 2 : 1;
    for (int i = 0; i < width; i++)
      tty->driver->write(tty, "\b \b", 3);
  }
}

/*
 * Queue one input byte (tty->lock held). In canonical mode the last free
 * slot is kept for a line end, so a line that fills the ring can still be
 * ended and read; bytes that do not fit are dropped, as a real terminal
 * drops them.
 */
static void put_input(struct tty *tty, uint8_t c, uint8_t eol)
{
  bool canon = tty->termios.c_lflag & ICANON;
  uint32_t limit = (eol || !canon) ? TTY_INPUT_SIZE : TTY_INPUT_SIZE - 1;
  if (tty->head - tty->tail >= limit)
    return;
  tty->in[RING(tty->head)] = c;
  tty->in_eol[RING(tty->head)] = eol;
  tty->head++;
  if (eol || !canon)
    tty->line_end = tty->head;
}

/* Room for input may have grown: let whoever feeds the tty go on (a
 * blocked pty master writer; tty->lock held). */
static void input_room_changed(struct tty *tty)
{
  if (tty->driver->input_taken)
    tty->driver->input_taken(tty);
}

/* Drop all input (tty->lock held). The indexes only grow, so a reader
 * that copied bytes out before the flush can tell (consume_input). Every
 * flush (a signal character, TCFLSH, TCSETSF) makes room. */
static void flush_input(struct tty *tty)
{
  tty->tail = tty->line_end = tty->head;
  input_room_changed(tty);
}

/* Output starts again (^Q, TCOON): wake the writers (tty->lock held). */
static void start_output(struct tty *tty)
{
  tty->stopped = false;
  wake_up_events(&tty->wq, POLLOUT);
}

/* The signal character c stands for, if ISIG makes it one (else 0). */
static int signal_char(const struct ktermios *t, uint8_t c)
{
  if (!(t->c_lflag & ISIG))
    return 0;
  if (is_cc(t, c, VINTR))
    return SIGINT;
  if (is_cc(t, c, VQUIT))
    return SIGQUIT;
  if (is_cc(t, c, VSUSP))
    return SIGTSTP;
  return 0;
}

/* Canonical-mode editing characters; true if c was one (tty->lock held). */
static bool canon_edit(struct tty *tty, uint8_t c)
{
  struct ktermios *t = &tty->termios;
  if (is_cc(t, c, VERASE)) {
    erase_one(tty);
  } else if (is_cc(t, c, VKILL)) {
    while (tty->head != tty->line_end)
      erase_one(tty);
  } else if (is_cc(t, c, VWERASE) && (t->c_lflag & IEXTEN)) {
    while (tty->head != tty->line_end && tty->in[RING(tty->head - 1)] == ' ')
      erase_one(tty);
    while (tty->head != tty->line_end && tty->in[RING(tty->head - 1)] != ' ')
      erase_one(tty);
  } else if (is_cc(t, c, VEOF)) {
    put_input(tty, 0, EOL_EOF);
  } else if (c == '\n' || is_cc(t, c, VEOL) || is_cc(t, c, VEOL2)) {
    put_input(tty, c, EOL_LINE);
    echo_char(tty, c);
  } else {
    return false;
  }
  return true;
}

/*
 * Process received bytes: the console's UART interrupt and the pty
 * master's writes call this. Signals go to the foreground group after
 * the lock is dropped.
 */
void tty_receive(struct tty *tty, const uint8_t *buf, size_t n)
{
  int sig = 0;
  pid_t pgrp = 0;
  spin_lock(&tty->lock);
  struct ktermios *t = &tty->termios;
  for (size_t i = 0; i < n; i++) {
    uint8_t c = buf[i];
    if (t->c_iflag & ISTRIP)
      c &= 0x7f;
    if ((t->c_iflag & IXON) && is_cc(t, c, VSTART)) {
      start_output(tty);
      continue;
    }
    if ((t->c_iflag & IXON) && is_cc(t, c, VSTOP)) {
      tty->stopped = true;
      continue;
    }
    int s = signal_char(t, c);
    if (s) {
      if (!(t->c_lflag & NOFLSH))
        flush_input(tty);
      echo_char(tty, c);
      sig = s;
      pgrp = tty->pgrp;
      continue;
    }
    if (c == '\r') {
      if (t->c_iflag & IGNCR)
        continue;
      if (t->c_iflag & ICRNL)
        c = '\n';
    } else if (c == '\n' && (t->c_iflag & INLCR)) {
      c = '\r';
    }
    if ((t->c_lflag & ICANON) && canon_edit(tty, c))
      continue;
    put_input(tty, c, 0);
    echo_char(tty, c);
  }
  spin_unlock(&tty->lock);
  wake_up_events(&tty->wq, POLLIN | POLLRDNORM);
  if (sig && pgrp > 0)
    kill_pgrp(pgrp, sig, NULL);
}

/*
 * How many bytes tty_receive() can take now without dropping any a reader
 * could still get. A canonical line that fills the ring cannot be read
 * until it ends: then bytes are taken one at a time (and dropped, all but
 * a line end), as Linux does.
 */
size_t tty_receive_room(struct tty *tty)
{
  spin_lock(&tty->lock);
  uint32_t used = tty->head - tty->tail;
  size_t room = TTY_INPUT_SIZE - used;
  if (tty->termios.c_lflag & ICANON) {
    room = room > 0 ? room - 1 : 0;  /* the last slot waits for a line end */
    if (room == 0 && tty->line_end == tty->tail)
      room = 1;
  }
  spin_unlock(&tty->lock);
  return room;
}

/* Bytes a read could take now (canonical: complete lines only). */
static size_t readable(struct tty *tty)
{
  if (tty->termios.c_lflag & ICANON)
    return tty->line_end - tty->tail;
  return tty->head - tty->tail;
}

/* ---- job control ---- */

/*
 * A background process using its controlling terminal gets SIGTTIN
 * (reads) or SIGTTOU (writes with TOSTOP, mode changes): its whole group
 * stops. Returns 0 to go on, or an error to return.
 */
static int job_control_check(struct tty *tty, int sig)
{
  struct process *p = current->proc;
  pid_t fg = READ_ONCE(tty->pgrp);
  if (p->ctty != tty || fg == 0 || p->pgid == fg)
    return 0;
  struct sighand *sh = current->sighand;
  if ((current->blocked & SIGMASK(sig)) || sh->action[sig - 1].handler == SIG_IGN)
    return sig == SIGTTIN ? -EIO : 0;
  kill_pgrp(p->pgid, sig, NULL);
  return -ERESTARTSYS;
}

/* ---- the file operations every tty shares ---- */

/*
 * Take up to n bytes a read may have (canonical: up to the end of one
 * line) from the ring into buf, without consuming them (tty->lock held).
 * *next is where the tail goes once they are delivered; *done says the
 * read ends here (a line end or an end-of-file mark).
 */
static size_t peek_input(struct tty *tty, uint8_t *buf, size_t n, uint32_t *next, bool *done)
{
  bool canon = tty->termios.c_lflag & ICANON;
  uint32_t i = tty->tail, end = canon ? tty->line_end : tty->head;
  size_t got = 0;
  *done = false;
  while (got < n && i != end) {
    uint8_t eol = tty->in_eol[RING(i)];
    uint8_t c = tty->in[RING(i)];
    i++;
    if (eol == EOL_EOF) {
      *done = true;
      break;
    }
    buf[got++] = c;
    if (canon && eol == EOL_LINE) {
      *done = true;
      break;
    }
  }
  *next = i;
  return got;
}

/* Consume input up to `next`, unless a flush took it meanwhile. */
static void consume_input(struct tty *tty, uint32_t next)
{
  spin_lock(&tty->lock);
  if ((int32_t)(next - tty->tail) > 0)
    tty->tail = next;
  input_room_changed(tty);
  spin_unlock(&tty->lock);
}

/*
 * Copy out the input there is now (canonical: up to the end of one line).
 * Copy first, consume after: a fault loses no input. Returns the bytes
 * copied, or an error if none were; *stop says the read ends here (a line
 * end, an end-of-file mark, a fault).
 */
static ssize_t copy_input(struct tty *tty, struct uio *u, bool *stop)
{
  uint8_t buf[256];
  ssize_t total = 0;
  *stop = false;
  while (u->resid > 0) {
    uint32_t start, next;
    bool done;
    spin_lock(&tty->lock);
    start = tty->tail;
    size_t n = peek_input(tty, buf, MIN(sizeof(buf), u->resid), &next, &done);
    spin_unlock(&tty->lock);
    long c = n ? uio_copy_to(u, buf, n) : 0;
    if (c < 0) {
      *stop = true;
      return total ? total : c;
    }
    if ((size_t)c < n) { /* a fault part way: the rest stays */
      consume_input(tty, start + (uint32_t)c);
      *stop = true;
      return total + c;
    }
    total += c;
    consume_input(tty, next);
    if (done) {
      *stop = true;
      break;
    }
    if (n == 0)
      break;
  }
  return total;
}

/*
 * How long a read waits (man termios). Canonical mode: for a whole line.
 * Otherwise VMIN and VTIME (tenths of a second) decide:
 *   MIN > 0, TIME = 0   until MIN bytes came (or as many as were asked for)
 *   MIN = 0, TIME > 0   up to TIME for the first byte; then return it
 *   MIN > 0, TIME > 0   for the first byte as long as it takes; then until
 *                       MIN bytes, or until TIME passes without another
 *                       byte (the inter-byte timer restarts with each one)
 *   MIN = 0, TIME = 0   not at all: return what is there, maybe nothing
 * O_NONBLOCK never waits: EAGAIN if there is nothing yet.
 */
struct read_wait {
  size_t want;      /* return once this many bytes came */
  uint64_t first;   /* the wait for the first byte (ns, WAIT_FOREVER, 0) */
  uint64_t gap;     /* the wait for each further byte */
};

static struct read_wait read_wait_of(const struct ktermios *t, size_t resid, bool nonblock)
{
  struct read_wait rw = { 1, WAIT_FOREVER, WAIT_FOREVER };
  uint64_t time = (uint64_t)t->c_cc[VTIME] * 100 * NSEC_PER_MSEC;
  if (!(t->c_lflag & ICANON)) {
    if (t->c_cc[VMIN] == 0) {
      rw.first = rw.gap = time; /* 0: poll */
    } else {
      rw.want = MIN((size_t)t->c_cc[VMIN], resid);
      if (time)
        rw.gap = time;
    }
  }
  if (nonblock)
    rw.first = rw.gap = 0;
  return rw;
}

/* A read, once it holds read_lock: wait for input and copy it out, as
 * read_wait_of() says, until enough came or the wait ends. */
static ssize_t read_locked(struct tty *tty, struct file *f, struct uio *u)
{
  bool nonblock = f->flags & O_NONBLOCK;
  spin_lock(&tty->lock);
  struct read_wait rw = read_wait_of(&tty->termios, u->resid, nonblock);
  spin_unlock(&tty->lock);

  ssize_t total = 0;
  uint64_t timeout = rw.first;
  for (;;) {
    long w = wait_event(&tty->wq, readable(tty) > 0 || READ_ONCE(tty->hung_up), timeout);
    if (READ_ONCE(tty->hung_up) || (w && total))
      return total;
    if (w == -EAGAIN && !nonblock)
      return 0; /* VMIN = VTIME = 0: nothing there */
    if (w == -ETIMEDOUT)
      return 0; /* VMIN = 0: VTIME passed without a byte */
    if (w)
      return w; /* a signal, or EAGAIN for O_NONBLOCK */
    bool stop;
    ssize_t n = copy_input(tty, u, &stop);
    if (n < 0)
      return total ? total : n;
    total += n;
    if (stop || (size_t)total >= rw.want)
      return total;
    if (total)
      timeout = rw.gap;
  }
}

ssize_t tty_read(struct file *f, struct uio *u, off_t *pos)
{
  (void)pos;
  struct tty *tty = f->priv;
  int r = job_control_check(tty, SIGTTIN);
  if (r)
    return r;
  if (mutex_lock_interruptible(&tty->read_lock))
    return -ERESTARTSYS;
  ssize_t n = read_locked(tty, f, u);
  mutex_unlock(&tty->read_lock);
  return n;
}

/* Room for output now: none while output is stopped (tty->lock held). */
static size_t write_room(struct tty *tty)
{
  return tty->stopped ? 0 : tty->driver->write_room(tty);
}

static bool can_write(struct tty *tty)
{
  spin_lock(&tty->lock);
  bool ok = write_room(tty) >= OUTPUT_MIN_ROOM || tty->hung_up;
  spin_unlock(&tty->lock);
  return ok;
}

/*
 * Send bytes from buf out with output processing (ONLCR), as far as the
 * driver has room. Returns how many bytes of buf went (tty->lock held).
 */
static size_t output_locked(struct tty *tty, const char *buf, size_t n)
{
  char out[512];
  size_t room = MIN(write_room(tty), sizeof(out));
  bool onlcr = (tty->termios.c_oflag & OPOST) && (tty->termios.c_oflag & ONLCR);
  size_t i, m = 0;
  for (i = 0; i < n; i++) {
    bool crlf = onlcr && buf[i] == '\n';
    if (m + (crlf ? 2 : 1) > room)
      break;
    if (crlf)
      out[m++] = '\r';
    out[m++] = buf[i];
  }
  if (m)
    tty->driver->write(tty, out, m);
  return i;
}

ssize_t tty_write(struct file *f, struct uio *u, off_t *pos)
{
  (void)pos;
  struct tty *tty = f->priv;
  if (READ_ONCE(tty->hung_up))
    return -EIO;
  if (tty->termios.c_lflag & TOSTOP) {
    int r = job_control_check(tty, SIGTTOU);
    if (r)
      return r;
  }
  uint64_t timeout = (f->flags & O_NONBLOCK) ? 0 : WAIT_FOREVER;
  char in[256];
  ssize_t total = 0;
  long err = 0;
  if (mutex_lock_interruptible(&tty->write_lock))
    return -ERESTARTSYS;
  while (u->resid > 0 && !err) {
    /* A chunk is written whole or not at all (Linux's tty_write): bytes
     * before a fault in the same chunk are dropped. */
    size_t want = MIN(u->resid, sizeof(in));
    long n = uio_copy_from(u, in, want);
    if (n < (long)want) {
      err = -EFAULT;
      break;
    }
    long done = 0;
    while (done < n) {
      err = wait_event(&tty->wq, can_write(tty), timeout);
      if (!err && READ_ONCE(tty->hung_up))
        err = -EIO;
      if (err)
        break;
      spin_lock(&tty->lock);
      done += output_locked(tty, in + done, n - done);
      spin_unlock(&tty->lock);
    }
    total += done;
  }
  mutex_unlock(&tty->write_lock);
  return total ? total : err;
}

/* Input enough for POLLIN: in raw mode with VMIN > 0 and VTIME = 0, VMIN
 * bytes, since a read would wait for them (as Linux's input_available_p). */
static bool poll_readable(struct tty *tty)
{
  const struct ktermios *t = &tty->termios;
  size_t need = 1;
  if (!(t->c_lflag & ICANON) && t->c_cc[VMIN] > 0 && t->c_cc[VTIME] == 0)
    need = t->c_cc[VMIN];
  return readable(tty) >= need;
}

unsigned tty_poll(struct file *f, struct poll_table *pt)
{
  struct tty *tty = f->priv;
  poll_wait(f, &tty->wq, pt);
  if (READ_ONCE(tty->hung_up))
    return POLLIN | POLLOUT | POLLERR | POLLHUP | POLLRDNORM | POLLWRNORM;
  unsigned mask = 0;
  if (poll_readable(tty))
    mask |= POLLIN | POLLRDNORM;
  if (can_write(tty))
    mask |= POLLOUT | POLLWRNORM;
  return mask;
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
void tty_hangup(struct tty *tty)
{
  spin_lock(&tty->lock);
  tty->hung_up = true;
  pid_t sid = tty->session, pgrp = tty->pgrp;
  spin_unlock(&tty->lock);
  wake_up_events(&tty->wq, POLLIN | POLLOUT | POLLERR | POLLHUP);
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

static int set_termios(struct tty *tty, unsigned cmd, uint64_t arg)
{
  struct ktermios t;
  if (copyin(&t, arg, sizeof(t)))
    return -EFAULT;
  int r = job_control_check(tty, SIGTTOU);
  if (r)
    return r;
  spin_lock(&tty->lock);
  if (cmd == TCSETSF)
    flush_input(tty);
  bool was_canon = tty->termios.c_lflag & ICANON;
  bool canon = t.c_lflag & ICANON;
  tty->termios = t;
  if (was_canon && !canon)
    tty->line_end = tty->head; /* the partial line becomes readable */
  if (was_canon != canon)
    input_room_changed(tty); /* tty_receive_room() counts differently */
  if (!(t.c_iflag & IXON) && tty->stopped)
    start_output(tty);
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
  case TCSETS:
  case TCSETSW:
  case TCSETSF:
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
    int r = job_control_check(tty, SIGTTOU);
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
  int r = job_control_check(tty, SIGTTOU);
  if (r)
    return r;
  spin_lock(&tty->lock);
  char c = 0;
  switch (arg) {
  case TCOOFF:
    tty->stopped = true;
    break;
  case TCOON:
    start_output(tty);
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
  int r = job_control_check(tty, SIGTTOU);
  if (r)
    return r;
  if (arg != TCIFLUSH && arg != TCOFLUSH && arg != TCIOFLUSH)
    return -EINVAL;
  if (arg != TCOFLUSH) {
    spin_lock(&tty->lock);
    flush_input(tty);
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
    uint32_t n = (uint32_t)readable(tty);
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
  spin_lock(&proc_lock);
  struct tty *tty = current->proc->ctty;
  if (tty)
    tty_get(tty);
  spin_unlock(&proc_lock);
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
