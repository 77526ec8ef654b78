/*
 * selftest.c — the kernel's TCP self-test over the loopback interface
 * (NET_LOOPBACK_TEST=1 on the kernel command line; docs/lessons.md smoke flags).
 *
 * Layer: a user of lwIP's raw API, like the socket layer but without
 * sockets. At boot, before the first user program, it listens on
 * 127.0.0.1:7, connects to it, sends a message, lets the server echo it
 * back, and checks the echo. Everything runs synchronously in the boot
 * context: each packet sent to 127.0.0.1 waits on lo's loop list, and
 * netif_poll() delivers it (and whatever it provokes) at once. Prints
 * "net: tcp loopback ok" or the reason it failed.
 */
#include "net/netcore.h"
#include "kern/printk.h"
#include <string.h>

#include "lwip/tcp.h"
#include "lwip/netif.h"

#define SELFTEST_PORT 7
static const char selftest_msg[] = "kite tcp loopback self-test";

static struct {
  struct tcp_pcb *server;       /* the accepted connection */
  char echoed[64];
  size_t got;
  bool connected, failed;
  bool client_gone;             /* lwIP freed the client pcb (error) */
} st;

/* Server side: echo whatever arrives. */
static err_t server_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
  (void)arg;
  if (!p)
    return ERR_OK;
  for (struct pbuf *q = p; q; q = q->next)
    if (tcp_write(pcb, q->payload, q->len, TCP_WRITE_FLAG_COPY) != ERR_OK)
      st.failed = true;
  tcp_recved(pcb, p->tot_len);
  pbuf_free(p);
  tcp_output(pcb);
  return err;
}

static err_t server_accept(void *arg, struct tcp_pcb *newpcb, err_t err)
{
  (void)arg;
  if (err != ERR_OK || !newpcb)
    return ERR_VAL;
  st.server = newpcb;
  tcp_recv(newpcb, server_recv);
  return ERR_OK;
}

/* Client side: collect the echo. */
static err_t client_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
  (void)arg;
  (void)err;
  if (!p)
    return ERR_OK;
  size_t n = MIN((size_t)p->tot_len, sizeof(st.echoed) - st.got);
  pbuf_copy_partial(p, st.echoed + st.got, (u16_t)n, 0);
  st.got += n;
  tcp_recved(pcb, p->tot_len);
  pbuf_free(p);
  return ERR_OK;
}

static err_t client_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
  (void)arg;
  st.connected = true;
  if (tcp_write(pcb, selftest_msg, sizeof(selftest_msg) - 1, TCP_WRITE_FLAG_COPY) != ERR_OK)
    st.failed = true;
  tcp_output(pcb);
  return err;
}

static void client_err(void *arg, err_t err)
{
  (void)arg;
  pr_info("net: self-test: client error %d", err);
  st.failed = true;
  st.client_gone = true;
}

/* Run the test; prints the verdict. Called once, at boot, with no other
 * network activity (net_lock is taken here). */
void net_selftest_tcp_loopback(void)
{
  const char *why = NULL;
  struct tcp_pcb *lpcb = NULL, *client = NULL;
  memset(&st, 0, sizeof(st));
  net_lock_acquire();
  struct tcp_pcb *pcb = tcp_new_ip_type(IPADDR_TYPE_V4);
  client = tcp_new_ip_type(IPADDR_TYPE_V4);
  if (!pcb || !client) {
    why = "out of memory";
    goto out;
  }
  if (tcp_bind(pcb, IP4_ADDR_ANY, SELFTEST_PORT) != ERR_OK) {
    why = "bind failed";
    tcp_abort(pcb);
    goto out;
  }
  lpcb = tcp_listen(pcb);
  if (!lpcb) {
    why = "listen failed";
    tcp_abort(pcb);
    goto out;
  }
  tcp_accept(lpcb, server_accept);
  tcp_recv(client, client_recv);
  tcp_err(client, client_err);
  ip_addr_t lo;
  IP_ADDR4(&lo, 127, 0, 0, 1);
  if (tcp_connect(client, &lo, SELFTEST_PORT, client_connected) != ERR_OK) {
    why = "connect failed";
    goto out;
  }
  /* Each round delivers every looped packet and the answers it causes. */
  for (int round = 0; round < 16 && st.got < sizeof(selftest_msg) - 1 && !st.failed; round++) {
    struct netif *n;
    NETIF_FOREACH(n)
      netif_poll(n);
  }
  if (!st.connected)
    why = "no connection";
  else if (st.failed)
    why = "error during the exchange";
  else if (st.got != sizeof(selftest_msg) - 1 || memcmp(st.echoed, selftest_msg, st.got))
    why = "echo does not match";
out:
  if (client && !st.client_gone) {
    tcp_err(client, NULL);
    if (tcp_close(client) != ERR_OK)
      tcp_abort(client);
  }
  if (st.server && tcp_close(st.server) != ERR_OK)
    tcp_abort(st.server);
  if (lpcb)
    tcp_close(lpcb);
  net_lock_release_flush();
  if (why)
    pr_err("net: tcp loopback FAILED: %s", why);
  else
    pr_notice("net: tcp loopback ok"); /* asked for on the command line: on the console */
}
