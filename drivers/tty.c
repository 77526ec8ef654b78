/*
 * tty.c — the terminal line discipline and the tty character devices
 * (/dev/console, /dev/tty, /dev/ttyS0). See tty.h.
 */
#include "drivers/tty.h"
#include "fs/vfs.h"
#include "fs/devfs.h"
#include "kern/task.h"
#include "kern/mm.h"
#include "kern/poll.h"
#include "kern/uio.h"
#include "kern/vm.h"
#include "kern/printk.h"
#include <string.h>

/* termios bits (asm-generic) */
#define IGNBRK 0000001
#define BRKINT 0000002
#define ISTRIP 0000040
#define INLCR 0000100
#define IGNCR 0000200
#define ICRNL 0000400
#define IXON 0002000
#define IMAXBEL 0020000
#define IUTF8 0040000
#define OPOST 0000001
#define ONLCR 0000004
#define CS8 0000060
#define CREAD 0000200
#define B38400 0000017
#define ISIG 0000001
#define ICANON 0000002
#define ECHO 0000010
#define ECHOE 0000020
#define ECHOK 0000040
#define ECHONL 0000100
#define NOFLSH 0000200
#define TOSTOP 0000400
#define ECHOCTL 0001000
#define ECHOKE 0004000
#define IEXTEN 0100000
#define VINTR 0
#define VQUIT 1
#define VERASE 2
#define VKILL 3
#define VEOF 4
#define VTIME 5
#define VMIN 6
#define VSUSP 10
#define VEOL 11
#define VWERASE 14
#define VLNEXT 15
#define VEOL2 16

/* ioctl numbers */
#define TCGETS 0x5401
#define TCSETS 0x5402
#define TCSETSW 0x5403
#define TCSETSF 0x5404
#define TCFLSH 0x540B
#define TIOCSCTTY 0x540E
#define TIOCGPGRP 0x540F
#define TIOCSPGRP 0x5410
#define TIOCOUTQ 0x5411
#define TIOCGWINSZ 0x5413
#define TIOCSWINSZ 0x5414
#define FIONREAD 0x541B
#define TIOCNOTTY 0x5422
#define TIOCGSID 0x5429
#define TCXONC 0x540A

#define EOL_LINE 1
#define EOL_EOF 2

struct tty *console_tty;

struct tty *tty_create(const char *name, void (*output)(const char *, size_t), dev_t dev)
{
  struct tty *tty = kzalloc(sizeof(*tty));
  if (!tty)
    panic("tty_create: out of memory");
  spin_init(&tty->lock, "tty");
  tty->name = name;
  tty->output = output;
  tty->dev = dev;
  wait_queue_init(&tty->read_wq);
  wait_queue_init(&tty->write_wq);
  mutex_init(&tty->write_lock, "tty-write");
  struct ktermios *t = &tty->termios;
  t->c_iflag = ICRNL | IXON | IMAXBEL | IUTF8;
  t->c_oflag = OPOST | ONLCR;
  t->c_cflag = B38400 | CS8 | CREAD;
  t->c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN;
  t->c_cc[VINTR] = 3;    /* ^C */
  t->c_cc[1] = 28;       /* VQUIT ^\ */
  t->c_cc[VERASE] = 127;
  t->c_cc[VKILL] = 21;   /* ^U */
  t->c_cc[VEOF] = 4;     /* ^D */
  t->c_cc[VMIN] = 1;
  t->c_cc[VSUSP] = 26;   /* ^Z */
  t->c_cc[VWERASE] = 23; /* ^W */
  t->c_cc[VLNEXT] = 22;  /* ^V */
  t->c_cc[8] = 17;       /* VSTART ^Q */
  t->c_cc[9] = 19;       /* VSTOP ^S */
  t->c_cc[12] = 18;      /* VREPRINT ^R */
  t->c_cc[13] = 15;      /* VDISCARD ^O */
  tty->winsize.ws_row = 24;
  tty->winsize.ws_col = 80;
  return tty;
}

#define RING(i) ((i) % TTY_INPUT_SIZE)

/* Echo bytes (called with tty->lock held; output is polled so this is safe). */
static void echo(struct tty *tty, const char *s, size_t n)
{
  if (tty->termios.c_lflag & ECHO)
    tty->output(s, n);
}

