/*
 * lwipopts.h — how Kite configures lwIP (docs/net-lwip.md explains the choices).
 *
 * Layer: the lwIP port (net/). lwIP itself is built from Debian's source
 * package (net/net.mk) and stays unmodified; this file and arch/cc.h are
 * the whole of its configuration.
 *
 * Execution model: NO_SYS=1, raw (callback) API only. lwIP runs only with
 * net_lock held (net/netcore.c): in the net task, or in a socket system
 * call. It never runs in an interrupt handler.
 */
#ifndef KITE_LWIPOPTS_H
#define KITE_LWIPOPTS_H

#include <stddef.h>

/* ---- the execution model ---- */
#define NO_SYS 1
#define SYS_LIGHTWEIGHT_PROT 0      /* net_lock serialises everything */
#define LWIP_TIMERS 1
#define LWIP_NETCONN 0
#define LWIP_SOCKET 0               /* Kite has its own socket layer (net/socket.c) */
#define LWIP_NETIF_API 0
#define LWIP_CALLBACK_API 1

/* ---- memory: everything from the kernel allocator ---- */
/* kern/mm.h's allocator, declared again here because lwIP's sources do
 * not include Kite's headers: kmalloc/kzalloc give size bytes (zeroed) or
 * NULL, kfree takes them back (NULL: nothing). Any context but an
 * interrupt handler; lwIP calls them under net_lock. */
void *kmalloc(size_t size);
void *kzalloc(size_t size);
void kfree(void *p);
#define MEM_LIBC_MALLOC 1
#define MEMP_MEM_MALLOC 1
#define mem_clib_malloc kmalloc
#define mem_clib_free kfree
#define mem_clib_calloc(n, sz) kzalloc((size_t)(n) * (size_t)(sz))
#define MEM_ALIGNMENT 8
#define LWIP_PBUF_REF_T u32_t       /* RISC-V has no 8/16-bit atomics */
#define PBUF_POOL_BUFSIZE 1600      /* one Ethernet frame (the driver's RX pbufs) */

/* ---- protocols ---- */
#define LWIP_IPV4 1
#define LWIP_IPV6 1
#define LWIP_ARP 1
#define ARP_QUEUEING 1
#define LWIP_ETHERNET 1
#define LWIP_ICMP 1
#define LWIP_RAW 1                  /* ICMP sockets (net/icmp_sock.c) */
#define LWIP_UDP 1
#define LWIP_TCP 1
#define LWIP_DHCP 0
#define LWIP_AUTOIP 0
#define LWIP_IGMP 0
#define LWIP_DNS 0
#define IP_REASSEMBLY 1
#define IP_FRAG 1
#define LWIP_IPV6_FRAG 1
#define LWIP_IPV6_REASS 1
#define IPV6_FRAG_COPYHEADER 1      /* 64-bit pointers do not fit the fragment header */
#define LWIP_IPV6_AUTOCONFIG 1
#define LWIP_IPV6_MLD 1
#define LWIP_ICMP6 1
#define LWIP_BROADCAST_PING 0
#define LWIP_MULTICAST_PING 0
#define IP_SOF_BROADCAST 0
#define SO_REUSE 1                  /* SO_REUSEADDR: rebind right after close */
#define IP_DEFAULT_TTL 64           /* as Linux */

/* ---- TCP: sized for loopback throughput (docs/net-lwip.md) ---- */
/* Loopback has MTU 0, so a large MSS is used there; on eth0 the MSS is
 * clamped to the MTU. 32512 + headers fits a 32 KiB allocation. lwIP's
 * sanity checks must be off for it: one of them guards a 16-bit snd_buf,
 * which with LWIP_WND_SCALE is 32-bit (tcpwnd_size_t). */
