/*
 * tcp_sock.c — SOCK_STREAM sockets over lwIP's raw TCP API, with Linux's
 * semantics (connect/accept/recv/send/shutdown/close, blocking and not).
 *
 * Layer: a protocol under the SocketTable (net/socket.c). lwIP calls us
 * back (recv, sent, err, accept, connected) in whatever context holds
 * net_lock; the callbacks only queue data and change state, then wake the
 * socket's wait queue. System calls consume the queues.
 *
 *   receive  tcp_recv_cb queues the pbufs; recvmsg copies them out (with
 *            net_lock dropped: only this reader touches the head, under
 *            rx_lock), frees them and reports the bytes to lwIP with
 *            tcp_recved(), which reopens the window. A NULL pbuf is EOF.
 *   send     sendmsg pins the user's pages first (user memory may fault,
 *            so never under net_lock), then, holding net_lock, lets
 *            tcp_write(COPY) copy straight from them into lwIP's segments
 *            and calls tcp_output(), as much as the send buffer takes. It
 *            returns as soon as the data is queued, and waits for
 *            tcp_sent_cb only when the buffer is full.
 *   connect  EINPROGRESS, EALREADY, then 0 once, then EISCONN; failure
 *            reported by the next connect() or SO_ERROR (docs/lessons.md L12).
 *   accept   tcp_accept_cb makes a socket for each new connection and
 *            queues it on the listener (lwIP counts it against the backlog
 *            until accept() takes it).
 *   errors   tcp_err_cb: lwIP has already freed the pcb; we forget it.
 *
 * All fields marked (net_lock) are written only with net_lock held. The
 * sock_ops functions (tcp_*_op, tcp_sendmsg, ...) follow the contracts in
 * net/socket.h; comments here say what is TCP-specific.
 *
 * This file: the socket object, the lwIP callbacks, readiness, bind,
 * listen, accept, connect, shutdown and release. The data path (sendmsg,
 * recvmsg) is net/tcp_io.c; options, ioctls, TCP_INFO and /proc/net/tcp
 * are net/tcp_opts.c; struct tcp_sock is in net/tcp_sock.h.
 */
#include "net/inet.h"
#include "net/tcp_sock.h"
#include "kern/task.h"
#include "kern/mm.h"
#include "kern/uio.h"
#include "kern/vm.h"
#include "kern/poll.h"
#include "kern/errno.h"
#include "kern/printk.h"
#include <string.h>

#include "lwip/tcp.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/ip.h"
#include "lwip/netif.h"

static const struct sock_ops tcp_ops;
static err_t tcp_recv_cb(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err);
static err_t tcp_sent_cb(void *arg, struct tcp_pcb *pcb, u16_t len);
static void tcp_err_cb(void *arg, err_t err);
static void tcp_free_unaccepted(struct tcp_sock *cts);
static void tcp_listener_close(struct tcp_sock *ts);

static struct tcp_sock *tcp_sock_alloc(struct socket *s)
{
  struct tcp_sock *ts = kzalloc(sizeof(*ts));
  if (!ts)
    return NULL;
  ts->inet.sock = s;
  ts->inet.v6 = s->family == AF_INET6;
  ts->inet.tos = ts->inet.ttl = -1;
  ts->keepidle = 7200;
  ts->keepintvl = 75;
  ts->keepcnt = 9;
  s->proto = ts;
  s->ops = &tcp_ops;
  return ts;
}

/* Apply our options to the pcb. net_lock held. */
void tcp_apply_options(struct tcp_sock *ts)
{
  struct tcp_pcb *pcb = ts->inet.pcb.tcp;
  if (!pcb || ts->state == TS_LISTEN)
    return;
  inet_apply_options(&ts->inet);
  if (ts->nodelay)
    tcp_nagle_disable(pcb);
  else
    tcp_nagle_enable(pcb);
  pcb->keep_idle = (u32_t)ts->keepidle * 1000;
  pcb->keep_intvl = (u32_t)ts->keepintvl * 1000;
  pcb->keep_cnt = (u32_t)ts->keepcnt;
}

