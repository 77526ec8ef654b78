/*
 * tty.h — terminals: the line discipline between a device and the
 * programs reading and writing it, and controlling terminals.
 *
 * There are two kinds of terminal, each a `struct tty` with a driver:
 *   the console   (drivers/console.c)  bytes go to the serial port; the
 *                                      UART interrupt feeds typed bytes in
 *   pty slaves    (drivers/pty.c)      /dev/pts/N; bytes go to the pty
 *                                      master, whose writes feed them in
 * Both share one line discipline (drivers/tty.c):
 *
 * Input: the device hands received bytes to tty_receive(). In canonical
 * mode (ICANON) bytes collect into lines the user can edit (erase, kill)
 * and a read returns a whole line; otherwise VMIN and VTIME say how many
 * bytes a read waits for, and how long (tty.c: read_wait_of). ISIG turns ^C, ^\ and ^Z into SIGINT, SIGQUIT and SIGTSTP for the
 * foreground process group. ECHO echoes. IXON: ^S stops output, ^Q
 * starts it again.
 * Output: write(2) goes out through the driver, with \n turned into \r\n
 * when OPOST|ONLCR; a writer waits while the driver has no room.
 *
 * Controlling terminal: a session leader without one that opens a
 * terminal (without O_NOCTTY) acquires it, as on Linux; TIOCSCTTY does it
 * explicitly. The terminal then knows its session and foreground process
 * group; every process of the session points at it (process->ctty, a
 * counted reference). When the session leader exits, the foreground group
 * gets SIGHUP and the session loses the terminal. A hangup (the pty
 * master closed) sends the session leader SIGHUP and SIGCONT; the
 * terminal's files then read 0 (end of file) and fail writes with EIO.
 *
 * Lock order: proc_lock > tty->lock > wait_queue locks. Signals are sent
 * after tty->lock is released (kill_pgrp takes proc_lock). process->ctty
 * is proc_lock's, a tty's session and pgrp are tty->lock's; acquiring a
 * terminal holds both, so its checks and its changes are one step.
 *
 * Layer: drivers (drivers/tty.c: terminals and sessions; n_tty.c: the
 * line discipline; console.c and pty.c: the two drivers). Below: kern/
 * (signals to process groups, wait queues, proc_lock). Above: the file
 * layer opens terminals through their character devices; the process
 * layer reaches the controlling terminal only through the hooks ctty_init
 * registers (kern/proc_resource.h), devpts through struct pty_fs_ops.
 */
#ifndef KITE_TTY_H
#define KITE_TTY_H

#include "kern/types.h"
#include "kern/wait.h"
#include "kern/param.h"

/* termios bits and control characters (asm-generic, as Linux riscv64) */
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
#define VSTART 8
#define VSTOP 9
#define VSUSP 10
#define VEOL 11
#define VREPRINT 12
#define VDISCARD 13
#define VWERASE 14
#define VLNEXT 15
#define VEOL2 16

#define NCCS 19
struct ktermios {                 /* Linux's kernel struct termios (TCGETS) */
  uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
  uint8_t c_line;
  uint8_t c_cc[NCCS];
};
STATIC_ASSERT(sizeof(struct ktermios) == 36);

#define NCC 8
struct termio {                   /* the System V struct termio (TCGETA): */
  uint16_t c_iflag, c_oflag, c_cflag, c_lflag; /* each flag's low 16 bits */
  uint8_t c_line;
  uint8_t c_cc[NCC];              /* the first NCC control characters */
};
STATIC_ASSERT(sizeof(struct termio) == 18);

struct winsize {
  uint16_t ws_row, ws_col, ws_xpixel, ws_ypixel;
};

struct tty;
struct file;
struct file_ops;
struct process;
struct uio;
struct poll_table;

/* What makes one kind of terminal different from another. */
struct tty_driver {
  const struct file_ops *fops;    /* operations of its open files */
  /* Send bytes out (writes, after output processing, and echoes).
   * tty->lock held; must not sleep. Returns how many were taken. */
  size_t (*write)(struct tty *tty, const char *buf, size_t n);
  /* How many bytes write() would take now (tty->lock held). */
  size_t (*write_room)(struct tty *tty);
  /* Room for input may have grown (a read took bytes, a flush dropped
   * them, ICANON changed): whoever feeds the tty may go on (tty->lock
   * held; must not sleep). */
  void (*input_taken)(struct tty *tty);
  /* A file opened the tty (may refuse) / the file was closed. */
  int (*open)(struct tty *tty, struct file *f);
  void (*close)(struct tty *tty, struct file *f);
  /* The last reference went away: free it. */
  void (*destroy)(struct tty *tty);
};

struct tty {
  const struct tty_driver *driver;
  dev_t dev;                      /* the device number (5:1, 136:N) */
  int refcount;                   /* atomic: open files, controlling processes, the driver */

  struct spinlock lock;           /* protects everything below */
  struct ktermios termios;
  struct winsize winsize;
  pid_t pgrp;                     /* foreground process group, 0 if none */
  pid_t session;                  /* session it controls, 0 if none */
  bool hung_up;                   /* reads give 0, writes and ioctls EIO */
  bool stopped;                   /* output stopped (^S or TCOOFF) */

  /* input ring: [tail, head) holds bytes; [tail, line_end) is readable in
   * canonical mode; [line_end, head) is the line being edited. The
   * indexes only grow (the ring slot is index % TTY_INPUT_SIZE). */
  uint8_t in[TTY_INPUT_SIZE];
  uint8_t in_eol[TTY_INPUT_SIZE]; /* 1: ends a line, 2: EOF marker (not data) */
  uint32_t head, tail, line_end;

