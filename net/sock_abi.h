/*
 * sock_abi.h — Linux's socket ABI on riscv64: the numbers and structure
 * layouts user space sees (asm-generic values; <sys/socket.h>,
 * <netinet/in.h>, <linux/tcp.h>, <linux/if.h>).
 *
 * Layer: shared by the socket system calls and the protocol files in
 * net/. lwIP has its own, different constants (SOL_SOCKET 0xfff, ...);
 * they live in lwIP's sockets.h, which Kite never includes, so the two
 * sets cannot meet.
 */
#ifndef KITE_SOCK_ABI_H
#define KITE_SOCK_ABI_H

#include "kern/types.h"

/* address families */
#define AF_UNSPEC 0
#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10
#define AF_NETLINK 16
#define AF_PACKET 17
#define AF_MAX 46

/* socket types and socket()/socketpair()/accept4() flags */
#define SOCK_STREAM 1
#define SOCK_DGRAM 2
#define SOCK_RAW 3
#define SOCK_RDM 4
#define SOCK_SEQPACKET 5
#define SOCK_TYPE_MASK 0xf
#define SOCK_NONBLOCK 04000
#define SOCK_CLOEXEC 02000000

/* protocols */
#define IPPROTO_IP 0
#define IPPROTO_ICMP 1
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17
#define IPPROTO_IPV6 41
#define IPPROTO_ICMPV6 58
#define IPPROTO_RAW 255

/* send/recv flags */
#define MSG_OOB 0x1
#define MSG_PEEK 0x2
#define MSG_DONTROUTE 0x4
#define MSG_CTRUNC 0x8
#define MSG_TRUNC 0x20
#define MSG_DONTWAIT 0x40
#define MSG_EOR 0x80
#define MSG_WAITALL 0x100
#define MSG_CONFIRM 0x800
#define MSG_ERRQUEUE 0x2000
#define MSG_NOSIGNAL 0x4000
#define MSG_MORE 0x8000
#define MSG_WAITFORONE 0x10000
#define MSG_FASTOPEN 0x20000000
#define MSG_CMSG_CLOEXEC 0x40000000

/* shutdown() */
#define SHUT_RD 0
#define SHUT_WR 1
#define SHUT_RDWR 2

/* setsockopt levels */
#define SOL_SOCKET 1
#define SOL_IP 0
#define SOL_TCP 6
#define SOL_UDP 17
#define SOL_IPV6 41
#define SOL_ICMPV6 58
#define SOL_RAW 255

/* SOL_SOCKET options */
#define SO_DEBUG 1
#define SO_REUSEADDR 2
#define SO_TYPE 3
#define SO_ERROR 4
#define SO_DONTROUTE 5
#define SO_BROADCAST 6
#define SO_SNDBUF 7
#define SO_RCVBUF 8
#define SO_KEEPALIVE 9
#define SO_OOBINLINE 10
#define SO_NO_CHECK 11
#define SO_PRIORITY 12
#define SO_LINGER 13
#define SO_BSDCOMPAT 14
#define SO_REUSEPORT 15
#define SO_PASSCRED 16
#define SO_PEERCRED 17
#define SO_RCVLOWAT 18
#define SO_SNDLOWAT 19
#define SO_RCVTIMEO_OLD 20
#define SO_SNDTIMEO_OLD 21
#define SO_BINDTODEVICE 25
#define SO_TIMESTAMP_OLD 29
#define SO_ACCEPTCONN 30
#define SO_PEERSEC 31
#define SO_SNDBUFFORCE 32
#define SO_RCVBUFFORCE 33
#define SO_PASSSEC 34
#define SO_MARK 36
#define SO_PROTOCOL 38
#define SO_DOMAIN 39
#define SO_RXQ_OVFL 40
#define SO_PEEK_OFF 42
#define SO_BUSY_POLL 46
#define SO_INCOMING_CPU 49
#define SO_RCVTIMEO_NEW 66
#define SO_SNDTIMEO_NEW 67

/* SOL_IP options */
#define IP_TOS 1
#define IP_TTL 2
#define IP_HDRINCL 3
#define IP_OPTIONS 4
#define IP_RECVOPTS 6
#define IP_PKTINFO 8
#define IP_MTU_DISCOVER 10
#define IP_RECVERR 11
#define IP_RECVTTL 12
#define IP_RECVTOS 13
#define IP_MTU 14
#define IP_MULTICAST_IF 32
#define IP_MULTICAST_TTL 33
#define IP_MULTICAST_LOOP 34

