/*
 * netlink.c — AF_NETLINK sockets: the socket side (port ids, the receive
 * queue, sendmsg/recvmsg, options), building messages, acks, and the
 * running of dumps. The one family Kite has, NETLINK_ROUTE (how busybox
 * ip, iproute2 and musl's getifaddrs()/if_nameindex() list interfaces,
 * addresses and routes), is net/rtnetlink.c, reached through the
 * struct nl_family the socket was created with (net/netlink_sock.h).
 *
 * Layer: a protocol under the SocketTable (net/socket.c), beside unix.c.
 * A netlink socket talks to the kernel in messages (net/netlink.h: a
 * header, a family header, attributes). sendmsg copies the user's buffer
 * of requests in and hands it to the "kernel side" (the family's request
 * hook: rtnetlink.c), which answers by queueing *parts* on the
 * sender's own receive queue: a part is one datagram holding one or more
 * whole messages, and recvmsg takes one part per call (the rest of a part
 * that does not fit the caller's buffer is dropped: MSG_TRUNC).
 *
 * Dumps (a GET request with NLM_F_DUMP) are sent the way Linux sends them:
 * in parts of up to part_size bytes, the next part built only when the
 * reader has taken the previous one, so a dump never needs more queue
 * than one part. The socket remembers how many objects (interfaces,
 * addresses, routes) it has sent (struct nl_dump); each part walks the
 * objects from the start in a fixed order, skips those, and adds what
 * fits. When nothing is left, NLMSG_DONE follows in a part of its own.
 *
 * What the family answers is in rtnetlink.c. Only the kernel (port 0) can
 * be written to: no messages between user sockets, no multicast
 * notifications.
 *
 * Limits: the receive queue holds at most SO_RCVBUF bytes (parts are
 * counted with their bookkeeping, like Linux's truesize). A reply that
 * does not fit is dropped; as on Linux, the next recvmsg then fails once
 * with ENOBUFS, and nothing more is queued until the reader has emptied
 * the queue (NETLINK_NO_ENOBUFS makes the drops silent).
 *
 * Locks: every field marked net_lock, and the list of netlink sockets
 * (port ids), belong to net_lock, like the datagram queues of dgram.h:
 * the replies are built from lwIP's interface list, which is net_lock's
 * anyway. rx_lock serialises readers, tx_lock senders. User memory is only
 * touched with no spinlock held. Functions marked "net_lock held" expect
 * it on entry and keep it.
 */
#include "net/netlink_sock.h"
#include "net/net.h"
#include "kern/task.h"
#include "kern/mm.h"
#include "kern/uio.h"
#include "kern/poll.h"
#include "kern/errno.h"
#include <string.h>

static LIST_HEAD(nl_socks);         /* every netlink socket (net_lock) */
static uint32_t nl_rover = NL_ROVER_START;  /* net_lock */
static const struct sock_ops netlink_ops;

static struct nl_sock *nl_of(struct socket *s)
{
  return s->proto;
}

/* ---- port ids ---- */

static bool portid_taken(uint32_t id)
{
  struct nl_sock *x;
  list_for_each_entry(x, &nl_socks, link)
    if (x->portid == id)
      return true;
  return false;
}

/* Give nl a port id: the process id, as Linux does, or if another socket
 * has that, the next free one counting down from -4096. net_lock held. */
static void autobind(struct nl_sock *nl)
{
  uint32_t id = (uint32_t)current->proc->pid;
  while (id == 0 || portid_taken(id)) {
    id = nl_rover--;
    if (nl_rover < 0x80000000u)
      nl_rover = NL_ROVER_START;  /* wrapped around: start again */
  }
  nl->portid = id;
}

/* ---- the receive queue ---- */

struct nl_part *nl_part_alloc(size_t size)
{
  struct nl_part *p = kmalloc(sizeof(*p) + size);
  if (p) {
    p->next = NULL;
    p->len = 0;
    p->size = size;
  }
  return p;
}

static void part_free_list(struct nl_part *p)
{
  while (p) {
    struct nl_part *next = p->next;
    kfree(p);
    p = next;
  }
}

/* Report an error to the next recvmsg. net_lock held. */
static void nl_set_error(struct nl_sock *nl, int err)
{
  nl->err = err;
  sock_wake(nl->sock, POLLERR | POLLIN | POLLRDNORM);
}

