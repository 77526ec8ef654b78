/*
 * epoll.h — epoll instances (fs/epoll.c); eventfd is fs/eventfd.c,
 * anonymous files fs/anon_inodes.h.
 *
 * Layer: fs, a file kind; the header stays in kern/ for kmain and
 * kern/sys_kcmp.c. Locks: ep->mtx > ep->lock > file wait-queue locks
 * (fs/epoll.c).
 */
#ifndef KITE_EPOLL_H
#define KITE_EPOLL_H
struct file;
struct file_ops;
/* Register epoll's release hook with fs/file.c (kmain, before any file
 * is opened): a watched file's last fput drops its epoll items. */
void epoll_init(void);
/* kcmp: the file an epoll item watches (not referenced), or ERR_PTR. */
struct file *epoll_target_file(struct file *ef, int tfd, unsigned long toff);
#endif
