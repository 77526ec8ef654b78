/*
 * netlink.h — Linux's netlink and rtnetlink ABI, the part Kite speaks
 * (<linux/netlink.h>, <linux/rtnetlink.h>, <linux/if_link.h>,
 * <linux/if_addr.h>; values as in Linux 6.1). Internal to net/: the
 * family itself is net/netlink.c.
 *
 * A netlink message is a struct nlmsghdr, a family header (struct
 * ifinfomsg, ifaddrmsg, rtmsg, or the one-byte rtgenmsg of a dump
 * request) and then attributes (struct rtattr + data), each padded to 4
 * bytes. Several messages may share one datagram.
 *
 * Layer: net, ABI constants and structures only (no code, no locks),
 * shared by net/netlink.c and net/rtnetlink.c.
 */
#ifndef KITE_NETLINK_H
#define KITE_NETLINK_H

#include "kern/types.h"

/* socket(AF_NETLINK, ..., protocol) */
#define NETLINK_ROUTE 0

struct sockaddr_nl {
  uint16_t nl_family;           /* AF_NETLINK */
  uint16_t nl_pad;
  uint32_t nl_pid;              /* port id: 0 is the kernel */
  uint32_t nl_groups;           /* multicast groups 1..32, one bit each */
};

/* setsockopt(fd, SOL_NETLINK, ...) */
#define SOL_NETLINK 270
#define NETLINK_ADD_MEMBERSHIP 1
#define NETLINK_DROP_MEMBERSHIP 2
#define NETLINK_PKTINFO 3
#define NETLINK_BROADCAST_ERROR 4
#define NETLINK_NO_ENOBUFS 5
#define NETLINK_LISTEN_ALL_NSID 8
#define NETLINK_LIST_MEMBERSHIPS 9
#define NETLINK_CAP_ACK 10
#define NETLINK_EXT_ACK 11
#define NETLINK_GET_STRICT_CHK 12
#define RTNLGRP_MAX 36                  /* rtnetlink's multicast groups */

struct nlmsghdr {
  uint32_t nlmsg_len;           /* header + payload, unpadded */
  uint16_t nlmsg_type;
  uint16_t nlmsg_flags;
  uint32_t nlmsg_seq;           /* the request's; replies repeat it */
  uint32_t nlmsg_pid;           /* requests: the sender; replies: the receiver's port id */
};

#define NLMSG_ALIGN(len) (((len) + 3u) & ~3u)
#define NLMSG_HDRLEN ((uint32_t)NLMSG_ALIGN(sizeof(struct nlmsghdr)))
#define NLMSG_LENGTH(len) ((len) + NLMSG_HDRLEN)
#define NLMSG_DATA(h) ((void *)((char *)(h) + NLMSG_HDRLEN))

/* nlmsg_flags */
#define NLM_F_REQUEST 0x01              /* for the kernel */
#define NLM_F_MULTI 0x02                /* one of many parts: NLMSG_DONE ends them */
#define NLM_F_ACK 0x04                  /* answer with NLMSG_ERROR (error 0 on success) */
#define NLM_F_ROOT 0x100                /* GET requests: the whole table */
#define NLM_F_MATCH 0x200               /* GET requests: every entry that matches */
#define NLM_F_DUMP (NLM_F_ROOT | NLM_F_MATCH)
#define NLM_F_CAPPED 0x100              /* NLMSG_ERROR: the request is not copied back */

/* nlmsg_type: control messages, then each family's own (rtnetlink: RTM_*) */
#define NLMSG_NOOP 0x1
#define NLMSG_ERROR 0x2
#define NLMSG_DONE 0x3
#define NLMSG_MIN_TYPE 0x10

struct nlmsgerr {
  int32_t error;                /* 0 (an ack) or a negative errno */
  struct nlmsghdr msg;          /* the request's header (and its payload unless capped) */
};

/* rtnetlink message types: NEW, DEL, GET, SET of each object, in fours */
#define RTM_BASE 16
#define RTM_NEWLINK 16
#define RTM_DELLINK 17
#define RTM_GETLINK 18
#define RTM_SETLINK 19
#define RTM_NEWADDR 20
#define RTM_DELADDR 21
#define RTM_GETADDR 22
#define RTM_NEWROUTE 24
#define RTM_DELROUTE 25
#define RTM_GETROUTE 26
#define RTM_MAX 123
#define RTM_KIND_GET 2                  /* (type - RTM_BASE) & 3 */