/* Hook a connection pcb up to ts. net_lock held. */
static void tcp_attach(struct tcp_sock *ts, struct tcp_pcb *pcb)
{
  ts->inet.pcb.tcp = pcb;
  tcp_arg(pcb, ts);
  tcp_recv(pcb, tcp_recv_cb);
  tcp_sent(pcb, tcp_sent_cb);
  tcp_err(pcb, tcp_err_cb);
  tcp_apply_options(ts);
}

/* Unhook the pcb: lwIP will not call us about it again. net_lock held. */
static struct tcp_pcb *tcp_detach(struct tcp_sock *ts)
{
  struct tcp_pcb *pcb = ts->inet.pcb.tcp;
  ts->inet.pcb.tcp = NULL;
  if (!pcb)
    return NULL;
  tcp_arg(pcb, NULL);
  if (ts->state == TS_LISTEN) {
    tcp_accept(pcb, NULL);
  } else {
    tcp_recv(pcb, NULL);
    tcp_sent(pcb, NULL);
    tcp_err(pcb, NULL);
  }
  return pcb;
}

/* Make sure a fresh socket has a pcb (a failed connect lost it). net_lock held. */
static int tcp_ensure_pcb(struct tcp_sock *ts)
{
  if (ts->inet.pcb.tcp)
    return 0;
  struct tcp_pcb *pcb = tcp_new_ip_type(inet_pcb_type(&ts->inet));
  if (!pcb)
    return -ENOBUFS;
  tcp_attach(ts, pcb);
  return 0;
}

/* Free the head pbuf of the receive queue (fully read). net_lock held. */
void tcp_rx_pop(struct tcp_sock *ts)
{
  struct pbuf *p = ts->rx_head;
  ts->rx_head = p->next;
  if (!ts->rx_head)
    ts->rx_tail = NULL;
  ts->rx_off = 0;
  p->next = NULL;  /* free this one only (the queue links single pbufs) */
  p->tot_len = p->len;
  pbuf_free(p);
}

/* Free the receive queue. net_lock held. */
static void tcp_rx_purge(struct tcp_sock *ts)
{
  struct pbuf *p = ts->rx_head;
  while (p) {
    struct pbuf *next = p->next;
    p->next = NULL;
    p->tot_len = p->len;
    pbuf_free(p);
    p = next;
  }
  ts->rx_head = ts->rx_tail = NULL;
  ts->rx_off = 0;
  ts->rx_bytes = 0;
}

/* ---- lwIP callbacks (net_lock held) ---- */

static err_t tcp_recv_cb(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
  struct tcp_sock *ts = arg;
  (void)err;
  if (!p) {
    ts->rx_fin = true;
    sock_wake(ts->inet.sock, POLLIN | POLLRDNORM | POLLRDHUP);
    return ERR_OK;
  }
  if (ts->shut_rd) { /* we said we read no more: drop, but keep the window open */
    tcp_recved(pcb, p->tot_len);
    pbuf_free(p);
    return ERR_OK;
  }
  ts->rx_bytes += p->tot_len;
  ts->rx_small = p->tot_len < tcp_mss(pcb);
  if (ts->rx_tail)
    ts->rx_tail->next = p;
  else
    ts->rx_head = p;
  struct pbuf *q = p;
  while (q->next)
    q = q->next;
  ts->rx_tail = q;
  sock_wake(ts->inet.sock, POLLIN | POLLRDNORM);
  return ERR_OK;
}

static err_t tcp_sent_cb(void *arg, struct tcp_pcb *pcb, u16_t len)
{
  struct tcp_sock *ts = arg;
  (void)len;
  ts->sent_gen++;
  if (tcp_sndbuf(pcb) >= TCP_WRITABLE_LOWAT || tcp_sndbuf(pcb) >= TCP_SND_BUF / 2)
    sock_wake(ts->inet.sock, POLLOUT | POLLWRNORM);
  return ERR_OK;
}

