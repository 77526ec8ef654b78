/*
 * tcp_rr.c — TCP request/response round trips over 127.0.0.1, the shape of
 * netperf's TCP_RR test, run unchanged on Kite and on the reference Linux
 * (bench/net.py).
 *
 *   tcp_rr [ROUNDS [PORT]]     default 10000 round trips on port 5002
 *
 * The parent listens; a forked child connects. The child (client) writes a
 * 1-byte request and waits for the 1-byte response, ROUNDS times; the
 * parent (server) answers every byte it reads. TCP_NODELAY is set on both
 * ends, so each round trip is two segments and four system calls, not a
 * Nagle-delayed batch. The first 100 round trips warm up and are not timed.
 * Prints "BENCH tcp_rr <round trips per second> rt/s" (CLOCK_MONOTONIC), or
 * "BENCH-ERROR ..." when a call fails.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WARMUP 100

/* now_s: CLOCK_MONOTONIC in seconds. */
static double now_s(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* die: report a failed call on the console (the host looks for BENCH-ERROR). */
static void die(const char *what)
{
  printf("BENCH-ERROR tcp_rr %s: %s\n", what, strerror(errno));
  fflush(stdout);
  exit(1);
}

/* nodelay: turn Nagle's algorithm off on socket fd. */
static void nodelay(int fd)
{
  int one = 1;
  if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0)
    die("setsockopt(TCP_NODELAY)");
}

/* loopback: fill *sa with 127.0.0.1:port. */
static void loopback(struct sockaddr_in *sa, int port)
{
  memset(sa, 0, sizeof(*sa));
  sa->sin_family = AF_INET;
  sa->sin_port = htons(port);
  sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
}

/* round_trip: send one byte on fd and wait for the one-byte answer. */
static void round_trip(int fd)
{
  char c = 'q';
  if (write(fd, &c, 1) != 1)
    die("client write");
  if (read(fd, &c, 1) != 1)
    die("client read");
}

/* client: connect to the server, warm up, then time `rounds` round trips. */
static void client(int port, long rounds)
{
  struct sockaddr_in sa;
  loopback(&sa, port);
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0)
    die("socket");
  if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
    die("connect");
  nodelay(fd);
  for (int i = 0; i < WARMUP; i++)
    round_trip(fd);
  double t0 = now_s();
  for (long i = 0; i < rounds; i++)
    round_trip(fd);
  double t1 = now_s();
  printf("BENCH tcp_rr %.1f rt/s\n", rounds / (t1 - t0));
  fflush(stdout);
  close(fd);
}

/* serve: answer every byte read from fd with one byte, until EOF. */
static void serve(int fd)
{
  char c;
  ssize_t n;
  while ((n = read(fd, &c, 1)) == 1)
    if (write(fd, &c, 1) != 1)
      die("server write");
  if (n < 0)
    die("server read");
}

int main(int argc, char **argv)
{
  long rounds = argc > 1 ? atol(argv[1]) : 10000;
  int port = argc > 2 ? atoi(argv[2]) : 5002;
  struct sockaddr_in sa;
  loopback(&sa, port);

  int lfd = socket(AF_INET, SOCK_STREAM, 0);
  if (lfd < 0)
    die("socket");
  int one = 1;
  setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
    die("bind");
  if (listen(lfd, 1) < 0)
    die("listen");

  pid_t pid = fork();
  if (pid < 0)
    die("fork");
  if (pid == 0) {
    close(lfd);
    client(port, rounds);
    _exit(0);
  }
  int fd = accept(lfd, NULL, NULL);
  if (fd < 0)
    die("accept");
  close(lfd);
  nodelay(fd);
  serve(fd);
  close(fd);
  int status;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
