/*
 * udp_echo.c — UDP_ECHO_TEST: datagrams over 127.0.0.1 through sendto,
 * recvfrom, sendmsg, recvmsg and connect. One socket echoes each datagram
 * to its sender; the other sends 100 datagrams of different sizes and
 * checks each echo (contents, length, source address). Prints
 * "udp-echo: ok".
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

static int fail(const char *what)
{
  printf("udp-echo: FAIL: %s\n", what);
  return 1;
}

int main(void)
{
  int srv = socket(AF_INET, SOCK_DGRAM, 0), cli = socket(AF_INET, SOCK_DGRAM, 0);
  if (srv < 0 || cli < 0)
    return fail("socket");
  struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
  socklen_t len = sizeof(sa);
  if (bind(srv, (struct sockaddr *)&sa, sizeof(sa)) ||
      getsockname(srv, (struct sockaddr *)&sa, &len) || sa.sin_port == 0)
    return fail("bind");
  static char out[2000], echo[2000], in[2000];
  for (int i = 0; i < 100; i++) {
    size_t n = 1 + (size_t)(i * 37) % sizeof(out);
    for (size_t k = 0; k < n; k++)
      out[k] = (char)(i + k);
    if (sendto(cli, out, n, 0, (struct sockaddr *)&sa, sizeof(sa)) != (ssize_t)n)
      return fail("sendto");
    /* The echo side uses recvmsg/sendmsg with the sender's address. */
    struct sockaddr_in from;
    struct iovec iov = { echo, sizeof(echo) };
    struct msghdr mh = { .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov, .msg_iovlen = 1 };
    ssize_t r = recvmsg(srv, &mh, 0);
    if (r != (ssize_t)n || mh.msg_namelen != sizeof(from) || from.sin_family != AF_INET ||
        from.sin_addr.s_addr != htonl(INADDR_LOOPBACK))
      return fail("recvmsg");
    iov.iov_len = (size_t)r;
    if (sendmsg(srv, &mh, 0) != r)
      return fail("sendmsg");
    struct sockaddr_in back;
    len = sizeof(back);
    r = recvfrom(cli, in, sizeof(in), 0, (struct sockaddr *)&back, &len);
    if (r != (ssize_t)n || memcmp(in, out, n) || back.sin_port != sa.sin_port)
      return fail("recvfrom");
  }
  /* A connected socket: send/recv without addresses. */
  if (connect(cli, (struct sockaddr *)&sa, sizeof(sa)) || send(cli, "ping", 4, 0) != 4)
    return fail("connect/send");
  struct sockaddr_in from;
  len = sizeof(from);
  if (recvfrom(srv, in, sizeof(in), 0, (struct sockaddr *)&from, &len) != 4 ||
      sendto(srv, "pong", 4, 0, (struct sockaddr *)&from, len) != 4 ||
      recv(cli, in, sizeof(in), 0) != 4 || memcmp(in, "pong", 4))
    return fail("connected exchange");
  close(cli);
  close(srv);
  printf("udp-echo: ok\n");
  return 0;
}