static void echo_char(struct tty *tty, uint8_t c)
{
  struct ktermios *t = &tty->termios;
  if (!(t->c_lflag & ECHO)) {
    if (c == '\n' && (t->c_lflag & ECHONL) && (t->c_lflag & ICANON))
      tty->output("\r\n", 2);
    return;
  }
  if (c == '\n') {
    echo(tty, (t->c_oflag & OPOST) && (t->c_oflag & ONLCR) ? "\r\n" : "\n",
         (t->c_oflag & OPOST) && (t->c_oflag & ONLCR) ? 2 : 1);
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
      tty->output("\b \b", 3);
  }
}

static void put_input(struct tty *tty, uint8_t c, uint8_t eol)
{
  if (tty->head - tty->tail >= TTY_INPUT_SIZE - 1)
    return; /* full: drop, as a real tty does */
  tty->in[RING(tty->head)] = c;
  tty->in_eol[RING(tty->head)] = eol;
  tty->head++;
  if (eol || !(tty->termios.c_lflag & ICANON))
    tty->line_end = tty->head;
}

static void flush_input(struct tty *tty)
{
  tty->head = tty->tail = tty->line_end = 0;
}

/* Process received bytes (interrupt context). */
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
    if (c == '\r') {
      if (t->c_iflag & IGNCR)
        continue;
      if (t->c_iflag & ICRNL)
        c = '\n';
    } else if (c == '\n' && (t->c_iflag & INLCR)) {
      c = '\r';
    }
    if (t->c_lflag & ISIG) {
      int s = 0;
      if (c == t->c_cc[VINTR])
        s = SIGINT;
      else if (c == t->c_cc[1])
        s = SIGQUIT;
      else if (c == t->c_cc[VSUSP])
        s = SIGTSTP;
      if (s) {
        if (!(t->c_lflag & NOFLSH))
          flush_input(tty);
        echo_char(tty, c);
        sig = s;
        pgrp = tty->pgrp;
        continue;
      }
    }
    if (t->c_lflag & ICANON) {
      if (c == t->c_cc[VERASE] || c == '\b') {
        erase_one(tty);
        continue;
      }
      if (c == t->c_cc[VKILL]) {
        while (tty->head != tty->line_end)
          erase_one(tty);
        continue;
      }
      if (c == t->c_cc[VWERASE] && (t->c_lflag & IEXTEN)) {
        while (tty->head != tty->line_end && tty->in[RING(tty->head - 1)] == ' ')
          erase_one(tty);
        while (tty->head != tty->line_end && tty->in[RING(tty->head - 1)] != ' ')
          erase_one(tty);
        continue;
      }
      if (c == t->c_cc[VEOF]) {
        put_input(tty, 0, EOL_EOF);
        continue;
      }
      if (c == '\n' || (c && (c == t->c_cc[VEOL] || c == t->c_cc[VEOL2]))) {
        put_input(tty, c, EOL_LINE);
        echo_char(tty, c);
        continue;
      }
    }
    put_input(tty, c, 0);
    echo_char(tty, c);
  }
  spin_unlock(&tty->lock);
  wake_up_events(&tty->read_wq, POLLIN);
  if (sig && pgrp > 0)
    kill_pgrp(pgrp, sig, NULL);
}

/* Bytes a read could take now (canonical: complete lines only). */
static size_t readable(struct tty *tty)
{
  if (tty->termios.c_lflag & ICANON)
    return tty->line_end - tty->tail;
  return tty->head - tty->tail;
}

/*
 * A background process reading from its controlling terminal gets SIGTTIN
 * (job control). Returns 0 to go on, or an error to return.
 */
static int job_control_check(struct tty *tty, int sig)
{
  struct process *p = current->proc;
  if (p->ctty != tty || tty->pgrp == 0 || p->pgid == tty->pgrp)
    return 0;
  struct sighand *sh = current->sighand;
  if ((current->blocked & SIGMASK(sig)) || sh->action[sig - 1].handler == SIG_IGN)
    return sig == SIGTTIN ? -EIO : 0;
  kill_pgrp(p->pgid, sig, NULL);
  return -ERESTARTSYS;
}

