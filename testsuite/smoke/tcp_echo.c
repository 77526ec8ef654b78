/*
 * tcp_echo.c — TCP_ECHO_TEST: a user program that talks to itself over
 * 127.0.0.1 through the socket system calls (socket, bind, listen,
 * getsockname, accept, connect, writev, read, shutdown, close).
 * A child process echoes whatever it reads; the parent sends 256 KiB in
 * odd-sized pieces, reads the echo back and compares. Prints "tcp-echo: ok".
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#define TOTAL (256 * 1024)

static int fail(const char *what)
{
  printf("tcp-echo: FAIL: %s\n", what);
  return 1;
}

static void echo_server(int ls)
{
  int c = accept(ls, NULL, NULL);
  if (c < 0)
    _exit(2);
  static char buf[8192];
  for (;;) {
    ssize_t n = read(c, buf, sizeof(buf));
    if (n <= 0)
      break;
    for (ssize_t off = 0; off < n;) {
      ssize_t w = write(c, buf + off, n - off);
      if (w <= 0)
        _exit(3);
      off += w;
    }
  }
  close(c);
  _exit(0);
}

int main(void)
{
  int ls = socket(AF_INET, SOCK_STREAM, 0);
  if (ls < 0)
    return fail("socket");
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
  socklen_t len = sizeof(a);
  if (bind(ls, (struct sockaddr *)&a, sizeof(a)) || listen(ls, 4) ||
      getsockname(ls, (struct sockaddr *)&a, &len) || a.sin_port == 0)
    return fail("bind/listen/getsockname");
  pid_t pid = fork();
  if (pid == 0)
    echo_server(ls);
  close(ls);
  int s = socket(AF_INET, SOCK_STREAM, 0);
  if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof(a)))
    return fail("connect");
  static unsigned char out[TOTAL], in[TOTAL];
  for (int i = 0; i < TOTAL; i++)
    out[i] = (unsigned char)(i * 131 + 7);
  size_t sent = 0, got = 0;
  while (got < TOTAL) {
    if (sent < TOTAL) {  /* two pieces per writev, odd sizes */
      size_t n1 = 777, n2 = 3001;
      if (n1 > TOTAL - sent)
        n1 = TOTAL - sent;
      if (n2 > TOTAL - sent - n1)
        n2 = TOTAL - sent - n1;
      struct iovec iov[2] = { { out + sent, n1 }, { out + sent + n1, n2 } };
      ssize_t w = writev(s, iov, 2);
      if (w <= 0)
        return fail("writev");
      sent += (size_t)w;
    }
    ssize_t r = read(s, in + got, TOTAL - got);
    if (r <= 0)
      return fail("read");
    got += (size_t)r;
  }
  if (memcmp(in, out, TOTAL))
    return fail("echo differs");
  if (shutdown(s, SHUT_WR))
    return fail("shutdown");
  char x;
  if (read(s, &x, 1) != 0)
    return fail("no EOF after the peer closed");
  close(s);
  int st;
  if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
    return fail("echo server");
  printf("tcp-echo: ok\n");
  return 0;
}