static err_t tcp_connected_cb(void *arg, struct tcp_pcb *pcb, err_t err)
{
  struct tcp_sock *ts = arg;
  (void)pcb;
  (void)err;
  ts->state = TS_CONNECTED;
  sock_wake(ts->inet.sock, POLLOUT | POLLWRNORM);
  return ERR_OK;
}

/* The pcb is gone (lwIP freed it): remember why. */
static void tcp_err_cb(void *arg, err_t err)
{
  struct tcp_sock *ts = arg;
  ts->inet.pcb.tcp = NULL;
  int e = 0;
  if (err == ERR_RST && ts->state == TS_CONNECTING)
    e = ECONNREFUSED;
  else if (err == ERR_RST)
    e = ts->rx_fin ? EPIPE : ECONNRESET;  /* Linux: a reset in CLOSE_WAIT is EPIPE */
  else if (err == ERR_ABRT)
    e = ETIMEDOUT;  /* retransmissions, keepalive or SYN timed out */
  else if (err != ERR_CLSD)
    e = -inet_errno(err);
  if (e)
    ts->inet.err = e;
  ts->state = TS_CLOSED;
  ts->rx_fin = true;
  sock_wake(ts->inet.sock, POLLIN | POLLOUT | POLLERR | POLLHUP | POLLRDHUP);
}

static err_t tcp_accept_cb(void *arg, struct tcp_pcb *newpcb, err_t err)
{
  struct tcp_sock *lts = arg;
  if (err != ERR_OK || !newpcb || !lts)
    return ERR_VAL;
  struct socket *ls = lts->inet.sock;
  struct socket *cs = sock_alloc(ls->family, SOCK_STREAM, IPPROTO_TCP);
  if (!cs)
    return ERR_MEM;  /* lwIP aborts the connection */
  struct tcp_sock *cts = tcp_sock_alloc(cs);
  if (!cts) {
    sock_free(cs);
    return ERR_MEM;
  }
  /* Linux: an accepted socket inherits the listener's options. */
  cs->rcvbuf = ls->rcvbuf;
  cs->sndbuf = ls->sndbuf;
  cs->keepalive = ls->keepalive;
  cs->reuseaddr = ls->reuseaddr;
  cs->linger = ls->linger;
  cs->rcvtimeo_ns = ls->rcvtimeo_ns;
  cs->sndtimeo_ns = ls->sndtimeo_ns;
  cts->inet.v6only = lts->inet.v6only;
  cts->inet.tos = lts->inet.tos;
  cts->inet.ttl = lts->inet.ttl;
  cts->nodelay = lts->nodelay;
  cts->keepidle = lts->keepidle;
  cts->keepintvl = lts->keepintvl;
  cts->keepcnt = lts->keepcnt;
  cts->bind_port_lock = lts->bind_port_lock;  /* Linux's sk_clone copies sk_userlocks */
  cts->bind_addr_lock = lts->bind_addr_lock;
  cts->state = TS_CONNECTED;
  tcp_attach(cts, newpcb);
  tcp_backlog_delayed(newpcb);  /* counts against the backlog until accept() */
  cts->listener = lts;
  if (lts->acc_tail)
    lts->acc_tail->acc_next = cts;
  else
    lts->acc_head = cts;
  lts->acc_tail = cts;
  lts->acc_count++;
  sock_wake(ls, POLLIN | POLLRDNORM);
  return ERR_OK;
}

/* tcp_input turns these header fields to host order in place; swap them
 * (to network order, or back). */
static void tcp_hdr_swap(struct tcp_hdr *h)
{
  h->src = lwip_htons(h->src);
  h->dest = lwip_htons(h->dest);
  h->seqno = lwip_htonl(h->seqno);
  h->ackno = lwip_htonl(h->ackno);
  h->wnd = lwip_htons(h->wnd);
}

