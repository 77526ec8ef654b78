/* pipe_reader.c — read stdin to EOF and check it is pipe_writer's pattern. */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
  static unsigned char buf[4096];
  size_t got = 0;
  for (;;) {
    ssize_t n = read(0, buf, sizeof(buf));
    if (n < 0) {
      perror("pipe_reader: read");
      return 1;
    }
    if (n == 0)
      break;
    for (ssize_t i = 0; i < n; i++) {
      if (buf[i] != (unsigned char)((got + i) * 7 + 3)) {
        printf("pipe: wrong byte at offset %zu\n", got + i);
        return 1;
      }
    }
    got += (size_t)n;
  }
  printf("pipe: ok %zu\n", got);
  return got == (1 << 20) ? 0 : 1;
}