static ssize_t tty_read(struct file *f, struct uio *u, off_t *pos)
{
  (void)pos;
  struct tty *tty = tty_from_file(f);
  int r = job_control_check(tty, SIGTTIN);
  if (r)
    return r;
  struct ktermios *t = &tty->termios;
  bool canon = t->c_lflag & ICANON;
  uint64_t timeout = WAIT_FOREVER;
  if (f->flags & O_NONBLOCK)
    timeout = 0;
  else if (!canon && t->c_cc[VMIN] == 0)
    timeout = (uint64_t)t->c_cc[VTIME] * 100 * NSEC_PER_MSEC; /* 0: poll */

  long w = wait_event(&tty->read_wq, readable(tty) > 0, timeout);
  if (w == -ERESTARTSYS)
    return -ERESTARTSYS;
  if (w == -EAGAIN && timeout == 0 && (f->flags & O_NONBLOCK))
    return -EAGAIN;
  if (w)
    return 0; /* VMIN == 0 timeout: no data */

  uint8_t buf[256];
  ssize_t total = 0;
  while (u->resid > 0) {
    size_t n = 0;
    bool line_done = false, eof = false;
    spin_lock(&tty->lock);
    size_t avail = readable(tty);
    while (n < sizeof(buf) && n < u->resid && avail > 0) {
      uint32_t i = RING(tty->tail);
      uint8_t eol = tty->in_eol[i];
      tty->tail++;
      avail--;
      if (eol == EOL_EOF) {
        eof = true;
        break;
      }
      buf[n++] = tty->in[i];
      if (canon && eol == EOL_LINE) {
        line_done = true;
        break;
      }
    }
    spin_unlock(&tty->lock);
    if (n) {
      long c = uio_copy_to(u, buf, n);
      if (c < 0)
        return total ? total : c;
      total += c;
    }
    if (line_done || eof || n == 0)
      break;
    if (canon == false && readable(tty) == 0)
      break;
  }
  return total;
}

static ssize_t tty_write(struct file *f, struct uio *u, off_t *pos)
{
  (void)pos;
  struct tty *tty = tty_from_file(f);
  if ((tty->termios.c_lflag & TOSTOP)) {
    int r = job_control_check(tty, SIGTTOU);
    if (r)
      return r;
  }
  char in[256], out[512];
  ssize_t total = 0;
  mutex_lock(&tty->write_lock);
  bool onlcr = (tty->termios.c_oflag & OPOST) && (tty->termios.c_oflag & ONLCR);
  while (u->resid > 0) {
    long n = uio_copy_from(u, in, MIN(u->resid, sizeof(in)));
    if (n <= 0) {
      if (!total)
        total = n;
      break;
    }
    size_t m = 0;
    for (long i = 0; i < n; i++) {
      if (onlcr && in[i] == '\n')
        out[m++] = '\r';
      out[m++] = in[i];
    }
    console_write_raw_locked(tty, out, m);
    total += n;
  }
  mutex_unlock(&tty->write_lock);
  return total;
}

static unsigned tty_poll(struct file *f, struct poll_table *pt)
{
  struct tty *tty = tty_from_file(f);
  poll_wait(f, &tty->read_wq, pt);
  unsigned mask = POLLOUT | POLLWRNORM;
  if (readable(tty) > 0)
    mask |= POLLIN | POLLRDNORM;
  return mask;
}

static int tty_set_pgrp(struct tty *tty, pid_t pgrp)
{
  if (pgrp <= 0)
    return -EINVAL;
  spin_lock(&proc_lock);
  bool found = false;
  struct process *p;
  list_for_each_entry(p, &all_processes, all_link)
    if (p->pgid == pgrp) /* zombies too, until reaped (as Linux) */
      found = true;
  spin_unlock(&proc_lock);
  if (!found)
    return -ESRCH;
  tty->pgrp = pgrp;
  return 0;
}

