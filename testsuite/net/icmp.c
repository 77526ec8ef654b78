/*
 * icmp.c — ICMP sockets: echo over 127.0.0.1 and ::1 with raw sockets
 * (IPv4: replies come with the IP header; the caller computes the
 * checksum) and with ping sockets (SOCK_DGRAM: the kernel sets identifier
 * and checksum and returns only matching replies).
 */
#include "nettest.h"
#include <netinet/icmp6.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>

static uint16_t cksum(const void *data, size_t len)
{
  const uint8_t *p = data;
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < len; i += 2)
    sum += (uint32_t)(p[i] << 8 | p[i + 1]);
  if (len & 1)
    sum += (uint32_t)p[len - 1] << 8;
  while (sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);
  return htons((uint16_t)~sum);
}

/* Wait for an echo reply with this sequence number; returns its ICMP offset or -1. */
static int wait_reply(int fd, uint8_t type, uint16_t seq, char *buf, size_t size, int ip_header)
{
  for (int tries = 0; tries < 20; tries++) {
    struct pollfd p = { fd, POLLIN, 0 };
    if (poll(&p, 1, 1000) <= 0)
      return -1;
    ssize_t n = recv(fd, buf, size, 0);
    if (n <= 0)
      return -1;
    int off = ip_header ? (buf[0] & 0xf) * 4 : 0;
    if (n < off + 8)
      continue;
    uint8_t *icmp = (uint8_t *)buf + off;
    if (icmp[0] == type && (icmp[6] << 8 | icmp[7]) == seq)
      return off;
  }
  return -1;
}

static void test_raw4(void)
{
  int fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
  check("raw4-socket", fd >= 0, "socket");
  if (fd < 0)
    return;
  uint8_t req[64] = { ICMP_ECHO, 0, 0, 0, 0x12, 0x34, 0, 1 };
  memcpy(req + 8, "kite raw ping", 13);
  memcpy(req + 2, &(uint16_t){ cksum(req, sizeof(req)) }, 2);
  struct sockaddr_storage ss;
  socklen_t len = loop_addr(AF_INET, 0, &ss);
  CHECK_EQ("raw4-sendto", sendto(fd, req, sizeof(req), 0, (struct sockaddr *)&ss, len), sizeof(req));
  char buf[256];
  int off = wait_reply(fd, ICMP_ECHOREPLY, 1, buf, sizeof(buf), 1);
  check("raw4-echo-reply-with-ip-header", off >= 20 && (buf[0] >> 4) == 4, "off %d", off);
  check("raw4-reply-payload", off >= 0 && memcmp(buf + off + 8, "kite raw ping", 13) == 0, "payload");
  close(fd);
}

static void test_raw6(void)
{
  int fd = socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6);
  check("raw6-socket", fd >= 0, "socket");
  if (fd < 0)
    return;
  struct icmp6_filter f;
  ICMP6_FILTER_SETBLOCKALL(&f);
  ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f);
  CHECK_EQ("raw6-icmp6-filter", setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof(f)), 0);
  uint8_t req[32] = { ICMP6_ECHO_REQUEST, 0, 0, 0, 0x12, 0x34, 0, 2 };
  memcpy(req + 8, "kite ping6", 10);
  struct sockaddr_storage ss;
  socklen_t len = loop_addr(AF_INET6, 0, &ss);
  CHECK_EQ("raw6-sendto", sendto(fd, req, sizeof(req), 0, (struct sockaddr *)&ss, len), sizeof(req));
  char buf[256];
  int off = wait_reply(fd, ICMP6_ECHO_REPLY, 2, buf, sizeof(buf), 0);
  check("raw6-echo-reply-no-ip-header", off == 0 && memcmp(buf + 8, "kite ping6", 10) == 0, "off %d", off);
  close(fd);
}

static int ping_socket(int family)
{
  int proto = family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;
  int fd = socket(family, SOCK_DGRAM, proto);
  if (fd < 0 && errno == EACCES) {  /* Linux: ping sockets need ping_group_range */
    FILE *f = fopen("/proc/sys/net/ipv4/ping_group_range", "w");
    if (f) {
      fputs("0 2147483647\n", f);
      fclose(f);
    }
    fd = socket(family, SOCK_DGRAM, proto);
  }
  return fd;
}

static void test_ping_socket(int family, const char *tag)
{
  char name[64];
  int fd = ping_socket(family);
  snprintf(name, sizeof(name), "%s/ping-socket", tag);
  check(name, fd >= 0, "socket");
  if (fd < 0)
    return;
  uint8_t req[40] = { family == AF_INET ? ICMP_ECHO : ICMP6_ECHO_REQUEST, 0, 0, 0, 0, 0, 0, 3 };
  memcpy(req + 8, "ping socket", 11);
  struct sockaddr_storage ss;
  socklen_t len = loop_addr(family, 0, &ss);
  snprintf(name, sizeof(name), "%s/ping-socket-send", tag);
  CHECK_EQ(name, sendto(fd, req, sizeof(req), 0, (struct sockaddr *)&ss, len), sizeof(req));
  char buf[256];
  int off = wait_reply(fd, family == AF_INET ? ICMP_ECHOREPLY : ICMP6_ECHO_REPLY, 3, buf, sizeof(buf), 0);
  snprintf(name, sizeof(name), "%s/ping-socket-reply", tag);
  check(name, off == 0 && memcmp(buf + 8, "ping socket", 11) == 0, "off %d", off);
  if (family == AF_INET6) {  /* (qemu-user lets IPv4 ones through, so only IPv6 is checked) */
    uint8_t bad[8] = { 42, 0, 0, 0, 0, 0, 0, 0 };
    snprintf(name, sizeof(name), "%s/ping-socket-only-echo", tag);
    CHECK_ERR(name, sendto(fd, bad, sizeof(bad), 0, (struct sockaddr *)&ss, len), EINVAL);
  }
  close(fd);
}

int main(void)
{
  test_group = "icmp";
  test_raw4();
  test_raw6();
  test_ping_socket(AF_INET, "v4");
  test_ping_socket(AF_INET6, "v6");
  return test_exit();
}