/* Append p to the queue, room or not (callers have checked). net_lock held. */
static void queue_append(struct nl_sock *nl, struct nl_part *p)
{
  if (nl->tail)
    nl->tail->next = p;
  else
    nl->head = p;
  nl->tail = p;
  nl->queued += NL_PART_COST(p->size);
  sock_wake(nl->sock, POLLIN | POLLRDNORM);
}

/*
 * Queue a reply, or drop it when the queue is full: an empty queue takes
 * any part, otherwise the total may not pass SO_RCVBUF. The first drop
 * makes the socket "congested" and leaves ENOBUFS for the reader (unless
 * NETLINK_NO_ENOBUFS); a congested socket takes nothing until its reader
 * has emptied the queue. net_lock held; p is queued or freed.
 */
void nl_part_send(struct nl_sock *nl, struct nl_part *p)
{
  bool room = !nl->head || nl->queued + NL_PART_COST(p->size) <= (size_t)nl->sock->rcvbuf;
  if (room && !nl->congested) {
    queue_append(nl, p);
    return;
  }
  kfree(p);
  if (nl->opt[NETLINK_NO_ENOBUFS] || nl->congested)
    return;
  nl->congested = true;
  nl_set_error(nl, ENOBUFS);
}

/*
 * netlink_deliver: queue len bytes on netlink socket s as one datagram
 * from the kernel — mq_notify's SIGEV_THREAD cookie (fs/mqueue.c), as
 * Linux's netlink_sendskb. Dropped like a reply when the queue is full.
 */
void netlink_deliver(struct socket *s, const void *data, size_t len)
{
  struct nl_part *p = nl_part_alloc(len);
  if (!p)
    return;
  memcpy(p->data, data, len);
  p->len = len;
  net_lock_acquire();
  nl_part_send(nl_of(s), p);
  net_lock_release();
}

/* ---- building messages into a part ---- */

/* len zeroed bytes (padded to 4) at the end of the part, or NULL if full. */
static void *put(struct nl_builder *b, size_t len)
{
  size_t need = NLMSG_ALIGN(len);
  if (b->full || b->p->len + need > b->p->size) {
    b->full = true;
    return NULL;
  }
  void *at = b->p->data + b->p->len;
  memset(at, 0, need);
  b->p->len += need;
  return at;
}

/* Start a message of this type; returns its family header (famlen bytes, zeroed) or NULL. */
void *nl_msg_begin(struct nl_builder *b, uint16_t type, size_t famlen)
{
  b->msg = b->p->len;
  struct nlmsghdr *h = put(b, NLMSG_HDRLEN + famlen);
  if (!h)
    return NULL;
  h->nlmsg_type = type;
  h->nlmsg_flags = b->flags;
  h->nlmsg_seq = b->seq;
  h->nlmsg_pid = b->pid;
  return NLMSG_DATA(h);
}

void nl_attr(struct nl_builder *b, uint16_t type, const void *data, size_t len)
{
  struct rtattr *a = put(b, RTA_LENGTH(len));
  if (!a)
    return;
  a->rta_len = (uint16_t)RTA_LENGTH(len);
  a->rta_type = type;
  memcpy(RTA_DATA(a), data, len);
}

void nl_attr_u32(struct nl_builder *b, uint16_t type, uint32_t v)
{
  nl_attr(b, type, &v, sizeof(v));
}

void nl_attr_u8(struct nl_builder *b, uint16_t type, uint8_t v)
{
  nl_attr(b, type, &v, sizeof(v));
}

void nl_attr_str(struct nl_builder *b, uint16_t type, const char *s)
{
  nl_attr(b, type, s, strlen(s) + 1);
}

/* Finish the message: true if it fits, else it is taken out again. */
bool nl_msg_end(struct nl_builder *b)
{
  if (b->full) {
    b->p->len = b->msg;
    return false;
  }
  struct nlmsghdr *h = (struct nlmsghdr *)(b->p->data + b->msg);
  h->nlmsg_len = (uint32_t)(b->p->len - b->msg);
  return true;
}

/* ---- dumps ---- */

/* Is the next object to be built? No if it was sent before, or the part is full. */
bool nl_walk_want(struct dump_walk *w)
{
  if (w->b->full)
    return false;
  return w->seen++ >= w->skip;
}

