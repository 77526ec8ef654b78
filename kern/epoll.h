/* epoll.h — epoll instances and eventfd (kern/epoll.c). */
#ifndef KITE_EPOLL_H
#define KITE_EPOLL_H
struct file;
void eventpoll_release(struct file *f);  /* the file is going away */
#endif