/* IP_RECVERR's control message: struct sock_extended_err, then the offender */
struct sock_extended_err {
  uint32_t ee_errno;
  uint8_t ee_origin;
  uint8_t ee_type;
  uint8_t ee_code;
  uint8_t ee_pad;
  uint32_t ee_info;
  uint32_t ee_data;
};
#define SO_EE_ORIGIN_ICMP 2
#define SO_EE_ORIGIN_ICMP6 3

/* SOL_IPV6 options */
#define IPV6_ADDRFORM 1
#define IPV6_CHECKSUM 7
#define IPV6_UNICAST_HOPS 16
#define IPV6_MULTICAST_HOPS 18
#define IPV6_MTU_DISCOVER 23
#define IPV6_RECVERR 25
#define IPV6_V6ONLY 26
#define IPV6_RECVPKTINFO 49
#define IPV6_TCLASS 67

/* SOL_TCP options */
#define TCP_NODELAY 1
#define TCP_MAXSEG 2
#define TCP_CORK 3
#define TCP_KEEPIDLE 4
#define TCP_KEEPINTVL 5
#define TCP_KEEPCNT 6
#define TCP_SYNCNT 7
#define TCP_LINGER2 8
#define TCP_DEFER_ACCEPT 9
#define TCP_WINDOW_CLAMP 10
#define TCP_INFO 11
#define TCP_QUICKACK 12
#define TCP_CONGESTION 13
#define TCP_USER_TIMEOUT 18
#define TCP_NOTSENT_LOWAT 25

/* SOL_ICMPV6 */
#define ICMP6_FILTER 1

/* ancillary data */
#define SCM_RIGHTS 1
#define SCM_CREDENTIALS 2
#define SCM_MAX_FD 253

/* socket ioctls */
#define SIOCINQ 0x541B         /* = FIONREAD */
#define SIOCOUTQ 0x5411        /* = TIOCOUTQ */
#define SIOCATMARK 0x8905
#define SIOCGSTAMP 0x8906
#define SIOCGIFNAME 0x8910
#define SIOCGIFCONF 0x8912
#define SIOCGIFFLAGS 0x8913
#define SIOCSIFFLAGS 0x8914
#define SIOCGIFADDR 0x8915
#define SIOCSIFADDR 0x8916
#define SIOCGIFDSTADDR 0x8917
#define SIOCGIFBRDADDR 0x8919
#define SIOCGIFNETMASK 0x891b
#define SIOCGIFMETRIC 0x891d
#define SIOCGIFMTU 0x8921
#define SIOCGIFHWADDR 0x8927
#define SIOCGIFINDEX 0x8933
#define SIOCGIFTXQLEN 0x8942
#define SIOCGIFMAP 0x8970

/* interface flags (struct ifreq ifr_flags) */
#define IFF_UP 0x1
#define IFF_BROADCAST 0x2
#define IFF_LOOPBACK 0x8
#define IFF_RUNNING 0x40
#define IFF_MULTICAST 0x1000
#define IFF_LOWER_UP 0x10000

/* ---- structures (riscv64 LP64 layouts) ---- */

struct sockaddr {
  uint16_t sa_family;
  char sa_data[14];
};

/* Big enough for any address family (128 bytes, as Linux). */
struct sockaddr_storage {
  uint16_t ss_family;
  char ss_data[126];
} ALIGNED(8);

struct sockaddr_in {
  uint16_t sin_family;
  uint16_t sin_port;            /* network byte order */
  uint32_t sin_addr;            /* network byte order */
  uint8_t sin_zero[8];
};

struct sockaddr_in6 {
  uint16_t sin6_family;
  uint16_t sin6_port;           /* network byte order */
  uint32_t sin6_flowinfo;
  uint8_t sin6_addr[16];
  uint32_t sin6_scope_id;
};

#define UNIX_PATH_MAX 108
struct sockaddr_un {
  uint16_t sun_family;
  char sun_path[UNIX_PATH_MAX];
};

struct msghdr_user {            /* struct msghdr */
  uaddr_t msg_name;
  uint32_t msg_namelen;
  uint32_t pad1;
  uaddr_t msg_iov;
  uint64_t msg_iovlen;
  uaddr_t msg_control;
  uint64_t msg_controllen;
  int32_t msg_flags;
  uint32_t pad2;
};