/*
 * lwIP's hook for each TCP segment it has matched to a pcb (lwipopts.h:
 * LWIP_HOOK_TCP_INPACKET_PCB), used for one case: a SYN for the four
 * addresses and ports of a connection in TIME_WAIT. lwIP answers it with a
 * RST when its sequence number falls in the old window — "Connection
 * refused" for netperf's TCP_CRR, whose client binds its ports itself
 * while the server closes first — and with an ACK otherwise. Linux
 * (tcp_timewait_state_process) ends the TIME_WAIT and gives the SYN to the
 * listener when its sequence number is past the old connection's (initial
 * sequence numbers grow with time: net/lwip_port.c, tcp_isn); so do we:
 * the TIME_WAIT pcb is freed (tcp_abort sends nothing for one) and a copy
 * of the packet, from its IP header on and with the header fields back in
 * network order, goes on its interface's loop list, to be taken again when
 * net_lock is released. Returns ERR_OK to let lwIP go on, ERR_ABRT when
 * the packet was taken (lwIP then frees it). net_lock held.
 */
int tcp_input_hook(struct tcp_pcb *pcb, struct tcp_hdr *h, u8_t *opt2, struct pbuf *p)
{
  if (pcb->state != TIME_WAIT || opt2 != NULL)
    return ERR_OK;
  if ((TCPH_FLAGS(h) & (TCP_SYN | TCP_ACK | TCP_RST | TCP_FIN)) != TCP_SYN ||
      !TCP_SEQ_GT(h->seqno, pcb->rcv_nxt))
    return ERR_OK;
  struct netif *in = ip_current_input_netif();
  const u8_t *iph = ip_current_is_v6() ? (const u8_t *)ip6_current_header()
                                       : (const u8_t *)ip4_current_header();
  uintptr_t back = (uintptr_t)p->payload - (uintptr_t)iph;
  if (!in || (uintptr_t)iph > (uintptr_t)p->payload || back > 256 ||
      pbuf_add_header(p, (size_t)back))
    return ERR_OK;
  tcp_hdr_swap(h);
  err_t e = netif_loop_output(in, p);
  tcp_hdr_swap(h);
  pbuf_remove_header(p, (size_t)back);
  if (e != ERR_OK)
    return ERR_OK;
  tcp_abort(pcb);
  return ERR_ABRT;
}

/* ---- readiness: the one function behind poll, ppoll, pselect6, epoll ---- */

static unsigned tcp_poll_locked(struct tcp_sock *ts)
{
  unsigned mask = 0;
  struct tcp_pcb *pcb = ts->inet.pcb.tcp;
  switch (ts->state) {
  case TS_LISTEN:
    return ts->acc_head ? POLLIN | POLLRDNORM : 0;
  case TS_NEW:
    mask = POLLOUT | POLLWRNORM | POLLHUP;
    break;
  case TS_CONNECTING:
    break;
  case TS_CONNECTED:
  case TS_CLOSED:
    if (ts->rx_bytes || ts->rx_fin || ts->shut_rd)
      mask |= POLLIN | POLLRDNORM;
    if (ts->rx_fin || ts->shut_rd)
      mask |= POLLRDHUP;
    if (ts->state == TS_CLOSED || (ts->rx_fin && ts->shut_wr))
      mask |= POLLHUP;
    if (ts->shut_wr || ts->state == TS_CLOSED ||
        (pcb && tcp_sndbuf(pcb) >= TCP_WRITABLE_LOWAT && tcp_sndqueuelen(pcb) < TCP_SNDQUEUELOWAT))
      mask |= POLLOUT | POLLWRNORM;
    break;
  }
  if (ts->inet.err)
    mask |= POLLERR;
  return mask;
}

static unsigned tcp_sock_poll(struct socket *s)
{
  net_lock_acquire();
  unsigned mask = tcp_poll_locked(tcp_of(s));
  net_lock_release();
  return mask;
}

/* ---- bind, listen, accept, connect ---- */

