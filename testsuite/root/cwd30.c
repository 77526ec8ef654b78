/*
 * cwd30.c — print the working directory read into a 30-byte buffer, as the
 * OSComp basic test test_chdir does; "cwd30: ERANGE" if it does not fit.
 */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

int main(void)
{
  char buf[30];
  if (getcwd(buf, sizeof(buf)))
    printf("cwd30: %s\n", buf);
  else
    printf("cwd30: %s\n", errno == ERANGE ? "ERANGE" : "error");
  return 0;
}