void nl_walk_added(struct dump_walk *w, bool fitted)
{
  if (fitted)
    w->added++;
}

/* NLMSG_DONE: the end of a dump, with its result (0, or a negative errno). */
static void nl_put_done(struct nl_builder *b, int32_t result)
{
  int32_t *r = nl_msg_begin(b, NLMSG_DONE, sizeof(int32_t));
  if (r)
    *r = result;
  nl_msg_end(b);
}

/*
 * Queue the next part of the running dump: the objects not yet sent that
 * fit, or, once none is left, NLMSG_DONE on its own (as Linux sends it),
 * which ends the dump. Does nothing while the queue lacks room for a
 * whole part: the reader calls again after taking one. A dump that
 * cannot get memory is abandoned with ENOBUFS. net_lock held.
 */
static void dump_step(struct nl_sock *nl)
{
  struct nl_dump *d = &nl->dump;
  if (!d->running)
    return;
  size_t size = nl->part_size;
  if (nl->head && nl->queued + NL_PART_COST(size) > (size_t)nl->sock->rcvbuf)
    return;
  struct nl_part *p = nl_part_alloc(size);
  if (!p) {
    d->running = false;
    nl_set_error(nl, ENOBUFS);
    return;
  }
  struct nl_builder b = { .p = p, .seq = d->seq, .pid = nl->portid, .flags = NLM_F_MULTI };
  struct dump_walk w = { .b = &b, .skip = d->sent };
  nl->family->dump_fill(d, &w);
  d->sent += w.added;
  if (p->len == 0) {
    bool too_big = b.full;  /* an object bigger than a part (none is): Linux's EMSGSIZE */
    b.full = false;
    nl_put_done(&b, too_big ? -EMSGSIZE : 0);
    d->running = false;
  }
  queue_append(nl, p);
}

/* ---- the kernel side: requests ---- */

/* Start dump request h (its type checked by the family), and send its
 * first part. Returns NL_NO_ACK (the dump is the answer), or -EBUSY while
 * another dump runs. net_lock held. */

int nl_dump_start(struct nl_sock *nl, const struct nlmsghdr *h, uint8_t family)
{
  if (nl->dump.running)
    return -EBUSY;       /* one dump at a time, as Linux */
  nl->dump = (struct nl_dump){ true, h->nlmsg_type, family, h->nlmsg_seq, 0 };
  dump_step(nl);
  return NL_NO_ACK;      /* the dump is the answer, even with NLM_F_ACK */
}

/*
 * NLMSG_ERROR for request h: error 0 is an acknowledgement. An error
 * copies the whole request back unless NETLINK_CAP_ACK (or it is an
 * ack): then only its header, and NLM_F_CAPPED says so. net_lock held.
 */
static void send_ack(struct nl_sock *nl, const struct nlmsghdr *h, int err)
{
  bool capped = err == 0 || nl->opt[NETLINK_CAP_ACK];
  size_t echo = capped ? 0 : h->nlmsg_len - NLMSG_HDRLEN;
  size_t famlen = sizeof(struct nlmsgerr) + echo;
  struct nl_part *p = nl_part_alloc(NLMSG_ALIGN(NLMSG_LENGTH(famlen)));
  if (!p) {
    nl_set_error(nl, ENOBUFS);
    return;
  }
  struct nl_builder b = { .p = p, .seq = h->nlmsg_seq, .pid = nl->portid,
                          .flags = capped ? NLM_F_CAPPED : 0 };
  struct nlmsgerr *e = nl_msg_begin(&b, NLMSG_ERROR, famlen);
  e->error = err;
  memcpy(&e->msg, h, NLMSG_HDRLEN + echo);  /* the header, and the payload unless capped */
  nl_msg_end(&b);
  nl_part_send(nl, p);
}

/*
 * The kernel side of sendmsg (Linux's netlink_rcv_skb): handle each
 * message in buf in turn. A header whose length does not fit ends the
 * batch silently, as on Linux. Only requests (NLM_F_REQUEST, and not
 * control messages) are handled; errors are always answered, success
 * only when NLM_F_ACK asks for it.
 */
