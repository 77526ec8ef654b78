/* pipe.h — pipes (kern/pipe.c). */
#ifndef KITE_PIPE_H
#define KITE_PIPE_H
int do_pipe2(int fds[2], int flags);
#endif