/* Do two local addresses overlap? Families overlap when equal or when one
 * is dual-stack (IPADDR_TYPE_ANY); then "any" overlaps everything. */
static bool local_addrs_overlap(const ip_addr_t *a, const ip_addr_t *b)
{
  u8_t ta = IP_GET_TYPE(a), tb = IP_GET_TYPE(b);
  if (ta != tb && ta != IPADDR_TYPE_ANY && tb != IPADDR_TYPE_ANY)
    return false;
  return ip_addr_isany(a) || ip_addr_isany(b) || ip_addr_cmp(a, b);
}

/* Is a listener on (ip, port)? Linux refuses to share a port with a
 * listener even with SO_REUSEADDR; lwIP would only refuse at listen(). */
static bool tcp_listener_conflict(const ip_addr_t *ip, u16_t port)
{
  for (struct tcp_pcb_listen *l = tcp_listen_pcbs.listen_pcbs; l; l = l->next)
    if (l->local_port == port && local_addrs_overlap(&l->local_ip, ip))
      return true;
  return false;
}

static int tcp_bind_op(struct socket *s, const struct sockaddr_storage *a, int alen)
{
  struct tcp_sock *ts = tcp_of(s);
  ip_addr_t ip;
  u16_t port;
  net_lock_acquire();
  int r = inet_parse_addr(&ts->inet, a, alen, &ip, &port, true);
  if (r)
    goto out;
  if (ts->state != TS_NEW || (ts->inet.pcb.tcp && ts->inet.pcb.tcp->local_port)) {
    r = -EINVAL;
    goto out;
  }
  r = tcp_ensure_pcb(ts);
  if (r)
    goto out;
  if (port && tcp_listener_conflict(&ip, port)) {
    r = -EADDRINUSE;
    goto out;
  }
  inet_apply_options(&ts->inet);
  err_t e = tcp_bind(ts->inet.pcb.tcp, &ip, port);
  r = e == ERR_USE ? -EADDRINUSE : inet_errno(e);
  if (!r) {
    ts->bind_port_lock = port != 0;
    ts->bind_addr_lock = !ip_addr_isany(&ip);
  }
out:
  net_lock_release();
  return r;
}

static int tcp_listen_op(struct socket *s, int backlog)
{
  struct tcp_sock *ts = tcp_of(s);
  u8_t bl = (u8_t)MAX(1, MIN(backlog, 255));
  int r = 0;
  net_lock_acquire();
  if (ts->state == TS_LISTEN) {
    tcp_backlog_set(ts->inet.pcb.tcp, bl);
    goto out;
  }
  if (ts->state != TS_NEW) {
    r = -EINVAL;
    goto out;
  }
  r = tcp_ensure_pcb(ts);
  if (r)
    goto out;
  struct tcp_pcb *pcb = ts->inet.pcb.tcp;
  if (!pcb->local_port) {  /* Linux binds an unbound listener to a free port */
    inet_apply_options(&ts->inet);
    ip_addr_t any;
    inet_any_addr(&ts->inet, &any);
    err_t e = tcp_bind(pcb, &any, 0);
    if (e != ERR_OK) {
      r = inet_errno(e);
      goto out;
    }
  }
  err_t e;
  struct tcp_pcb *lpcb = tcp_listen_with_backlog_and_err(pcb, bl, &e);
  if (!lpcb) {
    r = e == ERR_USE ? -EADDRINUSE : -ENOBUFS;
    goto out;
  }
  /* lwIP freed pcb and gave us a smaller listening pcb */
  ts->inet.pcb.tcp = lpcb;
  ts->state = TS_LISTEN;
  tcp_arg(lpcb, ts);
  tcp_accept(lpcb, tcp_accept_cb);
out:
  net_lock_release();
  return r;
}