static void nl_receive(struct nl_sock *nl, const char *buf, size_t len)
{
  while (len >= NLMSG_HDRLEN) {
    const struct nlmsghdr *h = (const void *)buf;
    if (h->nlmsg_len < NLMSG_HDRLEN || h->nlmsg_len > len)
      return;
    int err = 0;
    net_lock_acquire();
    if ((h->nlmsg_flags & NLM_F_REQUEST) && h->nlmsg_type >= NLMSG_MIN_TYPE)
      err = nl->family->request(nl, h);
    if (err != NL_NO_ACK && (err || (h->nlmsg_flags & NLM_F_ACK)))
      send_ack(nl, h, err);
    net_lock_release();
    size_t step = MIN((size_t)NLMSG_ALIGN(h->nlmsg_len), len);
    buf += step;
    len -= step;
  }
}

/* ---- socket operations ---- */

int netlink_create(struct socket *s, int type, int protocol, const struct nl_family *family)
{
  if (type != SOCK_RAW && type != SOCK_DGRAM)
    return -ESOCKTNOSUPPORT;
  if (protocol != family->protocol)
    return -EPROTONOSUPPORT;  /* Linux, for a protocol nobody registered */
  struct nl_sock *nl = kzalloc(sizeof(*nl));
  if (!nl)
    return -ENOMEM;
  nl->sock = s;
  nl->family = family;
  nl->part_size = NL_PART_MIN;
  s->proto = nl;
  s->ops = &netlink_ops;
  s->rcvbuf = s->sndbuf = NL_DEFAULT_BUF;
  net_lock_acquire();
  list_add_tail(&nl->link, &nl_socks);
  net_lock_release();
  return 0;
}

static int parse_nl_addr(const struct sockaddr_storage *ss, int len, const struct sockaddr_nl **out)
{
  if (len < (int)sizeof(struct sockaddr_nl) || ss->ss_family != AF_NETLINK)
    return -EINVAL;
  *out = (const struct sockaddr_nl *)ss;
  return 0;
}

/*
 * bind: nl_pid 0 asks for a port id (the process id if free), another
 * value takes that one (EADDRINUSE if taken). A bound socket may only
 * "rebind" to its own id, which just updates its groups.
 */
static int nl_bind(struct socket *s, const struct sockaddr_storage *ss, int len)
{
  struct nl_sock *nl = nl_of(s);
  const struct sockaddr_nl *a;
  int r = parse_nl_addr(ss, len, &a);
  if (r)
    return r;
  net_lock_acquire();
  if (nl->portid && a->nl_pid != nl->portid)
    r = -EINVAL;
  else if (!nl->portid && a->nl_pid && portid_taken(a->nl_pid))
    r = -EADDRINUSE;
  else if (!nl->portid && a->nl_pid)
    nl->portid = a->nl_pid;
  else if (!nl->portid)
    autobind(nl);
  if (!r)
    nl->groups = (nl->groups & ~0xffffffffull) | a->nl_groups;
  net_lock_release();
  return r;
}

/* connect: the default destination (AF_UNSPEC: back to the kernel). */
static int nl_connect(struct socket *s, const struct sockaddr_storage *ss, int len, bool nonblock)
{
  static const struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
  struct nl_sock *nl = nl_of(s);
  const struct sockaddr_nl *a = &kernel;
  if (len < (int)sizeof(uint16_t) || ss->ss_family != AF_UNSPEC) {
    int r = parse_nl_addr(ss, len, &a);
    if (r)
      return r;
  }
  net_lock_acquire();
  if (!nl->portid)
    autobind(nl);
  nl->dst_portid = a->nl_pid;
  nl->dst_group = a->nl_groups ? (uint32_t)__builtin_ctz(a->nl_groups) + 1 : 0;  /* the lowest */
  net_lock_release();
  return 0;
}

static int nl_getname(struct socket *s, struct sockaddr_storage *ss, int *len, bool peer)
{
  struct nl_sock *nl = nl_of(s);
  struct sockaddr_nl a = { .nl_family = AF_NETLINK };
  net_lock_acquire();
  if (peer) {
    a.nl_pid = nl->dst_portid;
    a.nl_groups = nl->dst_group ? 1u << (nl->dst_group - 1) : 0;
  } else {
    a.nl_pid = nl->portid;
    a.nl_groups = (uint32_t)nl->groups;
  }
  net_lock_release();
  memset(ss, 0, sizeof(*ss));
  memcpy(ss, &a, sizeof(a));
  *len = sizeof(a);
  return 0;
}