  struct wait_queue wq;           /* readers, writers and pollers of this tty */
  struct mutex read_lock;         /* one read(2) at a time: each gets its own bytes */
  struct mutex write_lock;        /* one write(2) at a time: output stays whole */
};

extern struct tty *console_tty;
/* Linux's standard settings for a new terminal (tty_std_termios, no HUPCL). */
extern const struct ktermios tty_std_termios;

/* ---- drivers/tty.c: terminals, their files, controlling terminals ---- */
/* Set up a tty (its memory zeroed) of driver's kind with termios and
 * device number dev; the caller holds the one reference it starts with. */
void tty_init(struct tty *tty, const struct tty_driver *driver, const struct ktermios *termios,
              dev_t dev);
/* Take a reference (the caller holds one, or proc_lock while a process
 * points at tty); or take one only if tty is not being freed (false).
 * Drop one: the last lets the driver free the tty (driver->destroy). All
 * atomic; tty_put with no tty->lock held. */
void tty_get(struct tty *tty);
bool tty_get_unless_zero(struct tty *tty);
void tty_put(struct tty *tty);
/* Bytes received by the device (the UART interrupt, a pty master's
 * write), through the line discipline: input, echo, and ISIG's signals
 * to the foreground group (sent after tty->lock is dropped). Any
 * context; takes tty->lock. tty_receive_room: how many it can take now
 * without dropping any a reader could still get. */
void tty_receive(struct tty *tty, const uint8_t *buf, size_t n);
size_t tty_receive_room(struct tty *tty);
/* A driver's open: attach the new file f to tty (its reference), after
 * driver->open; a session leader without a terminal acquires it (unless
 * O_NOCTTY). 0 or the driver's error. */
int tty_file_open(struct tty *tty, struct file *f);
/* The device side went away (a pty master closed): readers get 0, writers
 * EIO, pollers POLLHUP; the session leader gets SIGHUP and SIGCONT and
 * the session loses the terminal. Takes tty->lock, then proc_lock. */
void tty_hangup(struct tty *tty);
/* vhangup(2) of the caller's controlling terminal (the caller checked
 * CAP_SYS_TTY_CONFIG): hang up its session only. No lock held. */
void tty_vhangup_self(void);
/* p's last thread exited (a proc_resource hook): a session leader's exit
 * sends the foreground group SIGHUP and detaches the session. */
void tty_process_exit(struct process *p);
/* tty's device number (/proc/<pid>/stat's tty_nr). */
dev_t tty_devnum(struct tty *tty);
/* Boot: the character device /dev/tty (5:0), the caller's controlling
 * terminal. */
void tty_register_devices(void);
/* Hand clone and exit the controlling terminal (kern/proc_resource.h: a
 * child inherits its parent's, a session leader's exit hangs it up).
 * kmain, once, before the first process. */
void ctty_init(void);

/* The file operations every kind of tty shares (a driver's fops use them). */
ssize_t tty_read(struct file *f, struct uio *u, off_t *pos);
ssize_t tty_write(struct file *f, struct uio *u, off_t *pos);
unsigned tty_poll(struct file *f, struct poll_table *pt);
int tty_ioctl(struct file *f, unsigned cmd, uint64_t arg);
void tty_release(struct file *f);
/* The ioctls the pty master passes on to its slave (Linux does the same). */
int tty_ioctl_via_master(struct tty *tty, unsigned cmd, uint64_t arg);

/* drivers/n_tty.c: what tty.c needs of the line discipline (tty->lock held
 * unless said otherwise) */
void tty_flush_input(struct tty *tty);         /* drop all input (TCIFLUSH, hang-up) */
void tty_input_room_changed(struct tty *tty);  /* input was taken: wake writers into it */
void tty_start_output(struct tty *tty);        /* output restarted (^Q, TCOON) */
size_t tty_readable(struct tty *tty);          /* bytes a read could take now */
/* Job control for the caller on tty (no lock held): 0 to go on, or the
 * error to return (SIGTTIN/SIGTTOU sent to its group: -ERESTARTSYS). */
int tty_job_control_check(struct tty *tty, int sig);

/* drivers/console.c: set up the serial console's tty and its devices
 * (/dev/console, /dev/ttyS0); uart_init calls it at boot. */
void console_tty_init(void);

/* drivers/pty.c: pseudo-terminals (/dev/ptmx, /dev/pts/N) */
#define PTY_SLAVE_MAJOR 136      /* /dev/pts/N is character device 136:N */
/* Boot: register /dev/ptmx (5:2) and the slaves' major. */
void pty_init(void);
/*
 * What the pty driver needs of the file layer, given once at boot by
 * fs/devpts.c (devpts_init), so the driver names no file-system code:
 * the /dev/pts/<index> node of a pair, and TIOCGPTPEER's open of the
 * slave. Called with no locks held.
 */
struct pty_fs_ops {
  int (*add_node)(int index);              /* 0 or -errno */
  void (*remove_node)(int index);
  /* Open /dev/pts/<index> as a new descriptor (O_CLOEXEC in flags
   * honoured): the descriptor, -EIO if what opened is not the tty whose
   * file priv is `slave` (something else mounted there), or -errno. */
  int (*open_slave)(int index, int flags, const void *slave);
};
void pty_set_fs_ops(const struct pty_fs_ops *ops);

#endif
