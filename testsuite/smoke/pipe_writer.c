/* pipe_writer.c — write 1 MiB of a known pattern to stdout, in odd-sized chunks. */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
  static unsigned char buf[3001];
  size_t total = 1 << 20, sent = 0;
  while (sent < total) {
    size_t n = sizeof(buf);
    if (n > total - sent)
      n = total - sent;
    for (size_t i = 0; i < n; i++)
      buf[i] = (unsigned char)((sent + i) * 7 + 3);
    ssize_t w = write(1, buf, n);
    if (w <= 0) {
      perror("pipe_writer: write");
      return 1;
    }
    sent += (size_t)w;
  }
  return 0;
}
