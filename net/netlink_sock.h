/*
 * netlink_sock.h — the netlink socket core (net/netlink.c) and the
 * kernel-side families it hands requests to (net/rtnetlink.c): the
 * receive queue's parts, building messages into them, dumps.
 *
 * A family is a struct nl_family; a netlink socket is created with the
 * family its protocol names (net/sys_socket.c: AF_NETLINK sockets are
 * rtnetlink's), so the socket core never names a family.
 *
 * Layer: net (internal to the netlink files). Locks: the functions here
 * expect net_lock held, as the family hooks are called with it.
 */
#ifndef KITE_NETLINK_SOCK_H
#define KITE_NETLINK_SOCK_H

#include "net/socket.h"
#include "net/netlink.h"

#define NL_PART_MIN 4096            /* a dump part (Linux: NLMSG_GOODSIZE, about a page)... */
#define NL_PART_MAX 32768           /* ...growing to the reader's buffer, up to this */
#define NL_DEFAULT_BUF 212992       /* SO_RCVBUF/SO_SNDBUF of a new socket (Linux's default) */
#define NL_ROVER_START 0xfffff000u  /* port ids when the pid is taken: -4096, -4097, ... */
#define NL_NO_ACK 1                 /* a handler answered already (a dump started): no ack */
#define NL_OPT_MAX NETLINK_GET_STRICT_CHK

/* One datagram for recvmsg: whole messages, each padded to 4 bytes. */
struct nl_part {
  struct nl_part *next;
  size_t len;                       /* bytes used */
  size_t size;                      /* bytes allocated */
  char data[];
};

/* What a part costs the receive queue: its memory, bookkeeping included. */
#define NL_PART_COST(size) (sizeof(struct nl_part) + (size))

/* A dump in progress (Linux's netlink_callback). */
struct nl_dump {
  bool running;
  uint16_t type;                    /* RTM_GETLINK, RTM_GETADDR or RTM_GETROUTE */
  uint8_t family;                   /* the request's family filter (AF_UNSPEC: all) */
  uint32_t seq;                     /* the request's sequence number */
  int sent;                         /* objects sent in earlier parts */
};

struct nl_sock {
  struct socket *sock;
  const struct nl_family *family;  /* the kernel side it talks to (rtnetlink) */
  struct list_head link;            /* in nl_socks (net_lock) */
  /* --- net_lock --- */
  uint32_t portid;                  /* our address; 0 until bound */
  uint64_t groups;                  /* bit g-1: multicast group g (nothing is ever sent) */
  uint32_t dst_portid, dst_group;   /* connect()'s default destination */
  struct nl_part *head, *tail;      /* the receive queue */
  size_t queued;                    /* NL_PART_COST of the queued parts */
  int err;                          /* reported by the next recvmsg (ENOBUFS), positive */
  bool congested;                   /* a reply was dropped: queue nothing until empty */
  struct nl_dump dump;
  size_t part_size;                 /* dump parts: the largest read seen, bounded */
  /* --- SOL_NETLINK flag options (single words, no lock) --- */
  bool opt[NL_OPT_MAX + 1];
};

struct nl_builder {
  struct nl_part *p;                /* the part being filled */
  size_t msg;                       /* where the current message starts */
  bool full;                        /* something did not fit: the message is dropped */
  uint32_t seq, pid;                /* the request's sequence number, our port id */
  uint16_t flags;                   /* NLM_F_MULTI for dump parts */
};

/* One part's walk over a dump's objects. */
struct dump_walk {
  struct nl_builder *b;
  int seen;                         /* objects walked so far */
  int skip;                         /* objects sent in earlier parts */
  int added;                        /* objects added to this part */
};

/* A netlink protocol's kernel side (Linux's netlink_kernel_create input). */
struct nl_family {
  int protocol;                     /* NETLINK_ROUTE */
  /* Handle one request: 0 (acked if NLM_F_ACK), a negative errno
   * (NLMSG_ERROR), or NL_NO_ACK (answered already: a dump started). */
  int (*request)(struct nl_sock *nl, const struct nlmsghdr *h);
  /* Add the objects of dump d to a part through w (nl_walk_want first). */
  void (*dump_fill)(const struct nl_dump *d, struct dump_walk *w);
};

/* A netlink socket on s talking to family (protocol must be family's):
 * 0, -ESOCKTNOSUPPORT, -EPROTONOSUPPORT, -ENOMEM. */
int netlink_create(struct socket *s, int type, int protocol, const struct nl_family *family);

/* A part of size bytes for a reply, or NULL (out of memory). */
struct nl_part *nl_part_alloc(size_t size);
/* Queue reply part p on nl, or drop it when the queue is full (then the
 * reader gets ENOBUFS once). p is queued or freed. */
void nl_part_send(struct nl_sock *nl, struct nl_part *p);
/* Start a dump for request h (the family has checked its type) and queue
 * its first part: NL_NO_ACK, or -EBUSY while another dump runs. */
int nl_dump_start(struct nl_sock *nl, const struct nlmsghdr *h, uint8_t family);

/* Building messages into b's part: nl_msg_begin returns the zeroed family
 * header (famlen bytes) or NULL when the part is full; attributes follow;
 * nl_msg_end finishes the message, or takes it out again if it did not
 * fit (false). No locks of their own. */
void *nl_msg_begin(struct nl_builder *b, uint16_t type, size_t famlen);
void nl_attr(struct nl_builder *b, uint16_t type, const void *data, size_t len);
void nl_attr_u32(struct nl_builder *b, uint16_t type, uint32_t v);
void nl_attr_u8(struct nl_builder *b, uint16_t type, uint8_t v);
void nl_attr_str(struct nl_builder *b, uint16_t type, const char *s);
bool nl_msg_end(struct nl_builder *b);
/* In a dump: is the next object to be built (not sent before, room left)?
 * And count one that was added (fitted). */
bool nl_walk_want(struct dump_walk *w);
void nl_walk_added(struct dump_walk *w, bool fitted);

#endif