static int tty_ioctl(struct file *f, unsigned cmd, uint64_t arg)
{
  struct tty *tty = tty_from_file(f);
  struct process *p = current->proc;
  switch (cmd) {
  case TCGETS:
    return copyout(arg, &tty->termios, sizeof(tty->termios));
  case TCSETS:
  case TCSETSW:
  case TCSETSF: {
    struct ktermios t;
    if (copyin(&t, arg, sizeof(t)))
      return -EFAULT;
    spin_lock(&tty->lock);
    if (cmd == TCSETSF)
      flush_input(tty);
    bool was_canon = tty->termios.c_lflag & ICANON;
    tty->termios = t;
    if (was_canon && !(t.c_lflag & ICANON))
      tty->line_end = tty->head; /* the partial line becomes readable */
    spin_unlock(&tty->lock);
    wake_up(&tty->read_wq);
    return 0;
  }
  case TIOCGWINSZ:
    return copyout(arg, &tty->winsize, sizeof(tty->winsize));
  case TIOCSWINSZ:
    return copyin(&tty->winsize, arg, sizeof(tty->winsize)) ? -EFAULT : 0;
  case TIOCGPGRP: {
    uint32_t pg = (uint32_t)tty->pgrp;
    return copyout(arg, &pg, 4);
  }
  case TIOCSPGRP: {
    uint32_t pg;
    if (copyin(&pg, arg, 4))
      return -EFAULT;
    if (p->ctty != tty)
      return -ENOTTY;
    return tty_set_pgrp(tty, (pid_t)pg);
  }
  case TIOCGSID: {
    if (p->ctty != tty || tty->session == 0)
      return -ENOTTY;
    uint32_t sid = (uint32_t)tty->session;
    return copyout(arg, &sid, 4);
  }
  case TIOCSCTTY:
    if (p->sid != p->pid)
      return -EPERM;
    if (p->ctty == tty)
      return 0;
    if (tty->session && tty->session != p->sid && arg != 1)
      return -EPERM;
    tty->session = p->sid;
    tty->pgrp = p->pgid;
    p->ctty = tty;
    return 0;
  case TIOCNOTTY:
    if (p->ctty != tty)
      return -ENOTTY;
    p->ctty = NULL;
    return 0;
  case FIONREAD: {
    uint32_t n = (uint32_t)readable(tty);
    return copyout(arg, &n, 4);
  }
  case TIOCOUTQ: {
    uint32_t n = 0;
    return copyout(arg, &n, 4);
  }
  case TCFLSH:
    if (arg == 0 || arg == 2) {
      spin_lock(&tty->lock);
      flush_input(tty);
      spin_unlock(&tty->lock);
    }
    return 0;
  case TCXONC:
    return 0;
  default:
    return -ENOTTY;
  }
}

/*
 * Opening a terminal: a session leader without a controlling terminal
 * acquires it (unless O_NOCTTY), as on Linux.
 */
static int tty_open(struct inode *ino, struct file *f)
{
  (void)ino;
  struct tty *tty = tty_from_file(f);
  if (!tty)
    return -ENXIO;
  struct process *p = current->proc;
  if (!(f->flags & O_NOCTTY) && p->sid == p->pid && !p->ctty && tty->session == 0) {
    tty->session = p->sid;
    tty->pgrp = p->pgid;
    p->ctty = tty;
  }
  return 0;
}

static const struct file_ops tty_fops = {
  .read = tty_read,
  .write = tty_write,
  .poll = tty_poll,
  .ioctl = tty_ioctl,
  .open = tty_open,
};

/* /dev/tty: the caller's controlling terminal. */
static int devtty_open(struct inode *ino, struct file *f)
{
  (void)ino;
  if (!current->proc->ctty)
    return -ENXIO;
  f->priv = current->proc->ctty;
  f->fop = &tty_fops;
  return 0;
}

static const struct file_ops devtty_fops = {
  .open = devtty_open,
};

struct tty *tty_from_file(struct file *f)
{
  if (f->priv)
    return f->priv;
  return console_tty;
}

/* The session leader exited: its terminal is no longer controlled. */
void tty_session_leave(pid_t sid)
{
  if (console_tty && console_tty->session == sid) {
    console_tty->session = 0;
    console_tty->pgrp = 0;
  }
}

/* Write already-translated bytes to the terminal's device. */
void console_write_raw_locked(struct tty *tty, const char *s, size_t n)
{
  if (tty == console_tty)
    console_write(s, n);
  else
    tty->output(s, n);
}

void tty_register_devices(void)
{
  chrdev_register(MKDEV(5, 1), "console", &tty_fops);
  chrdev_register(MKDEV(4, 64), "ttyS0", &tty_fops);
  chrdev_register(MKDEV(5, 0), "tty", &devtty_fops);
}

bool file_is_tty(struct file *f)
{
  return f->fop == &tty_fops;
}