#define TCP_MSS 32512
#define LWIP_DISABLE_TCP_SANITY_CHECKS 1
#define LWIP_WND_SCALE 1
#define TCP_RCV_SCALE 3
#define TCP_WND (256 * 1024)
#define TCP_SND_BUF (256 * 1024)
/* A read sends a window update once it has reopened the receive window by
 * this much. lwIP's default, min(TCP_WND / 4, 4 * TCP_MSS), is 64 KiB here:
 * more than the 0xFFFF a peer without window scaling can ever be offered
 * (QEMU's user network sends no window-scale option), so a window closed by
 * a full receive queue stayed closed until the peer's persist timer, 5 s
 * later (docs/net-lwip.md, "the window that never reopened"). */
#define TCP_WND_UPDATE_THRESHOLD LWIP_MIN(TCP_WND / 4, 0xFFFF / 2)
#define TCP_SND_QUEUELEN 1024       /* segments queued per pcb (1460-byte MSS on eth0) */
#define TCP_SNDLOWAT (16 * 1024)
#define TCP_SNDQUEUELOWAT (TCP_SND_QUEUELEN / 2)
#define TCP_OVERSIZE TCP_MSS
#define TCP_QUEUE_OOSEQ 1
#define TCP_LISTEN_BACKLOG 1
#define TCP_DEFAULT_LISTEN_BACKLOG 0xff
#define LWIP_TCP_KEEPALIVE 1
#define LWIP_TCP_TIMESTAMPS 0
#define TCP_MAXRTX 12
#define TCP_SYNMAXRTX 6
#define TCP_MSL 5000UL              /* TIME_WAIT lasts 2 * TCP_MSL = 10 s (Linux: 60 s) */
#define MEMP_NUM_TCP_PCB 1024       /* not a limit with MEMP_MEM_MALLOC; counted in stats */
#define MEMP_NUM_TCP_PCB_LISTEN 256
#define MEMP_NUM_UDP_PCB 256
#define MEMP_NUM_RAW_PCB 64
/* A SYN that meets a connection in TIME_WAIT opens a new one, as on Linux
 * (net/tcp_sock.c: tcp_input_hook). */
struct tcp_pcb;
struct tcp_hdr;
struct pbuf;
int tcp_input_hook(struct tcp_pcb *pcb, struct tcp_hdr *h, unsigned char *opt2, struct pbuf *p);
#define LWIP_HOOK_TCP_INPACKET_PCB(pcb, hdr, optlen, opt1len, opt2, p) tcp_input_hook(pcb, hdr, opt2, p)
/* Initial sequence numbers as Linux's: per address pair, growing with time
 * (net/lwip_port.c: tcp_isn). */
struct ip_addr;
unsigned int tcp_isn(const struct ip_addr *local, unsigned short lport,
                     const struct ip_addr *remote, unsigned short rport);
#define LWIP_HOOK_TCP_ISN(local, lport, remote, rport) tcp_isn(local, lport, remote, rport)

/* ---- interfaces ---- */
#define LWIP_NETIF_LOOPBACK 1
#define LWIP_HAVE_LOOPIF 1          /* lo: 127.0.0.1/8 and ::1 */
#define LWIP_LOOPBACK_MAX_PBUFS 1024
#define LWIP_NETIF_LOOPBACK_MULTITHREADING 0
#define LWIP_CHECKSUM_CTRL_PER_NETIF 1  /* lo skips checksums */
#define LWIP_NETIF_HOSTNAME 0
#define LWIP_NETIF_STATUS_CALLBACK 0
#define LWIP_NETIF_LINK_CALLBACK 0
#define LWIP_SINGLE_NETIF 0
#define ETH_PAD_SIZE 0

/* ---- statistics: /proc/net/lwip shows the pools (leak checks) ---- */
#define LWIP_STATS 1
#define LWIP_STATS_LARGE 1          /* 32-bit counters */
#define LWIP_STATS_DISPLAY 0
#define MEM_STATS 1
#define MEMP_STATS 1
#define LINK_STATS 1
#define IP_STATS 1
#define TCP_STATS 1
#define UDP_STATS 1
#define ICMP_STATS 1
#define SYS_STATS 0
#define MIB2_STATS 1               /* per-interface counters for /proc/net/dev */

/* LWIP_DEBUG stays undefined: lwIP tests it with #ifdef */

#endif