static int tcp_accept_op(struct socket *s, struct socket **child, bool nonblock)
{
  struct tcp_sock *ts = tcp_of(s);
  if (READ_ONCE(ts->state) != TS_LISTEN)
    return -EINVAL;
  uint64_t timeout = nonblock ? 0 : s->rcvtimeo_ns;
  for (;;) {
    long w = wait_event(&s->wq, READ_ONCE(ts->acc_head) || READ_ONCE(ts->state) != TS_LISTEN,
                        timeout);
    if (w)
      return sock_wait_error(w, timeout);
    net_lock_acquire();
    if (ts->state != TS_LISTEN) {
      net_lock_release();
      return -EINVAL;
    }
    struct tcp_sock *cts = ts->acc_head;
    if (!cts) {  /* another thread took it */
      net_lock_release();
      continue;
    }
    ts->acc_head = cts->acc_next;
    if (!ts->acc_head)
      ts->acc_tail = NULL;
    ts->acc_count--;
    cts->acc_next = NULL;
    cts->listener = NULL;
    if (cts->inet.pcb.tcp)
      tcp_backlog_accepted(cts->inet.pcb.tcp);
    net_lock_release();
    *child = cts->inet.sock;
    return 0;
  }
}

/*
 * connect(AF_UNSPEC): Linux's tcp_disconnect. Whatever the state, the
 * socket goes back to TS_NEW (Linux's TCP_CLOSE) and may connect, bind
 * (if bind() had not fixed a port) or listen again; its options stay. A
 * listener resets its queued connections; a connection is reset where
 * Linux resets it (tcp_need_reset: synchronised and not yet closed by us,
 * or closed with data still unsent); a connect in progress is dropped
 * silently; both leave ECONNRESET as the pending error. A port and an
 * address fixed by bind() stay bound (SOCK_BINDPORT_LOCK). Two steps: the
 * connection goes under net_lock and readers blocked on it are woken
 * (they see TS_NEW and return); the receive queue is freed once rx_lock
 * is ours, since a reader copies from its head without net_lock. Returns
 * 0 (Linux's disconnect does not fail). No locks held on entry.
 */
static int tcp_disconnect(struct socket *s)
{
  struct tcp_sock *ts = tcp_of(s);
  net_lock_acquire();
  ip_addr_t bound_ip;
  u16_t bound_port = 0;
  struct tcp_pcb *old = ts->inet.pcb.tcp;
  if (old && ts->bind_port_lock) {
    bound_port = old->local_port;
    if (ts->bind_addr_lock)
      ip_addr_copy(bound_ip, old->local_ip);
    else
      inet_any_addr(&ts->inet, &bound_ip);
  }
  if (ts->state == TS_LISTEN) {
    tcp_listener_close(ts);
  } else {
    struct tcp_pcb *pcb = tcp_detach(ts);
    if (pcb) {
      enum tcp_state st = pcb->state;
      bool reset = st == SYN_RCVD || st == ESTABLISHED || st == FIN_WAIT_1 ||
                   st == FIN_WAIT_2 || st == CLOSE_WAIT ||
                   ((st == CLOSING || st == LAST_ACK) && pcb->unsent);
      if (reset || st == SYN_SENT)
        ts->inet.err = ECONNRESET;  /* as Linux: the next call reports it */
      tcp_abandon(pcb, reset);
    }
  }
  ts->state = TS_NEW;
  ts->connect_pending = false;
  ts->shut_rd = ts->shut_wr = false;
  ts->rx_fin = false;
  ts->rx_small = false;
  int r = tcp_ensure_pcb(ts);
  if (!r && bound_port)  /* the port is free again: the old pcb is gone */
    (void)tcp_bind(ts->inet.pcb.tcp, &bound_ip, bound_port);
  net_lock_release_flush();
  sock_wake(s, POLLIN | POLLOUT | POLLHUP | POLLRDHUP);
  mutex_lock(&s->rx_lock);
  net_lock_acquire();
  tcp_rx_purge(ts);
  ts->rx_unreported = 0;
  net_lock_release();
  mutex_unlock(&s->rx_lock);
  return 0;
}