struct rtattr {
  uint16_t rta_len;             /* header + data, unpadded */
  uint16_t rta_type;
};
#define RTA_ALIGN(len) NLMSG_ALIGN(len)
#define RTA_LENGTH(len) (RTA_ALIGN(sizeof(struct rtattr)) + (len))
#define RTA_DATA(a) ((void *)((char *)(a) + RTA_LENGTH(0)))
#define NLA_TYPE_MASK 0x3fff            /* without the NESTED / NET_BYTEORDER bits */

struct rtgenmsg {                       /* the family header of a dump request */
  uint8_t rtgen_family;
};

/* RTM_NEWLINK */
struct ifinfomsg {
  uint8_t ifi_family;
  uint8_t ifi_pad;
  uint16_t ifi_type;            /* ARPHRD_* */
  int32_t ifi_index;
  uint32_t ifi_flags;           /* IFF_* */
  uint32_t ifi_change;
};
#define IFLA_ADDRESS 1
#define IFLA_BROADCAST 2
#define IFLA_IFNAME 3
#define IFLA_MTU 4
#define IFLA_QDISC 6
#define IFLA_STATS 7
#define IFLA_TXQLEN 13
#define IFLA_OPERSTATE 16
#define IFLA_LINKMODE 17
#define IFLA_STATS64 23

/* IFLA_OPERSTATE (RFC 2863) */
#define IF_OPER_UNKNOWN 0
#define IF_OPER_DOWN 2
#define IF_OPER_UP 6

/* IFLA_STATS and IFLA_STATS64: the first eight counters, then 16 (17)
 * error and compression counters Kite does not keep (zero). */
struct rtnl_link_stats {
  uint32_t rx_packets, tx_packets, rx_bytes, tx_bytes;
  uint32_t rx_errors, tx_errors, rx_dropped, tx_dropped;
  uint32_t more[16];
};
struct rtnl_link_stats64 {
  uint64_t rx_packets, tx_packets, rx_bytes, tx_bytes;
  uint64_t rx_errors, tx_errors, rx_dropped, tx_dropped;
  uint64_t more[17];
};

/* RTM_NEWADDR */
struct ifaddrmsg {
  uint8_t ifa_family;
  uint8_t ifa_prefixlen;
  uint8_t ifa_flags;            /* IFA_F_* (the low 8 bits; IFA_FLAGS has all) */
  uint8_t ifa_scope;            /* RT_SCOPE_* */
  uint32_t ifa_index;
};
#define IFA_ADDRESS 1
#define IFA_LOCAL 2
#define IFA_LABEL 3
#define IFA_BROADCAST 4
#define IFA_CACHEINFO 6
#define IFA_FLAGS 8
#define IFA_F_DEPRECATED 0x20
#define IFA_F_TENTATIVE 0x40
#define IFA_F_PERMANENT 0x80

struct ifa_cacheinfo {
  uint32_t ifa_prefered;        /* seconds left; 0xffffffff: forever */
  uint32_t ifa_valid;
  uint32_t cstamp, tstamp;      /* created, updated (hundredths of a second since boot) */
};
#define INFINITY_LIFE_TIME 0xffffffffu

/* RTM_NEWROUTE */
struct rtmsg {
  uint8_t rtm_family;
  uint8_t rtm_dst_len;
  uint8_t rtm_src_len;
  uint8_t rtm_tos;
  uint8_t rtm_table;            /* RT_TABLE_*; RTA_TABLE has the full id */
  uint8_t rtm_protocol;         /* RTPROT_*: who added the route */
  uint8_t rtm_scope;
  uint8_t rtm_type;             /* RTN_* */
  uint32_t rtm_flags;
};
#define RTA_DST 1
#define RTA_OIF 4
#define RTA_GATEWAY 5
#define RTA_PREFSRC 7
#define RTA_TABLE 15

#define RT_TABLE_MAIN 254
#define RT_TABLE_LOCAL 255
#define RTPROT_KERNEL 2                 /* made by the kernel for an address */
#define RTPROT_BOOT 3                   /* configured at boot */
#define RTN_UNICAST 1
#define RTN_LOCAL 2
#define RTN_BROADCAST 3

/* scopes (addresses and routes) */
#define RT_SCOPE_UNIVERSE 0
#define RT_SCOPE_SITE 200
#define RT_SCOPE_LINK 253
#define RT_SCOPE_HOST 254

#endif
