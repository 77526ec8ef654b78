/*
 * nettest.h — helpers shared by the socket conformance tests (testsuite/net).
 *
 * Every test program runs unchanged on Linux (qemu-riscv64 inside a private
 * network namespace) and on Kite, and prints one line per check:
 * "PASS: <group>/<check>" or "FAIL: <group>/<check>: <why>". The exit
 * status is the number of failures (capped at 100).
 */
#ifndef NETTEST_H
#define NETTEST_H

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *test_group = "net";
static int test_failures;

static void check(const char *name, int ok, const char *fmt, ...)
{
  if (ok) {
    printf("PASS: %s/%s\n", test_group, name);
  } else {
    int e = errno;
    va_list ap;
    printf("FAIL: %s/%s: ", test_group, name);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf(" (errno %d: %s)\n", e, strerror(e));
    test_failures++;
  }
  fflush(stdout);
}

/* check(name, call == want) with the result and errno in the message. */
#define CHECK_EQ(name, expr, want)                                                   \
  do {                                                                               \
    errno = 0;                                                                       \
    long _v = (long)(expr);                                                          \
    check(name, _v == (long)(want), "%s = %ld, want %ld", #expr, _v, (long)(want));  \
  } while (0)
/* check(name, call fails with errno err). */
#define CHECK_ERR(name, expr, err)                                                   \
  do {                                                                               \
    errno = 0;                                                                       \
    long _v = (long)(expr);                                                          \
    int _e = errno;                                                                  \
    check(name, _v == -1 && _e == (err), "%s = %ld errno %d (%s), want errno %d (%s)", \
          #expr, _v, _e, strerror(_e), (err), strerror(err));                       \
  } while (0)

static int test_exit(void)
{
  fflush(stdout);
  return test_failures > 100 ? 100 : test_failures;
}

static double now_s(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A loopback address of the family (127.0.0.1 or ::1), port in host order. */
static socklen_t loop_addr(int family, int port, struct sockaddr_storage *ss)
{
  memset(ss, 0, sizeof(*ss));
  if (family == AF_INET) {
    struct sockaddr_in *a = (struct sockaddr_in *)ss;
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)port);
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return sizeof(*a);
  }
  struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
  a->sin6_family = AF_INET6;
  a->sin6_port = htons((uint16_t)port);
  a->sin6_addr = in6addr_loopback;
  return sizeof(*a);
}

static int port_of(int fd)
{
  struct sockaddr_storage ss;
  socklen_t len = sizeof(ss);
  if (getsockname(fd, (struct sockaddr *)&ss, &len))
    return -1;
  if (ss.ss_family == AF_INET)
    return ntohs(((struct sockaddr_in *)&ss)->sin_port);
  return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

/* A TCP listener on the loopback address, ephemeral port. */
static int tcp_listener(int family, int *port)
{
  int fd = socket(family, SOCK_STREAM, 0);
  if (fd < 0)
    return -1;
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  struct sockaddr_storage ss;
  socklen_t len = loop_addr(family, 0, &ss);
  if (bind(fd, (struct sockaddr *)&ss, len) || listen(fd, 64)) {
    close(fd);
    return -1;
  }
  *port = port_of(fd);
  return fd;
}

static int tcp_connect_to(int family, int port)
{
  int fd = socket(family, SOCK_STREAM, 0);
  if (fd < 0)
    return -1;
  struct sockaddr_storage ss;
  socklen_t len = loop_addr(family, port, &ss);
  if (connect(fd, (struct sockaddr *)&ss, len)) {
    int e = errno;
    close(fd);
    errno = e;
    return -1;
  }
  return fd;
}

/* A connected TCP pair over loopback: *c the client end, *s the server end. */
static int tcp_pair(int family, int *c, int *s)
{
  int port, l = tcp_listener(family, &port);
  if (l < 0)
    return -1;
  *c = tcp_connect_to(family, port);
  *s = *c >= 0 ? accept(l, NULL, NULL) : -1;
  close(l);
  if (*c < 0 || *s < 0)
    return -1;
  return 0;
}

static void set_nonblock(int fd, int on)
{
  int fl = fcntl(fd, F_GETFL);
  fcntl(fd, F_SETFL, on ? (fl | O_NONBLOCK) : (fl & ~O_NONBLOCK));
}

/* Read exactly n bytes (or fail). */
static ssize_t read_full(int fd, void *buf, size_t n)
{
  size_t got = 0;
  while (got < n) {
    ssize_t r = read(fd, (char *)buf + got, n - got);
    if (r <= 0)
      return got ? (ssize_t)got : r;
    got += (size_t)r;
  }
  return (ssize_t)got;
}

static ssize_t write_full(int fd, const void *buf, size_t n)
{
  size_t done = 0;
  while (done < n) {
    ssize_t w = write(fd, (const char *)buf + done, n - done);
    if (w <= 0)
      return done ? (ssize_t)done : w;
    done += (size_t)w;
  }
  return (ssize_t)done;
}

#endif