static int tcp_connect_op(struct socket *s, const struct sockaddr_storage *a, int alen, bool nonblock)
{
  struct tcp_sock *ts = tcp_of(s);
  int r = 0;
  if (alen < (int)sizeof(a->ss_family))
    return -EINVAL;
  if (a->ss_family == AF_UNSPEC)
    return tcp_disconnect(s);
  net_lock_acquire();
  switch (ts->state) {
  case TS_LISTEN:
    r = -EISCONN;
    break;
  case TS_CONNECTED:
    r = ts->connect_pending ? 0 : -EISCONN;
    ts->connect_pending = false;
    break;
  case TS_CLOSED:
    if (ts->connect_pending) {  /* report how the connection attempt ended */
      r = ts->inet.err ? -ts->inet.err : -ECONNABORTED;
      ts->inet.err = 0;
      ts->connect_pending = false;
      ts->state = TS_NEW;
    } else {
      r = -EISCONN;
    }
    break;
  case TS_CONNECTING:
    r = nonblock ? -EALREADY : 1;  /* 1: wait below */
    break;
  case TS_NEW: {
    ip_addr_t ip;
    u16_t port;
    r = inet_parse_addr(&ts->inet, a, alen, &ip, &port, false);
    if (r)
      break;
    if (ip_addr_isany(&ip)) {  /* Linux: connecting to 0.0.0.0 means this host */
      if (IP_IS_V4(&ip))
        ip_addr_set_loopback(false, &ip);
      else
        ip_addr_set_loopback(true, &ip);
    }
    r = tcp_ensure_pcb(ts);
    if (r)
      break;
    struct tcp_pcb *pcb = ts->inet.pcb.tcp;
    if (ts->maxseg)
      pcb->mss = (u16_t)ts->maxseg;
    inet_apply_options(&ts->inet);
    err_t e = tcp_connect(pcb, &ip, port, tcp_connected_cb);
    if (e != ERR_OK) {
      r = e == ERR_USE ? -EADDRNOTAVAIL : inet_errno(e);
      break;
    }
    ts->state = TS_CONNECTING;
    ts->connect_pending = true;
    ts->inet.err = 0;  /* Linux's tcp_connect_init: a disconnect's ECONNRESET is gone */
    r = nonblock ? -EINPROGRESS : 1;
    break;
  }
  }
  net_lock_release_flush();  /* the SYN to a local peer is answered right here */
  if (r != 1)
    return r;
  /* A blocking connect waits for the handshake's end. */
  uint64_t timeout = s->sndtimeo_ns;
  long w = wait_event(&s->wq, READ_ONCE(ts->state) != TS_CONNECTING, timeout);
  if (w == -ETIMEDOUT || w == -EAGAIN)
    return -EINPROGRESS;
  if (w)
    return sock_wait_error(w, timeout);
  net_lock_acquire();
  if (ts->state == TS_CONNECTED) {
    r = 0;
  } else {
    r = ts->inet.err ? -ts->inet.err : -ECONNREFUSED;
    ts->inet.err = 0;
    ts->state = TS_NEW;
  }
  ts->connect_pending = false;
  net_lock_release();
  return r;
}

/* ---- the rest of the operations ---- */

static int tcp_getname(struct socket *s, struct sockaddr_storage *a, int *alen, bool peer)
{
  struct tcp_sock *ts = tcp_of(s);
  int r = 0;
  net_lock_acquire();
  struct tcp_pcb *pcb = ts->inet.pcb.tcp;
  if (peer) {
    if (!pcb || ts->state != TS_CONNECTED)
      r = -ENOTCONN;
    else
      *alen = inet_make_sockaddr(&ts->inet, &pcb->remote_ip, pcb->remote_port, a);
  } else {
    *alen = inet_make_sockaddr(&ts->inet, pcb ? &pcb->local_ip : NULL, pcb ? pcb->local_port : 0, a);
  }
  net_lock_release();
  return r;
}

