/* epoll.h — epoll instances, eventfd and anonymous files (fs/epoll.c). */
#ifndef KITE_EPOLL_H
#define KITE_EPOLL_H
struct file;
struct file_ops;
void eventpoll_release(struct file *f);  /* the file is going away */
/* A file with no path for an in-kernel object (timerfd.c, signalfd.c too). */
struct file *anon_file(const struct file_ops *fops, void *priv, int flags);
/* kcmp: the file an epoll item watches (not referenced), or ERR_PTR. */
struct file *epoll_target_file(struct file *ef, int tfd, unsigned long toff);
#endif