/* Where a sendmsg goes: its address, else connect()'s. */
static int nl_destination(struct nl_sock *nl, const struct sock_msg *m, uint32_t *portid)
{
  if (m->addrlen <= 0) {
    *portid = READ_ONCE(nl->dst_portid);
    return 0;
  }
  const struct sockaddr_nl *a;
  int r = parse_nl_addr(&m->addr, m->addrlen, &a);
  if (!r)
    *portid = a->nl_pid;
  return r;
}

/*
 * sendmsg: copy the requests in (the checks in Linux's order: empty,
 * address, size, memory, user memory, destination) and let the kernel
 * side answer before returning, so the replies are already queued (musl
 * reads them with MSG_DONTWAIT). Returns the length written.
 */
static ssize_t nl_sendmsg(struct socket *s, struct uio *u, struct sock_msg *m, int flags,
                          bool nonblock)
{
  struct nl_sock *nl = nl_of(s);
  size_t len = u->resid;
  uint32_t dst;
  if (flags & MSG_OOB)
    return -EOPNOTSUPP;
  if (len == 0)
    return -ENODATA;
  int r = nl_destination(nl, m, &dst);
  if (r)
    return r;
  net_lock_acquire();
  if (!nl->portid)
    autobind(nl);
  net_lock_release();
  if (len > (size_t)s->sndbuf - 32)
    return -EMSGSIZE;
  char *buf = kmalloc(len);
  if (!buf)
    return -ENOBUFS;
  if (uio_copy_from(u, buf, len) != (long)len || dst != 0) {
    kfree(buf);
    return dst != 0 ? -ECONNREFUSED : -EFAULT;  /* no user-to-user messages */
  }
  mutex_lock(&s->tx_lock);  /* one batch at a time: its replies stay together */
  nl_receive(nl, buf, len);
  mutex_unlock(&s->tx_lock);
  kfree(buf);
  return (ssize_t)len;
}

static bool can_recv(struct nl_sock *nl)
{
  return READ_ONCE(nl->head) != NULL || READ_ONCE(nl->err) != 0;
}

/* After a read: let the next dump part in, and end congestion once the
 * reader has emptied the queue (Linux's netlink_rcv_wake). net_lock held. */
static void after_read(struct nl_sock *nl)
{
  if (nl->dump.running && nl->queued <= (size_t)nl->sock->rcvbuf / 2)
    dump_step(nl);
  if (!nl->head)
    nl->congested = false;
}

/*
 * recvmsg: a pending error first (once), else one part: as much as fits
 * (MSG_TRUNC in the flags if not all; with MSG_TRUNC in the call the
 * part's real length is returned), removed unless MSG_PEEK. The sender's
 * address is always the kernel's.
 */
static ssize_t nl_recvmsg(struct socket *s, struct uio *u, struct sock_msg *m, int flags,
                          bool nonblock)
{
  struct nl_sock *nl = nl_of(s);
  uint64_t timeout = nonblock ? 0 : s->rcvtimeo_ns;
  bool peek = flags & MSG_PEEK;
  if (flags & MSG_OOB)
    return -EOPNOTSUPP;
  if (mutex_lock_interruptible(&s->rx_lock))
    return -EINTR;
  ssize_t r;
  for (;;) {
    net_lock_acquire();
    if (!nl->head)
      dump_step(nl);  /* a dump that waited for room */
    net_lock_release();
    long w = wait_event(&s->wq, can_recv(nl), timeout);
    if (w) {
      r = sock_wait_error(w, timeout);
      break;
    }
    net_lock_acquire();
    struct nl_part *p = nl->head;
    if (nl->err) {
      r = -nl->err;
      nl->err = 0;
      net_lock_release();
      break;
    }
    if (p && !peek) {
      nl->head = p->next;
      if (!nl->head)
        nl->tail = NULL;
      nl->queued -= NL_PART_COST(p->size);
    }
    nl->part_size = MAX(nl->part_size, MIN(u->resid, (size_t)NL_PART_MAX));
    net_lock_release();
    if (!p)
      continue;
    /* p is ours now (or, peeking, safe under rx_lock: only readers remove parts). */
    size_t n = MIN(p->len, u->resid);
    long c = n ? uio_copy_to(u, p->data, n) : 0;
    if (c != (long)n)
      r = -EFAULT;
    else
      r = (flags & MSG_TRUNC) ? (ssize_t)p->len : (ssize_t)n;
    if (n < p->len)
      m->flags_out |= MSG_TRUNC;
    struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
    memset(&m->addr, 0, sizeof(m->addr));
    memcpy(&m->addr, &kernel, sizeof(kernel));
    m->addrlen = sizeof(kernel);
    if (!peek)
      kfree(p);
    net_lock_acquire();
    after_read(nl);
    net_lock_release();
    break;
  }
  mutex_unlock(&s->rx_lock);
  return r;
}