static int tcp_shutdown_op(struct socket *s, int how)
{
  struct tcp_sock *ts = tcp_of(s);
  int r = 0;
  net_lock_acquire();
  if (ts->state == TS_NEW || ts->state == TS_CONNECTING) {
    r = -ENOTCONN;
  } else if (ts->state != TS_LISTEN) {
    if (how == SHUT_RD || how == SHUT_RDWR)
      ts->shut_rd = true;
    if ((how == SHUT_WR || how == SHUT_RDWR) && !ts->shut_wr) {
      ts->shut_wr = true;
      if (ts->inet.pcb.tcp && ts->state == TS_CONNECTED)
        tcp_shutdown(ts->inet.pcb.tcp, 0, 1);  /* FIN after the queued data */
    }
  }
  net_lock_release_flush();
  sock_wake(s, POLLIN | POLLOUT | POLLHUP | POLLRDHUP);
  return r;
}

/* Close a connection we no longer have a socket for. net_lock held. */
static void tcp_close_pcb(struct tcp_sock *ts, bool reset)
{
  struct tcp_pcb *pcb = tcp_detach(ts);
  if (!pcb)
    return;
  if (reset || tcp_close(pcb) != ERR_OK)
    tcp_abort(pcb);
}

/* Free a never-accepted connection on a closing listener. net_lock held. */
static void tcp_free_unaccepted(struct tcp_sock *cts)
{
  tcp_close_pcb(cts, true);
  tcp_rx_purge(cts);
  struct socket *cs = cts->inet.sock;
  kfree(cts);
  sock_free(cs);
}

/*
 * Stop listening: reset and free every connection still waiting in the
 * accept queue, then close the listening pcb. Used by close() and by
 * connect(AF_UNSPEC) on a listener (Linux's inet_csk_listen_stop). The
 * socket keeps no pcb afterwards. net_lock held.
 */
static void tcp_listener_close(struct tcp_sock *ts)
{
  while (ts->acc_head) {
    struct tcp_sock *cts = ts->acc_head;
    ts->acc_head = cts->acc_next;
    tcp_free_unaccepted(cts);
  }
  ts->acc_tail = NULL;
  ts->acc_count = 0;
  struct tcp_pcb *lpcb = tcp_detach(ts);
  if (lpcb)
    tcp_close(lpcb);  /* never fails for a listener */
}

static void tcp_release(struct socket *s)
{
  struct tcp_sock *ts = tcp_of(s);
  net_lock_acquire();
  if (ts->state == TS_LISTEN) {
    tcp_listener_close(ts);
  } else {
    /* Linux resets a connection closed with unread data, or with linger 0. */
    bool reset = ts->rx_bytes > 0 || (s->linger.l_onoff && s->linger.l_linger == 0);
    tcp_close_pcb(ts, reset);
  }
  tcp_rx_purge(ts);
  net_lock_release_flush();
  kfree(ts);
  s->proto = NULL;
}

static const struct sock_ops tcp_ops = {
  .bind = tcp_bind_op,
  .connect = tcp_connect_op,
  .listen = tcp_listen_op,
  .accept = tcp_accept_op,
  .sendmsg = tcp_sendmsg,
  .recvmsg = tcp_recvmsg,
  .getname = tcp_getname,
  .shutdown = tcp_shutdown_op,
  .poll = tcp_sock_poll,
  .setsockopt = tcp_setsockopt_op,
  .getsockopt = tcp_getsockopt_op,
  .ioctl = tcp_ioctl_op,
  .release = tcp_release,
};

int tcp_sock_create(struct socket *s, struct inet_sock **out)
{
  struct tcp_sock *ts = tcp_sock_alloc(s);
  if (!ts)
    return -ENOBUFS;
  net_lock_acquire();
  int r = tcp_ensure_pcb(ts);
  net_lock_release();
  if (r) {
    kfree(ts);
    s->proto = NULL;
    s->ops = NULL;
    return r;
  }
  *out = &ts->inet;
  return 0;
}
