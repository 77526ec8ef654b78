/*
 * tty_ioctl.h — the ioctl numbers of Linux's asm-generic/ioctls.h (riscv64
 * uses them): the terminal ioctls, the pseudo-terminal ones, and the FIO*
 * file ioctls that share the table (FIONREAD also answers for pipes and
 * regular files). One copy, so the tty code, the pty master, pipes and
 * sys_ioctl cannot disagree.
 *
 * Layer: drivers (constants only), included by fs/ (pipes, sys_ioctl)
 * too. No locks.
 */
#ifndef KITE_TTY_IOCTL_H
#define KITE_TTY_IOCTL_H

/* terminal modes, window size, job control (drivers/tty.c) */
#define TCGETS 0x5401
#define TCSETS 0x5402
#define TCSETSW 0x5403
#define TCSETSF 0x5404
#define TCGETA 0x5405            /* the same, with the old struct termio */
#define TCSETA 0x5406
#define TCSETAW 0x5407
#define TCSETAF 0x5408
#define TCSBRK 0x5409
#define TCXONC 0x540A
#define TCFLSH 0x540B
#define TIOCSCTTY 0x540E
#define TIOCGPGRP 0x540F
#define TIOCSPGRP 0x5410
#define TIOCOUTQ 0x5411
#define TIOCGWINSZ 0x5413
#define TIOCSWINSZ 0x5414
#define TIOCNOTTY 0x5422
#define TCSBRKP 0x5425
#define TIOCGSID 0x5429

/* the pty master (drivers/pty.c) */
#define TIOCGPTN 0x80045430
#define TIOCSPTLCK 0x40045431
#define TIOCGPTLCK 0x80045439
#define TIOCGPTPEER 0x5441

/* file ioctls (fs/sys_open.c; FIONREAD: ttys, pipes, regular files) */
#define FIONREAD 0x541B
#define FIONBIO 0x5421
#define FIONCLEX 0x5450
#define FIOCLEX 0x5451
#define FIOASYNC 0x5452

/* TCXONC arguments */
#define TCOOFF 0
#define TCOON 1
#define TCIOFF 2
#define TCION 3

/* TCFLSH arguments */
#define TCIFLUSH 0
#define TCOFLUSH 1
#define TCIOFLUSH 2

#endif