static unsigned nl_poll(struct socket *s)
{
  struct nl_sock *nl = nl_of(s);
  unsigned mask = POLLOUT | POLLWRNORM;  /* requests are never refused for lack of room */
  net_lock_acquire();
  if (nl->head)
    mask |= POLLIN | POLLRDNORM;
  if (nl->err)
    mask |= POLLERR;
  net_lock_release();
  return mask;
}

static bool is_flag_option(int name)
{
  switch (name) {
  case NETLINK_PKTINFO: case NETLINK_BROADCAST_ERROR: case NETLINK_NO_ENOBUFS:
  case NETLINK_LISTEN_ALL_NSID: case NETLINK_CAP_ACK: case NETLINK_EXT_ACK:
  case NETLINK_GET_STRICT_CHK:
    return true;
  default:
    return false;
  }
}

/*
 * SOL_NETLINK options. The flags are stored and read back; of them only
 * NETLINK_CAP_ACK and NETLINK_NO_ENOBUFS change what Kite does (there is
 * no packet info, no extended ack, no strict checking to turn on).
 * Group membership is recorded, but no notifications are ever sent.
 */
static int nl_setsockopt(struct socket *s, int level, int name, const void *val, unsigned len)
{
  struct nl_sock *nl = nl_of(s);
  bool group = name == NETLINK_ADD_MEMBERSHIP || name == NETLINK_DROP_MEMBERSHIP;
  if (level != SOL_NETLINK || (!group && !is_flag_option(name)))
    return -ENOPROTOOPT;
  int v;
  if (len < sizeof(v))
    return -EINVAL;
  memcpy(&v, val, sizeof(v));
  if (!group) {
    WRITE_ONCE(nl->opt[name], v != 0);
    return 0;
  }
  if (v <= 0 || v > RTNLGRP_MAX)
    return -EINVAL;
  net_lock_acquire();
  if (name == NETLINK_ADD_MEMBERSHIP)
    nl->groups |= 1ull << (v - 1);
  else
    nl->groups &= ~(1ull << (v - 1));
  net_lock_release();
  return 0;
}

/* SO_ERROR: the pending error (ENOBUFS after a drop), cleared. */
static int take_error(struct nl_sock *nl, void *val, unsigned *len)
{
  net_lock_acquire();
  int v = nl->err;
  nl->err = 0;
  net_lock_release();
  *len = MIN(*len, sizeof(v));
  memcpy(val, &v, *len);
  return 0;
}

static int nl_getsockopt(struct socket *s, int level, int name, void *val, unsigned *len)
{
  struct nl_sock *nl = nl_of(s);
  if (level == SOL_SOCKET && name == SO_ERROR)
    return take_error(nl, val, len);
  if (level != SOL_NETLINK || !is_flag_option(name))
    return -ENOPROTOOPT;
  if (*len < sizeof(int))
    return -EINVAL;
  int v = READ_ONCE(nl->opt[name]);
  *len = sizeof(v);
  memcpy(val, &v, sizeof(v));
  return 0;
}

/* The last descriptor closed: forget the port id, free the queue. */
static void nl_release(struct socket *s)
{
  struct nl_sock *nl = nl_of(s);
  net_lock_acquire();
  list_del(&nl->link);
  struct nl_part *q = nl->head;
  nl->head = nl->tail = NULL;
  net_lock_release();
  part_free_list(q);
  kfree(nl);
  s->proto = NULL;
}

static const struct sock_ops netlink_ops = {
  .bind = nl_bind,
  .connect = nl_connect,
  .sendmsg = nl_sendmsg,
  .recvmsg = nl_recvmsg,
  .getname = nl_getname,
  .poll = nl_poll,
  .setsockopt = nl_setsockopt,
  .getsockopt = nl_getsockopt,
  .release = nl_release,
};