struct mmsghdr_user {           /* struct mmsghdr */
  struct msghdr_user msg_hdr;
  uint32_t msg_len;
  uint32_t pad;
};

struct cmsghdr {
  uint64_t cmsg_len;            /* header + data, unaligned */
  int32_t cmsg_level;
  int32_t cmsg_type;
};
#define CMSG_ALIGN(len) (((len) + 7) & ~(size_t)7)
#define CMSG_SPACE(len) (sizeof(struct cmsghdr) + CMSG_ALIGN(len))
#define CMSG_LEN(len) (sizeof(struct cmsghdr) + (len))

struct ucred {
  int32_t pid;
  uint32_t uid;
  uint32_t gid;
};

struct linger {
  int32_t l_onoff;
  int32_t l_linger;
};

struct timeval_user {
  int64_t tv_sec;
  int64_t tv_usec;
};

#define IFNAMSIZ 16
struct ifreq {
  char ifr_name[IFNAMSIZ];
  union {
    struct sockaddr ifru_addr;
    int16_t ifru_flags;
    int32_t ifru_ivalue;        /* index, mtu, metric, txqlen */
    char ifru_newname[IFNAMSIZ];
    char ifru_pad[24];
  } ifr_ifru;
};

struct ifconf {
  int32_t ifc_len;
  uint32_t pad;
  uaddr_t ifc_buf;
};

/* struct tcp_info (linux/tcp.h), the part Kite fills in. */
struct tcp_info {
  uint8_t tcpi_state, tcpi_ca_state, tcpi_retransmits, tcpi_probes, tcpi_backoff,
      tcpi_options, tcpi_wscale, tcpi_flags;
  uint32_t tcpi_rto, tcpi_ato, tcpi_snd_mss, tcpi_rcv_mss;
  uint32_t tcpi_unacked, tcpi_sacked, tcpi_lost, tcpi_retrans, tcpi_fackets;
  uint32_t tcpi_last_data_sent, tcpi_last_ack_sent, tcpi_last_data_recv, tcpi_last_ack_recv;
  uint32_t tcpi_pmtu, tcpi_rcv_ssthresh, tcpi_rtt, tcpi_rttvar, tcpi_snd_ssthresh,
      tcpi_snd_cwnd, tcpi_advmss, tcpi_reordering;
  uint32_t tcpi_rcv_rtt, tcpi_rcv_space;
  uint32_t tcpi_total_retrans;
  uint64_t tcpi_pacing_rate, tcpi_max_pacing_rate, tcpi_bytes_acked, tcpi_bytes_received;
  uint32_t tcpi_segs_out, tcpi_segs_in;
  uint32_t tcpi_notsent_bytes, tcpi_min_rtt, tcpi_data_segs_in, tcpi_data_segs_out;
  uint64_t tcpi_delivery_rate;
  uint64_t tcpi_busy_time, tcpi_rwnd_limited, tcpi_sndbuf_limited;
  uint32_t tcpi_delivered, tcpi_delivered_ce;
  uint64_t tcpi_bytes_sent, tcpi_bytes_retrans;
  uint32_t tcpi_dsack_dups, tcpi_reord_seen;
  uint32_t tcpi_rcv_ooopack;
  uint32_t tcpi_snd_wnd;
};

/* Linux's TCP states (tcpi_state, /proc/net/tcp) */
enum {
  LINUX_TCP_ESTABLISHED = 1, LINUX_TCP_SYN_SENT, LINUX_TCP_SYN_RECV, LINUX_TCP_FIN_WAIT1,
  LINUX_TCP_FIN_WAIT2, LINUX_TCP_TIME_WAIT, LINUX_TCP_CLOSE, LINUX_TCP_CLOSE_WAIT,
  LINUX_TCP_LAST_ACK, LINUX_TCP_LISTEN, LINUX_TCP_CLOSING,
};

/* byte order (riscv64 is little-endian) */
static inline uint16_t net_htons(uint16_t x) { return __builtin_bswap16(x); }
static inline uint32_t net_htonl(uint32_t x) { return __builtin_bswap32(x); }
#define net_ntohs net_htons
#define net_ntohl net_htonl

#endif
