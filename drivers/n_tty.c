/*
 * n_tty.c — the terminal line discipline (Linux's N_TTY): input editing
 * (canonical mode, echo, erase and kill, signal characters, flow control),
 * job-control checks, and the read, write and poll every kind of terminal
 * shares. Terminals themselves, sessions and ioctls are in tty.c.
 *
 * Layer: drivers, over the core (signals, wait queues). Neighbours: the
 * drivers feed input with tty_receive (console.c from the UART interrupt,
 * pty.c from the master's writes) and output goes through tty->driver.
 * Locks: tty->lock (spinlock, any context) guards the ring and termios;
 * read_lock and write_lock (mutexes) serialise read(2) and write(2).
 */
#include "drivers/tty.h"
#include "drivers/tty_ioctl.h"
#include "fs/fs_abi.h"
#include "fs/file.h"
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
void tty_input_room_changed(struct tty *tty)
{
  if (tty->driver->input_taken)
    tty->driver->input_taken(tty);
}

/* Drop all input (tty->lock held). The indexes only grow, so a reader
 * that copied bytes out before the flush can tell (consume_input). Every
 * flush (a signal character, TCFLSH, TCSETSF) makes room. */
void tty_flush_input(struct tty *tty)
{
  tty->tail = tty->line_end = tty->head;
  tty_input_room_changed(tty);
}

/* Output starts again (^Q, TCOON): wake the writers (tty->lock held). */
void tty_start_output(struct tty *tty)
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
      tty_start_output(tty);
      continue;
    }
    if ((t->c_iflag & IXON) && is_cc(t, c, VSTOP)) {
      tty->stopped = true;
      continue;
    }
    int s = signal_char(t, c);
    if (s) {
      if (!(t->c_lflag & NOFLSH))
        tty_flush_input(tty);
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
size_t tty_readable(struct tty *tty)
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
int tty_job_control_check(struct tty *tty, int sig)
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
  tty_input_room_changed(tty);
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
    long w = wait_event(&tty->wq, tty_readable(tty) > 0 || READ_ONCE(tty->hung_up), timeout);
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
  int r = tty_job_control_check(tty, SIGTTIN);
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
    int r = tty_job_control_check(tty, SIGTTOU);
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
  return tty_readable(tty) >= need;
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
