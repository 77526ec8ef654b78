/* hello.c — the smallest user program: built static and dynamic (musl). */
#include <stdio.h>

int main(void)
{
  printf("hello, world\n");
  return 0;
}
