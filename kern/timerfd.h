/*
 * timerfd.h — timers read through a file descriptor (fs/timerfd.c).
 * Layer: fs (a file type). Its system calls are in the syscall table.
 */
#ifndef KITE_TIMERFD_H
#define KITE_TIMERFD_H
/* At boot, before other harts run: register with kern/time.c so that
 * absolute real-time timerfds follow the clock when it is set. */
void timerfd_init(void);
#endif
